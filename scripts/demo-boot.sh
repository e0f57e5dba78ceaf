#!/bin/bash
# Boot the demo image (build/demo/) for real, as `make demo` does after building it: QEMU
# TCG, Debian's 6.1 kernel (scripts/fetch-kernel.sh), a swtpm vTPM, the probe agent as
# the rootfs's /sbin/init.  Prints /init's lines and the agent's report, and checks PCR 15
# against the value computed offline from manifest.json.  Exit 0 when the agent ran.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
demo=${1:-$top/build/demo}
export TDV_TOP=$top TDV_BUILD=${TDV_BUILD:-$top/build}
. "$top/tests/lib.sh"
. "$top/tests/vm/lib/vm.sh"
VM_KDIR=$("$top/scripts/fetch-kernel.sh")
VM_KERNEL=$VM_KDIR/vmlinuz
for f in disk.img initrd.img cmdline.txt manifest.json; do
	[ -f "$demo/$f" ] || fail "$demo/$f missing (build with --kernel-modules)"
done
echo "demo-boot: booting $demo under QEMU TCG with a vTPM (about 20 s)"
vm_boot demo "$demo/initrd.img" "$demo/disk.img" "$(cat "$demo/cmdline.txt")"
grep -a -E '^tdverity-init: ' "$VM_CONSOLE" || true
grep -a -E '^TDVERITY-PROBE: (start|root-dev|mount /dev|pcr sha(256|384) 15|blob aael|aael|end)' \
	"$VM_CONSOLE" || true
vm_expect_agent
for bank in sha256 sha384; do
	want=$("$TDV_BUILD/tests/vmtools/rootfs-pcr" "$demo/manifest.json" pcr $bank)
	assert_eq "$(vm_probe "pcr $bank 15")" "$want" "PCR 15 ($bank)"
done
echo "demo-boot: the agent ran from the verified root; PCR 15 (sha256, sha384) equals the" \
	"value computed from manifest.json; boot took ${VM_SECONDS}s"
