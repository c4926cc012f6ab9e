/*
 * host_support.c - kernel services for host unit tests (see host_support.h).
 *
 * The page allocator keeps every outstanding allocation in a table so that
 * page_free() of an unknown address or with the wrong order fails the test,
 * just as the buddy allocator's ASSERTs would panic in the kernel. Table
 * lookups are linear: fine for the thousands of pages tests use.
 */
#include "host_support.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <lib/log.h>
#include <lib/panic.h>
#include <mm/pmm.h>

jmp_buf host_panic_jmp;
volatile bool host_panic_armed;
char host_panic_msg[512];
bool host_log_quiet = true;

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(host_panic_msg, sizeof(host_panic_msg), fmt, ap);
	va_end(ap);
	if (host_panic_armed) {
		host_panic_armed = false;
		longjmp(host_panic_jmp, 1);
	}
	fail_msg("panic: %s", host_panic_msg);
	abort(); /* fail_msg() returns only outside a running test */
}

void kvlog(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	if (host_log_quiet && level < LOG_WARN)
		return;
	fprintf(stderr, "[%s] ", (unsigned)level < 4 ? names[level] : "?");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvlog(level, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* --- page allocator --- */

struct host_page_block {
	void *va;
	unsigned order;
};

static pthread_mutex_t page_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_page_block *blocks;
static size_t nblocks, cap_blocks;
static uint64_t pages_out;
static uint64_t total_pages = 1u << 20;
static int64_t fail_after = -1;

uint64_t host_pages_outstanding(void)
{
	pthread_mutex_lock(&page_lock);
	uint64_t n = pages_out;
	pthread_mutex_unlock(&page_lock);
	return n;
}

void host_page_alloc_fail_after(int64_t n)
{
	pthread_mutex_lock(&page_lock);
	fail_after = n;
	pthread_mutex_unlock(&page_lock);
}

void host_pmm_set_total_pages(uint64_t pages)
{
	pthread_mutex_lock(&page_lock);
	total_pages = pages;
	pthread_mutex_unlock(&page_lock);
}

void *page_alloc(unsigned order)
{
	if (order > 20)
		return NULL;
	size_t bytes = PAGE_SIZE << order;
	void *va = NULL;

	pthread_mutex_lock(&page_lock);
	if (fail_after == 0 || pages_out + (1u << order) > total_pages)
		goto out;
	if (nblocks == cap_blocks) {
		size_t ncap = cap_blocks ? 2 * cap_blocks : 256;
		struct host_page_block *nb = realloc(blocks, ncap * sizeof(*nb));
		if (!nb)
			goto out;
		blocks = nb;
		cap_blocks = ncap;
	}
	va = aligned_alloc(bytes, bytes);
	if (!va)
		goto out;
	memset(va, 0xa5, bytes); /* like real RAM: never assume zeroed pages */
	blocks[nblocks++] = (struct host_page_block){va, order};
	pages_out += 1u << order;
	if (fail_after > 0)
		fail_after--;
out:
	pthread_mutex_unlock(&page_lock);
	return va;
}

void *page_zalloc(unsigned order)
{
	void *va = page_alloc(order);
	if (va)
		memset(va, 0, PAGE_SIZE << order);
	return va;
}

void page_free(void *va, unsigned order)
{
	pthread_mutex_lock(&page_lock);
	for (size_t i = 0; i < nblocks; i++) {
		if (blocks[i].va != va)
			continue;
		unsigned got = blocks[i].order;
		if (got != order) {
			pthread_mutex_unlock(&page_lock);
			panic("page_free(%p, %u): allocated with order %u", va, order, got);
		}
		blocks[i] = blocks[--nblocks];
		pages_out -= 1u << order;
		pthread_mutex_unlock(&page_lock);
		free(va);
		return;
	}
	pthread_mutex_unlock(&page_lock);
	panic("page_free(%p, %u): not allocated (double free?)", va, order);
}

uint64_t pmm_free_pages(void)
{
	pthread_mutex_lock(&page_lock);
	uint64_t n = total_pages > pages_out ? total_pages - pages_out : 0;
	pthread_mutex_unlock(&page_lock);
	return n;
}

uint64_t pmm_total_pages(void)
{
	pthread_mutex_lock(&page_lock);
	uint64_t n = total_pages;
	pthread_mutex_unlock(&page_lock);
	return n;
}
