# `tdverity-verify quote --collateral` on real quotes with Intel's real collateral
# (shared/testdata/tdx/intel-collateral, values from its PROVENANCE.md): the TCB status it
# documents inside the validity window, a clear failure outside it, an FMSPC without TCB
# info, and malformed collateral (exit 3, also under ASan+UBSan when built).
. "$(dirname "$0")/../lib.sh"
need_testdata
need_cmd jq
[ -x "$VERIFY_BIN" ] || fail "$VERIFY_BIN not built"
C=$TDV_TESTDATA/tdx/intel-collateral/tinfoil
[ -d "$C" ] || skip "no $C"
IN=2026-01-20T00:00:00Z

info "each real quote, collateral current: genuine, UpToDate (tcbEvaluationDataNumber 18)"
for q in "$C"/quotes/tinfoil-quote-*.dat; do
	expect_exit 0 "$VERIFY_BIN" quote --collateral "$C" --at "$IN" --json "$q"
	assert_eq "$(jq -r '[.appraisal.genuine, .appraisal.tcb.status, .appraisal.tcb.platform,
		.appraisal.tcb.tdx_module, .appraisal.tcb.qe, .appraisal.tcb.fmspc,
		.appraisal.tcb.tcb_evaluation_data_number, .appraisal.anchor.intel_production_root]
		| map(tostring) | join(" ")' "$T/expect.out")" \
		"true UpToDate UpToDate UpToDate UpToDate 90c06f000000 18 true" "${q##*/}"
done
Q=$C/quotes/tinfoil-quote-4.dat

info "past nextUpdate (and the default time, today): not verified, and the line says why"
expect_exit 1 "$VERIFY_BIN" quote --collateral "$C" --at 2026-02-20T00:00:00Z "$Q"
grep -q '^FAIL  quote    collateral: .*not current' "$T/expect.out" || fail "no expiry line"
expect_exit 1 "$VERIFY_BIN" quote --collateral "$C" "$Q"
expect_exit 1 "$VERIFY_BIN" quote --collateral "$C" --at 2026-01-05T00:00:00Z "$Q"

info "the quote's FMSPC has no TCB info: not verified, clearly"
mkdir "$T/other"
for f in pck_crl_platform.crl pck_crl_platform_chain.txt root_ca.crl qe_identity.json \
	qe_identity_chain.txt tcb_info_00a06d080000.json; do
	cp "$C/$f" "$T/other/x-$RANDOM" # names say nothing: content decides
done
expect_exit 1 "$VERIFY_BIN" quote --collateral "$T/other" --at "$IN" "$Q"
grep -q "FAIL  quote    tcb: no TCB info for the PCK's FMSPC 90c06f000000" "$T/expect.out" ||
	fail "missing TCB info not named"

info "real quotes of other platforms: FMSPC without TCB info; a TCB below every level"
expect_exit 1 "$VERIFY_BIN" quote --collateral "$C" --at "$IN" \
	"$TDV_TESTDATA/tdx/gcp-cos-grub/cos-113-tdx-quote.dat"
grep -q "FAIL  quote    tcb: no TCB info for the PCK's FMSPC 00806f050000" "$T/expect.out" ||
	fail "GCP quote: missing TCB info not named"
# Trustee's v5 (TDX 1.5) quote: FMSPC 90c06f000000, PCK TCB components 1,1,2,2,3,1,0,3
# (openssl asn1parse of its leaf), below level L2's 2,2,2,2,3,1,0,5.
expect_exit 1 "$VERIFY_BIN" quote --collateral "$C" --at "$IN" "$TDV_TESTDATA/tdx/trustee/tdx_quote_5.dat"
grep -q "FAIL  quote    tcb: TCB level not supported: the platform (PCK TCB components 01010202030100030000000000000000, PCESVN 13; TEE_TCB_SVN 05010200000000000000000000000000) is below every level" \
	"$T/expect.out" || fail "v5 quote: unsupported TCB level not named"
grep -q "PASS  quote    collateral" "$T/expect.out" || fail "v5 quote: collateral should pass"

info "another anchor: the chain and the collateral fail"
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" \
		-out "$T/sbx.pem" -subj "/CN=Intel SGX Root CA/O=Intel Corporation" -days 2 2>/dev/null
	expect_exit 1 "$VERIFY_BIN" quote --collateral "$C" --at "$IN" --root-ca "$T/sbx.pem" "$Q"
	grep -q "FAIL  quote    pck-chain" "$T/expect.out" || fail "foreign root trusted"
fi

info "malformed collateral -> exit 3, one error line, no crash"
bins=("$VERIFY_BIN")
[ -x "$TDV_TOP/build/asan/tdverity-verify" ] && bins+=("$TDV_TOP/build/asan/tdverity-verify")
n=0
for f in qe_identity.json tcb_info_90c06f000000.json pck_crl_platform.crl root_ca.crl \
	pck_crl_platform_chain.txt; do
	for cut in 1 17 200 291; do
		n=$((n + 1))
		mkdir "$T/bad$n"
		head -c "$cut" "$C/$f" >"$T/bad$n/f"
		cmp -s "$T/bad$n/f" "$C/$f" && continue
		for bin in "${bins[@]}"; do
			expect_exit 3 "$bin" quote --collateral "$T/bad$n" --at "$IN" "$Q"
			[ "$(wc -l <"$T/expect.err")" = 1 ] || fail "$f cut at $cut: not one error line"
		done
	done
done

info "check consumes the same appraisal: genuine quote, other boot's log -> RTMRs fail only"
GCP_L=$TDV_TESTDATA/tdx/gcp-cos-grub/ccel_data.dat
expect_exit 1 "$VERIFY_BIN" check --quote "$Q" --eventlog "$GCP_L" --collateral "$C" --at "$IN" --json
assert_eq "$(jq -r '.appraisal.genuine' "$T/expect.out")" true "check: appraisal"
assert_eq "$(jq '[.checks[] | select(.status == "fail" and .subject == "quote")] | length' \
	"$T/expect.out")" 0 "check: failed quote lines"
expect_exit 1 "$VERIFY_BIN" check --quote "$Q" --eventlog "$GCP_L" --collateral "$C" \
	--at 2026-02-20T00:00:00Z
grep -q '^FAIL  quote    collateral: .*not current' "$T/expect.out" || fail "check: no expiry line"
expect_exit 2 "$VERIFY_BIN" check --quote "$Q" --eventlog "$GCP_L" --collateral "$C" --no-tcb-check
expect_exit 3 "$VERIFY_BIN" check --quote "$Q" --eventlog "$GCP_L" --collateral "$T/bad1"
