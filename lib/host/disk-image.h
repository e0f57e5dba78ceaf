/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Disk image layouts for the builder: where the filesystem and the dm-verity hash area
 * go, and the partition table around them (libfdisk).
 *
 *   gpt   (default) GPT, 1 MiB aligned: p1 root (DPS root-x86-64), p2 root-verity (DPS
 *         root-verity-x86-64, superblock first); partition UUIDs = first / last 128 bits
 *         of the root hash, taken as they are (the Discoverable Partitions Specification
 *         says "the first 128 bits of the root hash"; systemd compares the raw bytes, so
 *         no UUID version/variant bits are forced); a fixed disk GUID the caller derives;
 *         partition names "root-x86-64" and "root-x86-64-verity".  A 1 MiB gap after p2
 *         holds the backup GPT.
 *   kata  MBR as Kata's image_builder.sh (parted mklabel msdos, mkpart primary from
 *         1 MiB, "set 1 boot on"): p1 data (type 0x83, active), p2 hash tree without a
 *         superblock (veritysetup format --no-superblock), so a Kata dm-mod.create table
 *         "... /dev/vda1 /dev/vda2 <dbs> <hbs> <blocks> 0 ..." addresses it.  The MBR
 *         disk identifier is the caller's (first 4 bytes of disk_guid).
 *   split two files: rootfs.img (the filesystem) + rootfs.verity (superblock + tree).
 *
 * Library code: returns 0 / -errno and fills struct tdv_error; never prints.
 */
#pragma once

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

#define DISK_ALIGN (1024ULL * 1024ULL)
#define DISK_SECTOR 512ULL

#define DPS_ROOT_X86_64 "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#define DPS_ROOT_VERITY_X86_64 "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"
#define DISK_PART_NAME_ROOT "root-x86-64"
#define DISK_PART_NAME_VERITY "root-x86-64-verity"

enum disk_layout {
	DISK_LAYOUT_GPT,
	DISK_LAYOUT_KATA,
	DISK_LAYOUT_SPLIT,
	_DISK_LAYOUT_MAX,
};

const char *disk_layout_name(enum disk_layout l);
int disk_layout_from_name(const char *name, enum disk_layout *ret);
/* Whether the hash area starts with a verity superblock in this layout (kata: no). */
int disk_layout_has_superblock(enum disk_layout l);

/*
 * The two volumes as the measured cmdline names them (systemd.verity_root_data= /
 * _hash=), for the builder to write and the verifier to check: gpt PARTUUID= of the
 * partition UUIDs disk_uuids_from_root_hash() gives; kata /dev/vda1 /dev/vda2, as Kata's
 * runtime names them; split /dev/vda /dev/vdb.  -EINVAL for a bad layout or root hash.
 */
#define DISK_SELECTOR_MAX 128
int disk_layout_selectors(enum disk_layout l, const uint8_t *root_hash, size_t root_hash_len,
			  char data[DISK_SELECTOR_MAX], char hash[DISK_SELECTOR_MAX]);

/* The device paths a kernel without an initrd is given (dm-mod.create=, which resolves
 * no PARTUUID=): /dev/vda /dev/vdb for split, /dev/vda1 /dev/vda2 otherwise. */
void disk_layout_device_paths(enum disk_layout l, char data[DISK_SELECTOR_MAX],
			      char hash[DISK_SELECTOR_MAX]);

/*
 * Where things go.  For gpt/kata both areas live in one file (the disk image) and the
 * offsets are byte offsets in it; for split, data_offset and hash_offset are 0 in their
 * own files.  data_part_size/hash_part_size are the partition sizes (1 MiB multiples for
 * gpt/kata, the exact area sizes for split).
 */
struct disk_geometry {
	enum disk_layout layout;
	uint64_t data_offset;
	uint64_t data_part_size;
	uint64_t hash_offset;
	uint64_t hash_part_size;
	uint64_t disk_size; /* gpt/kata: size of the image file; split: 0 */
};

/*
 * Lay out a filesystem of fs_size bytes and a hash area of hash_area_size bytes.
 * -EINVAL for zero sizes or a filesystem size that is not a multiple of 4 KiB;
 * -EOVERFLOW when it would not fit 64 bits.
 */
int disk_geometry_compute(enum disk_layout layout, uint64_t fs_size, uint64_t hash_area_size,
			  struct disk_geometry *ret);

struct disk_ids {
	uint8_t disk_guid[16]; /* GPT disk GUID; kata: bytes 0..3 are the MBR disk identifier */
	uint8_t data_uuid[16]; /* GPT partition UUIDs */
	uint8_t hash_uuid[16];
};

/* The DPS convention: data = first 16 bytes of the root hash, hash = last 16 bytes. */
int disk_uuids_from_root_hash(const uint8_t *root_hash, size_t len, struct disk_ids *ids);

/* Lower-case 8-4-4-4-12 text of 16 bytes taken in order (out: 37 bytes). */
void disk_uuid_format(const uint8_t u[16], char out[37]);
/* The MBR disk identifier as libfdisk and blkid print it: "0x%08x" of bytes 0..3 (BE). */
uint32_t disk_mbr_id(const struct disk_ids *ids);

/*
 * Write the partition table (gpt or kata) into the existing image file at path, which
 * must be g->disk_size bytes long.  Touches only the table sectors (first sectors, and
 * for GPT the backup at the end), which the geometry keeps free of data.  The result is a
 * pure function of (g, ids): no random GUIDs, no time.
 */
int disk_write_partition_table(const char *path, const struct disk_geometry *g,
			       const struct disk_ids *ids, struct tdv_error *err);
