/*
 * term.c - the terminal request client (term.h) and the libc's terminal hook
 * __libc_term (sys_hooks.h).
 */
#include "term.h"

#include <string.h>

#include "kbus.h"
#include "syscall.h"
#include <libc/sys_hooks.h>

#define REPLY_HANDLES 4 /* a reply should carry none; a few are taken and dropped */

int ch_term_request(handle_t ep, uint32_t op, uint32_t arg, handle_t events, struct term_reply *out)
{
	struct term_req req = {.magic = TERM_REQ_MAGIC, .op = op, .arg = arg};
	struct term_reply rep;
	handle_t got[REPLY_HANDLES];
	struct kbus_msg m = {.data = &req,
	                     .len = sizeof(req),
	                     .nhandles = events != HANDLE_INVALID,
	                     .handles = &events,
	                     .copy_mask = 1};
	struct kbus_buf b = {.data = &rep,
	                     .capacity = sizeof(rep),
	                     .handles = got,
	                     .handles_capacity = REPLY_HANDLES};
	long r = ch_kbus_call(ep, &m, &b, CH_FOREVER);
	if (r == ERR_BUFFER_TOO_SMALL)
		return ERR_MALFORMED; /* too long, or too many capabilities */
	if (r < 0)
		return (int)r;
	for (uint32_t i = 0; i < b.nhandles && i < REPLY_HANDLES; i++)
		ch_cap_drop(got[i]);
	if (b.len != sizeof(rep) || b.nhandles || rep.status > 0 || (rep.mode & ~TERM_MODE_ALL) ||
	    !memchr(rep.name, '\0', sizeof(rep.name)))
		return ERR_MALFORMED;
	if (rep.status < 0)
		return rep.status;
	*out = rep;
	return 0;
}

static int request(handle_t ep, uint32_t op, uint32_t arg, struct term_reply *out)
{
	return ch_term_request(ep, op, arg, HANDLE_INVALID, out);
}

int ch_term_get_mode(handle_t ep, uint32_t *mode)
{
	struct term_reply rep;
	int r = request(ep, TERM_GET_MODE, 0, &rep);
	if (r == 0)
		*mode = rep.mode;
	return r;
}

int ch_term_set_mode(handle_t ep, uint32_t mode)
{
	struct term_reply rep;
	if (mode & ~TERM_MODE_ALL)
		return ERR_INVALID_ARGS;
	return request(ep, TERM_SET_MODE, mode, &rep);
}

int ch_term_get_size(handle_t ep, unsigned *cols, unsigned *rows)
{
	struct term_reply rep;
	int r = request(ep, TERM_GET_SIZE, 0, &rep);
	if (r == 0) {
		*cols = rep.cols;
		*rows = rep.rows;
	}
	return r;
}

int ch_term_set_jobctl(handle_t ep, handle_t events)
{
	struct term_reply rep;
	return ch_term_request(ep, TERM_SET_JOBCTL, 0, events, &rep);
}

int ch_term_flush_input(handle_t ep)
{
	struct term_reply rep;
	return request(ep, TERM_FLUSH_INPUT, 0, &rep);
}

int ch_term_get_info(handle_t ep, struct term_reply *out)
{
	return request(ep, TERM_GET_INFO, 0, out);
}

long __libc_term(handle_t h, uint32_t op, uint32_t arg, struct term_reply *out)
{
	if (op == TERM_SET_MODE && (arg & ~TERM_MODE_ALL))
		return ERR_INVALID_ARGS;
	return request(h, op, arg, out);
}
