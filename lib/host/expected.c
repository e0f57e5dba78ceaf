/* SPDX-License-Identifier: Apache-2.0 */
#include "host/expected.h"

#include "core/measure.h"
#include "core/util.h"
#include "host/pe-authenticode.h"
#include "kernel-cmdline/cmdline.h"
#include "host/rtmr0.h"
#include "core/eventlog.h"

#include <inttypes.h>
#include <string.h>


/* Generous upper bounds: inputs are read into memory whole. */
#define KERNEL_MAX_SIZE (512U << 20)

static const char *const profile_names[_FIRMWARE_PROFILE_MAX] = {
	[FIRMWARE_EDK2_PRE_202411] = "edk2-pre-202411",
	[FIRMWARE_EDK2_202411] = "edk2-202411",
	[FIRMWARE_EDK2_202508] = "edk2-202508",
};

const char *firmware_profile_name(enum firmware_profile p)
{
	return (unsigned)p < _FIRMWARE_PROFILE_MAX ? profile_names[p] : NULL;
}

int firmware_profile_from_name(const char *name, enum firmware_profile *ret)
{
	for (unsigned i = 0; i < _FIRMWARE_PROFILE_MAX; i++)
		if (name && strcmp(name, profile_names[i]) == 0) {
			*ret = (enum firmware_profile)i;
			return 0;
		}
	return -EINVAL;
}

static const char *const kind_names[_EXPECTED_KIND_MAX] = {
	[EXPECTED_KERNEL] = "kernel",
	[EXPECTED_CALLING_EFI_APP] = "calling-efi-application",
	[EXPECTED_SEPARATOR] = "separator",
	[EXPECTED_LOAD_OPTIONS] = "load-options",
	[EXPECTED_INITRD] = "initrd",
	[EXPECTED_EXIT_BOOT_SERVICES] = "exit-boot-services",
	[EXPECTED_EXIT_BOOT_SERVICES_OK] = "exit-boot-services-returned",
	[EXPECTED_ROOTFS] = "rootfs",
	[EXPECTED_TD_HOB] = "td-hob",
	[EXPECTED_CFV] = "cfv",
	[EXPECTED_FW_CFG] = "fw-cfg",
	[EXPECTED_SECURE_BOOT_VARIABLE] = "secure-boot-variable",
	[EXPECTED_ACPI_LOADER] = "acpi-table-loader",
	[EXPECTED_ACPI_RSDP] = "acpi-rsdp",
	[EXPECTED_ACPI_TABLES] = "acpi-tables",
	[EXPECTED_VARIABLE_AUTHORITY] = "variable-authority",
	[EXPECTED_BOOT_ORDER] = "boot-order",
	[EXPECTED_BOOT_OPTION] = "boot-option",
};

const char *expected_kind_name(enum expected_kind k)
{
	return (unsigned)k < _EXPECTED_KIND_MAX ? kind_names[k] : NULL;
}

const char *expected_event_type_name(uint32_t type)
{
	switch (type) {
	case EV_SEPARATOR: return "EV_SEPARATOR";
	case EV_EVENT_TAG: return "EV_EVENT_TAG";
	case EV_EFI_ACTION: return "EV_EFI_ACTION";
	case EV_EFI_BOOT_SERVICES_APPLICATION: return "EV_EFI_BOOT_SERVICES_APPLICATION";
	case EV_EFI_HANDOFF_TABLES2: return "EV_EFI_HANDOFF_TABLES2";
	case EV_EFI_PLATFORM_FIRMWARE_BLOB2: return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
	case EV_EFI_VARIABLE_DRIVER_CONFIG: return "EV_EFI_VARIABLE_DRIVER_CONFIG";
	case EV_EFI_VARIABLE_BOOT: return "EV_EFI_VARIABLE_BOOT";
	case EV_EFI_VARIABLE_AUTHORITY: return "EV_EFI_VARIABLE_AUTHORITY";
	case EV_PLATFORM_CONFIG_FLAGS: return "EV_PLATFORM_CONFIG_FLAGS";
	default: return "unknown";
	}
}

void expected_inputs_init(struct expected_inputs *in)
{
	*in = (struct expected_inputs){
		.profile = FIRMWARE_PROFILE_DEFAULT,
		.rootfs_rtmr = 3,
		.rootfs_pcr = 15,
	};
}

int expected_load_options(enum firmware_profile p, const char *cmdline, bool has_initrd,
			  char **ret_options)
{
	char *s;
	int n;
	if ((unsigned)p >= _FIRMWARE_PROFILE_MAX || !cmdline)
		return -EINVAL;
	if (!has_initrd)
		n = asprintf(&s, "%s", cmdline);
	else if (p == FIRMWARE_EDK2_202508)
		n = asprintf(&s, "initrd=initrd %s", cmdline);
	else
		n = asprintf(&s, "%s initrd=initrd", cmdline);
	if (n < 0)
		return -ENOMEM;
	*ret_options = s;
	return 0;
}

