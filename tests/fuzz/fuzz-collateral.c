/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: Intel collateral files as `--collateral` reads them, whatever their
 * kind: signed JSON (TCB info, QE identity) through json-c, CRLs and certificates (DER,
 * PEM, URL-encoded PEM, hex) through libcrypto.  Two inputs in one: the data is also split
 * at its first NUL and the second part added to the same collateral, so the duplicate
 * checks (a second QE identity, a second TCB info for one FMSPC) are reached.
 */
#include "host/collateral.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collateral *c = collateral_new();
	if (!c)
		return 0;
	const uint8_t *nul = memchr(data, 0, size);
	size_t first = nul ? (size_t)(nul - data) : size;
	if (collateral_add(c, "fuzz", data, first, NULL) == 0 && nul)
		(void)collateral_add(c, "fuzz2", nul + 1, size - first - 1, NULL);
	(void)collateral_add(c, "fuzz-all", data, size, NULL);
	static const uint8_t fmspc[6] = { 0x90, 0xc0, 0x6f };
	(void)collateral_tcb_info(c, fmspc);
	collateral_free(c);
	return 0;
}
