/*
 * term.h - the client of a terminal session's requests (abi/term.h): one kbus call
 * each, struct term_req -> struct term_reply, waiting for the answer (the console
 * answers every call promptly). Every reply is checked, since the server may be
 * anyone's: it must be exactly a struct term_reply, carry no capabilities, have a
 * status of 0 or an error code, a mode within TERM_MODE_ALL and (TERM_GET_INFO) a
 * NUL-terminated name; otherwise the result is ERR_MALFORMED (any capabilities it
 * carried are dropped). Each function returns 0 or an ERR_* code: the call's own
 * error (ERR_PEER_CLOSED: the console is gone), the reply's status, or ERR_MALFORMED.
 */
#pragma once

#include <stdint.h>
#include <abi/handle.h>
#include <abi/term.h>

int ch_term_get_mode(handle_t ep, uint32_t *mode);
/* mode: TERM_MODE_* bits (others: ERR_INVALID_ARGS, nothing sent). */
int ch_term_set_mode(handle_t ep, uint32_t mode);
int ch_term_get_size(handle_t ep, unsigned *cols, unsigned *rows);
/* Job-control events (struct term_event) go to events from now on; it travels with
 * the call as a copy (it needs RIGHT_DUPLICATE and RIGHT_TRANSFER; ours stays).
 * HANDLE_INVALID: stop sending them. */
int ch_term_set_jobctl(handle_t ep, handle_t events);
/* Drop input typed but not yet received. */
int ch_term_flush_input(handle_t ep);
int ch_term_get_info(handle_t ep, struct term_reply *out);
/* Any request: op (TERM_*) with arg, and events as TERM_SET_JOBCTL's handle
 * (HANDLE_INVALID: none); the checked reply in *out. */
int ch_term_request(handle_t ep, uint32_t op, uint32_t arg, handle_t events,
                    struct term_reply *out);
