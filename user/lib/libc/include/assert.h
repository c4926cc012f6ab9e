/*
 * assert.h - assert() reports the failed expression on stderr and aborts; compiled out
 * under NDEBUG. Unlike the other headers this one may be included more than once, so
 * that NDEBUG can change in between (ISO C).
 */
#undef assert

#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#ifndef __ASSERT_FAIL_DECLARED
#define __ASSERT_FAIL_DECLARED
/* Print "file:line: func: assertion `expr' failed" on stderr and abort(). */
void __assert_fail(const char *expr, const char *file, int line, const char *func)
    __attribute__((noreturn));
#endif

#ifndef __cplusplus
#define static_assert _Static_assert
#endif
