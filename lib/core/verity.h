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

/*
 * One dm-verity volume as every program names it: the parameters plus the root hash
 * (hash_alg_size(params.alg) bytes; the rest of the array is unused).  The builder fills
 * it, the cmdline carries it (kernel-cmdline/cmdline.h), /init loads it, the rootfs event
 * encodes it (core/measure.h), manifest.json records it (host/manifest.h) and the
 * verifier checks it.  There is no second shape of these values.
 */
struct verity_root {
	struct verity_params params;
	uint8_t root_hash[DIGEST_MAX_SIZE];
};

/*
 * The first block of the tree on the hash device, in hash blocks (the dm table's
 * <hash_start_block>; cryptsetup's VERITY_hash_offset_block()): the first hash block
 * after the 512-byte superblock when there is one, hash_offset / hash_block_size without.
 * -EINVAL for a zero block size or, without a superblock, an offset that is not a multiple
 * of the hash block size (rounding would point the kernel at other bytes); -EOVERFLOW.
 */
int verity_hash_start_block(const struct verity_params *p, uint64_t *ret_block);

/* The data device's length in 512-byte sectors (the table's length); -EINVAL, -EOVERFLOW. */
int verity_data_sectors(const struct verity_params *p, uint64_t *ret_sectors);

/*
 * The one formatter of the kernel's "verity" target parameters (the table line after
 * "<start> <length> verity"), for /init's DM_TABLE_LOAD and the builder's dm-mod.create=:
 *     1 <data_dev> <hash_dev> <dbs> <hbs> <data_blocks> <hash_start_block> <alg> <root> <salt|->
 *       [<opt_args>]
 * data_dev / hash_dev are what the kernel accepts there (maj:min or a /dev path) and must
 * be single words; opt_args (NULL: none) is appended after one space, e.g.
 * "1 panic_on_corruption".  -EINVAL on invalid parameters (verity_params_validate(), an
 * unexpressible hash start), -ENOBUFS when len is too small (VERITY_TABLE_MAX suffices
 * for devices and opt_args of up to 128 bytes each).
 */
#define VERITY_TABLE_MAX 1280
int verity_table_format(const struct verity_root *r, const char *data_dev, const char *hash_dev,
			const char *opt_args, char *buf, size_t len);

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
 *
 * hash_fd must be open for reading and writing: upper levels are computed by reading the
 * level below back.  data_fd and hash_fd may be the same file (hash area after the data).
 * With a superblock, the bytes between it and the tree are zeroed; the tree starts at hash
 * block ceil((hash_offset + 512) / hash_block_size), as veritysetup places it.  hash_offset
 * must be a multiple of 512, and of hash_block_size without a superblock.  Nothing is
 * synced: the caller fsyncs.  -EINVAL on bad parameters, -EIO on a short read or libcrypto
 * failure, other -errno from I/O.
 */
int verity_tree_build(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		      unsigned threads, uint8_t *ret_root);

/*
 * The same tree, built while the data is still being written (the builder hashes file
 * data as the ext4 writer writes it, instead of reading the finished image back):
 * verity_stream_new() takes verity_tree_build()'s arguments and starts one background
 * thread; verity_stream_final() says data blocks [first, first + n) hold their final
 * bytes in data_fd (queued; the thread reads and hashes them into the leaf level);
 * verity_stream_finish() waits for the thread, hashes every block it was not told about
 * (on `threads` threads), builds the upper levels and returns the root: the same hash
 * area bytes and root as verity_tree_build() on the finished data.  The caller promises
 * that an announced block no longer changes (else the tree does not match the data).
 * verity_stream_free() (NULL-safe) stops the thread; call it after finish too.  A regular
 * hash file shorter than the end of the hash area is extended to it by new().
 * -EINVAL on bad parameters or a range past data_blocks; finish() returns the thread's
 * errors (-EIO, -errno from I/O); final() returns them early, or -ENOMEM.
 */
struct verity_stream;
int verity_stream_new(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		      unsigned threads, struct verity_stream **ret);
int verity_stream_final(struct verity_stream *s, uint64_t first, uint64_t n);
int verity_stream_finish(struct verity_stream *s, uint8_t *ret_root);
void verity_stream_free(struct verity_stream *s);

/*
 * Verify every data block and every hash block against root (constant-time compares).
 * Returns 0 when all match; -EBADMSG on a mismatch, with *ret_bad describing the first
 * bad block (lowest level/index found); other negative errno on I/O errors (-EIO when a
 * device is shorter than the parameters require; -EINVAL when a descriptor is neither a
 * regular file nor a block device, whose size could not be checked first).  ret_bad may
 * be NULL.
 *
 * A block is reported bad only when its parent (or the root) is trusted, so a corrupted
 * hash block is reported as itself, not as the data under it.  With p->superblock the
 * on-disk superblock must decode and equal p in every field but the uuid; if not,
 * *ret_bad = { in_data = false, block = 0, level = VERITY_LEVEL_SUPERBLOCK }.  Hash block
 * indices count hash_block_size blocks from p->hash_offset (the superblock is block 0).
 */
#define VERITY_LEVEL_SUPERBLOCK UINT32_MAX
struct verity_bad_block {
	bool in_data;	  /* true: data block; false: hash block */
	uint64_t block;	  /* data block index, or hash block index within the hash area */
	unsigned level;	  /* tree level of the hash block (0 = leaf level) */
};
int verity_tree_verify(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		       const uint8_t *root, unsigned threads, struct verity_bad_block *ret_bad);
