/*
 * toolstest.c - the tools of user/tools in the VM (tests tools_*): each is
 * spawned as a child, as a shell would, with "log", "ns" and a pool, and its
 * exit status and its effects on fs:///tmp/toolstest are checked.
 *
 * Pure logic (sha256, the matchers, wc, sort, hexdump, tree) is host-tested in
 * tests/host/test_tools.c; this suite checks the programs: --help, misuse (exit
 * 2), errors on missing names (exit 1), and what mkdir, touch, cp, mv, rm, ln do.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <abi/kbus.h>
#include <abi/rights.h>
#include <abi/term.h>
#include <charlotte/fd.h>
#include <charlotte/kbus.h>
#include <charlotte/sched.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define LONG 60000000000ull /* 60 s: a wait that only ends early when something is wrong */
#define TDIR "fs:///tmp/toolstest"

/* Every tool in the initrd (docs/tools.md). */
static const char *const all_tools[] = {
    "cat",   "cp",     "date", "dmesg",  "edit",     "df",    "du",    "echo",      "env",
    "false", "find",   "grep", "head",   "hexdump",  "kill",  "ln",    "ls",        "mem",
    "mkdir", "mv",     "ns",   "ps",     "reboot",   "rm",    "rmdir", "sha256sum", "sleep",
    "sort",  "stat",   "sync", "tail",   "shutdown", "top",   "touch", "tree",      "true",
    "uniq",  "uptime", "wc",   "serial", "sched",    "chmod", "chown",
};

/* A grant of h under name with all the rights we have on it. */
static struct ch_grant grant_of(const char *name, handle_t h)
{
	struct cap_info ci = {0};
	ch_cap_inspect(h, &ci);
	return (struct ch_grant){name, h, ci.rights};
}

/* What a run captured: stdout and stderr (NUL-terminated), each cut at OUT_MAX. */
#define OUT_MAX 8192
static char out_text[OUT_MAX + 1], err_text[OUT_MAX + 1];

/* Reads fd to its end and closes it, keeping the last bytes (at least cap / 2 of them,
 * at most cap) in buf; how many. */
static long drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		if (n == cap) {
			memmove(buf, buf + cap / 2, cap - cap / 2);
			n = cap - cap / 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return (long)n;
}

/*
 * Runs bin/<argv[0]> with the arguments, granting "log", "ns", "dmesg" and a pool as a
 * shell would, stdin the text in (NULL: none) through a pipe, stdout and stderr pipes
 * read into out_text and err_text. Returns its exit code, or -1000 if it did not exit
 * (killed, faulted, or could not be started: the reason is printed).
 */
/* The scheduler's control the tools get as "sched" (tools_sched), or none. */
static handle_t tool_sched = HANDLE_INVALID;
/* The root pool the tools get as "kmem" (test_mem_kmem), or none. */
static handle_t tool_kmem = HANDLE_INVALID;

static int run_argv(const char *const *argv, const char *in)
{
	char path[64];
	snprintf(path, sizeof(path), "bin/%s", argv[0]);
	int pin[2] = {-1, -1}, pout[2], perr[2];
	out_text[0] = err_text[0] = '\0';
	if (pipe(pout) < 0 || pipe(perr) < 0 || (in && pipe(pin) < 0)) {
		printf("toolstest: pipe: %s\n", strerror(errno));
		return -1000;
	}
	struct ch_grant g[8];
	unsigned n = 0;
	if (tool_sched != HANDLE_INVALID)
		g[n++] = grant_of("sched", tool_sched);
	if (tool_kmem != HANDLE_INVALID)
		g[n++] = grant_of("kmem", tool_kmem);
	g[n++] = grant_of("log", ch_handle("log"));
	g[n++] = grant_of("ns", ch_handle("ns"));
	if (ch_handle("dmesg") != HANDLE_INVALID)
		g[n++] = grant_of("dmesg", ch_handle("dmesg"));
	g[n++] = grant_of("stdout", ch_fd_handle(pout[1]));
	g[n++] = grant_of("stderr", ch_fd_handle(perr[1]));
	if (in)
		g[n++] = grant_of("stdin", ch_fd_handle(pin[0]));
	struct ch_spawn_args a = {
	    .path = path, .argv = argv, .grants = g, .ngrants = n, .child_pool = 2u << 20};
	struct ch_child c;
	long r = ch_spawn(&a, &c);
	close(pout[1]);
	close(perr[1]);
	if (in) {
		close(pin[0]);
		if (r >= 0 && write(pin[1], in, strlen(in)) != (ssize_t)strlen(in))
			printf("toolstest: writing %s's stdin: %s\n", path, strerror(errno));
		close(pin[1]);
	}
	if (r < 0) {
		printf("toolstest: spawning %s: %s\n", path, ch_error_name(r));
		close(pout[0]);
		close(perr[0]);
		return -1000;
	}
	/* stdout first, then stderr: a tool writes little to stderr, so the pipe holds it */
	drain(pout[0], out_text, OUT_MAX);
	drain(perr[0], err_text, OUT_MAX);
	struct proc_status st;
	r = ch_proc_wait(c.process, LONG, &st);
	if (r < 0)
		ch_proc_kill(c.process);
	ch_child_release(&c);
	if (r < 0 || st.state != PROC_EXITED) {
		printf("toolstest: %s did not exit (%s)\n", path,
		       r < 0 ? ch_error_name(r) : "killed or faulted");
		return -1000;
	}
	return st.code;
}

