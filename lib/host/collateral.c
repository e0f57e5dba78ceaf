/* SPDX-License-Identifier: Apache-2.0 */
#include "host/collateral.h"

#include "core/digest.h"
#include "core/util.h"
#include "host/cleanup.h"

#include <ctype.h>
#include <inttypes.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/pem.h>

static const char *const status_names[_TCB_STATUS_MAX] = {
	[TCB_STATUS_NONE] = "not evaluated",
	[TCB_UP_TO_DATE] = "UpToDate",
	[TCB_SW_HARDENING_NEEDED] = "SWHardeningNeeded",
	[TCB_CONFIGURATION_NEEDED] = "ConfigurationNeeded",
	[TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED] = "ConfigurationAndSWHardeningNeeded",
	[TCB_OUT_OF_DATE] = "OutOfDate",
	[TCB_OUT_OF_DATE_CONFIGURATION_NEEDED] = "OutOfDateConfigurationNeeded",
	[TCB_REVOKED] = "Revoked",
};

const char *tcb_status_name(enum tcb_status s)
{
	return s < _TCB_STATUS_MAX ? status_names[s] : "invalid";
}

enum tcb_status tcb_status_from_name(const char *name)
{
	for (int s = TCB_UP_TO_DATE; s < _TCB_STATUS_MAX; s++)
		if (strcmp(name, status_names[s]) == 0)
			return (enum tcb_status)s;
	return TCB_STATUS_NONE;
}

int collateral_parse_time(const char *s, time_t *ret)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -EINVAL;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t;
	return 0;
}

/* ---- JSON field access: every field typed, every error names file and field ---- */

struct json_ctx {
	const char *source;
	const char *path; /* "tcbInfo", "tcbInfo.tcbLevels[3]" ... */
	struct tdv_error *err;
};

static int field_error(const struct json_ctx *c, const char *key, const char *why)
{
	return tdv_error_set(c->err, -EBADMSG, "%s: %s.%s: %s", c->source, c->path, key, why);
}

static struct json_object *field(const struct json_ctx *c, struct json_object *o,
				 const char *key, json_type type, int *r)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type)) {
		*r = field_error(c, key, "missing or of the wrong type");
		return NULL;
	}
	return v;
}

static int field_string(const struct json_ctx *c, struct json_object *o, const char *key,
			const char **ret)
{
	int r = 0;
	struct json_object *v = field(c, o, key, json_type_string, &r);
	if (!v)
		return r;
	*ret = json_object_get_string(v);
	return 0;
}

static int field_uint(const struct json_ctx *c, struct json_object *o, const char *key,
		      uint64_t max, uint64_t *ret)
{
	int r = 0;
	struct json_object *v = field(c, o, key, json_type_int, &r);
	if (!v)
		return r;
	int64_t n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n > max)
		return field_error(c, key, "out of range");
	*ret = (uint64_t)n;
	return 0;
}

static int field_hex(const struct json_ctx *c, struct json_object *o, const char *key,
		     uint8_t *out, size_t n)
{
	const char *s = NULL;
	int r = field_string(c, o, key, &s);
	if (r < 0)
		return r;
	if (hex_decode_exact(s, out, n) < 0) {
		char why[64];
		snprintf(why, sizeof(why), "not %zu hex digits", 2 * n);
		return field_error(c, key, why);
	}
	return 0;
}

static int field_time(const struct json_ctx *c, struct json_object *o, const char *key,
		      time_t *ret)
{
	const char *s = NULL;
	int r = field_string(c, o, key, &s);
	if (r < 0)
		return r;
	if (collateral_parse_time(s, ret) < 0)
		return field_error(c, key, "not a UTC time YYYY-MM-DDTHH:MM:SSZ");
	return 0;
}

