# tdverity-init powers the machine off when a step fails, so outside PID 1 it must refuse to
# do anything: exit 2 with one line, and --version works.  (The steps themselves are unit
# tested through the seam; tests/vm boots it for real.)
. "$(dirname "$0")/../lib.sh"
init=$TDV_BUILD/tdverity-init
[ -x "$init" ] || skip "no tdverity-init (make all)"
expect_exit 2 "$init"
expect_exit 2 "$init" --help
expect_exit 0 "$init" --version
out=$("$init" 2>&1) || true
case "$out" in "tdverity-init: runs only as PID 1"*) ;; *) fail "no refusal line: $out" ;; esac
"$init" --version | grep -qx "tdverity-init [0-9.]*" || fail "bad --version output"
# Static, nothing dynamic: no program interpreter, no dynamic section.
if command -v readelf >/dev/null; then
	readelf -l "$init" | grep -q 'INTERP' && fail "tdverity-init has a program interpreter"
	readelf -d "$init" | grep -q 'There is no dynamic section' || fail "tdverity-init is dynamic"
fi
size=$(stat -c %s "$init")
info "tdverity-init: $size bytes"
[ "$size" -lt 2000000 ] || fail "tdverity-init grew to $size bytes (expected about 1.2 MB)"
exit 0
