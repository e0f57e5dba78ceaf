#!/bin/bash
# Real firmware, here: boot the demo image through Debian's OVMF (-bios, direct kernel boot)
# with a swtpm vTPM (SHA-256 + SHA-384 banks).  The probe agent prints the firmware's TPM
# event log and the PCRs; `tdverity-verify expect` must predict, exactly and offline:
#   - the kernel's PE/Authenticode digest (PCR 4; QEMU 7.2 patches the setup header first:
#     --qemu-kernel-patch --memory), the LoadOptions and initrd digests the EFI stub logs
#     (PCR 9), each found as an event digest in the firmware's log, in both banks;
#   - PCR 4, PCR 9 and PCR 15 (the rootfs event) in both banks.
# Debian 12's OVMF is edk2 2022.11: firmware profile edk2-pre-202411.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
need_cmd jq
[ -f /usr/share/ovmf/OVMF.fd ] || skip "no /usr/share/ovmf/OVMF.fd (package ovmf)"
"$VERIFY_BIN" expect --help 2>&1 | grep -q -- --qemu-kernel-patch ||
	skip "tdverity-verify has no expect --qemu-kernel-patch yet"
vm_build_image "$T/img"
img=$T/img

vm_boot --ovmf ovmf "$img/initrd.img" "$img/disk.img" "$(cat "$img/cmdline.txt")"
vm_expect_agent
printf '%s' "$VM_APPEND" >"$T/append.txt"
vm_probe_blob tpm-eventlog "$T/tpm.log" || fail "the agent found no firmware TPM event log"
info "firmware TPM event log: $(stat -c %s "$T/tpm.log") bytes"

"$VERIFY_BIN" expect --kernel "$VM_KERNEL" --initrd "$img/initrd.img" --cmdline "$T/append.txt" \
	--manifest "$img/manifest.json" --firmware-profile edk2-pre-202411 \
	--qemu-kernel-patch --memory "$VM_MEMORY" --json >"$T/expect.json" ||
	fail "tdverity-verify expect failed"

# Each predicted event digest is an event digest of the firmware's log (at a byte boundary).
loghex=$(xxd -p "$T/tpm.log" | tr -d '\n')
in_log() { # hex
	local rest=${loghex%%"$1"*}
	[ "$rest" != "$loghex" ] && [ $((${#rest} % 2)) = 0 ]
}
for kind in kernel load-options initrd; do
	for bank in sha384 sha256; do
		d=$(jq -r ".events[] | select(.kind == \"$kind\") | .$bank" "$T/expect.json")
		[ -n "$d" ] && [ "$d" != null ] || fail "expect predicts no $kind event"
		in_log "$d" || fail "predicted $kind digest ($bank) $d is not in the firmware's log"
		info "$kind $bank $d: in the firmware's log"
	done
done

# The registers: the firmware's and the EFI stub's PCRs 4 and 9, and our PCR 15.
for bank in sha256 sha384; do
	for pcr in 4 9 15; do
		want=$(jq -r ".pcr.$bank.\"$pcr\"" "$T/expect.json")
		got=$(vm_probe "pcr $bank $pcr")
		assert_eq "$got" "$want" "PCR $pcr ($bank) predicted by tdverity-verify expect"
		info "PCR $pcr $bank = $got (predicted)"
	done
done
