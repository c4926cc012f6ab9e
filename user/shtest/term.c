/*
 * term.c - bin/shtest: the shell on a terminal. shtest plays the console: it
 * makes a channel of kind KBUS_KIND_TERM, gives one end to bin/sh as stdin,
 * stdout and stderr, answers its terminal requests (abi/term.h: modes, size,
 * the job-control endpoint) and types keys at it, one message per key as the
 * console does in raw mode. What the shell draws is collected; each step waits
 * until the text it expects has been drawn.
 *
 *   sh_interactive  raw mode while editing and the mode restored for commands,
 *                   Emacs keys, history (Up, Ctrl-R) and its file, completion of
 *                   commands and paths, Ctrl-C dropping a line, Ctrl-D ending
 *   sh_complete     Tab on options: a program's (its --help, run sandboxed), a
 *                   builtin's, none; run --grant's capabilities; programs whose
 *                   --help misbehaves (garbage without end, no end, failure)
 *                   neither hold the shell nor stay running, keys typed
 *                   meanwhile are kept, Ctrl-C stops the wait
 *   sh_jobctl       Ctrl-C (TERM_EV_INTR on the job-control endpoint) kills the
 *                   foreground job, and the shell goes on; with a kernel that
 *                   has SYS_PROC_SUSPEND, Ctrl-Z stops it, and jobs / fg see it
 */
#include "shtest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <abi/term.h>
#include <charlotte/initrd.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define HOME SHDIR "/home"
#define WAIT_NS (60ull * 1000 * 1000 * 1000) /* a hang guard only: no step is judged by time */

struct term {
	handle_t ep; /* our end */
	handle_t events; /* the shell's job-control endpoint (TERM_SET_JOBCTL) */
	uint32_t mode;
	unsigned mode_sets; /* TERM_SET_MODE requests seen */
	char out[16384]; /* what the shell wrote (from `dropped` on) */
	size_t n, mark; /* bytes in out; where the next wait looks from */
	size_t dropped; /* bytes before out[0]: matched already, dropped to make room */
	struct ch_child c;
	bool started;
};

static struct term t;

static void answer(struct term *tm, const struct term_req *req, uint32_t len, handle_t *hs,
                   uint32_t nh)
{
	struct term_reply rep = {.status = 0};
	if (len != sizeof(*req) || req->magic != TERM_REQ_MAGIC) {
		rep.status = ERR_INVALID_ARGS;
	} else {
		switch (req->op) {
		case TERM_GET_MODE:
			break;
		case TERM_SET_MODE:
			tm->mode = req->arg & TERM_MODE_ALL;
			tm->mode_sets++;
			break;
		case TERM_GET_SIZE:
			rep.cols = 80;
			rep.rows = 24;
			break;
		case TERM_SET_JOBCTL:
			if (tm->events != HANDLE_INVALID)
				ch_cap_drop(tm->events);
			tm->events = nh == 1 ? hs[0] : HANDLE_INVALID;
			nh = 0; /* kept */
			break;
		case TERM_FLUSH_INPUT:
			break;
		case TERM_GET_INFO:
			snprintf(rep.name, sizeof(rep.name), "shtest");
			rep.cols = 80;
			rep.rows = 24;
			break;
		default:
			rep.status = ERR_NOT_SUPPORTED;
		}
	}
	rep.mode = tm->mode;
	for (uint32_t i = 0; i < nh; i++)
		ch_cap_drop(hs[i]);
	struct kbus_msg m = {.data = &rep, .len = sizeof(rep)};
	ch_kbus_reply(tm->ep, &m);
}

