/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RTMR0 events.  Known answers:
 *   - UEFI_VARIABLE_DATA and EFI_LOAD_OPTION bytes written out by hand from the UEFI
 *     spec (GUID byte order, UTF-16LE, device path nodes);
 *   - trustee's real OVMF TD log (CCEL_data_ovmf, edk2 before stable202411, direct boot):
 *     every RTMR0 event we can derive must equal the log's, in order, and with the log's
 *     digests for the two we cannot (the CFV of that firmware and QEMU's ACPI blobs are not
 *     public) the whole register must replay to trustee's documented RTMR0.
 * The TD HOB uses OvmfPkg IntelTdx's section layout (the TD_HOB and TEMP_MEM GPAs, the
 * same in every OVMF of that era) and -m 2G: the size at which it reproduces (a search
 * over 128 MiB steps up to 1 TiB matched only 2 GiB).
 */
#include "unit-helpers.h"

#include "core/eventlog.h"
#include "core/measure.h"
#include "core/util.h"
#include "host/expected.h"
#include "host/rtmr0.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t cfv_bytes[4096];

/* The memory layout of Debian's OVMF 2022.11 / upstream OvmfPkg IntelTdx. */
static struct tdvf_section ovmf_sections[] = {
	{ 0, 0, 0xffffe000ULL, 0x1000, TDVF_SECTION_BFV, TDVF_ATTR_MR_EXTEND },
	{ 0, sizeof(cfv_bytes), 0xffffd000ULL, 0x1000, TDVF_SECTION_CFV, 0 },
	{ 0, 0, 0x810000, 0x10000, TDVF_SECTION_TEMP_MEM, 0 },
	{ 0, 0, 0x80b000, 0x2000, TDVF_SECTION_TEMP_MEM, 0 },
	{ 0, 0, 0x809000, 0x2000, TDVF_SECTION_TD_HOB, 0 },
	{ 0, 0, 0x800000, 0x6000, TDVF_SECTION_TEMP_MEM, 0 },
};
static const struct tdvf ovmf = {
	.image = cfv_bytes, .image_len = sizeof(cfv_bytes),
	.n_sections = ELEMENTSOF(ovmf_sections), .sections = ovmf_sections,
};

static void test_variable_data(void **state)
{
	static const uint8_t guid[16] = { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
					  0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };
	uint8_t *v;
	size_t len;
	assert_int_equal(uefi_variable_data(guid, "PK", NULL, 0, &v, &len), 0);
	unit_assert_hex(v, len,
			"61dfe48bca93d211aa0d00e098032b8c" /* EFI_GLOBAL_VARIABLE */
			"0200000000000000" "0000000000000000" "50004b00");
	free(v);
	const uint8_t one = 1;
	assert_int_equal(uefi_variable_data(guid, "SecureBoot", &one, 1, &v, &len), 0);
	unit_assert_hex(v, len,
			"61dfe48bca93d211aa0d00e098032b8c" "0a00000000000000" "0100000000000000"
			"53006500630075007200650042006f006f007400" "01");
	free(v);
	/* Alibaba Cloud's real TD log (CCEL_AAEL_alibabacloud) measures SecureBoot = 00. */
	const uint8_t zero = 0;
	uint8_t d[SHA384_SIZE];
	assert_int_equal(uefi_variable_data(guid, "SecureBoot", &zero, 1, &v, &len), 0);
	assert_int_equal(digest_buf(HASH_SHA384, v, len, d), 0);
	unit_assert_hex(d, SHA384_SIZE,
			"cfa4e2c606f572627bf06d5669cc2ab1128358d27b45bc63ee9ea56ec109cfaf"
			"b7194006f847a6a74b5eaed6b73332ec");
	free(v);
}

static void test_load_option(void **state)
{
	static const uint8_t fv[16] = { 0xc9, 0xbd, 0xb8, 0x7c, 0xeb, 0xf8, 0x34, 0x4f,
					0xaa, 0xea, 0x3e, 0xe4, 0xaf, 0x65, 0x16, 0xa1 };
	static const uint8_t file[16] = { 0x21, 0xaa, 0x2c, 0x46, 0x14, 0x76, 0x03, 0x45,
					  0x83, 0x6e, 0x8a, 0xb6, 0xf4, 0x66, 0x23, 0x31 };
	uint8_t *o;
	size_t len;
	assert_int_equal(uefi_fv_load_option(0x109, "UiApp", fv, file, &o, &len), 0);
	/* attributes, FilePathListLength 44, L"UiApp\0", Fv(...) node, FvFile(...) node, End */
	unit_assert_hex(o, len,
			"09010000" "2c00" "550069004100700070000000"
			"04071400" "c9bdb87cebf8344faaea3ee4af6516a1"
			"04061400" "21aa2c4614760345836e8ab6f4662331" "7fff0400");
	free(o);
}

