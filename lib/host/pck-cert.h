/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Intel SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): the platform's
 * FMSPC, PCE-ID and the TCB the certificate was issued for (16 SGX TCB components, PCESVN,
 * CPUSVN).  That TCB is what the TCB info's levels are matched against.  The extension is
 * signed with the certificate, so it is trusted only once the chain verifies.
 * Library code: never prints.
 */
#pragma once

#include "core/error.h"

#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

struct pck_cert_info {
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	uint8_t sgx_svn[16]; /* TCB components 1..16 */
	uint16_t pcesvn;
	uint8_t cpusvn[16];
};

/* Parse the DER value (the OCTET STRING content) of the SGX extension.  -EBADMSG (err)
 * when malformed or when FMSPC, PCE-ID, a TCB component or PCESVN is missing or repeated. */
int pck_sgx_extension_parse(const uint8_t *der, size_t len, struct pck_cert_info *ret,
			    struct tdv_error *err);

/* Find the SGX extension in cert and parse it. */
int pck_cert_info_get(X509 *cert, struct pck_cert_info *ret, struct tdv_error *err);
