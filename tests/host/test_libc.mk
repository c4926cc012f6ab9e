# Host test of the user-space C library (user/lib/libc, with the printf core shared/fmt.c).
#
# The libc defines malloc, printf, strlen ... which clash with the host's, so it cannot
# be compiled into the test as it is. Instead its sources are built freestanding (with
# its own headers, as in mk/user.mk, plus ASan/UBSan), linked into one relocatable
# object, and every global symbol it defines - and the hooks and main it uses - gets
# the prefix cl_ (objcopy --redefine-syms). The test then calls cl_snprintf, cl_malloc,
# cl_strtol ... side by side with the host's versions, and implements cl___libc_write,
# cl___libc_morecore, cl___libc_exit, cl___libc_clock_ns and cl___libc_clock_set itself
# (libc_hooks.c), and the
# namespace hooks over a fake file system (libc_ns_fake.c, with the real shared/ns_uri.c),
# the stream hooks over a fake message bus (libc_stream_fake.c), the futex and
# thread hooks over the host's futexes and threads (libc_thread_fake.c), and the
# mapping hooks over the host's mmap (libc_mem_fake.c).

test_libc_RULE := custom

TEST_LIBC_DIR := $(B)/host/test_libc.d
TEST_LIBC_SRCS := $(wildcard user/lib/libc/*.c)
TEST_LIBC_ASM := $(filter-out user/lib/libc/crt0.S,$(wildcard user/lib/libc/*.S))
TEST_LIBC_OBJS := $(patsubst user/lib/libc/%.c,$(TEST_LIBC_DIR)/%.o,$(TEST_LIBC_SRCS)) \
	$(patsubst user/lib/libc/%.S,$(TEST_LIBC_DIR)/%.o,$(TEST_LIBC_ASM)) \
	$(TEST_LIBC_DIR)/shared/fmt.o
TEST_LIBC_HOOKS := __libc_write __libc_morecore __libc_exit __libc_clock_ns __libc_clock_set main \
	__libc_ns_parse __libc_ns_root __libc_ns_open __libc_ns_close __libc_ns_stat __libc_ns_list \
	__libc_ns_stat_at __libc_ns_read __libc_ns_write __libc_ns_truncate __libc_ns_setattr __libc_ns_unlink __libc_ns_rename \
	__libc_handle __libc_handle_type __libc_stream_recv __libc_stream_send __libc_pipe __libc_term \
	__libc_futex_wait __libc_futex_wake __libc_thread_start __libc_thread_wait \
	__libc_thread_release __libc_thread_exit __libc_map __libc_unmap __libc_protect
TEST_LIBC_CFLAGS := -std=gnu17 -g -O1 -ffreestanding -fno-builtin -nostdinc \
	-fno-tree-loop-distribute-patterns -fno-stack-protector \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-Iuser/lib/libc/include -Iinclude -Ishared/include -I$(shell $(HOST_CC) -print-file-name=include)
TEST_LIBC_HDRS := $(wildcard user/lib/libc/*.h user/lib/libc/include/*.h \
	user/lib/libc/include/sys/*.h) shared/include/shared/fmt.h include/abi/errors.h \
	include/abi/ns.h include/abi/handle.h include/abi/rights.h include/abi/term.h \
	include/abi/kbus.h

$(TEST_LIBC_DIR)/%.o: user/lib/libc/%.c $(TEST_LIBC_HDRS) tests/host/test_libc.mk
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(TEST_LIBC_CFLAGS) -c -o $@ $<

# mem.S (plain x86-64 System V code) is assembled for the host as it is.
$(TEST_LIBC_DIR)/%.o: user/lib/libc/%.S tests/host/test_libc.mk
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -c -o $@ $<

$(TEST_LIBC_DIR)/shared/%.o: shared/%.c $(TEST_LIBC_HDRS) tests/host/test_libc.mk
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(TEST_LIBC_CFLAGS) -c -o $@ $<

# One object with every libc symbol (and the hooks) renamed to cl_<name>.
$(TEST_LIBC_DIR)/libc_cl.o: $(TEST_LIBC_OBJS)
	$(Q)ld -r -o $(TEST_LIBC_DIR)/libc_all.o $^
	$(Q){ nm --defined-only -g $(TEST_LIBC_DIR)/libc_all.o | awk '{print $$3}' | \
		grep -v -e '^__asan' -e '^__odr_asan' -e '^__ubsan'; \
		for s in $(TEST_LIBC_HOOKS); do echo $$s; done; } | \
		awk '{print $$1 " cl_" $$1}' > $(TEST_LIBC_DIR)/rename.txt
	$(Q)objcopy --redefine-syms=$(TEST_LIBC_DIR)/rename.txt $(TEST_LIBC_DIR)/libc_all.o $@

TEST_LIBC_FAKES := tests/host/libc_hooks.c tests/host/libc_ns_fake.c tests/host/libc_stream_fake.c \
	tests/host/libc_thread_fake.c tests/host/libc_mem_fake.c shared/ns_uri.c

$(B)/host/test_libc $(B)/host/test_libc_stdlib $(B)/host/test_libc_files \
		$(B)/host/test_libc_streams $(B)/host/test_libc_pthread: $(B)/host/%: \
		tests/host/%.c $(TEST_LIBC_FAKES) tests/host/libc_cl.h $(TEST_LIBC_DIR)/libc_cl.o \
		tests/host/test_libc.mk
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ tests/host/$*.c $(TEST_LIBC_FAKES) \
		$(TEST_LIBC_DIR)/libc_cl.o $(HOST_LDFLAGS)
