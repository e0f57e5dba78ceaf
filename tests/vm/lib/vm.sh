# Helpers for the VM boot tests (tests/vm/*.sh); source after tests/lib.sh.
#
# A boot: qemu-system-x86_64 under TCG (KVM is not available here), direct kernel boot of
# Debian 12's current 6.1 kernel (scripts/fetch-kernel.sh: apt-get download + dpkg -x into
# a cache outside the repo + depmod -b), our initrd.img and the built disk read-only on
# virtio-blk, a swtpm vTPM on tpm-tis, the serial console to a file, a hard timeout.  The
# probe agent (probe-agent/) is the rootfs's /sbin/init (or kata-agent under systemd) and
# prints TDVERITY-PROBE: lines (probe-agent/report.h).
#
# The machine varies per boot (tests/vm/boot-matrix.sh), through two variables read by
# vm_boot:
#   VM_CPU        QEMU -cpu model (default max; empty: QEMU's default model, qemu64)
#   VM_TPM_BANKS  swtpm_setup --pcr-banks (default sha256,sha384; "-": every bank swtpm
#                 has; "default": no swtpm_setup at all, swtpm manufactures a fresh state
#                 itself with libtpms' own allocation: all four banks, SHA-1 included.
#                 swtpm_setup without --pcr-banks takes Debian's /etc/swtpm_setup.conf:
#                 sha256 only)

VM_TIMEOUT=${VM_TIMEOUT:-240}
VM_MEMORY=1G
VM_CPU=${VM_CPU-max}
VM_TPM_BANKS=${VM_TPM_BANKS:-sha256,sha384}
VM_PIDS=()
trap 'vm_cleanup' EXIT

