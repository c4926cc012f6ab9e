/*
 * test_object.c - OBJ_TEST: allocation and destruction of the test object.
 */
#include <obj/test_object.h>

#include <abi/errors.h>
#include <lib/compiler.h>
#include <mm/kmalloc.h>

static void test_object_destroy(struct kobject *obj)
{
	kfree(test_object_from(obj));
}

static const struct kobject_ops test_object_ops = {
    .destroy = test_object_destroy,
};

int test_object_create(uint64_t value, struct test_object **out)
{
	struct test_object *t = kzalloc(sizeof(*t));
	if (!t)
		return ERR_NO_MEMORY;
	kobject_init(&t->base, OBJ_TEST, &test_object_ops);
	t->value = value;
	*out = t;
	return 0;
}

struct test_object *test_object_from(struct kobject *obj)
{
	return KOBJECT_CAST(obj, OBJ_TEST, struct test_object, base);
}
