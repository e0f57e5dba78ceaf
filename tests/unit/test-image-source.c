/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "core/util.h"
#include "verifier/image-source.h"

#include <stdio.h>
#include <string.h>

#define ROOT256 "752eab7181d277420f6256375f64269c8020e2709215c6597f98e620bfc12bca"

static int parse(const char *json, struct image_manifest *m, struct tdv_error *err)
{
	return image_manifest_parse(json, strlen(json), m, err);
}

static void test_minimal_and_defaults(void **state)
{
	struct image_manifest m;
	struct tdv_error err = { 0 };
	const char *json = "{\"root_hash\":\"" ROOT256 "\",\"salt\":\"5a17\",\"hash_algorithm\":"
			   "\"sha256\",\"data_blocks\":129,\"data_block_size\":4096,"
			   "\"hash_block_size\":4096}\n";
	assert_int_equal(parse(json, &m, &err), 0);
	assert_int_equal(m.params.alg, HASH_SHA256);
	assert_int_equal(m.params.data_blocks, 129);
	assert_int_equal(m.params.salt_size, 2);
	assert_int_equal(m.params.salt[0], 0x5a);
	assert_true(m.params.superblock);
	assert_int_equal(m.params.hash_offset, 0);
	assert_int_equal(m.layout, IMAGE_LAYOUT_GPT);
	assert_false(m.have_data_partition);
	unit_assert_hex(m.root, 32, ROOT256);
}

static void test_nested_kata_partitions(void **state)
{
	struct image_manifest m;
	struct tdv_error err = { 0 };
	const char *json =
		"{\"layout\":\"kata\",\"verity\":{\"root_hash\":\"" ROOT256 "\",\"salt\":\"-\","
		"\"hash_algorithm\":\"sha256\",\"data_blocks\":1,\"data_block_size\":512,"
		"\"hash_block_size\":4096,\"hash_offset\":8192},"
		"\"disk\":{\"file\":\"disk.img\"},"
		"\"partitions\":{\"root\":{\"offset\":1048576,\"size\":512,\"file\":\"d\"},"
		"\"root-verity\":{\"start_lba\":4096},\"esp\":{\"offset\":0}}}";
	assert_int_equal(parse(json, &m, &err), 0);
	assert_int_equal(m.layout, IMAGE_LAYOUT_KATA);
	assert_false(m.params.superblock);
	assert_int_equal(m.params.salt_size, 0);
	assert_int_equal(m.params.hash_offset, 8192);
	assert_true(m.have_data_partition);
	assert_int_equal(m.data_partition_offset, 1048576);
	assert_int_equal(m.data_partition_size, 512);
	assert_true(m.have_hash_partition);
	assert_int_equal(m.hash_partition_offset, 4096 * 512);
	assert_string_equal(m.disk_file, "disk.img");
	assert_string_equal(m.data_file, "d");
	assert_string_equal(m.hash_file, "");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{",
		"{} trailing",
		"{\"root_hash\":1}",
		/* each of the following lacks or breaks exactly one thing of a valid manifest */
		"{\"salt\":\"\",\"hash_algorithm\":\"sha256\",\"data_blocks\":1,"
		"\"data_block_size\":4096,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"md5\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "00\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"abc\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":-1,\"data_block_size\":4096,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":0,\"data_block_size\":4096,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":99999999999999999999,\"data_block_size\":4096,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4294971392,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096.0,\"hash_block_size\":4096}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,\"layout\":\"lvm\"}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,\"superblock\":1}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,\"hash_offset\":100}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,"
		"\"partitions\":[{\"name\":\"root\"}]}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,"
		"\"partitions\":[{\"name\":\"root\",\"offset\":0},{\"role\":\"data\",\"offset\":1}]}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,"
		"\"partitions\":[7]}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,"
		"\"disk\":{\"file\":\"../disk.img\"}}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,"
		"\"partitions\":[{\"role\":\"root\",\"offset\":0,\"file\":7}]}",
		"{\"root_hash\":\"" ROOT256 "\",\"salt\":\"\",\"hash_algorithm\":\"sha256\","
		"\"data_blocks\":1,\"data_block_size\":4096,\"hash_block_size\":4096,"
		"\"partitions\":[{\"name\":\"root\",\"start_lba\":36028797018963968}]}",
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct image_manifest m;
		struct tdv_error err = { 0 };
		memset(&m, 0x5a, sizeof(m));
		print_message("malformed %zu\n", i);
		assert_true(parse(bad[i], &m, &err) < 0);
		assert_true(strncmp(err.msg, "manifest: ", 10) == 0);
		assert_int_equal(m.params.data_blocks, 0x5a5a5a5a5a5a5a5aULL); /* untouched */
	}
	/* Deeply nested input stops at the tokenizer's depth limit, not the stack. */
	char deep[4096];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	struct image_manifest m;
	assert_int_equal(parse(deep, &m, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_nested_kata_partitions),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
