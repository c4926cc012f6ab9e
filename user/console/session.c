/*
 * session.c - terminal sessions (console.h): the channel, the program in it,
 * what it writes (shown, or sent down the serial line), what it asks (control
 * calls, answered at once: everything it sent before was handled first, since
 * its messages are taken in order) and what is typed for it (the line
 * discipline, then its queue; input its full queue has no room for waits in a
 * bounded buffer, and beyond that is dropped with a bell).
 *
 * A program that ends leaves its session showing why; Enter starts it again
 * (never by itself, so a program that cannot start does not spin). Each start
 * makes a new channel, so what the old program's children still hold of the
 * old one reaches nobody (ERR_PEER_CLOSED).
 */
#include "console.h"

#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define STREAM_RIGHTS \
	(RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT | RIGHT_DUPLICATE | RIGHT_TRANSFER)

/* One message at most KBUS_MAX_BYTES: room for any, so none can jam the queue. */
static char rx[KBUS_MAX_BYTES];
static handle_t rx_handles[KBUS_MAX_HANDLES];

/* --- output ------------------------------------------------------------- */

static void out(struct session *s, const char *buf, size_t len)
{
	if (!len)
		return;
	if (s->is_vt) {
		vt_write(&s->vt, buf, len);
		if (s->vt.answer_len) { /* reports the program asked for are its input */
			session_key(s, s->vt.answer, s->vt.answer_len);
			s->vt.answer_len = 0;
		}
	} else {
		serial_write(buf, len);
	}
}

void session_show(struct session *s, const char *text)
{
	out(s, text, strlen(text));
	if (s->is_vt && con.active == s->index && con.scr.present)
		screen_draw(&con.scr, &con.font, &s->vt, s->index);
}

/* --- input -------------------------------------------------------------- */

static void watch(struct session *s)
{
	uint32_t ev = KBUS_EV_READABLE | (s->want_writable ? KBUS_EV_WRITABLE : 0);
	ch_waitset_remove(con.ws, KEY(KEY_SESS_EP, s->index));
	ch_waitset_add(con.ws, s->ep, ev, KEY(KEY_SESS_EP, s->index));
}

static bool inq_push(struct session *s, const char *buf, size_t len)
{
	if (s->inq_count == CONSOLE_INQ_MSGS || len > CONSOLE_INQ_BYTES - s->inq_used)
		return false;
	uint32_t slot = (s->inq_head + s->inq_count) % CONSOLE_INQ_MSGS;
	/* bytes are kept in order in one buffer: the messages' bytes are contiguous */
	memcpy(s->inq + s->inq_used, buf, len);
	s->inq_len[slot] = (uint16_t)len;
	s->inq_count++;
	s->inq_used += (uint32_t)len;
	return true;
}

static long send_nb(struct session *s, const char *buf, size_t len)
{
	struct kbus_msg m = {.data = buf, .len = (uint32_t)len};
	return ch_kbus_send(s->ep, &m, KBUS_NONBLOCK, 0);
}

/* Sends what waited, oldest first, while the program's queue has room. */
static void inq_flush(struct session *s)
{
	while (s->inq_count) {
		uint32_t len = s->inq_len[s->inq_head];
		long r = send_nb(s, s->inq, len);
		if (r == ERR_SHOULD_WAIT)
			break;
		memmove(s->inq, s->inq + len, s->inq_used - len);
		s->inq_used -= len;
		s->inq_head = (s->inq_head + 1) % CONSOLE_INQ_MSGS;
		s->inq_count--;
	}
	bool want = s->inq_count != 0;
	if (want != s->want_writable) {
		s->want_writable = want;
		watch(s);
	}
}

static void deliver(void *ctx, const char *buf, size_t len)
{
	struct session *s = ctx;
	if (s->ep == HANDLE_INVALID)
		return;
	if (!s->inq_count) {
		long r = send_nb(s, buf, len);
		if (r != ERR_SHOULD_WAIT)
			return; /* sent, or nobody reads this session any more */
	}
	if (!inq_push(s, buf, len))
		out(s, "\a", 1);
	inq_flush(s);
}

