# mm/vmm.c, the generic half of paging, over a fake architecture (tests/host/shim/arch/mmu.h).
test_vmm_SRCS := kernel/mm/vmm.c
