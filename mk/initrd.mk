# tdverity-init: keep the static /init small.  Each function in its own section and
# --gc-sections at the static link, so code of the core that /init never calls (and the
# libcrypto parts only that code reaches) is dropped.
INITRD_GC_OBJS := $(CORE_OBJS) $(call objs,$(wildcard initrd/*.c))
$(INITRD_GC_OBJS): CFLAGS += -ffunction-sections -fdata-sections
$(BUILD)/tdverity-init: GUEST_LDFLAGS += $(if $(SAN),,-Wl,--gc-sections -s)

# The fake seam shared by the tdverity-init unit tests.
INIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test-init-*.c))
$(INIT_TESTS): $(BUILD)/obj/tests/unit/init-fake.o

# The probe agent (a static test/demo binary) gets the same treatment.
$(call objs,$(wildcard probe-agent/*.c)): CFLAGS += -ffunction-sections -fdata-sections
$(BUILD)/tdverity-probe-agent: GUEST_LDFLAGS += $(if $(SAN),,-Wl,--gc-sections -s)
