/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What Trustee needs from a tdverity build, in Trustee's own shapes (facts from
 * confidential-containers/trustee: rvps/src/extractors/sample, attestation-service/src/
 * ear_token/ear_default_policy_cpu.rego, deps/verifier/src/tdx/claims.rs, deps/eventlog):
 *
 * The RVPS registration message (rvps-tool register, the KBS reference-value endpoint):
 *     {"version": "0.1.0", "type": "sample", "payload": "<standard base64 of the sample>"}
 * The sample: name -> value.  The default CPU policy reads, for TDX,
 *     mr_td, xfam, rtmr_1, rtmr_2 (and mr_seam, tcb_svn)  with `x in query_reference_value()`:
 *                                                          lists of lower-case hex strings
 *     tdvfkernel, tdvfkernelparams                        with `digest == ...`: one string
 * tdverity adds rtmr_0 and rtmr_3 (lists; read by no default rule) and
 * tdverity_root_hash (list: the root hashes tdverity-rootfs.rego accepts).
 * For the vTPM path (Trustee's TPM verifier: claims input.tpm.pcr00..pcr23, SHA-256 bank;
 * default rule `input.tpm.pcr11 in query_reference_value("tpm_pcr11")`): tpm_pcrNN lists
 * for the PCRs the expected events determine (4, 9, the rootfs PCR).
 *
 * Owned by lib/host/trustee.c.
 */
#pragma once

#include "core/error.h"
#include "core/eventlog.h"
#include "core/tdx-quote.h"
#include "core/verity.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trustee_sample_inputs {
	const char *refvalues_doc;     /* refvalues_build_json()'s full document */
	const struct verity_root *root; /* the build's volume: tdverity_root_hash */
	const uint8_t *xfam;	       /* 8 bytes (the TD's XFAM), or NULL: omitted */
};

/*
 * The sample (pretty JSON) and the names it leaves out with the reason (pretty JSON
 * object), from the reference-values document.  Every value Trustee's policy reads as a
 * single string must have exactly one candidate, else it is omitted.  -EINVAL (err says
 * why) on a document that is not refvalues' shape, -ENOMEM.
 */
int trustee_sample_build(const struct trustee_sample_inputs *in, char **ret_sample,
			 char **ret_omitted, struct tdv_error *err);

/* The registration message for a sample (JSON text).  -EINVAL when sample is not a JSON
 * object, -ENOMEM. */
int trustee_rvps_message(const char *sample, char **ret_message);

/*
 * Read a registration message back: exactly the members version "0.1.0", type "sample"
 * and payload (strict standard base64 of a JSON object).  *ret_sample is the decoded
 * payload text.  -EINVAL with err saying what is wrong.
 */
int trustee_rvps_message_decode(const char *message, char **ret_sample, struct tdv_error *err);

/*
 * The Rego module (package policy, rego.v1) that composes with Trustee's default CPU
 * policy: it defines tdverity_rootfs_ok (true only when the first MR-index-4 event of
 * input.tdx.uefi_event_logs is the tdverity rootfs AAEL event with digest_matches_event,
 * and its root hash is in the reference value tdverity_root_hash) and sets the AR4SI
 * file-system claim from it.  Static text.
 */
const char *trustee_rootfs_rego(void);

/*
 * Trustee's TDX claims (deps/verifier/src/tdx/claims.rs) for a quote and its event log,
 * as JSON: quote.header {version, att_key_type, tee_type, reserved, vendor_id, user_data}
 * and quote.body {tcb_svn, mr_seam, mrsigner_seam, seam_attributes, td_attributes, xfam,
 * mr_td, mr_config_id, mr_owner, mr_owner_config, rtmr_0..3, report_data [, tee_tcb_svn2,
 * mr_servicetd]} as hex of the raw bytes (v5 adds quote.type and quote.size),
 * td_attributes {debug, septve_disable, protection_keys, key_locker, perfmon},
 * report_data, init_data (= MRCONFIGID), and uefi_event_logs: per record {index (the CC MR
 * index), type_name, digests [{alg "SHA-384", digest}], event (base64), digest_matches_event
 * (every digest equals the hash of the event data), details}.  details is decoded for
 * AAEL events ({unicode_name "AAEL", string, data {domain, operation, content (JSON
 * when it parses as JSON)}}), other EV_EVENT_TAG events and EV_EFI_ACTION / EV_IPL /
 * EV_POST_CODE / EV_PLATFORM_CONFIG_FLAGS (string up to the first NUL); every other
 * type gets {} - device paths and variables are not decoded, so policy rules on those
 * (tdvfkernel's "File(kernel)") cannot be exercised with these claims.
 * log may be NULL (no uefi_event_logs, as Trustee without a CCEL).  -ENOMEM.
 */
int trustee_claims_build(const struct tdx_quote *q, const struct eventlog *log, char **ret_json);
