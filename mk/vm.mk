# VM boot tests (tests/vm/): test-only helper programs in tests/vmtools/*.c, linked
# against the core and host layers.
VM_TOOL_SRCS := $(wildcard tests/vmtools/*.c)
VM_TOOLS     := $(patsubst tests/vmtools/%.c,$(BUILD)/tests/vmtools/%,$(VM_TOOL_SRCS))

$(BUILD)/tests/vmtools/%: $(BUILD)/obj/tests/vmtools/%.o $(BUILD)/libtdv-host.a $(BUILD)/libtdv-core.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(HOST_LIBS)

.PHONY: vm-tools
vm-tools: $(VM_TOOLS)
all: vm-tools
