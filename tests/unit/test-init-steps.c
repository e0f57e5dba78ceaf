/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-init end to end against the fake seam: the exact call sequence of a good boot,
 * the exact bytes measured and logged on each backend, fault injection over every call,
 * and the ways a boot must stop.
 */
#include "unit-helpers.h"

#include "init-fake.h"
#include "initrd/init.h"

#include "core/util.h"
#include "core/verity.h"

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define DATA_UUID "4f68bce3-0000-4db1-96e7-000000000001"
#define HASH_UUID "2c7357ed-0000-46d9-aec1-000000000002"
#define RTMR3_SYSFS "/sys/class/misc/tdx_guest/measurements/rtmr3:sha384"

/* Python: hashlib.sha384(AAEL event of base_vc()) - see test_tdx_sysfs_happy. */
#define EVENT_SHA384                                                                          \
	"859261e3821c46cf95d7acd4752b6de5b69c1676b9bdc739ee0dca3ec92b0e4cbb73256c8af7e6d7908573" \
	"872c004909"
#define EVENT_SHA256 "0a65ce6540280c81144e10af5e7aadcc4f08da9b5e3b0644fea9e6d343b6633c"

enum world_backend { W_TDX_SYSFS, W_TDX_IOCTL, W_TPM, W_NONE };

/* As in tdverity-init (initrd/main.c): the link-time seam of lib/core/digest.h, so these
 * tests see /init's SM3 refusal (test-digest checks libcrypto's SM3 itself). */
int digest_sm3(const void *a, size_t alen, const void *b, size_t blen, uint8_t *out)
{
	(void)a, (void)alen, (void)b, (void)blen, (void)out;
	return -EOPNOTSUPP;
}
const EVP_MD *digest_sm3_md(void)
{
	return NULL;
}

static struct verity_cmdline base_vc(void)
{
	struct verity_cmdline v;
	verity_cmdline_init(&v);
	v.root.params.alg = HASH_SHA256;
	v.root.params.data_block_size = 4096;
	v.root.params.hash_block_size = 4096;
	v.root.params.data_blocks = 1000;
	v.root.params.salt_size = 32;
	memset(v.root.params.salt, 0x5a, 32);
	v.root.params.superblock = true;
	v.root.params.hash_offset = 0;
	for (int i = 0; i < 32; i++)
		v.root.root_hash[i] = (uint8_t)i;
	snprintf(v.data_device, sizeof(v.data_device), "PARTUUID=%s", DATA_UUID);
	snprintf(v.hash_device, sizeof(v.hash_device), "PARTUUID=%s", HASH_UUID);
	v.on_corruption = VERITY_ON_CORRUPTION_PANIC;
	return v;
}

/* TPM2_GetCapability(PCRS) answer: sha256 and sha384 banks with PCRs 0-23, sha512 with none. */
static const uint8_t pcrs_resp[] = {
	0x80, 0x01, 0x00, 0x00, 0x00, 0x25, 0x00, 0x00, 0x00, 0x00, /* header, 37 bytes, rc 0 */
	0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x03,	    /* moreData, CAP_PCRS, 3 */
	0x00, 0x0b, 0x03, 0xff, 0xff, 0xff,			    /* sha256: all */
	0x00, 0x0c, 0x03, 0xff, 0xff, 0xff,			    /* sha384: all */
	0x00, 0x0d, 0x03, 0x00, 0x00, 0x00,			    /* sha512: none */
};
static const uint8_t extend_ok[] = { 0x80, 0x02, 0x00, 0x00, 0x00, 0x13, 0x00, 0x00, 0x00, 0x00,
				     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00 };

static void world(const struct verity_cmdline *v, const char *extra_cmdline, enum world_backend b)
{
	fake_reset();
	_cleanup_free_ char *params = NULL, *text = NULL;
	assert_int_equal(verity_cmdline_build(v, &params), 0);
	assert_true(asprintf(&text, "console=ttyS0 %s%s\n", params, extra_cmdline) > 0);
	fake_add("/proc/cmdline", S_IFREG | 0444, 0, text, strlen(text));

	const char order[] = "required dm-mod.ko\nrequired dm-verity.ko\n";
	fake_add(INIT_MODULE_LIST, S_IFREG | 0644, 0, order, strlen(order));
	fake_add("/lib/modules/dm-mod.ko", S_IFREG | 0644, 0, "ELF", 3);
	fake_add("/lib/modules/dm-verity.ko", S_IFREG | 0644, 0, "ELF", 3);

	fake.block_names[0] = "vda";
	fake.block_names[1] = "vda1";
	fake.block_names[2] = "vda2";
	fake.n_block_names = 3;
	fake_add("/sys/class/block/vda1/partition", S_IFREG | 0444, 0, "1\n", 2);
	fake_add("/sys/class/block/vda2/partition", S_IFREG | 0444, 0, "2\n", 2);
	fake_add("/dev/vda", S_IFBLK | 0600, makedev(254, 0), NULL, 0);
	struct fake_file *f = fake_add("/dev/vda1", S_IFBLK | 0600, makedev(254, 1), NULL, 0);
	strcpy(f->partuuid, DATA_UUID);
	uint8_t sb[VERITY_SUPERBLOCK_SIZE];
	assert_int_equal(verity_superblock_encode(&v->root.params, sb), 0);
	f = fake_add("/dev/vda2", S_IFBLK | 0600, makedev(254, 2), sb, sizeof(sb));
	strcpy(f->partuuid, HASH_UUID);
	fake_add(INIT_DM_CONTROL, S_IFCHR | 0600, makedev(10, 236), NULL, 0);
	fake_add("/dev/console", S_IFCHR | 0600, makedev(5, 1), NULL, 0);
	fake_add("/dev/kmsg", S_IFCHR | 0644, makedev(1, 11), NULL, 0);
	static const char cpuinfo[] = "processor\t: 0\nvendor_id\t: GenuineIntel\n"
				      "flags\t\t: fpu vme sse4_2 hypervisor\nbugs\t\t:\n";
	fake_add("/proc/cpuinfo", S_IFREG | 0444, 0, cpuinfo, strlen(cpuinfo));
	/* The verified root's mount points: directories on the dm device (253:0). */
	static const char *const root_dirs[] = { INIT_SYSROOT, INIT_SYSROOT "/dev",
						 INIT_SYSROOT "/proc", INIT_SYSROOT "/sys",
						 INIT_SYSROOT "/run" };
	for (size_t i = 0; i < ELEMENTSOF(root_dirs); i++)
		fake_add(root_dirs[i], S_IFDIR | 0755, 0, NULL, 0)->dev = makedev(253, 0);

	switch (b) {
	case W_TDX_SYSFS:
		fake_add(INIT_TDX_SYSFS_DIR, S_IFDIR | 0755, 0, NULL, 0);
		fake_add(RTMR3_SYSFS, S_IFREG | 0200, 0, NULL, 0);
		break;
	case W_TDX_IOCTL:
		fake_add(INIT_TDX_DEV, S_IFCHR | 0600, makedev(10, 120), NULL, 0);
		break;
	case W_TPM:
		fake_add(INIT_TPM_DEV, S_IFCHR | 0600, makedev(10, 224), NULL, 0);
		memcpy(fake.tpm_pcrs_resp, pcrs_resp, sizeof(pcrs_resp));
		fake.tpm_pcrs_resp_len = sizeof(pcrs_resp);
		memcpy(fake.tpm_extend_resp, extend_ok, sizeof(extend_ok));
		fake.tpm_extend_resp_len = sizeof(extend_ok);
		break;
	case W_NONE:
		break;
	}
}

