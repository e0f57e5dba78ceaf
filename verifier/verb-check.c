/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER: replaced by the real implementation of 'tdverity-verify check'. */
#include "verifier/verbs.h"

#include <stdio.h>

int verb_check(int argc, char **argv)
{
	fprintf(stderr, "tdverity-verify: check: not implemented\n");
	return VERIFY_USAGE;
}
