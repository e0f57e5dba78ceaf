# Evidence side of tdverity-verify (event logs, quotes).
# The sanitizer build also links the verifier, so tests/realdata/evidence.sh can feed it
# malformed evidence under ASan+UBSan.
ifeq ($(SAN),asan)
unit-tests: $(BUILD)/tdverity-verify
endif