/* Decode one UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF). */
static int utf8_next(const uint8_t **p, uint32_t *ret_cp)
{
	const uint8_t *s = *p;
	uint32_t cp, min;
	unsigned extra;
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		*p = s + 1;
		return 0;
	} else if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f, extra = 1, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f, extra = 2, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07, extra = 3, min = 0x10000;
	} else
		return -EINVAL;
	for (unsigned i = 1; i <= extra; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return -EINVAL;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -EINVAL;
	*ret_cp = cp;
	*p = s + 1 + extra;
	return 0;
}

int expected_load_options_digest(const char *options, enum hash_alg alg, uint8_t *ret_digest)
{
	size_t len = strlen(options);
	/* At most one UTF-16 unit (2 bytes) per input byte, pairs for 4-byte sequences. */
	_cleanup_free_ uint8_t *u16 = malloc(2 * len + 2);
	if (!u16)
		return -ENOMEM;
	size_t n = 0;
	for (const uint8_t *p = (const uint8_t *)options; *p;) {
		uint32_t cp;
		if (utf8_next(&p, &cp) < 0)
			return -EINVAL;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			le16_put(u16 + n, (uint16_t)(0xd800 | cp >> 10));
			le16_put(u16 + n + 2, (uint16_t)(0xdc00 | (cp & 0x3ff)));
			n += 4;
		} else {
			le16_put(u16 + n, (uint16_t)cp);
			n += 2;
		}
	}
	le16_put(u16 + n, 0); /* the UTF-16 NUL is part of LoadOptions and of the digest */
	n += 2;
	return digest_buf(alg, u16, n, ret_digest);
}

/* A growing list of events. */
struct event_list {
	struct expected_event *ev;
	size_t n;
};

