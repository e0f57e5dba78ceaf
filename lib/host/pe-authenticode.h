/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PE/COFF Authenticode digest of an image, computed the way edk2 measures an EFI
 * application before starting it (SecurityPkg DxeTpm2MeasureBootLib → Tcg2Dxe /
 * TdTcg2Dxe MeasureBootPeCoff.c, following the PE/COFF specification's Appendix A):
 *
 *   1. the headers from 0 to SizeOfHeaders, leaving out the 4-byte CheckSum and, when the
 *      optional header has more than 4 data directories, the 8-byte Certificate Table
 *      directory entry (index 4);
 *   2. every section with SizeOfRawData > 0, in ascending PointerToRawData order (ties
 *      keep section-table order), [PointerToRawData, +SizeOfRawData);
 *   3. SUM = SizeOfHeaders + Σ SizeOfRawData.  When the file is longer than SUM, the bytes
 *      [SUM, file size − Certificate Table size) (edk2 hashes from SUM, wherever the last
 *      section ends).  No padding is added (unlike some signing tools).
 *
 * This is the digest a TDX guest's RTMR1 (and a vTPM's PCR 4) receives for the kernel in
 * QEMU direct boot.  A signed image (Debian's kernels are) gives the same digest as the
 * image without its signature.
 *
 * The image is untrusted input: every header field is bounds-checked against the buffer
 * before use; ranges that fall outside it are an error (-EINVAL with a message saying
 * which field), never clamped.
 */
#pragma once

#include "core/digest.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

/* One hashed byte range [offset, offset + length) of the image. */
struct pe_range {
	uint64_t offset;
	uint64_t length;
};

/*
 * The ranges of the image that Authenticode hashes, in hashing order.  Caller frees
 * *ret_ranges.  -EINVAL (with err) for a malformed image, -ENOMEM.
 */
int pe_authenticode_ranges(const uint8_t *image, size_t len, struct pe_range **ret_ranges,
			   size_t *ret_n, struct tdv_error *err);

/* Digest of the ranges above with alg; ret_digest receives hash_alg_size(alg) bytes. */
int pe_authenticode_digest(const uint8_t *image, size_t len, enum hash_alg alg,
			   uint8_t *ret_digest, struct tdv_error *err);
