/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-verify kata-cmdline --config FILE --nr-cpus N: print the kernel command line
 * Kata's Go runtime assembles for a configuration (lib/host/kata-config.h), i.e. the
 * -append string whose UTF-16 form the firmware measures.
 */
#include "verifier/verbs.h"

#include "host/kata-config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void kata_cmdline_usage(FILE *f)
{
	fprintf(f, "Usage: tdverity-verify kata-cmdline --config FILE --nr-cpus N\n"
		   "\n"
		   "Print the kernel command line (QEMU -append) that Kata Containers' Go runtime\n"
		   "(4.x) assembles for a [hypervisor.qemu] configuration such as\n"
		   "configuration-qemu-tdx.toml: arch parameters, root (kernel_verity_params ->\n"
		   "dm-mod.create=), console, debug settings, panic, nr_cpus, selinux, systemd\n"
		   "units, agent parameters, then kernel_params.\n"
		   "\n"
		   "  --config FILE   the runtime configuration (TOML; a config.d folder beside it\n"
		   "                  is refused: merge drop-ins first)\n"
		   "  --nr-cpus N     the sandbox's maximum vCPU count (with\n"
		   "                  static_sandbox_resource_mgmt: default_vcpus plus the pod's CPU\n"
		   "                  limits; else default_maxvcpus capped at the host's CPUs)\n"
		   "\n"
		   "Exit status: 0 printed, 2 usage error, 3 bad or unsupported configuration,\n"
		   "4 output could not be written.\n");
}

int verb_kata_cmdline(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "nr-cpus", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *config = NULL;
	struct kata_cmdline_opts o = { 0 };
	int opt;
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'n': {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (errno || !*optarg || *end || n == 0 || n > 4096 || optarg[0] == '-') {
				fprintf(stderr, "tdverity-verify: kata-cmdline: --nr-cpus %s: expected "
						"1..4096\n", optarg);
				return VERIFY_USAGE;
			}
			o.nr_cpus = (unsigned)n;
			break;
		}
		case 'h':
			kata_cmdline_usage(stdout);
			return VERIFY_OK;
		default:
			fprintf(stderr, "tdverity-verify: kata-cmdline: bad option '%s' (see --help)\n",
				argv[optind - 1]);
			return VERIFY_USAGE;
		}
	}
	if (!config || !o.nr_cpus || optind < argc) {
		fprintf(stderr, "tdverity-verify: kata-cmdline: --config FILE and --nr-cpus N are "
				"required (see --help)\n");
		return VERIFY_USAGE;
	}
	struct kata_boot boot = { 0 };
	struct tdv_error err = { { 0 } };
	int r = kata_cmdline_from_file(config, &o, &boot, &err);
	if (r < 0) {
		fprintf(stderr, "tdverity-verify: kata-cmdline: %s\n", err.msg);
		return r == -ENOMEM ? VERIFY_IO : VERIFY_BAD_INPUT;
	}
	/* A failed write is caught once, in main() (exit 4). */
	printf("%s\n", boot.cmdline);
	kata_boot_done(&boot);
	return VERIFY_OK;
}
