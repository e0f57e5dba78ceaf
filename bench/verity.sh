#!/bin/bash
# Benchmark: our dm-verity tree vs veritysetup (cryptsetup) on the same data, in one run.
# Not a test: prints figures and ratios.
#   (a) hash tree of a 1 GiB file: verity-tool format (lib/core/verity.c, all cores)
#       vs `veritysetup format`, same salt and uuid; the outputs are compared byte for byte;
#   (b) `tdverity-verify image` vs `veritysetup verify` on that file and tree;
#   (c) peak RSS of the tree builder on a 4 GiB (sparse) image: streaming, not in memory.
# The data is read from the page cache (warmed first) so both sides hash, not wait for the
# disk.  BENCH_RUNS runs per side (default 3, alternating, so load from other processes on
# a shared machine hits both); the best run of each side is compared, all runs printed.
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
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }
best() { printf '%s\n' "$@" | sort -n | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "bench-verity: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
head -c 1G /dev/urandom >"$T/data"
cat "$T/data" >/dev/null

echo "(a) hash tree of 1 GiB, sha256, 4096-byte blocks"
ours=() theirs=()
for ((i = 0; i < runs; i++)); do
	rm -f "$T/hash.ref" "$T/hash.ours"
	t0=$(now)
	ref=$(veritysetup format "$T/data" "$T/hash.ref" --uuid=$UUID --salt="$SALT" |
		awk '/^Root hash:/ {print $3}')
	t1=$(now)
	root=$("$tool" format "$T/data" "$T/hash.ours" --uuid=$UUID --salt="$SALT")
	t2=$(now)
	theirs+=("$(ms "$t0" "$t1")") ours+=("$(ms "$t1" "$t2")")
	[ "$root" = "$ref" ] && cmp -s "$T/hash.ref" "$T/hash.ours" ||
		die "our tree differs from veritysetup's"
done
a_ours=$(best "${ours[@]}") a_theirs=$(best "${theirs[@]}")
echo "    veritysetup format: ${theirs[*]} ms"
echo "    ours (verity-tool): ${ours[*]} ms   (identical output)"
echo "    best: $a_theirs ms vs $a_ours ms -> ours $(ratio "$a_theirs" "$a_ours")x faster"

echo "(b) verify the same 1 GiB and tree"
ours=() theirs=()
for ((i = 0; i < runs; i++)); do
	t0=$(now)
	veritysetup verify "$T/data" "$T/hash.ref" "$ref" >/dev/null
	t1=$(now)
	"$verify" image --data "$T/data" --hash "$T/hash.ref" --root-hash "$ref" >/dev/null
	t2=$(now)
	theirs+=("$(ms "$t0" "$t1")") ours+=("$(ms "$t1" "$t2")")
done
b_ours=$(best "${ours[@]}") b_theirs=$(best "${theirs[@]}")
echo "    veritysetup verify:     ${theirs[*]} ms"
echo "    tdverity-verify image:  ${ours[*]} ms"
echo "    best: $b_theirs ms vs $b_ours ms -> ours $(ratio "$b_theirs" "$b_ours")x faster"

echo "(c) peak RSS building the tree of a 4 GiB image (sparse file: same code path, no disk)"
rm -f "$T/data"
truncate -s 4G "$T/sparse"
/usr/bin/time -f '%M %e' -o "$T/rss" "$tool" format "$T/sparse" "$T/hash.sparse" --salt="$SALT" >/dev/null
read -r rss secs <"$T/rss"
echo "    peak RSS $((rss / 1024)) MiB (target <= 64 MiB), ${secs} s"
echo "bench-verity: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
