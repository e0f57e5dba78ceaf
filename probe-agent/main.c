/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tdverity-probe-agent: a TEST/DEMO stand-in for kata-agent.  NOT an agent: it runs as the
 * guest's /sbin/init after tdverity-init pivots, prints what it sees of the measurement and
 * powers the machine off.  The real kata-agent is not packaged in Debian.
 *
 * Output (console, one write per line, see report.h):
 *   tdverity-probe-agent: start                      on /dev/kmsg (kernel timestamp)
 *   TDVERITY-PROBE: start pid=1
 *   TDVERITY-PROBE: boottime-ms N                    CLOCK_BOOTTIME when the agent started
 *   TDVERITY-PROBE: root-dev MAJ:MIN dm-name=NAME|none
 *   TDVERITY-PROBE: mount DEV DIR TYPE OPTS          one per /proc/mounts line
 *   TDVERITY-PROBE: dm dm-N name=NAME uuid=UUID
 *   TDVERITY-PROBE: blob cmdline ...                 /proc/cmdline
 *   TDVERITY-PROBE: blob aael ... | aael absent      /run/attestation-agent/eventlog
 *   TDVERITY-PROBE: pcr BANK N HEX | pcr-bank BANK absent   (sha1 sha256 sha384 sha512
 *                                                    sm3_256: every bank Linux names)
 *   TDVERITY-PROBE: blob tpm-eventlog ... | tpm-eventlog absent
 *                                                    the firmware's TCG2 log (securityfs)
 *   TDVERITY-PROBE: tdx-guest present|absent
 *   TDVERITY-PROBE: systemd-state STATE              under systemd (not PID 1) only: after
 *   TDVERITY-PROBE: systemd-ready-ms N               `systemctl is-system-running --wait`,
 *   TDVERITY-PROBE: systemd-failed UNIT...           one line per failed unit,
 *   TDVERITY-PROBE: systemd-failed-count N
 *   TDVERITY-PROBE: end
 * Then it powers the machine off, as PID 1 or not (a service has no other way to end a
 * test VM).
 */
#include "probe-agent/report.h"

#include "core/util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#define BLOB_MAX (4u << 20)
#define AAEL_PATH "/run/attestation-agent/eventlog"
#define BIOS_LOG "/sys/kernel/security/tpm0/binary_bios_measurements"

