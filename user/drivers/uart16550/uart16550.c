/*
 * uart16550 - a PC serial port (8250 / 16450 / 16550A UART on ISA ports, the
 * platform device "com2": ports 0x2f8-0x2ff, ISA IRQ 3) through the serial
 * class: `bin/uart16550 <name>` binds dev:///serial/<name> (type dev.serial).
 * COM1 is the kernel's console and never a device.
 *
 * Probe: the scratch register must keep two patterns, and in the UART's own
 * loopback the modem inputs must follow the outputs and a byte sent must come
 * back; a port without a UART (reads of 0xff) is reported ERR_NOT_FOUND and
 * not served. A 16550A's FIFOs are used (16 bytes each way, receive interrupt
 * at 8), an older UART goes a byte at a time.
 *
 * Receive and transmit are interrupt driven, through two rings of fixed size
 * (RX_SIZE and TX_SIZE, 4 KiB each): a WRITE takes what fits in the transmit
 * ring (the client waits for SERIAL_NOTE_TX for the rest); a byte that finds
 * the receive ring full is dropped and counted (rx_dropped), so nothing grows
 * whoever floods or stops reading. With RTS/CTS flow control, RTS drops when
 * the receive ring is 3/4 full and rises again below 1/4, and bytes go out only
 * while CTS is up (the modem status interrupt restarts them).
 *
 * Clients: calls on the entry endpoint have every mode; SERIAL_MSG_OPEN makes
 * a session (at most SERIAL_MAX_SESSIONS) of a narrower mode on its own
 * channel, watched for the client leaving. Every message is received into one
 * buffer that takes any size and any handles (dropped), so a client cannot jam
 * the queue. Received bytes go to whichever caller reads first.
 * Grants: log, pool, ns, device (the port), ready (charlotte/driver.h).
 */
#include <stdio.h>
#include <string.h>

#include <abi/dev/serial.h>
#include <abi/errors.h>
#include <abi/ns.h>
#include <charlotte/devcall.h>
#include <charlotte/driver.h>
#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

/* Registers, from the base port. */
#define RBR 0 /* receive (read) / THR transmit (write) / DLL with DLAB */
#define IER 1 /* / DLM with DLAB */
#define IIR 2 /* interrupt identification (read) / FCR FIFO control (write) */
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_RX 0x01
#define IER_TX 0x02
#define IER_LINE 0x04
#define IER_MODEM 0x08
#define LCR_DLAB 0x80
#define LCR_PARITY 0x08
#define LCR_EVEN 0x10
#define LCR_STOP2 0x04
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT2 0x08 /* gates the interrupt line on PCs */
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_PE 0x04
#define LSR_FE 0x08
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define MSR_CTS 0x10
#define FCR_ENABLE 0x01
#define FCR_CLEAR 0x06
#define FCR_TRIGGER8 0x80

#define CLOCK_BAUD 115200u /* the 1.8432 MHz crystal / 16 */
#define RX_SIZE 4096u
#define TX_SIZE 4096u
#define SPINS 100000 /* LSR polls before the probe's byte counts as lost */
#define IIR_ROUNDS 64 /* interrupt causes served per interrupt, at most */
#define MSGS_PER_WAKE 16 /* messages taken from one endpoint before looking at others */

#define KEY_EP 1u
#define KEY_IRQ 2u
#define KEY_SESS 16u

static uint16_t base;
static unsigned fifo = 1; /* bytes per transmit burst */
static uint8_t ier, mcr; /* what we last wrote */
static struct serial_config line;
static bool rts_held; /* flow control holds RTS down */

static struct {
	uint8_t buf[RX_SIZE];
	uint32_t head, tail; /* free running */
} rx;
static struct {
	uint8_t buf[TX_SIZE];
	uint32_t head, tail;
} tx;
static struct serial_status st;

static struct sess {
	bool used, want_rx, want_tx;
	handle_t ep;
	uint32_t mode;
} sess[SERIAL_MAX_SESSIONS];

static handle_t ep, ws, pool;
static uint8_t msg[KBUS_MAX_BYTES];
static handle_t msghs[KBUS_MAX_HANDLES];

