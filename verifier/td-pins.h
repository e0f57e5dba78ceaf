/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `check` expects of each TD measurement register, and where each expectation came
 * from.  A verdict is VERIFIED only when MRTD and RTMR0..3 are all pinned (and match) and
 * the TD attributes / XFAM policy holds; a register nobody pinned makes it PARTIAL, never
 * a pass.  MRCONFIGID, MROWNER, MROWNERCONFIG and MRSEAM are compared when pinned.
 *
 * A pin is a set of accepted 48-byte values from one source.  A new source (a firmware
 * prediction of MRTD/RTMR0, say) is one call:
 *
 *     td_pin_value(&pins, TD_REG_MRTD, PIN_ARTEFACT, "--firmware OVMF.fd", mrtd);
 *
 * Artefact pins of RTMR1..3 may also carry the predicted events (host/expected.h) so a
 * mismatch names the first event of the log that differs.
 *
 * RTMR3 is special: the attestation agent extends it at run time, after the boot.  Its
 * pins describe the register right after the boot's own events (the tdverity rootfs
 * event: `rtmr3_boot_events` of them, 1 by default, 0 when the rootfs event went to
 * RTMR2), which must be the first MR-index-4 events of the log; the events after them are
 * listed, and fail only with rtmr3_only_rootfs.
 */
#pragma once

#include "core/digest.h"
#include "core/eventlog.h"
#include "core/tdx-quote.h"
#include "host/expected.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

enum td_register {
	TD_REG_MRTD,
	TD_REG_RTMR0,
	TD_REG_RTMR1,
	TD_REG_RTMR2,
	TD_REG_RTMR3,
	/* Compared when pinned; a verdict does not need them. */
	TD_REG_MRCONFIGID,
	TD_REG_MROWNER,
	TD_REG_MROWNERCONFIG,
	TD_REG_MRSEAM,
	_TD_REG_MAX,
};
/* MRTD..RTMR3: the registers a VERIFIED verdict needs pinned. */
#define TD_REG_REQUIRED_END TD_REG_MRCONFIGID

/* "MRTD", "RTMR0", ..., "MRSEAM". */
const char *td_register_name(enum td_register r);

/* Where an expectation came from; one pin per (register, source). */
enum pin_source {
	PIN_ARTEFACT,	      /* computed from build artefacts (kernel, cmdline, manifest, firmware) */
	PIN_GIVEN,	      /* a value on the command line (--mrtd, --rtmr1, ...) */
	PIN_REFERENCE_VALUES, /* --reference-values FILE */
	_PIN_SOURCE_MAX,
};
const char *pin_source_name(enum pin_source s); /* "artefact", "given", "reference-values" */

#define PIN_MAX_VALUES 16

struct register_pin {
	bool set;
	char origin[192]; /* for people: "--mrtd", "refs.json: mr_td", "--kernel bzImage" */
	size_t n_values;
	uint8_t values[PIN_MAX_VALUES][SHA384_SIZE]; /* any one of them is accepted */
	/* Artefact pins of RTMR1..3: the events predicted for the register (not owned). */
	const struct expected_event *const *events;
	size_t n_events;
};

/* An 8-byte quote field (TDATTRIBUTES, XFAM) must satisfy (field & mask) == value & mask. */
struct attr_policy {
	uint8_t value[8], mask[8];
	char origin[192];
};

struct td_pins {
	struct register_pin pin[_TD_REG_MAX][_PIN_SOURCE_MAX];
	struct attr_policy td_attributes, xfam;
	/* Accepted exact XFAM / TDATTRIBUTES values from reference values (0: none). */
	size_t n_xfam_values, n_attr_values;
	uint8_t xfam_values[PIN_MAX_VALUES][8], attr_values[PIN_MAX_VALUES][8];
	char xfam_values_origin[192], attr_values_origin[192];
	unsigned rtmr3_boot_events; /* 1 (rootfs event in RTMR3) or 0 (it went to RTMR2) */
	/* Reference-value names check does not hold the quote against (tdvfkernel, ...),
	 * comma-separated: shown, so nothing given is silently taken as checked. */
	char unused_refvalues[256];
	bool rtmr3_only_rootfs;	    /* any later RTMR3 event is a failure */
};

/*
 * Nothing pinned; the default attributes policy: TDATTRIBUTES bits 0..7 (TUD: DEBUG and
 * the bits reserved for debug features) clear, XFAM unconstrained.
 */
void td_pins_init(struct td_pins *p);

/*
 * Add an accepted value to the (register, source) pin, creating it with origin (copied)
 * on first use.  -E2BIG past PIN_MAX_VALUES, -EINVAL for a bad register or source.
 */
int td_pin_value(struct td_pins *p, enum td_register r, enum pin_source s, const char *origin,
		 const uint8_t value[SHA384_SIZE]);

/*
 * "HEX" or "HEX/MASK" (16 hex digits each, bytes as the quote stores them, as `quote`
 * prints them) into a policy; no mask = every bit must equal.  -EINVAL when malformed.
 */
int attr_policy_parse(const char *text, const char *origin, struct attr_policy *ret);

/* The outcome of one row of the register table. */
enum pin_verdict { PIN_PASS, PIN_FAIL, PIN_UNPINNED };

struct pin_row {
	enum td_register reg; /* _TD_REG_MAX for the TDATTRIBUTES / XFAM rows */
	const char *name;     /* "MRTD" ... "TDATTRIBUTES", "XFAM" */
	enum pin_verdict verdict;
	const char *source;	      /* pin_source_name(), "policy", or NULL (unpinned) */
	const char *origin;	      /* the pin's origin, or a hint what would pin it */
	char expected[2 * PIN_MAX_VALUES * SHA384_SIZE + PIN_MAX_VALUES]; /* hex; " | " between */
	char seen[2 * SHA384_SIZE + 1];
	char difference[320]; /* the first differing event, or why it failed; "" */
};

struct pin_table {
	struct pin_row *rows;
	size_t n;
	bool oom;
};

/*
 * Evaluate every pin against a parsed quote and the log of the same boot (CC MR log, its
 * SHA-384 replay already checked against the quote by the caller; log_replays_quote[i]
 * says whether RTMRi did).  One row per pin, one per unpinned register MRTD..RTMR3, one
 * for TDATTRIBUTES and XFAM.  Free with pin_table_done().
 */
void td_pins_evaluate(const struct td_pins *p, const struct tdx_quote *q,
		      const struct eventlog *log, const bool log_replays_quote[4],
		      struct pin_table *ret);
void pin_table_done(struct pin_table *t);

bool pin_table_failed(const struct pin_table *t);
/* Unpinned registers, comma-separated ("MRTD, RTMR0"), "" when none. */
void pin_table_unpinned(const struct pin_table *t, char *buf, size_t n);

void pin_table_print(FILE *f, const struct pin_table *t);
struct json_object *pin_table_json(const struct pin_table *t);


/* The log's extending events of RTMR rtmr (CC MR index rtmr + 1), in order; NULL when out
 * of memory.  Caller frees the array (not the events). */
const struct eventlog_event **td_rtmr_events(const struct eventlog *log, unsigned rtmr,
					     size_t *ret_n);
/* An event is the predicted one: same type and SHA-384 digest. */
bool td_event_matches(const struct eventlog_event *ev, const struct expected_event *want);
/* "event 14 (EV_EFI_ACTION "Calling ...")" for people. */
void td_event_label(const struct eventlog_event *ev, char *buf, size_t n);
