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

hash_off=$(vm_part_start "$img/disk.img" $VM_DPS_VERITY)
[ -n "$hash_off" ] || fail "cannot find the verity partition"
agent_off=$(vm_file_block_offset "$img/disk.img" /sbin/init)
info "agent /sbin/init starts at disk offset $agent_off"

# 1. data: a byte inside the agent's first block (the ELF header's e_entry area).
# /init verified the device (the flipped block is not one it reads) and pivoted; the
# kernel then refuses the agent's block and panics (panic-on-corruption).
vm_boot data "$img/initrd.img" "$(vm_flip "$img/disk.img" $((agent_off + 24)))" "$cmdline"
vm_expect_verity_panic

# 2. hash tree: the first hash block after the superblock (the top level, read first).
vm_boot hashtree "$img/initrd.img" "$(vm_flip "$img/disk.img" $((hash_off + 4096 + 7)))" "$cmdline"
vm_expect_refusal '^tdverity-init: verity: '

# 3. superblock: the first salt byte (offset 88 of the verity superblock).
vm_boot superblock "$img/initrd.img" "$(vm_flip "$img/disk.img" $((hash_off + 88)))" "$cmdline"
vm_expect_refusal '^tdverity-init: verity: '
