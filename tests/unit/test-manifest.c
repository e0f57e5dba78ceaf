/* SPDX-License-Identifier: Apache-2.0 */
/* manifest.json: the writer and the strict reader round-trip; the reader refuses what the
 * writer never writes; the cmdline is held against the manifest as /init reads it. */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/util.h"
#include "host/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT256 "752eab7181d277420f6256375f64269c8020e2709215c6597f98e620bfc12bca"

static char *modules[] = { (char *)"dm-mod.ko", (char *)"dm-verity.ko", NULL };
static struct build_manifest_file inputs[] = {
	{ .name = (char *)"agent", .path = (char *)"@AGENT@", .sha256 = { 1 } },
	{ .name = (char *)"file", .path = (char *)"etc/hosts", .sha256 = { 2 } },
};
static struct build_manifest_file outputs[] = {
	{ .name = (char *)"disk.img", .size = 4194304, .sha256 = { 3 } },
};

/* A manifest as tdverity-build fills it, for one layout; cmdline built by kernel-cmdline. */
static struct build_manifest example(enum disk_layout l, char **ret_cmdline)
{
	bool split = l == DISK_LAYOUT_SPLIT;
	struct build_manifest m = {
		.have_tool = true,
		.tool_name = "tdverity-build",
		.tool_version = "0.1.0",
		.inputs = inputs,
		.n_inputs = ELEMENTSOF(inputs),
		.have_inputs = true,
		.seed = (char *)"s",
		.have_epoch = true,
		.source_date_epoch = 1700000000,
		.layout = l,
		.root.params = { .alg = HASH_SHA256, .data_block_size = 4096, .hash_block_size = 4096,
				 .data_blocks = 512, .salt = { 0x5a, 0x17 }, .salt_size = 2,
				 .superblock = l != DISK_LAYOUT_KATA },
		.have_verity_uuid = l != DISK_LAYOUT_KATA,
		.have_filesystem = true,
		.filesystem = { .size = 2097152, .timestamp = 1700000000, .uuid = { 7 } },
		.data = { .offset = split ? 0 : 1048576, .size = 2097152, .number = 1 },
		.hash = { .offset = split ? 0 : 3145728, .size = 32768, .number = 2 },
		.have_disk = !split,
		.disk = { .file = "disk.img", .size = 4194304, .guid = { 9 }, .mbr_id = 0x2f98ae60 },
		.outputs = outputs,
		.n_outputs = ELEMENTSOF(outputs),
		.have_outputs = true,
		.have_initrd = true,
		.initrd = { .file = "initrd.img", .init_sha256 = { 4 }, .modules = modules, .n_modules = 2 },
	};
	assert_int_equal(hex_decode_exact(ROOT256, m.root.root_hash, 32), 0);
	if (m.root.params.superblock)
		m.root.params.uuid[0] = 0x42;
	snprintf(m.data.file, sizeof(m.data.file), split ? "rootfs.img" : "disk.img");
	snprintf(m.hash.file, sizeof(m.hash.file), split ? "rootfs.verity" : "disk.img");
	struct disk_ids ids;
	assert_int_equal(disk_uuids_from_root_hash(m.root.root_hash, 32, &ids), 0);
	memcpy(m.data.uuid, ids.data_uuid, 16);
	memcpy(m.hash.uuid, ids.hash_uuid, 16);
	m.data.have_uuid = m.hash.have_uuid = l == DISK_LAYOUT_GPT;

	struct verity_cmdline v;
	verity_cmdline_init(&v);
	v.root = m.root;
	assert_int_equal(disk_layout_selectors(l, m.root.root_hash, 32, v.data_device, v.hash_device), 0);
	assert_int_equal(verity_cmdline_build_with_extra(&v, "console=hvc0", ret_cmdline, NULL), 0);
	m.cmdline = *ret_cmdline;
	return m;
}

static char *write_example(enum disk_layout l)
{
	char *cmdline = NULL, *text = NULL;
	struct build_manifest m = example(l, &cmdline);
	assert_int_equal(build_manifest_write_json(&m, &text), 0);
	free(cmdline);
	return text;
}

static int parse(const char *text, struct build_manifest *m, struct tdv_error *err)
{
	return build_manifest_parse(text, strlen(text), m, err);
}

