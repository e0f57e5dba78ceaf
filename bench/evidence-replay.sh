#!/bin/bash
# Benchmark: event-log replay.  One synthetic CCEL-style log of BENCH_EVENTS (10 000)
# events, generated here, replayed by `tdverity-verify replay` (text and --json; it also
# recomputes every digest it can from the event data) and, side by side on the same file,
# by tpm2-tools' `tpm2_eventlog` (parses, prints YAML, replays the PCR banks).  Best of
# BENCH_RUNS (3) runs each.  Not a test: prints figures and the ratio.  (tpm2_eventlog
# warns about EV_IPL outside PCR 8/9/12/14, i.e. CC numbering; stderr is discarded.)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TDV_BUILD:-$top/build}
events=${BENCH_EVENTS:-10000}
runs=${BENCH_RUNS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/tdv-bench-replay.XXXXXX")
trap 'rm -rf "$T"' EXIT

"$build/bench/gen-eventlog" "$events" "$T/log"
echo "event-log replay: $events events, $(stat -c %s "$T/log") bytes (SHA-384, RTMR0-3)"

best() { # command... -> best wall time in seconds over $runs runs (output discarded)
	local b= t0 t1 dt
	for _ in $(seq "$runs"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s.%N)
		dt=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$dt < $b" | bc -l)" = 1 ]; then b=$dt; fi
	done
	echo "$b"
}
rate() { echo "scale=0; $events / $1" | bc -l; }

"$build/tdverity-verify" replay "$T/log" | tail -n 1
ours=$(best "$build/tdverity-verify" replay "$T/log")
ours_json=$(best "$build/tdverity-verify" replay --json "$T/log")
printf '  %-36s %8.3f s  %9s events/s\n' "tdverity-verify replay" "$ours" "$(rate "$ours")"
printf '  %-36s %8.3f s  %9s events/s\n' "tdverity-verify replay --json" "$ours_json" \
	"$(rate "$ours_json")"
if command -v tpm2_eventlog >/dev/null; then
	peer=$(best tpm2_eventlog "$T/log")
	printf '  %-36s %8.3f s  %9s events/s\n' "tpm2_eventlog (tpm2-tools)" "$peer" "$(rate "$peer")"
	printf '  ratio: tdverity-verify replay is %.1fx the speed of tpm2_eventlog\n' \
		"$(echo "$peer / $ours" | bc -l)"
else
	echo "  tpm2_eventlog not installed (Debian package tpm2-tools): no side-by-side figure"
fi
