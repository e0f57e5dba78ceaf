// SPDX-License-Identifier: Apache-2.0
/*
 * Where tdverity-build finds what ships with it: the static tdverity-init and the rootfs
 * templates.  Both are looked up relative to the running binary, not to a compiled-in
 * PREFIX, so a tree unpacked anywhere (`make install DESTDIR=…`, `dpkg -x`) works as it
 * does under its PREFIX, and the build tree works before anything is installed:
 *
 *   build tree:  build/tdverity-build   build/tdverity-init        rootfs-templates/NAME
 *   installed:   PREFIX/bin/…           PREFIX/lib/tdverity/…      PREFIX/share/tdverity/rootfs-templates/NAME
 */
#include "builder/build.h"
#include "core/util.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int self_dir(char out[PATH_MAX])
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return negative_errno();
	self[n] = '\0';
	if (snprintf(out, PATH_MAX, "%s", dirname(self)) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* The first of the candidates (relative to the binary's folder) that exists as `type`. */
static int first_existing(const char *const *rel, const char *name, mode_t type,
			  char out[PATH_MAX])
{
	char dir[PATH_MAX];
	int r = self_dir(dir);
	if (r < 0)
		return r;
	for (size_t i = 0; rel[i]; i++) {
		struct stat st;
		if (snprintf(out, PATH_MAX, "%s/%s%s", dir, rel[i], name) >= PATH_MAX)
			return -ENAMETOOLONG;
		if (stat(out, &st) == 0 && (st.st_mode & S_IFMT) == type)
			return 0;
	}
	return -ENOENT;
}

int build_default_init_path(char out[PATH_MAX])
{
	static const char *const rel[] = { "", "../lib/tdverity/", NULL };
	return first_existing(rel, "tdverity-init", S_IFREG, out);
}

int build_find_template(const char *name, char out[PATH_MAX])
{
	static const char *const rel[] = { "../share/tdverity/rootfs-templates/",
					   "../rootfs-templates/", NULL };
	struct stat st;

	/* A path, or a folder of that name here, is taken as given. */
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    (stat(name, &st) == 0 && S_ISDIR(st.st_mode))) {
		if (snprintf(out, PATH_MAX, "%s", name) >= PATH_MAX)
			return -ENAMETOOLONG;
		return 0;
	}
	int r = first_existing(rel, name, S_IFDIR, out);
	if (r == -ENOENT && snprintf(out, PATH_MAX, "%s", name) < PATH_MAX)
		return 0; /* not shipped either: let the template loader name the missing folder */
	return r;
}
