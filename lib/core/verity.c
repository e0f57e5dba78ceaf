/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity hash tree (format version 1), byte-identical to `veritysetup format`.
 *
 * Layout facts (checked against cryptsetup's lib/verity and veritysetup 2.6.1 here):
 *  - digests per hash block = 2^floor(log2(hash_block_size / digest_size)); each digest
 *    occupies a slot of 2^ceil(log2(digest_size)) bytes, so slot i of a level sits at byte
 *    i * slot_size from the level's start and a level is a plain array of slots;
 *  - number of levels: smallest L with (data_blocks - 1) >> (L * bits) == 0, so a single
 *    data block has no tree at all and its digest is the root;
 *  - the tree starts at hash block ceil((hash_offset + 512) / hash_block_size) with a
 *    superblock, at hash_offset / hash_block_size without one; top level first.
 *
 * Every level is computed the same way: split its input blocks into units, let worker
 * threads take units from a shared counter (load-balanced on a busy machine), read each
 * unit with one large pread, hash each block from a context pre-loaded with the salt and
 * write (or, to verify, compare) the unit's slots.  Upper levels read the level below back
 * from the hash device, so memory stays a few MiB per thread whatever the image size.
 */
#include "core/verity.h"
#include "core/util.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define VERITY_MAX_LEVELS 63
#define VERITY_MIN_BLOCK 512u
#define VERITY_MAX_BLOCK (1u << 20)
#define VERITY_MAX_THREADS 256u
/* Input bytes per work unit: large sequential reads, small per-thread buffers. */
#define VERITY_UNIT_BYTES (1u << 20)

static const uint8_t superblock_magic[8] = { 'v', 'e', 'r', 'i', 't', 'y', 0, 0 };

/* Superblock field offsets (struct verity_sb in cryptsetup, packed, little endian). */
enum {
	SB_MAGIC = 0,
	SB_VERSION = 8,
	SB_HASH_TYPE = 12,
	SB_UUID = 16,
	SB_ALGORITHM = 32,
	SB_ALGORITHM_LEN = 32,
	SB_DATA_BLOCK_SIZE = 64,
	SB_HASH_BLOCK_SIZE = 68,
	SB_DATA_BLOCKS = 72,
	SB_SALT_SIZE = 80,
	SB_PAD1 = 82,
	SB_SALT = 88,
	SB_PAD2 = SB_SALT + VERITY_MAX_SALT, /* 344 .. 511 */
};

struct verity_geometry {
	size_t digest_size;
	size_t slot_size;
	uint64_t per_block;			     /* digests per hash block */
	unsigned levels;			     /* 0 when data_blocks == 1 */
	uint64_t level_offset[VERITY_MAX_LEVELS];    /* byte offset on the hash device; 0 = leaf */
	uint64_t level_blocks[VERITY_MAX_LEVELS];    /* hash blocks in the level */
	uint64_t tree_offset;			     /* first tree byte (top level) */
	uint64_t tree_end;			     /* byte after the last tree block */
};

static bool block_size_ok(uint32_t s)
{
	return s >= VERITY_MIN_BLOCK && s <= VERITY_MAX_BLOCK && (s & (s - 1)) == 0;
}

static unsigned log2_floor(uint64_t v)
{
	unsigned r = 0;
	while (v >>= 1)
		r++;
	return r;
}

static size_t pow2_ceil(size_t v)
{
	size_t r = 1;
	while (r < v)
		r <<= 1;
	return r;
}

int verity_params_validate(const struct verity_params *p)
{
	if (!p || hash_alg_size(p->alg) == 0)
		return -EINVAL;
	if (!block_size_ok(p->data_block_size) || !block_size_ok(p->hash_block_size))
		return -EINVAL;
	if (p->salt_size > VERITY_MAX_SALT || p->data_blocks == 0)
		return -EINVAL;
	/* Sizes must stay representable as off_t (what the kernel and pread take). */
	uint64_t data_bytes;
	if (!mul_ok(p->data_blocks, (uint64_t)p->data_block_size, &data_bytes) ||
	    data_bytes > (uint64_t)INT64_MAX)
		return -EINVAL;
	/* veritysetup reads the superblock only at 512-byte offsets; without one the kernel's
	 * hash_start is counted in hash blocks, so anything else would be ambiguous. */
	if (p->hash_offset % VERITY_MIN_BLOCK != 0)
		return -EINVAL;
	if (!p->superblock && p->hash_offset % p->hash_block_size != 0)
		return -EINVAL;
	return 0;
}

static int geometry_compute(const struct verity_params *p, struct verity_geometry *ret)
{
	int r = verity_params_validate(p);
	if (r < 0)
		return r;

	struct verity_geometry g = { 0 };
	g.digest_size = hash_alg_size(p->alg);
	g.slot_size = pow2_ceil(g.digest_size);
	unsigned bits = log2_floor(p->hash_block_size / g.digest_size);
	if (bits == 0)
		return -EINVAL;
	g.per_block = UINT64_C(1) << bits;

	while (bits * g.levels < 64 && (p->data_blocks - 1) >> (bits * g.levels))
		g.levels++;
	if (g.levels > VERITY_MAX_LEVELS)
		return -EINVAL;

	uint64_t hbs = p->hash_block_size, block;
	if (verity_hash_start_block(p, &block) < 0 || !mul_ok(block, hbs, &g.tree_offset))
		return -EINVAL;
	for (int i = (int)g.levels - 1; i >= 0; i--) {
		unsigned shift = (unsigned)(i + 1) * bits;
		uint64_t blocks = shift >= 64 ? 1 : ((p->data_blocks - 1) >> shift) + 1;
		if (!mul_ok(block, hbs, &g.level_offset[i]))
			return -EINVAL;
		g.level_blocks[i] = blocks;
		if (!add_ok(block, blocks, &block))
			return -EINVAL;
	}
	if (!mul_ok(block, hbs, &g.tree_end) || g.tree_end > (uint64_t)INT64_MAX)
		return -EINVAL;
	*ret = g;
	return 0;
}

int verity_hash_area_size(const struct verity_params *p, uint64_t *ret_size)
{
	struct verity_geometry g;
	int r = geometry_compute(p, &g);
	if (r < 0)
		return r;
	*ret_size = g.tree_end - p->hash_offset;
	return 0;
}

int verity_superblock_encode(const struct verity_params *p, uint8_t out[VERITY_SUPERBLOCK_SIZE])
{
	int r = verity_params_validate(p);
	if (r < 0)
		return r;
	const char *name = hash_alg_name(p->alg);

	memset(out, 0, VERITY_SUPERBLOCK_SIZE);
	memcpy(out + SB_MAGIC, superblock_magic, sizeof(superblock_magic));
	le32_put(out + SB_VERSION, 1);
	le32_put(out + SB_HASH_TYPE, 1);
	memcpy(out + SB_UUID, p->uuid, sizeof(p->uuid));
	memcpy(out + SB_ALGORITHM, name, strlen(name));
	le32_put(out + SB_DATA_BLOCK_SIZE, p->data_block_size);
	le32_put(out + SB_HASH_BLOCK_SIZE, p->hash_block_size);
	le64_put(out + SB_DATA_BLOCKS, p->data_blocks);
	le16_put(out + SB_SALT_SIZE, p->salt_size);
	memcpy(out + SB_SALT, p->salt, p->salt_size);
	return 0;
}

static bool all_zero(const uint8_t *b, size_t len)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < len; i++)
		acc |= b[i];
	return acc == 0;
}

