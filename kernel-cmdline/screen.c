/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The screening rules: which parameters a command line may carry besides the builder's
 * own verity set.  One table for the builder (--extra-cmdline) and the verifier (a line
 * as booted).
 */
#include "kernel-cmdline/cmdline.h"

#include "core/util.h"

#include <errno.h>
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
