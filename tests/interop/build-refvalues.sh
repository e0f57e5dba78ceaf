# tdverity-build writes reference-values.json with the same code as `tdverity-verify
# refvalues`: a build alone determines only RTMR3, which proves nothing alone, so rtmr_3 is
# withheld (named under "omitted" with what is still to pin) and its value is
# expected.rtmr.rtmr3: that equals refvalues' and expect's for the build's manifest, the
# SHA-384 extend of the manifest's own rootfs event digest (computed here with openssl).
# The file is listed in manifest.json with its SHA-256 and is the same bytes in a second
# build.  With every other register determined (firmware, VM shape, kernel, initrd),
# refvalues emits rtmr_3; with tdverity.rtmr=2 never (RTMR3 is then runtime-only).
. "$(dirname "$0")/../lib.sh"
need_cmd jq openssl xxd
[ -x "$BUILD_BIN" ] || fail "no $BUILD_BIN (run make all first)"
agent=$TDV_BUILD/tdverity-probe-agent
template=$TDV_TOP/rootfs-templates/kata-agent
[ -d "$template" ] || skip "no rootfs-templates/kata-agent"
"$BUILD_BIN" --template "$template" --agent "$agent" --out "$T/a" >/dev/null
"$BUILD_BIN" --template "$template" --agent "$agent" --out "$T/b" >/dev/null
rv=$T/a/reference-values.json
[ -s "$rv" ] || fail "no reference-values.json"
cmp -s "$rv" "$T/b/reference-values.json" || fail "reference-values.json differs between builds"

assert_eq "$(jq -r .format "$rv")" "tdverity-reference-values/1" "format"
assert_eq "$(jq -r '.rvps_sample | keys | join(",")' "$rv")" "" "values a build alone may pin"
assert_eq "$(jq -r '.omitted | keys | join(",")' "$rv")" \
	"mr_td,rtmr_1,rtmr_2,rtmr_3,tdvfkernel,tdvfkernelparams" "values left out"
jq -r .omitted.rtmr_3 "$rv" | grep -q '^withheld: .*needs mr_td, rtmr_0, rtmr_1, rtmr_2 pinned' ||
	fail "rtmr_3 withheld without saying what is still to pin: $(jq -r .omitted.rtmr_3 "$rv")"
rtmr3=$(jq -r '.expected.rtmr.rtmr3' "$rv")
assert_eq "$("$VERIFY_BIN" refvalues --manifest "$T/a/manifest.json" | jq -r '.expected.rtmr.rtmr3')" \
	"$rtmr3" "rtmr3 from tdverity-verify refvalues"
assert_eq "$("$VERIFY_BIN" expect --manifest "$T/a/manifest.json" --json | jq -r .rtmr.rtmr3)" \
	"$rtmr3" "rtmr3 from tdverity-verify expect"

# Independently: RTMR3 = SHA384(48 zero bytes ‖ event digest), the digest the manifest states.
ev=$(jq -r .rootfs_event.sha384 "$T/a/manifest.json")
[ ${#ev} = 96 ] || fail "manifest.json has no rootfs_event.sha384"
want=$({ head -c 48 /dev/zero; echo "$ev" | xxd -r -p; } | openssl dgst -sha384 -r | cut -d' ' -f1)
assert_eq "$rtmr3" "$want" "rtmr_3 = extend(0, rootfs event digest)"

assert_eq "$(jq -r '.outputs[] | select(.name == "reference-values.json") | .sha256' "$T/a/manifest.json")" \
	"$(sha256sum "$rv" | cut -d' ' -f1)" "manifest.json lists reference-values.json"

# Everything else determined: Debian's OVMF (edk2-pre-202411) with QEMU 9's page order, 2G,
# the ACPI blobs (any bytes: they are hashed as given), Debian's kernel, the initrd.
fw=/usr/share/ovmf/OVMF.fd
if [ -f "$fw" ] && kdir=$("$TDV_TOP/scripts/fetch-kernel.sh" 2>/dev/null); then
	printf 'RSD PTR ' >"$T/rsdp"
	printf x >"$T/loader"
	printf y >"$T/tables"
	full=(--manifest "$T/a/manifest.json" --kernel "$kdir/vmlinuz" --initrd "$T/a/manifest.json"
		--firmware "$fw" --memory 2G --qemu-version 9.0 --firmware-profile edk2-pre-202411
		--acpi-rsdp "$T/rsdp" --acpi-loader "$T/loader" --acpi-tables "$T/tables")
	"$VERIFY_BIN" refvalues "${full[@]}" >"$T/full.json" || fail "refvalues with every input"
	assert_eq "$(jq -r '.rvps_sample | keys | join(",")' "$T/full.json")" \
		"mr_td,rtmr_0,rtmr_1,rtmr_2,rtmr_3,tdvfkernel,tdvfkernelparams" "every register pinned"
	assert_eq "$(jq -r '.rvps_sample.rtmr_3[0]' "$T/full.json")" "$rtmr3" "rtmr_3 when emitted"
	# Short of the kernel and the initrd: rtmr_3 is withheld again, naming what is missing.
	"$VERIFY_BIN" refvalues "${full[@]:0:2}" "${full[@]:6}" >"$T/short.json" || fail "refvalues"
	jq -r .omitted.rtmr_3 "$T/short.json" | grep -q "needs rtmr_0, rtmr_1, rtmr_2 pinned" ||
		fail "short of the kernel: $(jq -r .omitted.rtmr_3 "$T/short.json")"
else
	info "no OVMF or kernel here: the case with every register determined is not run"
fi

# tdverity.rtmr=2 (a manifest whose line says so; the builder has no option for it): the
# rootfs event is in RTMR2, RTMR3 holds only runtime events.
jq '.cmdline |= sub("tdverity.rtmr=3"; "tdverity.rtmr=2")' "$T/a/manifest.json" >"$T/m2.json"
grep -q 'tdverity.rtmr=2' "$T/m2.json" || fail "could not make a tdverity.rtmr=2 manifest"
"$VERIFY_BIN" refvalues --manifest "$T/m2.json" >"$T/r2.json" || fail "refvalues with tdverity.rtmr=2"
jq -r .omitted.rtmr_3 "$T/r2.json" | grep -q '^tdverity.rtmr=2: ' || fail "rtmr=2: rtmr_3 not explained"
assert_eq "$(jq -r '.expected.rtmr.rtmr3' "$T/r2.json")" null "RTMR3 with tdverity.rtmr=2"
assert_eq "$(jq -r '[.expected.events[] | select(.kind == "rootfs") | .rtmr] | join(",")' "$T/r2.json")" \
	2 "the rootfs event's register with tdverity.rtmr=2"
# The build's own line says rtmr=3: a line claiming rtmr=2 for it is refused.
sed 's/tdverity.rtmr=3/tdverity.rtmr=2/' "$T/a/cmdline.txt" >"$T/rtmr2.txt"
expect_exit 3 "$VERIFY_BIN" refvalues --manifest "$T/a/manifest.json" --cmdline "$T/rtmr2.txt"
