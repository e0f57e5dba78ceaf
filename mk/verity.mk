# dm-verity: test-only helper programs (tests/tools/*.c), linked against the core.
TEST_TOOL_SRCS := $(wildcard tests/tools/*.c)
TEST_TOOLS     := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TEST_TOOL_SRCS))

$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(BUILD)/libtdv-core.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lcrypto

.PHONY: test-tools
test-tools: $(TEST_TOOLS)
all: test-tools
