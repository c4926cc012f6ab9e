# The provider framework's request decoder (user/lib/charlotte/nsprov.c) over the tmpfs
# operations: any request bytes get a reply whose length adds up, never out of bounds.
fuzz_nsprov_SRCS := user/lib/charlotte/nsprov.c user/tmpfs/ops.c user/tmpfs/tree.c
fuzz_nsprov_CFLAGS := -Iuser/tmpfs -Iuser/lib
# Binary seeds: the target writes them itself (FUZZ_WRITE_SEEDS), in its own format.
fuzz_nsprov_SEEDS := $(B)/fuzz/seeds/fuzz_nsprov/session
$(fuzz_nsprov_SEEDS): $(B)/fuzz/fuzz_nsprov
	@mkdir -p $(@D)
	$(Q)FUZZ_WRITE_SEEDS=$(@D) $<
