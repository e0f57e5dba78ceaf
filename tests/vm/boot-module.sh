#!/bin/bash
# A module the load order names but the initrd lacks (dm-verity.ko removed from a copy of
# initrd.img) stops the boot at the modules step.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
need_cmd cpio
vm_build_image "$T/img"
img=$T/img

mkdir "$T/unpacked"
(cd "$T/unpacked" && zcat "$img/initrd.img" | cpio -id --quiet) || fail "cannot unpack initrd.img"
grep -qx 'required dm-verity.ko' "$T/unpacked/lib/modules/load-order" || fail "load-order lacks dm-verity.ko"
rm "$T/unpacked/lib/modules/dm-verity.ko"
(cd "$T/unpacked" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -9n >"$T/initrd-missing.img"

vm_boot nomodule "$T/initrd-missing.img" "$img/disk.img" "$(cat "$img/cmdline.txt")"
vm_expect_refusal '^tdverity-init: modules: .*dm-verity'