static uint8_t in(unsigned r)
{
	return ch_inb((uint16_t)(base + r));
}

static void out(unsigned r, uint8_t v)
{
	ch_outb((uint16_t)(base + r), v);
}

static uint32_t rx_count(void)
{
	return rx.head - rx.tail;
}

static uint32_t tx_count(void)
{
	return tx.head - tx.tail;
}

static void set_mcr(void)
{
	uint8_t m = MCR_DTR | MCR_OUT2 | (line.flags & SERIAL_LINE_LOOPBACK ? MCR_LOOP : 0);
	if (!rts_held)
		m |= MCR_RTS;
	mcr = m;
	out(MCR, m);
}

static void set_ier(uint8_t v)
{
	if (v != ier) {
		ier = v;
		out(IER, v);
	}
}

static void line_errors(uint8_t lsr)
{
	st.overrun += (lsr & LSR_OE) != 0;
	st.parity += (lsr & LSR_PE) != 0;
	st.framing += (lsr & LSR_FE) != 0;
	st.breaks += (lsr & LSR_BI) != 0;
}

static void flow_rx(void)
{
	bool hold = line.flow == SERIAL_FLOW_RTSCTS &&
	            (rts_held ? rx_count() > RX_SIZE / 4 : rx_count() >= RX_SIZE / 4 * 3);
	if (hold != rts_held) {
		rts_held = hold;
		set_mcr();
	}
}

static void receive(void)
{
	for (unsigned i = 0; i < RX_SIZE; i++) {
		uint8_t lsr = in(LSR);
		line_errors(lsr);
		if (!(lsr & LSR_DR))
			break;
		uint8_t b = in(RBR);
		st.rx_bytes++;
		if (rx_count() == RX_SIZE) {
			st.rx_dropped++;
		} else {
			rx.buf[rx.head % RX_SIZE] = b;
			rx.head++;
		}
	}
	flow_rx();
}

/* Fills the transmitter from the ring when it is empty and CTS allows. */
static void transmit(void)
{
	uint8_t want = IER_RX | IER_LINE | IER_MODEM;
	receive(); /* an empty receive FIFO first: in loopback our bytes land there */
	bool cts = line.flow != SERIAL_FLOW_RTSCTS || (in(MSR)&MSR_CTS);
	if (tx_count() && cts) {
		if (in(LSR)&LSR_THRE)
			for (unsigned n = 0; n < fifo && tx_count(); n++) {
				out(RBR, tx.buf[tx.tail % TX_SIZE]);
				tx.tail++;
				st.tx_bytes++;
			}
		want |= IER_TX; /* the next THRE interrupt sends more, or ends */
	}
	set_ier(want);
}

/* Every interrupt cause the UART reports, until it has none. */
static void service(void)
{
	for (unsigned i = 0; i < IIR_ROUNDS; i++) {
		uint8_t iir = in(IIR);
		if (iir & 1)
			break;
		switch ((iir >> 1) & 7) {
		case 3:
			line_errors(in(LSR));
			break;
		case 0:
			(void)in(MSR); /* clears it; CTS is looked at by transmit() */
			break;
		default:
			break;
		}
		transmit(); /* receives first */
	}
	transmit();
}

static void notify(void)
{
	for (unsigned i = 0; i < SERIAL_MAX_SESSIONS; i++) {
		struct sess *s = &sess[i];
		uint32_t ev = 0;
		if (!s->used)
			continue;
		if (s->want_rx && rx_count())
			ev |= SERIAL_NOTE_RX;
		if (s->want_tx && tx_count() <= TX_SIZE / 2)
			ev |= SERIAL_NOTE_TX;
		if (!ev)
			continue;
		s->want_rx &= !(ev & SERIAL_NOTE_RX);
		s->want_tx &= !(ev & SERIAL_NOTE_TX);
		struct serial_note n = {{SERIAL_MSG_NOTIFY, sizeof(n)}, ev, 0};
		ch_kbus_send_bytes(s->ep, &n, sizeof(n), KBUS_NONBLOCK, 0);
	}
}

/* --- line settings --- */