static char *const test_argv[] = { "/init", "--agent-flag", NULL };
static char *const test_envp[] = { "HOME=/", "TERM=linux", NULL };

static int run(void)
{
	return tdverity_init_run(&fake_sys, test_argv, test_envp);
}

static void assert_booted(int r)
{
	if (r != 0 || !fake.execve_called)
		fprintf(stderr, "console:\n%s\n", fake.console);
	assert_int_equal(r, 0);
	assert_true(fake.execve_called);
	assert_false(fake.reboot_called);
	assert_string_equal(fake.execve_path, "/sbin/init");
	assert_string_equal(fake.execve_argv[0], "/sbin/init");
	/* /init's own argv ("--agent-flag" here; "single" from the kernel) is not passed
	 * on: the init runs with exactly the argv the rootfs event states. */
	assert_string_equal(fake.execve_argv[1], "");
}

static const char *failed_step(void);

/* The boot stopped with "tdverity-init: <step>: ..." and powered off; nothing was exec'd. */
static void assert_stopped(int r, const char *step, const char *why)
{
	char want[128];
	snprintf(want, sizeof(want), "tdverity-init: %s: ", step);
	if (!strstr(fake.console, want) || (why && !strstr(fake.console, why)))
		fprintf(stderr, "console:\n%s\nwanted: %s%s\n", fake.console, want, why ? why : "");
	assert_true(r < 0);
	assert_false(fake.execve_called);
	/* no execve was attempted, unless it was the very call made to fail */
	int e = fake_call_index("execve");
	assert_true(e == -1 || (size_t)e + 1 == fake.fail_at);
	assert_true(fake.reboot_called);
	assert_int_equal(fake.reboot_cmd, RB_POWER_OFF);
	assert_non_null(strstr(fake.console, want));
	if (why)
		assert_non_null(strstr(fake.console, why));
	assert_non_null(strstr(fake.console, "tdverity-init: boot stopped, powering off\n"));
	/* ... and it is the line right before "boot stopped" */
	const char *named = failed_step();
	assert_non_null(named);
	assert_string_equal(named, step);
	/* the failure line reaches kmsg too once kmsg is open */
	if (fake.kmsg_opened)
		assert_non_null(strstr(fake.kmsg, want));
	/* the reboot is the last thing done */
	assert_int_equal(strncmp(fake.calls[fake.n_calls - 1], "reboot", 6), 0);
}

static void expected_event(const struct verity_cmdline *v, uint8_t **ret_event, size_t *ret_len)
{
	assert_int_equal(verity_cmdline_rootfs_event(v, NULL, ret_event, ret_len), 0);
}

/* ---- the good boot, TDX sysfs: every call, in order ------------------------------------ */

struct expected_call {
	const char *call;
	const char *step; /* the failure line's step if this call fails; "log": boot goes on */
};

