/* SPDX-License-Identifier: Apache-2.0 */
#include "core/tdx-quote.h"
#include "core/digest.h"
#include "core/util.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* TD report body offsets (relative to the body). */
enum {
	TD_TEE_TCB_SVN = 0,
	TD_MRSEAM = 16,
	TD_MRSIGNERSEAM = 64,
	TD_SEAM_ATTRIBUTES = 112,
	TD_TD_ATTRIBUTES = 120,
	TD_XFAM = 128,
	TD_MRTD = 136,
	TD_MRCONFIGID = 184,
	TD_MROWNER = 232,
	TD_MROWNERCONFIG = 280,
	TD_RTMR0 = 328,
	TD_REPORTDATA = 520,
	TD_TEE_TCB_SVN2 = 584,
	TD_MRSERVICETD = 600,
};

static void td_report_fields(const uint8_t *b, bool tdx15, struct tdx_td_report *td)
{
	*td = (struct tdx_td_report){
		.tee_tcb_svn = b + TD_TEE_TCB_SVN,
		.mrseam = b + TD_MRSEAM,
		.mrsignerseam = b + TD_MRSIGNERSEAM,
		.seam_attributes = b + TD_SEAM_ATTRIBUTES,
		.td_attributes = b + TD_TD_ATTRIBUTES,
		.xfam = b + TD_XFAM,
		.mrtd = b + TD_MRTD,
		.mrconfigid = b + TD_MRCONFIGID,
		.mrowner = b + TD_MROWNER,
		.mrownerconfig = b + TD_MROWNERCONFIG,
		.reportdata = b + TD_REPORTDATA,
		.tee_tcb_svn2 = tdx15 ? b + TD_TEE_TCB_SVN2 : NULL,
		.mrservicetd = tdx15 ? b + TD_MRSERVICETD : NULL,
	};
	for (int i = 0; i < 4; i++)
		td->rtmr[i] = b + TD_RTMR0 + 48 * i;
}

static int parse_body(const uint8_t *buf, size_t len, struct tdx_quote *q, size_t *pos,
		      struct tdv_error *err)
{
	if (q->version == 4) {
		q->body_type = 2;
		q->body_size = TDX_BODY_10_SIZE;
		*pos = TDX_QUOTE_HEADER_SIZE;
	} else {
		if (len < TDX_QUOTE_HEADER_SIZE + 6)
			return tdv_error_set(err, -EBADMSG, "quote: truncated body descriptor");
		q->body_type = le16_get(buf + 48);
		q->body_size = le32_get(buf + 50);
		*pos = TDX_QUOTE_HEADER_SIZE + 6;
		uint32_t want = q->body_type == 2   ? TDX_BODY_10_SIZE
				: q->body_type == 3 ? TDX_BODY_15_SIZE
						    : 0;
		if (want == 0)
			return tdv_error_set(err, -EOPNOTSUPP,
					     "quote: v5 body type %u is not a TD report (2 or 3)",
					     q->body_type);
		if (q->body_size != want)
			return tdv_error_set(err, -EBADMSG,
					     "quote: v5 body type %u with size %u (expected %u)",
					     q->body_type, q->body_size, want);
	}
	if (len - *pos < q->body_size)
		return tdv_error_set(err, -EBADMSG, "quote: truncated TD report body (%zu bytes)",
				     len);
	td_report_fields(buf + *pos, q->body_type == 3, &q->td);
	*pos += q->body_size;
	q->signed_data = buf;
	q->signed_len = *pos;
	return 0;
}

