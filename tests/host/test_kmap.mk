# The console's keymap parser (user/console/kmap.c) against Debian's real keymaps: the
# files mk/keymaps.mk puts on the initrd, so their download is this test's prerequisite
# (the test fails, never skips, without them).
test_kmap_SRCS := user/console/kmap.c user/console/keysym.c
test_kmap_CFLAGS := -Iuser/console -DKMAP_TEST_DIR='"$(abspath $(KEYMAPS_DIR))"'
$(B)/host/test_kmap: $(KEYMAPS_STAMP)
# keymap.c: the console's keys with a layout (with inputmap's keycodes)
test_kmap_SRCS += user/console/keymap.c shared/inputmap.c
