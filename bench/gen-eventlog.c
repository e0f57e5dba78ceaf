/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Write a synthetic CCEL-style event log for the replay benchmark: the Spec ID header
 * (SHA-384 only) and N TCG_PCR_EVENT2 records over RTMR0..3, cycling through event kinds
 * whose digests `replay` recomputes (EFI actions, GRUB strings, separators, AAEL events)
 * and one it cannot (an image load).  Usage: gen-eventlog N OUT
 */
#include "core/digest.h"
#include "core/measure.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

static int put_spec_id(FILE *f)
{
	uint8_t rec[32 + 33] = { 0 };
	le32_put(rec + 4, EV_NO_ACTION);
	le32_put(rec + 28, 33);
	memcpy(rec + 32, "Spec ID Event03", 16);
	memcpy(rec + 32 + 20, "\x00\x02\x00\x02", 4);
	le32_put(rec + 32 + 24, 1);
	le16_put(rec + 32 + 28, 0x000C);
	le16_put(rec + 32 + 30, 48);
	return fwrite(rec, sizeof(rec), 1, f) == 1 ? 0 : -EIO;
}

static int put_event(FILE *f, uint32_t mr, uint32_t type, const void *hashed, size_t hlen,
		     const void *data, size_t len)
{
	struct tcg2_digest d = { .alg = HASH_SHA384 };
	uint8_t *rec;
	size_t rec_len;
	int r = digest_buf(HASH_SHA384, hashed, hlen, d.value);
	if (r < 0)
		return r;
	r = tcg2_record_encode(mr, type, &d, 1, data, len, &rec, &rec_len);
	if (r < 0)
		return r;
	r = fwrite(rec, rec_len, 1, f) == 1 ? 0 : -EIO;
	free(rec);
	return r;
}

static int put_nth(FILE *f, unsigned long i)
{
	char text[160];
	switch (i % 5) {
	case 0:
		snprintf(text, sizeof(text), "Exit Boot Services Invocation %lu", i);
		return put_event(f, 2, 0x80000007, text, strlen(text), text, strlen(text));
	case 1: {
		int n = snprintf(text, sizeof(text), "grub_cmd: set timeout=%lu", i);
		return put_event(f, 3, EV_IPL, text + 10, (size_t)n - 10, text, (size_t)n + 1);
	}
	case 2: return put_event(f, 1, EV_SEPARATOR, "\0\0\0\0", 4, "\0\0\0\0", 4);
	case 3: {
		uint8_t *data;
		size_t len;
		snprintf(text, sizeof(text), "{\"n\":%lu}", i);
		int r = aael_event_data("bench", "event", text, &data, &len);
		if (r < 0)
			return r;
		r = put_event(f, 4, EV_EVENT_TAG, data, len, data, len);
		free(data);
		return r;
	}
	default: {
		uint8_t image[32] = { 0 }; /* UEFI_IMAGE_LOAD_EVENT without a device path */
		le64_put(image, 0x7c000000 + i);
		return put_event(f, 2, 0x80000003, &i, sizeof(i), image, sizeof(image));
	}
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen-eventlog N OUT\n");
		return 2;
	}
	unsigned long n = strtoul(argv[1], NULL, 10);
	_cleanup_fclose_ FILE *f = fopen(argv[2], "we");
	if (!f || put_spec_id(f) < 0) {
		fprintf(stderr, "gen-eventlog: %s: cannot write\n", argv[2]);
		return 1;
	}
	for (unsigned long i = 0; i < n; i++)
		if (put_nth(f, i) < 0) {
			fprintf(stderr, "gen-eventlog: %s: cannot write\n", argv[2]);
			return 1;
		}
	return 0;
}
