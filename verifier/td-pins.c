/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/td-pins.h"

#include "core/measure.h"
#include "core/util.h"
#include "verifier/evidence.h"

#include <string.h>

static const char *const register_names[_TD_REG_MAX] = {
	[TD_REG_MRTD] = "MRTD",		  [TD_REG_RTMR0] = "RTMR0",
	[TD_REG_RTMR1] = "RTMR1",	  [TD_REG_RTMR2] = "RTMR2",
	[TD_REG_RTMR3] = "RTMR3",	  [TD_REG_MRCONFIGID] = "MRCONFIGID",
	[TD_REG_MROWNER] = "MROWNER",	  [TD_REG_MROWNERCONFIG] = "MROWNERCONFIG",
	[TD_REG_MRSEAM] = "MRSEAM",
};

/* What would pin an unpinned register: the hint on its row. */
static const char *const unpinned_hints[TD_REG_REQUIRED_END] = {
	[TD_REG_MRTD] = "unpinned: give --firmware, --mrtd or --reference-values (mr_td)",
	[TD_REG_RTMR0] = "unpinned: give --firmware (with the VM shape), --rtmr0 or --reference-values (rtmr_0)",
	[TD_REG_RTMR1] = "unpinned: give --kernel, --rtmr1 or --reference-values (rtmr_1)",
	[TD_REG_RTMR2] = ("unpinned: give --cmdline/--manifest (and --initrd), --rtmr2 or "
			  "--reference-values (rtmr_2)"),
	[TD_REG_RTMR3] = "unpinned: give --manifest, --rtmr3 or --reference-values (rtmr_3)",
};

const char *td_register_name(enum td_register r)
{
	return (unsigned)r < _TD_REG_MAX ? register_names[r] : NULL;
}

const char *pin_source_name(enum pin_source s)
{
	switch (s) {
	case PIN_ARTEFACT: return "artefact";
	case PIN_GIVEN: return "given";
	case PIN_REFERENCE_VALUES: return "reference-values";
	default: return NULL;
	}
}

void td_pins_init(struct td_pins *p)
{
	*p = (struct td_pins){ .rtmr3_boot_events = 1 };
	/* TUD bits 0..7: DEBUG and the bits reserved for future debug features.  A TD whose
	 * host may debug it has RTMRs and REPORTDATA that prove nothing. */
	p->td_attributes.mask[0] = 0xff;
	snprintf(p->td_attributes.origin, sizeof(p->td_attributes.origin),
		 "default policy: TUD bits 0-7 (DEBUG) clear");
	snprintf(p->xfam.origin, sizeof(p->xfam.origin),
		 "default policy: any (give --xfam to pin it)");
}

int td_pin_value(struct td_pins *p, enum td_register r, enum pin_source s, const char *origin,
		 const uint8_t value[SHA384_SIZE])
{
	if ((unsigned)r >= _TD_REG_MAX || (unsigned)s >= _PIN_SOURCE_MAX)
		return -EINVAL;
	struct register_pin *pin = &p->pin[r][s];
	if (!pin->set) {
		pin->set = true;
		snprintf(pin->origin, sizeof(pin->origin), "%s", origin ? origin : "");
	}
	if (pin->n_values == PIN_MAX_VALUES)
		return -E2BIG;
	memcpy(pin->values[pin->n_values++], value, SHA384_SIZE);
	return 0;
}

int attr_policy_parse(const char *text, const char *origin, struct attr_policy *ret)
{
	struct attr_policy a = { 0 };
	char value[17];
	const char *slash = strchr(text, '/');
	size_t vlen = slash ? (size_t)(slash - text) : strlen(text);
	if (vlen != 16)
		return -EINVAL;
	memcpy(value, text, 16);
	value[16] = 0;
	if (hex_decode_exact(value, a.value, 8) < 0)
		return -EINVAL;
	if (slash) {
		if (hex_decode_exact(slash + 1, a.mask, 8) < 0)
			return -EINVAL;
	} else
		memset(a.mask, 0xff, 8);
	snprintf(a.origin, sizeof(a.origin), "%s", origin);
	*ret = a;
	return 0;
}

/* ---- evaluation ----------------------------------------------------------------- */

