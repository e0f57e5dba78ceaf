/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-verify quote FILE [--root-ca PEM] [--collateral DIR] [--accept-tcb LIST]
 *                            [--at TIME] [--no-tcb-check] [--json]
 * Parse a TDX quote, print its fields and appraise it (host/quote-appraise.h).
 */
#include "verifier/appraise-args.h"
#include "verifier/check-report.h"
#include "verifier/evidence.h"
#include "verifier/verbs.h"

#include "core/util.h"

#include <getopt.h>
#include <string.h>

static void quote_usage(FILE *f)
{
	fprintf(f, "Usage: tdverity-verify quote FILE [OPTIONS...]\n"
		   "\n"
		   "Parse a TDX quote (v4 or v5; TDX 1.0 and 1.5 bodies), print its fields and\n"
		   "appraise it: the attestation key's signature, the QE report's binding of that\n"
		   "key, the PCK certificate's signature over the QE report, the PCK chain to the\n"
		   "trust anchor, the QE identity and, with --collateral, the CRLs and the TCB\n"
		   "status.  Without --collateral the TCB is not evaluated and the quote does not\n"
		   "pass, unless --no-tcb-check says that is intended.\n"
		   "\n"
		   APPRAISE_OPTIONS_HELP
		   "  --json               machine-readable output\n"
		   "\n"
		   "Exit status: 0 every check passed, 1 a check failed or was not evaluated,\n"
		   "2 usage error, 3 bad input or I/O error.\n");
}

int verb_quote(int argc, char **argv)
{
	static const struct option opts[] = {
		APPRAISE_LONG_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct appraise_args aa = { 0 };
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		switch (c) {
		case 'j': json = true; break;
		case 'h': quote_usage(stdout); return VERIFY_OK;
		default:
			if (appraise_args_take(&aa, c, optarg))
				break;
			quote_usage(stderr);
			return VERIFY_USAGE;
		}
	if (argc - optind != 1) {
		fprintf(stderr, "tdverity-verify quote: expected one quote FILE (see --help)\n");
		return VERIFY_USAGE;
	}

	struct appraise_setup as;
	int ret = appraise_setup_load("quote", &aa, &as); /* prints its own error line */
	if (ret != VERIFY_OK)
		return ret;
	struct tdv_error err = { { 0 } };
	struct evidence_quote eq;
	if (evidence_quote_load(argv[optind], &eq, &err) < 0) {
		fprintf(stderr, "tdverity-verify quote: %s\n", err.msg);
		appraise_setup_done(&as);
		return VERIFY_BAD_INPUT;
	}
	struct quote_appraisal a;
	int r = quote_appraise(&eq.quote, &as.opts, &a, &err);
	if (r < 0) {
		fprintf(stderr, "tdverity-verify quote: %s: %s\n", argv[optind], err.msg);
		evidence_quote_done(&eq);
		appraise_setup_done(&as);
		return r == -EBADMSG ? VERIFY_BAD_INPUT : VERIFY_IO; /* else libcrypto, memory */
	}

	ret = quote_appraisal_ok(&a) ? VERIFY_OK : VERIFY_MISMATCH;
	if (json) {
		struct json_object *o = evidence_quote_json(&eq.quote, &a.sig);
		json_object_object_add(o, "appraisal", appraise_json(&a));
		json_object_object_add(o, "verified", json_object_new_boolean(ret == VERIFY_OK));
		if (evidence_print_json(o) < 0)
			ret = VERIFY_IO;
		json_object_put(o);
	} else {
		struct check_report rep = { 0 };
		appraise_report(&a, &rep);
		evidence_quote_print(stdout, &eq.quote);
		printf("\nPCK certificate chain (%zu certificates, leaf first):\n", a.sig.n_certs);
		for (size_t i = 0; i < a.sig.n_certs && i < ELEMENTSOF(a.sig.subjects); i++)
			printf("  %s\n", a.sig.subjects[i]);
		printf("\n");
		check_report_print(stdout, &rep);
		if (check_report_failed(&rep))
			ret = VERIFY_MISMATCH;
		check_report_done(&rep);
		printf("\n%s\n", ret == VERIFY_OK ? "quote: genuine, platform accepted"
						  : "quote: NOT VERIFIED");
		if (fflush(stdout) != 0)
			ret = VERIFY_IO;
	}
	evidence_quote_done(&eq);
	appraise_setup_done(&as);
	return ret;
}
