/*
 * actions.h - every system call action, from the one list (abi/actions.h): its
 * number, name ("SYS_KBUS_SEND"), libcharlotte wrapper, target type and rights.
 */
#pragma once
#include <stdint.h>

#include <abi/actions.h>

struct ch_action {
	uint64_t action;
	const char *name;
	const void *wrapper;
	uint32_t type; /* enum obj_type of the target; OBJ_NONE: the caller, or any */
	uint64_t rights; /* what the target capability must hold */
};

extern const struct ch_action ch_actions[];
extern const unsigned ch_nactions;
/* The row of action, or NULL if there is no such action. */
const struct ch_action *ch_action_find(uint64_t action);
