/*
 * nstest.c - bin/nstest: the namespace from user space (docs/namespace.md).
 *
 * Started by Exec with "ns", the root of the whole namespace. It serves
 * fs:///tmp with a real bin/tmpfs (as Exec will) and checks every operation
 * with good and hostile arguments, rights narrowing on open and derive,
 * sandboxes (a child holding only a read-only view of one directory), link
 * and ".." escapes, services in svc://, providers that die or never answer,
 * and that many lookups leave no kernel memory behind.
 *
 *     nstest                      the suite (VMTEST lines, prefix "ns_")
 *     nstest lookups <n>          ns_lookup_no_leak alone, with n lookups (leak.c)
 *     nstest child <role> ...     a child's part in a test
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/pager.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define MS UINT64_C(1000000)
#define LONG (60 * UINT64_C(1000000000))

#include "nstest.h"

static handle_t root, fs, tmp, pool;
static struct ch_child tmpfs_child;

static long nopen(handle_t dir, const char *path, uint32_t type, uint32_t flags, uint64_t rights,
                  handle_t *out)
{
	struct ns_open_args a = {.type = type, .flags = flags, .rights = rights};
	return ch_ns_open(dir, path, strlen(path), &a, out);
}

long nstest_start_tmpfs(handle_t dir, const char *name, struct ch_child *child)
{
	handle_t srv;
	long r = ch_ns_serve(dir, name, strlen(name), &srv);
	if (r < 0)
		return r;
	struct ch_grant g = {"provider", srv, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT};
	struct ch_spawn_args a = {
	    .path = "bin/tmpfs", .grants = &g, .ngrants = 1, .child_pool = 8u << 20};
	r = ch_spawn(&a, child);
	ch_cap_drop(srv);
	return r;
}

/* Serve fs:///<name> with "nstest child <role>" as its provider: *child. */
static long serve_child(const char *name, const char *role, struct ch_child *child)
{
	handle_t srv;
	long r = ch_ns_serve(fs, name, strlen(name), &srv);
	if (r < 0)
		return r;
	const char *argv[] = {"bin/nstest", "child", role, NULL};
	struct ch_grant g = {"provider", srv, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT};
	struct ch_spawn_args a = {
	    .path = "bin/nstest", .argv = argv, .grants = &g, .ngrants = 1, .child_pool = 4u << 20};
	r = ch_spawn(&a, child);
	ch_cap_drop(srv);
	return r;
}

static long write_file(handle_t dir, const char *path, const char *text)
{
	handle_t f;
	long r = nopen(dir, path, NS_TYPE_FILE, NS_OPEN_CREATE, NS_RIGHTS_SAME, &f);
	if (r < 0)
		return r;
	r = ch_ns_write(f, 0, text, strlen(text), 0);
	ch_cap_drop(f);
	return r;
}

static void test_basic_file(void)
{
	handle_t f;
	EXPECT_OK(nopen(tmp, "hello.txt", NS_TYPE_FILE, NS_OPEN_CREATE | NS_OPEN_EXCLUSIVE,
	                NS_RIGHTS_SAME, &f));
	EXPECT_ERR(nopen(tmp, "hello.txt", NS_TYPE_FILE, NS_OPEN_CREATE | NS_OPEN_EXCLUSIVE,
	                 NS_RIGHTS_SAME, &f),
	           ERR_ALREADY_EXISTS);
	EXPECT_OK(ch_ns_write(f, 0, "hello, world", 12, 0));
	char buf[32] = {0};
	long n = ch_ns_read(f, 7, buf, sizeof(buf), 0);
	CHECK(n == 5 && !memcmp(buf, "world", 5), "read back %ld bytes '%s'", n, buf);
	struct ns_stat st;
	EXPECT_OK(ch_ns_stat(f, &st, 0));
	CHECK(st.type == NS_TYPE_FILE && st.size == 12, "stat type %u size %llu", st.type,
	      (unsigned long long)st.size);
	EXPECT_OK(ch_ns_truncate(f, 5, 0));
	EXPECT_OK(ch_ns_stat(f, &st, 0));
	CHECK(st.size == 5, "size after truncate %llu", (unsigned long long)st.size);
	/* the same node through another open */
	handle_t again;
	EXPECT_OK(nopen(tmp, "./hello.txt", NS_TYPE_ANY, 0, RIGHT_READ, &again));
	struct ns_stat st2;
	EXPECT_OK(ch_ns_stat(again, &st2, 0));
	CHECK(st2.node == st.node, "another open, another node id");
	EXPECT_ERR(ch_ns_write(again, 0, "x", 1, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(again);
	/* open-but-unlinked stays readable */
	EXPECT_OK(ch_ns_unlink(tmp, "hello.txt", 9, 0, 0));
	n = ch_ns_read(f, 0, buf, sizeof(buf), 0);
	CHECK(n == 5 && !memcmp(buf, "hello", 5), "unlinked file read %ld", n);
	EXPECT_ERR(nopen(tmp, "hello.txt", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &again), ERR_NOT_FOUND);
	ch_cap_drop(f);
}

static void test_dirs_and_listing(void)
{
	handle_t d, f;
	EXPECT_OK(nopen(tmp, "list", NS_TYPE_DIR, NS_OPEN_CREATE, NS_RIGHTS_SAME, &d));
	char name[16];
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "e%02d", i);
		EXPECT_OK(nopen(d, name, i % 3 ? NS_TYPE_FILE : NS_TYPE_DIR, NS_OPEN_CREATE,
		                NS_RIGHTS_SAME, &f));
		ch_cap_drop(f);
	}
	static char buf[256];
	uint64_t cookie = 0;
	unsigned seen = 0, dirs = 0, order_ok = 1;
	long n;
	while ((n = ch_ns_list(d, &cookie, buf, sizeof(buf), 0)) > 0) {
		for (long off = 0; off < n;) {
			struct ns_dirent *de = (struct ns_dirent *)(buf + off);
			snprintf(name, sizeof(name), "e%02u", seen);
			order_ok &= strcmp(de->name, name) == 0;
			dirs += de->type == NS_TYPE_DIR;
			seen++;
			off += de->reclen;
		}
	}
	EXPECT_OK(n);
	CHECK(seen == 60 && dirs == 20 && order_ok, "listed %u entries, %u dirs", seen, dirs);
	EXPECT_ERR(ch_ns_list(d, &cookie, buf, 8, 0), 0); /* at the end: nothing, not an error */
	cookie = 0;
	EXPECT_ERR(ch_ns_list(d, &cookie, buf, 8, 0), ERR_BUFFER_TOO_SMALL);
	EXPECT_ERR(nopen(d, "e00", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f), ERR_WRONG_TYPE);
	EXPECT_ERR(nopen(d, "e01/", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &f), ERR_WRONG_TYPE);
	EXPECT_ERR(nopen(d, "e01/x", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &f), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_ns_read(d, 0, buf, 8, 0), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_ns_unlink(tmp, "list", 4, NS_UNLINK_DIR, 0), ERR_BAD_STATE);
	EXPECT_ERR(ch_ns_unlink(tmp, "list", 4, 0, 0), ERR_WRONG_TYPE);
	ch_cap_drop(d);
}

