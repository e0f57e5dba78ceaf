/* SPDX-License-Identifier: Apache-2.0 */
#include "host/template-manifest.h"

#include "core/digest.h"
#include "core/util.h"

#include <ctype.h>
#include <string.h>

#define MAX_FIELDS 64 /* a file line with many hard links; more is refused */

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_lines; i++) {
		struct manifest_line *l = &m->lines[i];
		free(l->name);
		free(l->location);
		for (size_t j = 0; j < l->n_links; j++)
			free(l->links[j]);
		free(l->links);
		free(l->xattr_key);
		free(l->xattr_value);
	}
	free(m->lines);
	free(m);
}

char *rootfs_path_normalize(const char *path)
{
	size_t len = strlen(path);
	if (len == 0 || len > MANIFEST_MAX_PATH) {
		errno = EINVAL;
		return NULL;
	}
	if (strcmp(path, "/") == 0)
		return strdup("/");
	const char *p = path[0] == '/' ? path + 1 : path;
	/* Walk the components: each must be non-empty, not "." or "..", <= 255 bytes. */
	for (const char *c = p;;) {
		const char *end = strchrnul(c, '/');
		size_t n = (size_t)(end - c);
		if (n == 0 || n > 255 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.')) {
			errno = EINVAL;
			return NULL;
		}
		if (!*end)
			break;
		c = end + 1;
	}
	char *out;
	if (asprintf(&out, "/%s", p) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	if (strlen(out) > MANIFEST_MAX_PATH) {
		free(out);
		errno = EINVAL;
		return NULL;
	}
	return out;
}

static int parse_octal_mode(const char *s, uint32_t *ret)
{
	uint32_t v = 0;
	if (!*s || strlen(s) > 6)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -EINVAL;
		v = v * 8 + (uint32_t)(*s - '0');
	}
	if (v > 07777)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int parse_decimal(const char *s, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;
	if (!*s || strlen(s) > 10)
		return -EINVAL;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

/* The parse state of one line, so error messages carry file and line. */
struct line_ctx {
	const char *filename;
	unsigned line;
	char *field[MAX_FIELDS];
	size_t n;
	struct tdv_error *err;
};

#define line_error(c, fmt, ...)                                                                \
	tdv_error_set((c)->err, -EINVAL, "%s:%u: " fmt, (c)->filename, (c)->line, ##__VA_ARGS__)

static int field_path(struct line_ctx *c, size_t i, const char *what, char **ret)
{
	char *p = rootfs_path_normalize(c->field[i]);
	if (!p) {
		if (errno == ENOMEM)
			return tdv_error_set(c->err, -ENOMEM, "out of memory");
		return line_error(c, "invalid %s '%.200s' (empty, '.' or '..' component, or too long)",
				  what, c->field[i]);
	}
	*ret = p;
	return 0;
}

static int field_mode_ids(struct line_ctx *c, size_t i, struct manifest_line *l)
{
	if (parse_octal_mode(c->field[i], &l->mode) < 0)
		return line_error(c, "invalid mode '%.40s' (octal, at most 07777)", c->field[i]);
	if (parse_decimal(c->field[i + 1], UINT32_MAX - 1, &l->uid) < 0)
		return line_error(c, "invalid uid '%.40s' (decimal, 0..4294967294)", c->field[i + 1]);
	if (parse_decimal(c->field[i + 2], UINT32_MAX - 1, &l->gid) < 0)
		return line_error(c, "invalid gid '%.40s' (decimal, 0..4294967294)", c->field[i + 2]);
	return 0;
}

static int expect_fields(struct line_ctx *c, size_t min, size_t max, const char *usage)
{
	if (c->n < min || c->n > max)
		return line_error(c, "wrong number of fields, expected '%s'", usage);
	return 0;
}

static int parse_xattr_value(struct line_ctx *c, const char *s, struct manifest_line *l)
{
	const char *hex;
	if (startswith(s, "0x", &hex)) {
		size_t n = strlen(hex);
		if (n == 0 || n % 2 || n / 2 > MANIFEST_MAX_XATTR_VALUE)
			return line_error(c, "invalid xattr value: hex needs an even number of digits, "
					     "at most %u bytes", MANIFEST_MAX_XATTR_VALUE);
		l->xattr_value = malloc(n / 2);
		if (!l->xattr_value)
			return tdv_error_set(c->err, -ENOMEM, "out of memory");
		if (hex_decode_exact(hex, l->xattr_value, n / 2) < 0)
			return line_error(c, "invalid xattr value: bad hex digit");
		l->xattr_len = n / 2;
		return 0;
	}
	size_t n = strlen(s);
	if (n > MANIFEST_MAX_XATTR_VALUE)
		return line_error(c, "xattr value longer than %u bytes", MANIFEST_MAX_XATTR_VALUE);
	l->xattr_value = (uint8_t *)strndup(s, n);
	if (!l->xattr_value)
		return tdv_error_set(c->err, -ENOMEM, "out of memory");
	l->xattr_len = n;
	return 0;
}

static int parse_fields(struct line_ctx *c, struct manifest_line *l)
{
	const char *d = c->field[0];
	int r;

	if (strcmp(d, "dir") == 0 || strcmp(d, "pipe") == 0 || strcmp(d, "sock") == 0) {
		l->kind = d[0] == 'd' ? MANIFEST_DIR : d[0] == 'p' ? MANIFEST_PIPE : MANIFEST_SOCK;
		if ((r = expect_fields(c, 5, 5, "<directive> <name> <mode> <uid> <gid>")) < 0)
			return r;
		if ((r = field_path(c, 1, "name", &l->name)) < 0)
			return r;
		return field_mode_ids(c, 2, l);
	}
	if (strcmp(d, "file") == 0) {
		l->kind = MANIFEST_FILE;
		r = expect_fields(c, 6, MAX_FIELDS,
				  "file <name> <location> <mode> <uid> <gid> [<hard links>...]");
		if (r < 0)
			return r;
		if ((r = field_path(c, 1, "name", &l->name)) < 0)
			return r;
		if (strlen(c->field[2]) > MANIFEST_MAX_PATH)
			return line_error(c, "file location too long");
		if (!(l->location = strdup(c->field[2])))
			return tdv_error_set(c->err, -ENOMEM, "out of memory");
		if ((r = field_mode_ids(c, 3, l)) < 0)
			return r;
		if (c->n > 6 && !(l->links = calloc(c->n - 6, sizeof(char *))))
			return tdv_error_set(c->err, -ENOMEM, "out of memory");
		for (size_t i = 6; i < c->n; i++) {
			if ((r = field_path(c, i, "hard link name", &l->links[l->n_links])) < 0)
				return r;
			l->n_links++;
		}
		return 0;
	}
	if (strcmp(d, "slink") == 0) {
		l->kind = MANIFEST_SLINK;
		if ((r = expect_fields(c, 6, 6, "slink <name> <target> <mode> <uid> <gid>")) < 0)
			return r;
		if ((r = field_path(c, 1, "name", &l->name)) < 0)
			return r;
		if (strlen(c->field[2]) > MANIFEST_MAX_PATH)
			return line_error(c, "symlink target longer than %u bytes", MANIFEST_MAX_PATH);
		if (!(l->location = strdup(c->field[2])))
			return tdv_error_set(c->err, -ENOMEM, "out of memory");
		return field_mode_ids(c, 3, l);
	}
	if (strcmp(d, "nod") == 0) {
		l->kind = MANIFEST_NOD;
		r = expect_fields(c, 8, 8, "nod <name> <mode> <uid> <gid> <b|c> <major> <minor>");
		if (r < 0)
			return r;
		if ((r = field_path(c, 1, "name", &l->name)) < 0 || (r = field_mode_ids(c, 2, l)) < 0)
			return r;
		if (strcmp(c->field[5], "b") != 0 && strcmp(c->field[5], "c") != 0)
			return line_error(c, "invalid device type '%.40s' (b or c)", c->field[5]);
		l->dev_type = c->field[5][0];
		/* Linux dev_t: 12-bit major, 20-bit minor. */
		if (parse_decimal(c->field[6], 4095, &l->major) < 0)
			return line_error(c, "invalid major '%.40s' (0..4095)", c->field[6]);
		if (parse_decimal(c->field[7], 1048575, &l->minor) < 0)
			return line_error(c, "invalid minor '%.40s' (0..1048575)", c->field[7]);
		return 0;
	}
	if (strcmp(d, "base") == 0) {
		l->kind = MANIFEST_BASE;
		return expect_fields(c, 1, 1, "base");
	}
	if (strcmp(d, "xattr") == 0) {
		l->kind = MANIFEST_XATTR;
		if ((r = expect_fields(c, 4, 4, "xattr <name> <key> <value>")) < 0)
			return r;
		if ((r = field_path(c, 1, "name", &l->name)) < 0)
			return r;
		const char *key = c->field[2], *rest;
		/* Namespaces libext2fs stores verbatim; system.* (ACLs) needs a format
		 * conversion we do not offer. */
		if (!(startswith(key, "user.", &rest) || startswith(key, "trusted.", &rest) ||
		      startswith(key, "security.", &rest)) ||
		    !*rest || strlen(key) > 255)
			return line_error(c, "invalid xattr key '%.80s' (user.*, trusted.* or "
					     "security.*, at most 255 bytes)", key);
		if (!(l->xattr_key = strdup(key)))
			return tdv_error_set(c->err, -ENOMEM, "out of memory");
		return parse_xattr_value(c, c->field[3], l);
	}
	return line_error(c, "unknown directive '%.40s'", d);
}

/* Split a line in place on blanks; returns the field count or -E2BIG. */
static int split_fields(char *s, char **field)
{
	size_t n = 0;
	for (char *tok = strtok(s, " \t\r"); tok; tok = strtok(NULL, " \t\r")) {
		if (n == MAX_FIELDS)
			return -E2BIG;
		field[n++] = tok;
	}
	return (int)n;
}

int manifest_parse(const char *buf, size_t len, const char *filename, struct manifest **ret,
		   struct tdv_error *err)
{
	if (len > MANIFEST_MAX_SIZE)
		return tdv_error_set(err, -EFBIG, "%s: manifest larger than %u bytes", filename,
				     MANIFEST_MAX_SIZE);
	if (memchr(buf, '\0', len))
		return tdv_error_set(err, -EINVAL, "%s: NUL byte in manifest", filename);

	struct manifest *m = calloc(1, sizeof(*m));
	_cleanup_free_ char *copy = strndup(buf, len);
	if (!m || !copy) {
		free(m);
		return tdv_error_set(err, -ENOMEM, "out of memory");
	}
	size_t cap = 0;
	unsigned lineno = 0;
	int r = 0;
	for (char *s = copy, *next; s; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *t = strstrip(s);
		if (!*t || *t == '#')
			continue;
		struct line_ctx c = { .filename = filename, .line = lineno, .err = err };
		int n = split_fields(t, c.field);
		if (n < 0) {
			r = line_error(&c, "too many fields (at most %d)", MAX_FIELDS);
			break;
		}
		c.n = (size_t)n;
		if (m->n_lines == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct manifest_line *nl = reallocarray(m->lines, ncap, sizeof(*nl));
			if (!nl) {
				r = tdv_error_set(err, -ENOMEM, "out of memory");
				break;
			}
			m->lines = nl;
			cap = ncap;
		}
		struct manifest_line *l = &m->lines[m->n_lines++];
		*l = (struct manifest_line){ .line = lineno };
		if ((r = parse_fields(&c, l)) < 0)
			break;
	}
	if (r < 0) {
		manifest_free(m);
		return r;
	}
	*ret = m;
	return 0;
}
