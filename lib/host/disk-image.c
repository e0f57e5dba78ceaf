/* SPDX-License-Identifier: Apache-2.0 */
#include "host/disk-image.h"

#include "core/util.h"
#include "host/cleanup.h"

#include <errno.h>
#include <libfdisk/libfdisk.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const layout_names[_DISK_LAYOUT_MAX] = {
	[DISK_LAYOUT_GPT] = "gpt",
	[DISK_LAYOUT_KATA] = "kata",
	[DISK_LAYOUT_SPLIT] = "split",
};

const char *disk_layout_name(enum disk_layout l)
{
	return (unsigned)l < _DISK_LAYOUT_MAX ? layout_names[l] : NULL;
}

int disk_layout_from_name(const char *name, enum disk_layout *ret)
{
	for (unsigned i = 0; name && i < _DISK_LAYOUT_MAX; i++)
		if (strcmp(name, layout_names[i]) == 0) {
			*ret = (enum disk_layout)i;
			return 0;
		}
	return -EINVAL;
}

int disk_layout_has_superblock(enum disk_layout l)
{
	return l != DISK_LAYOUT_KATA;
}

int disk_layout_selectors(enum disk_layout l, const uint8_t *root_hash, size_t root_hash_len,
			  char data[DISK_SELECTOR_MAX], char hash[DISK_SELECTOR_MAX])
{
	struct disk_ids ids;
	char u[37];
	switch (l) {
	case DISK_LAYOUT_GPT:
		if (disk_uuids_from_root_hash(root_hash, root_hash_len, &ids) < 0)
			return -EINVAL;
		disk_uuid_format(ids.data_uuid, u);
		snprintf(data, DISK_SELECTOR_MAX, "PARTUUID=%s", u);
		disk_uuid_format(ids.hash_uuid, u);
		snprintf(hash, DISK_SELECTOR_MAX, "PARTUUID=%s", u);
		return 0;
	case DISK_LAYOUT_KATA:
	case DISK_LAYOUT_SPLIT:
		disk_layout_device_paths(l, data, hash);
		return 0;
	default:
		return -EINVAL;
	}
}

void disk_layout_device_paths(enum disk_layout l, char data[DISK_SELECTOR_MAX],
			      char hash[DISK_SELECTOR_MAX])
{
	bool split = l == DISK_LAYOUT_SPLIT;
	snprintf(data, DISK_SELECTOR_MAX, "%s", split ? "/dev/vda" : "/dev/vda1");
	snprintf(hash, DISK_SELECTOR_MAX, "%s", split ? "/dev/vdb" : "/dev/vda2");
}

static int round_up(uint64_t v, uint64_t align, uint64_t *ret)
{
	uint64_t r;
	if (!add_ok(v, align - 1, &r))
		return -EOVERFLOW;
	*ret = r / align * align;
	return 0;
}

int disk_geometry_compute(enum disk_layout layout, uint64_t fs_size, uint64_t hash_area_size,
			  struct disk_geometry *ret)
{
	struct disk_geometry g = { .layout = layout };
	uint64_t end;

	if (fs_size == 0 || hash_area_size == 0 || fs_size % 4096 || (unsigned)layout >= _DISK_LAYOUT_MAX)
		return -EINVAL;
	if (layout == DISK_LAYOUT_SPLIT) {
		g.data_part_size = fs_size;
		g.hash_part_size = hash_area_size;
		*ret = g;
		return 0;
	}
	/* Both partition tables: data from 1 MiB (as parted -a optimal and Kata do). */
	g.data_offset = DISK_ALIGN;
	if (round_up(fs_size, DISK_ALIGN, &g.data_part_size) < 0 ||
	    round_up(hash_area_size, DISK_ALIGN, &g.hash_part_size) < 0 ||
	    !add_ok(g.data_offset, g.data_part_size, &g.hash_offset) ||
	    !add_ok(g.hash_offset, g.hash_part_size, &end))
		return -EOVERFLOW;
	/* GPT: one more MiB for the backup table (33 sectors); MBR needs nothing at the end. */
	if (layout == DISK_LAYOUT_GPT && !add_ok(end, DISK_ALIGN, &end))
		return -EOVERFLOW;
	g.disk_size = end;
	*ret = g;
	return 0;
}

int disk_uuids_from_root_hash(const uint8_t *root_hash, size_t len, struct disk_ids *ids)
{
	if (!root_hash || len < 16)
		return -EINVAL;
	memcpy(ids->data_uuid, root_hash, 16);
	memcpy(ids->hash_uuid, root_hash + len - 16, 16);
	return 0;
}

