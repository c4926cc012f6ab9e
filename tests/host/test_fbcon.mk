# Framebuffer console and PSF parser, against the real Debian font linked in the
# same way as the kernel's (mk/fbcon.mk builds $(FBCON_FONT_OBJ) on demand).
include mk/fbcon.mk
test_fbcon_SRCS := kernel/dev/psf.c kernel/dev/fbcon.c $(FBCON_FONT_OBJ)
