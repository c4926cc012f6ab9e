/*
 * shtest.c - bin/shtest: the shell (bin/sh) from the outside.
 *
 * Each test starts bin/sh with pipes as its stdin, stdout and stderr (and
 * "log", "initrd", "ns"), writes a script into its stdin (or passes -c),
 * reads everything it prints until the pipes close, waits for it and checks
 * the output and the exit status. The programs the scripts run are shtest
 * itself in a helper role (argv[1]): upper, cat, err, open, write, names, env,
 * ready, sleep, crash, exit. The files live below fs:///tmp/shtest. term.c runs the shell on
 * a terminal whose console is shtest itself (line editing, history, completion,
 * Ctrl-C); flow.c has the control-flow scripts.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charlotte/fd.h>
#include <charlotte/initrd.h>
#include <charlotte/names.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#include "shtest.h"

/* ---- helper roles ---- */

static void put_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void puts_fd(int fd, const char *s)
{
	put_all(fd, s, strlen(s));
}

static int copy(bool upper)
{
	char buf[512];
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; upper && i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		put_all(1, buf, (size_t)n);
	}
	return n < 0 ? 1 : 0;
}

static const char *errno_name(int e)
{
	return e == ENOENT ? "ENOENT" : e == EACCES ? "EACCES" : e == ENOTDIR ? "ENOTDIR" : "other";
}

static int try_open(const char *path, int flags)
{
	int fd = open(path, flags, 0644);
	if (fd < 0) {
		char msg[64];
		snprintf(msg, sizeof(msg), "denied %s\n", errno_name(errno));
		puts_fd(1, msg);
		return 3;
	}
	close(fd);
	puts_fd(1, "ok\n");
	return 0;
}

