/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the TCG2 / CCEL event log parser, replay, recompute and description. */
#include "core/eventlog.h"
#include "verifier/evidence.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eventlog *log = NULL;
	if (eventlog_parse(data, size, &log, NULL) < 0)
		return 0;
	uint8_t regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST];
	bool used[EVENTLOG_MAX_REGISTERS];
	for (size_t i = 0; i < log->n_algs; i++)
		(void)eventlog_replay(log, log->algs[i].id, regs, used);
	for (size_t i = 0; i < log->n_events; i++) {
		const struct eventlog_event *ev = &log->events[i];
		for (uint32_t d = 0; d < ev->n_digests; d++)
			(void)eventlog_event_recompute(ev, &ev->digests[d]);
		free(evidence_event_describe(ev, 80));
	}
	/* The same records again as an attestation-agent log appended to the first. */
	(void)eventlog_append_records(log, data + log->header_len, size - log->header_len, NULL);
	eventlog_free(log);
	return 0;
}
