/* SPDX-License-Identifier: Apache-2.0 */
#include "host/quote-appraise.h"

#include "core/digest.h"
#include "core/util.h"
#include "host/intel-root-ca.h"
#include "host/pck-cert.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

static const char *const check_names[_APPRAISE_CHECK_MAX] = {
	[APPRAISE_AK_SIGNATURE] = "ak-signature",   [APPRAISE_QE_BINDING] = "qe-binding",
	[APPRAISE_PCK_SIGNATURE] = "pck-signature", [APPRAISE_PCK_CHAIN] = "pck-chain",
	[APPRAISE_QE_IDENTITY] = "qe-identity",	    [APPRAISE_COLLATERAL] = "collateral",
	[APPRAISE_TCB] = "tcb",
};

const char *appraise_check_name(enum appraise_check c)
{
	return c < _APPRAISE_CHECK_MAX ? check_names[c] : "?";
}

const char *appraise_state_name(enum appraise_state s)
{
	switch (s) {
	case APPRAISE_PASSED: return "passed";
	case APPRAISE_FAILED: return "failed";
	case APPRAISE_SKIPPED: return "skipped";
	default: return "not evaluated";
	}
}

static void set(struct quote_appraisal *a, enum appraise_check c, enum appraise_state s,
		const char *fmt, ...) _printf_(4, 5);
static void set(struct quote_appraisal *a, enum appraise_check c, enum appraise_state s,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	a->checks[c].state = s;
	vsnprintf(a->checks[c].reason, sizeof(a->checks[c].reason), fmt, ap);
	va_end(ap);
}

bool quote_appraisal_ok(const struct quote_appraisal *a)
{
	for (int c = 0; c < _APPRAISE_CHECK_MAX; c++)
		if (a->checks[c].state != APPRAISE_PASSED && a->checks[c].state != APPRAISE_SKIPPED)
			return false;
	return true;
}

int tcb_accept_parse(const char *list, unsigned *ret, struct tdv_error *err)
{
	_cleanup_free_ char *copy = strdup(list);
	if (!copy)
		return tdv_error_set(err, -ENOMEM, "out of memory");
	unsigned bits = 0;
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		enum tcb_status s = tcb_status_from_name(w);
		if (s == TCB_STATUS_NONE)
			return tdv_error_set(err, -EINVAL, "--accept-tcb: unknown TCB status '%s'", w);
		/* A revoked platform's keys may be in an attacker's hands: never acceptable. */
		if (s == TCB_REVOKED)
			return tdv_error_set(err, -EINVAL, "--accept-tcb: Revoked is never accepted");
		bits |= TCB_ACCEPT(s);
	}
	if (!bits)
		return tdv_error_set(err, -EINVAL, "--accept-tcb: empty list");
	*ret = bits;
	return 0;
}

/* ---- libcrypto helpers ---- */

static void x509_freep(X509 **x) { X509_free(*x); }
static void stack_freep(STACK_OF(X509) **s) { sk_X509_pop_free(*s, X509_free); }
static void pkey_freep(EVP_PKEY **p) { EVP_PKEY_free(*p); }
static void store_freep(X509_STORE **s) { X509_STORE_free(*s); }

static void spki_sha256_hex(X509 *x, char out[65])
{
	uint8_t *der = NULL, md[32];
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	out[0] = 0;
	if (n > 0 && digest_buf(HASH_SHA256, der, (size_t)n, md) == 0)
		hex_encode(md, 32, out);
	OPENSSL_free(der);
}

static bool cert_signed(X509 *cert, const uint8_t rs[64], const uint8_t *msg, size_t len)
{
	_cleanup_(pkey_freep) EVP_PKEY *key = X509_get_pubkey(cert);
	bool ok = key && EVP_PKEY_is_a(key, "EC") && ecdsa_p256_verify(key, rs, msg, len);
	ERR_clear_error();
	return ok;
}

/*
 * The trust store: only the anchor is trusted (a chain's own copy of a root is just
 * another untrusted certificate, so a look-alike "Intel SGX Root CA" does not verify).
 * With CRLs, every certificate of a chain must have a current CRL from its issuer.
 */
static X509_STORE *store_new(X509 *anchor, const struct collateral *c, time_t at)
{
	X509_STORE *store = X509_STORE_new();
	if (!store || !X509_STORE_add_cert(store, anchor))
		goto fail;
	if (c && c->n_crls) {
		for (size_t i = 0; i < c->n_crls; i++)
			if (!X509_STORE_add_crl(store, c->crls[i].crl))
				goto fail;
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	}
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), at);
	return store;
