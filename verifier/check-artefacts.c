/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/check-artefacts.h"

#include "core/digest.h"
#include "core/util.h"

#include <string.h>

static bool event_is(const struct eventlog_event *ev, const struct expected_event *want)
{
	const struct eventlog_digest *d = eventlog_event_digest(ev, TCG_ALG_SHA384);
	return d && ev->type == want->type && digest_equal(d->value, want->digest, SHA384_SIZE);
}

static void event_label(const struct eventlog_event *ev, char *buf, size_t n)
{
	const char *type = eventlog_type_name(ev->type);
	_cleanup_free_ char *desc = evidence_event_describe(ev, 60);
	snprintf(buf, n, "event %zu (%s %s)", ev->index, type ? type : "unknown type",
		 desc ? desc : "");
}

/* The log's extending events of one register (CC MR index rtmr+1), in order. */
static size_t register_events(const struct eventlog *log, unsigned rtmr,
			      const struct eventlog_event **out)
{
	size_t n = 0;
	for (size_t i = 0; i < log->n_events; i++)
		if (log->events[i].type != EV_NO_ACTION &&
		    log->events[i].register_index == rtmr + 1)
			out[n++] = &log->events[i];
	return n;
}

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
		while (k < nl && !event_is(l[k], e[j]))
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

/*
 * RTMR1..3: the expected events must sit next to each other, in order, with nothing
 * between them.  Events before or after them are shown (NOTE), or refused under strict.
 */
static void check_contiguous(const struct eventlog_event **l, size_t nl,
			     const struct expected_event **e, size_t ne, bool strict,
			     const char *subject, struct check_report *rep)
{
	size_t start = 0;
	while (start < nl && !event_is(l[start], e[0]))
		start++;
	if (start == nl)
		start = 0; /* the first one is missing: align at the register's first event */
	char label[200];
	for (size_t j = 0; j < ne; j++) {
		size_t k = start + j;
		if (k >= nl)
			check_report_add(rep, CHECK_FAIL, subject, "%s: missing (the log ends)",
					 e[j]->description);
		else if (event_is(l[k], e[j]))
			check_report_add(rep, CHECK_PASS, subject, "%s: event %zu",
					 e[j]->description, l[k]->index);
		else {
			event_label(l[k], label, sizeof(label));
			check_report_add(rep, CHECK_FAIL, subject, "%s: expected, found %s",
					 e[j]->description, label);
		}
	}
	for (size_t k = 0; k < nl; k++) {
		if (k >= start && k < start + ne)
			continue;
		event_label(l[k], label, sizeof(label));
		check_report_add(rep, strict ? CHECK_FAIL : CHECK_NOTE, subject,
				 "unexpected %s %s the expected events%s", label,
				 k < start ? "before" : "after",
				 strict ? " (strict policy)" : "");
	}
}

int check_expected_events(const struct eventlog *log, const struct expected_event *events,
			  size_t n_events, bool strict, bool rtmr0_complete,
			  struct check_report *rep)
{
	_cleanup_free_ const struct eventlog_event **l = calloc(log->n_events + 1, sizeof(*l));
	_cleanup_free_ const struct expected_event **e = calloc(n_events + 1, sizeof(*e));
	if (!l || !e)
		return -ENOMEM;
	for (unsigned rtmr = 0; rtmr < 4; rtmr++) {
		size_t ne = 0;
		char subject[8];
		snprintf(subject, sizeof(subject), "RTMR%u", rtmr);
		for (size_t i = 0; i < n_events; i++) {
			if (events[i].rtmr != rtmr)
				continue;
			if (events[i].unknown)
				check_report_add(rep, CHECK_NOTE, subject, "%s: not checked (not "
						 "determined by the inputs)", events[i].description);
			else
				e[ne++] = &events[i];
		}
		if (ne == 0)
			continue; /* nothing predicted for this register */
		size_t nl = register_events(log, rtmr, l);
		/* A complete prediction leaves no room for other events. */
		if (rtmr == 0 && rtmr0_complete)
			check_contiguous(l, nl, e, ne, true, subject, rep);
		else if (rtmr == 0)
			check_subsequence(l, nl, e, ne, subject, rep);
		else
			check_contiguous(l, nl, e, ne, strict, subject, rep);
	}
	return 0;
}
