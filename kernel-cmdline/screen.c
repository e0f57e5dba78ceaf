/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The screening rules: which parameters a command line may carry besides the builder's
 * own verity set.  One table for the builder (--extra-cmdline) and the verifier (a line
 * as booted).
 */
#include "kernel-cmdline/cmdline.h"

#include "core/digest.h"
#include "core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct cmdline_rule rules[] = {
	/* Threat: a second copy of the verity parameters, or systemd's own spellings, that
	 * some reader (systemd-veritysetup-generator, a later /init) might prefer over the
	 * builder's: only the builder sets them. */
	{ "roothash", false, "sets a verity parameter (roothash, systemd.verity*, tdverity.*) "
			     "that only the builder may set" },
	{ "tdverity.", true, "sets a verity parameter (roothash, systemd.verity*, tdverity.*) "
			     "that only the builder may set" },
	{ "systemd.verity", true, "sets a verity parameter (roothash, systemd.verity*, "
				  "tdverity.*) that only the builder may set" },
	{ "rd.systemd.verity", true, "sets a verity parameter (roothash, systemd.verity*, "
				     "tdverity.*) that only the builder may set" },
	/* Threat: a measured but wrong cmdline that makes the kernel skip /init (rdinit=,
	 * noinitrd) or mount some other root (root=, dm_mod.create=), so the verified root is
	 * never set up.  Attestation would catch it; the builder refuses to write it at all. */
	{ "init", false, "redirects the boot (init, rdinit, root, noinitrd, dm-mod.create), "
			 "which would bypass the verified root" },
	{ "rdinit", false, "redirects the boot (init, rdinit, root, noinitrd, dm-mod.create), "
			   "which would bypass the verified root" },
	{ "root", false, "redirects the boot (init, rdinit, root, noinitrd, dm-mod.create), "
			 "which would bypass the verified root" },
	{ "noinitrd", false, "redirects the boot (init, rdinit, root, noinitrd, dm-mod.create), "
			     "which would bypass the verified root" },
	{ "dm_mod.create", false, "redirects the boot (init, rdinit, root, noinitrd, "
				  "dm-mod.create), which would bypass the verified root" },
	/* Threat: a systemd initrd (or systemd in the real root, which runs the veritysetup
	 * generator too) acting on its own verity and boot keys: another root hash for /usr,
	 * verity switched off, a shell before the root is set up (rd.break, rd.shell). */
	{ "rd.", true, "is a key a systemd initrd acts on (rd.*, usrhash, systemd.verity*), "
		       "which could set up another root or stop before the verified one" },
	{ "usrhash", false, "is a key a systemd initrd acts on (rd.*, usrhash, systemd.verity*), "
			    "which could set up another root or stop before the verified one" },
	/* Threat: the init of the verified root started into a rescue shell on the console
	 * (systemd's and sysvinit's runlevel words and targets): a root shell with a
	 * byte-identical RTMR3. */
	{ "emergency", false, "starts init into a rescue shell (emergency, rescue, single, s, "
			      "S, 1, -b, systemd.debug_shell)" },
	{ "rescue", false, "starts init into a rescue shell (emergency, rescue, single, s, S, "
			   "1, -b, systemd.debug_shell)" },
	{ "single", false, "starts init into a rescue shell (emergency, rescue, single, s, S, "
			   "1, -b, systemd.debug_shell)" },
	{ "s", false, "starts init into a rescue shell (emergency, rescue, single, s, S, 1, -b, "
		      "systemd.debug_shell)" },
	{ "S", false, "starts init into a rescue shell (emergency, rescue, single, s, S, 1, -b, "
		      "systemd.debug_shell)" },
	{ "1", false, "starts init into a rescue shell (emergency, rescue, single, s, S, 1, -b, "
		      "systemd.debug_shell)" },
	{ "-b", false, "starts init into a rescue shell (emergency, rescue, single, s, S, 1, -b, "
		       "systemd.debug_shell)" },
	{ "systemd.debug_shell", false, "starts init into a rescue shell (emergency, rescue, "
					"single, s, S, 1, -b, systemd.debug_shell)" },
	/* Threat: `rw` undoes the builder's `ro` (the builder always writes it): systemd in
	 * the root then remounts / read-write, which a verity root refuses, and the agent's
	 * target fails; a root that claims to be writable is never the measured one. */
	{ "rw", false, "asks for a writable root (rw), which a dm-verity root never is" },
	/* Threat: the kernel debugger on a serial line the host owns: read and write guest
	 * memory after the measurements. */
	{ "kgdb", true, "enables the kernel debugger (kgdb*, ekgdboc) on a line the host owns" },
	{ "ekgdboc", false, "enables the kernel debugger (kgdb*, ekgdboc) on a line the host "
				"owns" },
};

