/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel command line: the bytes firmware measures.  Parse it exactly as the kernel
 * does, and build the verity part the builder writes and /init reads.  Part of the core:
 * links into the static /init.
 *
 * The kernel's rules (lib/cmdline.c next_arg(), kernel/params.c parse_args(),
 * init/main.c), which cmdline_parse() follows to the byte:
 *   - whitespace is the kernel's isspace(): \t \n \v \f \r, space, and 0xA0 (the
 *     kernel's ctype is Latin-1); leading/trailing/repeated whitespace is skipped;
 *   - a '"' anywhere in a word toggles "in quote", where whitespace does not end the word;
 *   - key = up to the first '=' (an '=' as the very first character does not count);
 *   - a word that starts with '"' loses that quote and, if it ends with '"', that one too;
 *     a value that starts with '"' loses it and, if the word ends with '"', that one too;
 *     every other quote stays in the key/value (`a"b c"d` is the single key `a"b c"d`);
 *   - the first word "--" (also written `"--"`) without '=' ends the kernel's parameters;
 *     the words after it are init's argv (key=value re-joined), up to a second "--".
 * One deliberate difference: the kernel takes an unterminated quote to the end of the
 * line; cmdline_parse() refuses it (-EINVAL), because such a line means different things
 * to a reader and to the kernel.
 *
 * Key comparison (cmdline_count/cmdline_get_unique/cmdline_key_equal) treats '-' and '_'
 * as equal, as the kernel's parameq() and systemd's proc_cmdline_key_streq() do, so
 * `systemd.verity-root-data=` and `systemd.verity_root_data=` count as duplicates.
 *
 * Owned by kernel-cmdline/: cmdline.c (parse/build), verity-args.c (the verity set and
 * the measurement targets), screen.c (the screening rules), dm-mod-create.c (Kata's
 * dm-mod.create= line).  Nothing else in tdverity parses a command line.
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

/* Key equality as the kernel and systemd see it: '-' and '_' are the same character. */
bool cmdline_key_equal(const char *a, const char *b);

/* The kernel's isspace() (lib/ctype.c, Latin-1): \t \n \v \f \r, ' ' and 0xA0. */
bool cmdline_isspace(char c);

/* x86 COMMAND_LINE_SIZE: the kernel keeps at most 2047 bytes of the command line. */
#define CMDLINE_MAX_LEN 2047

/*
 * Append "key=value" (or just "key" when value is NULL) to a growing cmdline string
 * (*text may be NULL: a new string is started), separated by one space, quoting the value
 * when it holds whitespace.  -EINVAL for what the kernel cannot express: a value holding
 * a '"', an empty key, a key holding whitespace, '"' or '=', or a key starting with '"'.
 * On error *text is unchanged.
 */
int cmdline_append(char **text, const char *key, const char *value);

/* ---- The verity parameters ---------------------------------------------------------------
 *
 * Names and option spellings are systemd's (systemd-veritysetup-generator(8),
 * veritytab(5)), so a systemd initrd can use the same line:
 *   roothash=<hex>                                  the root hash (length = the alg's size)
 *   systemd.verity_root_data=<selector>             PARTUUID=<uuid> | /dev/<name>
 *   systemd.verity_root_hash=<selector>             (systemd: a block device path or an
 *                                                    fstab-style PARTUUID= spec)
 *   systemd.verity_root_options=hash=<alg>,salt=<hex|->,data-block-size=<n>,
 *       hash-block-size=<n>,data-blocks=<n>,hash-offset=<bytes>,superblock=<true|false>,
 *       [uuid=<uuid>,]panic-on-corruption|restart-on-corruption
 *     (veritytab(5) names; systemd understands superblock= from version 254 on, older
 *      versions log and ignore it; hash-offset is the byte offset of the hash area - the
 *      superblock when there is one - on the hash device; format=1 is accepted, every
 *      other option - ignore-corruption, check-at-most-once, fec-*, ... - is refused)
 *   tdverity.measure=auto|tdx|tpm|none     (auto: TDX, else TPM, else refuse to boot)
 *   tdverity.rtmr=2|3                      (default 3)
 *   tdverity.pcr=<8..15>                   (default 15; 0-7 are the firmware's, 16 and
 *                                           23 are resettable from locality 0)
 *   tdverity.init=<absolute path>          (default /sbin/init)
 *   tdverity.timeout=<seconds 1..3600>     (device wait; default 10)
 * verity_cmdline_build() writes every one of them, in this order, so the measured line
 * pins the whole policy, not only what differs from a default that might change.
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
#define TDVERITY_PCR_MIN 8
#define TDVERITY_PCR_MAX 15

struct verity_cmdline {
	struct verity_root root; /* parameters (alg, sizes, salt, offset, superblock) + root hash */
	char data_device[VERITY_SELECTOR_MAX];
	char hash_device[VERITY_SELECTOR_MAX];
	enum verity_corruption_action on_corruption;
	enum measure_backend measure;
	unsigned rtmr;
	unsigned pcr;
	char init[256];
	unsigned timeout_sec;
};