static void echo(void *ctx, const char *buf, size_t len)
{
	out(ctx, buf, len);
}

static void event(void *ctx, uint32_t ev)
{
	struct session *s = ctx;
	struct term_event e = {TERM_REQ_MAGIC, ev};
	if (s->jobctl == HANDLE_INVALID)
		return;
	struct kbus_msg m = {.data = &e, .len = sizeof(e)};
	if (ch_kbus_send(s->jobctl, &m, KBUS_NONBLOCK, 0) == ERR_PEER_CLOSED) {
		ch_cap_drop(s->jobctl);
		s->jobctl = HANDLE_INVALID;
	}
}

static const struct ldisc_ops ldisc_ops = {deliver, echo, event};

void session_key(struct session *s, const char *bytes, size_t len)
{
	if (s->ended) {
		if (len == 1 && (bytes[0] == '\r' || bytes[0] == '\n'))
			session_start(s);
		return;
	}
	ldisc_input(&s->ld, bytes, len);
}

void session_writable(struct session *s)
{
	inq_flush(s);
}

/* --- control calls ---------------------------------------------------------- */

/* TERM_SET_KEYMAP, TERM_GET_KEYMAP: the keyboards' layout, for every session. */
static void keymap_control(const struct kbus_buf *b, struct term_keymap_reply *rep)
{
	struct term_keymap_req req;
	memcpy(&req, b->data, sizeof(req));
	if (req.req.magic != TERM_REQ_MAGIC ||
	    (req.req.op != TERM_SET_KEYMAP && req.req.op != TERM_GET_KEYMAP)) {
		rep->rep.status = ERR_INVALID_ARGS;
	} else if (req.req.op == TERM_SET_KEYMAP) {
		struct kmap_error err;
		req.name[sizeof(req.name) - 1] = '\0';
		rep->rep.status = console_set_layout(req.name, &err);
		if (rep->rep.status < 0)
			kmap_error_text(&err, rep->error, sizeof(rep->error));
	}
	snprintf(rep->name, sizeof(rep->name), "%s", con.layout_name);
}

static void control(struct session *s, const struct kbus_buf *b)
{
	struct term_keymap_reply krep = {0};
	struct term_reply rep = {0};
	struct term_req req;
	uint32_t used = 0; /* handles taken over (TERM_SET_JOBCTL) */
	bool keymap = b->len == sizeof(struct term_keymap_req);

	if (keymap) {
		keymap_control(b, &krep);
		rep.status = krep.rep.status;
		goto reply;
	}
	if (b->len != sizeof(req)) {
		rep.status = ERR_INVALID_ARGS;
		goto reply;
	}
	memcpy(&req, b->data, sizeof(req));
	if (req.magic != TERM_REQ_MAGIC) {
		rep.status = ERR_INVALID_ARGS;
		goto reply;
	}
	switch (req.op) {
	case TERM_GET_MODE:
		break;
	case TERM_SET_MODE:
		if (req.arg & ~TERM_MODE_ALL) {
			rep.status = ERR_INVALID_ARGS;
			break;
		}
		ldisc_set_mode(&s->ld, req.arg);
		break;
	case TERM_GET_SIZE:
	case TERM_GET_INFO:
		break;
	case TERM_SET_JOBCTL:
		if (b->nhandles > 1) {
			rep.status = ERR_INVALID_ARGS;
			break;
		}
		if (s->jobctl != HANDLE_INVALID)
			ch_cap_drop(s->jobctl);
		s->jobctl = b->nhandles ? b->handles[0] : HANDLE_INVALID;
		used = b->nhandles;
		break;
	case TERM_SET_KEYMAP: /* these take a struct term_keymap_req */
	case TERM_GET_KEYMAP:
		rep.status = ERR_INVALID_ARGS;
		break;
	case TERM_FLUSH_INPUT:
		ldisc_flush(&s->ld);
		s->inq_count = s->inq_used = 0;
		break;
	default:
		rep.status = ERR_NOT_SUPPORTED;
		break;
	}
reply:
	for (uint32_t i = used; i < b->nhandles; i++)
		ch_cap_drop(b->handles[i]);
	rep.mode = s->ld.mode;
	if (s->is_vt) {
		rep.cols = (uint16_t)s->vt.cols;
		rep.rows = (uint16_t)s->vt.rows;
	} else {
		rep.cols = 80; /* a serial line has no size we can know */
		rep.rows = 24;
	}
	snprintf(rep.name, sizeof(rep.name), "%s", s->name);
	if (s->is_vt && con.active == s->index && con.scr.present) /* the output is shown */
		screen_draw(&con.scr, &con.font, &s->vt, s->index);
	struct kbus_msg m = {.data = &rep, .len = sizeof(rep)};
	if (keymap) {
		krep.rep = rep;
		m = (struct kbus_msg){.data = &krep, .len = sizeof(krep)};
	}
	ch_kbus_reply(s->ep, &m);
}

