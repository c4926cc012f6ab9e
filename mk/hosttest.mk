# Host unit tests: cmocka, ASan + UBSan, compiling real kernel/user/shared sources.
#
# Convention: tests/host/test_<name>.c plus tests/host/test_<name>.mk, which sets
#   test_<name>_SRCS   := kernel/mm/buddy.c ...     (sources under test)
#   test_<name>_CFLAGS := ...                       (optional extra flags)
# and may add its own rules for unusual cases. Each becomes build/host/test_<name>
# and is run by tools/run-tests.sh with cmocka's TAP output.

HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu17 -g -O1 -Wall -Wextra -Werror -Wstrict-prototypes -Wundef \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-DHOST_TEST -Itests/host/shim -Ikernel -Iinclude -Ishared/include -Itests/host
HOST_LDFLAGS := -fsanitize=address,undefined -lcmocka -lpthread

HOST_TEST_MKS := $(wildcard tests/host/test_*.mk)
HOST_TESTS := $(patsubst tests/host/%.mk,%,$(HOST_TEST_MKS))
include $(HOST_TEST_MKS)

HOST_TEST_BINS := $(addprefix $(B)/host/,$(HOST_TESTS))

define host_test_rule
$(B)/host/$(1): tests/host/$(1).c $$($(1)_SRCS) $$(wildcard tests/host/*.h) $$(wildcard kernel/*/*.h) $$(wildcard include/abi/*.h) $$(wildcard shared/include/shared/*.h) tests/host/$(1).mk
	@mkdir -p $$(@D)
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) $$($(1)_CFLAGS) -o $$@ tests/host/$(1).c $$($(1)_SRCS) $$(HOST_LDFLAGS)
endef
$(foreach t,$(HOST_TESTS),$(if $(filter custom,$($(t)_RULE)),,$(eval $(call host_test_rule,$(t)))))

.PHONY: host-tests-build host-tests
host-tests-build: $(HOST_TEST_BINS)
host-tests: host-tests-build
	$(Q)tools/run-tests.sh --host-only
