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
tool=$TDV_BUILD/tests/vmtools/rootfs-pcr

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

# The event log: exactly one record, the expected event, digests in both banks.
vm_probe_blob aael "$T/aael" || fail "the agent found no /run/attestation-agent/eventlog"
banks=$("$tool" "$img/manifest.json" check-log "$T/aael" 15) || fail "event log check"
assert_eq "$(echo $banks | tr ' ' '\n' | sort | tr '\n' ' ')" "sha256 sha384 " "digest banks in the record"

# PCR 15 = extend(0, H(event)) in each bank, computed offline from the manifest.
for bank in sha256 sha384; do
	want=$("$tool" "$img/manifest.json" pcr $bank)
	assert_eq "$(vm_probe "pcr $bank 15")" "$want" "PCR 15 ($bank)"
	info "PCR 15 $bank = $want (as computed offline)"
done
# If the verifier predicts PCR 15 too, it must agree.
if "$VERIFY_BIN" expect --help 2>&1 | grep -q -- '--manifest'; then
	if "$VERIFY_BIN" expect --manifest "$img/manifest.json" --kernel "$VM_KERNEL" \
		--initrd "$img/initrd.img" --json >"$T/expect.json" 2>"$T/expect.err"; then
		for bank in sha256 sha384; do
			grep -qi "$(vm_probe "pcr $bank 15")" "$T/expect.json" ||
				fail "tdverity-verify expect does not predict PCR 15 ($bank)"
		done
		info "tdverity-verify expect predicts PCR 15 in both banks"
	fi
fi
info "boot took ${VM_SECONDS}s"
