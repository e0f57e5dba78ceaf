/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test tool for tests/vm: what a vTPM guest's PCR and event log must hold after
 * tdverity-init measured the rootfs, computed offline from the builder's manifest.json
 * with the core's event functions (lib/core/measure.h).
 *
 *   rootfs-pcr MANIFEST pcr BANK            the PCR value after one extend from zeros
 *   rootfs-pcr MANIFEST check-log FILE PCR  FILE must be exactly one TCG2 record: register
 *                                           PCR, EV_EVENT_TAG, one digest per bank, each
 *                                           the bank's hash of the expected event data, and
 *                                           nothing else.  Prints the banks it found.
 * Exit 0 ok, 1 mismatch (one line why), 2 usage, 3 bad input.
 */
#include "core/digest.h"
#include "core/measure.h"
#include "core/util.h"
#include "host/manifest.h"

#include <string.h>

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("rootfs-pcr: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

struct params {
	struct build_manifest m;
};

/* manifest.json through its one reader (lib/host). */
static int load_manifest(const char *path, struct params *out)
{
	struct tdv_error err = { { 0 } };
	if (build_manifest_load(path, &out->m, &err) < 0)
		return fail(3, "%s", err.msg);
	return 0;
}

static int cmd_pcr(const struct params *m, const char *bank)
{
	enum hash_alg alg;
	_cleanup_free_ uint8_t *event = NULL;
	size_t event_len;
	uint8_t digest[DIGEST_MAX_SIZE], pcr[DIGEST_MAX_SIZE] = { 0 };
	char hex[2 * DIGEST_MAX_SIZE + 1];

	if (hash_alg_from_bank_name(bank, &alg) < 0)
		return fail(2, "unknown bank %s", bank);
	if (build_manifest_rootfs_event(&m->m, &event, &event_len) < 0 ||
	    digest_buf(alg, event, event_len, digest) < 0 || mr_extend(alg, pcr, digest) < 0)
		return fail(3, "cannot compute the event");
	hex_encode(pcr, hash_alg_size(alg), hex);
	puts(hex);
	return 0;
}

static int cmd_check_log(const struct params *m, const char *file, uint32_t pcr_index)
{
	_cleanup_free_ uint8_t *log = NULL, *event = NULL;
	size_t len, event_len, off = 0;

	if (read_full_file(file, 1 << 20, &log, &len) < 0)
		return fail(3, "%s: unreadable", file);
	if (build_manifest_rootfs_event(&m->m, &event, &event_len) < 0)
		return fail(3, "cannot compute the event");
	if (len < 12)
		return fail(1, "%s: %zu bytes, shorter than a record header", file, len);
	uint32_t index = le32_get(log), type = le32_get(log + 4), count = le32_get(log + 8);
	off = 12;
	if (index != pcr_index)
		return fail(1, "record register %u, expected %u", index, pcr_index);
	if (type != EV_EVENT_TAG)
		return fail(1, "record type 0x%x, expected EV_EVENT_TAG", type);
	if (count == 0 || count > 8)
		return fail(1, "record has %u digests", count);
	for (uint32_t i = 0; i < count; i++) {
		enum hash_alg alg;
		uint8_t want[DIGEST_MAX_SIZE];
		if (len - off < 2 || hash_alg_from_tcg_id(le16_get(log + off), &alg) < 0)
			return fail(1, "digest %u: bad or unknown algorithm", i);
		off += 2;
		size_t n = hash_alg_size(alg);
		if (len - off < n)
			return fail(1, "digest %u runs past the end", i);
		if (digest_buf(alg, event, event_len, want) < 0)
			return fail(3, "cannot hash");
		if (!digest_equal(log + off, want, n))
			return fail(1, "digest %u (%s) is not the hash of the expected event", i,
				    hash_alg_name(alg));
		printf("%s\n", hash_alg_name(alg));
		off += n;
	}
	if (len - off < 4)
		return fail(1, "event size runs past the end");
	uint32_t size = le32_get(log + off);
	off += 4;
	if (size != event_len || len - off < size || memcmp(log + off, event, event_len) != 0)
		return fail(1, "event data differs from the expected rootfs event");
	off += size;
	if (off != len)
		return fail(1, "%zu bytes after the one record", len - off);
	return 0;
}

int main(int argc, char **argv)
{
	struct params m = { 0 };
	if (argc < 4)
		return fail(2, "usage: rootfs-pcr MANIFEST pcr BANK | check-log FILE PCR");
	int r = load_manifest(argv[1], &m);
	if (r)
		return r;
	if (strcmp(argv[2], "pcr") == 0)
		return cmd_pcr(&m, argv[3]);
	if (strcmp(argv[2], "check-log") == 0 && argc == 5)
		return cmd_check_log(&m, argv[3], (uint32_t)strtoul(argv[4], NULL, 10));
	return fail(2, "usage: rootfs-pcr MANIFEST pcr BANK | check-log FILE PCR");
}
