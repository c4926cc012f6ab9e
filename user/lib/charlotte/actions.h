/*
 * actions.h - every system call action, from the one list (abi/actions.h): its
 * number, name ("SYS_KBUS_SEND"), libcharlotte wrapper, what its target names,
 * the target's type and rights, and the kind of each argument.
 */
#pragma once
#include <stdint.h>

#include <abi/actions.h>

struct ch_action {
	uint64_t action;
	const char *name;
	const void *wrapper;
	uint32_t target; /* CH_TARGET_*: the caller, an object, a capability, a slot */
	uint32_t type; /* enum obj_type of an object target; OBJ_NONE: any, or none */
	uint64_t rights; /* what the target capability must hold */
	uint64_t args[CH_MAX_ARGS]; /* ARG_* of a0..a4 (CH_ARG_KIND() etc.; 0: unused) */
};

extern const struct ch_action ch_actions[];
extern const unsigned ch_nactions;
/* The row of action, or NULL if there is no such action. */
const struct ch_action *ch_action_find(uint64_t action);
