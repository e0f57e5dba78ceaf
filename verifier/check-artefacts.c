/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/check-artefacts.h"

#include "core/digest.h"
#include "core/measure.h"
#include "core/util.h"

#include <string.h>

/*
 * RTMR0 carries the firmware's configuration around the few events we predict there (the
 * separator of old edk2): each expected event must appear, in order.
 */
static void check_subsequence(const struct eventlog_event **l, size_t nl,
			      const struct expected_event **e, size_t ne, const char *subject,
			      struct check_report *rep)
{
	size_t at = 0;
	for (size_t j = 0; j < ne; j++) {
		size_t k = at;
		while (k < nl && !td_event_matches(l[k], e[j]))
			k++;
		if (k < nl) {
			check_report_add(rep, CHECK_PASS, subject, "%s: event %zu",
					 e[j]->description, l[k]->index);
			at = k + 1;
		} else
			check_report_add(rep, CHECK_FAIL, subject, "%s: not in the log (in order)",
					 e[j]->description);
	}
}

int check_rtmr0_events(const struct eventlog *log, const struct expected_event *events,
		       size_t n_events, struct check_report *rep)
{
	size_t nl;
	_cleanup_free_ const struct eventlog_event **l = td_rtmr_events(log, 0, &nl);
	_cleanup_free_ const struct expected_event **e = calloc(n_events + 1, sizeof(*e));
	if (!l || !e)
		return -ENOMEM;
	size_t ne = 0;
	for (size_t i = 0; i < n_events; i++) {
		if (events[i].rtmr != 0)
			continue;
		if (events[i].unknown)
			check_report_add(rep, CHECK_NOTE, "RTMR0", "%s: not checked (not determined "
					 "by the inputs)", events[i].description);
		else
			e[ne++] = &events[i];
	}
	if (ne > 0)
		check_subsequence(l, nl, e, ne, "RTMR0", rep);
	return 0;
}

/*
 * The RTMR3 events after the boot's own: the attestation agent's runtime measurements
 * (container images, initdata, ...).  They are bound to the quote by the replay, but no
 * build artefact predicts them: an auditor reads them (NOTE), or refuses any
 * (--rtmr3-only-rootfs).
 */
int check_rtmr3_later_events(const struct eventlog *log, const struct td_pins *pins,
			     struct check_report *rep)
{
	size_t nl;
	_cleanup_free_ const struct eventlog_event **l = td_rtmr_events(log, 3, &nl);
	if (!l)
		return -ENOMEM;
	for (size_t k = pins->rtmr3_boot_events; k < nl; k++) {
		struct aael_event a;
		char label[200];
		enum check_status st = pins->rtmr3_only_rootfs ? CHECK_FAIL : CHECK_NOTE;
		const char *why = pins->rtmr3_only_rootfs ? " (--rtmr3-only-rootfs)" : "";
		if (eventlog_event_aael(l[k], &a) == 0)
			check_report_add(rep, st, "RTMR3", "runtime event after the boot's: event %zu, AAEL "
				 "\"%.*s\"%s", l[k]->index, (int)(a.text_len > 400 ? 400 : a.text_len),
				 a.text, why);
		else {
			td_event_label(l[k], label, sizeof(label));
			check_report_add(rep, st, "RTMR3", "runtime event after the boot's: %s%s", label, why);
		}
	}
	return 0;
}
