/*
 * termtest.c - VM tests of bin/console's sessions (docs/terminal.md), as
 * VMTEST term_<name> lines.
 *
 * The test starts a console of its own with no screen and a serial line that
 * is an endpoint of ours ("line"): what we send there is typed, what the
 * console writes there we read. The program in the session is this same file
 * run as `termtest child`: a remote hand on the session's endpoint that does
 * what we ask over a second channel ("report", which the console passes on
 * from "sh.report"), so every check happens here with both sides in view:
 *
 *   CMD_READ          receive one message from stdin -> its bytes (status: length)
 *   CMD_WRITE bytes   send them to stdout
 *   CMD_CALL bytes    a raw kbus call on stdin with those bytes (any size) -> the reply
 *   CMD_CALL_JOBCTL   TERM_SET_JOBCTL with a new channel's end; we keep the other
 *   CMD_JOBCTL_READ   receive one job-control event
 *   CMD_KIND          the session endpoint's channel kind
 *   CMD_CALL_HANDLES  a data message carrying a capability, then a SET_JOBCTL call
 *                     with two handles -> that call's reply
 *   CMD_EXIT          exit with code 0
 */
#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/rights.h>
#include <abi/term.h>
#include <abi/hw.h>
#include <charlotte/driver.h>
#include <charlotte/hw.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define WAIT_NS (10ull * 1000000000ull) /* a guard against hangs, not a measure */

enum {
	CMD_READ = 1,
	CMD_WRITE,
	CMD_CALL,
	CMD_CALL_JOBCTL,
	CMD_JOBCTL_READ,
	CMD_KIND,
	CMD_CALL_HANDLES,
	CMD_EXIT
};

struct cmd {
	uint32_t op;
	uint32_t len;
	char data[512];
};

struct answer {
	int32_t status;
	uint32_t len;
	char data[512];
};

/* --- the child: a hand on the session --------------------------------------- */

static int child(void)
{
	handle_t report = ch_handle("report"), in = ch_handle("stdin"), jc[2] = {0, 0};
	static struct cmd c;
	static struct answer a;
	static char big[65536];
	if (report == HANDLE_INVALID || in == HANDLE_INVALID)
		return 3;
	for (;;) {
		struct kbus_buf b = {.data = &c, .capacity = sizeof(c)};
		if (ch_kbus_recv(report, &b, 0, CH_FOREVER) < 0)
			return 4;
		memset(&a, 0, sizeof(a));
		switch (c.op) {
		case CMD_READ: {
			struct kbus_buf r = {.data = a.data, .capacity = sizeof(a.data)};
			long st = ch_kbus_recv(in, &r, 0, WAIT_NS);
			a.status = st < 0 ? (int32_t)st : (int32_t)r.len;
			a.len = st < 0 ? 0 : r.len;
			break;
		}
		case CMD_WRITE:
			a.status = (int32_t)ch_kbus_send_bytes(ch_handle("stdout"), c.data, c.len,
			                                       0, WAIT_NS);
			break;
		case CMD_CALL: {
			struct kbus_msg m = {.data = c.len <= sizeof(c.data) ? c.data : big,
			                     .len = c.len};
			struct kbus_buf r = {.data = a.data, .capacity = sizeof(a.data)};
			a.status = (int32_t)ch_kbus_call(in, &m, &r, WAIT_NS);
			a.len = r.len;
			break;
		}
		case CMD_CALL_JOBCTL: {
			if (jc[0])
				ch_cap_drop(jc[0]);
			a.status = (int32_t)ch_channel_create(ch_handle("pool"), 0, jc);
			struct term_req q = {TERM_REQ_MAGIC, TERM_SET_JOBCTL, 0, 0};
			struct kbus_msg m = {
			    .data = &q, .len = sizeof(q), .nhandles = 1, .handles = &jc[1]};
			struct kbus_buf r = {.data = a.data, .capacity = sizeof(a.data)};
			if (a.status == 0)
				a.status = (int32_t)ch_kbus_call(in, &m, &r, WAIT_NS);
			a.len = r.len;
			break;
		}
		case CMD_JOBCTL_READ: {
			struct kbus_buf r = {.data = a.data, .capacity = sizeof(a.data)};
			long st = jc[0] ? ch_kbus_recv(jc[0], &r, 0, WAIT_NS) : ERR_BAD_STATE;
			a.status = st < 0 ? (int32_t)st : 0;
			a.len = st < 0 ? 0 : r.len;
			break;
		}
		case CMD_KIND: {
			struct kbus_endpoint_info info;
			long st = ch_kbus_info(in, &info);
			a.status = st < 0 ? (int32_t)st : (int32_t)info.kind;
			break;
		}
		case CMD_CALL_HANDLES: {
			handle_t h[3];
			long st = ch_channel_create(ch_handle("pool"), 0, h);
			if (st == 0)
				st = ch_cap_duplicate(h[0], &h[2]);
			struct kbus_msg d = {
			    .data = "cap", .len = 3, .nhandles = 1, .handles = &h[1]};
			if (st == 0)
				st = ch_kbus_send(ch_handle("stdout"), &d, 0, WAIT_NS);
			struct term_req q = {TERM_REQ_MAGIC, TERM_SET_JOBCTL, 0, 0};
			handle_t two[2] = {h[0], h[2]};
			struct kbus_msg m = {
			    .data = &q, .len = sizeof(q), .nhandles = 2, .handles = two};
			struct kbus_buf r = {.data = a.data, .capacity = sizeof(a.data)};
			if (st == 0)
				st = ch_kbus_call(in, &m, &r, WAIT_NS);
			a.status = (int32_t)st;
			a.len = r.len;
			break;
		}
		case CMD_EXIT:
			ch_kbus_reply(report, &(struct kbus_msg){.data = &a, .len = sizeof(a)});
			return 0;
		default:
			a.status = ERR_NOT_SUPPORTED;
			break;
		}
		struct kbus_msg m = {.data = &a, .len = sizeof(a)};
		ch_kbus_reply(report, &m);
	}
}

