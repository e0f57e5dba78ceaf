/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Quote appraisal (host/quote-appraise.h): the trust anchor, forged quotes, the QE
 * identity, Intel's real collateral at times inside and outside its validity window, TCB
 * status rules, and malformed collateral (exit 3 from `quote`, never a crash).
 */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/util.h"
#include "host/collateral.h"
#include "host/intel-root-ca.h"
#include "host/quote-appraise.h"
#include "verifier/verbs.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static char dir[256];

static int setup(void **state)
{
	return unit_scratch_dir_make(dir, sizeof(dir), "tdv-unit-appraise");
}

static int teardown(void **state)
{
	return unit_scratch_dir_remove(dir);
}

static void put(const char *sub, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX + 128];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static __attribute__((noinline)) char *slurp(const char *path, size_t *ret_len)
{
	uint8_t *buf = NULL;
	assert_int_equal(read_full_file(path, 1 << 20, &buf, ret_len), 0);
	return (char *)buf;
}

static time_t utc(const char *s)
{
	time_t t;
	assert_int_equal(collateral_parse_time(s, &t), 0);
	return t;
}

static struct quote_appraisal appraise(const uint8_t *q, size_t len, const char *root_pem,
				       const struct collateral *c, bool skip_tcb, time_t at,
				       unsigned accept)
{
	struct tdx_quote quote;
	struct quote_appraisal a;
	struct tdv_error err = { { 0 } };
	assert_int_equal(tdx_quote_parse(q, len, &quote, &err), 0);
	struct appraise_options o = {
		.root_ca_pem = (const uint8_t *)root_pem,
		.root_ca_len = root_pem ? strlen(root_pem) : 0,
		.collateral = c,
		.skip_tcb = skip_tcb,
		.at = at,
		.accept_tcb = accept,
	};
	assert_int_equal(quote_appraise(&quote, &o, &a, &err), 0);
	return a;
}

#define assert_state(a, check, s)                                                              \
	do {                                                                                   \
		if ((a).checks[check].state != (s))                                            \
			fail_msg("%s: %s, expected %s: %s", appraise_check_name(check),        \
				 appraise_state_name((a).checks[check].state),                 \
				 appraise_state_name(s), (a).checks[check].reason);            \
	} while (0)

static void spki_hex(X509 *x, char out[65])
{
	uint8_t *der = NULL, md[32];
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	assert_true(n > 0);
	assert_int_equal(digest_buf(HASH_SHA256, der, (size_t)n, md), 0);
	hex_encode(md, 32, out);
	OPENSSL_free(der);
}

static X509 *pem_cert(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(x);
	return x;
}

/* The built-in anchor is the production root: its key hash, and the root the real chains end
 * in (the honest check of our embedded copy). */
static void test_builtin_anchor(void **state)
{
	X509 *ours = pem_cert(intel_sgx_root_ca_pem, strlen(intel_sgx_root_ca_pem));
	char hex[65];
	spki_hex(ours, hex);
	assert_string_equal(hex, INTEL_SGX_ROOT_CA_SPKI_SHA256);
	const char *td = unit_testdata_dir();
	if (td) {
		char path[PATH_MAX + 128];
		size_t len;
		snprintf(path, sizeof(path), "%s/intel-collateral/intel-sgx-root-ca.pem", td);
		char *pem = slurp(path, &len);
		X509 *theirs = pem_cert(pem, len);
		assert_int_equal(X509_cmp(ours, theirs), 0);
		X509_free(theirs);
		free(pem);
		/* The root a real quote's PCK chain carries (third PEM certificate). */
		snprintf(path, sizeof(path),
			 "%s/intel-collateral/tinfoil/quotes/tinfoil-quote-1.dat", td);
		char *q = slurp(path, &len);
		const char *p = q;
		for (int i = 0; i < 3; i++) {
			p = memmem(p + 1, len - (size_t)(p + 1 - q), "-----BEGIN CERTIFICATE", 22);
			assert_non_null(p);
		}
		theirs = pem_cert(p, len - (size_t)(p - q));
		assert_int_equal(X509_cmp(ours, theirs), 0);
		X509_free(theirs);
		free(q);
	}
	X509_free(ours);
}

static int run_quote(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[8] = { "quote" };
	int argc = 1;
	const char *extra[] = { a1, a2, a3, a4 };
	for (int i = 0; i < 4; i++)
		if (extra[i])
			argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;
	fflush(stdout);
	return verb_quote(argc, argv);
}

/*
 * A quote anyone can make: fresh keys, a self-signed "PCK", a QE report that is not Intel's
 * QE.  Without --root-ca the chain fails; with the forger's CA as --root-ca the signatures
 * pass and the QE identity fails.
 */