static int field_array(const struct json_ctx *c, struct json_object *o, const char *key,
		       size_t min, size_t max, struct json_object **ret, size_t *ret_n)
{
	int r = 0;
	struct json_object *v = field(c, o, key, json_type_array, &r);
	if (!v)
		return r;
	size_t n = json_object_array_length(v);
	if (n < min || n > max)
		return field_error(c, key, "wrong number of entries");
	*ret = v;
	*ret_n = n;
	return 0;
}

/* tcbDate, tcbStatus, advisoryIDs (optional) of one level. */
static int parse_level_info(const struct json_ctx *c, struct json_object *lvl,
			    struct tcb_level_info *ret)
{
	const char *status;
	int r = field_time(c, lvl, "tcbDate", &ret->date);
	if (r < 0 || (r = field_string(c, lvl, "tcbStatus", &status)) < 0)
		return r;
	ret->status = tcb_status_from_name(status);
	if (ret->status == TCB_STATUS_NONE)
		return field_error(c, "tcbStatus", "not one of Intel's TCB status values");
	struct json_object *ids;
	if (!json_object_object_get_ex(lvl, "advisoryIDs", &ids))
		return 0;
	if (!json_object_is_type(ids, json_type_array))
		return field_error(c, "advisoryIDs", "not an array");
	size_t used = 0;
	for (size_t i = 0; i < json_object_array_length(ids); i++) {
		struct json_object *id = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(id, json_type_string))
			return field_error(c, "advisoryIDs", "holds a non-string");
		int n = snprintf(ret->advisories + used, sizeof(ret->advisories) - used, "%s%s",
				 used ? "," : "", json_object_get_string(id));
		if (n < 0 || (size_t)n >= sizeof(ret->advisories) - used)
			return field_error(c, "advisoryIDs", "too long");
		used += (size_t)n;
	}
	return 0;
}

static int parse_isv_level(const struct json_ctx *c, struct json_object *l,
			   struct isv_tcb_level *ret)
{
	int r = 0;
	uint64_t svn = 0;
	if (!json_object_is_type(l, json_type_object))
		return field_error(c, "tcbLevels", "holds a non-object");
	struct json_object *tcb = field(c, l, "tcb", json_type_object, &r);
	if (!tcb)
		return r;
	if ((r = field_uint(c, tcb, "isvsvn", UINT16_MAX, &svn)) < 0)
		return r;
	ret->isvsvn = (uint16_t)svn;
	return parse_level_info(c, l, &ret->info);
}

/* tcbLevels of the form [{"tcb":{"isvsvn":N}, ...}] (QE identity, TDX module identities). */
static int parse_isv_levels(const struct json_ctx *c, struct json_object *o,
			    struct isv_tcb_level **ret, size_t *ret_n)
{
	struct json_object *arr;
	size_t n;
	int r = field_array(c, o, "tcbLevels", 1, COLLATERAL_MAX_LEVELS, &arr, &n);
	if (r < 0)
		return r;
	struct isv_tcb_level *lv = calloc(n, sizeof(*lv));
	if (!lv)
		return tdv_error_set(c->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n && r == 0; i++)
		r = parse_isv_level(c, json_object_array_get_idx(arr, i), &lv[i]);
	if (r < 0) {
		free(lv);
		return r;
	}
	*ret = lv;
	*ret_n = n;
	return 0;
}

/* 16 components [{"svn":N,...}] into out. */
static int parse_components(const struct json_ctx *c, struct json_object *tcb, const char *key,
			    uint8_t out[16])
{
	struct json_object *arr;
	size_t n;
	int r = field_array(c, tcb, key, 16, 16, &arr, &n);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct json_object *comp = json_object_array_get_idx(arr, i);
		uint64_t svn = 0;
		if (!json_object_is_type(comp, json_type_object))
			return field_error(c, key, "holds a non-object");
		r = field_uint(c, comp, "svn", UINT8_MAX, &svn);
		out[i] = (uint8_t)svn;
	}
	return r;
}

