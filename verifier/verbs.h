/* SPDX-License-Identifier: Apache-2.0 */
/* tdverity-verify's subcommands: one file each (verifier/verb-<name>.c). */
#pragma once

#include "core/exit-status.h"

/* The exit codes: the one table of core/exit-status.h, shared with tdverity-build. */
enum verify_exit {
	VERIFY_OK = TDV_EXIT_OK,		/* verified / success */
	VERIFY_MISMATCH = TDV_EXIT_NOT_VERIFIED, /* a mismatch or a PARTIAL verdict */
	VERIFY_USAGE = TDV_EXIT_USAGE,		/* bad command line */
	VERIFY_BAD_INPUT = TDV_EXIT_BAD_INPUT,	/* unreadable or malformed input */
	VERIFY_IO = TDV_EXIT_IO,		/* writing the output failed, out of memory */
};

/* Each verb gets argv with argv[0] = the verb name and returns an enum verify_exit. */
int verb_expect(int argc, char **argv);
int verb_replay(int argc, char **argv);
int verb_quote(int argc, char **argv);
int verb_check(int argc, char **argv);
int verb_image(int argc, char **argv);
int verb_refvalues(int argc, char **argv);
int verb_kata_cmdline(int argc, char **argv);