/* The word at s (up to a blank or newline) into out. */
static void sscanf_word(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	while (s[n] && s[n] != '\n' && s[n] != ' ' && n + 1 < cap) {
		out[n] = s[n];
		n++;
	}
	out[n] = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int names(void)
{
	const struct start_info *si = ch_start_info();
	const char *v[START_MAX_HANDLES];
	unsigned n = 0;
	for (unsigned i = 0; si && i < si->nhandles && i < START_MAX_HANDLES; i++)
		v[n++] = si->handles[i].name;
	qsort(v, n, sizeof(*v), cmp_str);
	for (unsigned i = 0; i < n; i++) {
		puts_fd(1, v[i]);
		puts_fd(1, i + 1 < n ? " " : "\n");
	}
	return 0;
}

/*
 * As `<path> --help` (what Tab runs for a program's options, sh_complete), shtest's
 * image copied to SHDIR/<name> plays, by that name: opts (a help text with escape
 * sequences and prose), fails (options, but exit 1), spew (garbage without end),
 * hang (never ends, prints nothing).
 */
static int help_role(const char *argv0)
{
	const char *name = strrchr(argv0, '/');
	name = name ? name + 1 : argv0;
	if (!strcmp(name, "opts")) {
		puts_fd(1, "usage: opts [-qv] [--level N] file\n"
		           "  -q  quiet\n"
		           "  --level N  \x1b[31mhow loud\x1b[0m\n"
		           "  --color[=WHEN]  colours\n"
		           "Not supported: -R.\n");
		return 0;
	}
	if (!strcmp(name, "fails")) {
		puts_fd(1, "usage: fails [--never]\n  --never  x\n");
		return 1;
	}
	if (!strcmp(name, "spew")) {
		static const char junk[] = "  -z  \x1b[2Jzap\n\x01\x02\xff--\n";
		for (;;)
			if (write(1, junk, sizeof(junk) - 1) < 0)
				return 1;
	}
	if (!strcmp(name, "hang"))
		for (;;)
			ch_sleep_ns(1000ull * 1000 * 1000);
	return 100;
}

static int helper(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--help"))
		return help_role(argv[0]);
	const char *role = argv[1], *arg = argc > 2 ? argv[2] : "";
	if (!strcmp(role, "upper"))
		return copy(true);
	if (!strcmp(role, "cat"))
		return copy(false);
	if (!strcmp(role, "err")) {
		puts_fd(2, arg);
		puts_fd(2, "\n");
		return 0;
	}
	if (!strcmp(role, "open"))
		return try_open(arg, O_RDONLY);
	if (!strcmp(role, "write"))
		return try_open(arg, O_WRONLY | O_CREAT);
	if (!strcmp(role, "names"))
		return names();
	if (!strcmp(role, "env")) {
		const char *v = getenv(arg);
		puts_fd(1, v ? v : "(unset)");
		puts_fd(1, "\n");
		return 0;
	}
	if (!strcmp(role, "ready")) { /* say so, then read the terminal until killed */
		puts_fd(1, "ready\n");
		return copy(false);
	}
	if (!strcmp(role, "sleep")) { /* say so, then wait without reading until killed */
		puts_fd(1, "ready\n");
		for (;;)
			ch_sleep_ns(1000ull * 1000 * 1000);
	}
	if (!strcmp(role, "crash"))
		// cppcheck-suppress nullPointer ; the point: this must page-fault
		*(volatile int *)0 = 1;
	if (!strcmp(role, "exit"))
		return atoi(arg);
	return 100;
}

/* ---- running the shell ---- */

static bool grant_fd(struct ch_grant *g, const char *name, int fd)
{
	struct cap_info ci;
	handle_t h = ch_fd_handle(fd);
	if (h == HANDLE_INVALID || ch_cap_inspect(h, &ci) < 0)
		return false;
	*g = (struct ch_grant){name, h, ci.rights};
	return true;
}

bool shtest_grant_named(struct ch_grant *g, const char *name)
{
	struct cap_info ci;
	handle_t h = ch_handle(name);
	if (h == HANDLE_INVALID)
		return false;
	uint64_t r = RIGHT_WRITE | RIGHT_TRANSFER | RIGHT_DUPLICATE; /* "log" may not inspect */
	if (ch_cap_inspect(h, &ci) == 0)
		r = ci.rights;
	*g = (struct ch_grant){name, h, r};
	return true;
}

/* Read fd to its end into buf (cap bytes, NUL-terminated; the rest dropped). */
static void drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	char tmp[512];
	ssize_t r;
	while ((r = read(fd, tmp, sizeof(tmp))) > 0) {
		size_t k = (size_t)r;
		if (k > cap - 1 - n)
			k = cap - 1 - n;
		memcpy(buf + n, tmp, k);
		n += k;
	}
	buf[n] = 0;
}

