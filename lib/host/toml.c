/* SPDX-License-Identifier: Apache-2.0 */
/* Strict TOML subset reader (see toml.h for what is taken and what is refused). */
#include "host/toml.h"

#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p, *end;
	const char *name;
	unsigned line;
	struct tdv_error *err;
	struct toml_doc *doc;
	char *table; /* current table */
};

static int fail(struct parser *ps, const char *why)
{
	return tdv_error_set(ps->err, -EINVAL, "%s:%u: %s", ps->name, ps->line, why);
}

static bool at_end(const struct parser *ps) { return ps->p >= ps->end; }
static char peek(const struct parser *ps) { return at_end(ps) ? '\0' : *ps->p; }

/* Whitespace within a line (TOML: space and tab only). */
static void skip_blank(struct parser *ps)
{
	while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

/* A comment runs to the end of the line; control characters other than tab are invalid. */
static int skip_comment(struct parser *ps)
{
	if (peek(ps) != '#')
		return 0;
	while (!at_end(ps) && *ps->p != '\n') {
		unsigned char c = (unsigned char)*ps->p;
		if ((c < 0x20 && c != '\t' && !(c == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')) ||
		    c == 0x7f)
			return fail(ps, "control character in a comment");
		ps->p++;
	}
	return 0;
}

/* End of a line: optional blanks, optional comment, then LF, CRLF or end of input. */
static int expect_eol(struct parser *ps)
{
	skip_blank(ps);
	int r = skip_comment(ps);
	if (r < 0)
		return r;
	if (at_end(ps))
		return 0;
	if (*ps->p == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')
		ps->p++;
	if (*ps->p != '\n')
		return fail(ps, "unexpected text after the value");
	ps->p++;
	ps->line++;
	return 0;
}

/* Blanks, comments and newlines (inside arrays). */
static int skip_ws_nl(struct parser *ps)
{
	for (;;) {
		skip_blank(ps);
		int r = skip_comment(ps);
		if (r < 0)
			return r;
		if (peek(ps) == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')
			ps->p++;
		if (peek(ps) != '\n')
			return 0;
		ps->p++;
		ps->line++;
	}
}

/* Validate UTF-8 (no overlongs, surrogates or values over U+10FFFF) and refuse NUL. */
static int check_utf8(const char *text, size_t len, unsigned *ret_line)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned line = 1;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c == '\n')
			line++;
		if (c == 0) {
			*ret_line = line;
			return -EINVAL;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
		if (n == 0 || i + n > len) {
			*ret_line = line;
			return -EINVAL;
		}
		uint32_t cp = c & (0x7f >> n);
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80) {
				*ret_line = line;
				return -EINVAL;
			}
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			*ret_line = line;
			return -EINVAL;
		}
		i += n;
	}
	return 0;
}

/* ---- growing strings -------------------------------------------------------------- */

struct buf {
	char *s;
	size_t len, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *t = realloc(b->s, cap);
		if (!t)
			return -ENOMEM;
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int buf_put_utf8(struct buf *b, uint32_t cp)
{
	char out[4];
	size_t n;
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_put(b, out, n);
}

/* ---- strings ---------------------------------------------------------------------- */

static int parse_escape(struct parser *ps, struct buf *b)
{
	char c = peek(ps);
	ps->p++;
	switch (c) {
	case 'b': return buf_put(b, "\b", 1);
	case 't': return buf_put(b, "\t", 1);
	case 'n': return buf_put(b, "\n", 1);
	case 'f': return buf_put(b, "\f", 1);
	case 'r': return buf_put(b, "\r", 1);
	case '"': return buf_put(b, "\"", 1);
	case '\\': return buf_put(b, "\\", 1);
	case 'u':
	case 'U': {
		size_t n = c == 'u' ? 4 : 8;
		uint32_t cp = 0;
		for (size_t i = 0; i < n; i++) {
			char h = peek(ps);
			int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 :
				h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
			if (v < 0)
				return fail(ps, "bad \\u escape (expected hex digits)");
			cp = cp << 4 | (uint32_t)v;
			ps->p++;
		}
		/* Threat: a NUL would cut the string short for every C consumer. */
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return fail(ps, "\\u escape is NUL, a surrogate or beyond U+10FFFF");
		return buf_put_utf8(b, cp);
	}
	default:
		return fail(ps, "unknown escape in a string");
	}
}

/* A basic ("...") or literal ('...') single-line string starting at ps->p. */
static int parse_string(struct parser *ps, char **ret)
{
	char quote = *ps->p;
	if (ps->end - ps->p >= 3 && ps->p[1] == quote && ps->p[2] == quote)
		return fail(ps, "multi-line strings are not supported");
	ps->p++;
	struct buf b = { 0 };
	int r = buf_put(&b, "", 0);
	while (r >= 0) {
		if (at_end(ps) || *ps->p == '\n' || *ps->p == '\r') {
			r = fail(ps, "unterminated string");
			break;
		}
		unsigned char c = (unsigned char)*ps->p;
		if (c == (unsigned char)quote) {
			ps->p++;
			*ret = b.s;
			return 0;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			r = fail(ps, "control character in a string");
			break;
		}
		if (c == '\\' && quote == '"') {
			ps->p++;
			r = parse_escape(ps, &b);
			continue;
		}
		r = buf_put(&b, ps->p, 1);
		ps->p++;
	}
	free(b.s);
	return r;
}

/* ---- keys ------------------------------------------------------------------------- */

static bool is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static int parse_key(struct parser *ps, char **ret)
{
	char c = peek(ps);
	if (c == '"' || c == '\'') {
		int r = parse_string(ps, ret);
		if (r < 0)
			return r;
		return 0;
	}
	const char *start = ps->p;
	while (!at_end(ps) && is_bare(*ps->p))
		ps->p++;
	if (ps->p == start)
		return fail(ps, "expected a key");
	*ret = strndup(start, (size_t)(ps->p - start));
	return *ret ? 0 : -ENOMEM;
}

/* ---- values ----------------------------------------------------------------------- */

static void value_done(struct toml_value *v)
{
	free(v->string);
	for (size_t i = 0; i < v->n_items; i++)
		value_done(&v->items[i]);
	free(v->items);
	*v = (struct toml_value){ 0 };
}

/* The word of a number or boolean: up to a delimiter. */
static size_t word_len(const struct parser *ps)
{
	const char *q = ps->p;
	while (q < ps->end && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' && *q != ',' &&
	       *q != ']' && *q != '#')
		q++;
	return (size_t)(q - ps->p);
}

/* Digits with '_' only between two digits of the given base. */
static bool digits_ok(const char *s, size_t n, int base)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '_') {
			if (i == 0 || i + 1 == n || s[i + 1] == '_')
				return false;
			continue;
		}
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
		if (v >= base)
			return false;
	}
	return true;
}

