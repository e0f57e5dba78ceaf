/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every identifier of a build (verity salt and superblock UUID, ext4 UUID and htree hash
 * seed, disk GUID) derives from the inputs: no randomness, so two builds of the same
 * inputs are bit-identical (docs/DESIGN.md decision 2).  Each identifier has its own label, so
 * knowing one (the salt and UUIDs are public) reveals nothing about the others beyond the
 * master digest they share, and no two can be equal by construction.
 */
#include "builder/build.h"

#include "core/util.h"

#include <stdlib.h>
#include <string.h>

#define DERIVE_DOMAIN "tdverity-build derivation v1"

static int cmp_inputs(const void *a, const void *b)
{
	const struct derive_input *x = a, *y = b;
	int r = strcmp(x->role, y->role);
	return r ? r : memcmp(x->sha256, y->sha256, 32);
}

static bool update(struct digest_stream *s, const void *data, size_t len)
{
	return digest_stream_update(s, data, len) == 0;
}

static bool update_u64(struct digest_stream *s, uint64_t v)
{
	uint8_t b[8];
	le64_put(b, v);
	return update(s, b, sizeof(b));
}

static int compute_master(const char *seed, uint64_t epoch, enum hash_alg alg,
			  const struct derive_input *sorted, size_t n, uint8_t out[32])
{
	struct digest_stream s;
	const char *alg_name = hash_alg_name(alg);
	if (!alg_name)
		return -EINVAL;
	bool ok = digest_stream_init(&s, HASH_SHA256) == 0 &&
		  update(&s, DERIVE_DOMAIN, sizeof(DERIVE_DOMAIN)) && /* with its NUL */
		  update_u64(&s, strlen(seed)) && update(&s, seed, strlen(seed)) &&
		  update_u64(&s, epoch) && update(&s, alg_name, strlen(alg_name) + 1) &&
		  update_u64(&s, n);
	for (size_t i = 0; ok && i < n; i++)
		ok = update(&s, sorted[i].role, strlen(sorted[i].role) + 1) &&
		     update(&s, sorted[i].sha256, 32);
	return ok && digest_stream_final(&s, out) == 0 ? 0 : -EIO;
}

static int derive_one(const uint8_t master[32], const char *label, uint8_t *out, size_t len)
{
	char prefixed[64];
	uint8_t d[32];
	int n = snprintf(prefixed, sizeof(prefixed), "tdverity %s", label);
	if (n < 0 || (size_t)n >= sizeof(prefixed) || len > sizeof(d))
		return -EINVAL;
	int r = digest_two(HASH_SHA256, prefixed, (size_t)n + 1, master, 32, d);
	if (r < 0)
		return r;
	memcpy(out, d, len);
	return 0;
}

/* RFC 4122 version 4 (random) and variant bits: what the derived bytes stand in for. */
static void make_uuid_v4(uint8_t u[16])
{
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
}

int derive_ids(const char *seed, uint64_t epoch, enum hash_alg alg, const struct derive_input *in,
	       size_t n, struct derived_ids *ret)
{
	struct derived_ids ids;
	_cleanup_free_ struct derive_input *sorted = NULL;
	int r;

	if (!seed || (n && !in))
		return -EINVAL;
	if (n) {
		sorted = calloc(n, sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
		memcpy(sorted, in, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_inputs);
	}
	r = compute_master(seed, epoch, alg, sorted, n, ids.master);
	if (r < 0)
		return r;

	const struct {
		const char *label;
		uint8_t *out;
		size_t len;
		bool uuid;
	} items[] = {
		{ "salt", ids.salt, sizeof(ids.salt), false },
		{ "ext4-uuid", ids.fs_uuid, 16, true },
		{ "ext4-hash-seed", ids.hash_seed, 16, true },
		{ "verity-uuid", ids.verity_uuid, 16, true },
		{ "disk-guid", ids.disk_guid, 16, true },
	};
	for (size_t i = 0; i < ELEMENTSOF(items); i++) {
		r = derive_one(ids.master, items[i].label, items[i].out, items[i].len);
		if (r < 0)
			return r;
		if (items[i].uuid)
			make_uuid_v4(items[i].out);
	}
	*ret = ids;
	return 0;
}
