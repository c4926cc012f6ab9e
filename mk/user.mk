# User space: the C library (libc.a + crt0.o), libcharlotte, and the programs.
#
# Included by the top-level Makefile (or by mk/initrd.mk when the Makefile does not),
# or used alone:  make -f mk/user.mk user-libs user-progs
#   build/user/crt0.o          _start (link first)
#   build/user/libc.a          the C library (user/lib/libc, plus the printf core
#                              shared/fmt.c)
#   build/user/libcharlotte.a  the system library (user/lib/charlotte, plus the
#                              ustar reader and ELF loader shared/ustar.c, shared/elf.c,
#                              the virtqueue and device rings shared/virtio.c,
#                              devring.c, blkring.c, netring.c, the input keymaps inputmap.c,
#                              the generated tables of charlotte/wcwidth.c, mk/unicode.mk)
#   build/initrd/bin/<name>    one program per directory user/<name>/ (all its .c files)
#                              and per driver directory user/drivers/<name>/
# A program links as:
#   $(USER_CC) $(USER_LDFLAGS) -o prog $(USER_CRT0) prog.o \
#       -Wl,--start-group $(USER_LIBCHARLOTTE) $(USER_LIBC) -Wl,--end-group -lgcc
# (a group: libcharlotte implements the libc's sys_hooks.h and uses the libc's string
# functions, so each needs the other).
#
# Adding a program: create user/<name>/<name>.c with a main(); it is built into
# build/initrd/bin/<name> and packed into the initrd. docs/userspace.md has more.

ifndef USER_MK_INCLUDED
USER_MK_INCLUDED := 1

B ?= build
Q ?= @

USER_CC ?= gcc
USER_AR ?= ar
USER_GCC_INC := $(shell $(USER_CC) -print-file-name=include)

# -fno-tree-loop-distribute-patterns: keep GCC from turning memset's own loop into a
# call to memset. User space may use the red zone and SSE (printf's %f does).
# The code generation and warning flags are also what the SDK's sdk.mk sets for
# programs built outside the tree (mk/sdk.mk writes them there), so they cannot drift.
USER_CODE_FLAGS := -std=gnu17 -ffreestanding -fno-builtin -nostdlib -nostdinc \
	-fno-stack-protector -fno-pic -static -O2 -g \
	-fno-tree-loop-distribute-patterns
USER_WARN_FLAGS := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wundef
USER_CFLAGS := $(USER_CODE_FLAGS) $(USER_WARN_FLAGS) \
	-Iuser/lib/libc/include -Iuser/lib -Iinclude -Ishared/include -I$(USER_GCC_INC)
USER_LDFLAGS := -static -nostdlib -no-pie -Wl,-z,noexecstack -Wl,-z,separate-code \
	-Wl,-z,max-page-size=4096 -Wl,--build-id=none

