/*
 * cpufeatures.c - CPUID probing, CR4 feature bits, XSAVE/FXSAVE areas and
 * the SYSCALL MSRs.
 */
#include <arch/cpufeatures.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/msr.h>
#include <lib/log.h>
#include <lib/string.h>
#include <mm/slab.h>

#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP (1u << 11)
#define CR4_OSXSAVE (1u << 18)
#define CR4_SMEP (1u << 20)
#define CR4_SMAP (1u << 21)

/* The power-on PAT (WB, WT, UC-, UC, twice) with entry 1 write-combining (0x01). */
#define PAT_WITH_WC 0x0007040600070106ull

uint8_t cpu_has_smap;
bool arch_virtual_cpus;
bool cpu_has_smep, cpu_has_xsave, cpu_has_pat;
uint32_t fpu_area_size = 512;
uint64_t fpu_xcr0; /* the XSAVE feature mask in use (fpu_save/fpu_restore) */
static uint8_t clean_area[4096] __attribute__((aligned(64)));
static struct slab_cache *fpu_cache;

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" ::"c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void cpu_features_init(bool bsp)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	uint32_t max_leaf = a;
	cpuid(1, 0, &a, &b, &c, &d);
	bool xsave = (c >> 26) & 1;
	bool hypervisor = (c >> 31) & 1;
	bool pat = (d >> 16) & 1;
	if (pat) /* PA1 (PWT alone, which nothing else uses) becomes write-combining */
		wrmsr(MSR_PAT, PAT_WITH_WC);
	bool mce = (d >> 7) & 1;
	bool smep = false, smap = false, umip = false;
	if (max_leaf >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		smep = (b >> 7) & 1;
		smap = (b >> 20) & 1;
		umip = (c >> 2) & 1;
	}
	uint64_t cr0 = read_cr0();
	cr0 &= ~(1ull << 2); /* EM off */
	cr0 &= ~(CR0_CD | CR0_NW); /* caches on (the AP trampoline already did) */
	cr0 |= 1ull << 1; /* MP */
	write_cr0(cr0);
	/*
	 * CR4 from a known set on every CPU, not whatever the firmware left on the
	 * boot CPU (OVMF leaves DE and MCE; an AP starts from INIT with none): only
	 * PAE and PGE (boot.S, the AP trampoline, arch_mmu_init_cpu()) are kept.
	 * MCE: a machine check reaches the panic report instead of shutting the
	 * machine down. UMIP: SGDT, SIDT, SLDT, SMSW and STR fault in user mode, so
	 * no program reads where the kernel keeps its tables.
	 */
	uint64_t cr4 = (read_cr4() & (CR4_PAE | CR4_PGE)) | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (mce)
		cr4 |= CR4_MCE;
	if (umip)
		cr4 |= CR4_UMIP;
	if (smep)
		cr4 |= CR4_SMEP;
	if (smap)
		cr4 |= CR4_SMAP;
	if (xsave)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	if (xsave) {
		cpuid(0xd, 0, &a, &b, &c, &d);
		uint64_t supported = ((uint64_t)d << 32) | a;
		/* x87, SSE, AVX, and AVX-512 (opmask, hi256, hi16) when all are there */
		uint64_t want = supported & 0x7;
		if ((supported & 0xe0) == 0xe0)
			want |= 0xe0;
		xsetbv(0, want);
		cpuid(0xd, 0, &a, &b, &c, &d);
		if (bsp) {
			fpu_xcr0 = want;
			fpu_area_size = (b + 63) & ~63u;
		}
	}
	if (bsp)
		cpu_has_pat = pat;
	if (bsp && hypervisor) {
		/* virtual CPUs the host may not be running: unfair spinlocks */
		arch_virtual_cpus = true;
		char vendor[13] = "";
		cpuid(0x40000000, 0, &a, &b, &c, &d);
		memcpy(vendor, &b, 4);
		memcpy(vendor + 4, &c, 4);
		memcpy(vendor + 8, &d, 4);
		for (int i = 0; i < 12; i++)
			if (vendor[i] && (vendor[i] < 0x20 || vendor[i] > 0x7e))
				vendor[i] = '?';
		pr_info("cpu: under a hypervisor (\"%s\"): spinlocks take turns by test-and-set",
		        vendor);
	}
	if (bsp) {
		cpu_has_smep = smep;
		cpu_has_smap = smap;
		cpu_has_xsave = xsave;
		if (fpu_area_size > sizeof(clean_area)) {
			cpu_has_xsave = false; /* absurd size: fall back to FXSAVE */
			fpu_area_size = 512;
		}
		/* a clean area: default x87/SSE control words (fninit state) */
		__asm__ volatile("fninit");
		uint32_t mxcsr = 0x1f80;
		__asm__ volatile("ldmxcsr %0" ::"m"(mxcsr));
		fpu_save((struct fpu_area *)clean_area);
		fpu_cache = slab_cache_create("fpu", fpu_area_size, 64);
		pr_info("cpu: SMEP %s, SMAP %s, UMIP %s, %s (xcr0 0x%llx, %u-byte FPU areas)",
		        smep ? "on" : "absent", smap ? "on" : "absent", umip ? "on" : "absent",
		        cpu_has_xsave ? "XSAVE" : "FXSAVE", (unsigned long long)fpu_xcr0,
		        fpu_area_size);
	}
}

struct fpu_area *fpu_area_alloc(void)
{
	struct fpu_area *p = fpu_cache ? slab_alloc(fpu_cache) : NULL;
	if (p)
		memcpy(p, clean_area, fpu_area_size);
	return p;
}

void fpu_area_free(struct fpu_area *area)
{
	if (area)
		slab_free(fpu_cache, area);
}

void syscall_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); /* SCE */
	/* SYSCALL: CS = 0x08, SS = 0x10; SYSRET: CS = 0x18 + 16 = 0x28, SS = 0x18 + 8 = 0x20 */
	wrmsr(MSR_STAR, ((uint64_t)(SEL_UCODE32 | 3) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* compatibility-mode SYSCALL (AMD, TCG): refused with #UD, see syscall.S */
	wrmsr(MSR_CSTAR, (uint64_t)syscall_compat_entry);
	/* clear IF, TF, DF, AC, NT on entry */
	wrmsr(MSR_FMASK, (1u << 9) | (1u << 8) | (1u << 10) | (1u << 18) | (1u << 14));
}
