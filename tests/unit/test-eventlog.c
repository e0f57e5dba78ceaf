/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/eventlog.h"
#include "core/measure.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

/* ---- building synthetic logs ---- */

struct buf {
	uint8_t *p;
	size_t len;
};

static void buf_add(struct buf *b, const void *data, size_t n)
{
	b->p = realloc(b->p, b->len + n + 1);
	assert_non_null(b->p);
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void buf_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4];
	le32_put(x, v);
	buf_add(b, x, 4);
}

static void buf_u16(struct buf *b, uint16_t v)
{
	uint8_t x[2];
	le16_put(x, v);
	buf_add(b, x, 2);
}

/* The Spec ID header listing the given (id, size) pairs. */
static void add_spec_id(struct buf *b, const uint16_t (*algs)[2], uint32_t n)
{
	struct buf ev = { 0 };
	buf_add(&ev, "Spec ID Event03", 16);
	buf_u32(&ev, 0);			  /* platform class */
	buf_add(&ev, "\x00\x02\x00\x02", 4); /* minor 0, major 2, errata 0, uintn 2 */
	buf_u32(&ev, n);
	for (uint32_t i = 0; i < n; i++) {
		buf_u16(&ev, algs[i][0]);
		buf_u16(&ev, algs[i][1]);
	}
	buf_add(&ev, "\0", 1); /* no vendor info */
	buf_u32(b, 0);
	buf_u32(b, EV_NO_ACTION);
	uint8_t zero[20] = { 0 };
	buf_add(b, zero, 20);
	buf_u32(b, (uint32_t)ev.len);
	buf_add(b, ev.p, ev.len);
	free(ev.p);
}

static const uint16_t ALGS_384[][2] = { { TCG_ALG_SHA384, 48 } };
static const uint16_t ALGS_256_384[][2] = { { TCG_ALG_SHA256, 32 }, { TCG_ALG_SHA384, 48 } };

/* One record with the SHA-384 (and optionally SHA-256) digest of `hashed`. */
static void add_event(struct buf *b, uint32_t reg, uint32_t type, const void *hashed,
		      size_t hashed_len, const void *data, size_t data_len, bool with_sha256)
{
	struct tcg2_digest d[2];
	size_t n = 0;
	if (with_sha256) {
		d[n].alg = HASH_SHA256;
		assert_int_equal(digest_buf(HASH_SHA256, hashed, hashed_len, d[n].value), 0);
		n++;
	}
	d[n].alg = HASH_SHA384;
	assert_int_equal(digest_buf(HASH_SHA384, hashed, hashed_len, d[n].value), 0);
	n++;
	uint8_t *rec;
	size_t len;
	assert_int_equal(tcg2_record_encode(reg, type, d, n, data, data_len, &rec, &len), 0);
	buf_add(b, rec, len);
	free(rec);
}

static struct buf sample_log(bool with_sha256)
{
	struct buf b = { 0 };
	add_spec_id(&b, with_sha256 ? ALGS_256_384 : ALGS_384, with_sha256 ? 2 : 1);
	const char *act = "Calling EFI Application from Boot Option";
	add_event(&b, 2, EV_EFI_ACTION, act, strlen(act), act, strlen(act), with_sha256);
	add_event(&b, 2, EV_SEPARATOR, "\0\0\0\0", 4, "\0\0\0\0", 4, with_sha256);
	const char *grub = "kernel_cmdline: /vmlinuz root=/dev/vda ro";
	add_event(&b, 3, EV_IPL, grub + 16, strlen(grub) - 16, grub, strlen(grub) + 1,
		  with_sha256);
	/* An EFI-stub style tagged event: digest over data that is not in the log. */
	uint8_t tag[8 + 13];
	le32_put(tag, LINUX_EFISTUB_INITRD_TAG_ID);
	le32_put(tag + 4, 13);
	memcpy(tag + 8, "Linux initrd", 13);
	add_event(&b, 3, EV_EVENT_TAG, "initrd bytes", 12, tag, sizeof(tag), with_sha256);
	uint8_t *aael;
	size_t aael_len;
	assert_int_equal(aael_event_data("tdverity", "rootfs", "{}", &aael, &aael_len), 0);
	add_event(&b, 4, EV_EVENT_TAG, aael, aael_len, aael, aael_len, with_sha256);
	free(aael);
	return b;
}

