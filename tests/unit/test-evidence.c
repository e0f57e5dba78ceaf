/* SPDX-License-Identifier: Apache-2.0 */
/* The verifier's event descriptions and register names (verifier/evidence.c). */
#include "unit-helpers.h"

#include "core/eventlog.h"
#include "core/util.h"
#include "verifier/evidence.h"

#include <stdlib.h>
#include <string.h>

static void expect_description(uint32_t type, const void *data, size_t len, size_t max,
			       const char *want)
{
	struct eventlog_event ev = { .type = type, .data = data, .data_len = (uint32_t)len };
	char *got = evidence_event_describe(&ev, max);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_descriptions(void **state)
{
	expect_description(EV_EFI_ACTION, "Exit Boot Services Invocation", 29, 80,
			   "\"Exit Boot Services Invocation\"");
	/* GRUB strings: NUL dropped, newline escaped, cut with an ellipsis. */
	expect_description(EV_IPL, "grub_cmd: a\nb\0", 14, 80, "\"grub_cmd: a\\nb\"");
	expect_description(EV_IPL, "grub_cmd: abcdef", 16, 8, "\"grub_cm...");
	expect_description(EV_SEPARATOR, "\0\0\0\0", 4, 80, "00000000");
	expect_description(EV_POST_CODE, "", 0, 80, "(no data)");
	expect_description(EV_POST_CODE, "k\0e\0r\0n\0\0\0", 10, 80, "u\"kern\"");

	/* EFI variable: GUID (mixed endian), UTF-16 name, data size and printable data. */
	uint8_t var[32 + 6 + 3] = { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
				    0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };
	le64_put(var + 16, 3);
	le64_put(var + 24, 3);
	memcpy(var + 32, "d\0b\0x\0", 6);
	memcpy(var + 38, "abc", 3);
	expect_description(EV_EFI_VARIABLE_AUTHORITY, var, sizeof(var), 200,
			   "8be4df61-93ca-11d2-aa0d-00e098032b8c dbx (3 bytes): \"abc\"");
	le64_put(var + 24, 99); /* inconsistent sizes: shown as bytes, not trusted */
	expect_description(EV_EFI_VARIABLE_AUTHORITY, var, 20, 200,
			   "61dfe48bca93d211aa0d00e098032b8c03000000");

	/* Image load event with a file path device-path node. */
	uint8_t img[32 + 4 + 8 + 4] = { 0 };
	le64_put(img, 0x1000);
	le64_put(img + 8, 4096);
	le64_put(img + 24, 16);
	img[32] = 4, img[33] = 4;
	le16_put(img + 34, 12);
	memcpy(img + 36, "k\0e\0r\0n\0", 8);
	img[44] = 0x7f, img[45] = 0xff;
	le16_put(img + 46, 4);
	expect_description(EV_EFI_BOOT_SERVICES_APPLICATION, img, sizeof(img), 200,
			   "image at 0x1000, 4096 bytes, file kern");

	/* Tagged events: AAEL text, the EFI stub's tags, a malformed size. */
	uint8_t tag[8 + 13];
	le32_put(tag, AAEL_EVENT_TAG_ID);
	le32_put(tag + 4, 13);
	memcpy(tag + 8, "d op {\"a\":1}", 13);
	expect_description(EV_EVENT_TAG, tag, 8 + 12, 200, "malformed tagged event 4c4541410d00000064206f70207b2261223a317d");
	expect_description(EV_EVENT_TAG, tag, sizeof(tag), 200, "AAEL \"d op {\\\"a\\\":1}\\x00\"");
	le32_put(tag, LINUX_EFISTUB_INITRD_TAG_ID);
	memcpy(tag + 8, "Linux initrd", 13);
	expect_description(EV_EVENT_TAG, tag, sizeof(tag), 200,
			   "tag 0x8f3b22ec \"Linux initrd\" (Linux EFI stub; digest over data not "
			   "in the log)");
}

static void test_register_names(void **state)
{
	char buf[16];
	evidence_register_name(EVENTLOG_KIND_CC_MR, 1, buf, sizeof(buf));
	assert_string_equal(buf, "RTMR0");
	evidence_register_name(EVENTLOG_KIND_CC_MR, 4, buf, sizeof(buf));
	assert_string_equal(buf, "RTMR3");
	evidence_register_name(EVENTLOG_KIND_CC_MR, 0, buf, sizeof(buf));
	assert_string_equal(buf, "MRTD");
	evidence_register_name(EVENTLOG_KIND_PCR, 15, buf, sizeof(buf));
	assert_string_equal(buf, "PCR15");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptions),
		cmocka_unit_test(test_register_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
