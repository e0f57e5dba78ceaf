/* SPDX-License-Identifier: Apache-2.0 */
/* Trustee's shapes: the RVPS sample and message (round trip), the Rego module's paths. */
#include "unit-helpers.h"

#include "host/trustee.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define H48A "aa0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"
#define H48B "bb0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002"

static const char doc[] =
	"{\"format\": \"tdverity-reference-values/1\", \"rvps_sample\": {"
	"\"mr_td\": [\"" H48A "\"], \"rtmr_1\": [\"" H48A "\", \"" H48B "\"], "
	"\"rtmr_2\": [\"" H48B "\"], \"rtmr_3\": [\"" H48A "\"], "
	"\"tdvfkernel\": [\"" H48A "\"], \"tdvfkernelparams\": [\"" H48A "\", \"" H48B "\"]}, "
	"\"omitted\": {\"rtmr_0\": \"the firmware was not given\"}}";

static struct verity_root root(void)
{
	struct verity_root r = { .params = { .alg = HASH_SHA256 } };
	for (int i = 0; i < 32; i++)
		r.root_hash[i] = (uint8_t)i;
	return r;
}

static json_object *member(json_object *o, const char *k)
{
	json_object *v = NULL;
	return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static void test_sample_shapes(void **state)
{
	struct verity_root r = root();
	const uint8_t xfam[8] = { 0xe7, 0x02, 0x06 };
	struct trustee_sample_inputs in = { .refvalues_doc = doc, .root = &r, .xfam = xfam };
	char *sample = NULL, *omitted = NULL;
	struct tdv_error err = { 0 };
	assert_int_equal(trustee_sample_build(&in, &sample, &omitted, &err), 0);
	json_object *s = json_tokener_parse(sample), *o = json_tokener_parse(omitted);
	assert_non_null(s);
	assert_non_null(o);
	/* Lists where the default policy uses `in`, one string where it uses `==`. */
	assert_true(json_object_is_type(member(s, "mr_td"), json_type_array));
	assert_int_equal(json_object_array_length(member(s, "rtmr_1")), 2);
	assert_true(json_object_is_type(member(s, "rtmr_2"), json_type_array));
	assert_true(json_object_is_type(member(s, "rtmr_3"), json_type_array));
	assert_true(json_object_is_type(member(s, "tdvfkernel"), json_type_string));
	assert_string_equal(json_object_get_string(member(s, "tdvfkernel")), H48A);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(member(s, "xfam"), 0)),
			    "e702060000000000");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    member(s, "tdverity_root_hash"), 0)),
			    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	/* Two candidates for an == comparison: omitted with the reason, never one of them. */
	assert_null(member(s, "tdvfkernelparams"));
	assert_non_null(strstr(json_object_get_string(member(o, "tdvfkernelparams")), "single string"));
	assert_null(member(s, "rtmr_0"));
	assert_string_equal(json_object_get_string(member(o, "rtmr_0")), "the firmware was not given");
	assert_non_null(member(o, "mr_seam"));
	assert_non_null(member(o, "tcb_svn"));
	json_object_put(s);
	json_object_put(o);
	free(omitted);

	/* Round trip: message -> payload == sample, byte for byte. */
	char *msg = NULL, *back = NULL;
	assert_int_equal(trustee_rvps_message(sample, &msg), 0);
	json_object *m = json_tokener_parse(msg);
	assert_string_equal(json_object_get_string(member(m, "version")), "0.1.0");
	assert_string_equal(json_object_get_string(member(m, "type")), "sample");
	assert_int_equal(json_object_object_length(m), 3);
	json_object_put(m);
	assert_int_equal(trustee_rvps_message_decode(msg, &back, &err), 0);
	assert_string_equal(back, sample);
	free(back);
	free(msg);
	free(sample);

	in.xfam = NULL;
	assert_int_equal(trustee_sample_build(&in, &sample, &omitted, &err), 0);
	assert_null(strstr(sample, "xfam"));
	assert_non_null(strstr(omitted, "--xfam"));
	free(sample);
	free(omitted);
}

