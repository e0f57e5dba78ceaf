# `make bench` runs the initrd benchmark (bench/initrd.sh): our initrd vs a Kata-style
# busybox + veritysetup initrd under QEMU TCG.  Needs the VM packages (deps/vm.pkgs).
.PHONY: bench-initrd
bench: bench-initrd
bench-initrd: all
	@bench/initrd.sh
