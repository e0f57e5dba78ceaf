/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-verify check --quote Q --eventlog L [--aael F] [--root-ca PEM]
 *                       [--report-data HEX] [--policy default|strict] [--json]
 *                       [--kernel F --initrd F --cmdline F --manifest F ...]
 *                       [--mrtd HEX --rtmr0 HEX ... --reference-values F --initdata F ...]
 *
 * Holds a TDX quote and the event log of the same boot together: the quote's signatures
 * (collateral-free checks), the log's internal consistency (every digest that can be
 * recomputed from its event's data), and the replayed RTMR0-3 against the quote's.  Then
 * every measurement register against its pins (td-pins.h): from the build artefacts (the
 * events an honest boot of them measures, host/expected.h), given values or reference
 * values.  VERIFIED needs MRTD and RTMR0..3 pinned and matching; an unpinned one makes
 * the verdict PARTIAL (exit 1), never a pass.
 */
#include "verifier/appraise-args.h"
#include "verifier/check-artefacts.h"
#include "verifier/check-pins.h"
#include "verifier/check-report.h"
#include "verifier/evidence.h"
#include "verifier/expect-inputs.h"
#include "verifier/verbs.h"

#include "core/digest.h"
#include "verifier/trustee-files.h"
#include "core/util.h"

#include <getopt.h>
#include <string.h>

static void check_usage(FILE *f)
{
	fprintf(f,
		"Usage: tdverity-verify check --quote QUOTE --eventlog LOG [OPTIONS...]\n"
		"\n"
		"Check a TDX quote against the event log of the same boot: the quote's signatures\n"
		"(and that it is not of a debug TD), every event digest that can be recomputed from\n"
		"the event's own data, and the replayed RTMR0-3 against the quote's RTMRs.  One line\n"
		"per check, then a verdict.\n"
		"\n"
		"  --quote FILE        TDX quote (v4 or v5)\n"
		"  --eventlog FILE     CCEL data blob (or the evidence's event log)\n"
		"  --aael FILE         the attestation agent's log, appended to the event log\n"
		"  --report-data HEX   the 64-byte REPORTDATA the quote must carry (e.g. a nonce)\n"
		"  --policy P          default, or strict: as --rtmr3-only-rootfs\n"
		"  --json              machine-readable output\n"
		"  --claims FILE       also write Trustee's TDX claims for this evidence (the input\n"
		"                      of its policy, e.g. tdverity-rootfs.rego); written whatever\n"
		"                      the verdict\n"
		"\n"
		"Quote appraisal (genuine quote, acceptable platform):\n"
		APPRAISE_OPTIONS_HELP
		"\n"
		"Build artefacts (any of them) pin the registers they determine: --firmware MRTD\n"
		"and RTMR0 (with the VM's shape: --memory, --acpi-*), --kernel RTMR1,\n"
		"the cmdline (--cmdline, else the manifest's; with --initrd if the boot had one)\n"
		"RTMR2, --manifest RTMR3 (its rootfs event must be the register's first event):\n"
		EXPECT_OPTIONS_HELP
		"\n"
		CHECK_PIN_OPTIONS_HELP
		"\n"
		"Verdict: VERIFIED (exit 0) when every check passed and MRTD and RTMR0-3 were all\n"
		"pinned; PARTIAL (exit 1) when one was not (named); MISMATCH (exit 1) otherwise.\n"
		"Exit status: 0 verified, 1 mismatch or partial, 2 usage error, 3 bad input,\n"
		"4 I/O error.\n");
}

struct check_options {
	const char *quote, *eventlog, *aael, *report_data, *claims;
	bool strict, json;
	struct expect_args art;
	struct appraise_args appraise;
	struct check_pin_args pins;
};

static bool have_artefacts(const struct check_options *o)
{
	return o->art.kernel || o->art.initrd || o->art.cmdline_file || o->art.kata_config ||
	       o->art.manifest || o->art.firmware;
}

