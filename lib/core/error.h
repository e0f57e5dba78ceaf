/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An error message slot for library calls whose failures a user must be able to act on
 * ("what, where, why").  The library fills it and returns a negative errno; the program
 * prints it as its one error line.  Library code never prints.
 *
 *     struct tdv_error err = {0};
 *     r = rootfs_tree_load(&in, &tree, &err);
 *     if (r < 0) { fprintf(stderr, "tdverity-build: %s\n", err.msg); return 1; }
 */
#pragma once

#include <stdarg.h>

struct tdv_error {
	char msg[1024];
};

/* Format into err->msg (when err is not NULL); returns r unchanged, so callers can write
 * `return tdv_error_set(err, -EINVAL, "%s:%u: unknown directive '%s'", ...)`.
 * A %m in fmt is not supported: pass strerror(-r) explicitly. */
int tdv_error_set(struct tdv_error *err, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
