/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The quote-appraisal options shared by `quote` and `check`:
 *   --root-ca PEM --collateral DIR --accept-tcb LIST --at TIME --no-tcb-check
 * their resolution into struct appraise_options (host/quote-appraise.h), and the report
 * lines and JSON of an appraisal.
 */
#pragma once

#include "verifier/check-report.h"

#include "host/quote-appraise.h"

#include <json-c/json.h>
#include <stdbool.h>

struct appraise_args {
	const char *root_ca, *collateral, *accept_tcb, *at;
	bool no_tcb_check;
};

/* Owns what the options point to. */
struct appraise_setup {
	struct appraise_options opts;
	uint8_t *root_pem;
	struct collateral *collateral;
};

/* Long options 0x180.. for getopt_long; appraise_args_take() consumes them. */
#define APPRAISE_LONG_OPTIONS                                                          \
	{ "root-ca", required_argument, NULL, 0x180 },                                 \
	{ "collateral", required_argument, NULL, 0x181 },                              \
	{ "accept-tcb", required_argument, NULL, 0x182 },                              \
	{ "at", required_argument, NULL, 0x183 },                                      \
	{ "no-tcb-check", no_argument, NULL, 0x184 }

#define APPRAISE_OPTIONS_HELP                                                          \
	"  --root-ca PEM        trust anchor for the PCK chain and the collateral\n"     \
	"                       (default: Intel's production SGX Root CA, built in)\n"   \
	"  --collateral DIR     Intel PCS collateral: TCB info, TD QE identity, PCK and\n" \
	"                       root CA CRLs with their issuer chains (any file names)\n" \
	"  --accept-tcb LIST    TCB statuses that pass (default UpToDate; Revoked never)\n" \
	"  --at TIME            evaluation time, YYYY-MM-DDTHH:MM:SSZ or @SECONDS\n"     \
	"                       (default: now)\n"                                        \
	"  --no-tcb-check       no collateral on purpose: TCB status and revocation are\n" \
	"                       reported as skipped instead of failing the verdict\n"

/* true when opt was one of the options above (value stored). */
bool appraise_args_take(struct appraise_args *a, int opt, const char *value);

/* Resolve the arguments.  On failure prints one error line ("tdverity-verify <verb>: ...")
 * and returns VERIFY_USAGE or VERIFY_BAD_INPUT; VERIFY_OK otherwise. */
int appraise_setup_load(const char *verb, const struct appraise_args *a,
			struct appraise_setup *ret);
void appraise_setup_done(struct appraise_setup *s);

/* One report line per check: passed PASS; failed or not evaluated FAIL; skipped NOTE. */
void appraise_report(const struct quote_appraisal *a, struct check_report *rep);
/* {"genuine": bool, "checks": {"ak-signature": {"state": ..., "reason": ...}, ...},
 *  "anchor": {...}, "tcb": {"status": ..., "platform": ..., "advisories": [...]}} */
struct json_object *appraise_json(const struct quote_appraisal *a);
