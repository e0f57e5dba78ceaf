/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/eventlog.h"
#include "core/measure.h"
#include "core/tdx-quote.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

const char *unit_testdata_dir(void)
{
	static char path[4096];
	const char *env = getenv("TDV_TESTDATA");
	snprintf(path, sizeof(path), "%s/tdx", env ? env : "../shared/testdata");
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		printf("skip: %s absent (shared TDX test data)\n", path);
		return NULL;
	}
	return path;
}

uint8_t *unit_unhex(const char *hex, size_t *ret_len)
{
	size_t max = strlen(hex) / 2 + 1, n;
	uint8_t *buf = malloc(max);
	if (!buf || hex_decode(hex, buf, max, &n) < 0)
		abort();
	*ret_len = n;
	return buf;
}

void unit_assert_hex(const uint8_t *buf, size_t len, const char *hex)
{
	char *got = hex_encode_alloc(buf, len);
	assert_non_null(got);
	assert_string_equal(got, hex);
	free(got);
}

/* ---- synthetic, correctly signed TDX quotes ---- */

static void sign_raw(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t rs[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[128];
	size_t der_len = sizeof(der);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(ctx, der, &der_len, msg, len), 1);
	EVP_MD_CTX_free(ctx);
	const uint8_t *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	assert_non_null(sig);
	assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32), 32);
	assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32), 32);
	ECDSA_SIG_free(sig);
}

static void raw_pubkey(EVP_PKEY *key, uint8_t xy[64])
{
	uint8_t point[65];
	size_t len = 0;
	assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point,
							 sizeof(point), &len),
			 1);
	assert_int_equal(len, 65);
	memcpy(xy, point + 1, 64);
}

/* A self-signed certificate for key, as PEM text; caller frees. */
char *unit_self_signed_pem(EVP_PKEY *key, const char *cn, size_t *ret_len)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	BIO *bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	char *data;
	long len = BIO_get_mem_data(bio, &data);
	char *copy = malloc((size_t)len + 1);
	memcpy(copy, data, (size_t)len);
	copy[len] = '\0';
	*ret_len = (size_t)len;
	BIO_free(bio);
	X509_free(x);
	return copy;
}

struct unit_quote unit_quote_make(int version, int body_type, const uint8_t *rtmrs)
{
	return unit_quote_make_attributes(version, body_type, rtmrs, NULL);
}

struct unit_quote unit_quote_make_attributes(int version, int body_type, const uint8_t *rtmrs,
					     const uint8_t *td_attributes)
{
	return unit_quote_make_qe(version, body_type, rtmrs, td_attributes, true);
}

/* Intel's TD QE identity (public): what a forger who read the PCS documents puts there. */
static void intel_td_qe_report(uint8_t *qe)
{
	static const char mrsigner[] =
		"dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5";
	size_t n;
	uint8_t *m = unit_unhex(mrsigner, &n);
	memcpy(qe + TDX_QE_REPORT_MRSIGNER_OFF, m, n);
	free(m);
	qe[48] = 0x15; /* ATTRIBUTES as real QEs report them (INIT, MODE64BIT, PROVISIONKEY) */
	le16_put(qe + TDX_QE_REPORT_ISVPRODID_OFF, 2);
	le16_put(qe + TDX_QE_REPORT_ISVSVN_OFF, 7);
}

static struct unit_quote quote_make(int version, int body_type, const uint8_t *rtmrs,
				    const uint8_t *td_attributes, bool intel_qe,
				    const uint8_t *mrconfigid);

struct unit_quote unit_quote_make_qe(int version, int body_type, const uint8_t *rtmrs,
				     const uint8_t *td_attributes, bool intel_qe)
{
	return quote_make(version, body_type, rtmrs, td_attributes, intel_qe, NULL);
}

struct unit_quote unit_quote_make_fields(int version, int body_type, const uint8_t *rtmrs,
					 const uint8_t *td_attributes, const uint8_t *mrconfigid)
{
	return quote_make(version, body_type, rtmrs, td_attributes, true, mrconfigid);
}

