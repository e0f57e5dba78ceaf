# tdverity-verify replay / quote / check on real TDX evidence (shared/testdata/tdx; values
# from its PROVENANCE.md), plus one-byte corruptions (exit 1) and malformed input (exit 3).
. "$(dirname "$0")/../lib.sh"
need_testdata
need_cmd jq xxd
[ -x "$VERIFY_BIN" ] || fail "$VERIFY_BIN not built"
D=$TDV_TESTDATA/tdx
GCP_Q=$D/gcp-cos-grub/cos-113-tdx-quote.dat
GCP_L=$D/gcp-cos-grub/ccel_data.dat
OVMF_L=$D/trustee/CCEL_data_ovmf
ALI_L=$D/trustee/CCEL_AAEL_alibabacloud
Q5=$D/trustee/tdx_quote_5.dat

# Flip the low bit of the byte at an offset, in place.
flip() { # file offset
	local b
	b=$(xxd -s "$2" -l 1 -p "$1")
	printf "$(printf '\\x%02x' $((0x$b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
rtmrs() { # replay JSON -> "r0 r1 r2 r3"
	jq -r '[.rtmrs.rtmr0, .rtmrs.rtmr1, .rtmrs.rtmr2, .rtmrs.rtmr3] | join(" ")' "$1"
}
Z48=$(printf '0%.0s' $(seq 96))

# The gcp-cos-grub registers as PROVENANCE.md documents them (MRTD, RTMR0..2; RTMR3 zero).
GCP_PINS=(--mrtd dae67181d3d65e073ad8f95b7907d5e927bfe9761c9ff3e9b89734a45d8954dba41394c7717cb2735396c1d04231f94a
	--rtmr0 3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6
	--rtmr1 f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1
	--rtmr2 4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1
	--rtmr3 "$Z48")
info "check: gcp-cos-grub quote + CCEL verify (no collateral here: TCB skipped on purpose)"
expect_exit 1 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$GCP_L" "${GCP_PINS[@]}"
grep -q '^FAIL  quote    tcb: not evaluated' "$T/expect.out" || fail "no collateral, yet the TCB passed"
expect_exit 0 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$GCP_L" --no-tcb-check "${GCP_PINS[@]}"
grep -q '^NOTE  quote    tcb: skipped' "$T/expect.out" || fail "--no-tcb-check not reported as skipped"
grep -q '^verdict: VERIFIED' "$T/expect.out" || fail "no VERIFIED verdict"
[ "$(grep -c '^PASS  RTMR' "$T/expect.out")" = 4 ] || fail "not all four RTMRs pass"
expect_exit 0 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$GCP_L" --json --no-tcb-check \
	--report-data "$(printf '0%.0s' $(seq 128))" "${GCP_PINS[@]}"
assert_eq "$(jq -r .verdict "$T/expect.out")" verified "check --json verdict"
assert_eq "$(jq '[.checks[] | select(.status=="fail")] | length' "$T/expect.out")" 0 "failed checks"
assert_eq "$(jq -c '[.registers[] | [.register, .verdict]]' "$T/expect.out")" \
	'[["MRTD","pass"],["RTMR0","pass"],["RTMR1","pass"],["RTMR2","pass"],["RTMR3","pass"],["TDATTRIBUTES","pass"],["XFAM","pass"]]' \
	"register verdicts"
info "check: unpinned registers make the verdict PARTIAL (exit 1), named"
expect_exit 1 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$GCP_L" --no-tcb-check
grep -q '^verdict: PARTIAL (unpinned: MRTD, RTMR0, RTMR1, RTMR2, RTMR3)' "$T/expect.out" ||
	fail "no PARTIAL verdict naming every unpinned register"
expect_exit 1 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$GCP_L" --no-tcb-check \
	"${GCP_PINS[@]:0:8}"
grep -q '^verdict: PARTIAL (unpinned: RTMR3)' "$T/expect.out" || fail "RTMR3 not named unpinned"

info "replay gcp: RTMRs = the quote's; every grub_cmd:/kernel_cmdline: digest recomputes"
"$VERIFY_BIN" replay --json "$GCP_L" >"$T/gcp.json"
assert_eq "$(rtmrs "$T/gcp.json")" \
	"3fa2f61f395b7f5feefb4ec2df61297f109ad8abcd6410c1b7df60f21f37b19297fc35e544039c7e1edece752afd17f6 f62dbc072bd5d3f3438b7b35c39a727f5aea2ffc2473f43723953f530daf62504f0a7944aa62c41a86e8a878c2b122c1 4969684dc87381fc3b3134176c8d8806eaf0a901859f5f70cfae8d17714b46c10a8de219048c9fc09f11f381a6fbe7c1 $Z48" \
	"gcp replay"
assert_eq "$(jq '.events | length' "$T/gcp.json")" 43 "gcp event count"
grub_q='[.events[] | select(.type_name=="EV_IPL" and ((.description|startswith("\"grub_cmd: ")) or (.description|startswith("\"kernel_cmdline: "))))]'
assert_eq "$(jq "$grub_q | length" "$T/gcp.json")" 15 "grub string events"
assert_eq "$(jq "$grub_q | map(select(.recompute==\"match\")) | length" "$T/gcp.json")" 15 \
	"grub string events that recompute"

info "replay trustee CCEL_data_ovmf: documented RTMRs"
"$VERIFY_BIN" replay --json "$OVMF_L" >"$T/ovmf.json"
assert_eq "$(rtmrs "$T/ovmf.json")" \
	"8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90abe193 775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc210c13c6 94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf25f34a $Z48" \
	"ovmf replay"
assert_eq "$(jq '.events | length' "$T/ovmf.json")" 20 "ovmf event count"

info "replay CCEL_AAEL_alibabacloud: AAEL records parse and recompute; documented RTMRs"
ALI_RTMRS="b796e1c11396c198ae88794def4cb8e24fa9b35468287c298087f00d4de7433e4e31a297a4e5a03d4300fa6f3a96d47c 3b0b906140fcea689c8774ac1eafcf0fef8e22ba81a047fd750ebd7df3235c2704df6106a758e31e5645e9838ff37406 35f2801338c1b5fce96518f058c37e0fe9ed247a12dcd5f50d9c18fe4b6c71311bb63fca2640c7915817b6aa412a8480 5e4ecd49d3c7983d6f9ca36755b5cee0b423d7fa8c5a88aeb0681bd4698772bc37b4463dc5f722efe352a66417257dad"
"$VERIFY_BIN" replay --json "$ALI_L" >"$T/ali.json"
assert_eq "$(rtmrs "$T/ali.json")" "$ALI_RTMRS" "alibaba replay"
assert_eq "$(jq '.events | length' "$T/ali.json")" 87 "alibaba event count"
aael_q='[.events[] | select(.aael_text != null)]'
assert_eq "$(jq -c "$aael_q | map([.register, .recompute, .aael_text])" "$T/ali.json")" \
	'[["RTMR3","match","coco.com some-operation some-content"],["RTMR3","match","coco.com some-operation {\"key\": \"value\", \"nested-key\": {\"sub-key\": \"value\"}}"]]' \
	"AAEL records"

info "replay --aael: the same file split into CCEL and the agent's log gives the same RTMRs"
off=$(jq "$aael_q | .[0].offset" "$T/ali.json")
head -c "$off" "$ALI_L" >"$T/ccel"
tail -c +"$((off + 1))" "$ALI_L" >"$T/aael"
"$VERIFY_BIN" replay --json "$T/ccel" --aael "$T/aael" >"$T/split.json"
assert_eq "$(rtmrs "$T/split.json")" "$ALI_RTMRS" "split replay"
assert_eq "$(jq '[.events[] | select(.source=="aael")] | length' "$T/split.json")" 2 "aael events"

info "quote v5 fields (PROVENANCE.md) and both quotes' signatures"
expect_exit 0 "$VERIFY_BIN" quote --json --no-tcb-check "$Q5"
q5=$(jq -r '[.version, .body_type, .mrtd, .rtmr0, .rtmr1, .rtmr2, .rtmr3, .reportdata,
	.checks.ak_signature, .checks.qe_report_binding, .checks.pck_signature_over_qe_report] |
	map(tostring) | join(" ")' "$T/expect.out")
assert_eq "$q5" "5 3 dfba221b48a22af8511542ee796603f37382800840dcd978703909bf8e64d4c8a1e9de86e7c9638bfcba422f3886400a 9b529f3689e2e8ebb899e9abbbc3dab394d6545e8cdb28a2abb9cc2f377b83a65c01ba56b824cd3ee885df20051f5128 ca5a979317ffe8a527a3b7aadab03976d7cb6eef1041fb9bd9d69e6fafa7252cdc10e4c2a55e7ecbd2ddb5cacc867430 $Z48 $Z48 6d6ab13b046cff606ac0074be13981b07b6325dba10b5facc96febf551c0c3be2b75f92fe1f88f4bb996969ad0174b4b7a70261b7b85c844f4b33a4674fd049f true true true" "v5 quote"
expect_exit 0 "$VERIFY_BIN" quote --json --no-tcb-check "$GCP_Q"
assert_eq "$(jq -r '[.version, .mrtd, .checks.ak_signature] | map(tostring) | join(" ")' "$T/expect.out")" \
	"4 dae67181d3d65e073ad8f95b7907d5e927bfe9761c9ff3e9b89734a45d8954dba41394c7717cb2735396c1d04231f94a true" "v4 quote"
expect_exit 1 "$VERIFY_BIN" quote "$GCP_Q"
grep -q "tcb: not evaluated" "$T/expect.out" || fail "quote hides the unevaluated TCB"

info "--root-ca: the chain verifies to its own Intel root (pinned here), not to a stranger"
awk '/BEGIN CERT/{n++} n==3' <(tr -d '\000' <"$GCP_Q") | sed '/END CERT/q' >"$T/root.pem"
grep -q 'END CERTIFICATE' "$T/root.pem" || fail "could not cut the root out of the chain"
expect_exit 0 "$VERIFY_BIN" quote --root-ca "$T/root.pem" --no-tcb-check "$Q5"
grep -q "pck-chain: verifies to /CN=Intel SGX Root CA" "$T/expect.out" || fail "root CA not used"
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" \
		-out "$T/other.pem" -subj "/CN=Intel SGX Root CA" -days 2 2>/dev/null
	expect_exit 1 "$VERIFY_BIN" quote --root-ca "$T/other.pem" --no-tcb-check "$Q5"
	grep -q "FAIL  quote    pck-chain: does not verify" "$T/expect.out" || fail "look-alike root trusted"
	expect_exit 1 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$GCP_L" --no-tcb-check \
		--root-ca "$T/other.pem"
fi
expect_exit 0 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$GCP_L" --policy strict --no-tcb-check \
	"${GCP_PINS[@]}"
expect_exit 0 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$GCP_L" --policy strict \
	--no-tcb-check --root-ca "$T/root.pem" "${GCP_PINS[@]}"

info "one flipped byte in a quote body or an event digest -> mismatch (exit 1)"
for off in 50 $((48 + 136)) $((48 + 376 + 47)) $((48 + 568)); do # header, MRTD, RTMR0, REPORTDATA
	cp "$GCP_Q" "$T/q"
	flip "$T/q" "$off"
	expect_exit 1 "$VERIFY_BIN" check --quote "$T/q" --eventlog "$GCP_L" --no-tcb-check
done
cp "$Q5" "$T/q5"
flip "$T/q5" $((54 + 136 + 5))
expect_exit 1 "$VERIFY_BIN" quote --no-tcb-check "$T/q5"
for ev in 23 40; do # the grub EFI application (RTMR1), the kernel_cmdline string (RTMR2)
	cp "$GCP_L" "$T/l"
	flip "$T/l" $(($(jq ".events[$ev].offset" "$T/gcp.json") + 12 + 2 + 7))
	expect_exit 1 "$VERIFY_BIN" check --quote "$GCP_Q" --eventlog "$T/l" --no-tcb-check
	grep -q '^FAIL  RTMR' "$T/expect.out" || fail "event $ev flip not seen as an RTMR mismatch"
done
cp "$ALI_L" "$T/a"
flip "$T/a" $(($(jq "$aael_q | .[1].offset" "$T/ali.json") + 12 + 2))
expect_exit 1 "$VERIFY_BIN" replay "$T/a"

info "malformed evidence -> exit 3 with one error line (also under ASan+UBSan when built)"
bins=("$VERIFY_BIN")
[ -x "$TDV_TOP/build/asan/tdverity-verify" ] && bins+=("$TDV_TOP/build/asan/tdverity-verify")
head -c 1000 "$GCP_Q" >"$T/q-trunc"
head -c 700 "$Q5" >"$T/q5-trunc"
cp "$GCP_Q" "$T/q-giant" && printf '\xff\xff\xff\x7f' | dd of="$T/q-giant" bs=1 seek=632 conv=notrunc status=none
cp "$GCP_Q" "$T/q-v9" && printf '\x09' | dd of="$T/q-v9" bs=1 seek=0 conv=notrunc status=none
head -c 5000 "$GCP_L" >"$T/l-trunc"
cp "$GCP_L" "$T/l-count" && printf '\xff\xff\xff\xff' | dd of="$T/l-count" bs=1 seek=$(($(jq '.events[5].offset' "$T/gcp.json") + 8)) conv=notrunc status=none
cp "$GCP_L" "$T/l-alg" && printf '\x99\x00' | dd of="$T/l-alg" bs=1 seek=$(($(jq '.events[5].offset' "$T/gcp.json") + 12)) conv=notrunc status=none
cp "$GCP_L" "$T/l-size" && printf '\xf0\xff\xff\x7f' | dd of="$T/l-size" bs=1 seek=$(($(jq '.events[5].offset' "$T/gcp.json") + 12 + 50)) conv=notrunc status=none
printf 'not an event log' >"$T/garbage"
for bin in "${bins[@]}"; do
	for q in "$T/q-trunc" "$T/q5-trunc" "$T/q-giant" "$T/q-v9" "$T/garbage" /nonexistent; do
		expect_exit 3 "$bin" quote "$q"
		[ "$(wc -l <"$T/expect.err")" = 1 ] || fail "quote $q: not one error line"
		expect_exit 3 "$bin" check --quote "$q" --eventlog "$GCP_L"
	done
	for l in "$T/l-trunc" "$T/l-count" "$T/l-alg" "$T/l-size" "$T/garbage" /nonexistent; do
		expect_exit 3 "$bin" replay "$l"
		[ "$(wc -l <"$T/expect.err")" = 1 ] || fail "replay $l: not one error line"
		expect_exit 3 "$bin" check --quote "$GCP_Q" --eventlog "$l"
	done
	expect_exit 3 "$bin" replay "$OVMF_L" --aael "$T/garbage"
	expect_exit 2 "$bin" check --quote "$GCP_Q"
	expect_exit 2 "$bin" replay
done
info "all evidence checks passed"