/* Take one message from the shell (output or a request); false if it is gone. */
static bool pump_one(struct term *tm)
{
	char buf[4096];
	handle_t hs[KBUS_MAX_HANDLES];
	struct kbus_buf b = {.data = buf,
	                     .capacity = sizeof(buf),
	                     .handles = hs,
	                     .handles_capacity = KBUS_MAX_HANDLES};
	long r = ch_kbus_recv(tm->ep, &b, 0, WAIT_NS);
	if (r < 0)
		return false;
	if (b.flags & KBUS_MSG_CALL) {
		struct term_req req = {0};
		memcpy(&req, buf, b.len < sizeof(req) ? b.len : sizeof(req));
		answer(tm, &req, b.len, hs, b.nhandles);
		return true;
	}
	for (uint32_t i = 0; i < b.nhandles; i++)
		ch_cap_drop(hs[i]);
	size_t k = b.len;
	if (k > sizeof(tm->out) - 1 - tm->n && tm->mark) { /* what was matched is not looked at */
		memmove(tm->out, tm->out + tm->mark, tm->n - tm->mark);
		tm->n -= tm->mark;
		tm->dropped += tm->mark;
		tm->mark = 0;
	}
	if (k > sizeof(tm->out) - 1 - tm->n)
		k = sizeof(tm->out) - 1 - tm->n;
	memcpy(tm->out + tm->n, buf, k);
	tm->n += k;
	tm->out[tm->n] = 0;
	return true;
}

/* Wait until want has been drawn after the mark; the mark moves past it. */
static bool expect(struct term *tm, const char *want)
{
	for (;;) {
		char *at = strstr(tm->out + tm->mark, want);
		if (at) {
			tm->mark = (size_t)(at - tm->out) + strlen(want);
			return true;
		}
		if (!pump_one(tm))
			return false;
	}
}

/* Type keys: one message per character, escape sequences whole. */
static void type(struct term *tm, const char *keys)
{
	for (const char *k = keys; *k;) {
		size_t n = 1;
		if (k[0] == 0x1b && k[1] == '[') {
			n = 2;
			while (k[n] && !(k[n] >= 0x40 && k[n] <= 0x7e))
				n++;
			if (k[n])
				n++;
		}
		struct kbus_msg m = {.data = k, .len = (uint32_t)n};
		ch_kbus_send(tm->ep, &m, 0, WAIT_NS);
		k += n;
	}
}

static bool start(struct term *tm)
{
	handle_t ep[2];
	memset(tm, 0, sizeof(*tm));
	tm->events = HANDLE_INVALID;
	tm->mode = TERM_MODE_ALL;
	if (ch_channel_create_kind(ch_handle("pool"), 0, ep, KBUS_KIND_TERM) < 0)
		return false;
	tm->ep = ep[0];
	uint64_t rw =
	    RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT | RIGHT_DUPLICATE | RIGHT_TRANSFER;
	struct ch_grant g[6] = {{"stdin", ep[1], rw}, {"stdout", ep[1], rw}, {"stderr", ep[1], rw}};
	unsigned n = 3;
	static const char *const named[] = {"log", "initrd", "ns"};
	for (unsigned i = 0; i < 3; i++)
		if (shtest_grant_named(&g[n], named[i]))
			n++;
	static const char *const argv[] = {"sh", NULL};
	static const char *const envp[] = {"HOME=" HOME, NULL};
	struct ch_spawn_args a = {.path = "bin/sh",
	                          .argv = argv,
	                          .envp = envp,
	                          .grants = g,
	                          .ngrants = n,
	                          .child_pool = SHTEST_SH_POOL};
	long r;
	for (int tries = 0; (r = ch_spawn(&a, &tm->c)) == ERR_NO_MEMORY && tries < 2000; tries++)
		ch_sleep_ns(1000 * 1000); /* the last sh's pool comes back a moment after its end */
	ch_cap_drop(ep[1]);
	if (r < 0) {
		ch_cap_drop(ep[0]);
		return false;
	}
	tm->started = true;
	return true;
}