/* ---- tests ---- */

static void test_parse_and_replay(void **state)
{
	struct buf b = sample_log(true);
	struct eventlog *log = NULL;
	struct tdv_error err = { { 0 } };
	assert_int_equal(eventlog_parse(b.p, b.len, &log, &err), 0);
	assert_int_equal(log->n_algs, 2);
	assert_int_equal(log->n_events, 5);
	assert_int_equal(log->log_len, b.len);
	assert_int_equal(eventlog_kind(log), EVENTLOG_KIND_CC_MR);
	assert_int_equal(eventlog_alg_size(log, TCG_ALG_SHA256), 32);
	assert_int_equal(eventlog_alg_size(log, TCG_ALG_SHA1), 0);

	for (size_t i = 0; i < log->n_events; i++) {
		const struct eventlog_event *ev = &log->events[i];
		enum eventlog_recompute want = i == 3 ? EVENTLOG_RECOMPUTE_NA
						      : EVENTLOG_RECOMPUTE_MATCH;
		for (uint32_t d = 0; d < ev->n_digests; d++)
			assert_int_equal(eventlog_event_recompute(ev, &ev->digests[d]), want);
	}

	/* Replay by hand with mr_extend and compare, per bank. */
	uint8_t regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST];
	bool used[EVENTLOG_MAX_REGISTERS];
	const enum hash_alg banks[] = { HASH_SHA256, HASH_SHA384 };
	for (size_t k = 0; k < 2; k++) {
		uint16_t id = hash_alg_tcg_id(banks[k]);
		assert_int_equal(eventlog_replay(log, id, regs, used), 0);
		uint8_t want[5][DIGEST_MAX_SIZE] = { { 0 } };
		for (size_t i = 0; i < log->n_events; i++) {
			const struct eventlog_event *ev = &log->events[i];
			const struct eventlog_digest *d = eventlog_event_digest(ev, id);
			assert_non_null(d);
			assert_int_equal(mr_extend(banks[k], want[ev->register_index], d->value), 0);
		}
		for (int r = 2; r <= 4; r++) {
			assert_true(used[r]);
			assert_memory_equal(regs[r], want[r], hash_alg_size(banks[k]));
		}
		assert_false(used[0] || used[1]);
	}
	assert_int_equal(eventlog_replay(log, TCG_ALG_SHA512, regs, used), -ENOENT);

	struct aael_event a;
	assert_int_equal(eventlog_event_aael(&log->events[4], &a), 0);
	assert_int_equal(a.text_len, strlen("tdverity rootfs {}"));
	assert_memory_equal(a.text, "tdverity rootfs {}", a.text_len);
	assert_int_equal(eventlog_event_aael(&log->events[3], &a), -EBADMSG);
	eventlog_free(log);
	free(b.p);
}

static void test_end_of_log_fill(void **state)
{
	struct buf b = sample_log(false);
	size_t good = b.len;
	struct eventlog *log;
	for (int fill = 0; fill < 2; fill++) {
		b.len = good;
		uint8_t pad[300];
		memset(pad, fill ? 0xFF : 0x00, sizeof(pad));
		buf_add(&b, pad, sizeof(pad));
		assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
		assert_int_equal(log->n_events, 5);
		assert_int_equal(log->log_len, good);
		eventlog_free(log);
	}
	/* A short tail that is not fill is a truncated record. */
	b.len = good;
	buf_add(&b, "\x01\x02\x03", 3);
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), -EBADMSG);
	/* ... but a short fill tail ends the log. */
	b.len = good;
	buf_add(&b, "\xff\xff\xff", 3);
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
	eventlog_free(log);
	/* An end marker does not hide what follows it: events or garbage after it are refused. */
	for (int fill = 0; fill < 2; fill++) {
		uint8_t pad[8];
		memset(pad, fill ? 0xFF : 0x00, sizeof(pad));
		b.len = good;
		buf_add(&b, pad, sizeof(pad));
		add_event(&b, 4, EV_EVENT_TAG, "hidden", 6, "hidden", 6, false);
		assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), -EBADMSG);
		b.len = good;
		buf_add(&b, pad, sizeof(pad));
		buf_add(&b, "\x01", 1);
		assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), -EBADMSG);
		assert_int_equal(eventlog_parse(b.p, good, &log, NULL), 0);
		assert_int_equal(eventlog_append_records(log, b.p + good, b.len - good, NULL),
				 -EBADMSG);
		assert_int_equal(log->n_events, 5);
		eventlog_free(log);
	}
	free(b.p);
}