/* "auto", "tdx", "tpm", "none" (the tdverity.measure= values); -EINVAL otherwise. */
int measure_backend_from_name(const char *name, enum measure_backend *ret);

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

/* cmdline_parse() + verity_cmdline_parse() of a whole line (an unterminated quote too is
 * reported through ret_err). */
int verity_cmdline_parse_text(const char *text, struct verity_cmdline *ret, const char **ret_err);

/*
 * Only the optional part (tdverity.measure, .rtmr, .pcr, .init, .timeout) of a whole
 * line, read by the very code verity_cmdline_parse() uses, so the answer is /init's: the
 * defaults of verity_cmdline_init() for what is absent; -EINVAL (with *ret_err) for a
 * duplicated, malformed (tdverity.rtmr=03) or unknown tdverity.* parameter.  The verity
 * volume in *ret is left at its defaults: use verity_cmdline_parse() to read it.
 */
int verity_cmdline_measure_targets(const char *text, struct verity_cmdline *ret,
				   const char **ret_err);

/*
 * The rootfs event of a verified boot by this line (core/measure.h, version 2): its
 * volume, tdverity.init, the argv /init passes to it (verity_cmdline_init_argv()),
 * tdverity.measure and the corruption policy.  The one place that maps a cmdline to the
 * event: /init measures it, the builder records it, the verifier predicts it.  -EINVAL for
 * tdverity.measure=none (nothing is measured) or a bad volume; -ENOMEM.  Either output
 * may be NULL.
 */
int verity_cmdline_rootfs_event(const struct verity_cmdline *v, char **ret_content,
				uint8_t **ret_data, size_t *ret_len);
/* The argv /init execs tdverity.init with: { init, NULL }.  Nothing of /init's own argv
 * (the kernel's unknown bare words: "single", "emergency") is passed on. */
void verity_cmdline_init_argv(const struct verity_cmdline *v, const char *ret_argv[2]);

/* Whether key is one of the set above (roothash, systemd.verity_root_{data,hash,options},
 * tdverity.*): the parameters verity_cmdline_parse() owns. */
bool verity_cmdline_owns_key(const char *key);

/* What the firmware adds to the line it measures and hands the kernel (host/expected.h). */
#define CMDLINE_FIRMWARE_INITRD "initrd=initrd"

/*
 * The builder's whole line: verity_cmdline_build(), " ro", then extra (NULL or "": none) after
 * one space once cmdline_check_extra() accepts it.  -EINVAL with *ret_err (optional) a
 * static reason when extra is refused or the line, with the firmware's " initrd=initrd",
 * would pass CMDLINE_MAX_LEN; -ENOMEM.  Caller frees *ret_text.
 */
int verity_cmdline_build_with_extra(const struct verity_cmdline *v, const char *extra,
				    char **ret_text, const char **ret_err);