static void test_forged_quote(void **state)
{
	struct unit_quote f = unit_quote_make_qe(4, 2, NULL, NULL, false);
	time_t now = time(NULL);
	struct quote_appraisal a = appraise(f.q, f.len, NULL, NULL, true, now, 0);
	assert_state(a, APPRAISE_AK_SIGNATURE, APPRAISE_PASSED);
	assert_state(a, APPRAISE_PCK_CHAIN, APPRAISE_FAILED);
	assert_false(quote_appraisal_ok(&a));

	a = appraise(f.q, f.len, f.pck_pem, NULL, true, now, 0);
	assert_state(a, APPRAISE_AK_SIGNATURE, APPRAISE_PASSED);
	assert_state(a, APPRAISE_QE_BINDING, APPRAISE_PASSED);
	assert_state(a, APPRAISE_PCK_SIGNATURE, APPRAISE_PASSED);
	assert_state(a, APPRAISE_PCK_CHAIN, APPRAISE_PASSED);
	assert_state(a, APPRAISE_QE_IDENTITY, APPRAISE_FAILED);
	assert_state(a, APPRAISE_TCB, APPRAISE_SKIPPED);
	assert_false(quote_appraisal_ok(&a));
	assert_false(a.anchor_is_intel);

	put("forged", "quote", f.q, f.len);
	put("forged", "ca.pem", f.pck_pem, f.pck_pem_len);
	char qpath[PATH_MAX + 128], ca[PATH_MAX + 128];
	snprintf(qpath, sizeof(qpath), "%s/forged/quote", dir);
	snprintf(ca, sizeof(ca), "--root-ca=%s/forged/ca.pem", dir);
	assert_int_equal(run_quote(qpath, NULL, NULL, NULL), VERIFY_MISMATCH);
	assert_int_equal(run_quote(qpath, "--no-tcb-check", NULL, NULL), VERIFY_MISMATCH);
	assert_int_equal(run_quote(qpath, ca, "--no-tcb-check", NULL), VERIFY_MISMATCH);
	assert_int_equal(run_quote(qpath, ca, "--no-tcb-check", "--json"), VERIFY_MISMATCH);
	unit_quote_free(&f);

	/* A forger who copies Intel's public QE values passes everything but the anchor. */
	f = unit_quote_make_qe(5, 3, NULL, NULL, true);
	a = appraise(f.q, f.len, NULL, NULL, true, now, 0);
	assert_state(a, APPRAISE_QE_IDENTITY, APPRAISE_PASSED);
	assert_state(a, APPRAISE_PCK_CHAIN, APPRAISE_FAILED);
	assert_false(quote_appraisal_ok(&a));
	/* Nothing unchecked passes: no collateral and no --no-tcb-check is a failure. */
	a = appraise(f.q, f.len, f.pck_pem, NULL, false, now, 0);
	assert_state(a, APPRAISE_TCB, APPRAISE_NOT_EVALUATED);
	assert_state(a, APPRAISE_COLLATERAL, APPRAISE_NOT_EVALUATED);
	assert_false(quote_appraisal_ok(&a));
	a = appraise(f.q, f.len, f.pck_pem, NULL, true, now, 0);
	assert_true(quote_appraisal_ok(&a));
	unit_quote_free(&f);
}

/* ---- real quotes, real collateral (shared/testdata/tdx/intel-collateral) ---- */

/* The real collateral folder, absolute (symlinks to it work from anywhere), or NULL. */
static const char *collateral_dir(void)
{
	static char path[PATH_MAX];
	const char *td = unit_testdata_dir();
	char rel[PATH_MAX];
	if (!td)
		return NULL;
	snprintf(rel, sizeof(rel), "%s/intel-collateral/tinfoil", td);
	return realpath(rel, path);
}

static uint8_t *real_quote(int i, size_t *len)
{
	const char *cd = collateral_dir();
	char path[PATH_MAX + 128];
	snprintf(path, sizeof(path), "%s/quotes/tinfoil-quote-%d.dat", cd, i);
	return (uint8_t *)slurp(path, len);
}

static struct collateral *load(const char *d)
{
	struct collateral *c = NULL;
	struct tdv_error err = { { 0 } };
	if (collateral_load_dir(d, &c, &err) < 0)
		fail_msg("%s", err.msg);
	return c;
}

/* A collateral folder of our own: links to the real files, under other names. */
static void link_real(const char *sub, const char *file, const char *as)
{
	const char *cd = collateral_dir();
	char from[PATH_MAX + 128], to[PATH_MAX + 128];
	snprintf(to, sizeof(to), "%s/%s", dir, sub);
	mkdir(to, 0755);
	snprintf(from, sizeof(from), "%s/%s", cd, file);
	snprintf(to, sizeof(to), "%s/%s/%s", dir, sub, as);
	assert_int_equal(symlink(from, to), 0);
}

static void link_base(const char *sub)
{
	static const char *const files[] = {
		"pck_crl_platform.crl", "pck_crl_platform_chain.txt", "pck_crl_processor.crl",
		"pck_crl_processor_chain.txt", "qe_identity.json", "qe_identity_chain.txt",
		"root_ca.crl",
	};
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		char as[32];
		snprintf(as, sizeof(as), "f%zu", i); /* names say nothing: content decides */
		link_real(sub, files[i], as);
	}
}

static void test_real_collateral(void **state)
{
	const char *cd = collateral_dir();
	if (!cd)
		skip();
	struct collateral *c = load(cd);
	assert_int_equal(c->n_tcb_infos, 2);
	assert_int_equal(c->n_crls, 3);
	time_t inside = utc("2026-01-20T00:00:00Z");
	for (int i = 1; i <= 4; i++) {
		size_t len;
		uint8_t *q = real_quote(i, &len);
		struct quote_appraisal a = appraise(q, len, NULL, c, false, inside, 0);
		for (int k = 0; k < _APPRAISE_CHECK_MAX; k++)
			assert_state(a, k, APPRAISE_PASSED);
		assert_true(quote_appraisal_ok(&a));
		assert_true(a.anchor_is_intel);
		/* PROVENANCE.md §5: UpToDate everywhere, tcbEvaluationDataNumber 18. */
		assert_int_equal(a.tcb_status, TCB_UP_TO_DATE);
		assert_int_equal(a.platform_status, TCB_UP_TO_DATE);
		assert_int_equal(a.module_status, TCB_UP_TO_DATE);
		assert_int_equal(a.qe_status, TCB_UP_TO_DATE);
		assert_string_equal(a.fmspc, "90c06f000000");
		assert_int_equal(a.tcb_eval_num, 18);
		assert_string_equal(a.advisories, "");

		/* Past nextUpdate, and before issue: the collateral fails, clearly. */
		a = appraise(q, len, NULL, c, false, utc("2026-02-20T00:00:00Z"), 0);
		assert_state(a, APPRAISE_COLLATERAL, APPRAISE_FAILED);
		assert_non_null(strstr(a.checks[APPRAISE_COLLATERAL].reason, "not current"));
		assert_false(quote_appraisal_ok(&a));
		a = appraise(q, len, NULL, c, false, utc("2026-01-05T00:00:00Z"), 0);
		assert_state(a, APPRAISE_COLLATERAL, APPRAISE_FAILED);
		assert_false(quote_appraisal_ok(&a));
		/* Another anchor than the one everything chains to. */
		struct unit_quote other = unit_quote_make(4, 2, NULL);
		a = appraise(q, len, other.pck_pem, c, false, inside, 0);
		assert_state(a, APPRAISE_PCK_CHAIN, APPRAISE_FAILED);
		assert_state(a, APPRAISE_COLLATERAL, APPRAISE_FAILED);
		unit_quote_free(&other);
		free(q);
	}
	collateral_free(c);
}