static int parse_tdx_levels(const struct json_ctx *c, struct json_object *o,
			    struct tcb_info *ti)
{
	struct json_object *arr;
	size_t n;
	int r = field_array(c, o, "tcbLevels", 1, COLLATERAL_MAX_LEVELS, &arr, &n);
	if (r < 0)
		return r;
	ti->levels = calloc(n, sizeof(*ti->levels));
	if (!ti->levels)
		return tdv_error_set(c->err, -ENOMEM, "out of memory");
	ti->n_levels = n;
	for (size_t i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(arr, i), *tcb;
		struct tdx_tcb_level *lv = &ti->levels[i];
		uint64_t pcesvn = 0;
		if (!json_object_is_type(l, json_type_object))
			return field_error(c, "tcbLevels", "holds a non-object");
		if (!(tcb = field(c, l, "tcb", json_type_object, &r)))
			return r;
		if ((r = parse_components(c, tcb, "sgxtcbcomponents", lv->sgx_svn)) < 0 ||
		    (r = parse_components(c, tcb, "tdxtcbcomponents", lv->tdx_svn)) < 0 ||
		    (r = field_uint(c, tcb, "pcesvn", UINT16_MAX, &pcesvn)) < 0 ||
		    (r = parse_level_info(c, l, &lv->info)) < 0)
			return r;
		lv->pcesvn = (uint16_t)pcesvn;
	}
	return 0;
}

static int parse_module_identities(const struct json_ctx *c, struct json_object *o,
				   struct tcb_info *ti)
{
	struct json_object *arr;
	if (!json_object_object_get_ex(o, "tdxModuleIdentities", &arr))
		return 0; /* TDX 1.0-only TCB info */
	size_t n;
	int r = field_array(c, o, "tdxModuleIdentities", 1, 32, &arr, &n);
	if (r < 0)
		return r;
	ti->modules = calloc(n, sizeof(*ti->modules));
	if (!ti->modules)
		return tdv_error_set(c->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(arr, i);
		struct tdx_module_identity *id = &ti->modules[i];
		const char *name;
		char *end;
		if (!json_object_is_type(m, json_type_object))
			return field_error(c, "tdxModuleIdentities", "holds a non-object");
		if ((r = field_string(c, m, "id", &name)) < 0)
			return r;
		unsigned long v = strncmp(name, "TDX_", 4) == 0 && isxdigit((unsigned char)name[4])
					  ? strtoul(name + 4, &end, 16)
					  : 256;
		if (v > 255 || *end || strlen(name) != 6)
			return field_error(c, "tdxModuleIdentities.id", "not TDX_<2 hex digits>");
		id->version = (uint8_t)v;
		if ((r = field_hex(c, m, "mrsigner", id->mrsigner, 48)) < 0 ||
		    (r = field_hex(c, m, "attributes", id->attributes, 8)) < 0 ||
		    (r = field_hex(c, m, "attributesMask", id->attributes_mask, 8)) < 0 ||
		    (r = parse_isv_levels(c, m, &id->levels, &id->n_levels)) < 0)
			return r;
		ti->n_modules = i + 1;
	}
	return 0;
}

static int parse_common(const struct json_ctx *c, struct json_object *o, const char *want_id,
			uint64_t want_version, struct collateral_signed *s)
{
	const char *id = NULL;
	uint64_t version, num;
	int r;
	if ((r = field_string(c, o, "id", &id)) < 0 ||
	    (r = field_uint(c, o, "version", UINT32_MAX, &version)) < 0)
		return r;
	if (strcmp(id, want_id) != 0 || version != want_version)
		return tdv_error_set(c->err, -EOPNOTSUPP,
				     "%s: %s id \"%s\" version %" PRIu64 " (only \"%s\" version %"
				     PRIu64 " is handled: TDX)",
				     c->source, c->path, id, version, want_id, want_version);
	if ((r = field_time(c, o, "issueDate", &s->issue_date)) < 0 ||
	    (r = field_time(c, o, "nextUpdate", &s->next_update)) < 0 ||
	    (r = field_uint(c, o, "tcbEvaluationDataNumber", UINT32_MAX, &num)) < 0)
		return r;
	s->tcb_eval_num = (uint32_t)num;
	return 0;
}

