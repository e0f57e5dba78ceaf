# tdverity-verify image: GPT, Kata (MBR) and split layouts made with veritysetup format,
# the explicit-parameter form, flipped bytes anywhere, and every exit code
# (0 verified, 1 mismatch, 2 usage, 3 bad input / I/O).
. "$(dirname "$0")/../lib.sh"
need_cmd veritysetup sfdisk od
[ -x "$VERIFY_BIN" ] || fail "$VERIFY_BIN not built"

UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
SALT=5a175a17
BLOCKS=300
vs_root() { awk '/^Root hash:/ {print $3}'; }
flip() { # file offset
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 0x55)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

head -c $((BLOCKS * 4096)) /dev/urandom >"$T/rootfs.img"
ROOT=$(veritysetup format "$T/rootfs.img" "$T/rootfs.verity" --uuid=$UUID --salt=$SALT | vs_root)
NOSB_ROOT=$(veritysetup format "$T/rootfs.img" "$T/rootfs.nosb" --no-superblock --salt=$SALT | vs_root)
assert_eq "$NOSB_ROOT" "$ROOT" "root hash with and without superblock"
HASH_BYTES=$(stat -c %s "$T/rootfs.verity")

# A disk image: data partition at 1 MiB, hash partition after it (sizes in 512-byte sectors).
make_disk() { # out label data-type hash-type hash-file
	local dstart=2048 dsize=$((BLOCKS * 8)) hsize=$((($(stat -c %s "$5") + 511) / 512))
	local hstart=$((dstart + dsize))
	truncate -s $(((hstart + hsize + 2048) * 512)) "$1"
	printf 'label: %s\nstart=%s, size=%s, type=%s\nstart=%s, size=%s, type=%s\n' \
		"$2" $dstart $dsize "$3" $hstart $hsize "$4" | sfdisk -q "$1" >/dev/null
	dd if="$T/rootfs.img" of="$1" bs=512 seek=$dstart conv=notrunc status=none
	dd if="$5" of="$1" bs=512 seek=$hstart conv=notrunc status=none
	DATA_OFF=$((dstart * 512)) HASH_OFF=$((hstart * 512))
	DATA_SIZE=$((dsize * 512)) HASH_SIZE=$((hsize * 512))
}
uuid_of() { echo "$1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)\(.\{12\}\)$/\1-\2-\3-\4-\5/'; }
# The shape tdverity-build writes (host/manifest.h), minus the optional provenance:
# out layout root [data-offset] (partitions from the last make_disk; gpt partition UUIDs
# are the root hash's halves, as the builder makes them).
manifest() {
	local sb=true p1= p2= f1=gpt.img f2=gpt.img
	case $2 in
	gpt)
		p1=", \"number\": 1, \"type\": \"4f68bce3-e8cd-4db1-96e7-fbcaf984b709\", \"name\": \"root-x86-64\", \"uuid\": \"$(uuid_of "$(echo "$3" | cut -c1-32)")\""
		p2=", \"number\": 2, \"type\": \"2c7357ed-ebd2-46d9-aec1-23d437ec2bf5\", \"name\": \"root-x86-64-verity\", \"uuid\": \"$(uuid_of "$(echo "$3" | cut -c33-64)")\"" ;;
	kata) sb=false f1=kata.img f2=kata.img p1=', "number": 1, "type": "0x83"' p2=', "number": 2, "type": "0x83"' ;;
	split) f1=rootfs.img f2=rootfs.verity ;;
	esac
	cat >"$1" <<JSON
{ "layout": "$2", "root_hash": "$3", "salt": "$SALT",
  "hash_algorithm": "sha256", "data_blocks": $BLOCKS, "data_block_size": 4096,
  "hash_block_size": 4096, "hash_offset": 0, "superblock": $sb,
  "partitions": [
    { "role": "root", "offset": ${4:-$DATA_OFF}, "size": $DATA_SIZE, "file": "$f1" $p1 },
    { "role": "root-verity", "offset": $HASH_OFF, "size": $HASH_SIZE, "file": "$f2" $p2 } ] }
JSON
}

