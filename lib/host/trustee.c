/* SPDX-License-Identifier: Apache-2.0 */
/* Trustee's shapes for a tdverity build (see trustee.h). */
#include "host/trustee.h"

#include "core/digest.h"
#include "core/measure.h"
#include "core/util.h"
#include "host/cleanup.h"

#include <errno.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>


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

/*
 * The vTPM path: Trustee's TPM verifier names the SHA-256 bank's PCRs pcr00..pcr23 in its
 * claims (deps/verifier/src/tpm: format!("pcr{:02}")) and its default rule reads
 * query_reference_value("tpm_pcr11"); so tpm_pcrNN for every PCR the expected document
 * determines (4: kernel, 9: cmdline and initrd, the rootfs PCR), as lists.
 */
static int tpm_values(json_object *doc, json_object *sample, json_object *omitted)
{
	json_object *expected = NULL, *pcr = NULL, *bank = NULL;
	if (!json_object_object_get_ex(doc, "expected", &expected) ||
	    !json_object_object_get_ex(expected, "pcr", &pcr) ||
	    !json_object_object_get_ex(pcr, "sha256", &bank) ||
	    !json_object_is_type(bank, json_type_object) || json_object_object_length(bank) == 0)
		return add(omitted, "tpm_pcr*", json_object_new_string(
							"no vTPM PCR is determined by the inputs"));
	json_object_object_foreach(bank, key, val)
	{
		char *end;
		unsigned long n = strtoul(key, &end, 10);
		if (*end || n > 23 || !json_object_is_type(val, json_type_string))
			return -EINVAL;
		const char *hex = json_object_get_string(val);
		if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
			return -EINVAL;
		char name[16];
		snprintf(name, sizeof(name), "tpm_pcr%02lu", n);
		json_object *arr = json_object_new_array();
		if (!arr || json_object_array_add(arr, json_object_new_string(hex)) < 0 ||
		    add(sample, name, arr) < 0) {
			json_object_put(arr);
			return -ENOMEM;
		}
	}
	return 0;
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
	if (r == 0 && (r = tpm_values(doc, sample, omitted)) == -EINVAL)
		return tdv_error_set(err, r, "reference values: expected.pcr is not PCR -> hex");
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

/* ---- claims ----------------------------------------------------------------------- */

static json_object *hex_of(const uint8_t *b, size_t n)
{
	char *h = hex_encode_alloc(b, n);
	json_object *o = h ? json_object_new_string(h) : NULL;
	free(h);
	return o;
}

static json_object *base64_of(const uint8_t *b, size_t n)
{
	if (n > (size_t)INT32_MAX / 2)
		return NULL;
	unsigned char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (!out)
		return NULL;
	EVP_EncodeBlock(out, b, (int)n);
	json_object *o = json_object_new_string((char *)out);
	free(out);
	return o;
}

static int quote_claims(const struct tdx_quote *q, json_object *claims)
{
	const uint8_t *h = q->signed_data;
	const struct tdx_td_report *td = &q->td;
	json_object *quote = json_object_new_object(), *header = json_object_new_object(),
		    *body = json_object_new_object();
	int r = add(claims, "quote", quote);
	if (r < 0 || !header || !body) {
		json_object_put(header);
		json_object_put(body);
		return -ENOMEM;
	}
	if (add(quote, "header", header) < 0 || add(quote, "body", body) < 0)
		return -ENOMEM;
	/* Header fields: the raw bytes at their offsets, as claims.rs hex-encodes them. */
	static const struct {
		const char *name;
		size_t off, len;
	} hdr[] = { { "version", 0, 2 },  { "att_key_type", 2, 2 }, { "tee_type", 4, 4 },
		    { "reserved", 8, 4 }, { "vendor_id", 12, 16 }, { "user_data", 28, 20 } };
	for (size_t i = 0; i < ELEMENTSOF(hdr); i++)
		if (add(header, hdr[i].name, hex_of(h + hdr[i].off, hdr[i].len)) < 0)
			return -ENOMEM;
	if (q->version == 5 && (add(quote, "type", hex_of(h + 48, 2)) < 0 ||
				add(quote, "size", hex_of(h + 50, 4)) < 0))
		return -ENOMEM;
	const struct {
		const char *name;
		const uint8_t *v;
		size_t len;
	} f[] = {
		{ "tcb_svn", td->tee_tcb_svn, 16 },	 { "mr_seam", td->mrseam, 48 },
		{ "mrsigner_seam", td->mrsignerseam, 48 }, { "seam_attributes", td->seam_attributes, 8 },
		{ "td_attributes", td->td_attributes, 8 }, { "xfam", td->xfam, 8 },
		{ "mr_td", td->mrtd, 48 },		 { "mr_config_id", td->mrconfigid, 48 },
		{ "mr_owner", td->mrowner, 48 },	 { "mr_owner_config", td->mrownerconfig, 48 },
		{ "rtmr_0", td->rtmr[0], 48 },		 { "rtmr_1", td->rtmr[1], 48 },
		{ "rtmr_2", td->rtmr[2], 48 },		 { "rtmr_3", td->rtmr[3], 48 },
		{ "report_data", td->reportdata, 64 },	 { "tee_tcb_svn2", td->tee_tcb_svn2, 16 },
		{ "mr_servicetd", td->mrservicetd, 48 },
	};
	for (size_t i = 0; i < ELEMENTSOF(f); i++)
		if (f[i].v && add(body, f[i].name, hex_of(f[i].v, f[i].len)) < 0)
			return -ENOMEM;
	uint64_t attr = le64_get(td->td_attributes);
	static const struct {
		const char *name;
		unsigned bit;
	} flags[] = { { "debug", 0 }, { "septve_disable", 28 }, { "protection_keys", 30 },
		      { "key_locker", 31 }, { "perfmon", 63 } };
	json_object *ta = json_object_new_object();
	if (add(claims, "td_attributes", ta) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(flags); i++)
		if (add(ta, flags[i].name, json_object_new_boolean((attr >> flags[i].bit) & 1)) < 0)
			return -ENOMEM;
	if (add(claims, "report_data", hex_of(td->reportdata, 64)) < 0 ||
	    add(claims, "init_data", hex_of(td->mrconfigid, 48)) < 0)
		return -ENOMEM;
	return 0;
}

static const char *trustee_alg_name(uint16_t id)
{
	switch (id) {
	case TCG_ALG_SHA1: return "SHA-1";
	case TCG_ALG_SHA256: return "SHA-256";
	case TCG_ALG_SHA384: return "SHA-384";
	case TCG_ALG_SHA512: return "SHA-512";
	default: return NULL;
	}
}

/* Every digest equals HASH(event data); an algorithm we cannot compute counts as not. */
static bool digest_matches_event(const struct eventlog_event *ev)
{
	if (ev->n_digests == 0)
		return false;
	for (uint32_t i = 0; i < ev->n_digests; i++) {
		enum hash_alg alg;
		uint8_t d[DIGEST_MAX_SIZE];
		const struct eventlog_digest *g = &ev->digests[i];
		if (hash_alg_from_tcg_id(g->alg_id, &alg) < 0 || hash_alg_size(alg) != g->size ||
		    digest_buf(alg, ev->data, ev->data_len, d) < 0 ||
		    !digest_equal(d, g->value, g->size))
			return false;
	}
	return true;
}

static json_object *string_upto_nul(const uint8_t *b, size_t n)
{
	const uint8_t *nul = memchr(b, 0, n);
	size_t len = nul ? (size_t)(nul - b) : n;
	char *t = strndup((const char *)b, len);
	json_object *o = t ? json_object_new_string_len(t, (int)len) : NULL;
	free(t);
	return o;
}

/* content as JSON when the whole of it parses as JSON, else the text. */
static json_object *aael_content(const char *c, size_t n)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = tok && n ? json_tokener_parse_ex(tok, c, (int)n) : NULL;
	bool whole = o && json_tokener_get_error(tok) == json_tokener_success &&
		     (size_t)json_tokener_get_parse_end(tok) == n;
	if (tok)
		json_tokener_free(tok);
	if (whole)
		return o;
	json_object_put(o);
	return json_object_new_string_len(c, (int)n);
}

