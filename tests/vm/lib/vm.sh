# Helpers for the VM boot tests (tests/vm/*.sh); source after tests/lib.sh.
#
# A boot: qemu-system-x86_64 under TCG (KVM is not available here), direct kernel boot of
# Debian 12's current 6.1 kernel (scripts/fetch-kernel.sh: apt-get download + dpkg -x into
# a cache outside the repo + depmod -b), our initrd.img and the built disk read-only on
# virtio-blk, a swtpm vTPM with SHA-256 and SHA-384 banks on tpm-tis, the serial console
# to a file, a hard timeout.  The probe agent (probe-agent/) is the rootfs's /sbin/init
# and prints TDVERITY-PROBE: lines (probe-agent/report.h).

VM_TIMEOUT=${VM_TIMEOUT:-240}
VM_MEMORY=1G
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

# Start a fresh swtpm with SHA-256 and SHA-384 banks; sets VM_TPM_CTRL (its socket).
vm_tpm_start() { # name
	local dir=$T/tpm-$1
	mkdir -p "$dir"
	swtpm_setup --tpm2 --tpmstate "$dir" --pcr-banks sha256,sha384 --overwrite \
		>"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; fail "swtpm_setup failed"; }
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
	local args=(-accel tcg -cpu max -m "$VM_MEMORY" -smp 1 -display none -vga none -net none
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

# The probe agent ran from the verified root: its start and end markers are there.
vm_expect_agent() {
	grep -q '^TDVERITY-PROBE: start pid=1$' "$VM_CONSOLE" ||
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
