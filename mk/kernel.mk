# Charlotte Core: freestanding C17 kernel for x86-64, linked twice so the
# second image carries its own symbol table (.ksyms, for backtraces).

include mk/fbcon.mk

KERNEL_ELF := $(B)/charlotte.elf
ISO := $(B)/charlotte.iso
# The test kernel: the same kernel plus tests/vm and the test object; only the
# test harness boots it (docs/testing.md).
TEST_KERNEL_ELF := $(B)/charlotte-test.elf
TEST_ISO := $(B)/charlotte-test.iso

KCC ?= gcc
KCFLAGS := -std=gnu17 -O2 -g -ffreestanding -fno-builtin-printf -nostdlib -fno-pic -fno-pie \
	-mno-red-zone -mcmodel=kernel -mgeneral-regs-only -mno-sse -mno-mmx \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -fwrapv \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla \
	-Ikernel -Ikernel/arch/x86_64/include -Iinclude -Ishared/include -MMD -MP
KASFLAGS := -D__ASSEMBLY__ -Ikernel -Ikernel/arch/x86_64/include -Iinclude -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-T kernel/arch/x86_64/linker.ld

# Every kernel source. The product kernel has init/notests.c; the test kernel has
# instead the in-kernel VM tests (tests/vm, whose boot.c takes "test") and the test
# object they use. shared/*.c, the code shared with user space, is built here too,
# with the kernel's flags (docs/kernel.md).
KERNEL_TEST_ONLY_C := kernel/obj/test_object.c $(wildcard tests/vm/*.c)
# kernel/debug/kcov.c is in KCOV=1 builds only (below).
KCOV ?= 0
KCOV_ONLY_C := kernel/debug/kcov.c
KERNEL_COMMON_C := $(filter-out kernel/init/notests.c $(KERNEL_TEST_ONLY_C) $(KCOV_ONLY_C), \
	$(shell find kernel -name '*.c' | sort)) $(sort $(wildcard shared/*.c)) \
	$(if $(filter 1,$(KCOV)),$(KCOV_ONLY_C))
ifeq ($(KCOV),1)
KCFLAGS += -DCONFIG_KCOV
endif
KERNEL_S := $(shell find kernel -name '*.S' | sort)
KERNEL_COMMON_OBJS := $(patsubst %.c,$(B)/k/%.o,$(KERNEL_COMMON_C)) \
	$(patsubst %.S,$(B)/k/%.o,$(KERNEL_S)) $(FBCON_FONT_OBJ)
KERNEL_OBJS := $(KERNEL_COMMON_OBJS) $(B)/k/kernel/init/notests.o
TEST_KERNEL_OBJS := $(KERNEL_COMMON_OBJS) $(patsubst %.c,$(B)/k/%.o,$(KERNEL_TEST_ONLY_C))

# The kbus flat path (kernel/kbus/flat.c) is called only from syscall.S, which has
# the user's callee-saved registers in the frame and reloads them from it: built
# with them call-clobbered, its entries save and restore none, and without a frame
# pointer they need no stack frame; rbp, which syscall.S keeps the entering thread
# in, stays untouched (-ffixed-rbp) (docs/kbus.md, "The flat path").
FLAT_CFLAGS := -fomit-frame-pointer -ffixed-rbp -fcall-used-rbx -fcall-used-r12 -fcall-used-r13 -fcall-used-r14 -fcall-used-r15
$(B)/k/kernel/kbus/flat.o: KCFLAGS += $(FLAT_CFLAGS)

# Only the tests see their own headers.
$(B)/k/tests/vm/%.o: KCFLAGS += -Itests/vm

# KCOV=1: the coverage kernel for `make fuzz` (kernel/debug/kcov.h), built by a
# recursive make into its own B ($(B)/kcov, mk/sysfuzz.mk) so a normal build never
# mixes with it. Every kernel C file gets -fsanitize-coverage=trace-pc except
# kernel/arch (entry, traps, early boot) and the recorder itself.
ifeq ($(KCOV),1)
$(B)/k/kernel/%.o: KCOV_CFLAGS = -fsanitize-coverage=trace-pc
$(B)/k/shared/%.o: KCOV_CFLAGS = -fsanitize-coverage=trace-pc
$(B)/k/kernel/arch/%.o: KCOV_CFLAGS =
$(B)/k/kernel/debug/kcov.o: KCOV_CFLAGS =
endif

$(B)/k/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(KCC) $(KCFLAGS) $(KCOV_CFLAGS) -c $< -o $@

$(B)/k/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(KCC) $(KASFLAGS) -c $< -o $@

$(B)/k/ksyms0.S: tools/gen-ksyms.sh
	@mkdir -p $(@D)
	$(Q)tools/gen-ksyms.sh - > $@

$(B)/k/ksyms.S: $(B)/charlotte.pass1.elf tools/gen-ksyms.sh
	$(Q)tools/gen-ksyms.sh $< > $@

$(B)/k/ksyms-test.S: $(B)/charlotte-test.pass1.elf tools/gen-ksyms.sh
	$(Q)tools/gen-ksyms.sh $< > $@

$(B)/k/ksyms%.o: $(B)/k/ksyms%.S
	$(Q)$(KCC) -c $< -o $@

$(B)/k/ksyms.o: $(B)/k/ksyms.S
	$(Q)$(KCC) -c $< -o $@

$(B)/charlotte.pass1.elf: $(KERNEL_OBJS) $(B)/k/ksyms0.o kernel/arch/x86_64/linker.ld
	$(Q)ld $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(B)/k/ksyms0.o

$(KERNEL_ELF): $(KERNEL_OBJS) $(B)/k/ksyms.o kernel/arch/x86_64/linker.ld
	$(Q)ld $(KLDFLAGS) -o $@ $(KERNEL_OBJS) $(B)/k/ksyms.o
	@echo "  LD      $@"

$(B)/charlotte-test.pass1.elf: $(TEST_KERNEL_OBJS) $(B)/k/ksyms0.o kernel/arch/x86_64/linker.ld
	$(Q)ld $(KLDFLAGS) -o $@ $(TEST_KERNEL_OBJS) $(B)/k/ksyms0.o

$(TEST_KERNEL_ELF): $(TEST_KERNEL_OBJS) $(B)/k/ksyms-test.o kernel/arch/x86_64/linker.ld
	$(Q)ld $(KLDFLAGS) -o $@ $(TEST_KERNEL_OBJS) $(B)/k/ksyms-test.o
	@echo "  LD      $@"

# Hybrid BIOS + UEFI ISO (grub-mkrescue; needs xorriso and mtools).
define grub_cfg
set timeout=$(2)
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
insmod all_video
insmod gfxterm
set gfxpayload=keep
menuentry "CharlotteOS$(if $(1), tests,)" {
	multiboot2 /boot/charlotte.elf $(1)
	module2 /boot/initrd.tar initrd
	boot
}
menuentry "CharlotteOS$(if $(1),, tests)" {
	multiboot2 /boot/charlotte.elf $(if $(1),,test)
	module2 /boot/initrd.tar initrd
	boot
}
endef
export GRUB_CFG_RUN := $(call grub_cfg,,1)
export GRUB_CFG_TEST := $(call grub_cfg,test,0)

$(ISO): $(KERNEL_ELF) $(INITRD)
	@mkdir -p $(B)/iso/boot/grub
	$(Q)cp $(KERNEL_ELF) $(INITRD) $(B)/iso/boot/
	$(Q)printf '%s\n' "$$GRUB_CFG_RUN" > $(B)/iso/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(B)/iso >$(B)/grub-mkrescue.log 2>&1 || { cat $(B)/grub-mkrescue.log; exit 1; }
	@echo "  ISO     $@"

$(TEST_ISO): $(TEST_KERNEL_ELF) $(INITRD)
	@mkdir -p $(B)/iso-test/boot/grub
	$(Q)cp $(TEST_KERNEL_ELF) $(B)/iso-test/boot/charlotte.elf
	$(Q)cp $(INITRD) $(B)/iso-test/boot/
	$(Q)printf '%s\n' "$$GRUB_CFG_TEST" > $(B)/iso-test/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(B)/iso-test >$(B)/grub-mkrescue.log 2>&1 || { cat $(B)/grub-mkrescue.log; exit 1; }

-include $(sort $(KERNEL_OBJS:.o=.d) $(TEST_KERNEL_OBJS:.o=.d))
