/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ext4 writer: a loaded rootfs tree → an ext4 filesystem, through the public
 * libext2fs API only (no mke2fs -d, no mount, no root).
 *
 * Reproducibility: the output depends on (tree, options) only.  Every value mke2fs takes
 * from the clock or a random source is set from the options (UUID, hash seed, all
 * superblock and inode times; fs->now pins the library's own time stamps), entries are
 * created in path order so inode and block allocation is deterministic, the hash-version
 * flag is fixed instead of following the build host's char signedness, and the whole
 * target range is punched to zeros first so no stale byte of the file survives.
 */
#include "host/rootfs-tree.h"

#include "core/digest.h"
#include "core/util.h"

#include <archive.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>

#define BLOCK_SIZE 4096u
#define INODE_SIZE 256u
#define BLOCKS_PER_GROUP (8 * BLOCK_SIZE)
#define IO_CHUNK (4u << 20) /* also the longest extent a write adds (1024 blocks) */
#define UNIX_IO_DIRECT_BLOCKS 4 /* e2fsprogs lib/ext2fs/unix_io.c WRITE_DIRECT_SIZE */
#define LPF_BLOCKS 4		   /* lost+found is 16 KiB, as mke2fs makes it */
#define MAX_TIMESTAMP 0x3ffffffffull /* ext4 extra-epoch times end in 2446 */

/* --- sizing ------------------------------------------------------------------------- */

struct fs_plan {
	uint64_t content_blocks; /* data, directories, symlinks, xattr and extent blocks */
	uint32_t inodes;	 /* inodes the tree uses, reserved ones included */
};

static uint64_t div_up(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* Blocks a regular file of this size takes, its extent index blocks included. */
static uint64_t file_blocks(uint64_t size)
{
	uint64_t data = div_up(size, BLOCK_SIZE);
	/* Each IO_CHUNK of content is allocated as its own extent(s), split again at
	 * group boundaries.  More than the 4 in-inode extents needs index blocks (340 each). */
	uint64_t extents = div_up(data, IO_CHUNK / BLOCK_SIZE) + 2 * div_up(data, 32768) + 1;
	return data + (extents > 4 ? div_up(extents, 340) + 1 : 0);
}

/* Bytes of the xattr entries of an inode (ext4 entry: 16-byte header, name, value). */
static uint64_t xattr_bytes(const struct rootfs_entry *e)
{
	uint64_t b = 0;
	for (size_t i = 0; i < e->n_xattrs; i++)
		b += 16 + ((strlen(e->xattrs[i].key) + 3) & ~3ull) + ((e->xattrs[i].len + 3) & ~3ull);
	return b;
}

static uint64_t max_link_key(const struct rootfs_tree *t)
{
	uint64_t max = 0;
	for (size_t i = 0; i < t->n_entries; i++)
		if (t->entries[i].link_key > max)
			max = t->entries[i].link_key;
	return max;
}

static int plan_tree(const struct rootfs_tree *t, struct fs_plan *ret)
{
	/* Hard-link groups: the first entry (in path order) creates the inode. */
	_cleanup_free_ bool *seen = calloc(max_link_key(t) + 1, sizeof(*seen));
	_cleanup_free_ uint64_t *dir_bytes = calloc(t->n_entries + 1, sizeof(*dir_bytes));
	if (!seen || !dir_bytes)
		return -ENOMEM;
	uint64_t blocks = 0, inodes = EXT2_GOOD_OLD_FIRST_INO;
	bool have_lpf = false;
	for (size_t i = 0; i < t->n_entries; i++) {
		const struct rootfs_entry *e = &t->entries[i];
		if (i > 0) {
			const char *slash = strrchr(e->path, '/');
			size_t plen = (size_t)(slash - e->path);
			_cleanup_free_ char *parent = plen ? strndup(e->path, plen) : strdup("/");
			if (!parent)
				return -ENOMEM;
			const struct rootfs_entry *p = rootfs_tree_find(t, parent);
			if (!p)
				return -EINVAL;
			/* A directory entry: 8-byte header + name, 4-byte aligned. */
			dir_bytes[p - t->entries] += (8 + strlen(slash + 1) + 3) & ~3ull;
		}
		if (strcmp(e->path, "/lost+found") == 0)
			have_lpf = true;
		if (e->link_key) {
			if (seen[e->link_key])
				continue;
			seen[e->link_key] = true;
		}
		inodes++;
		if (S_ISREG(e->mode))
			blocks += file_blocks(e->size);
		else if (S_ISLNK(e->mode) && strlen(e->target) >= 60)
			blocks++; /* slow symlink */
		/* 256-byte inodes keep ~92 bytes of xattrs in the inode; more takes a block. */
		if (xattr_bytes(e) > 80)
			blocks++;
	}
	for (size_t i = 0; i < t->n_entries; i++) {
		if (!S_ISDIR(t->entries[i].mode))
			continue;
		/* "." and ".." take 24 bytes; a block holds 4084 bytes of entries after its
		 * checksum tail, minus what linear packing wastes (< one 263-byte entry). */
		uint64_t db = div_up(dir_bytes[i] + 24, 4084 - 264);
		blocks += db + (db > 4 ? div_up(db, 340) + 1 : 0);
	}
	if (!have_lpf)
		inodes++;
	blocks += LPF_BLOCKS;
	if (inodes > UINT32_MAX / 2)
		return -E2BIG;
	*ret = (struct fs_plan){ .content_blocks = blocks, .inodes = (uint32_t)inodes };
	return 0;
}

/* Inodes to give the filesystem: what the tree needs, 1/8 more, at least 16 per group. */
static uint32_t plan_inodes(const struct fs_plan *p, uint64_t total_blocks)
{
	uint64_t groups = div_up(total_blocks, BLOCKS_PER_GROUP);
	uint64_t want = p->inodes + p->inodes / 8 + 16;
	uint64_t per_group = div_up(div_up(want, groups), 16) * 16;
	if (per_group > BLOCKS_PER_GROUP)
		per_group = BLOCKS_PER_GROUP;
	return (uint32_t)(per_group * groups);
}

static bool has_super_backup(uint64_t g)
{
	if (g <= 1)
		return true;
	for (uint64_t b = 3; b <= 7; b += 2) {
		uint64_t x = b;
		while (x < g)
			x *= b;
		if (x == g)
			return true;
	}
	return false;
}

/* Blocks the whole filesystem needs for this content when it has total_blocks. */
static uint64_t needed_blocks(const struct fs_plan *p, uint64_t total_blocks)
{
	uint64_t groups = div_up(total_blocks, BLOCKS_PER_GROUP);
	uint64_t inode_table = div_up((uint64_t)plan_inodes(p, total_blocks) * INODE_SIZE,
				      BLOCK_SIZE);
	uint64_t gdt = div_up(groups * EXT2_MIN_DESC_SIZE_64BIT, BLOCK_SIZE);
	uint64_t meta = inode_table + 2 * groups;
	for (uint64_t g = 0; g < groups; g++)
		if (has_super_backup(g))
			meta += 1 + gdt;
	return p->content_blocks + meta + 1;
}

/*
 * Automatic size: needed × 1.10 + 1 MiB, rounded up to whole MiB, iterated until the
 * metadata of the grown filesystem still fits (more groups, more inode tables).
 */
static uint64_t auto_blocks(const struct fs_plan *p)
{
	uint64_t total = p->content_blocks + 256;
	for (int i = 0; i < 16; i++) {
		uint64_t need = needed_blocks(p, total);
		uint64_t want = div_up(need + need / 10 + 256, 256) * 256;
		if (want <= total)
			break;
		total = want;
	}
	return total;
}

#define EXT4_MAX_BLOCKS ((1ull << 32) - 1) /* 16 TiB: more than a rootfs needs */

static int size_blocks(const struct rootfs_tree *t, const struct ext4_options *o,
		       struct fs_plan *ret_plan, uint64_t *ret_blocks, struct tdv_error *err)
{
	if (!t || !o)
		return tdv_error_set(err, -EINVAL, "ext4: no tree or options");
	int r = plan_tree(t, ret_plan);
	if (r < 0)
		return tdv_error_set(err, r, "ext4: cannot size the tree: %s", strerror(-r));
	if (o->size_bytes == 0) {
		*ret_blocks = auto_blocks(ret_plan);
	} else {
		if (o->size_bytes % BLOCK_SIZE)
			return tdv_error_set(err, -EINVAL, "ext4: size %" PRIu64 " is not a multiple "
							   "of %u bytes", o->size_bytes, BLOCK_SIZE);
		uint64_t blocks = o->size_bytes / BLOCK_SIZE;
		/* Before needed_blocks(): it walks every block group of the requested size. */
		if (blocks > EXT4_MAX_BLOCKS)
			return tdv_error_set(err, -EFBIG, "ext4: filesystem too large");
		uint64_t need = needed_blocks(ret_plan, blocks);
		if (blocks < need || blocks < 64)
			return tdv_error_set(err, -ENOSPC,
					     "ext4: the content needs at least %" PRIu64 " bytes "
					     "but the size is %" PRIu64 " bytes",
					     (need < 64 ? 64 : need) * BLOCK_SIZE, o->size_bytes);
		*ret_blocks = blocks;
	}
	if (*ret_blocks > EXT4_MAX_BLOCKS)
		return tdv_error_set(err, -EFBIG, "ext4: filesystem too large");
	return 0;
}

int ext4_image_size(const struct rootfs_tree *t, const struct ext4_options *o,
		    uint64_t *ret_size, struct tdv_error *err)
{
	struct fs_plan plan;
	uint64_t blocks;
	int r = size_blocks(t, o, &plan, &blocks, err);
	if (r < 0)
		return r;
	*ret_size = blocks * BLOCK_SIZE;
	return 0;
}

/* --- writing ------------------------------------------------------------------------ */

struct writer {
	const struct rootfs_tree *t;
	const struct ext4_options *o;
	ext2_filsys fs;
	ext2_ino_t *ino;      /* per entry */
	ext2_ino_t *key_ino;  /* per hard-link key: its inode once created */
	uint32_t *key_links;  /* per hard-link key: number of names */
	uint64_t max_key;
	uint8_t *buf;	      /* IO_CHUNK */
	int final_error;      /* what o->blocks_final() returned, when it failed */
	struct tdv_error *err;
};

static int fs_error(struct writer *w, errcode_t rc, const char *what, const char *path)
{
	int r = -EIO;
	const char *why = error_message(rc);
	if (rc == EXT2_ET_BLOCK_ALLOC_FAIL || rc == EXT2_ET_INODE_ALLOC_FAIL ||
	    rc == EXT2_ET_DIR_NO_SPACE || rc == EXT2_ET_EA_NO_SPACE) {
		r = -ENOSPC;
		why = "filesystem full (size too small)";
	}
	return tdv_error_set(w->err, r, "ext4: %s %s: %s", what, path ? path : "", why);
}

static uint8_t dirent_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG_FILE;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	case S_IFCHR: return EXT2_FT_CHRDEV;
	case S_IFBLK: return EXT2_FT_BLKDEV;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	}
	return EXT2_FT_UNKNOWN;
}

