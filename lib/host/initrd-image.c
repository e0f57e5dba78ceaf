/* SPDX-License-Identifier: Apache-2.0 */
#include "host/initrd-image.h"

#include "core/util.h"
#include "host/cleanup.h"

#include <archive.h>
#include <archive_entry.h>
#include <libkmod.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Limits that keep a broken input from asking for absurd memory. */
#define MODULE_MAX_SIZE (64u << 20)
#define INIT_MAX_SIZE (64u << 20)
#define CLOSURE_MAX 512
#define DEPTH_MAX 64

struct wanted_module {
	const char *name;
	bool required;
};

/*
 * What the guest needs as modules (docs/DESIGN.md: Debian 6.1 builds these as modules).  The
 * root path is required; the TPM drivers and the TDX guest driver with its TSM report
 * modules are optional (whichever the machine has is what gets used, and the measure
 * step decides whether a measurement device had to exist).  Names that are neither a
 * module nor built in are skipped when optional.
 */
static const struct wanted_module base_modules[] = {
	{ "virtio_pci", true }, { "virtio_blk", true },	 { "dm_mod", true },
	{ "dm_verity", true },	{ "ext4", true },	 { "tpm_tis", false },
	{ "tpm_crb", false },	{ "tdx_guest", false },	 { "tsm", false },
	{ "tsm_report", false },
};

static void kmod_quiet(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	/* Library code never prints; failures come back as return values. */
}


void initrd_module_list_free(char **paths)
{
	if (!paths)
		return;
	for (char **p = paths; *p; p++)
		free(*p);
	free(paths);
}
static void module_listp(char ***p) { initrd_module_list_free(*p); }

struct closure {
	char *paths[CLOSURE_MAX + 1];
	bool optional[CLOSURE_MAX + 1];
	size_t n;
	struct tdv_error *err;
};

static ssize_t closure_find(const struct closure *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->paths[i], path) == 0)
			return (ssize_t)i;
	return -1;
}

/*
 * A CPU-specific implementation of an algorithm the kernel also has in generic C
 * (crc32c-intel, sha256-ssse3, aesni-intel...): the kernel keeps them under arch/<arch>/
 * crypto/.  They load only where the CPU has the feature (ENODEV elsewhere: QEMU's default
 * CPU has no SSE4.2), and the generic one, which the same alias lookup brings in, serves.
 */
static bool module_is_cpu_accelerator(const char *path)
{
	const char *arch = strstr(path, "/kernel/arch/");
	return arch && strstr(arch, "/crypto/");
}

static int closure_add_module(struct closure *c, struct kmod_module *mod, unsigned depth,
			      bool optional);

