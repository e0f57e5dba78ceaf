/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `check`'s pinning options and how they become td_pins (verifier/td-pins.h):
 *   --mrtd --rtmr0 .. --rtmr3 --mrconfigid --mrowner --mrownerconfig --mrseam HEX   given
 *   --reference-values FILE                                            reference values
 *   --initdata FILE (MRCONFIGID), and the build artefacts (expect-inputs.h: --firmware
 *   pins MRTD and RTMR0, --kernel RTMR1, the cmdline RTMR2, --manifest RTMR3)  artefacts
 *   --td-attributes HEX[/MASK] --xfam HEX[/MASK]                       the attributes policy
 *   --rtmr3-only-rootfs                                                nothing after rootfs
 */
#pragma once

#include "verifier/expect-inputs.h"
#include "verifier/td-pins.h"

#include <getopt.h>

struct check_pin_args {
	const char *given[_TD_REG_MAX]; /* hex, by register */
	const char *reference_values, *initdata, *td_attributes, *xfam;
	bool rtmr3_only_rootfs;
};

/* Long options 0x200.. for getopt_long; check_pin_args_take() consumes them. */
#define CHECK_PIN_LONG_OPTIONS                                                         \
	{ "mrtd", required_argument, NULL, 0x200 + TD_REG_MRTD },                      \
	{ "rtmr0", required_argument, NULL, 0x200 + TD_REG_RTMR0 },                    \
	{ "rtmr1", required_argument, NULL, 0x200 + TD_REG_RTMR1 },                    \
	{ "rtmr2", required_argument, NULL, 0x200 + TD_REG_RTMR2 },                    \
	{ "rtmr3", required_argument, NULL, 0x200 + TD_REG_RTMR3 },                    \
	{ "mrconfigid", required_argument, NULL, 0x200 + TD_REG_MRCONFIGID },          \
	{ "mrowner", required_argument, NULL, 0x200 + TD_REG_MROWNER },                \
	{ "mrownerconfig", required_argument, NULL, 0x200 + TD_REG_MROWNERCONFIG },    \
	{ "mrseam", required_argument, NULL, 0x200 + TD_REG_MRSEAM },                  \
	{ "reference-values", required_argument, NULL, 0x220 },                        \
	{ "initdata", required_argument, NULL, 0x221 },                                \
	{ "td-attributes", required_argument, NULL, 0x222 },                           \
	{ "xfam", required_argument, NULL, 0x223 },                                    \
	{ "rtmr3-only-rootfs", no_argument, NULL, 0x224 }

#define CHECK_PIN_OPTIONS_HELP                                                         \
	"Pinning (VERIFIED needs MRTD and RTMR0-3 pinned; anything unpinned is PARTIAL):\n" \
	"  --mrtd HEX, --rtmr0 HEX, --rtmr1 HEX, --rtmr2 HEX, --rtmr3 HEX\n"         \
	"                           an expected register value (96 hex digits); RTMR3 is\n" \
	"                           the value right after the rootfs event\n"          \
	"  --mrconfigid HEX, --mrowner HEX, --mrownerconfig HEX, --mrseam HEX\n"       \
	"                           compared when given\n"                            \
	"  --reference-values FILE  tdverity's reference-values.json, Trustee's RVPS sample\n" \
	"                           object or the RVPS message around it (mr_td, rtmr_0..3,\n" \
	"                           mr_config_id, mr_owner, mr_owner_config, mr_seam, xfam,\n" \
	"                           td_attributes)\n"                                   \
	"  --initdata FILE          the Kata initdata TOML: pins MRCONFIGID as Kata sets it\n" \
	"  --td-attributes HEX[/MASK], --xfam HEX[/MASK]\n"                              \
	"                           the attributes policy (16 hex digits, bytes as in the\n" \
	"                           quote); default: TDATTRIBUTES bits 0-7 (DEBUG) clear,\n" \
	"                           XFAM any\n"                                         \
	"  --rtmr3-only-rootfs      any RTMR3 event after the rootfs event is a failure\n"

/* true when opt was one of the options above (value stored). */
bool check_pin_args_take(struct check_pin_args *a, int opt, const char *value);

/* What the artefact pins point to; lives as long as the pins are used. */
struct check_pins_state {
	const struct expected_event *by_rtmr[4][64];
	size_t n_by_rtmr[4];
};

/*
 * Build the pins from the options, the loaded artefacts (st, NULL when none) and their
 * predicted events.  On failure prints one line ("tdverity-verify check: ...") and
 * returns VERIFY_USAGE (a malformed value) or VERIFY_BAD_INPUT (an unreadable or
 * malformed file); VERIFY_OK otherwise.
 */
int check_pins_build(const struct check_pin_args *a, const struct expect_args *art,
		     const struct expect_state *st, const struct expected_event *events,
		     size_t n_events, struct check_pins_state *state, struct td_pins *ret);