static errcode_t link_expand(ext2_filsys fs, ext2_ino_t dir, const char *name, ext2_ino_t ino,
			     uint32_t mode)
{
	errcode_t rc = ext2fs_link(fs, dir, name, ino, dirent_type(mode));
	if (rc == EXT2_ET_DIR_NO_SPACE) {
		rc = ext2fs_expand_dir(fs, dir);
		if (!rc)
			rc = ext2fs_link(fs, dir, name, ino, dirent_type(mode));
	}
	return rc;
}

static void set_owner(struct ext2_inode_large *in, uint32_t uid, uint32_t gid)
{
	in->i_uid = (uint16_t)uid;
	ext2fs_set_i_uid_high(*in, (uint16_t)(uid >> 16));
	in->i_gid = (uint16_t)gid;
	ext2fs_set_i_gid_high(*in, (uint16_t)(gid >> 16));
}

static errcode_t read_large(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	return ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)in, sizeof(*in));
}

static errcode_t write_large(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode_large *in)
{
	return ext2fs_write_inode_full(fs, ino, (struct ext2_inode *)in, sizeof(*in));
}

/* Mode bits and owner of an inode the library created (directories, symlinks). */
static int set_attrs(struct writer *w, ext2_ino_t ino, const struct rootfs_entry *e)
{
	struct ext2_inode_large in;
	errcode_t rc = read_large(w->fs, ino, &in);
	if (!rc) {
		in.i_mode = (uint16_t)((in.i_mode & S_IFMT) | (e->mode & 07777));
		set_owner(&in, e->uid, e->gid);
		rc = write_large(w->fs, ino, &in);
	}
	return rc ? fs_error(w, rc, "set attributes of", e->path) : 0;
}