/* `termtest echo`: answers each line on stdin with "echo: <it>"; the line "hi"
 * with three cells of red, green and blue background first (what
 * tools/devices-qmp.sh looks for in a screendump after typing it on the screen).
 * With a "report" endpoint it says there when its output is on the screen: a
 * call drains (the console answers after showing what was sent before). */
static void drain_and_report(const char *what)
{
	struct term_req q = {TERM_REQ_MAGIC, TERM_GET_MODE, 0, 0};
	struct term_reply rep;
	struct kbus_msg m = {.data = &q, .len = sizeof(q)};
	struct kbus_buf b = {.data = &rep, .capacity = sizeof(rep)};
	ch_kbus_call(ch_handle("stdin"), &m, &b, WAIT_NS);
	if (ch_handle("report") != HANDLE_INVALID)
		ch_kbus_send_bytes(ch_handle("report"), what, (uint32_t)strlen(what), 0, WAIT_NS);
}

/* Runs "bin/keymap <name>" on our terminal (as a shell would) and reports "keymap <exit code>". */
static void run_keymap(const char *name)
{
	handle_t ep = ch_handle("stdin");
	const uint64_t r = RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT | RIGHT_DUPLICATE;
	struct ch_grant g[] = {{"stdin", ep, r}, {"stdout", ep, r}, {"stderr", ep, r}};
	const char *argv[] = {"bin/keymap", name, NULL};
	struct ch_spawn_args a = {.path = argv[0],
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = sizeof(g) / sizeof(g[0]),
	                          .child_pool = 512u << 10};
	struct ch_child kid;
	struct proc_status st = {0};
	char what[32];
	long e = ch_spawn(&a, &kid);
	if (e == 0) {
		e = ch_proc_wait(kid.process, WAIT_NS, &st);
		ch_child_release(&kid);
	}
	snprintf(what, sizeof(what), "keymap %ld", e < 0 ? e : (long)st.code);
	drain_and_report(what);
}

/* Also: the line "keymap <name>" runs bin/keymap, and every other line is reported as
 * "line <it>" (tools/devices-qmp.sh's console_keymap: what the layout made of its keys). */
