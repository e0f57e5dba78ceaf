# `make bench` runs the builder benchmark (bench/build.sh): tdverity-build vs the
# mke2fs -d + veritysetup format + sfdisk + dd pipeline, and the builder's peak RSS for a
# 4 GiB image.  Needs about 6 GiB free in $TMPDIR (default /var/tmp).
.PHONY: bench-build
bench: bench-build
bench-build: all
	@bench/build.sh
