/* SPDX-License-Identifier: Apache-2.0 */
/* tdverity-verify: the auditor's offline verifier.  Dispatches to verifier/verb-*.c. */
#include "verifier/verbs.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "expect", verb_expect, "recompute the RTMR (and vTPM PCR) values of an honest boot" },
	{ "replay", verb_replay, "parse and replay a CCEL / TCG2 event log" },
	{ "quote", verb_quote, "parse a TDX quote (v4/v5) and check its signatures" },
	{ "check", verb_check, "hold a quote and event log against the expected values" },
	{ "image", verb_image, "verify a disk image's dm-verity tree and root hash" },
	{ "refvalues", verb_refvalues, "emit reference values (Trustee RVPS) for a build" },
	{ "kata-cmdline", verb_kata_cmdline, "print the kernel cmdline Kata's runtime builds" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: tdverity-verify COMMAND [OPTIONS...]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\nRun 'tdverity-verify COMMAND --help' for a command's options.\n"
		   "\nExit status: 0 verified, 1 mismatch or partial, 2 usage error, 3 bad input,\n"
		   "4 I/O error (writing the output failed).\n");
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return VERIFY_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return VERIFY_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("tdverity-verify %s\n", TDV_VERSION);
		return VERIFY_OK;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "tdverity-verify: unknown command '%s' (try --help)\n", argv[1]);
	return VERIFY_USAGE;
}

int main(int argc, char **argv)
{
	int r = run(argc, argv);
	/* A verdict nobody could read is no verdict: a failed write to stdout or stderr is
	 * exit 4, whatever the command decided (checked here, once, for every command). */
	if (stdio_close_check() < 0) {
		fprintf(stderr, "tdverity-verify: writing the output failed\n");
		return VERIFY_IO;
	}
	return r;
}
