/* SPDX-License-Identifier: Apache-2.0 */
/*
 * initrd.img: module closure and load order from a fake modules tree
 * (tests/fixtures/initrd-modules, made by its generate.sh with the real depmod), and the
 * exact cpio listing, contents and same-inputs-same-bytes of the image.
 */
#include "unit-helpers.h"

#include "core/util.h"
#include "host/initrd-image.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char fixture[4096];
static char tmpdir[] = "/tmp/test-initrd-image.XXXXXX";

static const char *path_in(const char *dir, const char *name)
{
	/* A small ring of results, so a few can be alive at once. */
	static char *ring[8];
	static unsigned slot;
	char **b = &ring[slot++ % ELEMENTSOF(ring)];
	free(*b);
	if (asprintf(b, "%s/%s", dir, name) < 0)
		abort();
	return *b;
}

static const char *modules_dir(const char *release)
{
	return path_in(fixture, path_in("lib/modules", release));
}

/* "<class> <path>": the load order and the class decided for each module. */
static const char *const order_sha256[] = {
	"optional kernel/arch/x86/crypto/sha256-ssse3.ko",
	"required kernel/drivers/virtio/virtio_ring.ko",
	"required kernel/drivers/virtio/virtio.ko",
	"required kernel/drivers/virtio/virtio_pci.ko",
	"required kernel/drivers/block/virtio_blk.ko.xz",
	"required kernel/drivers/md/dm-mod.ko",
	"required kernel/drivers/md/dm-bufio.ko",
	"required kernel/drivers/md/dm-verity.ko",
	"optional kernel/arch/x86/crypto/crc32c-intel.ko", /* ENODEV without SSE4.2 */
	"required kernel/crypto/crc32c_generic.ko",	    /* what then serves */
	"required kernel/lib/crc16.ko",
	"required kernel/fs/mbcache.ko",
	"required kernel/fs/jbd2/jbd2.ko",
	"required kernel/fs/ext4/ext4.ko",
	"optional kernel/drivers/virt/coco/tsm.ko",
	"optional kernel/drivers/virt/coco/tdx-guest/tdx-guest.ko",
};

static void assert_order(const char *release, char **paths, bool *optional,
			 const char *const *want, size_t n_want)
{
	_cleanup_free_ char *dir = strdup(modules_dir(release));
	size_t n = 0;
	while (paths[n])
		n++;
	for (size_t i = 0; i < n && i < n_want; i++) {
		_cleanup_free_ char *got = NULL;
		assert_true(asprintf(&got, "%s %s", optional[i] ? "optional" : "required",
				     paths[i] + strlen(dir) + 1) > 0);
		assert_string_equal(got, want[i]);
	}
	assert_int_equal(n, n_want);
}

static void test_resolve_order(void **state)
{
	struct tdv_error err = { 0 };
	char **paths = NULL;
	bool *optional = NULL;
	assert_int_equal(initrd_modules_resolve(modules_dir("9.9.9"), NULL, &paths, &optional, &err), 0);
	assert_order("9.9.9", paths, optional, order_sha256, ELEMENTSOF(order_sha256));
	initrd_module_list_free(paths);
	free(optional);

	assert_int_equal(initrd_modules_resolve(modules_dir("9.9.9"), "sha256", &paths, &optional, &err),
			 0);
	assert_order("9.9.9", paths, optional, order_sha256, ELEMENTSOF(order_sha256));
	initrd_module_list_free(paths);
	free(optional);
}

