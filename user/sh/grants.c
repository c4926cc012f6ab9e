/*
 * grants.c - what a child holds (docs/shell.md "What a child holds").
 *
 * By default a program gets every capability in the shell's start_info,
 * by the same name and with the rights the shell holds, except "self.*" (it
 * gets its own), "pool" (it gets a sub-pool of sh->child_pool bytes) and the
 * shell's own "stdin"/"stdout"/"stderr" (it gets the descriptors after
 * redirection). So it sees the shell's namespace view (ns, ns.fs, ...), the
 * log, the initrd and whatever else the shell was given (power, dmesg,
 * hw.list...).
 *
 * `run --grant` builds the set from nothing: a URI is opened with just the
 * rights asked for (r: read, look up, list; w: write, create, remove; m:
 * manage) and granted as the child's root of its scheme, "ns.<scheme>", when it
 * is a directory, or by its last name when it is a file or a service
 * (svc:///log -> "log"); a bare name is a capability the shell holds.
 */
#include "sh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <abi/ns.h>
#include <charlotte/fd.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#define VIEW_R (RIGHT_READ | RIGHT_LOOKUP | RIGHT_ENUMERATE)
#define VIEW_W (RIGHT_WRITE | RIGHT_CREATE | RIGHT_REMOVE)
#define VIEW_ALWAYS (RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT)

/* The rights we hold on h (0 if we cannot tell: then it is not passed on). */
static uint64_t rights_of(const char *name, handle_t h)
{
	struct cap_info ci;
	if (ch_cap_inspect(h, &ci) == 0)
		return ci.rights;
	if (strcmp(name, "log") == 0) /* Exec's log has no INSPECT on some boots */
		return RIGHT_WRITE | RIGHT_TRANSFER | RIGHT_DUPLICATE;
	return 0;
}

static int add(struct sh_grant_set *gs, const char *name, handle_t h, uint64_t rights)
{
	for (unsigned i = 0; i < gs->n; i++)
		if (strcmp(gs->names[i], name) == 0) {
			sh_error("run: '%s' granted twice", name);
			return -1;
		}
	if (gs->n + 3 >= START_MAX_HANDLES) { /* room for self.process, self.as, pool */
		sh_error("too many capabilities for a child");
		return -1;
	}
	snprintf(gs->names[gs->n], SH_NAME_MAX, "%s", name);
	gs->g[gs->n] = (struct ch_grant){gs->names[gs->n], h, rights};
	gs->n++;
	return 0;
}

static bool is_stdio(const char *name)
{
	return strcmp(name, "stdin") == 0 || strcmp(name, "stdout") == 0 ||
	       strcmp(name, "stderr") == 0;
}

int sh_grants_default(struct sh *sh, struct sh_grant_set *gs)
{
	(void)sh;
	memset(gs, 0, sizeof(*gs));
	const struct start_info *si = ch_start_info();
	for (unsigned i = 0; si && i < si->nhandles && i < START_MAX_HANDLES; i++) {
		const struct start_handle *h = &si->handles[i];
		char name[SH_NAME_MAX];
		snprintf(name, sizeof(name), "%.23s", h->name);
		if (strncmp(name, "self.", 5) == 0 || strcmp(name, "pool") == 0 || is_stdio(name) ||
		    strcmp(name, "jobctl") == 0) /* ours only (a background job's shell) */
			continue;
		uint64_t r = rights_of(name, h->handle);
		if (!(r & RIGHT_TRANSFER))
			continue;
		if (add(gs, name, h->handle, r))
			return -1;
	}
	return 0;
}

int sh_grants_add_handle(struct sh_grant_set *gs, const char *name, handle_t h)
{
	return add(gs, name, h, rights_of(name, h));
}

int sh_grants_add_stdio(struct sh_grant_set *gs, const int fds[3])
{
	static const char *const names[3] = {"stdin", "stdout", "stderr"};
	for (int k = 0; k < 3; k++) {
		if (fds[k] < 0)
			continue;
		handle_t h = ch_fd_handle(fds[k]);
		if (h == HANDLE_INVALID)
			continue; /* the fallback (empty input, the log): the child's is the same */
		uint64_t r = rights_of(names[k], h);
		if (!r)
			continue;
		if (add(gs, names[k], h, r))
			return ERR_NO_RESOURCES;
	}
	return 0;
}

void sh_grants_release(struct sh_grant_set *gs)
{
	for (unsigned i = 0; i < gs->nopened; i++)
		ch_cap_drop(gs->opened[i]);
	gs->nopened = 0;
}

/* "rw" -> rights; false if not letters of rwm. */
static bool parse_rights(const char *s, uint64_t *out)
{
	uint64_t r = VIEW_ALWAYS;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s == 'r')
			r |= VIEW_R;
		else if (*s == 'w')
			r |= VIEW_W;
		else if (*s == 'm')
			r |= RIGHT_MANAGE;
		else
			return false;
	}
	*out = r;
	return true;
}