#define O_WR_CONSOLE "0x80101"
static const struct expected_call good_boot[] = {
	{ "mkdir /dev 0755", "mount" },
	{ "mount devtmpfs /dev devtmpfs 0x2 mode=0755", "mount" },
	{ "mkdir /proc 0755", "mount" },
	{ "mount proc /proc proc 0xe -", "mount" },
	{ "mkdir /sys 0755", "mount" },
	{ "mount sysfs /sys sysfs 0xe -", "mount" },
	{ "mkdir /run 0755", "mount" },
	{ "mount tmpfs /run tmpfs 0x6 mode=0755", "mount" },
	{ "open /dev/console 0x80101 0000", "log" },
	{ "open /dev/kmsg 0x80001 0000", "log" },
	{ "mkdir /sysroot 0755", "mount" },
	{ "write /dev/console", "log" },
	{ "write /dev/kmsg", "log" },
	{ "open /proc/cmdline 0x80000 0000", "cmdline" },
	{ "read /proc/cmdline", "cmdline" },
	{ "read /proc/cmdline", "cmdline" },
	{ "close /proc/cmdline", "cmdline" },
	{ "open /lib/modules/load-order 0x80000 0000", "modules" },
	{ "read /lib/modules/load-order", "modules" },
	{ "read /lib/modules/load-order", "modules" },
	{ "close /lib/modules/load-order", "modules" },
	{ "open /lib/modules/dm-mod.ko 0x80000 0000", "modules" },
	{ "finit_module /lib/modules/dm-mod.ko '' 0", "modules" },
	{ "close /lib/modules/dm-mod.ko", "modules" },
	{ "open /lib/modules/dm-verity.ko 0x80000 0000", "modules" },
	{ "finit_module /lib/modules/dm-verity.ko '' 0", "modules" },
	{ "close /lib/modules/dm-verity.ko", "modules" },
	{ "write /dev/console", "log" },
	{ "list_dir /sys/class/block", "devices" },
	{ "stat /sys/class/block/vda/partition", "devices" },
	{ "stat /sys/class/block/vda1/partition", "devices" },
	{ "probe_partuuid /dev/vda1", "devices" },
	{ "stat /dev/vda1", "devices" },
	{ "stat /sys/class/block/vda2/partition", "devices" },
	{ "probe_partuuid /dev/vda2", "devices" },
	{ "list_dir /sys/class/block", "devices" },
	{ "stat /sys/class/block/vda/partition", "devices" },
	{ "stat /sys/class/block/vda1/partition", "devices" },
	{ "probe_partuuid /dev/vda1", "devices" },
	{ "stat /sys/class/block/vda2/partition", "devices" },
	{ "probe_partuuid /dev/vda2", "devices" },
	{ "stat /dev/vda2", "devices" },
	{ "open /dev/vda2 0x80000 0000", "verity" },
	{ "pread /dev/vda2 512@0", "verity" },
	{ "close /dev/vda2", "verity" },
	{ "open /dev/mapper/control 0x80002 0000", "verity" },
	{ "ioctl /dev/mapper/control DM_DEV_CREATE root flags=0x1", "verity" },
	{ "ioctl /dev/mapper/control DM_TABLE_LOAD root flags=0x1", "verity" },
	{ "ioctl /dev/mapper/control DM_DEV_SUSPEND root flags=0x0", "verity" },
	{ "mknod /dev/mapper/root 060600 253:0", "verity" },
	{ "open /dev/mapper/root 0x80000 0000", "verity" },
	{ "pread /dev/mapper/root 4096@0", "verity" },
	{ "pread /dev/mapper/root 4096@4091904", "verity" },
	{ "close /dev/mapper/root", "verity" },
	{ "ioctl /dev/mapper/control DM_TABLE_LOAD root flags=0x1", "verity" },
	{ "ioctl /dev/mapper/control DM_DEV_SUSPEND root flags=0x0", "verity" },
	{ "close /dev/mapper/control", "verity" },
	{ "write /dev/console", "log" },
	{ "write /dev/kmsg", "log" },
	{ "stat /sys/class/misc/tdx_guest", "measure" },
	{ "stat /dev/tdx_guest", "measure" },
	{ "stat /dev/tpm0", "measure" },
	{ "open /proc/cpuinfo 0x80000 0000", "measure" },
	{ "read /proc/cpuinfo", "measure" },
	{ "read /proc/cpuinfo", "measure" },
	{ "close /proc/cpuinfo", "measure" },
	{ "stat " RTMR3_SYSFS, "measure" },
	{ "open " RTMR3_SYSFS " 0x80001 0000", "measure" },
	{ "write " RTMR3_SYSFS " 48", "measure" },
	{ "close " RTMR3_SYSFS, "measure" },
	{ "mkdir /run/attestation-agent 0755", "eventlog" },
	{ "open /run/attestation-agent/eventlog 0xa00c1 0644", "eventlog" },
	{ "write /run/attestation-agent/eventlog 413", "eventlog" },
	{ "close /run/attestation-agent/eventlog", "eventlog" },
	{ "write /dev/console", "log" },
	{ "write /dev/kmsg", "log" },
	{ "mount /dev/mapper/root /sysroot ext4 0x1 -", "mount-root" },
	{ "open /sysroot 0x2b0000 0000", "switch-root" },
	{ "fstat /sysroot", "switch-root" },
	{ "close /sysroot", "switch-root" },
	{ "open /sysroot/dev 0x2b0000 0000", "switch-root" },
	{ "fstat /sysroot/dev", "switch-root" },
	{ "move_mount /dev /sysroot/dev", "switch-root" },
	{ "close /sysroot/dev", "switch-root" },
	{ "open /sysroot/proc 0x2b0000 0000", "switch-root" },
	{ "fstat /sysroot/proc", "switch-root" },
	{ "move_mount /proc /sysroot/proc", "switch-root" },
	{ "close /sysroot/proc", "switch-root" },
	{ "open /sysroot/sys 0x2b0000 0000", "switch-root" },
	{ "fstat /sysroot/sys", "switch-root" },
	{ "move_mount /sys /sysroot/sys", "switch-root" },
	{ "close /sysroot/sys", "switch-root" },
	{ "open /sysroot/run 0x2b0000 0000", "switch-root" },
	{ "fstat /sysroot/run", "switch-root" },
	{ "move_mount /run /sysroot/run", "switch-root" },
	{ "close /sysroot/run", "switch-root" },
	{ "chdir /sysroot", "switch-root" },
	{ "mount /sysroot / - 0x2000 -", "switch-root" },
	{ "chroot .", "switch-root" },
	{ "chdir /", "switch-root" },
	{ "write /dev/console", "log" },
	{ "write /dev/kmsg", "log" },
	{ "execve /sbin/init", "exec" },
};

static void test_tdx_sysfs_happy(void **state)
{
	struct verity_cmdline v = base_vc();
	world(&v, "", W_TDX_SYSFS);
	assert_booted(run());

	/* the exact sequence */
	for (size_t i = 0; i < fake.n_calls && i < ELEMENTSOF(good_boot); i++)
		if (strncmp(fake.calls[i], good_boot[i].call, strlen(good_boot[i].call)) != 0) {
			fprintf(stderr, "call %zu: got '%s', want '%s'\n", i, fake.calls[i],
				good_boot[i].call);
			fail();
		}
	assert_int_equal(fake.n_calls, ELEMENTSOF(good_boot));

	/* the RTMR got exactly SHA-384(event data): computed here and by Python */
	_cleanup_free_ uint8_t *event = NULL, *record = NULL;
	size_t event_len, len, record_len;
	expected_event(&v, &event, &event_len);
	uint8_t d[48];
	assert_int_equal(digest_buf(HASH_SHA384, event, event_len, d), 0);
	const uint8_t *rtmr = fake_written(RTMR3_SYSFS, &len);
	assert_non_null(rtmr);
	assert_int_equal(len, 48);
	assert_memory_equal(rtmr, d, 48);
	unit_assert_hex(rtmr, 48, EVENT_SHA384);

	/* the event log holds exactly the one TCG2 record: CC MR index 4 = RTMR3 */
	struct tcg2_digest td = { .alg = HASH_SHA384 };
	memcpy(td.value, d, 48);
	assert_int_equal(tcg2_record_encode(4, EV_EVENT_TAG, &td, 1, event, event_len, &record,
					    &record_len), 0);
	const uint8_t *log = fake_written(INIT_EVENTLOG, &len);
	assert_non_null(log);
	assert_int_equal(len, record_len);
	assert_memory_equal(log, record, len);
	uint8_t h[32];
	assert_int_equal(digest_buf(HASH_SHA256, log, len, h), 0);
	unit_assert_hex(h, 32, "395d614312a4d8030ce952979fb0f086b573ecd3acc1b04e71f29688cae2f17a");

	/* markers */
	assert_non_null(strstr(fake.console, "tdverity-init: starting (version "));
	assert_non_null(strstr(fake.console, "tdverity-init: modules: loaded 2\n"));
	assert_non_null(strstr(fake.console,
			       "tdverity-init: verity: root hash 000102030405060708090a0b0c0d0e0f"
			       "101112131415161718191a1b1c1d1e1f verified on /dev/mapper/root"));
	assert_non_null(strstr(fake.console, "tdverity-init: measured rootfs into RTMR3 (sysfs)\n"));
	assert_non_null(strstr(fake.console, "tdverity-init: exec /sbin/init\n"));
	assert_non_null(strstr(fake.kmsg, "<5>tdverity-init: exec /sbin/init\n"));
	assert_null(strstr(fake.console, "UNMEASURED"));
}

