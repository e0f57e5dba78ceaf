/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel command line Kata Containers' Go runtime (4.x, src/runtime) hands to QEMU
 * (-append) for a configuration file such as configuration-qemu-tdx.toml.  The firmware
 * measures these bytes (RTMR2 / PCR 9), so an auditor must know them without booting.
 *
 * The assembly, as the runtime does it (facts from kata-containers src/runtime; no code
 * carried over):
 *   1. the amd64 arch parameters (virtcontainers/qemu_amd64.go `kernelParams`):
 *      tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1
 *      i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k cryptomgr.notests net.ifnames=0
 *      pci=lastbus=0
 *   2. with `image` only, the root parameters (hypervisor.go GetKernelRootParams, added by
 *      qemu_arch_base.go handleImagePath): with kernel_verity_params
 *      dm-mod.create="dm-verity,,,ro,0 <sectors> verity 1 /dev/vda1 /dev/vda2 <dbs> <hbs>
 *      <blocks> 0 sha256 <root> <salt>" root=/dev/dm-0 rootflags=data=ordered,errors=
 *      remount-ro ro rootfstype=<type>; without, root=/dev/vda1 (nvdimm off: always for
 *      confidential_guest, microvm, disable_image_nvdimm) or root=/dev/pmem0p1 with
 *      rootflags=dax,data=ordered,errors=remount-ro ro; then rootfstype=<type>
 *   3. console=hvc0 console=hvc1 (the virtio console)
 *   4. enable_debug ? "debug" : "quiet", then with `image` systemd.show_status=true
 *      systemd.log_level=debug : systemd.show_status=false (qemu_arch_base.go)
 *   5. panic=1 nr_cpus=<max vCPUs> selinux=0|1 (qemu.go kernelParameters())
 *   6. the configuration's KernelParams, which katautils SetKernelParams (pkg/katautils/
 *      config.go) fills in this order: with `image` systemd.unit=kata-containers.target
 *      systemd.mask=systemd-networkd.service systemd.mask=systemd-networkd.socket;
 *      scsi_mod.scan=none for block_device_driver virtio-scsi (the default); the agent's
 *      (virtcontainers/kata_agent.go KataAgentKernelParams: agent.log=debug,
 *      agent.trace=true, agent.debug_console agent.debug_console_vport=1026,
 *      agent.cdh_api_timeout=N); then kernel_params, split at blanks outside quotes
 *      (KernelParamFields) and at the first '=' (DeserializeParams).
 * Each parameter is written "key" when its value is empty, else "key=value"
 * (SerializeParams), joined by one space.
 *
 * nr_cpus is the sandbox's maximum vCPU count, which depends on the host's CPU count,
 * default_maxvcpus, static_sandbox_resource_mgmt and the pod's CPU limits: the caller
 * passes it (kata_cmdline_opts.nr_cpus); nothing here guesses it.
 *
 * What is not modelled is refused (-ENOTSUP, one line saying which key): hypervisors
 * other than [hypervisor.qemu], enable_iommu, legacy_serial, kernel_verity_params with an
 * nvdimm root, a config.d drop-in folder beside the file.  The order of items 2-4 follows
 * the runtime source read for this (see README "Use with Kata and Trustee") and two boots
 * captured from Kata 4.x TDX hosts; a captured -append string (--cmdline) is always the
 * stronger input.
 *
 * Owned by lib/host/kata-config.c.
 */
#pragma once

#include "core/error.h"
#include "core/verity.h"
#include "host/toml.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kata_cmdline_opts {
	unsigned nr_cpus; /* required, >= 1: the sandbox's maximum vCPU count */
};

/* What the configuration says about the boot, besides the command line. */
struct kata_boot {
	bool image;	  /* `image` set (else `initrd`) */
	bool verity;	  /* kernel_verity_params set and used (image only) */
	char *image_path; /* the configuration's image or initrd path */
	char *cmdline;	  /* the -append string */
};

/*
 * The command line for a parsed configuration; name is used in error messages.
 * -EINVAL (bad value), -ENOTSUP (not modelled), -ENOMEM; err says which key and why.
 */
int kata_cmdline_from_toml(const struct toml_doc *doc, const char *name,
			   const struct kata_cmdline_opts *o, struct kata_boot *ret,
			   struct tdv_error *err);
/* Read and parse path (refusing a config.d drop-in folder beside it), then the above. */
int kata_cmdline_from_file(const char *path, const struct kata_cmdline_opts *o,
			   struct kata_boot *ret, struct tdv_error *err);
void kata_boot_done(struct kata_boot *b);

/*
 * Kata's kernel_verity_params: "root_hash=<hex>,salt=<hex>,data_blocks=<n>,
 * data_block_size=<n>,hash_block_size=<n>", each field exactly once, nothing else, as
 * the volume it names (core/verity.h): Kata's table always says sha256, hash start
 * block 0, so alg sha256, no superblock, hash_offset 0.  -EINVAL with *ret_why a static
 * reason.
 */
int kata_verity_params_parse(const char *text, struct verity_root *ret, const char **ret_why);