/* Close the terminal and wait for the shell; its status. */
static struct proc_status stop(struct term *tm)
{
	struct proc_status st = {0};
	if (!tm->started)
		return st;
	ch_cap_drop(tm->ep);
	if (ch_proc_wait(tm->c.process, WAIT_NS, &st) < 0) {
		ch_proc_kill(tm->c.process);
		ch_proc_wait(tm->c.process, UINT64_MAX, &st);
	}
	if (tm->events != HANDLE_INVALID)
		ch_cap_drop(tm->events);
	ch_child_release(&tm->c);
	tm->started = false;
	return st;
}

#define PROMPT HOME " $ "
#define STEP(want, ...) CHECK(expect(&t, want), __VA_ARGS__)

static void interactive_steps(void)
{
	STEP(PROMPT, "no prompt: [%s]", t.out);
	CHECK(!(t.mode & TERM_MODE_CANON) && !(t.mode & TERM_MODE_ECHO),
	      "the line is not edited in raw mode (mode %#x)", t.mode);
	type(&t, "echo hello\r");
	STEP("\nhello\n", "echo: [%s]", t.out);
	CHECK(t.mode & TERM_MODE_CANON, "a command runs in the mode the terminal had");
	STEP(PROMPT, "no prompt after a command");
	/* editing: Ctrl-B x3 and an insert; Ctrl-A, Ctrl-K, Ctrl-Y; Alt-B; Delete */
	type(&t, "echo wrld\x02\x02\x02o\r");
	STEP("\nworld\n", "Ctrl-B and insert: [%s]", t.out + t.mark);
	type(&t, "XYZ\x01\x0b"
	         "echo yanked \x19\r");
	STEP("\nyanked XYZ\n", "Ctrl-K / Ctrl-Y: [%s]", t.out + t.mark);
	type(&t, "echo one two\x1b"
	         "b\x1b[3~\x1b[3~\x1b[3~three\r");
	STEP("\none three\n", "Alt-B / Delete: [%s]", t.out + t.mark);
	/* history */
	type(&t, "\x1b[A\x1b[A\r");
	STEP("\nyanked XYZ\n", "Up twice: [%s]", t.out + t.mark);
	type(&t, "\x12hel\r");
	STEP("\nhello\n", "Ctrl-R: [%s]", t.out + t.mark);
	/* completion: a command, a path, a listing */
	type(&t, "ech\t");
	STEP("echo ", "command completion: [%s]", t.out + t.mark);
	type(&t, "tab\r");
	STEP("\ntab\n", "completed command: [%s]", t.out + t.mark);
	type(&t, "echo " SHDIR "/bo\t");
	STEP(SHDIR "/box/", "path completion: [%s]", t.out + t.mark);
	type(&t, "\r");
	STEP("\n" SHDIR "/box/\n", "completed path: [%s]", t.out + t.mark);
	type(&t, "echo " SHDIR "/g/\t");
	STEP("a.txt", "listing: [%s]", t.out + t.mark);
	STEP("c.dat", "listing: [%s]", t.out + t.mark);
	type(&t, "\x15");
	/* Ctrl-C drops the line; a continuation */
	type(&t, "echo never\x03");
	STEP("^C", "Ctrl-C: [%s]", t.out + t.mark);
	type(&t, "echo 'a\r");
	STEP("> ", "no continuation prompt: [%s]", t.out + t.mark);
	type(&t, "b'\r");
	STEP("a\nb\n", "continued line: [%s]", t.out + t.mark);
	STEP(PROMPT, "prompt");
	/* Ctrl-D ends the shell */
	type(&t, "\x04");
	struct proc_status st = stop(&t);
	CHECK(st.state == PROC_EXITED && st.code == 0, "Ctrl-D: sh %d %d", (int)st.state, st.code);
	int fd = open(HOME "/.sh_history", O_RDONLY);
	CHECK(fd >= 0, "no history file");
	char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0, "empty history file");
	buf[n] = 0;
	CHECK(strstr(buf, "echo hello\necho world\n"), "history file: [%s]", buf);
	CHECK(!strstr(buf, "never"), "a dropped line is in the history: [%s]", buf);
}

