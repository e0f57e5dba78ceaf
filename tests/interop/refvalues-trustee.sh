# refvalues --trustee DIR: Trustee's files for a build.  The RVPS message decodes (with
# coreutils' base64 and python's json, not our code) to the sample beside it, in the
# shapes Trustee's default policy reads; bad input leaves DIR alone.
. "$(dirname "$0")/build-common.inc"
need_cmd python3 base64
out=$T/out
"$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$out" --layout kata >/dev/null
root=$(root_hash_of "$out")
"$VERIFY_BIN" refvalues --manifest "$out/manifest.json" --trustee "$T/tr" --xfam e702060000000000 >/dev/null
for f in rvps-message.json rvps-sample.json omitted.json tdverity-rootfs.rego; do
	[ -s "$T/tr/$f" ] || fail "$f missing"
done
python3 - "$T/tr" "$root" <<'PY' || fail "RVPS message round trip"
import base64, json, sys
d, root = sys.argv[1], sys.argv[2]
msg = json.load(open(d + "/rvps-message.json"))
assert sorted(msg) == ["payload", "type", "version"], msg
assert msg["version"] == "0.1.0" and msg["type"] == "sample"
payload = base64.b64decode(msg["payload"], validate=True)
assert payload == open(d + "/rvps-sample.json", "rb").read()
s = json.loads(payload)
assert s["tdverity_root_hash"] == [root], s
assert s["xfam"] == ["e702060000000000"]
assert "rtmr_3" not in s, s  # withheld: a build alone pins no other register
om = json.load(open(d + "/omitted.json"))
for name in ("mr_td", "tdvfkernel", "tdvfkernelparams", "rtmr_1", "rtmr_3", "mr_seam", "tcb_svn"):
    assert name in om and name not in s, name
PY
# The rootfs event's content (what the module reads as details.data.content) names it too.
python3 - "$out/manifest.json" "$root" <<'PY' || fail "rootfs event content"
import json, sys
m = json.load(open(sys.argv[1]))
ev = m["rootfs_event"]
assert (ev["domain"], ev["operation"]) == ("tdverity", "rootfs"), ev
assert json.loads(ev["content"])["root_hash"] == sys.argv[2]
PY

expect_exit 3 "$VERIFY_BIN" refvalues --manifest "$out/manifest.json" --trustee "$T/tr"
expect_stderr "not empty"
expect_exit 2 "$VERIFY_BIN" refvalues --manifest "$out/manifest.json" --trustee "$T/t2" --xfam 12
[ ! -e "$T/t2" ] || fail "bad --xfam created the folder"
expect_exit 2 "$VERIFY_BIN" refvalues --manifest "$out/manifest.json" --xfam e702060000000000
expect_exit 3 "$VERIFY_BIN" refvalues --manifest "$T/nope.json" --trustee "$T/t3"
[ ! -e "$T/t3" ] || fail "bad input created the folder"
echo ok