info "gpt layout"
make_disk "$T/gpt.img" gpt 4f68bce3-e8cd-4db1-96e7-fbcaf984b709 \
	2c7357ed-ebd2-46d9-aec1-23d437ec2bf5 "$T/rootfs.verity"
manifest "$T/gpt.json" gpt "$ROOT"
expect_exit 0 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/gpt.json"
expect_exit 0 "$VERIFY_BIN" image --manifest "$T/gpt.json" # the file next to the manifest
grep -q '^verdict: *verified' "$T/expect.out" || fail "no verified verdict"
expect_exit 0 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/gpt.json" --json --threads 1
grep -q '"verdict":"verified"' "$T/expect.out" || fail "json verdict"

cp "$T/gpt.img" "$T/bad.img"
flip "$T/bad.img" $((DATA_OFF + 123 * 4096 + 99))
expect_exit 1 "$VERIFY_BIN" image "$T/bad.img" --manifest "$T/gpt.json"
grep -q 'first bad block: data block 123 ' "$T/expect.out" || fail "data flip: $(cat "$T/expect.out")"
expect_exit 1 "$VERIFY_BIN" image "$T/bad.img" --manifest "$T/gpt.json" --json
grep -q '"bad_block":{"area":"data","block":123,' "$T/expect.out" || fail "json bad block"

for off in 4096 8192 $((HASH_BYTES - 1)); do # top level, leaf level, last leaf's padding
	cp "$T/gpt.img" "$T/bad.img"
	flip "$T/bad.img" $((HASH_OFF + off))
	expect_exit 1 "$VERIFY_BIN" image "$T/bad.img" --manifest "$T/gpt.json"
	grep -q "first bad block: hash block $((off / 4096))," "$T/expect.out" ||
		fail "hash flip at $off: $(cat "$T/expect.out")"
done
cp "$T/gpt.img" "$T/bad.img"
flip "$T/bad.img" $((HASH_OFF + 88)) # salt in the superblock
expect_exit 1 "$VERIFY_BIN" image "$T/bad.img" --manifest "$T/gpt.json"
grep -q 'superblock salt differs' "$T/expect.out" || fail "superblock flip: $(cat "$T/expect.out")"
cp "$T/gpt.img" "$T/bad.img"
flip "$T/bad.img" $((HASH_OFF + 400)) # reserved superblock byte
expect_exit 1 "$VERIFY_BIN" image "$T/bad.img" --manifest "$T/gpt.json"

info "gpt: manifest disagreements"
manifest "$T/m.json" gpt "$(echo "$ROOT" | tr 0-9a-f 1-9a-f0)"
expect_exit 1 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
manifest "$T/m.json" gpt "$ROOT" 512
expect_exit 1 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
# The lenient second reader's spellings are gone: an alias is bad input, not a guess.
sed 's/"role": "root",/"role": "data",/' "$T/gpt.json" >"$T/m.json"
expect_exit 3 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
expect_stderr "'role' must be"
manifest "$T/m.json" kata "$ROOT"
expect_exit 1 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
sed "s/\"data_blocks\": $BLOCKS/\"data_blocks\": $((BLOCKS + 1))/" "$T/gpt.json" >"$T/m.json"
expect_exit 1 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
sed "s/\"salt\": \"$SALT\"/\"salt\": \"00\"/" "$T/gpt.json" >"$T/m.json"
expect_exit 1 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"

info "gpt: bad input (exit 3)"
echo '{ "layout": "gpt", ' >"$T/m.json"
expect_exit 3 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
expect_stderr "not valid JSON"
sed "s/\"root_hash\"/\"root_hash_gone\"/" "$T/gpt.json" >"$T/m.json"
expect_exit 3 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
expect_stderr "unknown member 'root_hash_gone'"
sed 's/"data_block_size": 4096/"data_block_size": "4096"/' "$T/gpt.json" >"$T/m.json"
expect_exit 3 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
sed 's/"data_blocks": [0-9]*/"data_blocks": 18446744073709551615/' "$T/gpt.json" >"$T/m.json"
expect_exit 3 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/m.json"
expect_exit 3 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/nonexistent.json"
expect_exit 3 "$VERIFY_BIN" image "$T/nonexistent.img" --manifest "$T/gpt.json"
expect_exit 3 "$VERIFY_BIN" image "$T/rootfs.img" --manifest "$T/gpt.json" # no partition table
head -c $((HASH_OFF + 8192)) "$T/gpt.img" >"$T/short.img" # cut: backup GPT and hash area gone
expect_exit 3 "$VERIFY_BIN" image "$T/short.img" --manifest "$T/gpt.json"

