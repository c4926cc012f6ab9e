# Host fuzz targets: libFuzzer, with ASan and UBSan, over the real sources of every
# parser that takes outside input (docs/testing.md, "Fuzz targets").
#
# Convention: tests/fuzz/fuzz_<name>.c plus tests/fuzz/fuzz_<name>.mk, which sets
#   fuzz_<name>_SRCS   := shared/ns_uri.c ...    (sources under test)
#   fuzz_<name>_CFLAGS := ...                    (optional extra flags)
#   fuzz_<name>_SEEDS  := $(B)/fuzz/seeds/...    (optional: seeds made at build time,
#                                                  with the .mk's own rule for them)
# Each becomes $(B)/fuzz/fuzz_<name>. Its seed corpus is tests/fuzz/corpus/fuzz_<name>/
# (small files, checked in) plus $(B)/fuzz/seeds/fuzz_<name>/ (generated).
#
#   make fuzz                 bin/sysfuzz on the coverage kernel (mk/sysfuzz.mk), then
#                             build every target, run each for FUZZ_SECONDS (60) with its
#                             corpus; crashes land in $(B)/fuzz/crashes/<target>/
#   make fuzz FUZZ_TARGETS=fuzz_uri FUZZ_SECONDS=600    one target, longer
#   make fuzz-build           only build (host-tests-build, and so `make test`, does too;
#                             tools/run-tests.sh runs each for FUZZ_RUNS inputs)

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu17 -g -O1 -Wall -Wextra -Werror -Wstrict-prototypes -Wundef \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -DHOST_TEST -Iinclude -Ishared/include -Itests/fuzz

FUZZ_MKS := $(wildcard tests/fuzz/fuzz_*.mk)
FUZZ_ALL := $(patsubst tests/fuzz/%.mk,%,$(FUZZ_MKS))
include $(FUZZ_MKS)
FUZZ_BINS := $(addprefix $(B)/fuzz/,$(FUZZ_ALL))
FUZZ_SEEDS := $(foreach t,$(FUZZ_ALL),$($(t)_SEEDS))

define fuzz_rule
$(B)/fuzz/$(1): tests/fuzz/$(1).c $$($(1)_SRCS) tests/fuzz/fuzz.h tests/fuzz/$(1).mk \
		$$(wildcard include/abi/*.h) $$(wildcard shared/include/shared/*.h)
	@mkdir -p $$(@D)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$($(1)_CFLAGS) -o $$@ tests/fuzz/$(1).c $$($(1)_SRCS)
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_rule,$(t))))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDS)
host-tests-build: fuzz-build

# `make fuzz`: bin/sysfuzz on the coverage kernel first (mk/sysfuzz.mk), then the host
# targets; both run whatever the first says, and it fails if either failed.
fuzz:
	$(Q)tools/deps.sh fuzz
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)st=0; $(MAKE) --no-print-directory sysfuzz || st=1; \
	B=$(B) tools/fuzz.sh --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS) || st=1; \
	if [ $$st = 0 ]; then echo "make fuzz: PASS"; else echo "make fuzz: FAIL"; fi; exit $$st