static struct unit_quote quote_make(int version, int body_type, const uint8_t *rtmrs,
				    const uint8_t *td_attributes, bool intel_qe,
				    const uint8_t *mrconfigid)
{
	EVP_PKEY *ak = EVP_EC_gen("P-256"), *pck = EVP_EC_gen("P-256");
	assert_non_null(ak);
	assert_non_null(pck);
	struct unit_quote s = { 0 };
	s.pck_pem = unit_self_signed_pem(pck, "test PCK", &s.pck_pem_len);

	size_t body = body_type == 3 ? TDX_BODY_15_SIZE : TDX_BODY_10_SIZE;
	size_t body_at = version == 5 ? 54 : 48, sig_at = body_at + body;
	const size_t auth_len = 32;
	size_t cert6 = TDX_QE_REPORT_SIZE + 64 + 2 + auth_len + 6 + s.pck_pem_len;
	size_t sig_len = 64 + 64 + 6 + cert6;
	s.len = sig_at + 4 + sig_len;
	s.q = calloc(1, s.len);
	uint8_t *q = s.q;
	le16_put(q, (uint16_t)version);
	le16_put(q + 2, 2);
	le32_put(q + 4, TDX_TEE_TYPE);
	if (version == 5) {
		le16_put(q + 48, (uint16_t)body_type);
		le32_put(q + 50, (uint32_t)body);
	}
	for (size_t i = 0; i < body; i++)
		q[body_at + i] = (uint8_t)(i * 7);
	if (rtmrs)
		memcpy(q + body_at + 328, rtmrs, 4 * 48);
	if (td_attributes)
		memcpy(q + body_at + 120, td_attributes, 8);
	if (mrconfigid)
		memcpy(q + body_at + 184, mrconfigid, 48);
	le32_put(q + sig_at, (uint32_t)sig_len);
	uint8_t *sd = q + sig_at + 4;
	raw_pubkey(ak, sd + 64);
	le16_put(sd + 128, TDX_CERT_TYPE_QE_REPORT);
	le32_put(sd + 130, (uint32_t)cert6);
	uint8_t *qe = sd + 134, *auth = qe + TDX_QE_REPORT_SIZE + 64 + 2;
	if (intel_qe)
		intel_td_qe_report(qe);
	le16_put(qe + TDX_QE_REPORT_SIZE + 64, (uint16_t)auth_len);
	for (size_t i = 0; i < auth_len; i++)
		auth[i] = (uint8_t)i;
	assert_int_equal(digest_two(HASH_SHA256, sd + 64, 64, auth, auth_len,
				    qe + TDX_QE_REPORT_REPORTDATA_OFF),
			 0);
	le16_put(auth + auth_len, TDX_CERT_TYPE_PCK_CHAIN);
	le32_put(auth + auth_len + 2, (uint32_t)s.pck_pem_len);
	memcpy(auth + auth_len + 6, s.pck_pem, s.pck_pem_len);
	sign_raw(pck, qe, TDX_QE_REPORT_SIZE, qe + TDX_QE_REPORT_SIZE);
	sign_raw(ak, q, sig_at, sd);
	EVP_PKEY_free(ak);
	EVP_PKEY_free(pck);
	return s;
}

void unit_quote_free(struct unit_quote *s)
{
	free(s->q);
	free(s->pck_pem);
}

int unit_scratch_dir_make(char *buf, size_t size, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(buf, size, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return mkdtemp(buf) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

int unit_scratch_dir_remove(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void unit_sign_raw(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t rs[64])
{
	sign_raw(key, msg, len, rs);
}

void unit_log_add(struct unit_log *b, const void *data, size_t n)
{
	b->p = realloc(b->p, b->len + n);
	assert_non_null(b->p);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

void unit_log_start(struct unit_log *b)
{
	uint8_t rec[32 + 33] = { 0 };
	le32_put(rec + 4, EV_NO_ACTION);
	le32_put(rec + 28, 33);
	memcpy(rec + 32, "Spec ID Event03", 16);
	memcpy(rec + 32 + 20, "\x00\x02\x00\x02", 4);
	le32_put(rec + 32 + 24, 1);
	le16_put(rec + 32 + 28, TCG_ALG_SHA384);
	le16_put(rec + 32 + 30, 48);
	unit_log_add(b, rec, sizeof(rec));
}

void unit_log_record(struct unit_log *b, uint32_t mr, uint32_t type, const void *data, size_t len,
		     const void *hashed, size_t hashed_len)
{
	struct tcg2_digest d = { .alg = HASH_SHA384 };
	assert_int_equal(digest_buf(HASH_SHA384, hashed, hashed_len, d.value), 0);
	uint8_t *rec;
	size_t rec_len;
	assert_int_equal(tcg2_record_encode(mr, type, &d, 1, data, len, &rec, &rec_len), 0);
	unit_log_add(b, rec, rec_len);
	free(rec);
}

static const char *const unit_default_argv[] = { "/sbin/init", NULL };
const struct rootfs_event_run unit_run_default = {
	.init = "/sbin/init",
	.argv = unit_default_argv,
	.measure = "auto",
	.on_corruption = "panic",
};