static void test_round_trip(void **state)
{
	for (enum disk_layout l = 0; l < _DISK_LAYOUT_MAX; l++) {
		char *cmdline = NULL, *text = NULL, *again = NULL;
		struct build_manifest want = example(l, &cmdline), got;
		struct tdv_error err = { { 0 } };
		assert_int_equal(build_manifest_write_json(&want, &text), 0);
		if (parse(text, &got, &err) < 0)
			fail_msg("layout %s: %s", disk_layout_name(l), err.msg);
		/* every member back, then the same bytes again */
		assert_int_equal(got.layout, l);
		assert_memory_equal(&got.root, &want.root, sizeof(got.root));
		assert_string_equal(got.cmdline, cmdline);
		assert_string_equal(got.tool_name, "tdverity-build");
		assert_int_equal(got.n_inputs, 2);
		assert_string_equal(got.inputs[1].path, "etc/hosts");
		assert_int_equal(got.inputs[1].sha256[0], 2);
		assert_int_equal(got.n_outputs, 1);
		assert_int_equal(got.outputs[0].size, 4194304);
		assert_string_equal(got.seed, "s");
		assert_int_equal(got.source_date_epoch, 1700000000);
		assert_int_equal(got.filesystem.size, 2097152);
		assert_int_equal(got.data.offset, want.data.offset);
		assert_int_equal(got.hash.size, 32768);
		assert_string_equal(got.hash.file, want.hash.file);
		assert_int_equal(got.have_disk, l != DISK_LAYOUT_SPLIT);
		if (l == DISK_LAYOUT_KATA)
			assert_int_equal(got.disk.mbr_id, 0x2f98ae60);
		assert_int_equal(got.initrd.n_modules, 2);
		assert_string_equal(got.initrd.modules[1], "dm-verity.ko");
		assert_true(got.have_rootfs_event);
		assert_int_equal(build_manifest_write_json(&got, &again), 0);
		assert_string_equal(again, text);
		build_manifest_done(&got);
		free(text);
		free(again);
		free(cmdline);
	}
}

/* text with the first `from` replaced by `to` (the test fails when from is absent). */
static char *mutate(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	if (!at)
		fail_msg("'%s' not in the manifest", from);
	char *out;
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) > 0);
	return out;
}

static void expect_refused(const char *text, const char *what, const char *msg)
{
	struct build_manifest m;
	struct tdv_error err = { { 0 } };
	memset(&m, 0x5a, sizeof(m));
	int r = parse(text, &m, &err);
	if (r != -EINVAL)
		fail_msg("%s: accepted (%d)", what, r);
	if (strncmp(err.msg, "manifest: ", 10) != 0 || !strstr(err.msg, msg))
		fail_msg("%s: error '%s' lacks '%s'", what, err.msg, msg);
	assert_int_equal(m.root.params.data_blocks, 0x5a5a5a5a5a5a5a5aULL); /* untouched */
}

static void test_refusals(void **state)
{
	_cleanup_free_ char *gpt = write_example(DISK_LAYOUT_GPT);
	_cleanup_free_ char *kata = write_example(DISK_LAYOUT_KATA);
	const struct {
		const char *from, *to, *msg, *what;
	} bad[] = {
		/* the lenient reader's spellings are gone */
		{ "\"layout\"", "\"verity\": {}, \"layout\"", "unknown member 'verity'", "nested verity" },
		{ "\"role\": \"root\"", "\"role\": \"data\"", "'role' must be \"root\"", "role alias" },
		{ "\"offset\": 1048576", "\"start_lba\": 2048", "unknown member 'start_lba'", "start_lba" },
		{ "\"tool\": {\n    \"name\": \"tdverity-build\",\n    \"version\": \"0.1.0\"\n  }",
		  "\"tool\": \"test\"", "'tool' must be an object", "tool string" },
		{ "\"seed\"", "\"extra\": 1, \"seed\"", "unknown member 'extra'", "unknown member" },
		/* types and spellings are the writer's */
		{ "\"root_hash\": \"752eab", "\"root_hash\": \"752EAB", "lower-case hex", "upper hex" },
		{ "\"salt\": \"5a17\"", "\"salt\": \"-\"", "'salt'", "dash salt" },
		{ "\"data_blocks\": 512", "\"data_blocks\": 512.0", "'data_blocks' must be an integer", "double" },
		{ "\"data_blocks\": 512", "\"data_blocks\": 0", "'data_blocks' out of range", "zero blocks" },
		{ "\"data_blocks\": 512", "\"data_blocks\": 99999999999999999999", "out of range", "huge" },
		{ "\"superblock\": true", "\"superblock\": 1", "true or false", "superblock int" },
		{ "\"superblock\": true", "\"superblock\": false", "'superblock' must be true", "layout sb" },
		{ "\"hash_offset\": 0", "\"hash_offset\": 100", "invalid verity parameters", "offset" },
		{ "\"layout\": \"gpt\"", "\"layout\": \"lvm\"", "unknown layout", "layout" },
		{ "\"file\": \"disk.img\"", "\"file\": \"../disk.img\"", "plain file name", "path" },
		/* everything stated must agree with the volume */
		{ "\"uuid\": \"752eab71", "\"uuid\": \"652eab71", "the root hash gives", "partuuid" },
		{ "\\\"alg\\\":\\\"sha256\\\"", "\\\"alg\\\":\\\"sha512\\\"", "rootfs_event", "event content" },
		{ "roothash=752eab", "roothash=652eab", "roothash= differs", "cmdline roothash" },
		{ "salt=5a17", "salt=5a18", "salt= differs", "cmdline salt" },
		{ "data-blocks=512", "data-blocks=513", "data-blocks= differs", "cmdline blocks" },
		{ "tdverity.rtmr=3", "tdverity.rtmr=03", "tdverity.rtmr", "cmdline rtmr=03" },
		{ "console=hvc0", "rdinit=/bin/sh", "redirects the boot", "cmdline rdinit" },
		{ "systemd.verity_root_data=PARTUUID=752eab71", "systemd.verity_root_data=PARTUUID=652eab71",
		  "devices", "cmdline device" },
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *t = mutate(gpt, bad[i].from, bad[i].to);
		expect_refused(t, bad[i].what, bad[i].msg);
	}
	/* kata: MBR members only, the devices Kata names */
	const struct {
		const char *from, *to, *msg, *what;
	} bad_kata[] = {
		{ "\"id\": \"0x2f98ae60\"", "\"id\": \"0x2F98AE60\"", "'id'", "mbr id case" },
		{ "\"type\": \"0x83\"", "\"type\": \"0x83\", \"uuid\": \"x\"", "outside a gpt layout", "uuid" },
		{ "systemd.verity_root_data=/dev/vda1", "systemd.verity_root_data=/dev/vdb1", "devices",
		  "device" },
	};
	for (size_t i = 0; i < ELEMENTSOF(bad_kata); i++) {
		_cleanup_free_ char *t = mutate(kata, bad_kata[i].from, bad_kata[i].to);
		expect_refused(t, bad_kata[i].what, bad_kata[i].msg);
	}
	static const char *const broken[] = { "", "[]", "{", "{} x", "{\"layout\":\"gpt\"}" };
	for (size_t i = 0; i < ELEMENTSOF(broken); i++)
		expect_refused(broken[i], broken[i], "manifest: ");
	/* a NUL inside the text */
	struct build_manifest m;
	assert_int_equal(build_manifest_parse("{}\0{}", 5, &m, NULL), -EINVAL);
	/* deeply nested input stops at the tokenizer's depth limit, not the stack */
	char deep[4096];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	assert_int_equal(parse(deep, &m, NULL), -EINVAL);
}

