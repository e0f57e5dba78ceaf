/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-init, the initrd's /init: the steps (init.c), and the pure building blocks they
 * use (module list, dm-verity table and ioctls, TDX RTMR extend, TPM 2.0 commands, device
 * discovery).  Everything side-effecting goes through struct init_sys (sys.h).
 *
 * The contract with the initrd builder and the boot tests (file layout, the module list
 * format, console markers) is initrd/README-initrd.md.
 */
#pragma once

#include "initrd/sys.h"

#include "core/error.h"
#include "core/measure.h"
#include "kernel-cmdline/cmdline.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#define INIT_MODULES_DIR     "/lib/modules"
#define INIT_MODULE_LIST     INIT_MODULES_DIR "/load-order"
#define INIT_MODULE_LIST_MAX (64 * 1024)
#define INIT_MODULES_MAX     1024
#define INIT_SYSROOT	     "/sysroot"
#define INIT_DM_NAME	     "root"
#define INIT_DM_NODE	     "/dev/mapper/" INIT_DM_NAME
#define INIT_DM_CONTROL	     "/dev/mapper/control"
#define INIT_EVENTLOG_DIR    "/run/attestation-agent"
#define INIT_EVENTLOG	     INIT_EVENTLOG_DIR "/eventlog"
#define INIT_TDX_SYSFS_DIR   "/sys/class/misc/tdx_guest"
#define INIT_TDX_DEV	     "/dev/tdx_guest"
#define INIT_TPM_DEV	     "/dev/tpm0"
#define INIT_CMDLINE_MAX     4096

/* ---- The whole program ----------------------------------------------------------------
 *
 * Run every step; on success exec the verified root's init through sys->execve.  Any
 * failure prints "tdverity-init: <step>: <why>" and calls sys->reboot(RB_POWER_OFF).
 * Returns only when execve or reboot returned (always, with a fake): 0 when execve
 * reported success, negative when the boot was stopped.  argv/envp are passed through
 * to the new init (argv[0] is replaced by its path).
 */
int tdverity_init_run(const struct init_sys *sys, char *const argv[], char *const envp[]);

/* ---- Module list (README-initrd.md) ---------------------------------------------------- */

struct module_entry {
	char *path;    /* relative to /lib/modules/ */
	bool optional; /* may fail with ENODEV (decided by the builder, README-initrd.md) */
};

/*
 * Split the load-order text into its entries: one "required <path>" or "optional <path>"
 * per '\n'-terminated line, the path relative to /lib/modules/.  Rejects anything else:
 * a missing or unknown class, empty lines, absolute paths, comments, "." / ".." / empty
 * components, characters outside [A-Za-z0-9._+,/-], names not ending in
 * .ko/.ko.xz/.ko.zst/.ko.gz, a last line without newline, more than INIT_MODULES_MAX
 * entries.  An empty text is an empty list.
 */
int module_list_parse(const char *text, size_t len, struct module_entry **ret_mods,
		      size_t *ret_n, struct tdv_error *err);
void module_list_free(struct module_entry *mods, size_t n);
/* finit_module() flags for a file name: MODULE_INIT_COMPRESSED_FILE for .ko.{xz,zst,gz}. */
int module_init_flags(const char *path);

/* ---- dm-verity ------------------------------------------------------------------------ */

struct verity_devices {
	dev_t data;
	dev_t hash;
};

/*
 * The verity target's parameters for these devices (core/verity.h verity_table_format()),
 * with "1 panic_on_corruption" or "1 restart_on_corruption" as the cmdline says when
 * with_policy; without it the kernel returns I/O errors (/init's own read-back check uses
 * that, see init.c).  Errors as verity_table_format().
 */
int verity_table_params(const struct verity_cmdline *v, const struct verity_devices *devs,
			bool with_policy, char *buf, size_t len);

/* Raw device-mapper ioctls on an open /dev/mapper/control fd. */
int dm_create(const struct init_sys *sys, int control_fd, const char *name, dev_t *ret_dev);
int dm_load_table(const struct init_sys *sys, int control_fd, const char *name, uint64_t sectors,
		  const char *target, const char *params);
int dm_resume(const struct init_sys *sys, int control_fd, const char *name);

