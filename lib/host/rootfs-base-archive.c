/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tar/cpio base loader (libarchive): --base TARBALL → entries of the tree under
 * construction, whose contents stay in the archive; and the writer's second pass over
 * the archive (rootfs_archive_stream).
 *
 * Threats answered here: a member's path must stay inside the rootfs (normalised, no
 * '..'), and what is measured must be what is written: the archive is hashed while it is
 * read at load time, and again while it is streamed into the image; any difference in
 * the members or the digest is -ESTALE.
 */
#include "host/rootfs-base.h"
#include "host/template-manifest.h"

#include "core/digest.h"
#include "core/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>

static bool xattr_same(const struct rootfs_entry *e, const char *key, const void *value,
		       size_t len)
{
	for (size_t i = 0; i < e->n_xattrs; i++)
		if (strcmp(e->xattrs[i].key, key) == 0)
			return e->xattrs[i].len == len && memcmp(e->xattrs[i].value, value, len) == 0;
	return false;
}

struct hashing_reader {
	int fd;
	struct digest_stream md;
	uint8_t buf[64 * 1024];
	int error; /* -errno from read() */
};

static la_ssize_t hashing_read(struct archive *a, void *userdata, const void **ret_buf)
{
	struct hashing_reader *h = userdata;
	ssize_t n;
	do
		n = read(h->fd, h->buf, sizeof(h->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		h->error = negative_errno();
		if (a)
			archive_set_error(a, -h->error, "read: %s", strerror(-h->error));
		return -1;
	}
	if (n > 0 && digest_stream_update(&h->md, h->buf, (size_t)n) < 0) {
		h->error = -EIO;
		return -1;
	}
	*ret_buf = h->buf;
	return n;
}

/* Hash whatever libarchive did not read (trailing blocks after the end marker). */
static int hashing_finish(struct hashing_reader *h, uint8_t out[32])
{
	for (;;) {
		const void *b;
		la_ssize_t n = hashing_read(NULL, h, &b);
		if (n < 0)
			return h->error ? h->error : -EIO;
		if (n == 0)
			break;
	}
	return digest_stream_final(&h->md, out) < 0 ? -EIO : 0;
}

static int archive_open_hashing(const char *path, struct hashing_reader *h,
				struct archive **ret)
{
	h->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (h->fd < 0)
		return negative_errno();
	if (digest_stream_init(&h->md, HASH_SHA256) < 0)
		return -EIO;
	struct archive *a = archive_read_new();
	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	if (archive_read_open(a, h, NULL, hashing_read, NULL) != ARCHIVE_OK) {
		int r = h->error ? h->error : -EINVAL;
		archive_read_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

static void hashing_close(struct hashing_reader *h, struct archive *a)
{
	if (a)
		archive_read_free(a);
	if (h->fd >= 0)
		close(h->fd);
}

/* "./a/b", "/a/b", "a/b/" → "/a/b"; "." and "./" → "/"; NULL when it escapes or is bad. */
static char *archive_path_normalize(const char *name)
{
	while (startswith(name, "./", &name))
		while (*name == '/')
			name++;
	while (*name == '/')
		name++;
	_cleanup_free_ char *s = strdup(name);
	if (!s)
		return NULL;
	size_t len = strlen(s);
	while (len > 0 && s[len - 1] == '/')
		s[--len] = '\0';
	if (len == 0 || strcmp(s, ".") == 0)
		return strdup("/");
	return rootfs_path_normalize(s);
}

static int tar_member(struct loader *L, struct archive_entry *ae, uint64_t ordinal)
{
	const char *tb = L->in->base_path;
	const char *name = archive_entry_pathname(ae);
	if (!name)
		return tdv_error_set(L->err, -EINVAL, "base %s: member %" PRIu64 " has no name",
				     tb, ordinal);
	_cleanup_free_ char *path = archive_path_normalize(name);
	if (!path)
		return tdv_error_set(L->err, -EINVAL,
				     "base %s: member '%.200s' escapes the rootfs or is malformed",
				     tb, name);
	int64_t uid = archive_entry_uid(ae), gid = archive_entry_gid(ae);
	if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
		return tdv_error_set(L->err, -EINVAL, "base %s: %s: invalid owner", tb, path);
	struct pending *p = loader_pending_new(L);
	if (!p)
		return rootfs_oom(L->err);
	struct rootfs_entry *e = &p->e;
	e->path = TAKE_PTR(path);
	e->uid = (uint32_t)uid;
	e->gid = (uint32_t)gid;
	e->mode = (uint32_t)archive_entry_perm(ae) & 07777;
	if (!(e->origin = strdup("base tarball")))
		return rootfs_oom(L->err);
	const char *hl = archive_entry_hardlink(ae);
	if (hl) {
		if (!(p->hardlink_to = archive_path_normalize(hl)))
			return tdv_error_set(L->err, -EINVAL,
					     "base %s: %s: hard link target '%.200s' escapes the "
					     "rootfs or is malformed", tb, e->path, hl);
		e->mode |= S_IFREG;
		return 0;
	}
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG: {
		e->mode |= S_IFREG;
		la_int64_t size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
		if (size < 0)
			return tdv_error_set(L->err, -EINVAL, "base %s: %s: invalid size", tb,
					     e->path);
		e->size = (uint64_t)size;
		e->source = SOURCE_ARCHIVE;
		e->archive_index = ordinal;
		break;
	}
	case AE_IFDIR:
		e->mode |= S_IFDIR;
		break;
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(ae);
		if (!target || !*target || strlen(target) > MANIFEST_MAX_PATH)
			return tdv_error_set(L->err, -EINVAL,
					     "base %s: %s: symlink target empty or too long", tb,
					     e->path);
		e->mode |= S_IFLNK;
		if (!(e->target = strdup(target)))
			return rootfs_oom(L->err);
		break;
	}
	case AE_IFCHR:
	case AE_IFBLK:
		e->mode |= archive_entry_filetype(ae) == AE_IFCHR ? S_IFCHR : S_IFBLK;
		if (archive_entry_rdevmajor(ae) > 4095 || archive_entry_rdevminor(ae) > 1048575)
			return tdv_error_set(L->err, -EINVAL, "base %s: %s: invalid device number",
					     tb, e->path);
		e->major = (uint32_t)archive_entry_rdevmajor(ae);
		e->minor = (uint32_t)archive_entry_rdevminor(ae);
		break;
	case AE_IFIFO:
		e->mode |= S_IFIFO;
		break;
	case AE_IFSOCK:
		e->mode |= S_IFSOCK;
		break;
	default:
		return tdv_error_set(L->err, -EINVAL, "base %s: %s: unsupported member type", tb,
				     e->path);
	}
	const char *key;
	const void *value;
	size_t vlen;
	archive_entry_xattr_reset(ae);
	while (archive_entry_xattr_next(ae, &key, &value, &vlen) == ARCHIVE_OK) {
		if (!rootfs_xattr_wanted(key))
			continue;
		int r = rootfs_entry_add_xattr(e, key, value, vlen);
		if (r == -EEXIST && xattr_same(e, key, value, vlen))
			continue; /* pax archives carry both LIBARCHIVE.xattr and SCHILY.xattr */
		if (r < 0)
			return tdv_error_set(L->err, r, "base %s: %s: xattr %s: %s", tb, e->path,
					     key, r == -E2BIG ? "too large" : strerror(-r));
	}
	return 0;
}

int rootfs_base_archive_load(struct loader *L)
{
	struct hashing_reader h = { .fd = -1 };
	struct archive *a = NULL;
	int r = archive_open_hashing(L->in->base_path, &h, &a);
	if (r < 0) {
		hashing_close(&h, a);
		return tdv_error_set(L->err, r, "base %s: cannot open as a folder or an archive: %s",
				     L->in->base_path, r == -EINVAL ? "unknown format" : strerror(-r));
	}
	uint64_t ordinal = 0;
	for (;; ordinal++) {
		struct archive_entry *ae;
		int ar = archive_read_next_header(a, &ae);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			r = tdv_error_set(L->err, -EINVAL, "base %s: %s", L->in->base_path,
					  archive_error_string(a) ?: "malformed archive");
			goto out;
		}
		if ((r = tar_member(L, ae, ordinal)) < 0)
			goto out;
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = tdv_error_set(L->err, -EINVAL, "base %s: %s", L->in->base_path,
					  archive_error_string(a) ?: "truncated archive");
			goto out;
		}
	}
	if ((r = hashing_finish(&h, L->t->base_tarball_sha256)) < 0) {
		r = tdv_error_set(L->err, r, "base %s: %s", L->in->base_path, strerror(-r));
		goto out;
	}
	if (!(L->t->base_tarball = strdup(L->in->base_path)))
		r = rootfs_oom(L->err);
