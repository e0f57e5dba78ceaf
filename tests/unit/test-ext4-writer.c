/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ext4 writer through its API (so ASan/UBSan see it): sizes, errors, determinism,
 * offsets, a base tarball streamed in archive order.  tests/interop/ext4-writer.sh checks
 * the images with e2fsck and debugfs.
 */
#include "unit-helpers.h"

#include "core/util.h"
#include "host/rootfs.h"
#include "host/rootfs-tree.h"

#include <ext2fs/ext2fs.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[256];

static void put(const char *rel, const char *content)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	if (unit_scratch_dir_make(top, sizeof(top), "tdv-ext4") < 0)
		return -1;
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/t/d && seq 1 200000 > %s/t/d/big", top, top);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	return unit_scratch_dir_remove(top);
}

static struct rootfs_tree *load_tree(const char *manifest, const char *base)
{
	put("t/manifest", manifest);
	char tmpl[300];
	snprintf(tmpl, sizeof(tmpl), "%s/t", top);
	struct rootfs_template_inputs in = { tmpl, NULL, base, NULL, 0 };
	struct rootfs_tree *t = NULL;
	struct tdv_error err = { 0 };
	if (rootfs_tree_load(&in, &t, &err) < 0)
		fail_msg("load: %s", err.msg);
	return t;
}

static const struct ext4_options opts = {
	.timestamp = 1700000000,
	.uuid = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
	.hash_seed = { 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 },
	.label = "unit",
};

/* Write the tree into a fresh file of offset + size bytes; returns the size. */
static uint64_t write_image(const struct rootfs_tree *t, const struct ext4_options *o,
			    const char *name, uint64_t offset)
{
	uint64_t size;
	struct tdv_error err = { 0 };
	assert_int_equal(ext4_image_size(t, o, &size, &err), 0);
	if (!o->size_bytes)
		assert_int_equal(size % (1 << 20), 0); /* automatic sizes are whole MiB */
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", top, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(offset + size)), 0);
	close(fd);
	if (ext4_image_write(t, o, path, offset, &err) < 0)
		fail_msg("write: %s", err.msg);
	return size;
}

static uint8_t *slurp(const char *name, size_t *ret_size)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", top, name);
	uint8_t *data;
	assert_int_equal(read_full_file(path, 256u << 20, &data, ret_size), 0);
	return data;
}

static const char *manifest = "dir /d 0755 0 0\n"
			      "file /d/big d/big 0644 0 0 /d/big2\n"
			      "slink /d/l big 0777 0 0\n"
			      "nod /null 0666 0 0 c 1 3\n"
			      "xattr /d user.k v\n";

static void test_deterministic_and_offset(void **state)
{
	struct rootfs_tree *t = load_tree(manifest, NULL);
	uint64_t size = write_image(t, &opts, "a.img", 0);
	write_image(t, &opts, "b.img", 0);
	write_image(t, &opts, "c.img", 8192);
	size_t na, nb, nc;
	_cleanup_free_ uint8_t *a = slurp("a.img", &na), *b = slurp("b.img", &nb),
			       *c = slurp("c.img", &nc);
	assert_int_equal(na, size);
	assert_int_equal(nb, size);
	assert_memory_equal(a, b, na);
	assert_int_equal(nc, size + 8192);
	assert_memory_equal(a, c + 8192, na);
	for (size_t i = 0; i < 8192; i++)
		assert_int_equal(c[i], 0);
	/* The superblock carries our UUID, label and time. */
	const struct ext2_super_block *sb = (const void *)(a + 1024);
	assert_int_equal(sb->s_magic, EXT2_SUPER_MAGIC);
	assert_memory_equal(sb->s_uuid, opts.uuid, 16);
	assert_memory_equal(sb->s_hash_seed, opts.hash_seed, 16);
	assert_string_equal((const char *)sb->s_volume_name, "unit");
	assert_int_equal(sb->s_mkfs_time, 1700000000);
	assert_int_equal(sb->s_wtime, 1700000000);

	/* Another timestamp / uuid changes the bytes. */
	struct ext4_options o2 = opts;
	o2.timestamp++;
	write_image(t, &o2, "d.img", 0);
	size_t nd;
	_cleanup_free_ uint8_t *d = slurp("d.img", &nd);
	assert_int_equal(nd, na);
	assert_memory_not_equal(a, d, na);
	rootfs_tree_free(t);
}

