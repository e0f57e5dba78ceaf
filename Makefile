# tdverity — one non-recursive Makefile.  Everything is built under $(BUILD).
#
# Layout (see README.md, "Architecture"):
#   lib/core/        static-linkable core: libc + libcrypto (+ libblkid) only; /init links it
#   kernel-cmdline/  command-line parse/build; part of the core
#   lib/host/        host layer over the heavy libraries (ext2fs, cryptsetup, kmod, ...)
#   builder/ verifier/ initrd/ probe-agent/
#                    programs: <dir>/main.c holds main(), every other .c of the folder
#                    goes into build/lib<dir>.a so unit tests can link it.
#   tests/unit/test-*.c  one cmocka binary each, linked against everything
#   tests/fuzz/fuzz-*.c  libFuzzer targets (make fuzz)
# Per-feature extra rules live in mk/*.mk (bench, demo, fuzz corpora...).

BUILD    ?= build
SAN      ?=
CC       ?= gcc
V        ?= 0

PKGS_HOST := ext2fs com_err libcryptsetup blkid libkmod json-c libarchive fdisk uuid libcrypto
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

# Static link for the guest-side programs: Debian ships these as .a archives.
STATIC_LIBS := -lblkid -luuid -lcrypto

CORE_SRCS  := $(wildcard lib/core/*.c) $(wildcard kernel-cmdline/*.c)
HOST_SRCS  := $(wildcard lib/host/*.c)
PROGRAMS   := builder verifier initrd probe-agent
PROG_NAME_builder     := tdverity-build
PROG_NAME_verifier    := tdverity-verify
PROG_NAME_initrd      := tdverity-init
PROG_NAME_probe-agent := tdverity-probe-agent

objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
CORE_OBJS := $(call objs,$(CORE_SRCS))
HOST_OBJS := $(call objs,$(HOST_SRCS))

$(BUILD)/libtdv-core.a: $(CORE_OBJS)
$(BUILD)/libtdv-host.a: $(HOST_OBJS)
$(BUILD)/%.a:
	@mkdir -p $(@D)
	@rm -f $@
	$(if $(filter 1,$(V)),,@echo "  AR      $@";) ar rcs $@ $^

# Program archives (everything of the folder but main.c)
define prog_rules
$(1)_LIB_SRCS := $$(filter-out $(1)/main.c,$$(wildcard $(1)/*.c))
$(BUILD)/lib$(1).a: $$(call objs,$$($(1)_LIB_SRCS))
endef
$(foreach p,$(PROGRAMS),$(eval $(call prog_rules,$(p))))

PROG_ARCHIVES := $(foreach p,$(PROGRAMS),$(BUILD)/lib$(p).a)

# Host programs: dynamic, with the host layer.
$(BUILD)/tdverity-build: $(BUILD)/obj/builder/main.o $(BUILD)/libbuilder.a $(BUILD)/libtdv-host.a $(BUILD)/libtdv-core.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(HOST_LIBS)
$(BUILD)/tdverity-verify: $(BUILD)/obj/verifier/main.o $(BUILD)/libverifier.a $(BUILD)/libtdv-host.a $(BUILD)/libtdv-core.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(HOST_LIBS)

# Guest programs: fully static, core only (no host layer).
GUEST_LDFLAGS := $(if $(SAN),,-static)
$(BUILD)/tdverity-init: $(BUILD)/obj/initrd/main.o $(BUILD)/libinitrd.a $(BUILD)/libtdv-core.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) $(GUEST_LDFLAGS) -o $@ $^ $(STATIC_LIBS)
$(BUILD)/tdverity-probe-agent: $(BUILD)/obj/probe-agent/main.o $(BUILD)/libprobe-agent.a $(BUILD)/libtdv-core.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) $(GUEST_LDFLAGS) -o $@ $^ -lcrypto

BINS := $(BUILD)/tdverity-build $(BUILD)/tdverity-verify $(BUILD)/tdverity-init $(BUILD)/tdverity-probe-agent

# Unit tests: one binary per tests/unit/test-*.c, linked against everything.
UNIT_SRCS  := $(wildcard tests/unit/test-*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/unit-helpers.o $(PROG_ARCHIVES) $(BUILD)/libtdv-host.a $(BUILD)/libtdv-core.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(HOST_LIBS)

# Objects also depend on the build rules: a flag added in Makefile or mk/*.mk (e.g.
# mk/initrd.mk's per-object flags) must rebuild them, not leave stale objects behind.
$(BUILD)/obj/%.o: %.c Makefile $(wildcard mk/*.mk)
	@mkdir -p $(@D)
	$(if $(filter 1,$(V)),,@echo "  CC      $@";) $(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

.DEFAULT_GOAL := all
.SECONDARY:
.DELETE_ON_ERROR:
.PHONY: all unit-tests asan check deps clean fuzz bench demo format
all: $(BINS)
unit-tests: $(UNIT_TESTS)

# The sanitizer build is the same tree with SAN=asan under build/asan.
asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=asan unit-tests

# `make check`: install what is missing, build, run every test; last line: N passed, N failed.
check: deps
	@$(MAKE) --no-print-directory all unit-tests
	@$(MAKE) --no-print-directory asan
	@tests/run --build $(BUILD)

deps:
	@scripts/deps.sh

clean:
	rm -rf build

format:
	clang-format -i $(CORE_SRCS) $(HOST_SRCS) $(wildcard */*.h lib/*/*.h builder/*.c verifier/*.c initrd/*.c)

include $(sort $(wildcard mk/*.mk))
