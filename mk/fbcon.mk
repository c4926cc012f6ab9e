# Framebuffer console font: Debian's Terminus 8x16 (console-setup-linux), embedded
# in the kernel as an object whose data sits in .rodata between the symbols
# fbcon_font_start and fbcon_font_end (declared in kernel/dev/fbcon.h).
#
#   FBCON_FONT_GZ   the packaged font (tools/deps.sh installs console-setup-linux)
#   FBCON_FONT_PSF  $(B)/font/console.psf, the uncompressed PSF (host tests read it)
#   FBCON_FONT_OBJ  $(B)/font/console.o, to link into the kernel
#
# Safe to include more than once (tests/host/test_fbcon.mk includes it too).

ifndef FBCON_MK_INCLUDED
FBCON_MK_INCLUDED := 1

FBCON_FONT_GZ ?= /usr/share/consolefonts/Lat2-Terminus16.psf.gz
FBCON_FONT_PSF := $(B)/font/console.psf
FBCON_FONT_OBJ := $(B)/font/console.o

# The font is a prerequisite only when present, so a missing package gets the
# message below instead of make's "No rule to make target".
$(FBCON_FONT_PSF): $(wildcard $(FBCON_FONT_GZ)) mk/fbcon.mk
	@mkdir -p $(@D)
	$(Q)test -r $(FBCON_FONT_GZ) || { echo "fbcon: $(FBCON_FONT_GZ) missing: install console-setup-linux (make deps)" >&2; exit 1; }
	$(Q)gzip -dc $(FBCON_FONT_GZ) > $@.tmp && mv $@.tmp $@

# objcopy names the symbols after its input path, so run it inside the directory
# (giving _binary_console_psf_*), then rename them. The empty .note.GNU-stack
# keeps the linker from assuming this object needs an executable stack.
$(FBCON_FONT_OBJ): $(FBCON_FONT_PSF)
	$(Q)cd $(@D) && objcopy -I binary -O elf64-x86-64 -B i386:x86-64 \
		--rename-section .data=.rodata,alloc,load,readonly,data,contents \
		--redefine-sym _binary_console_psf_start=fbcon_font_start \
		--redefine-sym _binary_console_psf_end=fbcon_font_end \
		--strip-symbol _binary_console_psf_size \
		--add-section .note.GNU-stack=/dev/null \
		--set-section-flags .note.GNU-stack=contents,readonly \
		$(notdir $<) $(notdir $@)

endif