fail:
	X509_STORE_free(store);
	return NULL;
}

/* 1 verified, 0 not (why in buf), <0 libcrypto failure. */
static int verify_to_anchor(X509_STORE *store, X509 *cert, STACK_OF(X509) *untrusted, char *why,
			    size_t why_size)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, store, cert, untrusted)) {
		X509_STORE_CTX_free(ctx);
		return -ENOMEM;
	}
	int ok = X509_verify_cert(ctx) == 1;
	if (!ok)
		snprintf(why, why_size, "%s",
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static void time_str(time_t t, char out[24])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 24, "@%lld", (long long)t);
}

/* ---- the checks ---- */

/*
 * Threat: a quote made by anyone with a P-256 key.  Only a PCK chain to the anchor proves
 * that an Intel-certified platform's QE vouched for the attestation key; the CRLs answer a
 * platform whose PCK key leaked (revoked by Intel).
 */
static int check_pck_chain(struct quote_appraisal *a, X509_STORE *store,
			   STACK_OF(X509) *chain, bool with_crls)
{
	char why[256] = "";
	int r = verify_to_anchor(store, sk_X509_value(chain, 0), chain, why, sizeof(why));
	if (r < 0)
		return r;
	if (r)
		set(a, APPRAISE_PCK_CHAIN, APPRAISE_PASSED, "verifies to %s (SPKI SHA-256 %s)%s",
		    a->anchor_subject, a->anchor_spki_sha256,
		    with_crls ? "; no certificate of it is revoked"
			      : "; revocation not checked (no CRLs)");
	else {
		/* Name the root it does end in: a pre-production (SBX) or look-alike Intel root
		 * has the same subject as the real one, only its key tells them apart. */
		X509 *top = sk_X509_value(chain, sk_X509_num(chain) - 1);
		char subject[256], spki[65];
		X509_NAME_oneline(X509_get_subject_name(top), subject, sizeof(subject));
		spki_sha256_hex(top, spki);
		set(a, APPRAISE_PCK_CHAIN, APPRAISE_FAILED,
		    "does not verify to %s (SPKI SHA-256 %s): %s; the chain ends in %s (SPKI "
		    "SHA-256 %s)",
		    a->anchor_subject, a->anchor_spki_sha256, why, subject, spki);
	}
	return 0;
}

/* Intel's TD QE identity as published (PCS "TDX QE identity" v2), used without collateral. */
static const struct qe_identity builtin_td_qe = {
	.sig = { .source = "Intel's published TD QE identity (built in)" },
	.miscselect = 0x00000000,
	.miscselect_mask = 0xffffffff,
	.attributes = { 0x11 },
	.attributes_mask = { 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	.mrsigner = { 0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34,
		      0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba,
		      0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5 },
	.isvprodid = 2,
};

/*
 * Threat: another enclave standing in for Intel's TD quoting enclave.  The PCK key signs
 * the report of whatever enclave asks the platform's PCE; only Intel's QE (MRSIGNER,
 * ISVPRODID) without debug attributes checks that the TD report it signs is real.
 */
static void check_qe_identity(struct quote_appraisal *a, const struct tdx_quote *q,
			      const struct qe_identity *id)
{
	const uint8_t *rep = q->qe_report;
	uint32_t misc = le32_get(rep + 16);
	uint16_t prodid = le16_get(rep + TDX_QE_REPORT_ISVPRODID_OFF);
	bool attr_ok = true;
	for (int i = 0; i < 16; i++)
		attr_ok &= ((rep[48 + i] ^ id->attributes[i]) & id->attributes_mask[i]) == 0;
	const char *what = !digest_equal(rep + TDX_QE_REPORT_MRSIGNER_OFF, id->mrsigner, 32)
				   ? "MRSIGNER"
			   : prodid != id->isvprodid ? "ISVPRODID"
			   : ((misc ^ id->miscselect) & id->miscselect_mask) != 0 ? "MISCSELECT"
			   : !attr_ok ? "ATTRIBUTES"
				      : NULL;
	char mrsigner[65];
	hex_encode(rep + TDX_QE_REPORT_MRSIGNER_OFF, 32, mrsigner);
	if (what)
		set(a, APPRAISE_QE_IDENTITY, APPRAISE_FAILED,
		    "QE report %s differs from %s (MRSIGNER %s, ISVPRODID %u)", what,
		    id->sig.source, mrsigner, prodid);
	else
		set(a, APPRAISE_QE_IDENTITY, APPRAISE_PASSED,
		    "QE report is Intel's TD QE per %s (MRSIGNER %s, ISVPRODID %u)",
		    id->sig.source, mrsigner, prodid);
}

/* The issuer of a CRL: a certificate of ours with its subject whose key verifies it. */
static X509 *crl_issuer(X509_CRL *crl, X509 *anchor, STACK_OF(X509) *pool)
{
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(anchor)) == 0) {
		EVP_PKEY *k = X509_get0_pubkey(anchor);
		if (k && X509_CRL_verify(crl, k) == 1)
			return anchor;
	}
	for (int i = 0; i < sk_X509_num(pool); i++) {
		X509 *x = sk_X509_value(pool, i);
		EVP_PKEY *k = X509_get0_pubkey(x);
		if (X509_check_ca(x) >= 1 &&
		    X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(x)) == 0 && k &&
		    X509_CRL_verify(crl, k) == 1)
			return x;
	}
	ERR_clear_error();
	return NULL;
}

