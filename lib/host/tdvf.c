/* SPDX-License-Identifier: Apache-2.0 */
#include "host/tdvf.h"

#include "core/util.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* GUIDs in their on-disk (little-endian first three fields) byte order. */
static const uint8_t table_footer_guid[16] = { /* 96b582de-1fb2-45f7-baea-a366c55a082d */
	0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
	0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d,
};
static const uint8_t tdx_metadata_guid[16] = { /* e47a6535-984a-4798-865e-4685a7bf8ec2 */
	0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
	0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2,
};

/* The reset vector area after the footer, and the size of an entry's length + GUID. */
#define RESET_VECTOR_TAIL 32U
#define ENTRY_TRAILER 18U
#define DESCRIPTOR_HEADER 16U
#define SECTION_SIZE 32U
/* TDX GPAs are at most 52 bits wide (MAXPA with 5-level EPT). */
#define GPA_LIMIT (1ULL << 52)

static const char *const section_names[] = {
	[TDVF_SECTION_BFV] = "BFV",
	[TDVF_SECTION_CFV] = "CFV",
	[TDVF_SECTION_TD_HOB] = "TD_HOB",
	[TDVF_SECTION_TEMP_MEM] = "TEMP_MEM",
	[TDVF_SECTION_PERM_MEM] = "PERM_MEM",
	[TDVF_SECTION_PAYLOAD] = "PAYLOAD",
	[TDVF_SECTION_PAYLOAD_PARAM] = "PAYLOAD_PARAM",
};

const char *tdvf_section_type_name(uint32_t type)
{
	return type < ELEMENTSOF(section_names) ? section_names[type] : NULL;
}

/* The u32 data of the TDX metadata entry of the GUIDed table, or -EBADMSG. */
static int find_metadata_offset(const uint8_t *img, size_t len, uint32_t *ret,
				struct tdv_error *err)
{
	if (len < RESET_VECTOR_TAIL + ENTRY_TRAILER)
		return tdv_error_set(err, -EBADMSG, "%zu bytes: too small for a firmware image",
				     len);
	size_t footer_end = len - RESET_VECTOR_TAIL;
	if (memcmp(img + footer_end - 16, table_footer_guid, 16) != 0)
		return tdv_error_set(err, -EBADMSG, "no OVMF GUIDed table footer at offset %zu "
				     "(not an OVMF/TDVF image)", footer_end - 16);
	size_t table_len = le16_get(img + footer_end - ENTRY_TRAILER);
	/* The table length counts the footer itself and must fit before it. */
	if (table_len < ENTRY_TRAILER || table_len > footer_end)
		return tdv_error_set(err, -EBADMSG, "GUIDed table length %zu out of range", table_len);
	size_t start = footer_end - table_len;
	size_t end = footer_end - ENTRY_TRAILER;
	while (end > start) {
		if (end - start < ENTRY_TRAILER)
			return tdv_error_set(err, -EBADMSG, "GUIDed table entry at offset %zu is "
					     "truncated", start);
		size_t entry_len = le16_get(img + end - ENTRY_TRAILER);
		if (entry_len < ENTRY_TRAILER || entry_len > end - start)
			return tdv_error_set(err, -EBADMSG, "GUIDed table entry ending at offset %zu "
					     "has length %zu, out of range", end, entry_len);
		if (memcmp(img + end - 16, tdx_metadata_guid, 16) == 0) {
			if (entry_len != ENTRY_TRAILER + 4)
				return tdv_error_set(err, -EBADMSG, "TDX metadata entry has %zu "
						     "data bytes, not 4", entry_len - ENTRY_TRAILER);
			*ret = le32_get(img + end - entry_len);
			return 0;
		}
		end -= entry_len;
	}
	return tdv_error_set(err, -EBADMSG, "the GUIDed table has no TDX metadata entry "
			     "(e47a6535-984a-4798-865e-4685a7bf8ec2): not a TDVF image");
}

static int check_section(const struct tdvf_section *s, size_t i, size_t len,
			 struct tdv_error *err)
{
	if (!tdvf_section_type_name(s->type))
		return tdv_error_set(err, -EBADMSG, "TDVF section %zu: unknown type %u", i, s->type);
	if (s->attributes & ~(TDVF_ATTR_MR_EXTEND | TDVF_ATTR_PAGE_AUG))
		return tdv_error_set(err, -EBADMSG, "TDVF section %zu: unknown attributes 0x%x", i,
				     s->attributes);
	/* An AUG page is added after the build: it cannot have been extended into MRTD. */
	if ((s->attributes & TDVF_ATTR_MR_EXTEND) && (s->attributes & TDVF_ATTR_PAGE_AUG))
		return tdv_error_set(err, -EBADMSG, "TDVF section %zu: both MR_EXTEND and PAGE_AUG",
				     i);
	if ((uint64_t)s->data_offset + s->raw_size > len)
		return tdv_error_set(err, -EBADMSG, "TDVF section %zu: data [%u, +%u) lies outside "
				     "the %zu-byte image", i, s->data_offset, s->raw_size, len);
	if (s->gpa % TDVF_PAGE_SIZE || s->mem_size % TDVF_PAGE_SIZE || s->mem_size == 0)
		return tdv_error_set(err, -EBADMSG, "TDVF section %zu: memory 0x%llx +0x%llx is "
				     "empty or not 4 KiB-aligned", i, (unsigned long long)s->gpa,
				     (unsigned long long)s->mem_size);
	if (s->mem_size > GPA_LIMIT || s->gpa > GPA_LIMIT - s->mem_size)
		return tdv_error_set(err, -EBADMSG, "TDVF section %zu: memory beyond the 52-bit "
				     "GPA space", i);
	if (s->raw_size > s->mem_size)
		return tdv_error_set(err, -EBADMSG, "TDVF section %zu: raw size %u exceeds its "
				     "memory size %llu", i, s->raw_size,
				     (unsigned long long)s->mem_size);
	return 0;
}

