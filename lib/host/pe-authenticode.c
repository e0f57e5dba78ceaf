/* SPDX-License-Identifier: Apache-2.0 */
#include "host/pe-authenticode.h"

#include "core/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PE_MAGIC_PE32 0x10b
#define PE_MAGIC_PE32_PLUS 0x20b
#define PE_SECTION_HEADER_SIZE 40
#define PE_DIRECTORY_ENTRY_SECURITY 4

/* The header fields the hash depends on, all validated against the buffer. */
struct pe_layout {
	uint64_t checksum_off;	/* 4 bytes, skipped */
	bool has_cert_dir;	/* NumberOfRvaAndSizes > 4 */
	uint64_t cert_dir_off;	/* 8 bytes, skipped when has_cert_dir */
	uint32_t cert_size;	/* Certificate Table size (0 without the directory) */
	uint64_t size_of_headers;
	uint64_t sections_off;
	uint16_t n_sections;
};

static int pe_layout_read(const uint8_t *image, size_t len, struct pe_layout *ret,
			  struct tdv_error *err)
{
	/* edk2 takes a file without the "MZ" DOS header as starting with the PE header. */
	uint64_t pe_off = 0;
	if (len >= 0x40 && image[0] == 'M' && image[1] == 'Z')
		pe_off = le32_get(image + 0x3c);
	if (pe_off + 24 > len)
		return tdv_error_set(err, -EINVAL, "PE header offset 0x%" PRIx64 " is past the end "
				     "of the %zu-byte image", pe_off, len);
	if (memcmp(image + pe_off, "PE\0\0", 4) != 0)
		return tdv_error_set(err, -EINVAL, "no PE signature at offset 0x%" PRIx64, pe_off);

	const uint8_t *coff = image + pe_off + 4;
	uint16_t n_sections = le16_get(coff + 2);
	uint16_t opt_size = le16_get(coff + 16);
	uint64_t opt_off = pe_off + 24;
	if (opt_off + opt_size > len)
		return tdv_error_set(err, -EINVAL, "optional header (%u bytes) runs past the end "
				     "of the image", opt_size);
	if (opt_size < 2)
		return tdv_error_set(err, -EINVAL, "optional header too small (%u bytes)", opt_size);

	const uint8_t *opt = image + opt_off;
	uint16_t magic = le16_get(opt);
	uint64_t nrva_off, dirs_off;
	if (magic == PE_MAGIC_PE32) {
		nrva_off = 92;
		dirs_off = 96;
	} else if (magic == PE_MAGIC_PE32_PLUS) {
		nrva_off = 108;
		dirs_off = 112;
	} else
		return tdv_error_set(err, -EINVAL, "unknown optional header magic 0x%04x", magic);
	if (dirs_off > opt_size)
		return tdv_error_set(err, -EINVAL, "optional header (%u bytes) too small for its "
				     "magic 0x%04x", opt_size, magic);

	uint32_t nrva = le32_get(opt + nrva_off);
	struct pe_layout l = {
		.checksum_off = opt_off + 64,
		.has_cert_dir = nrva > PE_DIRECTORY_ENTRY_SECURITY,
		.cert_dir_off = opt_off + dirs_off + 8 * PE_DIRECTORY_ENTRY_SECURITY,
		.size_of_headers = le32_get(opt + 60),
		.sections_off = opt_off + opt_size,
		.n_sections = n_sections,
	};
	uint64_t header_end = l.checksum_off + 4;
	if (l.has_cert_dir) {
		/* The directory entry must lie inside the optional header it is read from. */
		if (dirs_off + 8 * (uint64_t)(PE_DIRECTORY_ENTRY_SECURITY + 1) > opt_size)
			return tdv_error_set(err, -EINVAL, "NumberOfRvaAndSizes %" PRIu32 " does not "
					     "fit the %u-byte optional header", nrva, opt_size);
		l.cert_size = le32_get(image + l.cert_dir_off + 4);
		header_end = l.cert_dir_off + 8;
	}
	if (l.size_of_headers < header_end || l.size_of_headers > len)
		return tdv_error_set(err, -EINVAL, "SizeOfHeaders 0x%" PRIx64 " outside [0x%" PRIx64
				     ", image size 0x%zx]", l.size_of_headers, header_end, len);
	if (l.sections_off + (uint64_t)n_sections * PE_SECTION_HEADER_SIZE > len)
		return tdv_error_set(err, -EINVAL, "section table (%u sections) runs past the end "
				     "of the image", n_sections);
	*ret = l;
	return 0;
}

