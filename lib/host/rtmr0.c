/* SPDX-License-Identifier: Apache-2.0 */
#include "host/rtmr0.h"

#include "core/eventlog.h"
#include "core/measure.h"
#include "core/util.h"
#include "host/expected.h"

#include <stdlib.h>
#include <string.h>

/* GUIDs in their in-memory byte order (first three fields little-endian). */
static const uint8_t efi_global_variable_guid[16] = { /* 8be4df61-93ca-11d2-aa0d-00e098032b8c */
	0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
	0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c,
};
static const uint8_t efi_image_security_guid[16] = { /* d719b2cb-3d3a-4596-a3bc-dad00e67656f */
	0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45,
	0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f,
};
/* OvmfPkg's DXEFV FvNameGuid, and MdeModulePkg's UiApp and BootManagerMenuApp FILE_GUIDs. */
static const uint8_t ovmf_dxefv_guid[16] = { /* 7cb8bdc9-f8eb-4f34-aaea-3ee4af6516a1 */
	0xc9, 0xbd, 0xb8, 0x7c, 0xeb, 0xf8, 0x34, 0x4f,
	0xaa, 0xea, 0x3e, 0xe4, 0xaf, 0x65, 0x16, 0xa1,
};
static const uint8_t uiapp_file_guid[16] = { /* 462caa21-7614-4503-836e-8ab6f4662331 */
	0x21, 0xaa, 0x2c, 0x46, 0x14, 0x76, 0x03, 0x45,
	0x83, 0x6e, 0x8a, 0xb6, 0xf4, 0x66, 0x23, 0x31,
};
static const uint8_t boot_manager_menu_file_guid[16] = { /* eec25bdc-67f2-4d95-b1d5-f81b2039d11d */
	0xdc, 0x5b, 0xc2, 0xee, 0xf2, 0x67, 0x95, 0x4d,
	0xb1, 0xd5, 0xf8, 0x1b, 0x20, 0x39, 0xd1, 0x1d,
};

/* EFI_LOAD_OPTION attributes (UEFI spec 3.1.3). */
#define LOAD_OPTION_ACTIVE 0x00000001U
#define LOAD_OPTION_HIDDEN 0x00000008U
#define LOAD_OPTION_CATEGORY_APP 0x00000100U

/* Generous bounds for QEMU's fw_cfg ACPI blobs (a q35 table set is ~10-200 KiB). */
#define ACPI_BLOB_MAX_SIZE (16U << 20)

/* The RAM ranges of a q35 TD, split where the accepted sections lie. */
struct ram_range {
	uint64_t start, len;
	uint32_t resource_type;
};

static void put_resource(uint8_t *p, uint32_t type, uint64_t start, uint64_t len)
{
	memset(p, 0, TD_HOB_RESOURCE_SIZE);
	le16_put(p, 3);				/* EFI_HOB_TYPE_RESOURCE_DESCRIPTOR */
	le16_put(p + 2, TD_HOB_RESOURCE_SIZE);
	/* p + 8: owner GUID, zero */
	le32_put(p + 24, type);
	le32_put(p + 28, 0x7);			/* PRESENT | INITIALIZED | TESTED */
	le64_put(p + 32, start);
	le64_put(p + 40, len);
}

/* Split [start, start+len) of RAM around the accepted sections (sorted, disjoint). */
static size_t split_ram(uint64_t start, uint64_t len, const struct tdvf_section *const *acc,
			size_t n_acc, struct ram_range *out)
{
	size_t n = 0;
	uint64_t cur = start, end = start + len;
	for (size_t i = 0; i < n_acc; i++) {
		const struct tdvf_section *s = acc[i];
		if (s->gpa < start || s->gpa + s->mem_size > end)
			continue;
		if (s->gpa > cur)
			out[n++] = (struct ram_range){ cur, s->gpa - cur, TD_HOB_RESOURCE_UNACCEPTED };
		out[n++] = (struct ram_range){ s->gpa, s->mem_size, TD_HOB_RESOURCE_SYSTEM_MEMORY };
		cur = s->gpa + s->mem_size;
	}
	if (cur < end)
		out[n++] = (struct ram_range){ cur, end - cur, TD_HOB_RESOURCE_UNACCEPTED };
	return n;
}