/*
 * Threat: stale or forged collateral.  A CRL from before a revocation, or a TCB info from
 * before an advisory, would pass a platform Intel no longer trusts; a document signed by
 * anyone but Intel's TCB signing key could say anything.
 */
static int check_crls(X509 *anchor, X509_STORE *store, const struct collateral *c, time_t at,
		      char *why, size_t n)
{
	for (size_t i = 0; i < c->n_crls; i++) {
		X509_CRL *crl = c->crls[i].crl;
		X509 *issuer = crl_issuer(crl, anchor, c->certs);
		char w[256] = "";
		if (!issuer) {
			snprintf(why, n, "%s: CRL not signed by any certificate given", c->crls[i].source);
			return 0;
		}
		int r = issuer == anchor ? 1 : verify_to_anchor(store, issuer, c->certs, w, sizeof(w));
		if (r <= 0) {
			if (r == 0)
				snprintf(why, n, "%s: the CRL's issuer does not verify to the anchor: %s",
					 c->crls[i].source, w);
			return r;
		}
		const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
		/* X509_cmp_time: -1 earlier or equal, 1 later, 0 unreadable. */
		if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &at) != -1 || !next ||
		    X509_cmp_time(next, &at) != 1) {
			snprintf(why, n, "%s: CRL is not current at the evaluation time (past its "
					 "nextUpdate, or not yet issued)",
				 c->crls[i].source);
			return 0;
		}
	}
	return 1;
}

static int check_signed_doc(X509_STORE *store, const struct collateral *c,
			    const struct collateral_signed *s, time_t at, char *why, size_t n)
{
	char issue[24], next[24], when[24];
	time_str(s->issue_date, issue);
	time_str(s->next_update, next);
	time_str(at, when);
	if (at < s->issue_date || at > s->next_update) {
		snprintf(why, n, "%s: not current at %s (issueDate %s, nextUpdate %s)", s->source,
			 when, issue, next);
		return 0;
	}
	char w[256] = "not signed by any certificate given";
	for (int i = 0; i < sk_X509_num(c->certs); i++) {
		X509 *x = sk_X509_value(c->certs, i);
		/* Intel signs TCB info and QE identity with an end-entity key (TCB Signing),
		 * never with a CA's: a CA key signs certificates and CRLs only. */
		if (X509_check_ca(x) != 0 || !cert_signed(x, s->signature, s->body, s->body_len))
			continue;
		int r = verify_to_anchor(store, x, c->certs, w, sizeof(w));
		if (r != 0)
			return r;
	}
	snprintf(why, n, "%s: signature: %s", s->source, w);
	return 0;
}