static void test_every_truncation(void **state)
{
	struct buf b = sample_log(true);
	struct eventlog *log = NULL;
	size_t header = 0;
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
	header = log->header_len;
	/* Record boundaries: a cut exactly there is a shorter valid log. */
	bool boundary[4096] = { false };
	assert_true(b.len < sizeof(boundary));
	boundary[header] = true;
	for (size_t i = 0; i < log->n_events; i++)
		boundary[log->events[i].offset] = true;
	eventlog_free(log);

	for (size_t len = 0; len < b.len; len++) {
		/* A fresh allocation of exactly len bytes, so ASan sees any overread. */
		uint8_t *cut = malloc(len ? len : 1);
		memcpy(cut, b.p, len);
		struct tdv_error err = { { 0 } };
		log = NULL;
		int r = eventlog_parse(cut, len, &log, &err);
		if (boundary[len])
			assert_int_equal(r, 0);
		else {
			assert_int_equal(r, -EBADMSG);
			assert_true(err.msg[0] != '\0');
			assert_null(log);
		}
		eventlog_free(log);
		free(cut);
	}
	free(b.p);
}

/* Parse b with one u32 / u16 patched at an offset; expect -EBADMSG and a message. */
static void expect_bad(const struct buf *b, size_t off, const void *patch, size_t n,
		       const char *why)
{
	uint8_t *copy = malloc(b->len);
	memcpy(copy, b->p, b->len);
	memcpy(copy + off, patch, n);
	struct eventlog *log = NULL;
	struct tdv_error err = { { 0 } };
	int r = eventlog_parse(copy, b->len, &log, &err);
	if (r != -EBADMSG)
		fail_msg("%s: parse returned %d", why, r);
	assert_null(log);
	assert_non_null(strstr(err.msg, "event log"));
	free(copy);
}