static int cmp_section_gpa(const void *a, const void *b)
{
	const struct tdvf_section *x = *(const struct tdvf_section *const *)a;
	const struct tdvf_section *y = *(const struct tdvf_section *const *)b;
	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

int td_hob_build(const struct tdvf *fw, uint64_t memory_size, uint8_t **ret, size_t *ret_len,
		 struct tdv_error *err)
{
	const struct tdvf_section *hob = tdvf_find_section(fw, TDVF_SECTION_TD_HOB);
	if (!hob)
		return tdv_error_set(err, -EINVAL, "the firmware has no TD_HOB section");
	if (memory_size == 0 || memory_size % TDVF_PAGE_SIZE || memory_size > (1ULL << 46))
		return tdv_error_set(err, -EINVAL, "memory size %llu is not a multiple of 4 KiB "
				     "in (0, 64 TiB]", (unsigned long long)memory_size);

	/* QEMU accepts the TD_HOB and TEMP_MEM sections itself; the rest of RAM is left
	 * for the firmware to accept. */
	const struct tdvf_section *acc[TDVF_MAX_SECTIONS];
	size_t n_acc = 0;
	for (size_t i = 0; i < fw->n_sections; i++)
		if (fw->sections[i].type == TDVF_SECTION_TD_HOB ||
		    fw->sections[i].type == TDVF_SECTION_TEMP_MEM)
			acc[n_acc++] = &fw->sections[i];
	qsort(acc, n_acc, sizeof(acc[0]), cmp_section_gpa);

	uint64_t low = memory_size >= Q35_LOWMEM_SPLIT_THRESHOLD ? Q35_LOWMEM_SPLIT : memory_size;
	uint64_t high = memory_size - low;
	/* Every accepted section must lie in RAM, or QEMU refuses to start the TD. */
	for (size_t i = 0; i < n_acc; i++) {
		const struct tdvf_section *s = acc[i];
		bool in_low = s->gpa + s->mem_size <= low;
		bool in_high = high && s->gpa >= (1ULL << 32) && s->gpa + s->mem_size <= (1ULL << 32) + high;
		if (!in_low && !in_high)
			return tdv_error_set(err, -EINVAL, "the firmware's %s section at 0x%llx lies "
					     "outside the TD's RAM (-m %llu)",
					     tdvf_section_type_name(s->type),
					     (unsigned long long)s->gpa, (unsigned long long)memory_size);
	}
	/* Each accepted section splits a range in at most three. */
	struct ram_range ranges[2 * (2 * TDVF_MAX_SECTIONS + 1)];
	size_t n = split_ram(0, low, acc, n_acc, ranges);
	if (high)
		n += split_ram(1ULL << 32, high, acc, n_acc, ranges + n);

	size_t len = TD_HOB_PHIT_SIZE + n * TD_HOB_RESOURCE_SIZE;
	uint8_t *buf = calloc(1, len);
	if (!buf)
		return tdv_error_set(err, -ENOMEM, "out of memory");
	le16_put(buf, 1);		/* EFI_HOB_TYPE_HANDOFF */
	le16_put(buf + 2, TD_HOB_PHIT_SIZE);
	le32_put(buf + 8, 9);		/* EFI_HOB_HANDOFF_TABLE_VERSION */
	/* boot mode and the four memory fields stay zero: QEMU leaves them to TDVF */
	le64_put(buf + 48, hob->gpa + len + TD_HOB_END_SIZE);
	for (size_t i = 0; i < n; i++)
		put_resource(buf + TD_HOB_PHIT_SIZE + i * TD_HOB_RESOURCE_SIZE,
			     ranges[i].resource_type, ranges[i].start, ranges[i].len);
	*ret = buf;
	*ret_len = len;
	return 0;
}

static size_t put_utf16_ascii(uint8_t *p, const char *s, bool nul)
{
	size_t n = 0;
	for (; *s; s++, n += 2)
		le16_put(p + n, (uint8_t)*s);
	if (nul) {
		le16_put(p + n, 0);
		n += 2;
	}
	return n;
}

int uefi_variable_data(const uint8_t guid[16], const char *name, const uint8_t *data,
		       size_t data_len, uint8_t **ret, size_t *ret_len)
{
	size_t name_len = strlen(name);
	size_t len = 32 + 2 * name_len + data_len;
	uint8_t *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, guid, 16);
	le64_put(buf + 16, name_len);
	le64_put(buf + 24, data_len);
	size_t off = 32 + put_utf16_ascii(buf + 32, name, false);
	if (data_len)
		memcpy(buf + off, data, data_len);
	*ret = buf;
	*ret_len = len;
	return 0;
}

