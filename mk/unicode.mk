# Terminal column widths (libcharlotte's wcwidth.c): the tables come from the Unicode
# Character Database in Debian's unicode-data package, downloaded (never installed:
# tools/fetch-deb.sh runs `apt-get download`) into $(DEB_CACHE) once and kept there,
# as mk/keymaps.mk does, and turned into C by tools/gen-wcwidth.sh at build time.
#
#   WCWIDTH_TABLE   $(B)/gen/wcwidth_table.c: the generated tables; a source of
#                   libcharlotte and of the host tests and fuzz targets that use
#                   wcwidth.c (list it with user/lib/charlotte/wcwidth.c in their
#                   _SRCS, and -Iuser/lib in their _CFLAGS)

DEB_CACHE ?= build/deb
UNICODE_DEB := $(DEB_CACHE)/unicode-data.deb
UNICODE_SRC := $(B)/unicode-data
WCWIDTH_TABLE := $(B)/gen/wcwidth_table.c
# the files the generator reads, below usr/share/unicode in the package
UNICODE_FILES := UnicodeData.txt PropList.txt extracted/DerivedEastAsianWidth.txt

$(UNICODE_DEB): tools/fetch-deb.sh
	$(Q)if [ ! -s $@ ]; then echo "  FETCH   unicode-data (apt-get download)"; \
		tools/fetch-deb.sh unicode-data $(DEB_CACHE); else touch $@; fi

$(WCWIDTH_TABLE): $(UNICODE_DEB) tools/gen-wcwidth.sh mk/unicode.mk
	@echo "  GEN     $@"
	$(Q)rm -rf $(UNICODE_SRC) && mkdir -p $(UNICODE_SRC) $(@D)
	$(Q)dpkg-deb --fsys-tarfile $(UNICODE_DEB) | \
		tar -x -C $(UNICODE_SRC) $(addprefix ./usr/share/unicode/,$(UNICODE_FILES))
	$(Q)tools/gen-wcwidth.sh $(UNICODE_SRC)/usr/share/unicode >$@.tmp && mv $@.tmp $@
