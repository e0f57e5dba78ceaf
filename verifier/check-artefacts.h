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

/*
 * For each RTMR with predicted events: RTMR0 must contain them in order (the firmware's
 * configuration sits around them); RTMR1..3 must contain them in order with nothing in
 * between, and any other event of that register is a NOTE (FAIL when strict).  An event
 * matches on its type and SHA-384 digest.  One report line per expected event and per
 * extra event.  -ENOMEM only.
 */
int check_expected_events(const struct eventlog *log, const struct expected_event *events,
			  size_t n_events, bool strict, struct check_report *rep);
