/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/evidence.h"

#include "core/digest.h"
#include "core/util.h"

#include <string.h>

static int load_file(const char *path, size_t max, uint8_t **ret, size_t *ret_len,
		     struct tdv_error *err)
{
	int r = read_full_file(path, max, ret, ret_len);
	if (r == -EFBIG)
		return tdv_error_set(err, r, "%s: larger than %zu bytes", path, max);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", path, strerror(-r));
	return 0;
}

int evidence_log_load(const char *path, const char *aael_path, struct evidence_log *ret,
		      struct tdv_error *err)
{
	struct evidence_log e = { 0 };
	struct tdv_error perr = { { 0 } };
	int r = load_file(path, EVIDENCE_MAX_LOG_SIZE, &e.log_buf, &e.log_len, err);
	if (r < 0)
		return r;
	r = eventlog_parse(e.log_buf, e.log_len, &e.log, &perr);
	if (r < 0) {
		tdv_error_set(err, r, "%s: %s", path, perr.msg);
		goto fail;
	}
	if (aael_path) {
		r = load_file(aael_path, EVIDENCE_MAX_LOG_SIZE, &e.aael_buf, &e.aael_len, err);
		if (r < 0)
			goto fail;
		r = eventlog_append_records(e.log, e.aael_buf, e.aael_len, &perr);
		if (r < 0) {
			tdv_error_set(err, r, "%s: %s", aael_path, perr.msg);
			goto fail;
		}
	}
	e.kind = eventlog_kind(e.log);
	*ret = e;
	return 0;
fail:
	evidence_log_done(&e);
	return r;
}

void evidence_log_done(struct evidence_log *e)
{
	eventlog_free(e->log);
	free(e->log_buf);
	free(e->aael_buf);
	*e = (struct evidence_log){ 0 };
}

int evidence_quote_load(const char *path, struct evidence_quote *ret, struct tdv_error *err)
{
	struct evidence_quote e = { 0 };
	struct tdv_error perr = { { 0 } };
	int r = load_file(path, EVIDENCE_MAX_QUOTE_SIZE, &e.buf, &e.len, err);
	if (r < 0)
		return r;
	r = tdx_quote_parse(e.buf, e.len, &e.quote, &perr);
	if (r < 0) {
		free(e.buf);
		return tdv_error_set(err, r, "%s: %s", path, perr.msg);
	}
	*ret = e;
	return 0;
}

void evidence_quote_done(struct evidence_quote *e)
{
	free(e->buf);
	*e = (struct evidence_quote){ 0 };
}

int evidence_read_cert(const char *path, uint8_t **ret_pem, size_t *ret_len,
		       struct tdv_error *err)
{
	return load_file(path, EVIDENCE_MAX_CERT_SIZE, ret_pem, ret_len, err);
}

void evidence_register_name(enum eventlog_kind kind, uint32_t reg, char *buf, size_t n)
{
	if (kind == EVENTLOG_KIND_CC_MR && reg >= 1 && reg <= 4)
		snprintf(buf, n, "RTMR%u", reg - 1);
	else if (kind == EVENTLOG_KIND_CC_MR)
		snprintf(buf, n, reg == 0 ? "MRTD" : "MR%u", reg); /* EV_NO_ACTION only */
	else
		snprintf(buf, n, "PCR%u", reg);
}

enum eventlog_recompute evidence_event_recompute(const struct eventlog_event *ev)
{
	enum eventlog_recompute all = EVENTLOG_RECOMPUTE_NA;
	for (uint32_t i = 0; i < ev->n_digests; i++) {
		enum eventlog_recompute r = eventlog_event_recompute(ev, &ev->digests[i]);
		if (r == EVENTLOG_RECOMPUTE_MISMATCH)
			return r;
		if (r == EVENTLOG_RECOMPUTE_MATCH)
			all = r;
	}
	return all;
}