vm_cleanup() {
	local p
	for p in "${VM_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}

# Skip unless QEMU, swtpm and a kernel are at hand; sets VM_KDIR, VM_KERNEL, VM_MODULES.
vm_require() {
	need_cmd qemu-system-x86_64 swtpm swtpm_setup xxd
	[ -x "$BUILD_BIN" ] || skip "no $BUILD_BIN (make all)"
	[ -x "$TDV_BUILD/tdverity-init" ] || skip "no tdverity-init (make all)"
	[ -x "$TDV_BUILD/tdverity-probe-agent" ] || skip "no probe agent (make all)"
	"$BUILD_BIN" --help 2>&1 | grep -q -- --kernel-modules ||
		skip "tdverity-build has no --kernel-modules (initrd.img) yet"
	[ -f "$TDV_TOP/rootfs-templates/kata-agent/manifest" ] || ls "$TDV_TOP/rootfs-templates/kata-agent" >/dev/null 2>&1 ||
		skip "no rootfs-templates/kata-agent yet"
	VM_KDIR=$("$TDV_TOP/scripts/fetch-kernel.sh") || skip "cannot fetch Debian's kernel package"
	VM_KERNEL=$VM_KDIR/vmlinuz
	VM_MODULES=$(echo "$VM_KDIR"/lib/modules/*)
	[ -f "$VM_KERNEL" ] && [ -f "$VM_MODULES/modules.dep" ] || fail "incomplete kernel in $VM_KDIR"
	export VM_KDIR VM_KERNEL VM_MODULES
}

# Build the demo image (probe agent as /sbin/init) with an initrd into DIR.
vm_build_image() { # out_dir [extra tdverity-build args...]
	local out=$1
	shift
	"$BUILD_BIN" --template "$TDV_TOP/rootfs-templates/kata-agent" \
		--agent "$TDV_BUILD/tdverity-probe-agent" --kernel-modules "$VM_MODULES" \
		--out "$out" "$@" >"$T/build.log" 2>&1 || {
		cat "$T/build.log" >&2
		fail "tdverity-build failed"
	}
	for f in disk.img initrd.img cmdline.txt manifest.json; do
		[ -f "$out/$f" ] || fail "tdverity-build wrote no $f"
	done
}

# Start a fresh swtpm with the banks of $VM_TPM_BANKS; sets VM_TPM_CTRL (its socket).
vm_tpm_start() { # name
	local dir=$T/tpm-$1
	mkdir -p "$dir"
	if [ "$VM_TPM_BANKS" != default ]; then
		swtpm_setup --tpm2 --tpmstate "$dir" --pcr-banks "$VM_TPM_BANKS" --overwrite \
			>"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; fail "swtpm_setup failed"; }
	fi
	swtpm socket --tpm2 --tpmstate dir="$dir" --ctrl type=unixio,path="$dir/ctrl" \
		--daemon --pid file="$dir/pid" --log file="$dir/log" ||
		fail "swtpm did not start"
	local i
	for i in $(seq 50); do
		[ -S "$dir/ctrl" ] && [ -s "$dir/pid" ] && break
		sleep 0.1
	done
	[ -S "$dir/ctrl" ] || fail "swtpm socket did not appear"
	VM_PIDS+=("$(cat "$dir/pid")")
	VM_TPM_CTRL=$dir/ctrl
}

# Boot; the console goes to $T/NAME.console.  Sets VM_RC (QEMU's exit, 124 = timeout),
# VM_SECONDS, VM_CONSOLE and VM_APPEND (the exact -append string, which firmware measures).
# QEMU runs with -m $VM_MEMORY (1G) on the default machine (pc).  Options before the positional arguments:
#   --no-tpm        no vTPM device
#   --ovmf          boot through Debian's OVMF (-bios) instead of SeaBIOS
#   --no-disk       no disk attached
vm_boot() { # [--no-tpm] [--ovmf] [--no-disk] name initrd disk cmdline
	local tpm=yes ovmf=no disk=yes
	while :; do
		case "$1" in
		--no-tpm) tpm=no; shift ;;
		--ovmf) ovmf=yes; shift ;;
		--no-disk) disk=no; shift ;;
		*) break ;;
		esac
	done
	local name=$1 initrd=$2 img=$3 cmdline=$4
	VM_CONSOLE=$T/$name.console
	VM_APPEND="$cmdline console=ttyS0 panic=-1 printk.time=1"
	local cpu=()
	[ -n "$VM_CPU" ] && cpu=(-cpu "$VM_CPU")
	local args=(-accel tcg "${cpu[@]}" -m "$VM_MEMORY" -smp 1 -display none -vga none -net none
		-no-reboot -monitor none -serial "file:$VM_CONSOLE"
		-kernel "$VM_KERNEL" -initrd "$initrd"
		-append "$VM_APPEND")
	[ $disk = yes ] && args+=(-drive "file=$img,if=virtio,format=raw,readonly=on")
	[ $ovmf = yes ] && args+=(-bios /usr/share/ovmf/OVMF.fd)
	if [ $tpm = yes ]; then
		vm_tpm_start "$name"
		args+=(-chardev "socket,id=chrtpm,path=$VM_TPM_CTRL" -tpmdev emulator,id=tpm0,chardev=chrtpm
			-device tpm-tis,tpmdev=tpm0)
	fi
	info "boot $name: qemu-system-x86_64 ${args[*]}"
	local start=$SECONDS
	VM_RC=0
	timeout --kill-after=10 "$VM_TIMEOUT" qemu-system-x86_64 "${args[@]}" \
		>"$T/$name.qemu.log" 2>&1 </dev/null || VM_RC=$?
	VM_SECONDS=$((SECONDS - start))
	# Serial output carries \r; the probe's lines are matched whole.
	sed -i 's/\r$//' "$VM_CONSOLE"
	info "boot $name: exit $VM_RC after ${VM_SECONDS}s"
	[ $VM_RC = 124 ] && { vm_show_console; fail "$name: no power-off within ${VM_TIMEOUT}s"; }
	return 0
}

vm_show_console() {
	echo "---- console of the last boot (tail) ----" >&2
	tail -n 40 "$VM_CONSOLE" >&2 || true
	cat "$T"/*.qemu.log >&2 2>/dev/null || true
}

# The probe agent ran from the verified root: its start and end markers are there (as
# PID 1, unless the argument says it runs under an init: "any-pid").
vm_expect_agent() { # [any-pid]
	local pid='1'
	[ "${1:-}" = any-pid ] && pid='[0-9]*'
	grep -q "^TDVERITY-PROBE: start pid=$pid\$" "$VM_CONSOLE" ||
		{ vm_show_console; fail "no probe agent marker"; }
	grep -q '^TDVERITY-PROBE: end$' "$VM_CONSOLE" ||
		{ vm_show_console; fail "probe agent did not finish its report"; }
}

# The boot stopped: no agent marker, and /init said why (a line matching the regex).
vm_expect_refusal() { # extended-regex of the failure line
	if grep -q '^TDVERITY-PROBE:' "$VM_CONSOLE"; then
		vm_show_console
		fail "the agent ran although the boot had to stop"
	fi
	grep -Eq "$1" "$VM_CONSOLE" || { vm_show_console; fail "no failure line matching /$1/"; }
	grep -q 'tdverity-init: boot stopped, powering off' "$VM_CONSOLE" ||
		{ vm_show_console; fail "/init did not say it stopped the boot"; }
	grep -m1 -E "$1" "$VM_CONSOLE" | sed 's/^/-- failure line: /'
}

# A probe value line's remainder: vm_probe "pcr sha256 15" → the hex.
vm_probe() { # key
	sed -n "s/^TDVERITY-PROBE: $1 //p" "$VM_CONSOLE" | tail -n 1
}

# Reassemble a blob the probe printed into FILE; fails on missing/garbled chunks.
vm_probe_blob() { # name file
	local name=$1 file=$2 header size chunks i sum
	header=$(grep -m1 "^TDVERITY-PROBE: blob $name " "$VM_CONSOLE") || return 1
	size=${header##* size=}
	size=${size%% *}
	chunks=${header##*chunks=}
	: >"$file.hex"
	for ((i = 0; i < chunks; i++)); do
		grep -m1 "^TDVERITY-PROBE: hex $name $i [0-9a-f]*$" "$VM_CONSOLE" |
			awk '{print $5}' >>"$file.hex" || fail "blob $name: chunk $i missing"
	done
	xxd -r -p "$file.hex" >"$file"
	[ "$(stat -c %s "$file")" = "$size" ] || fail "blob $name: size differs from $size"
	sum=$(grep -m1 "^TDVERITY-PROBE: blob-end $name " "$VM_CONSOLE" | sed 's/.*sha256=//')
	[ "$(sha256sum <"$file" | cut -d' ' -f1)" = "$sum" ] || fail "blob $name: digest differs"
}

# A field of the verity part of cmdline.txt ("key=value" words).
vm_cmdline_get() { # cmdline.txt key
	tr ' ' '\n' <"$1" | sed -n "s/^$2=//p" | head -n 1
}

# Replace one key=value word of a cmdline (stdout).
vm_cmdline_set() { # cmdline.txt key newvalue
	tr ' ' '\n' <"$1" | sed "s|^$2=.*|$2=$3|" | tr '\n' ' ' | sed 's/ $//'
}

# The banks the vTPM of the last boot had active, as the guest kernel lists them (one line
# "pcr BANK 15 HEX" per active bank), sorted, space separated.
vm_active_banks() {
	sed -n 's/^TDVERITY-PROBE: pcr \([a-z0-9_]*\) 15 [0-9a-f]*$/\1/p' "$VM_CONSOLE" | sort | tr '\n' ' ' |
		sed 's/ $//'
}

# PCR 15 and the event log of the last boot, against image DIR's manifest: the log is one
# well-formed rootfs record carrying a digest for exactly the banks the TPM has active, and
# PCR 15 in every active bank equals the value computed offline (tests/vmtools/rootfs-pcr)
# and the one tdverity-verify expect predicts.  The banks must be those named (sorted).
vm_check_pcr15() { # image-dir "bank bank..."
	local img=$1 want_banks=$2 tool=$TDV_BUILD/tests/vmtools/rootfs-pcr banks bank want got
	need_cmd jq
	assert_eq "$(vm_active_banks)" "$want_banks" "active PCR banks of the vTPM"
	vm_probe_blob aael "$T/aael" || fail "the agent found no /run/attestation-agent/eventlog"
	banks=$("$tool" "$img/manifest.json" check-log "$T/aael" 15) || fail "event log check"
	assert_eq "$(echo $banks | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" "$want_banks" \
		"digest banks in the logged record"
	"$VERIFY_BIN" expect --manifest "$img/manifest.json" --json >"$T/expect.json" \
		2>"$T/expect.err" || { cat "$T/expect.err" >&2; fail "tdverity-verify expect failed"; }
	for bank in $want_banks; do
		got=$(vm_probe "pcr $bank 15")
		want=$("$tool" "$img/manifest.json" pcr "$bank")
		assert_eq "$got" "$want" "PCR 15 ($bank)"
		assert_eq "$(jq -r ".pcr.$bank.\"15\"" "$T/expect.json")" "$want" \
			"tdverity-verify expect's PCR 15 ($bank)"
	done
	info "PCR 15 exact in every active bank: $want_banks"
}

# ---- tampering with a built GPT image (boot-tamper, boot-systemd) ----

# Byte offset of the GPT partition with a type GUID in disk image FILE.
vm_part_start() { # file type-guid
	sfdisk -d "$1" | grep -i "type=$2" | sed 's/.*start= *\([0-9]*\).*/\1/' |
		awk '{print $1 * 512}'
}
VM_DPS_ROOT=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709
VM_DPS_VERITY=2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5

# A copy of FILE with the byte at OFFSET inverted; its path on stdout.
vm_flip() { # file offset
	local out=$T/flip-$2.img b
	cp "$1" "$out"
	b=$(dd if="$out" bs=1 skip="$2" count=1 status=none | xxd -p)
	printf "%02x" $((0x$b ^ 0xff)) | xxd -r -p |
		dd of="$out" bs=1 seek="$2" conv=notrunc status=none
	echo "$out"
}

# The disk offset of the first data block of PATH (a fast symlink is followed once) in
# the root file system of GPT image FILE.
vm_file_block_offset() { # file path-in-root
	local img=$1 path=$2 off size target blk
	off=$(vm_part_start "$img" $VM_DPS_ROOT)
	size=$(sfdisk -d "$img" | grep -i $VM_DPS_ROOT | sed 's/.*size= *\([0-9]*\).*/\1/')
	[ -n "$off" ] && [ -n "$size" ] || fail "cannot find the root partition of $img"
	dd if="$img" of="$T/root.ext4" bs=1M iflag=skip_bytes skip="$off" count=$((size / 2048)) \
		status=none
	target=$(debugfs -R "stat $path" "$T/root.ext4" 2>/dev/null |
		sed -n 's/^Fast link dest: "\(.*\)"/\1/p')
	[ -n "$target" ] && path=$target
	blk=$(debugfs -R "bmap $path 0" "$T/root.ext4" 2>/dev/null)
	[[ "$blk" =~ ^[0-9]+$ ]] && [ "$blk" -gt 0 ] || fail "cannot map $path in the ext4"
	rm -f "$T/root.ext4"
	echo $((off + blk * 4096))
}

# The last boot ended in dm-verity's panic on a corrupted block, never reaching the agent.
vm_expect_verity_panic() {
	if grep -q '^TDVERITY-PROBE:' "$VM_CONSOLE"; then vm_show_console; fail "agent ran from a corrupted block"; fi
	grep -Eq 'device-mapper: verity: [0-9]+:[0-9]+: data block [0-9]+ is corrupted' "$VM_CONSOLE" ||
		{ vm_show_console; fail "no dm-verity corruption report"; }
	grep -q 'Kernel panic - not syncing: dm-verity device corrupted' "$VM_CONSOLE" ||
		{ vm_show_console; fail "dm-verity did not end the boot (panic-on-corruption)"; }
	grep -m1 -E 'data block [0-9]+ is corrupted' "$VM_CONSOLE" | sed 's/^/-- failure line: /'
}
