/*
 * serial.c - the serial class client (serial.h).
 */
#include "serial.h"

#include <string.h>

#include <abi/errors.h>
#include <abi/ns.h>

#include "kbus.h"
#include "ns.h"
#include "syscall.h"

/* A reply with up to SERIAL_IO_MAX bytes; notifications land in `note`, which
 * takes any message with any handles (dropped) so a driver cannot jam our queue. */
static struct {
	struct serial_io_reply h;
	uint8_t bytes[SERIAL_IO_MAX];
} rep;
static uint8_t note[KBUS_MAX_BYTES];
static handle_t note_hs[KBUS_MAX_HANDLES];

/*
 * One call of `type` on ep: the reply in r (at most cap bytes, its length in
 * *len), its header checked; a status-only reply with an error returns it.
 */
static long call(handle_t ep, const void *q, uint32_t qlen, void *r, uint32_t cap, uint32_t type,
                 uint32_t *len, handle_t *h)
{
	struct kbus_msg m = {.data = q, .len = qlen};
	struct kbus_buf kb = {
	    .data = r, .capacity = cap, .handles = h, .handles_capacity = h ? 1 : 0};
	long e = ch_kbus_call(ep, &m, &kb, CH_FOREVER);
	if (e < 0)
		return e;
	struct dev_status_reply st = {0};
	memcpy(&st, r, kb.len < sizeof(st) ? kb.len : sizeof(st));
	if (kb.len < sizeof(st) || st.hdr.type != type || st.hdr.len != kb.len) {
		if (h && kb.nhandles)
			ch_cap_drop(*h);
		return ERR_MALFORMED;
	}
	if (st.status < 0) {
		if (h && kb.nhandles)
			ch_cap_drop(*h);
		return kb.len == sizeof(st) ? st.status : ERR_MALFORMED;
	}
	if (h && kb.nhandles != 1)
		return ERR_MALFORMED;
	*len = kb.len;
	return 0;
}

static long open_on(handle_t ep, uint32_t mode, struct ch_serial *s)
{
	struct serial_open q = {{SERIAL_MSG_OPEN, sizeof(q)}, mode, 0};
	struct serial_open_reply r;
	uint32_t len;
	handle_t h = HANDLE_INVALID;
	long e = call(ep, &q, sizeof(q), &r, sizeof(r), SERIAL_MSG_OPEN, &len, &h);
	if (e < 0)
		return e;
	if (len != sizeof(r) || r.mode != mode || h == HANDLE_INVALID) {
		if (h != HANDLE_INVALID)
			ch_cap_drop(h);
		return ERR_MALFORMED;
	}
	s->ep = h;
	s->mode = mode;
	return 0;
}

long ch_serial_open(struct ch_serial *s, const char *uri, handle_t dev, uint32_t mode)
{
	handle_t ep = dev;
	s->ep = HANDLE_INVALID;
	if (ep == HANDLE_INVALID) {
		long e = ch_uri_open(uri, NS_TYPE_DEV_SERIAL, 0, NS_RIGHTS_SAME, &ep);
		if (e < 0)
			return e;
	}
	long e = open_on(ep, mode, s);
	if (ep != dev)
		ch_cap_drop(ep);
	return e;
}

long ch_serial_open_sub(struct ch_serial *s, uint32_t mode, struct ch_serial *out)
{
	out->ep = HANDLE_INVALID;
	return open_on(s->ep, mode, out);
}

/* Receives one message on s's session, whatever it is (handles dropped). */
static long recv_note(struct ch_serial *s, uint32_t flags, uint64_t timeout)
{
	struct kbus_buf kb = {.data = note,
	                      .capacity = sizeof(note),
	                      .handles = note_hs,
	                      .handles_capacity = KBUS_MAX_HANDLES};
	long e = ch_kbus_recv(s->ep, &kb, flags, timeout);
	if (e == 0)
		for (uint32_t i = 0; i < kb.nhandles && i < KBUS_MAX_HANDLES; i++)
			ch_cap_drop(note_hs[i]);
	return e;
}

/* Waits until the driver notifies us or the deadline passes: 0, ERR_TIMED_OUT, ERR_*. */
static long wait_note(struct ch_serial *s, uint64_t deadline)
{
	uint64_t now = (uint64_t)ch_clock_ns();
	if (deadline != CH_FOREVER && now >= deadline)
		return ERR_TIMED_OUT;
	/* whatever it said, the caller asks again */
	return recv_note(s, 0, deadline == CH_FOREVER ? CH_FOREVER : deadline - now);
}

