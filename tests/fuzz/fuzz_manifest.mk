# Charlotte Exec's manifest parser (user/exec/manifest.c).
fuzz_manifest_SRCS := user/exec/manifest.c
fuzz_manifest_CFLAGS := -Iuser/exec
# Seeds: the manifests the initrd really carries, and the SDK example's drivers.d
# line (docs/drivers.md), besides the checked-in corpus.
FUZZ_MANIFEST_REAL := $(wildcard initrd/etc/*.manifest)
fuzz_manifest_SEEDS := $(patsubst initrd/etc/%,$(B)/fuzz/seeds/fuzz_manifest/%,$(FUZZ_MANIFEST_REAL)) \
	$(B)/fuzz/seeds/fuzz_manifest/example-edu.manifest
$(B)/fuzz/seeds/fuzz_manifest/example-edu.manifest: examples/edu-driver/edu.manifest
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(B)/fuzz/seeds/fuzz_manifest/%.manifest: initrd/etc/%.manifest
	@mkdir -p $(@D)
	$(Q)cp $< $@
