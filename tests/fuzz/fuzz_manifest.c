/*
 * fuzz_manifest.c - libFuzzer target for Charlotte Exec's manifest parser
 * (user/exec/manifest.c).
 *
 * The input is the manifest. Every call to manifest_next() must move on (a
 * later position and line, or the end), and every entry it returns keep
 * manifest.h's promises: a path of the allowed characters with no ".."
 * component, at most MANIFEST_MAX_GRANTS distinct grants of valid names (a
 * quota exactly for "pool"), at most MANIFEST_MAX_ARGS arguments, each a
 * NUL-terminated string inside the entry, without control characters, and the
 * list NULL-terminated; at most MANIFEST_MAX_DEVICES distinct devices, a known
 * device class, no driver that also serves, views that are absolute paths with
 * no "." or ".." component granted as "ns.<scheme>" with rights of the rwm
 * letters. A refused line leaves a reason. manifest_disk_line_check() (a
 * drivers.d line on the home disk) answers 0 or ERR_ACCESS_DENIED with a reason
 * that ends inside its buffer, and passes only driver lines whose grants are
 * "log" and a pool of at most MANIFEST_DISK_POOL_MAX.
 */
#include "fuzz.h"
#include "manifest.h"

#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static void check_path(const char *p)
{
	size_t n = strnlen(p, MANIFEST_PATH_MAX + 1);
	FUZZ_CHECK(n >= 1 && n <= MANIFEST_PATH_MAX && p[0] != '-');
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(name_char(p[i]) || p[i] == '/');
	for (size_t i = 0; i + 1 < n; i++) /* no ".." component */
		FUZZ_CHECK(!(p[i] == '.' && p[i + 1] == '.' && (i == 0 || p[i - 1] == '/') &&
		             (i + 2 == n || p[i + 2] == '/')));
}

/* "/a/b": names of name characters, none empty, "." or "..". */
static bool check_view_components(const char *p)
{
	for (const char *c = p; *c == '/';) {
		const char *end = c + 1;
		while (*end && *end != '/') {
			if (!name_char(*end))
				return false;
			end++;
		}
		size_t n = (size_t)(end - c - 1);
		if (n == 0 || (n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return false;
		if (!*end)
			return true;
		c = end;
	}
	return false;
}

static void check_entry(const struct manifest_entry *e, unsigned line)
{
	FUZZ_CHECK(e->line == line);
	check_path(e->path);
	FUZZ_CHECK(e->ngrants <= MANIFEST_MAX_GRANTS);
	for (unsigned i = 0; i < e->ngrants; i++) {
		const struct manifest_grant *g = &e->grants[i];
		size_t n = strnlen(g->name, sizeof(g->name));
		FUZZ_CHECK(n >= 1 && n <= MANIFEST_NAME_MAX);
		for (size_t k = 0; k < n; k++)
			FUZZ_CHECK(name_char(g->name[k]));
		FUZZ_CHECK((g->pool_bytes > 0) == (strcmp(g->name, "pool") == 0));
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(g->name, e->grants[j].name) != 0);
	}
	FUZZ_CHECK(e->ndevices <= MANIFEST_MAX_DEVICES);
	for (unsigned i = 0; i < e->ndevices; i++) {
		const struct manifest_device *d = &e->devices[i];
		size_t n = strnlen(d->platform, sizeof(d->platform));
		FUZZ_CHECK(n <= MANIFEST_NAME_MAX &&
		           (n == 0 || (d->vendor == 0 && d->device == 0)));
		for (size_t k = 0; k < n; k++)
			FUZZ_CHECK(name_char(d->platform[k]));
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(memcmp(d, &e->devices[j], sizeof(*d)) != 0);
	}
	static const char *const classes[] = {"",        "block",  "net",   "input",
	                                      "display", "serial", "clock", "rng"};
	bool known = false;
	for (unsigned i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		known |= strcmp(e->bind_class, classes[i]) == 0;
	FUZZ_CHECK(known);
	for (unsigned i = 0; i < e->ngrants; i++) {
		const struct manifest_grant *g = &e->grants[i];
		FUZZ_CHECK(!(e->ndevices && g->serve_scheme[0]));
		size_t n = strnlen(g->view_path, sizeof(g->view_path));
		FUZZ_CHECK(n <= MANIFEST_PATH_MAX);
		if (n == 0) {
			FUZZ_CHECK(g->view_rights == 0);
			continue;
		}
		FUZZ_CHECK(strncmp(g->name, "ns.", 3) == 0 && g->name[3] && g->view_path[0] == '/');
		FUZZ_CHECK(n == 1 || check_view_components(g->view_path));
		FUZZ_CHECK((g->view_rights & ~(MANIFEST_VIEW_R | MANIFEST_VIEW_W | MANIFEST_VIEW_M |
		                               MANIFEST_VIEW_ALWAYS)) == 0);
	}
	FUZZ_CHECK(e->nargs <= MANIFEST_MAX_ARGS && e->args[e->nargs] == NULL);
	for (unsigned i = 0; i < e->nargs; i++) {
		const char *a = e->args[i];
		FUZZ_CHECK(a >= e->strings && a < e->strings + sizeof(e->strings));
		size_t n = strnlen(a, (size_t)(e->strings + sizeof(e->strings) - a));
		FUZZ_CHECK(n >= 1 && a + n < e->strings + sizeof(e->strings));
		for (size_t k = 0; k < n; k++)
			FUZZ_CHECK((unsigned char)a[k] >= 0x20 && a[k] != 0x7f && a[k] != ' ');
	}
}

static void check_disk_line(const struct manifest_entry *e)
{
	char why[48];
	memset(why, 0x55, sizeof(why));
	int r = manifest_disk_line_check(e, why, sizeof(why));
	if (r) {
		FUZZ_CHECK(r == ERR_ACCESS_DENIED);
		size_t n = strnlen(why, sizeof(why));
		FUZZ_CHECK(n >= 1 && n < sizeof(why));
		return;
	}
	FUZZ_CHECK(e->ndevices >= 1);
	for (unsigned i = 0; i < e->ngrants; i++)
		FUZZ_CHECK(strcmp(e->grants[i].name, "log") == 0 ||
		           (e->grants[i].pool_bytes > 0 &&
		            e->grants[i].pool_bytes <= MANIFEST_DISK_POOL_MAX));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct manifest m;
	static struct manifest_entry e;
	manifest_init(&m, (const char *)data, size);
	for (;;) {
		size_t pos = m.pos;
		unsigned line = m.line;
		int r = manifest_next(&m, &e);
		if (r == 0) {
			FUZZ_CHECK(m.pos == size);
			break;
		}
		FUZZ_CHECK(m.pos > pos && m.pos <= size && m.line > line);
		if (r == 1) {
			check_entry(&e, m.line);
			check_disk_line(&e);
		} else {
			FUZZ_CHECK(r == ERR_MALFORMED);
			size_t n = strnlen(m.error, sizeof(m.error));
			FUZZ_CHECK(n >= 1 && n < sizeof(m.error));
		}
	}
	return 0;
}
