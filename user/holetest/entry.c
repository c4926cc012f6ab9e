/*
 * entry.c - holes in the kernel's entry paths: compatibility-mode SYSCALL (hole 1)
 * and a SYSCALL whose return address would be non-canonical (hole 2).
 */
#include "holetest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/syscall.h>

/*
 * Far-jump to user selector sel (RPL 3) and execute SYSCALL there. On commit
 * f450500, selector 0x1b was a present 32-bit code segment: SYSCALL from it entered
 * the kernel at MSR_CSTAR = 0 and triple-faulted the machine. Now every selector
 * but the 64-bit user code segment must fault (#GP) in user mode.
 * An indirect far JMP (m16:32), not a far RET: QEMU 7.2's TCG pops a far return's
 * operands with a supervisor access, which SMAP (-cpu max) turns into a #PF on the
 * user stack before the selector is even looked at.
 */
HOLE_CHILD(farjmp)
{
	static struct {
		uint32_t offset;
		uint16_t selector;
	} __attribute__((packed)) far;
	far.selector = (uint16_t)strtoul(arg, NULL, 0);
	__asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
	                 "movl %%eax, %0\n\t"
	                 "ljmpl *%0\n"
	                 "1:\n\t"
	                 ".byte 0x0f, 0x05\n\t" /* syscall, in whatever mode we are in */
	                 "ud2"
	                 : "+m"(far)
	                 :
	                 : "rax", "rcx", "r11", "memory");
	return 0;
}

/* Runs child role with arg to its end (*st); false, with a failure recorded, if not. */
static bool run_child(const char *role, const char *arg, struct proc_status *st)
{
	struct ch_child c;
	long r = ht_spawn(role, arg, HANDLE_INVALID, 1u << 20, &c);
	if (r >= 0 && (r = ht_reap(&c, HT_LONG, st)) >= 0)
		return true;
	ch_test_fail("%s %s: %s", role, arg, ch_error_name(r));
	return false;
}

static void expect_fault(const char *role, const char *arg, uint32_t vector)
{
	struct proc_status st;
	if (!run_child(role, arg, &st))
		return;
	CHECK(
	    st.state == PROC_FAULTED && st.fault_vector == vector,
	    "%s %s: state %u vector %u code %d (addr %#llx ip %#llx), want a fault with vector %u",
	    role, arg, st.state, st.fault_vector, st.code, (unsigned long long)st.fault_addr,
	    (unsigned long long)st.fault_ip, vector);
}

/* Hole 1: the 32-bit user code segment (0x1b) is gone; so is every other way in. */
HOLE_TEST(compat_syscall_cstar)
{
	/* 0x1b: the former compatibility-mode code segment; 0x23: user data; 0x0b: kernel
	 * code at RPL 3; 0x33: the TSS; 0x43: past the GDT's limit */
	static const char *const sels[] = {"0x1b", "0x23", "0x0b", "0x13", "0x33", "0x43"};
	for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		expect_fault("farjmp", sels[i], 13 /* #GP */);
		if (ch_test_failed())
			return;
	}
}

/*
 * Hole 2: a SYSCALL in the last page below the canonical boundary returned through
 * IRET to the non-canonical 0x800000000000, which faults in ring 0 on Intel. The
 * page [0x7ffffffff000, 0x800000000000) can no longer be mapped, so no instruction
 * can end at the boundary.
 */
