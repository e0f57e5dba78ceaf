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
 *
 * Owned by lib/host/trustee.c.
 */
#pragma once

#include "core/error.h"
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