int shtest_run_sh(const char *const *argv, const char *script, struct shtest_result *r)
{
	int in[2], out[2], err[2];
	memset(r, 0, sizeof(*r));
	r->code = -1;
	if (pipe(in) < 0)
		return -1;
	if (pipe(out) < 0 || pipe(err) < 0)
		return -1;
	struct ch_grant g[6];
	unsigned n = 0;
	if (!grant_fd(&g[n++], "stdin", in[0]) || !grant_fd(&g[n++], "stdout", out[1]) ||
	    !grant_fd(&g[n++], "stderr", err[1]))
		return -1;
	static const char *const named[] = {"log", "initrd", "ns"};
	for (unsigned i = 0; i < 3; i++)
		if (shtest_grant_named(&g[n], named[i]))
			n++;
	static const char *const def[] = {"sh", NULL};
	struct ch_spawn_args a = {.path = "bin/sh",
	                          .argv = argv ? argv : def,
	                          .grants = g,
	                          .ngrants = n,
	                          .child_pool = SHTEST_SH_POOL};
	struct ch_child c;
	long e;
	for (int tries = 0; (e = ch_spawn(&a, &c)) == ERR_NO_MEMORY && tries < 2000; tries++)
		ch_sleep_ns(1000 * 1000); /* the last sh's pool comes back a moment after its end */
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (e < 0) {
		close(in[1]);
		close(out[0]);
		close(err[0]);
		return (int)e;
	}
	put_all(in[1], script, strlen(script));
	close(in[1]);
	drain(out[0], r->out, sizeof(r->out));
	drain(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	struct proc_status st;
	ch_proc_wait(c.process, UINT64_MAX, &st);
	ch_proc_status_describe(&st, r->how, sizeof(r->how));
	if (st.state == PROC_EXITED)
		r->code = st.code;
	ch_child_release(&c);
	return 0;
}

struct shtest_result res;

int shtest_put_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, data, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

/* ---- tests ---- */

static void test_quoting(void)
{
	SCRIPT("X=val\n"
	       "echo 'a  b' \"c $X\" d\\ e '$X' \"\\$X\" ${X}s $X\"\"y\n"
	       "echo \"it's\" 'say \"hi\"'   # a comment\n"
	       "echo a\\\nb\n"
	       "echo 'two\nlines'\n",
	       "a  b c val d e $X $X vals valy\nit's say \"hi\"\nab\ntwo\nlines\n", 0);
}

static void test_status(void)
{
	SCRIPT("false; echo $?\n"
	       "true && echo yes\n"
	       "false || echo no\n"
	       "false && echo never\n"
	       "true || echo never\n"
	       "shtest exit 3; echo $?\n"
	       "shtest exit 4 || echo four\n",
	       "1\nyes\nno\n3\nfour\n", 0);
}

static void test_pipeline(void)
{
	SCRIPT("echo hello world | shtest upper\n"
	       "echo abc | shtest cat | shtest upper | shtest cat\n"
	       "shtest exit 5 | shtest exit 6; echo $?\n"
	       "help | help | echo builtins; nosuch | shtest cat; echo $?\n",
	       "HELLO WORLD\nABC\n6\nbuiltins\n0\n", 0);
}

static void test_redirect(void)
{
	SCRIPT("echo one > " SHDIR "/r1\n"
	       "echo two >> " SHDIR "/r1\n"
	       "shtest cat < " SHDIR "/r1\n"
	       "shtest upper < " SHDIR "/r1 > " SHDIR "/r2\n"
	       "shtest cat < " SHDIR "/r2\n"
	       "shtest err oops 2>&1 | shtest upper\n"
	       "shtest err hidden 2> " SHDIR "/r3\n"
	       "shtest cat <" SHDIR "/r3\n"
	       "echo x > fs:///tmp/shtest/no/such/file; echo $?\n",
	       "one\ntwo\nONE\nTWO\nOOPS\nhidden\n1\n", 0);
	CHECK(strstr(res.err, "no/such"), "no message for a failed redirection: [%s]", res.err);
}

static void test_syntax_error(void)
{
	SCRIPT("echo before\n| bad\necho after\n", "before\n", 2);
	CHECK(strstr(res.err, "syntax error near '|'"), "stderr [%s]", res.err);
	static const char *const argv[] = {"sh", "-c", "echo \"open", NULL};
	CHECK(shtest_run_sh(argv, "", &res) == 0, "sh -c");
	CHECK(res.code == 2 && strstr(res.err, "unexpected end"), "sh -c: %s [%s]", res.how,
	      res.err);
	SCRIPT("echo a ;; echo b\n", "", 2);
	SCRIPT("echo a > \n", "", 2);
}

static void test_not_found(void)
{
	SCRIPT("nosuchprogram; echo $?\n" SHDIR "/r1; echo $?\n" SHDIR "/none; echo $?\n",
	       "127\n126\n127\n", 0);
	CHECK(strstr(res.err, "nosuchprogram: not found"), "stderr [%s]", res.err);
}

static void test_fs_program(void)
{
	const void *img;
	size_t len;
	EXPECT_OK(ch_initrd_find("bin/shtest", &img, &len));
	CHECK(shtest_put_file(SHDIR "/prog", img, len) == 0, "write prog: %s", strerror(errno));
	const char script[] = "#!/bin/sh\necho script $1 $#\nshtest exit 9\n";
	CHECK(shtest_put_file(SHDIR "/s.sh", script, sizeof(script) - 1) == 0, "write s.sh");
	SCRIPT("echo hi | " SHDIR "/prog upper\n" SHDIR "/s.sh one two; echo $?\nsh " SHDIR
	       "/s.sh x\n",
	       "HI\nscript one 2\n9\nscript x 1\n", 9);
}

static void test_sandbox(void)
{
	SCRIPT("run --grant " SHDIR "/box:r -- shtest open /inside\n"
	       "run --grant " SHDIR "/box:r -- shtest open " SHDIR "/secret\n"
	       "run --grant " SHDIR "/box:r -- shtest open /../secret\n"
	       "run --grant " SHDIR "/box:r -- shtest write /new\n"
	       "run --grant " SHDIR "/box:rw -- shtest write /new\n"
	       "run --grant " SHDIR "/box:r -- shtest names\n"
	       "run -- shtest names\n"
	       "shtest open " SHDIR "/secret\n"
	       "run --grant nosuchcap -- shtest names; echo $?\n"
	       "run --grant " SHDIR "/box:rx -- shtest names; echo $?\n",
	       "ok\ndenied ENOENT\ndenied ENOENT\ndenied EACCES\nok\n"
	       "ns.fs pool self.as self.process stderr stdin stdout\n"
	       "pool self.as self.process stderr stdin stdout\nok\n2\n2\n",
	       0);
}

static void test_default_grants(void)
{
	SCRIPT("shtest names\n", "initrd log ns pool self.as self.process stderr stdin stdout\n",
	       0);
	CHECK(shtest_run_sh(NULL, "caps\n", &res) == 0, "could not start bin/sh");
	CHECK(res.code == 0 && strstr(res.out, "memory-pool") && strstr(res.out, "initrd") &&
	          strstr(res.out, "ns-node") && strstr(res.out, "self.process"),
	      "caps: %s [%s] [%s]", res.how, res.out, res.err);
}

static void test_background(void)
{
	SCRIPT("shtest upper < " SHDIR "/r1 > " SHDIR "/bg &\n"
	       "wait\n"
	       "shtest cat < " SHDIR "/bg\n"
	       "shtest cat &\n"
	       "wait\n"
	       "echo done\n",
	       "ONE\nTWO\ndone\n", 0);
	/* a builtin alone in the background is a job of its own shell: it changes
	 * nothing here; $! names the newest job (for wait), a program's or a shell's */
	SCRIPT("cd " SHDIR "; echo \"[$!]\"\n"
	       "shtest exit 3 & wait $!; echo \"program $?\"\n"
	       "cd g & wait $!; echo \"cd $?\"; pwd\n"
	       "cd nosuch & wait $!; echo \"cd nosuch $?\"\n"
	       "x=1; read x <<< in & wait $!; echo \"read $? $x\"\n"
	       "read x & wait $!; echo \"read eof $?\"\n"
	       "echo hi > bgb & wait $!; shtest cat < bgb\n"
	       "echo pipe | shtest upper > bgp & wait $!; shtest cat < bgp\n"
	       "false & b1=$!; true & [ \"$b1\" != \"$!\" ] && wait $b1; echo \"false $?\"\n"
	       "wait 999999999; echo \"no such $?\"\n",
	       "[]\nprogram 3\ncd 0\n" SHDIR "\ncd nosuch 1\nread 0 1\nread eof 1\nhi\nPIPE\n"
	       "false 1\n"
	       "no such 127\n",
	       0);
	CHECK(strstr(res.err, "] cd g\n") && strstr(res.err, "] echo hi > bgb\n"), "stderr [%s]",
	      res.err);
	/* jobs lists it, running or done */
	CHECK(shtest_run_sh(NULL, "cd " SHDIR "/g & jobs; wait\n", &res) == 0, "no bin/sh");
	CHECK(res.code == 0 && strstr(res.out, "[1] ") && strstr(res.out, "  cd " SHDIR "/g"),
	      "jobs: %s [%s] [%s]", res.how, res.out, res.err);
}

static void test_vars(void)
{
	SCRIPT("export A=1\nB=2\nshtest env A\nshtest env B\nB=3 shtest env B\necho $B\n"
	       "unset A\nshtest env A\necho ${A:-none} $# $0 \"$?\"\n",
	       "1\n(unset)\n3\n2\n(unset)\nnone 0 sh 0\n", 0);
}

static void test_glob(void)
{
	SCRIPT("echo " SHDIR "/g/*.txt\necho " SHDIR "/g/?.dat\necho '" SHDIR "/g/*'\necho " SHDIR
	       "/g/*.none\ncd " SHDIR "/g\necho *\necho [ab]*\n",
	       SHDIR "/g/a.txt " SHDIR "/g/b.txt\n" SHDIR "/g/c.dat\n" SHDIR "/g/*\n" SHDIR
	             "/g/*.none\na.txt b.txt c.dat\na.txt b.txt\n",
	       0);
}

static void test_cd(void)
{
	SCRIPT("pwd\ncd " SHDIR "\npwd\ncd ..\npwd\ncd nosuch; echo $?\ncd shtest/g; pwd\n",
	       "fs:///\n" SHDIR "\nfs:///tmp\n1\n" SHDIR "/g\n", 0);
}

static void test_exit_and_c(void)
{
	SCRIPT("echo a; exit 7; echo b\n", "a\n", 7);
	static const char *const argv[] = {"sh",   "-c",  "echo $0 $1 $#; exit 4",
	                                   "zero", "one", NULL};
	CHECK(shtest_run_sh(argv, "", &res) == 0, "sh -c");
	CHECK(strcmp(res.out, "zero one 1\n") == 0 && res.code == 4, "sh -c: [%s] %s", res.out,
	      res.how);
}

static void test_fault(void)
{
	SCRIPT("shtest crash; echo $?\necho after\n", "139\nafter\n", 0);
	CHECK(strstr(res.err, "faulted: #PF"), "stderr [%s]", res.err);
}

static void test_help(void)
{
	SCRIPT("help | shtest cat > " SHDIR "/help\n", "", 0);
	char buf[2048];
	int fd = open(SHDIR "/help", O_RDONLY);
	CHECK(fd >= 0, "help output");
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0, "help wrote nothing");
	buf[n] = 0;
	CHECK(strstr(buf, "run") && strstr(buf, "shtest") && strstr(buf, "echo"), "help: [%s]",
	      buf);
}

