/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-verify image: verify a whole dm-verity volume offline (every data and hash block,
 * the superblock and the root hash), in parallel, reporting the first bad block.
 *
 *   image DISK --manifest manifest.json            GPT or Kata disk image from tdverity-build
 *   image --manifest manifest.json --data F --hash F   split layout
 *   image --data F --hash F --root-hash HEX [...]   any layout, parameters on the command line
 */
#include "core/util.h"
#include "core/verity.h"
#include "host/manifest.h"
#include "verifier/image-source.h"
#include "verifier/verbs.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>

struct image_opts {
	const char *disk, *manifest, *data, *hash, *root_hex, *salt_hex, *alg;
	uint64_t data_block_size, hash_block_size, data_blocks, hash_offset, data_offset;
	uint64_t threads;
	bool have_dbs, have_hbs, have_blocks, have_hash_offset, have_data_offset;
	bool no_superblock, json;
};

/* What we verified, for the report. */
struct image_job {
	const char *data_path, *hash_path;
	struct verity_root v; /* parameters (hash_offset on the hash file) + root hash */
	uint64_t data_offset;
	const char *layout;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tdverity-verify image [DISK] --manifest manifest.json [--json]\n"
		"       tdverity-verify image --manifest manifest.json --data FILE --hash FILE\n"
		"       tdverity-verify image --data FILE --hash FILE --root-hash HEX [--salt HEX]\n"
		"             [--hash-alg sha256|sha384|sha512] [--data-block-size N]\n"
		"             [--hash-block-size N] [--data-blocks N] [--no-superblock]\n"
		"             [--hash-offset BYTES] [--data-offset BYTES]\n"
		"\n"
		"Without DISK (or --data/--hash), the files the manifest names next to it are used.\n"
		"Verifies every data block, every hash block, the superblock and the root hash of a\n"
		"dm-verity volume (the tdverity-build layouts gpt, kata and split, or any layout given\n"
		"explicitly).  With a superblock, parameters not given are read from it and those\n"
		"given must match it.  --threads N (default: all CPUs), --json for machines.\n"
		"\n"
		"Exit status: 0 verified, 1 mismatch (the first bad block is printed), 2 usage error,\n"
		"3 bad input or I/O error.\n");
}

_printf_(1, 2) static int fail_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "tdverity-verify: image: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (try --help)\n");
	va_end(ap);
	return VERIFY_USAGE;
}

/* Print one JSON document on a line and free it. */
static void json_emit(struct json_object *j)
{
	printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
}

_printf_(2, 3) static int report_error(const struct image_opts *o, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->json) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "verdict", json_object_new_string("error"));
		json_object_object_add(j, "error", json_object_new_string(msg));
		json_emit(j);
	}
	fprintf(stderr, "tdverity-verify: image: %s\n", msg);
	return VERIFY_BAD_INPUT;
}

