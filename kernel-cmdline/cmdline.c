/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel command line parsing with the kernel's own word rules (see cmdline.h for the
 * list), and quoting for the lines the builder writes.
 */
#include "kernel-cmdline/cmdline.h"

#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool cmdline_isspace(char c)
{
	unsigned char u = (unsigned char)c;
	/* The kernel's ctype marks 0xA0 (Latin-1 NBSP) as space too. */
	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xA0;
}

static char *skip_spaces(char *s)
{
	while (*s && cmdline_isspace(*s))
		s++;
	return s;
}

/*
 * One word, the kernel's way: split *cursor in place (NUL-terminating key and value) and
 * advance it past the word and the whitespace after it.  *ret_unterminated is set when the
 * word ends inside a quote (only possible at the end of the line).
 */
static void next_word(char **cursor, char **ret_key, char **ret_value, bool *ret_unterminated)
{
	char *w = *cursor;
	bool in_quote = false, quoted = false;
	size_t i, equals = 0;

	if (*w == '"') {
		w++;
		in_quote = quoted = true;
	}
	for (i = 0; w[i]; i++) {
		if (cmdline_isspace(w[i]) && !in_quote)
			break;
		/* As in the kernel, an '=' at index 0 leaves "no '=' seen" in place. */
		if (equals == 0 && w[i] == '=')
			equals = i;
		if (w[i] == '"')
			in_quote = !in_quote;
	}
	*ret_unterminated = in_quote;

	char *value = NULL;
	if (equals) {
		w[equals] = '\0';
		value = w + equals + 1;
		if (*value == '"') {
			value++;
			if (w[i - 1] == '"')
				w[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && w[i - 1] == '"')
		w[i - 1] = '\0';

	char *next = w + i;
	if (*next)
		*next++ = '\0';
	*cursor = skip_spaces(next);
	*ret_key = w;
	*ret_value = value;
}

void cmdline_free(struct cmdline *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_params; i++) {
		free(c->params[i].key);
		free(c->params[i].value);
	}
	free(c->params);
	for (size_t i = 0; i < c->n_init_args; i++)
		free(c->init_args[i]);
	free(c->init_args);
	free(c);
}

static void cmdline_freep(struct cmdline **c) { cmdline_free(*c); }

static int push_param(struct cmdline *c, const char *key, const char *value)
{
	struct cmdline_param *n = reallocarray(c->params, c->n_params + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->params = n;
	char *k = strdup(key), *v = value ? strdup(value) : NULL;
	if (!k || (value && !v)) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	c->params[c->n_params++] = (struct cmdline_param){ .key = k, .value = v };
	return 0;
}

/* init/main.c repair_env_string(): an init argument is "key=value" again, quotes gone. */
static int push_init_arg(struct cmdline *c, const char *key, const char *value)
{
	char **n = reallocarray(c->init_args, c->n_init_args + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->init_args = n;
	char *arg;
	if (value ? asprintf(&arg, "%s=%s", key, value) < 0 : !(arg = strdup(key)))
		return -ENOMEM;
	c->init_args[c->n_init_args++] = arg;
	return 0;
}

static bool is_dashes(const char *key, const char *value)
{
	return !value && strcmp(key, "--") == 0;
}

int cmdline_parse(const char *text, struct cmdline **ret)
{
	if (!text || !ret)
		return -EINVAL;
	_cleanup_free_ char *buf = strdup(text);
	_cleanup_(cmdline_freep) struct cmdline *c = calloc(1, sizeof(*c));
	if (!buf || !c)
		return -ENOMEM;

	/* Phase 0: kernel parameters; phase 1: init's argv; phase 2: ignored by the kernel. */
	int phase = 0;
	char *cursor = skip_spaces(buf);
	while (*cursor) {
		char *key, *value;
		bool unterminated;
		next_word(&cursor, &key, &value, &unterminated);
		if (unterminated)
			return -EINVAL;
		if (is_dashes(key, value)) {
			phase++;
			continue;
		}
		int r = 0;
		if (phase == 0)
			r = push_param(c, key, value);
		else if (phase == 1)
			r = push_init_arg(c, key, value);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(c);
	return 0;
}

bool cmdline_key_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

size_t cmdline_count(const struct cmdline *c, const char *key)
{
	size_t n = 0;
	if (!c)
		return 0;
	for (size_t i = 0; i < c->n_params; i++)
		if (cmdline_key_equal(c->params[i].key, key))
			n++;
	return n;
}

const char *cmdline_get_unique(const struct cmdline *c, const char *key)
{
	const char *found = NULL;
	size_t n = 0;
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n_params; i++)
		if (cmdline_key_equal(c->params[i].key, key)) {
			found = c->params[i].value;
			n++;
		}
	return n == 1 ? found : NULL;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (cmdline_isspace(*s))
			return true;
	return false;
}

int cmdline_append(char **text, const char *key, const char *value)
{
	if (!text || !key || !*key || has_space(key) || strpbrk(key, "\"="))
		return -EINVAL;
	if (value && strchr(value, '"'))
		return -EINVAL;

	bool quote = value && has_space(value);
	const char *sep = *text && **text ? " " : "";
	char *n;
	int r;
	if (!value)
		r = asprintf(&n, "%s%s%s", *text ? *text : "", sep, key);
	else
		r = asprintf(&n, "%s%s%s=%s%s%s", *text ? *text : "", sep, key, quote ? "\"" : "",
			     value, quote ? "\"" : "");
	if (r < 0)
		return -ENOMEM;
	free(*text);
	*text = n;
	return 0;
}
