/* SPDX-License-Identifier: Apache-2.0 */
/* tdverity-verify's subcommands: one file each (verifier/verb-<name>.c). */
#pragma once

/* The exit codes (DESIGN.md decision 6); documented in README.md and --help. */
enum verify_exit {
	VERIFY_OK = 0,	     /* verified / success */
	VERIFY_MISMATCH = 1, /* something did not match: never "verified" */
	VERIFY_USAGE = 2,    /* bad command line */
	VERIFY_BAD_INPUT = 3 /* unreadable or malformed input, I/O error */
};

/* Each verb gets argv with argv[0] = the verb name and returns an enum verify_exit. */
int verb_expect(int argc, char **argv);
int verb_replay(int argc, char **argv);
int verb_quote(int argc, char **argv);
int verb_check(int argc, char **argv);
int verb_image(int argc, char **argv);
int verb_refvalues(int argc, char **argv);
int verb_kata_cmdline(int argc, char **argv);
