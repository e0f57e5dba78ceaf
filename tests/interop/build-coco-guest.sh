# rootfs-templates/coco-guest with stand-in binaries and configuration: --input NAME=FILE
# for every guest component, e2fsck clean, every unit and wants-link where systemd looks,
# every input's bytes in the image and its SHA-256 in manifest.json under @NAME@.
. "$(dirname "$0")/build-common.inc"
need_cmd debugfs sha256sum python3
s=$T/standins
mkdir -p "$s" "$T/base/bin" "$T/base/usr/lib/systemd"
# A tiny stand-in for a distro tree (the template imports one with `base`).
cp /bin/true "$T/base/usr/lib/systemd/systemd"
ln -s usr/lib/systemd/systemd "$T/base/init"
for b in attestation-agent confidential-data-hub api-server-rest; do
	{ cat /bin/true; echo "stand-in $b"; } >"$s/$b"
done
printf '[token_configs.kbs]\nurl = "https://kbs.example:8080"\n' >"$s/aa.toml"
printf 'socket = "unix:///run/confidential-containers/cdh.sock"\n' >"$s/cdh.toml"
inputs=(--input ATTESTATION_AGENT="$s/attestation-agent" --input CONFIDENTIAL_DATA_HUB="$s/confidential-data-hub"
	--input API_SERVER_REST="$s/api-server-rest" --input AA_CONFIG="$s/aa.toml" --input CDH_CONFIG="$s/cdh.toml")
tmpl=$TDV_TOP/rootfs-templates/coco-guest
out=$T/out
"$BUILD_BIN" --template "$tmpl" --agent "$AGENT" --base "$T/base" --layout split "${inputs[@]}" \
	--out "$out" >/dev/null
img=$out/rootfs.img
e2fsck -fn "$img" >"$T/fsck" 2>&1 || { cat "$T/fsck"; fail "e2fsck -fn"; }

sysd=/usr/lib/systemd/system
for u in kata-agent.service kata-containers.target attestation-agent.service \
	confidential-data-hub.service api-server-rest.service; do
	debugfs -R "cat $sysd/$u" "$img" 2>/dev/null >"$T/unit" || fail "$u missing"
	cmp -s "$T/unit" "$tmpl/units/$u" || fail "$u differs from the template's"
done
for u in attestation-agent confidential-data-hub api-server-rest; do
	link=$(debugfs -R "stat /etc/systemd/system/kata-containers.target.wants/$u.service" "$img" 2>/dev/null |
		sed -n 's/^Fast link dest: "\(.*\)"$/\1/p')
	assert_eq "$link" "$sysd/$u.service" "wants link of $u"
	grep -q "^ExecStart=/usr/local/bin/$u " "$tmpl/units/$u.service" || fail "$u unit does not start /usr/local/bin/$u"
done

# Each input: its bytes at its place, its digest under @NAME@ (and only there).
check_input() { # NAME FILE PATH-IN-IMAGE
	debugfs -R "cat $3" "$img" 2>/dev/null >"$T/got"
	cmp -s "$T/got" "$2" || fail "$3 is not $2"
	python3 - "$out/manifest.json" "$1" "$(sha256sum <"$2" | cut -d' ' -f1)" <<'PY' || fail "$1 not in the manifest"
import json, sys
m = json.load(open(sys.argv[1]))
hits = [i for i in m["inputs"] if i["path"] == "@" + sys.argv[2] + "@"]
assert len(hits) == 1 and hits[0]["role"] == "input" and hits[0]["sha256"] == sys.argv[3], hits
PY
}
check_input ATTESTATION_AGENT "$s/attestation-agent" /usr/local/bin/attestation-agent
check_input CONFIDENTIAL_DATA_HUB "$s/confidential-data-hub" /usr/local/bin/confidential-data-hub
check_input API_SERVER_REST "$s/api-server-rest" /usr/local/bin/api-server-rest
check_input AA_CONFIG "$s/aa.toml" /etc/confidential-containers/attestation-agent.toml
check_input CDH_CONFIG "$s/cdh.toml" /etc/confidential-containers/cdh.toml
debugfs -R "cat /usr/bin/kata-agent" "$img" 2>/dev/null | cmp -s - "$AGENT" || fail "kata-agent"
debugfs -R "stat /usr/local/bin/api-server-rest" "$img" 2>/dev/null | grep -q 'Mode:  0755' || fail "mode of api-server-rest"

# An input is part of the build: another config gives another root hash.
printf '[token_configs.kbs]\nurl = "https://other:8080"\n' >"$s/aa.toml"
"$BUILD_BIN" --template "$tmpl" --agent "$AGENT" --base "$T/base" --layout split "${inputs[@]}" \
	--out "$T/out2" >/dev/null
[ "$(root_hash_of "$out")" != "$(root_hash_of "$T/out2")" ] || fail "an input change kept the root hash"

# A missing input, an unused one and a malformed one: one line, no output.
expect_exit 3 "$BUILD_BIN" --template "$tmpl" --agent "$AGENT" --base "$T/base" --out "$T/o3" \
	"${inputs[@]:0:8}"
expect_stderr "unknown substitution '@CDH_CONFIG@'"
expect_exit 3 "$BUILD_BIN" --template "$tmpl" --agent "$AGENT" --base "$T/base" --out "$T/o4" \
	"${inputs[@]}" --input EXTRA="$s/cdh.toml"
expect_stderr "--input EXTRA: @EXTRA@ is not used"
expect_exit 2 "$BUILD_BIN" --template "$tmpl" --agent "$AGENT" --base "$T/base" --out "$T/o5" \
	--input lower="$s/cdh.toml"
expect_stderr "NAME must be"
[ ! -e "$T/o3" ] && [ ! -e "$T/o4" ] && [ ! -e "$T/o5" ] || fail "a failed build left output"
echo ok
