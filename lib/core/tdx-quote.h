/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel TDX DCAP quotes, format v4 and v5, and the checks that need no Intel collateral.
 *
 *   v4:  header (48) ‖ TD report body (584, TDX 1.0)          ‖ u32 sig len ‖ signature data
 *   v5:  header (48) ‖ u16 body type ‖ u32 body size ‖ body   ‖ u32 sig len ‖ signature data
 *        body type 2 = TDX 1.0 (584 bytes), 3 = TDX 1.5 (648 bytes: + TEE_TCB_SVN2, MRSERVICETD)
 *   signature data (attestation key type 2, ECDSA-P256):
 *        signature r‖s (64) ‖ attestation key x‖y (64) ‖ certification data
 *   certification data: u16 type ‖ u32 size ‖ data; type 6 = QE report certification data:
 *        QE report (384) ‖ QE report signature (64) ‖ u16 auth size ‖ auth data ‖
 *        nested certification data (type 5 = PEM PCK certificate chain, leaf first)
 *
 * The parsed quote points into the caller's buffer, which must outlive it.  Every size is
 * checked against the bytes that remain; nothing is allocated from a length field.
 * Library code: nothing here prints.
 */
#pragma once

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define TDX_QUOTE_HEADER_SIZE 48
#define TDX_BODY_10_SIZE 584
#define TDX_BODY_15_SIZE 648
#define TDX_QE_REPORT_SIZE 384
#define TDX_TEE_TYPE 0x00000081U
#define TDX_ATT_KEY_ECDSA_P256 2
#define TDX_CERT_TYPE_PCK_CHAIN 5
#define TDX_CERT_TYPE_QE_REPORT 6
#define TDX_QUOTE_MAX_SIZE (1U << 20) /* far above real quotes (≈5–8 KiB) */

struct tdx_td_report {
	const uint8_t *tee_tcb_svn;    /* 16 */
	const uint8_t *mrseam;	       /* 48 */
	const uint8_t *mrsignerseam;   /* 48 */
	const uint8_t *seam_attributes; /* 8 */
	const uint8_t *td_attributes;  /* 8 */
	const uint8_t *xfam;	       /* 8 */
	const uint8_t *mrtd;	       /* 48 */
	const uint8_t *mrconfigid;     /* 48 */
	const uint8_t *mrowner;	       /* 48 */
	const uint8_t *mrownerconfig;  /* 48 */
	const uint8_t *rtmr[4];	       /* 48 each */
	const uint8_t *reportdata;     /* 64 */
	const uint8_t *tee_tcb_svn2;   /* 16, TDX 1.5 only (else NULL) */
	const uint8_t *mrservicetd;    /* 48, TDX 1.5 only (else NULL) */
};

struct tdx_quote {
	uint16_t version;	/* 4 or 5 */
	uint16_t att_key_type;	/* 2 */
	uint32_t tee_type;	/* 0x81 */
	const uint8_t *qe_vendor_id; /* 16 */
	const uint8_t *user_data;    /* 20 */
	uint16_t body_type;	/* v5: 2 or 3; v4: 2 */
	uint32_t body_size;	/* 584 or 648 */
	struct tdx_td_report td;
	const uint8_t *signed_data; /* header (+ v5 descriptor) + body: what the AK signed */
	size_t signed_len;

	const uint8_t *signature;	/* 64: r‖s */
	const uint8_t *attestation_key; /* 64: x‖y */
	uint16_t cert_type;		/* 6 */
	const uint8_t *qe_report;	/* 384 */
	const uint8_t *qe_report_signature; /* 64 */
	const uint8_t *qe_auth_data;
	uint16_t qe_auth_len;
	uint16_t pck_cert_type; /* 5 */
	const uint8_t *pck_chain_pem;
	uint32_t pck_chain_len;
	size_t quote_len; /* bytes used; after them only zero padding (GCP's quotes) is allowed */
};

/* Parse a quote.  -EBADMSG for malformed input (err: what and where), -EOPNOTSUPP for a
 * well-formed quote of a kind we do not handle (version, key type, TEE type, cert type). */
int tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *ret,
		    struct tdv_error *err);

/* QE report (SGX report body) fields. */
#define TDX_QE_REPORT_MRENCLAVE_OFF 64
#define TDX_QE_REPORT_MRSIGNER_OFF 128
#define TDX_QE_REPORT_ISVPRODID_OFF 256
#define TDX_QE_REPORT_ISVSVN_OFF 258
#define TDX_QE_REPORT_REPORTDATA_OFF 320

/* Outcome of the collateral-free checks; each is true only when checked and valid. */
struct tdx_quote_verdict {
	bool ak_signature_ok;	/* ECDSA-P256/SHA-256 by the AK over signed_data */
	bool qe_binding_ok;	/* QE REPORTDATA = SHA-256(AK ‖ auth data) ‖ 32 zero bytes */
	bool pck_signature_ok;	/* PCK leaf signed the QE report */
	size_t n_certs;
	char subjects[4][256];	/* one-line subjects, leaf first (up to 4) */
};

/*
 * Run the checks on a parsed quote.  Returns 0 when the checks could be run (their results
 * are in *ret, true or false), -EBADMSG when the PEM chain is unreadable (err), -ENOMEM /
 * -EIO for libcrypto failures.  The PCK chain's trust (anchor, CRLs, TCB) is appraised by
 * host/quote-appraise.h.
 */
int tdx_quote_verify(const struct tdx_quote *q, struct tdx_quote_verdict *ret,
		     struct tdv_error *err);

/* A raw r||s ECDSA-P256/SHA-256 signature (as quotes and Intel's collateral carry them) by
 * key over msg.  false for a bad signature or a key that is not P-256. */
bool ecdsa_p256_verify(EVP_PKEY *key, const uint8_t rs[64], const uint8_t *msg, size_t msg_len);

/* Every PEM certificate in pem (a quote's PCK chain, a root CA file), in order: 0, -EBADMSG
 * when there is none, -ENOMEM.  The caller frees *ret with sk_X509_pop_free(, X509_free). */
int pem_certs_read(const uint8_t *pem, size_t len, STACK_OF(X509) **ret);
