#!/bin/bash
# Benchmark: our dm-verity tree vs veritysetup (cryptsetup) on the same data, in one run.
# Not a test: prints figures and ratios.
#   (a) hash tree of a 1 GiB file: verity-tool format (lib/core/verity.c, all cores)
#       vs `veritysetup format`, same salt and uuid; the outputs are compared byte for byte;
#   (b) `tdverity-verify image` vs `veritysetup verify` on that file and tree;
#   (c) peak RSS of the tree builder on a 4 GiB (sparse) image: streaming, not in memory.
# The data is read from the page cache (warmed first) so both sides hash, not wait for the
# disk.  BENCH_RUNS runs per side (default 3, alternating, so load from other processes on
# a shared machine hits both); the best run of each side is compared, all runs printed,
# wall time and CPU time (user+sys).  On a busy machine the wall-time ratio shrinks towards
# the CPU-time ratio: with the kernel's autogroup scheduling (on here) CPU is shared between
# sessions, not threads, so our second thread only helps when a core is idle.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TDV_BUILD:-$top/build}
runs=${BENCH_RUNS:-3}
export TZ=UTC LC_ALL=C
T=$(mktemp -d "${TMPDIR:-/tmp}/tdv-bench-verity.XXXXXX")
trap 'rm -rf "$T"' EXIT
die() { echo "bench-verity: $*" >&2; exit 1; }

tool=$build/tests/tools/verity-tool
verify=$build/tdverity-verify
for c in veritysetup /usr/bin/time; do command -v "$c" >/dev/null || die "$c missing (make deps)"; done
[ -x "$tool" ] && [ -x "$verify" ] || die "build first (make all)"
avail=$(df -Pk "$T" | awk 'NR == 2 {print $4}')
[ "$avail" -gt $((1200 * 1024)) ] || die "need 1.2 GiB free in ${TMPDIR:-/tmp}"

UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
SALT=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# timed OUT CMD...: run CMD (stdout to OUT), append "wall_ms cpu_ms" of it to $T/times.
timed() {
	local out=$1
	shift
	/usr/bin/time -f '%e %U %S' -o "$T/time" "$@" >"$out"
	awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$T/time" >>"$T/times"
}
best() { printf '%s\n' $@ | sort -n | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# report PART THEIR-NAME OUR-NAME: wall and CPU (user+sys) times of every run, best of each.
report() {
	local tw tc ow oc
	tw=$(cat "$T"/times.theirs.$1.* | cut -d' ' -f1 | paste -sd' ')
	tc=$(cat "$T"/times.theirs.$1.* | cut -d' ' -f2 | paste -sd' ')
	ow=$(cat "$T"/times.ours.$1.* | cut -d' ' -f1 | paste -sd' ')
	oc=$(cat "$T"/times.ours.$1.* | cut -d' ' -f2 | paste -sd' ')
	printf '    %-22s wall %s ms, cpu %s ms\n' "$2:" "$tw" "$tc"
	printf '    %-22s wall %s ms, cpu %s ms\n' "$3:" "$ow" "$oc"
	local bw bo
	bw=$(best $tw) bo=$(best $ow)
	echo "    best wall: $bw ms vs $bo ms -> ours $(ratio "$bw" "$bo")x faster" \
		"(cpu: $(best $tc) ms vs $(best $oc) ms)"
}

echo "bench-verity: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
head -c 1G /dev/urandom >"$T/data"
cat "$T/data" >/dev/null

echo "(a) hash tree of 1 GiB, sha256, 4096-byte blocks"
for ((i = 0; i < runs; i++)); do
	rm -f "$T/hash.ref" "$T/hash.ours"
	timed "$T/ref.out" veritysetup format "$T/data" "$T/hash.ref" --uuid=$UUID --salt="$SALT"
	mv "$T/times" "$T/times.theirs.a.$i"
	timed "$T/ours.out" "$tool" format "$T/data" "$T/hash.ours" --uuid=$UUID --salt="$SALT"
	mv "$T/times" "$T/times.ours.a.$i"
	ref=$(awk '/^Root hash:/ {print $3}' "$T/ref.out")
	[ "$(cat "$T/ours.out")" = "$ref" ] && cmp -s "$T/hash.ref" "$T/hash.ours" ||
		die "our tree differs from veritysetup's"
done
report a "veritysetup format" "ours (verity-tool)"

echo "(b) verify the same 1 GiB and tree"
for ((i = 0; i < runs; i++)); do
	timed /dev/null veritysetup verify "$T/data" "$T/hash.ref" "$ref"
	mv "$T/times" "$T/times.theirs.b.$i"
	timed /dev/null "$verify" image --data "$T/data" --hash "$T/hash.ref" --root-hash "$ref"
	mv "$T/times" "$T/times.ours.b.$i"
done
report b "veritysetup verify" "tdverity-verify image"

echo "(c) peak RSS building the tree of a 4 GiB image (sparse file: same code path, no disk)"
rm -f "$T/data"
truncate -s 4G "$T/sparse"
/usr/bin/time -f '%M %e' -o "$T/rss" "$tool" format "$T/sparse" "$T/hash.sparse" --salt="$SALT" >/dev/null
read -r rss secs <"$T/rss"
echo "    peak RSS $((rss / 1024)) MiB (target <= 64 MiB), ${secs} s"
echo "bench-verity: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