# The code shared with the kernel (shared/*.c) is built here once with the user
# flags, into the library that uses it.
LIBC_SRCS := $(wildcard user/lib/libc/*.c)
LIBC_ASM := $(filter-out user/lib/libc/crt0.S,$(wildcard user/lib/libc/*.S))
LIBC_OBJS := $(patsubst user/lib/%.c,$(B)/user/%.o,$(LIBC_SRCS)) \
	$(patsubst user/lib/%.S,$(B)/user/%.o,$(LIBC_ASM)) $(B)/user/shared/fmt.o
LIBCHARLOTTE_SRCS := $(wildcard user/lib/charlotte/*.c)
LIBCHARLOTTE_ASM := $(wildcard user/lib/charlotte/*.S)
LIBCHARLOTTE_OBJS := $(patsubst user/lib/%.c,$(B)/user/%.o,$(LIBCHARLOTTE_SRCS)) \
	$(patsubst user/lib/%.S,$(B)/user/%.o,$(LIBCHARLOTTE_ASM)) \
	$(B)/user/shared/ustar.o $(B)/user/shared/elf.o $(B)/user/shared/ns_uri.o \
	$(B)/user/shared/virtio.o $(B)/user/shared/devring.o $(B)/user/shared/blkring.o \
	$(B)/user/shared/pciids.o $(B)/user/shared/inputmap.o $(B)/user/shared/netring.o \
	$(B)/user/shared/cmos.o $(B)/user/gen/wcwidth_table.o

USER_CRT0 := $(B)/user/crt0.o
USER_LIBC := $(B)/user/libc.a
USER_LIBCHARLOTTE := $(B)/user/libcharlotte.a
USER_LIBS := -Wl,--start-group $(USER_LIBCHARLOTTE) $(USER_LIBC) -Wl,--end-group -lgcc

USER_HDRS := $(wildcard user/lib/libc/*.h user/lib/libc/include/*.h \
	user/lib/libc/include/sys/*.h user/lib/charlotte/*.h shared/include/shared/*.h \
	include/abi/*.h include/abi/dev/*.h)

$(B)/user/libc/%.o: user/lib/libc/%.c $(USER_HDRS) mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

$(B)/user/libc/%.o: user/lib/libc/%.S mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

$(B)/user/charlotte/%.o: user/lib/charlotte/%.c $(USER_HDRS) mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

$(B)/user/charlotte/%.o: user/lib/charlotte/%.S mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

$(B)/user/shared/%.o: shared/%.c $(USER_HDRS) mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

# Generated sources (mk/unicode.mk).
include mk/unicode.mk
$(B)/user/gen/%.o: $(B)/gen/%.c $(USER_HDRS) mk/user.mk
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

# --- Programs: user/<name>/*.c -> build/initrd/bin/<name> ---
# Drivers live one level down, user/drivers/<name>/*.c, and land in bin/ alike; the tools
# are one program per file (user/tools/<name>.c, mk/tools.mk).
USER_PROGS := $(sort $(filter-out lib drivers tools,$(notdir $(patsubst %/,%,$(dir $(wildcard user/*/*.c))))))
USER_DRIVERS := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard user/drivers/*/*.c)))))
USER_PROG_BINS := $(addprefix $(B)/initrd/bin/,$(USER_PROGS) $(USER_DRIVERS))
# The tools, one program per file of user/tools/ (mk/tools.mk).
include mk/tools.mk
USER_PROG_BINS += $(TOOL_BINS)

# Program sources see their own directory's headers.
$(B)/user/prog/%.o: user/%.c $(USER_HDRS) $(wildcard user/*/*.h user/fsd/ext2/*.h bench/*.h) mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

# A program's sources: its directory's .c files, and those of the subdirectories it
# names in USER_PROG_SUBDIRS_<name> (fsd: its ext2 engine, user/fsd/ext2/).
USER_PROG_SUBDIRS_fsd := ext2
user_prog_srcs = $(wildcard user/$(1)/*.c $(foreach d,$(USER_PROG_SUBDIRS_$(1)),user/$(1)/$(d)/*.c))

define user_prog_rule
$(B)/initrd/bin/$(1): $(USER_CRT0) $(patsubst user/%.c,$(B)/user/prog/%.o,$(call user_prog_srcs,$(1))) $(USER_LIBCHARLOTTE) $(USER_LIBC)
	@mkdir -p $$(@D)
	$$(Q)$$(USER_CC) $$(USER_LDFLAGS) -o $$@ $(USER_CRT0) $(patsubst user/%.c,$(B)/user/prog/%.o,$(call user_prog_srcs,$(1))) $$(USER_LIBS)
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_prog_rule,$(p))))

$(B)/user/prog/drivers/%.o: user/drivers/%.c $(USER_HDRS) $(wildcard user/drivers/*/*.h) mk/user.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

define user_driver_rule
$(B)/initrd/bin/$(1): $(USER_CRT0) $(patsubst user/%.c,$(B)/user/prog/%.o,$(wildcard user/drivers/$(1)/*.c)) $(USER_LIBCHARLOTTE) $(USER_LIBC)
	@mkdir -p $$(@D)
	$$(Q)$$(USER_CC) $$(USER_LDFLAGS) -o $$@ $(USER_CRT0) $(patsubst user/%.c,$(B)/user/prog/%.o,$(wildcard user/drivers/$(1)/*.c)) $$(USER_LIBS)
endef
$(foreach p,$(USER_DRIVERS),$(eval $(call user_driver_rule,$(p))))

.PHONY: user-libs user-progs
user-libs: $(USER_CRT0) $(USER_LIBC) $(USER_LIBCHARLOTTE)
user-progs: $(USER_PROG_BINS)

endif # USER_MK_INCLUDED