static void read_line(struct serial_config *c)
{
	uint8_t lcr = in(LCR);
	out(LCR, lcr | LCR_DLAB);
	uint16_t div = (uint16_t)(in(RBR) | in(IER) << 8);
	out(LCR, lcr & ~LCR_DLAB);
	*c = (struct serial_config){
	    .baud = div ? CLOCK_BAUD / div : 0,
	    .data_bits = (uint8_t)(5 + (lcr & 3)),
	    .stop_bits = lcr & LCR_STOP2 ? 2 : 1,
	    .parity = !(lcr & LCR_PARITY) ? SERIAL_PARITY_NONE
	              : lcr & LCR_EVEN    ? SERIAL_PARITY_EVEN
	                                  : SERIAL_PARITY_ODD,
	    .flow = line.flow,
	    .flags = in(MCR)&MCR_LOOP ? SERIAL_LINE_LOOPBACK : 0,
	};
}

static bool line_ok(const struct serial_config *c)
{
	return c->baud && CLOCK_BAUD % c->baud == 0 && CLOCK_BAUD / c->baud <= 0xffff &&
	       c->data_bits >= 5 && c->data_bits <= 8 && (c->stop_bits == 1 || c->stop_bits == 2) &&
	       c->parity <= SERIAL_PARITY_EVEN && c->flow <= SERIAL_FLOW_RTSCTS &&
	       !(c->flags & ~SERIAL_LINE_LOOPBACK) && !c->reserved;
}

/* Programs a checked line: bytes still queued go out with the new settings. */
static void write_line(const struct serial_config *c)
{
	uint16_t div = (uint16_t)(CLOCK_BAUD / c->baud);
	uint8_t lcr = (uint8_t)(c->data_bits - 5) | (c->stop_bits == 2 ? LCR_STOP2 : 0) |
	              (c->parity ? LCR_PARITY : 0) |
	              (c->parity == SERIAL_PARITY_EVEN ? LCR_EVEN : 0);
	line = *c;
	out(LCR, LCR_DLAB);
	out(RBR, (uint8_t)div);
	out(IER, (uint8_t)(div >> 8));
	out(LCR, lcr);
	rts_held = false;
	flow_rx();
	set_mcr();
	transmit();
}

/* --- probe --- */

static long probe(void)
{
	for (unsigned i = 0; i < 2; i++) {
		uint8_t v = i ? 0xaa : 0x55;
		out(SCR, v);
		if (in(SCR) != v)
			return ERR_NOT_FOUND;
	}
	out(IER, 0);
	out(MCR, MCR_LOOP);
	if (in(MSR)&0xf0)
		return ERR_NOT_FOUND;
	out(MCR, MCR_LOOP | 0x0f);
	if ((in(MSR)&0xf0) != 0xf0)
		return ERR_NOT_FOUND;
	out(IIR, FCR_ENABLE | FCR_CLEAR | FCR_TRIGGER8);
	fifo = (in(IIR)&0xc0) == 0xc0 ? 16 : 1;
	if (fifo == 1)
		out(IIR, 0); /* a 16550 without the A's working FIFO: off */
	line = (struct serial_config){
	    115200, 8, 1, SERIAL_PARITY_NONE, SERIAL_FLOW_NONE, SERIAL_LINE_LOOPBACK, 0};
	write_line(&line);
	set_ier(0);
	for (unsigned i = 0; i < 64 && (in(LSR)&LSR_DR); i++)
		(void)in(RBR);
	out(RBR, 0xa5);
	int i = 0;
	while (i < SPINS && !(in(LSR)&LSR_DR))
		i++;
	if (i == SPINS || in(RBR) != 0xa5)
		return ERR_NOT_FOUND;
	line.flags = 0;
	write_line(&line);
	(void)in(MSR);
	(void)in(LSR);
	return 0;
}

/* --- calls --- */

static void reply(handle_t e, const void *m, uint32_t len, handle_t *hs, uint32_t n)
{
	struct kbus_msg km = {.data = m, .len = len, .handles = hs, .nhandles = n};
	if (ch_kbus_reply(e, &km) < 0)
		for (uint32_t i = 0; i < n; i++) /* the caller gave up: nobody holds them */
			ch_cap_drop(hs[i]);
}

