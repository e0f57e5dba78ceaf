#!/bin/sh
# Build (once) and cache a real Debian bookworm tree for the distro tests and the builder
# benchmark: `debootstrap --variant=minbase --include=systemd-sysv bookworm` from Debian's
# archive into a cache folder outside the repository.
#
#   scripts/fetch-debootstrap.sh       prints the tree's folder on stdout
#
# Override the cache with TDV_DEBOOTSTRAP_CACHE and the mirror with TDV_DEBIAN_MIRROR.
# Needs root (debootstrap chroots); exit 0 with the path, non-zero with one line on stderr.
set -eu
cache=${TDV_DEBOOTSTRAP_CACHE:-${XDG_CACHE_HOME:-/var/cache}/tdverity/debootstrap}
mirror=${TDV_DEBIAN_MIRROR:-http://deb.debian.org/debian}
die() { echo "fetch-debootstrap: $*" >&2; exit 1; }

dir=$cache/bookworm-minbase-systemd
if [ -f "$dir/.complete" ]; then
	echo "$dir/root"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null 2>&1 || die "no debootstrap (apt-get install debootstrap)"
mkdir -p "$cache"
# One builder at a time: concurrent test runs share the cache.
exec 9>"$cache/.lock"
flock 9
if [ -f "$dir/.complete" ]; then
	echo "$dir/root"
	exit 0
fi
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase --include=systemd-sysv bookworm "$work/root" "$mirror" \
	>"$work/log" 2>&1 || { tail -n 5 "$work/log" >&2; die "debootstrap failed (log above)"; }
# The tree is an input, not a system: drop the apt caches debootstrap leaves behind.
rm -rf "$work/root/var/cache/apt/archives"/*.deb "$work/root/var/lib/apt/lists"/*_Packages
touch "$work/.complete"
rm -rf "$dir"
mv "$work" "$dir"
trap - EXIT
echo "$dir/root"