static int parse_tcb_info(const struct json_ctx *c, struct json_object *o, struct tcb_info *ti)
{
	uint64_t type;
	int r;
	if ((r = parse_common(c, o, "TDX", 3, &ti->sig)) < 0 ||
	    (r = field_hex(c, o, "fmspc", ti->fmspc, 6)) < 0 ||
	    (r = field_hex(c, o, "pceId", ti->pce_id, 2)) < 0 ||
	    (r = field_uint(c, o, "tcbType", UINT32_MAX, &type)) < 0)
		return r;
	if (type != 0)
		return field_error(c, "tcbType", "not 0 (the only type Intel defines)");
	struct json_object *m;
	if (json_object_object_get_ex(o, "tdxModule", &m)) {
		if (!json_object_is_type(m, json_type_object))
			return field_error(c, "tdxModule", "not an object");
		if ((r = field_hex(c, m, "mrsigner", ti->module_mrsigner, 48)) < 0 ||
		    (r = field_hex(c, m, "attributes", ti->module_attributes, 8)) < 0 ||
		    (r = field_hex(c, m, "attributesMask", ti->module_attributes_mask, 8)) < 0)
			return r;
		ti->has_module = true;
	}
	if ((r = parse_module_identities(c, o, ti)) < 0)
		return r;
	return parse_tdx_levels(c, o, ti);
}

static int parse_qe_identity(const struct json_ctx *c, struct json_object *o,
			     struct qe_identity *qe)
{
	uint8_t misc[4], mask[4];
	uint64_t prodid;
	int r;
	if ((r = parse_common(c, o, "TD_QE", 2, &qe->sig)) < 0 ||
	    (r = field_hex(c, o, "miscselect", misc, 4)) < 0 ||
	    (r = field_hex(c, o, "miscselectMask", mask, 4)) < 0 ||
	    (r = field_hex(c, o, "attributes", qe->attributes, 16)) < 0 ||
	    (r = field_hex(c, o, "attributesMask", qe->attributes_mask, 16)) < 0 ||
	    (r = field_hex(c, o, "mrsigner", qe->mrsigner, 32)) < 0 ||
	    (r = field_uint(c, o, "isvprodid", UINT16_MAX, &prodid)) < 0)
		return r;
	/* The JSON writes MISCSELECT as a big-endian number; the report holds it LE. */
	qe->miscselect = (uint32_t)misc[0] << 24 | misc[1] << 16 | misc[2] << 8 | misc[3];
	qe->miscselect_mask = (uint32_t)mask[0] << 24 | mask[1] << 16 | mask[2] << 8 | mask[3];
	qe->isvprodid = (uint16_t)prodid;
	return parse_isv_levels(c, o, &qe->levels, &qe->n_levels);
}

/* ---- the signed JSON document: {"<body key>":{...},"signature":"<hex>"} ---- */