/* Call fn for every running process of proc://, with its name and pid; false if
 * proc:// cannot be listed. */
static bool each_running(void (*fn)(void *ctx, const char *name, const char *pid), void *ctx)
{
	DIR *d = opendir("proc:///");
	if (!d)
		return false;
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[64], text[512], name[64] = "", state[32] = "";
		snprintf(path, sizeof(path), "proc:///%s", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (n <= 0)
			continue;
		text[n] = 0;
		const char *nm = strstr(text, "name "), *stt = strstr(text, "state ");
		if (nm)
			sscanf_word(nm + 5, name, sizeof(name));
		if (stt)
			sscanf_word(stt + 6, state, sizeof(state));
		if (strcmp(state, "running") == 0)
			fn(ctx, name, e->d_name);
	}
	closedir(d);
	return true;
}

struct count_ctx {
	const char *name;
	unsigned n;
};

static void count_one(void *ctx, const char *name, const char *pid)
{
	struct count_ctx *c = ctx;
	(void)pid;
	c->n += strcmp(name, c->name) == 0;
}

unsigned shtest_running(const char *name)
{
	struct count_ctx c = {name, 0};
	each_running(count_one, &c);
	return c.n;
}

struct leftover_ctx {
	unsigned shtests;
	char left[256];
};

