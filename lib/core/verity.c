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
	const uint8_t *done;		 /* build, leaf level: bit i set = slot i written already
					  * (a streamed build, struct verity_stream) */
	bool leaf;			 /* input is the data: worth a digest of the zero block */
	bool have_zero;			 /* zero_digest = HASH(salt ‖ zero block of in_block_size) */
	uint8_t zero_digest[DIGEST_MAX_SIZE];
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

static bool bit_get(const uint8_t *bits, uint64_t i) { return bits[i / 8] & (1u << (i % 8)); }

static bool block_is_zero(const uint8_t *b, size_t len)
{
	return b[0] == 0 && memcmp(b, b + 1, len - 1) == 0;
}

/* Digests of n input blocks; an all-zero block (free space) costs a compare, not a hash. */
static int hash_blocks(struct level_job *job, struct hasher *h, const uint8_t *in, uint64_t n,
		       uint8_t *computed, const uint8_t *done, uint64_t first)
{
	for (uint64_t k = 0; k < n; k++) {
		const uint8_t *block = in + k * job->in_block_size;
		uint8_t *out = computed + k * job->slot_size;
		if (done && bit_get(done, first + k))
			continue;
		memset(out, 0, job->slot_size);
		if (job->have_zero && block_is_zero(block, job->in_block_size)) {
			memcpy(out, job->zero_digest, job->digest_size);
			continue;
		}
		int r = hasher_block(h, block, job->in_block_size, out);
		if (r < 0)
			return r;
	}
	return 0;
}