/* The VMM cannot add a page twice: overlapping sections are a malformed image. */
static int check_overlaps(const struct tdvf *t, struct tdv_error *err)
{
	uint64_t added = 0;
	for (size_t i = 0; i < t->n_sections; i++) {
		const struct tdvf_section *a = &t->sections[i];
		if (!(a->attributes & TDVF_ATTR_PAGE_AUG))
			added += a->mem_size; /* ≤ 64 × 2^52: no overflow */
		for (size_t j = 0; j < i; j++) {
			const struct tdvf_section *b = &t->sections[j];
			if (a->gpa < b->gpa + b->mem_size && b->gpa < a->gpa + a->mem_size)
				return tdv_error_set(err, -EBADMSG, "TDVF sections %zu and %zu "
						     "overlap in memory", j, i);
		}
	}
	/* Threat: an image naming terabytes of added pages would keep the verifier
	 * hashing for hours. */
	if (added > TDVF_MAX_ADDED_BYTES)
		return tdv_error_set(err, -EBADMSG, "TDVF sections add %llu bytes, more than the "
				     "%llu this verifier accepts", (unsigned long long)added,
				     (unsigned long long)TDVF_MAX_ADDED_BYTES);
	return 0;
}

int tdvf_parse(const uint8_t *img, size_t len, struct tdvf *ret, struct tdv_error *err)
{
	uint32_t from_end = 0;
	int r = find_metadata_offset(img, len, &from_end, err);
	if (r < 0)
		return r;
	if (from_end > len || from_end < DESCRIPTOR_HEADER)
		return tdv_error_set(err, -EBADMSG, "TDVF descriptor %u bytes before the end lies "
				     "outside the %zu-byte image", from_end, len);
	size_t d = len - from_end;
	const uint8_t *desc = img + d;
	if (memcmp(desc, "TDVF", 4) != 0)
		return tdv_error_set(err, -EBADMSG, "no \"TDVF\" signature at offset %zu", d);
	uint32_t desc_len = le32_get(desc + 4), version = le32_get(desc + 8);
	uint32_t n = le32_get(desc + 12);
	if (version != 1)
		return tdv_error_set(err, -EBADMSG, "TDVF descriptor version %u (only 1 is known)",
				     version);
	if (n == 0 || n > TDVF_MAX_SECTIONS)
		return tdv_error_set(err, -EBADMSG, "TDVF descriptor has %u sections (1..%u)", n,
				     TDVF_MAX_SECTIONS);
	if (desc_len != DESCRIPTOR_HEADER + n * SECTION_SIZE || desc_len > from_end)
		return tdv_error_set(err, -EBADMSG, "TDVF descriptor length %u does not fit %u "
				     "sections inside the image", desc_len, n);

	struct tdvf t = { .image = img, .image_len = len, .descriptor_offset = (uint32_t)d,
			  .n_sections = n };
	t.sections = calloc(n, sizeof(*t.sections));
	if (!t.sections)
		return tdv_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = desc + DESCRIPTOR_HEADER + i * SECTION_SIZE;
		struct tdvf_section *s = &t.sections[i];
		*s = (struct tdvf_section){
			.data_offset = le32_get(p),
			.raw_size = le32_get(p + 4),
			.gpa = le64_get(p + 8),
			.mem_size = le64_get(p + 16),
			.type = le32_get(p + 24),
			.attributes = le32_get(p + 28),
		};
		r = check_section(s, i, len, err);
		if (r < 0)
			break;
	}
	if (r == 0)
		r = check_overlaps(&t, err);
	if (r < 0) {
		free(t.sections);
		return r;
	}
	*ret = t;
	return 0;
}

void tdvf_done(struct tdvf *t)
{
	if (!t)
		return;
	free(t->sections);
	*t = (struct tdvf){ 0 };
}

const struct tdvf_section *tdvf_find_section(const struct tdvf *t, uint32_t type)
{
	for (size_t i = 0; i < t->n_sections; i++)
		if (t->sections[i].type == type)
			return &t->sections[i];
	return NULL;
}

static void record(const char *op, uint64_t gpa, uint8_t rec[TDVF_RECORD_SIZE])
{
	memset(rec, 0, TDVF_RECORD_SIZE);
	memcpy(rec, op, strlen(op)); /* ≤ 12 bytes, NUL-padded to 16 */
	le64_put(rec + 16, gpa);
}

