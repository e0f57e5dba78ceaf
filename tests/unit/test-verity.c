/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "core/util.h"
#include "core/verity.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Known answers: derived ONCE from `veritysetup format` (cryptsetup 2.6.1) on data made by
 * pattern_byte() below, with --uuid=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 and the salts
 * given; "area" is SHA-256 of the whole hash file veritysetup wrote (superblock, zeros,
 * tree).  tests/interop/verity-veritysetup.sh re-derives such values with the real tool
 * on every run; these pins keep the unit test meaningful where veritysetup is absent.
 */
static const uint8_t kat_uuid[16] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
				      0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };

struct kat {
	const char *name;
	enum hash_alg alg;
	uint32_t dbs, hbs;
	uint64_t blocks;
	const char *salt_hex;
	bool superblock;
	uint64_t hash_offset;
	const char *root;
	const char *area_sha256;
	uint64_t area_file_size;
};

static const struct kat kats[] = {
	{ "two levels", HASH_SHA256, 4096, 4096, 129, "5a17", true, 0,
	  "752eab7181d277420f6256375f64269c8020e2709215c6597f98e620bfc12bca",
	  "3b2b95930fd65520388c264b6120bb6aab9a8fd33e872fbefab0725745f45b67", 16384 },
	{ "one data block, no tree", HASH_SHA256, 4096, 4096, 1, "00112233", true, 0,
	  "f51e80832dc1bf5740fbc78360abb48d536b33c02f7698a1a6c6e54a15e4d884",
	  "fba775a6c17f6b3f44275a46435a5d7030c4964f4a9b046fa791f06dd4064ad9", 4096 },
	{ "sha384, hbs != dbs, no salt, no superblock", HASH_SHA384, 1024, 512, 300, "", false, 0,
	  "a6eb094396fac2fab7872d58b4ac45ebeaada19f6b5889cd70970e3f407d46f1"
	  "61659a7594ffb583327fe00d29f2c4de",
	  "0a715c3ece8b8397ac4987f06f7d11d9ed919cfb0da02c24b6ccb308d3d55f5d", 22528 },
	{ "sha512, full leaf blocks, 256-byte salt", HASH_SHA512, 4096, 4096, 128, NULL, true, 0,
	  "5887c20a8733661860495fff65d68cbcb619765cd48b441665d9535a49ac262b"
	  "07505d9327976b202aa415f364d62e13e84542dc64355f31d5319c77df72dfe2",
	  "c4b1b848eed1e4150ce063f8c65d48179532ea7ab4779f63f3ff1ea513a6ceb6", 16384 },
	{ "512-byte data blocks, hash offset", HASH_SHA256, 512, 4096, 4096, "0102", true, 4096,
	  "196efa48480ef94a68cd53620223e7fbdd550aea95358a712d4b34b9d92deda7",
	  "4997bbf73782c1271fe81b48309b62bfc564eae678f012af5556690f5c4e2132", 143360 },
	{ "one exactly full leaf block", HASH_SHA256, 4096, 4096, 128, "abcdef0123", true, 0,
	  "938b3d32d5b84c97d51f33390c21a59458599712b81cf4dfd3afdb868e722981",
	  "89d860dda77e8fef2c6dcf1b85493c2fde69a380621870135a597f625b331c6d", 8192 },
};

static uint8_t pattern_byte(uint64_t block, uint64_t j) { return (uint8_t)(block * 131 + j * 7 + 1); }