static int echo_loop(void)
{
	static char in[4096], out[4200];
	handle_t ep = ch_handle("stdin");
	uint32_t len;
	ch_kbus_send_bytes(ch_handle("stdout"), "echo ready\n", 11, 0, WAIT_NS);
	drain_and_report("ready");
	while (ch_kbus_recv_bytes(ep, in, sizeof(in) - 1, &len, 0, CH_FOREVER) == 0) {
		bool hi = len == 3 && memcmp(in, "hi\n", 3) == 0;
		in[len] = '\0';
		if (len > 7 && strncmp(in, "keymap ", 7) == 0 && in[len - 1] == '\n') {
			in[len - 1] = '\0';
			run_keymap(in + 7);
			continue;
		}
		int n = snprintf(out, sizeof(out), "%secho: %.*s",
		                 hi ? "\x1b[41m \x1b[42m \x1b[44m \x1b[0m" : "", (int)len, in);
		ch_kbus_send_bytes(ch_handle("stdout"), out, (uint32_t)n, 0, WAIT_NS);
		if (hi) {
			drain_and_report("shown");
		} else if (ch_handle("report") != HANDLE_INVALID) {
			n = snprintf(out, sizeof(out), "line %.*s",
			             (int)(len && in[len - 1] == '\n' ? len - 1 : len), in);
			drain_and_report(out);
		}
	}
	return 0;
}

/* --- the parent: keyboard, serial line and checks ------------------------------ */

static handle_t line, report;
static struct ch_child console;
static bool console_up;

static long cmd(uint32_t op, const void *data, uint32_t len, struct answer *a)
{
	static struct cmd c;
	c.op = op;
	c.len = len;
	if (data && len <= sizeof(c.data))
		memcpy(c.data, data, len);
	struct kbus_msg m = {.data = &c, .len = sizeof(c)};
	struct kbus_buf b = {.data = a, .capacity = sizeof(*a)};
	memset(a, 0, sizeof(*a));
	return ch_kbus_call(report, &m, &b, WAIT_NS);
}

static long type(const char *s)
{
	return ch_kbus_send_bytes(line, s, (uint32_t)strlen(s), 0, WAIT_NS);
}

/* Reads what the console wrote on the line until it holds want (returns true),
 * or the line stays silent for the guard time. Keeps what came after want. */
static char seen[4096];
static size_t nseen;

static bool expect_line(const char *want)
{
	size_t wl = strlen(want);
	for (;;) {
		for (size_t i = 0; i + wl <= nseen; i++)
			if (memcmp(seen + i, want, wl) == 0) {
				memmove(seen, seen + i + wl, nseen - i - wl);
				nseen -= i + wl;
				return true;
			}
		if (nseen == sizeof(seen))
			nseen = 0;
		uint32_t len;
		if (ch_kbus_recv_bytes(line, seen + nseen, (uint32_t)(sizeof(seen) - nseen), &len,
		                       0, WAIT_NS) < 0)
			return false;
		nseen += len;
	}
}

static void line_reset(void)
{
	uint32_t len;
	static char junk[4096];
	while (ch_kbus_recv_bytes(line, junk, sizeof(junk), &len, KBUS_NONBLOCK, 0) == 0)
		;
	nseen = 0;
}

static long term_call(uint32_t op, uint32_t arg, struct term_reply *rep)
{
	struct term_req q = {TERM_REQ_MAGIC, op, arg, 0};
	struct answer a;
	long r = cmd(CMD_CALL, &q, sizeof(q), &a);
	if (r < 0)
		return r;
	if (a.status < 0)
		return a.status;
	if (a.len != sizeof(*rep))
		return ERR_MALFORMED;
	memcpy(rep, a.data, sizeof(*rep));
	return rep->status;
}

/* Reads one message the program got; its bytes into a (NUL-terminated). */
static long got(struct answer *a)
{
	long r = cmd(CMD_READ, NULL, 0, a);
	if (r < 0)
		return r;
	if (a->len < sizeof(a->data))
		a->data[a->len] = '\0';
	return a->status;
}

#define EXPECT_GOT(str)                                                                      \
	do {                                                                                 \
		struct answer a_;                                                            \
		long r_ = got(&a_);                                                          \
		CHECK(r_ == (long)strlen(str) && memcmp(a_.data, str, strlen(str)) == 0,     \
		      "line %d: the program got %ld bytes \"%s\", not \"%s\"", __LINE__, r_, \
		      r_ > 0 ? a_.data : "", str);                                           \
	} while (0)