static void status(handle_t e, uint32_t type, long s)
{
	struct dev_status_reply r = {{type, sizeof(r)}, (int32_t)s, 0};
	reply(e, &r, sizeof(r), NULL, 0);
}

static void sess_free(struct sess *s)
{
	ch_waitset_remove(ws, KEY_SESS + (uint64_t)(s - sess));
	ch_cap_drop(s->ep);
	memset(s, 0, sizeof(*s));
}

/* Whether s's client has gone, with nothing left to read. */
static bool gone(struct sess *s)
{
	struct kbus_endpoint_info in;
	return s->used && ch_kbus_info(s->ep, &in) >= 0 && in.peer_closed && !in.queued;
}

static void do_open(handle_t e, uint32_t mode, const struct serial_open *q)
{
	struct sess *s = NULL;
	if (!q->mode || (q->mode & ~SERIAL_MODE_ALL) || q->reserved) {
		status(e, SERIAL_MSG_OPEN, ERR_INVALID_ARGS);
		return;
	}
	if (q->mode & ~mode) {
		status(e, SERIAL_MSG_OPEN, ERR_ACCESS_DENIED);
		return;
	}
	for (unsigned i = 0; i < SERIAL_MAX_SESSIONS && !s; i++)
		if (!sess[i].used)
			s = &sess[i];
	for (unsigned i = 0; i < SERIAL_MAX_SESSIONS && !s; i++)
		if (gone(&sess[i])) { /* its client left; the waitset has not told us yet */
			sess_free(&sess[i]);
			s = &sess[i];
		}
	if (!s) {
		status(e, SERIAL_MSG_OPEN, ERR_NO_RESOURCES);
		return;
	}
	handle_t ch[2];
	long r = ch_channel_create(pool, 0, ch);
	if (r >= 0) {
		r = ch_waitset_add(ws, ch[0], KBUS_EV_READABLE | KBUS_EV_PEER_CLOSED,
		                   KEY_SESS + (uint64_t)(s - sess));
		if (r < 0) {
			ch_cap_drop(ch[0]);
			ch_cap_drop(ch[1]);
		}
	}
	if (r < 0) {
		status(e, SERIAL_MSG_OPEN, r);
		return;
	}
	*s = (struct sess){.used = true, .ep = ch[0], .mode = q->mode};
	struct serial_open_reply rep = {{SERIAL_MSG_OPEN, sizeof(rep)}, 0, q->mode};
	struct kbus_msg km = {.data = &rep, .len = sizeof(rep), .handles = &ch[1], .nhandles = 1};
	if (ch_kbus_reply(e, &km) < 0) {
		ch_cap_drop(ch[1]);
		sess_free(s);
	}
}

static void do_write(handle_t e, struct sess *s, uint32_t len)
{
	const struct serial_io *q = (const void *)msg;
	if (q->len == 0 || q->len > SERIAL_IO_MAX || q->reserved || len != sizeof(*q) + q->len) {
		status(e, SERIAL_MSG_WRITE, ERR_MALFORMED);
		return;
	}
	uint32_t n = TX_SIZE - tx_count();
	if (n > q->len)
		n = q->len;
	for (uint32_t i = 0; i < n; i++) {
		tx.buf[tx.head % TX_SIZE] = msg[sizeof(*q) + i];
		tx.head++;
	}
	if (n < q->len && s)
		s->want_tx = true;
	transmit();
	struct serial_io_reply r = {{SERIAL_MSG_WRITE, sizeof(r)}, 0, n};
	reply(e, &r, sizeof(r), NULL, 0);
}

