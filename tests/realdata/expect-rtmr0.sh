#!/bin/bash
# `tdverity-verify expect --firmware`: MRTD and RTMR0 of Debian's OVMF 2022.11 (this
# machine's ovmf package) and the RTMR0 events of two real TD logs (trustee's
# CCEL_data_ovmf, an OVMF direct boot before edk2-stable202411, and
# CCEL_AAEL_alibabacloud, a later edk2 booting shim/grub from disk), event by event.
# Reports which events are reproduced from first principles.  The HOB of the trustee log
# reproduces with OvmfPkg's standard TD_HOB/TEMP_MEM layout (Debian's OVMF has it) at
# -m 2G; its CFV and the ACPI blobs belong to a firmware and VM that are not public.
# Then bad input: each refused with one line and exit 2 or 3.
. "$(dirname "$0")/../lib.sh"
need_cmd jq
need_testdata
fw=/usr/share/ovmf/OVMF.fd
[ -f "$fw" ] || skip "no $fw (package ovmf)"
D=$TDV_TESTDATA/tdx/trustee

"$VERIFY_BIN" expect --firmware "$fw" --memory 2G --qemu-version 9.0 \
	--firmware-profile edk2-pre-202411 --json >"$T/e.json" || fail "expect --firmware failed"
assert_eq "$(jq -r .firmware.tdvf_sections "$T/e.json")" 6 "TDVF sections of $fw"
# Debian 2022.11-6+deb12u2's values (README.md); another build only has to parse.
if [ "$(sha256sum <"$fw" | cut -d' ' -f1)" = 7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773 ]; then
	assert_eq "$(jq -r .mrtd "$T/e.json")" \
		4c7206f0f483c524f12c366c711e9049030a8d47c471ee5aa9c4999a08de4057fb887fed0744d5631a212967fb231c47 \
		"MRTD, QEMU >= 9"
	assert_eq "$(jq -r .firmware.mrtd_qemu8 "$T/e.json")" \
		acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1 \
		"MRTD, QEMU 8"
	assert_eq "$(jq -r '.events[] | select(.kind == "cfv") | .sha384' "$T/e.json")" \
		f87302177b059d54a2cf0c5f13340dbabf5c9dd60dc3f996c68b776fbe4de959769443a3d8ef6538b97d7e151c8298e8 \
		"CFV digest"
fi
"$VERIFY_BIN" expect --firmware "$fw" --memory 2G --qemu-version 8.2 --json |
	jq -e --arg m "$(jq -r .firmware.mrtd_qemu8 "$T/e.json")" '.mrtd == $m' >/dev/null ||
	fail "--qemu-version 8.2 does not select the add-first order"

# Per event: our prediction against the log's RTMR0 events, in order.
compare() { # log label
	"$VERIFY_BIN" replay --json "$1" >"$T/log.json" || [ $? = 1 ] || fail "replay $1"
	jq -r '[.events[] | select(.register == "RTMR0" and .type_name != "EV_NO_ACTION")]
		| .[] | "\(.type_name) \(.digests.sha384) \(.description)"' "$T/log.json" >"$T/log.txt"
	jq -r '.events[] | select(.rtmr == 0) | "\(.type) \(.sha384) \(.description)"' \
		"$T/e.json" >"$T/ours.txt"
	local i=0 same=0 line
	while read -r type digest desc; do
		i=$((i + 1))
		line=$(sed -n "${i}p" "$T/log.txt")
		if [ "${line%% *}" != "$type" ]; then
			info "$2: event $i: we predict $type ($desc), the log has ${line%% *}"
		elif [ "$(echo "$line" | cut -d' ' -f2)" = "$digest" ]; then
			info "$2: event $i $desc: REPRODUCED"
			same=$((same + 1))
			echo "$desc" >>"$T/$2.reproduced"
		else
			info "$2: event $i $desc: differs (log: ${line#* })"
		fi
	done <"$T/ours.txt"
	info "$2: $same of $(wc -l <"$T/log.txt") RTMR0 events reproduced"
}
compare "$D/CCEL_data_ovmf" trustee-ovmf
# The ones that must reproduce: the HOB (-m 2G), the Secure Boot variables, the
# separator and the boot variables.
for want in 'TD HOB ("TdxTable")' 'variable SecureBoot (empty)' 'variable PK (empty)' \
	'variable KEK (empty)' 'variable db (empty)' 'variable dbx (empty)' separator \
	'variable BootOrder = 0000' 'variable Boot0000 = "UiApp"'; do
	grep -qxF "$want" "$T/trustee-ovmf.reproduced" || fail "trustee-ovmf: $want not reproduced"