/* The two tables: first without the corruption option (our read-back check gets EIO),
 * then the same with panic_on_corruption. */
static void test_dm_tables(void **state)
{
	struct verity_cmdline v = base_vc();
	world(&v, "", W_TDX_SYSFS);
	assert_booted(run());
	assert_int_equal(fake.n_dm_tables, 2);
	const char *want[2] = {
		"1 254:1 254:2 4096 4096 1000 1 sha256 "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f "
		"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
		"1 254:1 254:2 4096 4096 1000 1 sha256 "
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f "
		"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a 1 panic_on_corruption",
	};
	for (int i = 0; i < 2; i++) {
		const struct dm_ioctl *io = (const void *)fake.dm_tables[i];
		assert_int_equal(io->version[0], 4);
		assert_int_equal(io->target_count, 1);
		assert_int_equal(io->flags, DM_READONLY_FLAG);
		assert_int_equal(io->data_start, sizeof(*io));
		assert_int_equal(io->data_size, fake.dm_table_len[i]);
		assert_string_equal(io->name, "root");
		const struct dm_target_spec *spec = (const void *)(fake.dm_tables[i] + sizeof(*io));
		assert_int_equal(spec->sector_start, 0);
		assert_int_equal(spec->length, 1000 * 8);
		assert_string_equal(spec->target_type, "verity");
		assert_string_equal((const char *)(spec + 1), want[i]);
	}
}

static void test_restart_policy(void **state)
{
	struct verity_cmdline v = base_vc();
	v.on_corruption = VERITY_ON_CORRUPTION_RESTART;
	world(&v, "", W_TDX_SYSFS);
	assert_booted(run());
	const char *params = (const char *)(fake.dm_tables[1] + sizeof(struct dm_ioctl) +
					     sizeof(struct dm_target_spec));
	assert_non_null(strstr(params, " 1 restart_on_corruption"));
	assert_null(strstr((const char *)(fake.dm_tables[0] + sizeof(struct dm_ioctl) +
					  sizeof(struct dm_target_spec)), "corruption"));
}

/* ---- other backends -------------------------------------------------------------------- */

static void test_tdx_ioctl(void **state)
{
	struct verity_cmdline v = base_vc();
	v.rtmr = 2;
	world(&v, "", W_TDX_IOCTL);
	assert_booted(run());
	assert_int_equal(fake.tdx_request, 0x40315403UL); /* _IOW('T', 3, 49 bytes) */
	unit_assert_hex(fake.tdx_req, 48, EVENT_SHA384);
	assert_int_equal(fake.tdx_req[48], 2);
	assert_non_null(strstr(fake.console, "measured rootfs into RTMR2 (ioctl)"));
	size_t len;
	const uint8_t *log = fake_written(INIT_EVENTLOG, &len);
	assert_non_null(log);
	assert_int_equal(le32_get(log), 3); /* CC MR index 3 = RTMR2 */

	/* An older driver only knows the _IOR number. */
	world(&v, "", W_TDX_IOCTL);
	fake.tdx_iow_enotty = true;
	assert_booted(run());
	assert_int_equal(fake.tdx_request, 0x80315403UL);
	unit_assert_hex(fake.tdx_req, 48, EVENT_SHA384);
}

static void test_tpm(void **state)
{
	struct verity_cmdline v = base_vc();
	world(&v, "", W_TPM);
	assert_booted(run());
	assert_int_equal(fake.n_tpm_cmds, 2);
	unit_assert_hex(fake.tpm_cmds[0], fake.tpm_cmd_len[0],
			"8001000000160000017a000000050000000000000001");
	/* Python-built TPM2_PCR_Extend(15, {sha256, sha384}) */
	unit_assert_hex(fake.tpm_cmds[1], fake.tpm_cmd_len[1],
			"800200000073000001820000000f0000000940000009000000000000000002000b"
			EVENT_SHA256 "000c" EVENT_SHA384);
	size_t len;
	const uint8_t *log = fake_written(INIT_EVENTLOG, &len);
	assert_non_null(log);
	uint8_t h[32];
	assert_int_equal(digest_buf(HASH_SHA256, log, len, h), 0);
	unit_assert_hex(h, 32, "229654bc2ea575a9cd127cf3baa3f9864bad55fba10b23322265241575c2a165");
	assert_non_null(strstr(fake.console, "measured rootfs into PCR15 (sha256,sha384)\n"));
}

static void test_tpm_errors(void **state)
{
	struct verity_cmdline v = base_vc();
	/* a TPM error code on extend */
	world(&v, "", W_TPM);
	static const uint8_t err_resp[] = { 0x80, 0x01, 0, 0, 0, 0x0a, 0, 0, 0x09, 0x22 };
	memcpy(fake.tpm_extend_resp, err_resp, sizeof(err_resp));
	fake.tpm_extend_resp_len = sizeof(err_resp);
	assert_stopped(run(), "measure", "TPM error 0x922");
	assert_null(fake_written(INIT_EVENTLOG, &(size_t){ 0 }));

	/* a short (truncated) success answer */
	world(&v, "", W_TPM);
	fake.tpm_extend_resp_len = sizeof(extend_ok) - 1;
	fake.tpm_extend_resp[5] = sizeof(extend_ok) - 1;
	assert_stopped(run(), "measure", "malformed response");

	/* an SM3-256 bank: this /init has no SM3 (lib/core/digest.h); refuse before any
	 * extend. */
	world(&v, "", W_TPM);
	fake.tpm_pcrs_resp[20] = 0x12; /* first bank: sha256 -> sm3_256 */
	assert_stopped(run(), "measure", "active PCR bank sm3_256 (0x0012): this tdverity-init "
					 "cannot compute it");
	assert_int_equal(fake.n_tpm_cmds, 1);
	/* an algorithm nobody knows */
	world(&v, "", W_TPM);
	fake.tpm_pcrs_resp[20] = 0x77;
	assert_stopped(run(), "measure", "active PCR bank 0x0077 is not an algorithm");
	assert_int_equal(fake.n_tpm_cmds, 1);

	/* no bank holds the PCR */
	v.pcr = 14;
	world(&v, "", W_TPM);
	fake.tpm_pcrs_resp[23] = 0x3f; /* sha256: PCRs 14, 15 off */
	fake.tpm_pcrs_resp[29] = 0x3f; /* sha384 too */
	assert_stopped(run(), "measure", "no active PCR bank holds PCR 14");
}