static int set_xattrs(struct writer *w, ext2_ino_t ino, const struct rootfs_entry *e)
{
	if (e->n_xattrs == 0)
		return 0;
	struct ext2_xattr_handle *h = NULL;
	errcode_t rc = ext2fs_xattrs_open(w->fs, ino, &h);
	if (!rc)
		rc = ext2fs_xattrs_read(h);
	for (size_t i = 0; !rc && i < e->n_xattrs; i++)
		rc = ext2fs_xattr_set(h, e->xattrs[i].key, e->xattrs[i].value, e->xattrs[i].len);
	if (h) {
		errcode_t rc2 = ext2fs_xattrs_close(&h);
		if (!rc)
			rc = rc2;
	}
	return rc ? fs_error(w, rc, "write xattrs of", e->path) : 0;
}

/* Where the bytes of a regular file come from while it is written. */
struct content_source {
	int fd;		    /* host file, or -1 */
	uint64_t pos;	    /* host file: read with pread from here (a kept descriptor's
			     * offset is where the hash left it) */
	struct archive *a;  /* tarball member, or NULL */
	EVP_MD_CTX *md;	    /* a host file changed just before its load-time hash: hashed
			     * again (else its identity is compared, rootfs_file_check()) */
};

static ssize_t source_read(struct content_source *s, void *buf, size_t len)
{
	if (s->a) {
		la_ssize_t n = archive_read_data(s->a, buf, len);
		return n < 0 ? -EIO : n;
	}
	ssize_t n;
	do
		n = pread(s->fd, buf, len, (off_t)s->pos);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return negative_errno();
	if (n > 0 && s->md && EVP_DigestUpdate(s->md, buf, (size_t)n) != 1)
		return -EIO;
	s->pos += (uint64_t)n;
	return n;
}