static int parse_options(int argc, char **argv, struct check_options *o)
{
	static const struct option opts[] = {
		{ "quote", required_argument, NULL, 'q' },
		{ "eventlog", required_argument, NULL, 'l' },
		{ "aael", required_argument, NULL, 'a' },
		{ "report-data", required_argument, NULL, 'd' },
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "claims", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		EXPECT_LONG_OPTIONS,
		APPRAISE_LONG_OPTIONS,
		CHECK_PIN_LONG_OPTIONS,
		{},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		switch (c) {
		case 'q': o->quote = optarg; break;
		case 'l': o->eventlog = optarg; break;
		case 'a': o->aael = optarg; break;
		case 'd': o->report_data = optarg; break;
		case 'p':
			if (strcmp(optarg, "strict") == 0)
				o->strict = true;
			else if (strcmp(optarg, "default") != 0) {
				fprintf(stderr, "tdverity-verify check: unknown policy '%s' "
						"(default or strict)\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'j': o->json = true; break;
		case 'c': o->claims = optarg; break;
		case 'h': check_usage(stdout); return 1;
		default:
			if (expect_args_take(&o->art, c, optarg) ||
			    appraise_args_take(&o->appraise, c, optarg) ||
			    check_pin_args_take(&o->pins, c, optarg))
				break;
			check_usage(stderr);
			return -EINVAL;
		}
	if (optind != argc || !o->quote || !o->eventlog) {
		fprintf(stderr, "tdverity-verify check: --quote and --eventlog are required; no "
				"other arguments (see --help)\n");
		return -EINVAL;
	}
	if ((o->art.profile || o->art.qemu_patch) && !have_artefacts(o)) {
		fprintf(stderr, "tdverity-verify check: --firmware-profile and --qemu-kernel-patch "
				"go with --kernel/--initrd/--cmdline/--manifest\n");
		return -EINVAL;
	}
	return 0;
}

static void check_report_data(const struct check_options *o, const struct tdx_quote *q,
			      struct check_report *rep)
{
	uint8_t want[64];
	char got[129];
	hex_encode(q->td.reportdata, 64, got);
	if (!o->report_data) {
		check_report_add(rep, CHECK_NOTE, "quote",
				 "REPORTDATA not checked (no --report-data): %s", got);
		return;
	}
	/* A malformed --report-data was refused during option checks. */
	(void)hex_decode_exact(o->report_data, want, sizeof(want));
	check_report_bool(rep, digest_equal(want, q->td.reportdata, 64), "quote",
			  "REPORTDATA equals --report-data (%s)", got);
}

static void check_log(const struct evidence_log *e, struct check_report *rep)
{
	size_t match = 0, mismatch = 0, first_bad = SIZE_MAX;
	for (size_t i = 0; i < e->log->n_events; i++) {
		const struct eventlog_event *ev = &e->log->events[i];
		if (ev->type == EV_NO_ACTION)
			continue;
		enum eventlog_recompute r = evidence_event_recompute(ev);
		match += r == EVENTLOG_RECOMPUTE_MATCH;
		if (r == EVENTLOG_RECOMPUTE_MISMATCH && mismatch++ == 0)
			first_bad = i;
	}
	if (mismatch == 0)
		check_report_add(rep, CHECK_PASS, "eventlog",
				 "%zu events; all %zu digests recomputable from their data match",
				 e->log->n_events, match);
	else
		check_report_add(rep, CHECK_FAIL, "eventlog",
				 "%zu of %zu recomputable digests do not match their event data "
				 "(first: event %zu)",
				 mismatch, match + mismatch, first_bad);
}

static void check_rtmrs(const uint8_t *replayed[4], const struct tdx_quote *q,
			struct check_report *rep, bool ret_ok[4])
{
	for (int i = 0; i < 4; i++) {
		char subject[8], hex[97];
		snprintf(subject, sizeof(subject), "RTMR%d", i);
		bool ok = digest_equal(replayed[i], q->td.rtmr[i], 48);
		ret_ok[i] = ok;
		hex_encode(q->td.rtmr[i], 48, hex);
		if (ok)
			check_report_add(rep, CHECK_PASS, subject, "replay equals the quote: %s", hex);
		else {
			char rhex[97];
			hex_encode(replayed[i], 48, rhex);
			check_report_add(rep, CHECK_FAIL, subject, "replay %s != quote %s", rhex, hex);
		}
	}
}

enum check_verdict { CHECK_VERIFIED, CHECK_PARTIAL, CHECK_MISMATCH };

static enum check_verdict verdict_of(const struct check_report *rep, const struct pin_table *t)
{
	char unpinned[128];
	pin_table_unpinned(t, unpinned, sizeof(unpinned));
	if (check_report_failed(rep) || pin_table_failed(t))
		return CHECK_MISMATCH;
	return unpinned[0] ? CHECK_PARTIAL : CHECK_VERIFIED;
}

static int emit(const struct check_options *o, const struct check_report *rep,
		const struct pin_table *t, const struct tdx_quote *q,
		const struct quote_appraisal *qa, enum check_verdict verdict)
{
	static const char *const words[] = { "verified", "partial", "mismatch" };
	char unpinned[128];
	pin_table_unpinned(t, unpinned, sizeof(unpinned));
	if (o->json) {
		struct json_object *root = json_object_new_object();
		json_object_object_add(root, "verdict", json_object_new_string(words[verdict]));
		struct json_object *u = json_object_new_array();
		for (size_t i = 0; i < t->n; i++)
			if (t->rows[i].verdict == PIN_UNPINNED)
				json_object_array_add(u, json_object_new_string(t->rows[i].name));
		json_object_object_add(root, "unpinned", u);
		json_object_object_add(root, "policy",
				       json_object_new_string(o->strict ? "strict" : "default"));
		json_object_object_add(root, "registers", pin_table_json(t));
		json_object_object_add(root, "checks", check_report_json(rep));
		json_object_object_add(root, "quote", evidence_quote_json(q, &qa->sig));
		json_object_object_add(root, "appraisal", appraise_json(qa));
		int r = evidence_print_json(root);
		json_object_put(root);
		return r;
	}
	check_report_print(stdout, rep);
	printf("\n");
	pin_table_print(stdout, t);
	if (verdict == CHECK_PARTIAL)
		printf("\nverdict: PARTIAL (unpinned: %s)\n", unpinned);
	else
		printf("\nverdict: %s\n", verdict == CHECK_VERIFIED ? "VERIFIED" : "MISMATCH");
	return 0;
}

int verb_check(int argc, char **argv)
{
	struct check_options o = { 0 };
	int r = parse_options(argc, argv, &o);
	if (r != 0)
		return r > 0 ? VERIFY_OK : VERIFY_USAGE;
	uint8_t rd[64];
	if (o.report_data && hex_decode_exact(o.report_data, rd, sizeof(rd)) < 0) {
		fprintf(stderr, "tdverity-verify check: --report-data must be 128 hex digits\n");
		return VERIFY_USAGE;
	}

	struct tdv_error err = { { 0 } };
	struct appraise_setup as = { 0 };
	struct evidence_quote eq = { 0 };
	struct evidence_log el = { 0 };
	_cleanup_free_ struct evidence_replay *rp = calloc(1, sizeof(*rp));
	struct quote_appraisal qa;
	const uint8_t *rtmr[4];
	struct expect_state st = { 0 };
	_cleanup_free_ struct expected_event *expected = NULL;
	size_t n_expected = 0;
	struct td_pins pins;
	_cleanup_free_ struct check_pins_state *pin_state = calloc(1, sizeof(*pin_state));
	int ret = VERIFY_BAD_INPUT;
	if (have_artefacts(&o)) {
		ret = expect_state_load("check", &o.art, &st); /* prints its own error line */
		if (ret != VERIFY_OK) {
			expect_state_done(&st);
			return ret;
		}
		ret = VERIFY_BAD_INPUT;
		if (expected_events_compute(&st.in, &expected, &n_expected, &err) < 0)
			goto bad_input;
	}
	if (!pin_state) {
		tdv_error_set(&err, -ENOMEM, "out of memory");
		goto bad_input;
	}
	ret = check_pins_build(&o.pins, &o.art, have_artefacts(&o) ? &st : NULL, expected,
			       n_expected, pin_state, &pins); /* prints its own error line */
	if (ret != VERIFY_OK) {
		expect_state_done(&st);
		return ret;
	}
	pins.rtmr3_only_rootfs |= o.strict;
	r = appraise_setup_load("check", &o.appraise, &as); /* prints its own error line */
	if (r != VERIFY_OK) {
		expect_state_done(&st);
		return r;
	}
	if (!rp) {
		tdv_error_set(&err, -ENOMEM, "out of memory");
		goto bad_input;
	}
	if (evidence_quote_load(o.quote, &eq, &err) < 0)
		goto bad_input;
	if (quote_appraise(&eq.quote, &as.opts, &qa, &err) < 0)
		goto bad_input;
	if (evidence_log_load(o.eventlog, o.aael, &el, &err) < 0)
		goto bad_input;
	if (el.kind != EVENTLOG_KIND_CC_MR) {
		tdv_error_set(&err, -EBADMSG, "%s: a TPM (PCR) log, not a TDX CC event log",
			      o.eventlog);
		goto bad_input;
	}
	if (evidence_replay_all(&el, rp, &err) < 0)
		goto bad_input;
	if (evidence_replay_rtmrs(rp, rtmr) < 0) {
		tdv_error_set(&err, -EBADMSG, "%s: no SHA-384 digests: RTMRs cannot be replayed",
			      o.eventlog);
		goto bad_input;
	}

	if (o.claims && trustee_claims_write(o.claims, &eq.quote, el.log, &err) < 0)
		goto bad_input;

	struct check_report rep = { 0 };
	bool replays[4];
	appraise_report(&qa, &rep); /* a quote not shown genuine fails the verdict */
	check_report_data(&o, &eq.quote, &rep);
	if (pins.unused_refvalues[0])
		check_report_add(&rep, CHECK_NOTE, "refvalues",
				 "not held against the quote by check: %s (the registers pin the "
				 "events they name)", pins.unused_refvalues);
	/* A cmdline that /init would refuse or that weakens the boot is a mismatch here. */
	if (st.cmdline_refused[0])
		check_report_add(&rep, CHECK_FAIL, "cmdline", "%s", st.cmdline_refused);
	check_log(&el, &rep);
	check_rtmrs(rtmr, &eq.quote, &rep, replays);
	/* The events predicted in RTMR0 (old edk2's separator, the firmware's known ones) are
	 * checked there when they do not pin RTMR0 as a whole (then its pin does). */
	if ((!pins.pin[TD_REG_RTMR0][PIN_ARTEFACT].set &&
	     check_rtmr0_events(el.log, expected, n_expected, &rep) < 0) ||
	    check_rtmr3_later_events(el.log, &pins, &rep) < 0)
		rep.oom = true;
	struct pin_table table;
	td_pins_evaluate(&pins, &eq.quote, el.log, replays, &table);
	enum check_verdict verdict = verdict_of(&rep, &table);
	ret = verdict == CHECK_VERIFIED ? VERIFY_OK : VERIFY_MISMATCH;
	if (emit(&o, &rep, &table, &eq.quote, &qa, verdict) < 0)
		ret = VERIFY_IO;
	pin_table_done(&table);
	check_report_done(&rep);
	evidence_log_done(&el);
	evidence_quote_done(&eq);
	expect_state_done(&st);
	appraise_setup_done(&as);
	return ret;

bad_input:
	fprintf(stderr, "tdverity-verify check: %s\n", err.msg);
	evidence_log_done(&el);
	evidence_quote_done(&eq);
	expect_state_done(&st);
	appraise_setup_done(&as);
	return VERIFY_BAD_INPUT;
}