HOLE_TEST(syscall_last_user_page)
{
	handle_t mem;
	const uint64_t last = UINT64_C(0x00007ffffffff000);
	EXPECT_OK(ch_mem_create(ht_pool, 0x2000, &mem));
	long r = ch_as_map(ht_as, last, mem, 0, 0x1000, PROT_READ | PROT_EXEC);
	long r2 = ch_as_map(ht_as, last - 0x1000, mem, 0, 0x2000, PROT_READ | PROT_EXEC);
	long r3 = ch_as_map(ht_as, last - 0x1000, mem, 0, 0x1000, PROT_READ | PROT_EXEC);
	if (r3 >= 0)
		ch_as_unmap(ht_as, last - 0x1000, 0x1000);
	if (r >= 0)
		ch_as_unmap(ht_as, last, 0x1000);
	if (r2 >= 0)
		ch_as_unmap(ht_as, last - 0x1000, 0x2000);
	ch_cap_drop(mem);
	CHECK(r == ERR_INVALID_ARGS, "map of the last user page: %s, want ERR_INVALID_ARGS",
	      ch_error_name(r));
	CHECK(r2 == ERR_INVALID_ARGS, "map reaching the last user page: %s, want ERR_INVALID_ARGS",
	      ch_error_name(r2));
	CHECK(r3 >= 0, "map of the page below it: %s", ch_error_name(r3));
}

/*
 * Hostile flag registers. SYSCALL clears IF, TF, DF, AC and NT (MSR_FMASK), but an
 * interrupt or exception clears neither DF nor AC, and user code may set AC (and DF,
 * and NT) with POPFQ: a kernel entered from such a context by a fault or an interrupt
 * ran its handler, and whatever thread it switched to, with SMAP open.
 * "rflags copy": AC, DF and NT set around a system call that copies out (DF must not
 * run the kernel's copy backwards); exits 0 when both copies agree.
 * "rflags fault": the same flags, then UD2: the child must end with #UD, and the
 * kernel's trap dispatcher panics if it runs with AC set on a CPU with SMAP.
 */
#define HT_HOSTILE_FLAGS ((1u << 18) | (1u << 14) | (1u << 10)) /* AC, NT, DF */

HOLE_CHILD(rflags)
{
	static struct pool_info plain, hostile;
	handle_t pool = ht_pool;
	long r = ch_pool_info(pool, &plain);
	if (r < 0)
		return 10;
	if (strcmp(arg, "fault") == 0)
		__asm__ volatile("pushfq\n\t"
		                 "orq %0, (%%rsp)\n\t"
		                 "popfq\n\t"
		                 "ud2" ::"i"(HT_HOSTILE_FLAGS));
	register uint64_t rdi __asm__("rdi") = pool;
	register uint64_t rsi __asm__("rsi") = (uint64_t)(uintptr_t)&hostile;
	uint64_t after;
	long got;
	__asm__ volatile("pushfq\n\t"
	                 "orq %[set], (%%rsp)\n\t"
	                 "popfq\n\t"
	                 "syscall\n\t"
	                 "pushfq\n\t"
	                 "popq %[after]\n\t"
	                 "pushfq\n\t"
	                 "andq %[clear], (%%rsp)\n\t"
	                 "popfq"
	                 : "=a"(got), [after] "=&r"(after), "+r"(rdi), "+r"(rsi)
	                 : "0"((uint64_t)SYS_POOL_INFO), [set] "i"(HT_HOSTILE_FLAGS),
	                   [clear] "i"(~(uint64_t)HT_HOSTILE_FLAGS)
	                 : "rcx", "r11", "rdx", "r8", "r9", "r10", "memory");
	if (got < 0)
		return 11;
	if (memcmp(&plain, &hostile, sizeof(plain)) != 0)
		return 12; /* the copy ran backwards, or not at all */
	if ((after & HT_HOSTILE_FLAGS) != HT_HOSTILE_FLAGS)
		return 13; /* SYSRET gives the caller its own flags back */
	return 0;
}

static void expect_exit(const char *role, const char *arg, int code)
{
	struct proc_status st;
	if (!run_child(role, arg, &st))
		return;
	CHECK(st.state == PROC_EXITED && st.code == code,
	      "%s %s: state %u code %d vector %u, want an exit with %d", role, arg, st.state,
	      st.code, st.fault_vector, code);
}

HOLE_TEST(user_rflags_ac)
{
	expect_exit("rflags", "copy", 0);
	if (!ch_test_failed())
		expect_fault("rflags", "fault", 6 /* #UD */);
}

