/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verity part of the measured kernel command line: build it (tdverity-build) and
 * read it back strictly (tdverity-init; tdverity-verify through lib/host/manifest.c
 * build_manifest_check_cmdline(), so both read the line with this one parser).
 *
 * Threat: the command line is measured, but whatever /init reads from it decides which
 * blocks are trusted.  So the reader accepts exactly one spelling of each parameter, no
 * duplicates (a second "roothash=" that some other reader might prefer), no option it
 * does not understand (ignore-corruption would silently weaken the mapping) and no value
 * it would have to guess about.
 */
#include "kernel-cmdline/cmdline.h"

#include "core/measure.h"

#include "core/digest.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_ROOTHASH "roothash"
#define KEY_DATA "systemd.verity_root_data"
#define KEY_HASH "systemd.verity_root_hash"
#define KEY_OPTIONS "systemd.verity_root_options"
#define KEY_MEASURE "tdverity.measure"
#define KEY_RTMR "tdverity.rtmr"
#define KEY_PCR "tdverity.pcr"
#define KEY_INIT "tdverity.init"
#define KEY_TIMEOUT "tdverity.timeout"

#define BLOCK_SIZE_MIN 512U
#define BLOCK_SIZE_MAX (1024U * 1024U)
#define TIMEOUT_MAX 3600U

static const char *const measure_names[] = {
	[MEASURE_AUTO] = "auto",
	[MEASURE_TDX] = "tdx",
	[MEASURE_TPM] = "tpm",
	[MEASURE_NONE] = "none",
};

int measure_backend_from_name(const char *name, enum measure_backend *ret)
{
	for (size_t i = 0; name && i < ELEMENTSOF(measure_names); i++)
		if (strcmp(name, measure_names[i]) == 0) {
			*ret = (enum measure_backend)i;
			return 0;
		}
	return -EINVAL;
}

void verity_cmdline_init(struct verity_cmdline *v)
{
	*v = (struct verity_cmdline){
		.on_corruption = VERITY_ON_CORRUPTION_PANIC,
		.measure = MEASURE_AUTO,
		.rtmr = 3,
		.pcr = 15,
		.timeout_sec = 10,
	};
	v->root.params.alg = HASH_SHA256;
	v->root.params.data_block_size = 4096;
	v->root.params.hash_block_size = 4096;
	v->root.params.superblock = true;
	strcpy(v->init, "/sbin/init");
}

/* ---- value parsers: all strict, all canonical ---------------------------------------- */

/* Decimal without sign, spaces or leading zeros ("0" itself is fine). */
static int parse_u64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;
	if (!s || !*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (!mul_ok(v, 10, &v) || !add_ok(v, (uint64_t)(*s - '0'), &v))
			return -ERANGE;
	}
	*ret = v;
	return 0;
}

static int parse_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *ret)
{
	uint64_t v;
	if (parse_u64(s, &v) < 0 || v < min || v > max)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static bool is_power_of_two(uint64_t v) { return v && !(v & (v - 1)); }

static int parse_block_size(const char *s, uint32_t *ret)
{
	uint32_t v;
	if (parse_u32_range(s, BLOCK_SIZE_MIN, BLOCK_SIZE_MAX, &v) < 0 || !is_power_of_two(v))
		return -EINVAL;
	*ret = v;
	return 0;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 8-4-4-4-12 hex digits, bytes in textual order (as blkid and systemd print them). */
static int parse_uuid(const char *s, uint8_t out[16])
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	char hex[33];
	size_t n = 0;
	if (!s || strlen(s) != 36)
		return -EINVAL;
	for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
		for (int i = 0; i < groups[g]; i++, s++) {
			if (!is_hex(*s))
				return -EINVAL;
			hex[n++] = *s;
		}
		if (g + 1 < ELEMENTSOF(groups) && *s++ != '-')
			return -EINVAL;
	}
	hex[n] = '\0';
	return hex_decode_exact(hex, out, 16);
}