static void do_read(handle_t e, struct sess *s, uint32_t len)
{
	static struct {
		struct serial_io_reply h;
		uint8_t bytes[SERIAL_IO_MAX];
	} r;
	const struct serial_io *q = (const void *)msg;
	if (len != sizeof(*q) || q->len == 0 || q->len > SERIAL_IO_MAX || q->reserved) {
		status(e, SERIAL_MSG_READ, ERR_MALFORMED);
		return;
	}
	uint32_t n = rx_count() < q->len ? rx_count() : q->len;
	for (uint32_t i = 0; i < n; i++) {
		r.bytes[i] = rx.buf[rx.tail % RX_SIZE];
		rx.tail++;
	}
	if (!n && s)
		s->want_rx = true;
	flow_rx();
	transmit(); /* RTS may be up again (in loopback, CTS with it, and no interrupt) */
	r.h = (struct serial_io_reply){{SERIAL_MSG_READ, (uint32_t)sizeof(r.h) + n}, 0, n};
	reply(e, &r, (uint32_t)sizeof(r.h) + n, NULL, 0);
}

static void do_status(handle_t e)
{
	uint8_t msr = in(MSR);
	struct serial_status_reply r = {.hdr = {SERIAL_MSG_STATUS, sizeof(r)}, .st = st};
	r.st.modem = (mcr & MCR_DTR ? SERIAL_MODEM_DTR : 0) |
	             (mcr & MCR_RTS ? SERIAL_MODEM_RTS : 0) |
	             (msr & 0xf0); /* CTS, DSR, RI, DCD: the class's bits are the MSR's */
	r.st.rx_queued = rx_count();
	r.st.tx_queued = tx_count();
	r.st.rx_buffer = RX_SIZE;
	r.st.tx_buffer = TX_SIZE;
	reply(e, &r, sizeof(r), NULL, 0);
}

static void do_line(handle_t e, uint32_t type, uint32_t len)
{
	struct serial_line_reply r = {.hdr = {type, sizeof(r)}};
	if (type == SERIAL_MSG_SET_LINE) {
		struct serial_line q;
		if (len != sizeof(q)) {
			status(e, type, ERR_MALFORMED);
			return;
		}
		memcpy(&q, msg, sizeof(q));
		if (!line_ok(&q.cfg)) {
			status(e, type, ERR_INVALID_ARGS);
			return;
		}
		write_line(&q.cfg);
	} else if (len != sizeof(struct dev_msg_hdr)) {
		status(e, type, ERR_MALFORMED);
		return;
	}
	read_line(&r.cfg);
	reply(e, &r, sizeof(r), NULL, 0);
}

/* One call on e (the entry, or session s) with the caller's mode. */
static void dispatch(handle_t e, struct sess *s, uint32_t mode, uint32_t len)
{
	struct dev_msg_hdr h = {0};
	memcpy(&h, msg, len < sizeof(h) ? len : sizeof(h));
	if (len < sizeof(h) || h.len != len) {
		status(e, h.type, ERR_MALFORMED);
		return;
	}
	uint32_t need = h.type == SERIAL_MSG_WRITE      ? SERIAL_MODE_WRITE
	                : h.type == SERIAL_MSG_SET_LINE ? SERIAL_MODE_CONFIG
	                : h.type == SERIAL_MSG_OPEN     ? 0
	                                                : SERIAL_MODE_READ;
	if (h.type < SERIAL_MSG_WRITE || h.type > SERIAL_MSG_OPEN) {
		status(e, h.type, ERR_NOT_SUPPORTED);
	} else if (need & ~mode) {
		status(e, h.type, ERR_ACCESS_DENIED);
	} else if (h.type == SERIAL_MSG_WRITE && len >= sizeof(struct serial_io)) {
		do_write(e, s, len);
	} else if (h.type == SERIAL_MSG_READ) {
		do_read(e, s, len);
	} else if (h.type == SERIAL_MSG_GET_LINE || h.type == SERIAL_MSG_SET_LINE) {
		do_line(e, h.type, len);
	} else if (h.type == SERIAL_MSG_STATUS && len == sizeof(h)) {
		do_status(e);
	} else if (h.type == SERIAL_MSG_OPEN && len == sizeof(struct serial_open)) {
		struct serial_open q;
		memcpy(&q, msg, sizeof(q));
		do_open(e, mode, &q);
	} else {
		status(e, h.type, ERR_MALFORMED);
	}
}

