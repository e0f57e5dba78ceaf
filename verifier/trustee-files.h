/* SPDX-License-Identifier: Apache-2.0 */
/*
 * refvalues --trustee OUTDIR: the files handed to Trustee (README "Use with Kata and
 * Trustee"), from the reference-values document and the build's volume:
 *   rvps-message.json     the RVPS registration message (lib/host/trustee.h)
 *   rvps-sample.json      its payload, decoded, for review
 *   omitted.json          the names the policy reads that the inputs do not determine
 *   tdverity-rootfs.rego  the module that checks the rootfs event
 * OUTDIR is created, or must be an empty folder; each file is written atomically.
 */
#pragma once

#include "core/error.h"
#include "host/trustee.h"

int trustee_files_write(const char *outdir, const struct trustee_sample_inputs *in,
			struct tdv_error *err);

/* check --claims FILE: trustee_claims_build() written atomically to path. */
int trustee_claims_write(const char *path, const struct tdx_quote *q, const struct eventlog *log,
			 struct tdv_error *err);
