/* SPDX-License-Identifier: Apache-2.0 */
#include "initrd/init.h"

#include "core/util.h"

#include <linux/module.h>
#include <string.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define MODULE_PATH_MAX 255

static bool endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int module_init_flags(const char *path)
{
	if (endswith(path, ".ko.xz") || endswith(path, ".ko.zst") || endswith(path, ".ko.gz"))
		return MODULE_INIT_COMPRESSED_FILE;
	return 0;
}

/* Why so strict: the list is part of the measured initrd, but a path escaping
 * /lib/modules (or into a mount point) would load something nobody meant to list. */
static const char *module_path_problem(const char *p)
{
	if (strlen(p) > MODULE_PATH_MAX)
		return "path too long";
	if (p[0] == '\0')
		return "empty line";
	if (p[0] == '/')
		return "absolute path";
	if (strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+,/-") !=
	    strlen(p))
		return "character outside [A-Za-z0-9._+,/-]";
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 0)
			return "empty path component";
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return "'.' or '..' component";
		c += n;
		if (*c == '/' && *++c == '\0')
			return "trailing '/'";
	}
	if (!endswith(p, ".ko") && module_init_flags(p) == 0)
		return "not a .ko, .ko.xz, .ko.zst or .ko.gz file";
	return NULL;
}

void module_list_free(struct module_entry *mods, size_t n)
{
	for (size_t i = 0; mods && i < n; i++)
		free(mods[i].path);
	free(mods);
}

/* "required " / "optional ": the class the builder decided (README-initrd.md). */
static int module_class_parse(const char *line, size_t len, bool *ret_optional,
			      size_t *ret_skip)
{
	static const struct {
		const char *word;
		bool optional;
	} classes[] = { { "required ", false }, { "optional ", true } };
	for (size_t i = 0; i < ELEMENTSOF(classes); i++) {
		size_t n = strlen(classes[i].word);
		if (len >= n && memcmp(line, classes[i].word, n) == 0) {
			*ret_optional = classes[i].optional;
			*ret_skip = n;
			return 0;
		}
	}
	return -EINVAL;
}

int module_list_parse(const char *text, size_t len, struct module_entry **ret_mods,
		      size_t *ret_n, struct tdv_error *err)
{
	struct module_entry *paths = NULL;
	size_t n = 0, lineno = 0;
	int r;

	if (memchr(text, '\0', len)) {
		r = tdv_error_set(err, -EINVAL, "module list holds a NUL byte");
		goto fail;
	}
	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		lineno++;
		/* The builder terminates every line: a missing newline means a cut-off file. */
		if (!nl) {
			r = tdv_error_set(err, -EINVAL, "module list line %zu: no final newline",
					  lineno);
			goto fail;
		}
		size_t line_len = (size_t)(nl - line), skip;
		bool optional;
		pos += line_len + 1;
		if (n >= INIT_MODULES_MAX) {
			r = tdv_error_set(err, -E2BIG, "module list: more than %d modules",
					  INIT_MODULES_MAX);
			goto fail;
		}
		if (module_class_parse(line, line_len, &optional, &skip) < 0) {
			r = tdv_error_set(err, -EINVAL,
					  "module list line %zu: no class (required or optional)",
					  lineno);
			goto fail;
		}
		char *p = strndup(line + skip, line_len - skip);
		if (!p) {
			r = tdv_error_set(err, -ENOMEM, "module list: out of memory");
			goto fail;
		}
		const char *problem = module_path_problem(p);
		if (problem) {
			r = tdv_error_set(err, -EINVAL, "module list line %zu: %s", lineno,
					  problem);
			free(p);
			goto fail;
		}
		struct module_entry *grown = realloc(paths, (n + 1) * sizeof(*paths));
		if (!grown) {
			free(p);
			r = tdv_error_set(err, -ENOMEM, "module list: out of memory");
			goto fail;
		}
		paths = grown;
		paths[n++] = (struct module_entry){ p, optional };
	}
	*ret_mods = paths;
	*ret_n = n;
	return 0;
fail:
	module_list_free(paths, n);
	return r;
}