static int check_collateral(struct quote_appraisal *a, X509 *anchor, X509_STORE *store,
			    const struct collateral *c, time_t at)
{
	char why[512] = "";
	int r = check_crls(anchor, store, c, at, why, sizeof(why));
	for (size_t i = 0; r > 0 && i < c->n_tcb_infos; i++)
		r = check_signed_doc(store, c, &c->tcb_infos[i].sig, at, why, sizeof(why));
	if (r > 0 && c->qe_identity)
		r = check_signed_doc(store, c, &c->qe_identity->sig, at, why, sizeof(why));
	if (r < 0)
		return r;
	if (r == 0)
		set(a, APPRAISE_COLLATERAL, APPRAISE_FAILED, "%s", why);
	else if (!c->qe_identity || c->n_crls == 0 || c->n_tcb_infos == 0)
		set(a, APPRAISE_COLLATERAL, APPRAISE_FAILED,
		    "incomplete: needs TCB info, the TD QE identity and the CRLs (%zu TCB info, %d QE "
		    "identity, %zu CRLs given)",
		    c->n_tcb_infos, c->qe_identity ? 1 : 0, c->n_crls);
	else {
		char when[24];
		time_str(at, when);
		set(a, APPRAISE_COLLATERAL, APPRAISE_PASSED,
		    "%zu TCB info, 1 QE identity, %zu CRLs: signed under the anchor, current at %s",
		    c->n_tcb_infos, c->n_crls, when);
	}
	return 0;
}

/* ---- TCB status (Intel's TDX rules) ---- */

static void add_advisories(struct quote_appraisal *a, const char *ids)
{
	if (!ids[0])
		return;
	size_t used = strlen(a->advisories);
	snprintf(a->advisories + used, sizeof(a->advisories) - used, "%s%s", used ? "," : "",
		 ids);
}

/* A worse QE or TDX module status lowers the platform's (OutOfDate; Revoked wins). */
static enum tcb_status converge(enum tcb_status platform, enum tcb_status other)
{
	if (other == TCB_REVOKED || platform == TCB_REVOKED)
		return TCB_REVOKED;
	if (other != TCB_OUT_OF_DATE)
		return platform;
	switch (platform) {
	case TCB_UP_TO_DATE:
	case TCB_SW_HARDENING_NEEDED: return TCB_OUT_OF_DATE;
	case TCB_CONFIGURATION_NEEDED:
	case TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
		return TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
	default: return platform;
	}
}

static bool masked_equal(const uint8_t *a, const uint8_t *b, const uint8_t *mask, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (a[i] ^ b[i]) & mask[i];
	return d == 0;
}

/*
 * Threat: a host running a TDX module (SEAM) that Intel did not sign, or an old one with
 * known flaws.  TEE_TCB_SVN[1] is the module's major version, [0] its SVN.
 */
static const char *tdx_module_check(struct quote_appraisal *a, const struct tdx_quote *q,
				    const struct tcb_info *ti, bool *ret_by_identity)
{
	const uint8_t *svn = q->td.tee_tcb_svn;
	*ret_by_identity = false;
	if (svn[1] == 0 || ti->n_modules == 0) {
		if (ti->has_module &&
		    (!digest_equal(q->td.mrsignerseam, ti->module_mrsigner, 48) ||
		     !masked_equal(q->td.seam_attributes, ti->module_attributes,
				   ti->module_attributes_mask, 8)))
			return "MRSIGNERSEAM or SEAM attributes differ from the TCB info's tdxModule";
		return NULL;
	}
	const struct tdx_module_identity *id = NULL;
	for (size_t i = 0; i < ti->n_modules && !id; i++)
		if (ti->modules[i].version == svn[1])
			id = &ti->modules[i];
	if (!id)
		return "the TDX module's version (TEE_TCB_SVN[1]) has no tdxModuleIdentities entry";
	if (!digest_equal(q->td.mrsignerseam, id->mrsigner, 48) ||
	    !masked_equal(q->td.seam_attributes, id->attributes, id->attributes_mask, 8))
		return "MRSIGNERSEAM or SEAM attributes differ from the TDX module identity";
	for (size_t i = 0; i < id->n_levels; i++)
		if (id->levels[i].isvsvn <= svn[0]) {
			a->module_status = id->levels[i].info.status;
			add_advisories(a, id->levels[i].info.advisories);
			*ret_by_identity = true;
			return NULL;
		}
	return "the TDX module's SVN (TEE_TCB_SVN[0]) is below every level of its identity";
}

static bool level_matches(const struct tdx_tcb_level *l, const struct pck_cert_info *pck,
			  const uint8_t tee[16], bool skip_module_bytes)
{
	for (int i = 0; i < 16; i++)
		if (pck->sgx_svn[i] < l->sgx_svn[i])
			return false;
	if (pck->pcesvn < l->pcesvn)
		return false;
	/* Bytes 0 and 1 are the module's SVN and version when its identity decided them. */
	for (int i = skip_module_bytes ? 2 : 0; i < 16; i++)
		if (tee[i] < l->tdx_svn[i])
			return false;
	return true;
}