info "kata layout (MBR, no superblock)"
make_disk "$T/kata.img" dos 83 83 "$T/rootfs.nosb"
manifest "$T/kata.json" kata "$ROOT"
expect_exit 0 "$VERIFY_BIN" image "$T/kata.img" --manifest "$T/kata.json"
cp "$T/kata.img" "$T/bad.img"
flip "$T/bad.img" $((DATA_OFF + (BLOCKS - 1) * 4096))
expect_exit 1 "$VERIFY_BIN" image "$T/bad.img" --manifest "$T/kata.json"
grep -q "data block $((BLOCKS - 1)) " "$T/expect.out" || fail "kata data flip"
# The superblock-carrying hash in a kata disk: no superblock expected, so the tree is off.
make_disk "$T/kata-sb.img" dos 83 83 "$T/rootfs.verity"
expect_exit 1 "$VERIFY_BIN" image "$T/kata-sb.img" --manifest "$T/kata.json"

info "split layout"
(DATA_SIZE=$(stat -c %s "$T/rootfs.img") HASH_SIZE=$HASH_BYTES HASH_OFF=0
	manifest "$T/split.json" split "$ROOT" 0)
expect_exit 0 "$VERIFY_BIN" image --manifest "$T/split.json" --data "$T/rootfs.img" \
	--hash "$T/rootfs.verity"
expect_exit 0 "$VERIFY_BIN" image --manifest "$T/split.json" # files named by the manifest
sed 's/"rootfs.verity"/"..\/rootfs.verity"/' "$T/split.json" >"$T/m.json"
expect_exit 3 "$VERIFY_BIN" image --manifest "$T/m.json"
expect_exit 2 "$VERIFY_BIN" image --manifest "$T/split.json" --data "$T/rootfs.img"

info "explicit parameters"
expect_exit 0 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.verity" --root-hash "$ROOT"
expect_exit 0 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.nosb" \
	--root-hash "$ROOT" --no-superblock --salt $SALT --hash-alg sha256
expect_exit 0 "$VERIFY_BIN" image --data "$T/kata.img" --hash "$T/kata.img" --root-hash "$ROOT" \
	--no-superblock --salt $SALT --data-offset $DATA_OFF --hash-offset $HASH_OFF \
	--data-blocks $BLOCKS
expect_exit 1 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.verity" \
	--root-hash "$ROOT" --salt 00
[ ! -s "$T/expect.err" ] || fail "a mismatch is a verdict on stdout, not an error: $(cat "$T/expect.err")"
grep -q 'superblock salt differs' "$T/expect.out" || fail "explicit salt cross-check"
expect_exit 1 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.verity" \
	--root-hash "$ROOT" --hash-block-size 8192
expect_exit 1 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.nosb" --root-hash "$ROOT"
expect_exit 1 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.nosb" \
	--root-hash "$ROOT" --no-superblock --salt 00
head -c 8192 "$T/rootfs.verity" >"$T/short.verity"
expect_exit 3 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/short.verity" --root-hash "$ROOT"

info "usage errors (exit 2)"
expect_exit 2 "$VERIFY_BIN" image
expect_exit 2 "$VERIFY_BIN" image --bogus
expect_exit 2 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.verity" --root-hash xyz
expect_exit 2 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.verity"
expect_exit 2 "$VERIFY_BIN" image "$T/gpt.img" --manifest "$T/gpt.json" --root-hash "$ROOT"
expect_exit 2 "$VERIFY_BIN" image "$T/gpt.img" extra --manifest "$T/gpt.json"
expect_exit 2 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.nosb" \
	--root-hash "$ROOT" --no-superblock
expect_exit 2 "$VERIFY_BIN" image --data "$T/rootfs.img" --hash "$T/rootfs.verity" \
	--root-hash "$ROOT" --data-block-size 1000
expect_exit 0 "$VERIFY_BIN" image --help
echo "tdverity-verify image: all cases as expected"