static int aael_details(const struct aael_event *a, json_object *details)
{
	const char *t = a->text, *end = t + a->text_len;
	const char *sp1 = memchr(t, ' ', a->text_len);
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1)) : NULL;
	if (add(details, "unicode_name", json_object_new_string("AAEL")) < 0 ||
	    add(details, "string", json_object_new_string_len(t, (int)a->text_len)) < 0)
		return -ENOMEM;
	if (!sp2)
		return 0; /* not "<domain> <operation> <content>": no data, as Trustee */
	json_object *data = json_object_new_object();
	if (add(details, "data", data) < 0 ||
	    add(data, "domain", json_object_new_string_len(t, (int)(sp1 - t))) < 0 ||
	    add(data, "operation", json_object_new_string_len(sp1 + 1, (int)(sp2 - sp1 - 1))) < 0 ||
	    add(data, "content", aael_content(sp2 + 1, (size_t)(end - sp2 - 1))) < 0)
		return -ENOMEM;
	return 0;
}

static int event_details(const struct eventlog_event *ev, json_object *details)
{
	struct aael_event a;
	uint32_t id, len;
	const uint8_t *data;
	switch (ev->type) {
	case EV_EVENT_TAG:
		if (eventlog_event_aael(ev, &a) == 0)
			return aael_details(&a, details);
		if (eventlog_event_tagged(ev, &id, &data, &len) == 0)
			return add(details, "string", string_upto_nul(data, len));
		return 0;
	case EV_EFI_ACTION:
	case EV_IPL:
	case EV_POST_CODE:
	case EV_PLATFORM_CONFIG_FLAGS:
		return add(details, "string", string_upto_nul(ev->data, ev->data_len));
	default:
		return 0;
	}
}

