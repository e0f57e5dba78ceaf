# `make bench` also runs the event-log replay benchmark (bench/evidence-replay.sh):
# `tdverity-verify replay` vs tpm2-tools' `tpm2_eventlog` on one synthetic 10 000-event log.
.PHONY: bench-evidence
bench: bench-evidence
bench-evidence: all $(BUILD)/bench/gen-eventlog
	@bench/evidence-replay.sh

$(BUILD)/bench/gen-eventlog: $(BUILD)/obj/bench/gen-eventlog.o $(BUILD)/libtdv-core.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lcrypto
