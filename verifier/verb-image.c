/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER: replaced by the real implementation of 'tdverity-verify image'. */
#include "verifier/verbs.h"

#include <stdio.h>

int verb_image(int argc, char **argv)
{
	fprintf(stderr, "tdverity-verify: image: not implemented\n");
	return VERIFY_USAGE;
}