const char *evidence_recompute_word(enum eventlog_recompute r)
{
	switch (r) {
	case EVENTLOG_RECOMPUTE_MATCH: return "match";
	case EVENTLOG_RECOMPUTE_MISMATCH: return "MISMATCH";
	default: return "-";
	}
}

/* ---- describing event data ---- */

struct text {
	char *buf;
	size_t len, cap, max_chars;
	bool cut;
};

static void text_putc(struct text *t, char c)
{
	if (t->len >= t->max_chars) {
		t->cut = true;
		return;
	}
	if (t->len + 1 >= t->cap)
		return;
	t->buf[t->len++] = c;
	t->buf[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
	while (*s)
		text_putc(t, *s++);
}

/* Printable ASCII as is; \n, \t and others escaped, so one event is one line. */
static void text_put_escaped(struct text *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && !t->cut; i++) {
		uint8_t c = p[i];
		char esc[8];
		if (c == '\n')
			text_puts(t, "\\n");
		else if (c == '\\' || c == '"') {
			text_putc(t, '\\');
			text_putc(t, (char)c);
		} else if (c >= 0x20 && c < 0x7f)
			text_putc(t, (char)c);
		else {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			text_puts(t, esc);
		}
	}
}

static void text_put_quoted(struct text *t, const uint8_t *p, size_t n)
{
	text_putc(t, '"');
	text_put_escaped(t, p, n);
	text_putc(t, '"');
}

/* UTF-16LE code units (up to n bytes, stops at NUL); non-ASCII shown as '?'. */
static void text_put_utf16(struct text *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n && !t->cut; i += 2) {
		uint16_t u = le16_get(p + i);
		if (u == 0)
			break;
		uint8_t c = u < 0x80 ? (uint8_t)u : '?';
		text_put_escaped(t, &c, 1);
	}
}

static void text_put_hex(struct text *t, const uint8_t *p, size_t n, size_t max_bytes)
{
	char h[3];
	for (size_t i = 0; i < n && i < max_bytes; i++) {
		snprintf(h, sizeof(h), "%02x", p[i]);
		text_puts(t, h);
	}
	if (n > max_bytes)
		text_puts(t, "...");
}

static bool is_ascii_text(const uint8_t *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\0')
		n--;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(p[i] >= 0x20 && p[i] < 0x7f) && p[i] != '\n' && p[i] != '\t')
			return false;
	return true;
}

static bool is_utf16_ascii_text(const uint8_t *p, size_t n)
{
	if (n < 4 || n % 2)
		return false;
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint16_t u = le16_get(p + i);
		if (u == 0 && i + 2 >= n - 2)
			return i > 0; /* a trailing NUL */
		if (u < 0x20 || u >= 0x7f)
			return false;
	}
	return true;
}

static void text_put_guid(struct text *t, const uint8_t *g)
{
	char s[40];
	snprintf(s, sizeof(s), "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32_get(g),
		 le16_get(g + 4), le16_get(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14],
		 g[15]);
	text_puts(t, s);
}

/* UEFI_VARIABLE_DATA: "<guid> <name> (N bytes)". */
static bool describe_variable(struct text *t, const uint8_t *p, size_t n)
{
	if (n < 32)
		return false;
	uint64_t chars = le64_get(p + 16), len = le64_get(p + 24);
	if (chars > (n - 32) / 2 || len != n - 32 - chars * 2)
		return false;
	text_put_guid(t, p);
	text_putc(t, ' ');
	text_put_utf16(t, p + 32, chars * 2);
	char s[64];
	snprintf(s, sizeof(s), " (%llu bytes)", (unsigned long long)len);
	text_puts(t, s);
	const uint8_t *data = p + 32 + chars * 2;
	if (len > 0 && is_ascii_text(data, len)) {
		text_puts(t, ": ");
		text_put_quoted(t, data, len);
	}
	return true;
}

