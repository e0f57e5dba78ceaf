# Test-only programs of the rootfs/ext4 writer (tests/tools/), not installed.
TEST_TOOLS := $(BUILD)/tests/tools/rootfs-write

$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(BUILD)/libtdv-host.a $(BUILD)/libtdv-core.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(HOST_LIBS)

.PHONY: test-tools
test-tools: $(TEST_TOOLS)
all: $(TEST_TOOLS)
