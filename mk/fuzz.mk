# libFuzzer targets: tests/fuzz/fuzz-<name>.c, each defining LLVMFuzzerTestOneInput.
# Built with clang into build/fuzz (the whole tree is recompiled with coverage).
# Seed corpora: tests/fuzz/corpus/<name>/ (kept in git; CI replays them).
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 20

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(PROG_ARCHIVES) $(BUILD)/libtdv-host.a $(BUILD)/libtdv-core.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(HOST_LIBS)

.PHONY: fuzz-targets fuzz
fuzz-targets: $(FUZZ_TARGETS)

# `make fuzz`: build every target and fuzz each for FUZZ_SECONDS, starting from its corpus.
fuzz:
	@$(MAKE) --no-print-directory BUILD=build/fuzz SAN=fuzz CC=clang fuzz-targets
	@tests/fuzz/run-fuzzers build/fuzz/fuzz $(FUZZ_SECONDS)
