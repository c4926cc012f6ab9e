/*
 * libc_cl.h - the user-space libc as test_libc and test_libc_stdlib see it.
 *
 * test_libc.mk builds user/lib/libc freestanding and renames every symbol it defines to
 * cl_<name> (and the hooks and main it uses), so it can sit next to the host's C library.
 * These are its declarations under those names (they match user/lib/libc/include), and
 * the state of the fake system that libc_hooks.c provides.
 */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/handle.h>
#include <abi/ns.h>
#include <abi/term.h>

/* ---- the libc under test ---- */

struct cl_malloc_stats {
	size_t from_system, in_use, free_chunks, largest_free, regions;
};
struct cl_timespec {
	long long tv_sec;
	long tv_nsec;
};

extern int cl_errno;
extern char **cl_environ;
extern void *cl_stdout, *cl_stderr;

void *cl_memcpy(void *dst, const void *src, size_t n);
void *cl_memmove(void *dst, const void *src, size_t n);
void *cl_memset(void *dst, int c, size_t n);
int cl_memcmp(const void *a, const void *b, size_t n);
void *cl_memchr(const void *s, int c, size_t n);
void *cl_memrchr(const void *s, int c, size_t n);
size_t cl_strlen(const char *s);
size_t cl_strnlen(const char *s, size_t max);
int cl_strcmp(const char *a, const char *b);
int cl_strncmp(const char *a, const char *b, size_t n);
char *cl_strcpy(char *dst, const char *src);
char *cl_strncpy(char *dst, const char *src, size_t n);
char *cl_strcat(char *dst, const char *src);
char *cl_strncat(char *dst, const char *src, size_t n);
size_t cl_strlcpy(char *dst, const char *src, size_t size);
size_t cl_strlcat(char *dst, const char *src, size_t size);
char *cl_strchr(const char *s, int c);
char *cl_strrchr(const char *s, int c);
char *cl_strstr(const char *h, const char *n);
size_t cl_strspn(const char *s, const char *a);
size_t cl_strcspn(const char *s, const char *r);
char *cl_strpbrk(const char *s, const char *a);
char *cl_strtok(char *s, const char *d);
char *cl_strtok_r(char *s, const char *d, char **save);
char *cl_strdup(const char *s);
char *cl_strndup(const char *s, size_t n);
char *cl_strerror(int err);
int cl_strcasecmp(const char *a, const char *b);
int cl_strncasecmp(const char *a, const char *b, size_t n);

int cl_isalnum(int c), cl_isalpha(int c), cl_isblank(int c), cl_iscntrl(int c);
int cl_isdigit(int c), cl_isgraph(int c), cl_islower(int c), cl_isprint(int c);
int cl_ispunct(int c), cl_isspace(int c), cl_isupper(int c), cl_isxdigit(int c);
int cl_tolower(int c), cl_toupper(int c);

void *cl_malloc(size_t size);
void cl_free(void *p);
void *cl_calloc(size_t n, size_t size);
void *cl_realloc(void *p, size_t size);
void *cl_aligned_alloc(size_t align, size_t size);
int cl_posix_memalign(void **out, size_t align, size_t size);
size_t cl_malloc_usable_size(void *p);
void cl_malloc_get_stats(struct cl_malloc_stats *out);

long cl_strtol(const char *s, char **end, int base);
unsigned long cl_strtoul(const char *s, char **end, int base);
long long cl_strtoll(const char *s, char **end, int base);
unsigned long long cl_strtoull(const char *s, char **end, int base);
int cl_atoi(const char *s);
long cl_atol(const char *s);
int cl_abs(int x);
long cl_labs(long x);
long long cl_llabs(long long x);
void cl_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *cl_bsearch(const void *key, const void *base, size_t n, size_t size,
                 int (*cmp)(const void *, const void *));
int cl_rand(void);
void cl_srand(unsigned seed);
char *cl_getenv(const char *name);
int cl_setenv(const char *name, const char *value, int overwrite);
int cl_unsetenv(const char *name);
int cl_atexit(void (*fn)(void));
void cl_exit(int status);
void cl_abort(void);
void cl___assert_fail(const char *e, const char *f, int line, const char *fn);
void cl___libc_start(int argc, char **argv, char **envp);

