#!/bin/bash
# A wrong root hash or salt on the (measured) cmdline stops the boot in /init, before the
# pivot: dm-verity accepts the table, so /init must read the device back and fail there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
vm_build_image "$T/img"
img=$T/img

# Invert the last hex digit of a value.
flip_hex() { local v=$1 c=${1: -1}; printf '%s%x' "${v%?}" $((0x$c ^ 0xf)); }

root=$(vm_cmdline_get "$img/cmdline.txt" roothash)
[ -n "$root" ] || fail "no roothash= in cmdline.txt"
vm_boot roothash "$img/initrd.img" "$img/disk.img" \
	"$(vm_cmdline_set "$img/cmdline.txt" roothash "$(flip_hex "$root")")"
vm_expect_refusal '^tdverity-init: verity: '
grep -q 'tdverity-init: exec' "$VM_CONSOLE" && fail "/init reached exec"

opts=$(vm_cmdline_get "$img/cmdline.txt" systemd.verity_root_options)
salt=$(echo "$opts" | tr ',' '\n' | sed -n 's/^salt=//p')
[ -n "$salt" ] && [ "$salt" != - ] || fail "no salt in systemd.verity_root_options"
vm_boot salt "$img/initrd.img" "$img/disk.img" \
	"$(vm_cmdline_set "$img/cmdline.txt" systemd.verity_root_options \
		"$(echo "$opts" | sed "s/salt=$salt/salt=$(flip_hex "$salt")/")")"
vm_expect_refusal '^tdverity-init: verity: '
grep -q 'tdverity-init: exec' "$VM_CONSOLE" && fail "/init reached exec"
exit 0
