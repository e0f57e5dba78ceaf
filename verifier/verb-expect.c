/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-verify expect: every event an honest QEMU direct boot with TDVF/OVMF measures,
 * and the RTMR1..3 (and vTPM PCR) values they give.  See lib/host/expected.h.
 */
#include "verifier/verbs.h"

#include "core/measure.h"
#include "core/util.h"
#include "host/refvalues.h"
#include "verifier/expect-inputs.h"

#include <getopt.h>
#include <inttypes.h>

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static void help(FILE *f)
{
	fprintf(f, "Usage: tdverity-verify expect --kernel FILE --initrd FILE [--cmdline FILE]\n"
		   "         [--manifest FILE] [--firmware-profile P]\n"
		   "         [--qemu-kernel-patch --memory SIZE [--machine pc|q35]]\n"
		   "         [--firmware FILE [--qemu-version X.Y] [--memory SIZE] [--acpi-tables FILE\n"
		   "          --acpi-rsdp FILE --acpi-loader FILE]] [--json]\n\n"
		   "Print the events QEMU direct boot with TDVF/OVMF measures (kernel Authenticode,\n"
		   "EFI actions, separator, LoadOptions, initrd, the tdverity rootfs event; with\n"
		   "--firmware the RTMR0 events: TD HOB, CFV, Secure Boot variables, separator, ACPI\n"
		   "data, boot variables) and the MRTD, RTMR0..3 and vTPM PCR values they give.\n\n"
		   EXPECT_OPTIONS_HELP
		   "  --json                   machine-readable output (format in README.md)\n\n"
		   "Exit status: 0 done, 2 usage error, 3 bad input or I/O error.\n");
}

static void print_table(const struct expect_state *s, const struct expected_event *ev, size_t n)
{
	const struct expected_inputs *in = &s->in;
	printf("firmware profile: %s\n", firmware_profile_name(in->profile));
	if (in->qemu_patch)
		printf("QEMU kernel header patch: -m %" PRIu64 " bytes, machine %s\n",
		       in->qemu_patch->memory_size, qemu_machine_name(in->qemu_patch->machine));
	else
		printf("QEMU kernel header patch: off\n");
	if (in->cmdline) {
		_cleanup_free_ char *opts = NULL;
		if (expected_load_options(in->profile, in->cmdline, in->initrd_path, &opts) == 0)
			printf("load options: \"%s\"\n", opts);
	}
	if (in->firmware) {
		printf("firmware: %zu TDVF sections", in->firmware->n_sections);
		for (size_t i = 0; i < in->firmware->n_sections; i++)
			printf("%s%s", i ? ", " : " (",
			       tdvf_section_type_name(in->firmware->sections[i].type));
		printf(")\nSecure Boot support: %s\n", secure_boot_support_name(in->secure_boot));
		if (in->memory_size)
			printf("TD memory (-m): %" PRIu64 " bytes\n", in->memory_size);
	}
	printf("\n  # RTMR PCR  %-32s %-38s SHA-384 / SHA-256\n", "type", "event");
	for (size_t i = 0; i < n; i++) {
		char h384[2 * SHA384_SIZE + 1], h256[2 * SHA256_SIZE + 1], pcr[4] = "  -";
		if (ev[i].pcr != EXPECTED_PCR_NONE)
			snprintf(pcr, sizeof(pcr), "%3u", ev[i].pcr);
		if (ev[i].unknown) {
			printf("%3zu %4u %s  %-32s %-38s (not determined by these inputs)\n", i,
			       ev[i].rtmr, pcr, expected_event_type_name(ev[i].type),
			       ev[i].description);
			continue;
		}
		hex_encode(ev[i].digests[HASH_SHA384], SHA384_SIZE, h384);
		hex_encode(ev[i].digests[HASH_SHA256], SHA256_SIZE, h256);
		printf("%3zu %4u %s  %-32s %-38s %s\n%*s%s\n", i, ev[i].rtmr, pcr,
		       expected_event_type_name(ev[i].type), ev[i].description, h384, 85, "", h256);
	}
}

static int print_registers(const char *json)
{
	/* The register values are computed once, in the JSON document; print from it so the
	 * table and --json can never disagree. */
	json_object *doc = json_tokener_parse(json);
	if (!doc)
		return -ENOMEM;
	json_object *rtmr, *pcr, *mrtd, *fw, *v;
	printf("\n");
	if (json_object_object_get_ex(doc, "mrtd", &mrtd) &&
	    json_object_object_get_ex(doc, "firmware", &fw) && fw) {
		printf("mrtd  = %s\n", mrtd ? json_object_get_string(mrtd)
					    : "(give --qemu-version: the page order)");
		if (json_object_object_get_ex(fw, "mrtd_qemu9", &v))
			printf("        QEMU >= 9 (interleaved): %s\n", json_object_get_string(v));
		if (json_object_object_get_ex(fw, "mrtd_qemu8", &v))
			printf("        QEMU 8 (pages first):    %s\n", json_object_get_string(v));
	}
	if (json_object_object_get_ex(doc, "rtmr", &rtmr)) {
		json_object_object_foreach(rtmr, name, value) {
			printf("%-5s = %s\n", name, json_object_is_type(value, json_type_null)
							  ? "(not determined by these inputs)"
							  : json_object_get_string(value));
		}
	}
	if (json_object_object_get_ex(doc, "pcr", &pcr)) {
		json_object_object_foreach(pcr, bank, values) {
			json_object_object_foreach(values, idx, pcr_value) {
				printf("PCR %-2s %s = %s\n", idx, bank,
				       json_object_get_string(pcr_value));
			}
		}
	}
	json_object_put(doc);
	return 0;
}

int verb_expect(int argc, char **argv)
{
	static const struct option options[] = {
		EXPECT_LONG_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct expect_args a = { 0 };
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		if (expect_args_take(&a, c, optarg))
			continue;
		switch (c) {
		case 'j': json = true; break;
		case 'h': help(stdout); return VERIFY_OK;
		default: help(stderr); return VERIFY_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tdverity-verify: expect: unexpected argument '%s'\n", argv[optind]);
		return VERIFY_USAGE;
	}
	if (!a.kernel && !a.initrd && !a.cmdline_file && !a.kata_config && !a.manifest &&
	    !a.firmware) {
		fprintf(stderr, "tdverity-verify: expect: nothing to predict: give --kernel, "
				"--initrd, --cmdline, --manifest and/or --firmware\n");
		return VERIFY_USAGE;
	}

	struct expect_state s;
	int rc = expect_state_load("expect", &a, &s);
	if (rc != VERIFY_OK) {
		expect_state_done(&s);
		return rc;
	}

	struct tdv_error err = { { 0 } };
	_cleanup_free_ struct expected_event *events = NULL;
	_cleanup_free_ char *doc = NULL;
	size_t n = 0;
	int r = expected_events_compute(&s.in, &events, &n, &err);
	if (r == 0) {
		struct expected_context ctx = { .inputs = &s.in, .events = events, .n_events = n };
		r = expected_json_build(&ctx, &doc);
		if (r < 0)
			snprintf(err.msg, sizeof(err.msg), "building the output: %s", strerror(-r));
	}
	if (r == 0) {
		if (json)
			printf("%s\n", doc);
		else {
			print_table(&s, events, n);
			r = print_registers(doc);
		}
	}
	expect_state_done(&s);
	if (r < 0) {
		fprintf(stderr, "tdverity-verify: expect: %s\n", err.msg[0] ? err.msg : strerror(-r));
		return VERIFY_BAD_INPUT;
	}
	return VERIFY_OK; /* main() checks that stdout was written */
}
