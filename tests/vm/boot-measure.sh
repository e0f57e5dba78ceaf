#!/bin/bash
# Measurement policy: with neither a TPM nor TDX the default (tdverity.measure=auto) refuses
# to boot; an explicit tdverity.measure=none on the measured cmdline boots, says so, and
# leaves no event log.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
vm_build_image "$T/img"
img=$T/img
grep -q 'tdverity.measure=auto' "$img/cmdline.txt" || fail "cmdline.txt lacks tdverity.measure=auto"

vm_boot --no-tpm notpm "$img/initrd.img" "$img/disk.img" "$(cat "$img/cmdline.txt")"
vm_expect_refusal '^tdverity-init: measure: '

vm_boot --no-tpm unmeasured "$img/initrd.img" "$img/disk.img" \
	"$(vm_cmdline_set "$img/cmdline.txt" tdverity.measure none)"
vm_expect_agent
grep -q '^tdverity-init: UNMEASURED BOOT (tdverity.measure=none)' "$VM_CONSOLE" ||
	{ vm_show_console; fail "/init did not say the boot is unmeasured"; }
assert_eq "$(vm_probe aael)" "absent" "event log on an unmeasured boot"