void shtest_interactive(void)
{
	unlink(HOME "/.sh_history");
	mkdir(HOME, 0755);
	CHECK(start(&t), "could not start bin/sh on a terminal");
	interactive_steps();
	stop(&t);
}

/* What the shell drew since absolute position from (t.dropped + index), or all kept. */
static const char *since(size_t from)
{
	return from >= t.dropped ? t.out + (from - t.dropped) : t.out;
}

static size_t here(void)
{
	return t.dropped + t.mark;
}

/* shtest's own image at SHDIR/<name>: as `<name> --help` it plays a hostile program
 * (shtest.c, help_role) */
static bool put_role(const char *name)
{
	const void *img;
	size_t len;
	char path[64];
	snprintf(path, sizeof(path), SHDIR "/%s", name);
	return ch_initrd_find("bin/shtest", &img, &len) == 0 &&
	       shtest_put_file(path, img, len) == 0;
}

static void complete_steps(void)
{
	STEP(PROMPT, "no prompt: [%s]", t.out);
	/* a program's options, from its --help: one completes in place, several list */
	type(&t, "ls --\t");
	STEP("ls --help ", "ls --<Tab>: [%s]", t.out + t.mark);
	type(&t, "\x15ls -\t");
	STEP("--help", "ls -<Tab> lists: [%s]", t.out + t.mark);
	STEP("usage and options", "ls -<Tab>: [%s]", t.out + t.mark);
	STEP("-1", "ls -<Tab>: [%s]", t.out + t.mark);
	STEP("one entry a line (the default when standard\n", "ls -<Tab>, cut to 80 columns: [%s]",
	     t.out + t.mark);
	STEP("also entries whose names start", "ls -<Tab>: [%s]", t.out + t.mark);
	STEP("with -l, sizes for people", "ls -<Tab>: [%s]", t.out + t.mark);
	STEP("long format", "ls -<Tab>: [%s]", t.out + t.mark);
	STEP(PROMPT "ls -", "the line after the listing: [%s]", t.out + t.mark);
	type(&t, "\t"); /* again: the same listing (kept: no second run) */
	STEP("one entry a line", "ls -<Tab><Tab>: [%s]", t.out + t.mark);
	type(&t, "-he\t");
	STEP("ls --help ", "ls --he<Tab>: [%s]", t.out + t.mark);
	type(&t, "\r");
	STEP("usage: ls [-1alh]", "the completed line ran: [%s]", t.out + t.mark);
	STEP(PROMPT, "no prompt");
	type(&t, "grep -i\t");
	STEP("grep -i ", "grep -i<Tab>: [%s]", t.out + t.mark);
	type(&t, "\x15");
	/* a builtin's, from its table; one with none: nothing is inserted */
	type(&t, "echo -\t");
	STEP("echo -n ", "echo -<Tab>: [%s]", t.out + t.mark);
	type(&t, "\x15type -\tX\r");
	STEP("-X: not found", "type -<Tab> inserted something: [%s]", t.out + t.mark);
	STEP(PROMPT, "no prompt");
	type(&t, "run --po\t");
	STEP("run --pool ", "run --po<Tab>: [%s]", t.out + t.mark);
	/* run --grant: the capabilities we hold, and URIs */
	type(&t, "\x15run --grant lo\t");
	STEP("run --grant log ", "run --grant lo<Tab>: [%s]", t.out + t.mark);
	type(&t, "\x15run --grant " SHDIR "/bo\t");
	STEP(SHDIR "/box/", "run --grant <uri><Tab>: [%s]", t.out + t.mark);
	type(&t, "\x15");
	/* a --help of any form is read as hostile text: only option names, and no
	 * escape sequences in the descriptions */
	type(&t, SHDIR "/opts -\t");
	size_t from = here();
	STEP("--color", "opts -<Tab>: [%s]", t.out + t.mark);
	STEP("--level", "opts -<Tab>: [%s]", t.out + t.mark);
	STEP("how loud", "opts -<Tab>: [%s]", t.out + t.mark);
	STEP("-q", "opts -<Tab>: [%s]", t.out + t.mark);
	STEP("quiet", "opts -<Tab>: [%s]", t.out + t.mark);
	STEP("-v", "opts -<Tab>: [%s]", t.out + t.mark);
	STEP(PROMPT, "opts -<Tab>: [%s]", t.out + t.mark);
	CHECK(!strstr(since(from), "\x1b[31m") && !strstr(since(from), "-R"),
	      "the listing holds what is not an option: [%s]", since(from));
	/* a --help that fails offers nothing */
	type(&t, "\x15" SHDIR "/fails -\t\x15"
	         "echo after-fails\r");
	from = here();
	STEP("\nafter-fails\n", "fails -<Tab>: [%s]", t.out + t.mark);
	CHECK(!strstr(since(from), "never"), "a failed --help offered options: [%s]", since(from));
	/* one that prints without end is killed past its bound, offers nothing, and the
	 * keys typed while it ran are not lost */
	type(&t, SHDIR "/spew -\t\x15"
	               "echo after-spew\r");
	from = here();
	STEP("\nafter-spew\n", "spew -<Tab>: [%s]", t.out + t.mark);
	CHECK(!strstr(since(from), "zap"), "garbage offered options: [%s]", since(from));
	CHECK(shtest_running("spew") == 0, "spew still runs");
	/* one that never ends: Ctrl-C ends the wait (and the line), and it */
	type(&t, SHDIR "/hang -\t");
	STEP(SHDIR "/hang -", "hang -: [%s]", t.out + t.mark); /* read: the Tab comes next */
	/* Ctrl-C once it runs (6,000 looks: a hang guard only) */
	for (int i = 0; i < 6000 && !shtest_running("hang"); i++)
		ch_sleep_ns(10 * 1000 * 1000);
	CHECK(shtest_running("hang") == 1, "hang --help did not start");
	type(&t, "\x03");
	STEP("^C", "Ctrl-C while hang --help runs: [%s]", t.out + t.mark);
	STEP(PROMPT, "no prompt after Ctrl-C");
	CHECK(shtest_running("hang") == 0, "hang still runs after Ctrl-C");
	/* ... and without Ctrl-C, the shell's bound on a hang (SH_HELP_HANG_NS) */
	type(&t, SHDIR "/hang -\t\x15"
	               "echo after-hang\r");
	STEP("\nafter-hang\n", "hang -<Tab>: [%s]", t.out + t.mark);
	CHECK(shtest_running("hang") == 0, "hang still runs");
	type(&t, "exit\r");
	struct proc_status st = stop(&t);
	CHECK(st.state == PROC_EXITED && st.code == 0, "exit: sh %d %d", (int)st.state, st.code);
}