static int parse_integer(struct parser *ps, const char *w, size_t n, struct toml_value *v)
{
	char digits[80];
	size_t k = 0;
	int base = 10;
	bool neg = false;
	const char *s = w;
	size_t len = n;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		s += 2;
		len -= 2;
	} else {
		if (len && (s[0] == '+' || s[0] == '-')) {
			neg = s[0] == '-';
			s++;
			len--;
		}
		if (len > 1 && s[0] == '0')
			return fail(ps, "leading zeros in an integer");
	}
	if (!digits_ok(s, len, base) || len >= sizeof(digits))
		return fail(ps, "malformed integer");
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			digits[k++] = s[i];
	digits[k] = '\0';
	errno = 0;
	char *endp;
	unsigned long long u = strtoull(digits, &endp, base);
	if (errno || *endp || (!neg && u > INT64_MAX) || (neg && u > (unsigned long long)INT64_MAX + 1))
		return fail(ps, "integer out of range");
	v->type = TOML_INTEGER;
	v->integer = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static int parse_float(struct parser *ps, const char *w, size_t n, struct toml_value *v)
{
	/* [+-] int-part ( . digits )? ( [eE] [+-]? digits )?, int-part without leading 0s. */
	char text[80];
	size_t k = 0, i = 0;
	if (n >= sizeof(text))
		return fail(ps, "malformed float");
	if (i < n && (w[i] == '+' || w[i] == '-'))
		text[k++] = w[i++];
	size_t start = i;
	while (i < n && (w[i] >= '0' && w[i] <= '9' ? true : w[i] == '_'))
		i++;
	if (!digits_ok(w + start, i - start, 10) || (i - start > 1 && w[start] == '0'))
		return fail(ps, "malformed float");
	bool frac = false, exp = false;
	if (i < n && w[i] == '.') {
		size_t f = ++i;
		while (i < n && ((w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
			i++;
		if (!digits_ok(w + f, i - f, 10))
			return fail(ps, "malformed float");
		frac = true;
	}
	if (i < n && (w[i] == 'e' || w[i] == 'E')) {
		i++;
		if (i < n && (w[i] == '+' || w[i] == '-'))
			i++;
		size_t e = i;
		while (i < n && ((w[i] >= '0' && w[i] <= '9') || w[i] == '_'))
			i++;
		if (!digits_ok(w + e, i - e, 10))
			return fail(ps, "malformed float");
		exp = true;
	}
	if (i != n || (!frac && !exp))
		return fail(ps, "malformed number");
	for (size_t j = start; j < n; j++)
		if (w[j] != '_')
			text[k++] = w[j];
	text[k] = '\0';
	char *endp;
	errno = 0;
	double d = strtod(text, &endp);
	if (errno || *endp || !isfinite(d))
		return fail(ps, "float out of range");
	v->type = TOML_FLOAT;
	v->number = d;
	return 0;
}

static int parse_value(struct parser *ps, struct toml_value *v, unsigned depth);

static int parse_array(struct parser *ps, struct toml_value *v, unsigned depth)
{
	if (depth >= TOML_MAX_DEPTH)
		return fail(ps, "arrays nested too deeply");
	ps->p++; /* '[' */
	v->type = TOML_ARRAY;
	for (;;) {
		int r = skip_ws_nl(ps);
		if (r < 0)
			return r;
		if (peek(ps) == ']') {
			ps->p++;
			return 0;
		}
		if (at_end(ps))
			return fail(ps, "unterminated array");
		struct toml_value *items = reallocarray(v->items, v->n_items + 1, sizeof(*items));
		if (!items)
			return -ENOMEM;
		v->items = items;
		struct toml_value *item = &v->items[v->n_items];
		*item = (struct toml_value){ 0 };
		r = parse_value(ps, item, depth + 1);
		if (r < 0) {
			value_done(item);
			return r;
		}
		v->n_items++;
		r = skip_ws_nl(ps);
		if (r < 0)
			return r;
		if (peek(ps) == ',') {
			ps->p++;
			continue;
		}
		if (peek(ps) == ']') {
			ps->p++;
			return 0;
		}
		return fail(ps, at_end(ps) ? "unterminated array" : "expected ',' or ']' in an array");
	}
}

static int parse_value(struct parser *ps, struct toml_value *v, unsigned depth)
{
	v->line = ps->line;
	char c = peek(ps);
	if (c == '"' || c == '\'') {
		v->type = TOML_STRING;
		return parse_string(ps, &v->string);
	}
	if (c == '[')
		return parse_array(ps, v, depth);
	if (c == '{')
		return fail(ps, "inline tables are not supported");
	size_t n = word_len(ps);
	if (n == 0)
		return fail(ps, "expected a value");
	const char *w = ps->p;
	int r;
	if ((n == 4 && memcmp(w, "true", 4) == 0) || (n == 5 && memcmp(w, "false", 5) == 0)) {
		v->type = TOML_BOOL;
		v->boolean = n == 4;
		r = 0;
	} else if (memchr(w, ':', n) || (n >= 5 && w[4] == '-' && w[0] >= '0' && w[0] <= '9'))
		r = fail(ps, "dates and times are not supported");
	else if (memchr(w, 'n', n) || memchr(w, 'i', n))
		r = fail(ps, "unknown value (inf and nan are not supported)");
	else if (!(n > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'o' || w[1] == 'b')) &&
		 (memchr(w, '.', n) || memchr(w, 'e', n) || memchr(w, 'E', n)))
		r = parse_float(ps, w, n, v);
	else
		r = parse_integer(ps, w, n, v);
	if (r >= 0)
		ps->p += n;
	return r;
}

/* ---- document --------------------------------------------------------------------- */

static bool table_taken(const struct toml_doc *doc, const char *table)
{
	for (size_t i = 0; i < doc->n_tables; i++)
		if (strcmp(doc->tables[i], table) == 0)
			return true;
	return false;
}

/* true when "table.key" names an existing key (so [table.key] would redefine it), or
 * a key `key` in `table` would collide with a header [table.key]. */
static bool key_is_table(const struct toml_doc *doc, const char *table, const char *key)
{
	size_t tl = strlen(table), kl = strlen(key);
	for (size_t i = 0; i < doc->n_tables; i++) {
		const char *t = doc->tables[i];
		const char *rest = t;
		if (tl) {
			if (strncmp(t, table, tl) != 0 || t[tl] != '.')
				continue;
			rest = t + tl + 1;
		}
		if (strncmp(rest, key, kl) == 0 && (rest[kl] == '\0' || rest[kl] == '.'))
			return true;
	}
	return false;
}

static bool header_is_key(const struct toml_doc *doc, const char *header)
{
	for (size_t i = 0; i < doc->n_entries; i++) {
		const struct toml_entry *e = &doc->entries[i];
		size_t tl = strlen(e->table), kl = strlen(e->key);
		const char *h = header;
		if (tl) {
			if (strncmp(h, e->table, tl) != 0 || h[tl] != '.')
				continue;
			h += tl + 1;
		}
		if (strncmp(h, e->key, kl) == 0 && (h[kl] == '\0' || h[kl] == '.'))
			return true;
	}
	return false;
}

static int parse_header(struct parser *ps)
{
	ps->p++; /* '[' */
	if (peek(ps) == '[')
		return fail(ps, "arrays of tables ([[...]]) are not supported");
	struct buf name = { 0 };
	int r = buf_put(&name, "", 0);
	for (;;) {
		if (r < 0)
			break;
		skip_blank(ps);
		char *key = NULL;
		r = parse_key(ps, &key);
		if (r < 0)
			break;
		/* Threat: "a.b" as one quoted key would alias the table a.b. */
		if (strchr(key, '.') || key[0] == '\0') {
			free(key);
			r = fail(ps, "empty table key or '.' inside a quoted table key");
			break;
		}
		if (name.len)
			r = buf_put(&name, ".", 1);
		if (r >= 0)
			r = buf_put(&name, key, strlen(key));
		free(key);
		if (r < 0)
			break;
		skip_blank(ps);
		if (peek(ps) == '.') {
			ps->p++;
			continue;
		}
		if (peek(ps) != ']') {
			r = fail(ps, "expected ']' after a table name");
			break;
		}
		ps->p++;
		break;
	}
	if (r >= 0 && (table_taken(ps->doc, name.s) || header_is_key(ps->doc, name.s)))
		r = fail(ps, "table defined twice");
	if (r >= 0)
		r = expect_eol(ps);
	if (r >= 0) {
		char **t = reallocarray(ps->doc->tables, ps->doc->n_tables + 1, sizeof(*t));
		if (!t)
			r = -ENOMEM;
		else {
			ps->doc->tables = t;
			t[ps->doc->n_tables++] = name.s;
			ps->table = name.s;
			return 0;
		}
	}
	free(name.s);
	return r;
}

static int parse_keyval(struct parser *ps)
{
	char *key = NULL;
	int r = parse_key(ps, &key);
	if (r < 0)
		return r;
	skip_blank(ps);
	if (peek(ps) == '.') {
		free(key);
		return fail(ps, "dotted keys are not supported");
	}
	if (peek(ps) != '=') {
		free(key);
		return fail(ps, "expected '=' after a key");
	}
	ps->p++;
	skip_blank(ps);
	if (toml_get(ps->doc, ps->table, key) || key_is_table(ps->doc, ps->table, key)) {
		free(key);
		return fail(ps, "key defined twice");
	}
	struct toml_value v = { 0 };
	r = parse_value(ps, &v, 0);
	if (r >= 0)
		r = expect_eol(ps);
	struct toml_entry *e = NULL;
	char *table = NULL;
	if (r >= 0) {
		e = reallocarray(ps->doc->entries, ps->doc->n_entries + 1, sizeof(*e));
		table = strdup(ps->table);
		if (e)
			ps->doc->entries = e;
		if (!e || !table)
			r = -ENOMEM;
	}
	if (r < 0) {
		free(table);
		free(key);
		value_done(&v);
		return r;
	}
	e[ps->doc->n_entries++] = (struct toml_entry){ .table = table, .key = key, .value = v };
	return 0;
}

int toml_parse(const char *text, size_t len, const char *name, struct toml_doc **ret,
	       struct tdv_error *err)
{
	if (len > TOML_MAX_SIZE)
		return tdv_error_set(err, -EFBIG, "%s: larger than %u bytes", name, TOML_MAX_SIZE);
	unsigned bad_line = 0;
	if (check_utf8(text, len, &bad_line) < 0)
		return tdv_error_set(err, -EINVAL, "%s:%u: invalid UTF-8 or a NUL byte", name,
				     bad_line);
	struct toml_doc *doc = calloc(1, sizeof(*doc));
	if (!doc)
		return -ENOMEM;
	static char root[] = "";
	struct parser ps = { .p = text, .end = text + len, .name = name, .line = 1, .err = err,
			     .doc = doc, .table = root };
	int r = 0;
	while (r >= 0) {
		r = skip_ws_nl(&ps);
		if (r < 0 || at_end(&ps))
			break;
		r = peek(&ps) == '[' ? parse_header(&ps) : parse_keyval(&ps);
	}
	if (r < 0) {
		toml_free(doc);
		if (r == -ENOMEM)
			tdv_error_set(err, r, "%s: out of memory", name);
		return r;
	}
	*ret = doc;
	return 0;
}

void toml_free(struct toml_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n_entries; i++) {
		free(doc->entries[i].table);
		free(doc->entries[i].key);
		value_done(&doc->entries[i].value);
	}
	free(doc->entries);
	for (size_t i = 0; i < doc->n_tables; i++)
		free(doc->tables[i]);
	free(doc->tables);
	free(doc);
}

const struct toml_value *toml_get(const struct toml_doc *doc, const char *table, const char *key)
{
	for (size_t i = 0; i < doc->n_entries; i++)
		if (strcmp(doc->entries[i].table, table) == 0 && strcmp(doc->entries[i].key, key) == 0)
			return &doc->entries[i].value;
	return NULL;
}

bool toml_has_table(const struct toml_doc *doc, const char *table)
{
	return table_taken(doc, table);
}

char *toml_quote(const char *value)
{
	struct buf b = { 0 };
	int r = buf_put(&b, "\"", 1);
	for (const char *c = value; r >= 0 && *c; c++) {
		unsigned char u = (unsigned char)*c;
		char esc[8];
		if (u == '"' || u == '\\') {
			esc[0] = '\\';
			esc[1] = (char)u;
			r = buf_put(&b, esc, 2);
		} else if (u < 0x20 || u == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", u);
			r = buf_put(&b, esc, 6);
		} else
			r = buf_put(&b, c, 1);
	}
	if (r >= 0)
		r = buf_put(&b, "\"", 1);
	if (r < 0) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
