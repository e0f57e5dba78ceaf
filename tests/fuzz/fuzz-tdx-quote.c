/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the TDX quote parser and its signature / PEM chain checks. */
#include "core/tdx-quote.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_quote q;
	if (tdx_quote_parse(data, size, &q, NULL) < 0)
		return 0;
	struct tdx_quote_verdict v;
	(void)tdx_quote_verify(&q, NULL, 0, &v, NULL);
	return 0;
}
