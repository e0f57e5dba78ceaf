#!/bin/bash
# The no-initrd prediction on real firmware (a --boot dm-init build's line, as Kata boots
# an image; a built-in initramfs boots without an initrd the same way): Debian's OVMF + a swtpm vTPM, QEMU -kernel and -append but no -initrd.
# Debian's kernel then cannot mount a root and panics, so nothing runs in the guest to
# read the TPM.  Instead the swtpm outlives QEMU: QEMU is killed once the kernel has
# panicked, the swtpm's volatile state (the PCRs) is saved over its control socket
# (swtpm_ioctl -v), a new swtpm is started on that state with a loopback data socket, and
# tpm2-tools read PCR 4 and PCR 9 in both banks from it.  expect --no-initrd must predict
# both exactly: PCR 9 is the EFI stub's LoadOptions event alone (UTF-16 of the cmdline with
# no " initrd=initrd"; no "Linux initrd" event), PCR 4 the kernel as QEMU patched it.  The
# prediction of a boot with an initrd must miss.  (The firmware's event log lives in guest
# memory and cannot be read from the TPM; PCR 9 holds exactly one extend, which pins it.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
need_cmd qemu-system-x86_64 swtpm swtpm_setup swtpm_ioctl tpm2_pcrread jq
[ -x "$VERIFY_BIN" ] || skip "no $VERIFY_BIN (make all)"
[ -f /usr/share/ovmf/OVMF.fd ] || skip "no /usr/share/ovmf/OVMF.fd (package ovmf)"
kdir=$("$TDV_TOP/scripts/fetch-kernel.sh") || skip "cannot fetch Debian's kernel package"
kernel=$kdir/vmlinuz
# The measured line is that of a --boot dm-init build (Kata's dm-mod.create= spelling);
# Debian's kernel has dm_mod as a module, so it cannot set the table up and panics, which
# is all this test needs.  panic=0: the kernel waits after its panic instead of rebooting,
# so QEMU stays up until the test kills it (a clean QEMU exit would shut the swtpm down).
[ -x "$BUILD_BIN" ] && [ -x "$TDV_BUILD/tdverity-probe-agent" ] || skip "make all first"
"$BUILD_BIN" --template "$TDV_TOP/rootfs-templates/kata-agent" --agent "$TDV_BUILD/tdverity-probe-agent" \
	--layout kata --boot dm-init --extra-cmdline "console=ttyS0 panic=0 quiet" --out "$T/dm" \
	>/dev/null || fail "tdverity-build --boot dm-init failed"
cp "$T/dm/cmdline.txt" "$T/append.txt"
append=$(cat "$T/append.txt")

vm_tpm_start noinitrd
ctrl=$VM_TPM_CTRL
tpmdir=${ctrl%/ctrl}
# In the background without a timeout wrapper, so $! is QEMU itself (the loop below is
# the time limit).
qemu-system-x86_64 -M pc -accel tcg -cpu max -m 1G \
	-smp 1 -display none -vga none -net none -no-reboot -monitor none \
	-serial "file:$T/console" -bios /usr/share/ovmf/OVMF.fd -kernel "$kernel" -append "$append" \
	-chardev "socket,id=chrtpm,path=$ctrl" -tpmdev emulator,id=tpm0,chardev=chrtpm \
	-device tpm-tis,tpmdev=tpm0 >"$T/qemu.log" 2>&1 </dev/null &
qpid=$!
VM_PIDS+=("$qpid")
for _ in $(seq "$VM_TIMEOUT"); do
	grep -q 'end Kernel panic' "$T/console" 2>/dev/null && break
	kill -0 "$qpid" 2>/dev/null || break
	sleep 1
done
grep -q 'VFS: Unable to mount root' "$T/console" ||
	{ tail -n 20 "$T/console" "$T/qemu.log" >&2; fail "the kernel did not get to its root mount"; }
kill -9 "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
sleep 0.5 # the swtpm notices the closed control connection
info "kernel panicked as expected without a root; QEMU killed, swtpm still up"

old_pid=$(cat "$tpmdir/pid")
swtpm_ioctl --unix "$ctrl" -v || fail "swtpm_ioctl: saving the volatile state failed"
swtpm_ioctl --unix "$ctrl" -s || fail "swtpm_ioctl: shutdown failed"
for _ in $(seq 50); do kill -0 "$old_pid" 2>/dev/null || break; sleep 0.1; done
port=$((20000 + $$ % 20000))
swtpm socket --tpm2 --tpmstate dir="$tpmdir" --flags not-need-init --daemon \
	--server type=tcp,port=$port,bindaddr=127.0.0.1 --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
	--pid file="$tpmdir/pid2" --log file="$tpmdir/log2" || fail "second swtpm did not start"
for _ in $(seq 50); do [ -s "$tpmdir/pid2" ] && break; sleep 0.1; done
VM_PIDS+=("$(cat "$tpmdir/pid2")")
tpm2_pcrread -T "swtpm:host=127.0.0.1,port=$port" sha256:4,9+sha384:4,9 >"$T/pcrs" ||
	fail "tpm2_pcrread failed"
got() { # bank pcr
	awk -v b="$1:" -v p="$2" '$1 == b {bank = 1; next} /^  [a-z]/ {bank = 0}
		bank && $1 == p {sub(/^0x/, "", $3); print tolower($3)}' "$T/pcrs"
}

# From the build's manifest alone (boot dm-init: no initrd, no rootfs event) ...
"$VERIFY_BIN" expect --kernel "$kernel" --manifest "$T/dm/manifest.json" \
	--firmware-profile edk2-pre-202411 --qemu-kernel-patch --memory 1G --machine pc --json \
	>"$T/expect.json" || fail "expect failed"
# ... and from the captured line with --no-initrd: the same prediction.
"$VERIFY_BIN" expect --kernel "$kernel" --cmdline "$T/append.txt" --no-initrd \
	--firmware-profile edk2-pre-202411 --qemu-kernel-patch --memory 1G --machine pc --json \
	>"$T/expect2.json" || fail "expect --no-initrd failed"
assert_eq "$(jq -c .pcr "$T/expect2.json")" "$(jq -c .pcr "$T/expect.json")" "manifest vs --no-initrd"
[ "$(jq '[.events[] | select(.kind == "rootfs")] | length' "$T/expect.json")" = 0 ] || fail "a rootfs event for dm-init"
[ "$(jq -r .load_options "$T/expect.json")" = "$append" ] || fail "load options carry more than -append"
[ "$(jq '[.events[] | select(.kind == "initrd")] | length' "$T/expect.json")" = 0 ] || fail "an initrd event"
for b in sha256 sha384; do
	for p in 4 9; do
		want=$(jq -r ".pcr.$b.\"$p\"" "$T/expect.json")
		assert_eq "$(got $b $p)" "$want" "PCR $p ($b) read from the swtpm"
		info "PCR $p $b = $want (predicted and read)"
	done
done
# The prediction for a boot with an initrd (" initrd=initrd" and an initrd event) misses.
printf 'not booted\n' >"$T/fake-initrd"
"$VERIFY_BIN" expect --kernel "$kernel" --cmdline "$T/append.txt" --initrd "$T/fake-initrd" \
	--firmware-profile edk2-pre-202411 --qemu-kernel-patch --memory 1G --machine pc --json \
	>"$T/with.json" || fail "expect (with an initrd) failed"
[ "$(jq -r '.pcr.sha384."9"' "$T/with.json")" != "$(got sha384 9)" ] || fail "an initrd prediction matched"
echo ok