static struct pin_row *row_add(struct pin_table *t, enum td_register reg, const char *name)
{
	struct pin_row *rows = reallocarray(t->rows, t->n + 1, sizeof(*rows));
	if (!rows) {
		t->oom = true; /* counted as a failure: never "verified" on doubt */
		return NULL;
	}
	t->rows = rows;
	struct pin_row *row = &rows[t->n++];
	*row = (struct pin_row){ .reg = reg, .name = name };
	return row;
}

static void hex_list(char *buf, size_t n, const uint8_t (*values)[SHA384_SIZE], size_t count,
		     size_t len)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; i < count && at + 2 * len + 4 < n; i++) {
		if (i > 0)
			at += (size_t)snprintf(buf + at, n - at, " | ");
		hex_encode(values[i], len, buf + at);
		at += 2 * len;
	}
}

const struct eventlog_event **td_rtmr_events(const struct eventlog *log, unsigned rtmr,
						     size_t *ret_n)
{
	const struct eventlog_event **out = calloc(log->n_events + 1, sizeof(*out));
	size_t n = 0;
	for (size_t i = 0; out && i < log->n_events; i++)
		if (log->events[i].type != EV_NO_ACTION && log->events[i].register_index == rtmr + 1)
			out[n++] = &log->events[i];
	*ret_n = n;
	return out;
}

bool td_event_matches(const struct eventlog_event *ev, const struct expected_event *want)
{
	const struct eventlog_digest *d = eventlog_event_digest(ev, TCG_ALG_SHA384);
	return d && ev->type == want->type && digest_equal(d->value, want->digests[HASH_SHA384], SHA384_SIZE);
}

void td_event_label(const struct eventlog_event *ev, char *buf, size_t n)
{
	const char *type = eventlog_type_name(ev->type);
	_cleanup_free_ char *desc = evidence_event_describe(ev, 80);
	snprintf(buf, n, "event %zu (%s %s)", ev->index, type ? type : "unknown type",
		 desc ? desc : "");
}

/*
 * The first place where the log's events of a register differ from the predicted ones:
 * for RTMR3 only the first `limit` log events count (the boot's part), else all.
 */
static void first_difference(const struct eventlog_event **l, size_t nl,
			     const struct expected_event *const *e, size_t ne, char *buf,
			     size_t n)
{
	char label[240];
	for (size_t j = 0; j < ne || j < nl; j++) {
		if (j >= nl) {
			snprintf(buf, n, "expected %s: the log has no more events here",
				 e[j]->description);
			return;
		}
		td_event_label(l[j], label, sizeof(label));
		if (j >= ne) {
			snprintf(buf, n, "%s after the expected events", label);
			return;
		}
		if (!td_event_matches(l[j], e[j])) {
			snprintf(buf, n, "%s where %s was expected", label, e[j]->description);
			return;
		}
	}
	snprintf(buf, n, "every event as expected: the log does not replay to the quote");
}

/* The value RTMR3 had after its first k log events. */
static void replay_prefix(const struct eventlog_event **l, size_t nl, size_t k,
			  uint8_t ret[SHA384_SIZE])
{
	memset(ret, 0, SHA384_SIZE);
	for (size_t i = 0; i < k && i < nl; i++) {
		const struct eventlog_digest *d = eventlog_event_digest(l[i], TCG_ALG_SHA384);
		if (d)
			(void)mr_extend(HASH_SHA384, ret, d->value);
	}
}

static const uint8_t *quote_register(const struct tdx_quote *q, enum td_register r)
{
	switch (r) {
	case TD_REG_MRTD: return q->td.mrtd;
	case TD_REG_RTMR0: case TD_REG_RTMR1: case TD_REG_RTMR2: case TD_REG_RTMR3:
		return q->td.rtmr[r - TD_REG_RTMR0];
	case TD_REG_MRCONFIGID: return q->td.mrconfigid;
	case TD_REG_MROWNER: return q->td.mrowner;
	case TD_REG_MROWNERCONFIG: return q->td.mrownerconfig;
	case TD_REG_MRSEAM: return q->td.mrseam;
	default: return NULL;
	}
}

struct eval_ctx {
	const struct td_pins *p;
	const struct tdx_quote *q;
	const bool *log_replays_quote;
	const struct eventlog_event **rtmr_events[4];
	size_t n_rtmr_events[4];
};