int verity_superblock_decode(const uint8_t in[VERITY_SUPERBLOCK_SIZE], struct verity_params *ret)
{
	struct verity_params p = { 0 };

	if (memcmp(in + SB_MAGIC, superblock_magic, sizeof(superblock_magic)) != 0)
		return -EINVAL;
	/* Only format version 1 with hash type 1 (salt first) exists outside Chrome OS. */
	if (le32_get(in + SB_VERSION) != 1 || le32_get(in + SB_HASH_TYPE) != 1)
		return -EINVAL;

	char name[SB_ALGORITHM_LEN + 1] = { 0 };
	memcpy(name, in + SB_ALGORITHM, SB_ALGORITHM_LEN);
	size_t name_len = strnlen(name, SB_ALGORITHM_LEN);
	if (name_len == SB_ALGORITHM_LEN || hash_alg_from_name(name, &p.alg) < 0)
		return -EINVAL;

	p.salt_size = le16_get(in + SB_SALT_SIZE);
	if (p.salt_size > VERITY_MAX_SALT)
		return -EINVAL;
	/* Fail closed on anything veritysetup would never write: stray bytes in the name
	 * tail, the reserved areas or after the salt could hide a second interpretation. */
	if (!all_zero(in + SB_ALGORITHM + name_len, SB_ALGORITHM_LEN - name_len) ||
	    !all_zero(in + SB_PAD1, SB_SALT - SB_PAD1) ||
	    !all_zero(in + SB_SALT + p.salt_size, VERITY_MAX_SALT - p.salt_size) ||
	    !all_zero(in + SB_PAD2, VERITY_SUPERBLOCK_SIZE - SB_PAD2))
		return -EINVAL;

	memcpy(p.uuid, in + SB_UUID, sizeof(p.uuid));
	p.data_block_size = le32_get(in + SB_DATA_BLOCK_SIZE);
	p.hash_block_size = le32_get(in + SB_HASH_BLOCK_SIZE);
	p.data_blocks = le64_get(in + SB_DATA_BLOCKS);
	memcpy(p.salt, in + SB_SALT, p.salt_size);
	p.superblock = true;

	struct verity_geometry g;
	int r = geometry_compute(&p, &g);
	if (r < 0)
		return r;
	*ret = p;
	return 0;
}

