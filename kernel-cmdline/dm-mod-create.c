/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's own way to set up the verity root without an initrd (dm-mod.create=, see
 * the kernel's Documentation/admin-guide/device-mapper/dm-init.rst), as Kata's runtime
 * spells it for a rootfs image.  The table is core/verity.h's one formatter.
 */
#include "kernel-cmdline/cmdline.h"

#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>

int cmdline_dm_mod_create_value(const struct verity_root *r, const char *data_dev,
				const char *hash_dev, char **ret_value)
{
	char table[VERITY_TABLE_MAX];
	uint64_t sectors;
	int ret = verity_table_format(r, data_dev, hash_dev, NULL, table, sizeof(table));
	if (ret < 0)
		return ret;
	ret = verity_data_sectors(&r->params, &sectors);
	if (ret < 0)
		return ret;
	/* <name>,<uuid>,<minor>,<flags>,<table>: read-only, no uuid, any minor. */
	if (asprintf(ret_value, "\"dm-verity,,,ro,0 %" PRIu64 " verity %s\"", sectors, table) < 0)
		return -ENOMEM;
	return 0;
}

int cmdline_dm_mod_create_build(const struct verity_root *r, const char *data_dev,
				const char *hash_dev, char **ret_text)
{
	_cleanup_free_ char *value = NULL;
	int ret = cmdline_dm_mod_create_value(r, data_dev, hash_dev, &value);
	if (ret < 0)
		return ret;
	if (asprintf(ret_text,
		     "dm-mod.create=%s root=/dev/dm-0 "
		     "rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4",
		     value) < 0)
		return -ENOMEM;
	return 0;
}
