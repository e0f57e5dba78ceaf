/* SPDX-License-Identifier: Apache-2.0 */
/* Trustee's shapes for a tdverity build (see trustee.h). */
#include "host/trustee.h"

#include "core/digest.h"
#include "core/util.h"

#include <errno.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static void json_putp(json_object **o) { json_object_put(*o); }
#define _cleanup_json_ _cleanup_(json_putp)

static int add(json_object *o, const char *key, json_object *v)
{
	if (!v || json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int to_text(json_object *o, char **ret)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || asprintf(ret, "%s\n", s) < 0)
		return -ENOMEM;
	return 0;
}

/* A list of lower-case hex strings, as refvalues writes them. */
static bool is_hex_list(json_object *v)
{
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (!json_object_is_type(s, json_type_string))
			return false;
		const char *t = json_object_get_string(s);
		if (!t[0] || strspn(t, "0123456789abcdef") != strlen(t))
			return false;
	}
	return true;
}

static int omit(json_object *omitted, json_object *doc_omitted, const char *name,
		const char *fallback)
{
	json_object *why = NULL;
	if (doc_omitted && json_object_object_get_ex(doc_omitted, name, &why) &&
	    json_object_is_type(why, json_type_string))
		return add(omitted, name, json_object_new_string(json_object_get_string(why)));
	return add(omitted, name, json_object_new_string(fallback));
}

/* name: a list as it is (policy `x in list`), or with one_string the only element. */
static int take(json_object *sample, json_object *omitted, json_object *src, json_object *src_omitted,
		const char *name, bool one_string, const char *fallback)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(src, name, &v))
		return omit(omitted, src_omitted, name, fallback);
	if (!is_hex_list(v))
		return -EINVAL;
	if (!one_string)
		return add(sample, name, json_object_get(v));
	/* Threat: a policy that compares with == cannot accept two values; say so instead
	 * of registering one of them silently. */
	if (json_object_array_length(v) != 1)
		return add(omitted, name, json_object_new_string(
						  "more than one candidate value; the default "
						  "policy compares a single string"));
	return add(sample, name, json_object_get(json_object_array_get_idx(v, 0)));
}

static int hex_list(json_object *sample, const char *name, const uint8_t *b, size_t n)
{
	char hex[2 * DIGEST_MAX_SIZE + 1];
	hex_encode(b, n, hex);
	json_object *arr = json_object_new_array();
	if (!arr || json_object_array_add(arr, json_object_new_string(hex)) < 0) {
		json_object_put(arr);
		return -ENOMEM;
	}
	return add(sample, name, arr);
}

int trustee_sample_build(const struct trustee_sample_inputs *in, char **ret_sample,
			 char **ret_omitted, struct tdv_error *err)
{
	_cleanup_json_ json_object *doc = json_tokener_parse(in->refvalues_doc);
	json_object *src = NULL, *src_omitted = NULL;
	if (!doc || !json_object_object_get_ex(doc, "rvps_sample", &src) ||
	    !json_object_is_type(src, json_type_object))
		return tdv_error_set(err, -EINVAL, "not a reference-values document");
	json_object_object_get_ex(doc, "omitted", &src_omitted);

	_cleanup_json_ json_object *sample = json_object_new_object();
	_cleanup_json_ json_object *omitted = json_object_new_object();
	if (!sample || !omitted)
		return -ENOMEM;
	static const struct {
		const char *name;
		bool one_string;
		const char *fallback;
	} names[] = {
		{ "mr_td", false, "neither the TD firmware nor its MRTD was given" },
		{ "rtmr_0", false, "the TD firmware was not given" },
		{ "rtmr_1", false, "the kernel image was not given" },
		{ "rtmr_2", false, "the booted command line is not determined" },
		{ "rtmr_3", false, "the build manifest was not given" },
		{ "tdvfkernel", true, "the kernel image was not given" },
		{ "tdvfkernelparams", true, "the booted command line is not determined" },
	};
	int r = 0;
	for (size_t i = 0; r == 0 && i < ELEMENTSOF(names); i++)
		r = take(sample, omitted, src, src_omitted, names[i].name, names[i].one_string,
			 names[i].fallback);
	if (r == -EINVAL)
		return tdv_error_set(err, r, "reference values: a value is not a list of hex strings");
	if (r == 0)
		r = in->xfam ? hex_list(sample, "xfam", in->xfam, 8)
			     : add(omitted, "xfam", json_object_new_string(
							    "the TD's XFAM was not given (--xfam HEX)"));
	static const char platform[] = "a property of the host's TDX module, not of the build: "
				       "register the values your platform reports";
	if (r == 0)
		r = add(omitted, "mr_seam", json_object_new_string(platform));
	if (r == 0)
		r = add(omitted, "tcb_svn", json_object_new_string(platform));
	if (r == 0)
		r = hex_list(sample, "tdverity_root_hash", in->root->root_hash,
			     hash_alg_size(in->root->params.alg));
	if (r == 0)
		r = to_text(sample, ret_sample);
	if (r == 0 && (r = to_text(omitted, ret_omitted)) < 0) {
		free(*ret_sample);
		*ret_sample = NULL;
	}
	if (r < 0)
		return tdv_error_set(err, r, "out of memory");
	return 0;
}

