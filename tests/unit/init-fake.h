/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake struct init_sys for the tdverity-init tests: an in-memory file table, a call
 * record ("mount devtmpfs /dev devtmpfs 0x2 mode=0755", ...), captured writes and ioctl
 * buffers, canned TPM responses, and fault injection: fail the Nth recorded call.
 */
#pragma once

#include "initrd/sys.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FAKE_MAX_CALLS 4096
#define FAKE_MAX_FILES 64
#define FAKE_MAX_TABLES 4

struct fake_file {
	char path[160];
	mode_t mode;
	dev_t rdev;
	dev_t dev; /* the file system it is on (fstat's st_dev) */
	uint8_t *data; /* content for reads; writes are appended to `written` */
	size_t len;
	uint8_t *written;
	size_t written_len;
	char partuuid[64];
};

struct fake {
	/* world */
	struct fake_file files[FAKE_MAX_FILES];
	size_t n_files;
	const char *block_names[16];
	size_t n_block_names;
	int dm_read_errno;		/* pread of the dm node fails with this (0: zeros) */
	bool tdx_iow_enotty;		/* the _IOW extend number is unknown (older driver) */
	uint8_t tpm_pcrs_resp[512];	/* answer to TPM2_GetCapability */
	size_t tpm_pcrs_resp_len;
	uint8_t tpm_extend_resp[64];	/* answer to TPM2_PCR_Extend */
	size_t tpm_extend_resp_len;
	unsigned partitions_appear_after_ms; /* list_dir shows no partitions before this time */
	bool cpuid_tdx;			/* CPUID leaf 0x21 says "IntelTDX    " */
	const char *finit_fail_path;	/* finit_module of this file fails with finit_fail_errno */
	int finit_fail_errno;

	/* fault injection: fail the call with this 1-based index (0: none) */
	size_t fail_at;
	int fail_errno;

	/* record */
	char calls[FAKE_MAX_CALLS][256];
	size_t n_calls;
	uint8_t dm_tables[FAKE_MAX_TABLES][2048];
	size_t dm_table_len[FAKE_MAX_TABLES];
	size_t n_dm_tables;
	uint8_t tdx_req[49];
	unsigned long tdx_request;
	uint8_t tpm_cmds[2][4096];
	size_t tpm_cmd_len[2];
	size_t n_tpm_cmds;
	char console[16384]; /* everything written to fd 2 and /dev/console */
	size_t console_len;
	char kmsg[8192];
	size_t kmsg_len;
	bool kmsg_opened;
	bool execve_called;
	char execve_path[256];
	char execve_argv[4][64];
	bool reboot_called;
	int reboot_cmd;
	uint64_t now;
};

extern struct fake fake;
extern const struct init_sys fake_sys;

void fake_reset(void);
struct fake_file *fake_add(const char *path, mode_t mode, dev_t rdev, const void *data, size_t len);
struct fake_file *fake_find(const char *path);
/* Bytes written to a path (NULL when never opened for writing). */
const uint8_t *fake_written(const char *path, size_t *ret_len);
/* Index of the first recorded call starting with prefix, or -1. */
int fake_call_index(const char *prefix);
