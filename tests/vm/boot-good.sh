#!/bin/bash
# Boot the demo image for real (QEMU TCG, Debian's 6.1 kernel, swtpm): the probe agent runs
# from the verified root, PCR 15 holds exactly the value computed offline from the
# manifest in both banks, and /run/attestation-agent/eventlog holds exactly one
# well-formed record of the rootfs event.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
vm_build_image "$T/img"
img=$T/img

vm_boot good "$img/initrd.img" "$img/disk.img" "$(cat "$img/cmdline.txt")"
vm_expect_agent
assert_eq "$VM_RC" 0 "QEMU exit (the agent powers off)"
grep -q '^tdverity-init: verity: root hash [0-9a-f]* verified on ' "$VM_CONSOLE" ||
	{ vm_show_console; fail "/init did not report the verified root"; }
grep -Eq '^tdverity-init: measured rootfs into PCR15 \(.*sha256.*\)' "$VM_CONSOLE" ||
	{ vm_show_console; fail "/init did not report the PCR 15 measurement"; }

# The root is the dm-verity device, read-only ext4.
dm=$(vm_probe root-dev)
case "$dm" in *dm-name=none | "") fail "root is not a device-mapper device: '$dm'" ;; esac
grep -Eq '^TDVERITY-PROBE: mount /dev/(dm-[0-9]+|mapper/[^ ]+) / ext4 ro[, ]' "$VM_CONSOLE" ||
	{ grep '^TDVERITY-PROBE: mount' "$VM_CONSOLE" >&2; fail "/ is not a read-only ext4 on dm"; }

# The event log: exactly one record of the rootfs event with a digest for each active
# bank; PCR 15 = extend(0, H(event)) in each bank, computed offline from the manifest and
# by tdverity-verify expect.  (The matrix's -cpu max x sha256+sha384 cell.)
vm_check_pcr15 "$img" "sha256 sha384"
info "boot took ${VM_SECONDS}s"
