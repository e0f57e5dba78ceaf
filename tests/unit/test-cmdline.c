/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel-cmdline: the kernel's word rules (expected results worked out by hand from
 * lib/cmdline.c next_arg() and init/main.c), quoting, and the strict verity reader.
 */
#include "unit-helpers.h"

#include "core/util.h"
#include "kernel-cmdline/cmdline.h"

#include <string.h>

/* Expected parse: "key\x01value" per parameter ("key" alone = no '='), then init args. */
struct parse_case {
	const char *text;
	const char *params[6];
	const char *init[4];
};

static const struct parse_case parse_cases[] = {
	{ "a b=c", { "a", "b\x01" "c" }, { NULL } },
	{ "\t a\xa0" "b \n\v\f\r", { "a", "b" }, { NULL } },
	{ "foo=\"bar baz\" x", { "foo\x01" "bar baz", "x" }, { NULL } },
	{ "\"foo=bar baz\"", { "foo\x01" "bar baz" }, { NULL } },
	{ "a\"b c\"d", { "a\"b c\"d" }, { NULL } },
	{ "foo=bar\"baz qux\"", { "foo\x01" "bar\"baz qux\"" }, { NULL } },
	{ "foo=\"a\"b", { "foo\x01" "a\"b" }, { NULL } },
	{ "foo=\"a b\"c", { "foo\x01" "a b\"c" }, { NULL } },
	{ "\"foo\"=bar", { "foo\"\x01" "bar" }, { NULL } },
	{ "=a=b", { "=a\x01" "b" }, { NULL } },
	{ "=x", { "=x" }, { NULL } },
	{ "foo= bar=\"\"", { "foo\x01", "bar\x01" }, { NULL } },
	{ "x=y=z", { "x\x01" "y=z" }, { NULL } },
	{ "\"\"", { "" }, { NULL } },
	{ "a -- b c=d \"e f\" g=\"h i\"", { "a" }, { "b", "c=d", "e f", "g=h i" } },
	{ "a \"--\" b", { "a" }, { "b" } },
	{ "a --=x b", { "a", "--\x01" "x", "b" }, { NULL } },
	{ "a -- b -- c", { "a" }, { "b" } },
	{ "-- b", { NULL }, { "b" } },
	{ "a---", { "a---" }, { NULL } },
	{ "", { NULL }, { NULL } },
	{ " \t\n", { NULL }, { NULL } },
};

static void check_case(const struct parse_case *pc)
{
	struct cmdline *c = NULL;
	assert_int_equal(cmdline_parse(pc->text, &c), 0);
	size_t n = 0;
	while (n < ELEMENTSOF(pc->params) && pc->params[n])
		n++;
	if (n != c->n_params)
		fail_msg("'%s': %zu params, expected %zu", pc->text, c->n_params, n);
	for (size_t i = 0; i < n; i++) {
		const char *sep = strchr(pc->params[i], '\x01');
		size_t klen = sep ? (size_t)(sep - pc->params[i]) : strlen(pc->params[i]);
		if (strlen(c->params[i].key) != klen || memcmp(c->params[i].key, pc->params[i], klen))
			fail_msg("'%s': key %zu is '%s'", pc->text, i, c->params[i].key);
		if (!sep)
			assert_null(c->params[i].value);
		else {
			assert_non_null(c->params[i].value);
			assert_string_equal(c->params[i].value, sep + 1);
		}
	}
	size_t m = 0;
	while (m < ELEMENTSOF(pc->init) && pc->init[m])
		m++;
	if (m != c->n_init_args)
		fail_msg("'%s': %zu init args, expected %zu", pc->text, c->n_init_args, m);
	for (size_t i = 0; i < m; i++)
		assert_string_equal(c->init_args[i], pc->init[i]);
	cmdline_free(c);
}

static void test_parse_kernel_rules(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++)
		check_case(&parse_cases[i]);
}

static void test_parse_unterminated(void **state)
{
	static const char *bad[] = { "foo=\"bar", "\"abc", "a\"b", "\"", "x -- \"y", "a b=\"c d" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct cmdline *c = (struct cmdline *)0x1;
		assert_int_equal(cmdline_parse(bad[i], &c), -EINVAL);
		assert_ptr_equal(c, (struct cmdline *)0x1); /* untouched on failure */
	}
	struct cmdline *c;
	assert_int_equal(cmdline_parse(NULL, &c), -EINVAL);
}

