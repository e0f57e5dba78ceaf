# tdverity-build writes reference-values.json with the same code as `tdverity-verify
# refvalues`: its rtmr_3 equals refvalues' and expect's for the build's manifest, equals
# the SHA-384 extend of the manifest's own rootfs event digest (computed here with
# openssl), is listed in manifest.json with its SHA-256, names what it leaves out, and is
# the same bytes in a second build.
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
assert_eq "$(jq -r '.rvps_sample | keys | join(",")' "$rv")" "rtmr_3" "values a build determines"
assert_eq "$(jq -r '.omitted | keys | join(",")' "$rv")" \
	"mr_td,rtmr_1,rtmr_2,tdvfkernel,tdvfkernelparams" "values left out"
rtmr3=$(jq -r '.rvps_sample.rtmr_3[0]' "$rv")
assert_eq "$("$VERIFY_BIN" refvalues --manifest "$T/a/manifest.json" --rvps-sample | jq -r '.rtmr_3[0]')" \
	"$rtmr3" "rtmr_3 from tdverity-verify refvalues"
assert_eq "$("$VERIFY_BIN" expect --manifest "$T/a/manifest.json" --json | jq -r .rtmr.rtmr3)" \
	"$rtmr3" "rtmr3 from tdverity-verify expect"

# Independently: RTMR3 = SHA384(48 zero bytes ‖ event digest), the digest the manifest states.
ev=$(jq -r .rootfs_event.sha384 "$T/a/manifest.json")
[ ${#ev} = 96 ] || fail "manifest.json has no rootfs_event.sha384"
want=$({ head -c 48 /dev/zero; echo "$ev" | xxd -r -p; } | openssl dgst -sha384 -r | cut -d' ' -f1)
assert_eq "$rtmr3" "$want" "rtmr_3 = extend(0, rootfs event digest)"

assert_eq "$(jq -r '.outputs[] | select(.name == "reference-values.json") | .sha256' "$T/a/manifest.json")" \
	"$(sha256sum "$rv" | cut -d' ' -f1)" "manifest.json lists reference-values.json"
