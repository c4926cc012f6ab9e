/*
 * leak.c - ns_lookup_no_leak: many lookups leave no memory behind, anywhere.
 *
 * Opens and closes files of fs:///tmp (the boot's bin/tmpfs) over and over, by
 * a path with ".." ("home/ada/../../leak", which the kernel resolves
 * lexically) and by a plain four-name path ("leakdir/a/b/f"), and checks that
 * afterwards nothing grew:
 *   - our own pool's `used` (each open's node object is charged to it);
 *   - the pool use and capability count of every bin/tmpfs (read from
 *     proc:///<pid>): a provider that kept something per hold or per request
 *     would show there;
 *   - the kernel's memory (ch_kmem_info on the machine's pool, which Exec
 *     grants as "kmem" with INSPECT only): kernel heap objects and bytes
 *     must not grow at all; free pages may be fewer by at most
 *     LEAK_PAGE_SLACK, pages the kernel keeps once touched (a slab's page
 *     kept for reuse, a page table of the heap or the stack that stays), which
 *     is far less than a leak of one object per lookup would take
 *     (1,000,000 lookups x >= 16 bytes = 3,900 pages).
 * Every measurement is taken at a quiescent point: after a warm-up of
 * LEAK_WARMUP lookups (so caches are filled and the heaps have grown to what
 * the loop needs) and after a stat of the same file, a call the provider
 * answers only once it has handled every release batch the kernel sent
 * before it (one queue, in order). Both points run the same code, so what the
 * measurement itself allocates (proc:// node objects) is freed again before
 * the figures are read.
 *
 * The count is 20,000 in every configuration, 1,000,000 in tools/run-tests.sh's
 * ns-lookup1M one (etc/testnslookup.manifest: "nstest lookups 1000000").
 */
#include "nstest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>
#include <charlotte/testing.h>

#define LEAK_WARMUP 10000
#define LEAK_PAGE_SLACK 64 /* 256 KiB */
#define LEAK_MAX_PROVIDERS 8 /* bin/tmpfs processes followed */
#define LEAK_PROGRESS 100000 /* a line every so many lookups */

static long lookups = 20000;

void nstest_set_lookups(long n)
{
	lookups = n;
}

struct provider_use {
	unsigned pid;
	uint64_t pool_used, caps;
};

struct leak_figures {
	uint64_t pool_used; /* ours */
	unsigned nprov;
	struct provider_use prov[LEAK_MAX_PROVIDERS];
	bool have_kmem;
	struct kmem_info kmem;
};

static long open_at(handle_t dir, const char *path, uint32_t type, uint32_t flags, handle_t *out)
{
	struct ns_open_args a = {.type = type, .flags = flags, .rights = RIGHT_READ};
	if (flags & NS_OPEN_CREATE)
		a.rights = NS_RIGHTS_SAME;
	return ch_ns_open(dir, path, strlen(path), &a, out);
}

/* The number after "<key> " in a proc:// status text, or -1. */
static long long status_field(const char *text, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ' ')
			return strtoll(p + k + 1, NULL, 10);
	return -1;
}

/* The pool use and capabilities of every process named tmpfs, by pid order of listing. */
static long provider_figures(handle_t root, struct leak_figures *f)
{
	static char list[2048], text[1024];
	handle_t proc, h;
	long r = open_at(root, "proc", NS_TYPE_DIR, 0, &proc);
	if (r < 0)
		return r;
	uint64_t cookie = 0;
	f->nprov = 0;
	while ((r = ch_ns_list(proc, &cookie, list, sizeof(list), 0)) > 0) {
		for (long off = 0; off < r;) {
			const struct ns_dirent *de = (const struct ns_dirent *)(list + off);
			off += de->reclen;
			if (open_at(proc, de->name, NS_TYPE_PROC, 0, &h) < 0)
				continue; /* gone meanwhile */
			long n = ch_ns_read(h, 0, text, sizeof(text) - 1, 0);
			ch_cap_drop(h);
			text[n > 0 ? n : 0] = '\0';
			if (!strstr(text, "\nname tmpfs\n") || f->nprov == LEAK_MAX_PROVIDERS)
				continue;
			f->prov[f->nprov++] = (struct provider_use){
			    (unsigned)status_field(text, "pid"),
			    (uint64_t)status_field(text, "pool_used"),
			    (uint64_t)status_field(text, "capabilities")};
		}
	}
	ch_cap_drop(proc);
	return r;
}

/* Everything at a quiescent point: the provider has caught up (the stat), the
 * proc:// reads are over and their nodes dropped before our pool is read. */
