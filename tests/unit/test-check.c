/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tdverity-verify check` end to end on synthetic evidence: a cmdline, an initrd and a
 * manifest; the event log an honest boot of them writes (digests computed here, from the
 * formats in DESIGN.md, independently of host/expected.c); a quote signed here whose RTMRs
 * are that log's replay.  Then one thing at a time goes wrong.
 */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/eventlog.h"
#include "core/measure.h"
#include "core/util.h"
#include "verifier/verbs.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define ROOT_HASH "4f1b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819"
#define SALT "0102030405060708"
/* A split-layout build's line: the volume of the manifest below, plus a console. */
#define CMDLINE                                                                        \
	"roothash=" ROOT_HASH " systemd.verity_root_data=/dev/vda "                   \
	"systemd.verity_root_hash=/dev/vdb systemd.verity_root_options=hash=sha256,"  \
	"salt=" SALT ",data-block-size=4096,hash-block-size=4096,data-blocks=1000,"    \
	"hash-offset=0,superblock=true,panic-on-corruption console=ttyS0"

static char dir[64];

static void path_of(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void put_file(const char *name, const void *data, size_t len)
{
	char p[128];
	path_of(p, sizeof(p), name);
	assert_int_equal(write_file_atomic(p, data, len, 0644), 0);
}

struct buf {
	uint8_t *p;
	size_t len;
};

static void buf_add(struct buf *b, const void *data, size_t n)
{
	b->p = realloc(b->p, b->len + n);
	assert_non_null(b->p);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void add_spec_id(struct buf *b)
{
	uint8_t rec[32 + 33] = { 0 };
	le32_put(rec + 4, EV_NO_ACTION);
	le32_put(rec + 28, 33);
	memcpy(rec + 32, "Spec ID Event03", 16);
	memcpy(rec + 32 + 20, "\x00\x02\x00\x02", 4);
	le32_put(rec + 32 + 24, 1);
	le16_put(rec + 32 + 28, TCG_ALG_SHA384);
	le16_put(rec + 32 + 30, 48);
	buf_add(b, rec, sizeof(rec));
}

static void add_record(struct buf *b, uint32_t mr, uint32_t type, const uint8_t digest[48],
		       const void *data, size_t len)
{
	struct tcg2_digest d = { .alg = HASH_SHA384 };
	memcpy(d.value, digest, 48);
	uint8_t *rec;
	size_t rec_len;
	assert_int_equal(tcg2_record_encode(mr, type, &d, 1, data, len, &rec, &rec_len), 0);
	buf_add(b, rec, rec_len);
	free(rec);
}

static void add_hashed(struct buf *b, uint32_t mr, uint32_t type, const void *data, size_t len)
{
	uint8_t d[48];
	assert_int_equal(digest_buf(HASH_SHA384, data, len, d), 0);
	add_record(b, mr, type, d, data, len);
}

static void add_stub_tag(struct buf *b, uint32_t id, const char *what, const uint8_t digest[48])
{
	uint8_t tag[64];
	size_t n = strlen(what) + 1;
	le32_put(tag, id);
	le32_put(tag + 4, (uint32_t)n);
	memcpy(tag + 8, what, n);
	add_record(b, 3, EV_EVENT_TAG, digest, tag, 8 + n);
}

/* SHA-384(UTF-16LE(s) ‖ 00 00), s ASCII. */
static void load_options_digest(const char *s, uint8_t out[48])
{
	size_t n = strlen(s);
	uint8_t *u = calloc(2 * n + 2, 1);
	for (size_t i = 0; i < n; i++)
		u[2 * i] = (uint8_t)s[i];
	assert_int_equal(digest_buf(HASH_SHA384, u, 2 * n + 2, out), 0);
	free(u);
}

static void rootfs_event(uint8_t **ret, size_t *ret_len)
{
	size_t rh_len, salt_len;
	uint8_t *rh = unit_unhex(ROOT_HASH, &rh_len), *salt = unit_unhex(SALT, &salt_len);
	struct verity_root p = { .params = { .alg = HASH_SHA256, .salt_size = (uint16_t)salt_len,
					     .data_blocks = 1000, .data_block_size = 4096,
					     .hash_block_size = 4096 } };
	assert_int_equal(rh_len, 32);
	memcpy(p.root_hash, rh, rh_len);
	memcpy(p.params.salt, salt, salt_len);
	assert_int_equal(rootfs_event_data(&p, ret, ret_len), 0);
	free(rh);
	free(salt);
}

enum variant {
	HONEST,
	EXTRA_BETWEEN, /* an unexpected event between LoadOptions and the initrd */
	EXTRA_AFTER,   /* another agent event after the rootfs event in RTMR3 */
	WRONG_CMDLINE, /* the log's LoadOptions is for another cmdline */
	DEBUG_TD,      /* an honest log, but the quote is of a debug TD */
};

/* Write eventlog + quote for a variant; the quote always matches the log's replay. */
static void make_evidence(enum variant v)
{
	static const char initrd[] = "initrd bytes";
	struct buf b = { 0 };
	add_spec_id(&b);
	add_hashed(&b, 1, EV_SEPARATOR, "\0\0\0\0", 4);
	const char *act = "Calling EFI Application from Boot Option";
	add_hashed(&b, 2, EV_EFI_ACTION, act, strlen(act));

	uint8_t d[48];
	load_options_digest(v == WRONG_CMDLINE ? "initrd=initrd console=ttyS1"
					       : "initrd=initrd " CMDLINE,
			    d);
	add_stub_tag(&b, LINUX_EFISTUB_LOAD_OPTIONS_TAG_ID, "LOADED_IMAGE::LoadOptions", d);
	if (v == EXTRA_BETWEEN)
		add_hashed(&b, 3, EV_IPL, "grub_cmd: x", 12);
	assert_int_equal(digest_buf(HASH_SHA384, initrd, sizeof(initrd) - 1, d), 0);
	add_stub_tag(&b, LINUX_EFISTUB_INITRD_TAG_ID, "Linux initrd", d);

	uint8_t *ev;
	size_t ev_len;
	rootfs_event(&ev, &ev_len);
	add_hashed(&b, 4, EV_EVENT_TAG, ev, ev_len);
	free(ev);
	if (v == EXTRA_AFTER) {
		assert_int_equal(aael_event_data("coco.com", "op", "x", &ev, &ev_len), 0);
		add_hashed(&b, 4, EV_EVENT_TAG, ev, ev_len);
		free(ev);
	}
	put_file("eventlog", b.p, b.len);
	put_file("initrd.img", initrd, sizeof(initrd) - 1);

	struct eventlog *log;
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
	uint8_t regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST];
	bool used[EVENTLOG_MAX_REGISTERS];
	assert_int_equal(eventlog_replay(log, TCG_ALG_SHA384, regs, used), 0);
	uint8_t rtmrs[4 * 48];
	for (int i = 0; i < 4; i++)
		memcpy(rtmrs + 48 * i, regs[i + 1], 48);
	eventlog_free(log);
	free(b.p);

	static const uint8_t debug_attributes[8] = { 0x01, 0, 0, 0x10 }; /* DEBUG, SEPT_VE_DISABLE */
	struct unit_quote q = unit_quote_make_attributes(4, 2, rtmrs,
							 v == DEBUG_TD ? debug_attributes : NULL);
	put_file("quote", q.q, q.len);
	put_file("root.pem", q.pck_pem, q.pck_pem_len);
	unit_quote_free(&q);
}

static int run_check(const char *extra1, const char *extra2, const char *extra3)
{
	char quote[128], log[128], manifest[128], initrd[128], cmdline[128];
	path_of(quote, sizeof(quote), "quote");
	path_of(log, sizeof(log), "eventlog");
	path_of(manifest, sizeof(manifest), "manifest.json");
	path_of(initrd, sizeof(initrd), "initrd.img");
	path_of(cmdline, sizeof(cmdline), "cmdline.txt");
	char *argv[32] = { "check", "--quote", quote, "--eventlog", log, "--manifest", manifest,
			   "--initrd", initrd, "--cmdline", cmdline };
	int argc = 11;
	const char *extra[] = { extra1, extra2, extra3 };
	for (size_t i = 0; i < 3; i++)
		if (extra[i])
			argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;
	fflush(stdout);
	return verb_check(argc, argv);
}

static int setup(void **state)
{
	assert_int_equal(unit_scratch_dir_make(dir, sizeof(dir), "tdv-unit-check"), 0);
	const char *manifest =
		"{\"layout\":\"split\",\"hash_algorithm\":\"sha256\",\"root_hash\":\"" ROOT_HASH
		"\",\"salt\":\"" SALT "\",\"data_blocks\":1000,\"data_block_size\":4096,"
		"\"hash_block_size\":4096,\"hash_offset\":0,\"superblock\":true,"
		"\"partitions\":[{\"role\":\"root\",\"offset\":0,\"size\":4096000,"
		"\"file\":\"rootfs.img\"},{\"role\":\"root-verity\",\"offset\":0,"
		"\"size\":69632,\"file\":\"rootfs.verity\"}],\"cmdline\":\"" CMDLINE "\"}";
	put_file("manifest.json", manifest, strlen(manifest));
	put_file("cmdline.txt", CMDLINE "\n", strlen(CMDLINE) + 1);
	return 0;
}

static int teardown(void **state)
{
	return unit_scratch_dir_remove(dir);
}

static void test_honest_boot(void **state)
{
	make_evidence(HONEST);
	assert_int_equal(run_check(NULL, NULL, NULL), VERIFY_OK);
	assert_int_equal(run_check("--json", NULL, NULL), VERIFY_OK);
	/* strict: needs the chain verified to a root */
	assert_int_equal(run_check("--policy", "strict", NULL), VERIFY_MISMATCH);
	char root[128], opt[160];
	path_of(root, sizeof(root), "root.pem");
	snprintf(opt, sizeof(opt), "--root-ca=%s", root);
	assert_int_equal(run_check("--policy", "strict", opt), VERIFY_OK);
	/* Old edk2 puts the separator into RTMR0 and appends initrd=initrd: not this log. */
	assert_int_equal(run_check("--firmware-profile", "edk2-pre-202411", NULL),
			 VERIFY_MISMATCH);
}

static void test_event_between(void **state)
{
	make_evidence(EXTRA_BETWEEN);
	assert_int_equal(run_check(NULL, NULL, NULL), VERIFY_MISMATCH);
}

static void test_event_after(void **state)
{
	make_evidence(EXTRA_AFTER);
	assert_int_equal(run_check(NULL, NULL, NULL), VERIFY_OK); /* shown as a NOTE */
	char root[128], opt[160];
	path_of(root, sizeof(root), "root.pem");
	snprintf(opt, sizeof(opt), "--root-ca=%s", root);
	assert_int_equal(run_check("--policy", "strict", opt), VERIFY_MISMATCH);
}

static void test_wrong_cmdline(void **state)
{
	make_evidence(WRONG_CMDLINE);
	assert_int_equal(run_check(NULL, NULL, NULL), VERIFY_MISMATCH);
}

/* A debug TD's host can read and write its memory and registers: its RTMRs prove nothing. */
static void test_debug_td(void **state)
{
	make_evidence(DEBUG_TD);
	assert_int_equal(run_check(NULL, NULL, NULL), VERIFY_MISMATCH);
	char root[128], opt[160];
	path_of(root, sizeof(root), "root.pem");
	snprintf(opt, sizeof(opt), "--root-ca=%s", root);
	assert_int_equal(run_check("--json", opt, NULL), VERIFY_MISMATCH);
}

static void test_bad_artefacts(void **state)
{
	make_evidence(HONEST);
	assert_int_equal(run_check("--firmware-profile", "edk2-1999", NULL), VERIFY_USAGE);
	assert_int_equal(run_check("--kernel", "/nonexistent/bzImage", NULL), VERIFY_BAD_INPUT);
	char initrd[128];
	path_of(initrd, sizeof(initrd), "initrd.img");
	unlink(initrd);
	assert_int_equal(run_check(NULL, NULL, NULL), VERIFY_BAD_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_honest_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_between, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_cmdline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_td, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_artefacts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