static void evaluate_pin(const struct eval_ctx *c, enum td_register r, enum pin_source s,
			 struct pin_table *t)
{
	const struct register_pin *pin = &c->p->pin[r][s];
	struct pin_row *row = row_add(t, r, register_names[r]);
	if (!row)
		return;
	row->source = pin_source_name(s);
	row->origin = pin->origin;
	hex_list(row->expected, sizeof(row->expected), pin->values, pin->n_values, SHA384_SIZE);

	uint8_t seen[SHA384_SIZE];
	bool is_rtmr = r >= TD_REG_RTMR0 && r <= TD_REG_RTMR3;
	unsigned rtmr = is_rtmr ? (unsigned)(r - TD_REG_RTMR0) : 0;
	const struct eventlog_event **l = is_rtmr ? c->rtmr_events[rtmr] : NULL;
	size_t nl = is_rtmr ? c->n_rtmr_events[rtmr] : 0;
	if (r == TD_REG_RTMR3) /* the register right after the boot's own events */
		replay_prefix(l, nl, c->p->rtmr3_boot_events, seen);
	else
		memcpy(seen, quote_register(c->q, r), SHA384_SIZE);
	hex_encode(seen, SHA384_SIZE, row->seen);

	bool match = false;
	for (size_t i = 0; i < pin->n_values; i++)
		match |= digest_equal(pin->values[i], seen, SHA384_SIZE);
	/* RTMR3's value comes from the log: only a log that replays to the quote counts. */
	if (r == TD_REG_RTMR3 && !c->log_replays_quote[3]) {
		row->verdict = PIN_FAIL;
		snprintf(row->difference, sizeof(row->difference),
			 "the event log does not replay to the quote's RTMR3");
		return;
	}
	row->verdict = match ? PIN_PASS : PIN_FAIL;
	if (match || !is_rtmr)
		return;
	if (pin->events) {
		size_t upto = r == TD_REG_RTMR3 && nl > c->p->rtmr3_boot_events
				      ? c->p->rtmr3_boot_events
				      : nl;
		first_difference(l, upto, pin->events, pin->n_events, row->difference,
				 sizeof(row->difference));
	} else if (!c->log_replays_quote[rtmr])
		snprintf(row->difference, sizeof(row->difference),
			 "the event log does not replay to the quote's %s", register_names[r]);
}

static void evaluate_attributes(const char *name, const uint8_t field[8],
				const struct attr_policy *policy, const uint8_t (*values)[8],
				size_t n_values, const char *values_origin, struct pin_table *t)
{
	struct pin_row *row = row_add(t, _TD_REG_MAX, name);
	if (!row)
		return;
	hex_encode(field, 8, row->seen);
	bool ok = true;
	for (int i = 0; i < 8; i++)
		ok &= (field[i] & policy->mask[i]) == (policy->value[i] & policy->mask[i]);
	char v[17], m[17];
	hex_encode(policy->value, 8, v);
	hex_encode(policy->mask, 8, m);
	snprintf(row->expected, sizeof(row->expected), "%s/%s", v, m);
	row->source = "policy";
	row->origin = policy->origin;
	if (!ok)
		snprintf(row->difference, sizeof(row->difference),
			 "bits outside the policy: (%s & %s) != %s", row->seen, m, v);
	if (n_values > 0) {
		bool listed = false;
		for (size_t i = 0; i < n_values; i++)
			listed |= memcmp(values[i], field, 8) == 0;
		if (!listed && ok)
			snprintf(row->difference, sizeof(row->difference),
				 "not one of the accepted values of %s", values_origin);
		ok &= listed;
	}
	row->verdict = ok ? PIN_PASS : PIN_FAIL;
}

