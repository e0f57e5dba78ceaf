/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `check` with build artefacts: hold a replayed event log against the events an honest
 * boot of those artefacts measures (host/expected.h).
 */
#pragma once

#include "core/eventlog.h"
#include "host/expected.h"
#include "verifier/check-report.h"
#include "verifier/evidence.h"
#include "verifier/td-pins.h"

/*
 * The events predicted for RTMR0 (the old edk2's separator) must be in the log's RTMR0 in
 * order; the firmware's configuration sits around them.  Not a pin of RTMR0: only its
 * predicted part.  An event matches on its type and SHA-384 digest; one whose digest is
 * not determined (expected_event.unknown) is named in a NOTE.  One report line per
 * expected event.  -ENOMEM only.  (RTMR1..3 are held against their pins: td-pins.h.)
 */
int check_rtmr0_events(const struct eventlog *log, const struct expected_event *events,
		       size_t n_events, struct check_report *rep);

/* One line per RTMR3 event after the boot's own (AAEL domain, operation, content): a
 * NOTE, or a FAIL with pins->rtmr3_only_rootfs.  -ENOMEM only. */
int check_rtmr3_later_events(const struct eventlog *log, const struct td_pins *pins,
			     struct check_report *rep);