static int closure_add_lookup(struct closure *c, struct kmod_ctx *ctx, const char *alias,
			      bool optional, bool *ret_found)
{
	_cleanup_(kmod_list_unrefp) struct kmod_list *list = NULL;
	struct kmod_list *l;
	int r = kmod_module_new_from_lookup(ctx, alias, &list);
	if (r < 0)
		return tdv_error_set(c->err, r, "module lookup of '%s' failed: %s", alias,
				     strerror(-r));
	*ret_found = list != NULL;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *m = kmod_module_get_module(l);
		r = closure_add_module(c, m, 0, optional);
		kmod_module_unref(m);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Post-order walk: "pre:" soft dependencies and hard dependencies before the module.  The
 * class: optional when reached only from an optional module or when it is a CPU
 * accelerator; required otherwise.  A module first reached as optional and later from a
 * required one becomes required, and so do its dependencies.
 */
static int closure_add_module(struct closure *c, struct kmod_module *mod, unsigned depth,
			      bool optional)
{
	const char *path = kmod_module_get_path(mod);
	int r;

	if (!path)
		return 0; /* built into the kernel */
	if (depth > DEPTH_MAX)
		return tdv_error_set(c->err, -ELOOP, "module dependencies of %s nest too deep",
				     kmod_module_get_name(mod));
	optional = optional || module_is_cpu_accelerator(path);
	ssize_t known = closure_find(c, path);
	if (known >= 0) {
		if (optional || !c->optional[known])
			return 0;
		c->optional[known] = false; /* now needed by the root path: so are its deps */
	}

	_cleanup_(kmod_list_unrefp) struct kmod_list *pre = NULL;
	_cleanup_(kmod_list_unrefp) struct kmod_list *post = NULL;
	struct kmod_list *l;
	r = kmod_module_get_softdeps(mod, &pre, &post);
	if (r < 0)
		return tdv_error_set(c->err, r, "soft dependencies of %s: %s",
				     kmod_module_get_name(mod), strerror(-r));
	kmod_list_foreach(l, pre)
	{
		_cleanup_(kmod_module_unrefp) struct kmod_module *m = kmod_module_get_module(l);
		r = closure_add_module(c, m, depth + 1, optional);
		if (r < 0)
			return r;
	}

	_cleanup_(kmod_list_unrefp) struct kmod_list *deps = kmod_module_get_dependencies(mod);
	kmod_list_foreach(l, deps)
	{
		_cleanup_(kmod_module_unrefp) struct kmod_module *m = kmod_module_get_module(l);
		r = closure_add_module(c, m, depth + 1, optional);
		if (r < 0)
			return r;
	}

	/* Upgraded in place, or a dependency cycle added us already. */
	if (known >= 0 || closure_find(c, path) >= 0)
		return 0;
	if (c->n >= CLOSURE_MAX)
		return tdv_error_set(c->err, -E2BIG, "more than %d modules in the closure",
				     CLOSURE_MAX);
	c->paths[c->n] = strdup(path);
	if (!c->paths[c->n])
		return -ENOMEM;
	c->optional[c->n] = optional;
	c->n++;
	return 0;
}

/*
 * The verity hash: every implementation the kernel has of it ("crypto-sha256" names the
 * generic one and the accelerators; the accelerators are optional by the rule above), and
 * the fast one by name too, for kernels whose alias index lacks it.
 */
static int hash_modules_for(const char *hash_alg, const char **ret_alias, const char **ret_fast)
{
	if (!hash_alg || strcmp(hash_alg, "sha256") == 0) {
		*ret_alias = "crypto-sha256";
		*ret_fast = "sha256_ssse3";
	} else if (strcmp(hash_alg, "sha384") == 0) {
		*ret_alias = "crypto-sha384";
		*ret_fast = "sha512_ssse3";
	} else if (strcmp(hash_alg, "sha512") == 0) {
		*ret_alias = "crypto-sha512";
		*ret_fast = "sha512_ssse3";
	} else
		return -EINVAL;
	return 0;
}

static void closure_free(struct closure *c)
{
	for (size_t i = 0; c && i < c->n; i++)
		free(c->paths[i]);
	free(c);
}

int initrd_modules_resolve(const char *modules_dir, const char *hash_alg, char ***ret_paths,
			   bool **ret_optional, struct tdv_error *err)
{
	static const char *const no_config[] = { NULL };
	struct stat st;
	const char *hash_alias, *hash_fast;
	int r;

	if (hash_modules_for(hash_alg, &hash_alias, &hash_fast) < 0)
		return tdv_error_set(err, -EINVAL, "no hash module known for verity hash '%s'",
				     hash_alg);
	if (!modules_dir) { /* a kernel without modules: everything is built in */
		*ret_paths = calloc(1, sizeof(char *));
		if (ret_optional)
			*ret_optional = calloc(1, sizeof(bool));
		if (!*ret_paths || (ret_optional && !*ret_optional)) {
			free(*ret_paths);
			return -ENOMEM;
		}
		return 0;
	}
	if (stat(modules_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return tdv_error_set(err, -ENOENT, "%s: not a kernel modules folder",
				     modules_dir);

	/* No config files: the host's /etc/modprobe.d must not change the target's image.
	 * modules.softdep of the modules folder is still read. */
	_cleanup_(kmod_ctx_unrefp) struct kmod_ctx *ctx = kmod_new(modules_dir, no_config);
	if (!ctx)
		return tdv_error_set(err, -ENOMEM, "%s: libkmod context failed", modules_dir);
	kmod_set_log_fn(ctx, kmod_quiet, NULL);
	r = kmod_load_resources(ctx);
	if (r < 0)
		return tdv_error_set(err, r,
				     "%s: cannot load the module indexes (run depmod -b): %s",
				     modules_dir, strerror(-r));

	struct closure *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->err = err;
	/* The fast hash before the generic alias lookup: the load order then puts the
	 * accelerator first, as the kernel picks the best one present at table load. */
	struct wanted_module wanted[ELEMENTSOF(base_modules) + 2];
	wanted[0] = (struct wanted_module){ hash_fast, false };
	wanted[1] = (struct wanted_module){ hash_alias, true };
	memcpy(wanted + 2, base_modules, sizeof(base_modules));

	for (size_t i = 0; i < ELEMENTSOF(wanted) && r >= 0; i++) {
		bool found = false;
		r = closure_add_lookup(c, ctx, wanted[i].name, !wanted[i].required, &found);
		if (r >= 0 && !found && wanted[i].required)
			r = tdv_error_set(err, -ENOENT,
					  "%s: module %s is neither a module nor built in",
					  modules_dir, wanted[i].name);
	}
	if (r < 0) {
		closure_free(c);
		return r;
	}

	char **paths = calloc(c->n + 1, sizeof(char *));
	bool *optional = calloc(c->n + 1, sizeof(bool));
	if (!paths || !optional) {
		free(paths);
		free(optional);
		closure_free(c);
		return -ENOMEM;
	}
	memcpy(paths, c->paths, c->n * sizeof(char *));
	memcpy(optional, c->optional, c->n * sizeof(bool));
	c->n = 0; /* the paths moved to the caller */
	closure_free(c);
	*ret_paths = paths;
	if (ret_optional)
		*ret_optional = optional;
	else
		free(optional);
	return 0;
}

/* ---- the cpio ---- */

struct cpio_file {
	char *path;	  /* inside the image, no leading slash */
	mode_t mode;	  /* type and permissions */
	dev_t rdev;	  /* for device nodes */
	uint8_t *data;	  /* file content (owned) */
	size_t size;
};

struct cpio_files {
	struct cpio_file *v;
	size_t n, cap;
};

static void cpio_files_free(struct cpio_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].data);
	}
	free(f->v);
}