/* go-tdx-guest's v5 TCB info for the same FMSPC, verified by the same signing chain. */
static void test_gtg_tcb_info(void **state)
{
	const char *cd = collateral_dir();
	char sub[PATH_MAX + 128];
	if (!cd)
		skip();
	link_base("gtg");
	link_real("gtg", "tcb_info_90c06f000000_chain.txt", "chain");
	link_real("gtg", "../go-tdx-guest/sample_tcbinfo_response_v5", "tcb");
	snprintf(sub, sizeof(sub), "%s/gtg", dir);
	struct collateral *c = load(sub);
	size_t len;
	uint8_t *q = real_quote(4, &len);
	struct quote_appraisal a = appraise(q, len, NULL, c, false, utc("2026-02-05T00:00:00Z"), 0);
	assert_true(quote_appraisal_ok(&a));
	assert_int_equal(a.tcb_status, TCB_UP_TO_DATE);
	/* 2026-01-20 is before this TCB info's issueDate. */
	a = appraise(q, len, NULL, c, false, utc("2026-01-20T00:00:00Z"), 0);
	assert_state(a, APPRAISE_COLLATERAL, APPRAISE_FAILED);
	free(q);
	collateral_free(c);
}

/* The quote's FMSPC has no TCB info in the folder: the TCB fails and says why. */
static void test_fmspc_missing(void **state)
{
	const char *cd = collateral_dir();
	char sub[PATH_MAX + 128];
	if (!cd)
		skip();
	link_base("other-fmspc");
	link_real("other-fmspc", "tcb_info_00a06d080000.json", "tcb");
	link_real("other-fmspc", "tcb_info_00a06d080000_chain.txt", "chain");
	snprintf(sub, sizeof(sub), "%s/other-fmspc", dir);
	struct collateral *c = load(sub);
	size_t len;
	uint8_t *q = real_quote(1, &len);
	struct quote_appraisal a = appraise(q, len, NULL, c, false, utc("2026-01-20T00:00:00Z"), 0);
	assert_state(a, APPRAISE_COLLATERAL, APPRAISE_PASSED);
	assert_state(a, APPRAISE_TCB, APPRAISE_FAILED);
	assert_non_null(strstr(a.checks[APPRAISE_TCB].reason, "no TCB info for the PCK's FMSPC "
							       "90c06f000000"));
	assert_false(quote_appraisal_ok(&a));
	free(q);
	collateral_free(c);

	/* Without the CRLs the PCK chain's revocation cannot be checked: not genuine. */
	char qpath[PATH_MAX + 128], at[] = "--at=2026-01-20T00:00:00Z", copt[PATH_MAX + 128];
	snprintf(qpath, sizeof(qpath), "%s/quotes/tinfoil-quote-1.dat", cd);
	link_real("no-crl", "qe_identity.json", "a");
	link_real("no-crl", "qe_identity_chain.txt", "b");
	link_real("no-crl", "tcb_info_90c06f000000.json", "c");
	snprintf(copt, sizeof(copt), "--collateral=%s/no-crl", dir);
	assert_int_equal(run_quote(qpath, copt, at, NULL), VERIFY_MISMATCH);
	snprintf(copt, sizeof(copt), "--collateral=%s", cd);
	assert_int_equal(run_quote(qpath, copt, at, NULL), VERIFY_OK);
	assert_int_equal(run_quote(qpath, copt, "--at=2026-02-12T00:00:00Z", NULL),
			 VERIFY_MISMATCH);
	/* Revoked is never accepted; the options contradict or are wrong: usage. */
	assert_int_equal(run_quote(qpath, copt, at, "--accept-tcb=UpToDate,Revoked"), VERIFY_USAGE);
	assert_int_equal(run_quote(qpath, copt, at, "--accept-tcb=Fine"), VERIFY_USAGE);
	assert_int_equal(run_quote(qpath, copt, "--no-tcb-check", NULL), VERIFY_USAGE);
	assert_int_equal(run_quote(qpath, copt, "--at=yesterday", NULL), VERIFY_USAGE);
}

/* TCB rules on edited copies of the real TCB info: the signature then fails, but the TCB
 * evaluation is made all the same and must say what Intel's rules say. */
/* json with the first occurrence of from replaced by to (fresh buffer, *len updated). */
static char *replace_once(char *json, size_t *len, const char *from, const char *to)
{
	const char *hit = strstr(json, from);
	if (!hit)
		fail_msg("not in the TCB info: %s", from);
	size_t off = (size_t)(hit - json), fl = strlen(from), tl = strlen(to);
	char *out = malloc(*len - fl + tl + 1);
	memcpy(out, json, off);
	memcpy(out + off, to, tl);
	memcpy(out + off + tl, json + off + fl, *len - off - fl + 1);
	*len = *len - fl + tl;
	free(json);
	return out;
}

