/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/host/disk-image: geometry, DPS UUIDs, and the partition tables libfdisk writes,
 * read back independently with libblkid.
 */
#include "unit-helpers.h"

#include "core/util.h"
#include "host/disk-image.h"

#include <blkid/blkid.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void test_layout_names(void **state)
{
	enum disk_layout l;
	assert_int_equal(disk_layout_from_name("gpt", &l), 0);
	assert_int_equal(l, DISK_LAYOUT_GPT);
	assert_int_equal(disk_layout_from_name("kata", &l), 0);
	assert_int_equal(l, DISK_LAYOUT_KATA);
	assert_int_equal(disk_layout_from_name("split", &l), 0);
	assert_int_equal(disk_layout_from_name("GPT", &l), -EINVAL);
	assert_int_equal(disk_layout_from_name(NULL, &l), -EINVAL);
	assert_string_equal(disk_layout_name(DISK_LAYOUT_SPLIT), "split");
	assert_null(disk_layout_name(_DISK_LAYOUT_MAX));
	assert_true(disk_layout_has_superblock(DISK_LAYOUT_GPT));
	assert_false(disk_layout_has_superblock(DISK_LAYOUT_KATA));
}

static void test_geometry(void **state)
{
	struct disk_geometry g;
	/* 10 MiB + 4 KiB filesystem, 90 KiB hash area. */
	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_GPT, 10 * DISK_ALIGN + 4096, 90 * 1024, &g), 0);
	assert_int_equal(g.data_offset, DISK_ALIGN);
	assert_int_equal(g.data_part_size, 11 * DISK_ALIGN);
	assert_int_equal(g.hash_offset, 12 * DISK_ALIGN);
	assert_int_equal(g.hash_part_size, DISK_ALIGN);
	assert_int_equal(g.disk_size, 14 * DISK_ALIGN); /* + 1 MiB for the backup GPT */

	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_KATA, 4 * DISK_ALIGN, DISK_ALIGN, &g), 0);
	assert_int_equal(g.hash_offset, 5 * DISK_ALIGN);
	assert_int_equal(g.disk_size, 6 * DISK_ALIGN); /* MBR: nothing at the end */

	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_SPLIT, 8192, 12345, &g), 0);
	assert_int_equal(g.data_offset, 0);
	assert_int_equal(g.data_part_size, 8192);
	assert_int_equal(g.hash_part_size, 12345);
	assert_int_equal(g.disk_size, 0);

	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_GPT, 0, 4096, &g), -EINVAL);
	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_GPT, 4096, 0, &g), -EINVAL);
	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_GPT, 4097, 4096, &g), -EINVAL);
	assert_int_equal(disk_geometry_compute(_DISK_LAYOUT_MAX, 4096, 4096, &g), -EINVAL);
	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_GPT, UINT64_MAX - 4095, 4096, &g), -EOVERFLOW);
}

static void test_uuids(void **state)
{
	struct disk_ids ids;
	uint8_t root[48];
	for (int i = 0; i < 48; i++)
		root[i] = (uint8_t)i;
	assert_int_equal(disk_uuids_from_root_hash(root, 32, &ids), 0);
	char s[37];
	disk_uuid_format(ids.data_uuid, s);
	assert_string_equal(s, "00010203-0405-0607-0809-0a0b0c0d0e0f");
	disk_uuid_format(ids.hash_uuid, s);
	assert_string_equal(s, "10111213-1415-1617-1819-1a1b1c1d1e1f");
	assert_int_equal(disk_uuids_from_root_hash(root, 48, &ids), 0);
	disk_uuid_format(ids.hash_uuid, s);
	assert_string_equal(s, "20212223-2425-2627-2829-2a2b2c2d2e2f");
	assert_int_equal(disk_uuids_from_root_hash(root, 15, &ids), -EINVAL);

	memset(ids.disk_guid, 0, 16);
	assert_int_equal(disk_mbr_id(&ids), 1);
	ids.disk_guid[0] = 0xde, ids.disk_guid[1] = 0xad, ids.disk_guid[2] = 0xbe, ids.disk_guid[3] = 0xef;
	assert_int_equal(disk_mbr_id(&ids), 0xdeadbeef);
}