static bool block_is_zero(const uint8_t *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* Copy e->size bytes into the inode; all-zero blocks become holes (content-determined). */
/*
 * Allocate logical blocks [lblk, lblk + n) of the inode and write data there, one I/O per
 * physically contiguous run (ext2fs_file_write would issue one 4 KiB write per block).
 */
static errcode_t write_run(struct writer *w, ext2_ino_t ino, struct ext2_inode_large *in,
			   blk64_t lblk, blk64_t n, const uint8_t *data)
{
	errcode_t rc = ext2fs_fallocate(w->fs, EXT2_FALLOCATE_FORCE_INIT, ino,
					(struct ext2_inode *)in, ~0ULL, lblk, n);
	/* One extent lookup per physical run, not one block map per block. */
	ext2_extent_handle_t h = NULL;
	if (!rc)
		rc = ext2fs_extent_open2(w->fs, ino, (struct ext2_inode *)in, &h);
	for (blk64_t i = 0; !rc && i < n;) {
		struct ext2fs_extent ex;
		blk64_t l = lblk + i;
		rc = ext2fs_extent_goto(h, l);
		if (!rc)
			rc = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, &ex);
		if (!rc && (l < ex.e_lblk || l >= ex.e_lblk + ex.e_len || ex.e_pblk == 0 ||
			    (ex.e_flags & EXT2_EXTENT_FLAGS_UNINIT)))
			rc = EXT2_ET_BLOCK_ALLOC_FAIL;
		if (rc)
			break;
		blk64_t first = ex.e_pblk + (l - ex.e_lblk);
		blk64_t len = ex.e_lblk + ex.e_len - l;
		if (len > n - i)
			len = n - i;
		rc = io_channel_write_blk64(w->fs->io, first, (int)len, data + i * BLOCK_SIZE);
		/* unix_io writes a run longer than its WRITE_DIRECT_SIZE (4 blocks) with one
		 * pwrite(2) before it returns; shorter ones may sit in its cache until close,
		 * so only the long ones are final in the file now.  The data blocks of a file
		 * are written once and never reused for metadata. */
		if (!rc && len > UNIX_IO_DIRECT_BLOCKS && w->o->blocks_final) {
			int r = w->o->blocks_final(w->o->blocks_final_userdata, first, len);
			if (r < 0) {
				w->final_error = r;
				rc = EXT2_ET_SHORT_WRITE;
			}
		}
		i += len;
	}
	ext2fs_extent_free(h);
	return rc;
}

/* Copy e->size bytes into the inode; all-zero blocks become holes (content-determined). */
static int write_content(struct writer *w, ext2_ino_t ino, const struct rootfs_entry *e,
			 struct content_source *s)
{
	struct ext2_inode_large in;
	errcode_t rc = read_large(w->fs, ino, &in);
	if (rc)
		return fs_error(w, rc, "read inode of", e->path);
	uint64_t pos = 0;
	int r = 0;
	while (pos < e->size && !rc) {
		size_t want = e->size - pos < IO_CHUNK ? (size_t)(e->size - pos) : IO_CHUNK;
		size_t got = 0;
		while (got < want) {
			ssize_t n = source_read(s, w->buf + got, want - got);
			if (n <= 0) {
				r = n < 0 ? (int)n : -ESTALE;
				break;
			}
			got += (size_t)n;
		}
		if (r < 0)
			break;
		size_t padded = (got + BLOCK_SIZE - 1) / BLOCK_SIZE * BLOCK_SIZE;
		memset(w->buf + got, 0, padded - got); /* the tail of the last block */
		for (size_t b = 0; b < padded / BLOCK_SIZE && !rc;) {
			if (block_is_zero(w->buf + b * BLOCK_SIZE, BLOCK_SIZE)) {
				b++;
				continue;
			}
			size_t end = b + 1;
			while (end < padded / BLOCK_SIZE &&
			       !block_is_zero(w->buf + end * BLOCK_SIZE, BLOCK_SIZE))
				end++;
			rc = write_run(w, ino, &in, pos / BLOCK_SIZE + b, end - b,
				       w->buf + b * BLOCK_SIZE);
			b = end;
		}
		pos += got;
	}
	if (!rc && r == 0) {
		/* fallocate kept `in` current (extent root, i_blocks); add the size. */
		rc = ext2fs_inode_size_set(w->fs, (struct ext2_inode *)&in, e->size);
		if (!rc)
			rc = write_large(w->fs, ino, &in);
	}
	if (r < 0)
		return tdv_error_set(w->err, r == -ESTALE ? -ESTALE : r, "ext4: %s: source %s",
				     e->path, r == -ESTALE ? "changed size while building"
							   : strerror(-r));
	if (rc)
		return w->final_error ? tdv_error_set(w->err, w->final_error, "ext4: %s: %s", e->path,
						      strerror(-w->final_error))
				      : fs_error(w, rc, "write", e->path);
	if (s->fd < 0)
		return 0;
	/* Nothing may follow the measured size, and the bytes must be the measured ones:
	 * the same digest, or the same file unchanged since it was hashed. */
	uint8_t extra, digest[32];
	unsigned len;
	bool same;
	if (s->md)
		same = source_read(s, &extra, 1) == 0 &&
		       EVP_DigestFinal_ex(s->md, digest, &len) == 1 &&
		       digest_equal(digest, e->sha256, 32);
	else /* a file that grew has another size (and ctime) */
		same = rootfs_file_check(s->fd, e) == 0;
	if (!same)
		return tdv_error_set(w->err, -ESTALE, "ext4: %s: source changed since it was "
						      "loaded", e->path);
	return 0;
}

