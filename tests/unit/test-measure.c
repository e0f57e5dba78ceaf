/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-helpers.h"

#include "core/measure.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t root[32] = {
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
};
static uint8_t salt[32];
/* hashlib.sha384(b"LEAA" + struct.pack("<I", len(t)) + t) for t = b"tdverity rootfs " + JSON. */
#define KNOWN_V2_SHA384                                                                \
	"0772a730a6cff264f9df3590d87bade8af8bd9a603a7e60e101eefd9c776fa79"                 \
	"8650af15c77215cf3b43fc3f4a9a6ddf"

static struct verity_root params(void)
{
	struct verity_root r = {
		.params = { .alg = HASH_SHA256, .salt_size = 32, .data_blocks = 1000,
			    .data_block_size = 4096, .hash_block_size = 4096 },
	};
	memset(salt, 1, sizeof(salt));
	memcpy(r.params.salt, salt, sizeof(salt));
	memcpy(r.root_hash, root, sizeof(root));
	return r;
}

static void test_rootfs_event(void **state)
{
	struct verity_root p = params();
	char *json = NULL;
	assert_int_equal(rootfs_event_content(&p, &unit_run_default, &json), 0);
	assert_string_equal(json, "{\"alg\":\"sha256\",\"argv\":[\"/sbin/init\"],"
				  "\"data_block_size\":4096,\"data_blocks\":1000,"
				  "\"hash_block_size\":4096,\"init\":\"/sbin/init\",\"measure\":\"auto\","
				  "\"on_corruption\":\"panic\",\"root_hash\":\"abababababababababababababab"
				  "abababababababababababababababababab\",\"salt\":\"010101010101010101"
				  "0101010101010101010101010101010101010101010101\",\"v\":2}");

	uint8_t *ev = NULL;
	size_t len = 0;
	assert_int_equal(rootfs_event_data(&p, &unit_run_default, &ev, &len), 0);
	assert_int_equal(len, 8 + strlen("tdverity rootfs ") + strlen(json));
	assert_memory_equal(ev, "\x4c\x45\x41\x41", 4);
	assert_int_equal(le32_get(ev + 4), len - 8);
	assert_memory_equal(ev + 8, "tdverity rootfs {", 17);

	/* Independent value: Python hashlib over the same layout (b"LEAA" + u32le(len) +
	 * b"tdverity rootfs " + the JSON above). */
	uint8_t d[48];
	assert_int_equal(digest_buf(HASH_SHA384, ev, len, d), 0);
	unit_assert_hex(d, 48, KNOWN_V2_SHA384);
	free(ev);
	free(json);

	/* What runs is bound: each field changes the event; strings are JSON-escaped. */
	static const char *const sh_argv[] = { "/bin/sh", NULL };
	static const char *const quote_argv[] = { "/sbin/in\"it\\", NULL };
	const struct rootfs_event_run variants[] = {
		{ "/bin/sh", sh_argv, "auto", "panic" },
		{ "/sbin/init", unit_run_default.argv, "tdx", "panic" },
		{ "/sbin/init", unit_run_default.argv, "auto", "restart" },
		{ "/sbin/in\"it\\", quote_argv, "auto", "panic" },
	};
	for (size_t i = 0; i < ELEMENTSOF(variants); i++) {
		uint8_t *v;
		size_t vlen;
		uint8_t vd[48];
		assert_int_equal(rootfs_event_data(&p, &variants[i], &v, &vlen), 0);
		assert_int_equal(digest_buf(HASH_SHA384, v, vlen, vd), 0);
		assert_memory_not_equal(vd, d, 48);
		free(v);
	}
	assert_int_equal(rootfs_event_content(&p, &variants[3], &json), 0);
	assert_non_null(strstr(json, "\"init\":\"/sbin/in\\\"it\\\\\""));
	free(json);
	const struct rootfs_event_run missing = { "/sbin/init", NULL, "auto", "panic" };
	assert_int_equal(rootfs_event_content(&p, &missing, &json), -EINVAL);
}

static void test_aael_rejects(void **state)
{
	uint8_t *ev;
	size_t len;
	assert_int_equal(aael_event_data("a b", "op", "x", &ev, &len), -EINVAL);
	assert_int_equal(aael_event_data("", "op", "x", &ev, &len), -EINVAL);
	assert_int_equal(aael_event_data("d", "op", "x\ny", &ev, &len), -EINVAL);
	struct verity_root p = params();
	p.params.alg = (enum hash_alg)42;
	char *json;
	assert_int_equal(rootfs_event_content(&p, &unit_run_default, &json), -EINVAL);
}

static void test_tcg2_record(void **state)
{
	struct tcg2_digest d = { .alg = HASH_SHA384 };
	memset(d.value, 0x5a, 48);
	uint8_t *rec;
	size_t len;
	assert_int_equal(tcg2_record_encode(4, EV_EVENT_TAG, &d, 1, (const uint8_t *)"xyz", 3, &rec, &len), 0);
	assert_int_equal(len, 12 + 2 + 48 + 4 + 3);
	assert_int_equal(le32_get(rec), 4);
	assert_int_equal(le32_get(rec + 4), 6);
	assert_int_equal(le32_get(rec + 8), 1);
	assert_int_equal(le16_get(rec + 12), 0x000C);
	assert_int_equal(rec[14], 0x5a);
	assert_int_equal(le32_get(rec + 62), 3);
	assert_memory_equal(rec + 66, "xyz", 3);
	free(rec);
	assert_int_equal(tcg2_record_encode(4, 6, &d, 0, NULL, 0, &rec, &len), -EINVAL);
}

static void test_extend(void **state)
{
	uint8_t mr[48] = { 0 }, sep[48];
	assert_int_equal(digest_buf(HASH_SHA384, "\0\0\0\0", 4, sep), 0);
	assert_int_equal(mr_extend(HASH_SHA384, mr, sep), 0);
	unit_assert_hex(mr, 48, "518923b0f955d08da077c96aaba522b9decede61c599cea6c41889cfbea4ae4d"
				"50529d96fe4d1afdafb65e7f95bf23c4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rootfs_event),
		cmocka_unit_test(test_aael_rejects),
		cmocka_unit_test(test_tcg2_record),
		cmocka_unit_test(test_extend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
