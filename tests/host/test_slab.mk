test_slab_SRCS := kernel/mm/slab.c kernel/mm/kmalloc.c tests/host/host_support.c
