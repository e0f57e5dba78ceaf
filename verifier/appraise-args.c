/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/appraise-args.h"
#include "verifier/evidence.h"
#include "verifier/verbs.h"

#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool appraise_args_take(struct appraise_args *a, int opt, const char *value)
{
	switch (opt) {
	case 0x180: a->root_ca = value; return true;
	case 0x181: a->collateral = value; return true;
	case 0x182: a->accept_tcb = value; return true;
	case 0x183: a->at = value; return true;
	case 0x184: a->no_tcb_check = true; return true;
	default: return false;
	}
}

static int parse_at(const char *s, time_t *ret)
{
	if (s[0] == '@') {
		char *end;
		errno = 0;
		long long v = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || *end || v < 0)
			return -EINVAL;
		*ret = (time_t)v;
		return 0;
	}
	return collateral_parse_time(s, ret);
}

int appraise_setup_load(const char *verb, const struct appraise_args *a,
			struct appraise_setup *ret)
{
	struct appraise_setup s = { .opts = { .at = time(NULL), .skip_tcb = a->no_tcb_check } };
	struct tdv_error err = { { 0 } };
	int r = 0;
	if (a->no_tcb_check && (a->collateral || a->accept_tcb)) {
		fprintf(stderr, "tdverity-verify %s: --no-tcb-check contradicts --collateral and "
				"--accept-tcb\n",
			verb);
		return VERIFY_USAGE;
	}
	if (a->at && parse_at(a->at, &s.opts.at) < 0) {
		fprintf(stderr, "tdverity-verify %s: --at '%s': not YYYY-MM-DDTHH:MM:SSZ or "
				"@SECONDS\n",
			verb, a->at);
		return VERIFY_USAGE;
	}
	if (a->accept_tcb && tcb_accept_parse(a->accept_tcb, &s.opts.accept_tcb, &err) < 0) {
		fprintf(stderr, "tdverity-verify %s: %s\n", verb, err.msg);
		return VERIFY_USAGE;
	}
	if (a->root_ca &&
	    (r = evidence_read_cert(a->root_ca, &s.root_pem, &s.opts.root_ca_len, &err)) < 0)
		goto bad_input;
	s.opts.root_ca_pem = s.root_pem;
	if (a->collateral && (r = collateral_load_dir(a->collateral, &s.collateral, &err)) < 0)
		goto bad_input;
	s.opts.collateral = s.collateral;
	*ret = s;
	return VERIFY_OK;
bad_input:
	fprintf(stderr, "tdverity-verify %s: %s\n", verb, err.msg);
	free(s.root_pem);
	return r == -ENOMEM ? VERIFY_IO : VERIFY_BAD_INPUT;
}

void appraise_setup_done(struct appraise_setup *s)
{
	free(s->root_pem);
	collateral_free(s->collateral);
	*s = (struct appraise_setup){ 0 };
}

void appraise_report(const struct quote_appraisal *a, struct check_report *rep)
{
	for (int c = 0; c < _APPRAISE_CHECK_MAX; c++) {
		const struct appraise_result *r = &a->checks[c];
		enum check_status st = r->state == APPRAISE_PASSED    ? CHECK_PASS
				       : r->state == APPRAISE_SKIPPED ? CHECK_NOTE
								      : CHECK_FAIL;
		check_report_add(rep, st, "quote", "%s: %s%s%s", appraise_check_name(c),
				 r->state == APPRAISE_PASSED || r->state == APPRAISE_FAILED
					 ? ""
					 : appraise_state_name(r->state),
				 r->state == APPRAISE_PASSED || r->state == APPRAISE_FAILED ? ""
											    : ": ",
				 r->reason);
	}
}

static struct json_object *advisories_json(const char *list)
{
	struct json_object *arr = json_object_new_array();
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;
	for (char *w = copy ? strtok_r(copy, ",", &save) : NULL; w; w = strtok_r(NULL, ",", &save))
		json_object_array_add(arr, json_object_new_string(w));
	return arr;
}

struct json_object *appraise_json(const struct quote_appraisal *a)
{
	struct json_object *o = json_object_new_object(), *checks = json_object_new_object();
	json_object_object_add(o, "genuine", json_object_new_boolean(quote_appraisal_ok(a)));
	for (int c = 0; c < _APPRAISE_CHECK_MAX; c++) {
		struct json_object *r = json_object_new_object();
		json_object_object_add(r, "state",
				       json_object_new_string(appraise_state_name(a->checks[c].state)));
		json_object_object_add(r, "reason", json_object_new_string(a->checks[c].reason));
		json_object_object_add(checks, appraise_check_name(c), r);
	}
	json_object_object_add(o, "checks", checks);
	struct json_object *anchor = json_object_new_object();
	json_object_object_add(anchor, "subject", json_object_new_string(a->anchor_subject));
	json_object_object_add(anchor, "spki_sha256",
			       json_object_new_string(a->anchor_spki_sha256));
	json_object_object_add(anchor, "intel_production_root",
			       json_object_new_boolean(a->anchor_is_intel));
	json_object_object_add(o, "anchor", anchor);
	struct json_object *tcb = json_object_new_object();
	json_object_object_add(tcb, "status", json_object_new_string(tcb_status_name(a->tcb_status)));
	json_object_object_add(tcb, "platform",
			       json_object_new_string(tcb_status_name(a->platform_status)));
	json_object_object_add(tcb, "tdx_module",
			       json_object_new_string(tcb_status_name(a->module_status)));
	json_object_object_add(tcb, "qe", json_object_new_string(tcb_status_name(a->qe_status)));
	json_object_object_add(tcb, "fmspc", a->fmspc[0] ? json_object_new_string(a->fmspc) : NULL);
	json_object_object_add(tcb, "tcb_evaluation_data_number",
			       a->tcb_eval_num ? json_object_new_int64(a->tcb_eval_num) : NULL);
	json_object_object_add(tcb, "advisories", advisories_json(a->advisories));
	json_object_object_add(o, "tcb", tcb);
	return o;
}
