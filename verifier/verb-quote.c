/* SPDX-License-Identifier: Apache-2.0 */
/* tdverity-verify quote FILE [--root-ca FILE] [--json]: parse a TDX quote, check signatures. */
#include "verifier/evidence.h"
#include "verifier/verbs.h"

#include "core/util.h"

#include <getopt.h>
#include <string.h>

static void quote_usage(FILE *f)
{
	fprintf(f, "Usage: tdverity-verify quote FILE [--root-ca PEM] [--json]\n"
		   "\n"
		   "Parse a TDX quote (v4 or v5; TDX 1.0 and 1.5 bodies), print its fields and check\n"
		   "what needs no Intel collateral: the attestation key's ECDSA-P256 signature over\n"
		   "header and TD report, the QE report's binding of that key\n"
		   "(REPORTDATA = SHA-256(key || QE auth data)), and the PCK leaf certificate's\n"
		   "signature over the QE report.  TCB levels and CRLs are not checked.\n"
		   "\n"
		   "  --root-ca PEM  also verify the PCK certificate chain to this root certificate\n"
		   "                 (e.g. Intel's SGX Root CA); without it the chain is only shown\n"
		   "  --json         machine-readable output\n"
		   "\n"
		   "Exit status: 0 every check passed, 1 a check failed, 2 usage error,\n"
		   "3 bad input or I/O error.\n");
}

static bool quote_checks_pass(const struct tdx_quote_verdict *v)
{
	return v->ak_signature_ok && v->qe_binding_ok && v->pck_signature_ok &&
	       (!v->chain_checked || v->chain_ok);
}

static void print_verdict(const struct tdx_quote_verdict *v)
{
	printf("\nPCK certificate chain (%zu certificates, leaf first):\n", v->n_certs);
	for (size_t i = 0; i < v->n_certs && i < ELEMENTSOF(v->subjects); i++)
		printf("  %s\n", v->subjects[i]);
	printf("\n");
	printf("%-4s attestation-key ECDSA-P256 signature over header and TD report\n",
	       v->ak_signature_ok ? "ok" : "FAIL");
	printf("%-4s QE report binds the attestation key: REPORTDATA = SHA-256(key || auth data)\n",
	       v->qe_binding_ok ? "ok" : "FAIL");
	printf("%-4s PCK leaf certificate's signature over the QE report\n",
	       v->pck_signature_ok ? "ok" : "FAIL");
	if (!v->chain_checked)
		printf("--   PCK chain not verified to a trusted root (no --root-ca given)\n");
	else if (v->chain_ok)
		printf("ok   PCK chain verifies to the given root CA\n");
	else
		printf("FAIL PCK chain does not verify to the given root CA: %s\n", v->chain_error);
}

int verb_quote(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root-ca", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *root_ca = NULL;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		switch (c) {
		case 'r': root_ca = optarg; break;
		case 'j': json = true; break;
		case 'h': quote_usage(stdout); return VERIFY_OK;
		default: quote_usage(stderr); return VERIFY_USAGE;
		}
	if (argc - optind != 1) {
		fprintf(stderr, "tdverity-verify quote: expected one quote FILE (see --help)\n");
		return VERIFY_USAGE;
	}

	struct tdv_error err = { { 0 } };
	_cleanup_free_ uint8_t *root_pem = NULL;
	size_t root_len = 0;
	if (root_ca && evidence_read_cert(root_ca, &root_pem, &root_len, &err) < 0) {
		fprintf(stderr, "tdverity-verify quote: %s\n", err.msg);
		return VERIFY_BAD_INPUT;
	}
	struct evidence_quote eq;
	if (evidence_quote_load(argv[optind], &eq, &err) < 0) {
		fprintf(stderr, "tdverity-verify quote: %s\n", err.msg);
		return VERIFY_BAD_INPUT;
	}
	struct tdx_quote_verdict v;
	if (tdx_quote_verify(&eq.quote, root_pem, root_len, &v, &err) < 0) {
		fprintf(stderr, "tdverity-verify quote: %s: %s\n", argv[optind], err.msg);
		evidence_quote_done(&eq);
		return VERIFY_BAD_INPUT;
	}

	int ret = quote_checks_pass(&v) ? VERIFY_OK : VERIFY_MISMATCH;
	if (json) {
		struct json_object *o = evidence_quote_json(&eq.quote, &v);
		json_object_object_add(o, "verified", json_object_new_boolean(ret == VERIFY_OK));
		if (evidence_print_json(o) < 0)
			ret = VERIFY_BAD_INPUT;
		json_object_put(o);
	} else {
		evidence_quote_print(stdout, &eq.quote);
		print_verdict(&v);
		printf("\n%s\n", ret == VERIFY_OK ? "quote signatures: verified"
						  : "quote signatures: FAILED");
		if (fflush(stdout) != 0)
			ret = VERIFY_BAD_INPUT;
	}
	evidence_quote_done(&eq);
	return ret;
}