static void test_resolve_sha384(void **state)
{
	struct tdv_error err = { 0 };
	char **paths = NULL;
	bool *optional = NULL;
	/* sha512_generic comes in as sha512-ssse3's dependency and is then needed by the
	 * required crypto-sha384 lookup: required, and before the accelerator. */
	const char *want[ELEMENTSOF(order_sha256) + 1];
	want[0] = "required kernel/crypto/sha512_generic.ko";
	want[1] = "optional kernel/arch/x86/crypto/sha512-ssse3.ko";
	memcpy(want + 2, order_sha256 + 1, sizeof(order_sha256) - sizeof(order_sha256[0]));
	assert_int_equal(initrd_modules_resolve(modules_dir("9.9.9"), "sha384", &paths, &optional, &err),
			 0);
	assert_order("9.9.9", paths, optional, want, ELEMENTSOF(want));
	initrd_module_list_free(paths);
	free(optional);
}

/* Kata's guest kernel builds virtio, dm-verity and ext4 in: only what is a module. */
static void test_resolve_builtin(void **state)
{
	struct tdv_error err = { 0 };
	char **paths = NULL;
	bool *optional = NULL;
	static const char *const want[] = { "optional kernel/arch/x86/crypto/sha256-ssse3.ko" };
	assert_int_equal(
	    initrd_modules_resolve(modules_dir("9.9.9-builtin"), NULL, &paths, &optional, &err), 0);
	assert_order("9.9.9-builtin", paths, optional, want, ELEMENTSOF(want));
	initrd_module_list_free(paths);
	free(optional);

	/* No modules folder at all (a kernel without module support): an empty list. */
	assert_int_equal(initrd_modules_resolve(NULL, NULL, &paths, &optional, &err), 0);
	assert_null(paths[0]);
	initrd_module_list_free(paths);
	free(optional);
}

static void test_resolve_errors(void **state)
{
	struct tdv_error err = { 0 };
	char **paths = (char **)0x1;

	assert_int_equal(initrd_modules_resolve(modules_dir("9.9.9-noext4"), NULL, &paths, NULL, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "module ext4 is neither a module nor built in"));
	assert_ptr_equal(paths, (char **)0x1);

	assert_int_equal(initrd_modules_resolve(modules_dir("9.9.9"), "md5", &paths, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "md5"));
	assert_int_equal(initrd_modules_resolve(modules_dir("nope"), NULL, &paths, NULL, &err), -ENOENT);
	/* A folder without depmod's indexes. */
	assert_true(initrd_modules_resolve(tmpdir, NULL, &paths, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, tmpdir));
	assert_ptr_equal(paths, (char **)0x1);
}

struct listed {
	const char *path;
	mode_t mode;
};

static const struct listed listing[] = {
	{ "dev", S_IFDIR | 0755 },
	{ "dev/console", S_IFCHR | 0600 },
	{ "init", S_IFREG | 0755 },
	{ "lib", S_IFDIR | 0755 },
	{ "lib/modules", S_IFDIR | 0755 },
	{ "lib/modules/crc16.ko", S_IFREG | 0644 },
	{ "lib/modules/crc32c-intel.ko", S_IFREG | 0644 },
	{ "lib/modules/crc32c_generic.ko", S_IFREG | 0644 },
	{ "lib/modules/dm-bufio.ko", S_IFREG | 0644 },
	{ "lib/modules/dm-mod.ko", S_IFREG | 0644 },
	{ "lib/modules/dm-verity.ko", S_IFREG | 0644 },
	{ "lib/modules/ext4.ko", S_IFREG | 0644 },
	{ "lib/modules/jbd2.ko", S_IFREG | 0644 },
	{ "lib/modules/load-order", S_IFREG | 0644 },
	{ "lib/modules/mbcache.ko", S_IFREG | 0644 },
	{ "lib/modules/sha256-ssse3.ko", S_IFREG | 0644 },
	{ "lib/modules/tdx-guest.ko", S_IFREG | 0644 },
	{ "lib/modules/tsm.ko", S_IFREG | 0644 },
	{ "lib/modules/virtio.ko", S_IFREG | 0644 },
	{ "lib/modules/virtio_blk.ko", S_IFREG | 0644 },
	{ "lib/modules/virtio_pci.ko", S_IFREG | 0644 },
	{ "lib/modules/virtio_ring.ko", S_IFREG | 0644 },
	{ "proc", S_IFDIR | 0755 },
	{ "run", S_IFDIR | 0755 },
	{ "sys", S_IFDIR | 0755 },
	{ "sysroot", S_IFDIR | 0755 },
};

