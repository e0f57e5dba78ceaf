/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER: replaced by the real implementation of 'tdverity-verify replay'. */
#include "verifier/verbs.h"

#include <stdio.h>

int verb_replay(int argc, char **argv)
{
	fprintf(stderr, "tdverity-verify: replay: not implemented\n");
	return VERIFY_USAGE;
}
