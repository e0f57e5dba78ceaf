/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where `tdverity-verify image` finds a dm-verity volume in a disk image: its partition
 * table (the volume's parameters come from manifest.json, host/manifest.h).
 */
#pragma once

#include "core/error.h"
#include "host/disk-image.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The data and hash partitions of a disk image, from its partition table (libblkid):
 * GPT by Discoverable Partitions type (root-x86-64 / root-verity-x86-64), MBR p1 / p2. */
struct image_partitions {
	enum disk_layout layout; /* GPT or KATA (MBR) */
	uint64_t data_offset, data_size;
	uint64_t hash_offset, hash_size;
};
int image_partitions_probe(const char *path, struct image_partitions *ret, struct tdv_error *err);