/* The real TCB info with edits (pairs from, to; NULL-terminated), appraised for quote 1. */
static struct quote_appraisal edited_n(unsigned accept, const char *const *edits)
{
	const char *cd = collateral_dir();
	char path[PATH_MAX + 128], sub[64];
	static int n;
	snprintf(path, sizeof(path), "%s/tcb_info_90c06f000000.json", cd);
	size_t len;
	char *json = slurp(path, &len);
	for (size_t i = 0; edits[i]; i += 2)
		json = replace_once(json, &len, edits[i], edits[i + 1]);
	snprintf(sub, sizeof(sub), "edit%d", n++);
	link_base(sub);
	link_real(sub, "tcb_info_90c06f000000_chain.txt", "chain");
	put(sub, "tcb", json, len);
	free(json);
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	struct collateral *c = load(path);
	size_t qlen;
	uint8_t *q = real_quote(1, &qlen);
	struct quote_appraisal a = appraise(q, qlen, NULL, c, false, utc("2026-01-20T00:00:00Z"),
					    accept);
	assert_state(a, APPRAISE_COLLATERAL, APPRAISE_FAILED);
	assert_non_null(strstr(a.checks[APPRAISE_COLLATERAL].reason, "signature"));
	free(q);
	collateral_free(c);
	return a;
}

static struct quote_appraisal edited(const char *from, const char *to, unsigned accept)
{
	const char *const edits[] = { from, to, NULL };
	return edited_n(accept, edits);
}

/* The TDX_01 module identity's UpToDate level. */
#define MODULE_L0 "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":6}"

