/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-init: the initrd's /init.  See initrd/init.c for the steps and
 * initrd/README-initrd.md for the contract with the image builder.
 */
#include "initrd/init.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * The link-time seam of lib/core/digest.h: no SM3 in /init.  libcrypto computes SM3 only
 * through its EVP/provider layer, 3.4 MB of static code for a bank almost no vTPM
 * activates; an active SM3 bank makes tpm_measure() stop the boot with one line instead.
 */
int digest_sm3(const void *a, size_t alen, const void *b, size_t blen, uint8_t *out)
{
	(void)a, (void)alen, (void)b, (void)blen, (void)out;
	return -EOPNOTSUPP;
}
const EVP_MD *digest_sm3_md(void)
{
	return NULL;
}

int main(int argc, char *argv[], char *envp[])
{
	/* Its failure path powers the machine off: never let that happen to a host where
	 * someone ran the binary by hand. */
	if (getpid() != 1) {
		bool version = argc > 1 && strcmp(argv[1], "--version") == 0;
		if (version) {
			printf("tdverity-init %s\n", TDV_VERSION);
			return 0;
		}
		fprintf(stderr, "tdverity-init: runs only as PID 1 (the initrd's /init); "
				"see initrd/README-initrd.md\n");
		return 2;
	}
	tdverity_init_run(&init_sys_real, argv, envp);
	/* Only reached when execve or reboot failed.  PID 1 exiting makes the kernel panic:
	 * the boot ends either way, and nothing else runs. */
	_exit(1);
}