static int out = STDOUT_FILENO;

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static void mount_if_missing(const char *probe, const char *src, const char *dir,
			     const char *type)
{
	if (access(probe, F_OK) == 0)
		return;
	mkdir(dir, 0755);
	if (mount(src, dir, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		probe_line(out, "warning mount %s on %s: %s", type, dir, strerror(errno));
}

static char *read_text(const char *path)
{
	uint8_t *data;
	size_t size;
	if (read_full_file(path, 4096, &data, &size) < 0)
		return NULL;
	return strstrip((char *)data);
}

static void report_file_blob(const char *name, const char *path)
{
	_cleanup_free_ uint8_t *data = NULL;
	size_t size;
	int r = read_full_file(path, BLOB_MAX, &data, &size);
	if (r == -ENOENT) {
		probe_line(out, "%s absent", name);
		return;
	}
	if (r < 0) {
		probe_line(out, "%s unreadable %s", name, strerror(-r));
		return;
	}
	probe_blob(out, name, data, size);
}

static void report_root(void)
{
	struct stat st;
	char path[128];
	if (stat("/", &st) < 0) {
		probe_line(out, "root-dev unknown %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/dm/name", major(st.st_dev),
		 minor(st.st_dev));
	_cleanup_free_ char *name = read_text(path);
	probe_line(out, "root-dev %u:%u dm-name=%s", major(st.st_dev), minor(st.st_dev),
		   name ? name : "none");
}

static void report_mounts(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/mounts", "re");
	char line[400];
	if (!f) {
		probe_line(out, "mounts unreadable %s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		probe_line(out, "mount %s", strstrip(line));
}

static void report_dm(void)
{
	_cleanup_(closedirp) DIR *d = opendir("/sys/block");
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[300];
		if (strncmp(de->d_name, "dm-", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", de->d_name);
		_cleanup_free_ char *name = read_text(path);
		snprintf(path, sizeof(path), "/sys/block/%s/dm/uuid", de->d_name);
		_cleanup_free_ char *uuid = read_text(path);
		probe_line(out, "dm %s name=%s uuid=%s", de->d_name, name ? name : "?",
			   uuid && *uuid ? uuid : "-");
	}
}

static void report_pcrs(const char *bank)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/class/tpm/tpm0/pcr-%s", bank);
	if (access(path, F_OK) < 0) {
		probe_line(out, "pcr-bank %s absent", bank);
		return;
	}
	for (int i = 0; i < 24; i++) {
		snprintf(path, sizeof(path), "/sys/class/tpm/tpm0/pcr-%s/%d", bank, i);
		_cleanup_free_ char *v = read_text(path);
		if (!v) {
			probe_line(out, "pcr %s %d unreadable", bank, i);
			continue;
		}
		for (char *p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		probe_line(out, "pcr %s %d %s", bank, i, v);
	}
}

/* Run a command of the root (argv[0] absolute) and hand each line of its stdout to fn. */
static int run_lines(char *const argv[], void (*fn)(const char *line, void *data), void *data)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_PAGER=",
					     "SYSTEMD_COLORS=0", NULL };
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char line[512];
	while (f && fgets(line, sizeof(line), f))
		fn(strstrip(line), data);
	if (f)
		fclose(f);
	else
		close(fds[0]);
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void print_state(const char *line, void *data)
{
	(void)data;
	probe_line(out, "systemd-state %s", line);
}

static void print_failed(const char *line, void *data)
{
	if (!*line)
		return;
	probe_line(out, "systemd-failed %s", line);
	(*(unsigned *)data)++;
}

/* Under systemd: wait for the boot to finish (every queued job done, a device timeout
 * included), then name every failed unit. */
static void report_systemd(void)
{
	static char *const wait_cmd[] = { "/usr/bin/systemctl", "is-system-running", "--wait",
					  NULL };
	static char *const failed_cmd[] = { "/usr/bin/systemctl", "list-units", "--failed",
					    "--no-legend", "--plain", "--no-pager", NULL };
	struct timespec ts;
	unsigned n = 0;
	run_lines(wait_cmd, print_state, NULL);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	probe_line(out, "systemd-ready-ms %lld",
		   (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	int r = run_lines(failed_cmd, print_failed, &n);
	if (r != 0)
		probe_line(out, "systemd-failed systemctl-list-units-exit-%d", r);
	probe_line(out, "systemd-failed-count %u", n + (r != 0));
}

int main(void)
{
	struct timespec started;
	bool pid1 = getpid() == 1;

	/* First thing: how long after kernel start the agent got control (the benchmark's
	 * time-to-agent; the same clock for every initrd compared). */
	clock_gettime(CLOCK_BOOTTIME, &started);
	/* ...and the same on the kernel's clock, next to its "Run /init as init process". */
	_cleanup_close_ int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	static const char kmsg_start[] = "<5>tdverity-probe-agent: start\n";
	if (kmsg >= 0)
		write_full(kmsg, kmsg_start, sizeof(kmsg_start) - 1);

	if (fcntl(out, F_GETFD) < 0)
		out = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (pid1) {
		mount_if_missing("/proc/self", "proc", "/proc", "proc");
		mount_if_missing("/sys/class", "sysfs", "/sys", "sysfs");
		mount_if_missing("/sys/kernel/security/lsm", "securityfs", "/sys/kernel/security",
				 "securityfs");
		/* Keep kernel messages from interleaving with the report. */
		_cleanup_close_ int fd = open("/proc/sys/kernel/printk", O_WRONLY | O_CLOEXEC);
		if (fd >= 0)
			write_full(fd, "1", 1);
	}

	probe_line(out, "start pid=%d", (int)getpid());
	probe_line(out, "boottime-ms %lld",
		   (long long)started.tv_sec * 1000 + started.tv_nsec / 1000000);
	report_root();
	report_mounts();
	report_dm();
	report_file_blob("cmdline", "/proc/cmdline");
	report_file_blob("aael", AAEL_PATH);
	static const char *const banks[] = { "sha1", "sha256", "sha384", "sha512", "sm3_256" };
	for (size_t i = 0; i < ELEMENTSOF(banks); i++)
		report_pcrs(banks[i]);
	report_file_blob("tpm-eventlog", BIOS_LOG);
	probe_line(out, "tdx-guest %s",
		   access("/sys/class/misc/tdx_guest", F_OK) == 0 || access("/dev/tdx_guest", F_OK) == 0
			   ? "present"
			   : "absent");
	if (!pid1 && access("/run/systemd/system", F_OK) == 0)
		report_systemd();
	probe_line(out, "end");

	sync();
	reboot(RB_POWER_OFF);
	/* PID 1 must not exit (the kernel would panic on a clean shutdown path). */
	for (;;)
		pause();
}