static const char load_order[] = "optional sha256-ssse3.ko\n"
				  "required virtio_ring.ko\n"
				  "required virtio.ko\n"
				  "required virtio_pci.ko\n"
				  "required virtio_blk.ko\n"
				  "required dm-mod.ko\n"
				  "required dm-bufio.ko\n"
				  "required dm-verity.ko\n"
				  "optional crc32c-intel.ko\n"
				  "required crc32c_generic.ko\n"
				  "required crc16.ko\n"
				  "required mbcache.ko\n"
				  "required jbd2.ko\n"
				  "required ext4.ko\n"
				  "optional tsm.ko\n"
				  "optional tdx-guest.ko\n";

static void read_entry_data(struct archive *a, struct archive_entry *e, uint8_t **ret,
			    size_t *ret_size)
{
	size_t size = (size_t)archive_entry_size(e);
	uint8_t *buf = malloc(size + 1);
	assert_non_null(buf);
	assert_int_equal(archive_read_data(a, buf, size), (la_ssize_t)size);
	buf[size] = 0;
	*ret = buf;
	*ret_size = size;
}

static void check_image(const char *img, const char *init_path)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	_cleanup_free_ uint8_t *want_init = NULL, *want_blk = NULL;
	size_t want_init_size, want_blk_size;
	size_t i = 0;

	assert_int_equal(read_full_file(init_path, 1 << 20, &want_init, &want_init_size), 0);
	assert_int_equal(read_full_file(path_in(fixture, "virtio_blk.ko.expected"), 1 << 20,
					&want_blk, &want_blk_size),
			 0);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_cpio(a);
	assert_int_equal(archive_read_open_filename(a, img, 4096), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_true(i < ELEMENTSOF(listing));
		assert_string_equal(archive_entry_pathname(e), listing[i].path);
		assert_int_equal(archive_entry_mode(e), listing[i].mode);
		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		assert_int_equal(archive_entry_mtime(e), 1700000000);
		assert_int_equal(archive_entry_ino(e), i + 1);
		assert_int_equal(archive_entry_nlink(e), S_ISDIR(listing[i].mode) ? 2 : 1);
		if (S_ISCHR(listing[i].mode))
			assert_int_equal(archive_entry_rdev(e), makedev(5, 1));

		_cleanup_free_ uint8_t *data = NULL;
		size_t size;
		read_entry_data(a, e, &data, &size);
		if (strcmp(listing[i].path, "init") == 0) {
			assert_int_equal(size, want_init_size);
			assert_memory_equal(data, want_init, size);
		} else if (strcmp(listing[i].path, "lib/modules/load-order") == 0) {
			assert_string_equal((char *)data, load_order);
		} else if (strcmp(listing[i].path, "lib/modules/virtio_blk.ko") == 0) {
			/* decompressed from the tree's .ko.xz */
			assert_int_equal(size, want_blk_size);
			assert_memory_equal(data, want_blk, size);
		} else if (S_ISREG(listing[i].mode)) {
			assert_memory_equal(data, "\177ELF", 4);
		}
		i++;
	}
	assert_int_equal(i, ELEMENTSOF(listing));
	assert_string_equal(archive_filter_name(a, 0), "gzip");
	assert_int_equal(archive_format(a), ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);
	archive_read_free(a);
}