/* A sparse image of g->disk_size with a recognisable pattern in both areas. */
static void make_image(const char *path, const struct disk_geometry *g)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)g->disk_size), 0);
	uint8_t pat[4096];
	memset(pat, 0xa5, sizeof(pat));
	assert_int_equal(pwrite_full(fd, pat, sizeof(pat), g->data_offset), 0);
	assert_int_equal(pwrite_full(fd, pat, sizeof(pat), g->data_offset + g->data_part_size - 4096), 0);
	assert_int_equal(pwrite_full(fd, pat, sizeof(pat), g->hash_offset), 0);
	assert_int_equal(pwrite_full(fd, pat, sizeof(pat), g->hash_offset + g->hash_part_size - 4096), 0);
	close(fd);
}

static void assert_pattern(const char *path, uint64_t offset)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t buf[4096], pat[4096];
	memset(pat, 0xa5, sizeof(pat));
	assert_int_equal(pread_full(fd, buf, sizeof(buf), offset), 0);
	assert_memory_equal(buf, pat, sizeof(buf));
	close(fd);
}

static void fill_ids(struct disk_ids *ids)
{
	uint8_t root[32];
	for (int i = 0; i < 32; i++)
		root[i] = (uint8_t)(0xf0 ^ i);
	assert_int_equal(disk_uuids_from_root_hash(root, 32, ids), 0);
	for (int i = 0; i < 16; i++)
		ids->disk_guid[i] = (uint8_t)(0x11 * (i % 15 + 1));
}

static uint8_t *slurp(const char *path, size_t *len)
{
	uint8_t *data;
	assert_int_equal(read_full_file(path, 64 << 20, &data, len), 0);
	return data;
}

static void probe_partition(blkid_partlist ls, int i, const char *type, const char *uuid,
			    const char *name, uint64_t start, uint64_t size)
{
	blkid_partition p = blkid_partlist_get_partition(ls, i);
	assert_non_null(p);
	assert_string_equal(blkid_partition_get_type_string(p) ?: "", type ?: "");
	if (uuid)
		assert_string_equal(blkid_partition_get_uuid(p), uuid);
	if (name)
		assert_string_equal(blkid_partition_get_name(p), name);
	assert_int_equal((uint64_t)blkid_partition_get_start(p) * 512, start);
	assert_int_equal((uint64_t)blkid_partition_get_size(p) * 512, size);
}