static void test_isspace(void **state)
{
	const char spaces[] = { ' ', '\t', '\n', '\v', '\f', '\r', (char)0xa0 };
	for (size_t i = 0; i < sizeof(spaces); i++)
		assert_true(cmdline_isspace(spaces[i]));
	assert_false(cmdline_isspace('a'));
	assert_false(cmdline_isspace((char)0x85)); /* a control char in the kernel's ctype */
	assert_false(cmdline_isspace('\0'));
}

static void test_count_and_keys(void **state)
{
	struct cmdline *c = NULL;
	assert_int_equal(cmdline_parse("systemd.verity-root-data=a systemd.verity_root_data=b "
				       "one=1 flag",
				       &c),
			 0);
	assert_int_equal(cmdline_count(c, "systemd.verity_root_data"), 2);
	assert_null(cmdline_get_unique(c, "systemd.verity_root_data"));
	assert_string_equal(cmdline_get_unique(c, "one"), "1");
	assert_int_equal(cmdline_count(c, "flag"), 1);
	assert_null(cmdline_get_unique(c, "flag"));
	assert_int_equal(cmdline_count(c, "absent"), 0);
	assert_true(cmdline_key_equal("a-b_c", "a_b-c"));
	assert_false(cmdline_key_equal("a-b", "a-bc"));
	assert_false(cmdline_key_equal("ab", "a.b"));
	cmdline_free(c);
}

static void test_append(void **state)
{
	char *t = NULL;
	assert_int_equal(cmdline_append(&t, "k", "a b"), 0);
	assert_string_equal(t, "k=\"a b\"");
	assert_int_equal(cmdline_append(&t, "flag", NULL), 0);
	assert_int_equal(cmdline_append(&t, "e", ""), 0);
	assert_int_equal(cmdline_append(&t, "n", "x\xa0y"), 0);
	assert_string_equal(t, "k=\"a b\" flag e= n=\"x\xa0y\"");
	assert_int_equal(cmdline_append(&t, "q", "a\"b"), -EINVAL);
	assert_int_equal(cmdline_append(&t, "", "x"), -EINVAL);
	assert_int_equal(cmdline_append(&t, "a b", "x"), -EINVAL);
	assert_int_equal(cmdline_append(&t, "a=b", "x"), -EINVAL);
	assert_int_equal(cmdline_append(&t, "\"a", "x"), -EINVAL);
	assert_string_equal(t, "k=\"a b\" flag e= n=\"x\xa0y\""); /* unchanged */

	/* What append writes, parse reads back. */
	struct cmdline *c = NULL;
	assert_int_equal(cmdline_parse(t, &c), 0);
	assert_int_equal(c->n_params, 4);
	assert_string_equal(c->params[0].value, "a b");
	assert_null(c->params[1].value);
	assert_string_equal(c->params[2].value, "");
	assert_string_equal(c->params[3].value, "x\xa0y");
	cmdline_free(c);
	free(t);
}

/* ---- verity parameters ------------------------------------------------------------ */

#define ROOT "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SALT "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0"
#define OPTS_BASE "hash=sha256,salt=" SALT ",data-block-size=4096,hash-block-size=4096," \
		  "data-blocks=256,hash-offset=0,superblock=true,"
#define GOOD "roothash=" ROOT " systemd.verity_root_data=PARTUUID=01234567-89ab-cdef-0123-456789abcdef " \
	     "systemd.verity_root_hash=PARTUUID=01234567-89ab-cdef-0123-456789abcdef " \
	     "systemd.verity_root_options=" OPTS_BASE "uuid=00112233-4455-6677-8899-aabbccddeeff," \
	     "panic-on-corruption tdverity.measure=auto tdverity.rtmr=3 tdverity.pcr=15 " \
	     "tdverity.init=/sbin/init tdverity.timeout=10"

