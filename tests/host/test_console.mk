# bin/console's pure parts (user/console): the terminal emulator, the line discipline,
# the US keymap and the PSF font with its Unicode table, against the real Debian font
# linked in as the kernel links it (mk/fbcon.mk).
include mk/fbcon.mk
test_console_SRCS := user/console/vt.c user/console/ldisc.c user/console/keymap.c \
	shared/inputmap.c \
	user/console/font.c $(FBCON_FONT_OBJ) user/lib/charlotte/wcwidth.c $(WCWIDTH_TABLE)
test_console_CFLAGS := -Iuser/lib