static int event_claims(const struct eventlog_event *ev, json_object *events)
{
	json_object *e = json_object_new_object(), *digests = json_object_new_array(),
		    *details = json_object_new_object();
	if (!e || !digests || !details || json_object_array_add(events, e) < 0) {
		json_object_put(e);
		json_object_put(digests);
		json_object_put(details);
		return -ENOMEM;
	}
	const char *type = eventlog_type_name(ev->type);
	char unknown[16];
	snprintf(unknown, sizeof(unknown), "0x%08x", ev->type);
	if (add(e, "index", json_object_new_int64(ev->register_index)) < 0 ||
	    add(e, "type_name", json_object_new_string(type ? type : unknown)) < 0 ||
	    add(e, "digests", digests) < 0 || add(e, "details", details) < 0 ||
	    add(e, "event", base64_of(ev->data, ev->data_len)) < 0 ||
	    add(e, "digest_matches_event", json_object_new_boolean(digest_matches_event(ev))) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < ev->n_digests; i++) {
		const struct eventlog_digest *g = &ev->digests[i];
		const char *alg = trustee_alg_name(g->alg_id);
		char other[8];
		snprintf(other, sizeof(other), "0x%04x", g->alg_id);
		json_object *d = json_object_new_object();
		if (!d || json_object_array_add(digests, d) < 0) {
			json_object_put(d);
			return -ENOMEM;
		}
		if (add(d, "alg", json_object_new_string(alg ? alg : other)) < 0 ||
		    add(d, "digest", hex_of(g->value, g->size)) < 0)
			return -ENOMEM;
	}
	return event_details(ev, details);
}

int trustee_claims_build(const struct tdx_quote *q, const struct eventlog *log, char **ret_json)
{
	_cleanup_json_ json_object *claims = json_object_new_object();
	if (!claims)
		return -ENOMEM;
	int r = quote_claims(q, claims);
	if (r == 0 && log) {
		json_object *events = json_object_new_array();
		r = add(claims, "uefi_event_logs", events);
		for (size_t i = 0; r == 0 && i < log->n_events; i++)
			r = event_claims(&log->events[i], events);
	}
	if (r < 0)
		return r;
	return to_text(claims, ret_json);
}
