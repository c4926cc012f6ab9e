# The kernel's decoding of a sent kbus message's capabilities (kernel/kbus/transfer.c:
# decode(), the cycle rule, copies and moves in flight, delivery, every undo) over the
# real capability layer on the host heap; the answers checked against a model.
fuzz_transfer_SRCS := kernel/kbus/transfer.c kernel/cap/cspace.c kernel/cap/derive.c \
	kernel/obj/object.c kernel/obj/test_object.c tests/host/cap_host_shim.c
fuzz_transfer_CFLAGS := -Itests/host/shim -Ikernel -Itests/host
$(B)/fuzz/fuzz_transfer: kernel/kbus/kbus_internal.h kernel/kbus/kbus.h kernel/cap/cap.h
# Binary seeds: the target writes them itself (FUZZ_WRITE_SEEDS), in its own format.
fuzz_transfer_SEEDS := $(B)/fuzz/seeds/fuzz_transfer/move_copy
$(fuzz_transfer_SEEDS): $(B)/fuzz/fuzz_transfer
	@mkdir -p $(@D)
	$(Q)FUZZ_WRITE_SEEDS=$(@D) $<