/* What a verification rests on is required; provenance may be absent. */
static void test_minimal(void **state)
{
	const char *json =
		"{\"layout\":\"split\",\"hash_algorithm\":\"sha256\",\"root_hash\":\"" ROOT256 "\","
		"\"salt\":\"\",\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,"
		"\"hash_offset\":0,\"superblock\":true,\"partitions\":["
		"{\"role\":\"root\",\"offset\":0,\"size\":4096,\"file\":\"a\"},"
		"{\"role\":\"root-verity\",\"offset\":0,\"size\":8192,\"file\":\"b\"}]}";
	struct build_manifest m;
	struct tdv_error err = { { 0 } };
	if (parse(json, &m, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(m.root.params.salt_size, 0);
	assert_null(m.cmdline);
	assert_false(m.have_tool);
	build_manifest_done(&m);
	static const char *const required[] = { "\"layout\":\"split\",", "\"superblock\":true,",
						"\"hash_offset\":0," };
	for (size_t i = 0; i < ELEMENTSOF(required); i++) {
		_cleanup_free_ char *t = mutate(json, required[i], "");
		expect_refused(t, required[i], "missing");
	}
	_cleanup_free_ char *one = mutate(json, ",{\"role\":\"root-verity\",\"offset\":0,\"size\":8192,\"file\":\"b\"}", "");
	expect_refused(one, "one partition", "exactly root and root-verity");
}

static void test_check_cmdline(void **state)
{
	char *cmdline = NULL;
	struct build_manifest m = example(DISK_LAYOUT_SPLIT, &cmdline);
	struct verity_cmdline v;
	struct tdv_error err = { { 0 } };
	assert_int_equal(build_manifest_check_cmdline(&m, cmdline, &v, &err), 0);
	assert_int_equal(v.rtmr, 3);
	assert_string_equal(v.data_device, "/dev/vda");
	/* a booted line may carry more, but not a second volume */
	_cleanup_free_ char *more = NULL, *twice = NULL, *rtmr2 = NULL;
	assert_true(asprintf(&more, "%s agent.log=debug", cmdline) > 0);
	assert_int_equal(build_manifest_check_cmdline(&m, more, &v, &err), 0);
	assert_true(asprintf(&twice, "%s roothash=00", cmdline) > 0);
	assert_int_equal(build_manifest_check_cmdline(&m, twice, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "roothash"));
	rtmr2 = mutate(cmdline, "tdverity.rtmr=3", "tdverity.rtmr=2");
	assert_int_equal(build_manifest_check_cmdline(&m, rtmr2, &v, &err), 0);
	assert_int_equal(v.rtmr, 2);
	assert_int_equal(build_manifest_check_cmdline(&m, "console=ttyS0", &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "missing"));
	/* the uuid, when the line names one, must be the manifest's */
	m.root.params.uuid[0] = 0x43;
	assert_int_equal(build_manifest_check_cmdline(&m, cmdline, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "uuid="));
	free(cmdline);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_check_cmdline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
