# Keyboard layouts for bin/console (docs/terminal.md "Keyboard layouts"): Debian's
# console keymaps, from the console-data package, which is downloaded (never installed:
# tools/fetch-deb.sh runs `apt-get download`) into $(DEB_CACHE) once and kept there, so
# later builds, and other build directories, work offline.
#
# The initrd gets the layouts listed below as share/keymaps/<name>.kmap and the PC
# include files (i386/include: layouts, function keys, euro) as
# share/keymaps/include/<name>.inc, decompressed and without comment-only and blank
# lines (a third of their bytes); not the compose tables, which the console does not read. The console's parser
# (user/console/kmap.c) reads them at run time; tests/host/test_kmap.c reads the same
# files, so the download is a prerequisite of that test too.
#
#   DEB_CACHE       where downloaded .deb files are kept (default build/deb)
#   KEYMAPS_DIR     $(B)/initrd/share/keymaps
#   KEYMAPS_STAMP   made when KEYMAPS_DIR is complete: depend on it

DEB_CACHE ?= build/deb
KEYMAPS_DEB := $(DEB_CACHE)/console-data.deb
KEYMAPS_SRC := $(B)/console-data
KEYMAPS_DIR := $(B)/initrd/share/keymaps
KEYMAPS_STAMP := $(B)/keymaps.stamp

# <directory under usr/share/keymaps/i386>/<name>: Latin-alphabet PC layouts
KEYMAPS_LIST := qwerty/us qwerty/us-latin1 qwerty/uk qwertz/de qwertz/de-latin1 \
	qwertz/de-latin1-nodeadkeys qwertz/sg-latin1 qwertz/fr_CH-latin1 azerty/fr \
	azerty/fr-latin1 azerty/fr-latin9 azerty/fr-pc azerty/be-latin1 qwerty/es \
	qwerty/it qwerty/it2 qwerty/pt-latin1 qwerty/br-abnt2 qwerty/la-latin1 \
	qwerty/se-latin1 qwerty/se-lat6 qwerty/fi qwerty/no qwerty/no-latin1 qwerty/dk \
	qwerty/dk-latin1 qwerty/nl qwerty/is-latin1 dvorak/dvorak dvorak/dvorak-l \
	dvorak/dvorak-r dvorak/dvorak-uk

$(KEYMAPS_DEB): tools/fetch-deb.sh
	$(Q)if [ ! -s $@ ]; then echo "  FETCH   console-data (apt-get download)"; \
		tools/fetch-deb.sh console-data $(DEB_CACHE); else touch $@; fi

$(KEYMAPS_STAMP): $(KEYMAPS_DEB) mk/keymaps.mk
	$(Q)rm -rf $(KEYMAPS_SRC) $(KEYMAPS_DIR) && mkdir -p $(KEYMAPS_SRC) $(KEYMAPS_DIR)/include
	$(Q)dpkg-deb -x $(KEYMAPS_DEB) $(KEYMAPS_SRC)
	$(Q)set -e; strip() { gzip -dc "$$1" | sed -e '/^[[:space:]]*[#!]/d' -e '/^[[:space:]]*$$/d' >"$$2"; }; \
		k=$(KEYMAPS_SRC)/usr/share/keymaps; \
		for m in $(KEYMAPS_LIST); do strip $$k/i386/$$m.kmap.gz $(KEYMAPS_DIR)/$${m#*/}.kmap; done; \
		for f in $$k/i386/include/*.inc.gz; do \
			b=$${f##*/}; strip $$f $(KEYMAPS_DIR)/include/$${b%.gz}; done
	$(Q)touch $@

.PHONY: keymaps
keymaps: $(KEYMAPS_STAMP)
