/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER: replaced by the real implementation of 'tdverity-verify refvalues'. */
#include "verifier/verbs.h"

#include <stdio.h>

int verb_refvalues(int argc, char **argv)
{
	fprintf(stderr, "tdverity-verify: refvalues: not implemented\n");
	return VERIFY_USAGE;
}
