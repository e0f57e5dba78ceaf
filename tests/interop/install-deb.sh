#!/bin/bash
# make install DESTDIR=… / make uninstall, and make deb installed into a scratch root with
# dpkg -x: the installed builder finds its templates and tdverity-init under its own
# prefix (a template given by name, the default --init), builds the demo image, and the
# installed verifier verifies it; the .deb's Depends are the runtime libraries.
source "$(dirname "$0")/../lib.sh"
need_cmd dpkg-deb dpkg-shlibdeps scdoc man
[ -x "$BUILD_BIN" ] || skip "no $BUILD_BIN (make all)"

# The fake kernel modules tree of the unit tests (tiny objects depmod indexed): enough
# for an initrd.img whose /init shows which tdverity-init the installed builder picked.
FAKE_KERNEL=$TDV_TOP/tests/fixtures/initrd-modules/lib/modules/9.9.9
[ -f "$FAKE_KERNEL/modules.dep.bin" ] || fail "no fixture $FAKE_KERNEL"

# Build the demo image with an installed tree (prefix = ROOT/PREFIX) from a foreign cwd.
demo_build_from() { # root prefix name
	local root=$1 prefix=$2 name=$3
	local bin=$root$prefix/bin
	"$bin/tdverity-build" --help | grep -q -- "--template" || fail "$name: --help"
	"$bin/tdverity-build" --version | grep -q "tdverity-build" || fail "$name: --version"
	mkdir -p "$T/$name-cwd"
	(cd "$T/$name-cwd" && "$bin/tdverity-build" --template kata-agent \
		--agent "$root$prefix/lib/tdverity/tdverity-probe-agent" --out "$T/$name-out" \
		--kernel-modules "$FAKE_KERNEL" >"$T/$name.log" 2>&1) ||
		{ cat "$T/$name.log" >&2; fail "$name: demo build with the installed builder failed"; }
	[ -f "$T/$name-out/disk.img" ] && [ -f "$T/$name-out/initrd.img" ] || fail "$name: outputs missing"
	# The initrd's /init is the installed tdverity-init, byte for byte.
	local init_sha
	init_sha=$(sha256sum "$root$prefix/lib/tdverity/tdverity-init" | cut -d' ' -f1)
	grep -q "\"init_sha256\": \"$init_sha\"" "$T/$name-out/manifest.json" ||
		fail "$name: initrd.img does not hold the installed tdverity-init"
	"$bin/tdverity-verify" image "$T/$name-out/disk.img" --manifest "$T/$name-out/manifest.json" \
		>"$T/$name.verify" 2>&1 || { cat "$T/$name.verify" >&2; fail "$name: installed verifier"; }
	for page in man1/tdverity-build.1 man1/tdverity-verify.1 man5/tdverity-formats.5 man8/tdverity-init.8; do
		ls "$root$prefix/share/man/$page"* >/dev/null 2>&1 || fail "$name: no man page $page"
	done
}

info "make install DESTDIR=… PREFIX=/usr/local"
dest=$T/dest
make -s --no-print-directory -C "$TDV_TOP" BUILD="$TDV_BUILD" DESTDIR="$dest" PREFIX=/usr/local \
	install >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "make install"; }
demo_build_from "$dest" /usr/local install
MANPATH=$dest/usr/local/share/man man -w tdverity-formats >/dev/null 2>&1 ||
	fail "man cannot find tdverity-formats(5) under the installed MANPATH"

info "make uninstall leaves nothing behind"
make -s --no-print-directory -C "$TDV_TOP" BUILD="$TDV_BUILD" DESTDIR="$dest" PREFIX=/usr/local \
	uninstall >"$T/uninstall.log" 2>&1 || { cat "$T/uninstall.log" >&2; fail "make uninstall"; }
left=$(find "$dest" -type f | sed "s|^$dest||")
[ -z "$left" ] || fail "make uninstall left files: $left"

info "make deb, dpkg -x into a scratch root"
make -s --no-print-directory -C "$TDV_TOP" BUILD="$TDV_BUILD" deb >"$T/deb.log" 2>&1 ||
	{ cat "$T/deb.log" >&2; fail "make deb"; }
deb=$(ls "$TDV_BUILD"/tdverity_*.deb | head -n 1)
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libext2fs2 libjson-c5 libkmod2 libfdisk1 libarchive13 libssl3 libblkid1; do
	case "$depends" in *"$lib "*|*"$lib,"*|*"$lib") ;; *) fail "Depends lacks $lib: $depends" ;; esac
done
dpkg-deb -x "$deb" "$T/debroot"
demo_build_from "$T/debroot" /usr deb
info "ok: install, uninstall and the .deb ($depends)"
