/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the TDX quote parser, its signature checks and its appraisal without
 * collateral (PEM chain to the built-in anchor, QE identity). */
#include "core/tdx-quote.h"
#include "host/quote-appraise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_quote q;
	if (tdx_quote_parse(data, size, &q, NULL) < 0)
		return 0;
	struct tdx_quote_verdict v;
	(void)tdx_quote_verify(&q, &v, NULL);
	struct appraise_options o = { .skip_tcb = true, .at = 1767225600 /* 2026-01-01 */ };
	struct quote_appraisal a;
	(void)quote_appraise(&q, &o, &a, NULL);
	return 0;
}
