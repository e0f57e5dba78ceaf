/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-init's building blocks on their own: the module list parser, the dm-verity
 * table and DM_TABLE_LOAD buffer, the TPM 2.0 command encoders and strict response
 * parsers, the TDX ioctl numbers.
 */
#include "unit-helpers.h"

#include "initrd/init.h"

#include "core/util.h"

#include <linux/dm-ioctl.h>
#include <linux/module.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

/* ---- module list ----------------------------------------------------------------------- */

static int parse(const char *text, struct module_entry **paths, size_t *n, struct tdv_error *err)
{
	return module_list_parse(text, strlen(text), paths, n, err);
}

static void test_module_list_good(void **state)
{
	struct module_entry *paths = NULL;
	size_t n = 99;
	struct tdv_error err = { { 0 } };
	assert_int_equal(parse("required virtio_blk.ko\nrequired kernel/drivers/md/dm-verity.ko\n"
			       "optional x.ko.zst\n",
			       &paths, &n, &err),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(paths[0].path, "virtio_blk.ko");
	assert_false(paths[0].optional);
	assert_string_equal(paths[1].path, "kernel/drivers/md/dm-verity.ko");
	assert_false(paths[1].optional);
	assert_string_equal(paths[2].path, "x.ko.zst");
	assert_true(paths[2].optional);
	module_list_free(paths, n);

	assert_int_equal(parse("", &paths, &n, &err), 0);
	assert_int_equal(n, 0);
	module_list_free(paths, n);

	assert_int_equal(module_init_flags("a.ko"), 0);
	assert_int_equal(module_init_flags("a.ko.xz"), MODULE_INIT_COMPRESSED_FILE);
	assert_int_equal(module_init_flags("a.ko.gz"), MODULE_INIT_COMPRESSED_FILE);
	assert_int_equal(module_init_flags("a.ko.zst"), MODULE_INIT_COMPRESSED_FILE);
}

static void test_module_list_bad(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "required a.ko", "line 1: no final newline" },
		{ "required a.ko\n\n", "line 2: no class" },
		{ "required a.ko\nrequired \n", "line 2: empty line" },
		{ "a.ko\n", "line 1: no class (required or optional)" },
		{ "Required a.ko\n", "line 1: no class" },
		{ "optional  a.ko\n", "line 1: character outside" },
		{ "optional\ta.ko\n", "line 1: no class" },
		{ "maybe a.ko\n", "line 1: no class" },
		{ "# comment\n", "line 1: no class" },
		{ "required # comment\n", "line 1: character outside" },
		{ "required /lib/modules/a.ko\n", "absolute path" },
		{ "required b//a.ko\n", "empty path component" },
		{ "required ../a.ko\n", "'.' or '..' component" },
		{ "optional b/../a.ko\n", "'.' or '..' component" },
		{ "required ./a.ko\n", "'.' or '..' component" },
		{ "required a b.ko\n", "character outside" },
		{ "required a.ko\r\n", "character outside" },
		{ "required a.so\n", "not a .ko" },
		{ "required a.ko/\n", "trailing '/'" },
		{ "required a.ko.bz2\n", "not a .ko" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct module_entry *paths = NULL;
		size_t n = 0;
		struct tdv_error err = { { 0 } };
		assert_int_equal(parse(cases[i].text, &paths, &n, &err), -EINVAL);
		if (!strstr(err.msg, cases[i].msg))
			fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, err.msg, cases[i].msg);
		assert_non_null(strstr(err.msg, cases[i].msg));
	}

	/* NUL inside */
	struct module_entry *paths;
	size_t n;
	struct tdv_error err;
	assert_int_equal(module_list_parse("required a.ko\0\n", 15, &paths, &n, &err), -EINVAL);

	/* a 256-byte name is too long, 255 is fine */
	char longname[400];
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "optional ", 9);
	memcpy(longname + 9 + 253, ".ko\n", 5);
	assert_int_equal(parse(longname, &paths, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "too long"));
	memcpy(longname + 9 + 252, ".ko\n", 5);
	assert_int_equal(parse(longname, &paths, &n, &err), 0);
	module_list_free(paths, n);

	/* too many */
	const size_t line = strlen("required a.ko\n");
	size_t len = 1025 * line;
	char *many = malloc(len + 1);
	for (size_t i = 0; i < 1025; i++)
		memcpy(many + i * line, "required a.ko\n", line);
	many[len] = '\0';
	assert_int_equal(parse(many, &paths, &n, &err), -E2BIG);
	many[1024 * line] = '\0';
	assert_int_equal(parse(many, &paths, &n, &err), 0);
	assert_int_equal(n, 1024);
	module_list_free(paths, n);
	free(many);
}

/* ---- dm-verity table ------------------------------------------------------------------- */