static void fill_example(struct verity_cmdline *v)
{
	size_t n;
	verity_cmdline_init(v);
	v->root.params.data_blocks = 256;
	assert_int_equal(hex_decode(SALT, v->root.params.salt, sizeof(v->root.params.salt), &n), 0);
	v->root.params.salt_size = (uint16_t)n;
	assert_int_equal(hex_decode("00112233445566778899aabbccddeeff", v->root.params.uuid, 16, &n), 0);
	assert_int_equal(hex_decode(ROOT, v->root.root_hash, sizeof(v->root.root_hash), &n), 0);
	assert_int_equal(n, 32);
	strcpy(v->data_device, "PARTUUID=01234567-89ab-cdef-0123-456789abcdef");
	strcpy(v->hash_device, "PARTUUID=01234567-89ab-cdef-0123-456789abcdef");
}

static int parse_text(const char *text, struct verity_cmdline *v, const char **err)
{
	struct cmdline *c = NULL;
	int r = cmdline_parse(text, &c);
	if (r < 0)
		return r;
	r = verity_cmdline_parse(c, v, err);
	cmdline_free(c);
	return r;
}

static void test_verity_build_exact(void **state)
{
	struct verity_cmdline v;
	char *text = NULL;
	fill_example(&v);
	assert_int_equal(verity_cmdline_build(&v, &text), 0);
	assert_string_equal(text, GOOD);

	struct verity_cmdline back;
	const char *err = NULL;
	assert_int_equal(parse_text(text, &back, &err), 0);
	assert_int_equal(back.root.params.alg, HASH_SHA256);
	assert_int_equal(back.root.params.data_blocks, 256);
	assert_int_equal(back.root.params.salt_size, 32);
	assert_memory_equal(back.root.params.salt, v.root.params.salt, 32);
	assert_memory_equal(back.root.params.uuid, v.root.params.uuid, 16);
	assert_true(back.root.params.superblock);
	assert_int_equal(hash_alg_size(back.root.params.alg), 32);
	assert_memory_equal(back.root.root_hash, v.root.root_hash, 32);
	assert_string_equal(back.data_device, v.data_device);
	assert_int_equal(back.on_corruption, VERITY_ON_CORRUPTION_PANIC);
	assert_int_equal(back.rtmr, 3);
	free(text);
}

static void test_verity_build_variants(void **state)
{
	struct verity_cmdline v, back;
	char *text = NULL;
	fill_example(&v);
	v.root.params.superblock = false;
	v.root.params.hash_offset = 8192;
	v.root.params.salt_size = 0;
	v.on_corruption = VERITY_ON_CORRUPTION_RESTART;
	v.measure = MEASURE_TPM;
	v.rtmr = 2;
	v.pcr = 8;
	v.timeout_sec = 3600;
	strcpy(v.init, "/usr/bin/kata-agent");
	strcpy(v.data_device, "/dev/vda1");
	strcpy(v.hash_device, "/dev/vda2");
	assert_int_equal(verity_cmdline_build(&v, &text), 0);
	assert_non_null(strstr(text, "salt=-,"));
	assert_null(strstr(text, "uuid=")); /* no superblock: no uuid */
	assert_non_null(strstr(text, "superblock=false,restart-on-corruption"));
	assert_int_equal(parse_text(text, &back, NULL), 0);
	assert_int_equal(back.root.params.hash_offset, 8192);
	assert_false(back.root.params.superblock);
	assert_int_equal(back.measure, MEASURE_TPM);
	assert_int_equal(back.pcr, 8);
	assert_string_equal(back.init, "/usr/bin/kata-agent");
	assert_string_equal(back.hash_device, "/dev/vda2");
	free(text);

	/* sha512: a 64-byte root hash. */
	fill_example(&v);
	v.root.params.alg = HASH_SHA512;
	memset(v.root.root_hash, 0xab, 64);
	assert_int_equal(verity_cmdline_build(&v, &text), 0);
	assert_int_equal(parse_text(text, &back, NULL), 0);
	assert_int_equal(hash_alg_size(back.root.params.alg), 64);
	free(text);

	/* The builder refuses what it could not read back. */
	fill_example(&v);
	v.root.params.alg = (enum hash_alg)42;
	assert_int_equal(verity_cmdline_build(&v, &text), -EINVAL);
	fill_example(&v);
	strcpy(v.data_device, "/dev/vda 1");
	assert_int_equal(verity_cmdline_build(&v, &text), -EINVAL);
	fill_example(&v);
	strcpy(v.init, "relative/init");
	assert_int_equal(verity_cmdline_build(&v, &text), -EINVAL);
	fill_example(&v);
	v.root.params.data_block_size = 1000;
	assert_int_equal(verity_cmdline_build(&v, &text), -EINVAL);
	fill_example(&v);
	v.rtmr = 1;
	assert_int_equal(verity_cmdline_build(&v, &text), -EINVAL);
}