static void test_malformed_fields(void **state)
{
	struct buf b = sample_log(false);
	struct eventlog *log;
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
	size_t e0 = log->events[0].offset, e1 = log->events[1].offset;
	eventlog_free(log);
	const size_t spec = 32; /* Spec ID event data starts after the 32-byte header */

	expect_bad(&b, 4, "\x04\x00\x00\x00", 4, "first event not EV_NO_ACTION");
	expect_bad(&b, 28, "\xff\xff\xff\xff", 4, "giant Spec ID size");
	expect_bad(&b, spec, "Spec ID Event02", 15, "wrong signature");
	expect_bad(&b, spec + 24, "\x00\x00\x00\x00", 4, "zero algorithms");
	expect_bad(&b, spec + 24, "\xff\xff\xff\x0f", 4, "giant algorithm count");
	expect_bad(&b, spec + 28 + 2, "\x20\x00", 2, "SHA-384 with size 32");
	expect_bad(&b, spec + 28 + 2, "\x00\x10", 2, "giant digest size");
	expect_bad(&b, spec + 32, "\x05", 1, "vendor info past the event");
	expect_bad(&b, e0, "\x20\x00\x00\x00", 4, "register 32");
	expect_bad(&b, e0 + 8, "\x00\x00\x00\x00", 4, "digest count 0");
	expect_bad(&b, e0 + 8, "\x02\x00\x00\x00", 4, "digest count above the table");
	expect_bad(&b, e0 + 8, "\xff\xff\xff\xff", 4, "giant digest count");
	expect_bad(&b, e0 + 12, "\x0b\x00", 2, "SHA-256 digest not in the table");
	expect_bad(&b, e0 + 12, "\x99\x99", 2, "unknown algorithm id");
	expect_bad(&b, e0 + 12 + 2 + 48, "\xff\xff\xff\xff", 4, "giant event size");
	expect_bad(&b, e1 + 8, "\x01\x00\x00\x01", 4, "count of 16M");
	free(b.p);

	/* A duplicate digest of one algorithm in a two-bank log. */
	b = sample_log(true);
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
	e0 = log->events[0].offset;
	eventlog_free(log);
	expect_bad(&b, e0 + 12 + 2 + 32, "\x0b\x00", 2, "two SHA-256 digests");
	free(b.p);

	/* An unknown algorithm id is fine when the Spec ID table gives its size. */
	const uint16_t algs[][2] = { { 0x0099, 16 }, { TCG_ALG_SHA384, 48 } };
	b = (struct buf){ 0 };
	add_spec_id(&b, algs, 2);
	buf_u32(&b, 1);
	buf_u32(&b, EV_SEPARATOR);
	buf_u32(&b, 2);
	uint8_t d16[16] = { 0 }, d48[48];
	buf_u16(&b, 0x0099);
	buf_add(&b, d16, 16);
	buf_u16(&b, TCG_ALG_SHA384);
	assert_int_equal(digest_buf(HASH_SHA384, "\0\0\0\0", 4, d48), 0);
	buf_add(&b, d48, 48);
	buf_u32(&b, 4);
	buf_add(&b, "\0\0\0\0", 4);
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
	assert_int_equal(log->n_events, 1);
	uint8_t regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST];
	bool used[EVENTLOG_MAX_REGISTERS];
	assert_int_equal(eventlog_replay(log, 0x0099, regs, used), -EOPNOTSUPP);
	assert_int_equal(eventlog_replay(log, TCG_ALG_SHA384, regs, used), 0);
	const struct eventlog_digest *d = eventlog_event_digest(&log->events[0], 0x0099);
	assert_non_null(d);
	assert_int_equal(eventlog_event_recompute(&log->events[0], d), EVENTLOG_RECOMPUTE_NA);
	eventlog_free(log);
	free(b.p);
}

static void test_pcr_log_and_missing_bank(void **state)
{
	struct buf b = { 0 };
	add_spec_id(&b, ALGS_256_384, 2);
	add_event(&b, 0, EV_SEPARATOR, "\0\0\0\0", 4, "\0\0\0\0", 4, true);
	add_event(&b, 7, EV_SEPARATOR, "\0\0\0\0", 4, "\0\0\0\0", 4, true);
	/* A record that only carries SHA-384 although the header announces two banks. */
	add_event(&b, 15, EV_SEPARATOR, "\0\0\0\0", 4, "\0\0\0\0", 4, false);
	struct eventlog *log;
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
	assert_int_equal(eventlog_kind(log), EVENTLOG_KIND_PCR);
	uint8_t regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST];
	bool used[EVENTLOG_MAX_REGISTERS];
	assert_int_equal(eventlog_replay(log, TCG_ALG_SHA256, regs, used), -EBADMSG);
	assert_int_equal(eventlog_replay(log, TCG_ALG_SHA384, regs, used), 0);
	assert_true(used[0] && used[7] && used[15] && !used[1]);
	eventlog_free(log);
	free(b.p);
}

static void test_append_records(void **state)
{
	struct buf b = sample_log(false);
	struct eventlog *log;
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);

	struct buf aael = { 0 };
	uint8_t *data;
	size_t len;
	assert_int_equal(aael_event_data("coco.com", "op", "content", &data, &len), 0);
	add_event(&aael, 4, EV_EVENT_TAG, data, len, data, len, false);
	free(data);
	size_t one = aael.len;
	buf_add(&aael, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	assert_int_equal(eventlog_append_records(log, aael.p, aael.len, NULL), 0);
	assert_int_equal(log->n_events, 6);
	assert_int_equal(log->events[5].source, EVENTLOG_SOURCE_AAEL);
	assert_int_equal(eventlog_event_recompute(&log->events[5], &log->events[5].digests[0]),
			 EVENTLOG_RECOMPUTE_MATCH);

	/* A truncated agent log is refused and leaves the log as it was. */
	struct tdv_error err = { { 0 } };
	assert_int_equal(eventlog_append_records(log, aael.p, one - 1, &err), -EBADMSG);
	assert_int_equal(log->n_events, 6);
	eventlog_free(log);
	free(aael.p);
	free(b.p);
}