static void test_image(void **state)
{
	struct tdv_error err = { 0 };
	/* Any file stands in for tdverity-init. */
	const char *init = path_in(fixture, "virtio_blk.ko.expected");
	struct initrd_image_inputs in = {
		.init_path = init,
		.modules_dir = modules_dir("9.9.9"),
		.timestamp = 1700000000,
	};
	const char *img1 = path_in(tmpdir, "a.img"), *img2 = path_in(tmpdir, "b.img");

	assert_int_equal(initrd_image_write(&in, img1, &err), 0);
	check_image(img1, init);

	/* Same inputs, same bytes; the gzip header carries no time or name. */
	assert_int_equal(initrd_image_write(&in, img2, &err), 0);
	_cleanup_free_ uint8_t *a = NULL, *b = NULL;
	size_t na, nb;
	assert_int_equal(read_full_file(img1, 16 << 20, &a, &na), 0);
	assert_int_equal(read_full_file(img2, 16 << 20, &b, &nb), 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	assert_memory_equal(a, "\x1f\x8b\x08\x00\x00\x00\x00\x00", 8);

	/* A different timestamp gives different bytes (it is really used). */
	in.timestamp = 1700000001;
	assert_int_equal(initrd_image_write(&in, img2, &err), 0);
	free(b);
	b = NULL;
	assert_int_equal(read_full_file(img2, 16 << 20, &b, &nb), 0);
	assert_true(na != nb || memcmp(a, b, na) != 0);
}

/* --initrd for a kernel without modules: /init, the mount points, an empty list. */
static void test_image_no_modules(void **state)
{
	struct tdv_error err = { 0 };
	const char *init = path_in(fixture, "virtio_blk.ko.expected");
	struct initrd_image_inputs in = { .init_path = init, .timestamp = 1700000000 };
	const char *img = path_in(tmpdir, "a.img");
	assert_int_equal(initrd_image_write(&in, img, &err), 0);

	struct archive *a = archive_read_new();
	struct archive_entry *e;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_cpio(a);
	assert_int_equal(archive_read_open_filename(a, img, 4096), ARCHIVE_OK);
	size_t n = 0;
	bool have_list = false;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);
		assert_null(strstr(p, ".ko"));
		if (strcmp(p, "lib/modules/load-order") == 0) {
			have_list = true;
			assert_int_equal(archive_entry_size(e), 0);
		}
		n++;
	}
	archive_read_free(a);
	assert_true(have_list);
	assert_int_equal(n, 10); /* dev dev/console init lib lib/modules load-order proc run sys sysroot */
}

static void test_image_errors(void **state)
{
	struct tdv_error err = { 0 };
	const char *out = path_in(tmpdir, "bad.img");
	struct initrd_image_inputs in = {
		.init_path = path_in(tmpdir, "no-such-init"),
		.modules_dir = modules_dir("9.9.9"),
		.timestamp = 1700000000,
	};
	assert_int_equal(initrd_image_write(&in, out, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no-such-init"));
	assert_int_equal(access(out, F_OK), -1);

	in.init_path = path_in(fixture, "virtio_blk.ko.expected");
	in.modules_dir = modules_dir("9.9.9-noext4");
	assert_int_equal(initrd_image_write(&in, out, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "ext4"));
	assert_int_equal(access(out, F_OK), -1);

	assert_int_equal(initrd_image_write(NULL, out, &err), -EINVAL);
}

static int setup(void **state)
{
	const char *top = getenv("TDV_TOP");
	char given[sizeof(fixture)];
	snprintf(given, sizeof(given), "%s/tests/fixtures/initrd-modules", top ? top : ".");
	/* libkmod hands back absolute paths: compare against the same spelling, whatever the
	 * cwd or TDV_TOP the test runs with. */
	if (!realpath(given, fixture))
		snprintf(fixture, sizeof(fixture), "%s", given);
	if (access(fixture, R_OK) < 0)
		return -1;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	const char *names[] = { "a.img", "b.img", "bad.img" };
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		unlink(path_in(tmpdir, names[i]));
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_order),  cmocka_unit_test(test_resolve_sha384),
		cmocka_unit_test(test_resolve_builtin),
		cmocka_unit_test(test_resolve_errors), cmocka_unit_test(test_image),
		cmocka_unit_test(test_image_no_modules), cmocka_unit_test(test_image_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
