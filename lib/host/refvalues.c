/* SPDX-License-Identifier: Apache-2.0 */
#include "host/refvalues.h"

#include "core/measure.h"
#include "core/util.h"
#include "host/cleanup.h"
#include "host/rtmr0.h"

#include <string.h>

#include <json-c/json.h>


/* json-c reports allocation failures as NULL; every add below checks through this. */
static int add(json_object *obj, const char *key, json_object *val)
{
	if (!val)
		return -ENOMEM;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -ENOMEM;
	}
	return 0;
}

/* json-c represents JSON null as a NULL object pointer. */
static int add_null(json_object *obj, const char *key)
{
	return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
}

static json_object *hex_string(const uint8_t *buf, size_t len)
{
	_cleanup_free_ char *hex = hex_encode_alloc(buf, len);
	return hex ? json_object_new_string(hex) : NULL;
}

/* Which registers the inputs determine completely (see refvalues.h). */
static bool rtmr_known(const struct expected_context *c, unsigned rtmr)
{
	const struct expected_inputs *in = c->inputs;
	switch (rtmr) {
	case 0: return expected_rtmr0_determined(in, c->events, c->n_events);
	case 1: return in->kernel_path != NULL;
	/* With tdverity.rtmr=2 the rootfs event belongs to RTMR2 as well. */
	case 2: return in->cmdline && (in->initrd_path || in->no_initrd) &&
		       (in->rootfs_event || in->rootfs_rtmr != 2);
	/* With tdverity.rtmr=2 RTMR3 holds only the attestation agent's runtime events. */
	case 3: return in->rootfs_event != NULL && in->rootfs_rtmr == 3;
	default: return false;
	}
}