int cl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cl_fprintf(void *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cl_sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cl_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int cl_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int cl_fputc(int c, void *f);
int cl_putchar(int c);
int cl_fputs(const char *s, void *f);
int cl_puts(const char *s);
size_t cl_fwrite(const void *p, size_t size, size_t n, void *f);
int cl_fflush(void *f);
int cl_setvbuf(void *f, char *buf, int mode, size_t size);
int cl_ferror(void *f);
void cl_clearerr(void *f);

/* files (fd.c, path.c, dirent.c, stdio.c); struct stat and dirent as the libc lays them out */
struct cl_stat {
	unsigned long long st_dev, st_ino;
	unsigned int st_mode, st_nlink;
	unsigned int st_uid, st_gid;
	long long st_size;
	struct cl_timespec st_atim, st_mtim, st_ctim;
};
struct cl_dirent {
	unsigned long long d_ino;
	unsigned char d_type;
	char d_name[256];
};
int cl_open(const char *path, int flags, ...);
long cl_read(int fd, void *buf, size_t n);
long cl_write(int fd, const void *buf, size_t n);
long long cl_lseek(int fd, long long off, int whence);
int cl_close(int fd);
int cl_ftruncate(int fd, long long size);
int cl_fstat(int fd, struct cl_stat *st);
int cl_stat(const char *path, struct cl_stat *st);
int cl_lstat(const char *path, struct cl_stat *st);
int cl_mkdir(const char *path, unsigned mode);
int cl_unlink(const char *path);
int cl_rmdir(const char *path);
int cl_rename(const char *from, const char *to);
int cl_chdir(const char *path);
int cl_chmod(const char *path, unsigned mode);
int cl_fchmod(int fd, unsigned mode);
int cl_chown(const char *path, unsigned uid, unsigned gid);
int cl_fchown(int fd, unsigned uid, unsigned gid);
int cl_lchown(const char *path, unsigned uid, unsigned gid);
int cl_utimensat(int dirfd, const char *path, const struct cl_timespec times[2], int flags);
int cl_futimens(int fd, const struct cl_timespec times[2]);
struct cl_utimbuf {
	long long actime, modtime;
};
int cl_utime(const char *path, const struct cl_utimbuf *times);
struct cl_timeval {
	long long tv_sec;
	long tv_usec;
};
int cl_utimes(const char *path, const struct cl_timeval times[2]);
int cl_gettimeofday(struct cl_timeval *tv, void *tz);
char *cl_getcwd(char *buf, size_t size);
void *cl_opendir(const char *path);
struct cl_dirent *cl_readdir(void *dir);
int cl_closedir(void *dir);
void *cl_fopen(const char *path, const char *mode);
int cl_fclose(void *f);
int cl_fgetc(void *f);
char *cl_fgets(char *s, int n, void *f);
size_t cl_fread(void *p, size_t size, size_t n, void *f);
int cl_fseek(void *f, long off, int whence);
long cl_ftell(void *f);
int cl_feof(void *f);
int cl___libc_fopen_flags(const char *mode);
int cl___libc_errno_of(long err, int on_path);

int cl_clock_gettime(int clock, struct cl_timespec *ts);
int cl_clock_settime(int clock, const struct cl_timespec *ts);
int cl_settimeofday(const struct cl_timeval *tv, const void *tz);
long long cl_time(long long *t);

/* pthread.h and semaphore.h (their layouts, as there) */
typedef struct cl_pthread *cl_pthread_t;
typedef struct {
	size_t stacksize;
	int detachstate;
} cl_pthread_attr_t;
typedef struct {
	volatile uint32_t state;
} cl_pthread_mutex_t;
typedef struct {
	volatile uint32_t seq;
	int clock;
} cl_pthread_cond_t;
typedef struct {
	volatile uint32_t state;
} cl_pthread_once_t;
typedef struct {
	volatile uint32_t value, waiters;
} cl_sem_t;
#define CL_PTHREAD_CREATE_DETACHED 1
int cl_pthread_create(cl_pthread_t *t, const cl_pthread_attr_t *attr, void *(*fn)(void *),
                      void *arg);
int cl_pthread_join(cl_pthread_t t, void **ret);
int cl_pthread_detach(cl_pthread_t t);
cl_pthread_t cl_pthread_self(void);
void cl_pthread_exit(void *ret) __attribute__((noreturn));
int cl_pthread_attr_init(cl_pthread_attr_t *attr);
int cl_pthread_attr_setdetachstate(cl_pthread_attr_t *attr, int state);
int cl_pthread_attr_setstacksize(cl_pthread_attr_t *attr, size_t size);
int cl_pthread_mutex_init(cl_pthread_mutex_t *m, const void *attr);
int cl_pthread_mutex_destroy(cl_pthread_mutex_t *m);
int cl_pthread_mutex_lock(cl_pthread_mutex_t *m);
int cl_pthread_mutex_trylock(cl_pthread_mutex_t *m);
int cl_pthread_mutex_unlock(cl_pthread_mutex_t *m);
int cl_pthread_cond_init(cl_pthread_cond_t *c, const void *attr);
int cl_pthread_cond_wait(cl_pthread_cond_t *c, cl_pthread_mutex_t *m);
int cl_pthread_cond_timedwait(cl_pthread_cond_t *c, cl_pthread_mutex_t *m,
                              const struct cl_timespec *abstime);
int cl_pthread_cond_signal(cl_pthread_cond_t *c);
int cl_pthread_cond_broadcast(cl_pthread_cond_t *c);
int cl_pthread_once(cl_pthread_once_t *once, void (*fn)(void));
int cl_sem_init(cl_sem_t *s, int pshared, unsigned value);
int cl_sem_wait(cl_sem_t *s);
int cl_sem_trywait(cl_sem_t *s);
int cl_sem_timedwait(cl_sem_t *s, const struct cl_timespec *abstime);
int cl_sem_post(cl_sem_t *s);
int cl_sem_getvalue(cl_sem_t *s, int *value);

/* ---- the hooks' side (libc_hooks.c) ---- */

#define ARENA_SIZE (64u << 20)
extern unsigned char cl_test_arena[ARENA_SIZE]; /* what __libc_morecore hands out */
extern size_t cl_test_arena_used, cl_test_arena_limit; /* lower the limit to run out */
extern unsigned cl_test_morecore_calls;

extern char cl_test_captured[2][1 << 16]; /* [0] stdout, [1] stderr */
extern size_t cl_test_captured_len[2];
extern unsigned cl_test_write_calls;
extern int cl_test_write_fails; /* while set, __libc_write fails */
void cl_test_capture_reset(void);

extern jmp_buf cl_test_exit_jmp;
extern int cl_test_exit_armed, cl_test_exit_status;

/* Run stmt and expect it to end the process; the status lands in cl_test_exit_status. */
#define EXPECT_EXIT(stmt)                                    \
	do {                                                 \
		cl_test_exit_armed = 1;                      \
		if (!setjmp(cl_test_exit_jmp)) {             \
			stmt;                                \
			fail_msg("did not exit: %s", #stmt); \
		}                                            \
	} while (0)

#define FAKE_REALTIME 1700000000123456789ll /* CLOCK_REALTIME; CLOCK_MONOTONIC is 5.000000042 s */

/* What cl_main (the program's main, run by __libc_start) last saw. */
extern int cl_test_main_argc;
extern char **cl_test_main_argv;

/* A fixed-seed xorshift generator, so failures repeat. */
uint64_t cl_test_rnd(void);

/* The fake namespace (libc_ns_fake.c): what the hooks saw, and knobs. */
struct cl_fake_ns {
	unsigned opens, reads, writes, lists, stat_ats;
	unsigned long max_io; /* the largest read or write asked for */
	unsigned long write_max; /* when set, each write stores at most this much */
	unsigned list_max; /* when set, each list returns at most this many entries */
	long fail_open, fail_write, fail_rename; /* when set, these fail with it */
	handle_t last_dir; /* of the last open or stat_at */
	uint64_t last_rights; /* of the last open */
	unsigned setattrs;
	struct ns_setattr last_setattr;
	char last_path[NS_PATH_MAX + 2];
};
extern struct cl_fake_ns cl_fake;
void cl_fake_ns_reset(void); /* an empty fs root, counters and knobs at 0 */
int cl_fake_ns_open_handles(void);

long cl___libc_ns_parse(const char *s, unsigned long len, char *scheme, char *path);
handle_t cl___libc_ns_root(const char *scheme);
long cl___libc_ns_open(handle_t dir, const char *path, unsigned long len, uint32_t type,
                       uint32_t flags, uint64_t rights, handle_t *out);
long cl___libc_ns_close(handle_t h);
long cl___libc_ns_stat(handle_t h, struct ns_stat *out);
long cl___libc_ns_stat_at(handle_t dir, const char *path, unsigned long len, struct ns_stat *out);
long cl___libc_ns_list(handle_t dir, uint64_t *cookie, void *buf, unsigned long cap);
long cl___libc_ns_read(handle_t file, uint64_t off, void *buf, unsigned long len);
long cl___libc_ns_write(handle_t file, uint64_t off, const void *buf, unsigned long len);
long cl___libc_ns_truncate(handle_t file, uint64_t size);
long cl___libc_ns_setattr(handle_t node, const struct ns_setattr *sa);
long cl___libc_ns_unlink(handle_t dir, const char *path, unsigned long len, uint32_t flags);
long cl___libc_ns_rename(handle_t dir, const char *path, unsigned long len, handle_t dir2,
                         const char *path2, unsigned long len2);

/* sys/mman.h, and its hooks over the host's mmap (libc_mem_fake.c). */
void *cl_mmap(void *addr, size_t len, int prot, int flags, int fd, long long off);
int cl_munmap(void *addr, size_t len);
int cl_mprotect(void *addr, size_t len, int prot);
int cl_msync(void *addr, size_t len, int flags);
long cl___libc_map(handle_t file, uint64_t addr, uint64_t len, uint64_t off, int prot, int shared,
                   uint64_t *out);
long cl___libc_unmap(uint64_t addr, uint64_t len);
long cl___libc_protect(uint64_t addr, uint64_t len, int prot);
struct cl_fake_mem {
	unsigned maps, unmaps, protects; /* hook calls */
	int last_shared, last_prot; /* the last __libc_map's */
	handle_t last_file;
	long fail; /* when set, __libc_map fails with it */
};
extern struct cl_fake_mem cl_fake_mem;

/* The fake bus (libc_stream_fake.c): streams, pipes and terminals. */
#define FAKE_STREAM_BASE 0x4000u /* its handles; the namespace's are below */
struct cl_fake_stream {
	handle_t std[3]; /* what __libc_handle gives for stdin, stdout, stderr */
	unsigned sends, closes, calls_refused, term_flushes;
	unsigned long max_msg; /* the largest message sent */
	uint32_t term_mode; /* a terminal's mode (TERM_MODE_*; 7 after a reset) */
	long term_fail, fail_pipe; /* when set, __libc_term / __libc_pipe fail with it */
};
extern struct cl_fake_stream cl_fake_stream;
void cl_fake_stream_reset(void);
/* A channel of kind: out[0], out[1]. */
long cl_fake_stream_channel(uint32_t kind, handle_t out[2]);
/* Queue a message (a call if call) from endpoint from to its peer. */
long cl_fake_stream_push(handle_t from, const void *data, size_t len, int call);
/* Take the oldest message queued at h (the test side of a stream). */
long cl_fake_stream_pop(handle_t h, void *buf, size_t cap);
unsigned cl_fake_stream_queued(handle_t h);
long cl_fake_stream_close(handle_t h);

/* The hooks and main, as libc_hooks.c defines them for the renamed libc. */
long cl___libc_write(int fd, const void *buf, unsigned long len);
void *cl___libc_morecore(unsigned long bytes);
void cl___libc_exit(int status) __attribute__((noreturn));
long long cl___libc_clock_ns(int clock);
long cl___libc_clock_set(long long ns);
extern long long cl_test_clock_set_ns;
int cl_main(int argc, char **argv, char **envp);
