/*
 * test_object.h - OBJ_TEST, a trivial kernel object for tests (test kernel and
 * host tests only; its type is kernel-internal, obj/object.h, not in the ABI).
 *
 * Holds one counter and nothing else; exists so capability tests (host and
 * VM) have a real object to point at before the real object types arrive.
 */
#pragma once
#include <stdint.h>
#include <obj/object.h>

struct test_object {
	struct kobject base;
	uint64_t value; /* set by the creator; tests may use it freely */
};

/*
 * Create a test object with one reference owned by the caller (put it with
 * kobject_put(&obj->base)). Returns 0 or ERR_NO_MEMORY.
 */
int test_object_create(uint64_t value, struct test_object **out);

/* The test_object obj is (obj must be an OBJ_TEST: KOBJECT_CAST). */
struct test_object *test_object_from(struct kobject *obj);