static int parse_size(const char *s, uint64_t *ret)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct image_opts *o)
{
	enum { O_MANIFEST = 256, O_DATA, O_HASH, O_ROOT, O_SALT, O_ALG, O_DBS, O_HBS, O_BLOCKS,
	       O_NOSB, O_HOFF, O_DOFF, O_THREADS, O_JSON, O_HELP };
	static const struct option opts[] = {
		{ "manifest", required_argument, NULL, O_MANIFEST },
		{ "data", required_argument, NULL, O_DATA },
		{ "hash", required_argument, NULL, O_HASH },
		{ "root-hash", required_argument, NULL, O_ROOT },
		{ "salt", required_argument, NULL, O_SALT },
		{ "hash-alg", required_argument, NULL, O_ALG },
		{ "data-block-size", required_argument, NULL, O_DBS },
		{ "hash-block-size", required_argument, NULL, O_HBS },
		{ "data-blocks", required_argument, NULL, O_BLOCKS },
		{ "no-superblock", no_argument, NULL, O_NOSB },
		{ "hash-offset", required_argument, NULL, O_HOFF },
		{ "data-offset", required_argument, NULL, O_DOFF },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },
		{}
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		int r = 0;
		switch (c) {
		case O_MANIFEST: o->manifest = optarg; break;
		case O_DATA: o->data = optarg; break;
		case O_HASH: o->hash = optarg; break;
		case O_ROOT: o->root_hex = optarg; break;
		case O_SALT: o->salt_hex = optarg; break;
		case O_ALG: o->alg = optarg; break;
		case O_DBS: r = parse_size(optarg, &o->data_block_size); o->have_dbs = true; break;
		case O_HBS: r = parse_size(optarg, &o->hash_block_size); o->have_hbs = true; break;
		case O_BLOCKS: r = parse_size(optarg, &o->data_blocks); o->have_blocks = true; break;
		case O_NOSB: o->no_superblock = true; break;
		case O_HOFF: r = parse_size(optarg, &o->hash_offset); o->have_hash_offset = true; break;
		case O_DOFF: r = parse_size(optarg, &o->data_offset); o->have_data_offset = true; break;
		case O_THREADS: r = parse_size(optarg, &o->threads); break;
		case O_JSON: o->json = true; break;
		case O_HELP:
		case 'h': usage(stdout); return -1;
		default: return fail_usage("unknown or incomplete option '%s'", argv[optind - 1]);
		}
		if (r < 0)
			return fail_usage("'%s' is not a number", optarg);
	}
	if (optind < argc)
		o->disk = argv[optind++];
	if (optind < argc)
		return fail_usage("unexpected argument '%s'", argv[optind]);
	if (o->threads > 1024)
		return fail_usage("--threads %s is too many", argv[optind - 1]);
	return 0;
}

static bool explicit_verity_params(const struct image_opts *o)
{
	return o->root_hex || o->salt_hex || o->alg || o->have_dbs || o->have_hbs || o->have_blocks ||
	       o->no_superblock || o->have_hash_offset || o->have_data_offset;
}

static int file_size_of(int fd, uint64_t *ret)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return negative_errno();
	*ret = (uint64_t)st.st_size;
	return 0;
}

/* ---- cross-check of the on-disk superblock ------------------------------------------ */

/* Returns 0 and fills *ret_sb, or -EBADMSG with why (no valid superblock there). */
static int superblock_read(int fd, uint64_t offset, struct verity_params *ret_sb)
{
	uint8_t sb[VERITY_SUPERBLOCK_SIZE];
	int r = pread_full(fd, sb, sizeof(sb), offset);
	if (r < 0)
		return r;
	return verity_superblock_decode(sb, ret_sb) < 0 ? -EBADMSG : 0;
}

/* Name the first field of the superblock that differs from what we were told. */
static const char *superblock_difference(const struct verity_params *sb, const struct verity_params *p)
{
	if (sb->alg != p->alg)
		return "hash algorithm";
	if (sb->data_block_size != p->data_block_size)
		return "data block size";
	if (sb->hash_block_size != p->hash_block_size)
		return "hash block size";
	if (sb->data_blocks != p->data_blocks)
		return "data blocks";
	if (sb->salt_size != p->salt_size || !digest_equal(sb->salt, p->salt, p->salt_size))
		return "salt";
	return NULL;
}

_printf_(3, 4) static int mismatch(const struct image_opts *o, const struct image_job *job,
				  const char *fmt, ...);

static int superblock_crosscheck(const struct image_opts *o, const struct image_job *job, int hash_fd)
{
	struct verity_params sb;
	int r = superblock_read(hash_fd, job->v.params.hash_offset, &sb);
	if (r == -EBADMSG)
		return mismatch(o, job, "no valid verity superblock at byte %" PRIu64 " of %s",
				job->v.params.hash_offset, job->hash_path);
	if (r < 0)
		return report_error(o, "%s: cannot read the superblock: %s", job->hash_path, strerror(-r));
	const char *diff = superblock_difference(&sb, &job->v.params);
	if (diff)
		return mismatch(o, job, "superblock %s differs from the expected parameters", diff);
	return VERIFY_OK;
}

