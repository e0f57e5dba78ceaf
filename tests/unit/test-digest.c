/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/measure.h"
#include "core/util.h"

#include <string.h>

static void test_known_answers(void **state)
{
	uint8_t out[DIGEST_MAX_SIZE];
	assert_int_equal(digest_buf(HASH_SHA256, "abc", 3, out), 0);
	unit_assert_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(digest_two(HASH_SHA256, "a", 1, "bc", 2, out), 0);
	unit_assert_hex(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(digest_buf((enum hash_alg)99, "abc", 3, out), -EINVAL);
}

static void test_names(void **state)
{
	enum hash_alg a;
	assert_int_equal(hash_alg_from_name("sha384", &a), 0);
	assert_int_equal(a, HASH_SHA384);
	assert_int_equal(hash_alg_size(a), 48);
	assert_int_equal(hash_alg_tcg_id(a), 0x000C);
	assert_int_equal(hash_alg_from_name("md5", &a), -EINVAL);
	assert_int_equal(hash_alg_from_name(NULL, &a), -EINVAL);
	assert_int_equal(hash_alg_from_tcg_id(0x000B, &a), 0);
	assert_int_equal(a, HASH_SHA256);
	/* SHA-1 and SM3 are PCR banks only: never a verity or manifest algorithm. */
	assert_int_equal(hash_alg_from_tcg_id(0x0004, &a), 0);
	assert_int_equal(a, HASH_SHA1);
	assert_int_equal(hash_alg_from_tcg_id(0x0012, &a), 0);
	assert_int_equal(a, HASH_SM3_256);
	assert_int_equal(hash_alg_from_tcg_id(0x0077, &a), -EINVAL);
	assert_int_equal(hash_alg_from_name("sha1", &a), -EINVAL);
	assert_int_equal(hash_alg_from_name("sm3_256", &a), -EINVAL);
	assert_int_equal(hash_alg_from_bank_name("sha1", &a), 0);
	assert_int_equal(a, HASH_SHA1);
	assert_int_equal(hash_alg_size(a), 20);
	assert_int_equal(hash_alg_from_bank_name("sm3_256", &a), 0);
	assert_int_equal(hash_alg_size(a), 32);
	assert_int_equal(hash_alg_from_bank_name("sha384", &a), 0);
	assert_int_equal(hash_alg_from_bank_name("md5", &a), -EINVAL);
}

/* The PCR-bank-only algorithms, against published test vectors ("abc"). */
static void test_bank_algs(void **state)
{
	uint8_t out[64];
	assert_int_equal(digest_buf(HASH_SHA1, "abc", 3, out), 0);
	unit_assert_hex(out, 20, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_int_equal(digest_two(HASH_SHA1, "a", 1, "bc", 2, out), 0);
	unit_assert_hex(out, 20, "a9993e364706816aba3e25717850c26c9cd0d89d");
	/* GB/T 32905-2016 example 1 */
	int r = digest_buf(HASH_SM3_256, "abc", 3, out);
	if (r == -EOPNOTSUPP) {
		fprintf(stderr, "note: this libcrypto has no SM3; the refusal path is taken\n");
		return;
	}
	assert_int_equal(r, 0);
	unit_assert_hex(out, 32, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
	assert_int_equal(digest_two(HASH_SM3_256, "ab", 2, "c", 1, out), 0);
	unit_assert_hex(out, 32, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
	uint8_t mr[32] = { 0 };
	assert_int_equal(mr_extend(HASH_SM3_256, mr, out), 0);
}

static void test_hex(void **state)
{
	uint8_t buf[4];
	size_t n;
	assert_int_equal(hex_decode_exact("00fFa5", buf, 3), 0);
	assert_int_equal(buf[1], 0xff);
	assert_int_equal(hex_decode_exact("00ff", buf, 3), -EINVAL);
	assert_int_equal(hex_decode_exact("00fg a5", buf, 3), -EINVAL);
	assert_int_equal(hex_decode("abc", buf, 4, &n), -EINVAL);
	assert_int_equal(hex_decode("0102030405", buf, 4, &n), -EINVAL);
	assert_int_equal(hex_decode("", buf, 4, &n), 0);
	assert_int_equal(n, 0);
	char s[9];
	hex_encode((const uint8_t *)"\x01\xab\xff\x00", 4, s);
	assert_string_equal(s, "01abff00");
}

static void test_equal(void **state)
{
	uint8_t a[48] = { 0 }, b[48] = { 0 };
	assert_true(digest_equal(a, b, 48));
	b[47] = 1;
	assert_false(digest_equal(a, b, 48));
	b[47] = 0;
	b[0] = 0x80;
	assert_false(digest_equal(a, b, 48));
}

static void test_read_full_file_limits(void **state)
{
	char path[] = "/tmp/tdv-unit-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write_full(fd, "0123456789", 10), 0);
	close(fd);

	uint8_t *data = NULL;
	size_t len = 0;
	assert_int_equal(read_full_file(path, 10, &data, &len), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(data, "0123456789", 11); /* NUL-terminated */
	free(data);
	data = NULL;
	assert_int_equal(read_full_file(path, 9, &data, &len), -EFBIG);
	assert_null(data);
	assert_int_equal(read_full_file("/nonexistent/x", 9, &data, &len), -ENOENT);

	uint8_t digest[32];
	assert_int_equal(digest_file(HASH_SHA256, path, digest), 0);
	uint8_t want[32];
	assert_int_equal(digest_buf(HASH_SHA256, "0123456789", 10, want), 0);
	assert_memory_equal(digest, want, 32);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_names), cmocka_unit_test(test_bank_algs),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_read_full_file_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
