# `make demo`: install what is missing, build everything, then build the default template
# (rootfs-templates/kata-agent, with the probe agent standing in for kata-agent) into
# build/demo/ and show what was produced.  The old build/demo/ is removed first, since
# tdverity-build never overwrites a non-empty folder.  With Debian's kernel at hand
# (scripts/fetch-kernel.sh) the build also writes initrd.img (--kernel-modules), which
# `make demo` then boots (scripts/demo-boot.sh: QEMU TCG + swtpm, about 20 s).
DEMO_OUT      ?= $(BUILD)/demo
DEMO_TEMPLATE ?= rootfs-templates/kata-agent
DEMO_EPOCH    ?= 1700000000

.PHONY: demo demo-build demo-boot
demo: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory demo-build
	@$(MAKE) --no-print-directory demo-boot

# Boot build/demo for real and show what the probe agent saw (scripts/demo-boot.sh).
demo-boot:
	@if [ -f $(DEMO_OUT)/initrd.img ]; then \
		echo "== boot (QEMU TCG, Debian's kernel, swtpm vTPM)"; \
		TDV_BUILD=$(abspath $(BUILD)) scripts/demo-boot.sh $(abspath $(DEMO_OUT)); \
	else echo "(no initrd.img in $(DEMO_OUT): not booting)"; fi

demo-build:
	@rm -rf $(DEMO_OUT)
	@kdir=$$(scripts/fetch-kernel.sh 2>/dev/null) && mods=$$(echo $$kdir/lib/modules/*) && \
		[ -f "$$mods/modules.dep" ] && kmods="--kernel-modules $$mods" || \
		{ kmods=; echo "(no kernel from scripts/fetch-kernel.sh: building without initrd.img)"; }; \
	SOURCE_DATE_EPOCH=$(DEMO_EPOCH) $(BUILD)/tdverity-build --template $(DEMO_TEMPLATE) \
		--agent $(BUILD)/tdverity-probe-agent --out $(DEMO_OUT) --seed demo $$kmods >/dev/null
	@echo "== tdverity-build $(DEMO_TEMPLATE) -> $(DEMO_OUT)/ (SOURCE_DATE_EPOCH=$(DEMO_EPOCH), --seed demo)"
	@cd $(DEMO_OUT) && ls -l
	@echo "== root hash"
	@sed -n 's/^roothash=\([0-9a-f]*\) .*/\1/p' $(DEMO_OUT)/cmdline.txt
	@echo "== measured kernel command line (cmdline.txt)"
	@cat $(DEMO_OUT)/cmdline.txt
	@echo "== partitions"
	@sfdisk -d $(DEMO_OUT)/disk.img 2>/dev/null | sed -n 's/^.*disk.img\([0-9]\) : /p\1: /p' || true
	@echo "== the same root as stock Kata would mount it (dm-mod-create.txt)"
	@cat $(DEMO_OUT)/dm-mod-create.txt