/* ---- reporting ---------------------------------------------------------------------- */

static struct json_object *job_json(const struct image_job *job, const char *verdict)
{
	char hex[2 * VERITY_MAX_SALT + 1];
	struct json_object *j = json_object_new_object();
	json_object_object_add(j, "verdict", json_object_new_string(verdict));
	json_object_object_add(j, "layout", json_object_new_string(job->layout));
	json_object_object_add(j, "data", json_object_new_string(job->data_path));
	json_object_object_add(j, "hash", json_object_new_string(job->hash_path));
	json_object_object_add(j, "data_offset", json_object_new_int64((int64_t)job->data_offset));
	json_object_object_add(j, "hash_offset", json_object_new_int64((int64_t)job->v.params.hash_offset));
	json_object_object_add(j, "superblock", json_object_new_boolean(job->v.params.superblock));
	json_object_object_add(j, "hash_algorithm", json_object_new_string(hash_alg_name(job->v.params.alg)));
	json_object_object_add(j, "data_blocks", json_object_new_int64((int64_t)job->v.params.data_blocks));
	json_object_object_add(j, "data_block_size", json_object_new_int64(job->v.params.data_block_size));
	json_object_object_add(j, "hash_block_size", json_object_new_int64(job->v.params.hash_block_size));
	hex_encode(job->v.params.salt, job->v.params.salt_size, hex);
	json_object_object_add(j, "salt", json_object_new_string(hex));
	hex_encode(job->v.root_hash, hash_alg_size(job->v.params.alg), hex);
	json_object_object_add(j, "root_hash", json_object_new_string(hex));
	return j;
}

static void job_print(const struct image_job *job)
{
	char hex[2 * VERITY_MAX_SALT + 1];
	printf("layout:      %s\n", job->layout);
	printf("data:        %s at byte %" PRIu64 ", %" PRIu64 " blocks of %u bytes\n",
	       job->data_path, job->data_offset, job->v.params.data_blocks, job->v.params.data_block_size);
	printf("hash:        %s at byte %" PRIu64 ", %s, %u-byte blocks, %s\n", job->hash_path,
	       job->v.params.hash_offset, hash_alg_name(job->v.params.alg), job->v.params.hash_block_size,
	       job->v.params.superblock ? "superblock" : "no superblock");
	hex_encode(job->v.params.salt, job->v.params.salt_size, hex);
	printf("salt:        %s\n", job->v.params.salt_size ? hex : "-");
	hex_encode(job->v.root_hash, hash_alg_size(job->v.params.alg), hex);
	printf("root hash:   %s\n", hex);
}

static int mismatch(const struct image_opts *o, const struct image_job *job, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->json) {
		struct json_object *j = job_json(job, "mismatch");
		json_object_object_add(j, "reason", json_object_new_string(msg));
		json_emit(j);
	} else {
		job_print(job);
		printf("verdict:     MISMATCH: %s\n", msg);
	}
	return VERIFY_MISMATCH;
}