/*
 * Threat: a genuine platform with known, published vulnerabilities (microcode, SEAM, QE):
 * its keys and memory protections may be broken, so its quote is only as good as its TCB.
 */
static const char *evaluate_tcb(struct quote_appraisal *a, const struct tdx_quote *q,
				X509 *leaf, const struct collateral *c, struct tdv_error *why)
{
	struct pck_cert_info pck;
	if (pck_cert_info_get(leaf, &pck, why) < 0)
		return why->msg;
	hex_encode(pck.fmspc, 6, a->fmspc);
	const struct tcb_info *ti = collateral_tcb_info(c, pck.fmspc);
	if (!ti) {
		snprintf(why->msg, sizeof(why->msg), "no TCB info for the PCK's FMSPC %s in the "
			 "collateral", a->fmspc);
		return why->msg;
	}
	a->tcb_eval_num = ti->sig.tcb_eval_num;
	if (memcmp(ti->pce_id, pck.pce_id, 2) != 0)
		return "the TCB info's pceId differs from the PCK certificate's PCE-ID";
	bool by_identity;
	const char *bad = tdx_module_check(a, q, ti, &by_identity);
	if (bad)
		return bad;
	const struct tdx_tcb_level *lvl = NULL;
	for (size_t i = 0; i < ti->n_levels && !lvl; i++)
		if (level_matches(&ti->levels[i], &pck, q->td.tee_tcb_svn, by_identity))
			lvl = &ti->levels[i];
	if (!lvl) {
		char sgx[33], tee[33];
		hex_encode(pck.sgx_svn, 16, sgx);
		hex_encode(q->td.tee_tcb_svn, 16, tee);
		snprintf(why->msg, sizeof(why->msg),
			 "TCB level not supported: the platform (PCK TCB components %s, PCESVN %u; "
			 "TEE_TCB_SVN %s) is below every level of the TCB info for FMSPC %s",
			 sgx, pck.pcesvn, tee, a->fmspc);
		return why->msg;
	}
	a->platform_status = lvl->info.status;
	a->tcb_date = lvl->info.date;
	add_advisories(a, lvl->info.advisories);
	const struct qe_identity *qe = c->qe_identity;
	uint16_t isvsvn = le16_get(q->qe_report + TDX_QE_REPORT_ISVSVN_OFF);
	for (size_t i = 0; qe && i < qe->n_levels && !a->qe_status; i++)
		if (qe->levels[i].isvsvn <= isvsvn) {
			a->qe_status = qe->levels[i].info.status;
			add_advisories(a, qe->levels[i].info.advisories);
		}
	if (!a->qe_status)
		return "the QE's ISVSVN is below every level of the QE identity";
	a->tcb_status = converge(converge(a->platform_status, a->module_status), a->qe_status);
	return NULL;
}

static void check_tcb(struct quote_appraisal *a, const struct tdx_quote *q, X509 *leaf,
		      const struct collateral *c, unsigned accept)
{
	struct tdv_error why = { { 0 } };
	const char *bad = evaluate_tcb(a, q, leaf, c, &why);
	if (bad) {
		set(a, APPRAISE_TCB, APPRAISE_FAILED, "%s", bad);
		return;
	}
	bool ok = a->tcb_status != TCB_REVOKED && (accept & TCB_ACCEPT(a->tcb_status));
	set(a, APPRAISE_TCB, ok ? APPRAISE_PASSED : APPRAISE_FAILED,
	    "%s%s (FMSPC %s, platform %s, TDX module %s, QE %s; tcbEvaluationDataNumber %u%s%s)",
	    tcb_status_name(a->tcb_status), ok ? "" : " is not accepted", a->fmspc,
	    tcb_status_name(a->platform_status), tcb_status_name(a->module_status),
	    tcb_status_name(a->qe_status), a->tcb_eval_num, a->advisories[0] ? "; advisories " : "",
	    a->advisories);
}

