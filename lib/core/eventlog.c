/* SPDX-License-Identifier: Apache-2.0 */
#include "core/eventlog.h"
#include "core/digest.h"
#include "core/util.h"

#include <string.h>

#include <openssl/evp.h>

#define SPEC_ID_SIGNATURE "Spec ID Event03" /* 16 bytes with its NUL */
#define SPEC_ID_FIXED_LEN (16 + 4 + 4 + 4) /* signature, class, versions+uintn, n */
#define END_FILL_FF 0xFFFFFFFFU

static const struct {
	uint16_t id;
	uint16_t size;
	const char *name;
} known_algs[] = {
	{ TCG_ALG_SHA1, 20, "sha1" },	  { TCG_ALG_SHA256, 32, "sha256" },
	{ TCG_ALG_SHA384, 48, "sha384" }, { TCG_ALG_SHA512, 64, "sha512" },
	{ TCG_ALG_SM3_256, 32, "sm3_256" },
};

const char *tcg_alg_name(uint16_t alg_id)
{
	for (size_t i = 0; i < ELEMENTSOF(known_algs); i++)
		if (known_algs[i].id == alg_id)
			return known_algs[i].name;
	return NULL;
}

static uint16_t known_alg_size(uint16_t alg_id)
{
	for (size_t i = 0; i < ELEMENTSOF(known_algs); i++)
		if (known_algs[i].id == alg_id)
			return known_algs[i].size;
	return 0;
}