static int report_bad_block(const struct image_opts *o, const struct image_job *job,
			    const struct verity_bad_block *bad)
{
	char msg[512];
	uint64_t offset;
	if (bad->in_data) {
		offset = job->data_offset + bad->block * job->v.params.data_block_size;
		snprintf(msg, sizeof(msg), "data block %" PRIu64 " (byte %" PRIu64 " of %s)",
			 bad->block, offset, job->data_path);
	} else {
		offset = job->v.params.hash_offset + bad->block * job->v.params.hash_block_size;
		if (bad->level == VERITY_LEVEL_SUPERBLOCK)
			snprintf(msg, sizeof(msg), "superblock (byte %" PRIu64 " of %s)", offset,
				 job->hash_path);
		else
			snprintf(msg, sizeof(msg),
				 "hash block %" PRIu64 ", tree level %u (byte %" PRIu64 " of %s)",
				 bad->block, bad->level, offset, job->hash_path);
	}
	if (!o->json)
		return mismatch(o, job, "first bad block: %s", msg);

	struct json_object *j = job_json(job, "mismatch"), *b = json_object_new_object();
	json_object_object_add(j, "reason", json_object_new_string(msg));
	json_object_object_add(b, "area", json_object_new_string(
		bad->in_data ? "data" : bad->level == VERITY_LEVEL_SUPERBLOCK ? "superblock" : "hash"));
	json_object_object_add(b, "block", json_object_new_int64((int64_t)bad->block));
	if (!bad->in_data && bad->level != VERITY_LEVEL_SUPERBLOCK)
		json_object_object_add(b, "level", json_object_new_int64(bad->level));
	json_object_object_add(b, "byte_offset", json_object_new_int64((int64_t)offset));
	json_object_object_add(j, "bad_block", b);
	json_emit(j);
	return VERIFY_MISMATCH;
}

static int report_verified(const struct image_opts *o, const struct image_job *job)
{
	if (o->json) {
		struct json_object *j = job_json(job, "verified");
		json_emit(j);
	} else {
		job_print(job);
		printf("verdict:     verified (%" PRIu64 " data blocks, every hash block, root hash)\n",
		       job->v.params.data_blocks);
	}
	return VERIFY_OK;
}

/* ---- the verification --------------------------------------------------------------- */

static int run_verify(const struct image_opts *o, struct image_job *job, int data_fd, int hash_fd)
{
	if (job->v.params.superblock) {
		int r = superblock_crosscheck(o, job, hash_fd);
		if (r != VERIFY_OK)
			return r;
	}
	struct verity_bad_block bad;
	int r = verity_tree_verify(&job->v.params, data_fd, job->data_offset, hash_fd, job->v.root_hash,
				   (unsigned)o->threads, &bad);
	if (r == -EBADMSG)
		return report_bad_block(o, job, &bad);
	if (r == -EIO)
		return report_error(o, "%s or %s is shorter than the parameters require, or unreadable",
				    job->data_path, job->hash_path);
	if (r < 0)
		return report_error(o, "cannot verify: %s", strerror(-r));
	return report_verified(o, job);
}

static int open_ro(const struct image_opts *o, const char *path, int *ret_fd)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int r = errno;
		return report_error(o, "%s: %s", path, strerror(r));
	}
	*ret_fd = fd;
	return VERIFY_OK;
}

/* The data and hash partitions must hold what the parameters cover: dm-verity on the
 * guest sees only the partition, so a tree reaching past it would not be what boots. */
static int partitions_fit(const struct image_opts *o, const struct image_job *job,
			  const struct image_partitions *parts)
{
	uint64_t area;
	if (verity_hash_area_size(&job->v.params, &area) < 0)
		return report_error(o, "invalid verity parameters");
	uint64_t hash_end = job->v.params.hash_offset - parts->hash_offset + area;
	if (job->v.params.data_blocks > parts->data_size / job->v.params.data_block_size)
		return mismatch(o, job, "%s: data_blocks exceed the root partition", job->data_path);
	if (hash_end > parts->hash_size)
		return mismatch(o, job, "%s: the hash area exceeds the root-verity partition",
				job->hash_path);
	return VERIFY_OK;
}

static int manifest_offsets_check(const struct image_opts *o, const struct image_job *job,
				  const struct build_manifest *m, const struct image_partitions *parts)
{
	if (m->layout != parts->layout)
		return mismatch(o, job, "manifest layout differs from the disk's partition table (%s)",
				disk_layout_name(parts->layout));
	if (m->data.offset != parts->data_offset || m->hash.offset != parts->hash_offset)
		return mismatch(o, job, "%s: partition offsets differ from the manifest's", job->data_path);
	if (m->data.size != parts->data_size || m->hash.size != parts->hash_size)
		return mismatch(o, job, "%s: partition sizes differ from the manifest's", job->data_path);
	return VERIFY_OK;
}

