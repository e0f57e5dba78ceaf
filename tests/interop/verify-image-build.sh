# tdverity-verify image on real tdverity-build output (gpt, kata, split): verified as built,
# and a one-byte flip in the data or the hash area is a mismatch naming the right area.
. "$(dirname "$0")/../lib.sh"
need_cmd od
template=$TDV_TOP/rootfs-templates/kata-agent
agent=$TDV_BUILD/tdverity-probe-agent
[ -d "$template" ] || skip "no rootfs-templates/kata-agent yet"
"$BUILD_BIN" --help 2>&1 | grep -q -- '--layout' || skip "tdverity-build has no --layout yet"
[ -x "$VERIFY_BIN" ] && [ -x "$agent" ] || fail "programs not built"

flip() { # file offset
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 0x55)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
json_int() { sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p" "$2"; }
json_str() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$2"; }

for layout in gpt kata split; do
	info "$layout"
	out=$T/$layout
	"$BUILD_BIN" --template "$template" --agent "$agent" --out "$out" --layout $layout \
		--seed verify-image >"$T/build.log" 2>&1 || { cat "$T/build.log"; fail "build ($layout)"; }
	expect_exit 0 "$VERIFY_BIN" image --manifest "$out/manifest.json" --json
	cp "$T/expect.out" "$T/good.json"
	grep -q '"verdict":"verified"' "$T/good.json" || fail "$layout: not verified"
	data=$(json_str data "$T/good.json") hash=$(json_str hash "$T/good.json")
	doff=$(json_int data_offset "$T/good.json") hoff=$(json_int hash_offset "$T/good.json")
	blocks=$(json_int data_blocks "$T/good.json")

	# Copies, so the flips do not touch the build's outputs.
	mkdir "$T/c-$layout"
	cp "$out"/* "$T/c-$layout/"
	m=$T/c-$layout/manifest.json
	cdata=$T/c-$layout/${data##*/} chash=$T/c-$layout/${hash##*/}
	flip "$cdata" $((doff + (blocks / 2) * 4096 + 1))
	expect_exit 1 "$VERIFY_BIN" image --manifest "$m"
	grep -q "first bad block: data block $((blocks / 2)) " "$T/expect.out" ||
		fail "$layout: data flip: $(cat "$T/expect.out")"
	flip "$cdata" $((doff + (blocks / 2) * 4096 + 1))
	expect_exit 0 "$VERIFY_BIN" image --manifest "$m"
	flip "$chash" $((hoff + 4096 + 10)) # first tree block after the superblock / first block
	expect_exit 1 "$VERIFY_BIN" image --manifest "$m"
	grep -q "first bad block: hash block" "$T/expect.out" ||
		fail "$layout: hash flip: $(cat "$T/expect.out")"
done
echo "tdverity-build output verifies; flips are caught"
