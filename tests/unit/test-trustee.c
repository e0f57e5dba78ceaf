/* SPDX-License-Identifier: Apache-2.0 */
/* Trustee's shapes: the RVPS sample and message (round trip), the Rego module's paths. */
#include "unit-helpers.h"

#include "host/trustee.h"

#include "core/measure.h"
#include "core/util.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define H48A "aa0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"
#define H32 "0102030405060708091011121314151617181920212223242526272829303132"
#define H48B "bb0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002"

static const char doc[] =
	"{\"format\": \"tdverity-reference-values/1\", \"rvps_sample\": {"
	"\"mr_td\": [\"" H48A "\"], \"rtmr_1\": [\"" H48A "\", \"" H48B "\"], "
	"\"rtmr_2\": [\"" H48B "\"], \"rtmr_3\": [\"" H48A "\"], "
	"\"tdvfkernel\": [\"" H48A "\"], \"tdvfkernelparams\": [\"" H48A "\", \"" H48B "\"]}, "
	"\"omitted\": {\"rtmr_0\": \"the firmware was not given\"}, "
	"\"expected\": {\"pcr\": {\"sha256\": {\"4\": \"" H32 "\", \"15\": \"" H32 "\"}, "
	"\"sha384\": {\"15\": \"" H48A "\"}}}}";

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
	/* vTPM: Trustee's TPM claims name the SHA-256 PCRs pcr00..pcr23. */
	assert_string_equal(json_object_get_string(json_object_array_get_idx(member(s, "tpm_pcr04"), 0)), H32);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(member(s, "tpm_pcr15"), 0)), H32);
	assert_null(member(s, "tpm_pcr09"));
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
	in.refvalues_doc = "{\"rvps_sample\": {}, \"expected\": {\"pcr\": {\"sha256\": {\"4\": \"xx\"}}}}";
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


/* ---- claims ----------------------------------------------------------------------- */

enum claims_variant { ROOTFS_FIRST, TAMPERED_DATA, OTHER_EVENT_FIRST };

static json_object *claims_for(enum claims_variant v)
{
	struct verity_root r = root();
	r.params.data_blocks = 10;
	r.params.data_block_size = r.params.hash_block_size = 4096;
	r.params.salt_size = 1;
	uint8_t *ev;
	size_t ev_len;
	assert_int_equal(rootfs_event_data(&r, &unit_run_default, &ev, &ev_len), 0);
	struct unit_log b = { 0 };
	unit_log_start(&b);
	const char *act = "Calling EFI Application from Boot Option";
	unit_log_record(&b, 2, EV_EFI_ACTION, act, strlen(act), act, strlen(act));
	uint8_t *other;
	size_t other_len;
	assert_int_equal(aael_event_data("example.org", "op", "x", &other, &other_len), 0);
	if (v == OTHER_EVENT_FIRST)
		unit_log_record(&b, 4, EV_EVENT_TAG, other, other_len, other, other_len);
	if (v == TAMPERED_DATA) {
		/* The digest is of the honest event; the data claims another root hash. */
		uint8_t *lie = malloc(ev_len);
		memcpy(lie, ev, ev_len);
		char *rh = memmem(lie, ev_len, "\"root_hash\":\"00", 15);
		assert_non_null(rh);
		rh[14] = 'f';
		unit_log_record(&b, 4, EV_EVENT_TAG, lie, ev_len, ev, ev_len);
		free(lie);
	} else
		unit_log_record(&b, 4, EV_EVENT_TAG, ev, ev_len, ev, ev_len);
	unit_log_record(&b, 4, EV_EVENT_TAG, other, other_len, other, other_len);

	struct eventlog *log = NULL;
	struct tdv_error err = { 0 };
	assert_int_equal(eventlog_parse(b.p, b.len, &log, &err), 0);
	struct unit_quote uq = unit_quote_make(4, 2, NULL);
	struct tdx_quote q;
	assert_int_equal(tdx_quote_parse(uq.q, uq.len, &q, &err), 0);
	char *json = NULL;
	assert_int_equal(trustee_claims_build(&q, log, &json), 0);
	json_object *c = json_tokener_parse(json);
	assert_non_null(c);
	free(json);
	eventlog_free(log);
	unit_quote_free(&uq);
	free(b.p);
	free(ev);
	free(other);
	return c;
}

/* The first MR-index-4 event, as tdverity-rootfs.rego selects it. */
static json_object *first_rtmr3(json_object *c)
{
	json_object *evs = member(c, "uefi_event_logs");
	for (size_t i = 0; i < json_object_array_length(evs); i++) {
		json_object *e = json_object_array_get_idx(evs, i);
		if (json_object_get_int(member(e, "index")) == 4)
			return e;
	}
	return NULL;
}

static void test_claims_rootfs_event(void **state)
{
	json_object *c = claims_for(ROOTFS_FIRST);
	json_object *q = member(c, "quote");
	assert_string_equal(json_object_get_string(member(member(q, "header"), "version")), "0400");
	assert_string_equal(json_object_get_string(member(member(q, "header"), "tee_type")), "81000000");
	assert_int_equal(strlen(json_object_get_string(member(member(q, "body"), "rtmr_3"))), 96);
	assert_int_equal(strlen(json_object_get_string(member(c, "init_data"))), 96);
	assert_false(json_object_get_boolean(member(member(c, "td_attributes"), "debug")));
	json_object *evs = member(c, "uefi_event_logs");
	assert_int_equal(json_object_array_length(evs), 3);
	json_object *act = json_object_array_get_idx(evs, 0);
	assert_int_equal(json_object_get_int(member(act, "index")), 2);
	assert_string_equal(json_object_get_string(member(member(act, "details"), "string")),
			    "Calling EFI Application from Boot Option");
	json_object *e = first_rtmr3(c);
	assert_string_equal(json_object_get_string(member(e, "type_name")), "EV_EVENT_TAG");
	assert_true(json_object_get_boolean(member(e, "digest_matches_event")));
	json_object *d = member(e, "details");
	assert_string_equal(json_object_get_string(member(d, "unicode_name")), "AAEL");
	json_object *data = member(d, "data");
	assert_string_equal(json_object_get_string(member(data, "domain")), "tdverity");
	assert_string_equal(json_object_get_string(member(data, "operation")), "rootfs");
	assert_string_equal(json_object_get_string(member(member(data, "content"), "root_hash")),
			    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	json_object *g = json_object_array_get_idx(member(e, "digests"), 0);
	assert_string_equal(json_object_get_string(member(g, "alg")), "SHA-384");
	/* The other agent event's content is not JSON: kept as text. */
	json_object *last = json_object_array_get_idx(evs, 2);
	assert_string_equal(json_object_get_string(member(member(member(last, "details"), "data"),
							   "content")), "x");
	json_object_put(c);

	/* Tampered data under an honest digest: the claim the module requires is false. */
	c = claims_for(TAMPERED_DATA);
	assert_false(json_object_get_boolean(member(first_rtmr3(c), "digest_matches_event")));
	json_object_put(c);
	/* Another event first: the module's first RTMR3 event is not tdverity's. */
	c = claims_for(OTHER_EVENT_FIRST);
	assert_string_equal(json_object_get_string(member(member(member(first_rtmr3(c), "details"),
								      "data"), "domain")), "example.org");
	json_object_put(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_shapes),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_message_malformed),
		cmocka_unit_test(test_rego_paths),
		cmocka_unit_test(test_claims_rootfs_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