static void test_profiles(void **state)
{
	struct expected_inputs in;
	expected_inputs_init(&in);
	in.firmware = &ovmf;
	in.memory_size = 2ULL << 30;
	in.profile = FIRMWARE_EDK2_PRE_202411;
	struct expected_event *ev;
	size_t n;
	struct tdv_error err = { { 0 } };
	assert_int_equal(rtmr0_events_compute(&in, &ev, &n, &err), 0);
	assert_int_equal(n, 13);
	size_t unknown = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ev[i].rtmr, 0);
		unknown += ev[i].unknown;
	}
	assert_int_equal(unknown, 3); /* the ACPI blobs were not given */
	assert_false(expected_rtmr0_determined(&in, ev, n));
	free(ev);

	/* Later profiles: two fw_cfg events and the variable authority are not determined,
	 * one more boot option. */
	in.profile = FIRMWARE_EDK2_202508;
	assert_int_equal(rtmr0_events_compute(&in, &ev, &n, &err), 0);
	assert_int_equal(n, 17);
	assert_false(expected_rtmr0_determined(&in, ev, n));
	free(ev);

	/* A firmware built with Secure Boot support measures SecureBoot = 00. */
	in.secure_boot = SECURE_BOOT_DISABLED;
	assert_int_equal(rtmr0_events_compute(&in, &ev, &n, &err), 0);
	assert_int_equal(ev[4].kind, EXPECTED_SECURE_BOOT_VARIABLE);
	unit_assert_hex(ev[4].digests[HASH_SHA384], SHA384_SIZE,
			"cfa4e2c606f572627bf06d5669cc2ab1128358d27b45bc63ee9ea56ec109cfaf"
			"b7194006f847a6a74b5eaed6b73332ec");
	free(ev);

	/* Without --memory the HOB is not determined; a size the sections do not fit is an
	 * error. */
	in.memory_size = 0;
	assert_int_equal(rtmr0_events_compute(&in, &ev, &n, &err), 0);
	assert_true(ev[0].kind == EXPECTED_TD_HOB && ev[0].unknown);
	free(ev);
	in.memory_size = 4ULL << 20;
	assert_int_equal(rtmr0_events_compute(&in, &ev, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "outside the TD's RAM"));
}

static void test_trustee_ovmf_rtmr0(void **state)
{
	const char *dir = unit_testdata_dir();
	if (!dir)
		skip();
	char path[4200];
	snprintf(path, sizeof(path), "%s/trustee/CCEL_data_ovmf", dir);
	uint8_t *data;
	size_t len;
	assert_int_equal(read_full_file(path, 1 << 20, &data, &len), 0);
	struct eventlog *log;
	struct tdv_error err = { { 0 } };
	assert_int_equal(eventlog_parse(data, len, &log, &err), 0);

	const struct eventlog_event *l[32];
	size_t nl = 0;
	for (size_t i = 0; i < log->n_events && nl < ELEMENTSOF(l); i++)
		if (log->events[i].type != EV_NO_ACTION && log->events[i].register_index == 1)
			l[nl++] = &log->events[i];
	assert_int_equal(nl, 14);

	struct expected_inputs in;
	expected_inputs_init(&in);
	in.firmware = &ovmf;
	in.memory_size = 2ULL << 30;
	in.profile = FIRMWARE_EDK2_PRE_202411;
	struct expected_event *ev;
	size_t n;
	assert_int_equal(rtmr0_events_compute(&in, &ev, &n, &err), 0);
	assert_int_equal(n, 13);
	uint8_t rtmr0[SHA384_SIZE] = { 0 };
	size_t reproduced = 0;
	for (size_t i = 0; i < n; i++) {
		const struct eventlog_digest *d = eventlog_event_digest(l[i], TCG_ALG_SHA384);
		assert_non_null(d);
		assert_int_equal(l[i]->type, ev[i].type);
		if (ev[i].kind == EXPECTED_CFV || ev[i].unknown) {
			/* Not public: that firmware's CFV, that VM's ACPI blobs. */
			assert_true(ev[i].kind == EXPECTED_CFV || ev[i].kind == EXPECTED_ACPI_LOADER ||
				    ev[i].kind == EXPECTED_ACPI_RSDP ||
				    ev[i].kind == EXPECTED_ACPI_TABLES);
		} else {
			if (!digest_equal(d->value, ev[i].digests[HASH_SHA384], SHA384_SIZE))
				fail_msg("RTMR0 event %zu (%s) differs from the real log", i,
					 ev[i].description);
			reproduced++;
		}
		assert_int_equal(mr_extend(HASH_SHA384, rtmr0, d->value), 0);
	}
	assert_int_equal(reproduced, 9); /* HOB, 5 variables, separator, BootOrder, Boot0000 */
	/* The 14th: the separator after "Calling EFI Application" (host/expected.h). */
	const uint8_t zero4[4] = { 0 };
	uint8_t sep[SHA384_SIZE];
	assert_int_equal(digest_buf(HASH_SHA384, zero4, 4, sep), 0);
	assert_int_equal(l[13]->type, EV_SEPARATOR);
	assert_memory_equal(eventlog_event_digest(l[13], TCG_ALG_SHA384)->value, sep, SHA384_SIZE);
	assert_int_equal(mr_extend(HASH_SHA384, rtmr0, sep), 0);
	unit_assert_hex(rtmr0, SHA384_SIZE,
			"8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e901773"
			"29ec5aba3bb484404f2ab9cc90abe193");

	/* The same HOB with another memory size does not match. */
	free(ev);
	in.memory_size = 4ULL << 30;
	assert_int_equal(rtmr0_events_compute(&in, &ev, &n, &err), 0);
	assert_false(digest_equal(eventlog_event_digest(l[0], TCG_ALG_SHA384)->value,
				  ev[0].digests[HASH_SHA384], SHA384_SIZE));
	free(ev);
	eventlog_free(log);
	free(data);
}