/* Takes ownership of data (also on failure). */
static int cpio_files_add(struct cpio_files *f, const char *path, mode_t mode, dev_t rdev,
			  uint8_t *data, size_t size)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 32;
		struct cpio_file *v = reallocarray(f->v, cap, sizeof(*v));
		if (!v) {
			free(data);
			return -ENOMEM;
		}
		f->v = v;
		f->cap = cap;
	}
	char *p = strdup(path);
	if (!p) {
		free(data);
		return -ENOMEM;
	}
	f->v[f->n++] = (struct cpio_file){ p, mode, rdev, data, size };
	return 0;
}

static int cpio_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cpio_file *)a)->path, ((const struct cpio_file *)b)->path);
}


static const char *const compressed_suffixes[] = { ".xz", ".zst", ".gz" };

static bool module_is_compressed(const char *path)
{
	size_t len = strlen(path);
	for (size_t i = 0; i < ELEMENTSOF(compressed_suffixes); i++) {
		size_t sl = strlen(compressed_suffixes[i]);
		if (len > sl && strcmp(path + len - sl, compressed_suffixes[i]) == 0)
			return true;
	}
	return false;
}

/* Decompress a .ko.xz/.ko.zst/.ko.gz with libarchive's raw reader. */
static int module_decompress(const char *path, uint8_t **ret_data, size_t *ret_size,
			     struct tdv_error *err)
{
	_cleanup_(archive_readp) struct archive *a = archive_read_new();
	struct archive_entry *e;
	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		return tdv_error_set(err, -EIO, "%s: cannot decompress: %s", path,
				     archive_error_string(a));