static int write_host_content(struct writer *w, ext2_ino_t ino, const struct rootfs_entry *e)
{
	/* The descriptor the load hashed through, if it kept it: the very file measured.
	 * Else the file at the same path, which must still be that file, unchanged. */
	_cleanup_close_ int own = -1;
	if (!e->keeps_fd) {
		own = rootfs_entry_open(w->t, e);
		if (own < 0)
			return tdv_error_set(w->err, own, "ext4: %s: cannot open source: %s",
					     e->path, strerror(-own));
		if (rootfs_file_check(own, e) < 0)
			return tdv_error_set(w->err, -ESTALE, "ext4: %s: source changed since it "
							      "was loaded", e->path);
	}
	struct content_source s = { .fd = e->keeps_fd ? e->host_fd : own };
	if (e->rehash && (!(s.md = EVP_MD_CTX_new()) ||
			  EVP_DigestInit_ex(s.md, EVP_sha256(), NULL) != 1)) {
		EVP_MD_CTX_free(s.md);
		return tdv_error_set(w->err, -ENOMEM, "out of memory");
	}
	int r = write_content(w, ino, e, &s);
	EVP_MD_CTX_free(s.md);
	return r;
}

static int archive_member_cb(const struct rootfs_entry *e, struct archive *a, void *userdata,
			     struct tdv_error *err)
{
	struct writer *w = userdata;
	struct content_source s = { .fd = -1, .a = a };
	return write_content(w, w->ino[e - w->t->entries], e, &s);
}

/* A new inode for a non-directory, non-symlink entry, linked into its parent. */
static int create_inode(struct writer *w, ext2_ino_t parent, const char *name,
			const struct rootfs_entry *e, uint16_t links, ext2_ino_t *ret)
{
	ext2_ino_t ino;
	errcode_t rc = ext2fs_new_inode(w->fs, parent, (int)e->mode, NULL, &ino);
	if (!rc)
		rc = link_expand(w->fs, parent, name, ino, e->mode);
	if (rc)
		return fs_error(w, rc, "create", e->path);
	ext2fs_inode_alloc_stats2(w->fs, ino, +1, 0);
	struct ext2_inode_large in = { 0 };
	in.i_mode = (uint16_t)e->mode;
	set_owner(&in, e->uid, e->gid);
	in.i_links_count = links;
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		/* The kernel's old (8:8) and new (12:20) device encodings. */
		if (e->major < 256 && e->minor < 256) {
			in.i_block[0] = e->major * 256 + e->minor;
		} else {
			in.i_block[1] = (e->minor & 0xff) | (e->major << 8) |
					((e->minor & ~0xffu) << 12);
		}
	}
	if (S_ISREG(e->mode) && ext2fs_has_feature_extents(w->fs->super)) {
		ext2_extent_handle_t h;
		rc = ext2fs_extent_open2(w->fs, ino, (struct ext2_inode *)&in, &h);
		if (rc)
			return fs_error(w, rc, "create extents of", e->path);
		ext2fs_extent_free(h);
	}
	rc = ext2fs_write_new_inode(w->fs, ino, (struct ext2_inode *)&in);
	if (rc)
		return fs_error(w, rc, "write inode of", e->path);
	*ret = ino;
	return 0;
}

static int lookup(struct writer *w, ext2_ino_t parent, const char *name,
		  const struct rootfs_entry *e, ext2_ino_t *ret)
{
	errcode_t rc = ext2fs_lookup(w->fs, parent, name, (int)strlen(name), NULL, ret);
	return rc ? fs_error(w, rc, "look up", e->path) : 0;
}

static int make_dir(struct writer *w, ext2_ino_t parent, const char *name,
		    const struct rootfs_entry *e, ext2_ino_t *ret)
{
	errcode_t rc = ext2fs_mkdir(w->fs, parent, 0, name);
	if (rc == EXT2_ET_DIR_NO_SPACE) {
		rc = ext2fs_expand_dir(w->fs, parent);
		if (!rc)
			rc = ext2fs_mkdir(w->fs, parent, 0, name);
	}
	if (rc)
		return fs_error(w, rc, "create directory", e->path);
	int r = lookup(w, parent, name, e, ret);
	return r < 0 ? r : set_attrs(w, *ret, e);
}

