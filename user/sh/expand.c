/*
 * expand.c - word expansion (expand.h).
 *
 * The word is walked once, building the current field as bytes plus a
 * parallel "quoted" flag per byte (what globbing must take literally). An
 * unquoted expansion's blanks end the field; a field that had any quoting
 * exists even when empty ("" is one empty argument, an unset $X none).
 */
#include "expand.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sh_fields_add(struct sh_fields *f, const char *s, size_t n)
{
	if (f->n + 2 > f->cap) {
		unsigned cap = f->cap ? f->cap * 2 : 8;
		char **v = realloc(f->v, cap * sizeof(char *));
		if (!v)
			return -1;
		f->v = v;
		f->cap = cap;
	}
	char *c = malloc(n + 1);
	if (!c)
		return -1;
	memcpy(c, s, n);
	c[n] = 0;
	f->v[f->n++] = c;
	f->v[f->n] = NULL;
	return 0;
}

void sh_fields_free(struct sh_fields *f)
{
	for (unsigned i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	*f = (struct sh_fields){0};
}

/* The field being built. */
struct field {
	char *s;
	bool *q;
	size_t n, cap;
	bool exists; /* quoted or nonempty: it is a field even if empty */
	bool oom;
};

static void put(struct field *f, char c, bool quoted)
{
	if (f->n + 1 >= f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		char *s = realloc(f->s, cap);
		if (s)
			f->s = s;
		bool *q = s ? realloc(f->q, cap * sizeof(bool)) : NULL;
		if (!q) {
			f->oom = true;
			return;
		}
		f->q = q;
		f->cap = cap;
	}
	f->s[f->n] = c;
	f->q[f->n++] = quoted;
	f->exists = true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

struct ctx {
	const struct sh_expand_ops *ops;
	struct sh_fields *out; /* NULL: one field, no splitting or globbing */
	struct field f;
	int err;
};

static void end_field(struct ctx *c)
{
	struct field *f = &c->f;
	if (f->oom) {
		c->err = -1;
		return;
	}
	if (!f->exists)
		return;
	if (!f->s) {
		if (sh_fields_add(c->out, "", 0))
			c->err = -1;
		f->exists = false;
		return;
	}
	f->s[f->n] = 0; /* put() keeps room for it */
	int got = 0;
	if (c->ops->glob && sh_glob_has_magic(f->s, f->q))
		got = c->ops->glob(c->ops->ctx, f->s, f->q, c->out);
	if (got < 0)
		c->err = -1;
	else if (got == 0 && sh_fields_add(c->out, f->s, f->n))
		c->err = -1;
	f->n = 0;
	f->exists = false;
}

/* Append an expansion's value; outside quotes (and when splitting) blanks separate fields. */
static void put_value(struct ctx *c, const char *v, size_t n, bool quoted)
{
	for (size_t i = 0; i < n; i++) {
		if (!quoted && c->out && is_blank(v[i])) {
			end_field(c);
			continue;
		}
		put(&c->f, v[i], quoted);
	}
}

static void expand_fail(struct ctx *c, const char *msg)
{
	if (c->ops->error)
		c->ops->error(c->ops->ctx, msg);
	c->err = -1;
}

/* Run src (n bytes) through the subst hook and append its output. */
static void subst(struct ctx *c, const char *src, size_t n, bool quoted)
{
	if (!c->ops->subst) {
		c->f.exists |= quoted;
		return;
	}
	char *out = c->ops->subst(c->ops->ctx, src, n);
	if (!out) {
		c->err = -1;
		return;
	}
	c->f.exists |= quoted;
	put_value(c, out, strlen(out), quoted);
	free(out);
}

/* `...` at raw[i]: its text without the backslashes before $ ` and \; the index after it. */
static size_t backquote(struct ctx *c, const char *raw, size_t i, bool quoted)
{
	size_t end = sh_scan_backquote(raw, strlen(raw), i);
	if (!end) { /* the parser refuses this; keep it literal */
		put(&c->f, '`', quoted);
		return i + 1;
	}
	char *text = malloc(end - i);
	if (!text) {
		c->err = -1;
		return end;
	}
	size_t n = 0;
	for (size_t k = i + 1; k + 1 < end; k++) {
		if (raw[k] == '\\' && k + 2 < end && strchr("$`\\", raw[k + 1]))
			k++;
		text[n++] = raw[k];
	}
	subst(c, text, n, quoted);
	free(text);
	return end;
}

/* $(( text )): expand text as one string, then evaluate it. */
static void arith(struct ctx *c, const char *text, size_t n, bool quoted)
{
	char *raw = malloc(n + 1), *s = NULL;
	if (raw) {
		memcpy(raw, text, n);
		raw[n] = 0;
		s = sh_expand_one(raw, c->ops);
	}
	free(raw);
	if (!s) {
		c->err = -1;
		return;
	}
	long long v;
	char err[96], num[24];
	if (sh_arith(s, c->ops, &v, err, sizeof(err))) {
		expand_fail(c, err);
	} else {
		snprintf(num, sizeof(num), "%lld", v);
		put_value(c, num, strlen(num), quoted);
	}
	free(s);
}

/* $( or $(( at raw[i]; returns the index after it. */
static size_t dollar_paren(struct ctx *c, const char *raw, size_t i, bool quoted)
{
	size_t end = sh_scan_paren(raw, strlen(raw), i + 1);
	if (end == 0 || end == (size_t)-1) { /* the parser refuses this; keep it literal */
		put(&c->f, '$', quoted);
		return i + 1;
	}
	if (raw[i + 2] == '(' && end >= i + 5 && raw[end - 2] == ')')
		arith(c, raw + i + 3, end - 2 - (i + 3), quoted);
	else
		subst(c, raw + i + 2, end - 1 - (i + 2), quoted);
	return end;
}

/* $... at raw[i] (raw[i] == '$'); returns the index after it. */
static size_t dollar(struct ctx *c, const char *raw, size_t i, bool quoted)
{
	const struct sh_expand_ops *ops = c->ops;
	const char *name = raw + i + 1, *def = NULL;
	size_t n = 0, ndef = 0, next;
	if (*name == '(')
		return dollar_paren(c, raw, i, quoted);
	if (*name == '@' && quoted && c->out && ops->param) { /* "$@": a field each */
		const char *v;
		for (unsigned k = 1; (v = ops->param(ops->ctx, k)); k++) {
			if (k > 1)
				end_field(c);
			c->f.exists = true;
			put_value(c, v, strlen(v), true);
		}
		return i + 2;
	}
	if (*name == '{') {
		const char *end = strchr(name, '}');
		if (!end) { /* the parser refuses this; keep it literal */
			put(&c->f, '$', quoted);
			return i + 1;
		}
		name++;
		n = (size_t)(end - name);
		if (n > 1 && name[0] == '#') { /* ${#x}: its length in characters (UTF-8) */
			const char *v = ops->var ? ops->var(ops->ctx, name + 1, n - 1) : NULL;
			size_t chars = 0;
			for (const char *q = v ? v : ""; *q; q++)
				chars += ((unsigned char)*q & 0xc0) != 0x80;
			char num[24];
			snprintf(num, sizeof(num), "%zu", chars);
			put_value(c, num, strlen(num), quoted);
			return (size_t)(end - raw) + 1;
		}
		const char *colon = memchr(name, ':', n);
		if (colon && colon + 1 < end && colon[1] == '-') {
			def = colon + 2;
			ndef = (size_t)(end - def);
			n = (size_t)(colon - name);
		}
		next = (size_t)(end - raw) + 1;
	} else if (sh_name_char(*name, true)) {
		while (sh_name_char(name[n], false))
			n++;
		next = i + 1 + n;
	} else if (*name && strchr("?$#@*!0123456789", *name)) {
		n = 1;
		next = i + 2;
	} else {
		put(&c->f, '$', quoted);
		return i + 1;
	}
	const char *v = ops->var ? ops->var(ops->ctx, name, n) : NULL;
	if ((!v || !*v) && def)
		put_value(c, def, ndef, quoted);
	else if (v)
		put_value(c, v, strlen(v), quoted);
	return next;
}

static int expand(const char *raw, struct ctx *c)
{
	size_t i = 0;
	if (raw[0] == '~' && (raw[1] == 0 || raw[1] == '/')) {
		const char *home = c->ops->var ? c->ops->var(c->ops->ctx, "HOME", 4) : NULL;
		if (home) {
			for (const char *h = home; *h; h++)
				put(&c->f, *h, true);
			i = 1;
		}
	}
	while (raw[i] && !c->err) {
		char ch = raw[i];
		if (ch == '\\') {
			if (raw[i + 1])
				put(&c->f, raw[i + 1], true);
			i += raw[i + 1] ? 2 : 1;
		} else if (ch == '\'') {
			c->f.exists = true;
			i++;
			while (raw[i] && raw[i] != '\'')
				put(&c->f, raw[i++], true);
			if (raw[i])
				i++;
		} else if (ch == '"') {
			c->f.exists = true;
			i++;
			while (raw[i] && raw[i] != '"') {
				if (raw[i] == '\\' && raw[i + 1] && strchr("$`\"\\", raw[i + 1])) {
					put(&c->f, raw[i + 1], true);
					i += 2;
				} else if (raw[i] == '$') {
					i = dollar(c, raw, i, true);
				} else if (raw[i] == '`') {
					i = backquote(c, raw, i, true);
				} else {
					put(&c->f, raw[i++], true);
				}
			}
			if (raw[i])
				i++;
		} else if (ch == '$') {
			i = dollar(c, raw, i, false);
		} else if (ch == '`') {
			i = backquote(c, raw, i, false);
		} else {
			put(&c->f, ch, false);
			i++;
		}
	}
	if (c->f.oom)
		c->err = -1;
	return c->err;
}

int sh_expand_word(const char *raw, const struct sh_expand_ops *ops, struct sh_fields *out)
{
	struct ctx c = {.ops = ops, .out = out};
	if (expand(raw, &c) == 0)
		end_field(&c);
	free(c.f.s);
	free(c.f.q);
	return c.err;
}

char *sh_expand_one(const char *raw, const struct sh_expand_ops *ops)
{
	struct ctx c = {.ops = ops};
	char *r = NULL;
	if (expand(raw, &c) == 0) {
		r = malloc(c.f.n + 1);
		if (r) {
			if (c.f.n)
				memcpy(r, c.f.s, c.f.n);
			r[c.f.n] = 0;
		}
	}
	free(c.f.s);
	free(c.f.q);
	return r;
}

int sh_expand_pattern(const char *raw, const struct sh_expand_ops *ops, char **s, bool **quoted)
{
	struct ctx c = {.ops = ops};
	*s = NULL;
	*quoted = NULL;
	if (expand(raw, &c) == 0) {
		*s = malloc(c.f.n + 1);
		*quoted = malloc(c.f.n + 1);
		if (*s && *quoted) {
			if (c.f.n) {
				memcpy(*s, c.f.s, c.f.n);
				memcpy(*quoted, c.f.q, c.f.n * sizeof(bool));
			}
			(*s)[c.f.n] = 0;
			(*quoted)[c.f.n] = false;
		} else {
			c.err = -1;
		}
	}
	free(c.f.s);
	free(c.f.q);
	if (c.err) {
		free(*s);
		free(*quoted);
		*s = NULL;
		*quoted = NULL;
	}
	return c.err;
}

/* ---- patterns ---- */

bool sh_glob_has_magic(const char *p, const bool *q)
{
	for (size_t i = 0; p[i]; i++)
		if (!(q && q[i]) && (p[i] == '*' || p[i] == '?' || p[i] == '['))
			return true;
	return false;
}

/* A [set] at p[*i] (p[*i] == '['); -1 if it is not a well-formed set (then '[' is literal). */
static int match_set(const char *p, const bool *q, size_t *i, char c)
{
	size_t j = *i + 1;
	bool neg = false, hit = false;
	if (p[j] == '!' || p[j] == '^') {
		neg = true;
		j++;
	}
	size_t first = j;
	while (p[j] && (p[j] != ']' || j == first || (q && q[j]))) {
		char lo = p[j], hi = lo;
		if (p[j + 1] == '-' && p[j + 2] && p[j + 2] != ']') {
			hi = p[j + 2];
			j += 2;
		}
		if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
			hit = true;
		j++;
	}
	if (!p[j])
		return -1;
	*i = j + 1;
	return hit != neg;
}

bool sh_glob_match(const char *p, const bool *q, const char *name)
{
	size_t pi = 0, ni = 0, star_p = (size_t)-1, star_n = 0;
	while (name[ni]) {
		bool lit = q && p[pi] && q[pi];
		if (p[pi] == '*' && !lit) {
			star_p = ++pi;
			star_n = ni;
			continue;
		}
		if (p[pi] == '?' && !lit) {
			pi++;
			ni++;
			continue;
		}
		if (p[pi] == '[' && !lit) {
			size_t j = pi;
			int m = match_set(p, q, &j, name[ni]);
			if (m == 1) {
				pi = j;
				ni++;
				continue;
			}
			if (m == 0)
				goto backtrack;
		}
		if (p[pi] && p[pi] == name[ni]) {
			pi++;
			ni++;
			continue;
		}
	backtrack:
		if (star_p == (size_t)-1)
			return false;
		pi = star_p;
		ni = ++star_n;
	}
	while (p[pi] == '*' && !(q && q[pi]))
		pi++;
	return p[pi] == 0;
}