static json_object *events_json(const struct expected_context *c)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; arr && i < c->n_events; i++) {
		const struct expected_event *e = &c->events[i];
		json_object *o = json_object_new_object();
		int r = o ? 0 : -ENOMEM;
		if (r == 0)
			r = add(o, "index", json_object_new_int64((int64_t)i));
		if (r == 0)
			r = add(o, "kind", json_object_new_string(expected_kind_name(e->kind)));
		if (r == 0)
			r = add(o, "rtmr", json_object_new_int((int)e->rtmr));
		if (r == 0 && e->pcr == EXPECTED_PCR_NONE)
			r = add_null(o, "pcr");
		else if (r == 0)
			r = add(o, "pcr", json_object_new_int((int)e->pcr));
		if (r == 0)
			r = add(o, "type", json_object_new_string(expected_event_type_name(e->type)));
		if (r == 0)
			r = add(o, "type_id", json_object_new_int64(e->type));
		if (r == 0)
			r = add(o, "description", json_object_new_string(e->description));
		/* sha256 and sha384 as before; the other banks' digests are in "pcr". */
		if (r == 0)
			r = add(o, "determined", json_object_new_boolean(!e->unknown));
		if (r == 0 && e->unknown)
			r = add_null(o, "sha384");
		else if (r == 0)
			r = add(o, "sha384", hex_string(e->digests[HASH_SHA384], SHA384_SIZE));
		if (r == 0 && e->unknown)
			r = add_null(o, "sha256");
		else if (r == 0)
			r = add(o, "sha256", hex_string(e->digests[HASH_SHA256], SHA256_SIZE));
		if (r < 0 || json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

static json_object *rtmrs_json(const struct expected_context *c)
{
	uint8_t rtmr[4][SHA384_SIZE];
	expected_replay_rtmrs(c->events, c->n_events, rtmr);
	json_object *o = json_object_new_object();
	for (unsigned i = 0; o && i < 4; i++) {
		char key[8];
		snprintf(key, sizeof(key), "rtmr%u", i);
		int r = rtmr_known(c, i) ? add(o, key, hex_string(rtmr[i], SHA384_SIZE))
					 : add_null(o, key);
		if (r < 0) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static json_object *pcrs_json(const struct expected_context *c)
{
	const struct expected_inputs *in = c->inputs;
	unsigned pcrs[3];
	size_t n = 0;
	if (in->kernel_path)
		pcrs[n++] = 4;
	if (in->cmdline && (in->initrd_path || in->no_initrd))
		pcrs[n++] = 9;
	/* The rootfs PCR is predicted only when nothing else listed here goes to it. */
	bool rootfs_alone = in->rootfs_event != NULL;
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind != EXPECTED_ROOTFS && c->events[i].pcr == in->rootfs_pcr)
			rootfs_alone = false;
	if (rootfs_alone && in->rootfs_pcr != 4 && in->rootfs_pcr != 9)
		pcrs[n++] = in->rootfs_pcr;

	json_object *o = json_object_new_object();
	/* Every bank a vTPM may have active (each is extended: initrd/tpm.c). */
	const enum hash_alg algs[] = { HASH_SHA1, HASH_SHA256, HASH_SHA384, HASH_SHA512,
				       HASH_SM3_256 };
	for (size_t a = 0; o && a < ELEMENTSOF(algs); a++) {
		json_object *bank = json_object_new_object();
		int r = bank ? 0 : -ENOMEM;
		for (size_t i = 0; r == 0 && i < n; i++) {
			uint8_t v[DIGEST_MAX_SIZE];
			char key[4];
			snprintf(key, sizeof(key), "%u", pcrs[i]);
			r = expected_replay_pcr(c->events, c->n_events, pcrs[i], algs[a], v);
			if (r == 0)
				r = add(bank, key, hex_string(v, hash_alg_size(algs[a])));
		}
		if (r == 0)
			r = add(o, hash_alg_name(algs[a]), bank);
		else
			json_object_put(bank);
		if (r < 0) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static json_object *qemu_patch_json(const struct qemu_kernel_patch *p)
{
	json_object *o = json_object_new_object();
	int r = o ? 0 : -ENOMEM;
	if (r == 0)
		r = add(o, "memory", json_object_new_int64((int64_t)p->memory_size));
	if (r == 0)
		r = add(o, "machine", json_object_new_string(qemu_machine_name(p->machine)));
	if (r == 0)
		r = add(o, "acpi_data_size",
			json_object_new_int64(p->acpi_data_size ? p->acpi_data_size
								: QEMU_ACPI_DATA_SIZE_DEFAULT));
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* MRTD in the page order of --qemu-version; false when the inputs do not give it. */
static bool mrtd_compute(const struct expected_inputs *in, uint8_t ret[SHA384_SIZE])
{
	return in->firmware && in->has_page_order &&
	       tdvf_mrtd(in->firmware, in->page_order, ret) == 0;
}

/* "mrtd", and "firmware": {"mrtd_qemu9": .., "mrtd_qemu8": .., "memory": ..}. */
static int firmware_json(json_object *o, const struct expected_inputs *in)
{
	uint8_t v[SHA384_SIZE];
	int r = mrtd_compute(in, v) ? add(o, "mrtd", hex_string(v, SHA384_SIZE))
				    : add_null(o, "mrtd");
	if (r < 0 || !in->firmware)
		return r < 0 ? r : add_null(o, "firmware");
	json_object *f = json_object_new_object();
	r = add(o, "firmware", f);
	if (r == 0)
		r = add(f, "tdvf_sections", json_object_new_int64((int64_t)in->firmware->n_sections));
	if (r == 0)
		r = add(f, "secure_boot",
			json_object_new_string(secure_boot_support_name(in->secure_boot)));
	const struct { const char *key; enum tdvf_page_order order; } orders[] = {
		{ "mrtd_qemu9", TDVF_ORDER_INTERLEAVED },
		{ "mrtd_qemu8", TDVF_ORDER_ADD_FIRST },
	};
	for (size_t i = 0; r == 0 && i < ELEMENTSOF(orders); i++) {
		r = tdvf_mrtd(in->firmware, orders[i].order, v);
		if (r == 0)
			r = add(f, orders[i].key, hex_string(v, SHA384_SIZE));
	}
	if (r == 0 && in->memory_size)
		r = add(f, "memory", json_object_new_int64((int64_t)in->memory_size));
	else if (r == 0)
		r = add_null(f, "memory");
	return r;
}

static json_object *expected_object(const struct expected_context *c)
{
	const struct expected_inputs *in = c->inputs;
	json_object *o = json_object_new_object();
	int r = o ? 0 : -ENOMEM;
	if (r == 0)
		r = add(o, "firmware_profile",
			json_object_new_string(firmware_profile_name(in->profile)));
	if (r == 0 && in->qemu_patch)
		r = add(o, "qemu_kernel_patch", qemu_patch_json(in->qemu_patch));
	else if (r == 0)
		r = add_null(o, "qemu_kernel_patch");
	if (r == 0 && in->cmdline) {
		_cleanup_free_ char *opts = NULL;
		r = expected_load_options(in->profile, in->cmdline, in->initrd_path != NULL, &opts);
		if (r == 0)
			r = add(o, "load_options", json_object_new_string(opts));
	} else if (r == 0)
		r = add_null(o, "load_options");
	if (r == 0)
		r = firmware_json(o, in);
	if (r == 0)
		r = add(o, "events", events_json(c));
	if (r == 0)
		r = add(o, "rtmr", rtmrs_json(c));
	if (r == 0)
		r = add(o, "pcr", pcrs_json(c));
	if (r < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int to_string(json_object *o, char **ret_json)
{
	const char *s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *dup = s ? strdup(s) : NULL;
	if (!dup)
		return -ENOMEM;
	*ret_json = dup;
	return 0;
}

int expected_json_build(const struct expected_context *ctx, char **ret_json)
{
	_cleanup_json_ json_object *o = expected_object(ctx);
	if (!o)
		return -ENOMEM;
	return to_string(o, ret_json);
}

/* rvps_sample[name] = [hex], or omitted[name] = why. */
static int sample_add(json_object *sample, json_object *omitted, const char *name,
		      const uint8_t *value, size_t len, const char *why_missing)
{
	if (!value)
		return add(omitted, name, json_object_new_string(why_missing));
	json_object *arr = json_object_new_array();
	json_object *v = hex_string(value, len);
	if (!arr || !v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		json_object_put(arr);
		return -ENOMEM;
	}
	return add(sample, name, arr);
}

static const uint8_t *event_digest(const struct expected_event *ev, size_t n,
				   enum expected_kind kind)
{
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == kind)
			return ev[i].digests[HASH_SHA384];
	return NULL;
}

/*
 * rtmr_3 only beside the registers that make it mean something.  Threat: RTMR3 is
 * extendable by whoever runs code in the TD; the rootfs value in it says the verified root
 * was mounted only if the firmware (MRTD), its configuration and the host's ACPI code
 * (RTMR0), the kernel (RTMR1) and the cmdline and initrd (RTMR2) are the audited ones.  A
 * policy handed rtmr_3 alone would accept any host that replays one extend.
 */
static int rtmr3_add(const struct expected_context *c, json_object *sample, json_object *omitted,
		     bool have_mrtd, const uint8_t value[SHA384_SIZE])
{
	if (c->inputs->rootfs_event && c->inputs->rootfs_rtmr == 2)
		return add(omitted, "rtmr_3",
			   json_object_new_string("tdverity.rtmr=2: the rootfs event is in rtmr_2; "
						  "RTMR3 holds only the attestation agent's runtime "
						  "events, which no build determines"));
	if (!rtmr_known(c, 3))
		return add(omitted, "rtmr_3",
			   json_object_new_string("the build manifest (rootfs event) was not given"));
	char missing[64] = "";
	const struct {
		bool known;
		const char *name;
	} needed[] = {
		{ have_mrtd, "mr_td" },
		{ rtmr_known(c, 0), "rtmr_0" },
		{ rtmr_known(c, 1), "rtmr_1" },
		{ rtmr_known(c, 2), "rtmr_2" },
	};
	for (size_t i = 0; i < ELEMENTSOF(needed); i++)
		if (!needed[i].known)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", needed[i].name);
	if (missing[0]) {
		char why[320];
		snprintf(why, sizeof(why),
			 "withheld: RTMR3 proves nothing alone (code in the TD can extend it); it "
			 "needs %s pinned as well (its value is expected.rtmr.rtmr3)", missing);
		return add(omitted, "rtmr_3", json_object_new_string(why));
	}
	return sample_add(sample, omitted, "rtmr_3", value, SHA384_SIZE, NULL);
}

int refvalues_build_json(const struct refvalues_inputs *in, bool sample_only, char **ret_json,
			 struct tdv_error *err)
{
	_cleanup_free_ struct expected_event *events = NULL;
	size_t n;
	int r = expected_events_compute(&in->expected, &events, &n, err);
	if (r < 0)
		return r;
	struct expected_context c = { .inputs = &in->expected, .events = events, .n_events = n };
	uint8_t rtmr[4][SHA384_SIZE];
	expected_replay_rtmrs(events, n, rtmr);

	_cleanup_json_ json_object *doc = json_object_new_object();
	json_object *sample = json_object_new_object(), *omitted = json_object_new_object();
	if (!doc || add(doc, "format", json_object_new_string("tdverity-reference-values/1")) < 0 ||
	    add(doc, "firmware_profile",
		json_object_new_string(firmware_profile_name(in->expected.profile))) < 0 ||
	    add(doc, "rvps_sample", sample) < 0 || add(doc, "omitted", omitted) < 0)
		return -ENOMEM;

	const struct expected_inputs *x = &in->expected;
	uint8_t mrtd[SHA384_SIZE];
	const uint8_t *mr_td = in->mrtd ? in->mrtd : mrtd_compute(x, mrtd) ? mrtd : NULL;
	r = sample_add(sample, omitted, "mr_td", mr_td, SHA384_SIZE,
		       x->firmware ? "the QEMU version (page order) was not given"
				   : "neither the TD firmware nor its MRTD was given");
	/* RTMR0 is named only when the firmware was given (before it, it never was). */
	if (r == 0 && x->firmware)
		r = sample_add(sample, omitted, "rtmr_0", rtmr_known(&c, 0) ? rtmr[0] : NULL,
			       SHA384_SIZE, "an RTMR0 event is not determined by the inputs "
			       "(see expected.events)");
	if (r == 0)
		r = sample_add(sample, omitted, "rtmr_1", rtmr_known(&c, 1) ? rtmr[1] : NULL,
			       SHA384_SIZE, "the kernel image was not given");
	if (r == 0)
		r = sample_add(sample, omitted, "rtmr_2", rtmr_known(&c, 2) ? rtmr[2] : NULL,
			       SHA384_SIZE, "the booted cmdline (-append) and the initrd (or --no-initrd) "
			       "were not both given");
	if (r == 0)
		r = rtmr3_add(&c, sample, omitted, mr_td != NULL, rtmr[3]);
	if (r == 0)
		r = sample_add(sample, omitted, "tdvfkernel",
			       event_digest(events, n, EXPECTED_KERNEL), SHA384_SIZE,
			       "the kernel image was not given");
	if (r == 0)
		r = sample_add(sample, omitted, "tdvfkernelparams",
			       x->initrd_path || x->no_initrd ? event_digest(events, n, EXPECTED_LOAD_OPTIONS)
							      : NULL,
			       SHA384_SIZE,
			       "the booted cmdline (-append) and the initrd (or --no-initrd) were not "
			       "both given");
	if (r == 0)
		r = add(doc, "expected", expected_object(&c));
	if (r < 0)
		return r;
	return to_string(sample_only ? sample : doc, ret_json);
}

/* ---- Reading reference values ------------------------------------------------------ */

#include <openssl/evp.h>

void reference_values_done(struct reference_values *rv)
{
	for (size_t i = 0; rv && i < rv->n; i++) {
		free(rv->v[i].name);
		free(rv->v[i].lens);
		free(rv->v[i].values);
	}
	if (rv) {
		free(rv->v);
		*rv = (struct reference_values){ 0 };
	}
}

const struct reference_value *reference_values_find(const struct reference_values *rv,
						    const char *name)
{
	for (size_t i = 0; i < rv->n; i++)
		if (strcmp(rv->v[i].name, name) == 0)
			return &rv->v[i];
	return NULL;
}

static int value_decode(const char *name, size_t idx, json_object *s, uint8_t *out,
			size_t *ret_len, struct tdv_error *err)
{
	if (!json_object_is_type(s, json_type_string))
		return tdv_error_set(err, -EINVAL, "\"%s\"[%zu]: not a string", name, idx);
	const char *hex = json_object_get_string(s);
	size_t len = strlen(hex);
	if (len == 0 || len % 2 != 0 || len / 2 > REFVALUE_MAX_LEN ||
	    hex_decode_exact(hex, out, len / 2) < 0)
		return tdv_error_set(err, -EINVAL,
				     "\"%s\"[%zu]: not a hex string of 1..%u bytes", name, idx,
				     REFVALUE_MAX_LEN);
	*ret_len = len / 2;
	return 0;
}

static int entry_add(struct reference_values *rv, const char *name, json_object *val,
		     struct tdv_error *err)
{
	bool single = json_object_is_type(val, json_type_string);
	if (!single && !json_object_is_type(val, json_type_array))
		return tdv_error_set(err, -EINVAL, "\"%s\": not a list of hex strings", name);
	size_t n = single ? 1 : json_object_array_length(val);
	if (n == 0 || n > 1024)
		return tdv_error_set(err, -EINVAL, "\"%s\": %zu values (1..1024 accepted)", name, n);
	for (size_t i = 0; i < rv->n; i++)
		if (strcmp(rv->v[i].name, name) == 0)
			return tdv_error_set(err, -EINVAL, "\"%s\": given twice", name);
	struct reference_value *v = reallocarray(rv->v, rv->n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	rv->v = v;
	struct reference_value *e = &v[rv->n];
	*e = (struct reference_value){ .name = strdup(name), .lens = calloc(n, sizeof(size_t)),
				       .values = calloc(n, REFVALUE_MAX_LEN) };
	rv->n++; /* owned from here on: freed by reference_values_done() on failure */
	if (!e->name || !e->lens || !e->values)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = value_decode(name, i, single ? val : json_object_array_get_idx(val, i),
				     e->values[i], &e->lens[i], err);
		if (r < 0)
			return r;
		e->n_values++;
	}
	return 0;
}

static int sample_parse(json_object *sample, struct reference_values *rv, struct tdv_error *err)
{
	if (!json_object_is_type(sample, json_type_object))
		return tdv_error_set(err, -EINVAL, "the reference values are not a JSON object");
	json_object_object_foreach(sample, name, val) {
		int r = entry_add(rv, name, val, err);
		if (r < 0)
			return r;
	}
	if (rv->n == 0)
		return tdv_error_set(err, -EINVAL, "no reference values in the document");
	return 0;
}

static json_object *json_parse_exact(const char *text, size_t len)
{
	if (len > REFVALUES_MAX_FILE || memchr(text, 0, len))
		return NULL;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return NULL;
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	/* Refuse trailing bytes other than whitespace: one document, not a prefix of one. */
	if (o && json_tokener_get_error(tok) == json_tokener_success) {
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
			if (!strchr(" \t\r\n", text[i])) {
				json_object_put(o);
				o = NULL;
				break;
			}
	} else if (o) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* The RVPS message's payload: base64 of the sample object. */
static int payload_parse(const char *b64, struct reference_values *rv, struct tdv_error *err)
{
	size_t len = strlen(b64);
	if (len == 0 || len % 4 != 0 || len > REFVALUES_MAX_FILE)
		return tdv_error_set(err, -EINVAL, "\"payload\": not base64");
	_cleanup_free_ unsigned char *raw = malloc(len / 4 * 3 + 1);
	if (!raw)
		return -ENOMEM;
	int n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return tdv_error_set(err, -EINVAL, "\"payload\": not base64");
	/* EVP_DecodeBlock counts the bytes that padding stands for. */
	if (b64[len - 1] == '=')
		n--;
	if (b64[len - 2] == '=')
		n--;
	_cleanup_json_ json_object *sample = json_parse_exact((const char *)raw, (size_t)n);
	if (!sample)
		return tdv_error_set(err, -EINVAL, "\"payload\": not a JSON document");
	return sample_parse(sample, rv, err);
}

int reference_values_parse(const char *text, size_t len, struct reference_values *ret,
			   struct tdv_error *err)
{
	struct reference_values rv = { 0 };
	_cleanup_json_ json_object *doc = json_parse_exact(text, len);
	if (!doc || !json_object_is_type(doc, json_type_object))
		return tdv_error_set(err, -EINVAL, "not a JSON object");
	json_object *format, *sample, *type, *payload;
	int r;
	if (json_object_object_get_ex(doc, "format", &format)) {
		if (!json_object_is_type(format, json_type_string) ||
		    strcmp(json_object_get_string(format), "tdverity-reference-values/1") != 0)
			return tdv_error_set(err, -EINVAL, "\"format\": not "
							   "tdverity-reference-values/1");
		if (!json_object_object_get_ex(doc, "rvps_sample", &sample))
			return tdv_error_set(err, -EINVAL, "no \"rvps_sample\"");
		r = sample_parse(sample, &rv, err);
	} else if (json_object_object_get_ex(doc, "type", &type) &&
		   json_object_object_get_ex(doc, "payload", &payload)) {
		if (!json_object_is_type(type, json_type_string) ||
		    strcmp(json_object_get_string(type), "sample") != 0 ||
		    !json_object_is_type(payload, json_type_string))
			return tdv_error_set(err, -EINVAL, "an RVPS message of a type other than "
							   "\"sample\"");
		r = payload_parse(json_object_get_string(payload), &rv, err);
	} else
		r = sample_parse(doc, &rv, err);
	if (r < 0) {
		if (r == -ENOMEM)
			tdv_error_set(err, r, "out of memory");
		reference_values_done(&rv);
		return r;
	}
	*ret = rv;
	return 0;
}

int reference_values_load(const char *path, struct reference_values *ret,
			  struct tdv_error *err)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = read_full_file(path, REFVALUES_MAX_FILE, &buf, &len);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", path,
				     r == -EFBIG ? "larger than 1 MiB" : strerror(-r));
	struct tdv_error why = { { 0 } };
	r = reference_values_parse((const char *)buf, len, ret, &why);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", path, why.msg);
	return 0;
}
