/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The artefact options shared by `expect` and `refvalues`:
 *   --kernel F --initrd F --cmdline F --manifest F --firmware-profile P
 *   --qemu-kernel-patch --memory SIZE [--machine pc|q35] --kata-config F --nr-cpus N
 *   --firmware F [--qemu-version X.Y] [--acpi-tables F --acpi-rsdp F --acpi-loader F]
 * and their resolution into struct expected_inputs (cmdline from --cmdline, or as Kata's
 * runtime assembles it from --kata-config, else from the manifest; the rootfs event from
 * the manifest; its RTMR/PCR from the cmdline; the TDVF metadata from the firmware file;
 * --memory for both the header patch and the TD HOB).
 */
#pragma once

#include "host/expected.h"
#include "host/manifest.h"

#include <stdbool.h>
#include <stdint.h>

struct expect_args {
	const char *kernel, *initrd, *cmdline_file, *manifest, *profile;
	const char *memory, *machine;
	const char *kata_config, *nr_cpus;
	bool no_initrd;
	bool qemu_patch;
	const char *firmware, *qemu_version, *acpi_tables, *acpi_rsdp, *acpi_loader;
	bool allow_unmeasured;
	const char *secure_boot, *cpus;
};

/* Owns what the inputs point to. */
struct expect_state {
	struct expected_inputs in;
	struct qemu_kernel_patch patch;
	struct build_manifest manifest;
	bool have_manifest;
	char *cmdline;
	uint8_t *rootfs_event;
	uint8_t *firmware_image;
	struct tdvf firmware;
	bool have_firmware;
	/* `check` only: why the cmdline was refused (kernel-cmdline's whole-line rules), ""
	 * when it was not; the other verbs refuse it with exit 3. */
	char cmdline_refused[320];
};

/* Long options 0x100.. for getopt_long; expect_args_take() consumes them. */
#define EXPECT_LONG_OPTIONS                                                            \
	{ "kernel", required_argument, NULL, 0x100 },                                  \
	{ "initrd", required_argument, NULL, 0x101 },                                  \
	{ "cmdline", required_argument, NULL, 0x102 },                                 \
	{ "manifest", required_argument, NULL, 0x103 },                                \
	{ "firmware-profile", required_argument, NULL, 0x104 },                        \
	{ "qemu-kernel-patch", no_argument, NULL, 0x105 },                             \
	{ "memory", required_argument, NULL, 0x106 },                                  \
	{ "machine", required_argument, NULL, 0x107 },                                 \
	{ "firmware", required_argument, NULL, 0x108 },                                \
	{ "qemu-version", required_argument, NULL, 0x109 },                            \
	{ "acpi-tables", required_argument, NULL, 0x10a },                             \
	{ "acpi-rsdp", required_argument, NULL, 0x10b },                               \
	{ "acpi-loader", required_argument, NULL, 0x10c },                             \
	{ "secure-boot", required_argument, NULL, 0x10d },                             \
	{ "cpus", required_argument, NULL, 0x10e },                                    \
	{ "kata-config", required_argument, NULL, 0x110 },                             \
	{ "nr-cpus", required_argument, NULL, 0x111 },                                 \
	{ "no-initrd", no_argument, NULL, 0x112 },                                     \
	{ "allow-unmeasured", no_argument, NULL, 0x113 }

#define EXPECT_OPTIONS_HELP                                                            \
	"  --kernel FILE            the bzImage (QEMU -kernel)\n"                      \
	"  --initrd FILE            the initrd (QEMU -initrd)\n"                       \
	"  --cmdline FILE           the command line (QEMU -append; trailing newlines dropped);\n" \
	"                           default: the manifest's \"cmdline\"\n"             \
	"  --kata-config FILE       instead of --cmdline: the line Kata's Go runtime builds\n" \
	"                           for this configuration (see kata-cmdline); needs\n" \
	"                           --nr-cpus N; a configuration with an image implies\n" \
	"                           --no-initrd\n"                                       \
	"  --no-initrd              the boot has no initrd (dm-init, built-in initramfs):\n" \
	"                           no initrd=initrd, RTMR2 from the cmdline alone\n"   \
	"  --manifest FILE          tdverity-build's manifest.json (the rootfs event)\n" \
	"  --firmware-profile P     edk2-pre-202411 | edk2-202411 | edk2-202508 (default)\n" \
	"  --qemu-kernel-patch      hash the kernel as QEMU < 10.2 patches its header;\n" \
	"                           needs --memory SIZE (QEMU -m) [--machine pc|q35]\n" \
	"  --firmware FILE          the TDVF/OVMF image (QEMU -bios): MRTD and RTMR0;\n" \
	"                           the TD HOB needs --memory SIZE (q35 only)\n"        \
	"  --qemu-version X.Y       QEMU's page order for MRTD (>= 9 interleaved, 8 add-first)\n" \
	"  --acpi-tables FILE       QEMU's fw_cfg etc/acpi/tables of a VM of the same shape\n" \
	"  --acpi-rsdp FILE         QEMU's fw_cfg etc/acpi/rsdp\n"                    \
	"  --acpi-loader FILE       QEMU's fw_cfg etc/table-loader\n"                 \
	"  --cpus N                 the VM's vCPUs: the --acpi-tables MADT must list N\n" \
	"  --secure-boot S          unsupported (default: firmware without Secure Boot,\n" \
	"                           SecureBoot absent) | disabled (built with it, no keys)\n" \
	"  --allow-unmeasured       accept tdverity.measure=none on the cmdline (refused\n" \
	"                           otherwise, as every line that weakens the boot)\n"

/* true when opt was one of the options above (value stored). */
bool expect_args_take(struct expect_args *a, int opt, const char *value);

/*
 * Resolve the arguments.  On failure prints one error line (prefixed "tdverity-verify:
 * <verb>: ") and returns VERIFY_USAGE or VERIFY_BAD_INPUT.  The cmdline is held to
 * kernel-cmdline's whole-line rules (cmdline_screen_line(), with the manifest's line as
 * the reference): a refused line is VERIFY_BAD_INPUT, except for verb "check", where it
 * is recorded in cmdline_refused (a mismatch, not an input error).
 */
int expect_state_load(const char *verb, const struct expect_args *a, struct expect_state *ret);
void expect_state_done(struct expect_state *s);