int sh_grants_add_spec(struct sh *sh, struct sh_grant_set *gs, const char *spec)
{
	(void)sh;
	const char *sep = strstr(spec, "://");
	if (!sep && spec[0] != '/') { /* a capability we hold, by name */
		handle_t h = ch_handle(spec);
		if (h == HANDLE_INVALID || strncmp(spec, "self.", 5) == 0) {
			sh_error("run: no capability '%s' to grant", spec);
			return -1;
		}
		uint64_t r = rights_of(spec, h);
		if (!(r & RIGHT_TRANSFER)) {
			sh_error("run: '%s' cannot be passed on", spec);
			return -1;
		}
		return add(gs, spec, h, r);
	}
	/* a URI or path, with an optional :<rights> */
	char uri[512];
	uint64_t rights = NS_RIGHTS_SAME;
	snprintf(uri, sizeof(uri), "%s", spec);
	char *colon = strrchr(uri, ':');
	if (colon && colon > uri + (sep ? sep - spec : 0) && colon[1] != '/') {
		if (!parse_rights(colon + 1, &rights)) {
			sh_error("run: '%s': rights are letters of rwm", spec);
			return -1;
		}
		*colon = 0;
	}
	char scheme[32] = "fs";
	if (sep) {
		size_t n = (size_t)(sep - spec);
		if (n >= sizeof(scheme)) {
			sh_error("run: '%s': bad scheme", spec);
			return -1;
		}
		memcpy(scheme, spec, n);
		scheme[n] = 0;
	}
	handle_t h;
	long r = ch_uri_open(uri, NS_TYPE_DIR, 0, rights, &h);
	const char *name = NULL;
	char nsname[SH_NAME_MAX];
	if (r == 0) {
		snprintf(nsname, sizeof(nsname), "ns.%s", scheme);
		name = nsname;
	} else if (r == ERR_WRONG_TYPE) { /* a file or a service: by its last name */
		r = ch_uri_open(uri, NS_TYPE_ANY, 0, rights, &h);
		const char *last = strrchr(uri, '/');
		name = last && last[1] ? last + 1 : uri;
		if (strlen(name) >= SH_NAME_MAX) {
			if (r >= 0)
				ch_cap_drop(h);
			sh_error("run: '%s': name too long for a grant", spec);
			return -1;
		}
	}
	if (r < 0) {
		sh_error("run: %s: %s", uri, ch_error_name(r));
		return -1;
	}
	gs->opened[gs->nopened++] = h;
	uint64_t have = rights_of(name, h);
	return add(gs, name, h, have);
}

/* ---- caps ---- */

static void show(int out, const char *name, handle_t h)
{
	struct cap_info ci;
	char rights[160];
	long r = ch_cap_inspect(h, &ci);
	if (r < 0) {
		sh_printf(out, "%-16s %6u  (cannot inspect: %s)\n", name, (unsigned)h,
		          ch_error_name(r));
		return;
	}
	ch_rights_format(ci.rights, rights, sizeof(rights));
	sh_printf(out, "%-16s %6u  %-14s %-8llx %s\n", name, (unsigned)h, ch_obj_type_name(ci.type),
	          (unsigned long long)ci.badge, rights);
}

int sh_caps(struct sh *sh, int argc, char **argv, int out)
{
	if (argc < 2) {
		const struct start_info *si = ch_start_info();
		sh_printf(out, "%-16s %6s  %-14s %-8s %s\n", "NAME", "HANDLE", "TYPE", "BADGE",
		          "RIGHTS");
		for (unsigned i = 0; si && i < si->nhandles && i < START_MAX_HANDLES; i++) {
			char name[SH_NAME_MAX];
			snprintf(name, sizeof(name), "%.23s", si->handles[i].name);
			show(out, name, si->handles[i].handle);
		}
		static const char *const fdn[3] = {"fd 0", "fd 1", "fd 2"};
		for (int k = 0; k < 3; k++) {
			handle_t h = ch_fd_handle(k);
			if (h != HANDLE_INVALID)
				show(out, fdn[k], h);
		}
		return 0;
	}
	if (argv[1][0] == '%') {
		struct sh_job *j = sh_job_find(sh, argv[1]);
		if (!j) {
			sh_error("caps: %s: no such job", argv[1]);
			return 1;
		}
		for (unsigned p = 0; p < j->nprocs; p++) {
			const struct sh_proc *pr = &j->procs[p];
			sh_printf(out, "%s (%s):\n", pr->name, pr->running ? "running" : "ended");
			sh_printf(out, "  %-16s %-14s %s\n", "NAME", "TYPE", "RIGHTS");
			sh_printf(out, "  %-16s %-14s %s\n", "self.process", "process", "all");
			sh_printf(out, "  %-16s %-14s %s\n", "self.as", "address-space", "all");
			if (pr->child.pool != HANDLE_INVALID)
				sh_printf(out, "  %-16s %-14s %s\n", "pool", "memory-pool", "all");
			for (unsigned i = 0; i < pr->ngrants; i++) {
				char rights[160];
				ch_rights_format(pr->grants[i].rights, rights, sizeof(rights));
				sh_printf(out, "  %-16s %-14s %s\n", pr->grants[i].name,
				          ch_obj_type_name(pr->grants[i].type), rights);
			}
		}
		return 0;
	}
	/* another process: what proc:// shows of it */
	char uri[64];
	snprintf(uri, sizeof(uri), "proc:///%s", argv[1]);
	size_t len;
	char *text = sh_read_file(uri, &len);
	if (!text) {
		sh_error("caps: %s: not a job of this shell, and %s cannot be read", argv[1], uri);
		return 1;
	}
	sh_printf(out, "%s(only a count of its capabilities is visible from here)\n", text);
	free(text);
	return 0;
}
