# `tdverity-verify expect` and `refvalues` on a real kernel: stable output, QEMU's header
# patching changes the kernel digest (and only with an initrd does -m matter), the
# documented exit codes for bad input.
. "$(dirname "$0")/../lib.sh"
need_cmd jq
kernel=
for k in ${TDV_KERNEL:-} /boot/vmlinuz-* /var/cache/tdverity/kernel/*/vmlinuz; do
	[ -f "$k" ] && [ -r "$k" ] && { kernel=$k; break; }
done
[ -n "$kernel" ] || skip "no kernel image (/boot/vmlinuz-*, scripts/fetch-kernel.sh cache, \$TDV_KERNEL)"
info "kernel: $kernel"

head -c 300000 /dev/zero | tr '\0' 'i' >"$T/initrd.img"
ROOT=9f2c6a1b3e4d5f60718293a4b5c6d7e8f9012345678901234567890abcdef012
# A split build's line and manifest (host/manifest.h): the line names the manifest's volume.
CMDLINE="roothash=$ROOT systemd.verity_root_data=/dev/vda systemd.verity_root_hash=/dev/vdb \
systemd.verity_root_options=hash=sha256,salt=00112233,data-block-size=4096,hash-block-size=4096,\
data-blocks=2048,hash-offset=0,superblock=true,panic-on-corruption console=ttyS0 tdverity.rtmr=3"
printf '%s\n' "$CMDLINE" >"$T/cmdline.txt"
cat >"$T/manifest.json" <<JSON
{"root_hash": "$ROOT", "layout": "split", "salt": "00112233", "hash_algorithm": "sha256",
 "data_blocks": 2048, "data_block_size": 4096, "hash_block_size": 4096, "hash_offset": 0,
 "superblock": true, "cmdline": "$CMDLINE",
 "partitions": [{"role": "root", "offset": 0, "size": 8388608, "file": "rootfs.img"},
                {"role": "root-verity", "offset": 0, "size": 77824, "file": "rootfs.verity"}]}
JSON
run() { "$VERIFY_BIN" expect --kernel "$kernel" --initrd "$T/initrd.img" \
	--cmdline "$T/cmdline.txt" --manifest "$T/manifest.json" "$@"; }

run --json >"$T/a.json"
run --json >"$T/b.json"
cmp -s "$T/a.json" "$T/b.json" || fail "expect --json differs between two runs"
assert_eq "$(jq -r '.events | map(.kind) | join(",")' "$T/a.json")" \
	"kernel,calling-efi-application,separator,load-options,initrd,exit-boot-services,exit-boot-services-returned,rootfs" \
	"event order"
assert_eq "$(jq -r '.load_options' "$T/a.json")" "initrd=initrd $CMDLINE" \
	"default profile load options"
for r in rtmr1 rtmr2 rtmr3; do
	[ "$(jq -r ".rtmr.$r | length" "$T/a.json")" = 96 ] || fail "$r not predicted"
done
# The initrd event is the file's SHA-384.
assert_eq "$(jq -r '.events[4].sha384' "$T/a.json")" "$(sha384sum "$T/initrd.img" | cut -d' ' -f1)" \
	"initrd digest"
# The table form prints the same registers.
run >"$T/table.txt"
grep -q "^rtmr1 = $(jq -r .rtmr.rtmr1 "$T/a.json")\$" "$T/table.txt" || fail "table and JSON disagree"

# Profiles: pre-202411 appends initrd=initrd and moves the separator to RTMR0.
run --json --firmware-profile edk2-pre-202411 >"$T/old.json"
assert_eq "$(jq -r '.load_options' "$T/old.json")" "$CMDLINE initrd=initrd" \
	"pre-202411 load options"
assert_eq "$(jq -r '.events[2].rtmr' "$T/old.json")" 0 "pre-202411 separator register"

# QEMU's header patching: a different kernel digest, depending on -m (initrd address).
plain=$(jq -r '.events[0].sha384' "$T/a.json")
p2=$(run --json --qemu-kernel-patch --memory 2G | jq -r '.events[0].sha384')
p2b=$(run --json --qemu-kernel-patch --memory 2048 | jq -r '.events[0].sha384')
p4=$(run --json --qemu-kernel-patch --memory 4G | jq -r '.events[0].sha384')
[ "$p2" != "$plain" ] || fail "--qemu-kernel-patch did not change the kernel digest"
assert_eq "$p2b" "$p2" "2G and 2048 (MiB) are the same -m"
[ "$p4" != "$p2" ] || fail "-m 4G and 2G gave the same patched digest (initrd address)"
q4=$(run --json --qemu-kernel-patch --memory 4G --machine q35 | jq -r '.events[0].sha384')
[ "$q4" != "$p4" ] || fail "q35 and pc gave the same patched digest at 4G"

# refvalues: RVPS sample with every value determined by these inputs.
"$VERIFY_BIN" refvalues --manifest "$T/manifest.json" --kernel "$kernel" --initrd "$T/initrd.img" \
	--cmdline "$T/cmdline.txt" --rvps-sample >"$T/rv.json"
# (rtmr_3 is withheld: MRTD and RTMR0 are not determined without the firmware.)
assert_eq "$(jq -r 'keys | join(",")' "$T/rv.json")" "rtmr_1,rtmr_2,tdvfkernel,tdvfkernelparams" \
	"reference value names"
assert_eq "$(jq -r '.rtmr_1[0]' "$T/rv.json")" "$(jq -r .rtmr.rtmr1 "$T/a.json")" "rtmr_1"
assert_eq "$(jq -r '.tdvfkernelparams[0]' "$T/rv.json")" "$(jq -r '.events[3].sha384' "$T/a.json")" \
	"tdvfkernelparams"
"$VERIFY_BIN" refvalues --manifest "$T/manifest.json" >"$T/rv-min.json"
assert_eq "$(jq -r '.rvps_sample | keys | join(",")' "$T/rv-min.json")" "" "manifest-only values"
assert_eq "$(jq -r '.omitted | keys | join(",")' "$T/rv-min.json")" \
	"mr_td,rtmr_1,rtmr_2,rtmr_3,tdvfkernel,tdvfkernelparams" "omitted values"

# Exit codes: 2 usage, 3 bad input; never a crash.
expect_exit 2 "$VERIFY_BIN" expect
expect_exit 2 "$VERIFY_BIN" expect --kernel "$kernel" --firmware-profile edk2-1999
expect_stderr "firmware-profile"
expect_exit 2 "$VERIFY_BIN" expect --kernel "$kernel" --qemu-kernel-patch
expect_stderr "--memory"
expect_exit 2 "$VERIFY_BIN" expect --kernel "$kernel" --memory 2G
expect_exit 3 "$VERIFY_BIN" expect --kernel "$T/nonexistent"
expect_stderr "$T/nonexistent"
expect_exit 3 "$VERIFY_BIN" expect --kernel "$T/initrd.img"
expect_stderr "not a PE/COFF kernel"
printf '{"hash_algorithm": "sha256"}' >"$T/bad.json"
expect_exit 3 "$VERIFY_BIN" expect --manifest "$T/bad.json"
expect_stderr "'layout' missing"
printf '%s tdverity.rtmr=7\n' "$CMDLINE" >"$T/badcmd.txt"
expect_exit 3 "$VERIFY_BIN" expect --cmdline "$T/badcmd.txt" --manifest "$T/manifest.json"
# The line /init obeys must name the manifest's volume (here: another root hash).
printf '%s\n' "$CMDLINE" | sed 's/roothash=9f2c/roothash=8f2c/' >"$T/badcmd.txt"
expect_exit 3 "$VERIFY_BIN" expect --cmdline "$T/badcmd.txt" --manifest "$T/manifest.json"
expect_stderr "roothash= differs"
printf 'console=ttyS0\n' >"$T/badcmd.txt"
expect_exit 3 "$VERIFY_BIN" expect --cmdline "$T/badcmd.txt" --manifest "$T/manifest.json"
expect_exit 2 "$VERIFY_BIN" refvalues --kernel "$kernel"
expect_exit 2 "$VERIFY_BIN" refvalues --manifest "$T/manifest.json" --mrtd abcd
info "ok"