/* A file the manifest names, next to the manifest; NULL when it names none. */
static char *beside_manifest(const char *manifest, const char *name)
{
	if (!*name)
		return NULL;
	const char *slash = strrchr(manifest, '/');
	char *path;
	if (asprintf(&path, "%.*s%s", slash ? (int)(slash - manifest + 1) : 0, manifest, name) < 0)
		return NULL;
	return path;
}

static int verify_with_manifest(struct image_opts *o)
{
	_cleanup_(build_manifest_done) struct build_manifest m = { 0 };
	struct tdv_error err = { 0 };
	if (build_manifest_load(o->manifest, &m, &err) < 0)
		return report_error(o, "%s", err.msg);

	/* No files named: take the build's outputs next to the manifest. */
	_cleanup_free_ char *disk = NULL, *data = NULL, *hash = NULL;
	if (!o->disk && !o->data && !o->hash) {
		if (m.layout == DISK_LAYOUT_SPLIT) {
			o->data = data = beside_manifest(o->manifest, m.data.file);
			o->hash = hash = beside_manifest(o->manifest, m.hash.file);
		} else {
			o->disk = disk = beside_manifest(o->manifest, m.have_disk ? m.disk.file
										  : m.data.file);
		}
	}

	struct image_job job = { .v = m.root, .layout = disk_layout_name(m.layout) };
	_cleanup_close_ int data_fd = -1, hash_fd = -1;
	int r;

	if (m.layout == DISK_LAYOUT_SPLIT) {
		job.data_path = o->data ? o->data : o->disk;
		job.hash_path = o->hash;
		if (!job.data_path || !job.hash_path || (o->data && o->disk))
			return fail_usage("%s: split layout: give --data FILE and --hash FILE", o->manifest);
		if ((r = open_ro(o, job.data_path, &data_fd)) != VERIFY_OK ||
		    (r = open_ro(o, job.hash_path, &hash_fd)) != VERIFY_OK)
			return r;
		return run_verify(o, &job, data_fd, hash_fd);
	}

	if (!o->disk || o->data || o->hash)
		return fail_usage("%s: disk layout: give the disk image (and no --data/--hash)",
				  o->manifest);
	job.data_path = job.hash_path = o->disk;
	if ((r = open_ro(o, o->disk, &data_fd)) != VERIFY_OK)
		return r;
	struct image_partitions parts;
	if (image_partitions_probe(o->disk, &parts, &err) < 0)
		return report_error(o, "%s", err.msg);
	if ((r = manifest_offsets_check(o, &job, &m, &parts)) != VERIFY_OK)
		return r;
	/* The manifest's hash_offset is within the hash partition, as on the kernel cmdline. */
	job.data_offset = parts.data_offset;
	if (!add_ok(job.v.params.hash_offset, parts.hash_offset, &job.v.params.hash_offset))
		return report_error(o, "%s: hash offset out of range", o->manifest);
	if ((r = partitions_fit(o, &job, &parts)) != VERIFY_OK)
		return r;
	return run_verify(o, &job, data_fd, data_fd);
}