/* Certification data type 6: QE report ‖ signature ‖ auth data ‖ nested cert data. */
static int parse_qe_cert_data(const uint8_t *p, size_t n, struct tdx_quote *q,
			      struct tdv_error *err)
{
	if (n < TDX_QE_REPORT_SIZE + 64 + 2)
		return tdv_error_set(err, -EBADMSG, "quote: QE report certification data too short");
	q->qe_report = p;
	q->qe_report_signature = p + TDX_QE_REPORT_SIZE;
	size_t pos = TDX_QE_REPORT_SIZE + 64;
	q->qe_auth_len = le16_get(p + pos);
	pos += 2;
	if (n - pos < q->qe_auth_len)
		return tdv_error_set(err, -EBADMSG, "quote: QE auth data size %u runs past the end",
				     q->qe_auth_len);
	q->qe_auth_data = p + pos;
	pos += q->qe_auth_len;
	if (n - pos < 6)
		return tdv_error_set(err, -EBADMSG, "quote: truncated PCK certification data");
	q->pck_cert_type = le16_get(p + pos);
	q->pck_chain_len = le32_get(p + pos + 2);
	pos += 6;
	if (q->pck_cert_type != TDX_CERT_TYPE_PCK_CHAIN)
		return tdv_error_set(err, -EOPNOTSUPP,
				     "quote: nested certification data type %u (only 5, the PEM "
				     "PCK chain, is supported)",
				     q->pck_cert_type);
	if (n - pos != q->pck_chain_len)
		return tdv_error_set(err, -EBADMSG,
				     "quote: PCK chain size %u does not fill its certification "
				     "data (%zu bytes)",
				     q->pck_chain_len, n - pos);
	q->pck_chain_pem = p + pos;
	return 0;
}

static int parse_signature_data(const uint8_t *buf, size_t len, size_t pos, struct tdx_quote *q,
				struct tdv_error *err)
{
	if (len - pos < 4)
		return tdv_error_set(err, -EBADMSG, "quote: truncated signature data length");
	uint32_t sig_len = le32_get(buf + pos);
	pos += 4;
	if (len - pos < sig_len)
		return tdv_error_set(err, -EBADMSG,
				     "quote: signature data length %u runs past the end (%zu bytes "
				     "left)",
				     sig_len, len - pos);
	const uint8_t *s = buf + pos;
	size_t end = pos + sig_len;
	for (size_t i = end; i < len; i++)
		if (buf[i] != 0)
			return tdv_error_set(err, -EBADMSG,
					     "quote: %zu unexpected bytes after the signature data",
					     len - end);
	if (sig_len < 128 + 6)
		return tdv_error_set(err, -EBADMSG, "quote: signature data too short (%u bytes)",
				     sig_len);
	q->signature = s;
	q->attestation_key = s + 64;
	q->cert_type = le16_get(s + 128);
	uint32_t cert_len = le32_get(s + 130);
	if (cert_len != sig_len - 134)
		return tdv_error_set(err, -EBADMSG,
				     "quote: certification data size %u does not fill the "
				     "signature data (%u bytes)",
				     cert_len, sig_len - 134);
	if (q->cert_type != TDX_CERT_TYPE_QE_REPORT)
		return tdv_error_set(err, -EOPNOTSUPP,
				     "quote: certification data type %u (only 6, QE report, is "
				     "supported)",
				     q->cert_type);
	q->quote_len = end;
	return parse_qe_cert_data(s + 134, cert_len, q, err);
}

int tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *ret,
		    struct tdv_error *err)
{
	struct tdx_quote q = { 0 };
	if (len < TDX_QUOTE_HEADER_SIZE)
		return tdv_error_set(err, -EBADMSG, "quote: %zu bytes, shorter than its header",
				     len);
	if (len > TDX_QUOTE_MAX_SIZE)
		return tdv_error_set(err, -EBADMSG, "quote: %zu bytes is not a plausible quote",
				     len);
	q.version = le16_get(buf);
	q.att_key_type = le16_get(buf + 2);
	q.tee_type = le32_get(buf + 4);
	q.qe_vendor_id = buf + 12;
	q.user_data = buf + 28;
	if (q.version != 4 && q.version != 5)
		return tdv_error_set(err, -EOPNOTSUPP,
				     "quote: version %u (only 4 and 5 are supported)", q.version);
	if (q.tee_type != TDX_TEE_TYPE)
		return tdv_error_set(err, -EOPNOTSUPP, "quote: TEE type 0x%x is not TDX (0x81)",
				     q.tee_type);
	if (q.att_key_type != TDX_ATT_KEY_ECDSA_P256)
		return tdv_error_set(err, -EOPNOTSUPP,
				     "quote: attestation key type %u (only 2, ECDSA-P256, is "
				     "supported)",
				     q.att_key_type);
	size_t pos = 0;
	int r = parse_body(buf, len, &q, &pos, err);
	if (r < 0)
		return r;
	r = parse_signature_data(buf, len, pos, &q, err);
	if (r < 0)
		return r;
	*ret = q;
	return 0;
}

