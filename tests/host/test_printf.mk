test_printf_SRCS := kernel/lib/printf.c tests/host/host_support.c
