# Two builds from differently-touched copies of the inputs, in different folders, with a
# different umask, cwd, TZ and locale, give byte-identical outputs (every file), for the
# gpt and kata layouts.  A different seed or SOURCE_DATE_EPOCH changes the root hash
# (so the comparison can fail).
. "$(dirname "$0")/build-common.inc"
mkdir -p "$T/a/templ" "$T/deeper/b/other-name"
cp -a "$TEMPLATE/." "$T/a/templ/"
cp -a "$TEMPLATE/." "$T/deeper/b/other-name/"
cp "$AGENT" "$T/a/agent"
cp "$AGENT" "$T/deeper/b/kata-agent"
find "$T/a" -exec touch -h -d '2001-02-03 04:05:06' {} +
find "$T/deeper" -exec touch -h -d '2031-12-30 23:00:00' {} +
touch -a -d '1999-01-01' "$T/deeper/b/kata-agent"

build_a() { # layout out
	(cd "$T/a" && umask 022 && TZ=UTC LC_ALL=C "$BUILD_BIN" --template templ --agent agent \
		--layout "$1" --seed s1 --out "$2" >/dev/null)
}
build_b() {
	(cd / && umask 077 && TZ=Asia/Kolkata LC_ALL=C.UTF-8 "$BUILD_BIN" \
		--template "$T/deeper/b/other-name/" --agent "$T/deeper/b/kata-agent" \
		--layout "$1" --seed s1 --out "$2" >/dev/null)
}
for layout in gpt kata; do
	build_a $layout "$T/out-a-$layout"
	build_b $layout "$T/out-b-$layout"
	(cd "$T/out-a-$layout" && ls -A) >"$T/ls-a"
	(cd "$T/out-b-$layout" && ls -A) >"$T/ls-b"
	cmp "$T/ls-a" "$T/ls-b" || fail "$layout: different file sets"
	while read -r f; do
		cmp "$T/out-a-$layout/$f" "$T/out-b-$layout/$f" || fail "$layout: $f differs"
		assert_eq "$(stat -c %a "$T/out-b-$layout/$f")" 644 "$layout: mode of $f under umask 077"
	done <"$T/ls-a"
	info "$layout: $(wc -l <"$T/ls-a") files identical"
done

info "seed and SOURCE_DATE_EPOCH are inputs"
(cd "$T/a" && "$BUILD_BIN" --template templ --agent agent --seed s2 --out "$T/seed2" >/dev/null)
[ "$(root_hash_of "$T/seed2")" != "$(root_hash_of "$T/out-a-gpt")" ] || fail "--seed does not change the build"
(cd "$T/a" && SOURCE_DATE_EPOCH=1 "$BUILD_BIN" --template templ --agent agent --seed s1 --out "$T/epoch" >/dev/null)
[ "$(root_hash_of "$T/epoch")" != "$(root_hash_of "$T/out-a-gpt")" ] || fail "SOURCE_DATE_EPOCH does not change the build"
echo ok
