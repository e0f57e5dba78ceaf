#!/bin/bash
# The usual shell pipeline that tdverity-build replaces (the peer in bench/build.sh):
#   mke2fs -d  → veritysetup format → sfdisk (GPT, DPS types, root-hash UUIDs) → dd
# Usage: bench/build-pipeline.sh TREE FS_BYTES OUT_DIR
# It is not reproducible: mke2fs copies the tree's times and makes up a UUID and hash
# seed, veritysetup picks a random salt and UUID, and sfdisk a random disk GUID.
set -euo pipefail
tree=$1 fs_bytes=$2 out=$3
mkdir -p "$out"
mib=$((1024 * 1024))
fs=$out/fs.img hash=$out/hash.img disk=$out/disk.img

rm -f "$fs" "$hash" "$disk"
mke2fs -q -t ext4 -b 4096 -O ^has_journal,^resize_inode -m 0 -d "$tree" "$fs" $((fs_bytes / 4096))
veritysetup format "$fs" "$hash" >"$out/verity.txt"
root=$(sed -n 's/^Root hash:[[:space:]]*//p' "$out/verity.txt")

fs_mib=$(((fs_bytes + mib - 1) / mib))
hash_mib=$((($(stat -c %s "$hash") + mib - 1) / mib))
truncate -s $(((1 + fs_mib + hash_mib + 1) * mib)) "$disk"
uuid() { echo "$1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\)$/\1-\2-\3-\4-\5/'; }
sfdisk -q "$disk" <<SFDISK
label: gpt
start=2048, size=$((fs_mib * 2048)), type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709, uuid=$(uuid "${root:0:32}"), name="root-x86-64"
start=$(((1 + fs_mib) * 2048)), size=$((hash_mib * 2048)), type=2c7357ed-ebd2-46d9-aec1-23d437ec2bf5, uuid=$(uuid "${root:32:32}"), name="root-x86-64-verity"
SFDISK
dd if="$fs" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$hash" of="$disk" bs=1M seek=$((1 + fs_mib)) conv=notrunc status=none
rm -f "$fs" "$hash"
echo "$root"