/*
 * Every active bank gets its own digest, SHA-1 included: a stock swtpm (no --pcr-banks)
 * has sha1+sha256, `--pcr-banks -` all four.  Commands and records against Python's
 * hashlib/struct (the event of base_vc(): sha1 f6228404..., sha512 2f09d0f4...).
 */
static void test_tpm_banks(void **state)
{
	static const struct {
		const char *pcrs_resp; /* TPM2_GetCapability(PCRS) answer, PCRs 0-23 in each */
		const char *extend;    /* the TPM2_PCR_Extend(15, ...) command */
		const char *record;    /* the log record up to the event size */
		const char *line;
	} cases[] = {
		{ "80010000001f00000000000000000500000002000403ffffff000b03ffffff",
			"800200000057000001820000000f00000009400000090000000000000000020004f622840434449d"
			"d0dcaa7352a5343a27be717bd2000b0a65ce6540280c81144e10af5e7aadcc4f08da9b5e3b0644fe"
			"a9e6d343b6633c",
			"0f00000006000000020000000400f622840434449dd0dcaa7352a5343a27be717bd20b000a65ce65"
			"40280c81144e10af5e7aadcc4f08da9b5e3b0644fea9e6d343b6633c",
		  "measured rootfs into PCR15 (sha1,sha256)\n" },
		{ "80010000002b00000000000000000500000004000403ffffff000b03ffffff000c03ffffff000d03"
		  "ffffff",
			"8002000000cb000001820000000f00000009400000090000000000000000040004f622840434449d"
			"d0dcaa7352a5343a27be717bd2000b0a65ce6540280c81144e10af5e7aadcc4f08da9b5e3b0644fe"
			"a9e6d343b6633c000c859261e3821c46cf95d7acd4752b6de5b69c1676b9bdc739ee0dca3ec92b0e"
			"4cbb73256c8af7e6d7908573872c004909000d2f09d0f48ecb74c2fe00cbb2913668c1fc112fbb61"
			"43f062f9a6c37720694270fda7586ee67195714f38fedacdfc7ac289c0ff288fb0910f7e0ef78d7a"
			"7e1f1d",
			"0f00000006000000040000000400f622840434449dd0dcaa7352a5343a27be717bd20b000a65ce65"
			"40280c81144e10af5e7aadcc4f08da9b5e3b0644fea9e6d343b6633c0c00859261e3821c46cf95d7"
			"acd4752b6de5b69c1676b9bdc739ee0dca3ec92b0e4cbb73256c8af7e6d7908573872c0049090d00"
			"2f09d0f48ecb74c2fe00cbb2913668c1fc112fbb6143f062f9a6c37720694270fda7586ee6719571"
			"4f38fedacdfc7ac289c0ff288fb0910f7e0ef78d7a7e1f1d",
		  "measured rootfs into PCR15 (sha1,sha256,sha384,sha512)\n" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct verity_cmdline v = base_vc();
		world(&v, "", W_TPM);
		size_t n = strlen(cases[i].pcrs_resp) / 2;
		assert_int_equal(hex_decode_exact(cases[i].pcrs_resp, fake.tpm_pcrs_resp, n), 0);
		fake.tpm_pcrs_resp_len = n;
		assert_booted(run());
		assert_int_equal(fake.n_tpm_cmds, 2);
		unit_assert_hex(fake.tpm_cmds[1], fake.tpm_cmd_len[1], cases[i].extend);
		size_t len;
		const uint8_t *log = fake_written(INIT_EVENTLOG, &len);
		assert_non_null(log);
		size_t head = strlen(cases[i].record) / 2;
		assert_true(len > head + 4);
		unit_assert_hex(log, head, cases[i].record);
		/* then the event's size and the event itself, nothing else */
		assert_int_equal(le32_get(log + head), len - head - 4);
		assert_non_null(strstr(fake.console, cases[i].line));
	}
}

static void test_measure_policy(void **state)
{
	struct verity_cmdline v = base_vc();

	/* auto, nothing to measure with: refuse */
	world(&v, "", W_NONE);
	assert_stopped(run(), "measure", "no measurement device");
	assert_int_equal(fake_call_index("mount /dev/mapper/root /sysroot"), -1);

	/* explicit tdx without TDX (but with a TPM) */
	v.measure = MEASURE_TDX;
	world(&v, "", W_TPM);
	assert_stopped(run(), "measure", "tdverity.measure=tdx but no TDX guest device");

	/* explicit tpm on a TDX guest */
	v.measure = MEASURE_TPM;
	world(&v, "", W_TDX_SYSFS);
	assert_stopped(run(), "measure", "tdverity.measure=tpm but no /dev/tpm0");

	/* TDX wins over a TPM in auto */
	v.measure = MEASURE_AUTO;
	world(&v, "", W_TDX_SYSFS);
	fake_add(INIT_TPM_DEV, S_IFCHR | 0600, makedev(10, 224), NULL, 0);
	assert_booted(run());
	assert_non_null(strstr(fake.console, "RTMR3 (sysfs)"));

	/* none: boots, says so loudly, logs nothing */
	v.measure = MEASURE_NONE;
	world(&v, "", W_NONE);
	assert_booted(run());
	assert_non_null(strstr(fake.console, "tdverity-init: UNMEASURED BOOT (tdverity.measure=none)"));
	assert_non_null(strstr(fake.kmsg, "UNMEASURED BOOT"));
	assert_null(fake_written(INIT_EVENTLOG, &(size_t){ 0 }));
	assert_int_equal(fake_call_index("stat /dev/tpm0"), -1);
}

/* Under auto a TD never falls back to the vTPM (the host's): the CPU says it is a TD
 * (CPUID leaf 0x21, or tdx_guest in /proc/cpuinfo) and there is no RTMR interface. */
static void test_td_never_falls_back(void **state)
{
	struct verity_cmdline v = base_vc();

	world(&v, "", W_TPM);
	fake.cpuid_tdx = true;
	assert_stopped(run(), "measure",
		       "this is a TDX guest (CPUID leaf 0x21) but it has no RTMR interface");
	assert_int_equal(fake.n_tpm_cmds, 0);
	assert_int_equal(fake_call_index("open /proc/cpuinfo"), -1); /* CPUID was enough */

	world(&v, "", W_TPM);
	struct fake_file *f = fake_find("/proc/cpuinfo");
	free(f->data);
	f->data = (uint8_t *)strdup("processor\t: 0\nflags\t\t: fpu tdx_guest sse4_2\n"
				    "processor\t: 1\n");
	f->len = strlen((char *)f->data);
	assert_stopped(run(), "measure",
		       "this is a TDX guest (/proc/cpuinfo tdx_guest) but it has no RTMR");
	assert_int_equal(fake.n_tpm_cmds, 0);

	/* a flag that only looks like it, or on a later line, is not the word */
	world(&v, "", W_TPM);
	f = fake_find("/proc/cpuinfo");
	free(f->data);
	f->data = (uint8_t *)strdup("processor\t: 0\nflags\t\t: fpu tdx_guest_x\n"
				    "bugs\t\t: tdx_guest\n");
	f->len = strlen((char *)f->data);
	assert_booted(run());
	assert_int_equal(fake.n_tpm_cmds, 2);

	/* a TD with its RTMRs: TDX, as ever */
	world(&v, "", W_TDX_SYSFS);
	fake_add(INIT_TPM_DEV, S_IFCHR | 0600, makedev(10, 224), NULL, 0);
	fake.cpuid_tdx = true;
	assert_booted(run());
	assert_int_equal(fake.n_tpm_cmds, 0);

	/* tdverity.measure=tdx on a TD without RTMRs: refuses too */
	v.measure = MEASURE_TDX;
	world(&v, "", W_TPM);
	fake.cpuid_tdx = true;
	assert_stopped(run(), "measure", "tdverity.measure=tdx but no TDX guest device");
}

/* The switch-root targets must be directories of the verified root, never symlinks. */
static void test_switch_root_targets(void **state)
{
	struct verity_cmdline v = base_vc();

	world(&v, "", W_TDX_SYSFS);
	struct fake_file *f = fake_find(INIT_SYSROOT "/run");
	f->mode = S_IFLNK | 0777; /* /sysroot/run -> / */
	assert_stopped(run(), "switch-root", "/sysroot/run: Not a directory (must be a directory");
	assert_int_equal(fake_call_index("move_mount /run"), -1);

	world(&v, "", W_TDX_SYSFS);
	fake_find(INIT_SYSROOT "/proc")->dev = makedev(8, 1); /* another file system */
	assert_stopped(run(), "switch-root", "/sysroot/proc is not a directory of the verified root");
	assert_int_equal(fake_call_index("move_mount /proc"), -1);
	assert_true(fake_call_index("move_mount /dev") >= 0);

	world(&v, "", W_TDX_SYSFS);
	strcpy(fake_find(INIT_SYSROOT "/sys")->path, "/elsewhere");
	assert_stopped(run(), "switch-root", "/sysroot/sys: No such file or directory");
}

/* ---- the ways a boot must stop --------------------------------------------------------- */

static void test_wrong_root_hash(void **state)
{
	struct verity_cmdline v = base_vc();
	world(&v, "", W_TDX_SYSFS);
	fake.dm_read_errno = EIO; /* what dm-verity answers when the root hash does not match */
	assert_stopped(run(), "verity", "reading block 0 of the verity device failed");
	/* stopped before the corruption policy was armed, before measuring and mounting */
	assert_int_equal(fake.n_dm_tables, 1);
	assert_int_equal(fake_call_index("stat /sys/class/misc"), -1);
	assert_int_equal(fake_call_index("mount /dev/mapper/root"), -1);
}

static void test_superblock_mismatch(void **state)
{
	struct verity_cmdline v = base_vc();
	world(&v, "", W_TDX_SYSFS);
	fake_find("/dev/vda2")->data[100] ^= 1; /* a salt byte */
	assert_stopped(run(), "verity", "does not match the command line");
	assert_int_equal(fake_call_index("open /dev/mapper/control"), -1);

	world(&v, "", W_TDX_SYSFS);
	fake_find("/dev/vda2")->data[0] ^= 1; /* the magic */
	assert_stopped(run(), "verity", "no valid verity superblock");

	/* a cmdline uuid must match the superblock's */
	v.root.params.uuid[0] = 0x42;
	struct verity_cmdline on_disk = v;
	memset(on_disk.root.params.uuid, 0x11, 16);
	world(&on_disk, "", W_TDX_SYSFS);
	/* world() wrote on_disk's uuid; put v's cmdline in */
	_cleanup_free_ char *params = NULL, *text = NULL;
	assert_int_equal(verity_cmdline_build(&v, &params), 0);
	assert_true(asprintf(&text, "%s\n", params) > 0);
	struct fake_file *c = fake_find("/proc/cmdline");
	free(c->data);
	c->data = (uint8_t *)strdup(text);
	c->len = strlen(text);
	assert_stopped(run(), "verity", "does not match the command line");

	/* without a superblock nothing is read from the hash device first */
	v = base_vc();
	v.root.params.superblock = false;
	v.root.params.hash_offset = 8192;
	world(&v, "", W_TDX_SYSFS);
	assert_booted(run());
	assert_int_equal(fake_call_index("pread /dev/vda2"), -1);
	const char *params1 = (const char *)(fake.dm_tables[0] + sizeof(struct dm_ioctl) +
					      sizeof(struct dm_target_spec));
	assert_non_null(strstr(params1, " 4096 4096 1000 2 sha256 "));
}

static void test_devices(void **state)
{
	struct verity_cmdline v = base_vc();

	/* the hash partition never appears: bounded wait, then stop */
	world(&v, "", W_TDX_SYSFS);
	fake_find("/dev/vda2")->partuuid[0] = '\0';
	assert_stopped(run(), "devices", "PARTUUID=" HASH_UUID " not found within 10 s");
	assert_true(fake.now >= 1000 + 10000);
	assert_true(fake.now <= 1000 + 10000 + 100);

	/* the disk is missing altogether */
	v.timeout_sec = 2;
	world(&v, "", W_TDX_SYSFS);
	fake.n_block_names = 0;
	assert_stopped(run(), "devices",
		       "PARTUUID=" DATA_UUID " and PARTUUID=" HASH_UUID " not found within 2 s");

	/* partitions that show up late are waited for */
	v.timeout_sec = 10;
	world(&v, "", W_TDX_SYSFS);
	fake.partitions_appear_after_ms = 700;
	assert_booted(run());
	assert_true(fake.now >= 1700 && fake.now < 1800);

	/* two partitions with the same PARTUUID: refuse, do not pick */
	world(&v, "", W_TDX_SYSFS);
	fake.block_names[3] = "vdb1";
	fake.n_block_names = 4;
	fake_add("/sys/class/block/vdb1/partition", S_IFREG | 0444, 0, "1\n", 2);
	strcpy(fake_add("/dev/vdb1", S_IFBLK | 0600, makedev(254, 17), NULL, 0)->partuuid, DATA_UUID);
	assert_stopped(run(), "devices", "is on both /dev/vda1 and /dev/vdb1");

	/* a /dev path selector, and one that is not a block device */
	strcpy(v.data_device, "/dev/vda1");
	world(&v, "", W_TDX_SYSFS);
	assert_booted(run());
	strcpy(v.data_device, "/dev/mapper/control");
	world(&v, "", W_TDX_SYSFS);
	assert_stopped(run(), "devices", "/dev/mapper/control is not a block device");
}

static void test_modules(void **state)
{
	struct verity_cmdline v = base_vc();

	/* a listed module file is missing */
	world(&v, "", W_TDX_SYSFS);
	strcpy(fake_find("/lib/modules/dm-verity.ko")->path, "/lib/modules/gone.ko");
	assert_stopped(run(), "modules", "/lib/modules/dm-verity.ko: No such file or directory");

	/* already loaded / built in is fine; any other load error is not */
	world(&v, "", W_TDX_SYSFS);
	int idx;
	fake.fail_errno = EEXIST;
	fake.fail_at = 23; /* finit_module of dm-mod.ko (see good_boot) */
	assert_booted(run());
	idx = fake_call_index("finit_module /lib/modules/dm-mod.ko");
	assert_int_equal(idx, 22);

	/* a malformed list */
	world(&v, "", W_TDX_SYSFS);
	struct fake_file *f = fake_find(INIT_MODULE_LIST);
	free(f->data);
	f->data = (uint8_t *)strdup("required ../../etc/evil.ko\n");
	f->len = strlen((char *)f->data);
	assert_stopped(run(), "modules", "module list line 1: '.' or '..' component");

	/* The classes of the list.  An optional module (a CPU accelerator) that says ENODEV
	 * (QEMU's default CPU has no SSE4.2 for crc32c-intel): one line, and the boot goes on;
	 * the same module listed as required stops the boot, and so does any other error of
	 * an optional one. */
	static const struct {
		const char *class;
		int err;
		bool boots;
		const char *line;
	} classes[] = {
		{ "optional", ENODEV, true,
		  "tdverity-init: modules: optional /lib/modules/crc32c-intel.ko not loaded: No "
		  "such device\n" },
		{ "required", ENODEV, false, "loading /lib/modules/crc32c-intel.ko: No such device" },
		{ "optional", EINVAL, false,
		  "loading optional /lib/modules/crc32c-intel.ko: Invalid argument" },
		{ "optional", ENOEXEC, false,
		  "loading optional /lib/modules/crc32c-intel.ko: Exec format error" },
	};
	for (size_t i = 0; i < ELEMENTSOF(classes); i++) {
		world(&v, "", W_TDX_SYSFS);
		f = fake_find(INIT_MODULE_LIST);
		free(f->data);
		assert_true(asprintf((char **)&f->data,
				     "required dm-mod.ko\n%s crc32c-intel.ko\nrequired dm-verity.ko\n",
				     classes[i].class) > 0);
		f->len = strlen((char *)f->data);
		fake_add("/lib/modules/crc32c-intel.ko", S_IFREG | 0644, 0, "ELF", 3);
		fake.finit_fail_path = "/lib/modules/crc32c-intel.ko";
		fake.finit_fail_errno = classes[i].err;
		if (classes[i].boots) {
			assert_booted(run());
			assert_non_null(strstr(fake.console, classes[i].line));
			assert_non_null(strstr(fake.kmsg, "optional /lib/modules/crc32c-intel.ko"));
			assert_non_null(strstr(fake.console, "modules: loaded 2, 1 optional skipped\n"));
			/* ...and the modules after it were still loaded */
			assert_true(fake_call_index("finit_module /lib/modules/dm-verity.ko") >
				    fake_call_index("finit_module /lib/modules/crc32c-intel.ko"));
		} else {
			assert_stopped(run(), "modules", classes[i].line);
			assert_int_equal(fake_call_index("finit_module /lib/modules/dm-verity.ko"),
					 -1);
		}
	}

	/* a file of the list missing is never optional */
	world(&v, "", W_TDX_SYSFS);
	f = fake_find(INIT_MODULE_LIST);
	free(f->data);
	f->data = (uint8_t *)strdup("optional gone.ko\nrequired dm-verity.ko\n");
	f->len = strlen((char *)f->data);
	assert_stopped(run(), "modules", "/lib/modules/gone.ko: No such file or directory");

	/* no list: nothing to load */
	world(&v, "", W_TDX_SYSFS);
	strcpy(fake_find(INIT_MODULE_LIST)->path, "/elsewhere");
	assert_booted(run());
	assert_int_equal(fake_call_index("finit_module"), -1);
}

static void test_cmdline_rejections(void **state)
{
	struct verity_cmdline v = base_vc();
	static const struct {
		const char *extra;
		const char *why; /* a word the failure line must hold */
	} cases[] = {
		{ " roothash=00", "roothash" },		 /* duplicated */
		{ " tdverity.rtmr=1", "tdverity.rtmr" }, /* duplicated and out of range */
		{ " \"unterminated", "parse" },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		world(&v, cases[i].extra, W_TDX_SYSFS);
		assert_stopped(run(), "cmdline", cases[i].why);
		assert_int_equal(fake_call_index("open /lib/modules"), -1);
	}

	/* missing roothash altogether */
	world(&v, "", W_TDX_SYSFS);
	struct fake_file *c = fake_find("/proc/cmdline");
	free(c->data);
	c->data = (uint8_t *)strdup("console=ttyS0 quiet\n");
	c->len = strlen((char *)c->data);
	assert_stopped(run(), "cmdline", "missing");

	/* a NUL byte in /proc/cmdline */
	world(&v, "", W_TDX_SYSFS);
	c = fake_find("/proc/cmdline");
	c->data[3] = '\0';
	assert_stopped(run(), "cmdline", "NUL");
}

static void test_mount_root_and_exec_failures(void **state)
{
	struct verity_cmdline v = base_vc();
	/* a failed execve of the verified init stops the boot, too */
	world(&v, "", W_TDX_SYSFS);
	fake.fail_errno = ENOENT;
	fake.fail_at = ELEMENTSOF(good_boot);
	assert_stopped(run(), "exec", "execve /sbin/init: No such file or directory");

	/* the event log already exists (O_EXCL): ours must be the first record */
	world(&v, "", W_TDX_SYSFS);
	fake_add(INIT_EVENTLOG, S_IFREG | 0644, 0, "x", 1);
	assert_stopped(run(), "eventlog", "creating /run/attestation-agent/eventlog: File exists");
}

/* Every call of the good boot, failed in turn. */
static void test_fault_injection(void **state)
{
	struct verity_cmdline v = base_vc();
	for (size_t i = 0; i < ELEMENTSOF(good_boot); i++) {
		world(&v, "", W_TDX_SYSFS);
		fake.fail_at = i + 1;
		fake.fail_errno = EIO;
		int r = run();
		assert_true(fake.n_calls > i);
		if (strncmp(fake.calls[i], good_boot[i].call, strlen(good_boot[i].call)) != 0) {
			fprintf(stderr, "call %zu: got '%s', want '%s'\n", i, fake.calls[i],
				good_boot[i].call);
			fail();
		}
		if (strcmp(good_boot[i].step, "log") == 0) {
			/* a console/kmsg channel that fails does not decide the boot */
			assert_booted(r);
			continue;
		}
		char why[256];
		snprintf(why, sizeof(why), "%s", "Input/output error");
		/* the failure line names the step and the reason */
		assert_stopped(r, good_boot[i].step, why);
		/* and nothing ran after the failed call but logging and the power-off */
		for (size_t j = i + 1; j < fake.n_calls; j++) {
			const char *c = fake.calls[j];
			bool ok = strncmp(c, "write /dev/console", 18) == 0 ||
				  strncmp(c, "write /dev/kmsg", 15) == 0 ||
				  strncmp(c, "write <stderr>", 14) == 0 ||
				  strncmp(c, "close ", 6) == 0 || strncmp(c, "reboot", 6) == 0;
			if (!ok) {
				fprintf(stderr, "after failing call %zu (%s): %s\n", i,
					good_boot[i].call, c);
				fail();
			}
		}
	}
}

/* The step named by the console's failure line (the one before "boot stopped"), if it is
 * one of /init's steps. */
static const char *failed_step(void)
{
	static const char *const steps[] = { "mount", "cmdline", "modules", "devices", "verity",
					     "measure", "eventlog", "mount-root", "switch-root",
					     "exec" };
	const char *stop = strstr(fake.console, "\ntdverity-init: boot stopped");
	if (!stop)
		return NULL;
	const char *line = stop;
	while (line > fake.console && line[-1] != '\n')
		line--;
	for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
		char want[64];
		snprintf(want, sizeof(want), "tdverity-init: %s: ", steps[i]);
		if (strncmp(line, want, strlen(want)) == 0)
			return steps[i];
	}
	return NULL;
}