/* UEFI_IMAGE_LOAD_EVENT: base, length, link-time address, device path (file node shown). */
static bool describe_image(struct text *t, const uint8_t *p, size_t n)
{
	if (n < 32)
		return false;
	uint64_t base = le64_get(p), len = le64_get(p + 8), dp_len = le64_get(p + 24);
	if (dp_len > n - 32)
		return false;
	char s[96];
	snprintf(s, sizeof(s), "image at 0x%llx, %llu bytes", (unsigned long long)base,
		 (unsigned long long)len);
	text_puts(t, s);
	const uint8_t *dp = p + 32;
	for (size_t off = 0; off + 4 <= dp_len;) {
		uint8_t type = dp[off], sub = dp[off + 1];
		uint16_t node = le16_get(dp + off + 2);
		if (node < 4 || node > dp_len - off || type == 0x7f)
			break;
		if (type == 4 && sub == 4) { /* media / file path */
			text_puts(t, ", file ");
			text_put_utf16(t, dp + off + 4, node - 4u);
		}
		off += node;
	}
	return true;
}

static void describe_tagged(struct text *t, const struct eventlog_event *ev)
{
	struct aael_event a;
	uint32_t id, len;
	const uint8_t *data;
	if (eventlog_event_aael(ev, &a) == 0) {
		text_puts(t, "AAEL ");
		text_put_quoted(t, (const uint8_t *)a.text, a.text_len);
		return;
	}
	if (eventlog_event_tagged(ev, &id, &data, &len) < 0) {
		text_puts(t, "malformed tagged event ");
		text_put_hex(t, ev->data, ev->data_len, 32);
		return;
	}
	char s[48];
	snprintf(s, sizeof(s), "tag 0x%08x ", id);
	text_puts(t, s);
	if (is_ascii_text(data, len))
		text_put_quoted(t, data, len && data[len - 1] == 0 ? len - 1 : len);
	else
		text_put_hex(t, data, len, 32);
	if (id == LINUX_EFISTUB_LOAD_OPTIONS_TAG_ID || id == LINUX_EFISTUB_INITRD_TAG_ID)
		text_puts(t, " (Linux EFI stub; digest over data not in the log)");
}

char *evidence_event_describe(const struct eventlog_event *ev, size_t max_chars)
{
	struct text t = { .cap = max_chars * 4 + 64, .max_chars = max_chars };
	t.buf = calloc(1, t.cap);
	if (!t.buf)
		return NULL;
	const uint8_t *p = ev->data;
	size_t n = ev->data_len;
	bool done = false;
	switch (ev->type) {
	case EV_EVENT_TAG:
		describe_tagged(&t, ev);
		done = true;
		break;
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
	case EV_EFI_VARIABLE_BOOT:
	case EV_EFI_VARIABLE_BOOT2:
	case EV_EFI_VARIABLE_AUTHORITY:
		done = describe_variable(&t, p, n);
		break;
	case EV_EFI_BOOT_SERVICES_APPLICATION:
	case 0x80000004: /* boot services driver */
	case 0x80000005: /* runtime services driver */
		done = describe_image(&t, p, n);
		break;
	case 0x8000000A: /* EV_EFI_PLATFORM_FIRMWARE_BLOB2: u8 size ‖ description ‖ ... */
	case 0x8000000B: /* EV_EFI_HANDOFF_TABLES2 */
		if (n >= 1 && p[0] <= n - 1 && p[0] > 0) {
			text_put_quoted(&t, p + 1, p[p[0]] == 0 ? p[0] - 1u : p[0]);
			done = true;
		}
		break;
	default:
		break;
	}
	if (!done) {
		if (n == 0)
			text_puts(&t, "(no data)");
		else if (is_ascii_text(p, n))
			text_put_quoted(&t, p, p[n - 1] == 0 ? n - 1 : n);
		else if (is_utf16_ascii_text(p, n)) {
			text_puts(&t, "u\"");
			text_put_utf16(&t, p, n);
			text_putc(&t, '"');
		} else
			text_put_hex(&t, p, n, 32);
	}
	if (t.cut) {
		t.cut = false;
		t.max_chars += 3;
		text_puts(&t, "...");
	}
	return t.buf;
}

