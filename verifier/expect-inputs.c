/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/expect-inputs.h"

#include "core/util.h"
#include "host/kata-config.h"
#include "kernel-cmdline/cmdline.h"
#include "verifier/verbs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CMDLINE_FILE_MAX (64U << 10)

bool expect_args_take(struct expect_args *a, int opt, const char *value)
{
	switch (opt) {
	case 0x100: a->kernel = value; return true;
	case 0x101: a->initrd = value; return true;
	case 0x102: a->cmdline_file = value; return true;
	case 0x103: a->manifest = value; return true;
	case 0x104: a->profile = value; return true;
	case 0x105: a->qemu_patch = true; return true;
	case 0x106: a->memory = value; return true;
	case 0x107: a->machine = value; return true;
	case 0x108: a->firmware = value; return true;
	case 0x109: a->qemu_version = value; return true;
	case 0x10a: a->acpi_tables = value; return true;
	case 0x10b: a->acpi_rsdp = value; return true;
	case 0x10c: a->acpi_loader = value; return true;
	case 0x10d: a->secure_boot = value; return true;
	case 0x10e: a->cpus = value; return true;
	case 0x110: a->kata_config = value; return true;
	case 0x111: a->nr_cpus = value; return true;
	case 0x112: a->no_initrd = true; return true;
	case 0x113: a->allow_unmeasured = true; return true;
	default: return false;
	}
}

static int read_cmdline_file(const char *verb, const char *path, char **ret)
{
	uint8_t *data;
	size_t len;
	int r = read_full_file(path, CMDLINE_FILE_MAX, &data, &len);
	if (r < 0) {
		fprintf(stderr, "tdverity-verify: %s: %s: cannot read: %s\n", verb, path, strerror(-r));
		return VERIFY_BAD_INPUT;
	}
	if (memchr(data, 0, len)) {
		fprintf(stderr, "tdverity-verify: %s: %s: holds a NUL byte\n", verb, path);
		free(data);
		return VERIFY_BAD_INPUT;
	}
	/* What $(cat file) gives QEMU's -append: trailing newlines removed, nothing else. */
	while (len > 0 && data[len - 1] == '\n')
		data[--len] = 0;
	*ret = (char *)data;
	return VERIFY_OK;
}

static int usage_error(const char *verb, const char *msg)
{
	fprintf(stderr, "tdverity-verify: %s: %s\n", verb, msg);
	return VERIFY_USAGE;
}

/* --kata-config: the -append line Kata's runtime builds (lib/host/kata-config.h). */
static int kata_cmdline(const char *verb, const struct expect_args *a, char **ret,
			bool *ret_image)
{
	char *end;
	errno = 0;
	unsigned long n = a->nr_cpus ? strtoul(a->nr_cpus, &end, 10) : 0;
	if (!a->nr_cpus || errno || !*a->nr_cpus || *end || n == 0 || n > 4096 ||
	    a->nr_cpus[0] == '-')
		return usage_error(verb, "--kata-config needs --nr-cpus N (1..4096: the sandbox's "
					 "vCPU count)");
	if (a->cmdline_file)
		return usage_error(verb, "--kata-config and --cmdline exclude each other");
	struct kata_cmdline_opts o = { .nr_cpus = (unsigned)n };
	struct kata_boot boot = { 0 };
	struct tdv_error err = { { 0 } };
	if (kata_cmdline_from_file(a->kata_config, &o, &boot, &err) < 0) {
		fprintf(stderr, "tdverity-verify: %s: %s\n", verb, err.msg);
		return VERIFY_BAD_INPUT;
	}
	/* Kata boots an image without an initrd: a prediction with one would be wrong. */
	if (boot.image && a->initrd) {
		kata_boot_done(&boot);
		return usage_error(verb, "--kata-config names an image: Kata boots it without an "
					 "initrd, drop --initrd");
	}
	*ret = TAKE_PTR(boot.cmdline);
	*ret_image = boot.image;
	kata_boot_done(&boot);
	return VERIFY_OK;
}

