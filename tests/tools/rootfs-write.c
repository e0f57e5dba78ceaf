/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test driver for the template loader and the ext4 writer (tests/interop/ext4-writer.sh):
 *
 *   rootfs-write --template DIR [--agent FILE] [--base DIR|TAR] --out FILE
 *                [--size BYTES] [--offset BYTES] [--seed-byte N]
 *   rootfs-write --template DIR [--agent FILE] [--base DIR|TAR] --list
 *
 * --out creates FILE (which must not exist) of offset + size bytes and writes the
 * filesystem at offset; on error it prints one line, removes FILE and exits 1.
 * --list prints the loaded tree, one entry a line:
 *   <path> <type><mode octal> <uid> <gid> <sha256 | symlink target | major,minor | ->
 * Times come from SOURCE_DATE_EPOCH (default 0).  Not installed; tests only.
 */
#include "host/rootfs-tree.h"

#include "core/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char type_char(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return 'd';
	case S_IFREG: return 'f';
	case S_IFLNK: return 'l';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	case S_IFIFO: return 'p';
	case S_IFSOCK: return 's';
	}
	return '?';
}

static void list(const struct rootfs_tree *t)
{
	for (size_t i = 0; i < t->n_entries; i++) {
		const struct rootfs_entry *e = &t->entries[i];
		char extra[300] = "-";
		if (S_ISLNK(e->mode))
			snprintf(extra, sizeof(extra), "%s", e->target);
		else if (S_ISCHR(e->mode) || S_ISBLK(e->mode))
			snprintf(extra, sizeof(extra), "%u,%u", e->major, e->minor);
		else if (S_ISREG(e->mode) && e->source == SOURCE_HOST)
			hex_encode(e->sha256, 32, extra);
		printf("%s %c%04o %u %u %s\n", e->path, type_char(e->mode), e->mode & 07777, e->uid,
		       e->gid, extra);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' }, { "agent", required_argument, NULL, 'a' },
		{ "base", required_argument, NULL, 'b' },     { "out", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 's' },     { "offset", required_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'l' },	      {},
	};
	struct rootfs_template_inputs in = { 0 };
	struct ext4_options o = { .label = "tdv-test" };
	const char *out = NULL;
	uint64_t offset = 0;
	bool do_list = false;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		switch (c) {
		case 't': in.template_dir = optarg; break;
		case 'a': in.agent_path = optarg; break;
		case 'b': in.base_path = optarg; break;
		case 'o': out = optarg; break;
		case 's': o.size_bytes = strtoull(optarg, NULL, 0); break;
		case 'f': offset = strtoull(optarg, NULL, 0); break;
		case 'l': do_list = true; break;
		default: return 2;
		}
	}
	if (!in.template_dir || (!out && !do_list)) {
		fprintf(stderr, "usage: see the comment in tests/tools/rootfs-write.c\n");
		return 2;
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	o.timestamp = sde ? strtoull(sde, NULL, 10) : 0;
	for (int i = 0; i < 16; i++) {
		o.uuid[i] = (uint8_t)(0x10 + i);
		o.hash_seed[i] = (uint8_t)(0xa0 + i);
	}

	struct tdv_error err = { 0 };
	struct rootfs_tree *t = NULL;
	int r = rootfs_tree_load(&in, &t, &err);
	if (r < 0) {
		fprintf(stderr, "rootfs-write: %s\n", err.msg);
		return 1;
	}
	if (do_list) {
		list(t);
		rootfs_tree_free(t);
		return 0;
	}
	uint64_t size;
	r = ext4_image_size(t, &o, &size, &err);
	if (r >= 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "rootfs-write: %s: %m\n", out);
			rootfs_tree_free(t);
			return 1;
		}
		if (ftruncate(fd, (off_t)(offset + size)) < 0)
			r = tdv_error_set(&err, -errno, "%s: cannot resize", out);
		close(fd);
		if (r >= 0)
			r = ext4_image_write(t, &o, out, offset, &err);
		if (r < 0)
			unlink(out);
	}
	rootfs_tree_free(t);
	if (r < 0) {
		fprintf(stderr, "rootfs-write: %s\n", err.msg);
		return 1;
	}
	printf("%" PRIu64 "\n", size);
	return 0;
}
