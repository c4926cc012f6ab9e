# cspace accounting host test (payer callbacks).
test_cap_charge_SRCS := kernel/cap/cspace.c kernel/cap/derive.c kernel/obj/object.c \
	kernel/obj/test_object.c tests/host/cap_host_shim.c tests/host/host_support.c