/* The program wrote (or asked): take a bounded batch so no session starves the rest. */
void session_output_ready(struct session *s)
{
	for (int n = 0; n < 16 && s->ep != HANDLE_INVALID; n++) {
		struct kbus_buf b = {.data = rx,
		                     .capacity = sizeof(rx),
		                     .handles = rx_handles,
		                     .handles_capacity = KBUS_MAX_HANDLES};
		long r = ch_kbus_recv(s->ep, &b, KBUS_NONBLOCK, 0);
		if (r == ERR_SHOULD_WAIT)
			break;
		if (r < 0) { /* ERR_PEER_CLOSED: every holder of the other end is gone */
			ch_waitset_remove(con.ws, KEY(KEY_SESS_EP, s->index));
			break;
		}
		if (b.flags & KBUS_MSG_CALL) {
			control(s, &b);
			continue;
		}
		for (uint32_t i = 0; i < b.nhandles; i++) /* data carries no capabilities */
			ch_cap_drop(b.handles[i]);
		out(s, rx, b.len);
	}
	if (s->is_vt && con.active == s->index && con.scr.present)
		screen_draw(&con.scr, &con.font, &s->vt, s->index);
}

/* --- the program ---------------------------------------------------------- */

void session_setup(struct session *s, unsigned index, bool vt)
{
	memset(s, 0, sizeof(*s));
	s->index = index;
	s->is_vt = vt;
	s->ep = s->jobctl = HANDLE_INVALID;
	if (index == 0)
		snprintf(s->name, sizeof(s->name), "serial");
	else
		snprintf(s->name, sizeof(s->name), "vt%u", index);
	ldisc_init(&s->ld, &ldisc_ops, s);
}

static void drop_channel(struct session *s)
{
	if (s->ep != HANDLE_INVALID) {
		ch_waitset_remove(con.ws, KEY(KEY_SESS_EP, s->index));
		ch_cap_drop(s->ep);
		s->ep = HANDLE_INVALID;
	}
	if (s->jobctl != HANDLE_INVALID) {
		ch_cap_drop(s->jobctl);
		s->jobctl = HANDLE_INVALID;
	}
	s->inq_count = s->inq_used = s->inq_head = 0;
	s->want_writable = false;
}

/* "N memory=M ms=T": the three numbers; how many were read. */
static int sscanf_u3(const char *p, unsigned *a, unsigned *b, unsigned *c)
{
	unsigned *out[3] = {a, b, c};
	static const char *const sep[3] = {"", " memory=", " ms="};
	for (int i = 0; i < 3; i++) {
		size_t k = strlen(sep[i]);
		if (strncmp(p, sep[i], k))
			return i;
		p += k;
		if (*p < '0' || *p > '9')
			return i;
		unsigned v = 0;
		while (*p >= '0' && *p <= '9' && v < 100000000u)
			v = v * 10 + (unsigned)(*p++ - '0');
		*out[i] = v;
	}
	return 3;
}