/* ---- hashing one level ------------------------------------------------------------- */

struct level_job {
	const EVP_MD *md;
	const uint8_t *salt;
	size_t salt_size;
	size_t digest_size, slot_size;
	uint64_t per_block;

	int in_fd;
	uint64_t in_offset;
	size_t in_block_size;
	uint64_t count;
	int out_fd;
	uint64_t out_offset; /* slot i at out_offset + i * slot_size */

	bool verify;
	const uint8_t *parent_untrusted; /* verify: per output block, NULL = all trusted */
	uint8_t *child_untrusted;	 /* verify: per input block, may be NULL */

	uint64_t unit_blocks;
	atomic_uint_fast64_t next_unit;
	atomic_int error;
	atomic_uint_fast64_t first_bad; /* UINT64_MAX: none */
};

static void job_fail(struct level_job *job, int r)
{
	int expected = 0;
	atomic_compare_exchange_strong(&job->error, &expected, r);
}

static void job_note_bad(struct level_job *job, uint64_t index)
{
	uint_fast64_t cur = atomic_load(&job->first_bad);
	while (index < cur && !atomic_compare_exchange_weak(&job->first_bad, &cur, index))
		;
}

struct hasher {
	EVP_MD_CTX *salted; /* initialised and fed the salt once */
	EVP_MD_CTX *work;
};

static void hasher_done(struct hasher *h)
{
	EVP_MD_CTX_free(h->salted);
	EVP_MD_CTX_free(h->work);
}

static int hasher_init(struct hasher *h, const EVP_MD *md, const uint8_t *salt, size_t salt_size)
{
	h->salted = EVP_MD_CTX_new();
	h->work = EVP_MD_CTX_new();
	if (!h->salted || !h->work)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(h->salted, md, NULL) ||
	    (salt_size > 0 && !EVP_DigestUpdate(h->salted, salt, salt_size)))
		return -EIO;
	return 0;
}

/* HASH(salt ‖ block) without re-hashing the salt: copy the pre-fed context. */
static int hasher_block(struct hasher *h, const uint8_t *block, size_t len, uint8_t *out)
{
	if (!EVP_MD_CTX_copy_ex(h->work, h->salted) || !EVP_DigestUpdate(h->work, block, len) ||
	    !EVP_DigestFinal_ex(h->work, out, NULL))
		return -EIO;
	return 0;
}

static int unit_check(struct level_job *job, uint64_t first, uint64_t n, const uint8_t *computed,
		      const uint8_t *stored)
{
	for (uint64_t k = 0; k < n; k++) {
		uint64_t index = first + k;
		uint64_t parent = index / job->per_block;
		if (job->parent_untrusted && job->parent_untrusted[parent]) {
			/* A bad parent cannot vouch for its children: they are not reported
			 * (the parent is), and their own children are not trusted either. */
			if (job->child_untrusted)
				job->child_untrusted[index] = 1;
			continue;
		}
		if (!digest_equal(computed + k * job->slot_size, stored + k * job->slot_size,
				  job->digest_size)) {
			if (job->child_untrusted)
				job->child_untrusted[index] = 1;
			job_note_bad(job, index);
		}
	}
	return 0;
}