static int tmpfile_fd(void)
{
	char path[] = "/tmp/tdv-verity-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static void write_pattern(int fd, uint64_t offset, uint32_t bs, uint64_t blocks)
{
	uint8_t *buf = malloc(bs);
	assert_non_null(buf);
	for (uint64_t i = 0; i < blocks; i++) {
		for (uint32_t j = 0; j < bs; j++)
			buf[j] = pattern_byte(i, j);
		assert_int_equal(pwrite_full(fd, buf, bs, offset + i * bs), 0);
	}
	free(buf);
}

static void params_from_kat(const struct kat *k, struct verity_params *p)
{
	*p = (struct verity_params){ .alg = k->alg, .data_block_size = k->dbs,
				     .hash_block_size = k->hbs, .data_blocks = k->blocks,
				     .superblock = k->superblock, .hash_offset = k->hash_offset };
	memcpy(p->uuid, kat_uuid, sizeof(kat_uuid));
	if (k->salt_hex) {
		size_t n;
		assert_int_equal(hex_decode(k->salt_hex, p->salt, sizeof(p->salt), &n), 0);
		p->salt_size = (uint16_t)n;
	} else {
		memset(p->salt, 0xff, VERITY_MAX_SALT);
		p->salt_size = VERITY_MAX_SALT;
	}
}

static off_t file_size(int fd)
{
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

static void file_sha256(int fd, uint8_t out[32])
{
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	assert_int_equal(digest_fd(HASH_SHA256, fd, out), 0);
}

static void test_known_answers(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(kats); i++) {
		const struct kat *k = &kats[i];
		struct verity_params p;
		params_from_kat(k, &p);
		print_message("kat: %s\n", k->name);

		int data = tmpfile_fd(), hash = tmpfile_fd();
		write_pattern(data, 0, k->dbs, k->blocks);
		for (unsigned threads = 1; threads <= 3; threads += 2) {
			uint8_t root[DIGEST_MAX_SIZE], area[32];
			assert_int_equal(ftruncate(hash, 0), 0);
			assert_int_equal(verity_tree_build(&p, data, 0, hash, threads, root), 0);
			unit_assert_hex(root, hash_alg_size(k->alg), k->root);
			assert_int_equal(file_size(hash), k->area_file_size);
			file_sha256(hash, area);
			unit_assert_hex(area, 32, k->area_sha256);

			uint64_t area_size;
			assert_int_equal(verity_hash_area_size(&p, &area_size), 0);
			assert_int_equal(area_size, k->area_file_size - k->hash_offset);

			struct verity_bad_block bad;
			assert_int_equal(verity_tree_verify(&p, data, 0, hash, root, threads, &bad), 0);
		}
		close(data);
		close(hash);
	}
}

static struct verity_params good_params(void)
{
	struct verity_params p = { .alg = HASH_SHA256, .data_block_size = 4096,
				   .hash_block_size = 4096, .data_blocks = 10, .salt_size = 2,
				   .salt = { 1, 2 }, .superblock = true };
	return p;
}

static void test_params_validate(void **state)
{
	struct verity_params p = good_params();
	assert_int_equal(verity_params_validate(&p), 0);
	assert_int_equal(verity_params_validate(NULL), -EINVAL);

	const uint32_t bad_sizes[] = { 0, 256, 1000, 4097, 2u << 20 };
	for (size_t i = 0; i < ELEMENTSOF(bad_sizes); i++) {
		p = good_params();
		p.data_block_size = bad_sizes[i];
		assert_int_equal(verity_params_validate(&p), -EINVAL);
		p = good_params();
		p.hash_block_size = bad_sizes[i];
		assert_int_equal(verity_params_validate(&p), -EINVAL);
	}
	p = good_params();
	p.data_blocks = 0;
	assert_int_equal(verity_params_validate(&p), -EINVAL);
	p.data_blocks = UINT64_MAX / 4096 + 1; /* byte size overflows */
	assert_int_equal(verity_params_validate(&p), -EINVAL);
	p = good_params();
	p.salt_size = VERITY_MAX_SALT + 1;
	assert_int_equal(verity_params_validate(&p), -EINVAL);
	p = good_params();
	p.alg = _HASH_ALG_MAX;
	assert_int_equal(verity_params_validate(&p), -EINVAL);
	p = good_params();
	p.hash_offset = 100;
	assert_int_equal(verity_params_validate(&p), -EINVAL);
	p.hash_offset = 512; /* fine with a superblock (veritysetup rounds the tree up) */
	assert_int_equal(verity_params_validate(&p), 0);
	p.superblock = false; /* without one the kernel counts hash_start in hash blocks */
	assert_int_equal(verity_params_validate(&p), -EINVAL);
	p.hash_offset = 8192;
	assert_int_equal(verity_params_validate(&p), 0);

	uint64_t size;
	p = good_params();
	assert_int_equal(verity_hash_area_size(&p, &size), 0);
	assert_int_equal(size, 2 * 4096); /* superblock block + one leaf block */
	p.superblock = false;
	assert_int_equal(verity_hash_area_size(&p, &size), 0);
	assert_int_equal(size, 4096);
	p.data_blocks = 1;
	assert_int_equal(verity_hash_area_size(&p, &size), 0);
	assert_int_equal(size, 0);
	p.data_blocks = 129; /* leaf: 2 blocks, top: 1 */
	assert_int_equal(verity_hash_area_size(&p, &size), 0);
	assert_int_equal(size, 3 * 4096);
}

static void test_superblock_round_trip(void **state)
{
	struct verity_params p = good_params(), q;
	uint8_t sb[VERITY_SUPERBLOCK_SIZE], sb2[VERITY_SUPERBLOCK_SIZE];
	p.alg = HASH_SHA384;
	p.data_block_size = 1024;
	p.hash_block_size = 8192;
	p.data_blocks = 0x123456789aULL;
	memcpy(p.uuid, kat_uuid, 16);
	assert_int_equal(verity_superblock_encode(&p, sb), 0);

	/* Offsets of cryptsetup's struct verity_sb. */
	assert_memory_equal(sb, "verity\0\0", 8);
	assert_int_equal(le32_get(sb + 8), 1);
	assert_int_equal(le32_get(sb + 12), 1);
	assert_memory_equal(sb + 16, kat_uuid, 16);
	assert_string_equal((const char *)sb + 32, "sha384");
	assert_int_equal(le32_get(sb + 64), 1024);
	assert_int_equal(le32_get(sb + 68), 8192);
	assert_int_equal(le64_get(sb + 72), 0x123456789aULL);
	assert_int_equal(le16_get(sb + 80), 2);
	assert_int_equal(sb[88], 1);
	assert_int_equal(sb[89], 2);

	assert_int_equal(verity_superblock_decode(sb, &q), 0);
	assert_int_equal(q.alg, HASH_SHA384);
	assert_int_equal(q.data_block_size, 1024);
	assert_int_equal(q.hash_block_size, 8192);
	assert_int_equal(q.data_blocks, 0x123456789aULL);
	assert_int_equal(q.salt_size, 2);
	assert_memory_equal(q.salt, p.salt, 2);
	assert_memory_equal(q.uuid, kat_uuid, 16);
	assert_true(q.superblock);
	assert_int_equal(verity_superblock_encode(&q, sb2), 0);
	assert_memory_equal(sb, sb2, sizeof(sb));

	p = good_params();
	p.salt_size = 0;
	assert_int_equal(verity_superblock_encode(&p, sb), 0);
	assert_int_equal(verity_superblock_decode(sb, &q), 0);
	assert_int_equal(q.salt_size, 0);
	p.data_block_size = 3;
	assert_int_equal(verity_superblock_encode(&p, sb), -EINVAL);
}

static void test_superblock_malformed(void **state)
{
	struct verity_params p = good_params(), q;
	uint8_t good[VERITY_SUPERBLOCK_SIZE], sb[VERITY_SUPERBLOCK_SIZE];
	assert_int_equal(verity_superblock_encode(&p, good), 0);

	static const struct {
		const char *what;
		size_t offset;
		uint8_t value;
	} damage[] = {
		{ "magic", 0, 'V' },
		{ "magic tail", 7, 1 },
		{ "version 2", 8, 2 },
		{ "hash type 0 (Chrome OS)", 12, 0 },
		{ "unknown algorithm", 35, '1' },
		{ "algorithm tail", 40, 'x' },
		{ "data block size 4097", 64, 1 },
		{ "hash block size 256", 69, 1 },
		{ "zero data blocks", 72, 0 },
		{ "salt size 257", 80, 1 },
		{ "salt size 257 (high)", 81, 1 },
		{ "reserved after salt size", 84, 1 },
		{ "byte after the salt", 90, 1 },
		{ "reserved tail", 511, 1 },
	};
	for (size_t i = 0; i < ELEMENTSOF(damage); i++) {
		memcpy(sb, good, sizeof(sb));
		if (damage[i].offset == 69) { /* make it exactly 256 */
			le32_put(sb + 68, 256);
		} else if (damage[i].offset == 80 || damage[i].offset == 81) {
			le16_put(sb + 80, 257);
		} else if (damage[i].offset == 72) {
			le64_put(sb + 72, 0);
		} else {
			sb[damage[i].offset] = damage[i].value;
		}
		print_message("malformed: %s\n", damage[i].what);
		memset(&q, 0x5a, sizeof(q));
		assert_int_equal(verity_superblock_decode(sb, &q), -EINVAL);
		assert_int_equal(q.data_block_size, 0x5a5a5a5a); /* untouched on failure */
	}
	/* An algorithm name filling all 32 bytes has no terminator. */
	memcpy(sb, good, sizeof(sb));
	memset(sb + 32, 'a', 32);
	assert_int_equal(verity_superblock_decode(sb, &q), -EINVAL);
	/* data_blocks so large the byte size overflows. */
	memcpy(sb, good, sizeof(sb));
	le64_put(sb + 72, UINT64_MAX);
	assert_int_equal(verity_superblock_decode(sb, &q), -EINVAL);
}

/* Build a tree for 16385 data blocks (3 levels: top 1, middle 2, leaf 129 blocks). */
struct tree_fixture {
	struct verity_params p;
	int data, hash;
	uint8_t root[DIGEST_MAX_SIZE];
};

static void fixture_build(struct tree_fixture *f, uint64_t blocks)
{
	f->p = good_params();
	f->p.data_blocks = blocks;
	f->data = tmpfile_fd();
	f->hash = tmpfile_fd();
	write_pattern(f->data, 0, 4096, blocks);
	assert_int_equal(verity_tree_build(&f->p, f->data, 0, f->hash, 2, f->root), 0);
}

static void flip_byte(int fd, uint64_t offset)
{
	uint8_t b;
	assert_int_equal(pread_full(fd, &b, 1, offset), 0);
	b ^= 0x01;
	assert_int_equal(pwrite_full(fd, &b, 1, offset), 0);
}

static void expect_bad(struct tree_fixture *f, bool in_data, uint64_t block, unsigned level)
{
	struct verity_bad_block bad = { 0 };
	assert_int_equal(verity_tree_verify(&f->p, f->data, 0, f->hash, f->root, 2, &bad), -EBADMSG);
	assert_int_equal(bad.in_data, in_data);
	assert_int_equal(bad.block, block);
	assert_int_equal(bad.level, level);
}

static void test_corruption(void **state)
{
	struct tree_fixture f;
	fixture_build(&f, 16385);
	struct verity_bad_block bad;
	assert_int_equal(verity_tree_verify(&f.p, f.data, 0, f.hash, f.root, 2, &bad), 0);

	/* Hash area blocks: 0 superblock, 1 top (level 2), 2-3 level 1, 4-132 leaf level. */
	static const struct {
		bool in_data;
		uint64_t block, byte;
		unsigned level;
	} cases[] = {
		{ true, 0, 0, 0 },	   { true, 7000, 4095, 0 }, { true, 16384, 17, 0 },
		{ false, 4, 0, 0 },	   { false, 132, 4095, 0 }, /* padding of the last leaf */
		{ false, 3, 100, 1 },	   { false, 1, 31, 2 },	    { false, 1, 4000, 2 },
		{ false, 0, 80, VERITY_LEVEL_SUPERBLOCK }, /* salt size */
		{ false, 0, 300, VERITY_LEVEL_SUPERBLOCK }, /* reserved */
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		int fd = cases[i].in_data ? f.data : f.hash;
		uint64_t offset = cases[i].block * 4096 + cases[i].byte;
		print_message("flip: %s block %llu byte %llu\n", cases[i].in_data ? "data" : "hash",
			      (unsigned long long)cases[i].block, (unsigned long long)cases[i].byte);
		flip_byte(fd, offset);
		expect_bad(&f, cases[i].in_data, cases[i].block, cases[i].level);
		flip_byte(fd, offset);
		assert_int_equal(verity_tree_verify(&f.p, f.data, 0, f.hash, f.root, 2, &bad), 0);
	}

	/* Two data corruptions in different work units (threads): the lowest is reported. */
	flip_byte(f.data, 9000 * 4096);
	flip_byte(f.data, 300 * 4096);
	expect_bad(&f, true, 300, 0);
	flip_byte(f.data, 9000 * 4096);
	flip_byte(f.data, 300 * 4096);

	/* Two corruptions: the lower one (data) is reported first. */
	flip_byte(f.data, 9 * 4096);
	flip_byte(f.hash, 3 * 4096 + 5);
	expect_bad(&f, true, 9, 0);
	flip_byte(f.data, 9 * 4096);
	flip_byte(f.hash, 3 * 4096 + 5);

	/* Wrong root, wrong salt, wrong parameters. */
	f.root[0] ^= 1;
	expect_bad(&f, false, 1, 2);
	f.root[0] ^= 1;
	f.p.salt[0] ^= 1;
	expect_bad(&f, false, 0, VERITY_LEVEL_SUPERBLOCK);
	f.p.superblock = false; /* same salt mismatch, caught by the tree itself */
	f.p.hash_offset = 4096;
	expect_bad(&f, false, 0, 2);
	f.p.salt[0] ^= 1;
	assert_int_equal(verity_tree_verify(&f.p, f.data, 0, f.hash, f.root, 1, &bad), 0);

	/* Short devices are I/O errors, not verdicts. */
	f.p = good_params();
	f.p.data_blocks = 16386;
	assert_int_equal(verity_tree_verify(&f.p, f.data, 0, f.hash, f.root, 2, &bad), -EIO);
	f.p.data_blocks = 16385;
	assert_int_equal(ftruncate(f.hash, 100 * 4096), 0);
	assert_int_equal(verity_tree_verify(&f.p, f.data, 0, f.hash, f.root, 2, &bad), -EIO);
	close(f.data);
	close(f.hash);
}

static void test_single_block_corruption(void **state)
{
	struct tree_fixture f;
	fixture_build(&f, 1);
	flip_byte(f.data, 123);
	expect_bad(&f, true, 0, 0);
	close(f.data);
	close(f.hash);
}

static void test_same_fd(void **state)
{
	/* Data then hash area in one file, as veritysetup --hash-offset on one device. */
	struct tree_fixture f;
	fixture_build(&f, 300);
	int one = tmpfile_fd();
	write_pattern(one, 8192, 4096, 300);
	struct verity_params p = f.p;
	p.hash_offset = 8192 + 300 * 4096;
	uint8_t root[DIGEST_MAX_SIZE];
	assert_int_equal(verity_tree_build(&p, one, 8192, one, 0, root), 0);
	assert_memory_equal(root, f.root, 32);

	uint64_t area;
	assert_int_equal(verity_hash_area_size(&p, &area), 0);
	assert_int_equal(file_size(one), (off_t)(p.hash_offset + area));
	uint8_t *a = malloc(area), *b = malloc(area);
	assert_int_equal(pread_full(one, a, area, p.hash_offset), 0);
	assert_int_equal(pread_full(f.hash, b, area, 0), 0);
	assert_memory_equal(a, b, area);
	free(a);
	free(b);

	struct verity_bad_block bad;
	assert_int_equal(verity_tree_verify(&p, one, 8192, one, root, 0, &bad), 0);
	flip_byte(one, 8192 + 299 * 4096);
	assert_int_equal(verity_tree_verify(&p, one, 8192, one, root, 0, &bad), -EBADMSG);
	assert_true(bad.in_data);
	assert_int_equal(bad.block, 299);
	close(one);
	close(f.data);
	close(f.hash);
}

/* The streamed build against the read-back build: same hash area bytes, same root, for
 * blocks announced in any order (some twice, some never), zero blocks among them, data
 * and hash area in one file and in two, one data block (no leaf level). */
static void stream_case(uint64_t blocks, bool same_file)
{
	struct verity_params p = good_params();
	p.data_blocks = blocks;
	int data = tmpfile_fd(), hash = same_file ? data : tmpfile_fd();
	uint64_t data_offset = same_file ? 8192 : 0, area;
	p.hash_offset = same_file ? data_offset + blocks * 4096 : 0;
	assert_int_equal(verity_hash_area_size(&p, &area), 0);
	struct verity_stream *s = NULL;
	assert_int_equal(verity_stream_new(&p, data, data_offset, hash, 2, &s), 0);
	assert_int_equal(verity_stream_final(s, blocks, 1), -EINVAL);
	assert_int_equal(verity_stream_final(s, 0, blocks + 1), -EINVAL);
	write_pattern(data, data_offset, 4096, blocks);
	/* Every third block stays zero (free space), written as a hole. */
	uint8_t zero[4096] = { 0 };
	for (uint64_t i = 0; i < blocks; i += 3)
		assert_int_equal(pwrite_full(data, zero, 4096, data_offset + i * 4096), 0);
	for (uint64_t i = blocks; i > 0; i -= i >= 7 ? 7 : i) /* backwards, in runs of 5 */
		if (i % 2)
			assert_int_equal(verity_stream_final(s, i - 1 >= 5 ? i - 5 : 0,
							     i - 1 >= 5 ? 5 : i), 0);
	assert_int_equal(verity_stream_final(s, 0, blocks), 0); /* again: harmless */
	uint8_t root[DIGEST_MAX_SIZE], want[DIGEST_MAX_SIZE];
	assert_int_equal(verity_stream_finish(s, root), 0);
	verity_stream_free(s);
	uint8_t *a = malloc(area), *b = malloc(area);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(pread_full(hash, a, area, p.hash_offset), 0);
	int hash2 = tmpfile_fd();
	struct verity_params p2 = p;
	p2.hash_offset = 0;
	assert_int_equal(verity_tree_build(&p2, data, data_offset, hash2, 1, want), 0);
	assert_int_equal(pread_full(hash2, b, area, 0), 0);
	assert_memory_equal(root, want, 32);
	assert_memory_equal(a, b, area);
	free(a);
	free(b);
	close(hash2);
	if (!same_file)
		close(hash);
	close(data);
}

static void test_stream(void **state)
{
	stream_case(1, false);
	stream_case(300, false);
	stream_case(300, true);
	stream_case(1000, false);
	/* Never told anything: the same as verity_tree_build(). */
	struct verity_stream *s = NULL;
	struct verity_params p = good_params();
	int data = tmpfile_fd(), hash = tmpfile_fd();
	write_pattern(data, 0, 4096, p.data_blocks);
	uint8_t root[DIGEST_MAX_SIZE], want[DIGEST_MAX_SIZE];
	assert_int_equal(verity_stream_new(&p, data, 0, hash, 0, &s), 0);
	assert_int_equal(verity_stream_finish(s, root), 0);
	verity_stream_free(s);
	verity_stream_free(NULL);
	assert_int_equal(verity_tree_build(&p, data, 0, hash, 0, want), 0);
	assert_memory_equal(root, want, 32);
	close(data);
	close(hash);
}

static void test_bad_arguments(void **state)
{
	struct verity_params p = good_params();
	uint8_t root[DIGEST_MAX_SIZE] = { 0 };
	struct verity_bad_block bad;
	assert_int_equal(verity_tree_build(&p, -1, 0, 1, 1, root), -EINVAL);
	assert_int_equal(verity_tree_verify(&p, 0, 0, -1, root, 1, &bad), -EINVAL);
	p.data_blocks = 0;
	assert_int_equal(verity_tree_build(&p, 0, 0, 1, 1, root), -EINVAL);
	/* Data offset pushing the end past off_t. */
	p = good_params();
	int fd = tmpfile_fd();
	assert_int_equal(verity_tree_build(&p, fd, UINT64_MAX - 10, fd, 1, root), -EINVAL);
	/* Short data file. */
	assert_int_equal(verity_tree_build(&p, fd, 0, fd, 1, root), -EIO);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_params_validate),
		cmocka_unit_test(test_superblock_round_trip),
		cmocka_unit_test(test_superblock_malformed),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_single_block_corruption),
		cmocka_unit_test(test_same_fd),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
