#!/bin/bash
# A real distro root under systemd: a Debian bookworm tree (debootstrap minbase +
# systemd-sysv, no udev; scripts/fetch-debootstrap.sh, cached outside the repo) built with
# rootfs-templates/kata-agent-systemd and the probe agent as /usr/bin/kata-agent.  systemd
# (PID 1 after /init) must start kata-agent.service with no failed unit and no job left
# waiting: is-system-running --wait returns only when every job is done, so a device or
# job timeout (DefaultTimeoutStartSec, 90 s) would show as a ready time past 90 s.  The
# guest time is printed, not asserted tighter (no timed assertions in tests; under TCG it
# grows with the host's load; README has the measured values).  PCR 15 is exact.  A flipped byte in the agent and a wrong root hash
# still stop this image before the agent runs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
need_cmd sfdisk debugfs jq
base=$("$TDV_TOP/scripts/fetch-debootstrap.sh" 2>"$T/debootstrap.err") ||
	skip "no debootstrap tree: $(tail -n1 "$T/debootstrap.err")"
[ -x "$base/lib/systemd/systemd" ] || skip "$base holds no systemd"
img=$T/img
"$BUILD_BIN" --template "$TDV_TOP/rootfs-templates/kata-agent-systemd" --base "$base" \
	--agent "$TDV_BUILD/tdverity-probe-agent" --kernel-modules "$VM_MODULES" --out "$img" \
	>"$T/build.log" 2>&1 || { cat "$T/build.log" >&2; fail "tdverity-build failed"; }
cmdline=$(cat "$img/cmdline.txt")
case " $cmdline " in *" ro "*) ;; *) fail "the measured cmdline lacks ro" ;; esac

vm_boot systemd "$img/initrd.img" "$img/disk.img" "$cmdline"
vm_expect_agent any-pid
assert_eq "$VM_RC" 0 "QEMU exit (the agent powers off)"
grep -q '^tdverity-init: exec /sbin/init$' "$VM_CONSOLE" || fail "/init did not exec systemd"
grep -q '^TDVERITY-PROBE: start pid=1$' "$VM_CONSOLE" && fail "the agent ran as PID 1, not under systemd"
assert_eq "$(vm_probe systemd-state)" running "systemctl is-system-running --wait"
if [ "$(vm_probe systemd-failed-count)" != 0 ]; then
	grep '^TDVERITY-PROBE: systemd-failed ' "$VM_CONSOLE" >&2
	fail "failed units under systemd"
fi
# The root is the verity device, mounted read-only, and systemd left it so.
grep -Eq '^TDVERITY-PROBE: mount /dev/(dm-[0-9]+|mapper/[^ ]+) / ext4 ro[, ]' "$VM_CONSOLE" ||
	{ grep '^TDVERITY-PROBE: mount' "$VM_CONSOLE" >&2; fail "/ is not a read-only ext4 on dm"; }
# No second verity device: systemd in the root did not set the root up again.
assert_eq "$(grep -c '^TDVERITY-PROBE: dm ' "$VM_CONSOLE")" 1 "device-mapper devices"
ready=$(vm_probe systemd-ready-ms)
[ -n "$ready" ] && [ "$ready" -lt 90000 ] ||
	fail "systemd finished booting after ${ready:-?} ms of guest time: a job timed out"
vm_check_pcr15 "$img" "sha256 sha384"
echo "SYSTEMD agent-at=$(vm_probe boottime-ms)ms ready=${ready}ms boot=${VM_SECONDS}s"

# Tampering: one byte of kata-agent (read only when systemd starts the service), and a
# wrong root hash on the cmdline (/init's read-back).
agent_off=$(vm_file_block_offset "$img/disk.img" /usr/bin/kata-agent)
vm_boot systemd-data "$img/initrd.img" "$(vm_flip "$img/disk.img" $((agent_off + 24)))" "$cmdline"
vm_expect_verity_panic

root=$(vm_cmdline_get "$img/cmdline.txt" roothash)
vm_boot systemd-roothash "$img/initrd.img" "$img/disk.img" \
	"$(vm_cmdline_set "$img/cmdline.txt" roothash "$(printf '%s%x' "${root%?}" $((0x${root: -1} ^ 0xf)))")"
vm_expect_refusal '^tdverity-init: verity: '
