/* SPDX-License-Identifier: Apache-2.0 */
/*
 * QEMU's x86 direct-boot changes to a bzImage's setup header (hw/i386/x86.c
 * x86_load_linux(), QEMU ≤ 10.1; Debian 12 ships 7.2).  QEMU patches the header in the
 * "setup" part it hands to the firmware over fw_cfg; OVMF's QemuKernelLoaderFsDxe joins
 * setup and kernel into the "kernel" file and measures that, so the kernel's Authenticode
 * digest in RTMR1 / PCR 4 is the digest of the *patched* image.  For a boot protocol
 * ≥ 2.02 kernel (every bzImage of the last 20 years) the bytes that change are:
 *
 *   0x210 u8   type_of_loader = 0xB0 (QEMU)
 *   0x211 u8   loadflags |= 0x80 (CAN_USE_HEAP)
 *   0x224 u16  heap_end_ptr = cmdline_addr − real_addr − 0x200 = 0xFE00
 *   0x228 u32  cmd_line_ptr = 0x20000
 *   0x218 u32  ramdisk_image = (initrd_max − initrd_size) & ~4095     (only with an initrd)
 *   0x21C u32  ramdisk_size  = initrd size                            (only with an initrd)
 *   0x1FA u16  vid_mode, only when the cmdline contains "vga=" (QEMU's own strstr)
 *
 * initrd_max = min(header limit, below_4g_mem − acpi_data_size − 1), where the header
 * limit is 4 GiB − 1 when xloadflags has XLF_CAN_BE_LOADED_ABOVE_4G (protocol ≥ 2.12),
 * else initrd_addr_max @0x22C; acpi_data_size is 0x28000 on current pc/q35 machine types;
 * below_4g_mem depends on the machine type and -m:
 *   pc (i440fx, QEMU's default): ram ≥ 3.5 GiB → 3 GiB, else ram
 *   q35:                         ram ≥ 2.75 GiB → 2 GiB, else ram (< 2.75 GiB)
 * (max-ram-below-4g is not modelled).  So ramdisk_image depends on -m, the machine type
 * and the initrd size.  Protocols < 2.02 are handled as QEMU does (low cmdline).
 */
#pragma once

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

enum qemu_machine {
	QEMU_MACHINE_PC,  /* -M pc (i440fx), QEMU's default */
	QEMU_MACHINE_Q35, /* -M q35 */
};

#define QEMU_ACPI_DATA_SIZE_DEFAULT 0x28000U

struct qemu_kernel_patch {
	uint64_t memory_size;	 /* -m, in bytes */
	enum qemu_machine machine;
	uint32_t acpi_data_size; /* 0 = QEMU_ACPI_DATA_SIZE_DEFAULT */
	uint64_t initrd_size;	 /* 0 = no -initrd */
	const char *cmdline;	 /* -append (for "vga="); NULL = empty */
};

/* "pc"/"i440fx" or "q35"; -EINVAL otherwise. */
int qemu_machine_from_name(const char *name, enum qemu_machine *ret);
const char *qemu_machine_name(enum qemu_machine m);

/*
 * Parse a QEMU -m size: a number with an optional suffix K, M (the default), G, T
 * (binary units, as QEMU reads them).  -EINVAL on junk, -ERANGE on overflow or 0.
 */
int qemu_parse_memory_size(const char *s, uint64_t *ret_bytes);

/*
 * Apply QEMU's header changes to the image in place.  -EINVAL (with err) when the image
 * is not a bzImage QEMU would boot this way (too short, no "HdrS"), or when QEMU itself
 * would refuse (initrd too large, old protocol with an initrd, bad vga=).
 */
int qemu_kernel_patch_apply(uint8_t *image, size_t len, const struct qemu_kernel_patch *p,
			    struct tdv_error *err);