static size_t skip_ws(const char *s, size_t len, size_t pos)
{
	while (pos < len && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
		pos++;
	return pos;
}

/* End of the JSON string that starts at pos (at its '"'), or 0. */
static size_t string_end(const char *s, size_t len, size_t pos)
{
	for (size_t i = pos + 1; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/* End of the JSON value that starts at pos (brackets matched outside strings), or 0. */
static size_t value_end(const char *s, size_t len, size_t pos)
{
	if (pos >= len)
		return 0;
	if (s[pos] == '"')
		return string_end(s, len, pos);
	size_t depth = 0, i = pos;
	for (; i < len; i++) {
		char ch = s[i];
		if (ch == '"') {
			size_t e = string_end(s, len, i);
			if (!e)
				return 0;
			i = e - 1;
		} else if (ch == '{' || ch == '[')
			depth++;
		else if (ch == '}' || ch == ']') {
			if (depth == 0)
				break; /* ends a scalar */
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\n' ||
					  ch == '\r'))
			break;
	}
	return depth == 0 && i > pos ? i : 0;
}

/* One JSON value at *pos, parsed strictly by json-c; its raw bytes are [*pos, new *pos). */
static struct json_object *next_value(const char *s, size_t len, size_t *pos)
{
	size_t end = value_end(s, len, *pos);
	if (!end || end - *pos > INT32_MAX)
		return NULL;
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	int n = (int)(end - *pos);
	struct json_object *o = json_tokener_parse_ex(tok, s + *pos, n);
	/* The span must be one whole value; a scalar needs its end marked. */
	if (o && json_tokener_get_parse_end(tok) != (size_t)n) {
		json_object_put(o);
		o = NULL;
	} else if (!o && json_tokener_get_error(tok) == json_tokener_continue)
		o = json_tokener_parse_ex(tok, "", 1);
	json_tokener_free(tok);
	if (o)
		*pos = end;
	return o;
}


/*
 * Walk the top-level object member by member, keeping the raw bytes of the body value:
 * that span, not a re-serialisation, is what Intel signed.
 */
static int split_signed(const char *name, const char *s, size_t len, const char **ret_key,
			struct json_object **ret_body, size_t *ret_start, size_t *ret_end,
			uint8_t sig[64], struct tdv_error *err)
{
	size_t pos = skip_ws(s, len, 0);
	bool have_sig = false;
	_cleanup_json_ struct json_object *body = NULL;
	const char *key_name = NULL;
	if (pos >= len || s[pos++] != '{')
		return tdv_error_set(err, -EBADMSG, "%s: not a JSON object", name);
	for (int member = 0;; member++) {
		pos = skip_ws(s, len, pos);
		if (member > 0 && pos < len && s[pos] == '}')
			break;
		if (member > 0 && (pos >= len || s[pos++] != ','))
			return tdv_error_set(err, -EBADMSG, "%s: malformed JSON at byte %zu", name,
					     pos);
		pos = skip_ws(s, len, pos);
		_cleanup_json_ struct json_object *key = next_value(s, len, &pos);
		pos = skip_ws(s, len, pos);
		if (!key || !json_object_is_type(key, json_type_string) || pos >= len ||
		    s[pos++] != ':')
			return tdv_error_set(err, -EBADMSG, "%s: malformed JSON at byte %zu", name,
					     pos);
		pos = skip_ws(s, len, pos);
		size_t start = pos;
		_cleanup_json_ struct json_object *v = next_value(s, len, &pos);
		if (!v)
			return tdv_error_set(err, -EBADMSG, "%s: malformed JSON value at byte %zu",
					     name, start);
		const char *k = json_object_get_string(key);
		if (strcmp(k, "signature") == 0 && !have_sig) {
			if (!json_object_is_type(v, json_type_string) ||
			    hex_decode_exact(json_object_get_string(v), sig, 64) < 0)
				return tdv_error_set(err, -EBADMSG,
						     "%s: signature is not 128 hex digits", name);
			have_sig = true;
		} else if ((strcmp(k, "tcbInfo") == 0 || strcmp(k, "enclaveIdentity") == 0) &&
			   !key_name && json_object_is_type(v, json_type_object)) {
			key_name = strcmp(k, "tcbInfo") == 0 ? "tcbInfo" : "enclaveIdentity";
			body = TAKE_PTR(v);
			*ret_start = start;
			*ret_end = pos;
		} else
			/* A document with extra or repeated members is not what Intel serves. */
			return tdv_error_set(err, -EBADMSG, "%s: unexpected member \"%s\"", name,
					     k);
	}
	if (skip_ws(s, len, pos + 1) != len)
		return tdv_error_set(err, -EBADMSG, "%s: bytes after the JSON object", name);
	if (!key_name || !have_sig)
		return tdv_error_set(err, -EBADMSG, "%s: needs \"tcbInfo\" or \"enclaveIdentity\" "
						    "and \"signature\"",
				     name);
	*ret_key = key_name;
	*ret_body = TAKE_PTR(body);
	return 0;
}

static void tcb_info_done(struct tcb_info *ti)
{
	free(ti->sig.body);
	for (size_t i = 0; i < ti->n_modules; i++)
		free(ti->modules[i].levels);
	free(ti->modules);
	free(ti->levels);
}

static void qe_identity_free(struct qe_identity *qe)
{
	if (!qe)
		return;
	free(qe->sig.body);
	free(qe->levels);
	free(qe);
}

static int add_json(struct collateral *c, const char *name, const uint8_t *buf, size_t len,
		    struct tdv_error *err)
{
	const char *s = (const char *)buf, *key = NULL;
	struct json_object *body = NULL;
	size_t start = 0, end = 0;
	uint8_t sig[64];
	int r = split_signed(name, s, len, &key, &body, &start, &end, sig, err);
	if (r < 0)
		return r;
	struct collateral_signed cs = { .body_len = end - start };
	snprintf(cs.source, sizeof(cs.source), "%s", name);
	memcpy(cs.signature, sig, 64);
	cs.body = malloc(cs.body_len);
	if (!cs.body) {
		json_object_put(body);
		return tdv_error_set(err, -ENOMEM, "out of memory");
	}
	memcpy(cs.body, buf + start, cs.body_len);
	struct json_ctx ctx = { .source = name, .path = key, .err = err };
	if (strcmp(key, "tcbInfo") == 0) {
		struct tcb_info ti = { .sig = cs };
		r = parse_tcb_info(&ctx, body, &ti);
		if (r == 0 && collateral_tcb_info(c, ti.fmspc))
			r = tdv_error_set(err, -EEXIST, "%s: a second TCB info for the same FMSPC",
					  name);
		struct tcb_info *n = r < 0 ? NULL
				     : reallocarray(c->tcb_infos, c->n_tcb_infos + 1, sizeof(*n));
		if (r == 0 && !n)
			r = tdv_error_set(err, -ENOMEM, "out of memory");
		if (r < 0)
			tcb_info_done(&ti);
		else {
			c->tcb_infos = n;
			c->tcb_infos[c->n_tcb_infos++] = ti;
		}
	} else {
		struct qe_identity *qe = calloc(1, sizeof(*qe));
		if (!qe) {
			free(cs.body);
			r = tdv_error_set(err, -ENOMEM, "out of memory");
		} else {
			qe->sig = cs;
			r = parse_qe_identity(&ctx, body, qe);
			if (r == 0 && c->qe_identity)
				r = tdv_error_set(err, -EEXIST, "%s: a second QE identity", name);
			if (r < 0)
				qe_identity_free(qe);
			else
				c->qe_identity = qe;
		}
	}
	json_object_put(body);
	return r;
}

/* ---- CRLs and certificates (libcrypto) ---- */

static int add_crl(struct collateral *c, const char *name, X509_CRL *crl, struct tdv_error *err)
{
	struct collateral_crl *n = reallocarray(c->crls, c->n_crls + 1, sizeof(*n));
	if (!n) {
		X509_CRL_free(crl);
		return tdv_error_set(err, -ENOMEM, "out of memory");
	}
	c->crls = n;
	c->crls[c->n_crls] = (struct collateral_crl){ .crl = crl };
	snprintf(c->crls[c->n_crls].source, sizeof(c->crls[0].source), "%s", name);
	c->n_crls++;
	return 0;
}

static void bio_freep(BIO **b) { BIO_free(*b); }

static int add_pem(struct collateral *c, const char *name, const uint8_t *buf, size_t len,
		   struct tdv_error *err)
{
	_cleanup_(bio_freep) BIO *bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return tdv_error_set(err, -ENOMEM, "out of memory");
	size_t n = 0;
	for (;;) {
		char *pem_name = NULL, *header = NULL;
		unsigned char *der = NULL;
		long der_len = 0;
		if (!PEM_read_bio(bio, &pem_name, &header, &der, &der_len))
			break;
		const unsigned char *p = der;
		int r = 0;
		if (strcmp(pem_name, "CERTIFICATE") == 0) {
			X509 *x = d2i_X509(NULL, &p, der_len);
			if (!x || p != der + der_len)
				r = tdv_error_set(err, -EBADMSG, "%s: unreadable certificate", name);
			else if (!sk_X509_push(c->certs, x))
				r = tdv_error_set(err, -ENOMEM, "out of memory");
			if (r < 0)
				X509_free(x);
		} else if (strcmp(pem_name, "X509 CRL") == 0) {
			X509_CRL *crl = d2i_X509_CRL(NULL, &p, der_len);
			if (!crl || p != der + der_len) {
				X509_CRL_free(crl);
				r = tdv_error_set(err, -EBADMSG, "%s: unreadable CRL", name);
			} else
				r = add_crl(c, name, crl, err);
		} else
			r = tdv_error_set(err, -EBADMSG, "%s: unexpected PEM block \"%s\"", name,
					  pem_name);
		OPENSSL_free(pem_name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		if (r < 0)
			return r;
		n++;
	}
	ERR_clear_error();
	return n ? 0 : tdv_error_set(err, -EBADMSG, "%s: no readable PEM block", name);
}

static int add_der(struct collateral *c, const char *name, const uint8_t *buf, size_t len,
		   struct tdv_error *err)
{
	const unsigned char *p = buf;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	if (crl && p == buf + len)
		return add_crl(c, name, crl, err);
	X509_CRL_free(crl);
	p = buf;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (x && p == buf + len) {
		if (sk_X509_push(c->certs, x))
			return 0;
		X509_free(x);
		return tdv_error_set(err, -ENOMEM, "out of memory");
	}
	X509_free(x);
	ERR_clear_error();
	return tdv_error_set(err, -EBADMSG, "%s: DER that is neither a CRL nor a certificate",
			     name);
}

/* The issuer-chain HTTP headers come URL-encoded ("-----BEGIN%20CERTIFICATE-----%0A"). */
static int url_decode(const uint8_t *in, size_t len, uint8_t *out, size_t *ret_len)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '%') {
			out[o++] = in[i];
			continue;
		}
		uint8_t b;
		char hex[3] = { 0 };
		if (len - i < 3)
			return -EBADMSG;
		memcpy(hex, in + i + 1, 2);
		if (hex_decode_exact(hex, &b, 1) < 0)
			return -EBADMSG;
		out[o++] = b;
		i += 2;
	}
	*ret_len = o;
	return 0;
}

