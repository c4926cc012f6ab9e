/*
 * helpopts.c - the options a --help text names (helpopts.h: the rules).
 *
 * Every index is checked against the line's length: the text may hold
 * anything, NULs included, and need not end in a newline.
 */
#include "helpopts.h"

#include <string.h>

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* An option name at s (n bytes): its length, or 0. */
static size_t name_len(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || s[0] != '-')
		return 0;
	i = n > 1 && s[1] == '-' ? 2 : 1;
	if (i >= n || !alnum(s[i]))
		return 0;
	while (i < n && (alnum(s[i]) || s[i] == '-' || s[i] == '_'))
		i++;
	if (i >= SH_OPT_NAME)
		return 0;
	if (i < n && !blank(s[i]) && !strchr(",=[]|", s[i]))
		return 0;
	return i;
}

void sh_opts_clear(struct sh_opts *o)
{
	o->n = 0;
	o->cut = false;
}

/* The length of one well-formed UTF-8 character at s (n bytes) that is not a
 * control (C1 controls U+0080..U+009F included), or 0. */
static size_t printable(const unsigned char *s, size_t n)
{
	if (s[0] >= 0x20 && s[0] < 0x7f)
		return 1;
	size_t len = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
	             : s[0] >= 0xe0 && s[0] <= 0xef ? 3
	             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
	                                            : 0;
	if (len == 0 || len > n || (s[0] == 0xc2 && s[1] < 0xa0))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* desc (d bytes) into out: runs of blanks as one space, anything unprintable as
 * '?', cut at a character's boundary. */
static void clean_desc(char *out, const char *desc, size_t d)
{
	const unsigned char *s = (const unsigned char *)desc;
	size_t o = 0, i = 0;
	while (i < d && blank(desc[i]))
		i++;
	while (i < d) {
		if (blank(desc[i])) {
			while (i < d && blank(desc[i]))
				i++;
			if (i < d && o + 1 < SH_OPT_DESC - 1)
				out[o++] = ' ';
			continue;
		}
		size_t k = printable(s + i, d - i);
		if (o + (k ? k : 1) > SH_OPT_DESC - 1)
			break;
		if (k) {
			memcpy(out + o, desc + i, k);
			o += k;
			i += k;
		} else {
			out[o++] = '?';
			i++;
		}
	}
	out[o] = 0;
}

bool sh_opts_add(struct sh_opts *o, const char *name, size_t n, const char *desc, size_t d)
{
	if (n == 0 || name_len(name, n) != n)
		return false;
	for (unsigned i = 0; i < o->n; i++)
		if (strlen(o->v[i].name) == n && memcmp(o->v[i].name, name, n) == 0) {
			if (!o->v[i].desc[0])
				clean_desc(o->v[i].desc, desc, d);
			return true;
		}
	if (o->n == SH_OPTS_MAX) {
		o->cut = true;
		return false;
	}
	struct sh_opt *v = &o->v[o->n++];
	memcpy(v->name, name, n);
	v->name[n] = 0;
	clean_desc(v->desc, desc, d);
	return true;
}

/* ---- usage lines ---- */

/* Does s start with "usage:" in any case? (s has 6 bytes at least) */
static bool usage_word(const char *s)
{
	for (int i = 0; i < 5; i++)
		if ((s[i] | 0x20) != "usage"[i])
			return false;
	return s[5] == ':';
}

static bool all_alnum(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!alnum(s[i]))
			return false;
	return true;
}

static void parse_usage(struct sh_opts *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '-' ||
		    !(i == 0 || s[i - 1] == ' ' || s[i - 1] == '[' || s[i - 1] == '|'))
			continue;
		size_t k = name_len(s + i, n - i);
		if (k == 0)
			continue;
		if (i > 0 && s[i - 1] == '[' && k > 2 && all_alnum(s + i + 1, k - 1) && i + k < n &&
		    s[i + k] == ']') { /* a cluster of flags: [-1alh] */
			for (size_t j = i + 1; j < i + k; j++) {
				char one[2] = {'-', s[j]};
				sh_opts_add(o, one, 2, "", 0);
			}
		} else {
			sh_opts_add(o, s + i, k, "", 0);
		}
		i += k - 1;
	}
}