static int make_symlink(struct writer *w, ext2_ino_t parent, const char *name,
			const struct rootfs_entry *e, ext2_ino_t *ret)
{
	errcode_t rc = ext2fs_symlink(w->fs, parent, 0, name, e->target);
	if (rc == EXT2_ET_DIR_NO_SPACE) {
		rc = ext2fs_expand_dir(w->fs, parent);
		if (!rc)
			rc = ext2fs_symlink(w->fs, parent, 0, name, e->target);
	}
	if (rc)
		return fs_error(w, rc, "create symlink", e->path);
	int r = lookup(w, parent, name, e, ret);
	return r < 0 ? r : set_attrs(w, *ret, e);
}

static uint16_t group_links(const struct writer *w, uint64_t key)
{
	uint32_t n = w->key_links[key];
	return n > 65000 ? 65000 : (uint16_t)n;
}

static int write_entry(struct writer *w, size_t i)
{
	const struct rootfs_entry *e = &w->t->entries[i];
	const char *slash = strrchr(e->path, '/');
	size_t plen = (size_t)(slash - e->path);
	_cleanup_free_ char *parent_path = plen ? strndup(e->path, plen) : strdup("/");
	if (!parent_path)
		return tdv_error_set(w->err, -ENOMEM, "out of memory");
	const struct rootfs_entry *pe = rootfs_tree_find(w->t, parent_path);
	if (!pe || !S_ISDIR(pe->mode))
		return tdv_error_set(w->err, -EINVAL, "ext4: %s: no parent directory", e->path);
	ext2_ino_t parent = w->ino[pe - w->t->entries];
	const char *name = slash + 1;
	int r;

	if (e->link_key && w->key_ino[e->link_key]) { /* another name of an inode */
		ext2_ino_t ino = w->key_ino[e->link_key];
		errcode_t rc = link_expand(w->fs, parent, name, ino, e->mode);
		if (rc)
			return fs_error(w, rc, "link", e->path);
		w->ino[i] = ino;
		return 0;
	}
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		if (strcmp(e->path, "/lost+found") == 0) {
			if ((r = lookup(w, parent, name, e, &w->ino[i])) < 0)
				return r;
			r = set_attrs(w, w->ino[i], e);
		} else
			r = make_dir(w, parent, name, e, &w->ino[i]);
		break;
	case S_IFLNK:
		r = make_symlink(w, parent, name, e, &w->ino[i]);
		break;
	default:
		r = create_inode(w, parent, name, e, e->link_key ? group_links(w, e->link_key) : 1,
				 &w->ino[i]);
		if (r >= 0 && S_ISREG(e->mode) && e->source == SOURCE_HOST && e->size > 0)
			r = write_host_content(w, w->ino[i], e);
		break;
	}
	if (r < 0)
		return r;
	if (e->link_key)
		w->key_ino[e->link_key] = w->ino[i];
	return set_xattrs(w, w->ino[i], e);
}

static void set_inode_times(struct ext2_inode_large *in, uint64_t ts)
{
	uint32_t lo = (uint32_t)ts, epoch = (uint32_t)(ts >> 32) & 3;
	in->i_atime = in->i_ctime = in->i_mtime = in->i_crtime = lo;
	in->i_atime_extra = in->i_ctime_extra = in->i_mtime_extra = in->i_crtime_extra = epoch;
	in->i_dtime = 0;
}

/* Every used inode gets the options' time stamp (the library stamped some with fs->now
 * or the clock; this pass makes them all equal whatever it did). */
static int stamp_inodes(struct writer *w)
{
	ext2_filsys fs = w->fs;
	for (ext2_ino_t ino = 1; ino <= fs->super->s_inodes_count; ino++) {
		if (!ext2fs_test_inode_bitmap2(fs->inode_map, ino))
			continue;
		struct ext2_inode_large in;
		errcode_t rc = read_large(fs, ino, &in);
		if (rc)
			return fs_error(w, rc, "read inode", NULL);
		if (in.i_mode == 0 && ino != EXT2_BAD_INO)
			continue; /* reserved, never written */
		set_inode_times(&in, w->o->timestamp);
		if ((rc = write_large(fs, ino, &in)))
			return fs_error(w, rc, "write inode", NULL);
	}
	return 0;
}