struct pe_section {
	uint32_t raw_off;
	uint32_t raw_size;
};

/* Insertion sort on PointerToRawData, stable (as edk2's: equal keys keep table order). */
static void sections_sort(struct pe_section *s, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct pe_section cur = s[i];
		size_t j = i;
		while (j > 0 && cur.raw_off < s[j - 1].raw_off) {
			s[j] = s[j - 1];
			j--;
		}
		s[j] = cur;
	}
}

int pe_authenticode_ranges(const uint8_t *image, size_t len, struct pe_range **ret_ranges,
			   size_t *ret_n, struct tdv_error *err)
{
	struct pe_layout l = { 0 };
	int r = pe_layout_read(image, len, &l, err);
	if (r < 0)
		return r;

	/* Bounded by the section table check above: n_sections * 40 <= len. */
	_cleanup_free_ struct pe_section *sections = calloc(l.n_sections + 1, sizeof(*sections));
	_cleanup_free_ struct pe_range *ranges = calloc((size_t)l.n_sections + 4, sizeof(*ranges));
	if (!sections || !ranges)
		return -ENOMEM;

	size_t n_sec = 0;
	for (unsigned i = 0; i < l.n_sections; i++) {
		const uint8_t *h = image + l.sections_off + (uint64_t)i * PE_SECTION_HEADER_SIZE;
		struct pe_section s = { .raw_size = le32_get(h + 16), .raw_off = le32_get(h + 20) };
		if (s.raw_size == 0)
			continue;
		if ((uint64_t)s.raw_off + s.raw_size > len)
			return tdv_error_set(err, -EINVAL, "section %u (%.8s) raw data [0x%" PRIx32
					     ", +0x%" PRIx32 ") runs past the end of the image",
					     i, (const char *)h, s.raw_off, s.raw_size);
		sections[n_sec++] = s;
	}
	sections_sort(sections, n_sec);

	size_t n = 0;
	ranges[n++] = (struct pe_range){ 0, l.checksum_off };
	if (l.has_cert_dir) {
		ranges[n++] = (struct pe_range){ l.checksum_off + 4,
						 l.cert_dir_off - (l.checksum_off + 4) };
		ranges[n++] = (struct pe_range){ l.cert_dir_off + 8,
						 l.size_of_headers - (l.cert_dir_off + 8) };
	} else
		ranges[n++] = (struct pe_range){ l.checksum_off + 4,
						 l.size_of_headers - (l.checksum_off + 4) };

	uint64_t sum = l.size_of_headers;
	for (size_t i = 0; i < n_sec; i++) {
		ranges[n++] = (struct pe_range){ sections[i].raw_off, sections[i].raw_size };
		sum += sections[i].raw_size;
	}
	if (len > sum) {
		/* Trailing data from SUM up to the certificate table, which edk2 assumes is
		 * last; a table claiming more than there is means a malformed image. */
		if (len > sum + l.cert_size)
			ranges[n++] = (struct pe_range){ sum, len - l.cert_size - sum };
		else if (len < sum + l.cert_size)
			return tdv_error_set(err, -EINVAL, "certificate table size 0x%" PRIx32 " is "
					     "larger than the %" PRIu64 " trailing bytes", l.cert_size,
					     (uint64_t)len - sum);
	}

	/* Drop empty ranges (e.g. SizeOfHeaders right after the directory entry). */
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (ranges[i].length > 0)
			ranges[kept++] = ranges[i];

	*ret_ranges = TAKE_PTR(ranges);
	*ret_n = kept;
	return 0;
}

int pe_authenticode_digest(const uint8_t *image, size_t len, enum hash_alg alg,
			   uint8_t *ret_digest, struct tdv_error *err)
{
	const EVP_MD *md = hash_alg_md(alg);
	if (!md)
		return tdv_error_set(err, -EINVAL, "invalid hash algorithm");

	_cleanup_free_ struct pe_range *ranges = NULL;
	size_t n;
	int r = pe_authenticode_ranges(image, len, &ranges, &n, err);
	if (r < 0)
		return r;

	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	bool ok = EVP_DigestInit_ex(ctx, md, NULL);
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, image + ranges[i].offset, ranges[i].length);
	ok = ok && EVP_DigestFinal_ex(ctx, ret_digest, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : tdv_error_set(err, -EIO, "libcrypto digest failed");
}
