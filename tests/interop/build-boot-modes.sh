# tdverity-build --boot initrd|dm-init|builtin-initramfs: each recorded in manifest.json;
# dm-init's measured line is Kata's dm-mod.create= spelling and predicts no rootfs event;
# builtin-initramfs writes a plain reproducible newc initramfs.cpio holding tdverity-init
# and a kernel config fragment; expect/refvalues treat both as boots without an initrd.
. "$(dirname "$0")/build-common.inc"
need_cmd cpio python3
build() { # out mode [args...]
	local out=$1 mode=$2
	shift 2
	"$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --layout kata --boot "$mode" --out "$out" "$@" >/dev/null
}
boot_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["boot"])' "$1/manifest.json"; }

build "$T/i" initrd
assert_eq "$(boot_of "$T/i")" initrd "manifest boot (default mode)"

build "$T/d" dm-init
assert_eq "$(boot_of "$T/d")" dm-init "manifest boot"
cmp -s "$T/d/cmdline.txt" "$T/d/dm-mod-create.txt" || fail "dm-init: cmdline.txt is not the dm-mod.create= line"
[ ! -e "$T/d/initrd.img" ] || fail "dm-init wrote an initrd"
"$VERIFY_BIN" refvalues --manifest "$T/d/manifest.json" --cmdline "$T/d/cmdline.txt" >"$T/d.json"
python3 - "$T/d.json" <<'PY' || fail "dm-init prediction"
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [e["kind"] for e in d["expected"]["events"]]
assert kinds == ["load-options"], kinds            # no initrd, no rootfs event
assert "initrd=initrd" not in d["expected"]["load_options"]
assert d["rvps_sample"]["rtmr_2"] == [d["expected"]["rtmr"]["rtmr2"]]
PY
# The manifest's own cmdline must be the dm table of its volume.
sed 's/verity 1 \/dev\/vda1 \/dev\/vda2 4096 4096 [0-9]*/&1/' "$T/d/manifest.json" >"$T/bad.json"
expect_exit 3 "$VERIFY_BIN" refvalues --manifest "$T/bad.json"
expect_stderr "dm-init cmdline"
sed 's/"boot": "dm-init"/"boot": "netboot"/' "$T/d/manifest.json" >"$T/bad2.json"
expect_exit 3 "$VERIFY_BIN" refvalues --manifest "$T/bad2.json"
expect_stderr "boot: expected"
expect_exit 2 "$VERIFY_BIN" expect --manifest "$T/d/manifest.json" --initrd "$T/d/cmdline.txt"
expect_exit 2 "$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --boot dm-init --initrd --out "$T/x"
expect_stderr "no tdverity-init"
expect_exit 2 "$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --boot netboot --out "$T/x"

build "$T/b" builtin-initramfs
build "$T/b2" builtin-initramfs
assert_eq "$(boot_of "$T/b")" builtin-initramfs "manifest boot"
[ ! -e "$T/b/initrd.img" ] || fail "builtin-initramfs wrote initrd.img"
cmp -s "$T/b/initramfs.cpio" "$T/b2/initramfs.cpio" || fail "initramfs.cpio is not reproducible"
head -c 6 "$T/b/initramfs.cpio" | grep -q '^070701$' || fail "not a plain newc cpio"
mkdir "$T/x1" && (cd "$T/x1" && cpio -id --quiet <"$T/b/initramfs.cpio")
cmp -s "$T/x1/init" "$TDV_BUILD/tdverity-init" || fail "/init is not tdverity-init"
grep -q '^CONFIG_INITRAMFS_SOURCE="initramfs.cpio"$' "$T/b/kernel-config.fragment" || fail "fragment"
grep -q '^CONFIG_DM_VERITY=y$' "$T/b/kernel-config.fragment" || fail "fragment: dm-verity"
grep -q '"kernel-config.fragment"' "$T/b/manifest.json" || fail "fragment not in the manifest's outputs"
grep -q '^kernel_verity_params = ""$' "$T/b/kata-config.toml" || fail "builtin: Kata must not add dm-mod.create="
grep -qF "kernel_params = \"$(cat "$T/b/cmdline.txt")\"" "$T/b/kata-config.toml" || fail "builtin: kernel_params"
"$VERIFY_BIN" expect --manifest "$T/b/manifest.json" --json >"$T/b.json"
python3 - "$T/b.json" <<'PY' || fail "builtin-initramfs prediction"
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [e["kind"] for e in d["expected"]["events"]] if "expected" in d else [e["kind"] for e in d["events"]]
assert "initrd" not in kinds and "rootfs" in kinds and "load-options" in kinds, kinds
assert d["rtmr"]["rtmr2"] is not None
PY
echo ok