	_cleanup_free_ uint8_t *buf = NULL;
	size_t size = 0, cap = 0;
	for (;;) {
		if (cap - size < 65536) {
			if (cap >= MODULE_MAX_SIZE)
				return tdv_error_set(err, -EFBIG, "%s: decompresses to over %u bytes",
						     path, MODULE_MAX_SIZE);
			cap = cap ? cap * 2 : 1u << 20;
			uint8_t *nb = realloc(buf, cap);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		la_ssize_t n = archive_read_data(a, buf + size, cap - size);
		if (n < 0)
			return tdv_error_set(err, -EIO, "%s: cannot decompress: %s", path,
					     archive_error_string(a));
		if (n == 0)
			break;
		size += (size_t)n;
	}
	*ret_data = TAKE_PTR(buf);
	*ret_size = size;
	return 0;
}

static int module_read(const char *path, uint8_t **ret_data, size_t *ret_size,
		       struct tdv_error *err)
{
	if (module_is_compressed(path))
		return module_decompress(path, ret_data, ret_size, err);
	int r = read_full_file(path, MODULE_MAX_SIZE, ret_data, ret_size);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", path, strerror(-r));
	return 0;
}

/* "/lib/modules/<basename without compression suffix>" */
static char *module_image_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *p;
	if (asprintf(&p, "lib/modules/%s", base) < 0)
		return NULL;
	if (module_is_compressed(p))
		*strrchr(p, '.') = '\0';
	return p;
}

static int collect_files(const struct initrd_image_inputs *in, struct cpio_files *files,
			 struct tdv_error *err)
{
	static const char *const dirs[] = { "dev", "lib", "lib/modules", "proc",
					    "run", "sys", "sysroot" };
	_cleanup_(module_listp) char **modules = NULL;
	_cleanup_free_ bool *optional = NULL;
	_cleanup_free_ char *order = NULL;
	size_t order_len = 0;
	uint8_t *data;
	size_t size;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		r = cpio_files_add(files, dirs[i], S_IFDIR | 0755, 0, NULL, 0);
		if (r < 0)
			return r;
	}
	r = cpio_files_add(files, "dev/console", S_IFCHR | 0600, makedev(5, 1), NULL, 0);
	if (r < 0)
		return r;

	r = read_full_file(in->init_path, INIT_MAX_SIZE, &data, &size);
	if (r < 0)
		return tdv_error_set(err, r, "%s: %s", in->init_path, strerror(-r));
	r = cpio_files_add(files, "init", S_IFREG | 0755, 0, data, size);
	if (r < 0)
		return r;

	r = initrd_modules_resolve(in->modules_dir, in->hash_alg, &modules, &optional, err);
	if (r < 0)
		return r;
	for (size_t i = 0; modules[i]; i++) {
		_cleanup_free_ char *ipath = module_image_path(modules[i]);
		if (!ipath)
			return -ENOMEM;
		for (size_t j = 0; j < files->n; j++)
			if (strcmp(files->v[j].path, ipath) == 0)
				return tdv_error_set(err, -EEXIST,
						     "two modules would both be /%s", ipath);
		r = module_read(modules[i], &data, &size, err);
		if (r < 0)
			return r;
		r = cpio_files_add(files, ipath, S_IFREG | 0644, 0, data, size);
		if (r < 0)
			return r;
		char *o;
		/* "<class> <path relative to /lib/modules/>" (initrd/README-initrd.md). */
		int n = asprintf(&o, "%s%s %s\n", order ? order : "",
				 optional[i] ? "optional" : "required",
				 ipath + strlen("lib/modules/"));
		if (n < 0)
			return -ENOMEM;
		free(order);
		order = o;
		order_len = (size_t)n;
	}
	/* (order may be NULL when everything is built in: an empty file.) */
	r = cpio_files_add(files, "lib/modules/load-order", S_IFREG | 0644, 0,
			   (uint8_t *)TAKE_PTR(order), order_len);
	if (r < 0)
		return r;

	qsort(files->v, files->n, sizeof(files->v[0]), cpio_file_cmp);
	return 0;
}

