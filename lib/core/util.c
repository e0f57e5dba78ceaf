/* SPDX-License-Identifier: Apache-2.0 */
#include "core/util.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

int read_full_file(const char *path, size_t max_size, uint8_t **ret_data, size_t *ret_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();

	struct stat st;
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (S_ISDIR(st.st_mode))
		return -EISDIR;

	size_t cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 4096;
	if (cap > max_size)
		cap = max_size;
	_cleanup_free_ uint8_t *buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;

	size_t len = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= max_size) {
				/* Probe for one more byte: a file of exactly max_size is fine. */
				uint8_t extra;
				ssize_t n = read(fd, &extra, 1);
				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0)
					return negative_errno();
				if (n > 0)
					return -EFBIG;
				break;
			}
			size_t ncap = cap > max_size / 2 ? max_size : cap * 2;
			uint8_t *nbuf = realloc(buf, ncap + 1);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	*ret_data = TAKE_PTR(buf);
	*ret_size = len;
	return 0;
}

int pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
	uint8_t *p = buf;
	while (len > 0) {
		if (offset > (uint64_t)INT64_MAX)
			return -EOVERFLOW;
		ssize_t n = pread(fd, p, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

int write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int pwrite_full(int fd, const void *buf, size_t len, uint64_t offset)
{
	const uint8_t *p = buf;
	while (len > 0) {
		if (offset > (uint64_t)INT64_MAX)
			return -EOVERFLOW;
		ssize_t n = pwrite(fd, p, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	size_t plen = strlen(path);
	_cleanup_free_ char *tmp = malloc(plen + sizeof(".tmpXXXXXX"));
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmpXXXXXX", sizeof(".tmpXXXXXX"));

	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	int r = write_full(fd, data, len);
	if (r == 0 && fchmod(fd, mode) < 0)
		r = negative_errno();
	if (r == 0 && fsync(fd) < 0)
		r = negative_errno();
	if (close(fd) < 0 && r == 0)
		r = negative_errno();
	if (r == 0 && rename(tmp, path) < 0)
		r = negative_errno();
	if (r < 0)
		unlink(tmp);
	return r;
}

char *strstrip(char *s)
{
	char *start = s + strspn(s, " \t\r\n");
	size_t len = strlen(start);
	while (len > 0 && strchr(" \t\r\n", start[len - 1]))
		len--;
	memmove(s, start, len);
	s[len] = 0;
	return s;
}

bool startswith(const char *s, const char *prefix, const char **ret_rest)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) != 0)
		return false;
	if (ret_rest)
		*ret_rest = s + n;
	return true;
}
