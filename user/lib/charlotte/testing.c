/*
 * testing.c - see testing.h.
 */
#include <charlotte/testing.h>

#include <stdarg.h>
#include <stdio.h>

static char reason[240], na_reason[120];
static int failed, any_failed, na, planning;

void ch_test_fail(const char *fmt, ...)
{
	va_list ap;

	if (failed)
		return;
	failed = 1;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
}

int ch_test_failed(void)
{
	return failed;
}

void ch_test_not_applicable(const char *fmt, ...)
{
	va_list ap;

	na = 1;
	va_start(ap, fmt);
	vsnprintf(na_reason, sizeof(na_reason), fmt, ap);
	va_end(ap);
}

void ch_test_run(const char *prefix, const char *name, void (*fn)(void))
{
	if (planning) {
		printf("VMTEST PLAN %s%s\n", prefix, name);
		return;
	}
	failed = 0;
	na = 0;
	reason[0] = '\0';
	printf("VMTEST RUN %s%s\n", prefix, name); /* a crash or hang in it is named */
	fn();
	if (failed) {
		any_failed = 1;
		printf("VMTEST FAIL %s%s: %s\n", prefix, name, reason);
	} else if (na) {
		printf("VMTEST NA %s%s: %s\n", prefix, name, na_reason);
	} else {
		printf("VMTEST PASS %s%s\n", prefix, name);
	}
}

int ch_test_any_failed(void)
{
	return any_failed;
}

int ch_test_planning(void)
{
	return planning;
}

int ch_test_main(void (*run_all)(void))
{
	planning = 1;
	run_all();
	planning = 0;
	run_all();
	return ch_test_any_failed();
}
