# Killed builds: builds of one --out killed at random points.
#   SIGKILL (20 kills): --out is never half-written (absent, or identical to a complete
#     build), and the "<out>.tmp-XXXXXX" a kill leaves is removed by the next build of
#     the same --out;
#   SIGTERM / SIGINT (5 each): nothing is left behind at all;
#   a build still running keeps its temporary folder while another build of the same
#     --out starts (and cleans up the dead ones).
. "$(dirname "$0")/build-common.inc"
base=$T/base
mkdir -p "$base/usr/lib" "$base/etc"
for i in $(seq 1 40); do
	head -c $((i * 2500)) /dev/urandom >"$base/usr/lib/f$i"
done
t=$T/tmpl
mkdir -p "$t"
printf 'base\ndir /sbin 0755 0 0\nfile /sbin/init @AGENT@ 0755 0 0\n' >"$t/manifest"
build() { # out [options]
	local out=$1
	shift
	"$BUILD_BIN" --template "$t" --agent "$AGENT" --base "$base" --out "$out" "$@" >/dev/null 2>"$T/build.err"
}
ms() { date +%s%3N; }

s=$(ms)
build "$T/ref" || fail "reference build failed"
took=$(($(ms) - s))
[ "$took" -gt 0 ] || took=1
info "a complete build takes ${took} ms; kills land in [0, $((took * 5 / 4))] ms"

out=$T/out
siblings() { find "$T" -maxdepth 1 -name 'out.tmp-*' | wc -l; }
check_out() { # what
	[ -e "$out" ] || return 0
	for f in $(ls "$T/ref"); do
		cmp -s "$T/ref/$f" "$out/$f" || fail "$1: --out exists but $f differs from a complete build"
	done
	[ "$(ls "$out" | wc -l)" = "$(ls "$T/ref" | wc -l)" ] || fail "$1: --out has other files"
	rm -rf "$out"
}
start_build() { # out [options]: in the background, $! is the builder itself
	local out=$1
	shift
	exec "$BUILD_BIN" --template "$t" --agent "$AGENT" --base "$base" --out "$out" "$@" \
		>/dev/null 2>>"$T/killed.err"
}
kill_at_random() { # signal
	(start_build "$out") &
	local pid=$!
	local d=$((RANDOM * 32768 + RANDOM))
	d=$((d % (took * 5 / 4 + 1)))
	sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
	kill -"$1" $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
}

left=0 most=0
for i in $(seq 1 20); do
	before=$(siblings)
	kill_at_random KILL
	check_out "SIGKILL $i"
	now=$(siblings)
	[ "$now" -gt "$before" ] && left=$((left + 1))
	[ "$now" -gt "$most" ] && most=$now
done
info "SIGKILL x20: $left kills left a temporary folder, at most $most at once"
# One more, killed for sure while its temporary folder exists, so a dead one is there.
wait_for_sibling() {
	for _ in $(seq 1 1000); do
		[ "$(siblings)" -ge 1 ] && return 0
		sleep 0.005
	done
	fail "no temporary folder appeared"
}
(start_build "$out" --size 512M) &
pid=$!
wait_for_sibling
kill -KILL $pid
wait $pid 2>/dev/null || true
check_out "SIGKILL once the temporary folder exists"
[ "$(siblings)" -ge 1 ] || fail "a build killed with SIGKILL left no temporary folder (test broken?)"
build "$out" || fail "the build after the kills failed: $(cat "$T/build.err")"
check_out "after the kills"
assert_eq "$(siblings)" 0 "temporary folders left after the next complete build"

for sig in TERM INT; do
	for i in $(seq 1 5); do
		kill_at_random $sig
		check_out "SIG$sig $i"
		assert_eq "$(siblings)" 0 "temporary folders after SIG$sig $i"
	done
done
info "SIGTERM x5, SIGINT x5: nothing left behind"

info "a running build keeps its temporary folder while another build of the same --out starts"
(start_build "$out" --size 512M) &
pid=$!
wait_for_sibling
live=$(find "$T" -maxdepth 1 -name 'out.tmp-*')
[ -n "$live" ] || fail "the slow build made no temporary folder"
# This one cleans up dead siblings, then fails (no such modules folder) after its images.
build "$out" --kernel-modules "$T/no-such-modules" && fail "the second build should fail"
if kill -0 $pid 2>/dev/null; then
	[ -d "$live" ] || fail "the second build removed a live build's temporary folder"
else
	info "(the slow build had already finished)"
fi
wait $pid || fail "the slow build failed: its temporary folder was taken from it?"
[ -f "$out/manifest.json" ] || fail "the slow build left no complete --out"
assert_eq "$(siblings)" 0 "temporary folders after both builds"
info "killed builds: --out never half-written; dead temporary folders removed, live ones kept"