static void test_rename_and_links(void)
{
	handle_t d, f;
	EXPECT_OK(nopen(tmp, "mv", NS_TYPE_DIR, NS_OPEN_CREATE, NS_RIGHTS_SAME, &d));
	EXPECT_OK(write_file(d, "a", "alpha"));
	EXPECT_OK(write_file(tmp, "b", "beta"));
	struct ns_path_arg to = {(uint64_t)(uintptr_t) "b", 1};
	EXPECT_OK(ch_ns_rename(d, "a", 1, tmp, &to, 0)); /* across directories, replacing */
	char buf[8] = {0};
	EXPECT_OK(nopen(tmp, "b", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	CHECK(ch_ns_read(f, 0, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "alpha", 5),
	      "renamed file reads '%s'", buf);
	EXPECT_ERR(ch_ns_link(d, "hard", 4, f, 0), ERR_ACCESS_DENIED); /* needs WRITE on it */
	ch_cap_drop(f);
	EXPECT_OK(nopen(tmp, "b", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f));
	EXPECT_OK(ch_ns_link(d, "hard", 4, f, 0));
	EXPECT_ERR(ch_ns_link(d, "hard", 4, f, 0), ERR_ALREADY_EXISTS);
	ch_cap_drop(f);
	EXPECT_OK(ch_ns_symlink(tmp, "sym", 3, "mv/hard", 7, 0));
	EXPECT_OK(nopen(tmp, "sym", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
	EXPECT_OK(nopen(tmp, "sym", NS_TYPE_LINK, NS_OPEN_NOFOLLOW, RIGHT_READ, &f));
	char target[16] = {0};
	CHECK(ch_ns_readlink(f, target, sizeof(target), 0) == 7 && !strcmp(target, "mv/hard"),
	      "readlink '%s'", target);
	ch_cap_drop(f);
	EXPECT_OK(ch_ns_symlink(tmp, "loop", 4, "loop", 4, 0));
	EXPECT_ERR(nopen(tmp, "loop", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &f), ERR_LOOP);
	EXPECT_ERR(ch_ns_symlink(tmp, "bad", 3, "a\0b", 3, 0), ERR_INVALID_ARGS);
	/* across providers: the kernel tree and tmpfs */
	to = (struct ns_path_arg){(uint64_t)(uintptr_t) "x", 1};
	EXPECT_ERR(ch_ns_rename(tmp, "b", 1, fs, &to, 0), ERR_CROSS_PROVIDER);
	ch_cap_drop(d);
}

static void test_rights(void)
{
	handle_t ro, f, d;
	EXPECT_OK(write_file(tmp, "r.txt", "read me"));
	/* an open asks for a subset: never more than the directory holds */
	EXPECT_OK(nopen(
	    tmp, "", NS_TYPE_DIR, 0,
	    RIGHT_LOOKUP | RIGHT_READ | RIGHT_ENUMERATE | RIGHT_DUPLICATE | RIGHT_TRANSFER, &ro));
	EXPECT_ERR(nopen(ro, "r.txt", NS_TYPE_FILE, 0, RIGHT_READ | RIGHT_WRITE, &f),
	           ERR_ACCESS_DENIED);
	EXPECT_ERR(nopen(ro, "new", NS_TYPE_FILE, NS_OPEN_CREATE, RIGHT_READ, &f),
	           ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_unlink(ro, "r.txt", 5, 0, 0), ERR_ACCESS_DENIED);
	EXPECT_OK(nopen(ro, "r.txt", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f));
	EXPECT_ERR(ch_ns_write(f, 0, "x", 1, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_truncate(f, 0, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(f);
	/* derive narrows too: no LOOKUP, nothing below it can be named */
	EXPECT_OK(ch_cap_derive(ro, RIGHT_ENUMERATE, 0, &d));
	EXPECT_ERR(nopen(d, "r.txt", NS_TYPE_ANY, 0, 0, &f), ERR_ACCESS_DENIED);
	uint64_t cookie = 0;
	char buf[64];
	EXPECT_OK(ch_ns_list(d, &cookie, buf, sizeof(buf), 0));
	EXPECT_ERR(ch_ns_list(ro, &cookie, buf, 0, 0), ERR_BUFFER_TOO_SMALL);
	struct ns_stat st;
	EXPECT_ERR(ch_ns_stat_at(d, "r.txt", 5, &st, 0), ERR_ACCESS_DENIED); /* no LOOKUP */
	EXPECT_OK(ch_ns_stat(d, &st, 0)); /* itself: fine */
	ch_cap_drop(d);
	EXPECT_OK(ch_cap_derive(ro, RIGHT_LOOKUP, 0, &d));
	EXPECT_OK(ch_ns_stat_at(d, "r.txt", 5, &st, 0));
	CHECK(st.size == 7 && st.type == NS_TYPE_FILE, "stat_at r.txt: size %llu",
	      (unsigned long long)st.size);
	cookie = 0;
	EXPECT_ERR(ch_ns_list(d, &cookie, buf, sizeof(buf), 0), ERR_ACCESS_DENIED);
	ch_cap_drop(d);
	ch_cap_drop(ro);
}

/* From a directory capability nothing above it can be named, and trying looks exactly
 * like a missing name. */
static void test_sandbox_escapes(void)
{
	handle_t home, ada, f;
	EXPECT_OK(nopen(tmp, "home", NS_TYPE_DIR, NS_OPEN_CREATE, NS_RIGHTS_SAME, &home));
	EXPECT_OK(nopen(home, "ada", NS_TYPE_DIR, NS_OPEN_CREATE, NS_RIGHTS_SAME, &ada));
	EXPECT_OK(write_file(home, "secret", "s"));
	EXPECT_OK(write_file(ada, "notes", "n"));
	EXPECT_OK(ch_ns_symlink(ada, "up", 2, "../secret", 9, 0));
	EXPECT_OK(ch_ns_symlink(ada, "abs", 3, "/secret", 7, 0));
	EXPECT_OK(ch_ns_symlink(ada, "in", 2, "notes", 5, 0));
	static const char *const outside[] = {"..",  "../secret",      "../ada/notes", "up",
	                                      "abs", "x/../../secret", "nonexistent"};
	for (unsigned i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		EXPECT_ERR(nopen(ada, outside[i], NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &f),
		           ERR_NOT_FOUND);
	EXPECT_OK(nopen(ada, "in", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
	struct ns_stat st;
	EXPECT_ERR(ch_ns_stat_at(ada, "up", 2, &st, 0), ERR_NOT_FOUND);
	EXPECT_ERR(ch_ns_stat_at(ada, "../secret", 9, &st, 0), ERR_NOT_FOUND);
	EXPECT_OK(ch_ns_stat_at(ada, "in", 2, &st, 0)); /* follows the link to notes */
	CHECK(st.type == NS_TYPE_FILE && st.size == 1, "stat of in: type %u size %llu", st.type,
	      (unsigned long long)st.size);
	EXPECT_OK(ch_ns_stat_at(home, "ada", 3, &st, 0));
	CHECK(st.type == NS_TYPE_DIR && st.size == 4, "stat of ada: type %u, %llu entries", st.type,
	      (unsigned long long)st.size);
	/* from above, the same link works: it is the view that stops it */
	EXPECT_OK(nopen(home, "ada/up", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
	ch_cap_drop(ada);
	ch_cap_drop(home);
}

/* A child holding only a read-only capability to tmp/home/ada. */
static int child_sandboxed(void)
{
	handle_t v = ch_handle("view"), f;
	if (v == HANDLE_INVALID || ch_handle("ns") != HANDLE_INVALID)
		return 10;
	struct ns_open_args ro = {.type = NS_TYPE_FILE, .rights = RIGHT_READ};
	if (ch_ns_open(v, "notes", 5, &ro, &f) < 0)
		return 11;
	if (ch_ns_write(f, 0, "x", 1, 0) != ERR_ACCESS_DENIED)
		return 12;
	struct ns_open_args w = {
	    .type = NS_TYPE_FILE, .flags = NS_OPEN_CREATE, .rights = RIGHT_READ};
	if (ch_ns_open(v, "new", 3, &w, &f) != ERR_ACCESS_DENIED)
		return 13;
	struct ns_open_args any = {.rights = RIGHT_READ};
	if (ch_ns_open(v, "../secret", 9, &any, &f) != ERR_NOT_FOUND ||
	    ch_ns_open(v, "../nothing", 10, &any, &f) != ERR_NOT_FOUND)
		return 14;
	if (ch_uri_open("fs:///tmp/home/secret", NS_TYPE_ANY, 0, RIGHT_READ, &f) != ERR_NOT_FOUND)
		return 15; /* no fs root in this view at all */
	if (ch_ns_unlink(v, "notes", 5, 0, 0) != ERR_ACCESS_DENIED)
		return 16;
	return 0;
}

static void test_child_view(void)
{
	handle_t ada;
	EXPECT_OK(nopen(tmp, "home/ada", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &ada));
	const char *argv[] = {"bin/nstest", "child", "sandboxed", NULL};
	struct ch_grant g = {"view", ada, RIGHT_LOOKUP | RIGHT_READ | RIGHT_ENUMERATE};
	struct ch_spawn_args a = {
	    .path = "bin/nstest", .argv = argv, .grants = &g, .ngrants = 1, .child_pool = 4u << 20};
	struct ch_child c;
	EXPECT_OK(ch_spawn(&a, &c));
	struct proc_status st;
	EXPECT_OK(ch_proc_wait(c.process, LONG, &st));
	CHECK(st.state == PROC_EXITED && st.code == 0, "sandboxed child: state %u code %lld",
	      st.state, (long long)st.code);
	ch_child_release(&c);
	ch_cap_drop(ada);
}

static void test_hostile_args(void)
{
	handle_t f;
	struct ns_open_args a = {.rights = NS_RIGHTS_SAME};
	static char big[NS_PATH_MAX + 2];
	memset(big, 'a', sizeof(big));
	EXPECT_ERR(ch_ns_open(tmp, big, sizeof(big), &a, &f), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_ns_open(tmp, "a\0b", 3, &a, &f), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_open(tmp, "\xff", 1, &a, &f), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_open(tmp, (const char *)0xffff800000000000ull, 4, &a, &f),
	           ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_ns_open(tmp, "x", 1, (const struct ns_open_args *)16, &f), ERR_BAD_ADDRESS);
	struct ns_open_args bad = {.type = NS_TYPE_COUNT, .rights = NS_RIGHTS_SAME};
	EXPECT_ERR(ch_ns_open(tmp, "x", 1, &bad, &f), ERR_INVALID_ARGS);
	bad = (struct ns_open_args){.flags = 1u << 20, .rights = NS_RIGHTS_SAME};
	EXPECT_ERR(ch_ns_open(tmp, "x", 1, &bad, &f), ERR_INVALID_ARGS);
	bad = (struct ns_open_args){.flags = NS_OPEN_EXCLUSIVE, .rights = NS_RIGHTS_SAME};
	EXPECT_ERR(ch_ns_open(tmp, "x", 1, &bad, &f), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_open(pool, "x", 1, &a, &f), ERR_WRONG_TYPE);
	EXPECT_ERR(ch_ns_open(0x12345678, "x", 1, &a, &f), ERR_BAD_HANDLE);
	char small[8];
	EXPECT_ERR(ch_ns_read(tmp, 0, small, sizeof(small), 0), ERR_WRONG_TYPE);
	EXPECT_OK(write_file(tmp, "h.txt", "hostile"));
	EXPECT_OK(nopen(tmp, "h.txt", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f));
	EXPECT_ERR(ch_ns_read(f, 0, (void *)0xffff800000000000ull, 8, 0), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_ns_write(f, 0, (void *)0xffff800000000000ull, 8, 0), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_ns_write(f, UINT64_MAX - 2, "abcd", 4, 0), ERR_OUT_OF_RANGE);
	EXPECT_ERR(ch_ns_stat(f, (struct ns_stat *)0xffff800000000000ull, 0), ERR_BAD_ADDRESS);
	ch_cap_drop(f);
	/* URIs: another host, an encoded separator, an unknown scheme */
	EXPECT_ERR(ch_uri_open("fs://node2/tmp/h.txt", NS_TYPE_ANY, 0, RIGHT_READ, &f),
	           ERR_NO_HOST);
	EXPECT_ERR(ch_uri_open("fs:///tmp%2Fh.txt", NS_TYPE_ANY, 0, RIGHT_READ, &f),
	           ERR_INVALID_ARGS);
	EXPECT_ERR(ch_uri_open("nosuch:///x", NS_TYPE_ANY, 0, RIGHT_READ, &f), ERR_NOT_FOUND);
	EXPECT_OK(ch_uri_open("FS://LocalHost/tmp/h.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
}

/* A provider that dies fails its callers with ERR_PEER_CLOSED; one that never answers
 * with ERR_TIMED_OUT; the name can be served again. */
static void test_provider_failures(void)
{
	handle_t srv, f;
	EXPECT_OK(ch_ns_serve(fs, "mute", 4, &srv)); /* we never receive on srv */
	struct ns_open_args a = {.rights = NS_RIGHTS_SAME, .timeout = 50 * MS};
	EXPECT_ERR(ch_ns_open(fs, "mute/x", 6, &a, &f), ERR_TIMED_OUT);
	ch_cap_drop(srv); /* the provider goes away */
	EXPECT_ERR(ch_ns_open(fs, "mute/x", 6, &a, &f), ERR_PEER_CLOSED);
	struct ch_child c;
	EXPECT_OK(nstest_start_tmpfs(fs, "mute", &c)); /* served again */
	EXPECT_OK(write_file(fs, "mute/x", "back"));
	a.timeout = 0;
	EXPECT_OK(ch_ns_open(fs, "mute/x", 6, &a, &f));
	ch_cap_drop(f);
	EXPECT_OK(ch_proc_kill(c.process)); /* dies with a capability to it outstanding */
	struct proc_status st;
	EXPECT_OK(ch_proc_wait(c.process, LONG, &st));
	EXPECT_ERR(ch_ns_open(fs, "mute/x", 6, &a, &f), ERR_PEER_CLOSED);
	ch_child_release(&c);
	EXPECT_OK(ch_ns_unlink(fs, "mute", 4, 0, 0));
	EXPECT_ERR(ch_ns_open(fs, "mute/x", 6, &a, &f), ERR_NOT_FOUND);
}

static void test_services(void)
{
	handle_t svc, ep[2], got;
	EXPECT_OK(nopen(root, "svc", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &svc));
	EXPECT_OK(ch_channel_create(pool, 0, ep));
	EXPECT_OK(ch_ns_bind(svc, "echo", 4, ep[0], RIGHT_SEND | RIGHT_TRANSFER, 0));
	EXPECT_ERR(ch_ns_bind(svc, "echo2", 5, ep[0], RIGHTS_ALL, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(nopen(svc, "echo", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &got), ERR_WRONG_TYPE);
	EXPECT_ERR(nopen(svc, "echo", NS_TYPE_SVC, 0, NS_RIGHTS_SAME, &got), 1);
	EXPECT_OK(ch_kbus_send_bytes(got, "ping", 4, 0, LONG));
	char buf[8];
	uint32_t len;
	EXPECT_OK(ch_kbus_recv_bytes(ep[1], buf, sizeof(buf), &len, 0, LONG));
	CHECK(len == 4 && !memcmp(buf, "ping", 4), "service message");
	struct cap_info ci;
	EXPECT_ERR(ch_cap_inspect(got, &ci), ERR_ACCESS_DENIED); /* send and transfer only */
	ch_cap_drop(got);
	EXPECT_OK(ch_ns_unlink(svc, "echo", 4, 0, 0));
	EXPECT_ERR(nopen(svc, "echo", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &got), ERR_NOT_FOUND);
	ch_cap_drop(ep[0]);
	ch_cap_drop(ep[1]);
	ch_cap_drop(svc);
}

/*
 * Lookups return everything they take: the pool is where it was after many of
 * them. Both measurements are taken holding one open node just made, when no
 * release of an earlier one is still queued for tmpfs (it handles them before
 * the open that follows them).
 */
static void test_lookup_no_leak(void)
{
	nstest_lookup_no_leak(fs);
}

/* Watch events arrive for what changes in the watched directory, and only there. */
static long next_event(handle_t ep, struct ns_event *ev)
{
	uint32_t len;
	memset(ev, 0, sizeof(*ev));
	return ch_kbus_recv_bytes(ep, ev, sizeof(*ev), &len, 0, LONG);
}

static void test_watch(void)
{
	handle_t d, ep[2], f;
	struct ns_event ev;
	EXPECT_OK(nopen(tmp, "watched", NS_TYPE_DIR, NS_OPEN_CREATE, NS_RIGHTS_SAME, &d));
	EXPECT_OK(ch_channel_create(pool, 0, ep));
	EXPECT_ERR(ch_ns_watch(d, ep[0], 0, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_watch(d, ep[0], 1u << 9, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_watch(d, pool, NS_EVENTS_ALL, 0), ERR_WRONG_TYPE);
	EXPECT_OK(write_file(d, "early", "x"));
	EXPECT_OK(ch_ns_watch(d, ep[0], NS_EVENTS_ALL, 0));
	EXPECT_OK(write_file(tmp, "elsewhere", "x")); /* not in the watched directory */
	EXPECT_OK(nopen(d, "new", NS_TYPE_FILE, NS_OPEN_CREATE, NS_RIGHTS_SAME, &f));
	EXPECT_OK(next_event(ep[1], &ev));
	CHECK(ev.kind == NS_EVENT_ADDED && !strcmp(ev.name, "new") && ev.type == NS_TYPE_FILE,
	      "event %u '%s'", ev.kind, ev.name);
	EXPECT_OK(ch_ns_write(f, 0, "data", 4, 0));
	EXPECT_OK(next_event(ep[1], &ev));
	CHECK(ev.kind == NS_EVENT_CHANGED && !strcmp(ev.name, "new"), "event %u '%s'", ev.kind,
	      ev.name);
	ch_cap_drop(f);
	struct ns_path_arg to = {(uint64_t)(uintptr_t) "moved", 5};
	EXPECT_OK(ch_ns_rename(d, "early", 5, tmp, &to, 0));
	EXPECT_OK(next_event(ep[1], &ev));
	CHECK(ev.kind == NS_EVENT_REMOVED && !strcmp(ev.name, "early"), "event %u '%s'", ev.kind,
	      ev.name);
	EXPECT_OK(ch_ns_unlink(d, "new", 3, 0, 0));
	EXPECT_OK(next_event(ep[1], &ev));
	CHECK(ev.kind == NS_EVENT_REMOVED && !strcmp(ev.name, "new"), "event %u '%s'", ev.kind,
	      ev.name);
	struct kbus_endpoint_info info;
	EXPECT_OK(ch_kbus_info(ep[1], &info));
	CHECK(info.queued == 0, "%u events more than expected", info.queued);
	/* the watcher goes away: the provider lets go, and the directory works on */
	ch_cap_drop(ep[1]);
	ch_cap_drop(ep[0]);
	EXPECT_OK(write_file(d, "after", "x"));
	EXPECT_OK(ch_ns_unlink(d, "after", 5, 0, 0));
	ch_cap_drop(d);
}

/* A node bound elsewhere is reached with no more rights than its binder had. */
static void test_bind_node(void)
{
	handle_t ro, f, got;
	EXPECT_OK(write_file(tmp, "bound.txt", "b"));
	EXPECT_OK(nopen(tmp, "", NS_TYPE_DIR, 0,
	                RIGHT_LOOKUP | RIGHT_READ | RIGHT_ENUMERATE | RIGHT_DUPLICATE, &ro));
	EXPECT_OK(ch_ns_bind(fs, "ro-tmp", 6, ro, 0, 0));
	EXPECT_OK(nopen(fs, "ro-tmp/bound.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
	/* fs itself has every right, the bind does not */
	EXPECT_ERR(nopen(fs, "ro-tmp/bound.txt", NS_TYPE_FILE, 0, RIGHT_READ | RIGHT_WRITE, &f),
	           ERR_ACCESS_DENIED);
	EXPECT_ERR(nopen(fs, "ro-tmp/new", NS_TYPE_FILE, NS_OPEN_CREATE, RIGHT_READ, &f),
	           ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_unlink(fs, "ro-tmp/bound.txt", 16, 0, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_symlink(fs, "ro-tmp/l", 8, "bound.txt", 9, 0), ERR_ACCESS_DENIED);
	/* a bind needs MANAGE, and goes with unlink */
	EXPECT_OK(ch_cap_derive(fs, RIGHT_LOOKUP | RIGHT_REMOVE, 0, &got));
	EXPECT_ERR(ch_ns_bind(got, "y", 1, ro, 0, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(got);
	EXPECT_OK(ch_ns_unlink(fs, "ro-tmp", 6, 0, 0));
	EXPECT_ERR(nopen(fs, "ro-tmp/bound.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f), ERR_NOT_FOUND);
	ch_cap_drop(ro);
}

/* A bind inside a provider's subtree (tmpfs): crossed like a kernel-tree bind. */
static void test_bind_in_provider(void)
{
	handle_t src, ro, f, got, ep[2];
	struct ns_stat st;
	const uint32_t mkdir = NS_OPEN_CREATE | NS_OPEN_DIRECTORY;
	EXPECT_OK(nopen(tmp, "bp_src", NS_TYPE_DIR, mkdir, NS_RIGHTS_SAME, &src));
	EXPECT_OK(write_file(src, "inner.txt", "inner"));
	EXPECT_OK(nopen(tmp, "bp_mnt", NS_TYPE_DIR, mkdir, NS_RIGHTS_SAME, &f));
	EXPECT_OK(write_file(f, "under.txt", "under"));
	ch_cap_drop(f);
	EXPECT_OK(ch_cap_derive(src, RIGHT_LOOKUP | RIGHT_READ | RIGHT_ENUMERATE | RIGHT_DUPLICATE,
	                        0, &ro));
	/* tmpfs's bp_mnt is covered: lookups go into src, with the binder's rights */
	EXPECT_OK(ch_ns_bind(tmp, "bp_mnt", 6, ro, 0, 0));
	EXPECT_OK(nopen(tmp, "bp_mnt/inner.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	char buf[8] = {0};
	EXPECT_OK(ch_ns_read(f, 0, buf, sizeof(buf) - 1, 0));
	CHECK(!strcmp(buf, "inner"), "read through the bind: '%s'", buf);
	ch_cap_drop(f);
	EXPECT_ERR(nopen(tmp, "bp_mnt/under.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f), ERR_NOT_FOUND);
	EXPECT_ERR(nopen(tmp, "bp_mnt/inner.txt", NS_TYPE_FILE, 0, RIGHT_READ | RIGHT_WRITE, &f),
	           ERR_ACCESS_DENIED);
	EXPECT_ERR(nopen(tmp, "bp_mnt/new", NS_TYPE_FILE, NS_OPEN_CREATE, RIGHT_READ, &f),
	           ERR_ACCESS_DENIED);
	EXPECT_OK(ch_ns_stat_at(tmp, "bp_mnt/inner.txt", 16, &st, 0));
	CHECK(st.size == 5 && st.type == NS_TYPE_FILE, "stat through the bind");
	/* from fs, through the kernel tree's bind of tmp and then tmpfs's own */
	EXPECT_OK(nopen(fs, "tmp/bp_mnt/inner.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
	/* the walk goes one name at a time now: links on the way still resolve */
	EXPECT_OK(ch_ns_symlink(tmp, "bp_link", 7, "bp_mnt", 6, 0));
	EXPECT_OK(nopen(tmp, "bp_link/inner.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
	EXPECT_OK(ch_ns_unlink(tmp, "bp_link", 7, 0, 0));
	/* hostile binds: a type with a node, an endpoint, no MANAGE, a file as directory */
	EXPECT_ERR(ch_ns_bind(tmp, "bp_x", 4, ro, 0, NS_TYPE_DEV_BLOCK), ERR_INVALID_ARGS);
	EXPECT_OK(ch_channel_create(pool, 0, ep));
	EXPECT_ERR(ch_ns_bind(tmp, "bp_x", 4, ep[0], RIGHT_SEND, 0), ERR_NOT_SUPPORTED);
	ch_cap_drop(ep[0]);
	ch_cap_drop(ep[1]);
	EXPECT_ERR(ch_ns_bind(tmp, "a/b", 3, ro, 0, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_bind(tmp, "..", 2, ro, 0, 0), ERR_INVALID_ARGS);
	EXPECT_OK(ch_cap_derive(tmp, RIGHT_LOOKUP | RIGHT_REMOVE, 0, &got));
	EXPECT_ERR(ch_ns_bind(got, "bp_x", 4, ro, 0, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(got);
	EXPECT_OK(nopen(src, "inner.txt", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f));
	EXPECT_ERR(ch_ns_bind(f, "bp_x", 4, ro, 0, 0), ERR_WRONG_TYPE);
	ch_cap_drop(f);
	/* unlink removes the bind, and the provider's own entry shows again */
	EXPECT_OK(ch_ns_unlink(tmp, "bp_mnt", 6, 0, 0));
	EXPECT_OK(nopen(tmp, "bp_mnt/under.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
	EXPECT_ERR(nopen(tmp, "bp_mnt/inner.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f), ERR_NOT_FOUND);
	/* a bind of a directory inside itself is bounded, not a hang */
	EXPECT_OK(ch_ns_bind(src, "self", 4, ro, 0, 0));
	EXPECT_OK(nopen(src, "self/self/self/inner.txt", NS_TYPE_FILE, 0, RIGHT_READ, &f));
	ch_cap_drop(f);
	EXPECT_OK(ch_ns_unlink(src, "self", 4, 0, 0));
	EXPECT_OK(ch_ns_unlink(tmp, "bp_mnt/under.txt", 16, 0, 0));
	EXPECT_OK(ch_ns_unlink(tmp, "bp_mnt", 6, NS_UNLINK_DIR, 0));
	EXPECT_OK(ch_ns_unlink(src, "inner.txt", 9, 0, 0));
	ch_cap_drop(ro);
	ch_cap_drop(src);
	EXPECT_OK(ch_ns_unlink(tmp, "bp_src", 6, NS_UNLINK_DIR, 0));
}

/* The type of an entry in a listing of dir (NS_TYPE_COUNT: not listed). */
static uint32_t listed_type(handle_t dir, const char *name)
{
	static char buf[1024];
	uint64_t cookie = 0;
	long n;
	while ((n = ch_ns_list(dir, &cookie, buf, sizeof(buf), 0)) > 0)
		for (long off = 0; off < n;) {
			struct ns_dirent *de = (struct ns_dirent *)(buf + off);
			if (!strcmp(de->name, name))
				return de->type;
			off += de->reclen;
		}
	return NS_TYPE_COUNT;
}

/* dev:// has the class directories, and an endpoint bound as a device opens only as one. */
static void test_dev_entries(void)
{
	static const char *const classes[] = {"block",  "net",   "input", "display",
	                                      "serial", "clock", "rng"};
	handle_t dev, blk, ep[2], got;
	EXPECT_OK(nopen(root, "dev", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &dev));
	for (unsigned i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		CHECK(listed_type(dev, classes[i]) == NS_TYPE_DIR, "dev:///%s", classes[i]);
		EXPECT_ERR(ch_ns_unlink(dev, classes[i], strlen(classes[i]), NS_UNLINK_DIR, 0),
		           ERR_NOT_SUPPORTED); /* boot directories stay */
	}
	EXPECT_OK(nopen(dev, "block", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &blk));
	EXPECT_OK(ch_channel_create(pool, 0, ep));
	uint64_t r = RIGHT_SEND | RIGHT_TRANSFER;
	EXPECT_OK(ch_ns_bind(blk, "vdt", 3, ep[0], r, NS_TYPE_DEV_BLOCK));
	/* only a service or a device type for an endpoint, and no type for a node */
	EXPECT_ERR(ch_ns_bind(blk, "bad", 3, ep[0], r, NS_TYPE_FILE), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_bind(blk, "bad", 3, ep[0], r, NS_TYPE_DIR), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_bind(blk, "bad", 3, ep[0], r, NS_TYPE_PROC), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_bind(blk, "bad", 3, ep[0], r, NS_TYPE_COUNT), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_bind(blk, "bad", 3, ep[0], r, UINT32_MAX), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_bind(fs, "bad", 3, tmp, 0, NS_TYPE_DEV_BLOCK), ERR_INVALID_ARGS);
	EXPECT_ERR(nopen(blk, "bad", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &got), ERR_NOT_FOUND);
	/* opened as what it is (or as anything) it is the endpoint, like a service */
	EXPECT_ERR(nopen(blk, "vdt", NS_TYPE_DEV_BLOCK, 0, NS_RIGHTS_SAME, &got), 1);
	EXPECT_OK(ch_kbus_send_bytes(got, "blk", 3, 0, LONG));
	ch_cap_drop(got);
	EXPECT_ERR(nopen(dev, "block/vdt", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &got), 1);
	ch_cap_drop(got);
	char buf[8];
	uint32_t len;
	EXPECT_OK(ch_kbus_recv_bytes(ep[1], buf, sizeof(buf), &len, 0, LONG));
	CHECK(len == 3 && !memcmp(buf, "blk", 3), "device message");
	EXPECT_ERR(nopen(blk, "vdt", NS_TYPE_SVC, 0, NS_RIGHTS_SAME, &got), ERR_WRONG_TYPE);
	EXPECT_ERR(nopen(blk, "vdt", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &got), ERR_WRONG_TYPE);
	EXPECT_ERR(nopen(blk, "vdt", NS_TYPE_DEV_NET, 0, NS_RIGHTS_SAME, &got), ERR_WRONG_TYPE);
	EXPECT_ERR(nopen(blk, "vdt/", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &got), ERR_WRONG_TYPE);
	/* stat and list tell the type */
	struct ns_stat st;
	EXPECT_OK(ch_ns_stat_at(blk, "vdt", 3, &st, 0));
	CHECK(st.type == NS_TYPE_DEV_BLOCK, "stat type %u", st.type);
	CHECK(listed_type(blk, "vdt") == NS_TYPE_DEV_BLOCK, "listed type");
	/* a service type stays the default, and re-binding replaces (a restarted driver) */
	EXPECT_OK(ch_ns_bind(blk, "vdt", 3, ep[0], r, NS_TYPE_SVC));
	EXPECT_ERR(nopen(blk, "vdt", NS_TYPE_DEV_BLOCK, 0, NS_RIGHTS_SAME, &got), ERR_WRONG_TYPE);
	EXPECT_ERR(nopen(blk, "vdt", NS_TYPE_SVC, 0, NS_RIGHTS_SAME, &got), 1);
	ch_cap_drop(got);
	EXPECT_OK(ch_ns_bind(blk, "vdt", 3, ep[0], r, NS_TYPE_DEV_BLOCK));
	EXPECT_OK(ch_ns_unlink(blk, "vdt", 3, 0, 0));
	EXPECT_ERR(nopen(blk, "vdt", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &got), ERR_NOT_FOUND);
	ch_cap_drop(ep[0]);
	ch_cap_drop(ep[1]);
	ch_cap_drop(blk);
	ch_cap_drop(dev);
}

/* A provider that dies holding a call fails that caller with ERR_PEER_CLOSED. */
static int child_crashprov(void)
{
	handle_t ep = ch_handle("provider");
	char buf[256];
	uint32_t len;
	if (ch_kbus_recv_bytes(ep, buf, sizeof(buf), &len, 0, LONG) < 0)
		return 20;
	return 3; /* ends with the call unanswered */
}

static void test_provider_dies_mid_call(void)
{
	handle_t f;
	struct ch_child c;
	EXPECT_OK(serve_child("crash", "crashprov", &c));
	EXPECT_ERR(nopen(fs, "crash/x", NS_TYPE_ANY, 0, NS_RIGHTS_SAME, &f), ERR_PEER_CLOSED);
	struct proc_status st;
	EXPECT_OK(ch_proc_wait(c.process, LONG, &st));
	CHECK(st.state == PROC_EXITED && st.code == 3, "crashing provider: state %u code %lld",
	      st.state, (long long)st.code);
	ch_child_release(&c);
	EXPECT_OK(ch_ns_unlink(fs, "crash", 5, 0, 0));
}

/* Push the kernel's batched releases (32 a message, kernel/ns/remote.c) to tmp's tmpfs. */
static void flush_releases(void)
{
	for (int i = 0; i < 40; i++) {
		handle_t f;
		if (nopen(tmp, "statfs-anchor", NS_TYPE_FILE, NS_OPEN_CREATE, NS_RIGHTS_SAME, &f) >=
		    0)
			ch_cap_drop(f);
	}
}

/* SYS_NS_SYNC and SYS_NS_STATFS on tmpfs (memory figures), the kernel tree and proc://
 * (not file systems), and the rights each needs. */
static void test_sync_statfs(void)
{
	struct ns_statfs a, b, c;
	handle_t f, weak, proc;
	EXPECT_OK(ch_ns_sync(tmp, 0, 0));
	EXPECT_OK(ch_ns_sync(tmp, NS_SYNC_READ_ONLY, 0)); /* memory: nothing to keep */
	EXPECT_OK(write_file(tmp, "statfs-anchor", "x"));
	EXPECT_OK(ch_ns_statfs(tmp, &a, 0));
	CHECK(!strcmp(a.type, "tmpfs") && a.bsize == 4096 && a.blocks > 0 && a.bfree < a.blocks &&
	          a.files == 0 && a.flags == NS_STATFS_VOLATILE,
	      "statfs: %s bsize %u blocks %llu free %llu files %llu flags %#x", a.type, a.bsize,
	      (unsigned long long)a.blocks, (unsigned long long)a.bfree,
	      (unsigned long long)a.files, a.flags);
	/* 64 pages written: at least 64 blocks fewer free; unlinked: as before */
	static char page[4096];
	memset(page, 'p', sizeof(page));
	EXPECT_OK(nopen(tmp, "statfs-big", NS_TYPE_FILE, NS_OPEN_CREATE, NS_RIGHTS_SAME, &f));
	for (int i = 0; i < 64; i++)
		EXPECT_OK(ch_ns_write(f, (uint64_t)i * sizeof(page), page, sizeof(page), 0));
	EXPECT_OK(ch_ns_statfs(f, &b, 0)); /* any node answers for the whole tree */
	CHECK(b.bfree + 64 <= a.bfree, "after 64 pages: %llu free (were %llu)",
	      (unsigned long long)b.bfree, (unsigned long long)a.bfree);
	ch_cap_drop(f);
	flush_releases();
	EXPECT_OK(ch_ns_unlink(tmp, "statfs-big", 10, 0, 0));
	EXPECT_OK(ch_ns_statfs(tmp, &c, 0));
	CHECK(c.bfree >= b.bfree + 64, "after the unlink: %llu free (were %llu before it)",
	      (unsigned long long)c.bfree, (unsigned long long)b.bfree);
	EXPECT_OK(ch_ns_unlink(tmp, "statfs-anchor", 13, 0, 0));
	/* rights: sync needs WRITE (and MANAGE to make it read-only), statfs INSPECT */
	EXPECT_OK(ch_cap_derive(tmp, RIGHT_LOOKUP | RIGHT_READ | RIGHT_ENUMERATE, 0, &weak));
	EXPECT_ERR(ch_ns_sync(weak, 0, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_statfs(weak, &b, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(weak);
	EXPECT_OK(ch_cap_derive(tmp, RIGHT_WRITE | RIGHT_INSPECT, 0, &weak));
	EXPECT_ERR(ch_ns_sync(weak, NS_SYNC_READ_ONLY, 0), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_ns_sync(weak, 0, 0));
	EXPECT_OK(ch_ns_statfs(weak, &b, 0));
	ch_cap_drop(weak);
	EXPECT_ERR(ch_ns_sync(tmp, 1u << 9, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_statfs(tmp, (struct ns_statfs *)8, 0), ERR_BAD_ADDRESS);
	/* the kernel tree and proc:// keep nothing on a disk */
	EXPECT_ERR(ch_ns_sync(fs, 0, 0), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_ns_statfs(fs, &b, 0), ERR_NOT_SUPPORTED);
	EXPECT_OK(nopen(root, "proc", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &proc));
	EXPECT_ERR(ch_ns_sync(proc, 0, 0), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_ns_statfs(proc, &b, 0), ERR_NOT_SUPPORTED);
	ch_cap_drop(proc);
}

/*
 * A provider that lies (nstest child liar): its answers to NS_OP_STATFS, in order,
 * are LIES of them, then a good one; to NS_OP_SYNC a reply with bytes, a status that
 * is no error code, then 0; to NS_OP_MAP of its one file "f", MAP_LIES of them, then a
 * memory object holding liar_bytes with every right it can give. Everything else:
 * ERR_NOT_SUPPORTED.
 */
enum {
	MAP_LIE_NO_CAP,
	MAP_LIE_ENDPOINT,
	MAP_LIE_NO_MAP_RIGHT,
	MAP_LIE_TWO_CAPS,
	MAP_LIE_ERROR_WITH_CAP,
	MAP_LIE_BYTES_WITH_CAP,
	MAP_LIES
};
static const char liar_bytes[] = "what the liar maps";

/* What the liar answers its map call number n with: the reply and its handles. */
static unsigned liar_map(unsigned n, struct ns_rep *rep, handle_t h[2])
{
	handle_t pool = ch_handle("pool"), mem = HANDLE_INVALID, ends[2];
	struct mem_fill fill = {.len = sizeof(liar_bytes), .src = (uint64_t)(uintptr_t)liar_bytes};
	if (ch_mem_create_filled(pool, 4096, &fill, &mem) < 0)
		return 0;
	rep->status = 0;
	h[0] = mem;
	switch (n) {
	case MAP_LIE_NO_CAP:
		ch_cap_drop(mem);
		return 0;
	case MAP_LIE_ENDPOINT:
		ch_cap_drop(mem);
		if (ch_channel_create(pool, 0, ends) < 0)
			return 0;
		ch_cap_drop(ends[1]);
		h[0] = ends[0];
		return 1;
	case MAP_LIE_NO_MAP_RIGHT:
		ch_cap_derive(mem, RIGHT_READ | RIGHT_TRANSFER | RIGHT_DUPLICATE, 0, &h[0]);
		ch_cap_drop(mem);
		return 1;
	case MAP_LIE_TWO_CAPS:
		ch_cap_duplicate(mem, &h[1]);
		return 2;
	case MAP_LIE_ERROR_WITH_CAP:
		rep->status = ERR_ACCESS_DENIED;
		return 1;
	case MAP_LIE_BYTES_WITH_CAP:
		rep->len = 8;
		return 1;
	default:
		return 1;
	}
}

enum {
	LIE_OVERSIZED,
	LIE_SHORT,
	LIE_FREE_ABOVE_TOTAL,
	LIE_TYPE_UNTERMINATED,
	LIE_BSIZE,
	LIE_AVAIL_ABOVE_FREE,
	LIE_FLAGS,
	LIE_NAMEMAX,
	LIES
};

static const struct ns_statfs liar_good = {.bsize = 512,
                                           .namemax = 100,
                                           .blocks = 1000,
                                           .bfree = 10,
                                           .bavail = 5,
                                           .files = 7,
                                           .ffree = 7,
                                           .type = "liarfs"};

static int child_liar(void)
{
	handle_t ep = ch_handle("provider");
	static uint8_t req[NS_MSG_MAX];
	struct {
		struct ns_rep rep;
		union {
			struct ns_statfs st;
			uint8_t more[sizeof(struct ns_statfs) + 64];
		} u;
	} out;
	unsigned statfs_calls = 0, sync_calls = 0, map_calls = 0;
	for (;;) {
		handle_t h[2] = {HANDLE_INVALID, HANDLE_INVALID};
		unsigned nh = 0;
		struct kbus_buf b = {.data = req, .capacity = sizeof(req)};
		long r = ch_kbus_recv(ep, &b, 0, LONG);
		if (r < 0)
			return r == ERR_PEER_CLOSED ? 0 : 21;
		if (!(b.flags & KBUS_MSG_CALL) || b.len < sizeof(struct ns_req))
			continue;
		const struct ns_req *q = (const struct ns_req *)req;
		memset(&out, 0, sizeof(out));
		out.rep.status = ERR_NOT_SUPPORTED;
		if (q->op == NS_OP_STATFS) {
			unsigned lie = statfs_calls++;
			out.rep.status = 0;
			out.u.st = liar_good;
			out.rep.len = sizeof(out.u.st);
			switch (lie) {
			case LIE_OVERSIZED:
				out.rep.len = sizeof(out.u.more);
				break;
			case LIE_SHORT:
				out.rep.len = sizeof(out.u.st) - 8;
				break;
			case LIE_FREE_ABOVE_TOTAL:
				out.u.st.bfree = out.u.st.blocks + 1;
				break;
			case LIE_TYPE_UNTERMINATED:
				memset(out.u.st.type, 'a', sizeof(out.u.st.type));
				break;
			case LIE_BSIZE:
				out.u.st.bsize = 1000;
				break;
			case LIE_AVAIL_ABOVE_FREE:
				out.u.st.bavail = out.u.st.bfree + 1;
				break;
			case LIE_FLAGS:
				out.u.st.flags = 1u << 30;
				break;
			case LIE_NAMEMAX:
				out.u.st.namemax = NS_NAME_MAX + 1;
				break;
			default:
				break;
			}
		} else if (q->op == NS_OP_WALK) { /* its root and file "f": held for nothing */
			bool f = q->len1 == 1 && req[sizeof(*q)] == 'f';
			out.rep.status = q->len1 && !f ? ERR_NOT_FOUND : NS_WALK_NODE;
			out.rep.type = f ? NS_TYPE_FILE : NS_TYPE_DIR;
			out.rep.node = f ? 2 : q->node;
			out.rep.arg = f;
		} else if (q->op == NS_OP_MAP && q->node == 2) {
			nh = liar_map(map_calls++, &out.rep, h);
		} else if (q->op == NS_OP_SYNC) {
			unsigned n = sync_calls++;
			out.rep.status = n == 1 ? -1000 : 0;
			out.rep.len = n == 0 ? 16 : 0;
		}
		struct kbus_msg m = {.data = &out,
		                     .len = (uint32_t)(sizeof(out.rep) + out.rep.len),
		                     .handles = h,
		                     .nhandles = nh};
		if (ch_kbus_reply(ep, &m) < 0)
			for (unsigned i = 0; i < nh; i++)
				ch_cap_drop(h[i]);
	}
}

static void test_statfs_hostile(void)
{
	handle_t liar;
	struct ch_child c;
	EXPECT_OK(serve_child("liar", "liar", &c));
	EXPECT_OK(nopen(fs, "liar", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &liar));
	struct ns_statfs st;
	for (int i = 0; i < LIES; i++) {
		memset(&st, 0x5a, sizeof(st));
		long r = ch_ns_statfs(liar, &st, LONG);
		CHECK(r == ERR_MALFORMED, "lie %d: %s", i, ch_error_name(r));
		CHECK(st.bsize == 0x5a5a5a5a, "lie %d reached the caller", i);
	}
	EXPECT_OK(ch_ns_statfs(liar, &st, LONG));
	CHECK(!memcmp(&st, &liar_good, sizeof(st)), "the good answer came back changed");
	EXPECT_ERR(ch_ns_sync(liar, 0, LONG), ERR_MALFORMED); /* a reply with bytes */
	EXPECT_ERR(ch_ns_sync(liar, 0, LONG), ERR_MALFORMED); /* a status that is no error */
	EXPECT_OK(ch_ns_sync(liar, 0, LONG));
	ch_cap_drop(liar);
	EXPECT_OK(ch_ns_unlink(fs, "liar", 4, 0, 0)); /* the kernel lets go: the liar ends */
	struct proc_status ps;
	EXPECT_OK(ch_proc_wait(c.process, LONG, &ps));
	CHECK(ps.state == PROC_EXITED && ps.code == 0, "liar: state %u code %lld", ps.state,
	      (long long)ps.code);
	ch_child_release(&c);
}

/*
 * SYS_NS_MAP: its arguments and rights, a provider that maps nothing (tmpfs), and the
 * liar's answers: every lie is ERR_MALFORMED (or the error it said) and leaves no
 * handle with us.
 */
static void test_map_hostile(void)
{
	handle_t t, mem = HANDLE_INVALID, ro;
	EXPECT_OK(write_file(tmp, "map.txt", "not mappable"));
	EXPECT_OK(nopen(tmp, "map.txt", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &t));
	EXPECT_ERR(ch_ns_map(t, RIGHT_READ, &mem, NULL, 0), ERR_NOT_SUPPORTED);
	EXPECT_ERR(ch_ns_map(t, RIGHT_MANAGE, &mem, NULL, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_map(t, RIGHT_READ | RIGHT_MAP, &mem, NULL, 0), ERR_INVALID_ARGS);
	EXPECT_ERR(ch_ns_map(t, RIGHT_READ, (handle_t *)8, NULL, 0), ERR_BAD_ADDRESS);
	EXPECT_ERR(ch_ns_map(tmp, RIGHT_READ, &mem, NULL, 0), ERR_WRONG_TYPE);
	EXPECT_OK(ch_cap_derive(t, RIGHT_READ | RIGHT_INSPECT, 0, &ro));
	EXPECT_ERR(ch_ns_map(ro, RIGHT_READ | RIGHT_WRITE, &mem, NULL, 0), ERR_ACCESS_DENIED);
	EXPECT_ERR(ch_ns_map(ro, RIGHT_EXEC, &mem, NULL, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(ro);
	EXPECT_OK(ch_cap_derive(t, RIGHT_WRITE | RIGHT_INSPECT, 0, &ro));
	EXPECT_ERR(ch_ns_map(ro, RIGHT_READ, &mem, NULL, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(ro);
	CHECK(mem == HANDLE_INVALID, "a refused map gave a handle");
	ch_cap_drop(t);
	handle_t liar, f;
	struct ch_child c;
	EXPECT_OK(serve_child("liarmap", "liar", &c));
	EXPECT_OK(nopen(fs, "liarmap", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &liar));
	/* SYS_NS_MAP: every lie is ERR_MALFORMED (or the error it said), nothing reaches us */
	EXPECT_OK(nopen(liar, "f", NS_TYPE_FILE, 0, NS_RIGHTS_SAME, &f));
	for (int i = 0; i < MAP_LIES; i++) {
		long r = ch_ns_map(f, RIGHT_READ, &mem, NULL, LONG);
		long want = i == MAP_LIE_ERROR_WITH_CAP ? ERR_ACCESS_DENIED : ERR_MALFORMED;
		CHECK(r == want, "map lie %d: %s", i, ch_error_name(r));
		CHECK(mem == HANDLE_INVALID, "map lie %d gave a handle", i);
	}
	/* the good answer: the provider's rights cut to what was asked (never WRITE or
	 * MANAGE), its bytes seen through a mapping */
	uint64_t size = 0;
	EXPECT_OK(ch_ns_map(f, RIGHT_READ, &mem, &size, LONG));
	struct cap_info ci = {0};
	EXPECT_OK(ch_cap_inspect(mem, &ci));
	CHECK(ci.type == OBJ_MEMORY && ci.rights == (RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT |
	                                             RIGHT_DUPLICATE | RIGHT_TRANSFER),
	      "mapped: type %u rights %#llx", ci.type, (unsigned long long)ci.rights);
	CHECK(size == 4096, "size %llu", (unsigned long long)size);
	handle_t as = ch_handle("self.as");
	uint64_t va = ch_va_reserve(4096);
	EXPECT_ERR(ch_as_map(as, va, mem, 0, 4096, PROT_READ | PROT_WRITE), ERR_ACCESS_DENIED);
	EXPECT_OK(ch_as_map(as, va, mem, 0, 4096, PROT_READ));
	CHECK(!memcmp((const void *)(uintptr_t)va, liar_bytes, sizeof(liar_bytes)),
	      "the mapping does not show the provider's bytes");
	EXPECT_OK(ch_as_unmap(as, va, 4096));
	ch_cap_drop(mem);
	ch_cap_drop(f);
	ch_cap_drop(liar);
	EXPECT_OK(ch_ns_unlink(fs, "liarmap", 7, 0, 0));
	struct proc_status ps;
	EXPECT_OK(ch_proc_wait(c.process, LONG, &ps));
	ch_child_release(&c);
}

/* proc:// lists live processes by pid, reads their status, and unlinking one kills it. */
static int child_sleeper(void)
{
	ch_sleep_ns(LONG);
	return 0;
}

static void test_proc(void)
{
	handle_t proc, ro, f;
	EXPECT_OK(nopen(root, "proc", NS_TYPE_DIR, 0, NS_RIGHTS_SAME, &proc));
	const char *argv[] = {"bin/nstest", "child", "sleeper", NULL};
	struct ch_spawn_args a = {.path = "bin/nstest", .argv = argv, .child_pool = 1u << 20};
	struct ch_child c;
	EXPECT_OK(ch_spawn(&a, &c));
	struct cap_info ci;
	EXPECT_OK(ch_cap_inspect(c.process, &ci));
	/* find the child's entry: its node id carries the process's object id */
	static char buf[1024];
	char name[16] = "";
	uint64_t cookie = 0;
	unsigned seen = 0;
	long n;
	while ((n = ch_ns_list(proc, &cookie, buf, sizeof(buf), 0)) > 0) {
		for (long off = 0; off < n;) {
			struct ns_dirent *de = (struct ns_dirent *)(buf + off);
			CHECK(de->type == NS_TYPE_PROC, "entry %s has type %u", de->name, de->type);
			if (de->node >> 12 == ci.object_id)
				snprintf(name, sizeof(name), "%s", de->name);
			seen++;
			off += de->reclen;
		}
	}
	EXPECT_OK(n);
	CHECK(name[0] && seen >= 3, "the child is not listed (%u entries)", seen);
	EXPECT_OK(nopen(proc, name, NS_TYPE_PROC, 0, RIGHT_READ, &f));
	char status[256] = {0};
	EXPECT_OK(ch_ns_read(f, 0, status, sizeof(status) - 1, 0));
	CHECK(strstr(status, "name nstest\n") && strstr(status, "state running\n"), "status: %s",
	      status);
	/* a started process still counts what it holds (its grants at least) */
	const char *caps = strstr(status, "\ncapabilities ");
	CHECK(caps && atoi(caps + 14) > 0, "capabilities of a running process: %s", status);
	EXPECT_ERR(nopen(proc, name, NS_TYPE_DIR, 0, RIGHT_READ, &f), ERR_WRONG_TYPE);
	EXPECT_ERR(nopen(proc, "0", NS_TYPE_ANY, 0, RIGHT_READ, &f), ERR_NOT_FOUND);
	EXPECT_ERR(nopen(proc, "99999", NS_TYPE_ANY, 0, RIGHT_READ, &f), ERR_NOT_FOUND);
	/* killing needs REMOVE on proc */
	EXPECT_OK(ch_cap_derive(proc, RIGHT_LOOKUP | RIGHT_READ | RIGHT_ENUMERATE, 0, &ro));
	EXPECT_ERR(ch_ns_unlink(ro, name, strlen(name), 0, 0), ERR_ACCESS_DENIED);
	ch_cap_drop(ro);
	EXPECT_OK(ch_ns_unlink(proc, name, strlen(name), 0, 0));
	struct proc_status st;
	EXPECT_OK(ch_proc_wait(c.process, LONG, &st));
	CHECK(st.state == PROC_KILLED, "unlinked child: state %u", st.state);
	memset(status, 0, sizeof(status));
	EXPECT_OK(ch_ns_read(f, 0, status, sizeof(status) - 1, 0));
	CHECK(strstr(status, "state killed\n"), "status after the kill: %s", status);
	ch_child_release(&c); /* the process goes: its capability names nothing now */
	EXPECT_ERR(ch_ns_read(f, 0, status, sizeof(status) - 1, 0), ERR_NOT_FOUND);
	EXPECT_ERR(nopen(proc, name, NS_TYPE_ANY, 0, RIGHT_READ, &ro), ERR_NOT_FOUND);
	ch_cap_drop(f);
	ch_cap_drop(proc);
}

static void test_stat_mode_owner(void)
{
	nstest_stat_mode_owner(root, tmp);
}

static void test_setattr(void)
{
	nstest_setattr(root, tmp);
}

static void run_all(void)
{
	ch_test_run("ns_", "basic_file", test_basic_file);
	ch_test_run("ns_", "dirs_and_listing", test_dirs_and_listing);
	ch_test_run("ns_", "rename_and_links", test_rename_and_links);
	ch_test_run("ns_", "rights", test_rights);
	ch_test_run("ns_", "sandbox_escapes", test_sandbox_escapes);
	ch_test_run("ns_", "child_view", test_child_view);
	ch_test_run("ns_", "hostile_args", test_hostile_args);
	ch_test_run("ns_", "provider_failures", test_provider_failures);
	ch_test_run("ns_", "services", test_services);
	ch_test_run("ns_", "lookup_no_leak", test_lookup_no_leak);
	ch_test_run("ns_", "watch", test_watch);
	ch_test_run("ns_", "bind_node", test_bind_node);
	ch_test_run("ns_", "dev_entries", test_dev_entries);
	ch_test_run("ns_", "bind_in_provider", test_bind_in_provider);
	ch_test_run("ns_", "provider_dies_mid_call", test_provider_dies_mid_call);
	ch_test_run("ns_", "proc", test_proc);
	ch_test_run("ns_", "sync_statfs", test_sync_statfs);
	ch_test_run("ns_", "statfs_hostile", test_statfs_hostile);
	ch_test_run("ns_", "map_hostile", test_map_hostile);
	ch_test_run("ns_", "stat_mode_owner", test_stat_mode_owner);
	ch_test_run("ns_", "setattr", test_setattr);
	nstest_libc_tests(tmp);
}

/* "nstest lookups <n>": the lookup leak test alone, with n lookups (etc/testnslookup.manifest) */
static void run_lookups(void)
{
	ch_test_run("ns_", "lookup_no_leak", test_lookup_no_leak);
}

int main(int argc, char **argv)
{
	bool only_lookups = argc >= 3 && strcmp(argv[1], "lookups") == 0;
	if (only_lookups)
		nstest_set_lookups(strtol(argv[2], NULL, 0));
	if (argc >= 3 && strcmp(argv[1], "child") == 0)
		return strcmp(argv[2], "sandboxed") == 0   ? child_sandboxed()
		       : strcmp(argv[2], "crashprov") == 0 ? child_crashprov()
		       : strcmp(argv[2], "sleeper") == 0   ? child_sleeper()
		       : strcmp(argv[2], "liar") == 0      ? child_liar()
		                                           : 100;
	root = ch_handle("ns");
	pool = ch_handle("pool");
	struct ns_open_args a = {.type = NS_TYPE_DIR, .rights = NS_RIGHTS_SAME};
	long r = root == HANDLE_INVALID ? ERR_BAD_HANDLE : ch_ns_open(root, "fs", 2, &a, &fs);
	/* fs:///tmp as Exec serves it at boot (the manifests: bin/tmpfs serve:fs/tmp) */
	if (r >= 0 && ch_ns_open(fs, "tmp", 3, &a, &tmp) < 0) {
		printf("VMTEST FAIL ns_boot_tmp: fs:///tmp is not served\n");
		if ((r = nstest_start_tmpfs(fs, "tmp", &tmpfs_child)) >= 0)
			r = ch_ns_open(fs, "tmp", 3, &a, &tmp);
	}
	if (r < 0) {
		printf("VMTEST FAIL ns_setup: %s\n", ch_error_name(r));
		return 1;
	}
	int failed = ch_test_main(only_lookups ? run_lookups : run_all);
	if (tmpfs_child.process) {
		ch_proc_kill(tmpfs_child.process);
		ch_child_release(&tmpfs_child);
	}
	return failed;
}
