/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PE/Authenticode digests of synthetic images.  The known answers come from
 * tests/fixtures/pe-authenticode/known-answers.py, which builds the same images and hashes
 * hand-written byte ranges with Python's hashlib (independent of the C code).
 */
#include "unit-helpers.h"

#include "core/util.h"
#include "host/pe-authenticode.h"
#include "host/qemu-kernel.h"

#include <stdlib.h>
#include <string.h>

#define A_SHA256 "191391335709dd3ca74beb90a1d25cb2edaabf18ddfaef21f14ae52c77584864"
#define A_SHA384                                                                       \
	"d345919aad620436cbb82b20e4a69d5aecb47656cde57a6b937c968efbef9e1bf312cd0bb85183046d9204bc00a741bc"
#define B_SHA256 "de3cc156b2fd49cc79b3553e6044ff97f6829fd421957d509990efa40505d49b"
#define B_SHA384                                                                       \
	"e097104110d1c21d85a367a3b54aa6236c9a7f461f2584991d36eb55089176fb4470699f5a4a10c4e11c838d05bfb6c2"

static uint8_t *base(size_t n)
{
	uint8_t *b = malloc(n);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 131 + 7);
	return b;
}

static void section(uint8_t *b, size_t o, const char *name, uint32_t raw_size, uint32_t raw_off)
{
	memset(b + o, 0, 8);
	memcpy(b + o, name, strlen(name));
	le32_put(b + o + 16, raw_size);
	le32_put(b + o + 20, raw_off);
}

/* PE32+, 16 data directories, a 0x90-byte certificate table at 0x800 (see the .py). */
static uint8_t *image_a(size_t *ret_len)
{
	uint8_t *b = base(0x890);
	memcpy(b, "MZ", 2);
	le32_put(b + 0x3c, 0x80);
	memcpy(b + 0x80, "PE\0\0", 4);
	le16_put(b + 0x84, 0x8664);
	le16_put(b + 0x86, 3);
	le16_put(b + 0x94, 0xF0);
	le16_put(b + 0x98, 0x20b);
	le32_put(b + 0xD4, 0x200);
	le32_put(b + 0x104, 16);
	le32_put(b + 0x128, 0x800);
	le32_put(b + 0x12C, 0x90);
	section(b, 0x188, ".data", 0x100, 0x600);
	section(b, 0x1B0, ".text", 0x400, 0x200);
	section(b, 0x1D8, ".reloc", 0x80, 0x700);
	*ret_len = 0x890;
	return b;
}

/* PE32, 4 data directories (no certificate directory), odd length. */
static uint8_t *image_b(size_t *ret_len)
{
	uint8_t *b = base(0x5A3);
	memcpy(b, "MZ", 2);
	le32_put(b + 0x3c, 0x80);
	memcpy(b + 0x80, "PE\0\0", 4);
	le16_put(b + 0x84, 0x14c);
	le16_put(b + 0x86, 2);
	le16_put(b + 0x94, 0x80);
	le16_put(b + 0x98, 0x10b);
	le32_put(b + 0xD4, 0x200);
	le32_put(b + 0xF4, 4);
	section(b, 0x118, ".text", 0x200, 0x200);
	section(b, 0x140, ".data", 0x100, 0x400);
	*ret_len = 0x5A3;
	return b;
}

static void assert_digest(const uint8_t *img, size_t len, enum hash_alg alg, const char *hex)
{
	uint8_t d[DIGEST_MAX_SIZE];
	struct tdv_error err = { { 0 } };
	int r = pe_authenticode_digest(img, len, alg, d, &err);
	if (r < 0)
		fail_msg("pe_authenticode_digest: %s", err.msg);
	unit_assert_hex(d, hash_alg_size(alg), hex);
}

static void test_known_answers(void **state)
{
	size_t len;
	uint8_t *a = image_a(&len);
	assert_digest(a, len, HASH_SHA256, A_SHA256);
	assert_digest(a, len, HASH_SHA384, A_SHA384);
	free(a);
	uint8_t *b = image_b(&len);
	assert_digest(b, len, HASH_SHA256, B_SHA256);
	assert_digest(b, len, HASH_SHA384, B_SHA384);
	free(b);
}

static void test_ranges(void **state)
{
	size_t len, n;
	uint8_t *a = image_a(&len);
	struct pe_range *r = NULL;
	assert_int_equal(pe_authenticode_ranges(a, len, &r, &n, NULL), 0);
	const struct pe_range want[] = { { 0, 0xD8 },	   { 0xDC, 0x4C },  { 0x130, 0xD0 },
					 { 0x200, 0x400 }, { 0x600, 0x100 }, { 0x700, 0x80 },
					 { 0x780, 0x80 } };
	assert_int_equal(n, ELEMENTSOF(want));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].offset, want[i].offset);
		assert_int_equal(r[i].length, want[i].length);
	}
	free(r);
	free(a);
}