/* --cpus N against the MADT of --acpi-tables: tables of another VM shape are refused. */
static int check_cpus(const char *verb, const char *tables_path, const char *cpus)
{
	char *end;
	errno = 0;
	unsigned long want = strtoul(cpus, &end, 10);
	if (errno || end == cpus || *end || want == 0 || want > 4096 || cpus[0] == '-')
		return usage_error(verb, "--cpus must be a number of vCPUs (1..4096)");
	_cleanup_free_ uint8_t *t = NULL;
	size_t len;
	unsigned got;
	int r = read_full_file(tables_path, 16U << 20, &t, &len);
	if (r < 0) {
		fprintf(stderr, "tdverity-verify: %s: %s: cannot read: %s\n", verb, tables_path,
			strerror(-r));
		return VERIFY_BAD_INPUT;
	}
	if (acpi_tables_count_cpus(t, len, &got) < 0) {
		fprintf(stderr, "tdverity-verify: %s: %s: not QEMU's ACPI tables (malformed, or no "
			"MADT)\n", verb, tables_path);
		return VERIFY_BAD_INPUT;
	}
	if (got != want) {
		fprintf(stderr, "tdverity-verify: %s: %s: its MADT lists %u enabled vCPUs, not "
			"--cpus %lu\n", verb, tables_path, got, want);
		return VERIFY_BAD_INPUT;
	}
	return VERIFY_OK;
}

/*
 * --firmware and what goes with it.  The image is untrusted input: tdvf_parse() checks
 * every offset and size in it before anything is computed.
 */
static int load_firmware(const char *verb, const struct expect_args *a, struct expect_state *s)
{
	if (!a->firmware)
		return VERIFY_OK;
	enum qemu_machine m = QEMU_MACHINE_Q35;
	if (a->machine && (qemu_machine_from_name(a->machine, &m) < 0 || m != QEMU_MACHINE_Q35))
		return usage_error(verb, "--firmware: a TD is a q35 machine (--machine q35)");
	if (a->qemu_version) {
		int r = tdvf_order_from_qemu_version(a->qemu_version, &s->in.page_order);
		if (r == -ERANGE)
			return usage_error(verb, "--qemu-version: QEMU before 8 has no known TDX page "
						 "order");
		if (r < 0)
			return usage_error(verb, "--qemu-version must be MAJOR.MINOR[.PATCH]");
		s->in.has_page_order = true;
	}
	if (a->secure_boot && secure_boot_support_from_name(a->secure_boot, &s->in.secure_boot) < 0)
		return usage_error(verb, "--secure-boot must be unsupported or disabled");
	if (a->memory && qemu_parse_memory_size(a->memory, &s->in.memory_size) < 0)
		return usage_error(verb, "--memory SIZE as QEMU -m: 2048, 2G, 512M");
	size_t len;
	int r = read_full_file(a->firmware, TDVF_IMAGE_MAX_SIZE, &s->firmware_image, &len);
	if (r < 0) {
		fprintf(stderr, "tdverity-verify: %s: %s: cannot read: %s\n", verb, a->firmware,
			strerror(-r));
		return VERIFY_BAD_INPUT;
	}
	struct tdv_error err = { { 0 } };
	if (tdvf_parse(s->firmware_image, len, &s->firmware, &err) < 0) {
		fprintf(stderr, "tdverity-verify: %s: %s: %s\n", verb, a->firmware, err.msg);
		return VERIFY_BAD_INPUT;
	}
	s->have_firmware = true;
	s->in.firmware = &s->firmware;
	if (a->cpus) {
		r = check_cpus(verb, a->acpi_tables, a->cpus);
		if (r != VERIFY_OK)
			return r;
	}
	s->in.acpi_tables_path = a->acpi_tables;
	s->in.acpi_rsdp_path = a->acpi_rsdp;
	s->in.acpi_loader_path = a->acpi_loader;
	return VERIFY_OK;
}

/* A refused cmdline: exit 3 for expect/refvalues; for check a mismatch (recorded). */
static int refuse_cmdline(const char *verb, struct expect_state *s, const char *what,
			  const char *why)
{
	if (strcmp(verb, "check") == 0) {
		snprintf(s->cmdline_refused, sizeof(s->cmdline_refused), "%s %s", what, why);
		free(s->cmdline); /* the refused line predicts nothing */
		s->cmdline = NULL;
		return VERIFY_OK;
	}
	fprintf(stderr, "tdverity-verify: %s: %s %s\n", verb, what, why);
	return VERIFY_BAD_INPUT;
}

/* A line that disagrees with the manifest, named by where the line came from. */
static int refuse_manifest_cmdline(const char *verb, const struct expect_args *a,
				   struct expect_state *s, const char *why)
{
	char what[PATH_MAX + 2];
	snprintf(what, sizeof(what), "%s:",
		 a->kata_config ? a->kata_config : a->cmdline_file ? a->cmdline_file : a->manifest);
	return refuse_cmdline(verb, s, what, why);
}