static void set_super_fields(ext2_filsys fs, const struct ext4_options *o)
{
	struct ext2_super_block *sb = fs->super;
	uint32_t lo = (uint32_t)o->timestamp;
	uint8_t hi = (uint8_t)(o->timestamp >> 32);
	memcpy(sb->s_uuid, o->uuid, 16);
	memcpy(sb->s_hash_seed, o->hash_seed, 16);
	sb->s_def_hash_version = EXT2_HASH_HALF_MD4;
	/* mke2fs picks signed/unsigned after the build host's char; fix it instead. */
	sb->s_flags = (sb->s_flags & ~EXT2_FLAGS_UNSIGNED_HASH) | EXT2_FLAGS_SIGNED_HASH;
	sb->s_mkfs_time = sb->s_wtime = sb->s_lastcheck = lo;
	sb->s_mkfs_time_hi = sb->s_wtime_hi = sb->s_lastcheck_hi = hi;
	sb->s_mtime = 0;
	sb->s_max_mnt_count = -1;
	sb->s_checkinterval = 0;
	sb->s_kbytes_written = 0;
	sb->s_creator_os = EXT2_OS_LINUX;
	sb->s_default_mount_opts = EXT2_DEFM_XATTR_USER | EXT2_DEFM_ACL;
	memset(sb->s_volume_name, 0, sizeof(sb->s_volume_name));
	if (o->label)
		memcpy(sb->s_volume_name, o->label, strlen(o->label));
	memset(sb->s_last_mounted, 0, sizeof(sb->s_last_mounted));
	sb->s_checksum_type = EXT2_CRC32C_CHKSUM;
	fs->now = (time_t)o->timestamp;
}

/* Zero the target range: punch a hole (cheap), or write zeros where that is unsupported. */
static int zero_range(int fd, uint64_t offset, uint64_t len, bool regular)
{
	if (regular && fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
				 (off_t)len) == 0)
		return 0;
	_cleanup_free_ uint8_t *zeros = calloc(1, IO_CHUNK);
	if (!zeros)
		return -ENOMEM;
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < IO_CHUNK ? (size_t)(len - done) : IO_CHUNK;
		int r = pwrite_full(fd, zeros, n, offset + done);
		if (r < 0)
			return r;
		done += n;
	}
	return 0;
}

static int prepare_target(const char *path, uint64_t offset, uint64_t size,
			  struct tdv_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return tdv_error_set(err, negative_errno(), "ext4: cannot open %s: %s", path,
				     strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0)
		return tdv_error_set(err, negative_errno(), "ext4: %s: %s", path, strerror(errno));
	uint64_t end;
	if (!add_ok(offset, size, &end))
		return tdv_error_set(err, -EINVAL, "ext4: offset too large");
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < end)
		return tdv_error_set(err, -EINVAL,
				     "ext4: %s is %" PRIu64 " bytes, the filesystem needs %" PRIu64
				     " bytes from offset %" PRIu64, path, (uint64_t)st.st_size, size,
				     offset);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return tdv_error_set(err, -EINVAL, "ext4: %s is not a file or block device", path);
	int r = zero_range(fd, offset, size, S_ISREG(st.st_mode));
	if (r < 0)
		return tdv_error_set(err, r, "ext4: cannot clear %s: %s", path, strerror(-r));
	return 0;
}

static int init_fs(struct writer *w, const char *path, uint64_t offset, uint64_t blocks,
		   const struct fs_plan *plan)
{
	struct ext2_super_block param = { 0 };
	ext2fs_blocks_count_set(&param, blocks);
	param.s_log_block_size = 2; /* 1024 << 2 */
	param.s_rev_level = EXT2_DYNAMIC_REV;
	param.s_inode_size = INODE_SIZE;
	param.s_inodes_count = plan_inodes(plan, blocks);
	param.s_log_groups_per_flex = 4;
	param.s_desc_size = EXT2_MIN_DESC_SIZE_64BIT;
	param.s_feature_compat = EXT2_FEATURE_COMPAT_DIR_INDEX | EXT2_FEATURE_COMPAT_EXT_ATTR;
	param.s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE | EXT3_FEATURE_INCOMPAT_EXTENTS |
				   EXT4_FEATURE_INCOMPAT_FLEX_BG | EXT4_FEATURE_INCOMPAT_64BIT;
	param.s_feature_ro_compat =
		EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE |
		EXT4_FEATURE_RO_COMPAT_HUGE_FILE | EXT4_FEATURE_RO_COMPAT_DIR_NLINK |
		EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE | EXT4_FEATURE_RO_COMPAT_METADATA_CSUM;

	errcode_t rc = ext2fs_initialize(path, EXT2_FLAG_64BITS, &param, unix_io_manager, &w->fs);
	if (rc)
		return fs_error(w, rc, "initialise", path);
	ext2_filsys fs = w->fs;
	char opts[64];
	snprintf(opts, sizeof(opts), "offset=%" PRIu64, offset);
	if ((rc = io_channel_set_options(fs->io, opts)))
		return fs_error(w, rc, "set offset on", path);
	set_super_fields(fs, w->o);
	ext2fs_init_csum_seed(fs);
	if ((rc = ext2fs_allocate_tables(fs)))
		return fs_error(w, rc, "allocate tables of", path);
	/* The range was zeroed by prepare_target(), so the inode tables are. */
	for (dgrp_t g = 0; g < fs->group_desc_count; g++)
		ext2fs_bg_flags_set(fs, g, EXT2_BG_INODE_ZEROED);
	/* The bad-block inode and the reserved inodes, as mke2fs marks them. */
	ext2fs_inode_alloc_stats2(fs, EXT2_BAD_INO, +1, 0);
	if ((rc = ext2fs_update_bb_inode(fs, NULL)))
		return fs_error(w, rc, "write bad-block inode of", path);
	for (ext2_ino_t i = EXT2_ROOT_INO + 1; i < EXT2_FIRST_INODE(fs->super); i++)
		ext2fs_inode_alloc_stats2(fs, i, +1, 0);
	ext2fs_mark_ib_dirty(fs);
	return 0;
}

