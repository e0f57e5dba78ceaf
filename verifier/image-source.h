/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where `tdverity-verify image` finds a dm-verity volume and its parameters: the build's
 * manifest.json (fields of issue 2 item 5) and, for disk images, the partition table.
 */
#pragma once

#include "core/error.h"
#include "core/verity.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_MANIFEST_MAX_SIZE (16u << 20)

enum image_layout {
	IMAGE_LAYOUT_UNKNOWN,
	IMAGE_LAYOUT_GPT,   /* root + root-verity partitions (DPS type GUIDs), superblock */
	IMAGE_LAYOUT_KATA,  /* MBR, p1 data, p2 hash, no superblock */
	IMAGE_LAYOUT_SPLIT, /* rootfs.img + rootfs.verity */
};

struct image_manifest {
	struct verity_params params; /* alg, sizes, data_blocks, salt, superblock, hash_offset */
	uint8_t root[DIGEST_MAX_SIZE];
	enum image_layout layout;
	/* Byte offsets of the data and hash partitions inside the disk image, when the
	 * manifest names them (partitions[] entries or data/hash_partition_offset). */
	bool have_data_partition, have_hash_partition;
	uint64_t data_partition_offset, data_partition_size; /* size 0: not given */
	uint64_t hash_partition_offset, hash_partition_size;
	/* Output file names the manifest gives (disk.file, partitions[].file), "" if none.
	 * Only plain names (no '/'): they are looked up next to the manifest. */
	char disk_file[256], data_file[256], hash_file[256];
};

/*
 * Read the verity part of a manifest.json.  Required: root_hash, hash_algorithm,
 * data_blocks, data_block_size, hash_block_size, salt ("" or "-" for none).  Optional:
 * hash_offset (0), layout ("gpt"), superblock (false for kata, true otherwise), partition
 * offsets.  Each field is looked up at the top level, then in a "verity" object.
 * -EINVAL (+ err naming the field) on anything missing, mistyped or out of range.
 */
int image_manifest_parse(const char *json, size_t len, struct image_manifest *ret,
			 struct tdv_error *err);
int image_manifest_load(const char *path, struct image_manifest *ret, struct tdv_error *err);

const char *image_layout_name(enum image_layout layout);

/* The data and hash partitions of a disk image, from its partition table (libblkid):
 * GPT by Discoverable Partitions type (root-x86-64 / root-verity-x86-64), MBR p1 / p2. */
struct image_partitions {
	enum image_layout layout; /* GPT or KATA (MBR) */
	uint64_t data_offset, data_size;
	uint64_t hash_offset, hash_size;
};
int image_partitions_probe(const char *path, struct image_partitions *ret, struct tdv_error *err);