static const EVP_MD *tcg_alg_md(uint16_t alg_id)
{
	switch (alg_id) {
	case TCG_ALG_SHA1: return EVP_sha1();
	case TCG_ALG_SHA256: return EVP_sha256();
	case TCG_ALG_SHA384: return EVP_sha384();
	case TCG_ALG_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

const char *eventlog_type_name(uint32_t type)
{
	static const struct {
		uint32_t type;
		const char *name;
	} names[] = {
		{ 0x00000000, "EV_PREBOOT_CERT" },
		{ 0x00000001, "EV_POST_CODE" },
		{ 0x00000002, "EV_UNUSED" },
		{ 0x00000003, "EV_NO_ACTION" },
		{ 0x00000004, "EV_SEPARATOR" },
		{ 0x00000005, "EV_ACTION" },
		{ 0x00000006, "EV_EVENT_TAG" },
		{ 0x00000007, "EV_S_CRTM_CONTENTS" },
		{ 0x00000008, "EV_S_CRTM_VERSION" },
		{ 0x00000009, "EV_CPU_MICROCODE" },
		{ 0x0000000A, "EV_PLATFORM_CONFIG_FLAGS" },
		{ 0x0000000B, "EV_TABLE_OF_DEVICES" },
		{ 0x0000000C, "EV_COMPACT_HASH" },
		{ 0x0000000D, "EV_IPL" },
		{ 0x0000000E, "EV_IPL_PARTITION_DATA" },
		{ 0x0000000F, "EV_NONHOST_CODE" },
		{ 0x00000010, "EV_NONHOST_CONFIG" },
		{ 0x00000011, "EV_NONHOST_INFO" },
		{ 0x00000012, "EV_OMIT_BOOT_DEVICE_EVENTS" },
		{ 0x80000001, "EV_EFI_VARIABLE_DRIVER_CONFIG" },
		{ 0x80000002, "EV_EFI_VARIABLE_BOOT" },
		{ 0x80000003, "EV_EFI_BOOT_SERVICES_APPLICATION" },
		{ 0x80000004, "EV_EFI_BOOT_SERVICES_DRIVER" },
		{ 0x80000005, "EV_EFI_RUNTIME_SERVICES_DRIVER" },
		{ 0x80000006, "EV_EFI_GPT_EVENT" },
		{ 0x80000007, "EV_EFI_ACTION" },
		{ 0x80000008, "EV_EFI_PLATFORM_FIRMWARE_BLOB" },
		{ 0x80000009, "EV_EFI_HANDOFF_TABLES" },
		{ 0x8000000A, "EV_EFI_PLATFORM_FIRMWARE_BLOB2" },
		{ 0x8000000B, "EV_EFI_HANDOFF_TABLES2" },
		{ 0x8000000C, "EV_EFI_VARIABLE_BOOT2" },
		{ 0x8000000D, "EV_EFI_GPT_EVENT2" },
		{ 0x80000010, "EV_EFI_HCRTM_EVENT" },
		{ 0x800000E0, "EV_EFI_VARIABLE_AUTHORITY" },
		{ 0x800000E1, "EV_EFI_SPDM_FIRMWARE_BLOB" },
		{ 0x800000E2, "EV_EFI_SPDM_FIRMWARE_CONFIG" },
	};
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (names[i].type == type)
			return names[i].name;
	return NULL;
}

void eventlog_free(struct eventlog *log)
{
	if (!log)
		return;
	free(log->events);
	free(log);
}

size_t eventlog_alg_size(const struct eventlog *log, uint16_t alg_id)
{
	for (size_t i = 0; i < log->n_algs; i++)
		if (log->algs[i].id == alg_id)
			return log->algs[i].size;
	return 0;
}

/* A bounded cursor over one buffer: every read checks the bytes left first. */
struct cursor {
	const uint8_t *buf;
	size_t len, pos;
};

static size_t cursor_left(const struct cursor *c) { return c->len - c->pos; }

static bool cursor_u32(struct cursor *c, uint32_t *ret)
{
	if (cursor_left(c) < 4)
		return false;
	*ret = le32_get(c->buf + c->pos);
	c->pos += 4;
	return true;
}

static bool cursor_u16(struct cursor *c, uint16_t *ret)
{
	if (cursor_left(c) < 2)
		return false;
	*ret = le16_get(c->buf + c->pos);
	c->pos += 2;
	return true;
}

static bool cursor_bytes(struct cursor *c, size_t n, const uint8_t **ret)
{
	if (cursor_left(c) < n)
		return false;
	*ret = c->buf + c->pos;
	c->pos += n;
	return true;
}

/* True when every remaining byte is end-of-log fill (all 0xFF or all 0x00). */
static bool rest_is_fill(const struct cursor *c)
{
	size_t n = cursor_left(c);
	if (n == 0)
		return true;
	uint8_t fill = c->buf[c->pos];
	if (fill != 0xFF && fill != 0x00)
		return false;
	for (size_t i = 1; i < n; i++)
		if (c->buf[c->pos + i] != fill)
			return false;
	return true;
}

static int parse_spec_id(struct eventlog *log, struct cursor *c, struct tdv_error *err)
{
	uint32_t reg, type, size;
	const uint8_t *sha1, *data;
	if (!cursor_u32(c, &reg) || !cursor_u32(c, &type) || !cursor_bytes(c, 20, &sha1) ||
	    !cursor_u32(c, &size))
		return tdv_error_set(err, -EBADMSG, "event log: truncated header (%zu bytes)",
				     c->len);
	if (type != EV_NO_ACTION)
		return tdv_error_set(err, -EBADMSG,
				     "event log: first event has type 0x%x, not EV_NO_ACTION "
				     "(not a crypto-agile TCG2 log)",
				     type);
	if (size < SPEC_ID_FIXED_LEN + 1 || !cursor_bytes(c, size, &data))
		return tdv_error_set(err, -EBADMSG,
				     "event log: Spec ID event size %u runs past the buffer or is "
				     "too small",
				     size);
	if (memcmp(data, SPEC_ID_SIGNATURE, 16) != 0)
		return tdv_error_set(err, -EBADMSG,
				     "event log: no \"Spec ID Event03\" signature (SHA-1-only logs "
				     "are not supported)");

	struct cursor s = { .buf = data, .len = size, .pos = 16 + 4 };
	log->spec_minor = data[20];
	log->spec_major = data[21];
	log->spec_errata = data[22];
	log->uintn_size = data[23];
	s.pos = 24;
	uint32_t n = 0;
	(void)cursor_u32(&s, &n); /* SPEC_ID_FIXED_LEN guarantees it */
	if (n == 0 || n > EVENTLOG_MAX_ALGS || n > cursor_left(&s) / 4)
		return tdv_error_set(err, -EBADMSG,
				     "event log: Spec ID lists %u algorithms (1..%d that fit in "
				     "%u bytes expected)",
				     n, EVENTLOG_MAX_ALGS, size);
	for (uint32_t i = 0; i < n; i++) {
		uint16_t id = 0, sz = 0;
		(void)cursor_u16(&s, &id);
		(void)cursor_u16(&s, &sz);
		uint16_t known = known_alg_size(id);
		if (sz == 0 || sz > EVENTLOG_MAX_DIGEST || (known && known != sz))
			return tdv_error_set(err, -EBADMSG,
					     "event log: Spec ID gives algorithm 0x%04x size %u",
					     id, sz);
		for (uint32_t j = 0; j < i; j++)
			if (log->algs[j].id == id)
				return tdv_error_set(err, -EBADMSG,
						     "event log: Spec ID lists algorithm 0x%04x "
						     "twice",
						     id);
		log->algs[i] = (struct eventlog_alg){ .id = id, .size = sz };
	}
	log->n_algs = n;
	uint8_t vendor_size;
	if (cursor_left(&s) < 1 || (vendor_size = s.buf[s.pos], cursor_left(&s) - 1 != vendor_size))
		return tdv_error_set(err, -EBADMSG,
				     "event log: Spec ID vendor info size does not match the "
				     "event size %u",
				     size);
	log->header_len = c->pos;
	return 0;
}

static int grow_events(struct eventlog *log)
{
	if (log->n_events < log->allocated)
		return 0;
	if (log->n_events >= EVENTLOG_MAX_EVENTS)
		return -E2BIG;
	size_t n = log->allocated ? log->allocated * 2 : 64;
	if (n > EVENTLOG_MAX_EVENTS)
		n = EVENTLOG_MAX_EVENTS;
	struct eventlog_event *e = reallocarray(log->events, n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	log->events = e;
	log->allocated = n;
	return 0;
}

/* Parse one TCG_PCR_EVENT2 at c->pos into *ev; c advances only on success. */
static int parse_event2(const struct eventlog *log, struct cursor *c, struct eventlog_event *ev,
			struct tdv_error *err)
{
	struct cursor r = *c;
	size_t at = r.pos;
	uint32_t count;
	if (!cursor_u32(&r, &ev->register_index) || !cursor_u32(&r, &ev->type) ||
	    !cursor_u32(&r, &count))
		return tdv_error_set(err, -EBADMSG, "event log: record at offset %zu is truncated",
				     at);
	if (ev->register_index >= EVENTLOG_MAX_REGISTERS)
		return tdv_error_set(err, -EBADMSG,
				     "event log: record at offset %zu: register index %u out of "
				     "range",
				     at, ev->register_index);
	if (count == 0 || count > log->n_algs)
		return tdv_error_set(err, -EBADMSG,
				     "event log: record at offset %zu: digest count %u (the Spec ID "
				     "table has %zu algorithms)",
				     at, count, log->n_algs);
	for (uint32_t i = 0; i < count; i++) {
		uint16_t alg;
		if (!cursor_u16(&r, &alg))
			return tdv_error_set(err, -EBADMSG,
					     "event log: record at offset %zu is truncated", at);
		size_t sz = eventlog_alg_size(log, alg);
		if (sz == 0)
			return tdv_error_set(err, -EBADMSG,
					     "event log: record at offset %zu: algorithm 0x%04x is "
					     "not in the Spec ID table",
					     at, alg);
		for (uint32_t j = 0; j < i; j++)
			if (ev->digests[j].alg_id == alg)
				return tdv_error_set(err, -EBADMSG,
						     "event log: record at offset %zu: two 0x%04x "
						     "digests",
						     at, alg);
		ev->digests[i] = (struct eventlog_digest){ .alg_id = alg, .size = (uint16_t)sz };
		if (!cursor_bytes(&r, sz, &ev->digests[i].value))
			return tdv_error_set(err, -EBADMSG,
					     "event log: record at offset %zu: digest runs past the "
					     "end",
					     at);
	}
	ev->n_digests = count;
	if (!cursor_u32(&r, &ev->data_len) || !cursor_bytes(&r, ev->data_len, &ev->data))
		return tdv_error_set(err, -EBADMSG,
				     "event log: record at offset %zu: event size %u runs past the "
				     "end (%zu bytes left)",
				     at, ev->data_len, cursor_left(&r));
	ev->offset = at;
	*c = r;
	return 0;
}

/* Is the record at the cursor end-of-log fill rather than an event? */
static bool at_end_fill(const struct cursor *c)
{
	if (cursor_left(c) < 8)
		return rest_is_fill(c);
	uint32_t reg = le32_get(c->buf + c->pos), type = le32_get(c->buf + c->pos + 4);
	return (reg == END_FILL_FF && type == END_FILL_FF) || (reg == 0 && type == 0);
}

static int parse_records(struct eventlog *log, struct cursor *c, enum eventlog_source source,
			 struct tdv_error *err)
{
	while (cursor_left(c) > 0 && !at_end_fill(c)) {
		int r = grow_events(log);
		if (r < 0)
			return tdv_error_set(err, r, "event log: too many events (over %d)",
					     EVENTLOG_MAX_EVENTS);
		struct eventlog_event *ev = &log->events[log->n_events];
		*ev = (struct eventlog_event){ .index = log->n_events, .source = source };
		r = parse_event2(log, c, ev, err);
		if (r < 0)
			return r;
		log->n_events++;
	}
	/* The end marker ends the log only if nothing but fill follows: no hidden records. */
	if (!rest_is_fill(c))
		return tdv_error_set(err, -EBADMSG,
				     "event log: %zu bytes from the end-of-log marker at offset %zu "
				     "are not fill",
				     cursor_left(c), c->pos);
	return 0;
}

int eventlog_parse(const uint8_t *buf, size_t len, struct eventlog **ret_log,
		   struct tdv_error *err)
{
	struct eventlog *log = calloc(1, sizeof(*log));
	if (!log)
		return -ENOMEM;
	struct cursor c = { .buf = buf, .len = len };
	int r = parse_spec_id(log, &c, err);
	if (r >= 0)
		r = parse_records(log, &c, EVENTLOG_SOURCE_FIRMWARE, err);
	if (r < 0) {
		eventlog_free(log);
		return r;
	}
	log->log_len = c.pos;
	*ret_log = log;
	return 0;
}

int eventlog_append_records(struct eventlog *log, const uint8_t *buf, size_t len,
			    struct tdv_error *err)
{
	size_t n_before = log->n_events;
	struct cursor c = { .buf = buf, .len = len };
	int r = parse_records(log, &c, EVENTLOG_SOURCE_AAEL, err);
	if (r < 0)
		log->n_events = n_before;
	return r;
}

const struct eventlog_digest *eventlog_event_digest(const struct eventlog_event *ev,
						   uint16_t alg_id)
{
	for (uint32_t i = 0; i < ev->n_digests; i++)
		if (ev->digests[i].alg_id == alg_id)
			return &ev->digests[i];
	return NULL;
}

enum eventlog_kind eventlog_kind(const struct eventlog *log)
{
	for (size_t i = 0; i < log->n_events; i++) {
		const struct eventlog_event *ev = &log->events[i];
		if (ev->type == EV_NO_ACTION)
			continue;
		if (ev->register_index == 0 || ev->register_index > 4)
			return EVENTLOG_KIND_PCR;
	}
	return EVENTLOG_KIND_CC_MR;
}

static int hash_with(const EVP_MD *md, const void *a, size_t alen, const void *b, size_t blen,
		     uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	int ok = EVP_DigestInit_ex(ctx, md, NULL) && EVP_DigestUpdate(ctx, a, alen) &&
		 EVP_DigestUpdate(ctx, b, blen) && EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

int eventlog_replay(const struct eventlog *log, uint16_t alg_id,
		    uint8_t ret_regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST],
		    bool ret_used[EVENTLOG_MAX_REGISTERS])
{
	size_t size = eventlog_alg_size(log, alg_id);
	if (size == 0)
		return -ENOENT;
	const EVP_MD *md = tcg_alg_md(alg_id);
	if (!md || (size_t)EVP_MD_get_size(md) != size)
		return -EOPNOTSUPP;

	uint8_t regs[EVENTLOG_MAX_REGISTERS][EVENTLOG_MAX_DIGEST] = { { 0 } };
	bool used[EVENTLOG_MAX_REGISTERS] = { false };
	for (size_t i = 0; i < log->n_events; i++) {
		const struct eventlog_event *ev = &log->events[i];
		if (ev->type == EV_NO_ACTION)
			continue;
		const struct eventlog_digest *d = eventlog_event_digest(ev, alg_id);
		if (!d)
			return -EBADMSG;
		uint8_t *reg = regs[ev->register_index]; /* < EVENTLOG_MAX_REGISTERS: parser */
		int r = hash_with(md, reg, size, d->value, size, reg);
		if (r < 0)
			return r;
		used[ev->register_index] = true;
	}
	memcpy(ret_regs, regs, sizeof(regs));
	memcpy(ret_used, used, sizeof(used));
	return 0;
}

int eventlog_event_tagged(const struct eventlog_event *ev, uint32_t *ret_id,
			  const uint8_t **ret_data, uint32_t *ret_len)
{
	if (ev->type != EV_EVENT_TAG || ev->data_len < 8)
		return -EBADMSG;
	uint32_t size = le32_get(ev->data + 4);
	if (size != ev->data_len - 8)
		return -EBADMSG;
	*ret_id = le32_get(ev->data);
	*ret_data = ev->data + 8;
	*ret_len = size;
	return 0;
}

int eventlog_event_aael(const struct eventlog_event *ev, struct aael_event *ret)
{
	uint32_t id, len;
	const uint8_t *data;
	if (eventlog_event_tagged(ev, &id, &data, &len) < 0 || id != AAEL_EVENT_TAG_ID)
		return -EBADMSG;
	*ret = (struct aael_event){ .text = (const char *)data, .text_len = len };
	return 0;
}

/* UEFI_VARIABLE_DATA: GUID ‖ u64 name length (chars) ‖ u64 data length ‖ name ‖ data. */
static bool efi_variable_data(const struct eventlog_event *ev, const uint8_t **ret,
			      size_t *ret_len)
{
	if (ev->data_len < 32)
		return false;
	uint64_t name_chars = le64_get(ev->data + 16), data_len = le64_get(ev->data + 24);
	uint64_t left = ev->data_len - 32;
	if (name_chars > left / 2 || data_len != left - name_chars * 2)
		return false;
	*ret = ev->data + 32 + name_chars * 2;
	*ret_len = (size_t)data_len;
	return true;
}

/* The GRUB EV_IPL strings whose digest is over the text after the prefix. */
static bool grub_string(const struct eventlog_event *ev, const uint8_t **ret, size_t *ret_len)
{
	static const char *const prefixes[] = { "grub_cmd: ", "kernel_cmdline: ",
						"module_cmdline: " };
	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (ev->data_len < n || memcmp(ev->data, prefixes[i], n) != 0)
			continue;
		size_t len = ev->data_len - n;
		if (len > 0 && ev->data[ev->data_len - 1] == '\0')
			len--;
		*ret = ev->data + n;
		*ret_len = len;
		return true;
	}
	return false;
}

/* Which bytes of the event's own data the firmware hashed; false when none of them. */
static bool recompute_input(const struct eventlog_event *ev, bool *ret_malformed,
			    const uint8_t **ret, size_t *ret_len)
{
	*ret_malformed = false;
	*ret = ev->data;
	*ret_len = ev->data_len;
	switch (ev->type) {
	case EV_SEPARATOR:
	case EV_ACTION:
	case EV_EFI_ACTION:
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
	case EV_EFI_VARIABLE_AUTHORITY:
	case EV_EFI_VARIABLE_BOOT2:
	case EV_EFI_GPT_EVENT:
		return true;
	case EV_EFI_VARIABLE_BOOT:
		if (!efi_variable_data(ev, ret, ret_len))
			*ret_malformed = true;
		return true;
	case EV_IPL:
		return grub_string(ev, ret, ret_len);
	case EV_EVENT_TAG: {
		/* Only AAEL events hash their own structure; other tags cover outside data. */
		struct aael_event a;
		return eventlog_event_aael(ev, &a) == 0;
	}
	default:
		return false;
	}
}

enum eventlog_recompute eventlog_event_recompute(const struct eventlog_event *ev,
						 const struct eventlog_digest *digest)
{
	const EVP_MD *md = tcg_alg_md(digest->alg_id);
	const uint8_t *in;
	size_t in_len;
	bool malformed;
	if (!md || (size_t)EVP_MD_get_size(md) != digest->size)
		return EVENTLOG_RECOMPUTE_NA;
	if (!recompute_input(ev, &malformed, &in, &in_len))
		return EVENTLOG_RECOMPUTE_NA;
	if (malformed)
		return EVENTLOG_RECOMPUTE_MISMATCH;
	uint8_t out[EVP_MAX_MD_SIZE];
	if (hash_with(md, in, in_len, "", 0, out) < 0)
		return EVENTLOG_RECOMPUTE_MISMATCH; /* fail closed: never "match" on doubt */
	return digest_equal(out, digest->value, digest->size) ? EVENTLOG_RECOMPUTE_MATCH
							      : EVENTLOG_RECOMPUTE_MISMATCH;
}