const struct cmdline_rule *cmdline_rules(size_t *ret_n)
{
	*ret_n = ELEMENTSOF(rules);
	return rules;
}

/* The kernel's spelling: '-' and '_' are the same character (cmdline_key_equal()). */
static void normalise_key(const char *key, char out[128])
{
	snprintf(out, 128, "%s", key);
	for (char *p = out; *p; p++)
		if (*p == '-')
			*p = '_';
}

static const struct cmdline_rule *rule_for(const char *key)
{
	char norm[128], rule_key[128];
	normalise_key(key, norm);
	for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
		normalise_key(rules[i].key, rule_key);
		if (rules[i].prefix ? startswith(norm, rule_key, NULL) : strcmp(norm, rule_key) == 0)
			return &rules[i];
	}
	return NULL;
}

int cmdline_screen(const struct cmdline *c, enum cmdline_scope scope, const char **ret_err)
{
	if (!c)
		return -EINVAL;
	for (size_t i = 0; i < c->n_params; i++) {
		const char *k = c->params[i].key;
		/* In a whole line the builder's own set is verity_cmdline_parse()'s to judge
		 * (once each, known keys only). */
		if (scope == CMDLINE_SCOPE_BOOTED && verity_cmdline_owns_key(k))
			continue;
		const struct cmdline_rule *rule = rule_for(k);
		if (rule) {
			if (ret_err)
				*ret_err = rule->why;
			return -EINVAL;
		}
	}
	return 0;
}

int cmdline_check_extra(const char *extra, const char **ret_err)
{
	if (!extra)
		return 0;
	for (const char *s = extra; *s; s++)
		if (*s < ' ' || *s > '~') {
			if (ret_err)
				*ret_err = "holds a character that is not printable ASCII";
			return -EINVAL;
		}

	struct cmdline *c = NULL;
	if (cmdline_parse(extra, &c) < 0) {
		if (ret_err)
			*ret_err = "has an unterminated quote";
		return -EINVAL;
	}
	int r = cmdline_screen(c, CMDLINE_SCOPE_EXTRA, ret_err);
	cmdline_free(c);
	return r;
}

/* UTF-16 units of a UTF-8 string (4-byte sequences are surrogate pairs); SIZE_MAX when it
 * is not UTF-8 at all (the firmware's conversion then says nothing we can predict). */
static size_t utf16_units(const char *text)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p;) {
		size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
			   : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (len == 0)
			return SIZE_MAX;
		for (size_t i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				return SIZE_MAX;
		n += len == 4 ? 2 : 1;
		p += len;
	}
	return n;
}

