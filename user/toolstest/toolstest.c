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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <abi/rights.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define LONG 60000000000ull /* 60 s: a wait that only ends early when something is wrong */
#define TDIR "fs:///tmp/toolstest"

/* Every tool in the initrd (docs/tools.md). */
static const char *const all_tools[] = {
    "cat",  "cp",    "date",    "df",    "du",        "echo",   "env",  "false", "find",
    "grep", "head",  "hexdump", "kill",  "ln",        "ls",     "mem",  "mkdir", "mv",
    "ns",   "ps",    "rm",      "rmdir", "sha256sum", "sleep",  "sort", "stat",  "sync",
    "tail", "touch", "tree",    "true",  "uniq",      "uptime", "wc",
};

/*
 * Runs bin/<argv[0]> with the arguments, granting "log", "ns" and a pool as a shell
 * would; returns its exit code, or -1000 if it did not exit (killed, faulted, or
 * could not be started: the reason is printed).
 */
static int run_argv(const char *const *argv)
{
	char path[64];
	snprintf(path, sizeof(path), "bin/%s", argv[0]);
	struct cap_info ns;
	handle_t nsh = ch_handle("ns");
	if (ch_cap_inspect(nsh, &ns) < 0)
		return -1000;
	struct ch_grant g[] = {
	    {"log", ch_handle("log"), RIGHT_WRITE | RIGHT_TRANSFER | RIGHT_DUPLICATE},
	    {"ns", nsh, ns.rights},
	};
	struct ch_spawn_args a = {
	    .path = path, .argv = argv, .grants = g, .ngrants = 2, .child_pool = 2u << 20};
	struct ch_child c;
	long r = ch_spawn(&a, &c);
	if (r < 0) {
		printf("toolstest: spawning %s: %s\n", path, ch_error_name(r));
		return -1000;
	}
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
	return run_argv(argv);
}

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
	static const char *const with_options[] = {"ls",   "cat",  "mkdir", "rm",   "cp",   "mv",
	                                           "head", "tail", "wc",    "stat", "touch"};
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
	static const char *const readers[] = {"cat",  "ls",   "stat",  "wc",
	                                      "head", "tail", "rmdir", "rm"};
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
	EXPECT_EXIT(0, "mem");
	EXPECT_EXIT(0, "uptime");
	EXPECT_EXIT(0, "env");
	EXPECT_EXIT(0, "sleep", "0.01");
	EXPECT_EXIT(0, "ns");
	EXPECT_EXIT(0, "ns", "-r", "dev://", "proc://", "svc://");
	EXPECT_EXIT(1, "sync");
	EXPECT_EXIT(1, "df");
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

static void run_all(void)
{
	ch_test_run("tools_", "help", test_help);
	ch_test_run("tools_", "true_false_echo", test_true_false);
	ch_test_run("tools_", "misuse", test_misuse);
	ch_test_run("tools_", "missing", test_missing);
	ch_test_run("tools_", "mkdir_touch_rm", test_mkdir_touch_rm);
	ch_test_run("tools_", "cp_mv", test_cp_mv);
	ch_test_run("tools_", "readers", test_readers);
	ch_test_run("tools_", "ln", test_ln);
	ch_test_run("tools_", "text_tools", test_text_tools);
	ch_test_run("tools_", "system_tools", test_system_tools);
}

int main(void)
{
	if (mkdir(TDIR, 0755) < 0 && errno != EEXIST)
		printf("toolstest: cannot make " TDIR ": %s\n", strerror(errno));
	return ch_test_main(run_all);
}
