/* SPDX-License-Identifier: Apache-2.0 */
/* PLACEHOLDER: replaced by the real program. */
#include <stdio.h>

int main(void)
{
	fputs("not implemented\n", stderr);
	return 2;
}