static void test_gpt(void **state)
{
	char path[] = "/tmp/tdv-disk-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);

	struct disk_geometry g;
	struct disk_ids ids;
	struct tdv_error err = { { 0 } };
	fill_ids(&ids);
	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_GPT, 3 * DISK_ALIGN, 40960, &g), 0);
	make_image(path, &g);
	int r = disk_write_partition_table(path, &g, &ids, &err);
	if (r < 0)
		fail_msg("%s", err.msg);

	/* The data and hash areas are untouched. */
	assert_pattern(path, g.data_offset);
	assert_pattern(path, g.data_offset + g.data_part_size - 4096);
	assert_pattern(path, g.hash_offset);
	assert_pattern(path, g.hash_offset + g.hash_part_size - 4096);

	blkid_probe pr = blkid_new_probe_from_filename(path);
	assert_non_null(pr);
	assert_int_equal(blkid_probe_enable_partitions(pr, 1), 0);
	blkid_partlist ls = blkid_probe_get_partitions(pr);
	assert_non_null(ls);
	assert_int_equal(blkid_partlist_numof_partitions(ls), 2);
	blkid_parttable tab = blkid_partlist_get_table(ls);
	assert_string_equal(blkid_parttable_get_type(tab), "gpt");
	assert_string_equal(blkid_parttable_get_id(tab), "11223344-5566-7788-99aa-bbccddeeff11");
	probe_partition(ls, 0, DPS_ROOT_X86_64, "f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff",
			DISK_PART_NAME_ROOT, g.data_offset, g.data_part_size);
	probe_partition(ls, 1, DPS_ROOT_VERITY_X86_64, "e0e1e2e3-e4e5-e6e7-e8e9-eaebecedeeef",
			DISK_PART_NAME_VERITY, g.hash_offset, g.hash_part_size);
	blkid_free_probe(pr);

	/* Reproducible: the same inputs give the same bytes. */
	size_t len1, len2;
	uint8_t *first = slurp(path, &len1);
	make_image(path, &g);
	assert_int_equal(disk_write_partition_table(path, &g, &ids, &err), 0);
	uint8_t *second = slurp(path, &len2);
	assert_int_equal(len1, len2);
	assert_memory_equal(first, second, len1);
	/* ... and a different disk GUID changes them. */
	ids.disk_guid[0] ^= 1;
	make_image(path, &g);
	assert_int_equal(disk_write_partition_table(path, &g, &ids, &err), 0);
	uint8_t *third = slurp(path, &len2);
	assert_true(memcmp(first, third, len1) != 0);
	free(first);
	free(second);
	free(third);

	/* A file of the wrong size is refused. */
	assert_int_equal(truncate(path, (off_t)(g.disk_size - 512)), 0);
	assert_int_equal(disk_write_partition_table(path, &g, &ids, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "expected"));
	unlink(path);
	assert_true(disk_write_partition_table(path, &g, &ids, &err) < 0);
}

static void test_kata_mbr(void **state)
{
	char path[] = "/tmp/tdv-disk-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);

	struct disk_geometry g;
	struct disk_ids ids;
	struct tdv_error err = { { 0 } };
	fill_ids(&ids);
	assert_int_equal(disk_geometry_compute(DISK_LAYOUT_KATA, 2 * DISK_ALIGN, 8192, &g), 0);
	make_image(path, &g);
	int r = disk_write_partition_table(path, &g, &ids, &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_pattern(path, g.data_offset);
	assert_pattern(path, g.hash_offset + g.hash_part_size - 4096);

	blkid_probe pr = blkid_new_probe_from_filename(path);
	assert_non_null(pr);
	assert_int_equal(blkid_probe_enable_partitions(pr, 1), 0);
	blkid_partlist ls = blkid_probe_get_partitions(pr);
	assert_non_null(ls);
	assert_int_equal(blkid_partlist_numof_partitions(ls), 2);
	blkid_parttable tab = blkid_partlist_get_table(ls);
	assert_string_equal(blkid_parttable_get_type(tab), "dos");
	assert_string_equal(blkid_parttable_get_id(tab), "11223344");
	blkid_partition p1 = blkid_partlist_get_partition(ls, 0);
	assert_int_equal(blkid_partition_get_type(p1), 0x83);
	assert_int_equal(blkid_partition_get_flags(p1), 0x80); /* active, as Kata sets it */
	assert_int_equal((uint64_t)blkid_partition_get_start(p1) * 512, DISK_ALIGN);
	assert_int_equal((uint64_t)blkid_partition_get_size(p1) * 512, 2 * DISK_ALIGN);
	blkid_partition p2 = blkid_partlist_get_partition(ls, 1);
	assert_int_equal(blkid_partition_get_type(p2), 0x83);
	assert_int_equal((uint64_t)blkid_partition_get_start(p2) * 512, g.hash_offset);
	blkid_free_probe(pr);

	/* split has no table to write. */
	g.layout = DISK_LAYOUT_SPLIT;
	assert_int_equal(disk_write_partition_table(path, &g, &ids, &err), -EINVAL);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_names),
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_uuids),
		cmocka_unit_test(test_gpt),
		cmocka_unit_test(test_kata_mbr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
