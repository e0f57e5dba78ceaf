# --layout split (rootfs.img + rootfs.verity) with sha256/sha384/sha512: veritysetup
# verifies each; the root hash does not depend on the layout (same data, same salt), so
# the split sha256 root equals the gpt one.
. "$(dirname "$0")/build-common.inc"
"$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$T/gpt" >/dev/null
for alg in sha256 sha384 sha512; do
	out=$T/split-$alg
	"$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$out" --layout split --hash $alg >/dev/null
	[ ! -e "$out/disk.img" ] || fail "split build wrote disk.img"
	root=$(root_hash_of "$out")
	assert_eq "$(opt_of "$out" hash)" $alg "hash= option"
	veritysetup verify "$out/rootfs.img" "$out/rootfs.verity" "$root" || fail "verify $alg"
	veritysetup dump "$out/rootfs.verity" | grep -q "Hash algorithm:.*$alg" || fail "superblock alg $alg"
	e2fsck -fn "$out/rootfs.img" >/dev/null 2>&1 || fail "e2fsck -fn ($alg)"
	grep -q "systemd.verity_root_data=/dev/vda systemd.verity_root_hash=/dev/vdb " "$out/cmdline.txt" || fail "selectors"
done
assert_eq "$(root_hash_of "$T/split-sha256")" "$(root_hash_of "$T/gpt")" "root hash gpt vs split"
[ "$(root_hash_of "$T/split-sha384")" != "$(root_hash_of "$T/split-sha256")" ] || fail "sha384 = sha256 root?"
echo ok
