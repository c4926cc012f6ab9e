# Host test of the ELF64 loader shared by the kernel and libcharlotte (shared/elf.c).
# Besides images built in memory, it loads two real static executables that the host
# gcc builds from tests/host/elf_fixture.c: one without a C library, one with glibc.

test_elf_SRCS := shared/elf.c
TEST_ELF_NOLIBC := $(B)/host/test_elf.d/fixture_nolibc
TEST_ELF_GLIBC := $(B)/host/test_elf.d/fixture_glibc
test_elf_CFLAGS := -DELF_FIXTURE_NOLIBC='"$(abspath $(TEST_ELF_NOLIBC))"' \
	-DELF_FIXTURE_GLIBC='"$(abspath $(TEST_ELF_GLIBC))"'

$(B)/host/test_elf: $(TEST_ELF_NOLIBC) $(TEST_ELF_GLIBC)

$(TEST_ELF_NOLIBC): tests/host/elf_fixture.c tests/host/test_elf.mk
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -DNOLIBC -O1 -static -nostdlib -no-pie -ffreestanding -fno-stack-protector \
		-o $@ $<

# A host without a static libc gets an empty file; the test then skips that case.
$(TEST_ELF_GLIBC): tests/host/elf_fixture.c tests/host/test_elf.mk
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -O1 -static -no-pie -o $@ $< 2>/dev/null || : > $@
