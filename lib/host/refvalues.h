/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON documents made from the expected events (expected.h): the one `tdverity-verify
 * expect --json` prints, and the reference values `refvalues` prints and the builder
 * writes as reference-values.json.
 *
 * `expect --json` (stable; new members may be added, none renamed or removed):
 *   {
 *     "firmware_profile": "edk2-202508",
 *     "qemu_kernel_patch": null | {"memory": <bytes>, "machine": "pc"|"q35",
 *                                  "acpi_data_size": <bytes>},
 *     "load_options": "<cmdline with initrd=initrd>" | null,
 *     "mrtd": "<hex>" | null,          (--firmware with --qemu-version)
 *     "firmware": null | {"tdvf_sections": N, "secure_boot": "unsupported"|"disabled",
 *                         "mrtd_qemu9": "<hex>", "mrtd_qemu8": "<hex>",
 *                         "memory": <bytes> | null},
 *     "events": [ {"index": 0, "kind": "kernel", "rtmr": 1, "pcr": 4,
 *                  "type": "EV_EFI_BOOT_SERVICES_APPLICATION", "type_id": 2147483651,
 *                  "description": "...", "determined": true,
 *                  "sha384": "<hex>" | null, "sha256": "<hex>" | null}, ... ],
 *     "rtmr": {"rtmr0": "<hex>" | null, "rtmr1": ..., "rtmr2": ..., "rtmr3": ...},
 *     "pcr": {"sha256": {"4": "<hex>", "9": ..., "15": ...}, "sha384": {...}}
 *   }
 * kind is expected_kind_name(); digests are lower-case hex, null for an event whose digest
 * the inputs do not determine ("determined": false; pcr is null for TD-only events).
 * RTMR0 is null unless expected_rtmr0_determined().  An RTMR is null when the
 * inputs do not determine it (RTMR1 without --kernel; RTMR2 without the cmdline, or
 * without the initrd); a PCR is listed only when its events are all known (4: kernel
 * given; 9: cmdline and initrd given; the rootfs PCR: manifest given).
 *
 * Reference values (reference-values.json):
 *   {
 *     "format": "tdverity-reference-values/1",
 *     "firmware_profile": "...",
 *     "rvps_sample": {"mr_td": ["<hex>"], "rtmr_0": [...] (with --firmware), "rtmr_1": [...],
 *                     "rtmr_2": [...],
 *                     "rtmr_3": [...], "tdvfkernel": [...], "tdvfkernelparams": [...]},
 *     "omitted": {"rtmr_1": "<why>", ...},
 *     "expected": <the expect document above>
 *   }
 * rvps_sample is Trustee RVPS's "sample" provenance format (name → list of accepted
 * values, lower-case hex as Trustee's TDX claims print them); base64 it into an RVPS
 * message {"version": "0.1.0", "type": "sample", "payload": ...}.  A value the inputs
 * cannot determine is left out and named in "omitted" with the reason, never invented.
 */
#pragma once

#include "core/error.h"
#include "host/expected.h"

#include <stdbool.h>
#include <stdint.h>

/* What the documents describe besides the events themselves. */
struct expected_context {
	const struct expected_inputs *inputs;
	const struct expected_event *events;
	size_t n_events;
};

/* The `expect --json` document, pretty-printed.  Caller frees. */
int expected_json_build(const struct expected_context *ctx, char **ret_json);

struct refvalues_inputs {
	struct expected_inputs expected; /* the artefacts (any subset) and the profile */
	const uint8_t *mrtd;		 /* 48 bytes, or NULL: "mr_td" omitted */
};

/*
 * Compute the events and build the reference-values document.  sample_only: print only
 * the rvps_sample object.  Caller frees *ret_json.  Errors as expected_events_compute().
 */
int refvalues_build_json(const struct refvalues_inputs *in, bool sample_only, char **ret_json,
			 struct tdv_error *err);

/* ---- Reading reference values ------------------------------------------------------ */

/*
 * Reference values as `check --reference-values` reads them: name → accepted values.
 * Accepted documents (recognised by content):
 *   - tdverity's own (above): "format": "tdverity-reference-values/1", its "rvps_sample";
 *   - Trustee RVPS's sample provenance itself: {"mr_td": ["<hex>", ...], "rtmr_1": ...}
 *     (a single string is taken as a one-value list);
 *   - the RVPS message around it: {"version": "0.1.0", "type": "sample",
 *     "payload": "<base64 of the sample object>"}.
 * Every value must be an even-length hex string of at most REFVALUE_MAX_LEN bytes.
 */
#define REFVALUE_MAX_LEN 64
#define REFVALUES_MAX_FILE (1U << 20)

struct reference_value {
	char *name;
	size_t n_values;
	size_t *lens;	  /* bytes of each value */
	uint8_t (*values)[REFVALUE_MAX_LEN];
};

struct reference_values {
	struct reference_value *v;
	size_t n;
};

/* -EINVAL (err: what and where) for a document of none of the shapes above, -ENOMEM. */
int reference_values_parse(const char *text, size_t len, struct reference_values *ret,
			   struct tdv_error *err);
/* Read (at most REFVALUES_MAX_FILE bytes) and parse; err names the file. */
int reference_values_load(const char *path, struct reference_values *ret,
			  struct tdv_error *err);
void reference_values_done(struct reference_values *rv);
/* The entry of that name, or NULL. */
const struct reference_value *reference_values_find(const struct reference_values *rv,
						    const char *name);