static int refuse(char *why, size_t n, const char *fmt, ...) _printf_(3, 4);
static int refuse(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Keys the kernel may see more than once by design (each console= adds a console). */
static bool repeatable(const char *key)
{
	return cmdline_key_equal(key, "console");
}

static int screen_verity_set(const struct cmdline *c, const struct cmdline_line_policy *p,
			     char *why, size_t n)
{
	struct verity_cmdline v, ref;
	const char *err = "";
	if (verity_cmdline_parse(c, &v, &err) < 0)
		return refuse(why, n, "%s", err);
	/* Threat: an unmeasured boot verifies nothing, whatever it mounts. */
	if (v.measure == MEASURE_NONE && !p->allow_unmeasured)
		return refuse(why, n, "tdverity.measure=none: the boot would measure nothing "
				      "(allow it explicitly if that is what you mean)");
	if (!p->reference)
		return 0;
	if (verity_cmdline_parse(p->reference, &ref, &err) < 0)
		return refuse(why, n, "the reference line: %s", err);
	/* Threat: a line that sets up another volume, or execs another program from the
	 * verified one (tdverity.init=/bin/sh), than the build the verdict is about. */
	if (strcmp(v.init, ref.init) != 0)
		return refuse(why, n, "tdverity.init=%s is not the build's (%s)", v.init, ref.init);
	size_t hl = hash_alg_size(v.root.params.alg);
	if (v.root.params.alg != ref.root.params.alg ||
	    !digest_equal(v.root.root_hash, ref.root.root_hash, hl))
		return refuse(why, n, "roothash= differs from the build's");
	if (v.root.params.data_block_size != ref.root.params.data_block_size ||
	    v.root.params.hash_block_size != ref.root.params.hash_block_size ||
	    v.root.params.data_blocks != ref.root.params.data_blocks ||
	    v.root.params.salt_size != ref.root.params.salt_size ||
	    memcmp(v.root.params.salt, ref.root.params.salt, v.root.params.salt_size) != 0 ||
	    v.root.params.hash_offset != ref.root.params.hash_offset ||
	    v.root.params.superblock != ref.root.params.superblock ||
	    strcmp(v.data_device, ref.data_device) != 0 ||
	    strcmp(v.hash_device, ref.hash_device) != 0 || v.on_corruption != ref.on_corruption)
		return refuse(why, n, "systemd.verity_root_* differ from the build's");
	bool measure_ok = v.measure == ref.measure ||
			  (v.measure == MEASURE_NONE && p->allow_unmeasured);
	if (!measure_ok || v.rtmr != ref.rtmr || v.pcr != ref.pcr ||
	    v.timeout_sec != ref.timeout_sec)
		return refuse(why, n, "tdverity.measure/.rtmr/.pcr/.timeout differ from the build's");
	return 0;
}

int cmdline_screen_line(const char *text, const struct cmdline_line_policy *p, char *why,
			size_t why_size)
{
	/* Threat: the EFI stub converts the line up to the first newline only, so what the
	 * firmware measured and what the kernel runs part ways; other control characters are
	 * no part of a line tdverity writes. */
	for (const char *s = text; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return refuse(why, why_size, "holds a control character (0x%02x at byte %zu): "
				      "the EFI stub stops at a newline", (unsigned char)*s,
				      (size_t)(s - text));
	/* Threat: a line the stub or the kernel cuts: the tail (a tdverity.* key, "--") is
	 * measured but never seen, or the other way round. */
	size_t extra = p->has_initrd ? strlen(" " CMDLINE_FIRMWARE_INITRD) : 0;
	size_t units = utf16_units(text);
	if (units == SIZE_MAX)
		return refuse(why, why_size, "is not UTF-8");
	if (units + extra > CMDLINE_MAX_LEN || strlen(text) + extra > CMDLINE_MAX_LEN)
		return refuse(why, why_size, "%zu UTF-16 units%s: the EFI stub and the kernel keep "
			      "%u at most", units + extra, extra ? " with initrd=initrd" : "",
			      CMDLINE_MAX_LEN);
	if (p->generic)
		return 0;
	struct cmdline *c = NULL;
	if (cmdline_parse(text, &c) < 0)
		return refuse(why, why_size, "has an unterminated quote");
	int r = 0;
	const char *err = NULL;
	/* Threat: words after "--" go to init as its argv (a shell's -c, a runlevel). */
	if (c->n_init_args > 0)
		r = refuse(why, why_size, "passes words after \"--\" to init (%s ...)",
			   c->init_args[0]);
	/* Threat: two values for one key, read differently by the kernel (last wins), /init
	 * (refuses) and systemd (first or last, per key). */
	for (size_t i = 0; r == 0 && i < c->n_params; i++)
		if (!repeatable(c->params[i].key) && cmdline_count(c, c->params[i].key) > 1)
			r = refuse(why, why_size, "%s= is given more than once", c->params[i].key);
	if (r == 0 && cmdline_screen(c, CMDLINE_SCOPE_BOOTED, &err) < 0)
		r = refuse(why, why_size, "%s", err);
	/* systemd.unit= only as the build's own line sets it (a template's target). */
	if (r == 0 && cmdline_count(c, "systemd.unit") > 0) {
		const char *want = p->reference ? cmdline_get_unique(p->reference, "systemd.unit")
						: NULL;
		const char *got = cmdline_get_unique(c, "systemd.unit");
		if (!want || !got || strcmp(want, got) != 0)
			r = refuse(why, why_size, "systemd.unit=%s is not the build's target",
				   got ? got : "");
	}
	if (r == 0)
		r = screen_verity_set(c, p, why, why_size);
	cmdline_free(c);
	return r;
}
