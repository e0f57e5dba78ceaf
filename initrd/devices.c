/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Find the data and hash devices without udev: walk /sys/class/block, keep the partitions,
 * read each one's partition-table entry UUID with libblkid (through the seam), match.
 */
#include "initrd/init.h"

#include "core/util.h"

#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int resolve_node(const struct init_sys *sys, const char *node, dev_t *ret_dev,
			struct tdv_error *err)
{
	mode_t mode;
	dev_t rdev;
	int r = sys->stat(node, &mode, &rdev);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", node, strerror(-r));
	if (!S_ISBLK(mode))
		return tdv_error_set(err, -ENOTBLK, "%s is not a block device", node);
	*ret_dev = rdev;
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int resolve_partuuid(const struct init_sys *sys, const char *uuid, char *ret_node,
			    size_t node_len, dev_t *ret_dev, struct tdv_error *err)
{
	char **names = NULL;
	size_t n = 0;
	char found[300] = "";
	dev_t found_dev = 0;
	int r = sys->list_dir("/sys/class/block", &names, &n);
	if (r < 0)
		return tdv_error_set(err, r, "listing /sys/class/block: %s", strerror(-r));

	for (size_t i = 0; i < n; i++) {
		char path[300], node[300], partuuid[64];
		mode_t mode;
		dev_t rdev;
		/* Only partitions carry a PARTUUID; skipping the rest also keeps dm and loop
		 * devices (which could mirror a partition's contents) out of the match. */
		snprintf(path, sizeof(path), "/sys/class/block/%s/partition", names[i]);
		r = sys->stat(path, &mode, &rdev);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			r = tdv_error_set(err, r, "%s: %s", path, strerror(-r));
			goto out;
		}
		snprintf(node, sizeof(node), "/dev/%s", names[i]);
		r = sys->probe_partuuid(node, partuuid, sizeof(partuuid));
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			r = tdv_error_set(err, r, "probing %s: %s", node, strerror(-r));
			goto out;
		}
		if (strcasecmp(partuuid, uuid) != 0)
			continue;
		/* Two partitions with the selected UUID: which one holds the verified data is
		 * then someone else's choice.  Refuse instead of picking one. */
		if (found[0]) {
			r = tdv_error_set(err, -ENOTUNIQ, "PARTUUID=%s is on both %s and %s", uuid,
					  found, node);
			goto out;
		}
		r = resolve_node(sys, node, &found_dev, err);
		if (r == -ENOENT)
			continue; /* sysfs knows it, devtmpfs has not made the node yet */
		if (r < 0)
			goto out;
		snprintf(found, sizeof(found), "%s", node);
	}
	if (!found[0]) {
		r = -ENOENT;
		goto out;
	}
	if (strlen(found) >= node_len) {
		r = tdv_error_set(err, -ENAMETOOLONG, "%s: name too long", found);
		goto out;
	}
	strcpy(ret_node, found);
	*ret_dev = found_dev;
	r = 0;
out:
	free_names(names, n);
	return r;
}

int device_resolve(const struct init_sys *sys, const char *selector, char *ret_node,
		   size_t node_len, dev_t *ret_dev, struct tdv_error *err)
{
	const char *rest;
	if (startswith(selector, "PARTUUID=", &rest))
		return resolve_partuuid(sys, rest, ret_node, node_len, ret_dev, err);
	if (startswith(selector, "/dev/", NULL)) {
		int r = resolve_node(sys, selector, ret_dev, err);
		if (r < 0)
			return r;
		if (strlen(selector) >= node_len)
			return tdv_error_set(err, -ENAMETOOLONG, "%s: name too long", selector);
		strcpy(ret_node, selector);
		return 0;
	}
	return tdv_error_set(err, -EINVAL, "unsupported device selector '%s'", selector);
}