static bool is_hex_text(const uint8_t *buf, size_t len)
{
	size_t digits = 0;
	for (size_t i = 0; i < len; i++) {
		if (isxdigit(buf[i]))
			digits++;
		else if (!isspace(buf[i]))
			return false;
	}
	return digits > 0 && digits % 2 == 0;
}

static int add_hex_der(struct collateral *c, const char *name, const uint8_t *buf, size_t len,
		       struct tdv_error *err)
{
	_cleanup_free_ char *hex = malloc(len + 1);
	_cleanup_free_ uint8_t *der = malloc(len / 2 + 1);
	size_t n = 0, der_len = 0;
	if (!hex || !der)
		return tdv_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++)
		if (isxdigit(buf[i]))
			hex[n++] = (char)buf[i];
	hex[n] = 0;
	if (hex_decode(hex, der, len / 2 + 1, &der_len) < 0)
		return tdv_error_set(err, -EBADMSG, "%s: malformed hex", name);
	return add_der(c, name, der, der_len, err);
}

static bool starts_with(const uint8_t *buf, size_t len, size_t pos, const char *prefix)
{
	size_t n = strlen(prefix);
	return len - pos >= n && memcmp(buf + pos, prefix, n) == 0;
}

int collateral_add(struct collateral *c, const char *name, const uint8_t *buf, size_t len,
		   struct tdv_error *err)
{
	if (len == 0 || len > COLLATERAL_MAX_FILE_SIZE)
		return tdv_error_set(err, -EBADMSG, "%s: %zu bytes is not collateral", name, len);
	size_t pos = 0;
	while (pos < len && isspace(buf[pos]))
		pos++;
	if (pos < len && buf[pos] == '{')
		return add_json(c, name, buf, len, err);
	if (starts_with(buf, len, pos, "-----BEGIN "))
		return add_pem(c, name, buf, len, err);
	if (starts_with(buf, len, pos, "-----BEGIN%20")) {
		_cleanup_free_ uint8_t *dec = malloc(len);
		size_t dec_len = 0;
		if (!dec)
			return tdv_error_set(err, -ENOMEM, "out of memory");
		if (url_decode(buf, len, dec, &dec_len) < 0)
			return tdv_error_set(err, -EBADMSG, "%s: malformed URL encoding", name);
		return add_pem(c, name, dec, dec_len, err);
	}
	if (buf[0] == 0x30)
		return add_der(c, name, buf, len, err);
	if (is_hex_text(buf, len))
		return add_hex_der(c, name, buf, len, err);
	return tdv_error_set(err, -EBADMSG,
			     "%s: not Intel PCS collateral (TCB info, QE identity, CRL or "
			     "certificates)",
			     name);
}

