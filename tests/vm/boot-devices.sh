#!/bin/bash
# Missing devices end the boot with a clear line within the bounded device wait
# (tdverity.timeout): the verity partition deleted from the GPT, and no disk at all.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
need_cmd sfdisk
vm_build_image "$T/img"
img=$T/img
cmdline=$(cat "$img/cmdline.txt")

cp "$img/disk.img" "$T/noverity.img"
n=$(sfdisk -d "$T/noverity.img" | grep -i 'type=2C7357ED' | sed 's/^[^ ]*img\([0-9]*\) .*/\1/')
[ -n "$n" ] || fail "no verity partition in the disk"
sfdisk -q --delete "$T/noverity.img" "$n" >/dev/null 2>&1 || fail "sfdisk --delete failed"

vm_boot noverity "$img/initrd.img" "$T/noverity.img" "$cmdline"
vm_expect_refusal '^tdverity-init: devices: '

vm_boot --no-disk nodisk "$img/initrd.img" "" "$cmdline"
vm_expect_refusal '^tdverity-init: devices: '
