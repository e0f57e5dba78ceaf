/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Evidence handling shared by `replay`, `quote` and `check`: loading an event log (plus an
 * optional attestation-agent log) and a quote from files, describing events for people,
 * and their JSON forms (json-c).
 */
#pragma once

#include "core/error.h"
#include "core/eventlog.h"
#include "core/tdx-quote.h"

#include <json-c/json.h>
#include <stdio.h>

#define EVIDENCE_MAX_LOG_SIZE (64U << 20)   /* a CCEL area is 64 KiB–several MiB */
#define EVIDENCE_MAX_QUOTE_SIZE TDX_QUOTE_MAX_SIZE
#define EVIDENCE_MAX_CERT_SIZE (1U << 20)

struct evidence_log {
	uint8_t *log_buf, *aael_buf; /* owned; the eventlog points into them */
	size_t log_len, aael_len;
	struct eventlog *log;
	enum eventlog_kind kind;
};

/* Read and parse; -errno with err set ("FILE: why"). */
int evidence_log_load(const char *path, const char *aael_path, struct evidence_log *ret,
		      struct tdv_error *err);
void evidence_log_done(struct evidence_log *e);

struct evidence_quote {
	uint8_t *buf;
	size_t len;
	struct tdx_quote quote;
};
int evidence_quote_load(const char *path, struct evidence_quote *ret, struct tdv_error *err);
void evidence_quote_done(struct evidence_quote *e);
/* Read a PEM root certificate (bounded); the caller frees *ret_pem. */
int evidence_read_cert(const char *path, uint8_t **ret_pem, size_t *ret_len,
		       struct tdv_error *err);

/* The register as people know it: "RTMR0" for CC MR index 1 ("MRTD" for 0, which only
 * EV_NO_ACTION events may name in a CC log), "PCR7" in a TPM log. */
void evidence_register_name(enum eventlog_kind kind, uint32_t reg, char *buf, size_t n);

/* Aggregate recompute status over all the event's digests: mismatch wins, then match. */
enum eventlog_recompute evidence_event_recompute(const struct eventlog_event *ev);
const char *evidence_recompute_word(enum eventlog_recompute r); /* "match" "MISMATCH" "-" */

/* A one-line human description of the event data (decoded strings, tags, variables);
 * at most max_chars characters of text, with an ellipsis when cut.  Caller frees. */
char *evidence_event_describe(const struct eventlog_event *ev, size_t max_chars);

/* Replay every RTMR / PCR bank. */
struct evidence_replay {
	uint16_t alg_ids[EVENTLOG_MAX_ALGS]; /* banks that could be replayed */
	size_t n_banks;
	uint8_t regs[EVENTLOG_MAX_ALGS][EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST];
	bool used[EVENTLOG_MAX_ALGS][EVENTLOG_MAX_REGISTERS];
};
int evidence_replay_all(const struct evidence_log *e, struct evidence_replay *ret,
			struct tdv_error *err);
/* The RTMR values (CC MR log, SHA-384 bank): rtmr[i] = register i+1.  -ENOENT if absent. */
int evidence_replay_rtmrs(const struct evidence_replay *rp, const uint8_t *ret_rtmr[4]);

/* JSON forms. */
struct json_object *evidence_log_json(const struct evidence_log *e,
				      const struct evidence_replay *rp);
struct json_object *evidence_quote_json(const struct tdx_quote *q,
					const struct tdx_quote_verdict *v);
struct json_object *json_hex(const uint8_t *p, size_t n);
/* Print a JSON object to stdout (pretty, with a newline); -EIO when stdout fails. */
int evidence_print_json(struct json_object *o);

/* Print the quote's fields for people. */
void evidence_quote_print(FILE *f, const struct tdx_quote *q);