static void test_info(void)
{
	struct answer a;
	struct term_reply rep;
	CHECK(console_up, "no console");
	EXPECT_OK(cmd(CMD_KIND, NULL, 0, &a));
	CHECK(a.status == KBUS_KIND_TERM, "the session's kind is %d", a.status);
	EXPECT_OK(term_call(TERM_GET_INFO, 0, &rep));
	CHECK(strcmp(rep.name, "serial") == 0, "name %.16s", rep.name);
	CHECK(rep.mode == TERM_MODE_ALL, "a new session's mode is %#x", rep.mode);
	EXPECT_OK(term_call(TERM_GET_SIZE, 0, &rep));
	CHECK(rep.cols == 80 && rep.rows == 24, "size %ux%u", rep.cols, rep.rows);
}

static void test_canon(void)
{
	CHECK(console_up, "no console");
	line_reset();
	EXPECT_OK(type("hel"));
	EXPECT_OK(type("x"));
	EXPECT_OK(type("\x7f"));
	EXPECT_OK(type("lo\r"));
	EXPECT_GOT("hello\n");
	CHECK(expect_line("helx\b \blo\r\n"), "echo: \"%.*s\"", (int)nseen, seen);
	EXPECT_OK(type("abc def\x17ghi\r")); /* Ctrl-W */
	EXPECT_GOT("abc ghi\n");
	EXPECT_OK(type("junk\x15ok\r")); /* Ctrl-U */
	EXPECT_GOT("ok\n");
	EXPECT_OK(type("\xc3\xa9t\xc3\xa9\x7f\r")); /* erasing a two-byte character */
	EXPECT_GOT("\xc3\xa9t\n");
}

static void test_eof(void)
{
	CHECK(console_up, "no console");
	EXPECT_OK(type("\x04"));
	EXPECT_GOT("");
	EXPECT_OK(type("ab\x04"));
	EXPECT_GOT("ab");
	EXPECT_OK(type("\r"));
	EXPECT_GOT("\n");
}

static void test_raw(void)
{
	struct term_reply rep;
	CHECK(console_up, "no console");
	EXPECT_OK(term_call(TERM_SET_MODE, 0, &rep));
	CHECK(rep.mode == 0, "mode %#x after setting 0", rep.mode);
	line_reset();
	EXPECT_OK(type("x"));
	EXPECT_GOT("x");
	EXPECT_OK(type("\x1b[A"));
	EXPECT_GOT("\x1b[A");
	EXPECT_OK(type("\r"));
	EXPECT_GOT("\r");
	EXPECT_OK(type("\x03")); /* no ISIG: a byte like the others */
	EXPECT_GOT("\x03");
	EXPECT_OK(term_call(TERM_SET_MODE, TERM_MODE_CANON | TERM_MODE_ECHO, &rep));
	EXPECT_OK(type("z\r"));
	EXPECT_GOT("z\n");
	/* nothing typed in raw mode without echo was echoed: "z" is the first thing */
	uint32_t len;
	CHECK(ch_kbus_recv_bytes(line, seen, sizeof(seen), &len, 0, WAIT_NS) == 0 && len >= 1 &&
	          seen[0] == 'z',
	      "the line showed \"%.*s\" first", (int)len, seen);
	nseen = 0;
	EXPECT_OK(term_call(TERM_SET_MODE, TERM_MODE_ALL, &rep));
}

static void test_output(void)
{
	struct answer a;
	struct term_reply rep;
	CHECK(console_up, "no console");
	line_reset();
	EXPECT_OK(cmd(CMD_WRITE, "one\ntwo\n", 8, &a));
	EXPECT_OK(a.status);
	/* a call answers after the output before it was written: it is on the line now */
	EXPECT_OK(term_call(TERM_GET_MODE, 0, &rep));
	uint32_t len;
	EXPECT_OK(ch_kbus_recv_bytes(line, seen, sizeof(seen), &len, KBUS_NONBLOCK, 0));
	nseen = len;
	CHECK(expect_line("one\r\ntwo\r\n"), "output \"%.*s\"", (int)nseen, seen);
}

