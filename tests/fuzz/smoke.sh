# make check: build the libFuzzer targets and fuzz each briefly (5 s) from its corpus.
# A crash, leak or sanitizer report fails the test.
. "$(dirname "$0")/../lib.sh"
need_cmd clang
ls "$TDV_TOP"/tests/fuzz/fuzz-*.c >/dev/null 2>&1 || skip "no fuzz targets yet"
cd "$TDV_TOP"
make --no-print-directory BUILD=build/fuzz SAN=fuzz CC=clang fuzz-targets
# Work on a copy of the corpora so make check never modifies the tree.
cp -r tests/fuzz/corpus "$T/corpus" 2>/dev/null || mkdir -p "$T/corpus"
# The real TDX evidence as extra seeds, at test time only (it is never committed).
if [ -d "$TDV_TESTDATA/tdx" ]; then
	mkdir -p "$T/corpus/eventlog" "$T/corpus/tdx-quote"
	head -c 18200 "$TDV_TESTDATA/tdx/gcp-cos-grub/ccel_data.dat" >"$T/corpus/eventlog/real-gcp"
	head -c 2200 "$TDV_TESTDATA/tdx/trustee/CCEL_data_ovmf" >"$T/corpus/eventlog/real-ovmf"
	cp "$TDV_TESTDATA/tdx/trustee/CCEL_AAEL_alibabacloud" "$T/corpus/eventlog/real-aael"
	cp "$TDV_TESTDATA/tdx/gcp-cos-grub/cos-113-tdx-quote.dat" "$T/corpus/tdx-quote/real-v4"
	cp "$TDV_TESTDATA/tdx/trustee/tdx_quote_5.dat" "$T/corpus/tdx-quote/real-v5"
	mkdir -p "$T/corpus/collateral" "$T/corpus/pck-extension"
	for f in "$TDV_TESTDATA"/tdx/intel-collateral/tinfoil/*; do
		[ -f "$f" ] && cp "$f" "$T/corpus/collateral/real-${f##*/}"
	done
	# The real PCK leaf certificates (DER) seed the SGX extension parser.
	if command -v openssl >/dev/null; then
		for q in "$TDV_TESTDATA"/tdx/intel-collateral/tinfoil/quotes/tinfoil-quote-[13].dat; do
			tr -d '\000' <"$q" | sed -n 's/.*\(-----BEGIN CERT\)/\1/; /BEGIN CERT/,/END CERT/p' | sed '/END CERT/q' |
				openssl x509 -outform DER -out "$T/corpus/pck-extension/real-${q##*/}" ||
				true
		done
	fi
fi
for bin in build/fuzz/fuzz/fuzz-*; do
	name=${bin##*/fuzz-}
	mkdir -p "$T/corpus/$name"
	info "fuzzing $name"
	"$bin" -max_total_time=5 -timeout=10 -rss_limit_mb=1024 "$T/corpus/$name"
done