static int unit_run(struct level_job *job, struct hasher *h, uint64_t first, uint64_t n,
		    uint8_t *in, uint8_t *computed, uint8_t *stored)
{
	uint64_t out = job->out_offset + first * job->slot_size;
	int r;
	if (job->done) { /* skip what the stream hashed; keep its slots */
		uint64_t have = 0;
		for (uint64_t k = 0; k < n; k++)
			have += bit_get(job->done, first + k);
		if (have == n)
			return 0;
		/* verity_stream_new() made the hash file long enough for every slot. */
		if (have > 0 && (r = pread_full(job->out_fd, computed, n * job->slot_size, out)) < 0)
			return r;
	}
	r = pread_full(job->in_fd, in, n * job->in_block_size,
		       job->in_offset + first * job->in_block_size);
	if (r < 0)
		return r;
	r = hash_blocks(job, h, in, n, computed, job->done, first);
	if (r < 0)
		return r;
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
/* The digest every all-zero data block has (free space is zero: it needs no hash). */
static int job_zero_digest(struct level_job *job)
{
	struct hasher h = { 0 };
	_cleanup_free_ uint8_t *zero = calloc(1, job->in_block_size);
	int r = zero ? hasher_init(&h, job->md, job->salt, job->salt_size) : -ENOMEM;
	if (r >= 0)
		r = hasher_block(&h, zero, job->in_block_size, job->zero_digest);
	hasher_done(&h);
	job->have_zero = r >= 0;
	return r;
}

static int level_run(struct level_job *job, unsigned threads)
{
	if (job->leaf && job_zero_digest(job) < 0)
		return -EIO;
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
		job->leaf = true;
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

/* The tree, the leaf slots marked in done (may be NULL) already written. */
static int tree_build(const struct verity_params *p, const struct verity_geometry *gp,
		      int data_fd, uint64_t data_offset, int hash_fd, unsigned threads,
		      const uint8_t *done, uint8_t *ret_root)
{
	const struct verity_geometry g = *gp;
	int r;

	if (p->superblock) {
		r = superblock_write(p, &g, hash_fd);
		if (r < 0)
			return r;
	}

	struct level_job job;
	for (unsigned level = 0; level < g.levels; level++) {
		job_setup(&job, p, &g);
		job_input(&job, p, &g, level, data_fd, data_offset, hash_fd);
		if (level == 0)
			job.done = done;
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

static int build_check(const struct verity_params *p, int data_fd, uint64_t data_offset,
		       int hash_fd, const uint8_t *ret_root, struct verity_geometry *ret_g)
{
	uint64_t data_end;
	int r = geometry_compute(p, ret_g);
	if (r < 0)
		return r;
	if (data_fd < 0 || hash_fd < 0 || !ret_root)
		return -EINVAL;
	return data_end_offset(p, data_offset, &data_end);
}

int verity_tree_build(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		      unsigned threads, uint8_t *ret_root)
{
	struct verity_geometry g;
	int r = build_check(p, data_fd, data_offset, hash_fd, ret_root, &g);
	if (r < 0)
		return r;
	(void)posix_fadvise(data_fd, (off_t)data_offset,
			    (off_t)(p->data_blocks * p->data_block_size), POSIX_FADV_SEQUENTIAL);
	return tree_build(p, &g, data_fd, data_offset, hash_fd, threads, NULL, ret_root);
}

/* ---- building while the data is written ----------------------------------------------- */

struct stream_range {
	uint64_t first, n;
};

struct verity_stream {
	struct verity_params p;
	struct verity_geometry g;
	int data_fd, hash_fd;
	uint64_t data_offset;
	unsigned threads;
	uint8_t *done; /* leaf slots the background thread wrote (read after it joined) */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct stream_range *queue; /* [head, tail) waiting, under lock */
	size_t head, tail, cap;
	bool closing;
	bool running;
	int error;
	pthread_t thread;
};

static int stream_hash_range(struct verity_stream *s, struct level_job *job, struct hasher *h,
			     uint8_t *in, uint8_t *computed, struct stream_range rg)
{
	for (uint64_t done = 0; done < rg.n;) {
		uint64_t n = rg.n - done < job->unit_blocks ? rg.n - done : job->unit_blocks;
		uint64_t first = rg.first + done;
		int r = pread_full(s->data_fd, in, n * job->in_block_size,
				   s->data_offset + first * job->in_block_size);
		if (r >= 0)
			r = hash_blocks(job, h, in, n, computed, NULL, first);
		if (r >= 0)
			r = pwrite_full(s->hash_fd, computed, n * job->slot_size,
					job->out_offset + first * job->slot_size);
		if (r < 0)
			return r;
		for (uint64_t i = first; i < first + n; i++)
			s->done[i / 8] |= (uint8_t)(1u << (i % 8));
		done += n;
	}
	return 0;
}

static void *stream_worker(void *arg)
{
	struct verity_stream *s = arg;
	struct level_job job;
	struct hasher h = { 0 };
	job_setup(&job, &s->p, &s->g);
	job_input(&job, &s->p, &s->g, 0, s->data_fd, s->data_offset, s->hash_fd);
	job.unit_blocks = VERITY_UNIT_BYTES / job.in_block_size ? VERITY_UNIT_BYTES / job.in_block_size : 1;
	_cleanup_free_ uint8_t *in = malloc(job.unit_blocks * job.in_block_size);
	_cleanup_free_ uint8_t *computed = malloc(job.unit_blocks * job.slot_size);
	int r = in && computed ? hasher_init(&h, job.md, job.salt, job.salt_size) : -ENOMEM;
	if (r >= 0 && job_zero_digest(&job) < 0)
		r = -EIO;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->head == s->tail && !s->closing)
			pthread_cond_wait(&s->wake, &s->lock);
		if (s->head == s->tail)
			break;
		struct stream_range rg = s->queue[s->head++];
		pthread_mutex_unlock(&s->lock);
		if (r >= 0)
			r = stream_hash_range(s, &job, &h, in, computed, rg);
		pthread_mutex_lock(&s->lock);
	}
	if (r < 0 && !s->error)
		s->error = r;
	pthread_mutex_unlock(&s->lock);
	hasher_done(&h);
	return NULL;
}

int verity_stream_new(const struct verity_params *p, int data_fd, uint64_t data_offset, int hash_fd,
		      unsigned threads, struct verity_stream **ret)
{
	struct verity_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	uint8_t root_check; /* build_check() wants a non-NULL root */
	int r = build_check(p, data_fd, data_offset, hash_fd, &root_check, &s->g);
	if (r < 0) {
		free(s);
		return r;
	}
	s->p = *p;
	s->data_fd = data_fd;
	s->hash_fd = hash_fd;
	s->data_offset = data_offset;
	s->threads = threads;
	s->done = calloc(p->data_blocks / 8 + 1, 1);
	if (!s->done) {
		free(s);
		return -ENOMEM;
	}
	/* The final pass reads the streamed slots back a unit at a time: a regular hash file
	 * gets its full length now (the build writes all of it anyway). */
	struct stat st;
	uint64_t area, end;
	if (fstat(hash_fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    verity_hash_area_size(p, &area) == 0 && add_ok(p->hash_offset, area, &end) &&
	    (uint64_t)st.st_size < end && ftruncate(hash_fd, (off_t)end) < 0) {
		r = negative_errno();
		free(s->done);
		free(s);
		return r;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	/* One data block has no leaf level (its digest is the root): nothing to stream. */
	if (s->g.levels > 0 && pthread_create(&s->thread, NULL, stream_worker, s) == 0)
		s->running = true;
	*ret = s;
	return 0;
}

int verity_stream_final(struct verity_stream *s, uint64_t first, uint64_t n)
{
	if (!s || first > s->p.data_blocks || n > s->p.data_blocks - first)
		return -EINVAL;
	if (!s->running || n == 0)
		return 0; /* finish() hashes it */
	pthread_mutex_lock(&s->lock);
	int r = s->error;
	if (r == 0 && s->tail == s->cap) {
		if (s->head > 0) { /* reuse the consumed front */
			memmove(s->queue, s->queue + s->head, (s->tail - s->head) * sizeof(*s->queue));
			s->tail -= s->head;
			s->head = 0;
		} else {
			size_t ncap = s->cap ? s->cap * 2 : 256;
			struct stream_range *nq = reallocarray(s->queue, ncap, sizeof(*nq));
			if (nq) {
				s->queue = nq;
				s->cap = ncap;
			} else
				r = -ENOMEM;
		}
	}
	if (r == 0) {
		s->queue[s->tail++] = (struct stream_range){ first, n };
		pthread_cond_signal(&s->wake);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int stream_stop(struct verity_stream *s)
{
	if (!s->running)
		return 0;
	pthread_mutex_lock(&s->lock);
	s->closing = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = false;
	return s->error;
}

void verity_stream_free(struct verity_stream *s)
{
	if (!s)
		return;
	(void)stream_stop(s);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s->queue);
	free(s->done);
	free(s);
}

int verity_stream_finish(struct verity_stream *s, uint8_t *ret_root)
{
	if (!s || !ret_root)
		return -EINVAL;
	int r = stream_stop(s);
	if (r < 0)
		return r;
	return tree_build(&s->p, &s->g, s->data_fd, s->data_offset, s->hash_fd, s->threads,
			  s->done, ret_root);
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