static struct verity_cmdline vc(void)
{
	struct verity_cmdline v;
	verity_cmdline_init(&v);
	v.root.params.alg = HASH_SHA256;
	v.root.params.data_block_size = 4096;
	v.root.params.hash_block_size = 4096;
	v.root.params.data_blocks = 262144;
	v.root.params.salt_size = 0;
	v.root.params.superblock = false;
	v.root.params.hash_offset = 0;
	memset(v.root.root_hash, 0xab, 32);
	return v;
}

static void test_verity_table(void **state)
{
	struct verity_cmdline v = vc();
	struct verity_devices devs = { .data = makedev(254, 1), .hash = makedev(254, 2) };
	char buf[1024];
	const char *root = "abababababababababababababababababababababababababababababababab";
	char want[1024];

	/* no salt is "-"; no superblock: the tree starts at hash_offset / hbs */
	assert_int_equal(verity_table_params(&v, &devs, false, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "1 254:1 254:2 4096 4096 262144 0 sha256 %s -", root);
	assert_string_equal(buf, want);
	uint64_t sectors;
	assert_int_equal(verity_data_sectors(&v.root.params, &sectors), 0);
	assert_int_equal(sectors, 262144ULL * 8);

	/* the Kata layout: one device, hash after the data */
	v.root.params.hash_offset = 262144ULL * 4096;
	devs.hash = devs.data;
	assert_int_equal(verity_table_params(&v, &devs, true, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want),
		 "1 254:1 254:1 4096 4096 262144 262144 sha256 %s - 1 panic_on_corruption", root);
	assert_string_equal(buf, want);

	/* superblock: tree at ceil((offset + 512) / hbs), as veritysetup */
	uint64_t b;
	v.root.params.superblock = true;
	v.root.params.hash_offset = 0;
	assert_int_equal(verity_hash_start_block(&v.root.params, &b), 0);
	assert_int_equal(b, 1);
	v.root.params.hash_offset = 4096;
	assert_int_equal(verity_hash_start_block(&v.root.params, &b), 0);
	assert_int_equal(b, 2);
	v.root.params.hash_block_size = 512;
	v.root.params.hash_offset = 1024;
	assert_int_equal(verity_hash_start_block(&v.root.params, &b), 0);
	assert_int_equal(b, 3);

	/* without a superblock an unaligned offset cannot be expressed */
	v.root.params.superblock = false;
	v.root.params.hash_block_size = 4096;
	v.root.params.hash_offset = 512;
	assert_int_equal(verity_hash_start_block(&v.root.params, &b), -EINVAL);
	assert_int_equal(verity_table_params(&v, &devs, false, buf, sizeof(buf)), -EINVAL);

	/* salt and sha512 with restart */
	v = vc();
	v.root.params.alg = HASH_SHA512;
	memset(v.root.root_hash, 0x01, 64);
	v.root.params.salt_size = 2;
	v.root.params.salt[0] = 0xde;
	v.root.params.salt[1] = 0xad;
	v.on_corruption = VERITY_ON_CORRUPTION_RESTART;
	devs.hash = makedev(8, 17);
	assert_int_equal(verity_table_params(&v, &devs, true, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "1 254:1 8:17 4096 4096 262144 0 sha512 0101"));
	assert_non_null(strstr(buf, "0101 dead 1 restart_on_corruption"));

	/* an unsupported algorithm, a small buffer */
	v.root.params.alg = (enum hash_alg)42;
	assert_int_equal(verity_table_params(&v, &devs, true, buf, sizeof(buf)), -EINVAL);
	v.root.params.alg = HASH_SHA512;
	assert_int_equal(verity_table_params(&v, &devs, true, buf, 40), -ENOBUFS);

	/* a hash offset so large the tree start overflows */
	v.root.params.superblock = true;
	v.root.params.hash_offset = UINT64_MAX - 511;
	uint64_t start;
	assert_int_equal(verity_hash_start_block(&v.root.params, &start), -EOVERFLOW);
	v.root.params.hash_offset = 0;

	/* size overflow */
	v.root.params.data_blocks = UINT64_MAX / 2;
	assert_int_equal(verity_data_sectors(&v.root.params, &sectors), -EOVERFLOW);
}

static void test_dm_buffer(void **state)
{
	uint8_t *buf;
	size_t len;
	assert_int_equal(dm_table_load_buffer("root", 8000, "verity", "abc", &buf, &len), 0);
	assert_int_equal(len, sizeof(struct dm_ioctl) + sizeof(struct dm_target_spec) + 8);
	struct dm_ioctl *io = (void *)buf;
	assert_int_equal(io->version[0], DM_VERSION_MAJOR);
	assert_int_equal(io->version[1], 0);
	assert_int_equal(io->data_size, len);
	assert_int_equal(io->data_start, sizeof(*io));
	assert_int_equal(io->target_count, 1);
	assert_int_equal(io->flags, DM_READONLY_FLAG);
	assert_string_equal(io->name, "root");
	struct dm_target_spec *spec = (void *)(buf + sizeof(*io));
	assert_int_equal(spec->sector_start, 0);
	assert_int_equal(spec->length, 8000);
	assert_int_equal(spec->next, sizeof(*spec) + 8);
	assert_string_equal(spec->target_type, "verity");
	assert_memory_equal(spec + 1, "abc\0\0\0\0\0", 8);
	free(buf);

	/* params of exactly 7 chars + NUL need no padding; 8 chars need 8 more */
	assert_int_equal(dm_table_load_buffer("root", 1, "verity", "1234567", &buf, &len), 0);
	assert_int_equal(len, sizeof(struct dm_ioctl) + sizeof(struct dm_target_spec) + 8);
	free(buf);
	assert_int_equal(dm_table_load_buffer("root", 1, "verity", "12345678", &buf, &len), 0);
	assert_int_equal(len, sizeof(struct dm_ioctl) + sizeof(struct dm_target_spec) + 16);
	free(buf);

	assert_int_equal(dm_table_load_buffer("", 1, "verity", "x", &buf, &len), -EINVAL);
	assert_int_equal(dm_table_load_buffer("a/b", 1, "verity", "x", &buf, &len), -EINVAL);
	char longname[200];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(dm_table_load_buffer(longname, 1, "verity", "x", &buf, &len), -EINVAL);
	assert_int_equal(dm_table_load_buffer("root", 1, "a-target-name-too-long", "x", &buf, &len),
			 -EINVAL);
}

/* ---- TPM 2.0 --------------------------------------------------------------------------- */

static void test_tpm_commands(void **state)
{
	uint8_t buf[TPM2_MAX_COMMAND];
	size_t n = tpm2_get_pcrs_command(buf);
	unit_assert_hex(buf, n, "8001000000160000017a000000050000000000000001");

	struct tcg2_digest d = { .alg = HASH_SHA256 };
	memset(d.value, 0x11, 32);
	int len = tpm2_pcr_extend_command(7, &d, 1, buf, sizeof(buf));
	assert_int_equal(len, 10 + 4 + 4 + 9 + 4 + 2 + 32);
	unit_assert_hex(buf, (size_t)len,
			"80020000004100000182000000070000000940000009000000000000000001000b"
			"1111111111111111111111111111111111111111111111111111111111111111");

	assert_int_equal(tpm2_pcr_extend_command(24, &d, 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(tpm2_pcr_extend_command(7, &d, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(tpm2_pcr_extend_command(7, &d, 1, buf, 40), -EINVAL);
	d.alg = (enum hash_alg)77;
	assert_int_equal(tpm2_pcr_extend_command(7, &d, 1, buf, sizeof(buf)), -EINVAL);
}

static void test_tpm_extend_response(void **state)
{
	uint32_t rc = 1;
	uint8_t *ok = unit_unhex("80020000001300000000000000000000010000", &(size_t){ 0 });
	assert_int_equal(tpm2_parse_extend_response(ok, 19, &rc), 0);
	assert_int_equal(rc, 0);

	/* error: 10-byte answer with a code */
	uint8_t *e = unit_unhex("80010000000a00000922", &(size_t){ 0 });
	assert_int_equal(tpm2_parse_extend_response(e, 10, &rc), -EIO);
	assert_int_equal(rc, 0x922);
	/* an error code with trailing bytes is malformed, not an error answer */
	uint8_t *e2 = unit_unhex("80010000000b0000092200", &(size_t){ 0 });
	assert_int_equal(tpm2_parse_extend_response(e2, 11, &rc), -EPROTO);

	/* malformed success answers */
	for (size_t cut = 0; cut < 19; cut++)
		assert_int_equal(tpm2_parse_extend_response(ok, cut, &rc), -EPROTO);
	ok[5] = 0x14; /* size field says 20, 19 read */
	assert_int_equal(tpm2_parse_extend_response(ok, 19, &rc), -EPROTO);
	ok[5] = 0x13;
	ok[1] = 0x01; /* wrong tag */
	assert_int_equal(tpm2_parse_extend_response(ok, 19, &rc), -EPROTO);
	ok[1] = 0x02;
	ok[13] = 0x01; /* parameterSize != 0 */
	assert_int_equal(tpm2_parse_extend_response(ok, 19, &rc), -EPROTO);
	ok[13] = 0x00;
	ok[15] = 0x01; /* a nonce in the answer */
	assert_int_equal(tpm2_parse_extend_response(ok, 19, &rc), -EPROTO);
	ok[15] = 0x00;
	ok[18] = 0x01; /* an hmac */
	assert_int_equal(tpm2_parse_extend_response(ok, 19, &rc), -EPROTO);
	free(ok);
	free(e);
	free(e2);
}

static void test_tpm_pcrs_response(void **state)
{
	uint16_t algs[TPM2_MAX_BANKS];
	size_t n = 99;
	uint32_t rc;
	/* sha1 (no PCR), sha256 (PCR 0-23), sha384 (PCR 15 only, 4-byte select) */
	const char *hex = "80010000002600000000"
			  "000000000500000003"
			  "000403000000"
			  "000b03ffffff"
			  "000c0400800000";
	size_t len;
	uint8_t *r = unit_unhex(hex, &len);
	assert_int_equal(len, 0x26);
	assert_int_equal(tpm2_parse_pcrs_response(r, len, 15, algs, &n, &rc), 0);
	assert_int_equal(n, 2);
	assert_int_equal(algs[0], 0x000b);
	assert_int_equal(algs[1], 0x000c);
	assert_int_equal(tpm2_parse_pcrs_response(r, len, 16, algs, &n, &rc), 0);
	assert_int_equal(n, 1);
	assert_int_equal(tpm2_parse_pcrs_response(r, len, 24, algs, &n, &rc), -EINVAL);

	/* every truncation is malformed */
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t copy[64];
		memcpy(copy, r, cut);
		if (cut >= 6) /* even with a size field that agrees */
			copy[5] = (uint8_t)cut;
		assert_int_equal(tpm2_parse_pcrs_response(copy, cut, 15, algs, &n, &rc), -EPROTO);
	}
	/* trailing byte */
	uint8_t longer[64];
	memcpy(longer, r, len);
	longer[len] = 0;
	longer[5] = (uint8_t)(len + 1);
	assert_int_equal(tpm2_parse_pcrs_response(longer, len + 1, 15, algs, &n, &rc), -EPROTO);
	/* a count that promises more than there is */
	memcpy(longer, r, len);
	longer[18] = 0x04;
	assert_int_equal(tpm2_parse_pcrs_response(longer, len, 15, algs, &n, &rc), -EPROTO);
	longer[15] = 0x7f;
	assert_int_equal(tpm2_parse_pcrs_response(longer, len, 15, algs, &n, &rc), -EPROTO);
	/* moreData: banks left out of the answer would stay unextended */
	memcpy(longer, r, len);
	longer[10] = 0x01;
	assert_int_equal(tpm2_parse_pcrs_response(longer, len, 15, algs, &n, &rc), -EPROTO);
	longer[10] = 0x02; /* not a TPMI_YES_NO */
	assert_int_equal(tpm2_parse_pcrs_response(longer, len, 15, algs, &n, &rc), -EPROTO);
	/* wrong capability */
	memcpy(longer, r, len);
	longer[14] = 0x06;
	assert_int_equal(tpm2_parse_pcrs_response(longer, len, 15, algs, &n, &rc), -EPROTO);
	/* sizeofSelect beyond the limit */
	memcpy(longer, r, len);
	longer[21] = 0xff;
	assert_int_equal(tpm2_parse_pcrs_response(longer, len, 15, algs, &n, &rc), -EPROTO);
	/* the same bank twice */
	memcpy(longer, r, len);
	longer[32] = 0x0b; /* sha384 -> sha256 */
	assert_int_equal(tpm2_parse_pcrs_response(longer, len, 15, algs, &n, &rc), -EPROTO);
	/* a TPM error */
	uint8_t *e = unit_unhex("80010000000a00000101", &(size_t){ 0 });
	assert_int_equal(tpm2_parse_pcrs_response(e, 10, 15, algs, &n, &rc), -EIO);
	assert_int_equal(rc, 0x101);
	free(e);
	free(r);
}

static void test_tdx_ioctl_numbers(void **state)
{
	/* include/uapi/linux/tdx-guest.h: _IOW('T', 3, struct tdx_extend_rtmr_req) and the
	 * earlier _IOR; the struct is 48 data bytes and the index byte. */
	assert_int_equal(sizeof(struct tdx_extend_rtmr_req), 49);
	assert_int_equal(offsetof(struct tdx_extend_rtmr_req, index), 48);
	assert_int_equal(TDX_CMD_EXTEND_RTMR_IOW, 0x40315403UL);
	assert_int_equal(TDX_CMD_EXTEND_RTMR_IOR, 0x80315403UL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_list_good),   cmocka_unit_test(test_module_list_bad),
		cmocka_unit_test(test_verity_table),	   cmocka_unit_test(test_dm_buffer),
		cmocka_unit_test(test_tpm_commands),	   cmocka_unit_test(test_tpm_extend_response),
		cmocka_unit_test(test_tpm_pcrs_response),  cmocka_unit_test(test_tdx_ioctl_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
