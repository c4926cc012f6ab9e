/*
 * stdlib.h - memory allocation (malloc.c), number parsing, sorting, random numbers,
 * environment and process exit (stdlib.c, env.c, exit.c).
 */
#pragma once

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

/* Allocation: NULL with errno ENOMEM when memory runs out; free(NULL) does nothing. */
void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t n, size_t size);
void *realloc(void *ptr, size_t size);
void *aligned_alloc(size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size);
size_t malloc_usable_size(void *ptr);

/* Counters of the allocator, for tests and diagnostics (not standard). */
struct malloc_stats {
	size_t from_system; /* bytes obtained through __libc_morecore */
	size_t in_use; /* bytes in allocated chunks, headers included */
	size_t free_chunks; /* chunks on the free lists */
	size_t largest_free; /* the biggest free chunk, header included */
	size_t regions; /* separate regions obtained from the system */
};
void malloc_get_stats(struct malloc_stats *out);

long strtol(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);

int abs(int x);
long labs(long x);
long long llabs(long long x);

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *));

int rand(void);
void srand(unsigned seed);

/* The environment: "NAME=value" strings, NULL-terminated; set by __libc_start. */
extern char **environ;
char *getenv(const char *name);
int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);

int atexit(void (*fn)(void));
void exit(int status) __attribute__((noreturn));
void _Exit(int status) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));
