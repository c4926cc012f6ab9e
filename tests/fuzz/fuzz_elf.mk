# The ELF64 loader (shared/elf.c): elf_validate and elf_load with a recording map callback.
fuzz_elf_SRCS := shared/elf.c
# Seeds: real static executables without a C library, built by the host gcc from
# tests/host/elf_fixture.c (test_elf's fixture), with and without separate code pages.
FUZZ_ELF_SEEDS := $(B)/fuzz/seeds/fuzz_elf
fuzz_elf_SEEDS := $(FUZZ_ELF_SEEDS)/nolibc $(FUZZ_ELF_SEEDS)/nolibc_noseparate
FUZZ_ELF_SEED_FLAGS := -DNOLIBC -O1 -static -nostdlib -no-pie -ffreestanding -fno-stack-protector \
	-s -Wl,--build-id=none
$(FUZZ_ELF_SEEDS)/nolibc: tests/host/elf_fixture.c tests/fuzz/fuzz_elf.mk
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(FUZZ_ELF_SEED_FLAGS) -o $@ $<
$(FUZZ_ELF_SEEDS)/nolibc_noseparate: tests/host/elf_fixture.c tests/fuzz/fuzz_elf.mk
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(FUZZ_ELF_SEED_FLAGS) -Wl,-z,noseparate-code -o $@ $<