static void test_bad_documents(void **state)
{
	struct verity_root r = root();
	char *sample = NULL, *omitted = NULL;
	struct tdv_error err = { 0 };
	struct trustee_sample_inputs in = { .refvalues_doc = "{}", .root = &r };
	assert_int_equal(trustee_sample_build(&in, &sample, &omitted, &err), -EINVAL);
	assert_string_equal(err.msg, "not a reference-values document");
	in.refvalues_doc = "{\"rvps_sample\": {\"rtmr_1\": [\"XYZ\"]}}";
	assert_int_equal(trustee_sample_build(&in, &sample, &omitted, &err), -EINVAL);
	in.refvalues_doc = "{\"rvps_sample\": {\"rtmr_1\": \"aa\"}}";
	assert_int_equal(trustee_sample_build(&in, &sample, &omitted, &err), -EINVAL);
	assert_null(sample);
	assert_int_equal(trustee_rvps_message("[1]", &sample), -EINVAL);
}

static void decode_fails(const char *msg, const char *why)
{
	char *s = NULL;
	struct tdv_error err = { 0 };
	assert_int_equal(trustee_rvps_message_decode(msg, &s, &err), -EINVAL);
	assert_null(s);
	assert_string_equal(err.msg, why);
}

static void test_message_malformed(void **state)
{
	decode_fails("nope", "not a JSON object");
	decode_fails("{\"version\":\"0.1.0\",\"type\":\"sample\"}", "expected exactly version, type and payload");
	decode_fails("{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"e30=\",\"x\":1}",
		     "expected exactly version, type and payload");
	decode_fails("{\"version\":\"0.2.0\",\"type\":\"sample\",\"payload\":\"e30=\"}", "version is not \"0.1.0\"");
	decode_fails("{\"version\":\"0.1.0\",\"type\":\"in-toto\",\"payload\":\"e30=\"}", "type is not \"sample\"");
	decode_fails("{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":1}", "payload is not a string");
	decode_fails("{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"e30\"}", "payload is not standard base64");
	decode_fails("{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"e3=0\"}", "payload is not standard base64");
	decode_fails("{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"e 30\"}", "payload is not standard base64");
	decode_fails("{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"WzFd\"}", "payload is not a JSON object");
	char *s = NULL;
	struct tdv_error err = { 0 };
	assert_int_equal(trustee_rvps_message_decode(
				 "{\"version\":\"0.1.0\",\"type\":\"sample\",\"payload\":\"e30=\"}", &s, &err),
			 0);
	assert_string_equal(s, "{}");
	free(s);
}

/* The module reads exactly the claim paths trustee's eventlog crate writes. */
static void test_rego_paths(void **state)
{
	const char *rego = trustee_rootfs_rego();
	static const char *const needles[] = {
		"some e in input.tdx.uefi_event_logs", "e.index == 4", "tdverity_rtmr3_events[0]",
		"first.type_name == \"EV_EVENT_TAG\"", "first.digest_matches_event == true",
		"first.details.unicode_name == \"AAEL\"", "first.details.data.domain == \"tdverity\"",
		"first.details.data.operation == \"rootfs\"",
		"first.details.data.content.root_hash in query_reference_value(\"tdverity_root_hash\")",
	};
	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (!strstr(rego, needles[i]))
			fail_msg("module lacks %s", needles[i]);
	/* It composes: no package line of its own, no rule of the default policy redefined
	 * except the file-system claim the default leaves at "no assertion". */
	assert_null(strstr(rego, "\npackage"));
	assert_false(strncmp(rego, "package", 7) == 0);
	assert_null(strstr(rego, "\nexecutables"));
	assert_null(strstr(rego, "\nhardware"));
	assert_null(strstr(rego, "\nconfiguration"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_shapes),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_message_malformed),
		cmocka_unit_test(test_rego_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
