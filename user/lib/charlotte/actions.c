/*
 * actions.c - libcharlotte has a wrapper for every action of abi/actions.h.
 *
 * The table below names each row's wrapper, so a row added without one does
 * not build; sysfuzz and tests can also find an action's wrapper and name here.
 */
#include <charlotte/actions.h>

#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/ns.h>
#include <charlotte/sched.h>
#include <charlotte/syscall.h>

#define ACTION_ENTRY(action, name, wrapper, target, type, rights, args) \
	{action, #action, (const void *)&wrapper, CH_TARGET_##target,   \
	 type,   rights,  CH_ARGS_ARRAY(args)},
const struct ch_action ch_actions[] = {CH_ACTIONS(ACTION_ENTRY) CH_FAST_ACTIONS(ACTION_ENTRY)};
#undef ACTION_ENTRY
const unsigned ch_nactions = sizeof(ch_actions) / sizeof(ch_actions[0]);

const struct ch_action *ch_action_find(uint64_t action)
{
	for (unsigned i = 0; i < ch_nactions; i++)
		if (ch_actions[i].action == action)
			return &ch_actions[i];
	return NULL;
}
