/*
 * debuglog.h - OBJ_DEBUG_LOG: the kernel log and the console's serial line.
 *
 * There is one log object for the whole system (static, never destroyed).
 * Exec receives a capability to it and hands derived copies to programs:
 * RIGHT_WRITE writes log lines (SYS_LOG_WRITE), RIGHT_READ reads the history
 * (SYS_LOG_HISTORY, lib/log.h), RIGHT_MANAGE reads what is typed on the serial
 * console and writes raw bytes to it (SYS_LOG_READ, SYS_LOG_RAW_WRITE: the
 * console service's), RIGHT_WAIT lets a waitset watch for input.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <obj/object.h>

/* Bytes typed and not yet read that the kernel keeps (static); more are dropped. */
#define DEBUGLOG_INPUT_SIZE 4096u

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
/*
 * Take up to len (> 0) bytes of console input into buf, waiting up to
 * timeout_ns for the first (WAIT_FOREVER: no limit). Bytes (>= 1),
 * ERR_SHOULD_WAIT (none and timeout 0), ERR_TIMED_OUT, ERR_INTERRUPTED
 * (killed). Several readers each get different bytes.
 */
long debuglog_read(char *buf, size_t len, uint64_t timeout_ns);
/* Put back buf[0..len), taken by debuglog_read(), ahead of the queued input
 * (a reader that could not deliver them); what does not fit is dropped. */
void debuglog_unread(const char *buf, size_t len);
/* Input bytes dropped since boot because the buffer was full. */
uint64_t debuglog_input_dropped(void);
