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