/* ---- option lines ---- */

/*
 * The list of names at s[i] ("-a, --all", "-n N", "--width=COLS"): the names'
 * positions into at/len (up to 4), their count into *count; returns where the
 * list ends, or i when there is none.
 */
static size_t name_list(const char *s, size_t n, size_t i, size_t at[4], size_t len[4],
                        unsigned *count)
{
	*count = 0;
	for (;;) {
		size_t k = name_len(s + i, n - i);
		if (k == 0)
			break;
		if (*count < 4) {
			at[*count] = i;
			len[*count] = k;
			++*count;
		}
		i += k;
		if (i < n && s[i] == '=') { /* --width=COLS */
			while (i < n && !blank(s[i]) && s[i] != ',')
				i++;
		} else if (i < n && s[i] == '[') { /* --color[=WHEN] */
			while (i < n && s[i] != ']' && !blank(s[i]))
				i++;
			if (i < n && s[i] == ']')
				i++;
		} else if (i + 1 < n && s[i] == ' ' && !blank(s[i + 1]) && s[i + 1] != '-') {
			/* "-n N": an argument word, when a ',' or two blanks or the end follow it */
			size_t j = i + 1;
			while (j < n && !blank(s[j]) && s[j] != ',')
				j++;
			if (j == n || s[j] == ',' ||
			    (j + 1 < n && blank(s[j]) && blank(s[j + 1])) ||
			    (j + 1 == n && blank(s[j])))
				i = j;
		}
		/* ", " or " | " joins another name */
		size_t j = i;
		while (j < n && blank(s[j]))
			j++;
		if (j < n && (s[j] == ',' || s[j] == '|') && (j == i || s[j] == '|')) {
			j++;
			while (j < n && blank(s[j]))
				j++;
			if (j < n && s[j] == '-') {
				i = j;
				continue;
			}
		}
		break;
	}
	return *count ? i : 0;
}

/* Where the next entry of a description starts (two blanks, then a list of names
 * followed by two blanks or the line's end), or n. */
static size_t next_entry(const char *s, size_t n, size_t i)
{
	for (; i + 2 < n; i++) {
		if (!(blank(s[i]) && blank(s[i + 1])))
			continue;
		size_t j = i;
		while (j < n && blank(s[j]))
			j++;
		size_t at[4], len[4];
		unsigned c;
		size_t end = name_list(s, n, j, at, len, &c);
		if (end && (end == n || (end + 1 < n && blank(s[end]) && blank(s[end + 1])) ||
		            (end + 1 == n && blank(s[end]))))
			return j;
		i = j;
	}
	return n;
}

static void parse_option_line(struct sh_opts *o, const char *s, size_t n, size_t i)
{
	while (i < n) {
		size_t at[4], len[4];
		unsigned c;
		size_t end = name_list(s, n, i, at, len, &c);
		if (!end || (end < n && !blank(s[end])))
			return;
		size_t d = end;
		while (d < n && blank(s[d]))
			d++;
		size_t next = next_entry(s, n, d);
		for (unsigned k = 0; k < c; k++)
			sh_opts_add(o, s + at[k], len[k], s + d, next - d);
		i = next;
	}
}

void sh_opts_parse_help(struct sh_opts *o, const char *text, size_t len)
{
	size_t start = 0;
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + start;
		size_t n = end - start, i = 0;
		while (i < n && blank(s[i]))
			i++;
		if (n - i >= 6 && usage_word(s + i))
			parse_usage(o, s + i + 6, n - i - 6);
		else
			parse_option_line(o, s, n, i);
		start = end + 1;
	}
}