static int load_anchor(const struct appraise_options *o, struct quote_appraisal *a,
		       X509 **ret, struct tdv_error *err)
{
	const uint8_t *pem = o->root_ca_pem ? o->root_ca_pem : (const uint8_t *)intel_sgx_root_ca_pem;
	size_t len = o->root_ca_pem ? o->root_ca_len : strlen(intel_sgx_root_ca_pem);
	STACK_OF(X509) *s = NULL;
	int r = pem_certs_read(pem, len, &s);
	if (r < 0)
		return tdv_error_set(err, r, "the root CA holds no readable PEM certificate");
	if (sk_X509_num(s) != 1) {
		sk_X509_pop_free(s, X509_free);
		return tdv_error_set(err, -EBADMSG, "the root CA file must hold one certificate");
	}
	X509 *x = sk_X509_shift(s);
	sk_X509_free(s);
	X509_NAME_oneline(X509_get_subject_name(x), a->anchor_subject, sizeof(a->anchor_subject));
	spki_sha256_hex(x, a->anchor_spki_sha256);
	a->anchor_is_intel = strcmp(a->anchor_spki_sha256, INTEL_SGX_ROOT_CA_SPKI_SHA256) == 0;
	if (!o->root_ca_pem && !a->anchor_is_intel) { /* a corrupted built-in copy */
		X509_free(x);
		return tdv_error_set(err, -EIO, "built-in Intel SGX Root CA has a wrong key");
	}
	*ret = x;
	return 0;
}

static void collateral_free_checks(struct quote_appraisal *a, const struct appraise_options *o)
{
	enum appraise_state s = o->skip_tcb ? APPRAISE_SKIPPED : APPRAISE_NOT_EVALUATED;
	const char *why = o->skip_tcb ? "skipped on request (--no-tcb-check)" : "no collateral";
	set(a, APPRAISE_COLLATERAL, s, "%s: CRLs, TCB info and QE identity not checked", why);
	set(a, APPRAISE_TCB, s, "%s: the platform's TCB status is unknown", why);
}

int quote_appraise(const struct tdx_quote *q, const struct appraise_options *o,
		   struct quote_appraisal *ret, struct tdv_error *err)
{
	struct quote_appraisal a = { 0 };
	/* Threat: a quote edited after signing (another TD report, attestation key or QE
	 * report spliced in): each signature binds the next link. */
	int r = tdx_quote_verify(q, &a.sig, err);
	if (r < 0)
		return r;
	set(&a, APPRAISE_AK_SIGNATURE, a.sig.ak_signature_ok ? APPRAISE_PASSED : APPRAISE_FAILED,
	    "attestation key's ECDSA-P256 signature over header and TD report");
	set(&a, APPRAISE_QE_BINDING, a.sig.qe_binding_ok ? APPRAISE_PASSED : APPRAISE_FAILED,
	    "QE report binds the attestation key (REPORTDATA = SHA-256(key || auth data))");
	set(&a, APPRAISE_PCK_SIGNATURE, a.sig.pck_signature_ok ? APPRAISE_PASSED : APPRAISE_FAILED,
	    "PCK leaf certificate's signature over the QE report");

	_cleanup_(x509_freep) X509 *anchor = NULL;
	if ((r = load_anchor(o, &a, &anchor, err)) < 0)
		return r;
	_cleanup_(stack_freep) STACK_OF(X509) *chain = NULL;
	if (pem_certs_read(q->pck_chain_pem, q->pck_chain_len, &chain) < 0)
		return tdv_error_set(err, -EBADMSG, "quote: the PCK certificate chain holds no "
						    "readable PEM certificate");
	const struct collateral *c = o->collateral;
	_cleanup_(store_freep) X509_STORE *store = store_new(anchor, c, o->at);
	if (!store)
		return tdv_error_set(err, -ENOMEM, "out of memory (X509 store)");
	if ((r = check_pck_chain(&a, store, chain, c && c->n_crls)) < 0)
		return tdv_error_set(err, r, "libcrypto failure");
	check_qe_identity(&a, q, c && c->qe_identity ? c->qe_identity : &builtin_td_qe);
	if (!c)
		collateral_free_checks(&a, o);
	else {
		if ((r = check_collateral(&a, anchor, store, c, o->at)) < 0)
			return tdv_error_set(err, r, "libcrypto failure");
		check_tcb(&a, q, sk_X509_value(chain, 0), c,
			  o->accept_tcb ? o->accept_tcb : TCB_ACCEPT_DEFAULT);
	}
	ERR_clear_error();
	*ret = a;
	return 0;
}