struct membuf {
	uint8_t *data;
	size_t size, cap;
};

static la_ssize_t membuf_write(struct archive *a, void *opaque, const void *buf, size_t len)
{
	struct membuf *m = opaque;
	if (m->cap - m->size < len) {
		size_t cap = m->cap ? m->cap : 1u << 20;
		while (cap - m->size < len)
			cap *= 2;
		uint8_t *nd = realloc(m->data, cap);
		if (!nd) {
			archive_set_error(a, ENOMEM, "out of memory");
			return -1;
		}
		m->data = nd;
		m->cap = cap;
	}
	memcpy(m->data + m->size, buf, len);
	m->size += len;
	return (la_ssize_t)len;
}

static int cpio_write(const struct cpio_files *files, uint64_t timestamp, bool uncompressed,
		      struct membuf *out, struct tdv_error *err)
{
	_cleanup_(archive_writep) struct archive *a = archive_write_new();
	_cleanup_(archive_entryp) struct archive_entry *e = archive_entry_new();
	if (!a || !e)
		return -ENOMEM;
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    (uncompressed ? archive_write_add_filter_none(a) != ARCHIVE_OK
			  : archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
				    /* No mtime in the gzip header ("!timestamp"); libarchive
				     * stores no name. */
				    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) !=
					    ARCHIVE_OK ||
				    archive_write_set_filter_option(a, "gzip", "compression-level",
								    "9") != ARCHIVE_OK) ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open2(a, out, NULL, membuf_write, NULL, NULL) != ARCHIVE_OK)
		return tdv_error_set(err, -EIO, "cpio writer: %s", archive_error_string(a));

	for (size_t i = 0; i < files->n; i++) {
		const struct cpio_file *f = &files->v[i];
		archive_entry_clear(e);
		archive_entry_set_pathname(e, f->path);
		archive_entry_set_mode(e, f->mode);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_mtime(e, (time_t)timestamp, 0);
		/* Fixed inode numbers and link counts: the cpio carries both, and the kernel
		 * treats equal inode numbers with nlink > 1 as hard links. */
		archive_entry_set_ino(e, i + 1);
		archive_entry_set_nlink(e, S_ISDIR(f->mode) ? 2 : 1);
		archive_entry_set_dev(e, 0);
		if (S_ISCHR(f->mode) || S_ISBLK(f->mode))
			archive_entry_set_rdev(e, f->rdev);
		archive_entry_set_size(e, S_ISREG(f->mode) ? (la_int64_t)f->size : 0);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (f->size && archive_write_data(a, f->data, f->size) != (la_ssize_t)f->size))
			return tdv_error_set(err, -EIO, "cpio writer: /%s: %s", f->path,
					     archive_error_string(a));
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		return tdv_error_set(err, -EIO, "cpio writer: %s", archive_error_string(a));
	return 0;
}

int initrd_image_write(const struct initrd_image_inputs *in, const char *out_path,
		       struct tdv_error *err)
{
	struct cpio_files files = { 0 };
	struct membuf out = { 0 };
	int r;

	if (!in || !in->init_path || !out_path)
		return tdv_error_set(err, -EINVAL, "initrd image: missing input");
	r = collect_files(in, &files, err);
	if (r >= 0)
		r = cpio_write(&files, in->timestamp, in->uncompressed, &out, err);
	cpio_files_free(&files);
	if (r >= 0) {
		r = write_file_atomic(out_path, out.data, out.size, 0644);
		if (r < 0)
			tdv_error_set(err, r, "%s: %s", out_path, strerror(-r));
	}
	free(out.data);
	if (r == -ENOMEM)
		tdv_error_set(err, r, "initrd image: out of memory");
	return r;
}