void tdvf_page_add_record(uint64_t gpa, uint8_t rec[TDVF_RECORD_SIZE])
{
	record("MEM.PAGE.ADD", gpa, rec);
}

void tdvf_mr_extend_record(uint64_t gpa, uint8_t rec[TDVF_RECORD_SIZE])
{
	record("MR.EXTEND", gpa, rec);
}

static int add_page(EVP_MD_CTX *md, const struct tdvf_section *s, uint64_t page)
{
	uint8_t rec[TDVF_RECORD_SIZE];
	if (s->attributes & TDVF_ATTR_PAGE_AUG)
		return 0;
	tdvf_page_add_record(s->gpa + page * TDVF_PAGE_SIZE, rec);
	return EVP_DigestUpdate(md, rec, sizeof(rec)) == 1 ? 0 : -EIO;
}

/* The chunk as TD memory holds it: file bytes up to raw_size, zeros after. */
static void chunk_bytes(const struct tdvf *t, const struct tdvf_section *s, uint64_t off,
			uint8_t chunk[TDVF_EXTEND_CHUNK])
{
	memset(chunk, 0, TDVF_EXTEND_CHUNK);
	if (off >= s->raw_size)
		return;
	uint64_t n = s->raw_size - off;
	if (n > TDVF_EXTEND_CHUNK)
		n = TDVF_EXTEND_CHUNK;
	/* data_offset + raw_size ≤ image_len was checked by tdvf_parse(). */
	memcpy(chunk, t->image + s->data_offset + off, n);
}

static int extend_page(EVP_MD_CTX *md, const struct tdvf *t, const struct tdvf_section *s,
		       uint64_t page)
{
	if (!(s->attributes & TDVF_ATTR_MR_EXTEND))
		return 0;
	for (uint64_t c = 0; c < TDVF_PAGE_SIZE / TDVF_EXTEND_CHUNK; c++) {
		uint64_t off = page * TDVF_PAGE_SIZE + c * TDVF_EXTEND_CHUNK;
		uint8_t rec[TDVF_RECORD_SIZE], chunk[TDVF_EXTEND_CHUNK];
		tdvf_mr_extend_record(s->gpa + off, rec);
		chunk_bytes(t, s, off, chunk);
		if (EVP_DigestUpdate(md, rec, sizeof(rec)) != 1 ||
		    EVP_DigestUpdate(md, chunk, sizeof(chunk)) != 1)
			return -EIO;
	}
	return 0;
}

static int measure_section(EVP_MD_CTX *md, const struct tdvf *t, const struct tdvf_section *s,
			   enum tdvf_page_order order)
{
	uint64_t pages = s->mem_size / TDVF_PAGE_SIZE;
	int r = 0;
	if (order == TDVF_ORDER_INTERLEAVED) {
		for (uint64_t p = 0; r == 0 && p < pages; p++) {
			r = add_page(md, s, p);
			if (r == 0)
				r = extend_page(md, t, s, p);
		}
		return r;
	}
	for (uint64_t p = 0; r == 0 && p < pages; p++)
		r = add_page(md, s, p);
	for (uint64_t p = 0; r == 0 && p < pages; p++)
		r = extend_page(md, t, s, p);
	return r;
}

int tdvf_mrtd(const struct tdvf *t, enum tdvf_page_order order, uint8_t ret_mrtd[SHA384_SIZE])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md)
		return -ENOMEM;
	int r = EVP_DigestInit_ex(md, EVP_sha384(), NULL) == 1 ? 0 : -EIO;
	for (size_t i = 0; r == 0 && i < t->n_sections; i++)
		r = measure_section(md, t, &t->sections[i], order);
	unsigned int n = 0;
	if (r == 0 && (EVP_DigestFinal_ex(md, ret_mrtd, &n) != 1 || n != SHA384_SIZE))
		r = -EIO;
	EVP_MD_CTX_free(md);
	return r;
}

int tdvf_cfv_digest(const struct tdvf *t, enum hash_alg alg, uint8_t *ret_digest)
{
	const struct tdvf_section *s = tdvf_find_section(t, TDVF_SECTION_CFV);
	if (!s)
		return -ENOENT;
	return digest_buf(alg, t->image + s->data_offset, s->raw_size, ret_digest);
}

int tdvf_order_from_qemu_version(const char *version, enum tdvf_page_order *ret)
{
	unsigned long major, minor;
	char *end;
	if (!version || version[0] < '0' || version[0] > '9')
		return -EINVAL;
	errno = 0;
	major = strtoul(version, &end, 10);
	if (errno || *end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	minor = strtoul(end + 1, &end, 10);
	if (errno || minor > 1000 || major > 1000)
		return -EINVAL;
	if (*end == '.') {
		if (end[1] < '0' || end[1] > '9')
			return -EINVAL;
		(void)strtoul(end + 1, &end, 10);
		if (errno)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	if (major < 8)
		return -ERANGE;
	*ret = major >= 9 ? TDVF_ORDER_INTERLEAVED : TDVF_ORDER_ADD_FIRST;
	return 0;
}
