/* SPDX-License-Identifier: Apache-2.0 */
#include "verifier/expect-inputs.h"

#include "core/util.h"
#include "verifier/verbs.h"

#include <stdio.h>
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

int expect_state_load(const char *verb, const struct expect_args *a, struct expect_state *s)
{
	*s = (struct expect_state){ 0 };
	expected_inputs_init(&s->in);
	if (a->profile && firmware_profile_from_name(a->profile, &s->in.profile) < 0)
		return usage_error(verb, "unknown --firmware-profile (edk2-pre-202411, "
					 "edk2-202411, edk2-202508)");
	if ((a->memory || a->machine) && !a->qemu_patch)
		return usage_error(verb, "--memory and --machine go with --qemu-kernel-patch");
	if (a->qemu_patch) {
		if (!a->kernel)
			return usage_error(verb, "--qemu-kernel-patch needs --kernel");
		if (!a->memory || qemu_parse_memory_size(a->memory, &s->patch.memory_size) < 0)
			return usage_error(verb, "--qemu-kernel-patch needs --memory SIZE (as QEMU -m: "
						 "2048, 2G, 512M)");
		if (a->machine && qemu_machine_from_name(a->machine, &s->patch.machine) < 0)
			return usage_error(verb, "--machine must be pc or q35");
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
	}
	if (a->cmdline_file) {
		int r = read_cmdline_file(verb, a->cmdline_file, &s->cmdline);
		if (r != VERIFY_OK)
			return r;
	} else if (s->have_manifest && s->manifest.cmdline) {
		s->cmdline = strdup(s->manifest.cmdline);
		if (!s->cmdline)
			return VERIFY_BAD_INPUT;
	}
	if (s->have_manifest) {
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
			fprintf(stderr, "tdverity-verify: %s: %s: %s\n", verb,
				a->cmdline_file ? a->cmdline_file : a->manifest, err.msg);
			return VERIFY_BAD_INPUT;
		}
		s->in.rootfs_rtmr = v.rtmr;
		s->in.rootfs_pcr = v.pcr;
		if (v.measure == MEASURE_NONE) /* /init extends nothing: predict nothing */
			s->in.rootfs_event = NULL, s->in.rootfs_event_len = 0;
	}

	s->in.kernel_path = a->kernel;
	s->in.initrd_path = a->initrd;
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
	free(s->cmdline);
	free(s->rootfs_event);
	*s = (struct expect_state){ 0 };
}
