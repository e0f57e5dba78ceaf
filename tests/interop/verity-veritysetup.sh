# Our dm-verity tree vs `veritysetup format` (the reference): for several parameter sets the
# root hash and every byte of the hash area are identical; `veritysetup verify` accepts our
# output; a one-byte flip in the data or the hash area makes both verifiers fail.
. "$(dirname "$0")/../lib.sh"
need_cmd veritysetup cmp od
TOOL=$TDV_BUILD/tests/tools/verity-tool
[ -x "$TOOL" ] || fail "$TOOL not built (make all)"

UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
SALT256=$(head -c 256 /dev/urandom | od -An -tx1 | tr -d ' \n')

vs_root() { awk '/^Root hash:/ {print $3}'; }
# veritysetup must reject (its exit code for a failed verification is not 1; any clean
# non-zero exit counts, a crash does not).
vs_must_fail() {
	local rc=0
	veritysetup verify "$@" >/dev/null 2>&1 || rc=$?
	[ $rc != 0 ] && [ $rc -lt 128 ] || fail "veritysetup verify $* exited $rc, expected a rejection"
}

flip() { # file offset
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 0x55)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# case NAME DATA_BYTES DATA_BLOCK_SIZE HASH_AREA_FLIP_OFFSET OPTIONS...
# The options are given to both tools verbatim (the test driver takes veritysetup's names).
check_case() {
	local name=$1 bytes=$2 bs=$3 hflip=$4
	shift 4
	info "$name: $*"
	local d=$T/$name.data
	head -c "$bytes" /dev/urandom >"$d"
	local ref ours
	ref=$(veritysetup format "$d" "$T/$name.ref" --uuid=$UUID "$@" | vs_root)
	[ -n "$ref" ] || fail "$name: veritysetup format printed no root hash"
	ours=$("$TOOL" format "$d" "$T/$name.ours" --uuid=$UUID "$@")
	assert_eq "$ours" "$ref" "$name: root hash"
	cmp "$T/$name.ref" "$T/$name.ours" || fail "$name: hash area differs from veritysetup's"

	veritysetup verify "$d" "$T/$name.ours" "$ours" "$@" >/dev/null ||
		fail "$name: veritysetup verify rejects our hash area"
	"$TOOL" verify "$d" "$T/$name.ref" "$ref" "$@" >/dev/null ||
		fail "$name: our verify rejects veritysetup's hash area"

	# One flipped byte in the middle of the data, then in the hash area.
	cp "$d" "$T/$name.bad"
	flip "$T/$name.bad" $(((bytes / bs / 2) * bs + 7))
	vs_must_fail "$T/$name.bad" "$T/$name.ours" "$ours" "$@"
	expect_exit 1 "$TOOL" verify "$T/$name.bad" "$T/$name.ours" "$ours" "$@"
	grep -q '^bad data block' "$T/expect.out" || fail "$name: data flip not reported as data"
	cp "$T/$name.ours" "$T/$name.hbad"
	flip "$T/$name.hbad" "$hflip"
	vs_must_fail "$d" "$T/$name.hbad" "$ours" "$@"
	expect_exit 1 "$TOOL" verify "$d" "$T/$name.hbad" "$ours" "$@"
	grep -q '^bad hash block' "$T/expect.out" || fail "$name: hash flip not reported as hash"
}

salt32=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
check_case two-levels $((129 * 4096)) 4096 4200 --salt="$salt32"
check_case one-block 4096 4096 72 --salt= # salt size 0; no tree: flip data_blocks in the superblock
check_case sha384-small-hash-blocks $((300 * 1024)) 1024 9000 --hash=sha384 \
	--data-block-size=1024 --hash-block-size=512 --salt=00 --no-superblock --hash-offset=8192
check_case sha512-deep $((16385 * 512)) 512 5000 --hash=sha512 --data-block-size=512 \
	--salt="$SALT256"
check_case sb-offset-512 $((5000 * 4096)) 4096 $((512 + 88)) --salt=ab --hash-offset=512
check_case big-hash-blocks $((5000 * 4096)) 4096 9000 --hash-block-size=8192 --salt=abcd
check_case full-leaf-block $((128 * 4096)) 4096 4100 --salt=01

# Data and hash area on one file (veritysetup --hash-offset after the data).
info "same-file"
blocks=777
head -c $((blocks * 4096)) /dev/urandom >"$T/one.ref"
cp "$T/one.ref" "$T/one.ours"
opts=(--data-blocks=$blocks --hash-offset=$((blocks * 4096)) --salt=feed)
ref=$(veritysetup format "$T/one.ref" "$T/one.ref" --uuid=$UUID "${opts[@]}" | vs_root)
ours=$("$TOOL" format "$T/one.ours" "$T/one.ours" --uuid=$UUID "${opts[@]}")
assert_eq "$ours" "$ref" "same-file: root hash"
cmp "$T/one.ref" "$T/one.ours" || fail "same-file: image differs from veritysetup's"
veritysetup verify "$T/one.ours" "$T/one.ours" "$ours" "${opts[@]}" >/dev/null ||
	fail "same-file: veritysetup verify rejects ours"
echo "all cases identical to veritysetup"