/* The same over the TDX ioctl and the TPM good boots: every call failed in turn. */
static void fault_over_backend(enum world_backend b)
{
	static char calls[FAKE_MAX_CALLS][256];
	struct verity_cmdline v = base_vc();
	world(&v, "", b);
	assert_booted(run());
	size_t n = fake.n_calls;
	memcpy(calls, fake.calls, sizeof(calls[0]) * n);

	for (size_t i = 0; i < n; i++) {
		world(&v, "", b);
		fake.fail_at = i + 1;
		int r = run();
		assert_string_equal(fake.calls[i], calls[i]);
		bool log_call = strncmp(calls[i], "write /dev/console", 18) == 0 ||
				strncmp(calls[i], "write /dev/kmsg", 15) == 0 ||
				strncmp(calls[i], "open /dev/console", 17) == 0 ||
				strncmp(calls[i], "open /dev/kmsg", 14) == 0;
		if (log_call) {
			assert_booted(r);
			continue;
		}
		bool device_call = strstr(calls[i], "/dev/tpm0") || strstr(calls[i], "/dev/tdx_guest");
		const char *step = device_call ? "measure" : failed_step();
		assert_non_null(step);
		assert_stopped(r, step, "Input/output error");
		if (device_call) /* a failed extend is never logged */
			assert_int_equal(fake_call_index("open " INIT_EVENTLOG), -1);
	}
}