static void leftover_one(void *ctx, const char *name, const char *pid)
{
	struct leftover_ctx *c = ctx;
	if (!strcmp(name, "shtest"))
		c->shtests++;
	if (!strcmp(name, "sh") || (!strcmp(name, "shtest") && c->shtests > 1)) {
		size_t l = strlen(c->left);
		snprintf(c->left + l, sizeof(c->left) - l, " %s(%s)", name, pid);
	}
}

/* Every process of proc:// whose name is sh or shtest, but us: none may be left. */
static void test_no_leftovers(void)
{
	struct leftover_ctx c = {0};
	CHECK(each_running(leftover_one, &c), "proc:///: %s", strerror(errno));
	CHECK(!c.left[0], "still running:%s", c.left);
}

/* 30,000 bytes of lines for $(...): more than a pipe holds */
static bool put_big(void)
{
	static char big[30000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = i % 60 == 59 ? '\n' : (char)('a' + i % 26);
	big[sizeof(big) - 1] = '\n';
	return shtest_put_file(SHDIR "/big", big, sizeof(big)) == 0;
}

static bool prepared;

static void prepare(void)
{
	mkdir(SHDIR, 0755);
	mkdir(SHDIR "/box", 0755);
	mkdir(SHDIR "/g", 0755);
	prepared = shtest_put_file(SHDIR "/box/inside", "in\n", 3) == 0 &&
	           shtest_put_file(SHDIR "/secret", "s\n", 2) == 0 &&
	           shtest_put_file(SHDIR "/g/a.txt", "", 0) == 0 &&
	           shtest_put_file(SHDIR "/g/b.txt", "", 0) == 0 &&
	           shtest_put_file(SHDIR "/g/c.dat", "", 0) == 0 && put_big();
}

static void run_all(void)
{
	if (!ch_test_planning() && !prepared)
		prepare();
	ch_test_run("sh_", "quoting", test_quoting);
	ch_test_run("sh_", "status", test_status);
	ch_test_run("sh_", "pipeline", test_pipeline);
	ch_test_run("sh_", "redirect", test_redirect);
	ch_test_run("sh_", "syntax_error", test_syntax_error);
	ch_test_run("sh_", "not_found", test_not_found);
	ch_test_run("sh_", "fs_program", test_fs_program);
	ch_test_run("sh_", "sandbox", test_sandbox);
	ch_test_run("sh_", "default_grants", test_default_grants);
	ch_test_run("sh_", "background", test_background);
	ch_test_run("sh_", "vars", test_vars);
	ch_test_run("sh_", "glob", test_glob);
	ch_test_run("sh_", "cd", test_cd);
	ch_test_run("sh_", "exit_and_c", test_exit_and_c);
	ch_test_run("sh_", "fault", test_fault);
	ch_test_run("sh_", "help", test_help);
	ch_test_run("sh_", "if", shtest_if);
	ch_test_run("sh_", "loops", shtest_loops);
	ch_test_run("sh_", "case", shtest_case);
	ch_test_run("sh_", "functions", shtest_functions);
	ch_test_run("sh_", "subst", shtest_subst);
	ch_test_run("sh_", "arith", shtest_arith);
	ch_test_run("sh_", "flow_script", shtest_flow_script);
	ch_test_run("sh_", "flow_errors", shtest_flow_errors);
	ch_test_run("sh_", "subshell", shtest_subshell);
	ch_test_run("sh_", "heredoc", shtest_heredoc);
	ch_test_run("sh_", "printf", shtest_printf);
	ch_test_run("sh_", "eval", shtest_eval);
	ch_test_run("sh_", "interactive", shtest_interactive);
	ch_test_run("sh_", "complete", shtest_complete);
	ch_test_run("sh_", "jobctl", shtest_jobctl);
	ch_test_run("sh_", "loop_intr", shtest_loop_intr);
	ch_test_run("sh_", "no_leftovers", test_no_leftovers);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return helper(argc, argv);
	return ch_test_main(run_all);
}
