/*
 * match.c - the matchers of match.h. A regular expression compiles to a list of
 * atoms, each a 256-bit set with an optional star; searching keeps the set of
 * atoms the text so far can have reached (a bitmap, RE_MAX_ATOMS + 1 states)
 * and steps it one byte at a time.
 */
#include "match.h"

#include <string.h>

static void set_add(uint8_t *set, unsigned c)
{
	set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool set_has(const uint8_t *set, unsigned c)
{
	return set[c >> 3] & (1u << (c & 7));
}

static unsigned fold(unsigned c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static void set_add_case(uint8_t *set, unsigned c, bool icase)
{
	set_add(set, c);
	if (icase) {
		set_add(set, fold(c));
		if (c >= 'a' && c <= 'z')
			set_add(set, c - 32);
	}
}

/*
 * Parses the set starting after '[' at p into set; returns the position after
 * ']', or NULL if there is none. neg_chars are the characters that negate it
 * first ("^" for regular expressions, "!^" for globs).
 */
static const char *parse_set(const char *p, uint8_t *set, bool icase, const char *neg_chars)
{
	uint8_t s[32] = {0};
	bool neg = *p && strchr(neg_chars, *p);
	if (neg)
		p++;
	const char *first = p;
	while (*p && (*p != ']' || p == first)) {
		unsigned lo = (unsigned char)*p, hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = (unsigned char)p[2];
			p += 3;
		} else {
			p++;
		}
		for (unsigned c = lo; c <= hi; c++)
			set_add_case(s, c, icase);
	}
	if (*p != ']')
		return NULL;
	for (int i = 0; i < 32; i++)
		set[i] = neg ? (uint8_t)~s[i] : s[i];
	return p + 1;
}

int re_compile(struct re *re, const char *pattern, bool icase, const char **err)
{
	memset(re, 0, sizeof(*re));
	const char *p = pattern;
	if (*p == '^') {
		re->anchor_start = true;
		p++;
	}
	while (*p) {
		if (p[0] == '$' && p[1] == '\0') {
			re->anchor_end = true;
			break;
		}
		if (*p == '*' && re->n > 0 && !re->atom[re->n - 1].star) {
			re->atom[re->n - 1].star = true;
			p++;
			continue;
		}
		if (re->n == RE_MAX_ATOMS) {
			*err = "pattern too long";
			return -1;
		}
		struct re_atom *a = &re->atom[re->n++];
		if (*p == '.') {
			memset(a->set, 0xff, sizeof(a->set));
			p++;
		} else if (*p == '[') {
			if (!(p = parse_set(p + 1, a->set, icase, "^"))) {
				*err = "unmatched [";
				return -1;
			}
		} else {
			if (*p == '\\' && !*++p) {
				*err = "trailing \\";
				return -1;
			}
			set_add_case(a->set, (unsigned char)*p++, icase);
		}
	}
	return 0;
}

#define RE_WORDS ((RE_MAX_ATOMS + 1 + 63) / 64)

/* Adds state i and, across starred atoms (which may match nothing), those after it. */
static void add_state(const struct re *re, uint64_t *states, unsigned i)
{
	for (;;) {
		states[i / 64] |= UINT64_C(1) << (i % 64);
		if (i == re->n || !re->atom[i].star)
			return;
		i++;
	}
}

static bool has_state(const uint64_t *states, unsigned i)
{
	return states[i / 64] & (UINT64_C(1) << (i % 64));
}

bool re_search(const struct re *re, const char *text, size_t len)
{
	uint64_t cur[RE_WORDS] = {0}, next[RE_WORDS];
	add_state(re, cur, 0);
	for (size_t pos = 0;; pos++) {
		if (has_state(cur, re->n) && (!re->anchor_end || pos == len))
			return true;
		if (pos == len)
			return false;
		unsigned c = (unsigned char)text[pos];
		memset(next, 0, sizeof(next));
		bool any = false;
		for (unsigned i = 0; i < re->n; i++) {
			if (!has_state(cur, i) || !set_has(re->atom[i].set, c))
				continue;
			add_state(re, next, re->atom[i].star ? i : i + 1);
			any = true;
		}
		if (!re->anchor_start)
			add_state(re, next, 0); /* a match may start at the next byte too */
		else if (!any)
			return false;
		memcpy(cur, next, sizeof(cur));
	}
}

bool glob_match(const char *glob, const char *name)
{
	const char *star = NULL, *resume = NULL; /* the last '*' and where it resumes */
	while (*name) {
		const char *g = glob;
		bool ok = false;
		if (*g == '*') {
			star = ++glob;
			resume = name;
			continue;
		}
		if (*g == '?') {
			ok = true;
			g++;
		} else if (*g == '[') {
			uint8_t set[32];
			const char *after = parse_set(g + 1, set, false, "!^");
			if (after) {
				ok = set_has(set, (unsigned char)*name);
				g = after;
			} else {
				ok = *name == '[';
				g++;
			}
		} else if (*g) {
			if (*g == '\\' && g[1])
				g++;
			ok = *g == *name;
			g++;
		}
		if (ok) {
			glob = g;
			name++;
		} else if (star) {
			glob = star;
			name = ++resume;
		} else {
			return false;
		}
	}
	while (*glob == '*')
		glob++;
	return *glob == '\0';
}