/* ---- replay ---- */

int evidence_replay_all(const struct evidence_log *e, struct evidence_replay *ret,
			struct tdv_error *err)
{
	struct evidence_replay *rp = ret;
	rp->n_banks = 0;
	for (size_t i = 0; i < e->log->n_algs; i++) {
		uint16_t id = e->log->algs[i].id;
		int r = eventlog_replay(e->log, id, rp->regs[rp->n_banks], rp->used[rp->n_banks]);
		if (r == -EOPNOTSUPP)
			continue; /* a bank libcrypto cannot hash (e.g. SM3) is shown as such */
		if (r == -EBADMSG)
			return tdv_error_set(err, r,
					     "event log: an event lacks the 0x%04x digest its Spec ID "
					     "header announces",
					     id);
		if (r < 0)
			return tdv_error_set(err, r, "event log: replay failed: %s", strerror(-r));
		rp->alg_ids[rp->n_banks++] = id;
	}
	return 0;
}

int evidence_replay_rtmrs(const struct evidence_replay *rp, const uint8_t *ret_rtmr[4])
{
	for (size_t b = 0; b < rp->n_banks; b++)
		if (rp->alg_ids[b] == TCG_ALG_SHA384) {
			for (int i = 0; i < 4; i++)
				ret_rtmr[i] = rp->regs[b][i + 1];
			return 0;
		}
	return -ENOENT;
}

/* ---- JSON ---- */

struct json_object *json_hex(const uint8_t *p, size_t n)
{
	_cleanup_free_ char *h = hex_encode_alloc(p, n);
	return h ? json_object_new_string(h) : NULL;
}

static const char *recompute_json_word(enum eventlog_recompute r)
{
	return r == EVENTLOG_RECOMPUTE_MATCH ? "match"
	       : r == EVENTLOG_RECOMPUTE_MISMATCH ? "mismatch"
						  : "not-recomputable";
}

static struct json_object *event_json(const struct evidence_log *e,
				      const struct eventlog_event *ev)
{
	struct json_object *o = json_object_new_object();
	char reg[16], type[16];
	evidence_register_name(e->kind, ev->register_index, reg, sizeof(reg));
	snprintf(type, sizeof(type), "0x%08x", ev->type);
	const char *name = eventlog_type_name(ev->type);
	json_object_object_add(o, "index", json_object_new_int64((int64_t)ev->index));
	json_object_object_add(o, "source", json_object_new_string(
						    ev->source == EVENTLOG_SOURCE_AAEL ? "aael"
										       : "log"));
	json_object_object_add(o, "offset", json_object_new_int64((int64_t)ev->offset));
	json_object_object_add(o, "register_index", json_object_new_int64(ev->register_index));
	json_object_object_add(o, "register", json_object_new_string(reg));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "type_name", name ? json_object_new_string(name) : NULL);
	struct json_object *d = json_object_new_object();
	for (uint32_t i = 0; i < ev->n_digests; i++) {
		char key[16];
		const char *an = tcg_alg_name(ev->digests[i].alg_id);
		if (!an) {
			snprintf(key, sizeof(key), "0x%04x", ev->digests[i].alg_id);
			an = key;
		}
		json_object_object_add(d, an, json_hex(ev->digests[i].value, ev->digests[i].size));
	}
	json_object_object_add(o, "digests", d);
	_cleanup_free_ char *desc = evidence_event_describe(ev, 4096);
	json_object_object_add(o, "description", desc ? json_object_new_string(desc) : NULL);
	struct aael_event a;
	if (eventlog_event_aael(ev, &a) == 0)
		json_object_object_add(o, "aael_text",
				       json_object_new_string_len(a.text, (int)a.text_len));
	json_object_object_add(o, "data", json_hex(ev->data, ev->data_len));
	json_object_object_add(o, "recompute",
			       json_object_new_string(
				       ev->type == EV_NO_ACTION
					       ? "skipped"
					       : recompute_json_word(evidence_event_recompute(ev))));
	return o;
}

