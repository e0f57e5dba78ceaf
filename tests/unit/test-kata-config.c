/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata's command-line assembly against strings Kata itself expects (its Go runtime's unit
 * tests and source comments) and against -append lines captured from Kata 4.x TDX boots.
 */
#include "unit-helpers.h"

#include "host/expected.h"
#include "host/kata-config.h"

#include "core/measure.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AMD64 "tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 " \
	      "i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k "   \
	      "cryptomgr.notests net.ifnames=0 pci=lastbus=0"

static char *cmdline_of(const char *toml, unsigned nr_cpus)
{
	struct toml_doc *d = NULL;
	struct tdv_error err = { 0 };
	if (toml_parse(toml, strlen(toml), "c.toml", &d, &err) < 0)
		fail_msg("toml: %s", err.msg);
	struct kata_boot b = { 0 };
	struct kata_cmdline_opts o = { .nr_cpus = nr_cpus };
	if (kata_cmdline_from_toml(d, "c.toml", &o, &b, &err) < 0)
		fail_msg("kata: %s", err.msg);
	toml_free(d);
	char *c = b.cmdline;
	b.cmdline = NULL;
	kata_boot_done(&b);
	return c;
}

static void fails(const char *toml, int code, const char *msg)
{
	struct toml_doc *d = NULL;
	struct tdv_error err = { 0 };
	if (toml_parse(toml, strlen(toml), "c.toml", &d, &err) < 0)
		fail_msg("toml: %s", err.msg);
	struct kata_boot b = { 0 };
	struct kata_cmdline_opts o = { .nr_cpus = 1 };
	assert_int_equal(kata_cmdline_from_toml(d, "c.toml", &o, &b, &err), code);
	assert_null(b.cmdline);
	assert_string_equal(err.msg, msg);
	toml_free(d);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Kata qemu_test.go TestQemuKernelParameters: with no arch parameters the runtime's own
 * part is "panic=1 nr_cpus=<max> selinux=0 foo=foo bar=bar" (initrd, no systemd). */
static void test_kata_qemu_kernel_parameters(void **state)
{
	char *c = cmdline_of("[hypervisor.qemu]\ninitrd = \"/i\"\n"
			     "block_device_driver = \"virtio-blk\"\n"
			     "kernel_params = \"foo=foo bar=bar\"\n", 240);
	assert_string_equal(c, AMD64 " console=hvc0 console=hvc1 quiet panic=1 nr_cpus=240 "
				   "selinux=0 foo=foo bar=bar");
	assert_true(ends_with(c, "panic=1 nr_cpus=240 selinux=0 foo=foo bar=bar"));
	free(c);
	c = cmdline_of("[hypervisor.qemu]\ninitrd = \"/i\"\nenable_debug = true\n"
		       "disable_guest_selinux = false\n", 4);
	assert_string_equal(c, AMD64 " console=hvc0 console=hvc1 debug panic=1 nr_cpus=4 "
				   "selinux=1 scsi_mod.scan=none");
	free(c);
}

/* Kata hypervisor_test.go TestGetKernelRootParams: (root, rootflags, rootfstype). */
static void test_kata_root_params(void **state)
{
	static const struct {
		const char *conf, *expect;
	} cases[] = {
		{ "rootfs_type = \"ext4\"", "root=/dev/pmem0p1 rootflags=dax,data=ordered,errors=remount-ro ro rootfstype=ext4" },
		{ "rootfs_type = \"ext4\"\ndisable_image_nvdimm = true", "root=/dev/vda1 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4" },
		{ "rootfs_type = \"xfs\"\nconfidential_guest = true", "root=/dev/vda1 rootflags=data=ordered,errors=remount-ro ro rootfstype=xfs" },
		{ "rootfs_type = \"erofs\"", "root=/dev/pmem0p1 rootflags=dax ro rootfstype=erofs" },
		{ "rootfs_type = \"erofs\"\nmachine_type = \"microvm\"", "root=/dev/vda1 rootflags=ro rootfstype=erofs" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char toml[256];
		snprintf(toml, sizeof(toml), "[hypervisor.qemu]\nimage = \"/x.img\"\n%s\n", cases[i].conf);
		char *c = cmdline_of(toml, 1);
		char expect[1024];
		snprintf(expect, sizeof(expect), AMD64 " %s console=hvc0 console=hvc1 quiet "
			 "systemd.show_status=false panic=1 nr_cpus=1 selinux=0 "
			 "systemd.unit=kata-containers.target systemd.mask=systemd-networkd.service "
			 "systemd.mask=systemd-networkd.socket scsi_mod.scan=none", cases[i].expect);
		assert_string_equal(c, expect);
		free(c);
	}
}

/* Kata kata_agent_test.go TestKataAgentKernelParams and KataAgentKernelParams. */
static void test_kata_agent_params(void **state)
{
	char *c = cmdline_of("[hypervisor.qemu]\ninitrd = \"/i\"\nblock_device_driver = \"nvdimm\"\n"
			     "[agent.kata]\nenable_debug = true\nenable_tracing = true\n"
			     "debug_console_enabled = true\ncdh_api_timeout = 50\n", 2);
	assert_true(ends_with(c, "selinux=0 agent.log=debug agent.trace=true agent.debug_console "
				 "agent.debug_console_vport=1026 agent.cdh_api_timeout=50"));
	free(c);
}

/* The dm-mod.create string quoted in Kata's hypervisor.go (KernelParamFields' comment). */
static void test_kata_dm_mod_create(void **state)
{
	char *c = cmdline_of("[hypervisor.qemu]\nimage = \"/x.img\"\nconfidential_guest = true\n"
			     "kernel_verity_params = \"root_hash=f211b9f1921ef726d57a72bf82be23a510076639fa8549ade10f85e214e0ddb4,"
			     "salt=065c13dfb5b4e0af034685aa5442bddda47b17c182ee44ba55a373835d18a038,"
			     "data_blocks=92041,data_block_size=4096,hash_block_size=4096\"\n", 1);
	assert_non_null(strstr(c, " pci=lastbus=0 dm-mod.create=\"dm-verity,,,ro,0 736328 verity 1 "
				  "/dev/vda1 /dev/vda2 4096 4096 92041 0 sha256 "
				  "f211b9f1921ef726d57a72bf82be23a510076639fa8549ade10f85e214e0ddb4 "
				  "065c13dfb5b4e0af034685aa5442bddda47b17c182ee44ba55a373835d18a038\" "
				  "root=/dev/dm-0 rootflags=data=ordered,errors=remount-ro ro "
				  "rootfstype=ext4 console=hvc0 "));
	free(c);
}

/* The -append line of a boot captured on a Kata 4.x TDX host (2026-07; published with an
 * RTMR2 golden value), from the fixture configuration that carries its settings. */
static void test_captured_tdx_boot(void **state)
{
	struct kata_boot b = { 0 };
	struct tdv_error err = { 0 };
	struct kata_cmdline_opts o = { .nr_cpus = 1 };
	const char *top = getenv("TDV_TOP");
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/fixtures/kata/configuration-qemu-tdx.toml",
		 top ? top : ".");
	if (kata_cmdline_from_file(path, &o, &b, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(
		b.cmdline,
		AMD64 " dm-mod.create=\"dm-verity,,,ro,0 772096 verity 1 /dev/vda1 /dev/vda2 4096 "
		      "4096 96512 0 sha256 768cd7e848f6cb7eb4f59467b26ee5c5e45ece570cb96a5c952d97dbc89bb150 "
		      "63f8dacc786bd19f307be8668c7792a8fe07818df4aae55b63e76c4931d35c76\" root=/dev/dm-0 "
		      "rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4 console=hvc0 "
		      "console=hvc1 quiet systemd.show_status=false panic=1 nr_cpus=1 selinux=0 "
		      "systemd.unit=kata-containers.target systemd.mask=systemd-networkd.service "
		      "systemd.mask=systemd-networkd.socket scsi_mod.scan=none "
		      "agent.launch_process_timeout=6 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1");
	assert_true(b.image && b.verity);
	/* The capture's published RTMR2 (a real TD, direct boot, no initrd): one
	 * LoadOptions event over exactly these bytes. */
	uint8_t digest[48], rtmr2[48] = { 0 };
	assert_int_equal(expected_load_options_digest(b.cmdline, HASH_SHA384, digest), 0);
	assert_int_equal(mr_extend(HASH_SHA384, rtmr2, digest), 0);
	unit_assert_hex(rtmr2, sizeof(rtmr2), "b595f9f179d8b699d1420000d36c1fba82e9853545e719caa6"
					      "ddbb82fa2041a23b4459876af4a253a1c20c5956529b9a");
	assert_string_equal(b.image_path, "/opt/kata/share/kata-containers/kata-containers-confidential.img");
	kata_boot_done(&b);

	/* A second capture (a CoCo erofs guest, debug and non-debug). */
	char *c = cmdline_of("[hypervisor.qemu]\nimage = \"/x\"\nrootfs_type = \"erofs\"\n"
			     "confidential_guest = true\n", 1);
	assert_string_equal(c, AMD64 " root=/dev/vda1 rootflags=ro rootfstype=erofs console=hvc0 "
				   "console=hvc1 quiet systemd.show_status=false panic=1 nr_cpus=1 "
				   "selinux=0 systemd.unit=kata-containers.target "
				   "systemd.mask=systemd-networkd.service "
				   "systemd.mask=systemd-networkd.socket scsi_mod.scan=none");
	free(c);
	c = cmdline_of("[hypervisor.qemu]\nimage = \"/x\"\nrootfs_type = \"erofs\"\n"
		       "confidential_guest = true\nenable_debug = true\n", 1);
	assert_non_null(strstr(c, " console=hvc0 console=hvc1 debug systemd.show_status=true "
				  "systemd.log_level=debug panic=1 nr_cpus=1 selinux=0 "
				  "systemd.unit=kata-containers.target "));
	free(c);
}

static void test_user_params(void **state)
{
	/* KernelParamFields keeps quoted blanks; DeserializeParams drops an empty value's '='. */
	char *c = cmdline_of("[hypervisor.qemu]\ninitrd = \"/i\"\nblock_device_driver = \"virtio-blk\"\n"
			     "kernel_params = \"  a=\\\"x y\\\"   b=  c \"\n", 1);
	assert_true(ends_with(c, "selinux=0 a=\"x y\" b c"));
	free(c);
}

static void test_refusals(void **state)
{
	fails("[hypervisor.qemu]\nimage = \"/a\"\ninitrd = \"/b\"\n", -EINVAL,
	      "c.toml: [hypervisor.qemu] image: both image and initrd are set (Kata refuses that)");
	fails("[hypervisor.qemu]\n", -EINVAL,
	      "c.toml: [hypervisor.qemu] image: neither image nor initrd is set");
	fails("[hypervisor.clh]\nimage = \"/a\"\n", -ENOTSUP,
	      "c.toml: [hypervisor.clh]: only [hypervisor.qemu] is modelled");
	fails("[x]\n", -EINVAL, "c.toml: no [hypervisor.qemu] table");
	fails("[hypervisor.qemu]\nimage = 1\n", -EINVAL, "c.toml: [hypervisor.qemu] image: expected a string");
	fails("[hypervisor.qemu]\nimage = \"/a\"\nenable_debug = \"yes\"\n", -EINVAL,
	      "c.toml: [hypervisor.qemu] enable_debug: expected true or false");
	fails("[hypervisor.qemu]\nimage = \"/a\"\nenable_iommu = true\n", -ENOTSUP,
	      "c.toml: [hypervisor.qemu] enable_iommu: not modelled");
	fails("[hypervisor.qemu]\nimage = \"/a\"\nrootfs_type = \"btrfs\"\n", -EINVAL,
	      "c.toml: [hypervisor.qemu] rootfs_type: expected ext4, xfs or erofs");
	fails("[hypervisor.qemu]\nimage = \"/a\"\nkernel_verity_params = \"root_hash=00\"\n", -ENOTSUP,
	      "c.toml: [hypervisor.qemu] kernel_verity_params: with an nvdimm root is not "
	      "modelled (set confidential_guest or disable_image_nvdimm)");
	fails("[hypervisor.qemu]\nimage = \"/a\"\nconfidential_guest = true\n"
	      "kernel_verity_params = \"root_hash=00\"\n", -EINVAL,
	      "c.toml: [hypervisor.qemu] kernel_verity_params: root_hash is not 64 hex digits "
	      "(Kata's table is sha256)");
	fails("[hypervisor.qemu]\ninitrd = \"/a\"\nkernel_params = \"=x\"\n", -EINVAL,
	      "c.toml: [hypervisor.qemu] kernel_params: a parameter with an empty key");
	fails("[hypervisor.qemu]\ninitrd = \"/a\"\nkernel_params = \"a=\\\"x\"\n", -EINVAL,
	      "c.toml: [hypervisor.qemu] kernel_params: unterminated quote");
	fails("[hypervisor.qemu]\ninitrd = \"/a\"\n[agent.kata]\ncdh_api_timeout = -1\n", -EINVAL,
	      "c.toml: [agent.kata] cdh_api_timeout: expected an integer 0..4294967295");
}

static void test_verity_params(void **state)
{
	struct verity_root v;
	const char *why = NULL;
	const char *root = "root_hash=" "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	char good[512];
	snprintf(good, sizeof(good), "%s,salt=ab,data_blocks=3,data_block_size=4096,hash_block_size=512", root);
	assert_int_equal(kata_verity_params_parse(good, &v, &why), 0);
	assert_int_equal(v.params.data_blocks, 3);
	assert_int_equal(v.params.hash_block_size, 512);
	assert_int_equal(v.params.salt_size, 1);
	assert_int_equal(v.params.alg, HASH_SHA256);
	assert_false(v.params.superblock);
	assert_int_equal(v.params.hash_offset, 0);
	static const struct {
		const char *tail, *why;
	} bad[] = {
		{ ",salt=ab,data_blocks=3,data_block_size=4096", "a field is missing (root_hash, salt, data_blocks, data_block_size, hash_block_size)" },
		{ ",salt=ab,data_blocks=3,data_block_size=4096,hash_block_size=4096,salt=ab", "a field given twice" },
		{ ",salt=ab,data_blocks=3,data_block_size=4096,hash_block_size=4096,mode=kernelinit", "unknown field (expected root_hash, salt, data_blocks, data_block_size, hash_block_size)" },
		{ ",salt=ab,data_blocks=-3,data_block_size=4096,hash_block_size=4096", "a number field that is not a decimal number" },
		{ ",salt=ab,data_blocks=0,data_block_size=4096,hash_block_size=4096", "data_blocks out of range" },
		{ ",salt=ab,data_blocks=3,data_block_size=4000,hash_block_size=4096", "block size is not a power of two in 512..65536" },
		{ ",salt=zz,data_blocks=3,data_block_size=4096,hash_block_size=4096", "salt is not hex (1..256 bytes)" },
		{ ",salt,data_blocks=3", "a field without '='" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		snprintf(text, sizeof(text), "%s%s", root, bad[i].tail);
		assert_int_equal(kata_verity_params_parse(text, &v, &why), -EINVAL);
		assert_string_equal(why, bad[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kata_qemu_kernel_parameters),
		cmocka_unit_test(test_kata_root_params),
		cmocka_unit_test(test_kata_agent_params),
		cmocka_unit_test(test_kata_dm_mod_create),
		cmocka_unit_test(test_captured_tdx_boot),
		cmocka_unit_test(test_user_params),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_verity_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
