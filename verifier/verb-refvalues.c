/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-verify refvalues: reference values for Trustee's RVPS (sample format) and the
 * plain list of expected events.  Format: lib/host/refvalues.h and README.md.
 */
#include "verifier/verbs.h"

#include "core/util.h"
#include "host/refvalues.h"
#include "verifier/expect-inputs.h"
#include "verifier/trustee-files.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f, "Usage: tdverity-verify refvalues --manifest FILE [--kernel FILE --initrd FILE\n"
		   "         --cmdline FILE] [--mrtd HEX | --firmware FILE --qemu-version X.Y]\n"
		   "         [--memory SIZE --acpi-tables F --acpi-rsdp F --acpi-loader F]\n"
		   "         [--firmware-profile P]\n"
		   "         [--qemu-kernel-patch --memory SIZE [--machine pc|q35]] [--rvps-sample]\n\n"
		   "Print reference values for Trustee's RVPS (sample format: mr_td, [rtmr_0,] rtmr_1, rtmr_2,\n"
		   "rtmr_3, tdvfkernel, tdvfkernelparams) with every expected event.  A value the\n"
		   "inputs do not determine is left out and named under \"omitted\".\n\n"
		   EXPECT_OPTIONS_HELP
		   "  --mrtd HEX               the TD firmware measurement (96 hex digits)\n"
		   "  --rvps-sample            print only the RVPS sample object\n"
		   "  --trustee DIR            write Trustee's files into DIR (new or empty):\n"
		   "                           rvps-message.json, rvps-sample.json, omitted.json,\n"
		   "                           tdverity-rootfs.rego (README: Use with Kata and Trustee)\n"
		   "  --xfam HEX               with --trustee: the TD's XFAM (16 hex digits)\n\n"
		   "Exit status: 0 done, 2 usage error, 3 bad input or I/O error.\n");
}

int verb_refvalues(int argc, char **argv)
{
	static const struct option options[] = {
		EXPECT_LONG_OPTIONS,
		{ "mrtd", required_argument, NULL, 'm' },
		{ "rvps-sample", no_argument, NULL, 's' },
		{ "trustee", required_argument, NULL, 't' },
		{ "xfam", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct expect_args a = { 0 };
	const char *mrtd_hex = NULL, *trustee_dir = NULL, *xfam_hex = NULL;
	bool sample_only = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		if (expect_args_take(&a, c, optarg))
			continue;
		switch (c) {
		case 'm': mrtd_hex = optarg; break;
		case 's': sample_only = true; break;
		case 't': trustee_dir = optarg; break;
		case 'x': xfam_hex = optarg; break;
		case 'h': help(stdout); return VERIFY_OK;
		default: help(stderr); return VERIFY_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tdverity-verify: refvalues: unexpected argument '%s'\n",
			argv[optind]);
		return VERIFY_USAGE;
	}
	if (!a.manifest) {
		fprintf(stderr, "tdverity-verify: refvalues: --manifest is required\n");
		return VERIFY_USAGE;
	}
	/* One source per value: a given MRTD and one computed from a firmware could differ. */
	if (mrtd_hex && a.firmware) {
		fprintf(stderr, "tdverity-verify: refvalues: give --mrtd or --firmware, not both\n");
		return VERIFY_USAGE;
	}
	uint8_t xfam[8];
	if (xfam_hex && !trustee_dir) {
		fprintf(stderr, "tdverity-verify: refvalues: --xfam goes with --trustee\n");
		return VERIFY_USAGE;
	}
	if (trustee_dir && sample_only) {
		fprintf(stderr, "tdverity-verify: refvalues: --trustee and --rvps-sample exclude "
				"each other\n");
		return VERIFY_USAGE;
	}
	if (xfam_hex && hex_decode_exact(xfam_hex, xfam, sizeof(xfam)) < 0) {
		fprintf(stderr, "tdverity-verify: refvalues: --xfam must be 16 hex digits (the "
				"quote's XFAM bytes)\n");
		return VERIFY_USAGE;
	}
	uint8_t mrtd[SHA384_SIZE];
	if (mrtd_hex && hex_decode_exact(mrtd_hex, mrtd, sizeof(mrtd)) < 0) {
		fprintf(stderr, "tdverity-verify: refvalues: --mrtd must be 96 hex digits\n");
		return VERIFY_USAGE;
	}

	struct expect_state s;
	int rc = expect_state_load("refvalues", &a, &s);
	if (rc != VERIFY_OK) {
		expect_state_done(&s);
		return rc;
	}
	struct refvalues_inputs in = { .expected = s.in, .mrtd = mrtd_hex ? mrtd : NULL };
	/* Without the initrd it is unknown whether the firmware adds initrd=initrd: leave the
	 * LoadOptions event out rather than predict a boot without an initrd. */
	if (!a.initrd && !s.in.no_initrd)
		in.expected.cmdline = NULL;
	struct tdv_error err = { { 0 } };
	_cleanup_free_ char *doc = NULL;
	int r = refvalues_build_json(&in, sample_only, &doc, &err);
	if (r >= 0 && trustee_dir) {
		struct trustee_sample_inputs t = { .refvalues_doc = doc, .root = &s.manifest.root,
						   .xfam = xfam_hex ? xfam : NULL };
		r = trustee_files_write(trustee_dir, &t, &err);
		if (r >= 0)
			printf("wrote %s/rvps-message.json, rvps-sample.json, omitted.json, "
			       "tdverity-rootfs.rego\n", trustee_dir);
		expect_state_done(&s);
		if (r < 0) {
			fprintf(stderr, "tdverity-verify: refvalues: %s\n", err.msg);
			return r == -ENOMEM ? VERIFY_IO : VERIFY_BAD_INPUT;
		}
		return VERIFY_OK;
	}
	expect_state_done(&s);
	if (r < 0) {
		fprintf(stderr, "tdverity-verify: refvalues: %s\n",
			err.msg[0] ? err.msg : strerror(-r));
		return VERIFY_BAD_INPUT;
	}
	printf("%s\n", doc);
	return VERIFY_OK; /* main() checks that stdout was written */
}
