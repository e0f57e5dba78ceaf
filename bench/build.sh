#!/bin/bash
# Benchmark for tdverity-build, side by side with the shell pipeline it replaces
# (bench/build-pipeline.sh), on the same data in one run.  Not a test: prints figures.
#   (b) full build of a 512 MiB, 10 000-file tree: time of each (two runs each), ratio,
#       and whether each is reproducible (the two runs' disk images compared with cmp);
#   (c) peak RSS of tdverity-build for a 4 GiB image (/usr/bin/time -v): the same tree in
#       a --size 4G filesystem, so every one of the 4 GiB is written and hashed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TDV_BUILD:-$top/build}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000} TZ=UTC LC_ALL=C
T=$(mktemp -d "${TMPDIR:-/var/tmp}/tdv-bench-build.XXXXXX")
trap 'rm -rf "$T"' EXIT
die() { echo "bench-build: $*" >&2; exit 1; }
for c in mke2fs veritysetup sfdisk dd cmp /usr/bin/time; do
	command -v "$c" >/dev/null || die "$c missing (make deps)"
done
[ -x "$build/tdverity-build" ] || die "no $build/tdverity-build (make all)"
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }

echo "bench-build: making a 512 MiB tree of 10 000 files (100 folders x 100 files x 52 KiB)"
tree=$T/tree
for d in $(seq -w 0 99); do
	mkdir -p "$tree/d$d"
	# One random stream per folder, cut into 100 files: fast and incompressible.
	head -c $((100 * 53248)) /dev/urandom >"$T/chunk"
	split -b 53248 -a 2 -d "$T/chunk" "$tree/d$d/f"
done
rm -f "$T/chunk"
echo "  $(find "$tree" -type f | wc -l) files, $(du -sm "$tree" | cut -f1) MiB"

tmpl=$T/template
mkdir -p "$tmpl"
printf 'base\ndir /sbin 0755 0 0\nfile /sbin/init @AGENT@ 0755 0 0\n' >"$tmpl/manifest"
agent=$build/tdverity-probe-agent

ours() { # out
	"$build/tdverity-build" --template "$tmpl" --agent "$agent" --base "$tree" --out "$1" >/dev/null
}
declare -a t_ours t_pipe
for run in 1 2; do
	sync
	s=$(now); ours "$T/ours$run"; e=$(now); t_ours[$run]=$(secs "$s" "$e")
	fs_bytes=$(sed -n '/"filesystem"/,/}/s/.*"size": \([0-9]*\).*/\1/p' "$T/ours1/manifest.json")
	sync
	s=$(now); "$top/bench/build-pipeline.sh" "$tree" "$fs_bytes" "$T/pipe$run" >/dev/null; e=$(now)
	t_pipe[$run]=$(secs "$s" "$e")
done
best() { if [ "$(echo "$1 < $2" | bc)" = 1 ]; then echo "$1"; else echo "$2"; fi; }
bo=$(best "${t_ours[1]}" "${t_ours[2]}") bp=$(best "${t_pipe[1]}" "${t_pipe[2]}")
repro() { cmp -s "$1" "$2" && echo "yes (cmp: identical)" || echo "no (cmp: differ)"; }
ro=$(repro "$T/ours1/disk.img" "$T/ours2/disk.img")
rp=$(repro "$T/pipe1/disk.img" "$T/pipe2/disk.img")
echo
echo "(b) full build, 512 MiB / 10 000 files, gpt disk image (best of 2 runs)"
printf '  %-44s %8ss  reproducible: %s\n' "tdverity-build" "$bo" "$ro"
printf '  %-44s %8ss  reproducible: %s\n' "mke2fs -d + veritysetup format + sfdisk + dd" "$bp" "$rp"
printf '  ratio pipeline / tdverity-build: %.2fx\n' "$(echo "$bp / $bo" | bc -l)"
rm -rf "$T"/ours* "$T"/pipe*

echo
echo "(c) peak RSS of tdverity-build for a 4 GiB image (the same tree, --size 4G)"
s=$(now)
/usr/bin/time -v "$build/tdverity-build" --template "$tmpl" --agent "$agent" --base "$tree" \
	--size 4G --out "$T/big" >/dev/null 2>"$T/time.txt"
e=$(now)
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time.txt")
printf '  disk.img %s MiB, %ss, peak RSS %.1f MiB (target <= 64 MiB)\n' \
	"$(($(stat -c %s "$T/big/disk.img") / 1048576))" "$(secs "$s" "$e")" "$(echo "$rss / 1024" | bc -l)"
