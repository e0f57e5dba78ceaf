/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity hash tree, format version 1, byte-identical to `veritysetup format`
 * (cryptsetup 2.6.1) for the same parameters:
 *
 *   hash area = [512-byte superblock, zero-padded to one hash block]   (unless no superblock)
 *               tree levels, top level first, leaf level last;
 *   each hash block holds digests padded to a power-of-two stride (hash_type 1);
 *   digest of a block = HASH(salt ‖ block); root = HASH(salt ‖ top-level block).
 *
 * Interface contract between the builder, the verifier and the tests.  Owned by
 * lib/core/verity.c.
 */
#pragma once

#include "core/digest.h"

#include <stdbool.h>
#include <stdint.h>

#define VERITY_SUPERBLOCK_SIZE 512
#define VERITY_MAX_SALT 256

struct verity_params {
	enum hash_alg alg;
	uint32_t data_block_size; /* power of two, 512..1 MiB */
	uint32_t hash_block_size; /* power of two, 512..1 MiB */
	uint64_t data_blocks;
	uint8_t salt[VERITY_MAX_SALT];
	uint16_t salt_size;
	uint8_t uuid[16];	  /* superblock uuid */
	bool superblock;	  /* write/expect the superblock at hash_offset */
	uint64_t hash_offset;	  /* byte offset of the hash area (superblock if any) on hash dev */
};

/* Check sizes, algorithm and salt; -EINVAL with nothing else said on a bad value. */
int verity_params_validate(const struct verity_params *p);

/* Bytes of the hash area, superblock (padded to a hash block) included when enabled. */
int verity_hash_area_size(const struct verity_params *p, uint64_t *ret_size);

/* Encode / decode the 512-byte superblock (decode fills alg, sizes, blocks, salt, uuid). */
int verity_superblock_encode(const struct verity_params *p, uint8_t out[VERITY_SUPERBLOCK_SIZE]);
int verity_superblock_decode(const uint8_t in[VERITY_SUPERBLOCK_SIZE], struct verity_params *ret);

/*
 * Hash data_blocks blocks read from data_fd at data_offset; write the hash area to hash_fd
 * at p->hash_offset (superblock first when p->superblock).  Uses up to `threads` threads
 * (0 = all online CPUs).  Memory use is bounded (streaming), not proportional to the data.
 * ret_root receives hash_alg_size(p->alg) bytes.
 */
int verity_tree_build(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		      unsigned threads, uint8_t *ret_root);

/*
 * Verify every data block and every hash block against root (constant-time compares).
 * Returns 0 when all match; -EBADMSG on a mismatch, with *ret_bad describing the first
 * bad block (lowest level/index found); other negative errno on I/O errors.
 */
struct verity_bad_block {
	bool in_data;	  /* true: data block; false: hash block */
	uint64_t block;	  /* data block index, or hash block index within the hash area */
	unsigned level;	  /* tree level of the hash block (0 = leaf level) */
};
int verity_tree_verify(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		       const uint8_t *root, unsigned threads, struct verity_bad_block *ret_bad);