/* What the digest must ignore (CheckSum, the cert dir entry, the table) and must not. */
static void test_excluded_and_included_bytes(void **state)
{
	size_t len;
	uint8_t *a = image_a(&len);
	/* Unsigned form: no certificate table, directory entry zeroed. */
	le32_put(a + 0x128, 0);
	le32_put(a + 0x12C, 0);
	assert_digest(a, 0x800, HASH_SHA384, A_SHA384);
	free(a);

	a = image_a(&len);
	a[0xD8] ^= 0xff;  /* CheckSum */
	a[0x12A] ^= 0xff; /* cert dir VirtualAddress */
	a[0x850] ^= 0xff; /* inside the certificate table */
	assert_digest(a, len, HASH_SHA384, A_SHA384);

	/* Every hashed region: one flipped byte changes the digest. */
	const size_t hashed[] = { 0x00, 0xD7, 0xDC, 0x127, 0x130, 0x1FF, 0x200, 0x5FF,
				  0x600, 0x77F, 0x780, 0x7FF };
	for (size_t i = 0; i < ELEMENTSOF(hashed); i++) {
		uint8_t *c = image_a(&len);
		c[hashed[i]] ^= 0x01;
		uint8_t d[SHA384_SIZE], ref[SHA384_SIZE];
		if (pe_authenticode_digest(c, len, HASH_SHA384, d, NULL) == 0) {
			size_t rlen;
			uint8_t *orig = unit_unhex(A_SHA384, &rlen);
			memcpy(ref, orig, SHA384_SIZE);
			free(orig);
			if (digest_equal(d, ref, SHA384_SIZE))
				fail_msg("byte 0x%zx is not covered by the digest", hashed[i]);
		}
		free(c);
	}
	free(a);
}

static void expect_malformed(uint8_t *img, size_t len, const char *msg_part)
{
	uint8_t d[SHA384_SIZE];
	struct tdv_error err = { { 0 } };
	assert_int_equal(pe_authenticode_digest(img, len, HASH_SHA384, d, &err), -EINVAL);
	if (!strstr(err.msg, msg_part))
		fail_msg("error '%s' lacks '%s'", err.msg, msg_part);
}

static void test_malformed(void **state)
{
	size_t len;
	uint8_t *a;

	a = image_a(&len);
	expect_malformed(a, 0x10, "past the end");
	expect_malformed(a, 0x90, "past the end"); /* COFF header cut */
	a[0x81] = 'X';
	expect_malformed(a, len, "no PE signature");
	free(a);

	a = image_a(&len);
	le32_put(a + 0x3c, 0xfffffff0);
	expect_malformed(a, len, "past the end");
	free(a);

	a = image_a(&len);
	le16_put(a + 0x94, 0xfff0); /* SizeOfOptionalHeader */
	expect_malformed(a, len, "optional header");
	free(a);

	a = image_a(&len);
	le16_put(a + 0x98, 0x107);
	expect_malformed(a, len, "magic");
	free(a);

	a = image_a(&len);
	le16_put(a + 0x94, 0x70); /* room for no data directory at all */
	expect_malformed(a, len, "NumberOfRvaAndSizes");
	free(a);

	a = image_a(&len);
	le16_put(a + 0x94, 0x40); /* smaller than the fixed part */
	expect_malformed(a, len, "too small");
	free(a);

	a = image_a(&len);
	le32_put(a + 0xD4, 0x10000); /* SizeOfHeaders past the end */
	expect_malformed(a, len, "SizeOfHeaders");
	le32_put(a + 0xD4, 0x100); /* before the end of the cert dir entry */
	expect_malformed(a, len, "SizeOfHeaders");
	free(a);

	a = image_a(&len);
	le16_put(a + 0x86, 0xffff);
	expect_malformed(a, len, "section table");
	free(a);

	a = image_a(&len);
	section(a, 0x1B0, ".text", 0x10, 0xfffffff8); /* offset + size overflows 32 bits */
	expect_malformed(a, len, ".text");
	section(a, 0x1B0, ".text", 0x800, 0x200);
	expect_malformed(a, len, "runs past the end");
	free(a);

	a = image_a(&len);
	le32_put(a + 0x12C, 0x200); /* table larger than the trailing data */
	expect_malformed(a, len, "certificate table");
	free(a);
}

static void test_no_dos_header(void **state)
{
	/* edk2 reads a file without "MZ" as starting with the PE header. */
	size_t len;
	uint8_t *a = image_a(&len);
	a[0] = 0;
	uint8_t d[SHA384_SIZE];
	assert_int_equal(pe_authenticode_digest(a, len, HASH_SHA384, d, NULL), -EINVAL);
	free(a);
}