/* Whether a line carries any of tdverity's own parameters (a tdverity boot). */
static bool has_verity_keys(const char *text)
{
	struct cmdline *c = NULL;
	if (cmdline_parse(text, &c) < 0)
		return true; /* unparseable: let the full rules say why */
	bool any = false;
	for (size_t i = 0; i < c->n_params; i++)
		any |= verity_cmdline_owns_key(c->params[i].key);
	cmdline_free(c);
	return any;
}

/*
 * The one rule set of kernel-cmdline/ (the builder and /init use the same code), with the
 * manifest's line as the build's reference.  Threat: the cmdline fed to expect/refvalues
 * is the policy (Trustee pins little more than RTMR1/RTMR2): a line with
 * tdverity.init=/bin/sh, a newline, a rescue target, another root hash must not become a
 * reference value or pass a check.  A line without any tdverity parameter and without a
 * manifest is some other boot (a test initrd): only what its measurement needs is checked.
 */
static int screen_cmdline(const char *verb, const struct expect_args *a, struct expect_state *s)
{
	struct cmdline *ref = NULL;
	if (s->have_manifest && s->manifest.cmdline && cmdline_parse(s->manifest.cmdline, &ref) < 0) {
		fprintf(stderr, "tdverity-verify: %s: %s: its cmdline does not parse\n", verb,
			a->manifest);
		return VERIFY_BAD_INPUT;
	}
	struct cmdline_line_policy p = {
		.generic = !s->have_manifest && !has_verity_keys(s->cmdline),
		.has_initrd = a->initrd != NULL,
		.allow_unmeasured = a->allow_unmeasured,
		.reference = ref,
	};
	char why[300] = "";
	int r = cmdline_screen_line(s->cmdline, &p, why, sizeof(why));
	cmdline_free(ref);
	if (r == 0)
		return VERIFY_OK;
	return refuse_cmdline(verb, s, "the cmdline", why);
}