/* Parameters from the command line, completed from the superblock when there is one. */
static int explicit_params(const struct image_opts *o, struct image_job *job, int data_fd,
			   int hash_fd)
{
	struct verity_params *p = &job->v.params;
	p->superblock = !o->no_superblock;
	p->hash_offset = o->hash_offset;
	job->data_offset = o->data_offset;

	struct verity_params sb = { 0 };
	if (p->superblock) {
		int r = superblock_read(hash_fd, p->hash_offset, &sb);
		if (r == -EBADMSG)
			return mismatch(o, job, "no valid verity superblock at byte %" PRIu64 " of %s "
					"(use --no-superblock for a layout without one)",
					p->hash_offset, job->hash_path);
		if (r < 0)
			return report_error(o, "%s: cannot read the superblock: %s", job->hash_path,
					    strerror(-r));
		*p = (struct verity_params){ .alg = sb.alg, .data_block_size = sb.data_block_size,
					     .hash_block_size = sb.hash_block_size,
					     .data_blocks = sb.data_blocks, .salt_size = sb.salt_size,
					     .superblock = true, .hash_offset = o->hash_offset };
		memcpy(p->salt, sb.salt, sb.salt_size);
	} else {
		*p = (struct verity_params){ .alg = HASH_SHA256, .data_block_size = 4096,
					     .hash_block_size = 4096, .hash_offset = o->hash_offset };
		if (!o->salt_hex)
			return fail_usage("%s: --no-superblock needs --salt (\"-\" for none)", "image");
	}

	/* What the command line says wins, and must agree with the superblock (checked later). */
	if (o->alg && hash_alg_from_name(o->alg, &p->alg) < 0)
		return fail_usage("unknown hash algorithm '%s'", o->alg);
	if (o->have_dbs)
		p->data_block_size = o->data_block_size > UINT32_MAX ? 0 : (uint32_t)o->data_block_size;
	if (o->have_hbs)
		p->hash_block_size = o->hash_block_size > UINT32_MAX ? 0 : (uint32_t)o->hash_block_size;
	if (o->salt_hex) {
		size_t n = 0;
		if (strcmp(o->salt_hex, "-") != 0 &&
		    hex_decode(o->salt_hex, p->salt, sizeof(p->salt), &n) < 0)
			return fail_usage("--salt '%s' is not hex of at most 256 bytes", o->salt_hex);
		p->salt_size = (uint16_t)n;
	}
	if (o->have_blocks) {
		p->data_blocks = o->data_blocks;
	} else if (!p->superblock) {
		uint64_t size;
		if (file_size_of(data_fd, &size) < 0 || size <= job->data_offset || p->data_block_size == 0)
			return report_error(o, "%s: cannot size the data (give --data-blocks)",
					    job->data_path);
		p->data_blocks = (size - job->data_offset) / p->data_block_size;
	}
	if (verity_params_validate(p) < 0)
		return fail_usage("%s: invalid verity parameters (block sizes powers of two in "
				  "512..1M, data blocks > 0, hash offset a multiple of 512, and of "
				  "the hash block size without a superblock)", "image");
	if (hex_decode_exact(o->root_hex, job->v.root_hash, hash_alg_size(p->alg)) < 0)
		return fail_usage("--root-hash is not a %s digest in hex", hash_alg_name(p->alg));
	return VERIFY_OK;
}

static int verify_explicit(const struct image_opts *o)
{
	struct image_job job = { .layout = "explicit" };
	job.data_path = o->data ? o->data : o->disk;
	job.hash_path = o->hash;
	if (!job.data_path || !job.hash_path || (o->data && o->disk))
		return fail_usage("%s: give --data FILE and --hash FILE (or DISK --manifest FILE)",
				  "without a manifest");
	if (!o->root_hex)
		return fail_usage("%s: --root-hash is required", "without a manifest");

	_cleanup_close_ int data_fd = -1, hash_fd = -1;
	int r;
	if ((r = open_ro(o, job.data_path, &data_fd)) != VERIFY_OK ||
	    (r = open_ro(o, job.hash_path, &hash_fd)) != VERIFY_OK)
		return r;
	if ((r = explicit_params(o, &job, data_fd, hash_fd)) != VERIFY_OK)
		return r;
	return run_verify(o, &job, data_fd, hash_fd);
}

int verb_image(int argc, char **argv)
{
	struct image_opts o = { 0 };
	int r = parse_args(argc, argv, &o);
	if (r < 0)
		return VERIFY_OK; /* --help */
	if (r != 0)
		return r;
	if (o.manifest && explicit_verity_params(&o))
		return fail_usage("%s: give verity parameters either by --manifest or on the "
				  "command line, not both", "image");
	return o.manifest ? verify_with_manifest(&o) : verify_explicit(&o);
}