/* ---- verification (libcrypto) ---- */

static void pkey_freep(EVP_PKEY **p) { EVP_PKEY_free(*p); }
static void x509_stack_freep(STACK_OF(X509) **p) { sk_X509_pop_free(*p, X509_free); }
static void bio_freep(BIO **p) { BIO_free(*p); }

/* An uncompressed P-256 public key from raw x‖y. */
static int p256_key(const uint8_t xy[64], EVP_PKEY **ret)
{
	uint8_t point[65];
	point[0] = 0x04;
	memcpy(point + 1, xy, 64);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1",
						 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;
	int ok = ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
		 EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		EVP_PKEY_free(pkey);
		return -EBADMSG; /* not a point on the curve */
	}
	*ret = pkey;
	return 0;
}

/* Raw r‖s is re-encoded as DER first: that is what libcrypto verifies. */
bool ecdsa_p256_verify(EVP_PKEY *key, const uint8_t rs[64], const uint8_t *msg, size_t msg_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, 32, NULL), *s = BN_bin2bn(rs + 32, 32, NULL);
	if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return false;
	}
	uint8_t *der = NULL;
	int der_len = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	if (der_len <= 0)
		return false;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
		  EVP_DigestVerify(ctx, der, (size_t)der_len, msg, msg_len) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ERR_clear_error();
	return ok;
}

int pem_certs_read(const uint8_t *pem, size_t len, STACK_OF(X509) **ret)
{
	if (len > INT32_MAX)
		return -EBADMSG;
	_cleanup_(bio_freep) BIO *bio = BIO_new_mem_buf(pem, (int)len);
	STACK_OF(X509) *chain = sk_X509_new_null();
	if (!bio || !chain) {
		sk_X509_free(chain);
		return -ENOMEM;
	}
	X509 *x;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			sk_X509_pop_free(chain, X509_free);
			return -ENOMEM;
		}
	ERR_clear_error(); /* the loop ends with a "no start line" error */
	if (sk_X509_num(chain) == 0) {
		sk_X509_free(chain);
		return -EBADMSG;
	}
	*ret = chain;
	return 0;
}

static void qe_binding(const struct tdx_quote *q, struct tdx_quote_verdict *v)
{
	uint8_t want[SHA256_SIZE], zero[32] = { 0 };
	const uint8_t *rd = q->qe_report + TDX_QE_REPORT_REPORTDATA_OFF;
	if (digest_two(HASH_SHA256, q->attestation_key, 64, q->qe_auth_data, q->qe_auth_len,
		       want) < 0)
		return;
	v->qe_binding_ok = digest_equal(rd, want, sizeof(want)) && digest_equal(rd + 32, zero, 32);
}

int tdx_quote_verify(const struct tdx_quote *q, struct tdx_quote_verdict *ret,
		     struct tdv_error *err)
{
	struct tdx_quote_verdict v = { 0 };
	_cleanup_(pkey_freep) EVP_PKEY *ak = NULL;
	if (p256_key(q->attestation_key, &ak) == 0)
		v.ak_signature_ok = ecdsa_p256_verify(ak, q->signature, q->signed_data,
						      q->signed_len);
	qe_binding(q, &v);

	_cleanup_(x509_stack_freep) STACK_OF(X509) *chain = NULL;
	int r = pem_certs_read(q->pck_chain_pem, q->pck_chain_len, &chain);
	if (r < 0)
		return tdv_error_set(err, r, "quote: the PCK certificate chain holds no readable "
					     "PEM certificate");
	v.n_certs = (size_t)sk_X509_num(chain);
	for (size_t i = 0; i < v.n_certs && i < ELEMENTSOF(v.subjects); i++)
		X509_NAME_oneline(X509_get_subject_name(sk_X509_value(chain, (int)i)),
				  v.subjects[i], sizeof(v.subjects[i]));

	_cleanup_(pkey_freep) EVP_PKEY *pck = X509_get_pubkey(sk_X509_value(chain, 0));
	if (pck && EVP_PKEY_is_a(pck, "EC"))
		v.pck_signature_ok = ecdsa_p256_verify(pck, q->qe_report_signature, q->qe_report,
						       TDX_QE_REPORT_SIZE);
	ERR_clear_error();
	*ret = v;
	return 0;
}
