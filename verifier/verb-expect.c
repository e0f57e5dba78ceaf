/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER: replaced by the real implementation of 'tdverity-verify expect'. */
#include "verifier/verbs.h"

#include <stdio.h>

int verb_expect(int argc, char **argv)
{
	fprintf(stderr, "tdverity-verify: expect: not implemented\n");
	return VERIFY_USAGE;
}