void shtest_complete(void)
{
	CHECK(put_role("opts") && put_role("fails") && put_role("spew") && put_role("hang"),
	      "could not write the programs");
	mkdir(HOME, 0755);
	CHECK(start(&t), "could not start bin/sh on a terminal");
	complete_steps();
	stop(&t);
}

static void jobctl_steps(void)
{
	STEP(PROMPT, "no prompt: [%s]", t.out);
	CHECK(t.events != HANDLE_INVALID, "the shell set no job-control endpoint");
	unsigned sets = t.mode_sets;
	type(&t, "shtest ready\r");
	STEP("ready\n", "the job did not start: [%s]", t.out + t.mark);
	CHECK(t.mode_sets > sets && (t.mode & TERM_MODE_ISIG), "the job runs without ISIG");
	struct term_event ev = {TERM_REQ_MAGIC, TERM_EV_INTR};
	struct kbus_msg m = {.data = &ev, .len = sizeof(ev)};
	EXPECT_OK(ch_kbus_send(t.events, &m, 0, WAIT_NS));
	STEP("killed", "Ctrl-C did not kill the job: [%s]", t.out + t.mark);
	STEP(PROMPT, "no prompt after the job");
	type(&t, "echo $?\r");
	STEP("\n137\n", "status of a killed job: [%s]", t.out + t.mark);
#if defined(SYS_PROC_SUSPEND)
	/* Ctrl-Z stops the job, jobs lists it, fg resumes it, Ctrl-C kills it (a job
	 * that does not read the terminal: one stopped inside a read would still take
	 * the next input it was waiting for) */
	type(&t, "shtest sleep\r");
	STEP("ready\n", "the job did not start: [%s]", t.out + t.mark);
	ev.event = TERM_EV_SUSP;
	EXPECT_OK(ch_kbus_send(t.events, &m, 0, WAIT_NS));
	STEP("stopped  shtest sleep", "Ctrl-Z did not stop the job: [%s]", t.out + t.mark);
	STEP(PROMPT, "no prompt after Ctrl-Z");
	type(&t, "jobs\r");
	STEP("stopped  shtest sleep", "jobs: [%s]", t.out + t.mark);
	type(&t, "fg\r");
	STEP("\nshtest sleep\n", "fg: [%s]", t.out + t.mark);
	ev.event = TERM_EV_INTR;
	EXPECT_OK(ch_kbus_send(t.events, &m, 0, WAIT_NS));
	STEP("killed", "Ctrl-C did not kill the resumed job: [%s]", t.out + t.mark);
	STEP(PROMPT, "no prompt after the job");
#endif
	type(&t, "exit 3\r");
	struct proc_status st = stop(&t);
	CHECK(st.state == PROC_EXITED && st.code == 3, "exit 3: sh %d %d", (int)st.state, st.code);
}