static void format_uuid(const uint8_t u[16], char out[37])
{
	char hex[33];
	hex_encode(u, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static bool uuid_is_null(const uint8_t u[16])
{
	for (int i = 0; i < 16; i++)
		if (u[i])
			return false;
	return true;
}

/* A word of the cmdline that needs no quoting: printable ASCII, no space, no quote. */
static bool is_plain_word(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '"')
			return false;
	return true;
}

/* An absolute path without ".", ".." or empty components and no trailing '/'. */
static bool is_clean_absolute_path(const char *p)
{
	if (p[0] != '/' || !p[1] || !is_plain_word(p))
		return false;
	for (const char *c = p; *c;) {
		c++; /* past the '/' */
		size_t len = strcspn(c, "/");
		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += len;
	}
	return true;
}

/* PARTUUID=<uuid> or an absolute /dev/ path. */
static int parse_selector(const char *s, char out[VERITY_SELECTOR_MAX])
{
	const char *rest;
	uint8_t u[16];
	if (!s || strlen(s) >= VERITY_SELECTOR_MAX)
		return -EINVAL;
	if (startswith(s, "PARTUUID=", &rest)) {
		if (parse_uuid(rest, u) < 0)
			return -EINVAL;
	} else if (!startswith(s, "/dev/", NULL) || !is_clean_absolute_path(s)) {
		return -EINVAL;
	}
	strcpy(out, s);
	return 0;
}

static int parse_salt(const char *s, struct verity_params *p)
{
	size_t n;
	if (!s)
		return -EINVAL;
	if (strcmp(s, "-") == 0) { /* veritysetup's spelling of "no salt" */
		p->salt_size = 0;
		return 0;
	}
	if (!*s || hex_decode(s, p->salt, VERITY_MAX_SALT, &n) < 0 || n == 0)
		return -EINVAL;
	p->salt_size = (uint16_t)n;
	return 0;
}

/* ---- systemd.verity_root_options ------------------------------------------------------ */

enum opt_id {
	OPT_HASH,
	OPT_SALT,
	OPT_DATA_BLOCK_SIZE,
	OPT_HASH_BLOCK_SIZE,
	OPT_DATA_BLOCKS,
	OPT_HASH_OFFSET,
	OPT_SUPERBLOCK,
	OPT_UUID,
	OPT_FORMAT,
	OPT_PANIC,
	OPT_RESTART,
	_OPT_MAX,
};

static const struct {
	const char *name;
	bool takes_value;
	bool required;
} options[_OPT_MAX] = {
	[OPT_HASH] = { "hash", true, true },
	[OPT_SALT] = { "salt", true, true },
	[OPT_DATA_BLOCK_SIZE] = { "data-block-size", true, true },
	[OPT_HASH_BLOCK_SIZE] = { "hash-block-size", true, true },
	[OPT_DATA_BLOCKS] = { "data-blocks", true, true },
	[OPT_HASH_OFFSET] = { "hash-offset", true, true },
	[OPT_SUPERBLOCK] = { "superblock", true, true },
	[OPT_UUID] = { "uuid", true, false },
	[OPT_FORMAT] = { "format", true, false },
	[OPT_PANIC] = { "panic-on-corruption", false, false },
	[OPT_RESTART] = { "restart-on-corruption", false, false },
};

static int fail(const char **ret_err, const char *why)
{
	if (ret_err)
		*ret_err = why;
	return -EINVAL;
}

static int apply_option(enum opt_id id, const char *value, struct verity_cmdline *v,
			const char **ret_err)
{
	struct verity_params *p = &v->root.params;
	uint64_t u;
	switch (id) {
	case OPT_HASH:
		if (hash_alg_from_name(value, &p->alg) < 0)
			return fail(ret_err, KEY_OPTIONS ": hash= names no supported algorithm");
		return 0;
	case OPT_SALT:
		if (parse_salt(value, p) < 0)
			return fail(ret_err, KEY_OPTIONS ": salt= is not '-' or 1..256 hex bytes");
		return 0;
	case OPT_DATA_BLOCK_SIZE:
		if (parse_block_size(value, &p->data_block_size) < 0)
			return fail(ret_err, KEY_OPTIONS ": data-block-size= is not a power of two in 512..1048576");
		return 0;
	case OPT_HASH_BLOCK_SIZE:
		if (parse_block_size(value, &p->hash_block_size) < 0)
			return fail(ret_err, KEY_OPTIONS ": hash-block-size= is not a power of two in 512..1048576");
		return 0;
	case OPT_DATA_BLOCKS:
		if (parse_u64(value, &p->data_blocks) < 0 || p->data_blocks == 0)
			return fail(ret_err, KEY_OPTIONS ": data-blocks= is not a positive decimal number");
		return 0;
	case OPT_HASH_OFFSET:
		if (parse_u64(value, &p->hash_offset) < 0)
			return fail(ret_err, KEY_OPTIONS ": hash-offset= is not a decimal byte offset");
		return 0;
	case OPT_SUPERBLOCK:
		if (value && strcmp(value, "true") == 0)
			p->superblock = true;
		else if (value && strcmp(value, "false") == 0)
			p->superblock = false;
		else
			return fail(ret_err, KEY_OPTIONS ": superblock= is not true or false");
		return 0;
	case OPT_UUID:
		if (parse_uuid(value, p->uuid) < 0)
			return fail(ret_err, KEY_OPTIONS ": uuid= is not a UUID");
		return 0;
	case OPT_FORMAT:
		if (parse_u64(value, &u) < 0 || u != 1)
			return fail(ret_err, KEY_OPTIONS ": only format=1 is supported");
		return 0;
	case OPT_PANIC:
		v->on_corruption = VERITY_ON_CORRUPTION_PANIC;
		return 0;
	case OPT_RESTART:
		v->on_corruption = VERITY_ON_CORRUPTION_RESTART;
		return 0;
	default:
		return fail(ret_err, KEY_OPTIONS ": unknown option");
	}
}

static int parse_options(const char *text, struct verity_cmdline *v, const char **ret_err)
{
	bool seen[_OPT_MAX] = { false };
	_cleanup_free_ char *buf = strdup(text);
	if (!buf)
		return -ENOMEM;

	for (char *tok = buf, *end; tok; tok = end) {
		end = strchr(tok, ',');
		if (end)
			*end++ = '\0';
		if (!*tok)
			return fail(ret_err, KEY_OPTIONS ": empty option");
		char *value = strchr(tok, '=');
		if (value)
			*value++ = '\0';

		enum opt_id id;
		for (id = 0; id < _OPT_MAX; id++)
			if (strcmp(options[id].name, tok) == 0)
				break;
		if (id == _OPT_MAX)
			return fail(ret_err, KEY_OPTIONS ": unknown option");
		if (seen[id])
			return fail(ret_err, KEY_OPTIONS ": option given twice");
		if (options[id].takes_value != !!value)
			return fail(ret_err, options[id].takes_value
						     ? KEY_OPTIONS ": option needs a value"
						     : KEY_OPTIONS ": option takes no value");
		seen[id] = true;
		int r = apply_option(id, value, v, ret_err);
		if (r < 0)
			return r;
	}

	for (enum opt_id id = 0; id < _OPT_MAX; id++)
		if (options[id].required && !seen[id])
			return fail(ret_err, KEY_OPTIONS ": a required option (hash, salt, "
					     "data-block-size, hash-block-size, data-blocks, "
					     "hash-offset, superblock) is missing");
	if (seen[OPT_PANIC] == seen[OPT_RESTART])
		return fail(ret_err, KEY_OPTIONS ": exactly one of panic-on-corruption and "
				     "restart-on-corruption is required");
	if (seen[OPT_UUID] && !v->root.params.superblock)
		return fail(ret_err, KEY_OPTIONS ": uuid= needs superblock=true");
	if (v->root.params.hash_offset % v->root.params.hash_block_size)
		return fail(ret_err, KEY_OPTIONS ": hash-offset= is not a multiple of hash-block-size");
	return 0;
}

/* ---- the whole set --------------------------------------------------------------------- */

static const char *const known_tdverity_keys[] = {
	KEY_MEASURE, KEY_RTMR, KEY_PCR, KEY_INIT, KEY_TIMEOUT,
};

/* Every "tdverity.*" and "systemd.verity_root_*" parameter must be one we know. */
static int check_unknown(const struct cmdline *c, const char **ret_err)
{
	for (size_t i = 0; i < c->n_params; i++) {
		const char *k = c->params[i].key;
		bool known = false;
		if (startswith(k, "tdverity.", NULL)) {
			for (size_t j = 0; j < ELEMENTSOF(known_tdverity_keys); j++)
				known = known || cmdline_key_equal(k, known_tdverity_keys[j]);
			if (!known)
				return fail(ret_err, "unknown tdverity.* parameter");
		}
		if (cmdline_key_equal(k, KEY_DATA) || cmdline_key_equal(k, KEY_HASH) ||
		    cmdline_key_equal(k, KEY_OPTIONS))
			continue;
		char norm[64];
		snprintf(norm, sizeof(norm), "%s", k);
		for (char *p = norm; *p; p++)
			if (*p == '-')
				*p = '_';
		if (startswith(norm, "systemd.verity_root_", NULL))
			return fail(ret_err, "unknown systemd.verity_root_* parameter");
	}
	return 0;
}

/*
 * The value of a parameter that may appear at most once.  Returns 1 and *ret_value when
 * present with a value, 0 when absent, -EINVAL (with the reason) when duplicated or
 * given without '='.
 */
static int unique_value(const struct cmdline *c, const char *key, const char *dup_err,
			const char *novalue_err, const char **ret_value, const char **ret_err)
{
	size_t n = cmdline_count(c, key);
	if (n == 0)
		return 0;
	if (n > 1)
		return fail(ret_err, dup_err);
	const char *value = cmdline_get_unique(c, key);
	if (!value)
		return fail(ret_err, novalue_err);
	*ret_value = value;
	return 1;
}

#define UNIQUE(c, key, out, err) \
	unique_value(c, key, key ": given more than once", key ": needs a value", out, err)

static int parse_required(const struct cmdline *c, struct verity_cmdline *v, const char **ret_err)
{
	const char *value;
	int r;

	r = UNIQUE(c, KEY_OPTIONS, &value, ret_err);
	if (r <= 0)
		return r < 0 ? r : fail(ret_err, KEY_OPTIONS ": missing");
	r = parse_options(value, v, ret_err);
	if (r < 0)
		return r;

	r = UNIQUE(c, KEY_ROOTHASH, &value, ret_err);
	if (r <= 0)
		return r < 0 ? r : fail(ret_err, KEY_ROOTHASH ": missing");
	size_t size = hash_alg_size(v->root.params.alg);
	if (strlen(value) != 2 * size || hex_decode_exact(value, v->root.root_hash, size) < 0)
		return fail(ret_err, KEY_ROOTHASH ": not a hex digest of the hash= algorithm's size");

	r = UNIQUE(c, KEY_DATA, &value, ret_err);
	if (r <= 0)
		return r < 0 ? r : fail(ret_err, KEY_DATA ": missing");
	if (parse_selector(value, v->data_device) < 0)
		return fail(ret_err, KEY_DATA ": not PARTUUID=<uuid> or a /dev/ path");

	r = UNIQUE(c, KEY_HASH, &value, ret_err);
	if (r <= 0)
		return r < 0 ? r : fail(ret_err, KEY_HASH ": missing");
	if (parse_selector(value, v->hash_device) < 0)
		return fail(ret_err, KEY_HASH ": not PARTUUID=<uuid> or a /dev/ path");
	return 0;
}

static int parse_optional(const struct cmdline *c, struct verity_cmdline *v, const char **ret_err)
{
	const char *value;
	int r;

	r = UNIQUE(c, KEY_MEASURE, &value, ret_err);
	if (r < 0)
		return r;
	if (r > 0 && measure_backend_from_name(value, &v->measure) < 0)
		return fail(ret_err, KEY_MEASURE ": not auto, tdx, tpm or none");

	r = UNIQUE(c, KEY_RTMR, &value, ret_err);
	if (r < 0)
		return r;
	if (r > 0 && parse_u32_range(value, 2, 3, &v->rtmr) < 0)
		return fail(ret_err, KEY_RTMR ": not 2 or 3");

	r = UNIQUE(c, KEY_PCR, &value, ret_err);
	if (r < 0)
		return r;
	/* Threat: PCRs 0-7 hold the firmware's measurements and 16/23 can be reset from
	 * locality 0; the rootfs event there could be confused with or erased from them. */
	if (r > 0 && parse_u32_range(value, TDVERITY_PCR_MIN, TDVERITY_PCR_MAX, &v->pcr) < 0)
		return fail(ret_err, KEY_PCR ": not a number in 8..15");

	r = UNIQUE(c, KEY_INIT, &value, ret_err);
	if (r < 0)
		return r;
	if (r > 0) {
		if (strlen(value) >= sizeof(v->init) || !is_clean_absolute_path(value))
			return fail(ret_err, KEY_INIT ": not a clean absolute path");
		strcpy(v->init, value);
	}

	r = UNIQUE(c, KEY_TIMEOUT, &value, ret_err);
	if (r < 0)
		return r;
	if (r > 0 && parse_u32_range(value, 1, TIMEOUT_MAX, &v->timeout_sec) < 0)
		return fail(ret_err, KEY_TIMEOUT ": not a number of seconds in 1..3600");
	return 0;
}

int verity_cmdline_parse(const struct cmdline *c, struct verity_cmdline *ret, const char **ret_err)
{
	struct verity_cmdline v;
	int r;

	if (!c || !ret)
		return fail(ret_err, "no command line");
	verity_cmdline_init(&v);
	r = check_unknown(c, ret_err);
	if (r < 0)
		return r;
	r = parse_required(c, &v, ret_err);
	if (r < 0)
		return r;
	r = parse_optional(c, &v, ret_err);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

/* ---- building -------------------------------------------------------------------------- */

static int build_options(const struct verity_cmdline *v, char **ret)
{
	const struct verity_params *p = &v->root.params;
	_cleanup_free_ char *salt = p->salt_size ? hex_encode_alloc(p->salt, p->salt_size)
						 : strdup("-");
	char uuid[64] = "";
	const char *alg = hash_alg_name(p->alg);
	if (!salt)
		return -ENOMEM;
	if (!alg)
		return -EINVAL;
	if (p->superblock && !uuid_is_null(p->uuid)) {
		char u[37];
		format_uuid(p->uuid, u);
		snprintf(uuid, sizeof(uuid), "uuid=%s,", u);
	}
	if (asprintf(ret,
		     "hash=%s,salt=%s,data-block-size=%u,hash-block-size=%u,data-blocks=%llu,"
		     "hash-offset=%llu,superblock=%s,%s%s",
		     alg, salt, p->data_block_size, p->hash_block_size,
		     (unsigned long long)p->data_blocks, (unsigned long long)p->hash_offset,
		     p->superblock ? "true" : "false", uuid,
		     v->on_corruption == VERITY_ON_CORRUPTION_RESTART ? "restart-on-corruption"
								     : "panic-on-corruption") < 0)
		return -ENOMEM;
	return 0;
}

int verity_cmdline_build(const struct verity_cmdline *v, char **ret_text)
{
	if (!v || !ret_text || (unsigned)v->measure >= ELEMENTSOF(measure_names) ||
	    hash_alg_size(v->root.params.alg) == 0)
		return -EINVAL;

	_cleanup_free_ char *opts = NULL, *root = NULL, *text = NULL;
	char num[3][24];
	int r = build_options(v, &opts);
	if (r < 0)
		return r;
	root = hex_encode_alloc(v->root.root_hash, hash_alg_size(v->root.params.alg));
	if (!root)
		return -ENOMEM;
	snprintf(num[0], sizeof(num[0]), "%u", v->rtmr);
	snprintf(num[1], sizeof(num[1]), "%u", v->pcr);
	snprintf(num[2], sizeof(num[2]), "%u", v->timeout_sec);

	const char *pairs[][2] = {
		{ KEY_ROOTHASH, root },
		{ KEY_DATA, v->data_device },
		{ KEY_HASH, v->hash_device },
		{ KEY_OPTIONS, opts },
		{ KEY_MEASURE, measure_names[v->measure] },
		{ KEY_RTMR, num[0] },
		{ KEY_PCR, num[1] },
		{ KEY_INIT, v->init },
		{ KEY_TIMEOUT, num[2] },
	};
	for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
		/* Every value must be one plain word: a quoted one would read differently. */
		if (!is_plain_word(pairs[i][1]))
			return -EINVAL;
		r = cmdline_append(&text, pairs[i][0], pairs[i][1]);
		if (r < 0)
			return r;
	}

	/* What we write must be what we (and so /init) read back: refuse anything else. */
	struct cmdline *parsed = NULL;
	struct verity_cmdline back;
	r = cmdline_parse(text, &parsed);
	if (r < 0)
		return -EINVAL;
	r = verity_cmdline_parse(parsed, &back, NULL);
	cmdline_free(parsed);
	if (r < 0)
		return -EINVAL;
	*ret_text = TAKE_PTR(text);
	return 0;
}

int verity_cmdline_measure_targets(const char *text, struct verity_cmdline *ret,
				   const char **ret_err)
{
	struct cmdline *c = NULL;
	struct verity_cmdline v;
	if (!text || cmdline_parse(text, &c) < 0)
		return fail(ret_err, "the command line has an unterminated quote");
	verity_cmdline_init(&v);
	int r = check_unknown(c, ret_err);
	if (r >= 0)
		r = parse_optional(c, &v, ret_err);
	cmdline_free(c);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

bool verity_cmdline_owns_key(const char *key)
{
	static const char *const keys[] = { KEY_ROOTHASH, KEY_DATA, KEY_HASH, KEY_OPTIONS };
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (cmdline_key_equal(key, keys[i]))
			return true;
	/* Unknown tdverity.* keys are verity_cmdline_parse()'s to refuse. */
	return startswith(key, "tdverity.", NULL);
}

int verity_cmdline_parse_text(const char *text, struct verity_cmdline *ret, const char **ret_err)
{
	struct cmdline *c = NULL;
	if (!text || cmdline_parse(text, &c) < 0)
		return fail(ret_err, "the command line has an unterminated quote");
	int r = verity_cmdline_parse(c, ret, ret_err);
	cmdline_free(c);
	return r;
}

int verity_cmdline_build_with_extra(const struct verity_cmdline *v, const char *extra,
				    char **ret_text, const char **ret_err)
{
	_cleanup_free_ char *text = NULL;
	int r = cmdline_check_extra(extra, ret_err);
	if (r < 0)
		return r;
	r = verity_cmdline_build(v, &text);
	if (r < 0)
		return fail(ret_err, "the verity parameters cannot be written as a command line");
	/* `ro`: the root is a read-only dm-verity device, and systemd in it must know that
	 * (without it systemd-remount-fs tries to make it writable); the kernel ignores it
	 * when an initrd mounts the root. */
	r = cmdline_append(&text, "ro", NULL);
	if (r < 0)
		return r;
	if (extra && *extra) {
		char *joined;
		if (asprintf(&joined, "%s %s", text, extra) < 0)
			return -ENOMEM;
		free(text);
		text = joined;
	}
	/* The firmware adds initrd=initrd (expected.h): the kernel must still keep it all. */
	if (strlen(text) + strlen(" " CMDLINE_FIRMWARE_INITRD) > CMDLINE_MAX_LEN)
		return fail(ret_err, "the command line would be longer than the kernel keeps "
				     "(2047 bytes, with the firmware's initrd=initrd)");
	/* The whole line, as the verifier will hold it (one rule set): words after "--",
	 * a key given twice by the addition and the builder, ... */
	static char why[300];
	const struct cmdline_line_policy policy = {
		.has_initrd = true,
		.allow_unmeasured = v->measure == MEASURE_NONE, /* the builder's own choice */
	};
	if (cmdline_screen_line(text, &policy, why, sizeof(why)) < 0)
		return fail(ret_err, why);
	*ret_text = TAKE_PTR(text);
	return 0;
}

void verity_cmdline_init_argv(const struct verity_cmdline *v, const char *ret_argv[2])
{
	ret_argv[0] = v->init;
	ret_argv[1] = NULL;
}

int verity_cmdline_rootfs_event(const struct verity_cmdline *v, char **ret_content,
				uint8_t **ret_data, size_t *ret_len)
{
	/* tdverity.measure=none measures nothing: there is no event. */
	if ((unsigned)v->measure >= ELEMENTSOF(measure_names) || v->measure == MEASURE_NONE)
		return -EINVAL;
	const char *argv[2];
	verity_cmdline_init_argv(v, argv);
	const struct rootfs_event_run run = {
		.init = v->init,
		.argv = argv,
		.measure = measure_names[v->measure],
		.on_corruption = v->on_corruption == VERITY_ON_CORRUPTION_RESTART ? "restart" : "panic",
	};
	_cleanup_free_ char *content = NULL;
	int r = rootfs_event_content(&v->root, &run, &content);
	if (r == 0 && ret_data)
		r = rootfs_event_data(&v->root, &run, ret_data, ret_len);
	if (r == 0 && ret_content)
		*ret_content = TAKE_PTR(content);
	return r;
}
