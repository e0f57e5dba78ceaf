/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the tree starts and how the kernel's "verity" target is spelled: one place for
 * the builder (dm-mod.create=), /init (DM_TABLE_LOAD) and the tree code.
 */
#include "core/verity.h"
#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int verity_hash_start_block(const struct verity_params *p, uint64_t *ret_block)
{
	uint64_t hbs = p->hash_block_size, end;
	if (hbs == 0)
		return -EINVAL;
	if (!p->superblock) {
		/* The kernel addresses the tree in hash blocks: an unaligned offset cannot be
		 * expressed, and rounding it would point the kernel at other bytes. */
		if (p->hash_offset % hbs != 0)
			return -EINVAL;
		*ret_block = p->hash_offset / hbs;
		return 0;
	}
	/* As cryptsetup (VERITY_hash_offset_block): the first hash block after the
	 * 512-byte superblock. */
	if (!add_ok(p->hash_offset, (uint64_t)VERITY_SUPERBLOCK_SIZE + hbs - 1, &end))
		return -EOVERFLOW;
	*ret_block = end / hbs;
	return 0;
}

int verity_data_sectors(const struct verity_params *p, uint64_t *ret_sectors)
{
	uint64_t bytes;
	if (p->data_block_size < 512 || p->data_block_size % 512 != 0)
		return -EINVAL;
	if (!mul_ok(p->data_blocks, (uint64_t)p->data_block_size, &bytes))
		return -EOVERFLOW;
	*ret_sectors = bytes / 512;
	return 0;
}

static bool is_word(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return false;
	return true;
}

int verity_table_format(const struct verity_root *r, const char *data_dev, const char *hash_dev,
			const char *opt_args, char *buf, size_t len)
{
	const struct verity_params *p = &r->params;
	uint64_t hash_start;
	int ret;

	if (verity_params_validate(p) < 0 || !is_word(data_dev) || !is_word(hash_dev) ||
	    (opt_args && strpbrk(opt_args, "\n\r")))
		return -EINVAL;
	ret = verity_hash_start_block(p, &hash_start);
	if (ret < 0)
		return ret;

	size_t hlen = hash_alg_size(p->alg);
	char root[2 * DIGEST_MAX_SIZE + 1], salt[2 * VERITY_MAX_SALT + 1];
	hex_encode(r->root_hash, hlen, root);
	if (p->salt_size > 0)
		hex_encode(p->salt, p->salt_size, salt);
	else
		strcpy(salt, "-"); /* the kernel's spelling of "no salt" */

	int n = snprintf(buf, len,
			 "1 %s %s %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu64 " %s %s %s%s%s",
			 data_dev, hash_dev, p->data_block_size, p->hash_block_size,
			 p->data_blocks, hash_start, hash_alg_name(p->alg), root, salt,
			 opt_args ? " " : "", opt_args ? opt_args : "");
	if (n < 0 || (size_t)n >= len)
		return -ENOBUFS;
	return 0;
}
