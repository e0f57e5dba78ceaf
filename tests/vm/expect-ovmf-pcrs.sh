#!/bin/bash
# `tdverity-verify expect` against real firmware, independent of the image builder: boot
# Debian's kernel through Debian's OVMF (edk2 2022.11, -bios, direct kernel boot) with a
# swtpm vTPM (SHA-256 + SHA-384 banks) and a busybox initrd that prints PCR 4 and PCR 9;
# expect must predict both registers in both banks exactly.  PCR 4 holds the kernel's
# PE/Authenticode digest of the image *as QEMU 7.2 patched it* (so: --qemu-kernel-patch
# with the boot's -m and machine type), the EFI action and the separator; PCR 9 the EFI
# stub's LoadOptions (UTF-16 cmdline with OVMF's " initrd=initrd") and initrd events.
# Two boots: machine pc with 1 GiB and q35 with 4 GiB (the initrd address QEMU writes into
# the header differs).  Predictions made with the wrong -m or without the patch must miss.
# The same boots dump the firmware's TPM event log: the RTMR0 events `expect --firmware`
# predicts that a vTPM OVMF logs too (Secure Boot variables in PCR 7, the separator, the
# boot variables in PCR 1) must be in it, same PCR, type and digest in both banks.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
need_cmd qemu-system-x86_64 swtpm swtpm_setup cpio jq readelf
[ -f /usr/share/ovmf/OVMF.fd ] || skip "no /usr/share/ovmf/OVMF.fd (package ovmf)"
[ -x /bin/busybox ] && ! readelf -l /bin/busybox | grep -q INTERP ||
	skip "no static /bin/busybox (package busybox-static)"
kdir=$("$TDV_TOP/scripts/fetch-kernel.sh") || skip "cannot fetch Debian's kernel package"
kernel=$kdir/vmlinuz

mkdir -p "$T/root/bin"
cp /bin/busybox "$T/root/bin/busybox"
# QEMU's fw_cfg blobs (the ACPI tables) are readable in the guest through qemu_fw_cfg.
fwcfg=$(find "$kdir/lib/modules" -name 'qemu_fw_cfg.ko*' | head -n 1)
case $fwcfg in *.ko) cp "$fwcfg" "$T/root/qemu_fw_cfg.ko" ;; *) fwcfg= ;; esac
cat >"$T/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mkdir -p /sys
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t securityfs securityfs /sys/kernel/security
echo TDV-LOG-BEGIN
/bin/busybox xxd -p /sys/kernel/security/tpm0/binary_bios_measurements
echo TDV-LOG-END
if /bin/busybox insmod /qemu_fw_cfg.ko 2>/dev/null; then
	echo TDV-ACPI-BEGIN
	/bin/busybox xxd -p /sys/firmware/qemu_fw_cfg/by_name/etc/acpi/tables/raw
	echo TDV-ACPI-END
	echo TDV-RSDP-BEGIN
	/bin/busybox xxd -p /sys/firmware/qemu_fw_cfg/by_name/etc/acpi/rsdp/raw
	echo TDV-RSDP-END
fi
for b in sha256 sha384; do
	for p in 4 9; do
		echo "TDV-PCR $b $p $(/bin/busybox cat /sys/class/tpm/tpm0/pcr-$b/$p)"
	done
done
/bin/busybox poweroff -f
INIT
chmod 0755 "$T/root/init"
(cd "$T/root" && find . | cpio -o -H newc --quiet) >"$T/initrd.img"
append="console=ttyS0 panic=-1 rdinit=/init quiet"
printf '%s\n' "$append" >"$T/append.txt"

boot() { # name machine memory
	vm_tpm_start "$1"
	timeout --kill-after=10 "$VM_TIMEOUT" qemu-system-x86_64 -M "$2" -accel tcg -cpu max \
		-m "$3" -smp 1 -display none -vga none -net none -no-reboot -monitor none \
		-serial "file:$T/$1.console" -bios /usr/share/ovmf/OVMF.fd \
		-kernel "$kernel" -initrd "$T/initrd.img" -append "$append" \
		-chardev "socket,id=chrtpm,path=$VM_TPM_CTRL" -tpmdev emulator,id=tpm0,chardev=chrtpm \
		-device tpm-tis,tpmdev=tpm0 >"$T/$1.qemu.log" 2>&1 </dev/null ||
		{ cat "$T/$1.qemu.log" >&2; fail "$1: QEMU failed or timed out"; }
	tr -d '\r' <"$T/$1.console" | sed -n 's/^TDV-PCR //p' | tr 'A-F' 'a-f' >"$T/$1.pcrs"
	tr -d '\r' <"$T/$1.console" | sed -n '/^TDV-LOG-BEGIN$/,/^TDV-LOG-END$/p' | sed '1d;$d' |
		xxd -r -p >"$T/$1.tpmlog"
	tr -d '\r' <"$T/$1.console" | sed -n '/^TDV-ACPI-BEGIN$/,/^TDV-ACPI-END$/p' | sed '1d;$d' |
		xxd -r -p >"$T/$1.acpi-tables"
	tr -d '\r' <"$T/$1.console" | sed -n '/^TDV-RSDP-BEGIN$/,/^TDV-RSDP-END$/p' | sed '1d;$d' |
		xxd -r -p >"$T/$1.acpi-rsdp"
	[ "$(wc -l <"$T/$1.pcrs")" = 4 ] || { tail -n 30 "$T/$1.console" >&2; fail "$1: no PCR lines"; }
}
predict() { # out machine memory [extra expect args...]
	local out=$1 machine=$2 memory=$3
	shift 3
	"$VERIFY_BIN" expect --kernel "$kernel" --initrd "$T/initrd.img" --cmdline "$T/append.txt" \
		--firmware-profile edk2-pre-202411 "$@" --json >"$out" || fail "expect failed"
}
pcr() { jq -r ".pcr.$2.\"$3\"" "$1"; }     # file bank index
got() { sed -n "s/^$2 $3 //p" "$T/$1.pcrs"; } # name bank index

