#!/bin/sh
# Fetch Debian 12's current 6.1 kernel the way a user would, for the VM tests, `make demo`
# and the benchmark: `apt-get download` of the package linux-image-amd64 depends on,
# `dpkg -x` into a cache folder outside the repository, `depmod -b`.
#
#   scripts/fetch-kernel.sh            prints the kernel folder (…/<release>) on stdout
#
# The folder holds vmlinuz and lib/modules/<release>/ (modules.dep etc.).  Override the
# cache with TDV_KERNEL_CACHE; pin a package with TDV_KERNEL_PKG=linux-image-6.1.0-NN-amd64.
# Exit 0 with the path, non-zero with one line on stderr.
set -eu
cache=${TDV_KERNEL_CACHE:-${XDG_CACHE_HOME:-/var/cache}/tdverity/kernel}
die() { echo "fetch-kernel: $*" >&2; exit 1; }

pkg=${TDV_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		apt-get update -q >/dev/null 2>&1 || true
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
	fi
fi
[ -n "$pkg" ] || die "cannot resolve the current linux-image-6.1.0-*-amd64 (apt-cache depends linux-image-amd64)"
release=${pkg#linux-image-}
dir=$cache/$release
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt-get download drops privileges to _apt; let it write the .deb.
chmod 0777 "$work"
# Stale package lists give a 404: refresh them once and retry.
(cd "$work" && apt-get download -q "$pkg" >/dev/null 2>"$work/apt.err") ||
	{ apt-get update -q >/dev/null 2>&1 || true
	  (cd "$work" && apt-get download -q "$pkg" >/dev/null 2>"$work/apt.err"); } ||
	{ cat "$work/apt.err" >&2; die "apt-get download $pkg failed"; }
deb=$(ls "$work"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "apt-get download $pkg produced no .deb"
dpkg -x "$deb" "$work/root" || die "dpkg -x $deb failed"
[ -f "$work/root/boot/vmlinuz-$release" ] || die "$pkg holds no /boot/vmlinuz-$release"
depmod -b "$work/root" "$release" || die "depmod -b failed"
mkdir -p "$work/out"
mv "$work/root/boot/vmlinuz-$release" "$work/out/vmlinuz"
cp "$work/root/boot/config-$release" "$work/out/config" 2>/dev/null || true
mkdir -p "$work/out/lib"
mv "$work/root/lib/modules" "$work/out/lib/modules"
touch "$work/out/.complete"
rm -rf "$dir"
mv "$work/out" "$dir"
echo "$dir"