/* run(tool, arg ..., NULL) */
static int run(const char *tool, ...)
{
	const char *argv[16];
	unsigned n = 0;
	va_list ap;
	va_start(ap, tool);
	argv[n++] = tool;
	const char *s;
	while (n < 15 && (s = va_arg(ap, const char *)))
		argv[n++] = s;
	va_end(ap);
	argv[n] = NULL;
	return run_argv(argv, NULL);
}

/* run_in(stdin text, tool, arg ..., NULL) */
static int run_in(const char *in, const char *tool, ...)
{
	const char *argv[16];
	unsigned n = 0;
	va_list ap;
	va_start(ap, tool);
	argv[n++] = tool;
	const char *s;
	while (n < 15 && (s = va_arg(ap, const char *)))
		argv[n++] = s;
	va_end(ap);
	argv[n] = NULL;
	return run_argv(argv, in);
}

/* The tool's exit code is want and its stdout exactly text. */
#define EXPECT_OUT(want, text, ...)                                                                \
	do {                                                                                       \
		int code_ = run(__VA_ARGS__, (const char *)NULL);                                  \
		CHECK(code_ == (want), "%s: exit %d, want %d (line %d; stderr: %s)", #__VA_ARGS__, \
		      code_, want, __LINE__, err_text);                                            \
		CHECK(strcmp(out_text, text) == 0, "%s: stdout \"%s\", want \"%s\" (line %d)",     \
		      #__VA_ARGS__, out_text, text, __LINE__);                                     \
	} while (0)

#define EXPECT_EXIT(want, ...)                                                                \
	do {                                                                                  \
		int code_ = run(__VA_ARGS__, (const char *)NULL);                             \
		CHECK(code_ == (want), "%s: exit %d, want %d (line %d)", #__VA_ARGS__, code_, \
		      want, __LINE__);                                                        \
	} while (0)

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

/* The contents of file p (NUL-terminated; "" if it cannot be read). */
static const char *contents(const char *p)
{
	static char buf[512];
	buf[0] = '\0';
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return buf;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static int put(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void test_help(void)
{
	for (size_t i = 0; i < sizeof(all_tools) / sizeof(all_tools[0]); i++) {
		int code = run(all_tools[i], "--help", (const char *)NULL);
		CHECK(code == 0, "%s --help: exit %d", all_tools[i], code);
	}
}

static void test_true_false(void)
{
	EXPECT_EXIT(0, "true");
	EXPECT_EXIT(1, "false");
	EXPECT_EXIT(0, "echo", "hello", "world");
}

/* Unknown options and missing operands: exit 2. */
static void test_misuse(void)
{
	static const char *const with_options[] = {
	    "ls",   "cat",      "mkdir",     "rm",    "cp",    "mv",     "head",  "tail",
	    "wc",   "stat",     "touch",     "grep",  "sort",  "uniq",   "tree",  "du",
	    "ln",   "hexdump",  "sha256sum", "sleep", "env",   "uptime", "date",  "ps",
	    "kill", "mem",      "ns",        "df",    "sync",  "top",    "dmesg", "rmdir",
	    "edit", "shutdown", "reboot",    "sched", "chmod", "chown"};
	for (size_t i = 0; i < sizeof(with_options) / sizeof(with_options[0]); i++) {
		int code = run(with_options[i], "-Z", (const char *)NULL);
		CHECK(code == 2, "%s -Z: exit %d, want 2", with_options[i], code);
	}
	EXPECT_EXIT(2, "mkdir");
	EXPECT_EXIT(2, "rmdir");
	EXPECT_EXIT(2, "rm");
	EXPECT_EXIT(2, "cp", TDIR "/x");
	EXPECT_EXIT(2, "mv");
	EXPECT_EXIT(2, "touch");
	EXPECT_EXIT(2, "stat");
	EXPECT_EXIT(2, "head", "-n", "many", TDIR);
	EXPECT_EXIT(2, "head", "-n");
	EXPECT_EXIT(2, "grep");
	EXPECT_EXIT(2, "grep", "[abc", TDIR);
	EXPECT_EXIT(2, "find", TDIR, "-type", "x");
	EXPECT_EXIT(2, "find", TDIR, "-name");
	EXPECT_EXIT(2, "find", TDIR, "-size", "1");
	EXPECT_EXIT(2, "ln", TDIR);
	EXPECT_EXIT(2, "sleep");
	EXPECT_EXIT(2, "sleep", "soon");
	EXPECT_EXIT(2, "kill");
	EXPECT_EXIT(2, "kill", "self");
	EXPECT_EXIT(2, "uniq", "a", "b");
}

/* A name that does not exist: a message and exit 1. */
static void test_missing(void)
{
	static const char *const readers[] = {
	    "cat", "ls",   "stat", "wc",   "head", "tail",      "rmdir",   "rm",
	    "du",  "tree", "find", "sort", "uniq", "sha256sum", "hexdump", "ns"};
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		int code = run(readers[i], "fs:///tmp/toolstest-nope", (const char *)NULL);
		CHECK(code == 1, "%s fs:///tmp/toolstest-nope: exit %d, want 1", readers[i], code);
	}
	EXPECT_EXIT(1, "cp", "fs:///tmp/toolstest-nope", "fs:///tmp/toolstest-nope2");
	EXPECT_EXIT(1, "mv", "fs:///tmp/toolstest-nope", "fs:///tmp/toolstest-nope2");
	EXPECT_EXIT(1, "mkdir", "fs:///tmp/toolstest-nope/a/b");
	EXPECT_EXIT(1, "touch", "fs:///tmp/toolstest-nope/a");
	EXPECT_EXIT(0, "rm", "-f", "fs:///tmp/toolstest-nope");
	EXPECT_EXIT(1, "cat", "fs:///tmp", "fs:///nope");
	EXPECT_EXIT(1, "ls", "nosuchscheme:///x");
}

static void test_mkdir_touch_rm(void)
{
	EXPECT_EXIT(0, "mkdir", "-p", TDIR "/a/b/c");
	CHECK(is_dir(TDIR "/a/b/c"), "mkdir -p made no " TDIR "/a/b/c");
	EXPECT_EXIT(0, "mkdir", "-p", TDIR "/a/b");
	EXPECT_EXIT(1, "mkdir", TDIR "/a");
	EXPECT_EXIT(0, "mkdir", TDIR "/d", "/tmp/toolstest/e");
	CHECK(is_dir(TDIR "/d") && is_dir(TDIR "/e"), "mkdir of two directories");
	EXPECT_EXIT(0, "touch", TDIR "/a/f", TDIR "/a/b/g");
	CHECK(exists(TDIR "/a/f") && exists(TDIR "/a/b/g"), "touch made no files");
	CHECK(put(TDIR "/a/f", "kept") == 0, "writing " TDIR "/a/f");
	EXPECT_EXIT(0, "touch", TDIR "/a/f");
	CHECK(strcmp(contents(TDIR "/a/f"), "kept") == 0, "touch changed an existing file");
	EXPECT_EXIT(1, "rmdir", TDIR "/a");
	EXPECT_EXIT(0, "rmdir", TDIR "/d", TDIR "/e");
	CHECK(!exists(TDIR "/d") && !exists(TDIR "/e"), "rmdir left them");
	EXPECT_EXIT(1, "rm", TDIR "/a");
	CHECK(exists(TDIR "/a/f"), "rm without -r removed a directory's files");
	EXPECT_EXIT(0, "rm", TDIR "/a/f");
	CHECK(!exists(TDIR "/a/f"), "rm left a file");
	EXPECT_EXIT(0, "rm", "-r", TDIR "/a");
	CHECK(!exists(TDIR "/a"), "rm -r left the tree");
}

/* The permission bits and owner an entry's stat reports (-1: no such entry). */
static long mode_of(const char *p, unsigned *uid, unsigned *gid)
{
	struct stat st;
	if (stat(p, &st) < 0)
		return -1;
	if (uid)
		*uid = st.st_uid, *gid = st.st_gid;
	return st.st_mode & 07777;
}

static void test_chmod_chown(void)
{
	unsigned uid, gid;
	EXPECT_EXIT(0, "mkdir", "-p", TDIR "/perm/d");
	CHECK(put(TDIR "/perm/f", "x") == 0, "writing a file");
	EXPECT_EXIT(0, "chmod", "640", TDIR "/perm/f");
	CHECK(mode_of(TDIR "/perm/f", NULL, NULL) == 0640, "chmod 640: %lo",
	      mode_of(TDIR "/perm/f", NULL, NULL));
	EXPECT_EXIT(0, "chmod", "u+x,go-w,o+r", TDIR "/perm/f");
	CHECK(mode_of(TDIR "/perm/f", NULL, NULL) == 0744, "chmod u+x,go-w,o+r: %lo",
	      mode_of(TDIR "/perm/f", NULL, NULL));
	EXPECT_EXIT(0, "chmod", "-w", TDIR "/perm/f"); /* a mode, not an option */
	CHECK(mode_of(TDIR "/perm/f", NULL, NULL) == 0544, "chmod -w: %lo",
	      mode_of(TDIR "/perm/f", NULL, NULL));
	EXPECT_EXIT(0, "chmod", "a=rX", TDIR "/perm/d", TDIR "/perm/f");
	CHECK(mode_of(TDIR "/perm/d", NULL, NULL) == 0555 &&
	          mode_of(TDIR "/perm/f", NULL, NULL) == 0555,
	      "chmod a=rX: %lo %lo", mode_of(TDIR "/perm/d", NULL, NULL),
	      mode_of(TDIR "/perm/f", NULL, NULL));
	EXPECT_EXIT(2, "chmod", "999", TDIR "/perm/f");
	EXPECT_EXIT(2, "chmod", "u+q", TDIR "/perm/f");
	EXPECT_EXIT(2, "chmod", "755");
	EXPECT_EXIT(1, "chmod", "755", TDIR "/perm/nope");
	EXPECT_EXIT(1, "chmod", "755", "proc:///"); /* keeps no permission bits */
	EXPECT_EXIT(0, "chown", "1000:100", TDIR "/perm/f");
	CHECK(mode_of(TDIR "/perm/f", &uid, &gid) >= 0 && uid == 1000 && gid == 100,
	      "chown 1000:100: %u:%u", uid, gid);
	EXPECT_EXIT(0, "chown", ":7", TDIR "/perm/f");
	EXPECT_EXIT(0, "chown", "70000", TDIR "/perm/d");
	CHECK(mode_of(TDIR "/perm/f", &uid, &gid) >= 0 && uid == 1000 && gid == 7,
	      "chown :7: %u:%u", uid, gid);
	CHECK(mode_of(TDIR "/perm/d", &uid, &gid) >= 0 && uid == 70000 && gid == 0,
	      "chown 70000 (a directory): %u:%u", uid, gid);
	EXPECT_EXIT(2, "chown", "ada", TDIR "/perm/f");
	EXPECT_EXIT(2, "chown", ":", TDIR "/perm/f");
	EXPECT_EXIT(2, "chown", "4294967295", TDIR "/perm/f");
	EXPECT_EXIT(1, "chown", "1", TDIR "/perm/nope");
	/* touch sets an existing file's times to now (tmpfs's clock: maybe since boot) */
	struct timespec old[2] = {{1, 0}, {2, 0}};
	struct stat st;
	CHECK(utimensat(AT_FDCWD, TDIR "/perm/f", old, 0) == 0, "utimensat: errno %d", errno);
	EXPECT_EXIT(0, "touch", TDIR "/perm/f");
	CHECK(stat(TDIR "/perm/f", &st) == 0 && st.st_mtim.tv_sec > 2 && st.st_atim.tv_sec > 1,
	      "touch left the times: %lld %lld", (long long)st.st_mtim.tv_sec,
	      (long long)st.st_atim.tv_sec);
	EXPECT_EXIT(0, "rm", "-r", TDIR "/perm");
}

static void test_cp_mv(void)
{
	EXPECT_EXIT(0, "mkdir", "-p", TDIR "/src/sub");
	CHECK(put(TDIR "/src/one", "one\ntwo\n") == 0, "writing a file");
	CHECK(put(TDIR "/src/sub/deep", "deep") == 0, "writing a file");
	EXPECT_EXIT(0, "cp", TDIR "/src/one", TDIR "/copy");
	CHECK(strcmp(contents(TDIR "/copy"), "one\ntwo\n") == 0, "cp: wrong contents");
	EXPECT_EXIT(1, "cp", TDIR "/src", TDIR "/tree");
	EXPECT_EXIT(0, "cp", "-r", TDIR "/src", TDIR "/tree");
	CHECK(strcmp(contents(TDIR "/tree/sub/deep"), "deep") == 0, "cp -r: wrong tree");
	EXPECT_EXIT(0, "mkdir", TDIR "/into");
	EXPECT_EXIT(0, "cp", TDIR "/copy", TDIR "/src/one", TDIR "/into");
	CHECK(strcmp(contents(TDIR "/into/one"), "one\ntwo\n") == 0 && exists(TDIR "/into/copy"),
	      "cp into a directory");
	EXPECT_EXIT(0, "mv", TDIR "/copy", TDIR "/moved");
	CHECK(!exists(TDIR "/copy") && strcmp(contents(TDIR "/moved"), "one\ntwo\n") == 0,
	      "mv: not renamed");
	EXPECT_EXIT(0, "mv", TDIR "/moved", TDIR "/tree", TDIR "/into");
	CHECK(exists(TDIR "/into/moved") && is_dir(TDIR "/into/tree/sub"), "mv into a directory");
	EXPECT_EXIT(1, "cp", TDIR "/into/moved", TDIR "/src/one", TDIR "/into/moved");
	EXPECT_EXIT(0, "rm", "-r", TDIR "/into", TDIR "/src");
	CHECK(!exists(TDIR "/into") && !exists(TDIR "/src"), "rm -r of two trees");
}

static void test_ln(void)
{
	CHECK(put(TDIR "/target", "linked") == 0, "writing a file");
	EXPECT_EXIT(0, "ln", "-s", TDIR "/target", TDIR "/soft");
	CHECK(strcmp(contents(TDIR "/soft"), "linked") == 0, "reading through the symlink");
	struct stat st;
	CHECK(lstat(TDIR "/soft", &st) == 0 && S_ISLNK(st.st_mode), "ln -s made no link");
	EXPECT_EXIT(0, "ls", "-l", TDIR "/soft", TDIR);
	EXPECT_EXIT(0, "stat", TDIR "/soft");
	EXPECT_EXIT(0, "ns", TDIR);
	EXPECT_EXIT(0, "ln", "-s", "target", TDIR "/rel");
	CHECK(strcmp(contents(TDIR "/rel"), "linked") == 0, "reading through a relative link");
	EXPECT_EXIT(1, "ln", "-s", "dev:///block", TDIR "/other");
	EXPECT_EXIT(0, "ln", TDIR "/target", TDIR "/hard");
	CHECK(strcmp(contents(TDIR "/hard"), "linked") == 0, "reading through the hard link");
	CHECK(stat(TDIR "/hard", &st) == 0 && st.st_nlink == 2, "hard link: nlink %llu",
	      (unsigned long long)st.st_nlink);
	EXPECT_EXIT(1, "ln", TDIR "/target", TDIR "/hard");
	EXPECT_EXIT(1, "ln", TDIR "/nope", TDIR "/hard2");
	EXPECT_EXIT(0, "rm", TDIR "/soft", TDIR "/rel", TDIR "/hard", TDIR "/target");
	CHECK(!exists(TDIR "/soft") && !exists(TDIR "/hard"), "rm left the links");
}

/* The search and text tools exit as POSIX says (grep: 1 when nothing matched). */
static void test_text_tools(void)
{
	CHECK(put(TDIR "/words", "pear\napple\n10\n9\napple\nPlum\n") == 0, "writing a file");
	EXPECT_EXIT(0, "grep", "app", TDIR "/words");
	EXPECT_EXIT(1, "grep", "banana", TDIR "/words");
	EXPECT_EXIT(0, "grep", "-i", "-n", "^plum$", TDIR "/words");
	EXPECT_EXIT(0, "grep", "-vc", "p", TDIR "/words");
	EXPECT_EXIT(0, "grep", "-r", "pear", TDIR);
	EXPECT_EXIT(2, "grep", "pear", TDIR "/words", TDIR "/nope");
	EXPECT_EXIT(0, "sort", TDIR "/words");
	EXPECT_EXIT(0, "sort", "-rnu", TDIR "/words");
	EXPECT_EXIT(0, "uniq", "-c", TDIR "/words");
	EXPECT_EXIT(0, "sha256sum", TDIR "/words");
	EXPECT_EXIT(0, "hexdump", "-C", TDIR "/words");
	EXPECT_EXIT(0, "mkdir", "-p", TDIR "/t/u/v");
	EXPECT_EXIT(0, "tree", TDIR);
	EXPECT_EXIT(0, "find", TDIR, "-name", "w*", "-type", "f");
	EXPECT_EXIT(0, "du", "-sh", TDIR);
	EXPECT_EXIT(0, "du", TDIR);
	EXPECT_EXIT(0, "rm", "-r", TDIR "/t", TDIR "/words");
}

/* The pid of the process whose object id is id (proc:// node ids carry it), or -1. */
static long find_pid(uint64_t id)
{
	DIR *d = opendir("proc://");
	struct dirent *de;
	long pid = -1;
	while (d && (de = readdir(d)))
		if ((uint64_t)de->d_ino >> 12 == id)
			pid = strtol(de->d_name, NULL, 10);
	if (d)
		closedir(d);
	return pid;
}

/* The system tools: what they can report exits 0; what nothing provides exits 1. */
static void test_system_tools(void)
{
	EXPECT_EXIT(0, "ps");
	CHECK(strncmp(out_text, "  PID STATE", 11) == 0, "ps: \"%s\"", out_text);
	EXPECT_EXIT(0, "top", "-n", "2", "-d", "1");
	const char *second = strstr(out_text, "top - up");
	CHECK(second && strstr(second + 1, "top - up") && strstr(out_text, " toolstest\n") &&
	          strstr(out_text, " top\n"),
	      "top -n 2: \"%s\"", out_text);
	EXPECT_EXIT(2, "top", "-d", "0");
	/* shutdown and reboot need "power", which toolstest does not hold */
	EXPECT_EXIT(1, "shutdown", "-n");
	CHECK(strcmp(err_text, "shutdown: no capability to turn off the machine (the grant "
	                       "\"power\")\n") == 0,
	      "shutdown: \"%s\"", err_text);
	EXPECT_EXIT(1, "reboot", "-n");
	EXPECT_EXIT(2, "shutdown", "+5");
	/* edit needs a terminal: pipes are not one */
	EXPECT_EXIT(2, "edit");
	EXPECT_EXIT(1, "edit", TDIR "/e");
	CHECK(strcmp(err_text, "edit: needs a terminal on standard input and output\n") == 0,
	      "edit: \"%s\"", err_text);
	CHECK(!exists(TDIR "/e"), "edit without a terminal made its file");
	EXPECT_EXIT(0, "mem");
	EXPECT_EXIT(0, "uptime");
	EXPECT_EXIT(0, "env");
	EXPECT_EXIT(0, "sleep", "0.01");
	EXPECT_EXIT(0, "ns");
	EXPECT_EXIT(0, "ns", "-r", "dev://", "proc://", "svc://");
	/* sync and df: every file system of the view (fs:///tmp here, tmpfs) */
	EXPECT_EXIT(0, "sync");
	EXPECT_EXIT(0, "sync", "fs:///tmp");
	EXPECT_EXIT(1, "sync", "proc://"); /* the kernel's, no storage: named, so an error */
	CHECK(strstr(err_text, "proc://: takes no sync request") != NULL, "sync proc://: \"%s\"",
	      err_text);
	EXPECT_EXIT(0, "df");
	CHECK(strncmp(out_text, "Filesystem ", 11) == 0 && strstr(out_text, "\ntmpfs ") &&
	          strstr(out_text, " fs:///tmp\n"),
	      "df: \"%s\"", out_text);
	EXPECT_EXIT(0, "df", "-h", TDIR);
	CHECK(strstr(out_text, "Size") && strstr(out_text, "%"), "df -h: \"%s\"", out_text);
	EXPECT_EXIT(0, "df", "-i", "fs:///tmp");
	EXPECT_EXIT(1, "df", TDIR "/nope");
	EXPECT_EXIT(1, "kill", "4095");
	/* date: 0 with a clock device, 1 ("no clock device") without one */
	DIR *d = opendir("dev:///clock");
	int clock = d && readdir(d);
	if (d)
		closedir(d);
	EXPECT_EXIT(clock ? 0 : 1, "date");
	/* kill: a child of ours, by pid, through proc:// */
	const char *argv[] = {"bin/sleep", "60", NULL};
	struct ch_spawn_args a = {.path = "bin/sleep", .argv = argv, .child_pool = 1u << 20};
	struct ch_child c;
	EXPECT_OK(ch_spawn(&a, &c));
	struct cap_info ci;
	EXPECT_OK(ch_cap_inspect(c.process, &ci));
	long pid = find_pid(ci.object_id);
	if (pid < 0)
		ch_proc_kill(c.process);
	CHECK(pid >= 0, "the sleeping child is not in proc://");
	char num[16];
	snprintf(num, sizeof(num), "%ld", pid);
	int code = run("kill", num, (const char *)NULL);
	struct proc_status st;
	long r = ch_proc_wait(c.process, LONG, &st);
	ch_child_release(&c);
	CHECK(code == 0, "kill %s: exit %d", num, code);
	CHECK(r == 0 && st.state == PROC_KILLED, "kill: the child was not killed");
}

/* The readers on good input exit 0 (their output goes to the log until pipes). */
static void test_readers(void)
{
	CHECK(put(TDIR "/text", "b\na\nc\n") == 0, "writing a file");
	EXPECT_EXIT(0, "cat", TDIR "/text", TDIR "/text");
	EXPECT_EXIT(0, "ls", TDIR);
	EXPECT_EXIT(0, "ls", "-la1h", TDIR, "dev:///", "proc://");
	EXPECT_EXIT(0, "ls", TDIR "/text");
	EXPECT_EXIT(0, "stat", TDIR, TDIR "/text", "proc://");
	EXPECT_EXIT(0, "wc", TDIR "/text");
	EXPECT_EXIT(0, "wc", "-l", TDIR "/text", TDIR "/text");
	EXPECT_EXIT(0, "head", "-n", "1", TDIR "/text");
	EXPECT_EXIT(0, "tail", "-n1", TDIR "/text", TDIR "/text");
	EXPECT_EXIT(0, "rm", TDIR "/text");
}

/* ---- what the tools print ---- */

static void test_out_basic(void)
{
	EXPECT_OUT(0, "hello  world\n", "echo", "hello ", "world");
	EXPECT_OUT(0, "x", "echo", "-n", "x");
	CHECK(put(TDIR "/f", "one\ntwo\nthree\n") == 0, "writing a file");
	EXPECT_OUT(0, "one\ntwo\nthree\none\ntwo\nthree\n", "cat", TDIR "/f", TDIR "/f");
	CHECK(run_in("piped\n", "cat", (const char *)NULL) == 0 && strcmp(out_text, "piped\n") == 0,
	      "cat of stdin: \"%s\"", out_text);
	CHECK(run_in("a b\nc\n", "wc", (const char *)NULL) == 0 &&
	          strcmp(out_text, "       2       3       6\n") == 0,
	      "wc of stdin: \"%s\"", out_text);
	EXPECT_OUT(0, "one\ntwo\n", "head", "-n", "2", TDIR "/f");
	EXPECT_OUT(0, "three\n", "tail", "-n", "1", TDIR "/f");
	EXPECT_OUT(0, "       3 " TDIR "/f\n", "wc", "-l", TDIR "/f");
	EXPECT_OUT(0, "2:two\n", "grep", "-n", "w", TDIR "/f");
	EXPECT_OUT(0, "one\nthree\n", "grep", "-v", "^t.o$", TDIR "/f");
	EXPECT_OUT(0, "2\n", "grep", "-c", "^t", TDIR "/f");
	EXPECT_OUT(0, "two\nthree\none\n", "sort", "-r", TDIR "/f");
	CHECK(run_in("10\n9\n-1\n9\n", "sort", "-nu", (const char *)NULL) == 0 &&
	          strcmp(out_text, "-1\n9\n10\n") == 0,
	      "sort -nu: \"%s\"", out_text);
	CHECK(run_in("a\na\nb\na\n", "uniq", "-c", (const char *)NULL) == 0 &&
	          strcmp(out_text, "      2 a\n      1 b\n      1 a\n") == 0,
	      "uniq -c: \"%s\"", out_text);
	CHECK(put(TDIR "/abc", "abc") == 0, "writing a file");
	EXPECT_OUT(
	    0, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  " TDIR "/abc\n",
	    "sha256sum", TDIR "/abc");
	EXPECT_OUT(0,
	           "00000000  61 62 63                                          |abc|\n00000003\n",
	           "hexdump", "-C", TDIR "/abc");
	EXPECT_EXIT(0, "rm", TDIR "/f", TDIR "/abc");
}

static void test_out_tree(void)
{
	EXPECT_EXIT(0, "mkdir", "-p", TDIR "/o/b/c", TDIR "/o/a");
	CHECK(put(TDIR "/o/b/x.txt", "12345") == 0 && put(TDIR "/o/y.c", "1") == 0, "writing");
	EXPECT_OUT(0, "a\nb\ny.c\n", "ls", TDIR "/o");
	EXPECT_OUT(0,
	           "drwxr-xr-x   2    0    0        0 c\n-rw-r--r--   1    0    0        5 x.txt\n",
	           "ls", "-l", TDIR "/o/b");
	EXPECT_OUT(0,
	           TDIR "/o\n|-- a\n|-- b\n|   |-- c\n|   `-- x.txt\n`-- y.c\n\n"
	                "3 directories, 2 files\n",
	           "tree", TDIR "/o");
	EXPECT_OUT(0, TDIR "/o/b/x.txt\n", "find", TDIR "/o", "-name", "*.txt");
	EXPECT_OUT(0, TDIR "/o\n" TDIR "/o/a\n" TDIR "/o/b\n" TDIR "/o/b/c\n", "find", TDIR "/o",
	           "-type", "d");
	EXPECT_OUT(0, "6\t" TDIR "/o\n", "du", "-s", TDIR "/o");
	EXPECT_EXIT(0, "rm", "-r", TDIR "/o");
}

static void test_out_errors(void)
{
	EXPECT_EXIT(1, "cat", TDIR "/nope");
	CHECK(strcmp(err_text, "cat: " TDIR "/nope: No such file or directory\n") == 0,
	      "cat's message: \"%s\"", err_text);
	EXPECT_EXIT(2, "ls", "-Z");
	CHECK(strncmp(err_text, "ls: unknown option -Z\nusage: ls ", 32) == 0, "ls -Z: \"%s\"",
	      err_text);
	EXPECT_EXIT(0, "ls", "--help");
	CHECK(strncmp(out_text, "usage: ls [", 11) == 0 && !err_text[0], "ls --help: \"%s\"",
	      out_text);
}

static void test_dmesg(void)
{
	if (ch_handle("dmesg") == HANDLE_INVALID) {
		EXPECT_EXIT(1, "dmesg");
		ch_test_not_applicable("no \"dmesg\" grant");
		return;
	}
	printf("toolstest: a line for dmesg to find\n");
	fflush(stdout);
	EXPECT_EXIT(0, "dmesg");
	CHECK(strstr(out_text, "toolstest: a line for dmesg to find"), "dmesg: our line missing");
}

/* ---- edit on a fake terminal ---- */

/*
 * Runs `edit file` on a terminal session we serve (a KBUS_KIND_TERM channel: calls
 * answered as a console would, 80x25; messages from it are output), types keys (each
 * a message, as the console sends them in raw mode) once edit has put the terminal in
 * raw mode, and serves it until it exits. Returns its exit code (-1000: it did not
 * exit); *saw_unsaved: the output showed the unsaved-changes question.
 */
static int run_edit(const char *file, const char *const *keys, bool *saw_unsaved)
{
	handle_t ends[2];
	*saw_unsaved = false;
	if (ch_channel_create_kind(ch_handle("pool"), 64, ends, KBUS_KIND_TERM) < 0)
		return -1000;
	const char *argv[] = {"bin/edit", file, NULL};
	struct ch_grant g[] = {grant_of("log", ch_handle("log")), grant_of("ns", ch_handle("ns")),
	                       grant_of("stdin", ends[0]), grant_of("stdout", ends[0]),
	                       grant_of("stderr", ends[0])};
	struct ch_spawn_args a = {
	    .path = "bin/edit", .argv = argv, .grants = g, .ngrants = 5, .child_pool = 2u << 20};
	struct ch_child c;
	long r = ch_spawn(&a, &c);
	ch_cap_drop(ends[0]);
	if (r < 0) {
		ch_cap_drop(ends[1]);
		return -1000;
	}
	static char msg[STREAM_MSG_MAX + 1];
	uint32_t mode = TERM_MODE_ALL;
	bool typed = false;
	int64_t give_up = ch_clock_ns() + (int64_t)LONG;
	while (ch_clock_ns() < give_up) {
		struct kbus_buf b = {.data = msg, .capacity = STREAM_MSG_MAX};
		r = ch_kbus_recv(ends[1], &b, 0, 100000000);
		if (r == ERR_TIMED_OUT)
			continue;
		if (r < 0)
			break; /* ERR_PEER_CLOSED: edit has ended */
		if (!(b.flags & KBUS_MSG_CALL)) {
			msg[b.len] = '\0';
			if (strstr(msg, "unsaved changes"))
				*saw_unsaved = true;
			continue;
		}
		struct term_req req;
		struct term_reply rep = {0};
		memcpy(&req, msg, sizeof(req));
		if (req.op == TERM_SET_MODE)
			mode = req.arg;
		rep.mode = mode;
		rep.cols = 80;
		rep.rows = 25;
		struct kbus_msg m = {.data = &rep, .len = sizeof(rep)};
		ch_kbus_reply(ends[1], &m);
		if (!typed && !(mode & TERM_MODE_CANON)) {
			for (size_t i = 0; keys[i]; i++)
				ch_kbus_send_bytes(ends[1], keys[i], (uint32_t)strlen(keys[i]), 0,
				                   LONG);
			typed = true;
		}
	}
	ch_cap_drop(ends[1]);
	struct proc_status st;
	r = ch_proc_wait(c.process, LONG, &st);
	if (r < 0)
		ch_proc_kill(c.process);
	ch_child_release(&c);
	return r == 0 && st.state == PROC_EXITED ? st.code : -1000;
}

static void test_edit(void)
{
	/* a new file: type, save, move, append, find, delete, save, quit */
	static const char *const keys[] = {
	    "h", "e",  "l",    "l",       "o",      "\r",   "w",    "o", "r",
	    "l", "d",  "\x13", "\033[A",  "\033[F", "!",    "\x06", "w", "o",
	    "r", "\r", "\033", "\033[3~", "\x13",   "\x11", NULL};
	bool unsaved;
	int code = run_edit(TDIR "/ed", keys, &unsaved);
	CHECK(code == 0, "edit: exit %d", code);
	CHECK(strcmp(contents(TDIR "/ed"), "hello!\norld") == 0, "edit saved \"%s\"",
	      contents(TDIR "/ed"));
	/* unsaved changes: the first Ctrl-Q asks, the second quits without saving */
	static const char *const keys2[] = {"\033[B", "x", "\x11", "\x11", NULL};
	code = run_edit(TDIR "/ed", keys2, &unsaved);
	CHECK(code == 0, "edit: exit %d", code);
	CHECK(unsaved, "edit quit with unsaved changes without asking");
	CHECK(strcmp(contents(TDIR "/ed"), "hello!\norld") == 0, "edit saved \"%s\" on quit",
	      contents(TDIR "/ed"));
	EXPECT_EXIT(0, "rm", TDIR "/ed");
}

/* sched shows and sets the tunables with the grant "sched"; top -t lists threads. */
static void test_sched(void)
{
	EXPECT_EXIT(1, "sched");
	CHECK(strcmp(err_text, "sched: no capability to the scheduler (the grant \"sched\")\n") ==
	          0,
	      "sched without the grant: \"%s\"", err_text);
	handle_t full = ch_handle("sched"), ro;
	struct sched_params p;
	CHECK(full != HANDLE_INVALID, "toolstest has no \"sched\"");
	EXPECT_OK(ch_sched_get(full, &p));
	EXPECT_OK(ch_cap_derive(full, RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE, 0, &ro));
	tool_sched = ro;
	int show = run("sched", (const char *)NULL);
	bool shown = strncmp(out_text, "mode ", 5) == 0 && strstr(out_text, "SWITCHES") &&
	             strstr(out_text, "\n  0 ");
	int look = run("sched", "set", "--mode", ch_sched_mode_name(p.mode), (const char *)NULL);
	bool look_said = strstr(err_text, "can only look") != NULL;
	tool_sched = full;
	int same = run("sched", "set", "--mode", ch_sched_mode_name(p.mode), (const char *)NULL);
	int bounds = run("sched", "set", "--min", "1us", (const char *)NULL);
	bool bounds_said = strstr(err_text, "refused") != NULL;
	int bad_mode = run("sched", "set", "--mode", "fast", (const char *)NULL);
	int no_value = run("sched", "set", "--latency", (const char *)NULL);
	int bad_unit = run("sched", "set", "--latency", "5h", (const char *)NULL);
	int nothing = run("sched", "set", (const char *)NULL);
	tool_sched = HANDLE_INVALID;
	ch_cap_drop(ro);
	struct sched_params now;
	EXPECT_OK(ch_sched_get(full, &now));
	CHECK(memcmp(&now, &p, sizeof(p)) == 0, "the tunables changed");
	CHECK(show == 0 && shown, "sched: exit %d: \"%s\"", show, out_text);
	CHECK(look == 1 && look_said, "sched set with INSPECT only: exit %d", look);
	CHECK(same == 0, "sched set --mode %s: exit %d", ch_sched_mode_name(p.mode), same);
	CHECK(bounds == 1 && bounds_said, "sched set --min 1us: exit %d", bounds);
	CHECK(bad_mode == 2 && no_value == 2 && bad_unit == 2 && nothing == 2,
	      "misuse: exits %d %d %d %d, want 2", bad_mode, no_value, bad_unit, nothing);
	EXPECT_EXIT(0, "top", "-t", "-n", "1");
	CHECK(strstr(out_text, " TID ") && strstr(out_text, " toolstest\n"), "top -t: \"%s\"",
	      out_text);
}

/*
 * SYS_POOL_KMEM_INFO answers on the root pool only ("kmem", Exec's pool with
 * INSPECT), and `mem` prints the machine's line only with it.
 */
static void test_mem_kmem(void)
{
	struct kmem_info km;
	handle_t kmem = ch_handle("kmem");
	EXPECT_ERR(ch_kmem_info(ch_handle("pool"), &km), ERR_ACCESS_DENIED);
	CHECK(kmem != HANDLE_INVALID, "toolstest has no \"kmem\"");
	EXPECT_OK(ch_kmem_info(kmem, &km));
	CHECK(km.total_pages > 1000 && km.free_pages < km.total_pages && km.kheap_bytes > 0 &&
	          km.kheap_objects > 0 && km.kheap_bytes >= km.kheap_objects * 8,
	      "kmem: %llu pages, %llu free, heap %llu bytes in %llu",
	      (unsigned long long)km.total_pages, (unsigned long long)km.free_pages,
	      (unsigned long long)km.kheap_bytes, (unsigned long long)km.kheap_objects);
	EXPECT_ERR(ch_kmem_info(kmem, (struct kmem_info *)8), ERR_BAD_ADDRESS);
	handle_t pool2;
	EXPECT_ERR(ch_pool_split(kmem, 4096, &pool2), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_mem_create(kmem, 4096, &pool2), ERR_ACCESS_DENIED);
	EXPECT_EXIT(0, "mem");
	CHECK(strncmp(out_text, "our pool: ", 10) == 0, "mem without kmem: \"%s\"", out_text);
	tool_kmem = kmem;
	EXPECT_EXIT(0, "mem");
	tool_kmem = HANDLE_INVALID;
	CHECK(strncmp(out_text, "machine: ", 9) == 0 && strstr(out_text, " free; kernel heap: ") &&
	          strstr(out_text, "\nour pool: "),
	      "mem with kmem: \"%s\"", out_text);
}

static void run_all(void)
{
	ch_test_run("tools_", "help", test_help);
	ch_test_run("tools_", "true_false_echo", test_true_false);
	ch_test_run("tools_", "misuse", test_misuse);
	ch_test_run("tools_", "missing", test_missing);
	ch_test_run("tools_", "mkdir_touch_rm", test_mkdir_touch_rm);
	ch_test_run("tools_", "chmod_chown", test_chmod_chown);
	ch_test_run("tools_", "cp_mv", test_cp_mv);
	ch_test_run("tools_", "readers", test_readers);
	ch_test_run("tools_", "ln", test_ln);
	ch_test_run("tools_", "text_tools", test_text_tools);
	ch_test_run("tools_", "system_tools", test_system_tools);
	ch_test_run("tools_", "sched", test_sched);
	ch_test_run("tools_", "mem_kmem", test_mem_kmem);
	ch_test_run("tools_", "out_basic", test_out_basic);
	ch_test_run("tools_", "out_tree", test_out_tree);
	ch_test_run("tools_", "out_errors", test_out_errors);
	ch_test_run("tools_", "dmesg", test_dmesg);
	ch_test_run("tools_", "edit", test_edit);
}

int main(void)
{
	if (mkdir(TDIR, 0755) < 0 && errno != EEXIST)
		printf("toolstest: cannot make " TDIR ": %s\n", strerror(errno));
	return ch_test_main(run_all);
}