static void test_isig(void)
{
	struct answer a;
	CHECK(console_up, "no console");
	EXPECT_OK(cmd(CMD_CALL_JOBCTL, NULL, 0, &a));
	CHECK(a.status == 0 && a.len == sizeof(struct term_reply) &&
	          ((struct term_reply *)a.data)->status == 0,
	      "SET_JOBCTL: %s", ch_error_name(a.status));
	line_reset();
	EXPECT_OK(type("abc\x03"));
	EXPECT_OK(cmd(CMD_JOBCTL_READ, NULL, 0, &a));
	struct term_event ev;
	memcpy(&ev, a.data, sizeof(ev));
	CHECK(a.status == 0 && a.len == sizeof(ev) && ev.magic == TERM_REQ_MAGIC &&
	          ev.event == TERM_EV_INTR,
	      "event: %s, %u bytes, %u", ch_error_name(a.status), a.len, ev.event);
	CHECK(expect_line("abc^C\r\n"), "echo \"%.*s\"", (int)nseen, seen);
	EXPECT_OK(type("\x1a"));
	EXPECT_OK(cmd(CMD_JOBCTL_READ, NULL, 0, &a));
	memcpy(&ev, a.data, sizeof(ev));
	CHECK(ev.event == TERM_EV_SUSP, "Ctrl-Z gave %u", ev.event);
	EXPECT_OK(type("ok\r")); /* "abc" was dropped */
	EXPECT_GOT("ok\n");
}

static void test_flush(void)
{
	struct term_reply rep;
	CHECK(console_up, "no console");
	EXPECT_OK(type("abc"));
	EXPECT_OK(term_call(TERM_FLUSH_INPUT, 0, &rep));
	EXPECT_OK(type("d\r"));
	EXPECT_GOT("d\n");
}

static long raw_call(const void *req, uint32_t len, struct term_reply *rep)
{
	struct answer a;
	long r = cmd(CMD_CALL, req, len, &a);
	if (r < 0 || a.status < 0)
		return r < 0 ? r : a.status;
	if (a.len != sizeof(*rep))
		return ERR_MALFORMED;
	memcpy(rep, a.data, sizeof(*rep));
	return rep->status;
}

static void test_hostile(void)
{
	struct term_reply rep;
	struct answer a;
	struct term_req q = {TERM_REQ_MAGIC, TERM_GET_MODE, 0, 0};
	char junk[200] = {0};
	CHECK(console_up, "no console");
	EXPECT_ERR(raw_call(&q, 3, &rep), ERR_INVALID_ARGS);
	memcpy(junk, &q, sizeof(q));
	EXPECT_ERR(raw_call(junk, sizeof(junk), &rep), ERR_INVALID_ARGS);
	EXPECT_ERR(raw_call(junk, 0, &rep), ERR_INVALID_ARGS);
	q.magic = 0x12345678;
	EXPECT_ERR(raw_call(&q, sizeof(q), &rep), ERR_INVALID_ARGS);
	q.magic = TERM_REQ_MAGIC;
	q.op = 99;
	EXPECT_ERR(raw_call(&q, sizeof(q), &rep), ERR_NOT_SUPPORTED);
	q.op = 0;
	EXPECT_ERR(raw_call(&q, sizeof(q), &rep), ERR_NOT_SUPPORTED);
	q.op = TERM_SET_MODE;
	q.arg = 0x80;
	EXPECT_ERR(raw_call(&q, sizeof(q), &rep), ERR_INVALID_ARGS);
	CHECK(rep.mode == TERM_MODE_ALL, "a refused mode changed it to %#x", rep.mode);
	/* a 60 KiB call (beyond STREAM_MSG_MAX) is taken whole and refused, not left to jam */
	EXPECT_ERR(raw_call(NULL, 60u << 10, &rep), ERR_INVALID_ARGS);
	line_reset();
	EXPECT_OK(cmd(CMD_CALL_HANDLES, NULL, 0, &a));
	CHECK(a.status == 0 && ((struct term_reply *)a.data)->status == ERR_INVALID_ARGS,
	      "SET_JOBCTL with two handles: %s / %d", ch_error_name(a.status),
	      ((struct term_reply *)a.data)->status);
	CHECK(expect_line("cap"), "a data message with a capability was not shown");
	EXPECT_OK(term_call(TERM_GET_MODE, 0, &rep));
	CHECK(rep.mode == TERM_MODE_ALL, "mode %#x", rep.mode);
	EXPECT_OK(type("still\r"));
	EXPECT_GOT("still\n");
}