/*
 * The banner a session shows before its program starts: the system, the kernel's
 * own boot summary ("boot: ok cpus=N memory=M ms=T", read back from the log's
 * history: the kernel prints it once, before any program runs) and a hint.
 */
static const char *banner(void)
{
	static char text[256];
	static char hist[4096];
	if (text[0])
		return text;
	unsigned cpus = 0, mib = 0, ms = 0;
	uint64_t pos = 0;
	handle_t log = ch_handle("console");
	for (int chunk = 0; chunk < 16 && !cpus && log != HANDLE_INVALID; chunk++) {
		long n = ch_log_history(log, &pos, hist, sizeof(hist) - 1);
		if (n <= 0)
			break;
		hist[n] = 0;
		const char *b = strstr(hist, "boot: ok cpus=");
		if (b && sscanf_u3(b + 14, &cpus, &mib, &ms) != 3)
			cpus = 0;
	}
	if (cpus)
		snprintf(text, sizeof(text),
		         "\nCharlotteOS (Charlotte Core) - %u CPU%s, %u MiB, booted in %u ms\n"
		         "Type 'help' for the commands, 'ls' to look around; Alt-F1..F4 switch "
		         "screens.\n\n",
		         cpus, cpus == 1 ? "" : "s", mib, ms);
	else
		snprintf(text, sizeof(text),
		         "\nCharlotteOS (Charlotte Core)\n"
		         "Type 'help' for the commands.\n\n");
	return text;
}

int session_start(struct session *s)
{
	handle_t ends[2];
	char msg[160];
	drop_channel(s);
	s->ended = false;
	ldisc_init(&s->ld, &ldisc_ops, s);
	long r = ch_channel_create_kind(con.pool, CONSOLE_SESSION_DEPTH, ends, KBUS_KIND_TERM);
	if (r < 0)
		goto fail;
	s->ep = ends[0];
	struct ch_grant g[CONSOLE_MAX_GRANTS + 3];
	const char *names[3] = {"stdin", "stdout", "stderr"};
	unsigned n = 0;
	for (; n < 3; n++)
		g[n] = (struct ch_grant){names[n], ends[1], STREAM_RIGHTS};
	for (unsigned i = 0; i < con.ngrants; i++)
		g[n++] = con.grants[i];
	struct ch_spawn_args a = {.path = con.argv[0],
	                          .argv = con.argv,
	                          .grants = g,
	                          .ngrants = n,
	                          .child_pool = con.prog_pool};
	r = ch_spawn(&a, &s->child);
	ch_cap_drop(ends[1]); /* the program holds the other end now */
	if (r < 0)
		goto fail;
	r = ch_waitset_add(con.ws, s->child.process, KBUS_EV_EXITED, KEY(KEY_SESS_PROC, s->index));
	if (r < 0) {
		ch_proc_kill(s->child.process);
		ch_child_release(&s->child);
		goto fail;
	}
	s->running = true;
	if (!s->starts && con.banner)
		session_show(s, banner());
	s->starts++;
	watch(s);
	return 0;
fail:
	snprintf(msg, sizeof(msg), "\n[console: cannot start %s: %s; Enter tries again]\n",
	         con.argv[0], ch_error_name(r));
	printf("console: %s: cannot start %s: %s\n", s->name, con.argv[0], ch_error_name(r));
	session_show(s, msg);
	s->ended = true;
	return (int)r;
}

void session_ended(struct session *s)
{
	struct proc_status st;
	char how[96], msg[200];
	ch_waitset_remove(con.ws, KEY(KEY_SESS_PROC, s->index));
	if (ch_proc_wait(s->child.process, 0, &st) < 0)
		snprintf(how, sizeof(how), "ended");
	else
		ch_proc_status_describe(&st, how, sizeof(how));
	ch_child_release(&s->child);
	s->running = false;
	s->ended = true;
	/* what it wrote before it ended is shown first */
	session_output_ready(s);
	snprintf(msg, sizeof(msg), "\n[%s %s; press Enter to start it again]\n", con.argv[0], how);
	session_show(s, msg);
}