void shtest_jobctl(void)
{
	CHECK(start(&t), "could not start bin/sh on a terminal");
	jobctl_steps();
	stop(&t);
}

/* Ctrl-C ends a loop of builtins and a loop of programs; a compound command
 * typed over several lines gets the continuation prompt. */
static void loop_intr_steps(void)
{
	STEP(PROMPT, "no prompt: [%s]", t.out);
	CHECK(t.events != HANDLE_INVALID, "the shell set no job-control endpoint");
	struct term_event ev = {TERM_REQ_MAGIC, TERM_EV_INTR};
	struct kbus_msg m = {.data = &ev, .len = sizeof(ev)};
	type(&t, "echo start; while true; do :; done; echo never\r");
	STEP("start\n", "the loop did not start: [%s]", t.out + t.mark);
	EXPECT_OK(ch_kbus_send(t.events, &m, 0, WAIT_NS));
	STEP(PROMPT, "Ctrl-C did not end a loop of builtins: [%s]", t.out + t.mark);
	type(&t, "echo $?\r");
	STEP("\n130\n", "status of an interrupted loop: [%s]", t.out + t.mark);
	type(&t, "for i in 1 2 3; do shtest sleep; done; echo never\r");
	STEP("ready\n", "the loop's program did not start: [%s]", t.out + t.mark);
	EXPECT_OK(ch_kbus_send(t.events, &m, 0, WAIT_NS));
	STEP("killed", "Ctrl-C did not kill the loop's job: [%s]", t.out + t.mark);
	STEP(PROMPT, "Ctrl-C did not end a loop of programs: [%s]", t.out + t.mark);
	type(&t, "if true\r");
	STEP("> ", "no continuation prompt in an if: [%s]", t.out + t.mark);
	type(&t, "then echo yes\r");
	STEP("> ", "no continuation prompt before fi: [%s]", t.out + t.mark);
	type(&t, "fi\r");
	STEP("yes\n", "the if did not run: [%s]", t.out + t.mark);
	STEP(PROMPT, "no prompt after the if");
	type(&t, "exit 0\r");
	struct proc_status st = stop(&t);
	CHECK(st.state == PROC_EXITED && st.code == 0, "exit: sh %d %d", (int)st.state, st.code);
}

void shtest_loop_intr(void)
{
	CHECK(start(&t), "could not start bin/sh on a terminal");
	loop_intr_steps();
	stop(&t);
}