/* A keymap call of op with name (its 32 bytes as given) and magic; the reply into *rep. */
static long keymap_call(uint32_t magic, uint32_t op, const char *name, size_t nlen,
                        struct term_keymap_reply *rep)
{
	struct term_keymap_req q = {.req = {magic, op, 0, 0}};
	struct answer a;
	memcpy(q.name, name, nlen < sizeof(q.name) ? nlen : sizeof(q.name));
	memset(rep, 0, sizeof(*rep));
	long r = cmd(CMD_CALL, &q, sizeof(q), &a);
	if (r < 0 || a.status < 0)
		return r < 0 ? r : a.status;
	if (a.len != sizeof(*rep))
		return ERR_MALFORMED;
	memcpy(rep, a.data, sizeof(*rep));
	return rep->rep.status;
}

#define SET_KEYMAP(name, rep) \
	keymap_call(TERM_REQ_MAGIC, TERM_SET_KEYMAP, name, strlen(name) + 1, rep)

/* Keyboard layouts over the session (docs/terminal.md): set, refused, kept, and the
 * serial line's typing untouched by them. */
static void test_keymap(void)
{
	struct term_keymap_reply rep;
	struct term_reply r16;
	char long_name[TERM_KEYMAP_NAME_MAX];
	CHECK(console_up, "no console");
	EXPECT_OK(keymap_call(TERM_REQ_MAGIC, TERM_GET_KEYMAP, "", 0, &rep));
	CHECK(strcmp(rep.name, "us") == 0 && strcmp(rep.rep.name, "serial") == 0,
	      "layout %.32s on %.16s", rep.name, rep.rep.name);
	EXPECT_OK(SET_KEYMAP("de", &rep));
	CHECK(strcmp(rep.name, "de") == 0, "layout %.32s after keymap de", rep.name);
	EXPECT_ERR(SET_KEYMAP("nosuch", &rep), ERR_NOT_FOUND);
	CHECK(strstr(rep.error, "nosuch") && strcmp(rep.name, "de") == 0,
	      "error '%.128s', layout %.32s", rep.error, rep.name);
	EXPECT_ERR(SET_KEYMAP("../etc/exec.manifest", &rep), ERR_INVALID_ARGS);
	CHECK(rep.error[0] && strcmp(rep.name, "de") == 0, "layout %.32s", rep.name);
	memset(long_name, 'a', sizeof(long_name)); /* no NUL: the console ends it */
	EXPECT_ERR(keymap_call(TERM_REQ_MAGIC, TERM_SET_KEYMAP, long_name, sizeof(long_name), &rep),
	           ERR_NOT_FOUND);
	EXPECT_ERR(keymap_call(0x12345678, TERM_SET_KEYMAP, "us", 3, &rep), ERR_INVALID_ARGS);
	EXPECT_ERR(keymap_call(TERM_REQ_MAGIC, TERM_GET_MODE, "us", 3, &rep), ERR_INVALID_ARGS);
	struct term_req q = {TERM_REQ_MAGIC, TERM_SET_KEYMAP, 0, 0};
	EXPECT_ERR(raw_call(&q, sizeof(q), &r16), ERR_INVALID_ARGS); /* without the name */
	EXPECT_OK(keymap_call(TERM_REQ_MAGIC, TERM_GET_KEYMAP, "", 0, &rep));
	CHECK(strcmp(rep.name, "de") == 0, "layout %.32s after the refusals", rep.name);
	EXPECT_OK(type("yz\r")); /* the serial line types characters: no layout */
	EXPECT_GOT("yz\n");
	EXPECT_OK(SET_KEYMAP("us", &rep));
	CHECK(strcmp(rep.name, "us") == 0, "layout %.32s after keymap us", rep.name);
}

static void test_restart(void)
{
	struct answer a;
	CHECK(console_up, "no console");
	line_reset();
	EXPECT_OK(cmd(CMD_EXIT, NULL, 0, &a));
	CHECK(expect_line("press Enter to start it again]\r\n"), "no end notice: \"%.*s\"",
	      (int)nseen, seen);
	EXPECT_OK(type("\r"));
	EXPECT_OK(cmd(CMD_KIND, NULL, 0, &a)); /* a new program on a new session */
	CHECK(a.status == KBUS_KIND_TERM, "kind %d after a restart", a.status);
	EXPECT_OK(type("again\r"));
	EXPECT_GOT("again\n");
}

