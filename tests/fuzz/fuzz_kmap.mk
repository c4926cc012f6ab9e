# bin/console's keymap parser (user/console/kmap.c) and the keys it drives (keymap.c);
# seeds: Debian's keymaps as the initrd carries them (mk/keymaps.mk).
fuzz_kmap_SRCS := user/console/kmap.c user/console/keysym.c user/console/keymap.c shared/inputmap.c
FUZZ_KMAP_REAL := de fr-latin9 uk dvorak es
fuzz_kmap_SEEDS := $(patsubst %,$(B)/fuzz/seeds/fuzz_kmap/%.kmap,$(FUZZ_KMAP_REAL))

$(B)/fuzz/seeds/fuzz_kmap/%.kmap: $(KEYMAPS_STAMP)
	@mkdir -p $(@D)
	$(Q)cp $(KEYMAPS_DIR)/$*.kmap $@
