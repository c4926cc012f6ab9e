/*
 * text.c - the pure logic of the text tools (text.h).
 */
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void wc_feed(struct wc_counts *c, const char *p, size_t n)
{
	c->bytes += n;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			c->lines++;
		if (is_space((unsigned char)p[i])) {
			c->in_word = false;
		} else if (!c->in_word) {
			c->in_word = true;
			c->words++;
		}
	}
}

char *text_human_size(uint64_t n, char *out, size_t cap)
{
	static const char units[] = "KMGTPE";
	if (n < 1024) {
		snprintf(out, cap, "%llu", (unsigned long long)n);
		return out;
	}
	unsigned u = 0;
	uint64_t div = 1024;
	while (u + 1 < sizeof(units) - 1 && n / div >= 1024) {
		div *= 1024;
		u++;
	}
	/* rounded up, as du -h does, so that a size is never understated */
	uint64_t q = n / div, r = n % div;
	uint64_t tenths = q * 10 + (r * 10 + div - 1) / div;
	uint64_t whole = q + (r != 0);
	if (tenths < 100)
		snprintf(out, cap, "%llu.%llu%c", (unsigned long long)(tenths / 10),
		         (unsigned long long)(tenths % 10), units[u]);
	else if (whole >= 1024 && u + 1 < sizeof(units) - 1)
		snprintf(out, cap, "1.0%c", units[u + 1]);
	else
		snprintf(out, cap, "%llu%c", (unsigned long long)whole, units[u]);
	return out;
}

/* The leading number of s as a sign, integer digits and fraction digits. */
struct num {
	int sign;
	const char *whole; /* without leading zeros */
	size_t nwhole;
	const char *frac; /* without trailing zeros */
	size_t nfrac;
};

static void parse_num(const char *s, struct num *n)
{
	while (*s == ' ' || *s == '\t')
		s++;
	n->sign = 1;
	if (*s == '-' || *s == '+')
		n->sign = *s++ == '-' ? -1 : 1;
	while (*s == '0')
		s++;
	n->whole = s;
	while (*s >= '0' && *s <= '9')
		s++;
	n->nwhole = (size_t)(s - n->whole);
	n->frac = s;
	n->nfrac = 0;
	if (*s == '.') {
		n->frac = ++s;
		while (*s >= '0' && *s <= '9')
			s++;
		n->nfrac = (size_t)(s - n->frac);
		while (n->nfrac && n->frac[n->nfrac - 1] == '0')
			n->nfrac--;
	}
	if (n->nwhole == 0 && n->nfrac == 0)
		n->sign = 1; /* -0 is 0 */
}

/* Compares the magnitudes. */
static int num_cmp_abs(const struct num *a, const struct num *b)
{
	if (a->nwhole != b->nwhole)
		return a->nwhole < b->nwhole ? -1 : 1;
	int r = memcmp(a->whole, b->whole, a->nwhole);
	if (r)
		return r < 0 ? -1 : 1;
	size_t m = a->nfrac < b->nfrac ? a->nfrac : b->nfrac;
	r = memcmp(a->frac, b->frac, m);
	if (r)
		return r < 0 ? -1 : 1;
	return a->nfrac == b->nfrac ? 0 : a->nfrac < b->nfrac ? -1 : 1;
}

int text_sort_compare(const char *a, const char *b, bool numeric)
{
	if (numeric) {
		struct num na, nb;
		parse_num(a, &na);
		parse_num(b, &nb);
		int r;
		if (na.sign != nb.sign)
			r = na.sign < nb.sign ? -1 : 1;
		else
			r = na.sign * num_cmp_abs(&na, &nb);
		if (r)
			return r;
	}
	int r = strcmp(a, b);
	return r < 0 ? -1 : r > 0;
}

size_t text_split_lines(char *buf, size_t len, char ***out)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\n';
	if (len && buf[len - 1] != '\n')
		n++;
	char **lines = malloc((n ? n : 1) * sizeof(*lines));
	if (!lines)
		return (size_t)-1;
	size_t k = 0;
	char *start = buf;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			buf[i] = '\0';
			lines[k++] = start;
			start = buf + i + 1;
		}
	}
	if (k < n)
		lines[k++] = start;
	*out = lines;
	return n;
}