struct collateral *collateral_new(void)
{
	struct collateral *c = calloc(1, sizeof(*c));
	if (c && !(c->certs = sk_X509_new_null())) {
		free(c);
		return NULL;
	}
	return c;
}

void collateral_free(struct collateral *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_tcb_infos; i++)
		tcb_info_done(&c->tcb_infos[i]);
	free(c->tcb_infos);
	qe_identity_free(c->qe_identity);
	for (size_t i = 0; i < c->n_crls; i++)
		X509_CRL_free(c->crls[i].crl);
	free(c->crls);
	sk_X509_pop_free(c->certs, X509_free);
	free(c);
}

const struct tcb_info *collateral_tcb_info(const struct collateral *c, const uint8_t fmspc[6])
{
	for (size_t i = 0; i < c->n_tcb_infos; i++)
		if (memcmp(c->tcb_infos[i].fmspc, fmspc, 6) == 0)
			return &c->tcb_infos[i];
	return NULL;
}

static void collateral_freep(struct collateral **c) { collateral_free(*c); }

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dot(const struct dirent *d) { return d->d_name[0] != '.'; }

int collateral_load_dir(const char *dir, struct collateral **ret, struct tdv_error *err)
{
	_cleanup_(collateral_freep) struct collateral *c = collateral_new();
	if (!c)
		return tdv_error_set(err, -ENOMEM, "out of memory");
	struct dirent **names = NULL;
	int n = scandir(dir, &names, skip_dot, name_cmp);
	if (n < 0)
		return tdv_error_set(err, negative_errno(), "%s: %s", dir, strerror(errno));
	int r = 0;
	if (n > (int)COLLATERAL_MAX_FILES)
		r = tdv_error_set(err, -EBADMSG, "%s: %d files, more than collateral has", dir, n);
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (r == 0 && stat(path, &st) < 0)
			r = tdv_error_set(err, negative_errno(), "%s: %s", path, strerror(errno));
		else if (r == 0 && S_ISREG(st.st_mode)) {
			_cleanup_free_ uint8_t *buf = NULL;
			size_t len = 0;
			r = read_full_file(path, COLLATERAL_MAX_FILE_SIZE, &buf, &len);
			if (r < 0)
				tdv_error_set(err, r, "%s: %s", path, strerror(-r));
			else
				r = collateral_add(c, path, buf, len, err);
		}
		free(names[i]);
	}
	free(names);
	if (r < 0)
		return r;
	if (c->n_tcb_infos == 0 && !c->qe_identity && c->n_crls == 0)
		return tdv_error_set(err, -EBADMSG, "%s: no collateral (TCB info, QE identity or "
						    "CRL) in it",
				     dir);
	*ret = TAKE_PTR(c);
	return 0;
}