static void test_tcb_rules(void **state)
{
	const char *cd = collateral_dir();
	if (!cd)
		skip();
	/* Unchanged semantics, one byte of whitespace more: only the signature breaks. */
	struct quote_appraisal a = edited("\"tcbType\":0", "\"tcbType\": 0", 0);
	assert_state(a, APPRAISE_TCB, APPRAISE_PASSED);
	/* Level 0 needs SGX component 1 ≥ 9: the platform falls to level 1, OutOfDate. */
	a = edited("\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":[{\"svn\":3,",
		   "\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":[{\"svn\":9,", 0);
	assert_int_equal(a.platform_status, TCB_OUT_OF_DATE);
	assert_int_equal(a.tcb_status, TCB_OUT_OF_DATE);
	assert_state(a, APPRAISE_TCB, APPRAISE_FAILED);
	assert_non_null(strstr(a.advisories, "INTEL-SA-01036"));
	a = edited("\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":[{\"svn\":3,",
		   "\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":[{\"svn\":9,",
		   TCB_ACCEPT(TCB_UP_TO_DATE) | TCB_ACCEPT(TCB_OUT_OF_DATE));
	assert_state(a, APPRAISE_TCB, APPRAISE_PASSED);
	/* TDX module TDX_01 needs SVN 9 for UpToDate: the module (SVN 7) is OutOfDate, and so
	 * is the platform as a whole. */
	a = edited("\"tcbLevels\":[{\"tcb\":{\"isvsvn\":6}", "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":9}",
		   0);
	assert_int_equal(a.platform_status, TCB_UP_TO_DATE);
	assert_int_equal(a.module_status, TCB_OUT_OF_DATE);
	assert_int_equal(a.tcb_status, TCB_OUT_OF_DATE);
	/* Revoked never passes, whatever is accepted. */
	a = edited("{\"tcb\":{\"isvsvn\":6},\"tcbDate\":\"2024-11-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}",
		   "{\"tcb\":{\"isvsvn\":6},\"tcbDate\":\"2024-11-13T00:00:00Z\",\"tcbStatus\":\"Revoked\"}",
		   0xffffffffU);
	assert_int_equal(a.module_status, TCB_REVOKED);
	assert_int_equal(a.tcb_status, TCB_REVOKED);
	assert_state(a, APPRAISE_TCB, APPRAISE_FAILED);
	/* SWHardeningNeeded passes only when accepted; with an OutOfDate TDX module a
	 * ConfigurationNeeded platform is OutOfDateConfigurationNeeded. */
	a = edited("\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"sgxtcbcomponents\"",
		   "\"tcbStatus\":\"SWHardeningNeeded\",\"advisoryIDs\":[\"INTEL-SA-00615\"]},"
		   "{\"tcb\":{\"sgxtcbcomponents\"",
		   0);
	assert_int_equal(a.tcb_status, TCB_SW_HARDENING_NEEDED);
	assert_state(a, APPRAISE_TCB, APPRAISE_FAILED);
	assert_string_equal(a.advisories, "INTEL-SA-00615");
	a = edited("\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"sgxtcbcomponents\"",
		   "\"tcbStatus\":\"SWHardeningNeeded\"},{\"tcb\":{\"sgxtcbcomponents\"",
		   TCB_ACCEPT(TCB_UP_TO_DATE) | TCB_ACCEPT(TCB_SW_HARDENING_NEEDED));
	assert_state(a, APPRAISE_TCB, APPRAISE_PASSED);
	const char *const config_and_module[] = {
		"\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"sgxtcbcomponents\"",
		"\"tcbStatus\":\"ConfigurationNeeded\"},{\"tcb\":{\"sgxtcbcomponents\"",
		MODULE_L0, "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":9}",
		NULL,
	};
	a = edited_n(0, config_and_module);
	assert_int_equal(a.platform_status, TCB_CONFIGURATION_NEEDED);
	assert_int_equal(a.module_status, TCB_OUT_OF_DATE);
	assert_int_equal(a.tcb_status, TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
	/* A TCB info for another PCE-ID does not describe this platform. */
	a = edited("\"pceId\":\"0000\"", "\"pceId\":\"0001\"", 0);
	assert_state(a, APPRAISE_TCB, APPRAISE_FAILED);
}

/* Malformed collateral: exit 3 with one clear line, never a crash or a pass. */
static void test_malformed_collateral(void **state)
{
	struct unit_quote f = unit_quote_make(4, 2, NULL);
	put("mq", "quote", f.q, f.len);
	char qpath[PATH_MAX + 128];
	snprintf(qpath, sizeof(qpath), "%s/mq/quote", dir);
	static const struct {
		const char *name, *data;
	} bad[] = {
		{ "empty", "" },
		{ "text", "hello, collateral\n" },
		{ "json-trunc", "{\"tcbInfo\":{\"id\":\"TDX\",\"version\":3" },
		{ "json-nosig", "{\"tcbInfo\":{\"id\":\"TDX\"}}" },
		{ "json-extra", "{\"tcbInfo\":{},\"signature\":\"00\",\"x\":1}" },
		{ "json-badsig", "{\"enclaveIdentity\":{},\"signature\":\"zz\"}" },
		{ "json-fields", "{\"enclaveIdentity\":{\"id\":\"TD_QE\",\"version\":2},\"signature\":"
				 "\"" "00000000000000000000000000000000000000000000000000000000000000"
				 "0000000000000000000000000000000000000000000000000000000000000000"
				 "00\"}" },
		{ "json-sgx", "{\"tcbInfo\":{\"id\":\"SGX\",\"version\":3},\"signature\":\"\"}" },
		{ "pem-trunc", "-----BEGIN CERTIFICATE-----\nMIIC\n" },
		{ "url-bad", "-----BEGIN%20CERTIFICATE-----%0" },
		{ "der-junk", "\x30\x82\x01\x00\x01\x02" },
		{ "hex-junk", "3082 01" },
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char sub[64], copt[PATH_MAX + 128];
		snprintf(sub, sizeof(sub), "bad%zu", i);
		put(sub, bad[i].name, bad[i].data, strlen(bad[i].data));
		snprintf(copt, sizeof(copt), "--collateral=%s/%s", dir, sub);
		int r = run_quote(qpath, copt, NULL, NULL);
		if (r != VERIFY_BAD_INPUT)
			fail_msg("%s: exit %d, expected 3", bad[i].name, r);
	}
	char copt[PATH_MAX + 128];
	snprintf(copt, sizeof(copt), "--collateral=%s/nonexistent", dir);
	assert_int_equal(run_quote(qpath, copt, NULL, NULL), VERIFY_BAD_INPUT);
	unit_quote_free(&f);

	/* Every prefix of every real file: refused or accepted, never a crash (ASan run). */
	const char *cd = collateral_dir();
	if (!cd)
		return;
	static const char *const files[] = { "qe_identity.json", "tcb_info_90c06f000000.json",
					     "pck_crl_platform.crl", "root_ca.crl",
					     "pck_crl_platform_chain.txt" };
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		char path[PATH_MAX + 128];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", cd, files[i]);
		char *buf = slurp(path, &len);
		for (size_t n = 1; n < len; n += 7) {
			struct collateral *c = collateral_new();
			(void)collateral_add(c, files[i], (const uint8_t *)buf, n, NULL);
			collateral_free(c);
		}
		free(buf);
	}
}

/* ---- a PKI of our own, built like Intel's: root, PCK CA, PCK leaf with the SGX extension,
 * TCB signing key, CRLs; so signatures, revocation and levels are tested at any time ---- */

struct pki {
	EVP_PKEY *root_key, *ca_key, *pck_key, *tcb_key;
	X509 *root, *ca, *pck, *tcb;
};

static X509 *cert_make(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		       bool ca, long serial, X509_EXTENSION *ext)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600L * 24 * 30);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
						  ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	assert_non_null(bc);
	X509_add_ext(x, bc, -1);
	X509_EXTENSION_free(bc);
	if (ext)
		X509_add_ext(x, ext, -1);
	assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

/* {OID, value} as the SGX extension nests them. */
static void ext_pair(ASN1_SEQUENCE_ANY *seq, const char *oid, ASN1_TYPE *value)
{
	ASN1_SEQUENCE_ANY *pair = sk_ASN1_TYPE_new_null();
	ASN1_TYPE *o = ASN1_TYPE_new();
	ASN1_TYPE_set(o, V_ASN1_OBJECT, OBJ_txt2obj(oid, 1));
	sk_ASN1_TYPE_push(pair, o);
	sk_ASN1_TYPE_push(pair, value);
	uint8_t *der = NULL;
	int n = i2d_ASN1_SEQUENCE_ANY(pair, &der);
	assert_true(n > 0);
	ASN1_STRING *str = ASN1_STRING_new();
	ASN1_STRING_set(str, der, n);
	OPENSSL_free(der);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_TYPE_set(t, V_ASN1_SEQUENCE, str);
	sk_ASN1_TYPE_push(seq, t);
	sk_ASN1_TYPE_pop_free(pair, ASN1_TYPE_free);
}

static ASN1_TYPE *asn1_int(long v)
{
	ASN1_INTEGER *i = ASN1_INTEGER_new();
	ASN1_INTEGER_set(i, v);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_TYPE_set(t, V_ASN1_INTEGER, i);
	return t;
}

static ASN1_TYPE *asn1_octets(const uint8_t *p, int n)
{
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(s, p, n);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, s);
	return t;
}

static ASN1_TYPE *asn1_seq(ASN1_SEQUENCE_ANY *seq)
{
	uint8_t *der = NULL;
	int n = i2d_ASN1_SEQUENCE_ANY(seq, &der);
	assert_true(n > 0);
	ASN1_STRING *str = ASN1_STRING_new();
	ASN1_STRING_set(str, der, n);
	OPENSSL_free(der);
	sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free);
	ASN1_TYPE *t = ASN1_TYPE_new();
	ASN1_TYPE_set(t, V_ASN1_SEQUENCE, str);
	return t;
}

/* The SGX extension: TCB components 1..16 all `svn`, PCESVN 13, PCE-ID 0000, FMSPC. */
static X509_EXTENSION *sgx_extension(uint8_t svn, const uint8_t fmspc[6])
{
	ASN1_SEQUENCE_ANY *ext = sk_ASN1_TYPE_new_null(), *tcb = sk_ASN1_TYPE_new_null();
	static const uint8_t zero[16];
	char oid[64];
	for (int i = 1; i <= 16; i++) {
		snprintf(oid, sizeof(oid), "1.2.840.113741.1.13.1.2.%d", i);
		ext_pair(tcb, oid, asn1_int(svn));
	}
	ext_pair(tcb, "1.2.840.113741.1.13.1.2.17", asn1_int(13));
	ext_pair(tcb, "1.2.840.113741.1.13.1.2.18", asn1_octets(zero, 16));
	ext_pair(ext, "1.2.840.113741.1.13.1.1", asn1_octets(zero, 16));
	ext_pair(ext, "1.2.840.113741.1.13.1.2", asn1_seq(tcb));
	ext_pair(ext, "1.2.840.113741.1.13.1.3", asn1_octets(zero, 2));
	ext_pair(ext, "1.2.840.113741.1.13.1.4", asn1_octets(fmspc, 6));
	uint8_t *der = NULL;
	int n = i2d_ASN1_SEQUENCE_ANY(ext, &der);
	sk_ASN1_TYPE_pop_free(ext, ASN1_TYPE_free);
	ASN1_OCTET_STRING *val = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(val, der, n);
	OPENSSL_free(der);
	ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
	X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, val);
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(val);
	return e;
}

static const uint8_t own_fmspc[6] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };

static struct pki pki_make(uint8_t pck_svn)
{
	struct pki k = {
		.root_key = EVP_EC_gen("P-256"), .ca_key = EVP_EC_gen("P-256"),
		.pck_key = EVP_EC_gen("P-256"), .tcb_key = EVP_EC_gen("P-256"),
	};
	k.root = cert_make("Test Root CA", k.root_key, NULL, NULL, true, 1, NULL);
	k.ca = cert_make("Test PCK Platform CA", k.ca_key, k.root, k.root_key, true, 2, NULL);
	X509_EXTENSION *ext = sgx_extension(pck_svn, own_fmspc);
	k.pck = cert_make("Test PCK Certificate", k.pck_key, k.ca, k.ca_key, false, 77, ext);
	X509_EXTENSION_free(ext);
	k.tcb = cert_make("Test TCB Signing", k.tcb_key, k.root, k.root_key, false, 3, NULL);
	return k;
}

static void pki_free(struct pki *k)
{
	EVP_PKEY_free(k->root_key);
	EVP_PKEY_free(k->ca_key);
	EVP_PKEY_free(k->pck_key);
	EVP_PKEY_free(k->tcb_key);
	X509_free(k->root);
	X509_free(k->ca);
	X509_free(k->pck);
	X509_free(k->tcb);
}

static char *pem_of(X509 *x, X509_CRL *crl, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	assert_int_equal(x ? PEM_write_bio_X509(b, x) : PEM_write_bio_X509_CRL(b, crl), 1);
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *copy = strndup(data, (size_t)n);
	*len = (size_t)n;
	BIO_free(b);
	return copy;
}

static void put_pem(const char *sub, const char *name, X509 *x, X509_CRL *crl)
{
	size_t len;
	char *pem = pem_of(x, crl, &len);
	put(sub, name, pem, len);
	free(pem);
}

/* A CRL by issuer, current for ±30 days, revoking serial when it is not 0. */
static X509_CRL *crl_make(X509 *issuer, EVP_PKEY *key, long serial)
{
	X509_CRL *crl = X509_CRL_new();
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
	ASN1_TIME *t = ASN1_TIME_adj(NULL, time(NULL), -30, 0);
	X509_CRL_set1_lastUpdate(crl, t);
	ASN1_TIME_adj(t, time(NULL), 30, 0);
	X509_CRL_set1_nextUpdate(crl, t);
	if (serial) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		ASN1_INTEGER_set(sn, serial);
		X509_REVOKED_set_serialNumber(r, sn);
		ASN1_TIME_adj(t, time(NULL), -1, 0);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(sn);
	}
	ASN1_TIME_free(t);
	assert_true(X509_CRL_sign(crl, key, EVP_sha256()) > 0);
	return crl;
}

