/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-build internals that need no filesystem: options, the derivation of every
 * identifier, and the text outputs (exact strings where a peer tool reads them).
 */
#include "unit-helpers.h"

#include "builder/build.h"
#include "host/manifest.h"
#include "core/util.h"
#include "kernel-cmdline/cmdline.h"

#include <json-c/json.h>
#include <string.h>

static int parse(struct build_config *c, struct tdv_error *err, const char *epoch, ...)
{
	char *argv[32] = { (char *)"tdverity-build" };
	int argc = 1;
	va_list ap;
	va_start(ap, epoch);
	for (const char *a; (a = va_arg(ap, const char *)) && argc < 31;)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	memset(err, 0, sizeof(*err));
	return build_config_parse(argc, argv, epoch, c, err);
}

#define REQ "--template", "t", "--agent", "a", "--out", "o"

static void test_options(void **state)
{
	struct build_config c;
	struct tdv_error err;

	assert_int_equal(parse(&c, &err, NULL, REQ, NULL), 0);
	assert_string_equal(c.template_dir, "t");
	assert_int_equal(c.layout, DISK_LAYOUT_GPT);
	assert_int_equal(c.alg, HASH_SHA256);
	assert_int_equal(c.epoch, BUILD_DEFAULT_EPOCH);
	assert_string_equal(c.seed, "");
	assert_null(c.base);
	assert_int_equal(c.size, 0);
	assert_int_equal(c.measure, MEASURE_AUTO);
	assert_false(c.initrd);

	/* --measure; --initrd alone (a kernel without modules) and implied by --kernel-modules */
	assert_int_equal(parse(&c, &err, NULL, REQ, "--measure", "tdx", "--initrd", NULL), 0);
	assert_int_equal(c.measure, MEASURE_TDX);
	assert_true(c.initrd);
	assert_null(c.kernel_modules);
	assert_int_equal(parse(&c, &err, NULL, REQ, "--measure", "tpm", "--kernel-modules", "k", NULL), 0);
	assert_int_equal(c.measure, MEASURE_TPM);
	assert_true(c.initrd);
	assert_int_equal(parse(&c, &err, NULL, REQ, "--initrd", "--init", "i", NULL), 0);
	assert_int_equal(parse(&c, &err, NULL, REQ, "--init", "i", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "--init needs --initrd or --kernel-modules"));

	assert_int_equal(parse(&c, &err, "1700000000", REQ, "--layout", "kata", "--hash", "sha512",
			       "--size", "64M", "--seed", "s", "--base", "b", "--extra-cmdline",
			       "quiet", "--json", NULL),
			 0);
	assert_int_equal(c.layout, DISK_LAYOUT_KATA);
	assert_int_equal(c.alg, HASH_SHA512);
	assert_int_equal(c.size, 64ULL << 20);
	assert_int_equal(c.epoch, 1700000000);
	assert_true(c.json);
	assert_string_equal(c.extra_cmdline, "quiet");

	assert_int_equal(parse(&c, &err, NULL, "--help", NULL), 0);
	assert_true(c.help);
	assert_int_equal(parse(&c, &err, NULL, "--version", NULL), 0);
	assert_true(c.version);

	static const struct {
		const char *args[4];
		const char *epoch;
		const char *msg;
	} bad[] = {
		{ { "--layout", "mbr" }, NULL, "--layout mbr" },
		{ { "--hash", "md5" }, NULL, "--hash md5" },
		{ { "--size", "1000" }, NULL, "multiple of 4096" },
		{ { "--size", "0" }, NULL, "multiple of 4096" },
		{ { "--size", "4Q" }, NULL, "--size 4Q" },
		{ { "--size", "99999999999999999999" }, NULL, "--size" },
		{ { "--out", "x" }, NULL, "given twice" },
		{ { "--bogus" }, NULL, "bad option" },
		{ { "--measure", "none" }, NULL, "--measure none: expected tdx, tpm or auto" },
		{ { "--measure", "TDX" }, NULL, "--measure TDX" },
		{ { "--measure", "" }, NULL, "non-empty" },
		{ { "stray" }, NULL, "unexpected argument" },
		{ { NULL }, "yesterday", "SOURCE_DATE_EPOCH" },
		{ { NULL }, "-1", "SOURCE_DATE_EPOCH" },
		{ { NULL }, "0", "SOURCE_DATE_EPOCH=0" },
		{ { NULL }, "4294967296", "2106" },
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		int r = parse(&c, &err, bad[i].epoch, REQ, bad[i].args[0], bad[i].args[1], NULL);
		if (r != -EINVAL || !strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: r=%d msg='%s'", i, r, err.msg);
	}
	assert_int_equal(parse(&c, &err, NULL, "--template", "t", "--agent", "a", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "required"));
	assert_int_equal(parse(&c, &err, NULL, "--template", "", "--agent", "a", "--out", "o", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "non-empty"));
}

static void test_parse_size(void **state)
{
	uint64_t v;
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("2G", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("K", &v), -EINVAL);
	assert_int_equal(parse_size("1KB", &v), -EINVAL);
	assert_int_equal(parse_size("-1", &v), -EINVAL);
	assert_int_equal(parse_size("17179869184G", &v), -EINVAL);
}

static void test_derive(void **state)
{
	struct derive_input in[3] = { { "agent", { 1 } }, { "file", { 2 } }, { "template-manifest", { 3 } } };
	struct derive_input swapped[3] = { in[2], in[0], in[1] };
	struct derived_ids a, b, c;

	assert_int_equal(derive_ids("", 0, HASH_SHA256, in, 3, &a), 0);
	assert_int_equal(derive_ids("", 0, HASH_SHA256, swapped, 3, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a)); /* order does not matter */

	/* Known answer: master = SHA-256 of the documented byte string. */
	uint8_t buf[512], d[32];
	size_t n = 0;
	memcpy(buf, "tdverity-build derivation v1", 29), n = 29; /* with the NUL */
	le64_put(buf + n, 0), n += 8;                           /* seed length, no seed */
	le64_put(buf + n, 0), n += 8;                           /* epoch */
	memcpy(buf + n, "sha256", 7), n += 7;
	le64_put(buf + n, 3), n += 8;
	for (int i = 0; i < 3; i++) {
		size_t l = strlen(in[i].role) + 1;
		memcpy(buf + n, in[i].role, l), n += l;
		memcpy(buf + n, in[i].sha256, 32), n += 32;
	}
	assert_int_equal(digest_buf(HASH_SHA256, buf, n, d), 0);
	assert_memory_equal(a.master, d, 32);
	assert_int_equal(digest_two(HASH_SHA256, "tdverity salt", 14, a.master, 32, d), 0);
	assert_memory_equal(a.salt, d, 32);
	assert_int_equal(digest_two(HASH_SHA256, "tdverity disk-guid", 19, a.master, 32, d), 0);
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x40);
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
	assert_memory_equal(a.disk_guid, d, 16);

	/* Every UUID is RFC 4122 v4; all ids differ from each other. */
	const uint8_t *uuids[] = { a.fs_uuid, a.hash_seed, a.verity_uuid, a.disk_guid };
	for (size_t i = 0; i < ELEMENTSOF(uuids); i++) {
		assert_int_equal(uuids[i][6] >> 4, 4);
		assert_int_equal(uuids[i][8] >> 6, 2);
		for (size_t j = 0; j < i; j++)
			assert_memory_not_equal(uuids[i], uuids[j], 16);
	}

	/* Each input of the derivation changes everything. */
	assert_int_equal(derive_ids("x", 0, HASH_SHA256, in, 3, &c), 0);
	assert_memory_not_equal(a.salt, c.salt, 32);
	assert_int_equal(derive_ids("", 1, HASH_SHA256, in, 3, &c), 0);
	assert_memory_not_equal(a.salt, c.salt, 32);
	assert_int_equal(derive_ids("", 0, HASH_SHA384, in, 3, &c), 0);
	assert_memory_not_equal(a.salt, c.salt, 32);
	in[1].sha256[31] ^= 1;
	assert_int_equal(derive_ids("", 0, HASH_SHA256, in, 3, &c), 0);
	assert_memory_not_equal(a.fs_uuid, c.fs_uuid, 16);
	assert_int_equal(derive_ids("", 0, HASH_SHA256, in, 2, &c), 0);
	assert_memory_not_equal(a.disk_guid, c.disk_guid, 16);
	assert_int_equal(derive_ids("", 0, HASH_SHA256, NULL, 0, &c), 0);
	assert_int_equal(derive_ids(NULL, 0, HASH_SHA256, NULL, 0, &c), -EINVAL);
}

