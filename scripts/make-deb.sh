#!/bin/sh
# make deb: install into a staging root with PREFIX=/usr, compute Depends with
# dpkg-shlibdeps, write DEBIAN/control and build the package with dpkg-deb.
#   scripts/make-deb.sh BUILD VERSION ARCH OUT.deb
set -eu
build=$1 version=$2 arch=$3 out=$4
die() { echo "make-deb: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null 2>&1 || die "no dpkg-deb"
command -v dpkg-shlibdeps >/dev/null 2>&1 || die "no dpkg-shlibdeps (apt-get install dpkg-dev)"

stage=$build/deb
rm -rf "$stage"
mkdir -p "$stage"
stage=$(cd "$stage" && pwd)
root=$stage/root
make --no-print-directory BUILD="$build" PREFIX=/usr DESTDIR="$root" GZIP_MAN=1 install >/dev/null

# dpkg-shlibdeps wants a source package's debian/control: give it a minimal one.
mkdir -p "$stage/src/debian"
printf 'Source: tdverity\n\nPackage: tdverity\nArchitecture: any\n' >"$stage/src/debian/control"
deps=$(cd "$stage/src" && dpkg-shlibdeps -O "$root/usr/bin/tdverity-build" \
	"$root/usr/bin/tdverity-verify" 2>"$stage/shlibdeps.err") ||
	{ cat "$stage/shlibdeps.err" >&2; die "dpkg-shlibdeps failed"; }
depends=${deps#shlibs:Depends=}
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies"

size=$(du -sk "$root" | cut -f1)
mkdir -p "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: tdverity
Version: $version
Architecture: $arch
Maintainer: tdverity developers <tdverity@localhost>
Installed-Size: $size
Depends: $depends
Section: admin
Priority: optional
Description: measured-boot dm-verity root filesystems for confidential containers
 tdverity-build writes a reproducible ext4 root filesystem with its dm-verity tree,
 disk image, measured kernel command line and initrd; tdverity-init is the initrd's
 /init that verifies and measures it into a TDX RTMR or vTPM PCR; tdverity-verify
 recomputes, replays and checks the measurements offline.
CONTROL
# Reproducible: every member owned by root, times from SOURCE_DATE_EPOCH.
find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-1577836800}" {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null || die "dpkg-deb failed"
echo "  DEB     $out"