/* ---- QEMU's header patching -------------------------------------------------------- */

static uint8_t *bzimage_header(uint16_t protocol, uint16_t xloadflags, size_t *ret_len)
{
	size_t len = 0x1000;
	uint8_t *k = calloc(1, len);
	assert_non_null(k);
	k[0x1f1] = 4;
	memcpy(k + 0x202, "HdrS", 4);
	le16_put(k + 0x206, protocol);
	k[0x211] = 0x01; /* LOADED_HIGH */
	le32_put(k + 0x22c, 0x7fffffff);
	le16_put(k + 0x236, xloadflags);
	*ret_len = len;
	return k;
}

static void test_qemu_patch(void **state)
{
	size_t len;
	uint8_t *k = bzimage_header(0x20f, 0x7f, &len);
	uint8_t *orig = malloc(len);
	memcpy(orig, k, len);
	struct qemu_kernel_patch p = { .memory_size = 2ULL << 30, .machine = QEMU_MACHINE_PC,
				       .initrd_size = 5000000, .cmdline = "console=ttyS0" };
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), 0);
	assert_int_equal(k[0x210], 0xb0);
	assert_int_equal(k[0x211], 0x81);
	assert_int_equal(le16_get(k + 0x224), 0xfe00);
	assert_int_equal(le32_get(k + 0x228), 0x20000);
	/* pc, 2 GiB: below_4g = 2 GiB; initrd_max = 2 GiB - 0x28000 - 1. */
	uint64_t max = (2ULL << 30) - 0x28000 - 1;
	assert_int_equal(le32_get(k + 0x218), (max - 5000000) & ~4095ULL);
	assert_int_equal(le32_get(k + 0x21c), 5000000);
	/* Nothing else changed. */
	for (size_t i = 0; i < len; i++)
		if (!(i == 0x210 || i == 0x211 || (i >= 0x218 && i < 0x220) ||
		      (i >= 0x224 && i < 0x226) || (i >= 0x228 && i < 0x22c)))
			assert_int_equal(k[i], orig[i]);

	/* The ramdisk address follows -m and the machine type. */
	p.memory_size = 4ULL << 30;
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), 0);
	assert_int_equal(le32_get(k + 0x218), (0xc0000000ULL - 0x28000 - 1 - 5000000) & ~4095ULL);
	p.machine = QEMU_MACHINE_Q35;
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), 0);
	assert_int_equal(le32_get(k + 0x218), (0x80000000ULL - 0x28000 - 1 - 5000000) & ~4095ULL);
	p.memory_size = 0xa0000000ULL; /* q35 below 2.75 GiB: all of it is low */
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), 0);
	assert_int_equal(le32_get(k + 0x218), (0xa0000000ULL - 0x28000 - 1 - 5000000) & ~4095ULL);

	/* Without XLF_CAN_BE_LOADED_ABOVE_4G, initrd_addr_max bounds it. */
	free(k);
	k = bzimage_header(0x20f, 0, &len);
	le32_put(k + 0x22c, 0x37ffffff);
	p.memory_size = 4ULL << 30;
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), 0);
	assert_int_equal(le32_get(k + 0x218), (0x37ffffffULL - 5000000) & ~4095ULL);

	/* vga= is patched into vid_mode, as QEMU's strstr finds it. */
	p.cmdline = "quiet vga=0x317";
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), 0);
	assert_int_equal(le16_get(k + 0x1fa), 0x317);
	p.cmdline = "vga=bogus";
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), -EINVAL);

	/* QEMU refuses: initrd too large; not a bzImage. */
	p.cmdline = NULL;
	p.initrd_size = 0x37ffffff;
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), -EINVAL);
	k[0x202] = 'X';
	p.initrd_size = 0;
	assert_int_equal(qemu_kernel_patch_apply(k, len, &p, NULL), -EINVAL);
	assert_int_equal(qemu_kernel_patch_apply(k, 0x100, &p, NULL), -EINVAL);
	free(k);
	free(orig);
}

static void test_memory_size(void **state)
{
	uint64_t v;
	assert_int_equal(qemu_parse_memory_size("2048", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(qemu_parse_memory_size("2G", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(qemu_parse_memory_size("512M", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(qemu_parse_memory_size("1x", &v), -EINVAL);
	assert_int_equal(qemu_parse_memory_size("", &v), -EINVAL);
	assert_int_equal(qemu_parse_memory_size("-1G", &v), -EINVAL);
	assert_int_equal(qemu_parse_memory_size("0", &v), -ERANGE);
	assert_int_equal(qemu_parse_memory_size("99999999999999T", &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_excluded_and_included_bytes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_no_dos_header),
		cmocka_unit_test(test_qemu_patch),
		cmocka_unit_test(test_memory_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
