# Helpers for shell tests; source it first.  Exit 0 = pass, 77 = skip, else fail.
set -euo pipefail
: "${TDV_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${TDV_BUILD:=$TDV_TOP/build}"
: "${TDV_TESTDATA:=$TDV_TOP/../shared/testdata}"
export TZ=UTC LC_ALL=C
: "${SOURCE_DATE_EPOCH:=1700000000}"
export SOURCE_DATE_EPOCH

BUILD_BIN=$TDV_BUILD/tdverity-build
VERIFY_BIN=$TDV_BUILD/tdverity-verify

# A scratch folder removed on exit.
T=$(mktemp -d "${TMPDIR:-/tmp}/tdv-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
info() { echo "-- $*"; }

need_cmd() { for c; do command -v "$c" >/dev/null 2>&1 || skip "$c not installed"; done; }
need_testdata() { [ -d "$TDV_TESTDATA/tdx" ] || skip "no $TDV_TESTDATA/tdx (shared TDX test data absent)"; }

assert_eq() { # actual expected what
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}
# Run a command that must fail with the given exit code (never a crash: >128 fails).
expect_exit() { # code cmd...
	local want=$1 rc=0
	shift
	"$@" >"$T/expect.out" 2>"$T/expect.err" || rc=$?
	if [ "$rc" != "$want" ]; then
		cat "$T/expect.out" "$T/expect.err" >&2
		fail "'$*' exited $rc, expected $want"
	fi
}
# The stderr of the last expect_exit must mention a string.
expect_stderr() { grep -qF -- "$1" "$T/expect.err" || { cat "$T/expect.err" >&2; fail "stderr lacks '$1'"; }; }
