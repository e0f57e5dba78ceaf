# tdverity — one non-recursive Makefile.  Everything is built under $(BUILD).
#
# Layout (see README.md, "Architecture"):
#   lib/core/        static-linkable core: libc + libcrypto (+ libblkid) only; /init links it
#   kernel-cmdline/  command-line parse/build; part of the core
#   lib/host/        host layer over the heavy libraries (ext2fs, cryptsetup, kmod, ...)
#   builder/ verifier/ initrd/ probe-agent/
#                    programs: <dir>/main.c holds main(), every other .c of the folder
#                    goes into build/lib<dir>.a so unit tests can link it.
# New .c files are picked up by wildcard.  mk/ holds only what runs things (bench, demo,
# install/deb); every compile and link rule is in this file.

BUILD ?= build
SAN   ?=
V     ?= 0

PKGS_HOST   := ext2fs com_err libcryptsetup blkid libkmod json-c libarchive fdisk uuid libcrypto
TDV_VERSION := 0.1.0
CPPFLAGS += -I. -Ilib -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -DTDV_VERSION=\"$(TDV_VERSION)\"
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu17 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 \
	    -Wmissing-prototypes -Wstrict-prototypes -fno-strict-aliasing -pthread
LDFLAGS  += -pthread

ifeq ($(SAN),asan)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(SAN),fuzz)
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -DTDV_FUZZING
LDFLAGS += -fsanitize=address,undefined
endif

HOST_CFLAGS := $(shell pkg-config --cflags $(PKGS_HOST) 2>/dev/null)
HOST_LIBS   := $(shell pkg-config --libs $(PKGS_HOST) 2>/dev/null || echo -lext2fs -lcom_err -lcryptsetup -lblkid -lkmod -ljson-c -larchive -lfdisk -luuid -lcrypto) -lm
CPPFLAGS    += $(HOST_CFLAGS)
# What Debian ships as static archives: all a guest program may link.
STATIC_LIBS := -lblkid -luuid -lcrypto

objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# ---- The layers ---------------------------------------------------------------------------
CORE_SRCS := $(wildcard lib/core/*.c) $(wildcard kernel-cmdline/*.c)
HOST_SRCS := $(wildcard lib/host/*.c)
CORE_OBJS := $(call objs,$(CORE_SRCS))
HOST_OBJS := $(call objs,$(HOST_SRCS))
CORE_LIB  := $(BUILD)/libtdv-core.a
HOST_LIB  := $(BUILD)/libtdv-host.a
$(CORE_LIB): $(CORE_OBJS)
$(HOST_LIB): $(HOST_OBJS)

# ---- What is built, and how it is linked --------------------------------------------------
#
#   link class  static?  links                               built
#   guest       static   core + STATIC_LIBS, gc-sections -s  tdverity-init, tdverity-probe-agent
#   host        dynamic  host + core + HOST_LIBS             tdverity-build, tdverity-verify;
#                                                            the test/bench tools (one .c each)
#   unit        dynamic  host class + every program archive  tests/unit/test-*  (+ cmocka)
#   fuzz        dynamic  unit class with libFuzzer           tests/fuzz/fuzz-*  (make fuzz)
#
# program(name, folder, class): <folder>/main.c + build/lib<folder>.a (the folder's
# other .c files, so unit tests can link them).
define program
$(1)_LIB_SRCS := $$(filter-out $(2)/main.c,$$(wildcard $(2)/*.c))
$(BUILD)/lib$(2).a: $$(call objs,$$($(1)_LIB_SRCS))
inputs_$(1) := $(BUILD)/obj/$(2)/main.o $(BUILD)/lib$(2).a
$(2)_OBJS := $$(call objs,$$(wildcard $(2)/*.c))
$(3)_PROGRAMS += $(BUILD)/$(1)
PROG_ARCHIVES += $(BUILD)/lib$(2).a
endef
#                       program                folder       class
$(eval $(call program,tdverity-build,builder,host))
$(eval $(call program,tdverity-verify,verifier,host))
$(eval $(call program,tdverity-init,initrd,guest))
$(eval $(call program,tdverity-probe-agent,probe-agent,guest))
BINS := $(host_PROGRAMS) $(guest_PROGRAMS)

# Test and bench tools, not installed: build/<path> from <path>.c, host class.
TOOLS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/tools/*.c tests/vmtools/*.c bench/*.c))
$(foreach t,$(TOOLS),$(eval inputs_$(t:$(BUILD)/%=%) := $(BUILD)/obj/$(t:$(BUILD)/%=%).o))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test-*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))

# One rule per class.  Secondary expansion puts each target's own inputs before the
# libraries, the order a static link needs.
.SECONDEXPANSION:
LINK = $(if $(filter 1,$(V)),,@echo "  LD      $@" && )mkdir -p $(@D) && $(CC) $(CFLAGS) $(LDFLAGS)

$(host_PROGRAMS) $(TOOLS): $(BUILD)/%: $$(inputs_$$*) $(HOST_LIB) $(CORE_LIB)
	$(LINK) -o $@ $^ $(HOST_LIBS)

# guest: the static /init must stay small: each function in its own section, and the
# link drops what /init never calls (and the libcrypto parts only that code reaches).
GUEST_LDFLAGS := $(if $(SAN),,-static -Wl,--gc-sections -s)
$(CORE_OBJS) $(initrd_OBJS) $(probe-agent_OBJS): CFLAGS += -ffunction-sections -fdata-sections
$(guest_PROGRAMS): $(BUILD)/%: $$(inputs_$$*) $(CORE_LIB)
	$(LINK) $(GUEST_LDFLAGS) -o $@ $^ $(STATIC_LIBS)

# unit: one cmocka binary per tests/unit/test-*.c; the /init tests also get the fake seam.
UNIT_HELPERS = $(BUILD)/obj/tests/unit/unit-helpers.o \
	$(if $(filter test-init-%,$*),$(BUILD)/obj/tests/unit/init-fake.o)
$(UNIT_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $$(UNIT_HELPERS) $(PROG_ARCHIVES) \
		$(HOST_LIB) $(CORE_LIB)
	$(LINK) -o $@ $^ -lcmocka $(HOST_LIBS)

# fuzz: libFuzzer targets; seed corpora in tests/fuzz/corpus/<name>/ (kept in git).
$(FUZZ_TARGETS): $(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(PROG_ARCHIVES) $(HOST_LIB) \
		$(CORE_LIB)
	$(LINK) -fsanitize=fuzzer -o $@ $^ $(HOST_LIBS)

$(BUILD)/%.a:
	@mkdir -p $(@D)
	@rm -f $@
	$(if $(filter 1,$(V)),,@echo "  AR      $@";) ar rcs $@ $^

# Objects also depend on the build rules: a flag changed here must rebuild them.
$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(if $(filter 1,$(V)),,@echo "  CC      $@";) $(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- Targets -------------------------------------------------------------------------------
.DEFAULT_GOAL := all
.SECONDARY:
.DELETE_ON_ERROR:
.PHONY: all tools unit-tests asan check deps clean fuzz fuzz-targets bench demo format
all: $(BINS) $(TOOLS)
tools: $(TOOLS)
unit-tests: $(UNIT_TESTS)

# The sanitizer build is the same tree with SAN=asan under build/asan; it links the
# verifier too, so tests/realdata/evidence.sh can feed it malformed evidence under ASan.
asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=asan unit-tests build/asan/tdverity-verify

# `make check`: install what is missing, build, run every test; last line: N passed, N failed.
check: deps
	@$(MAKE) --no-print-directory all unit-tests
	@$(MAKE) --no-print-directory asan
	@tests/run --build $(BUILD)

# `make fuzz`: every target, each fuzzed for FUZZ_SECONDS from its corpus.
FUZZ_SECONDS ?= 20
fuzz-targets: $(FUZZ_TARGETS)
fuzz:
	@$(MAKE) --no-print-directory BUILD=build/fuzz SAN=fuzz CC=clang fuzz-targets
	@tests/fuzz/run-fuzzers build/fuzz/fuzz $(FUZZ_SECONDS)

deps:
	@scripts/deps.sh

clean:
	rm -rf build

format:
	clang-format -i $(CORE_SRCS) $(HOST_SRCS) $(wildcard */*.h lib/*/*.h builder/*.c verifier/*.c initrd/*.c)

# What runs things: make bench (mk/bench.mk), make demo (mk/demo.mk), make install / deb
# (mk/install.mk).
include $(sort $(wildcard mk/*.mk))
