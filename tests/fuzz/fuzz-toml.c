/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the TOML subset reader and Kata's cmdline assembly on arbitrary bytes. */
#include "host/kata-config.h"
#include "host/toml.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const struct toml_value *v)
{
	if (v->type == TOML_STRING && !v->string)
		abort();
	if (v->type != TOML_ARRAY && v->n_items)
		abort();
	for (size_t i = 0; i < v->n_items; i++)
		check_value(&v->items[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_doc *d = NULL;
	struct tdv_error err = { 0 };
	int r = toml_parse((const char *)data, size, "fuzz", &d, &err);
	if (r < 0) {
		/* A rejection always says something and returns nothing. */
		if (d || err.msg[0] == '\0')
			abort();
		return 0;
	}
	for (size_t i = 0; i < d->n_entries; i++)
		check_value(&d->entries[i].value);
	struct kata_boot b = { 0 };
	struct kata_cmdline_opts o = { .nr_cpus = 1 };
	r = kata_cmdline_from_toml(d, "fuzz", &o, &b, &err);
	if (r >= 0 && (!b.cmdline || !b.image_path))
		abort();
	if (r < 0 && (b.cmdline || err.msg[0] == '\0'))
		abort();
	kata_boot_done(&b);
	toml_free(d);
	return 0;
}