int trustee_rvps_message(const char *sample, char **ret_message)
{
	_cleanup_json_ json_object *check = json_tokener_parse(sample);
	if (!check || !json_object_is_type(check, json_type_object))
		return -EINVAL;
	size_t len = strlen(sample);
	if (len > (size_t)INT32_MAX / 2)
		return -EINVAL;
	_cleanup_free_ unsigned char *b64 = malloc(4 * ((len + 2) / 3) + 1);
	if (!b64)
		return -ENOMEM;
	EVP_EncodeBlock(b64, (const unsigned char *)sample, (int)len);
	_cleanup_json_ json_object *msg = json_object_new_object();
	if (!msg || add(msg, "version", json_object_new_string("0.1.0")) < 0 ||
	    add(msg, "type", json_object_new_string("sample")) < 0 ||
	    add(msg, "payload", json_object_new_string((const char *)b64)) < 0)
		return -ENOMEM;
	return to_text(msg, ret_message);
}

/* Strict standard base64 (RFC 4648 alphabet, '=' padding, no whitespace). */
static int base64_decode(const char *in, unsigned char **ret, size_t *ret_len)
{
	size_t n = strlen(in);
	if (n == 0 || n % 4 || strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					  "0123456789+/=") != n)
		return -EINVAL;
	size_t pad = in[n - 1] == '=' ? (in[n - 2] == '=' ? 2 : 1) : 0;
	const char *eq = strchr(in, '=');
	if ((pad ? eq != in + n - pad : eq != NULL) || n > (size_t)INT32_MAX)
		return -EINVAL;
	unsigned char *out = malloc(n / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	int len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free(out);
		return -EINVAL;
	}
	*ret_len = (size_t)len - pad;
	out[*ret_len] = '\0';
	*ret = out;
	return 0;
}

