# The everyday tools (docs/tools.md): each user/tools/<name>.c is a program of its
# own, build/initrd/bin/<name>, linked with the tools' shared code user/tools/lib/*.c.
#
# Included by mk/user.mk (which leaves user/tools out of its one-program-per-directory
# rule). The initrd gets each tool without its symbols and debug sections (about 60 KiB
# instead of 250 KiB: forty tools would otherwise add 10 MiB to the initrd); the linked program
# with them stays in $(B)/user/tools/<name>.elf for gdb and addr2line.

TOOL_SRCS := $(wildcard user/tools/*.c)
TOOL_NAMES := $(sort $(notdir $(basename $(TOOL_SRCS))))
TOOL_LIB_OBJS := $(patsubst user/%.c,$(B)/user/prog/%.o,$(wildcard user/tools/lib/*.c))
TOOL_LIB := $(B)/user/tools/libtools.a
TOOL_BINS := $(addprefix $(B)/initrd/bin/,$(TOOL_NAMES))
TOOL_HDRS := $(wildcard user/tools/lib/*.h)

$(B)/user/prog/tools/%.o: user/tools/%.c $(USER_HDRS) $(TOOL_HDRS) mk/user.mk mk/tools.mk
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c -o $@ $<

# an archive, so that each tool links only the shared code it uses
$(TOOL_LIB): $(TOOL_LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(USER_AR) rcs $@ $^

$(B)/user/tools/%.elf: $(USER_CRT0) $(B)/user/prog/tools/%.o $(TOOL_LIB) $(USER_LIBCHARLOTTE) $(USER_LIBC)
	@mkdir -p $(@D)
	$(Q)$(USER_CC) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $(B)/user/prog/tools/$*.o $(TOOL_LIB) $(USER_LIBS)

$(TOOL_BINS): $(B)/initrd/bin/%: $(B)/user/tools/%.elf
	@mkdir -p $(@D)
	$(Q)objcopy --strip-all $< $@

# kept (not intermediate): relinking every tool after a change to one is enough work
.SECONDARY: $(patsubst %,$(B)/user/prog/tools/%.o,$(TOOL_NAMES)) \
	$(patsubst %,$(B)/user/tools/%.elf,$(TOOL_NAMES)) $(TOOL_LIB_OBJS)

.PHONY: tools
tools: $(TOOL_BINS)
