/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity through the raw device-mapper ioctls (linux/dm-ioctl.h).  Debian ships no
 * static libdevmapper or libcryptsetup; the three calls /init needs are this small.
 */
#include "initrd/init.h"

#include "core/util.h"

#include <stdio.h>
#include <linux/dm-ioctl.h>
#include <string.h>
#include <sys/sysmacros.h>

int verity_table_params(const struct verity_cmdline *v, const struct verity_devices *devs,
			bool with_policy, char *buf, size_t len)
{
	char data[32], hash[32];
	snprintf(data, sizeof(data), "%u:%u", major(devs->data), minor(devs->data));
	snprintf(hash, sizeof(hash), "%u:%u", major(devs->hash), minor(devs->hash));
	const char *policy = NULL;
	if (with_policy)
		policy = v->on_corruption == VERITY_ON_CORRUPTION_RESTART ? "1 restart_on_corruption"
									  : "1 panic_on_corruption";
	return verity_table_format(&v->root, data, hash, policy, buf, len);
}

static void dm_header_init(struct dm_ioctl *io, size_t size, const char *name)
{
	memset(io, 0, sizeof(*io));
	/* Our compiled-in version; the kernel accepts any client whose major equals its own
	 * and whose minor is not newer.  We need nothing newer than 4.0. */
	io->version[0] = DM_VERSION_MAJOR;
	io->version[1] = 0;
	io->version[2] = 0;
	io->data_size = (uint32_t)size;
	io->data_start = sizeof(*io);
	snprintf(io->name, sizeof(io->name), "%s", name);
}

static int dm_name_ok(const char *name)
{
	return *name && strlen(name) < DM_NAME_LEN && !strchr(name, '/') ? 0 : -EINVAL;
}

int dm_create(const struct init_sys *sys, int control_fd, const char *name, dev_t *ret_dev)
{
	struct dm_ioctl io;
	if (dm_name_ok(name) < 0)
		return -EINVAL;
	dm_header_init(&io, sizeof(io), name);
	io.flags = DM_READONLY_FLAG;
	int r = sys->ioctl(control_fd, DM_DEV_CREATE, &io);
	if (r < 0)
		return r;
	*ret_dev = (dev_t)io.dev;
	return 0;
}

int dm_table_load_buffer(const char *name, uint64_t sectors, const char *target, const char *params,
			 uint8_t **ret_buf, size_t *ret_len)
{
	if (dm_name_ok(name) < 0 || strlen(target) >= DM_MAX_TYPE_NAME)
		return -EINVAL;
	size_t plen = strlen(params) + 1;
	size_t spec_len = sizeof(struct dm_target_spec) + ((plen + 7) & ~(size_t)7);
	size_t total = sizeof(struct dm_ioctl) + spec_len;
	if (total > UINT32_MAX)
		return -E2BIG;

	uint8_t *buf = calloc(1, total);
	if (!buf)
		return -ENOMEM;
	struct dm_ioctl *io = (struct dm_ioctl *)buf;
	dm_header_init(io, total, name);
	io->target_count = 1;
	io->flags = DM_READONLY_FLAG;

	struct dm_target_spec *spec = (struct dm_target_spec *)(buf + sizeof(*io));
	spec->sector_start = 0;
	spec->length = sectors;
	spec->next = (uint32_t)spec_len;
	memcpy(spec->target_type, target, strlen(target));
	memcpy(spec + 1, params, plen);
	*ret_buf = buf;
	*ret_len = total;
	return 0;
}

int dm_load_table(const struct init_sys *sys, int control_fd, const char *name, uint64_t sectors,
		  const char *target, const char *params)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len;
	int r = dm_table_load_buffer(name, sectors, target, params, &buf, &len);
	if (r < 0)
		return r;
	return sys->ioctl(control_fd, DM_TABLE_LOAD, buf);
}

int dm_resume(const struct init_sys *sys, int control_fd, const char *name)
{
	struct dm_ioctl io;
	if (dm_name_ok(name) < 0)
		return -EINVAL;
	/* DM_DEV_SUSPEND without DM_SUSPEND_FLAG resumes, swapping the loaded table in
	 * (suspending first when a live table is replaced). */
	dm_header_init(&io, sizeof(io), name);
	return sys->ioctl(control_fd, DM_DEV_SUSPEND, &io);
}
