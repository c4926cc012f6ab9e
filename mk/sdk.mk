# The SDK: what a program or driver built outside this tree needs, and nothing of the
# kernel's (docs/drivers.md, "Writing a driver outside the tree").
#
#   make sdk                          installs it into $(B)/sdk
#   make install-sdk PREFIX=dir       ... into dir
#
#   <prefix>/include/                 the C library's headers (stdio.h, sys/stat.h, ...)
#   <prefix>/include/charlotte/       libcharlotte's headers (user/lib/charlotte/*.h)
#   <prefix>/include/abi/             the kernel's ABI (include/abi: the only headers
#                                     shared with the kernel)
#   <prefix>/include/shared/          headers of the code libcharlotte and the libc share
#                                     with the kernel (shared/include/shared, less
#                                     ns_resolve.h: the kernel's alone)
#   <prefix>/lib/crt0.o               _start, linked first
#   <prefix>/lib/libc.a, libcharlotte.a
#   <prefix>/share/charlotte/sdk.mk   CHARLOTTE_CC, _CFLAGS, _WARNFLAGS, _LDFLAGS, _CRT0,
#                                     _LIBS: written from mk/user.mk's own variables, so
#                                     a program outside builds as one inside does
#
# There is no linker script: programs link with the toolchain's static layout and
# USER_LDFLAGS, in the tree and outside alike.
#
# The SDK's test (tools/sdk-example.sh, run by the home disk's rule): install into a
# scratch directory outside the tree, compile each installed header alone, copy
# examples/edu-driver there and build it with only the SDK; the driver lands on the
# home disk with its drivers.d manifest (mk/homedisk.mk) and runs at every normal boot.

ifndef SDK_MK_INCLUDED
SDK_MK_INCLUDED := 1

SDK_PREFIX = $(or $(PREFIX),$(B)/sdk)

SDK_HDRS_LIBC := $(wildcard user/lib/libc/include/*.h)
SDK_HDRS_LIBC_SYS := $(wildcard user/lib/libc/include/sys/*.h)
SDK_HDRS_CHARLOTTE := $(wildcard user/lib/charlotte/*.h)
SDK_HDRS_ABI := $(wildcard include/abi/*.h)
SDK_HDRS_ABI_DEV := $(wildcard include/abi/dev/*.h)
SDK_HDRS_SHARED := $(filter-out shared/include/shared/ns_resolve.h,$(wildcard shared/include/shared/*.h))
SDK_HDRS := $(SDK_HDRS_LIBC) $(SDK_HDRS_LIBC_SYS) $(SDK_HDRS_CHARLOTTE) $(SDK_HDRS_ABI) \
	$(SDK_HDRS_ABI_DEV) $(SDK_HDRS_SHARED)

# sdk.mk's link line: mk/user.mk's USER_LIBS with the installed libraries' paths.
SDK_LIBS := $(subst $(USER_LIBCHARLOTTE),$$(CHARLOTTE_SDK)/lib/libcharlotte.a,$(subst $(USER_LIBC),$$(CHARLOTTE_SDK)/lib/libc.a,$(USER_LIBS)))

.PHONY: sdk install-sdk
sdk: install-sdk

install-sdk: $(USER_CRT0) $(USER_LIBC) $(USER_LIBCHARLOTTE) $(SDK_HDRS) mk/sdk.mk mk/user.mk
	$(Q)rm -rf $(SDK_PREFIX)/include $(SDK_PREFIX)/lib $(SDK_PREFIX)/share/charlotte
	$(Q)install -d $(SDK_PREFIX)/include/sys $(SDK_PREFIX)/include/charlotte \
		$(SDK_PREFIX)/include/abi/dev $(SDK_PREFIX)/include/shared \
		$(SDK_PREFIX)/lib $(SDK_PREFIX)/share/charlotte
	$(Q)install -m 644 $(SDK_HDRS_LIBC) $(SDK_PREFIX)/include/
	$(Q)install -m 644 $(SDK_HDRS_LIBC_SYS) $(SDK_PREFIX)/include/sys/
	$(Q)install -m 644 $(SDK_HDRS_CHARLOTTE) $(SDK_PREFIX)/include/charlotte/
	$(Q)install -m 644 $(SDK_HDRS_ABI) $(SDK_PREFIX)/include/abi/
	$(Q)install -m 644 $(SDK_HDRS_ABI_DEV) $(SDK_PREFIX)/include/abi/dev/
	$(Q)install -m 644 $(SDK_HDRS_SHARED) $(SDK_PREFIX)/include/shared/
	$(Q)install -m 644 $(USER_CRT0) $(USER_LIBC) $(USER_LIBCHARLOTTE) $(SDK_PREFIX)/lib/
	$(Q){ \
	echo '# sdk.mk - build CharlotteOS programs with the SDK installed around this file.'; \
	echo '# Written by `make sdk` from the tree'"'"'s mk/user.mk. Use:'; \
	echo '#   include <prefix>/share/charlotte/sdk.mk'; \
	echo '#   %.o: %.c ; $$(CHARLOTTE_CC) $$(CHARLOTTE_CFLAGS) $$(CHARLOTTE_WARNFLAGS) -c -o $$@ $$<'; \
	echo '#   prog: prog.o ; $$(CHARLOTTE_CC) $$(CHARLOTTE_LDFLAGS) -o $$@ $$(CHARLOTTE_CRT0) $$^ $$(CHARLOTTE_LIBS)'; \
	echo '# (docs/drivers.md in the CharlotteOS tree, "Writing a driver outside the tree")'; \
	echo 'CHARLOTTE_SDK := $$(abspath $$(dir $$(lastword $$(MAKEFILE_LIST)))../..)'; \
	echo 'CHARLOTTE_CC ?= $(USER_CC)'; \
	echo 'CHARLOTTE_CFLAGS := $(USER_CODE_FLAGS) -I$$(CHARLOTTE_SDK)/include -I$$(shell $$(CHARLOTTE_CC) -print-file-name=include)'; \
	echo 'CHARLOTTE_WARNFLAGS := $(USER_WARN_FLAGS)'; \
	echo 'CHARLOTTE_LDFLAGS := $(USER_LDFLAGS)'; \
	echo 'CHARLOTTE_CRT0 := $$(CHARLOTTE_SDK)/lib/crt0.o'; \
	echo 'CHARLOTTE_LIBS := $(SDK_LIBS)'; \
	} >$(SDK_PREFIX)/share/charlotte/sdk.mk
	@echo "SDK installed in $(SDK_PREFIX)"

# The example of docs/drivers.md, built outside the tree with only the SDK.
SDK_EXAMPLE := $(B)/sdk-example/edu-driver
$(SDK_EXAMPLE): $(USER_CRT0) $(USER_LIBC) $(USER_LIBCHARLOTTE) $(SDK_HDRS) \
		$(wildcard examples/edu-driver/*) mk/sdk.mk mk/user.mk tools/sdk-example.sh
	@mkdir -p $(@D)
	$(Q)B=$(B) MAKE=$(MAKE) tools/sdk-example.sh examples/edu-driver $@

endif # SDK_MK_INCLUDED
