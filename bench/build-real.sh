#!/bin/bash
# Benchmark for tdverity-build against the pipeline users would otherwise run, in one run
# on the same inputs (not a test: prints figures; bench/README.md records them):
#   mke2fs -q -t ext4 -b 4096 -O ^has_journal -d TREE fs.img BLOCKS
#   veritysetup format fs.img hash.img
# against `tdverity-build --layout split` (rootfs.img + rootfs.verity: the same two files),
# the filesystem of the same size, on
#   (d) a real distro tree: debootstrap minbase + systemd-sysv (scripts/fetch-debootstrap.sh;
#       skipped when it cannot be fetched), template kata-agent-systemd;
#   (e) a 2 GiB tree with a few large files (model weights, as in a confidential-AI
#       container image) and a few small ones.
# For each: the median of RUNS (default 3) interleaved runs, the ratio, our phase
# breakdown (TDV_BUILD_PHASES), reproducibility (cmp of two of our runs) and the limit
# (bench/limit: read the inputs once from the page cache + SHA-256 the output once, on
# all CPUs).  The machine's load average is printed: on a shared machine only the ratios
# within one run mean something.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TDV_BUILD:-$top/build}
runs=${RUNS:-3}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000} TZ=UTC LC_ALL=C
T=$(mktemp -d "${TMPDIR:-/var/tmp}/tdv-bench-real.XXXXXX")
trap 'rm -rf "$T"' EXIT
die() { echo "bench-real: $*" >&2; exit 1; }
for c in mke2fs veritysetup cmp bc /usr/bin/time; do
	command -v "$c" >/dev/null || die "$c missing (make deps)"
done
for p in tdverity-build tdverity-probe-agent bench/limit; do
	[ -x "$build/$p" ] || die "no $build/$p (make all $build/bench/limit)"
done
agent=$build/tdverity-probe-agent
# Wall and CPU (user + system, all threads and children) seconds of a command, added to
# the variables named by $1 (wall) and $2 (cpu).
timed() {
	local w=$1 c=$2
	shift 2
	/usr/bin/time -f '%e %U %S' -o "$T/time" "$@"
	read -r e u s <"$T/time"
	printf -v "$w" '%.3f' "$(echo "${!w:-0} + $e" | bc -l)"
	printf -v "$c" '%.3f' "$(echo "${!c:-0} + $u + $s" | bc -l)"
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$(((${#} + 1) / 2))p"; }
echo "bench-real: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (start)"

ours() { # template tree out
	"$build/tdverity-build" --template "$1" --agent "$agent" --base "$2" --layout split \
		--out "$3" >/dev/null
}

case_run() { # label template tree
	local label=$1 tmpl=$2 tree=$3 t_o=() t_p=() c_o=() c_p=()
	ours "$tmpl" "$tree" "$T/ref" # warm the page cache; the size for the pipeline
	local fs_bytes
	fs_bytes=$(stat -c %s "$T/ref/rootfs.img")
	for run in $(seq "$runs"); do
		rm -rf "$T/o" "$T/p"
		sync
		local wo= co= wp= cp=
		timed wo co "$build/tdverity-build" --template "$tmpl" --agent "$agent" \
			--base "$tree" --layout split --out "$T/o" >/dev/null
		t_o+=("$wo") c_o+=("$co")
		[ "$run" = 1 ] && { cmp -s "$T/o/rootfs.img" "$T/ref/rootfs.img" &&
			cmp -s "$T/o/rootfs.verity" "$T/ref/rootfs.verity" && repro=yes || repro=NO; }
		sync
		mkdir -p "$T/p"
		timed wp cp mke2fs -q -t ext4 -b 4096 -O ^has_journal -d "$tree" "$T/p/fs.img" \
			$((fs_bytes / 4096)) >/dev/null
		timed wp cp veritysetup format "$T/p/fs.img" "$T/p/hash.img" >/dev/null
		t_p+=("$wp") c_p+=("$cp")
	done
	local mo mp mco mcp
	mo=$(median "${t_o[@]}") mp=$(median "${t_p[@]}")
	mco=$(median "${c_o[@]}") mcp=$(median "${c_p[@]}")
	echo
	echo "$label"
	echo "  tree: $(find "$tree" | wc -l) entries, $(du -sm "$tree" | cut -f1) MiB;" \
		"filesystem $((fs_bytes / 1048576)) MiB"
	printf '  %-34s wall %7ss (runs: %s)  cpu %6ss  reproducible: %s\n' \
		"tdverity-build --layout split" "$mo" "${t_o[*]}" "$mco" "$repro"
	printf '  %-34s wall %7ss (runs: %s)  cpu %6ss\n' "mke2fs -d + veritysetup format" \
		"$mp" "${t_p[*]}" "$mcp"
	printf '  ratio pipeline / tdverity-build: wall %.2fx, cpu %.2fx (medians of %s)\n' \
		"$(echo "$mp / $mo" | bc -l)" "$(echo "$mcp / $mco" | bc -l)" "$runs"
	rm -rf "$T/o"
	TDV_BUILD_PHASES=1 "$build/tdverity-build" --template "$tmpl" --agent "$agent" \
		--base "$tree" --layout split --out "$T/o" 2>&1 >/dev/null |
		sed -n 's/^tdverity-build: phase /  phase /p'
	"$build/bench/limit" "$tree" "$T/ref/rootfs.img" | {
		read -r _ r; read -r _ h; read -r _ l
		printf '  limit: read inputs %ss + SHA-256 output %ss = %ss on %s CPUs' "$r" "$h" "$l" \
			"$(nproc)"
		printf ' (tdverity-build at %.1fx the limit)\n' "$(echo "$mo / $l" | bc -l)"
	}
	rm -rf "$T/o" "$T/p" "$T/ref"
}

if deb=$("$top/scripts/fetch-debootstrap.sh" 2>"$T/fetch.err"); then
	case_run "(d) real distro tree: debootstrap bookworm minbase+systemd-sysv, kata-agent-systemd" \
		"$top/rootfs-templates/kata-agent-systemd" "$deb"
else
	echo; echo "(d) real distro tree: skipped ($(tail -n 1 "$T/fetch.err"))"
fi

echo
echo "bench-real: making a 2 GiB tree: 4 x 500 MiB model files + 64 small files"
big=$T/big
mkdir -p "$big/models" "$big/etc"
# Incompressible and fast: AES-CTR keystream (a fixed key: the same bytes every run).
for i in 0 1 2 3; do
	(set +o pipefail # openssl dies of SIGPIPE once head has its bytes
	 openssl enc -aes-128-ctr -nosalt -K "0$i$(printf '%030d' 0)" -iv 0 </dev/zero 2>/dev/null |
		head -c $((500 * 1048576)) >"$big/models/shard-$i.safetensors")
done
for i in $(seq -w 1 64); do
	head -c $((10#$i * 97)) "$big/models/shard-0.safetensors" >"$big/etc/config-$i.json"
done
tmpl=$T/template
mkdir -p "$tmpl"
printf 'base\ndir /sbin 0755 0 0\nfile /sbin/init @AGENT@ 0755 0 0\n' >"$tmpl/manifest"
case_run "(e) 2 GiB tree, 4 large files" "$tmpl" "$big"
echo
echo "bench-real: load average $(cut -d' ' -f1-3 /proc/loadavg) (end)"
