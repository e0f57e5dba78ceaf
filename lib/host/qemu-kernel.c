/* SPDX-License-Identifier: Apache-2.0 */
#include "host/qemu-kernel.h"

#include "core/util.h"

#include <inttypes.h>
#include <string.h>

#define XLF_CAN_BE_LOADED_ABOVE_4G 0x40
#define QEMU_TYPE_OF_LOADER 0xB0
#define LOADFLAGS_LOADED_HIGH 0x01
#define LOADFLAGS_CAN_USE_HEAP 0x80

int qemu_machine_from_name(const char *name, enum qemu_machine *ret)
{
	if (strcmp(name, "pc") == 0 || strcmp(name, "i440fx") == 0)
		*ret = QEMU_MACHINE_PC;
	else if (strcmp(name, "q35") == 0)
		*ret = QEMU_MACHINE_Q35;
	else
		return -EINVAL;
	return 0;
}

const char *qemu_machine_name(enum qemu_machine m)
{
	return m == QEMU_MACHINE_PC ? "pc" : m == QEMU_MACHINE_Q35 ? "q35" : NULL;
}

int qemu_parse_memory_size(const char *s, uint64_t *ret_bytes)
{
	char *end;
	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	unsigned shift = 20; /* QEMU: a bare number is MiB */
	switch (*end) {
	case 0: break;
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: return -EINVAL;
	}
	if (*end != 0)
		return -EINVAL;
	if (v == 0 || v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret_bytes = (uint64_t)v << shift;
	return 0;
}

/* hw/i386/pc_piix.c / pc_q35.c (QEMU 7.2): RAM below 4 GiB, without max-ram-below-4g. */
static uint64_t below_4g_mem_size(enum qemu_machine machine, uint64_t ram)
{
	uint64_t lowmem;
	if (machine == QEMU_MACHINE_PC)
		/* 3.5 GiB split, moved to 3 GiB (gigabyte_align) when RAM reaches 3.5 GiB. */
		lowmem = ram >= 0xe0000000 ? 0xc0000000 : 0xe0000000;
	else
		lowmem = ram >= 0xb0000000 ? 0x80000000 : 0xb0000000;
	return ram >= lowmem ? lowmem : ram;
}

/* QEMU's "vga=" handling: strstr over the whole cmdline, then normal/ext/ask/number. */
static int vga_mode(const char *cmdline, bool *ret_set, uint16_t *ret_mode)
{
	const char *v = cmdline ? strstr(cmdline, "vga=") : NULL;
	*ret_set = v != NULL;
	if (!v)
		return 0;
	v += 4;
	if (strncmp(v, "normal", 6) == 0)
		*ret_mode = 0xffff;
	else if (strncmp(v, "ext", 3) == 0)
		*ret_mode = 0xfffe;
	else if (strncmp(v, "ask", 3) == 0)
		*ret_mode = 0xfffd;
	else {
		/* qemu_strtoui(base 0): decimal, 0x hex or 0 octal, ending at ' ' or NUL. */
		char *end;
		errno = 0;
		if (*v < '0' || *v > '9')
			return -EINVAL;
		unsigned long m = strtoul(v, &end, 0);
		if (errno || m > UINT32_MAX || (*end && *end != ' '))
			return -EINVAL;
		*ret_mode = (uint16_t)m; /* stw_p keeps the low 16 bits */
	}
	return 0;
}

int qemu_kernel_patch_apply(uint8_t *image, size_t len, const struct qemu_kernel_patch *p,
			    struct tdv_error *err)
{
	/* QEMU reads the first 8 KiB as the header; the fields used end at 0x238. */
	if (len < 0x238 || le32_get(image + 0x202) != 0x53726448 /* "HdrS" */)
		return tdv_error_set(err, -EINVAL, "not a Linux bzImage (no \"HdrS\" setup header)");
	if (p->memory_size == 0)
		return tdv_error_set(err, -EINVAL, "--memory is required with --qemu-kernel-patch");

	uint16_t protocol = le16_get(image + 0x206);
	size_t cmdline_len = p->cmdline ? strlen(p->cmdline) : 0;
	uint32_t cmdline_size = (uint32_t)((cmdline_len + 16) & ~(size_t)15);
	uint32_t real_addr, cmdline_addr;
	if (protocol < 0x202 || !(image[0x211] & LOADFLAGS_LOADED_HIGH)) {
		real_addr = 0x90000;
		cmdline_addr = 0x9a000 - cmdline_size;
	} else {
		real_addr = 0x10000;
		cmdline_addr = 0x20000;
	}

	uint64_t initrd_max;
	if (protocol >= 0x20c && (le16_get(image + 0x236) & XLF_CAN_BE_LOADED_ABOVE_4G))
		initrd_max = UINT32_MAX;
	else if (protocol >= 0x203)
		initrd_max = le32_get(image + 0x22c);
	else
		initrd_max = 0x37ffffff;
	uint64_t acpi = p->acpi_data_size ? p->acpi_data_size : QEMU_ACPI_DATA_SIZE_DEFAULT;
	uint64_t below_4g = below_4g_mem_size(p->machine, p->memory_size);
	if (below_4g <= acpi)
		return tdv_error_set(err, -EINVAL, "--memory too small for QEMU's ACPI area");
	if (initrd_max >= below_4g - acpi)
		initrd_max = below_4g - acpi - 1;

	if (protocol >= 0x202)
		le32_put(image + 0x228, cmdline_addr);
	else {
		le16_put(image + 0x20, 0xA33F);
		le16_put(image + 0x22, (uint16_t)(cmdline_addr - real_addr));
	}

	bool vga;
	uint16_t mode = 0;
	if (vga_mode(p->cmdline, &vga, &mode) < 0)
		return tdv_error_set(err, -EINVAL, "QEMU refuses this cmdline's 'vga=' value");
	if (vga)
		le16_put(image + 0x1fa, mode);

	if (protocol >= 0x200)
		image[0x210] = QEMU_TYPE_OF_LOADER;
	if (protocol >= 0x201) {
		image[0x211] |= LOADFLAGS_CAN_USE_HEAP;
		le16_put(image + 0x224, (uint16_t)(cmdline_addr - real_addr - 0x200));
	}

	if (p->initrd_size > 0) {
		if (protocol < 0x200)
			return tdv_error_set(err, -EINVAL, "kernel too old for an initrd (QEMU refuses)");
		if (p->initrd_size >= initrd_max)
			return tdv_error_set(err, -EINVAL, "initrd of %" PRIu64 " bytes is too large "
					     "for QEMU (max %" PRIu64 ")", p->initrd_size, initrd_max);
		le32_put(image + 0x218, (uint32_t)((initrd_max - p->initrd_size) & ~UINT64_C(4095)));
		le32_put(image + 0x21c, (uint32_t)p->initrd_size);
	}
	return 0;
}
