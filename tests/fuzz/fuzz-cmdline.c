/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for kernel-cmdline: cmdline_parse() on any bytes, then the strict
 * verity reader, and two round-trip properties that must hold for every input:
 *   - each parsed parameter that cmdline_append() accepts reads back identically;
 *   - a verity set that verity_cmdline_parse() accepts rebuilds into a line that parses
 *     to the same set.
 */
#include "core/util.h"
#include "kernel-cmdline/cmdline.h"

#include <stdlib.h>
#include <string.h>

static void check_append_roundtrip(const struct cmdline_param *p)
{
	char *t = NULL;
	if (strcmp(p->key, "--") == 0 || cmdline_append(&t, p->key, p->value) < 0)
		return;
	struct cmdline *c = NULL;
	if (cmdline_parse(t, &c) < 0 || c->n_params != 1 || strcmp(c->params[0].key, p->key) ||
	    (!c->params[0].value) != (!p->value) ||
	    (p->value && strcmp(c->params[0].value, p->value)))
		abort();
	cmdline_free(c);
	free(t);
}

static void check_verity_roundtrip(const struct verity_cmdline *v)
{
	char *text = NULL;
	if (verity_cmdline_build(v, &text) < 0)
		abort(); /* whatever the reader accepts, the writer must be able to write */
	struct cmdline *c = NULL;
	struct verity_cmdline back;
	if (cmdline_parse(text, &c) < 0 || verity_cmdline_parse(c, &back, NULL) < 0)
		abort();
	if (memcmp(back.root.root_hash, v->root.root_hash, hash_alg_size(v->root.params.alg)) ||
	    back.root.params.salt_size != v->root.params.salt_size ||
	    memcmp(back.root.params.salt, v->root.params.salt, v->root.params.salt_size) ||
	    back.root.params.data_blocks != v->root.params.data_blocks ||
	    back.root.params.hash_offset != v->root.params.hash_offset ||
	    back.root.params.superblock != v->root.params.superblock || back.root.params.alg != v->root.params.alg ||
	    strcmp(back.data_device, v->data_device) || strcmp(back.init, v->init) ||
	    back.rtmr != v->rtmr || back.pcr != v->pcr || back.measure != v->measure)
		abort();
	cmdline_free(c);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	(void)cmdline_check_extra(text, NULL);
	/* The whole-line rules, with the input as its own reference: a refusal names why. */
	struct cmdline *self = NULL;
	if (cmdline_parse(text, &self) == 0) {
		char why[300] = "";
		struct cmdline_line_policy p = { .has_initrd = size & 1, .reference = self };
		if (cmdline_screen_line(text, &p, why, sizeof(why)) < 0 && !why[0])
			abort();
		cmdline_free(self);
	}
	struct cmdline *c = NULL;
	if (cmdline_parse(text, &c) == 0) {
		for (size_t i = 0; i < c->n_params; i++)
			check_append_roundtrip(&c->params[i]);
		struct verity_cmdline v;
		const char *err = NULL;
		if (verity_cmdline_parse(c, &v, &err) == 0)
			check_verity_roundtrip(&v);
		else if (!err)
			abort(); /* every refusal names its reason */
		cmdline_free(c);
	}
	free(text);
	return 0;
}