/* ---- Screening rules (kernel-cmdline/screen.c) -------------------------------------------
 *
 * Which parameters a line may carry besides the builder's verity set.  One table, applied
 * to a user's addition (tdverity-build --extra-cmdline) and to a whole line as booted
 * (tdverity-verify).  Keys compare as the kernel's ('-' equals '_').
 */
struct cmdline_rule {
	const char *key; /* a parameter name, or with prefix a name prefix ("tdverity.") */
	bool prefix;
	const char *why; /* the refusal, for the one error line */
};

enum cmdline_scope {
	/* A user's addition to the builder's line: every rule applies to every key. */
	CMDLINE_SCOPE_EXTRA,
	/* A whole line: the keys verity_cmdline_owns_key() are verity_cmdline_parse()'s to
	 * judge; every other key is held to every rule. */
	CMDLINE_SCOPE_BOOTED,
};

/* The rule table (static), for documentation and tests. */
const struct cmdline_rule *cmdline_rules(size_t *ret_n);

/* 0 when no parameter of c breaks a rule, else -EINVAL with *ret_err (optional) the
 * first broken rule's why.  Words after "--" (init's argv) are not parameters. */
int cmdline_screen(const struct cmdline *c, enum cmdline_scope scope, const char **ret_err);

/*
 * A whole tdverity line as it will be booted (tdverity-verify expect, check, refvalues;
 * the builder's own line): what /init would refuse or what weakens the boot is refused,
 * with why (what and where) in the caller's buffer:
 *   - control characters (a newline: the EFI stub stops converting there);
 *   - more than CMDLINE_MAX_LEN UTF-16 units (or bytes) with the firmware's " initrd=initrd"
 *     when has_initrd (the stub and the kernel truncate);
 *   - an unterminated quote; words after "--" (init's argv); a key given twice (console=
 *     excepted);
 *   - every rule of cmdline_rules() (CMDLINE_SCOPE_BOOTED);
 *   - a systemd.unit= other than the reference line's;
 *   - a verity set that verity_cmdline_parse() refuses, tdverity.measure=none unless
 *     allow_unmeasured, and, with a reference line (the build's), any verity parameter,
 *     tdverity.init included, that differs from the reference's.
 * 0 or -EINVAL.
 */
struct cmdline_line_policy {
	/* A line of some other boot (not tdverity's, e.g. a test initrd): only the checks
	 * that decide whether its measurement can be predicted (characters, length). */
	bool generic;
	bool has_initrd;
	bool allow_unmeasured;
	const struct cmdline *reference; /* the build's line, or NULL */
};
int cmdline_screen_line(const char *text, const struct cmdline_line_policy *p, char *why,
			size_t why_size);

/*
 * Check a user-supplied addition to the builder's cmdline (--extra-cmdline): printable
 * ASCII only, parses (no unterminated quote) and passes cmdline_screen(CMDLINE_SCOPE_EXTRA):
 * none of the parameters above, nothing that redirects the boot past the verified root.
 * 0 or -EINVAL with *ret_err (optional) a static reason.
 */
int cmdline_check_extra(const char *extra, const char **ret_err);

/*
 * Kata's spelling of the verity root for a kernel without an initrd:
 *   dm-mod.create="dm-verity,,,ro,0 <sectors> verity <table>" root=/dev/dm-0
 *   rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4
 * with core/verity.h's verity_table_format() table (no trailing newline).  data_dev and
 * hash_dev are device paths (the kernel resolves no PARTUUID= there).  -EINVAL, -ENOMEM.
 */
int cmdline_dm_mod_create_build(const struct verity_root *r, const char *data_dev,
				const char *hash_dev, char **ret_text);
/* Just the value of dm-mod.create= above, quotes included (Kata's runtime adds its own
 * root=, rootflags= and rootfstype= for the configured filesystem). */
int cmdline_dm_mod_create_value(const struct verity_root *r, const char *data_dev,
				const char *hash_dev, char **ret_value);