/* {"<key>":<body>,"signature":"<hex>"} signed by key over the body's bytes. */
static void put_signed(const char *sub, const char *name, const char *key, const char *body,
		       EVP_PKEY *signer)
{
	uint8_t rs[64];
	char hex[129];
	unit_sign_raw(signer, (const uint8_t *)body, strlen(body), rs);
	hex_encode(rs, 64, hex);
	size_t n = strlen(body) + 256;
	char *doc = malloc(n);
	snprintf(doc, n, "{\"%s\":%s,\"signature\":\"%s\"}", key, body, hex);
	put(sub, name, doc, strlen(doc));
	free(doc);
}

static char *json_dates(const char *fmt, ...) _printf_(1, 2);
static char *json_dates(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) > 0);
	va_end(ap);
	return s;
}

/*
 * The quote: a synthetic one whose PCK chain is replaced by leaf ‖ CA ‖ root of the PKI and
 * whose QE report is re-signed by the leaf (the AK signature covers header and body only).
 */
static uint8_t *quote_with_chain(const struct pki *k, size_t *ret_len)
{
	struct unit_quote u = unit_quote_make(4, 2, NULL);
	struct tdx_quote q;
	assert_int_equal(tdx_quote_parse(u.q, u.len, &q, NULL), 0);
	size_t l1, l2, l3;
	char *p1 = pem_of(k->pck, NULL, &l1), *p2 = pem_of(k->ca, NULL, &l2),
	     *p3 = pem_of(k->root, NULL, &l3);
	size_t chain = l1 + l2 + l3, at = (size_t)(q.pck_chain_pem - u.q);
	size_t len = at + chain, sig_at = q.signed_len;
	uint8_t *b = malloc(len);
	memcpy(b, u.q, at);
	memcpy(b + at, p1, l1);
	memcpy(b + at + l1, p2, l2);
	memcpy(b + at + l1 + l2, p3, l3);
	le32_put(b + at - 4, (uint32_t)chain);
	le32_put(b + sig_at, (uint32_t)(len - sig_at - 4));
	le32_put(b + sig_at + 4 + 130, (uint32_t)(len - sig_at - 4 - 134));
	uint8_t *qe = b + (q.qe_report - u.q);
	unit_sign_raw(k->pck_key, qe, TDX_QE_REPORT_SIZE, qe + TDX_QE_REPORT_SIZE);
	free(p1);
	free(p2);
	free(p3);
	unit_quote_free(&u);
	*ret_len = len;
	return b;
}