out:
	hashing_close(&h, a);
	return r;
}

int rootfs_archive_stream(const struct rootfs_tree *t, rootfs_archive_fn fn, void *userdata,
			  struct tdv_error *err)
{
	if (!t->base_tarball)
		return 0;
	/* The content-bearing entries in archive order, one per member. */
	_cleanup_free_ const struct rootfs_entry **want = calloc(t->n_entries + 1, sizeof(*want));
	if (!want)
		return rootfs_oom(err);
	size_t n = 0;
	for (size_t i = 0; i < t->n_entries; i++)
		if (t->entries[i].source == SOURCE_ARCHIVE)
			want[n++] = &t->entries[i];
	/* Sort by archive ordinal; hard-linked entries share one, keep the first. */
	for (size_t i = 1; i < n; i++) /* insertion sort is fine: mostly ordered */
		for (size_t j = i; j > 0 && want[j - 1]->archive_index > want[j]->archive_index; j--) {
			const struct rootfs_entry *x = want[j];
			want[j] = want[j - 1];
			want[j - 1] = x;
		}
	struct hashing_reader h = { .fd = -1 };
	struct archive *a = NULL;
	int r = archive_open_hashing(t->base_tarball, &h, &a);
	if (r < 0) {
		hashing_close(&h, a);
		return tdv_error_set(err, r, "base %s: %s", t->base_tarball, strerror(-r));
	}
	size_t k = 0;
	for (uint64_t ordinal = 0;; ordinal++) {
		struct archive_entry *ae;
		int ar = archive_read_next_header(a, &ae);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			r = tdv_error_set(err, -ESTALE, "base %s changed while building: %s",
					  t->base_tarball, archive_error_string(a) ?: "bad archive");
			goto out;
		}
		if (k < n && want[k]->archive_index == ordinal) {
			const struct rootfs_entry *e = want[k];
			la_int64_t size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
			if (archive_entry_filetype(ae) != AE_IFREG || size < 0 ||
			    (uint64_t)size != e->size) {
				r = tdv_error_set(err, -ESTALE, "base %s changed while building (%s)",
						  t->base_tarball, e->path);
				goto out;
			}
			if ((r = fn(e, a, userdata, err)) < 0)
				goto out;
			while (k < n && want[k]->archive_index == ordinal)
				k++;
		}
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = tdv_error_set(err, -ESTALE, "base %s changed while building: %s",
					  t->base_tarball, archive_error_string(a) ?: "truncated");
			goto out;
		}
	}
	uint8_t digest[32];
	if (k != n || (r = hashing_finish(&h, digest)) < 0 ||
	    !digest_equal(digest, t->base_tarball_sha256, 32))
		r = tdv_error_set(err, -ESTALE, "base %s changed while building", t->base_tarball);
out:
	hashing_close(&h, a);
	return r;
}