done
compare "$D/CCEL_AAEL_alibabacloud" alibaba
for want in 'variable PK (empty)' 'variable KEK (empty)' 'variable db (empty)' \
	'variable dbx (empty)' separator; do
	grep -qxF "$want" "$T/alibaba.reproduced" || fail "alibaba: $want not reproduced"
done

# The ACPI blobs are hashed as given; a moved byte moves the event.
printf 'RSD PTR ' >"$T/rsdp"
printf 'x' >"$T/loader"
printf 'y' >"$T/tables"
a=(--firmware "$fw" --memory 2G --acpi-rsdp "$T/rsdp" --acpi-loader "$T/loader" --acpi-tables "$T/tables")
"$VERIFY_BIN" expect "${a[@]}" --firmware-profile edk2-pre-202411 --json >"$T/acpi.json" ||
	fail "expect with ACPI blobs"
assert_eq "$(jq -r '.events[] | select(.kind == "acpi-rsdp") | .sha384' "$T/acpi.json")" \
	"$(printf 'RSD PTR ' | sha384sum | cut -d' ' -f1)" "ACPI rsdp event = SHA-384 of the blob"
# Without the kernel the second separator (edk2-pre-202411) is missing: no RTMR0 value.
assert_eq "$(jq -r .rtmr.rtmr0 "$T/acpi.json")" null "RTMR0 without the kernel"

# Bad input: one line, the documented exit code.
expect_exit 3 "$VERIFY_BIN" expect --firmware "$D/CCEL_data_ovmf"
expect_stderr "GUIDed table footer"
expect_exit 3 "$VERIFY_BIN" expect --firmware "$T/none"
expect_exit 2 "$VERIFY_BIN" expect --firmware "$fw" --machine pc
expect_exit 2 "$VERIFY_BIN" expect --firmware "$fw" --qemu-version 7.2
expect_exit 2 "$VERIFY_BIN" expect --firmware "$fw" --qemu-version nine
expect_exit 2 "$VERIFY_BIN" expect --acpi-tables "$T/tables" --kernel "$fw"
expect_exit 3 "$VERIFY_BIN" expect --firmware "$fw" --memory 4M
expect_stderr "outside the TD's RAM"
expect_exit 3 "$VERIFY_BIN" expect --firmware "$fw" --memory 2G --acpi-tables "$T/none"
expect_exit 2 "$VERIFY_BIN" refvalues --manifest /dev/null --firmware "$fw" --mrtd 00
expect_exit 2 "$VERIFY_BIN" expect --firmware "$fw" --cpus 2
expect_exit 2 "$VERIFY_BIN" expect --firmware "$fw" --acpi-tables "$T/tables" --cpus x
expect_exit 3 "$VERIFY_BIN" expect --firmware "$fw" --acpi-tables "$T/tables" --cpus 1
expect_stderr "not QEMU's ACPI tables"

# With a kernel (direct boot: the second separator) every RTMR0 event of edk2-pre-202411
# is determined: expect prints RTMR0.
kernel=
for k in ${TDV_KERNEL:-} /var/cache/tdverity/kernel/*/vmlinuz /boot/vmlinuz-*; do
	[ -f "$k" ] && [ -r "$k" ] && { kernel=$k; break; }
done
if [ -n "$kernel" ]; then
	printf 'console=ttyS0\n' >"$T/cmdline.txt"
	k=("${a[@]}" --qemu-version 9.0 --kernel "$kernel" --initrd "$T/tables"
		--cmdline "$T/cmdline.txt" --firmware-profile edk2-pre-202411)
	"$VERIFY_BIN" expect "${k[@]}" --json >"$T/full.json" || fail "expect with a kernel"
	r0=$(jq -r .rtmr.rtmr0 "$T/full.json")
	[ "$r0" != null ] || fail "RTMR0 not determined with every input given"
	# The memory size moves only the TD HOB, hence RTMR0.
	"$VERIFY_BIN" expect "${k[@]}" --memory 4G --json >"$T/full4.json" || fail "expect -m 4G"
	[ "$(jq -r .rtmr.rtmr0 "$T/full4.json")" != "$r0" ] || fail "RTMR0 did not move with --memory"
	assert_eq "$(jq -r .rtmr.rtmr1 "$T/full4.json")" "$(jq -r .rtmr.rtmr1 "$T/full.json")" "RTMR1 with -m 4G"
	info "RTMR0 with every input: $r0"
fi
