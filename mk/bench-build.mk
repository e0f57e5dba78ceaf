# `make bench` runs the builder benchmark (bench/build.sh): tdverity-build vs the
# mke2fs -d + veritysetup format + sfdisk + dd pipeline, and the builder's peak RSS for a
# 4 GiB image.  Needs about 6 GiB free in $TMPDIR (default /var/tmp).
.PHONY: bench-build
bench: bench-build
bench-build: all
	@bench/build.sh

# `make bench` also runs bench/build-real.sh: the real distro tree and a 2 GiB tree,
# tdverity-build vs mke2fs -d + veritysetup format, with the hardware limit (bench/limit).
.PHONY: bench-real
bench: bench-real
bench-real: all $(BUILD)/bench/limit
	@TDV_BUILD=$(abspath $(BUILD)) bench/build-real.sh

$(BUILD)/bench/limit: $(BUILD)/obj/bench/limit.o
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lcrypto -lpthread