static void test_sizes_and_errors(void **state)
{
	struct rootfs_tree *t = load_tree(manifest, NULL);
	struct tdv_error err = { 0 };
	uint64_t size, auto_size;
	assert_int_equal(ext4_image_size(t, &opts, &auto_size, &err), 0);
	/* ~1.3 MB of content: at least that, and not absurdly more. */
	assert_true(auto_size >= 2u << 20 && auto_size <= 8u << 20);

	struct ext4_options o = opts;
	o.size_bytes = 64u << 20;
	assert_int_equal(ext4_image_size(t, &o, &size, &err), 0);
	assert_int_equal(size, 64u << 20);
	write_image(t, &o, "big.img", 0);

	o.size_bytes = 256 * 1024;
	assert_int_equal(ext4_image_size(t, &o, &size, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "ext4: the content needs at least"));
	o.size_bytes = (1u << 20) + 1;
	assert_int_equal(ext4_image_size(t, &o, &size, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a multiple of 4096"));

	/* A file that is too short for the filesystem is refused before writing. */
	char path[600];
	snprintf(path, sizeof(path), "%s/short.img", top);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	assert_int_equal(ext4_image_write(t, &opts, path, 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "the filesystem needs"));
	snprintf(path, sizeof(path), "%s/missing.img", top);
	assert_int_equal(ext4_image_write(t, &opts, path, 0, &err), -ENOENT);

	o = opts;
	o.label = "a label that is far too long";
	snprintf(path, sizeof(path), "%s/big.img", top);
	assert_int_equal(ext4_image_write(t, &o, path, 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "label longer than 16 bytes"));
	rootfs_tree_free(t);
}

static int blank_image(const struct rootfs_tree *t, char path[600], const char *name)
{
	uint64_t size;
	struct tdv_error err = { 0 };
	assert_int_equal(ext4_image_size(t, &opts, &size, &err), 0);
	snprintf(path, 600, "%s/%s", top, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
	return 0;
}

static void test_source_changed(void **state)
{
	struct rootfs_tree *t = load_tree(manifest, NULL);
	write_image(t, &opts, "a.img", 0);
	/* Replaced (a new inode, other bytes): the writer reads the descriptor the load
	 * hashed through, so the image still holds the measured bytes. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "sed -i 's/^1$/7/' %s/t/d/big", top);
	assert_int_equal(system(cmd), 0);
	write_image(t, &opts, "b.img", 0);
	snprintf(cmd, sizeof(cmd), "cmp -s %s/a.img %s/b.img", top, top);
	assert_int_equal(system(cmd), 0);
	/* Without that descriptor (past the descriptor budget) the path is opened again:
	 * another file there is refused. */
	struct rootfs_entry *e = (struct rootfs_entry *)rootfs_tree_find(t, "/d/big");
	assert_true(e->keeps_fd);
	close(e->host_fd);
	e->keeps_fd = false;
	char path[600];
	struct tdv_error err = { 0 };
	blank_image(t, path, "x.img");
	assert_int_equal(ext4_image_write(t, &opts, path, 0, &err), -ESTALE);
	assert_non_null(strstr(err.msg, "/d/big: source changed since it was loaded"));
	rootfs_tree_free(t);
}

/* Rewrite one byte in place: same inode, same size, other content (and a new ctime). */
static void poke(const char *rel)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "7", 1, 0), 1);
	close(fd);
}

static void test_source_changed_in_place(void **state)
{
	/* Older than the racy window: the writer compares the file's identity, no digest. */
	usleep(200 * 1000);
	struct rootfs_tree *t = load_tree(manifest, NULL);
	const struct rootfs_entry *e = rootfs_tree_find(t, "/d/big");
	assert_non_null(e);
	assert_false(e->rehash);
	poke("t/d/big");
	char path[600];
	struct tdv_error err = { 0 };
	blank_image(t, path, "x.img");
	assert_int_equal(ext4_image_write(t, &opts, path, 0, &err), -ESTALE);
	assert_non_null(strstr(err.msg, "/d/big: source changed since it was loaded"));
	rootfs_tree_free(t);
}

static void test_racy_source_rehashed(void **state)
{
	/* Changed just before it was hashed: its ctime cannot vouch for it, so the writer
	 * hashes it again.  A digest that no longer matches must fail the write, whatever
	 * the identity says (the test corrupts the load-time digest to show it is used). */
	poke("t/d/big");
	struct rootfs_tree *t = load_tree(manifest, NULL);
	struct rootfs_entry *e = (struct rootfs_entry *)rootfs_tree_find(t, "/d/big");
	assert_non_null(e);
	assert_true(e->rehash);
	char path[600];
	struct tdv_error err = { 0 };
	blank_image(t, path, "x.img");
	assert_int_equal(ext4_image_write(t, &opts, path, 0, &err), 0);
	e->sha256[0] ^= 1;
	assert_int_equal(ext4_image_write(t, &opts, path, 0, &err), -ESTALE);
	assert_non_null(strstr(err.msg, "/d/big: source changed since it was loaded"));
	/* Not racy: the identity vouches, the digest is not recomputed. */
	e->rehash = false;
	assert_int_equal(ext4_image_write(t, &opts, path, 0, &err), 0);
	rootfs_tree_free(t);
}

static void test_tarball_base(void **state)
{
	char cmd[900];
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p b/usr/bin && seq 1 5000 > b/usr/bin/x && ln b/usr/bin/x "
		 "b/usr/bin/y && ln -s usr/bin b/bin && tar --numeric-owner -C b -czf b.tgz .",
		 top);
	assert_int_equal(system(cmd), 0);
	char tgz[600], dir[600];
	snprintf(tgz, sizeof(tgz), "%s/b.tgz", top);
	snprintf(dir, sizeof(dir), "%s/b", top);
	struct rootfs_tree *t = load_tree("base\nfile /usr/bin/big d/big 0755 0 0\n", tgz);
	write_image(t, &opts, "tar.img", 0);
	write_image(t, &opts, "tar2.img", 0);
	rootfs_tree_free(t);
	/* Tarball members are streamed in archive order after the tree's inodes exist;
	 * the result is still a function of the inputs. */
	size_t na, nb;
	_cleanup_free_ uint8_t *a = slurp("tar.img", &na), *b = slurp("tar2.img", &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	/* The folder form of the same tree loads and writes too. */
	t = load_tree("base\nfile /usr/bin/big d/big 0755 0 0\n", dir);
	write_image(t, &opts, "dir.img", 0);
	rootfs_tree_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deterministic_and_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizes_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_changed_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_racy_source_rehashed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tarball_base, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