static void test_display_path(void **state)
{
	static const char *cases[][3] = {
		{ "rootfs-templates/kata-agent", "rootfs-templates/kata-agent/etc/hosts", "etc/hosts" },
		{ "rootfs-templates/kata-agent/", "rootfs-templates/kata-agent/manifest", "manifest" },
		{ "/t", "/t2/x", "x" },
		{ "/t", "/build/tdverity-probe-agent", "tdverity-probe-agent" },
		{ "/t", "/srv/base/", "base" },
		{ "/t", "agent", "agent" },
		{ "/t/", "/t//etc/hosts", "etc/hosts" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *p = build_input_display_path(cases[i][0], cases[i][1]);
		assert_string_equal(p, cases[i][2]);
		free(p);
	}
}

#define ROOT_HEX "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"

static void example(struct build_config *c, struct build_result *r, enum disk_layout l)
{
	*c = (struct build_config){ .layout = l, .alg = HASH_SHA256, .seed = "", .epoch = 7 };
	*r = (struct build_result){ .config = c };
	assert_int_equal(derive_ids("", 7, HASH_SHA256, NULL, 0, &r->ids), 0);
	r->root.params = (struct verity_params){ .alg = HASH_SHA256, .data_block_size = 4096,
					    .hash_block_size = 4096, .data_blocks = 2560,
					    .salt_size = 32, .superblock = l != DISK_LAYOUT_KATA };
	memcpy(r->root.params.salt, r->ids.salt, 32);
	if (r->root.params.superblock)
		memcpy(r->root.params.uuid, r->ids.verity_uuid, 16);
	assert_int_equal(hex_decode_exact(ROOT_HEX, r->root.root_hash, 32), 0);
	assert_int_equal(disk_uuids_from_root_hash(r->root.root_hash, 32, &r->disk), 0);
	memcpy(r->disk.disk_guid, r->ids.disk_guid, 16);
	r->fs_size = 2560 * 4096;
	assert_int_equal(disk_geometry_compute(l, r->fs_size, 90112, &r->geometry), 0);
}

static void test_cmdline_output(void **state)
{
	struct build_config c;
	struct build_result r;
	struct tdv_error err;
	example(&c, &r, DISK_LAYOUT_GPT);
	c.extra_cmdline = "console=hvc0 quiet";
	assert_int_equal(build_cmdline(&r, &err), 0);
	assert_true(startswith(r.cmdline, "roothash=" ROOT_HEX " systemd.verity_root_data="
					  "PARTUUID=00112233-4455-6677-8899-aabbccddeeff "
					  "systemd.verity_root_hash=PARTUUID=01234567-89ab-cdef-fedc-ba9876543210 ",
			       NULL));
	/* `ro` after the verity part: systemd in the root must know it is read-only. */
	assert_non_null(strstr(r.cmdline, "tdverity.timeout=10 ro console=hvc0 quiet"));
	assert_non_null(strstr(r.cmdline, " tdverity.measure=auto "));

	/* --measure sets tdverity.measure= */
	c.measure = MEASURE_TDX;
	assert_int_equal(build_cmdline(&r, &err), 0);
	assert_non_null(strstr(r.cmdline, " tdverity.measure=tdx "));
	c.measure = MEASURE_AUTO;
	assert_int_equal(build_cmdline(&r, &err), 0);

	/* It reads back to the same parameters. */
	struct cmdline *cl = NULL;
	struct verity_cmdline v;
	assert_int_equal(cmdline_parse(r.cmdline, &cl), 0);
	assert_int_equal(verity_cmdline_parse(cl, &v, NULL), 0);
	assert_memory_equal(v.root.root_hash, r.root.root_hash, 32);
	assert_int_equal(v.root.params.data_blocks, 2560);
	assert_true(v.root.params.superblock);
	cmdline_free(cl);

	/* Too long for the kernel (with the firmware's " initrd=initrd"). */
	char longx[2100];
	memset(longx, 'x', sizeof(longx) - 1);
	longx[sizeof(longx) - 1] = '\0';
	c.extra_cmdline = longx;
	assert_int_equal(build_cmdline(&r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "2047"));
	build_result_done(&r);

	example(&c, &r, DISK_LAYOUT_KATA);
	assert_int_equal(build_cmdline(&r, &err), 0);
	assert_non_null(strstr(r.cmdline, "systemd.verity_root_data=/dev/vda1 systemd.verity_root_hash=/dev/vda2 "));
	assert_non_null(strstr(r.cmdline, "superblock=false,panic-on-corruption"));
	build_result_done(&r);
}

static void test_kata_outputs(void **state)
{
	struct build_config c;
	struct build_result r;
	char *s = NULL, expected[1024], *salt;

	example(&c, &r, DISK_LAYOUT_KATA);
	salt = hex_encode_alloc(r.root.params.salt, 32);
	assert_int_equal(build_kata_verity_params(&r, &s), 0);
	snprintf(expected, sizeof(expected),
		 "root_hash=" ROOT_HEX ",salt=%s,data_blocks=2560,data_block_size=4096,hash_block_size=4096\n",
		 salt);
	assert_string_equal(s, expected);
	free(s);

	/* Kata's GetKernelRootParams: sectors = blocks * 8, hash start block 0 (no superblock). */
	assert_int_equal(build_dm_mod_create(&r, &s), 0);
	snprintf(expected, sizeof(expected),
		 "dm-mod.create=\"dm-verity,,,ro,0 20480 verity 1 /dev/vda1 /dev/vda2 4096 4096 2560 0 "
		 "sha256 " ROOT_HEX " %s\" root=/dev/dm-0 rootflags=data=ordered,errors=remount-ro ro "
		 "rootfstype=ext4\n",
		 salt);
	assert_string_equal(s, expected);
	free(s);

	/* With a superblock the tree starts one hash block later. */
	example(&c, &r, DISK_LAYOUT_GPT);
	assert_int_equal(build_dm_mod_create(&r, &s), 0);
	assert_non_null(strstr(s, " 4096 4096 2560 1 sha256 "));
	free(s);
	example(&c, &r, DISK_LAYOUT_SPLIT);
	assert_int_equal(build_dm_mod_create(&r, &s), 0);
	assert_non_null(strstr(s, " verity 1 /dev/vda /dev/vdb 4096 4096 2560 1 "));
	free(s);
	free(salt);
}

static void assert_sorted_keys(json_object *o)
{
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			assert_sorted_keys(json_object_array_get_idx(o, i));
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	const char *prev = NULL;
	json_object_object_foreach(o, k, v)
	{
		if (prev)
			assert_true(strcmp(prev, k) < 0);
		prev = k;
		assert_sorted_keys(v);
	}
}

static void test_manifest(void **state)
{
	struct build_config c;
	struct build_result r;
	struct tdv_error err;
	char *text = NULL, *again = NULL;

	example(&c, &r, DISK_LAYOUT_GPT);
	c.seed = "demo";
	r.inputs = calloc(1, sizeof(*r.inputs));
	r.inputs[0].role = strdup("agent");
	r.inputs[0].path = strdup("tdverity-probe-agent");
	r.n_inputs = 1;
	strcpy(r.files[0].name, "disk.img");
	r.files[0].size = 123;
	r.n_files = 1;
	assert_int_equal(build_cmdline(&r, &err), 0);
	assert_int_equal(build_manifest_json(&r, &text), 0);
	assert_int_equal(build_manifest_json(&r, &again), 0);
	assert_string_equal(text, again); /* deterministic */
	assert_int_equal(text[strlen(text) - 1], '\n');

	json_object *m = json_tokener_parse(text);
	assert_non_null(m);
	assert_sorted_keys(m);
	static const char *keys[] = {
		"tool", "inputs", "root_hash", "salt", "hash_algorithm", "data_blocks",
		"data_block_size", "hash_block_size", "hash_offset", "layout", "partitions",
		"disk", "cmdline", "rootfs_event", "outputs", "filesystem", "source_date_epoch",
		"seed", "superblock", "verity_uuid",
	};
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (!json_object_object_get(m, keys[i]))
			fail_msg("manifest lacks %s", keys[i]);
	assert_string_equal(json_object_get_string(json_object_object_get(m, "root_hash")), ROOT_HEX);
	assert_string_equal(json_object_get_string(json_object_object_get(m, "cmdline")), r.cmdline);
	json_object *p0 = json_object_array_get_idx(json_object_object_get(m, "partitions"), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(p0, "uuid")),
			    "00112233-4455-6677-8899-aabbccddeeff");
	assert_int_equal(json_object_get_int64(json_object_object_get(p0, "offset")), 1 << 20);

	/* The rootfs event: the canonical content and SHA-384 of its AAEL event data. */
	json_object *ev = json_object_object_get(m, "rootfs_event");
	const char *content = json_object_get_string(json_object_object_get(ev, "content"));
	assert_true(startswith(content, "{\"alg\":\"sha256\",\"argv\":[\"/sbin/init\"],"
			       "\"data_block_size\":4096,\"data_blocks\":2560,", NULL));
	/* Version 2: what the build's line runs is bound too. */
	assert_non_null(strstr(content, "\"init\":\"/sbin/init\",\"measure\":\"auto\","
				       "\"on_corruption\":\"panic\""));
	assert_true(strlen(content) > 7 && strcmp(content + strlen(content) - 7, ",\"v\":2}") == 0);
	char data[1024];
	size_t n = (size_t)snprintf(data + 8, sizeof(data) - 8, "tdverity rootfs %s", content);
	le32_put((uint8_t *)data, 0x4141454C);
	le32_put((uint8_t *)data + 4, (uint32_t)n);
	uint8_t d[48];
	char dh[97];
	assert_int_equal(digest_buf(HASH_SHA384, data, n + 8, d), 0);
	hex_encode(d, 48, dh);
	assert_string_equal(json_object_get_string(json_object_object_get(ev, "sha384")), dh);
	json_object_put(m);

	/* The one reader takes what the builder wrote, cmdline checked against the volume. */
	struct build_manifest back;
	struct tdv_error rerr = { { 0 } };
	if (build_manifest_parse(text, strlen(text), &back, &rerr) < 0)
		fail_msg("%s", rerr.msg);
	assert_memory_equal(&back.root, &r.root, sizeof(back.root));
	assert_string_equal(back.cmdline, r.cmdline);
	build_manifest_done(&back);
	free(text);
	free(again);

	assert_int_equal(build_summary_json(&r, "out", &text), 0);
	m = json_tokener_parse(text);
	assert_non_null(m);
	assert_sorted_keys(m);
	assert_string_equal(json_object_get_string(json_object_object_get(m, "root_hash")), ROOT_HEX);
	json_object_put(m);
	free(text);
	build_result_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_display_path),
		cmocka_unit_test(test_cmdline_output),
		cmocka_unit_test(test_kata_outputs),
		cmocka_unit_test(test_manifest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
