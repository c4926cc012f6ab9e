# Capability subsystem host test: cspaces, derivation, revocation, kobjects.
test_cap_SRCS := tests/host/cap_stress.c kernel/cap/cspace.c kernel/cap/derive.c kernel/obj/object.c \
	kernel/obj/test_object.c tests/host/cap_host_shim.c tests/host/host_support.c
# Small drop batches, so the stress tests' drops span several holds of the tree lock.
test_cap_CFLAGS := -DCAP_DROP_BATCH=4u