/* Up to MSGS_PER_WAKE messages from e (the waitset brings us back for more). */
static void serve(handle_t e, struct sess *s, uint32_t mode)
{
	for (unsigned i = 0; i < MSGS_PER_WAKE; i++) {
		struct kbus_buf kb = {.data = msg,
		                      .capacity = sizeof(msg),
		                      .handles = msghs,
		                      .handles_capacity = KBUS_MAX_HANDLES};
		if (ch_kbus_recv(e, &kb, KBUS_NONBLOCK, 0) < 0)
			return;
		for (uint32_t k = 0; k < kb.nhandles && k < KBUS_MAX_HANDLES; k++)
			ch_cap_drop(msghs[k]);
		if (kb.flags & KBUS_MSG_CALL)
			dispatch(e, s, mode, kb.len);
		if (s && !s->used)
			return;
	}
}

static long setup(const char *name, handle_t dev, handle_t *irq)
{
	handle_t io, ch[2];
	struct hw_resource res;
	long r = ch_dev_resource(dev, 0, &res);
	if (r >= 0 && (res.kind != HW_RES_IOPORT || res.size < 8 || res.base > 0xfff8))
		r = ERR_NOT_SUPPORTED;
	if (r >= 0)
		r = ch_dev_ioport(dev, 0, &io);
	if (r >= 0)
		r = ch_ioport_enable(io);
	if (r >= 0) {
		base = (uint16_t)res.base;
		r = probe();
	}
	if (r >= 0)
		r = ch_waitset_create(pool, &ws);
	if (r >= 0)
		r = ch_dev_irq(dev, HW_IRQ_INTX, 0, irq);
	if (r >= 0)
		r = ch_waitset_add(ws, *irq, KBUS_EV_READABLE, KEY_IRQ);
	if (r >= 0)
		r = ch_channel_create(pool, 0, ch);
	if (r >= 0) {
		ep = ch[0];
		r = ch_waitset_add(ws, ep, KBUS_EV_READABLE, KEY_EP);
	}
	if (r >= 0)
		r = ch_dev_class_bind("serial", name, ch[1], NS_TYPE_DEV_SERIAL);
	if (r >= 0) {
		struct hw_label l = {0};
		snprintf(l.driver, sizeof(l.driver), "uart16550");
		snprintf(l.uri, sizeof(l.uri), "dev:///serial/%s", name);
		ch_dev_label(dev, &l); /* a description only (Exec's has no name without a '%') */
		service(); /* interrupts on */
	}
	ch_dev_ready(r);
	return r;
}

/* One waitset event: the interrupt, a call on the entry, a session's traffic or end. */
static void event(const struct kbus_event *ev, handle_t irq)
{
	if (ev->key == KEY_IRQ) {
		ch_irq_ack(irq); /* first: an edge while we serve is not lost */
		service();
	} else if (ev->key == KEY_EP) {
		serve(ep, NULL, SERIAL_MODE_ALL);
	} else if (ev->key >= KEY_SESS && ev->key < KEY_SESS + SERIAL_MAX_SESSIONS) {
		struct sess *s = &sess[ev->key - KEY_SESS];
		if (!s->used)
			return; /* freed: a stale event */
		serve(s->ep, s, s->mode);
		/* the slot may have been freed and taken again since the event */
		if ((ev->events & KBUS_EV_PEER_CLOSED) && gone(s))
			sess_free(s);
	}
}

int main(int argc, char **argv)
{
	handle_t irq = HANDLE_INVALID;
	struct kbus_event ev[8];
	if (argc < 2) {
		printf("usage: uart16550 <name>\n");
		return 2;
	}
	pool = ch_handle("pool");
	long r = setup(argv[1], ch_handle("device"), &irq);
	if (r == ERR_NOT_FOUND) {
		printf("uart16550: %s: no UART at 0x%x\n", argv[1], base);
		return 1;
	}
	printf("uart16550: %s: %s (0x%x, %s)\n", argv[1], ch_error_name(r), base,
	       fifo > 1 ? "16550A, FIFO" : "no FIFO");
	long n = r < 0 ? r : 0;
	while (n >= 0) {
		for (long i = 0; i < n; i++)
			event(&ev[i], irq);
		notify();
		n = ch_waitset_wait(ws, ev, 8, CH_FOREVER);
	}
	return 1;
}
