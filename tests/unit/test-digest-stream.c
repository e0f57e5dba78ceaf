/* SPDX-License-Identifier: Apache-2.0 */
/* The core's streaming digest: any split of the input gives the one-shot digest. */
#include "unit-helpers.h"

#include "core/digest.h"
#include "core/util.h"

#include <string.h>

static void test_stream_equals_one_shot(void **state)
{
	uint8_t data[3000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	static const enum hash_alg algs[] = { HASH_SHA256, HASH_SHA384, HASH_SHA512 };
	static const size_t splits[] = { 0, 1, 63, 64, 65, 127, 128, 1000, 2999, 3000 };
	for (size_t a = 0; a < ELEMENTSOF(algs); a++) {
		uint8_t want[DIGEST_MAX_SIZE], got[DIGEST_MAX_SIZE];
		assert_int_equal(digest_buf(algs[a], data, sizeof(data), want), 0);
		for (size_t k = 0; k < ELEMENTSOF(splits); k++) {
			struct digest_stream s;
			assert_int_equal(digest_stream_init(&s, algs[a]), 0);
			assert_int_equal(digest_stream_update(&s, data, splits[k]), 0);
			assert_int_equal(digest_stream_update(&s, NULL, 0), 0);
			assert_int_equal(digest_stream_update(&s, data + splits[k], sizeof(data) - splits[k]), 0);
			assert_int_equal(digest_stream_final(&s, got), 0);
			assert_memory_equal(got, want, hash_alg_size(algs[a]));
		}
	}
	/* Known answer: SHA-256("abc") (FIPS 180-2, B.1). */
	struct digest_stream s;
	uint8_t d[32];
	assert_int_equal(digest_stream_init(&s, HASH_SHA256), 0);
	assert_int_equal(digest_stream_update(&s, "a", 1), 0);
	assert_int_equal(digest_stream_update(&s, "bc", 2), 0);
	assert_int_equal(digest_stream_final(&s, d), 0);
	unit_assert_hex(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(digest_stream_init(&s, (enum hash_alg)42), -EINVAL);
	assert_int_equal(digest_stream_update(&s, "a", 1), -EINVAL);
	assert_int_equal(digest_stream_final(&s, d), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_equals_one_shot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
