# check --claims on Trustee's own test evidence (shared/testdata/tdx/trustee): the claim
# JSON we emit agrees with what trustee's deps/eventlog prints for the same log
# (CCEL_AAEL_alibabacloud_out.json upstream; the values below were read from it), and
# the quote claims carry the constants the default policy compares.  Then the decision of
# tdverity-rootfs.rego, traced by hand over these claims: this log's first RTMR3 event
# is not a tdverity rootfs event, so the module must not accept it.
. "$(dirname "$0")/../lib.sh"
need_testdata
need_cmd python3
[ -x "$VERIFY_BIN" ] || fail "$VERIFY_BIN not built"
D=$TDV_TESTDATA/tdx/trustee
[ -f "$D/CCEL_AAEL_alibabacloud" ] || skip "no $D/CCEL_AAEL_alibabacloud"
# The quote belongs to another boot: the verdict fails (1), the claims are written anyway.
expect_exit 1 "$VERIFY_BIN" check --quote "$D/tdx_quote_5.dat" --eventlog "$D/CCEL_AAEL_alibabacloud" \
	--claims "$T/claims.json"
python3 - "$T/claims.json" <<'PY' || fail "claims differ from trustee's"
import json, sys
c = json.load(open(sys.argv[1]))
h, b = c["quote"]["header"], c["quote"]["body"]
# ear_default_policy_cpu.rego's hardware rule compares exactly these strings.
assert h["tee_type"] == "81000000" and h["vendor_id"] == "939a7233f79c4ca9940a0db3957f0607", h
assert h["version"] == "0500" and "type" in c["quote"] and "size" in c["quote"]
for k in ("mr_td", "xfam", "rtmr_0", "rtmr_1", "rtmr_2", "rtmr_3", "mr_seam", "tcb_svn",
          "mr_config_id", "tee_tcb_svn2", "mr_servicetd"):
    assert k in b, k
assert c["init_data"] == b["mr_config_id"] and c["report_data"] == b["report_data"]
assert c["td_attributes"]["debug"] is False
ev = c["uefi_event_logs"]
# (type_name, index, digest_matches_event) of the first events, as trustee prints them.
want = [("EV_EFI_HANDOFF_TABLES2", 1, False), ("EV_EFI_PLATFORM_FIRMWARE_BLOB2", 1, False)] + \
       [("EV_EFI_VARIABLE_DRIVER_CONFIG", 1, True)] * 5 + [("EV_SEPARATOR", 1, True),
        ("EV_POST_CODE", 1, False)] + [("EV_PLATFORM_CONFIG_FLAGS", 1, False)] * 3 + \
       [("EV_EFI_VARIABLE_BOOT", 2, False)] * 7 + [("EV_EFI_ACTION", 2, True),
        ("EV_SEPARATOR", 2, True), ("EV_EFI_GPT_EVENT", 2, True),
        ("EV_EFI_BOOT_SERVICES_APPLICATION", 2, False), ("EV_IPL", 3, False)]
got = [(e["type_name"], e["index"], e["digest_matches_event"]) for e in ev[:len(want)]]
assert got == want, got
assert ev[0]["digests"] == [{"alg": "SHA-384", "digest": "951b045980c718ed0f6909c99e159831ea81abd818f8b761412ca2725b5803363e7990365390419dc58dfb789968a3b2"}]
assert ev[9]["details"] == {"string": "etc/table-loader"}, ev[9]
assert ev[19]["details"] == {"string": "Calling EFI Application from Boot Option"}
a, n = ev[-2], ev[-1]
assert (a["index"], a["type_name"], a["digest_matches_event"]) == (4, "EV_EVENT_TAG", True)
assert a["event"] == "TEVBQSQAAABjb2NvLmNvbSBzb21lLW9wZXJhdGlvbiBzb21lLWNvbnRlbnQ="
assert a["digests"][0]["digest"] == "2330183d89750c6a374ac9827d33a33636e7876733544584c8ccc88df0df87eada37e5d71d0773502234c2b5fbc7448e"
assert a["details"] == {"unicode_name": "AAEL", "string": "coco.com some-operation some-content",
                        "data": {"domain": "coco.com", "operation": "some-operation", "content": "some-content"}}
assert n["details"]["data"]["content"] == {"key": "value", "nested-key": {"sub-key": "value"}}

# tdverity_rootfs_ok, rule by rule (tdverity-rootfs.rego): first index-4 event ...
first = [e for e in ev if e["index"] == 4][0]
ok = (first["type_name"] == "EV_EVENT_TAG" and first["digest_matches_event"] is True and
      first["details"].get("unicode_name") == "AAEL" and
      first["details"]["data"]["domain"] == "tdverity")
assert not ok, "a coco.com event must not pass as the rootfs event"
PY
echo ok
