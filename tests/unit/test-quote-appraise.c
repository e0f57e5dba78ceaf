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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