struct json_object *evidence_log_json(const struct evidence_log *e,
				      const struct evidence_replay *rp)
{
	struct json_object *o = json_object_new_object(), *algs = json_object_new_array();
	json_object_object_add(o, "kind", json_object_new_string(e->kind == EVENTLOG_KIND_CC_MR
									 ? "cc-mr"
									 : "tpm-pcr"));
	for (size_t i = 0; i < e->log->n_algs; i++) {
		struct json_object *a = json_object_new_object();
		const char *n = tcg_alg_name(e->log->algs[i].id);
		json_object_object_add(a, "id", json_object_new_int(e->log->algs[i].id));
		json_object_object_add(a, "name", n ? json_object_new_string(n) : NULL);
		json_object_object_add(a, "size", json_object_new_int(e->log->algs[i].size));
		json_object_array_add(algs, a);
	}
	json_object_object_add(o, "algorithms", algs);
	struct json_object *evs = json_object_new_array();
	for (size_t i = 0; i < e->log->n_events; i++)
		json_object_array_add(evs, event_json(e, &e->log->events[i]));
	json_object_object_add(o, "events", evs);

	const uint8_t *rtmr[4];
	if (e->kind == EVENTLOG_KIND_CC_MR && evidence_replay_rtmrs(rp, rtmr) == 0) {
		struct json_object *r = json_object_new_object();
		for (int i = 0; i < 4; i++) {
			char k[8];
			snprintf(k, sizeof(k), "rtmr%d", i);
			json_object_object_add(r, k, json_hex(rtmr[i], 48));
		}
		json_object_object_add(o, "rtmrs", r);
	}
	if (e->kind == EVENTLOG_KIND_PCR) {
		struct json_object *banks = json_object_new_object();
		for (size_t b = 0; b < rp->n_banks; b++) {
			struct json_object *pcrs = json_object_new_object();
			size_t size = eventlog_alg_size(e->log, rp->alg_ids[b]);
			for (int i = 0; i < EVENTLOG_MAX_REGISTERS; i++) {
				char k[8];
				if (!rp->used[b][i])
					continue;
				snprintf(k, sizeof(k), "%d", i);
				json_object_object_add(pcrs, k, json_hex(rp->regs[b][i], size));
			}
			const char *n = tcg_alg_name(rp->alg_ids[b]);
			json_object_object_add(banks, n ? n : "unknown", pcrs);
		}
		json_object_object_add(o, "pcrs", banks);
	}
	return o;
}

