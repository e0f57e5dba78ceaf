/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RTMR0 of a TD booted by QEMU with TDVF (OVMF/IntelTdx), direct kernel boot: the events
 * the firmware measures about itself and about what the host hands it, in log order.
 *
 * Profile edk2-pre-202411 (e.g. Debian 12's OVMF 2022.11; checked against a real TD log):
 *   EV_EFI_HANDOFF_TABLES2          "TdxTable"  HASH(TD HOB as QEMU builds it; below)
 *   EV_EFI_PLATFORM_FIRMWARE_BLOB2  CFV         HASH(the CFV section's bytes in the file)
 *   EV_EFI_VARIABLE_DRIVER_CONFIG   SecureBoot, PK, KEK (EFI global variable GUID), db,
 *                                   dbx (image security GUID): HASH(UEFI_VARIABLE_DATA);
 *                                   no keys enrolled: PK..dbx empty, SecureBoot empty when
 *                                   the firmware has no Secure Boot support, 00 when it
 *                                   has (enum secure_boot_support)
 *   EV_SEPARATOR                    HASH(00 00 00 00)
 *   EV_PLATFORM_CONFIG_FLAGS        "ACPI DATA" ×3: HASH of QEMU's fw_cfg blobs
 *                                   etc/table-loader, etc/acpi/rsdp, etc/acpi/tables
 *   EV_EFI_VARIABLE_BOOT            BootOrder = {0x0000}: HASH(00 00)
 *   EV_EFI_VARIABLE_BOOT            Boot0000 = "UiApp": HASH(EFI_LOAD_OPTION)
 *   (then, after "Calling EFI Application", a second separator: host/expected.h)
 * Profiles edk2-202411 and edk2-202508 (after edk2-stable202505 as dstack-mr describes
 * it; not checked against a log here): fw_cfg "bootorder" measured after the CFV, an
 * EV_EFI_VARIABLE_AUTHORITY event after the ACPI data whose digest no public input
 * determines, BootOrder = {0, 1}, Boot0000 "BootManagerMenuApp", Boot0001 "EFI Firmware
 * Setup".  RTMR0 is then listed event by event but not predicted as a value.
 *
 * The TD HOB (UEFI PI HOB structures, as QEMU's TDX code lays them out): a PHIT HOB
 * (type 1, 56 bytes, version 9, boot mode 0, memory fields 0, EfiEndOfHobList = the
 * GPA just past the end-of-list HOB), then one resource descriptor HOB (type 3, 48
 * bytes, zero owner GUID, attributes PRESENT|INITIALIZED|TESTED = 7, start, length)
 * per RAM range in address order: SYSTEM_MEMORY (0) for the TD_HOB and TEMP_MEM
 * sections QEMU accepts, MEMORY_UNACCEPTED (7) for the rest of RAM.  RAM on q35 is
 * [0, min(-m, 2 GiB when -m ≥ 2.75 GiB)) plus the rest from 4 GiB.  The end-of-list HOB
 * itself is not hashed.
 */
#pragma once

#include "core/digest.h"
#include "core/error.h"
#include "host/tdvf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Whether the firmware was built with Secure Boot support: it decides whether the
 * SecureBoot variable exists (checked: trustee's OVMF TD log measures it empty; Debian's
 * OVMF.fd under a vTPM and Alibaba Cloud's TD log measure one byte 00).  No keys enrolled
 * either way.
 */
enum secure_boot_support {
	SECURE_BOOT_UNSUPPORTED, /* "unsupported": SecureBoot absent (OvmfPkg IntelTdx default) */
	SECURE_BOOT_DISABLED,	 /* "disabled": SecureBoot = 00 (SECURE_BOOT_ENABLE builds) */
};
/* "unsupported" / "disabled"; -EINVAL for anything else. */
int secure_boot_support_from_name(const char *name, enum secure_boot_support *ret);
const char *secure_boot_support_name(enum secure_boot_support s);

#define EV_EFI_PLATFORM_FIRMWARE_BLOB2 0x8000000AU
#define EV_EFI_HANDOFF_TABLES2 0x8000000BU

#define TD_HOB_PHIT_SIZE 56U
#define TD_HOB_RESOURCE_SIZE 48U
#define TD_HOB_END_SIZE 8U
#define TD_HOB_RESOURCE_SYSTEM_MEMORY 0U
#define TD_HOB_RESOURCE_UNACCEPTED 7U

/* q35's split of RAM around the 32-bit PCI hole (hw/i386/pc_q35.c). */
#define Q35_LOWMEM_SPLIT_THRESHOLD 0xB0000000ULL
#define Q35_LOWMEM_SPLIT 0x80000000ULL

/*
 * The TD HOB QEMU builds for this firmware and -m memory_size (bytes, q35), without
 * its end-of-list HOB (what the firmware hashes).  Caller frees *ret.  -EINVAL with err
 * when the firmware has no TD_HOB section, memory_size is not a multiple of 4 KiB, or a
 * TD_HOB/TEMP_MEM section lies outside RAM; -ENOMEM.
 */
int td_hob_build(const struct tdvf *fw, uint64_t memory_size, uint8_t **ret, size_t *ret_len,
		 struct tdv_error *err);

/*
 * UEFI_VARIABLE_DATA (UEFI spec / TCG PFP): GUID, u64 name length in UTF-16 units,
 * u64 data length, the name in UTF-16LE without NUL, the data.  name is ASCII.
 * Caller frees *ret.
 */
int uefi_variable_data(const uint8_t guid[16], const char *name, const uint8_t *data,
		       size_t data_len, uint8_t **ret, size_t *ret_len);

/*
 * EFI_LOAD_OPTION for a firmware application in OVMF's DXE volume: u32 attributes, u16
 * FilePathListLength, the description in UTF-16LE with NUL, the device path
 * Fv(fv_guid)/FvFile(file_guid)/End, no optional data.  description is ASCII.
 */
int uefi_fv_load_option(uint32_t attributes, const char *description, const uint8_t fv_guid[16],
			const uint8_t file_guid[16], uint8_t **ret, size_t *ret_len);

/*
 * The number of enabled processors the MADT ("APIC") in QEMU's etc/acpi/tables blob lists
 * (Processor Local APIC, type 0, and Local x2APIC, type 9, with the Enabled flag): a check
 * that the tables are of a VM with the vCPU count the user expects.  The blob is a
 * sequence of tables, each with its length at offset 4, up to zero padding.  -EBADMSG
 * when a length runs past the blob or below a table header, or there is no MADT.
 */
int acpi_tables_count_cpus(const uint8_t *tables, size_t len, unsigned *ret_cpus);

/*
 * QEMU's etc/acpi/rsdp blob as the firmware reads it, derived from etc/acpi/tables: an
 * ACPI 1.0 RSDP ("RSD PTR ", checksum 0, the RSDT's OEM ID, revision 0, RsdtAddress = the
 * RSDT's offset in the tables blob; the table loader fills in the checksum and the
 * address later).  Checked: this machine's QEMU 7.2 q35 blob byte for byte, and the RSDP
 * event of trustee's real TD log.  -ENOTSUP when the tables hold an XSDT (an ACPI 2.0
 * RSDP, not modelled: give --acpi-rsdp) or no RSDT; -EBADMSG for malformed tables.
 */
#define ACPI_RSDP_V1_SIZE 20U
int acpi_rsdp_derive(const uint8_t *tables, size_t len, uint8_t ret[ACPI_RSDP_V1_SIZE]);

struct expected_inputs;
struct expected_event;

/*
 * The RTMR0 events of in->profile for in->firmware (non-NULL), in log order, as
 * struct expected_event (rtmr 0).  Needs in->memory_size; the ACPI events need the three
 * ACPI paths (an event whose input is missing, or whose digest no input determines, is
 * listed with unknown = true; a missing rsdp is derived from the tables when it can be:
 * acpi_rsdp_derive()).  The separator that follows "Calling EFI Application" is
 * not among them (expected_events_compute() adds it).  Caller frees *ret_events.
 * Errors: -EINVAL (bad memory size, firmware without TD_HOB/CFV), -ENOENT/-EIO/-EFBIG
 * on an unreadable ACPI file, with err naming it; -ENOMEM.
 */
int rtmr0_events_compute(const struct expected_inputs *in, struct expected_event **ret_events,
			 size_t *ret_n, struct tdv_error *err);
