/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-probe-agent: a TEST/DEMO stand-in for kata-agent.  NOT an agent: it runs as the
 * guest's /sbin/init after tdverity-init pivots, prints a marker and what it sees of the
 * measurement, then powers the machine off.  The real kata-agent is not packaged in Debian.
 */
#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	printf("TDVERITY-PROBE-AGENT: running as pid %d from the verified root\n", (int)getpid());
	fflush(stdout);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return 0;
}
