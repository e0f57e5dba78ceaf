# Real firmware, TPM path of `replay`: Debian's OVMF (-bios) with a swtpm vTPM (SHA-256 +
# SHA-384 banks) boots Debian's kernel straight into the probe agent (the initramfs's
# /init, no disk).  The agent prints the firmware's binary_bios_measurements and the PCRs;
# `tdverity-verify replay` must parse that log (PCR numbering, two banks) and replay
# exactly the PCR values the TPM holds, in both banks, and every digest it recomputes from
# its event's data must match.  One boot.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
need_cmd qemu-system-x86_64 swtpm swtpm_setup xxd jq cpio
[ -f /usr/share/ovmf/OVMF.fd ] || skip "no /usr/share/ovmf/OVMF.fd (package ovmf)"
[ -x "$VERIFY_BIN" ] || skip "no $VERIFY_BIN (make all)"
[ -x "$TDV_BUILD/tdverity-probe-agent" ] || skip "no probe agent (make all)"
VM_KDIR=$("$TDV_TOP/scripts/fetch-kernel.sh") || skip "cannot fetch Debian's kernel package"
VM_KERNEL=$VM_KDIR/vmlinuz

mkdir -p "$T/rd/dev"
cp "$TDV_BUILD/tdverity-probe-agent" "$T/rd/init"
mknod "$T/rd/dev/console" c 5 1 2>/dev/null || skip "cannot mknod /dev/console (not root)"
(cd "$T/rd" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$T/probe.cpio"

vm_boot --ovmf --no-disk tpmlog "$T/probe.cpio" /dev/null ""
grep -q '^TDVERITY-PROBE: end' "$VM_CONSOLE" || { vm_show_console; fail "the probe did not finish"; }
vm_probe_blob tpm-eventlog "$T/tpm.log" || fail "the agent found no firmware TPM event log"
info "firmware TPM event log: $(stat -c %s "$T/tpm.log") bytes"

rc=0
"$VERIFY_BIN" replay --json "$T/tpm.log" >"$T/replay.json" || rc=$?
[ $rc = 0 ] || { "$VERIFY_BIN" replay "$T/tpm.log" | grep -B1 -A3 MISMATCH >&2 || true; fail "replay exited $rc"; }
assert_eq "$(jq -r .kind "$T/replay.json")" tpm-pcr "log kind"
info "$(jq '.events | length' "$T/replay.json") events, $(jq .recomputed_match "$T/replay.json") digests recomputed from their data"

compared=0
for bank in sha256 sha384; do
	for pcr in $(jq -r ".pcrs.$bank | keys[]" "$T/replay.json"); do
		want=$(vm_probe "pcr $bank $pcr")
		[ -n "$want" ] || fail "the probe printed no PCR $pcr ($bank)"
		assert_eq "$(jq -r ".pcrs.$bank.\"$pcr\"" "$T/replay.json")" "$want" "replayed PCR $pcr ($bank)"
		compared=$((compared + 1))
	done
done
[ $compared -ge 16 ] || fail "only $compared PCRs replayed"
info "$compared PCR values replayed exactly as the vTPM holds them"