int trustee_rvps_message_decode(const char *message, char **ret_sample, struct tdv_error *err)
{
	_cleanup_json_ json_object *msg = json_tokener_parse(message);
	json_object *version, *type, *payload;
	if (!msg || !json_object_is_type(msg, json_type_object))
		return tdv_error_set(err, -EINVAL, "not a JSON object");
	if (json_object_object_length(msg) != 3 ||
	    !json_object_object_get_ex(msg, "version", &version) ||
	    !json_object_object_get_ex(msg, "type", &type) ||
	    !json_object_object_get_ex(msg, "payload", &payload))
		return tdv_error_set(err, -EINVAL, "expected exactly version, type and payload");
	if (!json_object_is_type(version, json_type_string) ||
	    strcmp(json_object_get_string(version), "0.1.0") != 0)
		return tdv_error_set(err, -EINVAL, "version is not \"0.1.0\"");
	if (!json_object_is_type(type, json_type_string) ||
	    strcmp(json_object_get_string(type), "sample") != 0)
		return tdv_error_set(err, -EINVAL, "type is not \"sample\"");
	if (!json_object_is_type(payload, json_type_string))
		return tdv_error_set(err, -EINVAL, "payload is not a string");
	unsigned char *data = NULL;
	size_t len = 0;
	int r = base64_decode(json_object_get_string(payload), &data, &len);
	if (r == -ENOMEM)
		return tdv_error_set(err, r, "out of memory");
	if (r < 0)
		return tdv_error_set(err, r, "payload is not standard base64");
	_cleanup_json_ json_object *sample = memchr(data, 0, len) ? NULL
								   : json_tokener_parse((char *)data);
	if (!sample || !json_object_is_type(sample, json_type_object)) {
		free(data);
		return tdv_error_set(err, -EINVAL, "payload is not a JSON object");
	}
	*ret_sample = (char *)data;
	return 0;
}

/*
 * The module.  Reviewed against trustee's claim shapes: deps/eventlog serialises an AAEL
 * record as {"index": 4, "type_name": "EV_EVENT_TAG", "digest_matches_event": bool,
 * "details": {"unicode_name": "AAEL", "string": "<domain> <operation> <content>",
 * "data": {"domain", "operation", "content": <JSON-decoded when it is JSON>}}, ...}.
 */
static const char rootfs_rego[] =
	"# tdverity-rootfs.rego, written by tdverity-verify refvalues --trustee.\n"
	"# Append to Trustee's attestation policy (package policy, rego.v1), e.g. after the\n"
	"# default ear_default_policy_cpu.rego.  It needs the reference value\n"
	"# \"tdverity_root_hash\" (rvps-message.json registers it) and reads only\n"
	"# input.tdx.uefi_event_logs.  Every name it defines starts with tdverity_ except the\n"
	"# AR4SI file-system claim, which the default policy leaves at 0 (no assertion).\n"
	"#\n"
	"# Threats answered:\n"
	"#  - a root filesystem other than a reviewed build: the root hash in the rootfs event\n"
	"#    must be a registered tdverity_root_hash;\n"
	"#  - an event whose data does not match its digest (Trustee's replay checks digests\n"
	"#    against the RTMRs, not event data against digests): digest_matches_event;\n"
	"#  - an event put in front of ours: only the first MR-index-4 (RTMR3) event counts.\n"
	"# The event says which volume the init verified; that the init is the measured\n"
	"# tdverity-init is what rtmr_1 / rtmr_2 (tdvfkernel, tdvfkernelparams) establish.\n"
	"# To make executables depend on it too, add tdverity_rootfs_ok to the TDX\n"
	"# `executables := 3 if` rule.\n"
	"\n"
	"tdverity_rtmr3_events := [e |\n"
	"\tsome e in input.tdx.uefi_event_logs\n"
	"\te.index == 4\n"
	"]\n"
	"\n"
	"tdverity_rootfs_ok if {\n"
	"\tfirst := tdverity_rtmr3_events[0]\n"
	"\tfirst.type_name == \"EV_EVENT_TAG\"\n"
	"\tfirst.digest_matches_event == true\n"
	"\tfirst.details.unicode_name == \"AAEL\"\n"
	"\tfirst.details.data.domain == \"tdverity\"\n"
	"\tfirst.details.data.operation == \"rootfs\"\n"
	"\tfirst.details.data.content.root_hash in query_reference_value(\"tdverity_root_hash\")\n"
	"}\n"
	"\n"
	"# AR4SI file-system: 2 = recognized and approved; 32 = not recognized.\n"
	"file_system := 2 if {\n"
	"\tinput.tdx\n"
	"\ttdverity_rootfs_ok\n"
	"} else := 32 if {\n"
	"\tinput.tdx\n"
	"}\n";

const char *trustee_rootfs_rego(void)
{
	return rootfs_rego;
}
