# tdverity-verify kata-cmdline: the -append line for a Kata configuration, its exit codes
# (0 printed, 2 usage, 3 bad or unsupported configuration), and --kata-config in expect.
. "$(dirname "$0")/../lib.sh"
[ -x "$VERIFY_BIN" ] || fail "$VERIFY_BIN not built"
conf=$TDV_TOP/tests/fixtures/kata/configuration-qemu-tdx.toml
mkdir -p "$T/c"
cp "$conf" "$T/c/tdx.toml"

line=$("$VERIFY_BIN" kata-cmdline --config "$T/c/tdx.toml" --nr-cpus 2)
case $line in
*' pci=lastbus=0 dm-mod.create="dm-verity,,,ro,0 772096 verity 1 /dev/vda1 /dev/vda2 '*' root=/dev/dm-0 '*' panic=1 nr_cpus=2 selinux=0 '*' systemd.unified_cgroup_hierarchy=1') ;;
*) fail "unexpected line: $line" ;;
esac
[ "$("$VERIFY_BIN" kata-cmdline --config "$T/c/tdx.toml" --nr-cpus 2 | wc -l)" = 1 ] || fail "not one line"

# The same line drives expect's LoadOptions event (no initrd: Kata boots the image).
"$VERIFY_BIN" expect --kata-config "$T/c/tdx.toml" --nr-cpus 2 >"$T/expect.out"
grep -qF "load options: \"$line\"" "$T/expect.out" || fail "expect does not use the Kata line"

# Kata boots the image without an initrd: RTMR2 and PCR 9 follow from the line alone.  With
# --nr-cpus 1 it is the line of the captured Kata TDX boot, whose published RTMR2 this is.
"$VERIFY_BIN" expect --kata-config "$T/c/tdx.toml" --nr-cpus 1 --json >"$T/e.json"
python3 - "$T/e.json" <<'PY' || fail "no-initrd prediction"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rtmr"]["rtmr2"] == "b595f9f179d8b699d1420000d36c1fba82e9853545e719caa6ddbb82fa2041a23b4459876af4a253a1c20c5956529b9a", d["rtmr"]
assert "initrd=initrd" not in d["load_options"]
assert d["pcr"]["sha384"]["9"] == d["rtmr"]["rtmr2"]
assert not [e for e in d["events"] if e["kind"] == "initrd"]
PY
mkdir -p "$T/m"
"$BUILD_BIN" --template "$TDV_TOP/rootfs-templates/kata-agent" --agent "$TDV_BUILD/tdverity-probe-agent" \
	--layout kata --out "$T/m/out" >/dev/null
# refvalues for that build: the configuration must name the build's volume (a dm-init
# boot has no rootfs event; the line pins the root).
expect_exit 3 "$VERIFY_BIN" refvalues --manifest "$T/m/out/manifest.json" --kata-config "$T/c/tdx.toml" \
	--nr-cpus 1
expect_stderr "not the manifest's volume"
sed "s/^kernel_verity_params = .*/kernel_verity_params = \"$(cat "$T/m/out/kata-verity-params.txt")\"/" \
	"$T/c/tdx.toml" >"$T/m/tdx.toml"
"$VERIFY_BIN" refvalues --manifest "$T/m/out/manifest.json" --kata-config "$T/m/tdx.toml" --nr-cpus 1 \
	>"$T/r.json"
python3 - "$T/r.json" <<'PY' || fail "refvalues without an initrd"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["rvps_sample"]
assert s["rtmr_2"] == [d["expected"]["rtmr"]["rtmr2"]] and len(s["tdvfkernelparams"]) == 1, s
assert "rtmr_3" not in s or s["rtmr_3"] == ["0" * 96], s  # no rootfs event in a dm-init boot
assert not [e for e in d["expected"]["events"] if e["kind"] == "rootfs"]
PY
# The same from a captured -append string and --no-initrd.
"$VERIFY_BIN" kata-cmdline --config "$T/c/tdx.toml" --nr-cpus 1 >"$T/append.txt"
"$VERIFY_BIN" expect --cmdline "$T/append.txt" --no-initrd --json >"$T/e2.json"
grep -q '"rtmr2": "b595f9f1' "$T/e2.json" || fail "--cmdline --no-initrd"
"$VERIFY_BIN" expect --cmdline "$T/append.txt" --json >"$T/e3.json"
grep -q '"rtmr2": null' "$T/e3.json" || fail "without --no-initrd an absent initrd must leave RTMR2 open"
expect_exit 2 "$VERIFY_BIN" expect --cmdline "$T/append.txt" --no-initrd --initrd "$T/append.txt"

expect_exit 2 "$VERIFY_BIN" kata-cmdline --config "$T/c/tdx.toml"
expect_stderr "--nr-cpus N are required"
expect_exit 2 "$VERIFY_BIN" kata-cmdline --config "$T/c/tdx.toml" --nr-cpus 0
expect_exit 2 "$VERIFY_BIN" expect --kata-config "$T/c/tdx.toml" --nr-cpus 1 --initrd /dev/null
expect_stderr "without an initrd"
expect_exit 3 "$VERIFY_BIN" kata-cmdline --config "$T/nope.toml" --nr-cpus 1
expect_stderr "nope.toml"

# One clear line naming file, line and problem for a malformed file.
printf '[hypervisor.qemu]\nimage = "/x"\nkernel_params = "unterminated\n' >"$T/c/bad.toml"
expect_exit 3 "$VERIFY_BIN" kata-cmdline --config "$T/c/bad.toml" --nr-cpus 1
[ "$(wc -l <"$T/expect.err")" = 1 ] || fail "not one error line"
expect_stderr "bad.toml:3: unterminated string"
printf '[hypervisor.qemu]\nimage = "/x"\ninitrd = "/y"\n' >"$T/c/both.toml"
expect_exit 3 "$VERIFY_BIN" kata-cmdline --config "$T/c/both.toml" --nr-cpus 1
expect_stderr "both image and initrd"

# A config.d drop-in folder would change keys we would not see: refused.
mkdir "$T/c/config.d"
expect_exit 3 "$VERIFY_BIN" kata-cmdline --config "$T/c/tdx.toml" --nr-cpus 1
expect_stderr "drop-in"
echo ok