static void test_fault_injection_tdx_ioctl(void **state) { fault_over_backend(W_TDX_IOCTL); }
static void test_fault_injection_tpm(void **state) { fault_over_backend(W_TPM); }

/* If the power-off itself fails, run() still returns failure (main then exits: panic). */
static void test_reboot_fails(void **state)
{
	struct verity_cmdline v = base_vc();
	world(&v, "", W_NONE);
	/* measure fails (no device); the call after the failure lines is reboot */
	int r = run();
	assert_true(r < 0);
	size_t n = fake.n_calls;
	world(&v, "", W_NONE);
	fake.fail_at = n;
	r = run();
	assert_true(r < 0);
	assert_false(fake.reboot_called);
	assert_false(fake.execve_called);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tdx_sysfs_happy),
		cmocka_unit_test(test_dm_tables),
		cmocka_unit_test(test_restart_policy),
		cmocka_unit_test(test_tdx_ioctl),
		cmocka_unit_test(test_tpm),
		cmocka_unit_test(test_tpm_errors),
		cmocka_unit_test(test_tpm_banks),
		cmocka_unit_test(test_td_never_falls_back),
		cmocka_unit_test(test_switch_root_targets),
		cmocka_unit_test(test_measure_policy),
		cmocka_unit_test(test_wrong_root_hash),
		cmocka_unit_test(test_superblock_mismatch),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_cmdline_rejections),
		cmocka_unit_test(test_mount_root_and_exec_failures),
		cmocka_unit_test(test_fault_injection),
		cmocka_unit_test(test_fault_injection_tdx_ioctl),
		cmocka_unit_test(test_fault_injection_tpm),
		cmocka_unit_test(test_reboot_fails),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	fake_reset();
	return r;
}
