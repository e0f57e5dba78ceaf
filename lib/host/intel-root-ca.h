/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The default trust anchor of quote appraisal: Intel's production SGX Root CA (PEM,
 * NUL-terminated) and the SHA-256 of its SubjectPublicKeyInfo (DER), lower-case hex.
 * Intel's pre-production ("SBX") root has another key and is therefore not trusted.
 */
#pragma once

#define INTEL_SGX_ROOT_CA_SPKI_SHA256 \
	"a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e"

extern const char intel_sgx_root_ca_pem[];
