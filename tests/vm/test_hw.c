/*
 * test_hw.c - the device table and IRQ objects from inside the kernel:
 * objects counted and freed, claims released by a claimer's end, the I/O
 * bitmap absent for threads of spaces without ports, write-combining PTEs.
 */
#include "vmtest.h"
#include <abi/errors.h>
#include <arch/cpufeatures.h>
#include <arch/irq_flags.h>
#include <arch/percpu.h>
#include <hw/hw.h>
#include <lib/string.h>
#include <mm/pmm.h>
#include <mm/vmm.h>

#define FAKE_PID 0xfffffffffffff00dull /* no process has this object id */

static struct hw_device *find(const char *name)
{
	struct hw_device_info info;
	struct hw_device *d;
	for (uint32_t i = 0; hw_dev_child(hw_root(), i, &d) == 0; i++) {
		hw_dev_info(d, &info);
		if (strcmp(info.name, name) == 0)
			return d; /* a reference: static devices never go, put anyway */
		kobject_put(hw_device_object(d));
	}
	return NULL;
}

VM_TEST(hw_irq_objects_counted_and_released)
{
	struct hw_device *rtc = find("rtc"), *child;
	struct hw_device_info info;
	struct hw_irq *irq, *again;
	VM_EXPECT(rtc != NULL);
	if (!rtc)
		return;
	VM_EXPECT_EQ(hw_dev_child(rtc, 0, &child), ERR_NOT_SUPPORTED);
	VM_EXPECT_EQ(hw_dev_child(hw_root(), hw_device_count(), &child), ERR_OUT_OF_RANGE);
	uint64_t before = kobject_live_count(OBJ_IRQ);
	VM_EXPECT_EQ(hw_dev_irq(rtc, FAKE_PID, HW_IRQ_INTX, 0, &irq), 0);
	VM_EXPECT_EQ(kobject_live_count(OBJ_IRQ), before + 1);
	hw_dev_info(rtc, &info);
	VM_EXPECT(info.claimed);
	VM_EXPECT_EQ(hw_dev_irq(rtc, FAKE_PID + 1, HW_IRQ_INTX, 0, &again), ERR_BAD_STATE);
	VM_EXPECT_EQ(hw_dev_irq(rtc, FAKE_PID, HW_IRQ_INTX, 0, &again), ERR_ALREADY_EXISTS);
	VM_EXPECT_EQ(hw_irq_wait(irq, 0), ERR_TIMED_OUT);
	/* the claimer ends: unbound (waiters told), the claim gone, the object still ours */
	hw_process_ended(FAKE_PID);
	hw_dev_info(rtc, &info);
	VM_EXPECT(!info.claimed);
	VM_EXPECT_EQ(hw_irq_wait(irq, 0), ERR_BAD_STATE);
	VM_EXPECT_EQ(hw_irq_ack(irq), ERR_BAD_STATE);
	kobject_put(hw_irq_object(irq));
	VM_EXPECT_EQ(kobject_live_count(OBJ_IRQ), before);
	/* bindable again, by anyone */
	VM_EXPECT_EQ(hw_dev_irq(rtc, FAKE_PID + 1, HW_IRQ_INTX, 0, &irq), 0);
	kobject_put(hw_irq_object(irq));
	hw_process_ended(FAKE_PID + 1);
	VM_EXPECT_EQ(kobject_live_count(OBJ_IRQ), before);
	kobject_put(hw_device_object(rtc));
}

VM_TEST(hw_kernel_thread_has_no_io_bitmap)
{
	/* a kernel thread runs with every port denied to ring 3: nothing loaded */
	uint64_t irq = arch_irq_save();
	VM_EXPECT_EQ(this_cpu()->gdt.tss.iomap_base, IOMAP_BASE_NONE);
	arch_irq_restore(irq);
}

VM_TEST(hw_write_combining_pte)
{
	/* a framebuffer's mappings: PAT entry 1 where there is a PAT, else uncached; the
	   page is an IOAPIC's register page, mapped and unmapped, never touched */
	const uint64_t va = 0xffffd00000200000ull, pa = 0xfec00000ull;
	uint64_t got_pa, size;
	unsigned flags;
	VM_EXPECT_EQ(vmm_map(&kernel_space, va, pa, PAGE_SIZE, VM_WRITE | VM_WC), 0);
	VM_EXPECT_EQ(vmm_query(&kernel_space, va, &got_pa, &flags, &size), 0);
	VM_EXPECT_EQ(got_pa, pa);
	VM_EXPECT_EQ(flags & (VM_WC | VM_UNCACHED), cpu_has_pat ? VM_WC : VM_UNCACHED);
	VM_EXPECT_EQ(vmm_unmap(&kernel_space, va, PAGE_SIZE), 0);
}