static int unit_run(struct level_job *job, struct hasher *h, uint64_t first, uint64_t n,
		    uint8_t *in, uint8_t *computed, uint8_t *stored)
{
	int r = pread_full(job->in_fd, in, n * job->in_block_size,
			   job->in_offset + first * job->in_block_size);
	if (r < 0)
		return r;
	memset(computed, 0, n * job->slot_size);
	for (uint64_t k = 0; k < n; k++) {
		r = hasher_block(h, in + k * job->in_block_size, job->in_block_size,
				 computed + k * job->slot_size);
		if (r < 0)
			return r;
	}
	uint64_t out = job->out_offset + first * job->slot_size;
	if (!job->verify)
		return pwrite_full(job->out_fd, computed, n * job->slot_size, out);
	r = pread_full(job->out_fd, stored, n * job->slot_size, out);
	if (r < 0)
		return r;
	return unit_check(job, first, n, computed, stored);
}

static void *level_worker(void *arg)
{
	struct level_job *job = arg;
	struct hasher h = { 0 };
	_cleanup_free_ uint8_t *in = malloc(job->unit_blocks * job->in_block_size);
	_cleanup_free_ uint8_t *computed = malloc(job->unit_blocks * job->slot_size);
	_cleanup_free_ uint8_t *stored = job->verify ? malloc(job->unit_blocks * job->slot_size) : NULL;
	int r;

	if (!in || !computed || (job->verify && !stored)) {
		job_fail(job, -ENOMEM);
		return NULL;
	}
	r = hasher_init(&h, job->md, job->salt, job->salt_size);
	while (r >= 0 && atomic_load(&job->error) == 0) {
		uint64_t unit = atomic_fetch_add(&job->next_unit, 1);
		uint64_t first = unit * job->unit_blocks;
		if (first >= job->count)
			break;
		uint64_t n = job->count - first < job->unit_blocks ? job->count - first : job->unit_blocks;
		r = unit_run(job, &h, first, n, in, computed, stored);
	}
	if (r < 0)
		job_fail(job, r);
	hasher_done(&h);
	return NULL;
}

static unsigned threads_resolve(unsigned threads)
{
	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	return threads > VERITY_MAX_THREADS ? VERITY_MAX_THREADS : threads;
}

/* Run job on up to `threads` threads (the caller's included); returns the job's error. */
static int level_run(struct level_job *job, unsigned threads)
{
	job->unit_blocks = VERITY_UNIT_BYTES / job->in_block_size;
	if (job->unit_blocks == 0)
		job->unit_blocks = 1;
	atomic_init(&job->next_unit, 0);
	atomic_init(&job->error, 0);
	atomic_init(&job->first_bad, UINT64_MAX);

	uint64_t units = (job->count + job->unit_blocks - 1) / job->unit_blocks;
	unsigned n = threads_resolve(threads);
	if (units < n)
		n = (unsigned)units;

	pthread_t tid[VERITY_MAX_THREADS];
	unsigned started = 0;
	for (; started + 1 < n; started++)
		if (pthread_create(&tid[started], NULL, level_worker, job) != 0)
			break; /* fewer threads still finish the job */
	level_worker(job);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return atomic_load(&job->error);
}

static void job_setup(struct level_job *job, const struct verity_params *p,
		      const struct verity_geometry *g)
{
	memset(job, 0, sizeof(*job));
	job->md = hash_alg_md(p->alg);
	job->salt = p->salt;
	job->salt_size = p->salt_size;
	job->digest_size = g->digest_size;
	job->slot_size = g->slot_size;
	job->per_block = g->per_block;
}

/* Input of level i: the data for the leaf level, level i-1 of the tree otherwise. */
static void job_input(struct level_job *job, const struct verity_params *p,
		      const struct verity_geometry *g, unsigned level, int data_fd,
		      uint64_t data_offset, int hash_fd)
{
	if (level == 0) {
		job->in_fd = data_fd;
		job->in_offset = data_offset;
		job->in_block_size = p->data_block_size;
		job->count = p->data_blocks;
	} else {
		job->in_fd = hash_fd;
		job->in_offset = g->level_offset[level - 1];
		job->in_block_size = p->hash_block_size;
		job->count = g->level_blocks[level - 1];
	}
	job->out_fd = hash_fd;
	job->out_offset = g->level_offset[level];
}

static int digest_block_at(const struct verity_params *p, int fd, uint64_t offset, size_t size,
			   uint8_t *out)
{
	_cleanup_free_ uint8_t *block = malloc(size);
	struct hasher h = { 0 };
	if (!block)
		return -ENOMEM;
	int r = pread_full(fd, block, size, offset);
	if (r >= 0)
		r = hasher_init(&h, hash_alg_md(p->alg), p->salt, p->salt_size);
	if (r >= 0)
		r = hasher_block(&h, block, size, out);
	hasher_done(&h);
	return r;
}

