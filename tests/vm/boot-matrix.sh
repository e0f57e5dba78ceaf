#!/bin/bash
# The demo image on the machines users boot it on: QEMU CPU models of different
# generations and the vTPM bank sets real hosts have.  Each boots to the probe agent with
# PCR 15 exact in every active bank and the logged record carrying every bank.  Not a full
# cross product (each boot is ~1 min under TCG); every CPU model and every bank set
# appears, the max x sha256+sha384 cell is boot-good:
#
#   CPU                       lacks               vTPM banks
#   QEMU's default (qemu64)   SSSE3 SSE4.2 AVX    swtpm's defaults: a fresh state, no
#                                                 swtpm_setup (libtpms activates all four)
#   Conroe (Core 2, 2006)     SSE4.2 AVX          sha256 only (also what swtpm_setup without
#                                                 --pcr-banks gives on Debian)
#   Haswell-noTSX (2013)      -                   sha1+sha256 (most cloud vTPMs)
#   Icelake-Server-noTSX      -                   every bank swtpm offers (--pcr-banks -)
#
# On the first two, the CPU accelerators the builder marked optional (crc32c-intel,
# and sha256-ssse3 on qemu64) fail with ENODEV: one line each, and the boot goes on.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib/vm.sh"
vm_require
need_cmd jq
vm_build_image "$T/img"
img=$T/img
grep -q '^optional crc32c-intel.ko$' <(zcat "$img/initrd.img" | cpio -i --quiet --to-stdout lib/modules/load-order) ||
	fail "the initrd does not list crc32c-intel.ko as optional"

cell() { # cpu banks "expected active banks" "modules skipped (regex)"
	local name=cpu-${1:-default}
	VM_CPU=$1 VM_TPM_BANKS=$2 vm_boot "$name" "$img/initrd.img" "$img/disk.img" \
		"$(cat "$img/cmdline.txt")"
	vm_expect_agent
	assert_eq "$VM_RC" 0 "QEMU exit (the agent powers off)"
	local skipped
	skipped=$(sed -n 's|^tdverity-init: modules: optional /lib/modules/\(.*\) not loaded: No such device$|\1|p' \
		"$VM_CONSOLE" | sort | tr '\n' ' ' | sed 's/ $//')
	assert_eq "$skipped" "$4" "optional modules this CPU could not load"
	vm_check_pcr15 "$img" "$3"
	echo "MATRIX cpu=${1:-qemu64} banks=$2 boot=${VM_SECONDS}s agent-at=$(vm_probe boottime-ms)ms skipped=[${4}]"
}

cell "" default "sha1 sha256 sha384 sha512" "crc32c-intel.ko sha256-ssse3.ko"
cell Conroe sha256 "sha256" "crc32c-intel.ko"
cell Haswell-noTSX sha1,sha256 "sha1 sha256" ""
cell Icelake-Server-noTSX - "sha1 sha256 sha384 sha512" ""
