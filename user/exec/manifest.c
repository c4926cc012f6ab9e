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

/* Parses 1-4 hex digits (either case) up to end into *out. */
static int parse_hex16(const char *s, const char *end, uint16_t *out)
{
	unsigned v = 0;
	if (end - s < 1 || end - s > 4)
		return 0;
	for (; s < end; s++) {
		char c = *s;
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
		                                    : 16;
		if (d == 16)
			return 0;
		v = v << 4 | d;
	}
	*out = (uint16_t)v;
	return 1;
}

/* device:<vendor>:<device> or device:<platform name> */
static int add_device(struct manifest *m, struct manifest_entry *e, const char *w)
{
	struct manifest_device d = {0};
	const char *id = w + 7, *colon = strchr(id, ':');
	if (colon) {
		if (!parse_hex16(id, colon, &d.vendor) ||
		    !parse_hex16(colon + 1, colon + 1 + strlen(colon + 1), &d.device))
			return fail(m, "device needs <vendor>:<device> in hex or a name", w);
	} else if (!valid_name(id)) {
		return fail(m, "bad device name", w);
	} else {
		strcpy(d.platform, id);
	}
	for (unsigned i = 0; i < e->ndevices; i++)
		if (!memcmp(&e->devices[i], &d, sizeof(d)))
			return fail(m, "granted twice", w);
	if (e->ndevices == MANIFEST_MAX_DEVICES)
		return fail(m, "too many devices", NULL);
	e->devices[e->ndevices++] = d;
	return 0;
}

static const char *const dev_classes[] = {"block",  "net",   "input", "display",
                                          "serial", "clock", "rng"};

/* bind:dev/<class> */
static int add_bind(struct manifest *m, struct manifest_entry *e, const char *w)
{
	const char *class = w + 5;
	if (strncmp(class, "dev/", 4) != 0)
		return fail(m, "bind needs dev/<class>, e.g. bind:dev/block", w);
	class += 4;
	for (unsigned i = 0; i < sizeof(dev_classes) / sizeof(dev_classes[0]); i++)
		if (!strcmp(class, dev_classes[i])) {
			if (e->bind_class[0])
				return fail(m, "granted twice", w);
			strcpy(e->bind_class, class);
			return 0;
		}
	return fail(m, "no such device class", w);
}

/* ns.<scheme>:<path>[:<rights>] into g (named "ns.<scheme>") */
static int parse_view(struct manifest *m, const char *w, struct manifest_grant *g)
{
	const char *colon = strchr(w, ':'), *path = colon + 1;
	const char *rights = strchr(path, ':');
	size_t nl = (size_t)(colon - w), pl = rights ? (size_t)(rights - path) : strlen(path);
	if (nl > MANIFEST_NAME_MAX || nl <= 3 || pl < 1 || pl > MANIFEST_PATH_MAX || path[0] != '/')
		return fail(m, "a view is ns.<scheme>:/<path>[:<rights>]", w);
	memcpy(g->name, w, nl);
	g->name[nl] = '\0';
	memcpy(g->view_path, path, pl);
	g->view_path[pl] = '\0';
	if (!valid_name(g->name) ||
	    (pl > 1 && (!valid_path(g->view_path + 1) || strstr(g->view_path, "//") ||
	                g->view_path[pl - 1] == '/')))
		return fail(m, "bad view", w);
	for (const char *s = g->view_path; (s = strstr(s, "/.")); s += 2)
		if (s[2] == '\0' || s[2] == '/')
			return fail(m, "bad view",
			            w); /* a "." component (".." valid_path refused) */
	if (!rights)
		return 0;
	if (!rights[1])
		return fail(m, "empty view rights", w);
	g->view_rights = MANIFEST_VIEW_ALWAYS;
	for (const char *r = rights + 1; *r; r++) {
		uint64_t bit = *r == 'r'   ? MANIFEST_VIEW_R
		               : *r == 'w' ? MANIFEST_VIEW_W
		               : *r == 'm' ? MANIFEST_VIEW_M
		                           : 0;
		if (!bit || (g->view_rights & bit))
			return fail(m, "view rights are letters of rwm, each once", w);
		g->view_rights |= bit;
	}
	return 0;
}

static int add_grant(struct manifest *m, struct manifest_entry *e, const char *w)
{
	struct manifest_grant g = {0};

	if (strncmp(w, "device:", 7) == 0)
		return add_device(m, e, w);
	if (strncmp(w, "bind:", 5) == 0)
		return add_bind(m, e, w);
	if (strncmp(w, "ns.", 3) == 0 && strchr(w, ':')) {
		int err = parse_view(m, w, &g);
		if (err)
			return err;
	} else if (strncmp(w, "pool:", 5) == 0) {
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
	if (e->ndevices)
		for (unsigned i = 0; i < e->ngrants; i++)
			if (e->grants[i].serve_scheme[0])
				return fail(m, "a driver binds in dev (bind:), it does not serve",
				            NULL);
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

int manifest_disk_line_check(const struct manifest_entry *e, char *why, size_t cap)
{
	if (!e->ndevices) {
		snprintf(why, cap, "not a driver line (no device:)");
		return ERR_ACCESS_DENIED;
	}
	for (unsigned i = 0; i < e->ngrants; i++) {
		const struct manifest_grant *g = &e->grants[i];
		if (g->pool_bytes > MANIFEST_DISK_POOL_MAX) {
			snprintf(why, cap, "pool over %llu MiB",
			         (unsigned long long)(MANIFEST_DISK_POOL_MAX >> 20));
			return ERR_ACCESS_DENIED;
		}
		if (!g->pool_bytes && strcmp(g->name, "log") != 0) {
			snprintf(why, cap, "grant '%s' (a disk's driver gets log, pool:, bind:)",
			         g->name);
			return ERR_ACCESS_DENIED;
		}
	}
	return 0;
}

int manifest_next_disk(struct manifest *m, struct manifest_entry *e)
{
	int r = manifest_next(m, e);
	if (r == 1 && manifest_disk_line_check(e, m->error, sizeof(m->error)))
		return ERR_ACCESS_DENIED;
	return r;
}

bool manifest_device_matches(const struct manifest_entry *e, const struct hw_device_info *info)
{
	for (unsigned i = 0; i < e->ndevices; i++) {
		const struct manifest_device *d = &e->devices[i];
		if (d->platform[0] ? info->bus == HW_BUS_PLATFORM &&
		                         strncmp(info->name, d->platform, sizeof(info->name)) == 0
		                   : info->bus == HW_BUS_PCI && info->vendor == d->vendor &&
		                         info->device == d->device)
			return true;
	}
	return false;
}

void manifest_instance_name(const char *class, unsigned n, char out[3])
{
	if (strcmp(class, "block") == 0)
		snprintf(out, 3, "%c", 'a' + (int)(n % 26));
	else
		snprintf(out, 3, "%u", n % 100);
}

int manifest_expand_arg(const char *arg, const char *inst, char *out, size_t cap)
{
	size_t il = strlen(inst), o = 0;
	for (; *arg; arg++) {
		size_t n = *arg == '%' ? il : 1;
		if (o + n >= cap) {
			if (cap)
				out[0] = '\0';
			return ERR_OUT_OF_RANGE;
		}
		memcpy(out + o, *arg == '%' ? inst : arg, n);
		o += n;
	}
	if (!cap)
		return ERR_OUT_OF_RANGE;
	out[o] = '\0';
	return 0;
}