static int data_end_offset(const struct verity_params *p, uint64_t data_offset, uint64_t *ret)
{
	uint64_t end;
	if (!add_ok(data_offset, p->data_blocks * p->data_block_size, &end) || end > (uint64_t)INT64_MAX)
		return -EINVAL;
	*ret = end;
	return 0;
}

static int write_zeros(int fd, uint64_t offset, uint64_t len)
{
	if (len == 0)
		return 0;
	_cleanup_free_ uint8_t *zeros = calloc(1, len);
	if (!zeros)
		return -ENOMEM;
	return pwrite_full(fd, zeros, len, offset);
}

static int superblock_write(const struct verity_params *p, const struct verity_geometry *g,
			    int hash_fd)
{
	/* The superblock, then zeros up to the tree, as a fresh veritysetup output reads. */
	uint64_t len = g->tree_offset - p->hash_offset;
	_cleanup_free_ uint8_t *buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	int r = verity_superblock_encode(p, buf);
	if (r < 0)
		return r;
	return pwrite_full(hash_fd, buf, len, p->hash_offset);
}

int verity_tree_build(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		      unsigned threads, uint8_t *ret_root)
{
	struct verity_geometry g;
	uint64_t data_end;
	int r = geometry_compute(p, &g);
	if (r < 0)
		return r;
	if (data_fd < 0 || hash_fd < 0 || !ret_root)
		return -EINVAL;
	r = data_end_offset(p, data_offset, &data_end);
	if (r < 0)
		return r;
	(void)posix_fadvise(data_fd, (off_t)data_offset, (off_t)(data_end - data_offset),
			    POSIX_FADV_SEQUENTIAL);

	if (p->superblock) {
		r = superblock_write(p, &g, hash_fd);
		if (r < 0)
			return r;
	}

	struct level_job job;
	for (unsigned level = 0; level < g.levels; level++) {
		job_setup(&job, p, &g);
		job_input(&job, p, &g, level, data_fd, data_offset, hash_fd);
		r = level_run(&job, threads);
		if (r < 0)
			return r;
		/* Zero the unused slots of the level's last block. */
		uint64_t used = job.count * g.slot_size;
		r = write_zeros(hash_fd, g.level_offset[level] + used,
				g.level_blocks[level] * p->hash_block_size - used);
		if (r < 0)
			return r;
	}

	uint8_t root[DIGEST_MAX_SIZE];
	if (g.levels > 0)
		r = digest_block_at(p, hash_fd, g.level_offset[g.levels - 1], p->hash_block_size, root);
	else
		r = digest_block_at(p, data_fd, data_offset, p->data_block_size, root);
	if (r < 0)
		return r;
	memcpy(ret_root, root, g.digest_size);
	return 0;
}

/* ---- verification ------------------------------------------------------------------ */

/* Size of a regular file or block device; -EINVAL for anything else. */
static int fd_size(int fd, uint64_t *ret)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (S_ISREG(st.st_mode)) {
		*ret = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode)) {
		uint64_t size;
		if (ioctl(fd, BLKGETSIZE64, &size) < 0)
			return negative_errno();
		*ret = size;
		return 0;
	}
	return -EINVAL;
}

/* The devices must hold everything the parameters name before we allocate per-block state
 * from data_blocks (which may come from an attacker's superblock). */
static int sizes_check(const struct verity_params *p, const struct verity_geometry *g, int data_fd,
		       uint64_t data_offset, int hash_fd)
{
	uint64_t data_end, size;
	int r = data_end_offset(p, data_offset, &data_end);
	if (r < 0)
		return r;
	r = fd_size(data_fd, &size);
	if (r < 0)
		return r;
	if (size < data_end)
		return -EIO;
	r = fd_size(hash_fd, &size);
	if (r < 0)
		return r;
	return size < g->tree_end ? -EIO : 0;
}

static int superblock_check(const struct verity_params *p, int hash_fd, bool *ret_ok)
{
	uint8_t disk[VERITY_SUPERBLOCK_SIZE], want[VERITY_SUPERBLOCK_SIZE];
	struct verity_params found;
	int r = pread_full(hash_fd, disk, sizeof(disk), p->hash_offset);
	if (r < 0)
		return r;
	if (verity_superblock_decode(disk, &found) < 0) {
		*ret_ok = false;
		return 0;
	}
	/* Everything but the uuid (which the kernel never reads) must be what we were told. */
	struct verity_params expect = *p;
	memcpy(expect.uuid, found.uuid, sizeof(expect.uuid));
	r = verity_superblock_encode(&expect, want);
	if (r < 0)
		return r;
	*ret_ok = memcmp(disk, want, sizeof(disk)) == 0;
	return 0;
}

