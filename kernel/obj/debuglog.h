/*
 * debuglog.h - OBJ_DEBUG_LOG: the right to write to the kernel log.
 *
 * There is one log object for the whole system (static, never destroyed).
 * Exec receives a capability to it and hands derived copies to programs.
 */
#pragma once
#include <stddef.h>
#include <obj/object.h>

struct kobject *debuglog_object(void);
/* The log is a bare kobject (no structure around it): its downcast checks the type only. */
static inline struct kobject *debuglog_from(struct kobject *obj)
{
	return kobject_expect(obj, OBJ_DEBUG_LOG);
}
/* Write len bytes of text attributed to `who`, line by line. */
void debuglog_write(const char *who, const char *text, size_t len);
/* Let the VM test runner see every line user programs log. */
void debuglog_set_observer(void (*fn)(const char *line, size_t len));
