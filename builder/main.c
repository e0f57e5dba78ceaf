/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-build: template + agent → reproducible ext4 root → dm-verity → disk image,
 * measured kernel command line, Kata's verity parameters and manifest.json.
 */
#include "builder/build.h"

#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *f)
{
	fputs("Usage: tdverity-build --template DIR --agent FILE --out DIR [options]\n"
	      "\n"
	      "Build a reproducible dm-verity protected ext4 root filesystem image.\n"
	      "\n"
	      "  --template DIR|NAME   rootfs template folder (holds the manifest), or the name\n"
	      "                        of a shipped one (kata-agent, kata-agent-systemd)\n"
	      "  --agent FILE          the agent executable (an ELF), @AGENT@ in the template\n"
	      "  --out DIR             output folder; must not exist or be empty\n"
	      "  --layout gpt|kata|split   disk layout (default gpt)\n"
	      "  --base DIR|TARBALL    a whole tree to start from (debootstrap folder, docker export)\n"
	      "  --seed STR            extra input to the derivation of salt and UUIDs (default \"\")\n"
	      "  --hash sha256|sha384|sha512   dm-verity hash (default sha256)\n"
	      "  --size BYTES          filesystem size (K/M/G suffixes; default: fit the content)\n"
	      "  --extra-cmdline STR   appended to the measured kernel command line\n"
	      "  --kernel-modules DIR  the target kernel's /lib/modules/<release>: also write\n"
	      "                        initrd.img (tdverity-init + the modules it loads)\n"
	      "  --initrd              write initrd.img for a kernel without modules (everything\n"
	      "                        built in): tdverity-init and an empty module list\n"
	      "  --measure tdx|tpm|auto   tdverity.measure= on the measured cmdline (default auto:\n"
	      "                        TDX, else a vTPM; a TD never falls back to the vTPM)\n"
	      "  --init FILE           the static tdverity-init for initrd.img (default: the one\n"
	      "                        shipped with tdverity-build)\n"
	      "  --boot initrd|dm-init|builtin-initramfs   how the root is set up (default\n"
	      "                        initrd: tdverity-init in initrd.img; dm-init: the kernel's\n"
	      "                        dm-mod.create=, no init of ours; builtin-initramfs:\n"
	      "                        initramfs.cpio + kernel-config.fragment for the kernel)\n"
	      "  --input NAME=FILE     a file @NAME@ in the template manifest stands for\n"
	      "                        (repeatable; recorded with its digest in manifest.json)\n"
	      "  --kata-image PATH     (--layout kata) the image path kata-config.toml names\n"
	      "                        (default " BUILD_DEFAULT_KATA_IMAGE ")\n"
	      "  --json                print a machine-readable summary on stdout\n"
	      "  --help, --version\n"
	      "\n"
	      "Environment: SOURCE_DATE_EPOCH (every timestamp; default 1577836800; 0 is refused).\n"
	      "Outputs: disk.img (or rootfs.img + rootfs.verity), cmdline.txt, dm-mod-create.txt,\n"
	      "kata-verity-params.txt and kata-config.toml (kata layout), initrd.img\n"
	      "(--initrd, --kernel-modules), manifest.json.\n"
	      "Exit status: 0 built, 2 usage error, 3 bad input, 4 I/O or library error (the\n"
	      "build failed; also a failed write to stdout or stderr).\n",
	      f);
}

static int run(int argc, char **argv)
{
	struct build_config config;
	struct build_result result;
	struct tdv_error err = { { 0 } };
	bool bad_input = false;

	if (build_config_parse(argc, argv, getenv("SOURCE_DATE_EPOCH"), &config, &err) < 0) {
		fprintf(stderr, "tdverity-build: %s\n", err.msg);
		return BUILD_EXIT_USAGE;
	}
	if (config.help) {
		usage(stdout);
		return BUILD_EXIT_OK;
	}
	if (config.version) {
		printf("tdverity-build %s\n", TDV_VERSION);
		return BUILD_EXIT_OK;
	}

	char template_dir[PATH_MAX];
	if (build_find_template(config.template_dir, template_dir) < 0) {
		fprintf(stderr, "tdverity-build: --template %s: name too long\n", config.template_dir);
		return BUILD_EXIT_USAGE;
	}
	config.template_dir = template_dir;

	int r = build_run(&config, &result, &bad_input, &err);
	if (r < 0) {
		fprintf(stderr, "tdverity-build: %s\n", err.msg[0] ? err.msg : "build failed");
		build_result_done(&result);
		return bad_input ? BUILD_EXIT_BAD_INPUT : BUILD_EXIT_FAILED;
	}

	char *summary = NULL;
	if (config.json) {
		if (build_summary_json(&result, config.out, &summary) < 0) {
			fprintf(stderr, "tdverity-build: out of memory\n");
			build_result_done(&result);
			return BUILD_EXIT_FAILED;
		}
		fputs(summary, stdout);
	} else {
		printf("built %s (%s): root hash ", config.out,
		       disk_layout_name(config.layout));
		for (size_t i = 0; i < hash_alg_size(result.root.params.alg); i++)
			printf("%02x", result.root.root_hash[i]);
		printf("\n");
	}
	free(summary);
	build_result_done(&result);
	return BUILD_EXIT_OK;
}

int main(int argc, char **argv)
{
	int r = run(argc, argv);
	/* A failed write to stdout or stderr is a failure too, checked once, here. */
	if (stdio_close_check() < 0) {
		fprintf(stderr, "tdverity-build: writing the output failed\n");
		return BUILD_EXIT_FAILED;
	}
	return r;
}