void text_hexdump_line(char *out, uint64_t off, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int k = snprintf(out, HEXDUMP_LINE_MAX, "%08llx ", (unsigned long long)off);
	char *o = out + k;
	for (size_t i = 0; i < 16; i++) {
		if (i == 8)
			*o++ = ' ';
		*o++ = ' ';
		*o++ = i < n ? hex[p[i] >> 4] : ' ';
		*o++ = i < n ? hex[p[i] & 15] : ' ';
	}
	*o++ = ' ';
	*o++ = ' ';
	*o++ = '|';
	for (size_t i = 0; i < n; i++)
		*o++ = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	*o++ = '|';
	*o = '\0';
}

void text_tree_prefix(char *out, size_t cap, const bool *last, unsigned depth)
{
	size_t k = 0;
	out[0] = '\0';
	for (unsigned i = 1; i <= depth && k + 5 <= cap; i++) {
		const char *s =
		    i < depth ? (last[i] ? "    " : "|   ") : (last[i] ? "`-- " : "|-- ");
		memcpy(out + k, s, 4);
		k += 4;
		out[k] = '\0';
	}
}

void text_columns(const size_t *widths, size_t n, unsigned screen, unsigned *cols, unsigned *colw)
{
	size_t widest = 0;
	for (size_t i = 0; i < n; i++)
		if (widths[i] > widest)
			widest = widths[i];
	*colw = (unsigned)widest + 2;
	*cols = *colw ? screen / *colw : 1;
	if (*cols < 1)
		*cols = 1;
	if (n && *cols > n)
		*cols = (unsigned)n;
}

void text_mode(unsigned mode, char out[10])
{
	static const char rwx[] = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		out[i] = mode & (0400u >> i) ? rwx[i] : '-';
	if (mode & 04000) /* set-user-id: s over x, S without it */
		out[2] = out[2] == 'x' ? 's' : 'S';
	if (mode & 02000)
		out[5] = out[5] == 'x' ? 's' : 'S';
	if (mode & 01000) /* sticky */
		out[8] = out[8] == 'x' ? 't' : 'T';
	out[9] = '\0';
}

void text_ls_long(char *out, size_t cap, char type, const struct text_owner *o, uint64_t nlink,
                  uint64_t size, bool human, const char *name, const char *target)
{
	char sz[24], perms[10];
	if (human)
		text_human_size(size, sz, sizeof(sz));
	else
		snprintf(sz, sizeof(sz), "%llu", (unsigned long long)size);
	text_mode(o->mode, perms);
	snprintf(out, cap, "%c%s %3llu %4u %4u %8s %s%s%s", type, perms, (unsigned long long)nlink,
	         o->uid, o->gid, sz, name, target ? " -> " : "", target ? target : "");
}

/* n decimal digits of *s into *v; advances *s. 0 or -1. */
static int digits(const char **s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (unsigned)(**s - '0');
	}
	return 0;
}

int text_parse_date(const char *s, uint64_t *unix_s)
{
	static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h, mi, sec = 0;
	if (*s == '@') { /* seconds since 1970, as GNU date takes them */
		uint64_t v = 0;
		if (!*++s)
			return -1;
		for (; *s; s++) {
			if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		*unix_s = v;
		return 0;
	}
	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
	    digits(&s, 2, &d))
		return -1;
	if (*s != ' ' && *s != 'T')
		return -1;
	s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
		return -1;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &sec))
			return -1;
	}
	if (!strcmp(s, " UTC") || !strcmp(s, "Z"))
		s += strlen(s);
	if (*s || y < 1970 || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59 || d < 1)
		return -1;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > (unsigned)(mdays[mo - 1] + (mo == 2 && leap)))
		return -1;
	/* days from 1970-01-01: the inverse of text_date's era arithmetic */
	uint64_t yy = y - (mo <= 2), era = yy / 400, yoe = yy - era * 400;
	uint64_t doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	uint64_t days = era * 146097 + doe - 719468;
	*unix_s = days * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

void text_date(uint64_t unix_s, char *out)
{
	uint64_t days = unix_s / 86400, secs = unix_s % 86400;
	/* years of 400 (146,097 days) from 0000-03-01, so that leap days fall at the end */
	uint64_t z = days + 719468;
	uint64_t era = z / 146097, doe = z % 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	uint64_t d = doy - (153 * mp + 2) / 5 + 1;
	uint64_t m = mp < 10 ? mp + 3 : mp - 9;
	uint64_t y = yoe + era * 400 + (m <= 2);
	snprintf(out, TEXT_DATE_MAX, "%04llu-%02llu-%02llu %02llu:%02llu:%02llu UTC",
	         (unsigned long long)y, (unsigned long long)m, (unsigned long long)d,
	         (unsigned long long)(secs / 3600), (unsigned long long)(secs / 60 % 60),
	         (unsigned long long)(secs % 60));
}
