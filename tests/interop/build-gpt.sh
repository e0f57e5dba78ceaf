# tdverity-build --layout gpt against the peer tools: sfdisk/blkid see the DPS types and
# the root-hash UUIDs, e2fsck finds the filesystem clean, veritysetup verifies it with the
# reported root hash, `veritysetup format` with the same salt/uuid gives the same root hash
# and the same hash area bytes, and one flipped byte in data or hash area fails verify.
. "$(dirname "$0")/build-common.inc"
out=$T/out
"$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$out" >"$T/stdout"
for f in disk.img cmdline.txt dm-mod-create.txt manifest.json; do [ -s "$out/$f" ] || fail "no $f"; done
[ ! -e "$out/kata-verity-params.txt" ] || fail "kata-verity-params.txt in a gpt build"
root=$(root_hash_of "$out")
[ ${#root} = 64 ] || fail "no root hash in cmdline.txt"
grep -q "root hash $root" "$T/stdout" || fail "stdout does not report the root hash"
grep -q "\"root_hash\": \"$root\"" "$out/manifest.json" || fail "manifest root_hash differs"

info "partition table (sfdisk, blkid)"
disk=$out/disk.img
sfdisk -d "$disk" >"$T/dump"
grep -q '^label: gpt$' "$T/dump" || fail "not a GPT"
guid=$(sed -n 's/.*"guid": "\(.*\)".*/\1/p' "$out/manifest.json")
grep -q "^label-id: $(upper "$guid")$" "$T/dump" || fail "disk GUID $guid not in the table"
uuid1=$(upper "$(as_uuid "${root:0:32}")") uuid2=$(upper "$(as_uuid "${root:32:32}")")
grep -q "^$disk""1 : start= *2048, .*type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=$uuid1, name=\"root-x86-64\"" "$T/dump" ||
	{ cat "$T/dump"; fail "p1 is not the DPS root partition with UUID $uuid1"; }
grep -q "^$disk""2 : .*type=2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5, uuid=$uuid2, name=\"root-x86-64-verity\"" "$T/dump" ||
	{ cat "$T/dump"; fail "p2 is not the DPS root-verity partition with UUID $uuid2"; }
sfdisk -J "$disk" | grep -q '"type": "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"' || fail "sfdisk -J lacks the root type"
blkid -p -o export "$disk" >"$T/blkid"
grep -q '^PTTYPE=gpt$' "$T/blkid" && grep -q "^PTUUID=$guid$" "$T/blkid" || { cat "$T/blkid"; fail "blkid: PTTYPE/PTUUID"; }

info "filesystem and verity partitions"
extract_part "$disk" 1 "$T/p1"
extract_part "$disk" 2 "$T/p2"
blkid -p -o export "$T/p1" | grep -q '^TYPE=ext4$' || fail "p1 is not ext4 for blkid"
fsuuid=$(sed -n '/"filesystem"/,/}/s/.*"uuid": "\(.*\)".*/\1/p' "$out/manifest.json")
blkid -p -o export "$T/p1" | grep -q "^UUID=$fsuuid$" || fail "ext4 UUID is not the manifest's $fsuuid"
blkid -p -o export "$T/p2" | grep -q '^TYPE=DM_verity_hash$' || fail "p2 is not a verity hash device for blkid"
e2fsck -fn "$T/p1" >"$T/fsck" 2>&1 || { cat "$T/fsck"; fail "e2fsck -fn"; }
veritysetup verify "$T/p1" "$T/p2" "$root" || fail "veritysetup verify rejects the reported root hash"

info "same root hash and hash area as veritysetup format"
salt=$(opt_of "$out" salt) vuuid=$(opt_of "$out" uuid) blocks=$(opt_of "$out" data-blocks)
[ "$(opt_of "$out" superblock)" = true ] || fail "gpt cmdline lacks superblock=true"
veritysetup format "$T/p1" "$T/ref" --hash sha256 --data-block-size 4096 --hash-block-size 4096 \
	--data-blocks "$blocks" --salt "$salt" --uuid "$vuuid" >"$T/fmt"
assert_eq "$(vs_root <"$T/fmt")" "$root" "veritysetup format root hash"
cmp -n "$(stat -c %s "$T/ref")" "$T/ref" "$T/p2" || fail "hash area differs from veritysetup's"

info "one flipped byte fails verify"
cp "$T/p1" "$T/p1.bad"
flip_byte "$T/p1.bad" $((blocks * 4096 / 2 + 17))
if veritysetup verify "$T/p1.bad" "$T/p2" "$root" 2>/dev/null; then fail "data corruption accepted"; fi
cp "$T/p2" "$T/p2.bad"
flip_byte "$T/p2.bad" $((4096 + 5))
if veritysetup verify "$T/p1" "$T/p2.bad" "$root" 2>/dev/null; then fail "hash corruption accepted"; fi
echo "ok"