/*
 * The ioctl buffer for DM_TABLE_LOAD (exposed for the tests): dm_ioctl header, one
 * dm_target_spec, the NUL-terminated params padded to 8 bytes; READONLY flag set.
 */
int dm_table_load_buffer(const char *name, uint64_t sectors, const char *target, const char *params,
			 uint8_t **ret_buf, size_t *ret_len);

/* ---- TDX RTMR extend ------------------------------------------------------------------- */

#define TDX_EXTEND_RTMR_DATA_LEN 48
struct tdx_extend_rtmr_req {
	uint8_t data[TDX_EXTEND_RTMR_DATA_LEN];
	uint8_t index;
};
/*
 * Intel's trees define TDX_CMD_EXTEND_RTMR with _IOR in the first driver versions and
 * with _IOW later (include/uapi/linux/tdx-guest.h; the "V3" driver): both are tried.
 */
#define TDX_CMD_EXTEND_RTMR_IOW _IOW('T', 3, struct tdx_extend_rtmr_req)
#define TDX_CMD_EXTEND_RTMR_IOR _IOR('T', 3, struct tdx_extend_rtmr_req)

enum tdx_extend_path {
	TDX_EXTEND_SYSFS,
	TDX_EXTEND_IOCTL,
};
/* Extend RTMR rtmr (2 or 3) with digest; ret_path says which interface did it. */
int tdx_rtmr_extend(const struct init_sys *sys, unsigned rtmr, const uint8_t digest[48],
		    enum tdx_extend_path *ret_path, struct tdv_error *err);

/* ---- TPM 2.0 --------------------------------------------------------------------------- */

#define TPM2_MAX_COMMAND 4096
#define TPM2_MAX_BANKS	 8

/* TPM2_GetCapability(TPM_CAP_PCRS, 0, 1). */
size_t tpm2_get_pcrs_command(uint8_t *buf);
/*
 * Parse its response: the banks (TCG algorithm ids) whose selection includes pcr.  Strict:
 * the header must be well formed, the size field must equal len, the response code must be
 * 0, every length must fit, nothing may trail.  -EPROTO (malformed), -EIO (TPM error code,
 * in *ret_rc), -E2BIG (more than TPM2_MAX_BANKS).
 */
int tpm2_parse_pcrs_response(const uint8_t *resp, size_t len, unsigned pcr, uint16_t *ret_algs,
			     size_t *ret_n, uint32_t *ret_rc);
/* TPM2_PCR_Extend(pcr, password session, digests).  Returns the length or -EINVAL. */
int tpm2_pcr_extend_command(unsigned pcr, const struct tcg2_digest *digests, size_t n, uint8_t *buf,
			    size_t len);
/* Its response: exactly the 19-byte success answer, else -EPROTO / -EIO (*ret_rc). */
int tpm2_parse_extend_response(const uint8_t *resp, size_t len, uint32_t *ret_rc);

/*
 * Extend pcr in every active bank (SHA-1, SHA-256, SHA-384, SHA-512) with that bank's hash
 * of event, in one TPM2_PCR_Extend; ret_digests (room for TPM2_MAX_BANKS) receives the
 * digests in bank order for the log.  A bank tdverity-init cannot compute (SM3-256: no SM3
 * in the static /init, see lib/core/digest.h; an unknown algorithm id) is an error
 * (-EOPNOTSUPP) before anything is extended: leaving it unextended would let anyone extend
 * it later with a value of their choosing.
 */
int tpm_measure(const struct init_sys *sys, unsigned pcr, const uint8_t *event, size_t event_len,
		struct tcg2_digest *ret_digests, size_t *ret_n, struct tdv_error *err);

/* ---- Device discovery ------------------------------------------------------------------ */

/*
 * Resolve a selector ("PARTUUID=<uuid>" or "/dev/<name>") once: 0 and the node path and
 * device number when found, -ENOENT when not (yet), other negative errno on errors (two
 * partitions with the same PARTUUID: -ENOTUNIQ).
 */
int device_resolve(const struct init_sys *sys, const char *selector, char *ret_node,
		   size_t node_len, dev_t *ret_dev, struct tdv_error *err);
