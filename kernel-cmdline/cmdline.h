/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel command line: the bytes firmware measures.  Parse it exactly as the kernel
 * does (lib/cmdline.c next_arg(): whitespace separates words, double quotes group, the
 * quotes are stripped, "--" ends the kernel's parameters), and build the verity part the
 * builder writes and /init reads.  Part of the core: links into the static /init.
 *
 * Owned by kernel-cmdline/cmdline.c (parse/build) and kernel-cmdline/verity-args.c.
 */
#pragma once

#include "core/verity.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmdline_param {
	char *key;   /* before the first '=', quotes removed */
	char *value; /* after the first '=', quotes removed; NULL when there was no '=' */
};

struct cmdline {
	struct cmdline_param *params;
	size_t n_params;
	/* Words after a "--" (they go to init, not to the kernel). */
	char **init_args;
	size_t n_init_args;
};

/* Parse as the kernel does.  -EINVAL on an unterminated quote. */
int cmdline_parse(const char *text, struct cmdline **ret);
void cmdline_free(struct cmdline *c);

/* Number of parameters with this key; the value of the only one (NULL if 0 or >1). */
size_t cmdline_count(const struct cmdline *c, const char *key);
const char *cmdline_get_unique(const struct cmdline *c, const char *key);

/*
 * Append "key=value" to a growing cmdline string, quoting the value when it holds spaces
 * (a value holding a '"' cannot be expressed on a kernel cmdline: -EINVAL).
 */
int cmdline_append(char **text, const char *key, const char *value);

/* ---- The verity parameters (DESIGN.md decision 3) -------------------------------------
 *
 *   roothash=<hex>
 *   systemd.verity_root_data=<selector>            PARTUUID=<uuid> | /dev/<name>
 *   systemd.verity_root_hash=<selector>
 *   systemd.verity_root_options=hash=<alg>,salt=<hex>,data-block-size=<n>,
 *       hash-block-size=<n>,data-blocks=<n>,hash-offset=<n>,superblock=<true|false>,
 *       [uuid=<uuid>,]panic-on-corruption|restart-on-corruption
 *   tdverity.measure=auto|tdx|tpm|none     (auto: TDX, else TPM, else refuse to boot)
 *   tdverity.rtmr=2|3                      (default 3)
 *   tdverity.pcr=<0..23>                   (default 15)
 *   tdverity.init=<absolute path>          (default /sbin/init)
 *   tdverity.timeout=<seconds>             (device wait; default 10)
 */
enum verity_corruption_action {
	VERITY_ON_CORRUPTION_PANIC,
	VERITY_ON_CORRUPTION_RESTART,
};

enum measure_backend {
	MEASURE_AUTO,
	MEASURE_TDX,
	MEASURE_TPM,
	MEASURE_NONE,
};

#define VERITY_SELECTOR_MAX 128

struct verity_cmdline {
	struct verity_params verity; /* alg, sizes, data_blocks, salt, hash_offset, superblock */
	uint8_t root_hash[DIGEST_MAX_SIZE];
	size_t root_hash_len;
	char data_device[VERITY_SELECTOR_MAX];
	char hash_device[VERITY_SELECTOR_MAX];
	enum verity_corruption_action on_corruption;
	enum measure_backend measure;
	unsigned rtmr;
	unsigned pcr;
	char init[256];
	unsigned timeout_sec;
};

/* Defaults for the optional parts (measure auto, rtmr 3, pcr 15, /sbin/init, 10 s). */
void verity_cmdline_init(struct verity_cmdline *v);

/* Build the parameters above (space separated, no trailing space).  Caller frees. */
int verity_cmdline_build(const struct verity_cmdline *v, char **ret_text);

/*
 * Extract and validate them from a parsed cmdline.  Fails closed: a missing, duplicated
 * or malformed parameter, an unknown option or a root hash whose length does not fit the
 * algorithm is an error.  ret_err (optional) receives a static string naming the
 * offending parameter and the problem, for /init's one failure line.
 */
int verity_cmdline_parse(const struct cmdline *c, struct verity_cmdline *ret,
			 const char **ret_err);
