# `make bench-verity` (also part of `make bench`): our dm-verity tree build and verify vs
# veritysetup format/verify on the same 1 GiB, plus the builder's peak RSS on 4 GiB.
.PHONY: bench-verity
bench: bench-verity
bench-verity: all
	@TDV_BUILD=$(abspath $(BUILD)) bench/verity.sh