for run in "pc 1G" "q35 4G"; do
	set -- $run
	name=$1-$2
	boot "$name" "$1" "$2"
	predict "$T/$name.json" "$1" "$2" --qemu-kernel-patch --memory "$2" --machine "$1"
	for bank in sha256 sha384; do
		for i in 4 9; do
			assert_eq "$(got "$name" $bank $i)" "$(pcr "$T/$name.json" $bank $i)" \
				"$name: PCR $i ($bank) as predicted"
		done
	done
	info "$name: PCR 4 and 9 predicted exactly in both banks"
done

# The same predictions with the wrong header patch miss PCR 4 (and only PCR 4).
predict "$T/nopatch.json" pc 1G
[ "$(got pc-1G sha384 4)" != "$(pcr "$T/nopatch.json" sha384 4)" ] ||
	fail "PCR 4 matched without --qemu-kernel-patch: the patch test proves nothing"
predict "$T/wrongmem.json" pc 1G --qemu-kernel-patch --memory 4G --machine pc
[ "$(got pc-1G sha384 4)" != "$(pcr "$T/wrongmem.json" sha384 4)" ] ||
	fail "PCR 4 matched with the wrong --memory"
assert_eq "$(got pc-1G sha384 9)" "$(pcr "$T/nopatch.json" sha384 9)" "PCR 9 without the patch"

# RTMR0's firmware-configuration events, as OVMF logs them on a vTPM (it logs no TD HOB,
# CFV or ACPI data there).  Debian's OVMF.fd is built with Secure Boot support.
"$VERIFY_BIN" replay --json "$T/q35-4G.tpmlog" >"$T/log.json" || fail "replay of the TPM log"
fw_predict() { # out secure-boot
	"$VERIFY_BIN" expect --firmware /usr/share/ovmf/OVMF.fd --memory 4G --machine q35 \
		--secure-boot "$2" --firmware-profile edk2-pre-202411 --json >"$1" ||
		fail "expect --firmware failed"
}
in_log() { # pcr type_id sha256 sha384 -> count of log events with all four
	jq --argjson p "$1" --argjson t "$2" --arg a "$3" --arg b "$4" '[.events[] |
		select(.register_index == $p and (.type | ltrimstr("0x") | explode |
		map(if . >= 97 then . - 87 else . - 48 end) | reduce .[] as $d (0; . * 16 + $d))
		== $t and .digests.sha256 == $a and .digests.sha384 == $b)] | length' "$T/log.json"
}
fw_predict "$T/fw.json" disabled
kinds='"secure-boot-variable", "separator", "boot-order", "boot-option"'
jq -r ".events[] | select(.rtmr == 0 and (.kind | IN($kinds))) |
	\"\(.pcr) \(.type_id) \(.sha256) \(.sha384) \(.description)\"" "$T/fw.json" >"$T/fw.txt"
assert_eq "$(wc -l <"$T/fw.txt")" 8 "predicted vTPM-visible RTMR0 events"
while read -r pcr type a b desc; do
	[ "$(in_log "$pcr" "$type" "$a" "$b")" -ge 1 ] ||
		fail "predicted '$desc' (PCR $pcr) is not in OVMF's TPM log in both banks"
	info "$desc: PCR $pcr, sha256 and sha384 as predicted"
done <"$T/fw.txt"
# The wrong Secure Boot support predicts an empty SecureBoot: not in the log.
fw_predict "$T/fw-unsupported.json" unsupported
set -- $(jq -r '.events[] | select(.description == "variable SecureBoot (empty)") |
	"\(.pcr) \(.type_id) \(.sha256) \(.sha384)"' "$T/fw-unsupported.json")
assert_eq "$(in_log "$@")" 0 "SecureBoot predicted absent"

# --cpus against the MADT QEMU built for this -smp 1 guest; the RSDP blob derived from the
# tables must be the one QEMU hands the firmware.
if [ -n "$fwcfg" ] && [ -s "$T/q35-4G.acpi-tables" ]; then
	a=(--firmware /usr/share/ovmf/OVMF.fd --memory 4G --acpi-tables "$T/q35-4G.acpi-tables")
	"$VERIFY_BIN" expect "${a[@]}" --cpus 1 --json >"$T/acpi.json" ||
		fail "--cpus 1 refused for QEMU's own -smp 1 tables"
	assert_eq "$(jq -r '.events[] | select(.kind == "acpi-rsdp") | .sha384' "$T/acpi.json")" \
		"$(sha384sum <"$T/q35-4G.acpi-rsdp" | cut -d' ' -f1)" "RSDP derived from the tables"
	info "etc/acpi/rsdp derived from etc/acpi/tables: equal to QEMU's ($(xxd -p "$T/q35-4G.acpi-rsdp"))"
	expect_exit 3 "$VERIFY_BIN" expect "${a[@]}" --cpus 2
	expect_stderr "lists 1 enabled vCPUs"
	info "QEMU's ACPI tables ($(stat -c %s "$T/q35-4G.acpi-tables") bytes): MADT has 1 vCPU"
else
	info "no qemu_fw_cfg module: --cpus not checked against QEMU's tables"
fi
