/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A strict TOML (v1.0) subset reader: enough for Kata Containers' configuration files
 * (configuration-qemu-tdx.toml and friends), nothing lenient.  Debian 12 ships no C TOML
 * library, so this is ours; what it does not support it refuses with "FILE:LINE: why",
 * never skips - a configuration whose meaning we cannot read cannot be used to predict
 * a measured command line.
 *
 * Supported: comments (#), [table] and [dotted.table] headers (bare or "quoted" keys),
 * `key = value` with bare or "quoted" keys, values: basic strings "..." (escapes \b \t \n
 * \f \r \" \\ \uXXXX \UXXXXXXXX), literal strings '...', integers (decimal with optional
 * sign and '_' between digits, 0x / 0o / 0b), floats (decimal, optional exponent), true /
 * false, arrays of those (nested too, over several lines, comments and a trailing comma
 * allowed).
 * Refused: multi-line strings, inline tables, arrays of tables ([[x]]), dotted keys
 * (a.b = 1), dates and times, inf/nan, a key set twice, a table header given twice,
 * a table that is also a key, invalid UTF-8, NUL and other control characters.
 *
 * Owned by lib/host/toml.c.
 */
#pragma once

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOML_MAX_SIZE (1u << 20) /* documents larger than this are refused */
#define TOML_MAX_DEPTH 16	 /* nesting of arrays */

enum toml_type { TOML_STRING, TOML_INTEGER, TOML_FLOAT, TOML_BOOL, TOML_ARRAY };

struct toml_value {
	enum toml_type type;
	unsigned line;	  /* where the value starts (1-based) */
	char *string;	  /* TOML_STRING: UTF-8, NUL-free */
	int64_t integer;  /* TOML_INTEGER */
	double number;	  /* TOML_FLOAT */
	bool boolean;	  /* TOML_BOOL */
	struct toml_value *items; /* TOML_ARRAY */
	size_t n_items;
};

struct toml_entry {
	char *table; /* "" for the root table, else "a.b" (the header's keys joined by '.') */
	char *key;
	struct toml_value value;
};

struct toml_doc {
	struct toml_entry *entries; /* in file order */
	size_t n_entries;
	char **tables; /* every header, in file order */
	size_t n_tables;
};

/* Parse len bytes (need not be NUL-terminated); name is used in error messages.
 * -EINVAL with "name:line: why" in err on any syntax error or unsupported construct,
 * -EFBIG over TOML_MAX_SIZE, -ENOMEM.  *ret is set only on success. */
int toml_parse(const char *text, size_t len, const char *name, struct toml_doc **ret,
	       struct tdv_error *err);
void toml_free(struct toml_doc *doc);

/* The value of key in table ("" = root), NULL when absent.  Table names compare as
 * written after unquoting (no '-'/'_' folding: TOML keys are exact). */
const struct toml_value *toml_get(const struct toml_doc *doc, const char *table, const char *key);
/* true when the header [table] appears. */
bool toml_has_table(const struct toml_doc *doc, const char *table);

/* value as a TOML basic string, quotes included ("\"" and "\\" escaped, control
 * characters as \uXXXX), for files tdverity writes.  NULL on OOM. */
char *toml_quote(const char *value);
