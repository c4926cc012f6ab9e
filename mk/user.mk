# User-space libraries: the C library (libc.a + crt0.o) and libcharlotte.
#
# Included by the top-level Makefile, or used alone:  make -f mk/user.mk user-libs
#   build/user/crt0.o          _start (link first)
#   build/user/libc.a          the C library (user/lib/libc)
#   build/user/libcharlotte.a  the system library (user/lib/charlotte)
# A program links as:
#   $(USER_CC) $(USER_LDFLAGS) -o prog $(USER_CRT0) prog.o $(USER_LIBCHARLOTTE) $(USER_LIBC) -lgcc
# (libcharlotte before libc: it implements the libc's sys_hooks.h.)

B ?= build
Q ?= @

USER_CC ?= gcc
USER_AR ?= ar
USER_GCC_INC := $(shell $(USER_CC) -print-file-name=include)

# -fno-tree-loop-distribute-patterns: keep GCC from turning memset's own loop into a
# call to memset. User space may use the red zone and SSE (printf's %f does).
USER_CFLAGS := -std=gnu17 -ffreestanding -fno-builtin -nostdlib -nostdinc \
	-fno-stack-protector -fno-pic -static -O2 -g \
	-fno-tree-loop-distribute-patterns \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef \
	-Iuser/lib/libc/include -Iuser/lib -Iinclude -I$(USER_GCC_INC)
USER_LDFLAGS := -static -nostdlib -no-pie

LIBC_SRCS := $(wildcard user/lib/libc/*.c)
LIBC_OBJS := $(patsubst user/lib/%.c,$(B)/user/%.o,$(LIBC_SRCS))
LIBCHARLOTTE_SRCS := $(wildcard user/lib/charlotte/*.c)
LIBCHARLOTTE_OBJS := $(patsubst user/lib/%.c,$(B)/user/%.o,$(LIBCHARLOTTE_SRCS))

USER_CRT0 := $(B)/user/crt0.o
USER_LIBC := $(B)/user/libc.a
USER_LIBCHARLOTTE := $(B)/user/libcharlotte.a

USER_HDRS := $(wildcard user/lib/libc/*.h user/lib/libc/include/*.h \
	user/lib/libc/include/sys/*.h user/lib/charlotte/*.h include/abi/*.h)

$(B)/user/%.o: user/lib/%.c $(USER_HDRS) mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

$(USER_CRT0): user/lib/libc/crt0.S mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

$(USER_LIBC): $(LIBC_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(USER_AR) rcs $@ $^

$(USER_LIBCHARLOTTE): $(LIBCHARLOTTE_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(USER_AR) rcs $@ $^

.PHONY: user-libs
user-libs: $(USER_CRT0) $(USER_LIBC) $(USER_LIBCHARLOTTE)