int expect_state_load(const char *verb, const struct expect_args *a, struct expect_state *s)
{
	*s = (struct expect_state){ 0 };
	expected_inputs_init(&s->in);
	if (a->profile && firmware_profile_from_name(a->profile, &s->in.profile) < 0)
		return usage_error(verb, "unknown --firmware-profile (edk2-pre-202411, "
					 "edk2-202411, edk2-202508)");
	if ((a->memory || a->machine) && !a->qemu_patch && !a->firmware)
		return usage_error(verb, "--memory and --machine go with --qemu-kernel-patch or "
					 "--firmware");
	if ((a->qemu_version || a->acpi_tables || a->acpi_rsdp || a->acpi_loader ||
	     a->secure_boot) && !a->firmware)
		return usage_error(verb, "--qemu-version, --acpi-* and --secure-boot go with "
					 "--firmware");
	if (a->cpus && !a->acpi_tables)
		return usage_error(verb, "--cpus checks the --acpi-tables of the VM");
	int fw = load_firmware(verb, a, s);
	if (fw != VERIFY_OK)
		return fw;
	if (a->qemu_patch) {
		if (!a->kernel)
			return usage_error(verb, "--qemu-kernel-patch needs --kernel");
		if (!a->memory || qemu_parse_memory_size(a->memory, &s->patch.memory_size) < 0)
			return usage_error(verb, "--qemu-kernel-patch needs --memory SIZE (as QEMU -m: "
						 "2048, 2G, 512M)");
		if (a->machine && qemu_machine_from_name(a->machine, &s->patch.machine) < 0)
			return usage_error(verb, "--machine must be pc or q35");
		if (a->firmware)
			s->patch.machine = QEMU_MACHINE_Q35; /* load_firmware() refused pc */
	}

	struct tdv_error err = { { 0 } };
	if (a->manifest) {
		int r = build_manifest_load(a->manifest, &s->manifest, &err);
		if (r < 0) {
			fprintf(stderr, "tdverity-verify: %s: %s\n", verb, err.msg);
			return VERIFY_BAD_INPUT;
		}
		s->have_manifest = true;
		size_t len;
		if (build_manifest_rootfs_event(&s->manifest, &s->rootfs_event, &len) < 0) {
			fprintf(stderr, "tdverity-verify: %s: %s: cannot build the rootfs event\n",
				verb, a->manifest);
			return VERIFY_BAD_INPUT;
		}
		s->in.rootfs_event = s->rootfs_event;
		s->in.rootfs_event_len = len;
		/* dm-init and a built-in initramfs boot without an initrd (manifest "boot"). */
		if (s->manifest.have_boot && s->manifest.boot != BUILD_BOOT_INITRD) {
			if (a->initrd)
				return usage_error(verb, "the manifest's boot has no initrd: drop --initrd");
			s->in.no_initrd = true;
		}
	}
	if (a->no_initrd && a->initrd)
		return usage_error(verb, "--no-initrd and --initrd exclude each other");
	if (a->nr_cpus && !a->kata_config)
		return usage_error(verb, "--nr-cpus goes with --kata-config");
	if (a->kata_config) {
		bool image = false;
		int r = kata_cmdline(verb, a, &s->cmdline, &image);
		s->in.no_initrd = image;
		if (r != VERIFY_OK)
			return r;
	} else if (a->cmdline_file) {
		int r = read_cmdline_file(verb, a->cmdline_file, &s->cmdline);
		if (r != VERIFY_OK)
			return r;
	} else if (s->have_manifest && s->manifest.cmdline) {
		s->cmdline = strdup(s->manifest.cmdline);
		if (!s->cmdline)
			return VERIFY_BAD_INPUT;
	}
	/* Kata's dm-init line (dm-mod.create=, root=) is held to the manifest's volume by
	 * its own reader; every other line to the whole-line rules first. */
	bool dm_init = s->have_manifest && build_manifest_cmdline_is_dm_init(s->cmdline);
	if (s->cmdline && !a->kata_config && !dm_init) {
		int r = screen_cmdline(verb, a, s);
		if (r != VERIFY_OK)
			return r;
	}
	if (dm_init) {
		/* dm-init: the kernel mounts the root itself; no tdverity-init, no rootfs event.
		 * The line must name the manifest's volume, or the prediction is of another. */
		if (build_manifest_check_dm_init(&s->manifest, s->cmdline, &err) < 0) {
			int r = refuse_manifest_cmdline(verb, a, s, err.msg);
			if (r != VERIFY_OK)
				return r;
		}
		s->in.rootfs_event = NULL, s->in.rootfs_event_len = 0;
	} else if (s->have_manifest && !s->cmdline_refused[0]) {
		/* Threat: predicting RTMR3 from the manifest while /init obeys a cmdline that
		 * sets up another volume, or none.  Read the line as /init does and hold it
		 * against the manifest; the register comes from the line. */
		struct verity_cmdline v;
		if (!s->cmdline) {
			fprintf(stderr, "tdverity-verify: %s: %s: no cmdline (neither --cmdline nor "
					"the manifest's): the rootfs event's register comes from it\n",
				verb, a->manifest);
			return VERIFY_BAD_INPUT;
		}
		if (build_manifest_check_cmdline(&s->manifest, s->cmdline, &v, &err) < 0) {
			int r = refuse_manifest_cmdline(verb, a, s, err.msg);
			if (r != VERIFY_OK)
				return r;
		} else {
			s->in.rootfs_rtmr = v.rtmr;
			s->in.rootfs_pcr = v.pcr;
			if (v.measure == MEASURE_NONE) /* /init extends nothing: predict nothing */
				s->in.rootfs_event = NULL, s->in.rootfs_event_len = 0;
		}
	}

	s->in.kernel_path = a->kernel;
	s->in.initrd_path = a->initrd;
	s->in.no_initrd = s->in.no_initrd || a->no_initrd;
	s->in.cmdline = s->cmdline;
	if (a->qemu_patch) {
		if (a->initrd) {
			struct stat st;
			if (stat(a->initrd, &st) < 0) {
				fprintf(stderr, "tdverity-verify: %s: %s: %s\n", verb, a->initrd,
					strerror(errno));
				return VERIFY_BAD_INPUT;
			}
			s->patch.initrd_size = (uint64_t)st.st_size;
		}
		s->patch.cmdline = s->cmdline;
		s->in.qemu_patch = &s->patch;
	}
	return VERIFY_OK;
}

void expect_state_done(struct expect_state *s)
{
	if (s->have_manifest)
		build_manifest_done(&s->manifest);
	if (s->have_firmware)
		tdvf_done(&s->firmware);
	free(s->firmware_image);
	free(s->cmdline);
	free(s->rootfs_event);
	*s = (struct expect_state){ 0 };
}
