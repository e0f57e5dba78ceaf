/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER: replaced by the real implementation of 'tdverity-verify quote'. */
#include "verifier/verbs.h"

#include <stdio.h>

int verb_quote(int argc, char **argv)
{
	fprintf(stderr, "tdverity-verify: quote: not implemented\n");
	return VERIFY_USAGE;
}
