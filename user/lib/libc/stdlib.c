/*
 * stdlib.c - number parsing, integer helpers, sorting, searching, random numbers.
 *
 * All strto* functions share one parser that reads a magnitude into an unsigned long
 * long and reports overflow; each wrapper then clamps to its own type's range and sets
 * errno ERANGE, as ISO C asks. qsort is an introspective quicksort: median-of-three
 * partitioning, insertion sort for short runs, recursion only into the smaller half,
 * and heapsort when the depth gets too large, so no input makes it quadratic or deep.
 */
#include <stdlib.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct parsed {
	unsigned long long mag; /* magnitude, saturated at ULLONG_MAX */
	bool neg;
	bool overflow;
};

static int digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (isalpha(c))
		return tolower(c) - 'a' + 10;
	return 99;
}

/*
 * Parse [space][sign][0x|0]digits in base (0 = from the prefix, or 2..36). Sets *end to
 * the first unused char (s itself if there were no digits). Returns false for a bad base.
 */
static bool parse(const char *s, char **end, int base, struct parsed *out)
{
	const char *p = s;

	*out = (struct parsed){0};
	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)s;
		return false;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		out->neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && tolower((unsigned char)p[1]) == 'x' &&
	    digit_value((unsigned char)p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	const char *digits = p;
	for (int d; (d = digit_value((unsigned char)*p)) < base; p++) {
		if (out->mag > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			out->overflow = true;
		if (!out->overflow)
			out->mag = out->mag * (unsigned)base + (unsigned)d;
	}
	if (p == digits)
		p = s; /* no number: nothing is consumed, not even the sign */
	if (end)
		*end = (char *)p;
	return true;
}

/* Signed result within [min, max]: ERANGE and the nearer bound when it does not fit. */
static long long to_signed(const struct parsed *v, long long min, long long max)
{
	unsigned long long limit = v->neg ? (unsigned long long)max + 1 : (unsigned long long)max;

	if (v->overflow || v->mag > limit) {
		errno = ERANGE;
		return v->neg ? min : max;
	}
	if (v->neg)
		return v->mag == limit ? min : -(long long)v->mag;
	return (long long)v->mag;
}

/* Unsigned result up to max; a minus sign negates modulo max+1, as ISO C says. */
static unsigned long long to_unsigned(const struct parsed *v, unsigned long long max)
{
	if (v->overflow || v->mag > max) {
		errno = ERANGE;
		return max;
	}
	return v->neg ? (0 - v->mag) & max : v->mag;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	struct parsed v;

	if (!parse(s, end, base, &v)) {
		errno = EINVAL;
		return 0;
	}
	return (long)to_signed(&v, LONG_MIN, LONG_MAX);
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	struct parsed v;

	if (!parse(s, end, base, &v)) {
		errno = EINVAL;
		return 0;
	}
	return (unsigned long)to_unsigned(&v, ULONG_MAX);
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	struct parsed v;

	if (!parse(s, end, base, &v)) {
		errno = EINVAL;
		return 0;
	}
	return to_signed(&v, LLONG_MIN, LLONG_MAX);
}

unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
	struct parsed v;

	if (!parse(s, end, base, &v)) {
		errno = EINVAL;
		return 0;
	}
	return to_unsigned(&v, ULLONG_MAX);
}

intmax_t strtoimax(const char *restrict s, char **restrict end, int base)
{
	return strtoll(s, end, base);
}

uintmax_t strtoumax(const char *restrict s, char **restrict end, int base)
{
	return strtoull(s, end, base);
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

long long atoll(const char *s)
{
	return strtoll(s, NULL, 10);
}

int abs(int x)
{
	return x < 0 ? -x : x;
}

long labs(long x)
{
	return x < 0 ? -x : x;
}

long long llabs(long long x)
{
	return x < 0 ? -x : x;
}

typedef int (*cmp_fn)(const void *, const void *);

static void swap(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

static void insertion_sort(char *base, size_t n, size_t size, cmp_fn cmp)
{
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && cmp(base + (j - 1) * size, base + j * size) > 0; j--)
			swap(base + (j - 1) * size, base + j * size, size);
	}
}

static void sift_down(char *base, size_t root, size_t n, size_t size, cmp_fn cmp)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap(base + root * size, base + child * size, size);
	}
}

static void heap_sort(char *base, size_t n, size_t size, cmp_fn cmp)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(base, i, n, size, cmp);
	for (size_t end = n; end-- > 1;) {
		swap(base, base + end * size, size);
		sift_down(base, 0, end, size, cmp);
	}
}

/* Hoare partition around the median of first, middle and last; returns the split. */
static size_t partition(char *base, size_t n, size_t size, cmp_fn cmp)
{
	char *lo = base, *mid = base + (n / 2) * size, *hi = base + (n - 1) * size;

	if (cmp(mid, lo) < 0)
		swap(mid, lo, size);
	if (cmp(hi, mid) < 0) {
		swap(hi, mid, size);
		if (cmp(mid, lo) < 0)
			swap(mid, lo, size);
	}
	swap(lo, mid, size); /* pivot lives at base[0] */
	size_t i = 0, j = n;
	for (;;) {
		do
			i++;
		while (i < n && cmp(base + i * size, base) < 0);
		do
			j--;
		while (cmp(base + j * size, base) > 0);
		if (i >= j)
			break;
		swap(base + i * size, base + j * size, size);
	}
	swap(base, base + j * size, size);
	return j;
}

static void intro_sort(char *base, size_t n, size_t size, cmp_fn cmp, int depth)
{
	while (n > 16) {
		if (depth-- == 0) {
			heap_sort(base, n, size, cmp);
			return;
		}
		size_t p = partition(base, n, size, cmp);
		size_t left = p, right = n - p - 1;
		if (left < right) {
			intro_sort(base, left, size, cmp, depth);
			base += (p + 1) * size;
			n = right;
		} else {
			intro_sort(base + (p + 1) * size, right, size, cmp, depth);
			n = left;
		}
	}
	insertion_sort(base, n, size, cmp);
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	int depth = 0;

	if (n < 2 || !size)
		return;
	for (size_t m = n; m; m >>= 1)
		depth += 2;
	intro_sort(base, n, size, cmp, depth);
}

void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *))
{
	const char *lo = base;

	while (n) {
		const char *mid = lo + (n / 2) * size;
		int r = cmp(key, mid);
		if (r == 0)
			return (void *)mid;
		if (r > 0) {
			lo = mid + size;
			n -= n / 2 + 1;
		} else {
			n /= 2;
		}
	}
	return NULL;
}

static uint64_t rand_state = 1;

/* A 64-bit LCG (Knuth's MMIX constants); rand() returns its top 31 bits. */
int rand(void)
{
	rand_state = rand_state * 6364136223846793005ull + 1442695040888963407ull;
	return (int)(rand_state >> 33);
}

void srand(unsigned seed)
{
	rand_state = seed;
}
