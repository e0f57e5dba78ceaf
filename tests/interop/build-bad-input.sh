# Every bad input gets one error line naming the problem, a documented non-zero exit
# (2 usage, 3 bad input) and leaves --out absent (or, when it existed, untouched), with no
# temporary folder left behind.
. "$(dirname "$0")/build-common.inc"
t=$T/templ
mkdir -p "$t"
printf 'dir /sbin 0755 0 0\nfile /sbin/init @AGENT@ 0755 0 0\n' >"$t/manifest"
good_manifest=$(cat "$t/manifest")

# case NAME CODE NEEDLE [args...]: run with --out $T/o-NAME
case_() {
	local name=$1 code=$2 needle=$3
	shift 3
	local out=$T/o-$name
	expect_exit "$code" timeout 30 "$BUILD_BIN" --out "$out" "$@"
	[ "$(wc -l <"$T/expect.err")" = 1 ] || { cat "$T/expect.err"; fail "$name: not one error line"; }
	expect_stderr "$needle"
	[ ! -e "$out" ] || fail "$name: $out was created"
	! ls -d "$out".tmp-* >/dev/null 2>&1 || fail "$name: temporary folder left behind"
	info "$name: exit $code, $(cat "$T/expect.err")"
}
with_manifest() { printf '%s\n' "$1" >"$t/manifest"; }

# The good case works (so the failures below are about the input).
"$BUILD_BIN" --template "$t" --agent "$AGENT" --out "$T/good" >/dev/null || fail "good case"

case_ missing-agent 3 "$T/nope" --template "$t" --agent "$T/nope"
case_ agent-is-folder 3 "$T" --template "$t" --agent "$T"
echo '#!/bin/sh' >"$T/script"
chmod +x "$T/script"
case_ agent-not-elf 3 "script" --template "$t" --agent "$T/script"
case_ missing-template 3 "$T/none" --template "$T/none" --agent "$AGENT"

with_manifest "$good_manifest
file /x ../outside 0644 0 0"
echo x >"$T/outside"
case_ dotdot-location 3 "manifest:3" --template "$t" --agent "$AGENT"
ln -s /etc/passwd "$t/link"
with_manifest "$good_manifest
file /x link 0644 0 0"
case_ symlink-escape 3 "manifest:3" --template "$t" --agent "$AGENT"
rm "$t/link"
with_manifest "$good_manifest
dir /../etc 0755 0 0"
case_ dotdot-name 3 "manifest:3" --template "$t" --agent "$AGENT"
with_manifest "$good_manifest
dir /sbin 0755 0 0"
case_ duplicate-path 3 "manifest:3" --template "$t" --agent "$AGENT"
with_manifest "$good_manifest
frobnicate /x"
case_ unknown-directive 3 "manifest:3" --template "$t" --agent "$AGENT"
with_manifest "$good_manifest
dir /etc 0999 0 0"
case_ bad-mode 3 "manifest:3" --template "$t" --agent "$AGENT"
with_manifest "$good_manifest
dir /etc 0755 -1 0"
case_ bad-uid 3 "manifest:3" --template "$t" --agent "$AGENT"
head -c 3000000 /dev/urandom >"$t/big"
with_manifest "$good_manifest
file /big big 0644 0 0"
case_ too-big-for-size 3 "size" --template "$t" --agent "$AGENT" --size 1M
with_manifest "$good_manifest"
case_ extra-sets-roothash 3 "--extra-cmdline" --template "$t" --agent "$AGENT" --extra-cmdline "roothash=00"
case_ extra-unterminated 3 "--extra-cmdline" --template "$t" --agent "$AGENT" --extra-cmdline 'a="b'
case_ extra-redirects-init 3 "bypass the verified root" --template "$t" --agent "$AGENT" --extra-cmdline "rdinit=/bin/sh"
case_ missing-kernel-modules 3 "$T/nomods" --template "$t" --agent "$AGENT" --kernel-modules "$T/nomods"
case_ init-without-modules 2 "--init needs --initrd or --kernel-modules" --template "$t" --agent "$AGENT" --init "$AGENT"
case_ bad-layout 2 "--layout" --template "$t" --agent "$AGENT" --layout mbr
case_ bad-hash 2 "--hash" --template "$t" --agent "$AGENT" --hash md5
case_ bad-size 2 "--size" --template "$t" --agent "$AGENT" --size 1000
# Kata's runtime hard-codes sha256 in its dm-verity table: any other hash cannot boot there.
case_ kata-sha384 3 "always sha256" --template "$t" --agent "$AGENT" --layout kata --hash sha384
case_ kata-sha512 3 "always sha256" --template "$t" --agent "$AGENT" --layout kata --hash sha512
# A huge --size is refused before anything is sized per block group (2^37 groups here:
# that loop ran for hours).  timeout exits 124, so a hang fails the case.
case_ size-too-large 3 "too large" --template "$t" --agent "$AGENT" --size 17000000000G
case_ missing-option 2 "required" --agent "$AGENT"
SOURCE_DATE_EPOCH=yesterday case_ bad-epoch 2 "SOURCE_DATE_EPOCH" --template "$t" --agent "$AGENT"

info "an existing non-empty --out is left untouched"
mkdir "$T/full"
echo keep >"$T/full/precious"
expect_exit 3 "$BUILD_BIN" --template "$t" --agent "$AGENT" --out "$T/full"
expect_stderr "not empty"
assert_eq "$(ls -A "$T/full")" precious "contents of the existing --out"
assert_eq "$(cat "$T/full/precious")" keep "file in the existing --out"
! ls -d "$T/full".tmp-* >/dev/null 2>&1 || fail "temporary folder left behind"
echo x >"$T/afile"
expect_exit 3 "$BUILD_BIN" --template "$t" --agent "$AGENT" --out "$T/afile"
assert_eq "$(cat "$T/afile")" x "a file given as --out"

info "an existing empty --out is fine"
mkdir "$T/empty"
"$BUILD_BIN" --template "$t" --agent "$AGENT" --out "$T/empty" >/dev/null || fail "empty --out refused"
[ -s "$T/empty/manifest.json" ] || fail "empty --out not filled"

info "SIGTERM during the build leaves nothing behind"
"$BUILD_BIN" --template "$t" --agent "$AGENT" --size 2G --out "$T/killed" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do
	ls -d "$T/killed".tmp-* >/dev/null 2>&1 && break
	sleep 0.05
done
kill -TERM $pid 2>/dev/null || true
rc=0
wait $pid || rc=$?
[ $rc != 0 ] || info "(the build finished before the signal; nothing to check)"
[ $rc = 0 ] || [ $rc = 143 ] || fail "killed build exited $rc"
if [ $rc = 143 ]; then
	[ ! -e "$T/killed" ] || fail "a killed build created --out"
	! ls -d "$T/killed".tmp-* >/dev/null 2>&1 || fail "a killed build left its temporary folder"
	info "killed: exit 143, no --out, no temporary folder"
fi

info "--help, --version, --json"
"$BUILD_BIN" --help | grep -q "Exit status" || fail "--help"
"$BUILD_BIN" --version | grep -q "^tdverity-build " || fail "--version"
"$BUILD_BIN" --template "$t" --agent "$AGENT" --out "$T/j" --json >"$T/json"
[ "$(wc -l <"$T/json")" = 1 ] || fail "--json is not one line"
grep -q "\"root_hash\":\"$(root_hash_of "$T/j")\"" "$T/json" || fail "--json root_hash"
echo ok