static void run_all(void)
{
	ch_test_run("term_", "info", test_info);
	ch_test_run("term_", "canon", test_canon);
	ch_test_run("term_", "eof", test_eof);
	ch_test_run("term_", "raw", test_raw);
	ch_test_run("term_", "output", test_output);
	ch_test_run("term_", "isig", test_isig);
	ch_test_run("term_", "flush", test_flush);
	ch_test_run("term_", "hostile", test_hostile);
	ch_test_run("term_", "keymap", test_keymap);
	ch_test_run("term_", "restart", test_restart);
}

/* Waits (within the guard) until whoever held ep's other end is gone: the session's
 * program has ended, and the pools it was split from can go back to Exec before the
 * next suite starts. */
static void wait_gone(handle_t ep)
{
	static char junk[sizeof(struct answer)];
	for (int i = 0; i < 100; i++) {
		uint32_t len;
		long r = ch_kbus_recv_bytes(ep, junk, sizeof(junk), &len, 0, WAIT_NS);
		if (r == ERR_PEER_CLOSED || r == ERR_TIMED_OUT)
			return;
	}
}

/* The nth device under hw that is platform device name (nth 0) or PCI vendor:device. */
static long find_dev(handle_t hw, const char *name, uint16_t vendor, uint16_t device, unsigned nth,
                     handle_t *out)
{
	for (uint32_t i = 0;; i++) {
		struct hw_device_info di;
		long r = ch_dev_enum(hw, i, &di, NULL);
		if (r < 0)
			return r == ERR_OUT_OF_RANGE ? ERR_NOT_FOUND : r;
		bool match =
		    name ? di.bus == HW_BUS_PLATFORM && !strncmp(di.name, name, sizeof(di.name))
		         : di.bus != HW_BUS_PLATFORM && di.vendor == vendor && di.device == device;
		if (match && nth-- == 0)
			return ch_dev_enum(hw, i, &di, out);
	}
}

/*
 * With QEMU's PCI test device (tools/devices-qmp.sh: a host is typing), a console
 * with a screen: the drivers started here (the display on a second bochs-display,
 * so devtest's pattern on the first stays for its screendump), `termtest echo` on
 * vt1. Says
 * "CONSOLESHOT READY" when it can type, "CONSOLESHOT SHOWN" when the answer to the
 * line "hi" is on the screen; the host checks a screendump (console_shot).
 */