#define QE_ID_BODY                                                                             \
	"{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"%s\",\"nextUpdate\":\"%s\","          \
	"\"tcbEvaluationDataNumber\":3,\"miscselect\":\"00000000\",\"miscselectMask\":"        \
	"\"FFFFFFFF\",\"attributes\":\"11000000000000000000000000000000\",\"attributesMask\":" \
	"\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":"                                   \
	"\"DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5\",\"isvprodid\":2," \
	"\"tcbLevels\":[{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-01-01T00:00:00Z\","         \
	"\"tcbStatus\":\"UpToDate\"}]}"
#define COMPS(v)                                                                               \
	"[{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},"    \
	"{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},"     \
	"{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},{\"svn\":" v "},"     \
	"{\"svn\":" v "}]"
#define ZERO16 COMPS("0")
/* No module identities: the synthetic body's TEE_TCB_SVN is 0,7,14,.. and is matched as
 * 16 plain components.  Level 0 needs SGX components 5, level 1 components 2. */
#define TCB_INFO_BODY                                                                          \
	"{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"%s\",\"nextUpdate\":\"%s\","            \
	"\"fmspc\":\"112233445566\",\"pceId\":\"0000\",\"tcbType\":0,"                        \
	"\"tcbEvaluationDataNumber\":3,\"tcbLevels\":["                                         \
	"{\"tcb\":{\"sgxtcbcomponents\":" COMPS("5") ",\"pcesvn\":13,\"tdxtcbcomponents\":"    \
	ZERO16 "},\"tcbDate\":\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"           \
	"{\"tcb\":{\"sgxtcbcomponents\":" COMPS("2") ",\"pcesvn\":13,\"tdxtcbcomponents\":"    \
	ZERO16 "},\"tcbDate\":\"2023-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","            \
	"\"advisoryIDs\":[\"INTEL-SA-00999\"]}]}"

/* One collateral folder for k: revoked (a serial in the PCK CA's CRL), TCB info signer. */
static void own_collateral(const char *sub, const struct pki *k, long revoked, EVP_PKEY *signer)
{
	char issue[24], next[24];
	time_t now = time(NULL);
	struct tm tm;
	strftime(issue, sizeof(issue), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&(time_t){ now - 86400 }, &tm));
	strftime(next, sizeof(next), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&(time_t){ now + 86400 * 20 }, &tm));
	X509_CRL *pck_crl = crl_make(k->ca, k->ca_key, revoked), *root_crl = crl_make(k->root, k->root_key, 0);
	put_pem(sub, "1", NULL, pck_crl);
	put_pem(sub, "2", NULL, root_crl);
	put_pem(sub, "3", k->ca, NULL);
	put_pem(sub, "4", k->tcb, NULL);
	X509_CRL_free(pck_crl);
	X509_CRL_free(root_crl);
	char *qe = json_dates(QE_ID_BODY, issue, next), *ti = json_dates(TCB_INFO_BODY, issue, next);
	put_signed(sub, "5", "enclaveIdentity", qe, k->tcb_key);
	put_signed(sub, "6", "tcbInfo", ti, signer ? signer : k->tcb_key);
	free(qe);
	free(ti);
}

static struct quote_appraisal own_appraise(const char *sub, const struct pki *k, unsigned accept)
{
	char path[PATH_MAX + 128];
	size_t rlen, qlen;
	char *root = pem_of(k->root, NULL, &rlen);
	uint8_t *q = quote_with_chain(k, &qlen);
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	struct collateral *c = load(path);
	struct quote_appraisal a = appraise(q, qlen, root, c, false, time(NULL), accept);
	collateral_free(c);
	free(q);
	free(root);
	return a;
}

