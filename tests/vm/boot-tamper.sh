#!/bin/bash
# One flipped byte anywhere the verity root covers ends the boot without running the agent:
# in a data block of the agent itself (read only after the pivot: dm-verity's
# panic-on-corruption ends the boot), in the hash tree (caught when /init reads the new
# device back), in the verity superblock (/init checks it against the measured cmdline).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
need_cmd sfdisk debugfs
vm_build_image "$T/img"
img=$T/img
cmdline=$(cat "$img/cmdline.txt")

# Byte offsets of the partitions (GPT, DPS type GUIDs).
part_start() { # type-guid → byte offset
	sfdisk -d "$img/disk.img" | grep -i "type=$1" | sed 's/.*start= *\([0-9]*\).*/\1/' |
		awk '{print $1 * 512}'
}
data_off=$(part_start 4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709)
hash_off=$(part_start 2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5)
[ -n "$data_off" ] && [ -n "$hash_off" ] || fail "cannot find the DPS partitions"

flip() { # file offset → a copy with that byte inverted, path on stdout
	local out=$T/flip-$2.img
	cp "$1" "$out"
	local b
	b=$(dd if="$out" bs=1 skip="$2" count=1 status=none | xxd -p)
	printf "%02x" $((0x$b ^ 0xff)) | xxd -r -p |
		dd of="$out" bs=1 seek="$2" conv=notrunc status=none
	echo "$out"
}

# The agent's first data block inside the ext4 (/sbin/init, following a symlink).
dd if="$img/disk.img" of="$T/root.ext4" bs=1M iflag=skip_bytes skip="$data_off" \
	count=$(( $(sfdisk -d "$img/disk.img" | grep -i 4F68BCE3 |
		sed 's/.*size= *\([0-9]*\).*/\1/') / 2048 )) status=none
agent=/sbin/init
target=$(debugfs -R "stat $agent" "$T/root.ext4" 2>/dev/null | sed -n 's/^Fast link dest: "\(.*\)"/\1/p')
[ -n "$target" ] && agent=$target
blk=$(debugfs -R "bmap $agent 0" "$T/root.ext4" 2>/dev/null)
[[ "$blk" =~ ^[0-9]+$ ]] && [ "$blk" -gt 0 ] || fail "cannot map $agent in the ext4"
info "agent $agent starts at ext4 block $blk"

# 1. data: a byte inside the agent's first block (the ELF header's e_entry area).
vm_boot data "$img/initrd.img" "$(flip "$img/disk.img" $((data_off + blk * 4096 + 24)))" "$cmdline"
if grep -q '^TDVERITY-PROBE:' "$VM_CONSOLE"; then vm_show_console; fail "agent ran from a corrupted block"; fi
# /init verified the device (the flipped block is not one it reads) and pivoted; the
# kernel then refuses the agent's block and panics (panic-on-corruption).
grep -Eq 'device-mapper: verity: [0-9]+:[0-9]+: data block [0-9]+ is corrupted' "$VM_CONSOLE" ||
	{ vm_show_console; fail "no dm-verity corruption report"; }
grep -q 'Kernel panic - not syncing: dm-verity device corrupted' "$VM_CONSOLE" ||
	{ vm_show_console; fail "dm-verity did not end the boot (panic-on-corruption)"; }
grep -m1 -E 'data block [0-9]+ is corrupted' "$VM_CONSOLE" | sed 's/^/-- failure line: /'
grep -m1 'Kernel panic' "$VM_CONSOLE" | sed 's/^/-- failure line: /'

# 2. hash tree: the first hash block after the superblock (the top level, read first).
vm_boot hashtree "$img/initrd.img" "$(flip "$img/disk.img" $((hash_off + 4096 + 7)))" "$cmdline"
vm_expect_refusal '^tdverity-init: verity: '

# 3. superblock: the first salt byte (offset 88 of the verity superblock).
vm_boot superblock "$img/initrd.img" "$(flip "$img/disk.img" $((hash_off + 88)))" "$cmdline"
vm_expect_refusal '^tdverity-init: verity: '