static void bad_set(struct verity_bad_block *ret_bad, bool in_data, uint64_t block, unsigned level)
{
	if (ret_bad)
		*ret_bad = (struct verity_bad_block){ .in_data = in_data, .block = block, .level = level };
}

struct verify_state {
	uint8_t *untrusted[VERITY_MAX_LEVELS];
	uint64_t first_bad[VERITY_MAX_LEVELS];
	uint64_t first_bad_data;
};

static void verify_state_free(struct verify_state *s)
{
	for (unsigned i = 0; i < VERITY_MAX_LEVELS; i++)
		free(s->untrusted[i]);
}

static int verify_levels(const struct verity_params *p, const struct verity_geometry *g,
			 int data_fd, uint64_t data_offset, int hash_fd, const uint8_t *root,
			 unsigned threads, struct verify_state *s)
{
	for (unsigned i = 0; i < g->levels; i++) {
		s->untrusted[i] = calloc(1, g->level_blocks[i]);
		if (!s->untrusted[i])
			return -ENOMEM;
		s->first_bad[i] = UINT64_MAX;
	}
	s->first_bad_data = UINT64_MAX;

	uint8_t top[DIGEST_MAX_SIZE];
	unsigned top_level = g->levels - 1;
	int r = digest_block_at(p, hash_fd, g->level_offset[top_level], p->hash_block_size, top);
	if (r < 0)
		return r;
	if (!digest_equal(top, root, g->digest_size)) {
		s->untrusted[top_level][0] = 1;
		s->first_bad[top_level] = 0;
	}

	/* Top-down, so each level knows which of its parents it can trust. */
	struct level_job job;
	for (unsigned level = g->levels; level-- > 0;) {
		job_setup(&job, p, g);
		job_input(&job, p, g, level, data_fd, data_offset, hash_fd);
		job.verify = true;
		job.parent_untrusted = s->untrusted[level];
		job.child_untrusted = level > 0 ? s->untrusted[level - 1] : NULL;
		r = level_run(&job, threads);
		if (r < 0)
			return r;
		uint64_t bad = atomic_load(&job.first_bad);
		if (level > 0)
			s->first_bad[level - 1] = bad;
		else
			s->first_bad_data = bad;
	}
	return 0;
}

int verity_tree_verify(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		       const uint8_t *root, unsigned threads, struct verity_bad_block *ret_bad)
{
	struct verity_geometry g;
	int r = geometry_compute(p, &g);
	if (r < 0)
		return r;
	if (data_fd < 0 || hash_fd < 0 || !root)
		return -EINVAL;
	r = sizes_check(p, &g, data_fd, data_offset, hash_fd);
	if (r < 0)
		return r;

	if (p->superblock) {
		bool ok;
		r = superblock_check(p, hash_fd, &ok);
		if (r < 0)
			return r;
		if (!ok) {
			bad_set(ret_bad, false, 0, VERITY_LEVEL_SUPERBLOCK);
			return -EBADMSG;
		}
	}

	if (g.levels == 0) {
		uint8_t digest[DIGEST_MAX_SIZE];
		r = digest_block_at(p, data_fd, data_offset, p->data_block_size, digest);
		if (r < 0)
			return r;
		if (!digest_equal(digest, root, g.digest_size)) {
			bad_set(ret_bad, true, 0, 0);
			return -EBADMSG;
		}
		return 0;
	}

	_cleanup_(verify_state_free) struct verify_state s = { 0 };
	r = verify_levels(p, &g, data_fd, data_offset, hash_fd, root, threads, &s);
	if (r < 0)
		return r;
	if (s.first_bad_data != UINT64_MAX) {
		bad_set(ret_bad, true, s.first_bad_data, 0);
		return -EBADMSG;
	}
	for (unsigned level = 0; level < g.levels; level++)
		if (s.first_bad[level] != UINT64_MAX) {
			uint64_t offset = g.level_offset[level] + s.first_bad[level] * p->hash_block_size;
			bad_set(ret_bad, false, (offset - p->hash_offset) / p->hash_block_size, level);
			return -EBADMSG;
		}
	return 0;
}
