#!/bin/bash
# Every option a program's --help names is in its man page, and every option the man page
# names is in --help (of the program or one of its commands): the two cannot drift apart.
source "$(dirname "$0")/../lib.sh"
[ -x "$BUILD_BIN" ] && [ -x "$VERIFY_BIN" ] || skip "no programs (make all)"

options_of() { grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
# Every option --help names must be named in the man page (in an option list or its
# synopsis); every entry of the man page's option lists (lines starting with *--name*,
# scdoc bold) must be an option --help knows, so a removed option leaves no entry behind.
man_all() { sed 's/\\_/_/g; s/\*//g' "$1" | options_of; }
man_entries() { grep -E -- '^\*--[a-z]' "$1" | grep -oE -- '\*--[a-z][a-z0-9-]*' | sed 's/^\*//' | sort -u; }

compare() { # name help-file man-source
	local name=$1 help=$2 page=$3
	options_of <"$help" >"$T/$name.help"
	man_all "$page" >"$T/$name.man"
	man_entries "$page" >"$T/$name.entries"
	local missing extra
	missing=$(comm -23 "$T/$name.help" "$T/$name.man" | tr '\n' ' ')
	extra=$(comm -13 "$T/$name.help" "$T/$name.entries" | tr '\n' ' ')
	[ -z "$missing" ] || fail "$name: in --help but not in ${page#"$TDV_TOP"/}: $missing"
	[ -z "$extra" ] || fail "$name: documented in ${page#"$TDV_TOP"/} but not in --help: $extra"
	info "$name: $(wc -l <"$T/$name.help") options in --help, $(wc -l <"$T/$name.entries") man entries, they agree"
}

"$BUILD_BIN" --help >"$T/build.txt"
compare tdverity-build "$T/build.txt" "$TDV_TOP/man/tdverity-build.1.scd"

# tdverity-verify: the union of the top-level help and every command's help.
"$VERIFY_BIN" --help >"$T/verify.txt"
commands=$(sed -n '/^Commands:/,/^$/p' "$T/verify.txt" | awk 'NF && $1 != "Commands:" {print $1}')
[ -n "$commands" ] || fail "tdverity-verify --help lists no commands"
for c in $commands; do
	"$VERIFY_BIN" "$c" --help >>"$T/verify.txt" 2>&1 || fail "tdverity-verify $c --help failed"
	grep -qE "^\*$c\*" "$TDV_TOP/man/tdverity-verify.1.scd" ||
		fail "command $c is not described in man/tdverity-verify.1.scd"
done
compare tdverity-verify "$T/verify.txt" "$TDV_TOP/man/tdverity-verify.1.scd"