static const struct eventlog_event *make_event(uint32_t type, const void *data, size_t len,
					       const void *hashed, size_t hashed_len,
					       struct eventlog_event *ev, uint8_t *digest)
{
	assert_int_equal(digest_buf(HASH_SHA384, hashed, hashed_len, digest), 0);
	*ev = (struct eventlog_event){ .register_index = 1, .type = type, .n_digests = 1,
				       .data = data, .data_len = (uint32_t)len };
	ev->digests[0] = (struct eventlog_digest){ TCG_ALG_SHA384, 48, digest };
	return ev;
}

static void test_recompute_rules(void **state)
{
	struct eventlog_event ev;
	uint8_t dg[48];
#define RECOMPUTE(type, data, len, hashed, hlen)                                               \
	eventlog_event_recompute(make_event(type, data, len, hashed, hlen, &ev, dg), &ev.digests[0])

	/* grub: the string after the prefix, without the trailing NUL. */
	const char *g = "grub_cmd: set timeout=0";
	assert_int_equal(RECOMPUTE(EV_IPL, g, strlen(g) + 1, "set timeout=0", 13),
			 EVENTLOG_RECOMPUTE_MATCH);
	assert_int_equal(RECOMPUTE(EV_IPL, g, strlen(g) + 1, g, strlen(g)),
			 EVENTLOG_RECOMPUTE_MISMATCH);
	assert_int_equal(RECOMPUTE(EV_IPL, g, strlen(g), "set timeout=0", 13),
			 EVENTLOG_RECOMPUTE_MATCH);
	/* Other EV_IPL (shim's MokList, grub's files): digest over data not in the log. */
	assert_int_equal(RECOMPUTE(EV_IPL, "MokList", 8, "x", 1), EVENTLOG_RECOMPUTE_NA);
	/* Actions: the string as logged. */
	assert_int_equal(RECOMPUTE(EV_EFI_ACTION, "Exit", 4, "Exit", 4), EVENTLOG_RECOMPUTE_MATCH);
	assert_int_equal(RECOMPUTE(EV_EFI_ACTION, "Exit", 4, "Exit\0", 5),
			 EVENTLOG_RECOMPUTE_MISMATCH);
	/* EV_EFI_VARIABLE_BOOT: only the variable's data. */
	uint8_t var[32 + 4 + 2] = { 0 };
	le64_put(var + 16, 2);
	le64_put(var + 24, 2);
	memcpy(var + 32, "B\0o\0", 4);
	memcpy(var + 36, "\x01\x00", 2);
	assert_int_equal(RECOMPUTE(EV_EFI_VARIABLE_BOOT, var, sizeof(var), "\x01\x00", 2),
			 EVENTLOG_RECOMPUTE_MATCH);
	assert_int_equal(RECOMPUTE(EV_EFI_VARIABLE_DRIVER_CONFIG, var, sizeof(var), var,
				   sizeof(var)),
			 EVENTLOG_RECOMPUTE_MATCH);
	le64_put(var + 16, 1ULL << 62); /* name length running past the data */
	assert_int_equal(RECOMPUTE(EV_EFI_VARIABLE_BOOT, var, sizeof(var), "\x01\x00", 2),
			 EVENTLOG_RECOMPUTE_MISMATCH);
	/* Tagged events: AAEL recomputes, a malformed size field or another tag does not. */
	uint8_t tag[8 + 3];
	le32_put(tag, AAEL_EVENT_TAG_ID);
	le32_put(tag + 4, 3);
	memcpy(tag + 8, "a b", 3);
	assert_int_equal(RECOMPUTE(EV_EVENT_TAG, tag, sizeof(tag), tag, sizeof(tag)),
			 EVENTLOG_RECOMPUTE_MATCH);
	le32_put(tag + 4, 0xFFFFFFFF);
	assert_int_equal(RECOMPUTE(EV_EVENT_TAG, tag, sizeof(tag), tag, sizeof(tag)),
			 EVENTLOG_RECOMPUTE_NA);
	le32_put(tag, LINUX_EFISTUB_LOAD_OPTIONS_TAG_ID);
	le32_put(tag + 4, 3);
	assert_int_equal(RECOMPUTE(EV_EVENT_TAG, tag, sizeof(tag), tag, sizeof(tag)),
			 EVENTLOG_RECOMPUTE_NA);
	assert_int_equal(RECOMPUTE(EV_EFI_BOOT_SERVICES_APPLICATION, "x", 1, "x", 1),
			 EVENTLOG_RECOMPUTE_NA);
#undef RECOMPUTE
}