/* Replace the first occurrence of `from` in GOOD with `to`, then expect a refusal. */
static void expect_refused(const char *from, const char *to, const char *err_part)
{
	char text[4096];
	const char *at = strstr(GOOD, from);
	if (!at)
		fail_msg("'%s' not in the example", from);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - GOOD), GOOD, to, at + strlen(from));
	struct verity_cmdline v;
	memset(&v, 0x5a, sizeof(v));
	const char *err = NULL;
	int r = parse_text(text, &v, &err);
	if (r != -EINVAL)
		fail_msg("accepted: %s", text);
	assert_non_null(err);
	if (!strstr(err, err_part))
		fail_msg("error '%s' lacks '%s' for: %s", err, err_part, text);
	assert_int_equal(((uint8_t *)&v)[0], 0x5a); /* ret untouched */
}

static void test_verity_parse_refusals(void **state)
{
	struct verity_cmdline v;
	assert_int_equal(parse_text(GOOD, &v, NULL), 0);

	/* missing */
	expect_refused("roothash=" ROOT, "", "roothash: missing");
	expect_refused("systemd.verity_root_data=", "x.data=", "systemd.verity_root_data: missing");
	expect_refused("systemd.verity_root_hash=", "x.hash=", "systemd.verity_root_hash: missing");
	expect_refused("systemd.verity_root_options=", "x.opts=", "systemd.verity_root_options: missing");
	/* duplicated, also spelled with dashes */
	expect_refused("tdverity.rtmr=3", "tdverity.rtmr=3 tdverity.rtmr=3", "more than once");
	expect_refused("roothash=", "roothash=" ROOT " roothash=", "more than once");
	expect_refused("systemd.verity_root_hash=", "systemd.verity-root-hash=/dev/vdb systemd.verity_root_hash=",
		       "more than once");
	expect_refused("roothash=" ROOT, "roothash", "needs a value");
	/* malformed root hash */
	expect_refused(ROOT " ", "0123 ", "roothash");
	expect_refused(ROOT " ", ROOT "00 ", "roothash");
	expect_refused(ROOT " ", "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ",
		       "roothash");
	expect_refused("hash=sha256", "hash=sha384", "roothash"); /* length does not fit */
	/* options */
	expect_refused("hash=sha256", "hash=md5", "hash=");
	expect_refused("panic-on-corruption", "panic-on-corruption,ignore-corruption", "unknown option");
	expect_refused("panic-on-corruption", "panic-on-corruption,check-at-most-once", "unknown option");
	expect_refused("panic-on-corruption", "panic-on-corruption,restart-on-corruption", "exactly one");
	expect_refused(",panic-on-corruption", "", "exactly one");
	expect_refused("panic-on-corruption", "panic-on-corruption,panic-on-corruption", "twice");
	expect_refused("panic-on-corruption", "panic-on-corruption=1", "takes no value");
	expect_refused("hash=sha256,", "hash,", "needs a value");
	expect_refused("hash=sha256,", "hash=sha256,,", "empty option");
	expect_refused("data-blocks=256,", "", "required option");
	expect_refused("data-blocks=256", "data-blocks=0", "data-blocks=");
	expect_refused("data-blocks=256", "data-blocks=0256", "data-blocks=");
	expect_refused("data-blocks=256", "data-blocks=+256", "data-blocks=");
	expect_refused("data-blocks=256", "data-blocks=99999999999999999999999", "data-blocks=");
	expect_refused("data-block-size=4096", "data-block-size=4095", "data-block-size=");
	expect_refused("data-block-size=4096", "data-block-size=256", "data-block-size=");
	expect_refused("hash-block-size=4096", "hash-block-size=2097152", "hash-block-size=");
	expect_refused("hash-offset=0", "hash-offset=512", "multiple of hash-block-size");
	expect_refused("hash-offset=0", "hash-offset=-1", "hash-offset=");
	expect_refused("superblock=true", "superblock=yes", "superblock=");
	expect_refused("superblock=true", "superblock=false", "uuid= needs superblock=true");
	expect_refused("uuid=00112233-4455-6677-8899-aabbccddeeff", "uuid=0011223344556677", "uuid=");
	expect_refused("salt=" SALT, "salt=abc", "salt=");
	expect_refused("salt=" SALT, "salt=", "salt=");
	expect_refused("hash=sha256,", "format=0,hash=sha256,", "format=1");
	/* device selectors */
	expect_refused("data=PARTUUID=01234567-89ab-cdef-0123-456789abcdef", "data=UUID=x", "not PARTUUID");
	expect_refused("data=PARTUUID=01234567-89ab-cdef-0123-456789abcdef", "data=PARTUUID=0123",
		       "not PARTUUID");
	expect_refused("data=PARTUUID=01234567-89ab-cdef-0123-456789abcdef", "data=/dev/../etc/x",
		       "not PARTUUID");
	expect_refused("data=PARTUUID=01234567-89ab-cdef-0123-456789abcdef", "data=/tmp/x", "not PARTUUID");
	expect_refused("data=PARTUUID=01234567-89ab-cdef-0123-456789abcdef", "data=/dev/", "not PARTUUID");
	/* tdverity.* */
	expect_refused("tdverity.rtmr=3", "tdverity.rtmr=4", "tdverity.rtmr");
	expect_refused("tdverity.rtmr=3", "tdverity.rtmr=03", "tdverity.rtmr");
	expect_refused("tdverity.pcr=15", "tdverity.pcr=24", "tdverity.pcr");
	/* 0-7 are the firmware's; 16 and 23 are resettable from locality 0 */
	expect_refused("tdverity.pcr=15", "tdverity.pcr=7", "8..15");
	expect_refused("tdverity.pcr=15", "tdverity.pcr=0", "8..15");
	expect_refused("tdverity.pcr=15", "tdverity.pcr=16", "8..15");
	expect_refused("tdverity.pcr=15", "tdverity.pcr=23", "8..15");
	/* the measure mode names */
	expect_refused("tdverity.measure=auto", "tdverity.measure=TDX", "tdverity.measure");
	expect_refused("tdverity.measure=auto", "tdverity.measure=", "tdverity.measure");
	expect_refused("tdverity.timeout=10", "tdverity.timeout=0", "tdverity.timeout");
	expect_refused("tdverity.init=/sbin/init", "tdverity.init=sbin/init", "tdverity.init");
	expect_refused("tdverity.init=/sbin/init", "tdverity.init=/sbin/../bin/sh", "tdverity.init");
	expect_refused("tdverity.init=/sbin/init", "tdverity.init=/sbin/", "tdverity.init");
	expect_refused("tdverity.measure=auto", "tdverity.measure=maybe", "tdverity.measure");
	expect_refused("tdverity.measure=auto", "tdverity.measure", "needs a value");
	expect_refused("tdverity.timeout=10", "tdverity.timeout=10 tdverity.debug=1", "unknown tdverity");
	expect_refused("tdverity.timeout=10", "tdverity.timeout=10 systemd.verity_root_fec=x",
		       "unknown systemd.verity_root_");
}