static long measure(handle_t root, handle_t tmp, handle_t pool_root, struct leak_figures *f)
{
	struct ns_stat st;
	long r = ch_ns_stat_at(tmp, "leak", 4, &st, 0);
	if (r >= 0)
		r = provider_figures(root, f);
	f->have_kmem = pool_root != HANDLE_INVALID;
	if (r >= 0 && f->have_kmem)
		r = ch_kmem_info(pool_root, &f->kmem);
	struct pool_info pi;
	if (r >= 0)
		r = ch_pool_info(ch_handle("pool"), &pi);
	f->pool_used = pi.used;
	return r;
}

/* n open+close pairs, alternating the two paths; the first error, or 0. */
static long lookups_run(handle_t tmp, long n, long *at)
{
	static const char *const paths[2] = {"home/ada/../../leak", "leakdir/a/b/f"};
	for (long i = 0; i < n; i++) {
		handle_t h;
		long r = open_at(tmp, paths[i & 1], NS_TYPE_FILE, 0, &h);
		if (r < 0) {
			*at = i;
			return r;
		}
		ch_cap_drop(h);
		if ((i + 1) % LEAK_PROGRESS == 0) /* the harness judges a hang by silence */
			printf("nstest: %ld of %ld lookups\n", i + 1, n);
	}
	return 0;
}

/* The providers of before, each still there with the same use. */
static void compare_providers(const struct leak_figures *b, const struct leak_figures *a)
{
	CHECK(b->nprov > 0, "no bin/tmpfs in proc://");
	CHECK(a->nprov == b->nprov, "%u tmpfs processes before, %u after", b->nprov, a->nprov);
	for (unsigned i = 0; i < b->nprov; i++) {
		const struct provider_use *x = &b->prov[i], *y = &a->prov[i];
		CHECK(x->pid == y->pid, "tmpfs %u before, %u after", x->pid, y->pid);
		CHECK(x->pool_used == y->pool_used && x->caps == y->caps,
		      "tmpfs (pid %u): pool used %llu -> %llu, capabilities %llu -> %llu after %ld "
		      "lookups",
		      x->pid, (unsigned long long)x->pool_used, (unsigned long long)y->pool_used,
		      (unsigned long long)x->caps, (unsigned long long)y->caps, lookups);
	}
}

static void compare_kmem(const struct kmem_info *b, const struct kmem_info *a)
{
	CHECK(a->kheap_objects <= b->kheap_objects && a->kheap_bytes <= b->kheap_bytes,
	      "kernel heap: %llu objects (%llu bytes) before, %llu (%llu) after %ld lookups",
	      (unsigned long long)b->kheap_objects, (unsigned long long)b->kheap_bytes,
	      (unsigned long long)a->kheap_objects, (unsigned long long)a->kheap_bytes, lookups);
	CHECK(a->free_pages + LEAK_PAGE_SLACK >= b->free_pages,
	      "free pages: %llu before, %llu after %ld lookups (at most %u fewer allowed)",
	      (unsigned long long)b->free_pages, (unsigned long long)a->free_pages, lookups,
	      LEAK_PAGE_SLACK);
}

void nstest_lookup_no_leak(handle_t root, handle_t tmp)
{
	handle_t pool_root = ch_handle("kmem"), h;
	static const char *const dirs[] = {"leakdir", "leakdir/a", "leakdir/a/b"};
	for (unsigned i = 0; i < 3; i++) {
		EXPECT_OK(open_at(tmp, dirs[i], NS_TYPE_DIR, NS_OPEN_CREATE, &h));
		ch_cap_drop(h);
	}
	EXPECT_OK(open_at(tmp, "leakdir/a/b/f", NS_TYPE_FILE, NS_OPEN_CREATE, &h));
	ch_cap_drop(h);
	EXPECT_OK(open_at(tmp, "leak", NS_TYPE_FILE, NS_OPEN_CREATE, &h));
	ch_cap_drop(h);
	long at = 0, r;
	static struct leak_figures before, after;
	CHECK((r = lookups_run(tmp, LEAK_WARMUP, &at)) >= 0, "warm-up lookup %ld: %s", at,
	      ch_error_name(r));
	EXPECT_OK(measure(root, tmp, pool_root, &before));
	CHECK((r = lookups_run(tmp, lookups, &at)) >= 0, "lookup %ld: %s", at, ch_error_name(r));
	EXPECT_OK(measure(root, tmp, pool_root, &after));
	CHECK(after.pool_used == before.pool_used, "our pool used %llu before, %llu after %ld lookups",
	      (unsigned long long)before.pool_used, (unsigned long long)after.pool_used, lookups);
	compare_providers(&before, &after);
	if (ch_test_failed())
		return;
	CHECK(before.have_kmem, "no \"kmem\" to read the kernel's memory with");
	compare_kmem(&before.kmem, &after.kmem);
}