static void console_shot(void)
{
	static struct ch_child kids[6];
	unsigned nkids = 0;
	handle_t hw = ch_handle("hw"), dev, r[2] = {HANDLE_INVALID, HANDLE_INVALID};
	if (hw == HANDLE_INVALID || find_dev(hw, NULL, 0x1b36, 0x0005, 0, &dev) < 0)
		return;
	ch_cap_drop(dev);
	static const char *const drivers[][4] = {{"bin/bochs-display", "tvga0", NULL},
	                                         {"bin/ps2", "tkbd0", "tmouse0", NULL},
	                                         {"bin/virtio-input", "tvin0", NULL},
	                                         {"bin/virtio-input", "tvin1", NULL}};
	for (unsigned i = 0; i < 4; i++) {
		long e = i == 1   ? find_dev(hw, "i8042", 0, 0, 0, &dev)
		         : i == 0 ? find_dev(hw, NULL, 0x1234, 0x1111, 1, &dev)
		                  : find_dev(hw, NULL, 0x1af4, 0x1052, i - 2, &dev);
		if (e < 0)
			continue;
		/* each pool pays for the driver's process, image and stack too (~230 KiB) */
		e = ch_driver_spawn(drivers[i], dev, (i < 2 ? 1u : 3u) << 20, WAIT_NS,
		                    &kids[nkids]);
		ch_cap_drop(dev);
		if (kids[nkids].process != HANDLE_INVALID)
			nkids++;
		if (e < 0)
			printf("termtest: %s: %s\n", drivers[i][0], ch_error_name(e));
	}
	if (ch_channel_create(ch_handle("pool"), 0, r) < 0)
		goto out;
	const uint64_t ep =
	    RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE;
	struct cap_info nsdev = {0};
	ch_cap_inspect(ch_ns_root("dev"), &nsdev);
	struct ch_grant g[] = {
	    {"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER | RIGHT_DUPLICATE},
	    {"initrd", ch_handle("initrd"),
	     RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE},
	    {"ns.dev", ch_ns_root("dev"), nsdev.rights},
	    {"sh.report", r[1], ep},
	    {"sh.initrd", ch_handle("initrd"),
	     RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE},
	};
	const char *argv[] = {"bin/console",  "--display", "dev:///display/tvga0",
	                      "--pool",       "2M",        "--",
	                      "bin/termtest", "echo",      NULL};
	struct ch_spawn_args a = {.path = argv[0],
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = sizeof(g) / sizeof(g[0]),
	                          /* its process, image (~375 KiB with the stack) and page
	                             tables are its pool's too */
	                          .child_pool = 10u << 20};
	long e = ch_spawn(&a, &kids[nkids]);
	ch_cap_drop(r[1]);
	if (e < 0) {
		printf("termtest: cannot start a console with a screen: %s\n", ch_error_name(e));
		goto out;
	}
	nkids++;
	char got[96];
	uint32_t len;
	if (ch_kbus_recv_bytes(r[0], got, sizeof(got), &len, 0, 12 * WAIT_NS) == 0) {
		printf("CONSOLESHOT READY\n");
		if (ch_kbus_recv_bytes(r[0], got, sizeof(got), &len, 0, 12 * WAIT_NS) == 0)
			printf("CONSOLESHOT SHOWN\n");
		/* the host takes its screendump, then types "keymap de", keys on the German
		 * layout and Enter (console_keymap), and ends the boot */
		while (ch_kbus_recv_bytes(r[0], got, sizeof(got) - 1, &len, 0, 6 * WAIT_NS) == 0) {
			got[len] = '\0';
			printf("CONSOLESHOT %s\n", got);
		}
	}
out:
	while (nkids--) {
		ch_proc_kill(kids[nkids].process);
		ch_proc_wait(kids[nkids].process, CH_FOREVER, &(struct proc_status){0});
		ch_child_release(&kids[nkids]);
	}
	if (r[0] != HANDLE_INVALID)
		wait_gone(r[0]); /* `termtest echo` ends when its session does */
	static const char *const names[] = {"tvga0", "tkbd0", "tmouse0", "tvin0", "tvin1"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ch_driver_unbind(names[i]); /* their entries would keep the drivers' pools */
}

static long start_console(void)
{
	handle_t l[2], r[2];
	long err = ch_channel_create(ch_handle("pool"), 0, l);
	if (err < 0 || (err = ch_channel_create(ch_handle("pool"), 0, r)) < 0)
		return err;
	line = l[0];
	report = r[0];
	const uint64_t ep =
	    RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE;
	const uint64_t logr = RIGHT_WRITE | RIGHT_TRANSFER | RIGHT_DUPLICATE | RIGHT_INSPECT;
	struct ch_grant g[] = {
	    {"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER | RIGHT_DUPLICATE},
	    {"initrd", ch_handle("initrd"),
	     RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE},
	    {"line", l[1], ep},
	    {"sh.report", r[1], ep},
	    {"sh.log", ch_handle("log"), logr},
	};
	const char *argv[] = {"bin/console", "--no-vt",      "--pool", "2M",
	                      "--",          "bin/termtest", "child",  NULL};
	struct ch_spawn_args a = {.path = argv[0],
	                          .argv = argv,
	                          .grants = g,
	                          .ngrants = sizeof(g) / sizeof(g[0]),
	                          .child_pool = 8u << 20};
	err = ch_spawn(&a, &console);
	ch_cap_drop(l[1]);
	ch_cap_drop(r[1]);
	return err;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child();
	if (argc > 1 && strcmp(argv[1], "echo") == 0)
		return echo_loop();
	long r = start_console();
	if (r < 0)
		printf("termtest: cannot start bin/console: %s\n", ch_error_name(r));
	console_up = r == 0;
	int failed = ch_test_main(run_all);
	if (console_up) {
		struct answer a;
		cmd(CMD_EXIT, NULL, 0, &a); /* the program in the session ends too */
		ch_proc_kill(console.process);
		ch_proc_wait(console.process, CH_FOREVER, &(struct proc_status){0});
		ch_child_release(&console);
		wait_gone(report);
	}
	console_shot();
	return failed;
}
