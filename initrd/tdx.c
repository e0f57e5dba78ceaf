/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RTMR extend on a TDX guest.  Linux >= 6.16: write exactly 48 bytes to
 * /sys/class/misc/tdx_guest/measurements/rtmr<N>:sha384.  Older Intel/Ubuntu kernels: the
 * TDX_CMD_EXTEND_RTMR ioctl on /dev/tdx_guest.
 */
#include "initrd/init.h"

#include "core/util.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

_Static_assert(sizeof(struct tdx_extend_rtmr_req) == 49, "uapi struct is 48 + 1 bytes");

static int extend_sysfs(const struct init_sys *sys, const char *path, const uint8_t digest[48],
			struct tdv_error *err)
{
	int fd = sys->open(path, O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return tdv_error_set(err, fd, "opening %s: %s", path, strerror(-fd));
	/* One write of exactly 48 bytes: the attribute takes the digest in one store() call;
	 * a short write would extend with something else or not at all. */
	ssize_t n = sys->write(fd, digest, 48);
	int r = sys->close(fd);
	if (n < 0)
		return tdv_error_set(err, (int)n, "writing %s: %s", path, strerror((int)-n));
	if (n != 48)
		return tdv_error_set(err, -EIO, "writing %s: short write (%zd of 48 bytes)", path,
				     n);
	if (r < 0)
		return tdv_error_set(err, r, "closing %s: %s", path, strerror(-r));
	return 0;
}

static int extend_ioctl(const struct init_sys *sys, unsigned rtmr, const uint8_t digest[48],
			struct tdv_error *err)
{
	struct tdx_extend_rtmr_req req;
	memset(&req, 0, sizeof(req));
	memcpy(req.data, digest, 48);
	req.index = (uint8_t)rtmr;

	int fd = sys->open(INIT_TDX_DEV, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return tdv_error_set(err, fd, "opening %s: %s", INIT_TDX_DEV, strerror(-fd));
	int r = sys->ioctl(fd, TDX_CMD_EXTEND_RTMR_IOW, &req);
	/* Only "this driver does not know that number" moves on to the other encoding; any
	 * other error means the call reached the extend code and failed. */
	if (r == -ENOTTY)
		r = sys->ioctl(fd, TDX_CMD_EXTEND_RTMR_IOR, &req);
	int rc = sys->close(fd);
	if (r < 0)
		return tdv_error_set(err, r, "TDX_CMD_EXTEND_RTMR on %s: %s", INIT_TDX_DEV,
				     strerror(-r));
	if (rc < 0)
		return tdv_error_set(err, rc, "closing %s: %s", INIT_TDX_DEV, strerror(-rc));
	return 0;
}

int tdx_rtmr_extend(const struct init_sys *sys, unsigned rtmr, const uint8_t digest[48],
		    enum tdx_extend_path *ret_path, struct tdv_error *err)
{
	char path[128];
	mode_t mode;
	dev_t rdev;

	/* RTMR0/1 belong to firmware and the boot loader; the cmdline parser allows 2 or 3. */
	if (rtmr != 2 && rtmr != 3)
		return tdv_error_set(err, -EINVAL, "RTMR%u cannot be extended by /init", rtmr);

	snprintf(path, sizeof(path), INIT_TDX_SYSFS_DIR "/measurements/rtmr%u:sha384", rtmr);
	int r = sys->stat(path, &mode, &rdev);
	if (r == 0) {
		r = extend_sysfs(sys, path, digest, err);
		if (r == 0)
			*ret_path = TDX_EXTEND_SYSFS;
		return r;
	}
	if (r != -ENOENT)
		return tdv_error_set(err, r, "%s: %s", path, strerror(-r));

	r = sys->stat(INIT_TDX_DEV, &mode, &rdev);
	if (r == -ENOENT)
		return tdv_error_set(err, r, "neither %s nor %s exists", path, INIT_TDX_DEV);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", INIT_TDX_DEV, strerror(-r));
	r = extend_ioctl(sys, rtmr, digest, err);
	if (r == 0)
		*ret_path = TDX_EXTEND_IOCTL;
	return r;
}
