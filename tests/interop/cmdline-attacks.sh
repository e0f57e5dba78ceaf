# One cmdline rule set (kernel-cmdline/screen.c cmdline_screen_line()) for every program:
# each attack on a tdverity line is refused by `expect` and `refvalues` (exit 3, one line
# naming the problem) and by `tdverity-build --extra-cmdline` (exit 3), and the honest
# line passes.  `check` holds the same attacks as a mismatch (tests/unit/test-check.c).
# The attacks: the issue's list (duplicate keys, tdverity.measure=none, another
# tdverity.init, keys that redirect the boot, systemd-initrd keys, rescue targets,
# systemd.unit=, kgdb, words after --, newlines, a line the EFI stub truncates, another
# root hash or verity parameter).
. "$(dirname "$0")/build-common.inc"
out=$T/out
"$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$out" >/dev/null || fail "build"
line=$(cat "$out/cmdline.txt")
m=$out/manifest.json
long=$(printf 'x%.0s' $(seq 2100))
grep -q 'tdverity.init=/sbin/init' "$out/cmdline.txt" || fail "cmdline.txt lacks tdverity.init=/sbin/init"
blocks=$(sed -n 's/.*data-blocks=\([0-9]*\).*/\1/p' "$out/cmdline.txt")

# name|the attacking line (the honest line is $line)
attacks=(
	"duplicate tdverity.init|$line tdverity.init=/bin/sh"
	"another tdverity.init|${line/tdverity.init=\/sbin\/init/tdverity.init=\/bin\/sh}"
	"tdverity.measure=none|${line/tdverity.measure=auto/tdverity.measure=none}"
	"embedded newline|$line"$'\n'"rdinit=/bin/sh"
	"2,100-byte line|$line $long"
	"init=|$line init=/bin/sh"
	"rdinit=|$line rdinit=/bin/sh"
	"root=|$line root=/dev/vda1"
	"noinitrd|$line noinitrd"
	"dm-mod.create=|$line dm-mod.create=x"
	"rd.systemd.verity=|$line rd.systemd.verity=0"
	"rd.break|$line rd.break"
	"systemd.verity=|$line systemd.verity=0"
	"usrhash=|$line usrhash=0011"
	"emergency|$line emergency"
	"single|$line single"
	"rescue|$line rescue"
	"systemd.unit=|$line systemd.unit=emergency.target"
	"systemd.debug_shell|$line systemd.debug_shell"
	"kgdb|$line kgdboc=ttyS0 kgdbwait"
	"rw|$line rw"
	"words after --|$line -- /bin/sh"
	"duplicate key|$line panic=1 panic=0"
	"another roothash|$(echo "$line" | sed 's/roothash=[0-9a-f]*/roothash=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff/')"
	"another data-blocks|${line/data-blocks=$blocks/data-blocks=$((blocks + 1))}"
)

expect_exit 0 "$VERIFY_BIN" expect --manifest "$m" --cmdline "$out/cmdline.txt"
expect_exit 0 "$VERIFY_BIN" refvalues --manifest "$m" --cmdline "$out/cmdline.txt"
tried=0
for a in "${attacks[@]}"; do
	name=${a%%|*}
	printf '%s\n' "${a#*|}" >"$T/attack.txt"
	cmp -s "$T/attack.txt" "$out/cmdline.txt" && fail "$name: the attack did not change the line"
	for verb in expect refvalues; do
		expect_exit 3 "$VERIFY_BIN" $verb --manifest "$m" --cmdline "$T/attack.txt"
		grep -q "^tdverity-verify: $verb: the cmdline " "$T/expect.err" ||
			fail "$verb, $name: no one-line reason: $(cat "$T/expect.err")"
		[ "$(wc -l <"$T/expect.err")" = 1 ] || fail "$verb, $name: more than one error line"
	done
	info "$name: expect 3, refvalues 3 ($(sed 's/^tdverity-verify: refvalues: the cmdline //' "$T/expect.err"))"
	tried=$((tried + 1))
done
# tdverity.measure=none passes when asked for explicitly, and only then.
printf '%s\n' "${line/tdverity.measure=auto/tdverity.measure=none}" >"$T/none.txt"
expect_exit 0 "$VERIFY_BIN" expect --manifest "$m" --cmdline "$T/none.txt" --allow-unmeasured
# The manifest's own line is held to the rules too (expect with the manifest alone).
expect_exit 0 "$VERIFY_BIN" expect --manifest "$m"

# The builder: the same attacks as --extra-cmdline (what an addition can carry).
extras=("tdverity.init=/bin/sh" "tdverity.measure=none" $'quiet\nrdinit=/bin/sh' "$long"
	"init=/bin/sh" "rdinit=/bin/sh" "root=/dev/vda1" "noinitrd" "dm-mod.create=x"
	"rd.systemd.verity=0" "rd.break" "systemd.verity=0" "usrhash=0011" "emergency" "single"
	"rescue" "systemd.unit=emergency.target" "systemd.debug_shell" "kgdboc=ttyS0 kgdbwait"
	"-- /bin/sh" "panic=1 panic=0" "roothash=00" "rw")
n=0
for e in "${extras[@]}"; do
	n=$((n + 1))
	expect_exit 3 "$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$T/x$n" \
		--extra-cmdline "$e"
	[ ! -e "$T/x$n" ] || fail "build --extra-cmdline '${e:0:40}': left an output folder"
	info "build --extra-cmdline '${e:0:40}': 3 ($(sed 's/^tdverity-build: //' "$T/expect.err" | cut -c1-100))"
done
expect_exit 0 "$BUILD_BIN" --template "$TEMPLATE" --agent "$AGENT" --out "$T/ok" \
	--extra-cmdline "console=ttyS0 console=tty0 quiet"
info "$tried attacks refused by expect and refvalues, $n by the builder"