/* ---- the real logs (shared/testdata/tdx; expected values from PROVENANCE.md) ---- */

static void replay_file(const char *name, size_t want_events, const char *const want[4])
{
	const char *dir = unit_testdata_dir();
	if (!dir)
		skip();
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	uint8_t *data;
	size_t len;
	assert_int_equal(read_full_file(path, 1 << 24, &data, &len), 0);
	struct eventlog *log;
	struct tdv_error err = { { 0 } };
	if (eventlog_parse(data, len, &log, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
	assert_int_equal(log->n_events, want_events);
	assert_int_equal(log->n_algs, 1);
	assert_int_equal(log->algs[0].id, TCG_ALG_SHA384);
	assert_int_equal(eventlog_kind(log), EVENTLOG_KIND_CC_MR);
	uint8_t regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST];
	bool used[EVENTLOG_MAX_REGISTERS];
	assert_int_equal(eventlog_replay(log, TCG_ALG_SHA384, regs, used), 0);
	for (int i = 0; i < 4; i++)
		unit_assert_hex(regs[i + 1], 48, want[i]);
	size_t matched = 0;
	for (size_t i = 0; i < log->n_events; i++) {
		const struct eventlog_event *ev = &log->events[i];
		enum eventlog_recompute r = eventlog_event_recompute(ev, &ev->digests[0]);
		assert_int_not_equal(r, EVENTLOG_RECOMPUTE_MISMATCH);
		matched += r == EVENTLOG_RECOMPUTE_MATCH;
	}
	assert_true(matched > 0);
	eventlog_free(log);
	free(data);
}

#define Z48 "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

static void test_real_gcp(void **state)
{
	const char *const want[4] = {
		"3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6",
		"f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1",
		"4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1",
		Z48,
	};
	replay_file("gcp-cos-grub/ccel_data.dat", 43, want);
}

static void test_real_trustee_ovmf(void **state)
{
	const char *const want[4] = {
		"8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90abe193",
		"775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc210c13c6",
		"94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf25f34a",
		Z48,
	};
	replay_file("trustee/CCEL_data_ovmf", 20, want);
}

static void test_real_trustee_aael(void **state)
{
	const char *const want[4] = {
		"b796e1c11396c198ae88794def4cb8e24fa9b35468287c298087f00d4de7433e4e31a297a4e5a03d4300fa6f3a96d47c",
		"3b0b906140fcea689c8774ac1eafcf0fef8e22ba81a047fd750ebd7df3235c2704df6106a758e31e5645e9838ff37406",
		"35f2801338c1b5fce96518f058c37e0fe9ed247a12dcd5f50d9c18fe4b6c71311bb63fca2640c7915817b6aa412a8480",
		"5e4ecd49d3c7983d6f9ca36755b5cee0b423d7fa8c5a88aeb0681bd4698772bc37b4463dc5f722efe352a66417257dad",
	};
	replay_file("trustee/CCEL_AAEL_alibabacloud", 87, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_replay),
		cmocka_unit_test(test_end_of_log_fill),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_malformed_fields),
		cmocka_unit_test(test_pcr_log_and_missing_bank),
		cmocka_unit_test(test_append_records),
		cmocka_unit_test(test_recompute_rules),
		cmocka_unit_test(test_real_gcp),
		cmocka_unit_test(test_real_trustee_ovmf),
		cmocka_unit_test(test_real_trustee_aael),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
