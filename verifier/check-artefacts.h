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
 * configuration sits around them) or, when rtmr0_complete, exactly them and nothing else;
 * RTMR1..3 must contain them in order with nothing in between, and any other event of
 * that register is a NOTE (FAIL when strict).  An event matches on its type and SHA-384
 * digest; an event whose digest is not determined (expected_event.unknown) is named in a
 * NOTE and not matched.  One report line per expected event and per extra event.
 * -ENOMEM only.
 */
int check_expected_events(const struct eventlog *log, const struct expected_event *events,
			  size_t n_events, bool strict, bool rtmr0_complete,
			  struct check_report *rep);
