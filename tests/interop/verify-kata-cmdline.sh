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