void disk_uuid_format(const uint8_t u[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

uint32_t disk_mbr_id(const struct disk_ids *ids)
{
	const uint8_t *b = ids->disk_guid;
	uint32_t id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	/* libfdisk treats 0 as "no identifier"; a derived id is never 0. */
	return id ? id : 1;
}


struct part_spec {
	size_t partno;
	uint64_t offset, size; /* bytes */
	const char *type;      /* GPT type GUID or MBR hex type */
	const char *name;      /* GPT only */
	const uint8_t *uuid;   /* GPT only */
};

static int add_partition(struct fdisk_context *cxt, const struct part_spec *s, struct tdv_error *err)
{
	struct fdisk_label *lb = fdisk_get_label(cxt, NULL);
	_cleanup_(fdisk_partitionp) struct fdisk_partition *pa = fdisk_new_partition();
	_cleanup_(fdisk_parttypep) struct fdisk_parttype *type = NULL;
	int r;

	if (!pa || !lb)
		return tdv_error_set(err, -ENOMEM, "libfdisk: out of memory");
	type = fdisk_label_parse_parttype(lb, s->type);
	if (!type)
		return tdv_error_set(err, -EINVAL, "libfdisk: cannot parse partition type %s", s->type);
	r = fdisk_partition_set_partno(pa, s->partno);
	if (r >= 0)
		r = fdisk_partition_set_start(pa, s->offset / DISK_SECTOR);
	if (r >= 0)
		r = fdisk_partition_set_size(pa, s->size / DISK_SECTOR);
	if (r >= 0)
		r = fdisk_partition_set_type(pa, type);
	if (r >= 0 && s->name)
		r = fdisk_partition_set_name(pa, s->name);
	if (r >= 0 && s->uuid) {
		char u[37];
		disk_uuid_format(s->uuid, u);
		r = fdisk_partition_set_uuid(pa, u);
	}
	if (r >= 0)
		r = fdisk_add_partition(cxt, pa, NULL);
	if (r < 0)
		return tdv_error_set(err, r, "libfdisk: cannot add partition %zu: %s", s->partno + 1,
				     strerror(-r));
	return 0;
}

int disk_write_partition_table(const char *path, const struct disk_geometry *g,
			       const struct disk_ids *ids, struct tdv_error *err)
{
	if (g->layout != DISK_LAYOUT_GPT && g->layout != DISK_LAYOUT_KATA)
		return tdv_error_set(err, -EINVAL, "layout %s has no partition table",
				     disk_layout_name(g->layout) ?: "?");
	if (g->data_offset % DISK_SECTOR || g->data_part_size % DISK_SECTOR ||
	    g->hash_offset % DISK_SECTOR || g->hash_part_size % DISK_SECTOR)
		return tdv_error_set(err, -EINVAL, "partition bounds are not sector aligned");

	struct stat st;
	if (stat(path, &st) < 0)
		return tdv_error_set(err, negative_errno(), "%s: %s", path, strerror(errno));
	if ((uint64_t)st.st_size != g->disk_size)
		return tdv_error_set(err, -EINVAL, "%s: %llu bytes, expected %llu", path,
				     (unsigned long long)st.st_size, (unsigned long long)g->disk_size);

	_cleanup_(fdisk_contextp) struct fdisk_context *cxt = fdisk_new_context();
	if (!cxt)
		return tdv_error_set(err, -ENOMEM, "libfdisk: out of memory");
	/* No dialogs: a library must never ask, and never print. */
	fdisk_disable_dialogs(cxt, 1);
	int r = fdisk_assign_device(cxt, path, 0);
	if (r < 0)
		return tdv_error_set(err, r, "libfdisk: cannot open %s: %s", path, strerror(-r));

	bool gpt = g->layout == DISK_LAYOUT_GPT;
	r = fdisk_create_disklabel(cxt, gpt ? "gpt" : "dos");
	if (r < 0)
		return tdv_error_set(err, r, "libfdisk: cannot create a %s label: %s",
				     gpt ? "GPT" : "DOS", strerror(-r));

	/* libfdisk makes up a random disk GUID / MBR identifier: replace it by the caller's. */
	char id[40];
	if (gpt)
		disk_uuid_format(ids->disk_guid, id);
	else
		snprintf(id, sizeof(id), "0x%08x", disk_mbr_id(ids));
	r = fdisk_set_disklabel_id_from_string(cxt, id);
	if (r < 0)
		return tdv_error_set(err, r, "libfdisk: cannot set the disk identifier: %s", strerror(-r));

	const struct part_spec parts[2] = {
		{ 0, g->data_offset, g->data_part_size, gpt ? DPS_ROOT_X86_64 : "83",
		  gpt ? DISK_PART_NAME_ROOT : NULL, gpt ? ids->data_uuid : NULL },
		{ 1, g->hash_offset, g->hash_part_size, gpt ? DPS_ROOT_VERITY_X86_64 : "83",
		  gpt ? DISK_PART_NAME_VERITY : NULL, gpt ? ids->hash_uuid : NULL },
	};
	for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
		r = add_partition(cxt, &parts[i], err);
		if (r < 0)
			return r;
	}
	if (!gpt) {
		/* Kata's image_builder.sh: "set 1 boot on". */
		r = fdisk_toggle_partition_flag(cxt, 0, DOS_FLAG_ACTIVE);
		if (r < 0)
			return tdv_error_set(err, r, "libfdisk: cannot mark p1 active: %s", strerror(-r));
	}
	r = fdisk_write_disklabel(cxt);
	if (r < 0)
		return tdv_error_set(err, r, "libfdisk: cannot write the table to %s: %s", path,
				     strerror(-r));
	r = fdisk_deassign_device(cxt, 0);
	fdisk_unref_context(TAKE_PTR(cxt));
	if (r < 0)
		return tdv_error_set(err, r, "libfdisk: cannot close %s: %s", path, strerror(-r));
	return 0;
}