void ch_serial_take_notes(struct ch_serial *s)
{
	while (recv_note(s, KBUS_NONBLOCK, 0) == 0)
		;
}

static uint64_t deadline_of(uint64_t timeout)
{
	uint64_t now = (uint64_t)ch_clock_ns();
	return timeout == CH_FOREVER || timeout > CH_FOREVER - now ? CH_FOREVER : now + timeout;
}

long ch_serial_read(struct ch_serial *s, void *buf, size_t len, uint64_t timeout)
{
	uint64_t deadline = deadline_of(timeout);
	if (len == 0)
		return 0;
	for (;;) {
		uint32_t want = len < SERIAL_IO_MAX ? (uint32_t)len : SERIAL_IO_MAX;
		struct serial_io q = {{SERIAL_MSG_READ, sizeof(q)}, want, 0};
		uint32_t got;
		long e = call(s->ep, &q, sizeof(q), &rep, sizeof(rep), SERIAL_MSG_READ, &got, NULL);
		if (e < 0)
			return e;
		if (rep.h.len > want || got != sizeof(rep.h) + rep.h.len)
			return ERR_MALFORMED;
		if (rep.h.len) {
			memcpy(buf, rep.bytes, rep.h.len);
			return rep.h.len;
		}
		if (timeout == 0)
			return 0;
		e = wait_note(s, deadline);
		if (e == ERR_TIMED_OUT)
			return 0;
		if (e < 0 && e != ERR_BUFFER_TOO_SMALL)
			return e;
	}
}

long ch_serial_write(struct ch_serial *s, const void *buf, size_t len, uint64_t timeout)
{
	static struct {
		struct serial_io h;
		uint8_t bytes[SERIAL_IO_MAX];
	} q;
	uint64_t deadline = deadline_of(timeout);
	const uint8_t *p = buf;
	size_t done = 0;
	while (done < len) {
		uint32_t n = len - done < SERIAL_IO_MAX ? (uint32_t)(len - done) : SERIAL_IO_MAX;
		q.h = (struct serial_io){{SERIAL_MSG_WRITE, (uint32_t)sizeof(q.h) + n}, n, 0};
		memcpy(q.bytes, p + done, n);
		struct serial_io_reply r;
		uint32_t got;
		long e = call(s->ep, &q, (uint32_t)sizeof(q.h) + n, &r, sizeof(r), SERIAL_MSG_WRITE,
		              &got, NULL);
		if (e < 0)
			return e;
		if (got != sizeof(r) || r.len > n)
			return ERR_MALFORMED;
		done += r.len;
		if (r.len == n)
			continue;
		if (timeout == 0)
			break;
		e = wait_note(s, deadline);
		if (e == ERR_TIMED_OUT)
			break;
		if (e < 0 && e != ERR_BUFFER_TOO_SMALL)
			return e;
	}
	return (long)done;
}

static long line_call(struct ch_serial *s, uint32_t type, const void *q, uint32_t qlen,
                      struct serial_config *out)
{
	struct serial_line_reply r;
	uint32_t got;
	long e = call(s->ep, q, qlen, &r, sizeof(r), type, &got, NULL);
	if (e < 0)
		return e;
	if (got != sizeof(r))
		return ERR_MALFORMED;
	*out = r.cfg;
	return 0;
}

long ch_serial_get_line(struct ch_serial *s, struct serial_config *out)
{
	struct dev_msg_hdr q = {SERIAL_MSG_GET_LINE, sizeof(q)};
	return line_call(s, SERIAL_MSG_GET_LINE, &q, sizeof(q), out);
}

long ch_serial_set_line(struct ch_serial *s, struct serial_config *cfg)
{
	struct serial_line q = {{SERIAL_MSG_SET_LINE, sizeof(q)}, *cfg};
	return line_call(s, SERIAL_MSG_SET_LINE, &q, sizeof(q), cfg);
}

long ch_serial_status(struct ch_serial *s, struct serial_status *out)
{
	struct dev_msg_hdr q = {SERIAL_MSG_STATUS, sizeof(q)};
	struct serial_status_reply r;
	uint32_t got;
	long e = call(s->ep, &q, sizeof(q), &r, sizeof(r), SERIAL_MSG_STATUS, &got, NULL);
	if (e < 0)
		return e;
	if (got != sizeof(r))
		return ERR_MALFORMED;
	*out = r.st;
	return 0;
}

void ch_serial_close(struct ch_serial *s)
{
	if (s->ep != HANDLE_INVALID)
		ch_cap_drop(s->ep);
	s->ep = HANDLE_INVALID;
}