struct json_object *evidence_quote_json(const struct tdx_quote *q,
					const struct tdx_quote_verdict *v)
{
	const struct tdx_td_report *td = &q->td;
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_int(q->version));
	json_object_object_add(o, "att_key_type", json_object_new_int(q->att_key_type));
	json_object_object_add(o, "tee_type", json_object_new_int64(q->tee_type));
	json_object_object_add(o, "qe_vendor_id", json_hex(q->qe_vendor_id, 16));
	json_object_object_add(o, "body_type", json_object_new_int(q->body_type));
	json_object_object_add(o, "tee_tcb_svn", json_hex(td->tee_tcb_svn, 16));
	json_object_object_add(o, "mrseam", json_hex(td->mrseam, 48));
	json_object_object_add(o, "mrsignerseam", json_hex(td->mrsignerseam, 48));
	json_object_object_add(o, "seam_attributes", json_hex(td->seam_attributes, 8));
	json_object_object_add(o, "td_attributes", json_hex(td->td_attributes, 8));
	json_object_object_add(o, "xfam", json_hex(td->xfam, 8));
	json_object_object_add(o, "mrtd", json_hex(td->mrtd, 48));
	json_object_object_add(o, "mrconfigid", json_hex(td->mrconfigid, 48));
	json_object_object_add(o, "mrowner", json_hex(td->mrowner, 48));
	json_object_object_add(o, "mrownerconfig", json_hex(td->mrownerconfig, 48));
	for (int i = 0; i < 4; i++) {
		char k[8];
		snprintf(k, sizeof(k), "rtmr%d", i);
		json_object_object_add(o, k, json_hex(td->rtmr[i], 48));
	}
	json_object_object_add(o, "reportdata", json_hex(td->reportdata, 64));
	if (td->tee_tcb_svn2) {
		json_object_object_add(o, "tee_tcb_svn2", json_hex(td->tee_tcb_svn2, 16));
		json_object_object_add(o, "mrservicetd", json_hex(td->mrservicetd, 48));
	}
	json_object_object_add(o, "attestation_key", json_hex(q->attestation_key, 64));
	json_object_object_add(o, "qe_auth_data", json_hex(q->qe_auth_data, q->qe_auth_len));
	if (v) {
		struct json_object *c = json_object_new_object();
		json_object_object_add(c, "ak_signature", json_object_new_boolean(v->ak_signature_ok));
		json_object_object_add(c, "qe_report_binding",
				       json_object_new_boolean(v->qe_binding_ok));
		json_object_object_add(c, "pck_signature_over_qe_report",
				       json_object_new_boolean(v->pck_signature_ok));
		struct json_object *subj = json_object_new_array();
		for (size_t i = 0; i < v->n_certs && i < ELEMENTSOF(v->subjects); i++)
			json_object_array_add(subj, json_object_new_string(v->subjects[i]));
		json_object_object_add(c, "pck_chain_subjects", subj);
		json_object_object_add(o, "checks", c);
	}
	return o;
}

int evidence_print_json(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		return -EIO;
	return 0;
}

static void print_hex_field(FILE *f, const char *name, const uint8_t *p, size_t n)
{
	char h[2 * 64 + 1];
	hex_encode(p, n, h);
	fprintf(f, "  %-16s %s\n", name, h);
}

void evidence_quote_print(FILE *f, const struct tdx_quote *q)
{
	const struct tdx_td_report *td = &q->td;
	fprintf(f, "TDX quote v%u, attestation key type %u (ECDSA-P256), TEE type 0x%x, body %s "
		   "(%u bytes)\n",
		q->version, q->att_key_type, q->tee_type,
		q->body_type == 3 ? "TDX 1.5" : "TDX 1.0", q->body_size);
	print_hex_field(f, "QE vendor id", q->qe_vendor_id, 16);
	print_hex_field(f, "TEE_TCB_SVN", td->tee_tcb_svn, 16);
	if (td->tee_tcb_svn2)
		print_hex_field(f, "TEE_TCB_SVN2", td->tee_tcb_svn2, 16);
	print_hex_field(f, "MRSEAM", td->mrseam, 48);
	print_hex_field(f, "MRSIGNERSEAM", td->mrsignerseam, 48);
	print_hex_field(f, "SEAMATTRIBUTES", td->seam_attributes, 8);
	print_hex_field(f, "TDATTRIBUTES", td->td_attributes, 8);
	print_hex_field(f, "XFAM", td->xfam, 8);
	print_hex_field(f, "MRTD", td->mrtd, 48);
	print_hex_field(f, "MRCONFIGID", td->mrconfigid, 48);
	print_hex_field(f, "MROWNER", td->mrowner, 48);
	print_hex_field(f, "MROWNERCONFIG", td->mrownerconfig, 48);
	for (int i = 0; i < 4; i++) {
		char k[8];
		snprintf(k, sizeof(k), "RTMR%d", i);
		print_hex_field(f, k, td->rtmr[i], 48);
	}
	if (td->mrservicetd)
		print_hex_field(f, "MRSERVICETD", td->mrservicetd, 48);
	print_hex_field(f, "REPORTDATA", td->reportdata, 64);
	print_hex_field(f, "attestation key", q->attestation_key, 64);
	print_hex_field(f, "QE auth data", q->qe_auth_data, q->qe_auth_len < 64 ? q->qe_auth_len : 64);
}
