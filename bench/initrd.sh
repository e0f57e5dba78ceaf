#!/bin/bash
# Benchmark: our initrd vs a Kata-style initrd, same kernel, same disk, same cmdline, under
# QEMU TCG, in one run.  Not a test: prints figures and ratios.
#
# The Kata-style initrd is built here from Debian packages the way such initrds are
# usually made: busybox-static (sh, mount, insmod, switch_root), veritysetup with every
# shared library it needs (ldd), the same kernel modules as ours (taken from our
# initrd.img, loaded with insmod in the same order) and a shell /init that runs
# `veritysetup open`, mounts the root read-only and switch_roots to the agent.  It does not
# measure anything (ours extends a PCR and writes the event log on top).
#
# Figures: the compressed size of each initrd (both gzip -9), and the time from kernel
# start to the agent's first instruction (the probe agent prints CLOCK_BOOTTIME in ms as
# its first act: the same clock and the same agent for both).  BENCH_RUNS boots each
# (default 2, alternating), median.  BENCH_KEEP=DIR keeps the consoles.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TDV_BUILD:-$top/build}
runs=${BENCH_RUNS:-2}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000} TZ=UTC LC_ALL=C
T=$(mktemp -d "${TMPDIR:-/tmp}/tdv-bench-initrd.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
die() { echo "bench-initrd: $*" >&2; exit 1; }

for c in qemu-system-x86_64 swtpm swtpm_setup busybox veritysetup cpio gzip; do
	command -v "$c" >/dev/null || die "$c missing (make deps)"
done
kdir=$("$top/scripts/fetch-kernel.sh")
kernel=$kdir/vmlinuz
modules=$(echo "$kdir"/lib/modules/*)

echo "bench-initrd: building the demo image with our initrd"
"$build/tdverity-build" --template "$top/rootfs-templates/kata-agent" \
	--agent "$build/tdverity-probe-agent" --kernel-modules "$modules" \
	--out "$T/img" >"$T/build.log" 2>&1 || { cat "$T/build.log" >&2; die "tdverity-build failed"; }
ours=$T/img/initrd.img
cmdline=$(cat "$T/img/cmdline.txt")

echo "bench-initrd: building the Kata-style initrd (busybox + veritysetup + shell init)"
k=$T/kata
mkdir -p "$k"/{bin,sbin,dev,proc,sys,run,sysroot,lib/modules,etc}
mknod -m 0600 "$k/dev/console" c 5 1 # the kernel opens it before /init, as in ours
(cd "$T" && mkdir ours && cd ours && zcat "$ours" | cpio -id --quiet)
cp "$T"/ours/lib/modules/*.ko "$T/ours/lib/modules/load-order" "$k/lib/modules/"
cp "$(command -v busybox)" "$k/bin/busybox"
for a in sh mount mkdir insmod switch_root cat sleep tr sed; do ln -s busybox "$k/bin/$a"; done
cp /usr/sbin/veritysetup "$k/sbin/veritysetup"
for lib in $(ldd /usr/sbin/veritysetup | grep -o '/[^ ]*'); do
	mkdir -p "$k$(dirname "$lib")"
	cp -L "$lib" "$k$lib"
done
cat >"$k/init" <<'INIT'
#!/bin/sh
# Kata-style verity initrd: open the verity root, mount it, switch_root.
export PATH=/bin:/sbin DM_DISABLE_UDEV=1
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs run /run
while read -r class m; do insmod "/lib/modules/$m" || [ "$class" = optional ] || exit 1; done </lib/modules/load-order
for w in $(cat /proc/cmdline); do case $w in roothash=*) roothash=${w#roothash=} ;; esac; done
n=0
while [ ! -b /dev/vda2 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
veritysetup open /dev/vda1 root /dev/vda2 "$roothash" || exit 1
mount -o ro -t ext4 /dev/mapper/root /sysroot || exit 1
for d in dev proc sys run; do mount --move /$d /sysroot/$d; done
exec switch_root /sysroot /sbin/init
INIT
chmod 0755 "$k/init"
(cd "$k" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -9n >"$T/kata-initrd.img"
kata=$T/kata-initrd.img

# Boot once; prints "<kernel start → agent ms> <init start → agent ms>", both read from the
# kernel's printk clock: "Run /init as init process" and the probe's kmsg line.
boot() { # initrd tag
	local dir=$T/tpm-$2
	rm -rf "$dir"
	mkdir -p "$dir"
	swtpm_setup --tpm2 --tpmstate "$dir" --pcr-banks sha256,sha384 --overwrite >/dev/null 2>&1
	swtpm socket --tpm2 --tpmstate dir="$dir" --ctrl type=unixio,path="$dir/ctrl" \
		--daemon --pid file="$dir/pid"
	sleep 0.3
	pids+=("$(cat "$dir/pid")")
	timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 1G -smp 1 -display none -vga none \
		-net none -no-reboot -monitor none -serial "file:$T/$2.console" \
		-kernel "$kernel" -initrd "$1" -append "$cmdline console=ttyS0 panic=-1" \
		-drive "file=$T/img/disk.img,if=virtio,format=raw,readonly=on" \
		-chardev "socket,id=chrtpm,path=$dir/ctrl" -tpmdev emulator,id=tpm0,chardev=chrtpm \
		-device tpm-tis,tpmdev=tpm0 >/dev/null 2>&1 </dev/null || true
	local c=$T/$2.console init agent
	[ -n "${BENCH_KEEP:-}" ] && mkdir -p "$BENCH_KEEP" && cp "$c" "$BENCH_KEEP/"
	init=$(tr -d '\r' <"$c" | sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process$/\1/p' | head -n 1)
	agent=$(tr -d '\r' <"$c" | sed -n 's/^\[ *\([0-9.]*\)\] tdverity-probe-agent: start$/\1/p' | head -n 1)
	[ -n "$init" ] && [ -n "$agent" ] || { tail -n 30 "$c" >&2; die "$2: the agent did not start"; }
	awk -v i="$init" -v a="$agent" 'BEGIN {printf "%d %d\n", a * 1000, (a - i) * 1000}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
o_total=() o_init=() k_total=() k_init=()
for ((i = 1; i <= runs; i++)); do
	read -r a b < <(boot "$ours" ours-$i)
	o_total+=("$a") o_init+=("$b")
	read -r a b < <(boot "$kata" kata-$i)
	k_total+=("$a") k_init+=("$b")
	echo "bench-initrd: run $i: kernel start → agent: ours ${o_total[-1]} ms, kata-style ${k_total[-1]} ms;" \
		"/init → agent: ours ${o_init[-1]} ms, kata-style ${k_init[-1]} ms"
done
med() { printf '%s\n' "$@" | median; }
o_sz=$(stat -c %s "$ours")
k_sz=$(stat -c %s "$kata")
echo
echo "initrd benchmark (QEMU $(qemu-system-x86_64 --version | head -n1 | awk '{print $4}') TCG, kernel $(basename "$modules"), median of $runs boots)"
row() { # label ours kata unit
	printf '%-28s %12s %12s %8s\n' "$1" "$2 $4" "$3 $4" \
		"$(awk -v a="$2" -v b="$3" 'BEGIN {printf "%.3f", a / b}')"
}
printf '%-28s %12s %12s %8s\n' "" "tdverity" "kata-style" "ratio"
row "initrd size (gzip -9)" "$o_sz" "$k_sz" B
row "/init start → agent exec" "$(med "${o_init[@]}")" "$(med "${k_init[@]}")" ms
row "kernel start → agent exec" "$(med "${o_total[@]}")" "$(med "${k_total[@]}")" ms
echo "targets: size ratio <= 0.250; time-to-pivot (/init start → agent) ratio <= 0.500"
