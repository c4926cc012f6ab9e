/*
 * manifest.c - the manifest parser (format and guarantees in manifest.h).
 *
 * A line is first bounded (at most MANIFEST_LINE_MAX bytes, no control characters)
 * and copied into e->strings, then split into words in place; each word is checked
 * against its own syntax before it is copied into a fixed-size field.
 */
#include "manifest.h"

#include <stdio.h>
#include <string.h>

#include <abi/errors.h>

void manifest_init(struct manifest *m, const char *text, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->text = text;
	m->len = text ? len : 0;
}

static int fail(struct manifest *m, const char *why, const char *word)
{
	if (word)
		snprintf(m->error, sizeof(m->error), "%s '%.32s'", why, word);
	else
		snprintf(m->error, sizeof(m->error), "%s", why);
	return ERR_MALFORMED;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static int valid_path(const char *p)
{
	size_t n = strlen(p);
	if (n == 0 || n > MANIFEST_PATH_MAX || p[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(p[i]) && p[i] != '/')
			return 0;
	/* no ".." component */
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return 0;
	return 1;
}

static int valid_name(const char *w)
{
	size_t n = strlen(w);
	if (n == 0 || n > MANIFEST_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(w[i]))
			return 0;
	return 1;
}

/* Parses "<digits>[K|M|G]" into a nonzero byte count without overflow. */
static int parse_bytes(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == 19 || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return 0;
	unsigned shift = 0;
	switch (s[i]) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	default:
		return 0;
	}
	if (shift && s[i + 1] != '\0')
		return 0;
	if (v == 0 || v > (UINT64_MAX >> shift))
		return 0;
	*out = v << shift;
	return 1;
}

static int add_grant(struct manifest *m, struct manifest_entry *e, const char *w)
{
	struct manifest_grant g = {0};

	if (strncmp(w, "pool:", 5) == 0) {
		if (!parse_bytes(w + 5, &g.pool_bytes))
			return fail(m, "bad pool quota", w);
		strcpy(g.name, "pool");
	} else if (strcmp(w, "pool") == 0) {
		return fail(m, "pool needs a quota, e.g. pool:16M", NULL);
	} else if (strncmp(w, "serve:", 6) == 0) {
		const char *slash = strchr(w + 6, '/');
		size_t sl = slash ? (size_t)(slash - (w + 6)) : 0;
		if (!slash || sl == 0 || sl > MANIFEST_NAME_MAX || !valid_name(slash + 1) ||
		    strchr(slash + 1, '/') || !strcmp(slash + 1, ".") || !strcmp(slash + 1, ".."))
			return fail(m, "serve needs <scheme>/<name>, e.g. serve:fs/tmp", w);
		memcpy(g.serve_scheme, w + 6, sl);
		g.serve_scheme[sl] = '\0';
		if (!valid_name(g.serve_scheme))
			return fail(m, "bad scheme to serve", w);
		strcpy(g.serve_name, slash + 1);
		strcpy(g.name, "provider");
	} else if (!valid_name(w)) {
		return fail(m, "bad capability name", w);
	} else {
		memcpy(g.name, w, strlen(w) + 1);
	}
	for (unsigned i = 0; i < e->ngrants; i++)
		if (strcmp(e->grants[i].name, g.name) == 0)
			return fail(m, "granted twice", w);
	if (e->ngrants == MANIFEST_MAX_GRANTS)
		return fail(m, "too many grants", NULL);
	e->grants[e->ngrants++] = g;
	return 0;
}

/* Splits e->strings into words and fills e; 1 = entry, 0 = blank, < 0 = malformed. */
static int parse_words(struct manifest *m, struct manifest_entry *e)
{
	char *s = e->strings;
	int have_path = 0, in_args = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0' || *s == '#')
			break;
		char *w = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s)
			*s++ = '\0';
		if (!have_path) {
			if (!valid_path(w))
				return fail(m, "bad program path", w);
			memcpy(e->path, w, strlen(w) + 1);
			have_path = 1;
		} else if (in_args) {
			if (e->nargs == MANIFEST_MAX_ARGS)
				return fail(m, "too many arguments", NULL);
			e->args[e->nargs++] = w;
		} else if (strcmp(w, "--") == 0) {
			in_args = 1;
		} else {
			int err = add_grant(m, e, w);
			if (err)
				return err;
		}
	}
	e->args[e->nargs] = NULL;
	return have_path;
}

int manifest_next(struct manifest *m, struct manifest_entry *e)
{
	while (m->pos < m->len) {
		const char *line = m->text + m->pos;
		size_t rest = m->len - m->pos;
		const char *nl = memchr(line, '\n', rest);
		size_t n = nl ? (size_t)(nl - line) : rest;

		m->pos += nl ? n + 1 : n;
		m->line++;
		memset(e, 0, sizeof(*e));
		e->line = m->line;
		if (n > MANIFEST_LINE_MAX)
			return fail(m, "line too long", NULL);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)line[i];
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
				return fail(m, "control character in line", NULL);
		}
		memcpy(e->strings, line, n);
		e->strings[n] = '\0';
		int r = parse_words(m, e);
		if (r)
			return r;
	}
	return 0;
}