void td_pins_evaluate(const struct td_pins *p, const struct tdx_quote *q,
		      const struct eventlog *log, const bool log_replays_quote[4],
		      struct pin_table *ret)
{
	struct pin_table t = { 0 };
	struct eval_ctx c = { .p = p, .q = q, .log_replays_quote = log_replays_quote };
	for (unsigned i = 0; i < 4; i++) {
		c.rtmr_events[i] = td_rtmr_events(log, i, &c.n_rtmr_events[i]);
		t.oom |= !c.rtmr_events[i];
	}
	for (int r = 0; !t.oom && r < _TD_REG_MAX; r++) {
		bool any = false;
		for (int s = 0; s < _PIN_SOURCE_MAX; s++)
			if (p->pin[r][s].set) {
				evaluate_pin(&c, (enum td_register)r, (enum pin_source)s, &t);
				any = true;
			}
		if (any || r >= TD_REG_REQUIRED_END)
			continue;
		struct pin_row *row = row_add(&t, (enum td_register)r, register_names[r]);
		if (row) {
			row->verdict = PIN_UNPINNED;
			row->origin = unpinned_hints[r];
			hex_encode(quote_register(q, (enum td_register)r), SHA384_SIZE, row->seen);
		}
	}
	evaluate_attributes("TDATTRIBUTES", q->td.td_attributes, &p->td_attributes,
			    p->attr_values, p->n_attr_values, p->attr_values_origin, &t);
	evaluate_attributes("XFAM", q->td.xfam, &p->xfam, p->xfam_values, p->n_xfam_values,
			    p->xfam_values_origin, &t);
	for (unsigned i = 0; i < 4; i++)
		free(c.rtmr_events[i]);
	*ret = t;
}

void pin_table_done(struct pin_table *t)
{
	free(t->rows);
	*t = (struct pin_table){ 0 };
}

bool pin_table_failed(const struct pin_table *t)
{
	if (t->oom)
		return true;
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].verdict == PIN_FAIL)
			return true;
	return false;
}

void pin_table_unpinned(const struct pin_table *t, char *buf, size_t n)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; i < t->n && at < n; i++)
		if (t->rows[i].verdict == PIN_UNPINNED)
			at += (size_t)snprintf(buf + at, n - at, "%s%s", at ? ", " : "",
					       t->rows[i].name);
}

static const char *verdict_word(enum pin_verdict v)
{
	return v == PIN_PASS ? "PASS" : v == PIN_FAIL ? "FAIL" : "UNPINNED";
}

void pin_table_print(FILE *f, const struct pin_table *t)
{
	fprintf(f, "%-13s %-8s %-17s %s\n", "register", "verdict", "source", "expected / seen");
	for (size_t i = 0; i < t->n; i++) {
		const struct pin_row *r = &t->rows[i];
		fprintf(f, "%-13s %-8s %-17s %s\n", r->name, verdict_word(r->verdict),
			r->source ? r->source : "-", r->origin);
		if (r->expected[0])
			fprintf(f, "%-40s expected %s\n", "", r->expected);
		fprintf(f, "%-40s seen     %s\n", "", r->seen);
		if (r->difference[0])
			fprintf(f, "%-40s differs: %s\n", "", r->difference);
	}
	if (t->oom)
		fprintf(f, "%-13s FAIL     out of memory while checking\n", "registers");
}

struct json_object *pin_table_json(const struct pin_table *t)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < t->n; i++) {
		const struct pin_row *r = &t->rows[i];
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "register", json_object_new_string(r->name));
		json_object_object_add(o, "verdict",
				       json_object_new_string(r->verdict == PIN_PASS ? "pass"
							      : r->verdict == PIN_FAIL ? "fail"
										 : "unpinned"));
		json_object_object_add(o, "source",
				       r->source ? json_object_new_string(r->source) : NULL);
		json_object_object_add(o, "origin", json_object_new_string(r->origin));
		struct json_object *exp = json_object_new_array();
		/* the list as printed, split back into its values */
		if (r->expected[0]) {
			_cleanup_free_ char *copy = strdup(r->expected);
			char *save = NULL;
			for (char *tok = copy ? strtok_r(copy, " |", &save) : NULL; tok;
			     tok = strtok_r(NULL, " |", &save))
				json_object_array_add(exp, json_object_new_string(tok));
		}
		json_object_object_add(o, "expected", exp);
		json_object_object_add(o, "seen", json_object_new_string(r->seen));
		json_object_object_add(o, "first_difference",
				       r->difference[0] ? json_object_new_string(r->difference)
							: NULL);
		json_object_array_add(a, o);
	}
	return a;
}