static void test_verity_parse_tolerates(void **state)
{
	struct verity_cmdline v;
	char text[4096];
	/* Unrelated parameters, init args after "--", format=1, upper-case hex, defaults. */
	snprintf(text, sizeof(text),
		 "console=ttyS0 quiet roothash=%s systemd.verity_root_data=/dev/vda1 "
		 "systemd.verity_root_hash=/dev/vda2 systemd.verity_root_options=format=1,"
		 "hash=sha256,salt=-,data-block-size=4096,hash-block-size=4096,data-blocks=1,"
		 "hash-offset=0,superblock=false,restart-on-corruption -- roothash=x tdverity.x=1",
		 "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
	assert_int_equal(parse_text(text, &v, NULL), 0);
	assert_int_equal(v.measure, MEASURE_AUTO);
	assert_int_equal(v.rtmr, 3);
	assert_int_equal(v.pcr, 15);
	assert_int_equal(v.timeout_sec, 10);
	assert_string_equal(v.init, "/sbin/init");
	assert_int_equal(v.root.params.salt_size, 0);
	assert_int_equal(v.root.root_hash[0], 0x01);
	assert_int_equal(v.on_corruption, VERITY_ON_CORRUPTION_RESTART);
	assert_int_equal(verity_cmdline_parse(NULL, &v, NULL), -EINVAL);
}

static void test_check_extra(void **state)
{
	const char *err = NULL;
	assert_int_equal(cmdline_check_extra("console=ttyS0 quiet agent.log=debug", &err), 0);
	assert_int_equal(cmdline_check_extra("", &err), 0);
	assert_int_equal(cmdline_check_extra(NULL, &err), 0);
	assert_int_equal(cmdline_check_extra("x=\"a b\" -- init args", &err), 0);
	/* Only whole keys count: these merely contain the words. */
	assert_int_equal(cmdline_check_extra("rootwait rootdelay=1 initcall_debug", &err), 0);
	static const char *bad[] = {
		"roothash=00", "tdverity.rtmr=2", "systemd.verity-root-data=/dev/x",
		"systemd.verity=0", "rd.systemd.verity=0", "a=\"b", "a\nb", "a\x7f", "caf\xc3\xa9",
		"rdinit=/bin/sh", "init=/bin/sh", "quiet root=/dev/vda1", "noinitrd",
		"dm-mod.create=\"x,,,ro,0 8 linear /dev/vda 0\"",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		err = NULL;
		if (cmdline_check_extra(bad[i], &err) != -EINVAL)
			fail_msg("accepted extra '%s'", bad[i]);
		assert_non_null(err);
	}
}

/* A whole line as booted: the builder's own set is the verity parser's, the rest is
 * held to the same rules as --extra-cmdline. */
static void test_screen_booted(void **state)
{
	struct verity_cmdline v;
	char *text = NULL, *line = NULL;
	const char *err = NULL;
	fill_example(&v);
	assert_int_equal(verity_cmdline_build(&v, &text), 0);

	struct cmdline *c = NULL;
	assert_int_equal(cmdline_parse(text, &c), 0);
	assert_int_equal(cmdline_screen(c, CMDLINE_SCOPE_BOOTED, &err), 0);
	/* The same words as an addition are refused: they are the builder's. */
	assert_int_equal(cmdline_screen(c, CMDLINE_SCOPE_EXTRA, &err), -EINVAL);
	assert_non_null(strstr(err, "only the builder may set"));
	cmdline_free(c);

	static const char *const bad[] = { "rdinit=/bin/sh", "root=/dev/vda1", "noinitrd",
					   "dm_mod.create=x", "rd.systemd.verity=0",
					   "systemd.verity=0" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		assert_true(asprintf(&line, "%s %s", text, bad[i]) > 0);
		assert_int_equal(cmdline_parse(line, &c), 0);
		err = NULL;
		if (cmdline_screen(c, CMDLINE_SCOPE_BOOTED, &err) != -EINVAL)
			fail_msg("booted line with '%s' passed", bad[i]);
		assert_non_null(err);
		cmdline_free(c);
		free(line);
	}
	/* Init's argv after "--" is not screened: the kernel does not read it. */
	assert_true(asprintf(&line, "%s -- root=/x", text) > 0);
	assert_int_equal(cmdline_parse(line, &c), 0);
	assert_int_equal(cmdline_screen(c, CMDLINE_SCOPE_BOOTED, &err), 0);
	cmdline_free(c);
	free(line);

	size_t n;
	const struct cmdline_rule *rules = cmdline_rules(&n);
	assert_true(n >= 9);
	for (size_t i = 0; i < n; i++)
		assert_non_null(rules[i].why);
	free(text);
}

/* The measurement targets read by /init's own code: defaults, and its refusals. */
static void test_measure_targets(void **state)
{
	struct verity_cmdline v;
	const char *err = NULL;
	assert_int_equal(verity_cmdline_measure_targets("a b", &v, &err), 0);
	assert_int_equal(v.rtmr, 3);
	assert_int_equal(v.pcr, 15);
	assert_int_equal(v.measure, MEASURE_AUTO);
	assert_int_equal(verity_cmdline_measure_targets("x tdverity.rtmr=2 tdverity.pcr=14 "
							"tdverity.measure=tpm", &v, &err), 0);
	assert_int_equal(v.rtmr, 2);
	assert_int_equal(v.pcr, 14);
	assert_int_equal(v.measure, MEASURE_TPM);
	/* After "--" the words belong to init; inside quotes they are one word. */
	assert_int_equal(verity_cmdline_measure_targets("-- tdverity.rtmr=2", &v, &err), 0);
	assert_int_equal(v.rtmr, 3);
	assert_int_equal(verity_cmdline_measure_targets("x=\"a tdverity.rtmr=2\"", &v, &err), 0);
	assert_int_equal(v.rtmr, 3);
	/* tdverity.rtmr=03 is what the old second parser took; /init never did. */
	static const char *const bad[] = { "tdverity.rtmr=03", "tdverity.rtmr=1", "tdverity.rtmr=4",
					   "tdverity.rtmr=", "tdverity.rtmr=3 tdverity.rtmr=3",
					   "tdverity.pcr=24", "tdverity.pcr=x", "tdverity.pcr=015",
					   "tdverity.pcrs=1", "a=\"b" };
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		err = NULL;
		if (verity_cmdline_measure_targets(bad[i], &v, &err) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(err);
		/* The same answer as the full parse /init runs. */
		char *line = NULL;
		struct verity_cmdline full;
		char *good = NULL;
		fill_example(&full);
		assert_int_equal(verity_cmdline_build(&full, &good), 0);
		assert_true(asprintf(&line, "%s %s", good, bad[i]) > 0);
		if (strncmp(bad[i], "tdverity.rtmr=3 ", 16) != 0)
			assert_int_equal(parse_text(line, &full, NULL), -EINVAL);
		free(line);
		free(good);
	}
}

static void test_build_with_extra(void **state)
{
	struct verity_cmdline v, back;
	char *text = NULL;
	const char *err = NULL;
	fill_example(&v);
	assert_int_equal(verity_cmdline_build_with_extra(&v, "console=hvc0 quiet", &text, &err), 0);
	/* `ro` after the verity part: systemd in the root must know it is read-only. */
	assert_non_null(strstr(text, "tdverity.timeout=10 ro console=hvc0 quiet"));
	assert_int_equal(verity_cmdline_parse_text(text, &back, &err), 0);
	assert_memory_equal(back.root.root_hash, v.root.root_hash, 32);
	free(text);
	text = NULL;
	assert_int_equal(verity_cmdline_build_with_extra(&v, NULL, &text, &err), 0);
	free(text);
	text = NULL;
	assert_int_equal(verity_cmdline_build_with_extra(&v, "rdinit=/bin/sh", &text, &err), -EINVAL);
	assert_null(text);
	assert_non_null(strstr(err, "redirects the boot"));
	char longx[2100];
	memset(longx, 'x', sizeof(longx) - 1);
	longx[sizeof(longx) - 1] = '\0';
	assert_int_equal(verity_cmdline_build_with_extra(&v, longx, &text, &err), -EINVAL);
	assert_null(text);
	assert_non_null(strstr(err, "2047"));
	assert_int_equal(verity_cmdline_parse_text("a=\"b", &back, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kernel_rules),
		cmocka_unit_test(test_parse_unterminated),
		cmocka_unit_test(test_isspace),
		cmocka_unit_test(test_count_and_keys),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_verity_build_exact),
		cmocka_unit_test(test_verity_build_variants),
		cmocka_unit_test(test_verity_parse_refusals),
		cmocka_unit_test(test_verity_parse_tolerates),
		cmocka_unit_test(test_check_extra),
		cmocka_unit_test(test_screen_booted),
		cmocka_unit_test(test_measure_targets),
		cmocka_unit_test(test_build_with_extra),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