/*
 * Hostile segment registers: "segs <selector>" loads it into DS, ES, FS and GS, then
 * reloads SS with its own value and makes a system call in MOV SS's interrupt shadow,
 * and exits with 42 straight from assembly (FS no longer points at our TLS). A
 * selector the CPU refuses ends the child with #GP; nothing else may happen.
 */
HOLE_CHILD(segs)
{
	uint64_t sel = strtoul(arg, NULL, 0);
	__asm__ volatile("movw %w0, %%ds\n\t"
	                 "movw %w0, %%es\n\t"
	                 "movw %w0, %%fs\n\t"
	                 "movw %w0, %%gs\n\t"
	                 "movw %%ss, %%ax\n\t"
	                 "movw %%ax, %%ss\n\t"
	                 "movl %1, %%eax\n\t"
	                 "syscall\n\t" /* SYS_SELF_CLOCK, in the shadow */
	                 "movl %2, %%eax\n\t"
	                 "xorl %%edi, %%edi\n\t"
	                 "movl $42, %%esi\n\t"
	                 "syscall\n\t"
	                 "ud2" ::"r"(sel),
	                 "i"(SYS_SELF_CLOCK), "i"(SYS_SELF_PROCESS_EXIT)
	                 : "rax", "rcx", "r11", "rdi", "rsi", "memory");
	return 0;
}

HOLE_TEST(user_segment_registers)
{
	/* null (any RPL) and user data load; kernel code and data, the null descriptor
	 * 0x18, the TSS, past the GDT and an LDT selector fault; user code is readable */
	static const char *const sels[] = {"0",    "3",    "0x23", "0x0b", "0x13",  "0x1b",
	                                   "0x2b", "0x33", "0x43", "0x4f", "0xfff7"};
	for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		struct proc_status st;
		if (!run_child("segs", sels[i], &st))
			return;
		int loads = i < 3;
		CHECK((st.state == PROC_EXITED && st.code == 42 && (loads || i == 6)) ||
		          (!loads && st.state == PROC_FAULTED && st.fault_vector == 13),
		      "segs %s: state %u code %d vector %u", sels[i], st.state, st.code,
		      st.fault_vector);
	}
}

/*
 * An LDT in user memory. From reset the LDTR caches base 0 and limit 0xffff, and a
 * kernel that never loads it leaves it so: an LDT selector then takes its descriptor
 * from linear address 8 * index, in the first 64 KiB, which a process may map.
 * "ldt" maps the page at 0x1000 with a user data descriptor at index 0x200 (0x1000)
 * and loads selector 0x1007 (index 0x200, LDT, RPL 3) into DS: on the kernel with
 * the hole the load succeeded (a call gate there would have led into ring 0; with
 * SMAP the CPU's own read of the descriptor faults instead, #PF). The kernel now
 * loads a null LDT on every CPU: the load must fault with #GP. Exit 42: loaded.
 */
HOLE_CHILD(ldt)
{
	(void)arg;
	handle_t mem;
	if (ch_mem_create(ht_pool, 4096, &mem) < 0)
		return 50;
	if (ch_as_map(ht_as, 0x1000, mem, 0, 4096, PROT_READ | PROT_WRITE) < 0)
		return 51; /* then the test proves nothing: it fails */
	*(volatile uint64_t *)(uintptr_t)0x1000 = UINT64_C(0x00cff2000000ffff);
	__asm__ volatile("movw %w0, %%ds\n\t"
	                 "xorl %%edi, %%edi\n\t"
	                 "movl $42, %%esi\n\t"
	                 "movl %1, %%eax\n\t"
	                 "syscall\n\t"
	                 "ud2" ::"r"(0x1007),
	                 "i"(SYS_SELF_PROCESS_EXIT)
	                 : "rax", "rcx", "r11", "rdi", "rsi", "memory");
	return 0;
}

HOLE_TEST(ldt_at_address_zero)
{
	expect_fault("ldt", "-", 13 /* #GP */);
}
