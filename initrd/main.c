/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-init: the initrd's /init.  See initrd/init.c for the steps and
 * initrd/README-initrd.md for the contract with the image builder.
 */
#include "initrd/init.h"

#include <unistd.h>

int main(int argc, char *argv[], char *envp[])
{
	(void)argc;
	tdverity_init_run(&init_sys_real, argv, envp);
	/* Only reached when execve or reboot failed.  PID 1 exiting makes the kernel panic:
	 * the boot ends either way, and nothing else runs. */
	_exit(1);
}
