/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tdverity-verify check` end to end on synthetic evidence: a cmdline, an initrd and a
 * manifest; the event log an honest boot of them writes (digests computed here, from the
 * formats in docs/DESIGN.md, independently of host/expected.c); a quote signed here whose RTMRs
 * are that log's replay.  Then one thing at a time goes wrong, or is left unpinned.
 *
 * The quote is signed by a key made here and its "PCK chain" is a self-signed certificate:
 * whether such a quote is genuine is not this file's question (the quote checks and their
 * tests are); here the certificate is always given as --root-ca, and the verdicts are
 * about the registers.
 */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/eventlog.h"
#include "core/measure.h"
#include "core/tdx-quote.h"
#include "core/util.h"
#include "kernel-cmdline/cmdline.h"
#include "verifier/verbs.h"

#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void add_record(struct unit_log *b, uint32_t mr, uint32_t type, const uint8_t digest[48],
		       const void *data, size_t len)
{
	struct tcg2_digest d = { .alg = HASH_SHA384 };
	memcpy(d.value, digest, 48);
	uint8_t *rec;
	size_t rec_len;
	assert_int_equal(tcg2_record_encode(mr, type, &d, 1, data, len, &rec, &rec_len), 0);
	unit_log_add(b, rec, rec_len);
	free(rec);
}

static void add_hashed(struct unit_log *b, uint32_t mr, uint32_t type, const void *data, size_t len)
{
	uint8_t d[48];
	assert_int_equal(digest_buf(HASH_SHA384, data, len, d), 0);
	add_record(b, mr, type, d, data, len);
}

static void add_stub_tag(struct unit_log *b, uint32_t id, const char *what, const uint8_t digest[48])
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
	/* Version 2 binds what runs: the line's defaults (/sbin/init, argv of its own,
	 * tdverity.measure=auto, panic-on-corruption). */
	static const char *const argv[] = { "/sbin/init", NULL };
	const struct rootfs_event_run run = { .init = "/sbin/init", .argv = argv,
					      .measure = "auto", .on_corruption = "panic" };
	assert_int_equal(rootfs_event_data(&p, &run, ret, ret_len), 0);
	free(rh);
	free(salt);
}

enum variant {
	HONEST,
	EXTRA_BETWEEN, /* an unexpected event between LoadOptions and the initrd */
	EXTRA_AFTER,   /* another agent event after the rootfs event in RTMR3 */
	EXTRA_BEFORE,  /* an agent event before the rootfs event in RTMR3 */
	WRONG_CMDLINE, /* the log's LoadOptions is for another cmdline */
	DEBUG_TD,      /* an honest log, but the quote is of a debug TD */
	KATA_INITDATA, /* an honest log; MRCONFIGID is the digest of initdata.toml */
};

#define INITDATA "algorithm = \"sha384\"\nversion = \"0.1.0\"\n\n[data]\n\"aa.toml\" = \"x\"\n"

/* The quote's MRTD and RTMRs as hex, for the pinning options. */
static char mrtd_hex[97], rtmr_hex[4][97], rtmr3_after_rootfs_hex[97];

static void add_aael(struct unit_log *b, const char *content)
{
	uint8_t *ev;
	size_t ev_len;
	assert_int_equal(aael_event_data("coco.com", "op", content, &ev, &ev_len), 0);
	add_hashed(b, 4, EV_EVENT_TAG, ev, ev_len);
	free(ev);
}

/* Write eventlog + quote for a variant; the quote always matches the log's replay. */
static void make_evidence(enum variant v)
{
	static const char initrd[] = "initrd bytes";
	struct unit_log b = { 0 };
	unit_log_start(&b);
	add_hashed(&b, 1, EV_SEPARATOR, "\0\0\0\0", 4);
	const char *act = "Calling EFI Application from Boot Option";
	add_hashed(&b, 2, EV_EFI_ACTION, act, strlen(act));

	uint8_t d[48];
	char *opts;
	assert_true(asprintf(&opts, "initrd=initrd %s", CMDLINE) > 0);
	load_options_digest(v == WRONG_CMDLINE ? "initrd=initrd console=ttyS1" : opts, d);
	free(opts);
	add_stub_tag(&b, LINUX_EFISTUB_LOAD_OPTIONS_TAG_ID, "LOADED_IMAGE::LoadOptions", d);
	if (v == EXTRA_BETWEEN)
		add_hashed(&b, 3, EV_IPL, "grub_cmd: x", 12);
	assert_int_equal(digest_buf(HASH_SHA384, initrd, sizeof(initrd) - 1, d), 0);
	add_stub_tag(&b, LINUX_EFISTUB_INITRD_TAG_ID, "Linux initrd", d);

	if (v == EXTRA_BEFORE)
		add_aael(&b, "before");
	uint8_t *ev;
	size_t ev_len;
	rootfs_event(&ev, &ev_len);
	add_hashed(&b, 4, EV_EVENT_TAG, ev, ev_len);
	/* RTMR3 right after the rootfs event: SHA384(zeros ‖ SHA384(event)) */
	uint8_t zero[48] = { 0 }, ed[48], after[48];
	assert_int_equal(digest_buf(HASH_SHA384, ev, ev_len, ed), 0);
	assert_int_equal(digest_two(HASH_SHA384, zero, 48, ed, 48, after), 0);
	hex_encode(after, 48, rtmr3_after_rootfs_hex);
	free(ev);
	if (v == EXTRA_AFTER)
		add_aael(&b, "image pulled");
	put_file("eventlog", b.p, b.len);
	put_file("initrd.img", initrd, sizeof(initrd) - 1);
	put_file("initdata.toml", INITDATA, strlen(INITDATA));

	struct eventlog *log;
	assert_int_equal(eventlog_parse(b.p, b.len, &log, NULL), 0);
	uint8_t regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST];
	bool used[EVENTLOG_MAX_REGISTERS];
	assert_int_equal(eventlog_replay(log, TCG_ALG_SHA384, regs, used), 0);
	uint8_t rtmrs[4 * 48];
	for (int i = 0; i < 4; i++) {
		memcpy(rtmrs + 48 * i, regs[i + 1], 48);
		hex_encode(regs[i + 1], 48, rtmr_hex[i]);
	}
	eventlog_free(log);
	free(b.p);

	/* Honest TDs: SEPT_VE_DISABLE set, no TUD bit. */
	static const uint8_t honest_attributes[8] = { 0, 0, 0, 0x10 };
	static const uint8_t debug_attributes[8] = { 0x01, 0, 0, 0x10 }; /* DEBUG */
	uint8_t mrconfigid[48] = { 0 };
	/* Kata: SHA-384 of the initdata document as it is (48 bytes: no padding needed). */
	assert_int_equal(digest_buf(HASH_SHA384, INITDATA, strlen(INITDATA), mrconfigid), 0);
	struct unit_quote q = unit_quote_make_fields(
		4, 2, rtmrs, v == DEBUG_TD ? debug_attributes : honest_attributes,
		v == KATA_INITDATA ? mrconfigid : NULL);
	struct tdx_quote parsed;
	assert_int_equal(tdx_quote_parse(q.q, q.len, &parsed, NULL), 0);
	hex_encode(parsed.td.mrtd, 48, mrtd_hex);
	put_file("quote", q.q, q.len);
	put_file("root.pem", q.pck_pem, q.pck_pem_len);
	unit_quote_free(&q);
}

static char out_path[128];
static char *output; /* stdout of the last run */

/* check --quote --eventlog --root-ca --no-tcb-check [--manifest --initrd --cmdline] EXTRA... NULL */
static int run_check_argv(bool artefacts, const char *const *extra)
{
	static char quote[128], log[128], manifest[160], initrd[160], cmdline[160], root[160];
	path_of(quote, sizeof(quote), "quote");
	path_of(log, sizeof(log), "eventlog");
	snprintf(root, sizeof(root), "--root-ca=%s/root.pem", dir);
	snprintf(manifest, sizeof(manifest), "--manifest=%s/manifest.json", dir);
	snprintf(initrd, sizeof(initrd), "--initrd=%s/initrd.img", dir);
	snprintf(cmdline, sizeof(cmdline), "--cmdline=%s/cmdline.txt", dir);
	/* The test's own PCK as the anchor; no collateral on purpose (test-quote-appraise.c
	 * covers the anchor, the QE identity and the TCB). */
	char *argv[64] = { "check", "--quote", quote, "--eventlog", log, root, "--no-tcb-check" };
	int argc = 7;
	if (artefacts) {
		argv[argc++] = manifest;
		argv[argc++] = initrd;
		argv[argc++] = cmdline;
	}
	for (size_t i = 0; extra[i]; i++)
		argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;

	/* Capture stdout into a file: the verdict line and the table are asserted on. */
	path_of(out_path, sizeof(out_path), "check.out");
	fflush(stdout);
	int saved = dup(1), fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, 1), 1);
	close(fd);
	int r = verb_check(argc, argv);
	fflush(stdout);
	assert_int_equal(dup2(saved, 1), 1);
	close(saved);
	free(output);
	output = NULL;
	size_t len;
	assert_int_equal(read_full_file(out_path, 1 << 20, (uint8_t **)&output, &len), 0);
	return r;
}
#define run_check(...) run_check_argv(true, (const char *const[]){ __VA_ARGS__, NULL })
#define run_check_no_artefacts(...)                                                    \
	run_check_argv(false, (const char *const[]){ __VA_ARGS__, NULL })

static void assert_output(const char *what)
{
	if (!strstr(output, what)) {
		fprintf(stderr, "output lacks \"%s\":\n%s\n", what, output);
		fail();
	}
}

/* The options that pin what the artefacts here cannot: MRTD, RTMR0 (firmware), RTMR1
 * (no kernel is given in these tests). */
static char opt_mrtd[160], opt_rtmr0[160], opt_rtmr1[160];
static void make_pin_options(void)
{
	snprintf(opt_mrtd, sizeof(opt_mrtd), "--mrtd=%s", mrtd_hex);
	snprintf(opt_rtmr0, sizeof(opt_rtmr0), "--rtmr0=%s", rtmr_hex[0]);
	snprintf(opt_rtmr1, sizeof(opt_rtmr1), "--rtmr1=%s", rtmr_hex[1]);
}
#define PINNED opt_mrtd, opt_rtmr0, opt_rtmr1

static void write_cmdline(const char *line)
{
	char *text;
	int len = asprintf(&text, "%s\n", line);
	assert_true(len > 0);
	put_file("cmdline.txt", text, (size_t)len);
	free(text);
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
	write_cmdline(CMDLINE);
	return 0;
}

static int teardown(void **state)
{
	free(output);
	output = NULL;
	return unit_scratch_dir_remove(dir);
}

static void test_honest_boot(void **state)
{
	make_evidence(HONEST);
	make_pin_options();
	assert_int_equal(run_check(PINNED), VERIFY_OK);
	assert_output("verdict: VERIFIED");
	assert_int_equal(run_check(PINNED, "--json"), VERIFY_OK);
	assert_output("\"verdict\":\"verified\"");
	assert_output("\"source\":\"artefact\"");
	/* Old edk2 puts the separator into RTMR0 and appends initrd=initrd: not this log. */
	assert_int_equal(run_check(PINNED, "--firmware-profile", "edk2-pre-202411"),
			 VERIFY_MISMATCH);
	assert_output("verdict: MISMATCH");
}

/* Anything unpinned is PARTIAL, exit 1, naming what is unpinned; never VERIFIED. */
static void test_partial(void **state)
{
	make_evidence(HONEST);
	make_pin_options();
	assert_int_equal(run_check(opt_rtmr0), VERIFY_MISMATCH);
	assert_output("verdict: PARTIAL (unpinned: MRTD, RTMR1)");
	assert_int_equal(run_check(opt_mrtd, opt_rtmr1), VERIFY_MISMATCH);
	assert_output("verdict: PARTIAL (unpinned: RTMR0)");
	assert_int_equal(run_check(opt_rtmr0, opt_rtmr1), VERIFY_MISMATCH);
	assert_output("verdict: PARTIAL (unpinned: MRTD)");
	assert_int_equal(run_check(opt_mrtd, opt_rtmr0), VERIFY_MISMATCH);
	assert_output("verdict: PARTIAL (unpinned: RTMR1)");
	assert_int_equal(run_check(PINNED, "--json"), VERIFY_OK);
	assert_output("\"verdict\":\"verified\"");
	/* Without the manifest nothing predicts RTMR3; without any artefact, nothing RTMR2. */
	char initrd[160], cmdline[160];
	snprintf(initrd, sizeof(initrd), "--initrd=%s/initrd.img", dir);
	snprintf(cmdline, sizeof(cmdline), "--cmdline=%s/cmdline.txt", dir);
	assert_int_equal(run_check_no_artefacts(PINNED, initrd, cmdline), VERIFY_MISMATCH);
	assert_output("verdict: PARTIAL (unpinned: RTMR3)");
	assert_int_equal(run_check_no_artefacts(PINNED), VERIFY_MISMATCH);
	assert_output("verdict: PARTIAL (unpinned: RTMR2, RTMR3)");
	assert_int_equal(run_check_no_artefacts(PINNED, "--json"), VERIFY_MISMATCH);
	assert_output("\"verdict\":\"partial\"");
	assert_output("\"unpinned\":[\n    \"RTMR2\",\n    \"RTMR3\"\n  ]");
	/* Given values pin them as well as artefacts do. */
	char r2[160], r3[160];
	snprintf(r2, sizeof(r2), "--rtmr2=%s", rtmr_hex[2]);
	snprintf(r3, sizeof(r3), "--rtmr3=%s", rtmr3_after_rootfs_hex);
	assert_int_equal(run_check_no_artefacts(PINNED, r2, r3), VERIFY_OK);
	assert_output("verdict: VERIFIED");
}

static void test_given_mismatch(void **state)
{
	make_evidence(HONEST);
	make_pin_options();
	char bad[160], r2[160];
	snprintf(bad, sizeof(bad), "--mrtd=%096d", 0);
	assert_int_equal(run_check(bad, opt_rtmr0, opt_rtmr1), VERIFY_MISMATCH);
	assert_output("verdict: MISMATCH");
	snprintf(r2, sizeof(r2), "--rtmr2=%s", rtmr_hex[1]);
	assert_int_equal(run_check(PINNED, r2), VERIFY_MISMATCH);
	/* Both pins of RTMR2 are shown: the artefact one passes, the given one fails. */
	assert_output("RTMR2         PASS     artefact");
	assert_output("RTMR2         FAIL     given");
	assert_int_equal(run_check(PINNED, "--mrtd", "12"), VERIFY_USAGE);
	assert_int_equal(run_check(PINNED, "--mrowner", "zz"), VERIFY_USAGE);
	/* MROWNER is compared when given. */
	snprintf(bad, sizeof(bad), "--mrowner=%096d", 0);
	assert_int_equal(run_check(PINNED, bad), VERIFY_MISMATCH);
	assert_output("MROWNER       FAIL     given");
}

static void write_refvalues(const char *name, const char *rtmr1)
{
	char doc[2048];
	int n = snprintf(doc, sizeof(doc),
			 "{\"mr_td\": [\"%s\"], \"rtmr_0\": \"%s\", \"rtmr_1\": [\"%s\", \"%s\"]}",
			 mrtd_hex, rtmr_hex[0], rtmr_hex[2], rtmr1);
	put_file(name, doc, (size_t)n);
}

static void test_reference_values(void **state)
{
	make_evidence(HONEST);
	char opt[160];
	snprintf(opt, sizeof(opt), "--reference-values=%s/rv.json", dir);

	/* Trustee's sample object: lists of accepted values; one string is a list of one. */
	write_refvalues("rv.json", rtmr_hex[1]);
	assert_int_equal(run_check(opt), VERIFY_OK);
	assert_output("reference-values");
	write_refvalues("rv.json", rtmr_hex[0]);
	assert_int_equal(run_check(opt), VERIFY_MISMATCH);
	assert_output("RTMR1         FAIL     reference-values");

	/* tdverity's own document: its rvps_sample. */
	char doc[2048];
	int n = snprintf(doc, sizeof(doc),
			 "{\"format\": \"tdverity-reference-values/1\", \"rvps_sample\": "
			 "{\"mr_td\": [\"%s\"], \"rtmr_0\": [\"%s\"], \"rtmr_1\": [\"%s\"], "
			 "\"xfam\": [\"e700060000000000\"], \"tdvfkernel\": \"00\"}}",
			 mrtd_hex, rtmr_hex[0], rtmr_hex[1]);
	put_file("rv.json", doc, (size_t)n);
	assert_int_equal(run_check(opt), VERIFY_MISMATCH); /* xfam is not that value */
	assert_output("XFAM          FAIL     policy");
	/* A name check does not use is shown, not silently taken as checked. */
	assert_output("NOTE  refvalues not held against the quote by check: tdvfkernel");

	/* The RVPS message: {"type": "sample", "payload": base64(sample)}. */
	write_refvalues("sample.json", rtmr_hex[1]);
	uint8_t *sample;
	size_t slen;
	char p[160];
	path_of(p, sizeof(p), "sample.json");
	assert_int_equal(read_full_file(p, 1 << 20, &sample, &slen), 0);
	char *b64 = malloc(slen * 2 + 8);
	EVP_EncodeBlock((unsigned char *)b64, sample, (int)slen);
	char *msg = malloc(slen * 2 + 128);
	n = sprintf(msg, "{\"version\": \"0.1.0\", \"type\": \"sample\", \"payload\": \"%s\"}", b64);
	put_file("rv.json", msg, (size_t)n);
	assert_int_equal(run_check(opt), VERIFY_OK);
	free(sample);
	free(b64);
	free(msg);

	/* Malformed documents: exit 3, one line. */
	static const char *const bad[] = {
		"[]", "{}", "{\"mr_td\": 5}", "{\"mr_td\": [\"xyz\"]}", "{\"mr_td\": [\"ab\"]}",
		"{\"format\": \"other/1\"}", "{\"type\": \"sample\", \"payload\": \"!!!!\"}",
		"{\"mr_td\": []}", "{\"a\": [\"00\"]} trailing", "{\"xfam\": [\"00\"]}",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		put_file("rv.json", bad[i], strlen(bad[i]));
		assert_int_equal(run_check(opt), VERIFY_BAD_INPUT);
	}
	snprintf(opt, sizeof(opt), "--reference-values=%s/none.json", dir);
	assert_int_equal(run_check(opt), VERIFY_BAD_INPUT);
}

static void test_event_between(void **state)
{
	make_evidence(EXTRA_BETWEEN);
	make_pin_options();
	assert_int_equal(run_check(PINNED), VERIFY_MISMATCH);
	/* The first differing event is named: the EV_IPL where the initrd was expected. */
	assert_output("differs: event 3 (EV_IPL");
	assert_output("EFI stub: Linux initrd was expected");
}

/* The attestation agent's own later RTMR3 events are listed; a failure only on request. */
static void test_event_after(void **state)
{
	make_evidence(EXTRA_AFTER);
	make_pin_options();
	assert_int_equal(run_check(PINNED), VERIFY_OK);
	assert_output("NOTE  RTMR3    runtime event after the boot's: event 5, AAEL \"coco.com op image pulled\"");
	assert_int_equal(run_check(PINNED, "--rtmr3-only-rootfs"), VERIFY_MISMATCH);
	assert_output("FAIL  RTMR3    runtime event after the boot's: event 5");
	assert_int_equal(run_check(PINNED, "--policy", "strict"), VERIFY_MISMATCH);
}

/* The rootfs event must be RTMR3's first event: anything before it fails. */
static void test_event_before(void **state)
{
	make_evidence(EXTRA_BEFORE);
	make_pin_options();
	assert_int_equal(run_check(PINNED), VERIFY_MISMATCH);
	assert_output("RTMR3         FAIL     artefact");
	assert_output("differs: event 4 (EV_EVENT_TAG AAEL");
}

static void test_wrong_cmdline(void **state)
{
	make_evidence(WRONG_CMDLINE);
	make_pin_options();
	assert_int_equal(run_check(PINNED), VERIFY_MISMATCH);
	assert_output("RTMR2         FAIL     artefact");
}

/* A debug TD's host can read and write its memory and registers: its RTMRs prove nothing. */
static void test_debug_td(void **state)
{
	make_evidence(DEBUG_TD);
	make_pin_options();
	assert_int_equal(run_check(PINNED), VERIFY_MISMATCH);
	assert_output("TDATTRIBUTES  FAIL     policy");
	assert_int_equal(run_check(PINNED, "--json"), VERIFY_MISMATCH);
	/* An explicit policy that allows it is the user's choice (and shown as such). */
	assert_int_equal(run_check(PINNED, "--td-attributes", "0100001000000000"), VERIFY_OK);
	assert_output("--td-attributes");
	assert_int_equal(run_check(PINNED, "--td-attributes", "0100001000000000/ff"),
			 VERIFY_USAGE);
	assert_int_equal(run_check(PINNED, "--td-attributes", "0000001000000000/0100000000000000",
				   "--xfam", "0000000000000000/0100000000000000"),
			 VERIFY_MISMATCH); /* debug still refused; xfam's x87 bit is set: refused */
}

static void test_initdata(void **state)
{
	char opt[160];
	snprintf(opt, sizeof(opt), "--initdata=%s/initdata.toml", dir);
	make_evidence(KATA_INITDATA);
	make_pin_options();
	assert_int_equal(run_check(PINNED, opt), VERIFY_OK);
	assert_output("MRCONFIGID    PASS     artefact");
	make_evidence(HONEST); /* MRCONFIGID is something else */
	make_pin_options();
	assert_int_equal(run_check(PINNED, opt), VERIFY_MISMATCH);
	assert_output("MRCONFIGID    FAIL     artefact");
	static const char *const bad[] = {
		"version = \"0.1.0\"\n[data]\n",			  /* no algorithm */
		"algorithm = \"md5\"\nversion = \"0.1.0\"\n",		  /* unknown algorithm */
		"algorithm = \"sha256\"\nversion = \"0.2.0\"\n",	  /* unknown version */
		"algorithm = \"sha256\"\nalgorithm = \"sha384\"\nversion = \"0.1.0\"\n",
		"[data]\nalgorithm = \"sha256\"\nversion = \"0.1.0\"\n", /* not top level */
		"algorithm = sha256\nversion = \"0.1.0\"\n",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		put_file("initdata.toml", bad[i], strlen(bad[i]));
		assert_int_equal(run_check(PINNED, opt), VERIFY_BAD_INPUT);
	}
}


/* Replace the first `from` in CMDLINE by `to`, or append `to` when the line has no `from`
 * (the build's line leaves that parameter at its default). */
static char *line_with(const char *from, const char *to)
{
	const char *at = strstr(CMDLINE, from);
	char *out;
	if (!at) {
		assert_true(asprintf(&out, "%s %s", CMDLINE, to) > 0);
		return out;
	}
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - CMDLINE), CMDLINE, to,
			     at + strlen(from)) > 0);
	return out;
}

/*
 * The cmdline attacks, held by check as a mismatch (expect, refvalues and the
 * builder refuse the same with exit 3: tests/interop/cmdline-attacks.sh).  The evidence
 * is that of the honest boot; only the line given as --cmdline changes.
 */
static void test_cmdline_attacks(void **state)
{
	make_evidence(HONEST);
	make_pin_options();
	static const char *const appended[] = {
		" tdverity.init=/bin/sh", "\nrdinit=/bin/sh", " init=/bin/sh", " rdinit=/bin/sh",
		" root=/dev/vda1", " noinitrd", " dm-mod.create=x", " rd.systemd.verity=0",
		" rd.break", " systemd.verity=0", " usrhash=0011", " emergency", " single",
		" rescue", " systemd.unit=emergency.target", " systemd.debug_shell",
		" kgdboc=ttyS0 kgdbwait", " -- /bin/sh", " panic=1 panic=0",
	};
	char *line;
	for (size_t i = 0; i < ELEMENTSOF(appended) + 5; i++) {
		char long_tail[2200];
		if (i < ELEMENTSOF(appended))
			assert_true(asprintf(&line, "%s%s", CMDLINE, appended[i]) > 0);
		else if (i == ELEMENTSOF(appended)) {
			memset(long_tail, 'x', 2100);
			long_tail[2100] = 0;
			assert_true(asprintf(&line, "%s %s", CMDLINE, long_tail) > 0);
		} else if (i == ELEMENTSOF(appended) + 1)
			line = line_with("tdverity.init=/sbin/init", "tdverity.init=/bin/sh");
		else if (i == ELEMENTSOF(appended) + 2)
			line = line_with("tdverity.measure=auto", "tdverity.measure=none");
		else if (i == ELEMENTSOF(appended) + 3)
			line = line_with("roothash=4f", "roothash=5f");
		else
			line = line_with("data-blocks=1000", "data-blocks=1001");
		write_cmdline(line);
		if (run_check(PINNED) != VERIFY_MISMATCH || !strstr(output, "FAIL  cmdline  "))
			fail_msg("check passed the cmdline attack %zu: %.80s\n%s", i, line, output);
		free(line);
	}
	/* The honest line still verifies. */
	write_cmdline(CMDLINE);
	assert_int_equal(run_check(PINNED), VERIFY_OK);
}

static void test_bad_artefacts(void **state)
{
	make_evidence(HONEST);
	make_pin_options();
	assert_int_equal(run_check("--firmware-profile", "edk2-1999"), VERIFY_USAGE);
	assert_int_equal(run_check("--kernel", "/nonexistent/bzImage"), VERIFY_BAD_INPUT);
	char initrd[128];
	path_of(initrd, sizeof(initrd), "initrd.img");
	unlink(initrd);
	assert_int_equal(run_check(PINNED), VERIFY_BAD_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_honest_boot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_given_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reference_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_between, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_cmdline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_td, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initdata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_attacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_artefacts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