int uefi_fv_load_option(uint32_t attributes, const char *description, const uint8_t fv_guid[16],
			const uint8_t file_guid[16], uint8_t **ret, size_t *ret_len)
{
	enum { NODE = 20, END = 4, PATH = 2 * NODE + END };
	size_t desc = 2 * strlen(description) + 2;
	size_t len = 6 + desc + PATH;
	uint8_t *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	le32_put(buf, attributes);
	le16_put(buf + 4, PATH);
	uint8_t *p = buf + 6 + put_utf16_ascii(buf + 6, description, true);
	/* MEDIA_DEVICE_PATH (4): MEDIA_PIWG_FW_VOL_DP (7), then MEDIA_PIWG_FW_FILE_DP (6). */
	p[0] = 4, p[1] = 7, le16_put(p + 2, NODE), memcpy(p + 4, fv_guid, 16);
	p += NODE;
	p[0] = 4, p[1] = 6, le16_put(p + 2, NODE), memcpy(p + 4, file_guid, 16);
	p += NODE;
	p[0] = 0x7f, p[1] = 0xff, le16_put(p + 2, END); /* END_ENTIRE_DEVICE_PATH */
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int madt_count_cpus(const uint8_t *t, uint32_t len, unsigned *ret)
{
	enum { MADT_ENTRIES = 44 };
	unsigned n = 0;
	if (len < MADT_ENTRIES)
		return -EBADMSG;
	for (uint32_t off = MADT_ENTRIES; off < len;) {
		if (len - off < 2 || t[off + 1] < 2 || t[off + 1] > len - off)
			return -EBADMSG;
		uint8_t type = t[off], elen = t[off + 1];
		if (type == 0 && elen >= 8)
			n += le32_get(t + off + 4) & 1;
		else if (type == 9 && elen >= 16)
			n += le32_get(t + off + 8) & 1;
		off += elen;
	}
	*ret = n;
	return 0;
}

/* The offset and length of the first table with that signature: -ENOENT, -EBADMSG. */
static int acpi_find_table(const uint8_t *tables, size_t len, const char sig[4],
			   size_t *ret_off, uint32_t *ret_len)
{
	size_t off = 0;
	while (len - off >= 8) {
		uint32_t tlen = le32_get(tables + off + 4);
		if (tlen == 0)
			break; /* the zero padding after the last table */
		/* FACS has a 64-byte header of its own; every other table at least 36. */
		if (tlen < 36 || tlen > len - off)
			return -EBADMSG;
		if (memcmp(tables + off, sig, 4) == 0) {
			*ret_off = off;
			*ret_len = tlen;
			return 0;
		}
		off += tlen;
	}
	return -ENOENT;
}

int acpi_tables_count_cpus(const uint8_t *tables, size_t len, unsigned *ret_cpus)
{
	size_t off;
	uint32_t tlen;
	int r = acpi_find_table(tables, len, "APIC", &off, &tlen);
	if (r < 0)
		return -EBADMSG;
	return madt_count_cpus(tables + off, tlen, ret_cpus);
}

int acpi_rsdp_derive(const uint8_t *tables, size_t len, uint8_t ret[ACPI_RSDP_V1_SIZE])
{
	size_t off;
	uint32_t tlen;
	int r = acpi_find_table(tables, len, "XSDT", &off, &tlen);
	if (r == 0)
		return -ENOTSUP;
	if (r == -EBADMSG)
		return r;
	r = acpi_find_table(tables, len, "RSDT", &off, &tlen);
	if (r < 0)
		return r == -ENOENT ? -ENOTSUP : r;
	if (off > UINT32_MAX)
		return -EBADMSG;
	memset(ret, 0, ACPI_RSDP_V1_SIZE);
	memcpy(ret, "RSD PTR ", 8);
	memcpy(ret + 9, tables + off + 10, 6); /* OEMID, as QEMU writes it into both */
	le32_put(ret + 16, (uint32_t)off);
	return 0;
}

/* ---- The event list ------------------------------------------------------------------- */

struct list {
	struct expected_event *ev;
	size_t n;
};

static int push(struct list *l, enum expected_kind kind, unsigned pcr, uint32_t type,
		const char *description, struct expected_event **ret)
{
	struct expected_event *ev = reallocarray(l->ev, l->n + 1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	l->ev = ev;
	ev[l->n] = (struct expected_event){
		.kind = kind, .rtmr = 0, .pcr = pcr, .type = type, .description = description,
	};
	*ret = &ev[l->n++];
	return 0;
}

static int push_data(struct list *l, enum expected_kind kind, unsigned pcr, uint32_t type,
		     const char *description, const void *data, size_t len)
{
	struct expected_event *ev;
	int r = push(l, kind, pcr, type, description, &ev);
	for (unsigned a = 0; r == 0 && a < _HASH_ALG_MAX; a++)
		r = digest_buf((enum hash_alg)a, data, len, ev->digests[a]);
	return r;
}

static int push_unknown(struct list *l, enum expected_kind kind, unsigned pcr, uint32_t type,
			const char *description)
{
	struct expected_event *ev;
	int r = push(l, kind, pcr, type, description, &ev);
	if (r == 0)
		ev->unknown = true;
	return r;
}

static int push_td_hob(struct list *l, const struct expected_inputs *in, struct tdv_error *err)
{
	if (!in->memory_size)
		return push_unknown(l, EXPECTED_TD_HOB, EXPECTED_PCR_NONE, EV_EFI_HANDOFF_TABLES2,
				    "TD HOB (needs --memory)");
	_cleanup_free_ uint8_t *hob = NULL;
	size_t len;
	int r = td_hob_build(in->firmware, in->memory_size, &hob, &len, err);
	if (r < 0)
		return r;
	return push_data(l, EXPECTED_TD_HOB, EXPECTED_PCR_NONE, EV_EFI_HANDOFF_TABLES2,
			 "TD HOB (\"TdxTable\")", hob, len);
}

static int push_cfv(struct list *l, const struct expected_inputs *in, struct tdv_error *err)
{
	struct expected_event *ev;
	int r = push(l, EXPECTED_CFV, EXPECTED_PCR_NONE, EV_EFI_PLATFORM_FIRMWARE_BLOB2,
		     "configuration firmware volume (CFV)", &ev);
	for (unsigned a = 0; r == 0 && a < _HASH_ALG_MAX; a++)
		r = tdvf_cfv_digest(in->firmware, (enum hash_alg)a, ev->digests[a]);
	if (r == -ENOENT)
		return tdv_error_set(err, -EINVAL, "the firmware has no CFV section");
	return r;
}

/* An absent (empty) Secure Boot variable. */
static int push_variable(struct list *l, const char *name, const char *description,
			 const uint8_t guid[16])
{
	_cleanup_free_ uint8_t *data = NULL;
	size_t len;
	int r = uefi_variable_data(guid, name, NULL, 0, &data, &len);
	if (r == 0)
		r = push_data(l, EXPECTED_SECURE_BOOT_VARIABLE, 7, EV_EFI_VARIABLE_DRIVER_CONFIG,
			      description, data, len);
	return r;
}

int secure_boot_support_from_name(const char *name, enum secure_boot_support *ret)
{
	if (name && strcmp(name, "unsupported") == 0)
		*ret = SECURE_BOOT_UNSUPPORTED;
	else if (name && strcmp(name, "disabled") == 0)
		*ret = SECURE_BOOT_DISABLED;
	else
		return -EINVAL;
	return 0;
}

const char *secure_boot_support_name(enum secure_boot_support s)
{
	return s == SECURE_BOOT_DISABLED ? "disabled" : "unsupported";
}

/* The Secure Boot configuration, as OVMF without enrolled keys measures it (PCR 7). */
static int push_secure_boot(struct list *l, enum secure_boot_support sb)
{
	static const uint8_t disabled = 0; /* SECURE_BOOT_MODE_DISABLE */
	int r = 0;
	if (sb == SECURE_BOOT_DISABLED) {
		_cleanup_free_ uint8_t *data = NULL;
		size_t len;
		r = uefi_variable_data(efi_global_variable_guid, "SecureBoot", &disabled, 1, &data,
				       &len);
		if (r == 0)
			r = push_data(l, EXPECTED_SECURE_BOOT_VARIABLE, 7,
				      EV_EFI_VARIABLE_DRIVER_CONFIG, "variable SecureBoot = 00", data,
				      len);
	} else
		r = push_variable(l, "SecureBoot", "variable SecureBoot (empty)",
				  efi_global_variable_guid);
	static const struct {
		const char *name, *description;
		const uint8_t *guid;
	} vars[] = {
		{ "PK", "variable PK (empty)", efi_global_variable_guid },
		{ "KEK", "variable KEK (empty)", efi_global_variable_guid },
		{ "db", "variable db (empty)", efi_image_security_guid },
		{ "dbx", "variable dbx (empty)", efi_image_security_guid },
	};
	for (size_t i = 0; r == 0 && i < ELEMENTSOF(vars); i++)
		r = push_variable(l, vars[i].name, vars[i].description, vars[i].guid);
	return r;
}

static int push_acpi(struct list *l, enum expected_kind kind, const char *path,
		     const char *description, const char *missing, struct tdv_error *err)
{
	if (!path)
		return push_unknown(l, kind, 1, EV_PLATFORM_CONFIG_FLAGS, missing);
	_cleanup_free_ uint8_t *blob = NULL;
	size_t len;
	int r = read_full_file(path, ACPI_BLOB_MAX_SIZE, &blob, &len);
	if (r < 0)
		return tdv_error_set(err, r, "%s: cannot read the ACPI blob: %s", path, strerror(-r));
	return push_data(l, kind, 1, EV_PLATFORM_CONFIG_FLAGS, description, blob, len);
}

/* The RSDP blob derived from the tables (acpi_rsdp_derive()), or unknown when it cannot be. */
static int push_derived_rsdp(struct list *l, const char *tables_path, struct tdv_error *err)
{
	_cleanup_free_ uint8_t *tables = NULL;
	size_t len;
	uint8_t rsdp[ACPI_RSDP_V1_SIZE];
	int r = read_full_file(tables_path, ACPI_BLOB_MAX_SIZE, &tables, &len);
	if (r < 0)
		return tdv_error_set(err, r, "%s: cannot read the ACPI blob: %s", tables_path,
				     strerror(-r));
	r = acpi_rsdp_derive(tables, len, rsdp);
	if (r == -ENOTSUP)
		return push_unknown(l, EXPECTED_ACPI_RSDP, 1, EV_PLATFORM_CONFIG_FLAGS,
				    "ACPI DATA: etc/acpi/rsdp (ACPI 2.0 tables: needs --acpi-rsdp)");
	if (r < 0)
		return tdv_error_set(err, r, "%s: malformed ACPI tables", tables_path);
	return push_data(l, EXPECTED_ACPI_RSDP, 1, EV_PLATFORM_CONFIG_FLAGS,
			 "ACPI DATA: etc/acpi/rsdp (derived from the tables)", rsdp, sizeof(rsdp));
}

static int push_boot_option(struct list *l, const char *description, uint32_t attributes,
			    const char *name, const uint8_t file_guid[16])
{
	_cleanup_free_ uint8_t *opt = NULL;
	size_t len;
	int r = uefi_fv_load_option(attributes, name, ovmf_dxefv_guid, file_guid, &opt, &len);
	if (r == 0)
		r = push_data(l, EXPECTED_BOOT_OPTION, 1, EV_EFI_VARIABLE_BOOT, description, opt, len);
	return r;
}

/* BootOrder and the Boot#### options OVMF creates for its own applications (PCR 1). */
static int push_boot_variables(struct list *l, enum firmware_profile p)
{
	const uint32_t app = LOAD_OPTION_ACTIVE | LOAD_OPTION_CATEGORY_APP;
	int r;
	if (p == FIRMWARE_EDK2_PRE_202411) {
		static const uint8_t order[] = { 0x00, 0x00 };
		r = push_data(l, EXPECTED_BOOT_ORDER, 1, EV_EFI_VARIABLE_BOOT,
			      "variable BootOrder = 0000", order, sizeof(order));
		if (r == 0)
			r = push_boot_option(l, "variable Boot0000 = \"UiApp\"",
					     app | LOAD_OPTION_HIDDEN, "UiApp", uiapp_file_guid);
		return r;
	}
	static const uint8_t order[] = { 0x00, 0x00, 0x01, 0x00 };
	r = push_data(l, EXPECTED_BOOT_ORDER, 1, EV_EFI_VARIABLE_BOOT,
		      "variable BootOrder = 0000,0001", order, sizeof(order));
	if (r == 0)
		r = push_boot_option(l, "variable Boot0000 = \"BootManagerMenuApp\"",
				     app | LOAD_OPTION_HIDDEN, "BootManagerMenuApp",
				     boot_manager_menu_file_guid);
	if (r == 0)
		r = push_boot_option(l, "variable Boot0001 = \"EFI Firmware Setup\"", app,
				     "EFI Firmware Setup", uiapp_file_guid);
	return r;
}

int rtmr0_events_compute(const struct expected_inputs *in, struct expected_event **ret_events,
			 size_t *ret_n, struct tdv_error *err)
{
	static const uint8_t separator[4] = { 0 };
	bool later = in->profile != FIRMWARE_EDK2_PRE_202411;
	struct list l = { 0 };
	int r = push_td_hob(&l, in, err);
	if (r == 0)
		r = push_cfv(&l, in, err);
	/* Later edk2 measures QEMU's fw_cfg boot menu and bootorder items here; their event
	 * encoding has not been checked against a log. */
	if (r == 0 && later)
		r = push_unknown(&l, EXPECTED_FW_CFG, 1, EV_PLATFORM_CONFIG_FLAGS,
				 "fw_cfg boot menu (edk2 >= 202411; not modelled)");
	if (r == 0 && later)
		r = push_unknown(&l, EXPECTED_FW_CFG, 1, EV_PLATFORM_CONFIG_FLAGS,
				 "fw_cfg bootorder (edk2 >= 202411; not modelled)");
	if (r == 0)
		r = push_secure_boot(&l, in->secure_boot);
	if (r == 0)
		r = push_data(&l, EXPECTED_SEPARATOR, 7, EV_SEPARATOR, "separator", separator,
			      sizeof(separator));
	if (r == 0)
		r = push_acpi(&l, EXPECTED_ACPI_LOADER, in->acpi_loader_path,
			      "ACPI DATA: etc/table-loader", "ACPI DATA: etc/table-loader "
			      "(needs --acpi-loader)", err);
	if (r == 0)
		r = in->acpi_rsdp_path || !in->acpi_tables_path
			    ? push_acpi(&l, EXPECTED_ACPI_RSDP, in->acpi_rsdp_path,
					"ACPI DATA: etc/acpi/rsdp",
					"ACPI DATA: etc/acpi/rsdp (needs --acpi-rsdp)", err)
			    : push_derived_rsdp(&l, in->acpi_tables_path, err);
	if (r == 0)
		r = push_acpi(&l, EXPECTED_ACPI_TABLES, in->acpi_tables_path,
			      "ACPI DATA: etc/acpi/tables", "ACPI DATA: etc/acpi/tables "
			      "(needs --acpi-tables)", err);
	if (r == 0 && later)
		r = push_unknown(&l, EXPECTED_VARIABLE_AUTHORITY, 7, EV_EFI_VARIABLE_AUTHORITY,
				 "variable authority (edk2 >= 202411; not determined by any input)");
	if (r == 0)
		r = push_boot_variables(&l, in->profile);
	if (r < 0) {
		free(l.ev);
		if (err && !err->msg[0])
			tdv_error_set(err, r, "computing the RTMR0 events: %s", strerror(-r));
		return r;
	}
	*ret_events = l.ev;
	*ret_n = l.n;
	return 0;
}
