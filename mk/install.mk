# Man pages, `make install`/`uninstall` and `make deb`, laid out as a Debian tool is:
#   $(PREFIX)/bin/                        tdverity-build, tdverity-verify (host, dynamic)
#   $(PREFIX)/lib/tdverity/               tdverity-init (guest, static), the probe agent
#   $(PREFIX)/share/tdverity/rootfs-templates/
#   $(PREFIX)/share/man/man{1,5,8}/
# The builder finds tdverity-init and the templates relative to its own binary
# (builder/install-paths.c), so DESTDIR trees and `dpkg -x` trees work as installed ones.
# Man pages are scdoc sources (man/*.scd; Debian's scdoc package builds them).
PREFIX  ?= /usr/local
DESTDIR ?=
MAN_SRCS  := $(wildcard man/*.scd)
MAN_PAGES := $(patsubst man/%.scd,$(BUILD)/man/%,$(MAN_SRCS))

$(BUILD)/man/%: man/%.scd
	@mkdir -p $(@D)
	@echo "  SCDOC   $@"
	@scdoc <$< >$@
.PHONY: man install uninstall deb
man: $(MAN_PAGES)
all: $(MAN_PAGES)

INSTALL_BIN  := $(DESTDIR)$(PREFIX)/bin
INSTALL_LIB  := $(DESTDIR)$(PREFIX)/lib/tdverity
INSTALL_DATA := $(DESTDIR)$(PREFIX)/share/tdverity
INSTALL_MAN  := $(DESTDIR)$(PREFIX)/share/man
# GZIP_MAN=1 (make deb) compresses the pages, as Debian policy wants them.
GZIP_MAN ?= 0

install: $(BINS) $(MAN_PAGES)
	install -d $(INSTALL_BIN) $(INSTALL_LIB) $(INSTALL_DATA)/rootfs-templates
	install -m 0755 $(BUILD)/tdverity-build $(BUILD)/tdverity-verify $(INSTALL_BIN)/
	install -m 0755 $(BUILD)/tdverity-init $(BUILD)/tdverity-probe-agent $(INSTALL_LIB)/
	cp -R --no-preserve=ownership rootfs-templates/. $(INSTALL_DATA)/rootfs-templates/
	@set -e; for page in $(MAN_PAGES); do \
		sect=$${page##*.}; install -d $(INSTALL_MAN)/man$$sect; \
		install -m 0644 $$page $(INSTALL_MAN)/man$$sect/; \
		if [ "$(GZIP_MAN)" = 1 ]; then gzip -9nf $(INSTALL_MAN)/man$$sect/$${page##*/}; fi; \
	done

uninstall:
	rm -f $(INSTALL_BIN)/tdverity-build $(INSTALL_BIN)/tdverity-verify
	rm -rf $(INSTALL_LIB) $(INSTALL_DATA)
	@for page in $(MAN_PAGES); do \
		sect=$${page##*.}; rm -f $(INSTALL_MAN)/man$$sect/$${page##*/} $(INSTALL_MAN)/man$$sect/$${page##*/}.gz; \
	done

# A binary .deb built with dpkg-deb (no debian/ source tree needed): Depends from
# dpkg-shlibdeps over the installed programs, i.e. the real runtime libraries.
DEB_ARCH  := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB_FILE  := $(BUILD)/tdverity_$(TDV_VERSION)_$(DEB_ARCH).deb
deb: $(BINS) $(MAN_PAGES)
	@scripts/make-deb.sh "$(BUILD)" "$(TDV_VERSION)" "$(DEB_ARCH)" "$(DEB_FILE)"
