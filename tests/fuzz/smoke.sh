# make check: build the libFuzzer targets and fuzz each briefly (5 s) from its corpus.
# A crash, leak or sanitizer report fails the test.
. "$(dirname "$0")/../lib.sh"
need_cmd clang
ls "$TDV_TOP"/tests/fuzz/fuzz-*.c >/dev/null 2>&1 || skip "no fuzz targets yet"
cd "$TDV_TOP"
make --no-print-directory BUILD=build/fuzz SAN=fuzz CC=clang fuzz-targets
# Work on a copy of the corpora so make check never modifies the tree.
cp -r tests/fuzz/corpus "$T/corpus" 2>/dev/null || mkdir -p "$T/corpus"
for bin in build/fuzz/fuzz/fuzz-*; do
	name=${bin##*/fuzz-}
	mkdir -p "$T/corpus/$name"
	info "fuzzing $name"
	"$bin" -max_total_time=5 -timeout=10 -rss_limit_mb=1024 "$T/corpus/$name"
done
