# One exit-status table for both programs (lib/core/exit-status.h): a command whose output
# could not be written (stdout on /dev/full) exits 4 whatever it decided, for every kind
# of output (help text, a verdict, JSON, the builder's summary); a closed stdout too.
. "$(dirname "$0")/../lib.sh"
[ -w /dev/full ] || skip "no /dev/full"
[ -x "$VERIFY_BIN" ] && [ -x "$BUILD_BIN" ] || fail "programs not built"
template=$TDV_TOP/rootfs-templates/kata-agent
agent=$TDV_BUILD/tdverity-probe-agent

full() { # code cmd...: stdout to /dev/full
	local want=$1 rc=0
	shift
	"$@" >/dev/full 2>"$T/full.err" || rc=$?
	[ "$rc" = "$want" ] || { cat "$T/full.err" >&2; fail "'$*' >/dev/full exited $rc, expected $want"; }
	grep -q 'writing the output failed' "$T/full.err" || fail "'$*': no error line"
}

"$BUILD_BIN" --template "$template" --agent "$agent" --out "$T/img" --layout gpt \
	--seed exit-status >"$T/build.log" 2>&1 || { cat "$T/build.log"; fail "build"; }
expect_exit 0 "$VERIFY_BIN" image "$T/img/disk.img" --manifest "$T/img/manifest.json"
full 4 "$VERIFY_BIN" image "$T/img/disk.img" --manifest "$T/img/manifest.json"
full 4 "$VERIFY_BIN" image "$T/img/disk.img" --manifest "$T/img/manifest.json" --json
full 4 "$VERIFY_BIN" --help
full 4 "$VERIFY_BIN" expect --manifest "$T/img/manifest.json"
full 4 "$VERIFY_BIN" expect --manifest "$T/img/manifest.json" --json
full 4 "$VERIFY_BIN" refvalues --manifest "$T/img/manifest.json"
full 4 "$BUILD_BIN" --help
full 4 "$BUILD_BIN" --template "$template" --agent "$agent" --out "$T/img2" --seed exit-status
full 4 "$BUILD_BIN" --template "$template" --agent "$agent" --out "$T/img3" --seed exit-status --json
# A closed stdout is the same failure.
rc=0
"$VERIFY_BIN" --help >&- 2>"$T/closed.err" || rc=$?
assert_eq "$rc" 4 "tdverity-verify --help with stdout closed"
# The usual codes are unchanged where the output is written.
expect_exit 2 "$VERIFY_BIN" image
expect_exit 2 "$BUILD_BIN" --no-such-option
expect_exit 3 "$VERIFY_BIN" image --manifest /nonexistent/manifest.json
info "every output failure exits 4; usage 2, bad input 3"
