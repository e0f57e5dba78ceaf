/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hardware limit of a build, for bench/build-real.sh: what no builder can beat on
 * this machine.  Usage: limit TREE IMAGE
 *   read   every regular file of TREE once, on every CPU (page cache → user buffer);
 *   sha256 every 4 KiB block of IMAGE once, on every CPU (the dm-verity leaf level:
 *          the one pass over the output a verity builder cannot skip).
 * Prints "read S" and "sha256 S" (seconds) and "limit S" (their sum).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define MAX_THREADS 16

static char **paths;
static size_t n_paths, cap_paths;
static const char *image;
static uint64_t image_chunks;
static atomic_size_t next;
static atomic_int failed;

static int collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (n_paths == cap_paths) {
		cap_paths = cap_paths ? cap_paths * 2 : 1024;
		paths = realloc(paths, cap_paths * sizeof(*paths));
		if (!paths)
			return -1;
	}
	return (paths[n_paths++] = strdup(path)) ? 0 : -1;
}

static void *read_worker(void *arg)
{
	(void)arg;
	char *buf = malloc(CHUNK);
	for (size_t k; buf && (k = atomic_fetch_add(&next, 1)) < n_paths;) {
		int fd = open(paths[k], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			atomic_store(&failed, 1);
			continue;
		}
		while (read(fd, buf, CHUNK) > 0)
			;
		close(fd);
	}
	free(buf);
	return NULL;
}

static void *sha_worker(void *arg)
{
	(void)arg;
	uint8_t *buf = malloc(CHUNK), md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *sha = EVP_sha256();
	int fd = open(image, O_RDONLY | O_CLOEXEC);
	if (!buf || !ctx || fd < 0) {
		atomic_store(&failed, 1);
		free(buf);
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	for (uint64_t k; (k = atomic_fetch_add(&next, 1)) < image_chunks;) {
		ssize_t n = pread(fd, buf, CHUNK, (off_t)(k * CHUNK));
		for (ssize_t off = 0; off + 4096 <= n; off += 4096)
			if (!EVP_DigestInit_ex(ctx, sha, NULL) ||
			    !EVP_DigestUpdate(ctx, buf + off, 4096) ||
			    !EVP_DigestFinal_ex(ctx, md, NULL))
				atomic_store(&failed, 1);
	}
	close(fd);
	free(buf);
	EVP_MD_CTX_free(ctx);
	return NULL;
}

static double run(void *(*fn)(void *))
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
	pthread_t tid[MAX_THREADS];
	struct timespec a, b;
	atomic_store(&next, 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++)
		pthread_create(&tid[i], NULL, fn, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	struct stat st;
	if (argc != 3) {
		fprintf(stderr, "usage: limit TREE IMAGE\n");
		return 2;
	}
	image = argv[2];
	if (nftw(argv[1], collect, 64, FTW_PHYS) != 0 || stat(image, &st) < 0) {
		fprintf(stderr, "limit: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	image_chunks = ((uint64_t)st.st_size + CHUNK - 1) / CHUNK;
	double t_read = run(read_worker);
	double t_sha = run(sha_worker);
	if (atomic_load(&failed)) {
		fprintf(stderr, "limit: cannot read some input\n");
		return 1;
	}
	printf("read %.3f\nsha256 %.3f\nlimit %.3f\n", t_read, t_sha, t_read + t_sha);
	return 0;
}
