/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the Intel SGX extension of PCK certificates (FMSPC, PCE-ID, TCB), both
 * as a whole DER certificate (libcrypto) and as the raw extension value.
 */
#include "host/pck-cert.h"

#include <openssl/err.h>
#include <openssl/x509.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pck_cert_info info;
	const unsigned char *p = data;
	X509 *x = size < (1U << 20) ? d2i_X509(NULL, &p, (long)size) : NULL;
	if (x) {
		(void)pck_cert_info_get(x, &info, NULL);
		X509_free(x);
	}
	(void)pck_sgx_extension_parse(data, size, &info, NULL);
	ERR_clear_error();
	return 0;
}
