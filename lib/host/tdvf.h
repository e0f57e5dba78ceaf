/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDVF (TDX virtual firmware, OVMF built with TDX support): the metadata that tells the
 * VMM which parts of the firmware file go where in the TD's memory, and MRTD, the
 * measurement the TDX module takes while the VMM builds the TD from it.
 *
 * Where the metadata is (edk2 OvmfPkg/ResetVector, the "OVMF GUIDed structure table"):
 * the last 32 bytes of the image are the reset vector area; just before them sits a
 * table footer: u16 total table length, then GUID 96b582de-1fb2-45f7-baea-a366c55a082d.
 * Entries are laid out backwards from the footer, each [data][u16 length][GUID], length
 * counting data + 18.  The entry e47a6535-984a-4798-865e-4685a7bf8ec2 holds a u32: the
 * distance of the TDVF descriptor from the end of the image.
 *
 * The descriptor (TDVF design guide, "TDVF metadata"): "TDVF", u32 length, u32 version
 * (1), u32 number of sections, then per section 32 bytes: u32 data offset in the file,
 * u32 raw data size, u64 memory address (GPA), u64 memory data size, u32 type, u32
 * attributes.
 *
 * MRTD (TDX module ABI, TDH.MEM.PAGE.ADD and TDH.MR.EXTEND): SHA-384 over a sequence of
 * 128-byte records, extended while the VMM builds the TD:
 *   - per 4 KiB page of each section that is not PAGE_AUG: "MEM.PAGE.ADD" (NUL-padded to
 *     16 bytes), u64 GPA, 104 zero bytes;
 *   - per page of a section with MR_EXTEND, per 256-byte chunk: "MR.EXTEND" (padded to
 *     16), u64 chunk GPA, 104 zeros, then the 256 bytes of that chunk as they are in TD
 *     memory: the file's bytes up to the raw data size, zeros after.
 * QEMU ≥ 9 interleaves the two page by page (add page, extend its 16 chunks); QEMU 8
 * adds all pages of a section first, then extends them.
 *
 * The image is attacker-chosen input (a firmware file handed to the verifier): every
 * offset and size in it is bounds-checked before use, and anything the VMM would not
 * accept or that this code does not understand is refused.
 */
#pragma once

#include "core/digest.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

/* Section types (TDVF design guide, table "TDVF_SECTION.Type"). */
#define TDVF_SECTION_BFV 0U	      /* boot firmware volume (the code) */
#define TDVF_SECTION_CFV 1U	      /* configuration firmware volume (variables) */
#define TDVF_SECTION_TD_HOB 2U	      /* where the VMM puts the TD HOB */
#define TDVF_SECTION_TEMP_MEM 3U      /* temporary memory the firmware needs accepted */
#define TDVF_SECTION_PERM_MEM 4U
#define TDVF_SECTION_PAYLOAD 5U
#define TDVF_SECTION_PAYLOAD_PARAM 6U

/* Section attributes. */
#define TDVF_ATTR_MR_EXTEND 0x1U /* content extended into MRTD (TDH.MR.EXTEND) */
#define TDVF_ATTR_PAGE_AUG 0x2U	 /* added after build (TDH.MEM.PAGE.AUG): not in MRTD */

#define TDVF_PAGE_SIZE 4096U
#define TDVF_EXTEND_CHUNK 256U
#define TDVF_RECORD_SIZE 128U

/* Limits beyond which an image is refused (real TDVF: 6-10 sections, a few MiB added). */
#define TDVF_MAX_SECTIONS 64U
#define TDVF_MAX_ADDED_BYTES (1ULL << 30)
#define TDVF_IMAGE_MAX_SIZE (64U << 20)

struct tdvf_section {
	uint32_t data_offset;
	uint32_t raw_size;
	uint64_t gpa;
	uint64_t mem_size;
	uint32_t type;
	uint32_t attributes;
};

/* A parsed image.  image points into the caller's buffer, which must outlive it. */
struct tdvf {
	const uint8_t *image;
	size_t image_len;
	uint32_t descriptor_offset; /* of "TDVF" from the start of the image */
	size_t n_sections;
	struct tdvf_section *sections;
};

/* How the VMM orders the page adds and extends (see above). */
enum tdvf_page_order {
	TDVF_ORDER_INTERLEAVED, /* QEMU ≥ 9 */
	TDVF_ORDER_ADD_FIRST,	/* QEMU 8 */
};

/*
 * Find and check the TDVF metadata of image[0..len).  On success *ret holds the
 * sections (free with tdvf_done()).  -EBADMSG with err saying what and where for an
 * image without metadata or with metadata that is malformed, inconsistent (sections
 * outside the file, unaligned, overlapping in memory, unknown type or attribute) or
 * beyond the limits above; -ENOMEM.
 */
int tdvf_parse(const uint8_t *image, size_t len, struct tdvf *ret, struct tdv_error *err);
void tdvf_done(struct tdvf *t);

/* "BFV", "CFV", "TD_HOB", "TEMP_MEM", "PERM_MEM", "PAYLOAD", "PAYLOAD_PARAM"; NULL else. */
const char *tdvf_section_type_name(uint32_t type);

/* The first section of that type, or NULL. */
const struct tdvf_section *tdvf_find_section(const struct tdvf *t, uint32_t type);

/* The two 128-byte records (TDX module ABI), for gpa. */
void tdvf_page_add_record(uint64_t gpa, uint8_t ret_record[TDVF_RECORD_SIZE]);
void tdvf_mr_extend_record(uint64_t gpa, uint8_t ret_record[TDVF_RECORD_SIZE]);

/* MRTD of a parsed image in that order.  -ENOMEM/-EIO (libcrypto) only. */
int tdvf_mrtd(const struct tdvf *t, enum tdvf_page_order order, uint8_t ret_mrtd[SHA384_SIZE]);

/*
 * The digest the firmware logs for its configuration volume (RTMR0,
 * EV_EFI_PLATFORM_FIRMWARE_BLOB2): HASH of the CFV section's raw bytes in the file.
 * -ENOENT when the image has no CFV section.
 */
int tdvf_cfv_digest(const struct tdvf *t, enum hash_alg alg, uint8_t *ret_digest);

/*
 * The page order of a QEMU version "MAJOR.MINOR[.PATCH]": ≥ 9 interleaved, 8 add-first.
 * -EINVAL for a malformed version, -ERANGE for one before 8 (no known TDX ordering).
 */
int tdvf_order_from_qemu_version(const char *version, enum tdvf_page_order *ret);