static int list_add(struct event_list *l, enum expected_kind kind, unsigned rtmr, unsigned pcr,
		    uint32_t type, const char *description, struct expected_event **ret)
{
	struct expected_event *ev = reallocarray(l->ev, l->n + 1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	l->ev = ev;
	ev[l->n] = (struct expected_event){
		.kind = kind, .rtmr = rtmr, .pcr = pcr, .type = type, .description = description,
	};
	*ret = &ev[l->n++];
	return 0;
}

/* An event whose digests are those of a byte string (EFI actions, separator, rootfs). */
static int list_add_data(struct event_list *l, enum expected_kind kind, unsigned rtmr,
			 unsigned pcr, uint32_t type, const char *description, const void *data,
			 size_t len)
{
	struct expected_event *ev;
	int r = list_add(l, kind, rtmr, pcr, type, description, &ev);
	if (r < 0)
		return r;
	for (unsigned a = 0; r == 0 && a < _HASH_ALG_MAX; a++)
		r = digest_buf((enum hash_alg)a, data, len, ev->digests[a]);
	return r;
}

static int add_action(struct event_list *l, enum expected_kind kind, unsigned pcr,
		      const char *action)
{
	return list_add_data(l, kind, 1, pcr, EV_EFI_ACTION, action, action, strlen(action));
}

static int add_kernel(struct event_list *l, const struct expected_inputs *in,
		      struct tdv_error *err)
{
	_cleanup_free_ uint8_t *image = NULL;
	size_t len;
	int r = read_full_file(in->kernel_path, KERNEL_MAX_SIZE, &image, &len);
	if (r < 0)
		return tdv_error_set(err, r, "%s: cannot read kernel: %s", in->kernel_path,
				     strerror(-r));
	struct tdv_error why = { { 0 } };
	if (in->qemu_patch) {
		r = qemu_kernel_patch_apply(image, len, in->qemu_patch, &why);
		if (r < 0)
			return tdv_error_set(err, r, "%s: %s", in->kernel_path, why.msg);
	}
	struct expected_event *ev;
	r = list_add(l, EXPECTED_KERNEL, 1, 4, EV_EFI_BOOT_SERVICES_APPLICATION,
		     "kernel PE/Authenticode digest", &ev);
	if (r < 0)
		return r;
	for (unsigned a = 0; r == 0 && a < _HASH_ALG_MAX; a++)
		r = pe_authenticode_digest(image, len, (enum hash_alg)a, ev->digests[a], &why);
	if (r < 0)
		return tdv_error_set(err, r, "%s: not a PE/COFF kernel: %s", in->kernel_path,
				     why.msg);
	return 0;
}

static int add_load_options(struct event_list *l, const struct expected_inputs *in,
			    struct tdv_error *err)
{
	_cleanup_free_ char *options = NULL;
	int r = expected_load_options(in->profile, in->cmdline, in->initrd_path != NULL, &options);
	if (r < 0)
		return r;
	struct expected_event *ev;
	r = list_add(l, EXPECTED_LOAD_OPTIONS, 2, 9, EV_EVENT_TAG,
		     "EFI stub: " EFI_STUB_TAG_LOAD_OPTIONS, &ev);
	if (r < 0)
		return r;
	for (unsigned a = 0; r == 0 && a < _HASH_ALG_MAX; a++)
		r = expected_load_options_digest(options, (enum hash_alg)a, ev->digests[a]);
	if (r == -EINVAL)
		return tdv_error_set(err, r, "the kernel command line is not valid UTF-8");
	return r;
}

static int add_initrd(struct event_list *l, const struct expected_inputs *in,
		      struct tdv_error *err)
{
	struct expected_event *ev;
	int r = list_add(l, EXPECTED_INITRD, 2, 9, EV_EVENT_TAG, "EFI stub: " EFI_STUB_TAG_INITRD,
			 &ev);
	if (r < 0)
		return r;
	for (unsigned a = 0; r == 0 && a < _HASH_ALG_MAX; a++)
		r = digest_file((enum hash_alg)a, in->initrd_path, ev->digests[a]);
	if (r < 0)
		return tdv_error_set(err, r, "%s: cannot read initrd: %s", in->initrd_path,
				     strerror(-r));
	return 0;
}

int expected_events_compute(const struct expected_inputs *in, struct expected_event **ret_events,
			    size_t *ret_n, struct tdv_error *err)
{
	static const uint8_t separator[4] = { 0 };
	if ((unsigned)in->profile >= _FIRMWARE_PROFILE_MAX)
		return tdv_error_set(err, -EINVAL, "invalid firmware profile");
	if (in->rootfs_event && (in->rootfs_rtmr < 2 || in->rootfs_rtmr > 3 || in->rootfs_pcr < TDVERITY_PCR_MIN || in->rootfs_pcr > TDVERITY_PCR_MAX))
		return tdv_error_set(err, -EINVAL, "rootfs register out of range (RTMR %u, PCR %u)",
				     in->rootfs_rtmr, in->rootfs_pcr);

	struct event_list l = { 0 };
	int r = 0;
	/* RTMR0 first: the firmware measures its configuration before it loads the kernel. */
	if (in->firmware)
		r = rtmr0_events_compute(in, &l.ev, &l.n, err);
	/* The firmware's part exists only when a kernel is booted; without the kernel
	 * there is nothing to anchor RTMR1, so it is left out as a whole. */
	if (in->kernel_path) {
		unsigned sep_rtmr = in->profile == FIRMWARE_EDK2_PRE_202411 ? 0 : 1;
		r = add_kernel(&l, in, err);
		if (r == 0)
			r = add_action(&l, EXPECTED_CALLING_EFI_APP, 4,
				       EFI_ACTION_CALLING_EFI_APPLICATION);
		if (r == 0)
			r = list_add_data(&l, EXPECTED_SEPARATOR, sep_rtmr, 4, EV_SEPARATOR,
					  "separator", separator, sizeof(separator));
	}
	if (r == 0 && in->cmdline)
		r = add_load_options(&l, in, err);
	if (r == 0 && in->initrd_path)
		r = add_initrd(&l, in, err);
	if (r == 0 && in->kernel_path)
		r = add_action(&l, EXPECTED_EXIT_BOOT_SERVICES, 5, EFI_ACTION_EXIT_BOOT_SERVICES);
	if (r == 0 && in->kernel_path)
		r = add_action(&l, EXPECTED_EXIT_BOOT_SERVICES_OK, 5,
			       EFI_ACTION_EXIT_BOOT_SERVICES_OK);
	if (r == 0 && in->rootfs_event)
		r = list_add_data(&l, EXPECTED_ROOTFS, in->rootfs_rtmr, in->rootfs_pcr, EV_EVENT_TAG,
				  "tdverity rootfs (AAEL tagged event)", in->rootfs_event,
				  in->rootfs_event_len);
	if (r < 0) {
		free(l.ev);
		if (err && !err->msg[0])
			tdv_error_set(err, r, "computing the expected events: %s", strerror(-r));
		return r;
	}
	*ret_events = l.ev;
	*ret_n = l.n;
	return 0;
}

void expected_replay_rtmrs(const struct expected_event *events, size_t n,
			   uint8_t ret_rtmr[4][SHA384_SIZE])
{
	memset(ret_rtmr, 0, 4 * SHA384_SIZE);
	for (size_t i = 0; i < n; i++)
		if (events[i].rtmr < 4 && !events[i].unknown)
			(void)mr_extend(HASH_SHA384, ret_rtmr[events[i].rtmr],
					events[i].digests[HASH_SHA384]);
}

bool expected_rtmr0_determined(const struct expected_inputs *in,
			       const struct expected_event *events, size_t n)
{
	if (!in->firmware || (in->profile == FIRMWARE_EDK2_PRE_202411 && !in->kernel_path))
		return false;
	for (size_t i = 0; i < n; i++)
		if (events[i].rtmr == 0 && events[i].unknown)
			return false;
	return true;
}

int expected_replay_pcr(const struct expected_event *events, size_t n, unsigned pcr,
			enum hash_alg alg, uint8_t *ret_value)
{
	if (hash_alg_size(alg) == 0)
		return -EINVAL;
	uint8_t value[DIGEST_MAX_SIZE] = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (events[i].pcr != pcr || events[i].unknown)
			continue;
		int r = mr_extend(alg, value, events[i].digests[alg]);
		if (r < 0)
			return r;
	}
	memcpy(ret_value, value, hash_alg_size(alg));
	return 0;
}
