/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/image-source.h"
#include "core/util.h"
#include "host/cleanup.h"

#include <blkid/blkid.h>
#include <string.h>
#include <strings.h>

#define SECTOR_SIZE 512u

enum part_role { ROLE_NONE, ROLE_DATA, ROLE_HASH };

int image_partitions_probe(const char *path, struct image_partitions *ret, struct tdv_error *err)
{
	_cleanup_(blkid_probep) blkid_probe pr = blkid_new_probe_from_filename(path);
	if (!pr)
		return tdv_error_set(err, -EIO, "%s: cannot open for probing", path);
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	blkid_partlist list = blkid_probe_get_partitions(pr);
	blkid_parttable table = list ? blkid_partlist_get_table(list) : NULL;
	if (!table)
		return tdv_error_set(err, -EINVAL, "%s: no partition table", path);

	struct image_partitions parts = { 0 };
	const char *type = blkid_parttable_get_type(table);
	bool gpt = type && strcmp(type, "gpt") == 0;
	if (!gpt && !(type && strcmp(type, "dos") == 0))
		return tdv_error_set(err, -EINVAL, "%s: partition table '%s' is neither GPT nor MBR",
				     path, type ? type : "?");
	parts.layout = gpt ? DISK_LAYOUT_GPT : DISK_LAYOUT_KATA;

	bool have_data = false, have_hash = false;
	int n = blkid_partlist_numof_partitions(list);
	for (int i = 0; i < n; i++) {
		blkid_partition par = blkid_partlist_get_partition(list, i);
		enum part_role role = ROLE_NONE;
		if (gpt) {
			const char *t = blkid_partition_get_type_string(par);
			if (t && strcasecmp(t, DPS_ROOT_X86_64) == 0)
				role = ROLE_DATA;
			else if (t && strcasecmp(t, DPS_ROOT_VERITY_X86_64) == 0)
				role = ROLE_HASH;
		} else {
			int no = blkid_partition_get_partno(par);
			role = no == 1 ? ROLE_DATA : no == 2 ? ROLE_HASH : ROLE_NONE;
		}
		if (role == ROLE_NONE)
			continue;
		bool *have = role == ROLE_DATA ? &have_data : &have_hash;
		if (*have)
			return tdv_error_set(err, -EINVAL, "%s: two %s partitions", path,
					     role == ROLE_DATA ? "root" : "root-verity");
		*have = true;
		blkid_loff_t start = blkid_partition_get_start(par), size = blkid_partition_get_size(par);
		if (start < 0 || size < 0 || (uint64_t)start > INT64_MAX / SECTOR_SIZE ||
		    (uint64_t)size > INT64_MAX / SECTOR_SIZE)
			return tdv_error_set(err, -EINVAL, "%s: partition %d out of range", path, i + 1);
		uint64_t *off = role == ROLE_DATA ? &parts.data_offset : &parts.hash_offset;
		uint64_t *sz = role == ROLE_DATA ? &parts.data_size : &parts.hash_size;
		*off = (uint64_t)start * SECTOR_SIZE;
		*sz = (uint64_t)size * SECTOR_SIZE;
	}
	if (!have_data || !have_hash)
		return tdv_error_set(err, -EINVAL, "%s: no %s partition found%s", path,
				     have_data ? "root-verity (hash)" : "root (data)",
				     gpt ? " (by Discoverable Partitions type)" : " (MBR p1/p2)");
	*ret = parts;
	return 0;
}
