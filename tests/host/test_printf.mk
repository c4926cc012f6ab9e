# The kernel's front end (kernel/lib/printf.c) over the shared printf core.
test_printf_SRCS := kernel/lib/printf.c shared/fmt.c tests/host/host_support.c
