/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Is this TDX quote genuine, and is its platform acceptable?  Quote appraisal answers the
 * first with signatures that end in a trusted anchor, the second with Intel's collateral:
 *
 *   ak-signature   the attestation key signed header and TD report
 *   qe-binding     the QE report's REPORTDATA binds that key (SHA-256(key || auth data))
 *   pck-signature  the PCK leaf certificate signed the QE report
 *   pck-chain      the PCK chain verifies to the anchor at the evaluation time; with
 *                  collateral, every certificate of it is checked against the CRLs
 *   qe-identity    the QE report's MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES (under
 *                  their masks) are Intel's TD QE: from the collateral's QE identity, else
 *                  Intel's published values (built in)
 *   collateral     every CRL, TCB info and QE identity given is signed by a certificate that
 *                  chains to the anchor, and is current at the evaluation time
 *   tcb            the platform's TCB status (TCB info for the PCK's FMSPC: SGX components
 *                  and PCESVN from the PCK certificate, TDX components from TEE_TCB_SVN, the
 *                  TDX module identity; then the QE identity's TCB level) is accepted
 *
 * Each check is made (passed / failed), not evaluated (nothing to evaluate it with: a
 * failure for the verdict), or skipped (the caller asked: --no-tcb-check).  The quote is
 * genuine and acceptable only when every check passed, or was explicitly skipped.
 * Library code: never prints.
 */
#pragma once

#include "core/error.h"
#include "core/tdx-quote.h"
#include "host/collateral.h"

#include <stdbool.h>
#include <time.h>

enum appraise_state {
	APPRAISE_NOT_EVALUATED = 0,
	APPRAISE_PASSED,
	APPRAISE_FAILED,
	APPRAISE_SKIPPED,
};

enum appraise_check {
	APPRAISE_AK_SIGNATURE,
	APPRAISE_QE_BINDING,
	APPRAISE_PCK_SIGNATURE,
	APPRAISE_PCK_CHAIN,
	APPRAISE_QE_IDENTITY,
	APPRAISE_COLLATERAL,
	APPRAISE_TCB,
	_APPRAISE_CHECK_MAX,
};

struct appraise_result {
	enum appraise_state state;
	char reason[512]; /* what was compared with what; why it failed */
};

/* Bit (1 << status) for each accepted enum tcb_status. */
#define TCB_ACCEPT(s) (1U << (s))
#define TCB_ACCEPT_DEFAULT TCB_ACCEPT(TCB_UP_TO_DATE)

struct appraise_options {
	const uint8_t *root_ca_pem; /* NULL: Intel's production SGX Root CA (built in) */
	size_t root_ca_len;
	const struct collateral *collateral; /* NULL: collateral and TCB not evaluated */
	bool skip_tcb;		/* no collateral on purpose: collateral and TCB "skipped" */
	time_t at;		/* evaluation time: certificates, CRLs, collateral dates */
	unsigned accept_tcb;	/* TCB_ACCEPT() bits; 0 = TCB_ACCEPT_DEFAULT; Revoked never */
};

struct quote_appraisal {
	struct appraise_result checks[_APPRAISE_CHECK_MAX];
	struct tdx_quote_verdict sig; /* the collateral-free checks (and the chain subjects) */
	char anchor_subject[256];
	char anchor_spki_sha256[65];
	bool anchor_is_intel; /* the built-in anchor */
	/* TCB evaluation (TCB_STATUS_NONE where not reached) */
	enum tcb_status tcb_status; /* converged: platform, TDX module, QE */
	enum tcb_status platform_status, module_status, qe_status;
	char advisories[3 * COLLATERAL_ADVISORIES_SIZE];
	char fmspc[13];
	uint32_t tcb_eval_num;
	time_t tcb_date;
};

/* "ak-signature", "pck-chain", ...: the names used in output. */
const char *appraise_check_name(enum appraise_check c);
const char *appraise_state_name(enum appraise_state s);

/*
 * Appraise a parsed quote.  Returns 0 when the appraisal ran (its outcome, good or bad, is
 * in *ret), -EBADMSG when the quote's PCK chain or the --root-ca certificate is unreadable
 * (err), -ENOMEM / -EIO on libcrypto failures.
 */
int quote_appraise(const struct tdx_quote *q, const struct appraise_options *o,
		   struct quote_appraisal *ret, struct tdv_error *err);

/* Every check passed or was skipped on request. */
bool quote_appraisal_ok(const struct quote_appraisal *a);

/* "UpToDate,SWHardeningNeeded" -> TCB_ACCEPT bits; -EINVAL for an unknown name or Revoked
 * (err says which). */
int tcb_accept_parse(const char *list, unsigned *ret, struct tdv_error *err);
