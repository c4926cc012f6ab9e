# Charlotte Core: freestanding C17 kernel for x86-64, linked twice so the
# second image carries its own symbol table (.ksyms, for backtraces).

include mk/fbcon.mk

KERNEL_ELF := $(B)/charlotte.elf
ISO := $(B)/charlotte.iso
TEST_ISO := $(B)/charlotte-test.iso

KCC ?= gcc
KCFLAGS := -std=gnu17 -O2 -g -ffreestanding -fno-builtin-printf -nostdlib -fno-pic -fno-pie \
	-mno-red-zone -mcmodel=kernel -mgeneral-regs-only -mno-sse -mno-mmx \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -fwrapv \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef -Wvla \
	-Ikernel -Ikernel/arch/x86_64/include -Iinclude -Itests/vm -Iuser/lib -MMD -MP
KASFLAGS := -D__ASSEMBLY__ -Ikernel -Ikernel/arch/x86_64/include -Iinclude -MMD -MP
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-T kernel/arch/x86_64/linker.ld

# Every kernel source, plus the in-kernel VM tests (they only run with "test").
KERNEL_C := $(shell find kernel -name '*.c' | sort) $(wildcard tests/vm/*.c) user/lib/charlotte/elf.c
KERNEL_S := $(shell find kernel -name '*.S' | sort)
KERNEL_OBJS := $(patsubst %.c,$(B)/k/%.o,$(KERNEL_C)) $(patsubst %.S,$(B)/k/%.o,$(KERNEL_S)) \
	$(FBCON_FONT_OBJ)

$(B)/k/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(KCC) $(KCFLAGS) -c $< -o $@

$(B)/k/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(KCC) $(KASFLAGS) -c $< -o $@

$(B)/k/ksyms0.S: tools/gen-ksyms.sh
	@mkdir -p $(@D)
	$(Q)tools/gen-ksyms.sh - > $@

$(B)/k/ksyms.S: $(B)/charlotte.pass1.elf tools/gen-ksyms.sh
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

$(TEST_ISO): $(KERNEL_ELF) $(INITRD)
	@mkdir -p $(B)/iso-test/boot/grub
	$(Q)cp $(KERNEL_ELF) $(INITRD) $(B)/iso-test/boot/
	$(Q)printf '%s\n' "$$GRUB_CFG_TEST" > $(B)/iso-test/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(B)/iso-test >$(B)/grub-mkrescue.log 2>&1 || { cat $(B)/grub-mkrescue.log; exit 1; }

-include $(KERNEL_OBJS:.o=.d)
