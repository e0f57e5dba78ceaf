/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel PCS collateral for TDX quotes, read offline: TCB info (v3, id "TDX"), TD QE
 * identity (v2, id "TD_QE"), CRLs (PCK Platform CA, PCK Processor CA, Root CA) and the
 * issuer certificates that came with them.  Files are recognised by their content, never by
 * their names, in the forms Intel's PCS and PCCS hand them out:
 *
 *   {"tcbInfo":{...},"signature":"<hex r||s>"}           TCB info for one FMSPC
 *   {"enclaveIdentity":{...},"signature":"<hex r||s>"}   QE identity
 *   a CRL: DER, PEM ("-----BEGIN X509 CRL-----") or hex-encoded DER
 *   certificates: PEM, or the URL-encoded PEM of the issuer-chain HTTP headers
 *
 * Parsing checks form only (strict JSON through json-c, every field typed and bounded);
 * signatures, freshness and revocation are checked by quote appraisal
 * (host/quote-appraise.h), which knows the trust anchor and the evaluation time.
 * The signed bytes of a JSON document are the raw bytes of its "tcbInfo" /
 * "enclaveIdentity" value exactly as they appear in the file.  Library code: never prints.
 */
#pragma once

#include "core/error.h"

#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define COLLATERAL_MAX_FILE_SIZE (1U << 20)
#define COLLATERAL_MAX_FILES 64
#define COLLATERAL_MAX_LEVELS 128
#define COLLATERAL_ADVISORIES_SIZE 512

/* Intel's TCB status values, best first.  TCB_STATUS_NONE: not evaluated. */
enum tcb_status {
	TCB_STATUS_NONE = 0,
	TCB_UP_TO_DATE,
	TCB_SW_HARDENING_NEEDED,
	TCB_CONFIGURATION_NEEDED,
	TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
	TCB_OUT_OF_DATE,
	TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
	TCB_REVOKED,
	_TCB_STATUS_MAX,
};
/* Intel's spelling ("UpToDate", ...); "not evaluated" for TCB_STATUS_NONE. */
const char *tcb_status_name(enum tcb_status s);
/* The status of Intel's spelling, or TCB_STATUS_NONE for anything else. */
enum tcb_status tcb_status_from_name(const char *name);

/* What a TCB level says: status, date, advisory IDs ("INTEL-SA-00001,INTEL-SA-00002"). */
struct tcb_level_info {
	enum tcb_status status;
	time_t date;
	char advisories[COLLATERAL_ADVISORIES_SIZE];
};

struct tdx_tcb_level {
	uint8_t sgx_svn[16]; /* sgxtcbcomponents[0..15] (PCK TCB comps 1..16) */
	uint16_t pcesvn;
	uint8_t tdx_svn[16]; /* tdxtcbcomponents[0..15] (TEE_TCB_SVN bytes) */
	struct tcb_level_info info;
};

struct isv_tcb_level {
	uint16_t isvsvn;
	struct tcb_level_info info;
};

struct tdx_module_identity {
	uint8_t version; /* "TDX_01" -> 1: TEE_TCB_SVN[1] of the module it describes */
	uint8_t mrsigner[48];
	uint8_t attributes[8], attributes_mask[8];
	struct isv_tcb_level *levels;
	size_t n_levels;
};

/* What both signed documents share. */
struct collateral_signed {
	char source[256];	/* the file it came from, for messages */
	uint8_t *body;		/* raw bytes of the signed value (owned) */
	size_t body_len;
	uint8_t signature[64];	/* ECDSA-P256 r||s over body, SHA-256 */
	time_t issue_date, next_update;
	uint32_t tcb_eval_num;
};

struct tcb_info {
	struct collateral_signed sig;
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	bool has_module;	/* "tdxModule": the TDX 1.0 module identity */
	uint8_t module_mrsigner[48];
	uint8_t module_attributes[8], module_attributes_mask[8];
	struct tdx_module_identity *modules; /* "tdxModuleIdentities" (TDX 1.5) */
	size_t n_modules;
	struct tdx_tcb_level *levels;	/* in file order: the first match wins */
	size_t n_levels;
};

struct qe_identity {
	struct collateral_signed sig;
	uint32_t miscselect, miscselect_mask; /* as little-endian u32 in the QE report */
	uint8_t attributes[16], attributes_mask[16];
	uint8_t mrsigner[32];
	uint16_t isvprodid;
	struct isv_tcb_level *levels;
	size_t n_levels;
};

struct collateral_crl {
	char source[256];
	X509_CRL *crl;
};

struct collateral {
	struct tcb_info *tcb_infos;
	size_t n_tcb_infos;
	struct qe_identity *qe_identity; /* at most one */
	struct collateral_crl *crls;
	size_t n_crls;
	STACK_OF(X509) *certs; /* issuer certificates, untrusted until chained to the anchor */
};

struct collateral *collateral_new(void);
void collateral_free(struct collateral *c);

/*
 * Recognise one file's content and add it.  name is used in messages only.  -EBADMSG
 * (err: what, where, why) for a file that is not collateral or is malformed, -EOPNOTSUPP
 * for collateral of a kind not handled (SGX TCB info, other versions), -EEXIST for a
 * second QE identity or a second TCB info for the same FMSPC, -ENOMEM.
 */
int collateral_add(struct collateral *c, const char *name, const uint8_t *buf, size_t len,
		   struct tdv_error *err);

/* Read every regular file of dir (sorted by name; dot files skipped) with collateral_add. */
int collateral_load_dir(const char *dir, struct collateral **ret, struct tdv_error *err);

/* The TCB info for an FMSPC, or NULL. */
const struct tcb_info *collateral_tcb_info(const struct collateral *c, const uint8_t fmspc[6]);

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) -> seconds since the epoch; -EINVAL otherwise. */
int collateral_parse_time(const char *s, time_t *ret);
