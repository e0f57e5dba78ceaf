/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small utilities shared by every tdverity program: cleanup attributes, checked
 * arithmetic and whole-file / whole-buffer I/O.
 *
 * Conventions (every library file follows them): functions return 0 or a negative errno;
 * output parameters are named ret_* and come last; they are left untouched on failure.
 * Library code never prints.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                                                    \
	({                                                                             \
		__typeof__(p) _t = (p);                                                \
		(p) = NULL;                                                            \
		_t;                                                                    \
	})
#define TAKE_FD(fd)                                                                    \
	({                                                                             \
		int _t = (fd);                                                         \
		(fd) = -1;                                                             \
		_t;                                                                    \
	})

/* errno as a negative value, never 0 (a failed call that forgot errno is still a failure). */
static inline int negative_errno(void) { return errno > 0 ? -errno : -EIO; }

/* Overflow-checked arithmetic: return false on overflow. */
#define add_ok(a, b, r) (!__builtin_add_overflow((a), (b), (r)))
#define mul_ok(a, b, r) (!__builtin_mul_overflow((a), (b), (r)))

/* Little-endian loads/stores for on-disk and wire formats (unaligned-safe). */
static inline uint16_t le16_get(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t le64_get(const uint8_t *p)
{
	return (uint64_t)le32_get(p) | (uint64_t)le32_get(p + 4) << 32;
}
static inline void le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void le64_put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Read a whole file into a fresh NUL-terminated buffer (the NUL is not counted in
 * *ret_size).  Refuses files larger than max_size with -EFBIG, so a length never comes
 * from an attacker-sized file unchecked.
 */
int read_full_file(const char *path, size_t max_size, uint8_t **ret_data, size_t *ret_size);

/* Read exactly len bytes at offset (pread loop); -EIO on a short file. */
int pread_full(int fd, void *buf, size_t len, uint64_t offset);
/* Write exactly len bytes (write/pwrite loops, EINTR-safe). */
int write_full(int fd, const void *buf, size_t len);
int pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);

/*
 * Atomically replace path with the given content: write to a temporary file in the same
 * folder, fsync, rename.  On failure nothing at path changes.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Strip leading and trailing ASCII whitespace in place; returns s. */
char *strstrip(char *s);

/* true when s starts with prefix; *ret_rest (optional) points after it. */
bool startswith(const char *s, const char *prefix, const char **ret_rest);