static void test_own_pki(void **state)
{
	struct pki k = pki_make(5);
	own_collateral("good", &k, 0, NULL);
	struct quote_appraisal a = own_appraise("good", &k, 0);
	for (int i = 0; i < _APPRAISE_CHECK_MAX; i++)
		assert_state(a, i, APPRAISE_PASSED);
	assert_int_equal(a.tcb_status, TCB_UP_TO_DATE);
	assert_string_equal(a.fmspc, "112233445566");
	assert_int_equal(a.tcb_eval_num, 3);

	/* The PCK leaf revoked by its CA's CRL: the chain fails. */
	own_collateral("revoked", &k, 77, NULL);
	a = own_appraise("revoked", &k, 0);
	assert_state(a, APPRAISE_PCK_CHAIN, APPRAISE_FAILED);
	assert_non_null(strstr(a.checks[APPRAISE_PCK_CHAIN].reason, "revoked"));
	assert_false(quote_appraisal_ok(&a));

	/* TCB info signed by a CA's key (the PCK CA), or by a key outside the PKI. */
	own_collateral("ca-signed", &k, 0, k.ca_key);
	a = own_appraise("ca-signed", &k, 0);
	assert_state(a, APPRAISE_COLLATERAL, APPRAISE_FAILED);
	assert_non_null(strstr(a.checks[APPRAISE_COLLATERAL].reason, "/6: signature: not signed"));
	assert_state(a, APPRAISE_TCB, APPRAISE_PASSED); /* evaluated all the same */
	EVP_PKEY *stranger = EVP_EC_gen("P-256");
	own_collateral("stranger", &k, 0, stranger);
	a = own_appraise("stranger", &k, 0);
	assert_state(a, APPRAISE_COLLATERAL, APPRAISE_FAILED);
	assert_non_null(strstr(a.checks[APPRAISE_COLLATERAL].reason, "/6: signature: not signed"));
	EVP_PKEY_free(stranger);
	pki_free(&k);

	/* A platform whose PCK TCB is 3: level 1, OutOfDate, with its advisory. */
	k = pki_make(3);
	own_collateral("old", &k, 0, NULL);
	a = own_appraise("old", &k, 0);
	assert_state(a, APPRAISE_COLLATERAL, APPRAISE_PASSED);
	assert_int_equal(a.tcb_status, TCB_OUT_OF_DATE);
	assert_string_equal(a.advisories, "INTEL-SA-00999");
	assert_state(a, APPRAISE_TCB, APPRAISE_FAILED);
	a = own_appraise("old", &k, TCB_ACCEPT(TCB_UP_TO_DATE) | TCB_ACCEPT(TCB_OUT_OF_DATE));
	assert_true(quote_appraisal_ok(&a));
	pki_free(&k);

	/* Below every level. */
	k = pki_make(1);
	own_collateral("older", &k, 0, NULL);
	a = own_appraise("older", &k, 0);
	assert_state(a, APPRAISE_TCB, APPRAISE_FAILED);
	assert_non_null(strstr(a.checks[APPRAISE_TCB].reason, "TCB level not supported"));
	pki_free(&k);
}

/* `check` on the forged quote with every register pinned to what it shows and an empty log:
 * the verdict rests on the quote's genuineness alone.  Without the forger's CA it is not
 * verified; with it (and --no-tcb-check) it is, which is why the anchor must be Intel's. */
static int run_check_pinned(const struct tdx_quote *q, const char *qpath, const char *lpath,
			    const char *root_opt)
{
	char mrtd[120], xfam[120], attr[120], r[4][120], quote[PATH_MAX + 16], log[PATH_MAX + 16];
	char hex[97];
	hex_encode(q->td.mrtd, 48, hex);
	snprintf(mrtd, sizeof(mrtd), "--mrtd=%s", hex);
	for (int i = 0; i < 4; i++)
		snprintf(r[i], sizeof(r[i]), "--rtmr%d=%096d", i, 0);
	hex_encode(q->td.xfam, 8, hex);
	snprintf(xfam, sizeof(xfam), "--xfam=%s", hex);
	hex_encode(q->td.td_attributes, 8, hex);
	snprintf(attr, sizeof(attr), "--td-attributes=%s", hex);
	snprintf(quote, sizeof(quote), "--quote=%s", qpath);
	snprintf(log, sizeof(log), "--eventlog=%s", lpath);
	char *argv[16] = { "check", quote, log, mrtd, r[0], r[1], r[2], r[3], xfam, attr,
			   "--no-tcb-check" };
	int argc = 11;
	if (root_opt)
		argv[argc++] = (char *)root_opt;
	argv[argc] = NULL;
	fflush(stdout);
	return verb_check(argc, argv);
}

static void test_forged_check(void **state)
{
	static const uint8_t zero_rtmrs[4 * 48];
	static const uint8_t attributes[8] = { 0, 0, 0, 0x10 }; /* SEPT_VE_DISABLE, no DEBUG */
	struct unit_log log = { 0 };
	unit_log_start(&log);
	put("fc", "log", log.p, log.len);
	free(log.p);
	char qpath[PATH_MAX], lpath[PATH_MAX], ca[PATH_MAX + 16];
	snprintf(lpath, sizeof(lpath), "%s/fc/log", dir);
	for (int careful = 0; careful <= 1; careful++) {
		struct unit_quote f = unit_quote_make_qe(4, 2, zero_rtmrs, attributes, careful);
		struct tdx_quote q;
		assert_int_equal(tdx_quote_parse(f.q, f.len, &q, NULL), 0);
		put("fc", careful ? "q1" : "q0", f.q, f.len);
		put("fc", careful ? "ca1" : "ca0", f.pck_pem, f.pck_pem_len);
		snprintf(qpath, sizeof(qpath), "%s/fc/q%d", dir, careful);
		snprintf(ca, sizeof(ca), "--root-ca=%s/fc/ca%d", dir, careful);
		assert_int_equal(run_check_pinned(&q, qpath, lpath, NULL), VERIFY_MISMATCH);
		/* The forger's CA: a careless forger still fails the QE identity. */
		assert_int_equal(run_check_pinned(&q, qpath, lpath, ca),
				 careful ? VERIFY_OK : VERIFY_MISMATCH);
		unit_quote_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_anchor),
		cmocka_unit_test_setup_teardown(test_forged_quote, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_collateral, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gtg_tcb_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fmspc_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcb_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_collateral, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_pki, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_check, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
