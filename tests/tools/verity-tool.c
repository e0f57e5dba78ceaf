/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only driver for lib/core/verity.c, shaped like `veritysetup format|verify` so the
 * interop tests can run both with the same options:
 *
 *   verity-tool format DATA HASH [options]        prints the root hash
 *   verity-tool verify DATA HASH ROOT [options]   exit 0 ok, 1 mismatch, 3 error
 *
 * options: --hash ALG --data-block-size N --hash-block-size N --data-blocks N --salt HEX
 *          --uuid UUID --no-superblock --hash-offset N --data-offset N --threads N
 * Not installed; the real programs are tdverity-build and tdverity-verify.
 */
#include "core/verity.h"
#include "core/util.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

static int parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_uuid(const char *s, uint8_t out[16])
{
	char hex[33];
	size_t n = 0;
	for (; *s; s++) {
		if (*s == '-')
			continue;
		if (n == 32)
			return -EINVAL;
		hex[n++] = *s;
	}
	hex[n] = 0;
	return hex_decode_exact(hex, out, 16);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hash", required_argument, NULL, 'a' },
		{ "data-block-size", required_argument, NULL, 'd' },
		{ "hash-block-size", required_argument, NULL, 'b' },
		{ "data-blocks", required_argument, NULL, 'n' },
		{ "salt", required_argument, NULL, 's' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "no-superblock", no_argument, NULL, 'N' },
		{ "hash-offset", required_argument, NULL, 'o' },
		{ "data-offset", required_argument, NULL, 'O' },
		{ "threads", required_argument, NULL, 't' },
		{}
	};
	struct verity_params p = { .alg = HASH_SHA256, .data_block_size = 4096,
				   .hash_block_size = 4096, .superblock = true };
	uint64_t v, data_offset = 0, threads = 0;
	size_t salt_len;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
		int r = 0;
		switch (c) {
		case 'a': r = hash_alg_from_name(optarg, &p.alg); break;
		case 'd': r = parse_u64(optarg, &v); p.data_block_size = (uint32_t)v; break;
		case 'b': r = parse_u64(optarg, &v); p.hash_block_size = (uint32_t)v; break;
		case 'n': r = parse_u64(optarg, &p.data_blocks); break;
		case 's':
			r = hex_decode(optarg, p.salt, sizeof(p.salt), &salt_len);
			p.salt_size = (uint16_t)salt_len;
			break;
		case 'u': r = parse_uuid(optarg, p.uuid); break;
		case 'N': p.superblock = false; break;
		case 'o': r = parse_u64(optarg, &p.hash_offset); break;
		case 'O': r = parse_u64(optarg, &data_offset); break;
		case 't': r = parse_u64(optarg, &threads); break;
		default: return 2;
		}
		if (r < 0) {
			fprintf(stderr, "verity-tool: bad value '%s'\n", optarg);
			return 2;
		}
	}
	bool verify = argc - optind == 4 && strcmp(argv[optind], "verify") == 0;
	if (!verify && !(argc - optind == 3 && strcmp(argv[optind], "format") == 0)) {
		fprintf(stderr, "usage: verity-tool format DATA HASH | verify DATA HASH ROOT [options]\n");
		return 2;
	}
	const char *data_path = argv[optind + 1], *hash_path = argv[optind + 2];
	_cleanup_close_ int data_fd = open(data_path, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int hash_fd =
		open(hash_path, (verify ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0644);
	if (data_fd < 0 || hash_fd < 0) {
		fprintf(stderr, "verity-tool: cannot open %s\n", data_fd < 0 ? data_path : hash_path);
		return 3;
	}
	if (p.data_blocks == 0) {
		struct stat st;
		if (fstat(data_fd, &st) < 0)
			return 3;
		p.data_blocks = ((uint64_t)st.st_size - data_offset) / p.data_block_size;
	}

	uint8_t root[DIGEST_MAX_SIZE];
	size_t root_size = hash_alg_size(p.alg);
	int r;
	if (verify) {
		struct verity_bad_block bad;
		if (hex_decode_exact(argv[optind + 3], root, root_size) < 0) {
			fprintf(stderr, "verity-tool: bad root hash\n");
			return 2;
		}
		r = verity_tree_verify(&p, data_fd, data_offset, hash_fd, root, (unsigned)threads, &bad);
		if (r == -EBADMSG) {
			printf("bad %s block %" PRIu64 " level %d\n", bad.in_data ? "data" : "hash",
			       bad.block, bad.level == VERITY_LEVEL_SUPERBLOCK ? -1 : (int)bad.level);
			return 1;
		}
	} else {
		r = verity_tree_build(&p, data_fd, data_offset, hash_fd, (unsigned)threads, root);
	}
	if (r < 0) {
		fprintf(stderr, "verity-tool: %s\n", strerror(-r));
		return 3;
	}
	if (!verify) {
		char hex[2 * DIGEST_MAX_SIZE + 1];
		hex_encode(root, root_size, hex);
		printf("%s\n", hex);
	}
	return 0;
}
