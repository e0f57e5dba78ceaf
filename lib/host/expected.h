/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an honest boot measures: the list of events, in order, that QEMU direct boot with
 * TDVF/OVMF and the Linux EFI stub put into the RTMRs of a TD (and, on a vTPM guest,
 * into the PCRs), plus tdverity's own rootfs event.  `tdverity-verify expect` prints it,
 * `refvalues` turns it into reference values, `check` holds a replayed event log against
 * it, and the builder writes reference-values.json from it.
 *
 * The events, per firmware profile (see enum firmware_profile):
 *
 *   RTMR1 / PCR 4  EV_EFI_BOOT_SERVICES_APPLICATION  kernel PE/Authenticode digest
 *                  (of the image as QEMU hands it over: see qemu-kernel.h)
 *   RTMR1 / PCR 4  EV_EFI_ACTION "Calling EFI Application from Boot Option"
 *   RTMR1 / PCR 4  EV_SEPARATOR  digest of 00 00 00 00   (RTMR0 with edk2-pre-202411)
 *   RTMR2 / PCR 9  EV_EVENT_TAG  "LOADED_IMAGE::LoadOptions": HASH(UTF-16LE(options) ‖ 00 00)
 *                  where options = the cmdline with the firmware's initrd=initrd
 *   RTMR2 / PCR 9  EV_EVENT_TAG  "Linux initrd": HASH(initrd file)
 *   RTMR1 / PCR 5  EV_EFI_ACTION "Exit Boot Services Invocation"
 *   RTMR1 / PCR 5  EV_EFI_ACTION "Exit Boot Services Returned with Success"
 *   RTMR3 / PCR 15 EV_EVENT_TAG  tdverity rootfs AAEL event (tdverity.rtmr / tdverity.pcr)
 *
 * EV_EFI_ACTION digests are over the ASCII string without NUL.  The LoadOptions and initrd
 * events are logged by the kernel's EFI stub (Linux ≥ 6.9 and Debian's 6.1), the rest by
 * the firmware.  With the firmware file (--firmware) the RTMR0 events come first: the TD
 * HOB, the CFV, the Secure Boot variables, a separator, QEMU's ACPI data and the boot
 * variables (host/rtmr0.h), and MRTD is computed from the same file (host/tdvf.h).
 *
 * On a vTPM the firmware's separator goes into every PCR 0–7; only the one in PCR 4 is
 * listed (PCR 5's separator is not, so PCR 5 is not predicted).
 */
#pragma once

#include "core/digest.h"
#include "core/error.h"
#include "core/verity.h"
#include "host/qemu-kernel.h"
#include "host/rtmr0.h"
#include "host/tdvf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCG event types used here (PC Client PFP spec). */
#define EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003U
#define EV_EFI_ACTION 0x80000007U

#define EFI_ACTION_CALLING_EFI_APPLICATION "Calling EFI Application from Boot Option"
#define EFI_ACTION_EXIT_BOOT_SERVICES "Exit Boot Services Invocation"
#define EFI_ACTION_EXIT_BOOT_SERVICES_OK "Exit Boot Services Returned with Success"
/* The EFI stub's tagged-event descriptions (drivers/firmware/efi/libstub). */
#define EFI_STUB_TAG_LOAD_OPTIONS "LOADED_IMAGE::LoadOptions"
#define EFI_STUB_TAG_INITRD "Linux initrd"

/*
 * Firmware behaviour that changes the measurements, by edk2 release.  Named, never
 * guessed (docs/DESIGN.md decision 6).
 */
enum firmware_profile {
	/* edk2 before stable202411 (e.g. Debian 12's OVMF 2022.11): the separator after
	 * "Calling EFI Application" goes to RTMR0; " initrd=initrd" appended. */
	FIRMWARE_EDK2_PRE_202411,
	/* stable202411 .. stable202505: separator in RTMR1; " initrd=initrd" appended. */
	FIRMWARE_EDK2_202411,
	/* stable202508 and later: separator in RTMR1; "initrd=initrd " prefixed. */
	FIRMWARE_EDK2_202508,
	_FIRMWARE_PROFILE_MAX,
};

/* The default when none is named (current upstream edk2). */
#define FIRMWARE_PROFILE_DEFAULT FIRMWARE_EDK2_202508

/* "edk2-pre-202411", "edk2-202411", "edk2-202508"; NULL for an invalid value. */
const char *firmware_profile_name(enum firmware_profile p);
int firmware_profile_from_name(const char *name, enum firmware_profile *ret);

/* What an event stands for (stable names for JSON: expected_kind_name()). */
enum expected_kind {
	EXPECTED_KERNEL,	   /* "kernel" */
	EXPECTED_CALLING_EFI_APP,  /* "calling-efi-application" */
	EXPECTED_SEPARATOR,	   /* "separator" */
	EXPECTED_LOAD_OPTIONS,	   /* "load-options" */
	EXPECTED_INITRD,	   /* "initrd" */
	EXPECTED_EXIT_BOOT_SERVICES, /* "exit-boot-services" */
	EXPECTED_EXIT_BOOT_SERVICES_OK, /* "exit-boot-services-returned" */
	EXPECTED_ROOTFS,	   /* "rootfs" */
	EXPECTED_TD_HOB,	   /* "td-hob" */
	EXPECTED_CFV,		   /* "cfv" */
	EXPECTED_FW_CFG,	   /* "fw-cfg" */
	EXPECTED_SECURE_BOOT_VARIABLE, /* "secure-boot-variable" */
	EXPECTED_ACPI_LOADER,	   /* "acpi-table-loader" */
	EXPECTED_ACPI_RSDP,	   /* "acpi-rsdp" */
	EXPECTED_ACPI_TABLES,	   /* "acpi-tables" */
	EXPECTED_VARIABLE_AUTHORITY, /* "variable-authority" */
	EXPECTED_BOOT_ORDER,	   /* "boot-order" */
	EXPECTED_BOOT_OPTION,	   /* "boot-option" */
	_EXPECTED_KIND_MAX,
};
const char *expected_kind_name(enum expected_kind k);
/* "EV_SEPARATOR", "EV_EFI_ACTION", ... for the event types listed here; "unknown" else. */
const char *expected_event_type_name(uint32_t type);

/* An event a TD logs that has no counterpart on a vTPM boot (TD HOB, CFV). */
#define EXPECTED_PCR_NONE 0xffU

struct expected_event {
	enum expected_kind kind;
	unsigned rtmr;		/* 0..3 on a TD */
	unsigned pcr;		/* the PCR of the same event on a vTPM boot, or EXPECTED_PCR_NONE */
	/* The event is logged but its digest is not determined by the inputs (an input file
	 * was not given, or no public input determines it): digests are zero, the event is
	 * not replayed and its register is not predicted. */
	bool unknown;
	uint32_t type;		/* TCG event type */
	/* The event's digest in every algorithm (hash_alg_size(alg) bytes of each):
	 * digests[HASH_SHA384] is what an RTMR is extended with, and each is what the TPM
	 * bank of that algorithm is extended with (SHA-1 and SM3 too: every active bank). */
	uint8_t digests[_HASH_ALG_MAX][DIGEST_MAX_SIZE];
	const char *description;	    /* static, human-readable */
};

/*
 * The inputs.  Each part is optional: leave it NULL and its events are left out (e.g.
 * refvalues from a manifest alone has only the rootfs event).
 */
struct expected_inputs {
	enum firmware_profile profile;
	/* The bzImage as a file (QEMU -kernel). */
	const char *kernel_path;
	/* Apply QEMU's setup-header patching (QEMU < 10.2) before hashing; NULL = off. */
	const struct qemu_kernel_patch *qemu_patch;
	/* The initrd file (QEMU -initrd).  Adds initrd=initrd and the "Linux initrd" event. */
	const char *initrd_path;
	/* The boot is known to have no initrd (dm-init, an initramfs built into the kernel,
	 * Kata booting an image): with initrd_path NULL the EFI stub's LoadOptions event is
	 * then the whole of RTMR2's boot events, so RTMR2 / PCR 9 / tdvfkernelparams are
	 * determined by the cmdline alone.  Without it, a missing initrd leaves them open. */
	bool no_initrd;
	/* The command line as given to QEMU -append (without initrd=initrd); NULL = no
	 * LoadOptions event. */
	const char *cmdline;
	/* The rootfs AAEL event data (measure.h rootfs_event_data()); NULL = none. */
	const uint8_t *rootfs_event;
	size_t rootfs_event_len;
	unsigned rootfs_rtmr; /* 2 or 3 (tdverity.rtmr) */
	unsigned rootfs_pcr;  /* tdverity.pcr, 8..15 */
	/* The TDVF firmware (QEMU -bios); NULL = no MRTD and no RTMR0 events. */
	const struct tdvf *firmware;
	/* QEMU's page order for MRTD (--qemu-version); has_page_order false = unknown. */
	bool has_page_order;
	enum tdvf_page_order page_order;
	/* Whether the SecureBoot variable exists (host/rtmr0.h). */
	enum secure_boot_support secure_boot;
	/* -m in bytes (the TD HOB); 0 = unknown. */
	uint64_t memory_size;
	/* QEMU's fw_cfg blobs etc/acpi/tables, etc/acpi/rsdp, etc/table-loader; NULL = the
	 * event is listed as unknown. */
	const char *acpi_tables_path, *acpi_rsdp_path, *acpi_loader_path;
};

/* Defaults: profile FIRMWARE_PROFILE_DEFAULT, rootfs in RTMR3 / PCR 15, nothing else. */
void expected_inputs_init(struct expected_inputs *in);

/*
 * The load options string the firmware hands the kernel for this profile: the cmdline
 * with " initrd=initrd" appended or "initrd=initrd " prefixed when has_initrd.  Caller
 * frees.
 */
int expected_load_options(enum firmware_profile p, const char *cmdline, bool has_initrd,
			  char **ret_options);

/*
 * The LoadOptions measurement: HASH(UTF-16LE(options) ‖ 00 00).  options must be valid
 * UTF-8 (-EINVAL otherwise; characters beyond the BMP become surrogate pairs, as edk2's
 * UTF-16 strings would hold them).  ret_digest receives hash_alg_size(alg) bytes.
 */
int expected_load_options_digest(const char *options, enum hash_alg alg, uint8_t *ret_digest);

/*
 * Compute the events in measurement order.  Caller frees *ret_events with free().
 * Errors: -ENOENT/-EACCES/-EIO on unreadable files, -EINVAL on a malformed kernel or bad
 * inputs; err says which input and why.
 */
int expected_events_compute(const struct expected_inputs *in, struct expected_event **ret_events,
			    size_t *ret_n, struct tdv_error *err);

/*
 * Replay the events into RTMR0..3 (SHA-384, from zeros), skipping unknown events.  RTMR0
 * is complete only when expected_rtmr0_determined(); RTMR1/2 only when the kernel and
 * cmdline (and initrd) were given; RTMR3 is complete (zero without a rootfs event).
 */
void expected_replay_rtmrs(const struct expected_event *events, size_t n,
			   uint8_t ret_rtmr[4][SHA384_SIZE]);

/*
 * The value PCR `pcr` of bank alg (any enum hash_alg) holds after the listed events that
 * go to it, from zeros.  Only meaningful for PCR 4, 9 and the rootfs PCR (the firmware
 * puts more into the others).  -EINVAL for an invalid alg.
 */
int expected_replay_pcr(const struct expected_event *events, size_t n, unsigned pcr,
			enum hash_alg alg, uint8_t *ret_value);

/*
 * Whether the RTMR0 events are all known: firmware given, no unknown RTMR0 event, and
 * (edk2-pre-202411, whose second separator goes to RTMR0) the kernel given.
 */
bool expected_rtmr0_determined(const struct expected_inputs *in,
			       const struct expected_event *events, size_t n);
