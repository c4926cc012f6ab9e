# The initrd: a ustar archive GRUB loads as a module (PVH: qemu -initrd).
#
# build/initrd/ is the archive's tree: the files of initrd/ (etc/exec.manifest,
# etc/test.manifest, ...) plus every user program, built by mk/user.mk into
# build/initrd/bin/<name>. The kernel starts bin/exec from it; Exec reads the rest.
# Stale files (a program whose source was removed) are not cleaned: `make clean`.

include mk/user.mk
include mk/keymaps.mk

INITRD := $(B)/initrd.tar
# What is packed: build/initrd/ with the programs' debug information stripped (it is
# three quarters of their bytes, and the initrd sits in RAM: 9 MiB of a 64 MiB machine).
# build/initrd/bin/ keeps it, for gdb.
INITRD_PACKED := $(B)/initrd-packed
INITRD_FILES := $(shell find initrd -type f 2>/dev/null)

# share/pci.ids: the PCI ID Repository as Debian's hwdata package ships it, for `devices`,
# without comments and subsystem lines (which nothing reads): about 750 KB of 1.3 MB.
PCI_IDS_SRC := /usr/share/misc/pci.ids
PCI_IDS := $(B)/initrd/share/pci.ids

$(PCI_IDS): mk/initrd.mk
	@mkdir -p $(@D)
	@test -r $(PCI_IDS_SRC) || { echo "initrd: $(PCI_IDS_SRC) missing (Debian package hwdata)" >&2; exit 1; }
	$(Q)awk '/^C / { classes = 1 } /^#/ || /^[ \t]*$$/ { next } \
		!classes && /^\t\t/ { next } { print }' $(PCI_IDS_SRC) >$@.tmp && mv $@.tmp $@

# share/console.psf: bin/console's font (docs/terminal.md), Debian's Terminus 8x16 with
# the Uni2 set (Latin, Greek, Cyrillic, box drawing, 512 glyphs with a Unicode table).
CONSOLE_FONT_GZ ?= /usr/share/consolefonts/Uni2-Terminus16.psf.gz
CONSOLE_FONT := $(B)/initrd/share/console.psf

$(CONSOLE_FONT): $(wildcard $(CONSOLE_FONT_GZ)) mk/initrd.mk
	@mkdir -p $(@D)
	@test -r $(CONSOLE_FONT_GZ) || { echo "initrd: $(CONSOLE_FONT_GZ) missing (Debian package console-setup-linux)" >&2; exit 1; }
	$(Q)gzip -dc $(CONSOLE_FONT_GZ) >$@.tmp && mv $@.tmp $@

$(INITRD): $(INITRD_FILES) $(USER_PROG_BINS) $(PCI_IDS) $(CONSOLE_FONT) $(KEYMAPS_STAMP) mk/initrd.mk
	@mkdir -p $(B)/initrd
	$(Q)if [ -d initrd ]; then cp -r initrd/. $(B)/initrd/; fi
	$(Q)rm -rf $(INITRD_PACKED) && cp -r $(B)/initrd $(INITRD_PACKED) && \
		strip --strip-debug $(INITRD_PACKED)/bin/*
	$(Q)tar --format=ustar --owner=0 --group=0 --numeric-owner --sort=name \
		-C $(INITRD_PACKED) -cf $@ .
