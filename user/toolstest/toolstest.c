/*
 * toolstest.c - the tools of user/tools in the VM (tests tools_*): each is
 * spawned as a child, as a shell would, with "log", "ns" and a pool, and its
 * exit status and its effects on fs:///tmp/toolstest are checked.
 *
 * Pure logic (sha256, the matchers, wc, sort, hexdump, tree) is host-tested in
 * tests/host/test_tools.c; this suite checks the programs: --help, misuse (exit
 * 2), errors on missing names (exit 1), and what mkdir, touch, cp, mv, rm, ln do.
 */
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
#define DIR "fs:///tmp/toolstest"

/* Every tool in the initrd (docs/tools.md). */
static const char *const all_tools[] = {
    "cat", "cp",    "echo", "false", "head",  "ls",   "mkdir", "mv",
    "rm",  "rmdir", "stat", "tail",  "touch", "true", "wc",
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
	EXPECT_EXIT(2, "cp", DIR "/x");
	EXPECT_EXIT(2, "mv");
	EXPECT_EXIT(2, "touch");
	EXPECT_EXIT(2, "stat");
	EXPECT_EXIT(2, "head", "-n", "many", DIR);
	EXPECT_EXIT(2, "head", "-n");
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
	EXPECT_EXIT(0, "mkdir", "-p", DIR "/a/b/c");
	CHECK(is_dir(DIR "/a/b/c"), "mkdir -p made no " DIR "/a/b/c");
	EXPECT_EXIT(0, "mkdir", "-p", DIR "/a/b");
	EXPECT_EXIT(1, "mkdir", DIR "/a");
	EXPECT_EXIT(0, "mkdir", DIR "/d", "/tmp/toolstest/e");
	CHECK(is_dir(DIR "/d") && is_dir(DIR "/e"), "mkdir of two directories");
	EXPECT_EXIT(0, "touch", DIR "/a/f", DIR "/a/b/g");
	CHECK(exists(DIR "/a/f") && exists(DIR "/a/b/g"), "touch made no files");
	CHECK(put(DIR "/a/f", "kept") == 0, "writing " DIR "/a/f");
	EXPECT_EXIT(0, "touch", DIR "/a/f");
	CHECK(strcmp(contents(DIR "/a/f"), "kept") == 0, "touch changed an existing file");
	EXPECT_EXIT(1, "rmdir", DIR "/a");
	EXPECT_EXIT(0, "rmdir", DIR "/d", DIR "/e");
	CHECK(!exists(DIR "/d") && !exists(DIR "/e"), "rmdir left them");
	EXPECT_EXIT(1, "rm", DIR "/a");
	CHECK(exists(DIR "/a/f"), "rm without -r removed a directory's files");
	EXPECT_EXIT(0, "rm", DIR "/a/f");
	CHECK(!exists(DIR "/a/f"), "rm left a file");
	EXPECT_EXIT(0, "rm", "-r", DIR "/a");
	CHECK(!exists(DIR "/a"), "rm -r left the tree");
}

static void test_cp_mv(void)
{
	EXPECT_EXIT(0, "mkdir", "-p", DIR "/src/sub");
	CHECK(put(DIR "/src/one", "one\ntwo\n") == 0, "writing a file");
	CHECK(put(DIR "/src/sub/deep", "deep") == 0, "writing a file");
	EXPECT_EXIT(0, "cp", DIR "/src/one", DIR "/copy");
	CHECK(strcmp(contents(DIR "/copy"), "one\ntwo\n") == 0, "cp: wrong contents");
	EXPECT_EXIT(1, "cp", DIR "/src", DIR "/tree");
	EXPECT_EXIT(0, "cp", "-r", DIR "/src", DIR "/tree");
	CHECK(strcmp(contents(DIR "/tree/sub/deep"), "deep") == 0, "cp -r: wrong tree");
	EXPECT_EXIT(0, "mkdir", DIR "/into");
	EXPECT_EXIT(0, "cp", DIR "/copy", DIR "/src/one", DIR "/into");
	CHECK(strcmp(contents(DIR "/into/one"), "one\ntwo\n") == 0 && exists(DIR "/into/copy"),
	      "cp into a directory");
	EXPECT_EXIT(0, "mv", DIR "/copy", DIR "/moved");
	CHECK(!exists(DIR "/copy") && strcmp(contents(DIR "/moved"), "one\ntwo\n") == 0,
	      "mv: not renamed");
	EXPECT_EXIT(0, "mv", DIR "/moved", DIR "/tree", DIR "/into");
	CHECK(exists(DIR "/into/moved") && is_dir(DIR "/into/tree/sub"), "mv into a directory");
	EXPECT_EXIT(1, "cp", DIR "/into/moved", DIR "/src/one", DIR "/into/moved");
	EXPECT_EXIT(0, "rm", "-r", DIR "/into", DIR "/src");
	CHECK(!exists(DIR "/into") && !exists(DIR "/src"), "rm -r of two trees");
}

/* The readers on good input exit 0 (their output goes to the log until pipes). */
static void test_readers(void)
{
	CHECK(put(DIR "/text", "b\na\nc\n") == 0, "writing a file");
	EXPECT_EXIT(0, "cat", DIR "/text", DIR "/text");
	EXPECT_EXIT(0, "ls", DIR);
	EXPECT_EXIT(0, "ls", "-la1h", DIR, "dev:///", "proc://");
	EXPECT_EXIT(0, "ls", DIR "/text");
	EXPECT_EXIT(0, "stat", DIR, DIR "/text", "proc://");
	EXPECT_EXIT(0, "wc", DIR "/text");
	EXPECT_EXIT(0, "wc", "-l", DIR "/text", DIR "/text");
	EXPECT_EXIT(0, "head", "-n", "1", DIR "/text");
	EXPECT_EXIT(0, "tail", "-n1", DIR "/text", DIR "/text");
	EXPECT_EXIT(0, "rm", DIR "/text");
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
}

int main(void)
{
	if (mkdir(DIR, 0755) < 0 && errno != EEXIST)
		printf("toolstest: cannot make " DIR ": %s\n", strerror(errno));
	return ch_test_main(run_all);
}