static int create_root_and_lpf(struct writer *w)
{
	ext2_filsys fs = w->fs;
	errcode_t rc = ext2fs_mkdir(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, 0);
	if (rc)
		return fs_error(w, rc, "create", "/");
	w->ino[0] = EXT2_ROOT_INO;
	int r = set_attrs(w, EXT2_ROOT_INO, &w->t->entries[0]);
	if (r < 0)
		return r;
	if ((rc = ext2fs_mkdir(fs, EXT2_ROOT_INO, 0, "lost+found")))
		return fs_error(w, rc, "create", "/lost+found");
	ext2_ino_t lpf;
	if ((rc = ext2fs_lookup(fs, EXT2_ROOT_INO, "lost+found", 10, NULL, &lpf)))
		return fs_error(w, rc, "look up", "/lost+found");
	struct ext2_inode_large in;
	if ((rc = read_large(fs, lpf, &in)))
		return fs_error(w, rc, "read", "/lost+found");
	in.i_mode = LINUX_S_IFDIR | 0700;
	if ((rc = write_large(fs, lpf, &in)))
		return fs_error(w, rc, "write", "/lost+found");
	for (int i = 1; i < LPF_BLOCKS; i++)
		if ((rc = ext2fs_expand_dir(fs, lpf)))
			return fs_error(w, rc, "expand", "/lost+found");
	return set_xattrs(w, EXT2_ROOT_INO, &w->t->entries[0]);
}

static int write_tree(struct writer *w, const char *path, uint64_t offset, uint64_t blocks,
		      const struct fs_plan *plan)
{
	int r = init_fs(w, path, offset, blocks, plan);
	if (r < 0)
		return r;
	if ((r = create_root_and_lpf(w)) < 0)
		return r;
	for (size_t i = 1; i < w->t->n_entries; i++)
		if ((r = write_entry(w, i)) < 0)
			return r;
	if ((r = rootfs_archive_stream(w->t, archive_member_cb, w, w->err)) < 0)
		return r;
	if ((r = stamp_inodes(w)) < 0)
		return r;
	errcode_t rc = ext2fs_close_free(&w->fs);
	return rc ? fs_error(w, rc, "write", path) : 0;
}

int ext4_image_write(const struct rootfs_tree *t, const struct ext4_options *o, const char *path,
		     uint64_t offset, struct tdv_error *err)
{
	struct fs_plan plan;
	uint64_t blocks;
	int r = size_blocks(t, o, &plan, &blocks, err);
	if (r < 0)
		return r;
	if (o->label && strlen(o->label) > EXT2_LABEL_LEN)
		return tdv_error_set(err, -EINVAL, "ext4: label longer than %d bytes", EXT2_LABEL_LEN);
	if (o->timestamp > MAX_TIMESTAMP)
		return tdv_error_set(err, -EINVAL, "ext4: timestamp %" PRIu64 " beyond 2446",
				     o->timestamp);
	if (t->n_entries == 0 || strcmp(t->entries[0].path, "/") != 0)
		return tdv_error_set(err, -EINVAL, "ext4: tree has no root");
	if ((r = prepare_target(path, offset, blocks * BLOCK_SIZE, err)) < 0)
		return r;

	struct writer w = { .t = t, .o = o, .err = err };
	w.max_key = max_link_key(t);
	w.ino = calloc(t->n_entries, sizeof(*w.ino));
	w.key_ino = calloc(w.max_key + 1, sizeof(*w.key_ino));
	w.key_links = calloc(w.max_key + 1, sizeof(*w.key_links));
	w.buf = malloc(IO_CHUNK);
	if (!w.ino || !w.key_ino || !w.key_links || !w.buf) {
		r = tdv_error_set(err, -ENOMEM, "out of memory");
	} else {
		for (size_t i = 0; i < t->n_entries; i++)
			w.key_links[t->entries[i].link_key]++;
		r = write_tree(&w, path, offset, blocks, &plan);
	}
	if (w.fs)
		ext2fs_free(w.fs); /* after an error: drop without flushing */
	free(w.ino);
	free(w.key_ino);
	free(w.key_links);
	free(w.buf);
	return r;
}
