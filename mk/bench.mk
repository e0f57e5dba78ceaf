# `make bench`: each benchmark against the peer tool it replaces (figures: README /
# bench/README.md).  Performance claims live here, never in tests.
.PHONY: bench-build bench-real bench-initrd bench-verity bench-evidence
bench: bench-build bench-real bench-initrd bench-verity bench-evidence

# tdverity-build vs the mke2fs -d + veritysetup format + sfdisk + dd pipeline, and the
# builder's peak RSS for a 4 GiB image.  Needs about 6 GiB free in $TMPDIR (/var/tmp).
bench-build: all
	@bench/build.sh

# The real distro tree and a 2 GiB tree, tdverity-build vs mke2fs -d + veritysetup
# format, with the hardware limit (bench/limit).
bench-real: all
	@TDV_BUILD=$(abspath $(BUILD)) bench/build-real.sh

# Our initrd vs a Kata-style busybox + veritysetup initrd under QEMU TCG (deps/vm.pkgs).
bench-initrd: all
	@bench/initrd.sh

# Our dm-verity tree build and verify vs veritysetup format/verify on the same 1 GiB,
# plus the builder's peak RSS on 4 GiB.
bench-verity: all
	@TDV_BUILD=$(abspath $(BUILD)) bench/verity.sh

# `tdverity-verify replay` vs tpm2-tools' tpm2_eventlog on one synthetic 10 000-event log
# (bench/gen-eventlog).
bench-evidence: all
	@bench/evidence-replay.sh
