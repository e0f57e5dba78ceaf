# --layout kata: an MBR image as Kata's image_builder.sh makes it (p1 data, p2 hash tree
# without superblock), with kata-verity-params.txt and the dm-mod.create= string Kata's
# runtime derives from it; checked with sfdisk and veritysetup --no-superblock.
. "$(dirname "$0")/build-common.inc"
out=$T/out
"$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$out" --layout kata >/dev/null
disk=$out/disk.img
sfdisk -d "$disk" >"$T/dump"
grep -q '^label: dos$' "$T/dump" || fail "not an MBR"
grep -q "^$disk""1 : start= *2048, size=.*type=83, bootable$" "$T/dump" || { cat "$T/dump"; fail "p1"; }
grep -q "^$disk""2 : start=.*type=83$" "$T/dump" || { cat "$T/dump"; fail "p2"; }
id=$(sed -n 's/.*"id": "\(0x[0-9a-f]*\)".*/\1/p' "$out/manifest.json")
grep -q "^label-id: $id$" "$T/dump" || fail "MBR id $id not in the table"

params=$(cat "$out/kata-verity-params.txt")
kv() { echo "$params" | tr , '\n' | sed -n "s/^$1=//p"; }
root=$(kv root_hash) salt=$(kv salt) blocks=$(kv data_blocks)
assert_eq "$(root_hash_of "$out")" "$root" "cmdline vs kata params root hash"
assert_eq "$(kv data_block_size),$(kv hash_block_size)" "4096,4096" "block sizes"
assert_eq "$(opt_of "$out" superblock)" false "kata superblock"
grep -q "systemd.verity_root_data=/dev/vda1 systemd.verity_root_hash=/dev/vda2 " "$out/cmdline.txt" || fail "selectors"
expected="dm-mod.create=\"dm-verity,,,ro,0 $((blocks * 8)) verity 1 /dev/vda1 /dev/vda2 4096 4096 $blocks 0 sha256 $root $salt\" root=/dev/dm-0 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4"
assert_eq "$(cat "$out/dm-mod-create.txt")" "$expected" "dm-mod-create.txt"

# kata-config.toml: the keys for Kata's configuration, read back by kata-cmdline inside
# a full TDX configuration; Kata's line then carries exactly our dm-mod.create= root.
snippet=$out/kata-config.toml
grep -q '^image = "/opt/kata/share/kata-containers/kata-containers-tdverity.img"$' "$snippet" || fail "image path"
grep -q "^kernel_verity_params = \"$params\"$" "$snippet" || fail "kernel_verity_params"
grep -q 'out of enable_annotations' "$snippet" || fail "annotation advice"
grep -q '"cc_init_data"' "$snippet" || fail "cc_init_data advice"
grep -q '"kata-config.toml"' "$out/manifest.json" || fail "kata-config.toml not in the manifest"
conf=$T/configuration-qemu-tdx.toml
{ sed -n '1,/^\[hypervisor.qemu\]$/p' "$TDV_TOP/tests/fixtures/kata/configuration-qemu-tdx.toml"
  sed -n '/^\[hypervisor.qemu\]$/,$p' "$snippet" | tail -n +2
  sed -n '/^\[hypervisor.qemu\]$/,$p' "$TDV_TOP/tests/fixtures/kata/configuration-qemu-tdx.toml" | tail -n +2 |
	grep -v -E '^(image|kernel_verity_params|kernel_params) = '; } >"$conf"
line=$("$VERIFY_BIN" kata-cmdline --config "$conf" --nr-cpus 1)
case $line in
*" $(cat "$out/dm-mod-create.txt") console=hvc0 "*) ;;
*) fail "Kata's line does not carry dm-mod-create.txt: $line" ;;
esac
"$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$T/kx" --layout kata \
	--kata-image /srv/kata/x.img --extra-cmdline 'quiet foo="a b"' >/dev/null
grep -q '^image = "/srv/kata/x.img"$' "$T/kx/kata-config.toml" || fail "--kata-image"
grep -qF 'kernel_params = "quiet foo=\"a b\""' "$T/kx/kata-config.toml" || fail "kernel_params quoting"

extract_part "$disk" 1 "$T/p1"
extract_part "$disk" 2 "$T/p2"
e2fsck -fn "$T/p1" >/dev/null 2>&1 || fail "e2fsck -fn"
vs() { veritysetup "$@" --no-superblock --hash sha256 --data-block-size 4096 --hash-block-size 4096 \
	--data-blocks "$blocks" --salt "$salt"; }
vs verify "$T/p1" "$T/p2" "$root" || fail "veritysetup verify --no-superblock"
vs format "$T/p1" "$T/ref" >"$T/fmt"
assert_eq "$(vs_root <"$T/fmt")" "$root" "veritysetup format --no-superblock root hash"
cmp -n "$(stat -c %s "$T/ref")" "$T/ref" "$T/p2" || fail "hash tree differs from veritysetup's"
flip_byte "$T/p2" 100
if vs verify "$T/p1" "$T/p2" "$root" 2>/dev/null; then fail "hash corruption accepted"; fi
echo ok