/* A tables blob: FACS, an APIC table with the given entries, zero padding. */
static size_t make_tables(uint8_t *t, size_t cap, const uint8_t *entries, size_t n)
{
	memset(t, 0, cap);
	memcpy(t, "FACS", 4);
	le32_put(t + 4, 64);
	uint8_t *m = t + 64;
	memcpy(m, "APIC", 4);
	le32_put(m + 4, (uint32_t)(44 + n));
	memcpy(m + 44, entries, n);
	return 64 + 44 + n + 32;
}

static void test_madt_cpus(void **state)
{
	/* Local APIC enabled, Local APIC disabled, I/O APIC, x2APIC enabled. */
	static const uint8_t e[] = { 0, 8, 0, 0, 1, 0, 0, 0,  0, 8, 1, 1, 0, 0, 0, 0,
				     1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0,
				     9, 16, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0 };
	uint8_t t[512];
	unsigned n;
	size_t len = make_tables(t, sizeof(t), e, sizeof(e));
	assert_int_equal(acpi_tables_count_cpus(t, len, &n), 0);
	assert_int_equal(n, 2);
	/* An entry running past its table, a zero-length entry, a table past the blob,
	 * a table length below a header, no MADT. */
	uint8_t bad[sizeof(e)];
	memcpy(bad, e, sizeof(e));
	bad[sizeof(e) - 15] = 17;
	len = make_tables(t, sizeof(t), bad, sizeof(bad));
	assert_int_equal(acpi_tables_count_cpus(t, len, &n), -EBADMSG);
	bad[sizeof(e) - 15] = 0;
	assert_int_equal(acpi_tables_count_cpus(t, make_tables(t, sizeof(t), bad, sizeof(bad)), &n),
			 -EBADMSG);
	len = make_tables(t, sizeof(t), e, sizeof(e));
	le32_put(t + 68, 4000);
	assert_int_equal(acpi_tables_count_cpus(t, len, &n), -EBADMSG);
	le32_put(t + 68, 20);
	assert_int_equal(acpi_tables_count_cpus(t, len, &n), -EBADMSG);
	len = make_tables(t, sizeof(t), e, sizeof(e));
	t[64] = 'X';
	assert_int_equal(acpi_tables_count_cpus(t, len, &n), -EBADMSG);
	assert_int_equal(acpi_tables_count_cpus(t, 7, &n), -EBADMSG);
}

static void test_rsdp_derive(void **state)
{
	/* Tables with the RSDT at 0x3aad, as in the VM of trustee's real TD log: the RSDP
	 * derived from them is the one whose digest that log's "ACPI DATA" event holds. */
	size_t len = 0x3aad + 40 + 64;
	uint8_t *t = calloc(1, len);
	assert_non_null(t);
	memcpy(t, "FACS", 4);
	le32_put(t + 4, 64);
	memcpy(t + 64, "DSDT", 4);
	le32_put(t + 68, 0x3aad - 64);
	memcpy(t + 0x3aad, "RSDT", 4);
	le32_put(t + 0x3aad + 4, 40);
	memcpy(t + 0x3aad + 10, "BOCHS ", 6);
	uint8_t rsdp[ACPI_RSDP_V1_SIZE], d[SHA384_SIZE];
	assert_int_equal(acpi_rsdp_derive(t, len, rsdp), 0);
	unit_assert_hex(rsdp, sizeof(rsdp), "525344205054522000424f4348532000ad3a0000");
	assert_int_equal(digest_buf(HASH_SHA384, rsdp, sizeof(rsdp), d), 0);
	unit_assert_hex(d, SHA384_SIZE,
			"379c9de60d0dd6862394273f66ad30e8707ba61b601e379e9c4718a026e06c66"
			"f78a5d98d3fd147b06d9398ccd4174ef");
	/* ACPI 2.0 tables (an XSDT) are not modelled; no RSDT; a broken length. */
	memcpy(t + 64, "XSDT", 4);
	assert_int_equal(acpi_rsdp_derive(t, len, rsdp), -ENOTSUP);
	memcpy(t + 64, "DSDT", 4);
	memcpy(t + 0x3aad, "SSDT", 4);
	assert_int_equal(acpi_rsdp_derive(t, len, rsdp), -ENOTSUP);
	le32_put(t + 68, 0x100000);
	assert_int_equal(acpi_rsdp_derive(t, len, rsdp), -EBADMSG);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variable_data),
		cmocka_unit_test(test_load_option),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_trustee_ovmf_rtmr0),
		cmocka_unit_test(test_madt_cpus),
		cmocka_unit_test(test_rsdp_derive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
