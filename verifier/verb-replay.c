/* SPDX-License-Identifier: Apache-2.0 */
/* tdverity-verify replay EVENTLOG [--aael FILE] [--json]: print and replay an event log. */
#include "verifier/evidence.h"
#include "verifier/verbs.h"

#include "core/digest.h"
#include "core/util.h"

#include <getopt.h>
#include <string.h>

static void replay_usage(FILE *f)
{
	fprintf(f, "Usage: tdverity-verify replay EVENTLOG [--aael FILE] [--json]\n"
		   "\n"
		   "Parse a CCEL data blob or TCG2 crypto-agile event log, print every event\n"
		   "(register, type, digest, decoded data, whether its digest recomputes from its own\n"
		   "data) and the replayed RTMR0-3 (or PCRs per bank for a TPM log).\n"
		   "\n"
		   "  --aael FILE   append the attestation agent's event log (raw TCG2 records)\n"
		   "  --json        machine-readable output\n"
		   "\n"
		   "Exit status: 0 parsed and every recomputable digest matches, 1 an event's digest\n"
		   "does not match its own data, 2 usage error, 3 bad input or I/O error.\n");
}

static void print_event(const struct evidence_log *e, const struct eventlog_event *ev)
{
	char reg[16], type[24], hex[2 * EVENTLOG_MAX_DIGEST + 1];
	const char *name = eventlog_type_name(ev->type);
	evidence_register_name(e->kind, ev->register_index, reg, sizeof(reg));
	if (!name) {
		snprintf(type, sizeof(type), "type 0x%08x", ev->type);
		name = type;
	}
	const char *status = ev->type == EV_NO_ACTION
				     ? "(not extended)"
				     : evidence_recompute_word(evidence_event_recompute(ev));
	printf("%4zu %-6s %-34s %s%s\n", ev->index, reg, name, status,
	       ev->source == EVENTLOG_SOURCE_AAEL ? "  [aael]" : "");
	for (uint32_t i = 0; i < ev->n_digests; i++) {
		const char *an = tcg_alg_name(ev->digests[i].alg_id);
		hex_encode(ev->digests[i].value, ev->digests[i].size, hex);
		if (an)
			printf("     %-7s %s\n", an, hex);
		else
			printf("     0x%04x  %s\n", ev->digests[i].alg_id, hex);
	}
	_cleanup_free_ char *desc = evidence_event_describe(ev, 160);
	printf("     %s\n", desc ? desc : "(out of memory)");
}

static void print_registers(const struct evidence_log *e, const struct evidence_replay *rp)
{
	char hex[2 * EVENTLOG_MAX_DIGEST + 1];
	const uint8_t *rtmr[4];
	if (e->kind == EVENTLOG_KIND_CC_MR) {
		if (evidence_replay_rtmrs(rp, rtmr) < 0) {
			printf("\nno SHA-384 bank: RTMRs cannot be replayed\n");
			return;
		}
		printf("\nReplayed (SHA-384):\n");
		for (int i = 0; i < 4; i++) {
			hex_encode(rtmr[i], 48, hex);
			printf("  RTMR%d  %s\n", i, hex);
		}
		return;
	}
	printf("\nTPM log (PCR numbering). Replayed PCRs:\n");
	for (size_t b = 0; b < rp->n_banks; b++) {
		size_t size = eventlog_alg_size(e->log, rp->alg_ids[b]);
		const char *an = tcg_alg_name(rp->alg_ids[b]);
		for (int i = 0; i < EVENTLOG_MAX_REGISTERS; i++) {
			if (!rp->used[b][i])
				continue;
			hex_encode(rp->regs[b][i], size, hex);
			printf("  %-7s PCR%-2d %s\n", an ? an : "?", i, hex);
		}
	}
}

int verb_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "aael", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *aael = NULL;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		switch (c) {
		case 'a': aael = optarg; break;
		case 'j': json = true; break;
		case 'h': replay_usage(stdout); return VERIFY_OK;
		default: replay_usage(stderr); return VERIFY_USAGE;
		}
	if (argc - optind != 1) {
		fprintf(stderr, "tdverity-verify replay: expected one EVENTLOG argument (see --help)\n");
		return VERIFY_USAGE;
	}

	struct evidence_log e;
	struct tdv_error err = { { 0 } };
	if (evidence_log_load(argv[optind], aael, &e, &err) < 0) {
		fprintf(stderr, "tdverity-verify replay: %s\n", err.msg);
		return VERIFY_BAD_INPUT;
	}
	_cleanup_free_ struct evidence_replay *rp = malloc(sizeof(*rp));
	if (!rp || evidence_replay_all(&e, rp, &err) < 0) {
		fprintf(stderr, "tdverity-verify replay: %s\n", rp ? err.msg : "out of memory");
		evidence_log_done(&e);
		return VERIFY_BAD_INPUT;
	}

	size_t mismatches = 0, matches = 0, from_aael = 0;
	for (size_t i = 0; i < e.log->n_events; i++) {
		const struct eventlog_event *ev = &e.log->events[i];
		from_aael += ev->source == EVENTLOG_SOURCE_AAEL;
		if (ev->type == EV_NO_ACTION)
			continue;
		enum eventlog_recompute r = evidence_event_recompute(ev);
		mismatches += r == EVENTLOG_RECOMPUTE_MISMATCH;
		matches += r == EVENTLOG_RECOMPUTE_MATCH;
	}

	int ret = mismatches ? VERIFY_MISMATCH : VERIFY_OK;
	if (json) {
		struct json_object *o = evidence_log_json(&e, rp);
		json_object_object_add(o, "recomputed_match", json_object_new_int64((int64_t)matches));
		json_object_object_add(o, "recomputed_mismatch",
				       json_object_new_int64((int64_t)mismatches));
		if (evidence_print_json(o) < 0)
			ret = VERIFY_BAD_INPUT;
		json_object_put(o);
	} else {
		printf("%zu events (%zu from the attestation agent's log), algorithms:",
		       e.log->n_events, from_aael);
		for (size_t i = 0; i < e.log->n_algs; i++) {
			const char *an = tcg_alg_name(e.log->algs[i].id);
			printf(" %s", an ? an : "unknown");
		}
		printf("\n\n   # reg    type                               recomputed\n");
		for (size_t i = 0; i < e.log->n_events; i++)
			print_event(&e, &e.log->events[i]);
		print_registers(&e, rp);
		printf("\n%zu digests recomputed from their event data: %zu match, %zu MISMATCH\n",
		       matches + mismatches, matches, mismatches);
		if (fflush(stdout) != 0)
			ret = VERIFY_BAD_INPUT;
	}
	evidence_log_done(&e);
	return ret;
}
