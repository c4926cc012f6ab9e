/*
 * grants.c - the capabilities, pool and arguments Exec gives one program.
 *
 * A manifest line's grants become struct ch_grant entries (manifest.h has the
 * forms): a capability Exec holds by name, with Exec's own rights; a scheme root
 * ("ns.fs") opened below "ns"; a narrowed view (ns.fs:/tmp:r) opened below that
 * root with just the rights asked for; a node served now (serve:) whose provider
 * end the child gets; the device of a driver instance; the dev:///<class>
 * directory of a bind: line. Grants keep Exec's own rights unless the line
 * narrows them, so a child may pass them on; names starting with "self." are
 * refused (a child gets handles to itself from ch_spawn()). The log is the
 * exception: Exec holds it with every right, and grants it narrowed by name
 * ("log", "dmesg", "console": log_grant_rights()). "sh.<name>" grants what
 * <name> would, under the longer name (for bin/console, which hands its sh.*
 * capabilities to the programs it starts, as <name>). "clock" is the reading
 * entry of the wall clock (dev:///clock/rtc: reads only) for a program that sees
 * no dev:///clock otherwise (fsd), so its libc's CLOCK_REALTIME is Unix time
 * (docs/userspace.md).
 */
#include "exec.h"

#include <stdio.h>
#include <string.h>

#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

/* The rights Exec holds on h: cap_inspect when allowed, else what the kernel gives. */
static int rights_of(const char *name, handle_t h, uint64_t *rights)
{
	struct cap_info ci;

	if (ch_cap_inspect(h, &ci) == 0) {
		*rights = ci.rights;
		return 0;
	}
	if (strcmp(name, "log") == 0) {
		*rights = RIGHT_WRITE | RIGHT_TRANSFER | RIGHT_DUPLICATE;
		return 0;
	}
	return ERR_ACCESS_DENIED;
}

/*
 * The names the log is granted as, and the rights each gives (of those Exec
 * holds): "log" writes lines; "dmesg" reads the history too; "console" also
 * reads and writes the serial console (SYS_LOG_READ / SYS_LOG_RAW_WRITE) and
 * may watch it in a waitset. Each may be passed on, narrowed. 0: not a log name.
 */
static uint64_t log_grant_rights(const char *name)
{
	const uint64_t pass = RIGHT_TRANSFER | RIGHT_DUPLICATE | RIGHT_INSPECT;
	if (strcmp(name, "log") == 0)
		return RIGHT_WRITE | pass;
	if (strcmp(name, "dmesg") == 0)
		return RIGHT_READ | RIGHT_WRITE | pass;
	if (strcmp(name, "console") == 0)
		return RIGHT_READ | RIGHT_WRITE | RIGHT_MANAGE | RIGHT_WAIT | pass;
	return 0;
}

static int refuse(char *how, size_t cap, int err, const char *what, const char *name)
{
	snprintf(how, cap, "not started: %s '%s': %s", what, name, ch_error_name(err));
	return err;
}

/* Open path (absolute) below scheme's root as a directory with rights; kept in st. */
static long open_dir(struct exec_start *st, const char *scheme, const char *path, uint64_t rights,
                     handle_t *out)
{
	handle_t root = ch_ns_root(scheme);
	if (root == HANDLE_INVALID)
		return ERR_NOT_FOUND;
	struct ns_open_args oa = {.type = NS_TYPE_DIR, .rights = rights};
	while (*path == '/')
		path++;
	long r = ch_ns_open(root, path, strlen(path), &oa, out);
	if (r == 0)
		st->opened[st->nopened++] = *out;
	return r == 1 ? ERR_WRONG_TYPE : r;
}

/*
 * A view of our root device "hw" with rights (plus DUPLICATE and TRANSFER, so
 * that a shell can hand it on to the tool it runs): "hw.list", "power".
 */
static int hw_root_grant(const char *name, uint64_t rights, struct ch_grant *cg, char *how,
                         size_t cap)
{
	handle_t h = ch_handle("hw");
	if (h == HANDLE_INVALID) {
		snprintf(how, cap, "not started: no capability 'hw' to grant");
		return ERR_NOT_FOUND;
	}
	/* INSPECT too: a holder can tell what it holds (bin/console passes on only the
	   capabilities it can inspect); the root's own info lists no device */
	*cg = (struct ch_grant){name, h, rights | RIGHT_DUPLICATE | RIGHT_TRANSFER | RIGHT_INSPECT};
	return 0;
}

/*
 * The wall clock: the reading entry's endpoint, dev:///clock/rtc (the driver binds
 * it so that it can be handed on; it answers reads only, never CLOCK_MSG_SET: the
 * admin entry beside it is not reachable through this grant), once it is there:
 * waited for up to CLOCK_WAIT_NS (the driver's line comes earlier, and it binds
 * once it has read the RTC at a seconds edge).
 */
#define CLOCK_ENTRY "dev:///clock/rtc"
#define CLOCK_WAIT_NS 3000000000ull
#define CLOCK_GRANT_RIGHTS \
	(RIGHT_SEND | RIGHT_RECV | RIGHT_INSPECT | RIGHT_DUPLICATE | RIGHT_TRANSFER)
static int clock_grant(struct exec_start *st, struct ch_grant *cg, char *how, size_t cap)
{
	handle_t h;
	long r = ERR_NOT_FOUND;
	for (uint64_t waited = 0; r == ERR_NOT_FOUND && waited <= CLOCK_WAIT_NS;
	     waited += 20000000ull) {
		r = ch_uri_open(CLOCK_ENTRY, NS_TYPE_DEV_CLOCK, 0, NS_RIGHTS_SAME, &h);
		if (r == ERR_NOT_FOUND)
			ch_sleep_ns(20000000ull);
	}
	if (r == 0) { /* a node, not the driver's endpoint */
		ch_cap_drop(h);
		r = ERR_WRONG_TYPE;
	}
	if (r < 0)
		return refuse(how, cap, (int)r, "cannot open", CLOCK_ENTRY);
	st->opened[st->nopened++] = h;
	*cg = (struct ch_grant){cg->name, h, CLOCK_GRANT_RIGHTS};
	return 0;
}

/* One grant of the line (not a pool) into *cg; 0 or an error with *how. */
static int grant_one(const struct manifest_grant *g, struct exec_start *st, struct ch_grant *cg,
                     char *how, size_t cap)
{
	handle_t h;
	long r;
	if (strncmp(g->name, "sh.", 3) == 0 && g->name[3] && !g->view_path[0]) {
		/* sh.<name>: what <name> grants, under the longer name: bin/console passes
		 * its sh.* capabilities on to its sessions' programs without the prefix */
		struct manifest_grant inner = *g;
		memmove(inner.name, g->name + 3, strlen(g->name + 3) + 1);
		if (strcmp(inner.name, "pool") == 0) { /* Exec's own pool: never */
			snprintf(how, cap, "not started: no capability '%s' to grant", g->name);
			return ERR_NOT_FOUND;
		}
		int err = grant_one(&inner, st, cg, how, cap);
		cg->name = g->name;
		return err;
	}
	cg->name = g->name;
	if (g->serve_scheme[0]) { /* serve:<scheme>/<name>: the provider's endpoint */
		handle_t dir = ch_ns_root(g->serve_scheme);
		r = dir == HANDLE_INVALID
		        ? ERR_NOT_FOUND
		        : ch_ns_serve(dir, g->serve_name, strlen(g->serve_name), &h);
		if (r < 0)
			return refuse(how, cap, (int)r, "cannot serve", g->serve_name);
		st->opened[st->nopened++] = h;
		*cg = (struct ch_grant){"provider", h, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT};
		return 0;
	}
	if (g->view_path[0]) { /* ns.<scheme>:<path>[:<rights>] */
		uint64_t want = g->view_rights ? g->view_rights : NS_RIGHTS_SAME;
		if ((r = open_dir(st, g->name + 3, g->view_path, want, &h)) < 0)
			return refuse(how, cap, (int)r, "cannot open the view", g->view_path);
		cg->handle = h;
		if (g->view_rights) {
			cg->rights = g->view_rights;
			return 0;
		}
	} else if (log_grant_rights(g->name)) {
		/* the log, narrowed by the name it is granted as */
		if ((h = ch_handle("log")) == HANDLE_INVALID) {
			snprintf(how, cap, "not started: no capability 'log' to grant");
			return ERR_NOT_FOUND;
		}
		uint64_t have;
		if (rights_of("log", h, &have) < 0) {
			snprintf(how, cap, "not started: cannot tell the rights of 'log'");
			return ERR_ACCESS_DENIED;
		}
		*cg = (struct ch_grant){g->name, h, have & log_grant_rights(g->name)};
		return 0;
	} else if (strcmp(g->name, "hw.list") == 0) {
		/* the root device to look at and list, nothing more: no device it lists
		 * can be mapped, driven or configured through it */
		return hw_root_grant(g->name, RIGHT_INSPECT | RIGHT_ENUMERATE, cg, how, cap);
	} else if (strcmp(g->name, "kmem") == 0) {
		/* our pool, the machine's root, to read the machine's memory and the
		 * kernel heap (SYS_POOL_KMEM_INFO) and nothing more: no memory can be
		 * created from it or split off it */
		if ((h = ch_handle("pool")) == HANDLE_INVALID) {
			snprintf(how, cap, "not started: no capability 'pool' to grant");
			return ERR_NOT_FOUND;
		}
		*cg =
		    (struct ch_grant){g->name, h, RIGHT_INSPECT | RIGHT_DUPLICATE | RIGHT_TRANSFER};
		return 0;
	} else if (strcmp(g->name, "clock") == 0) {
		return clock_grant(st, cg, how, cap);
	} else if (strcmp(g->name, "power") == 0) {
		/* the root device to turn the machine off or reset it (SYS_HW_POWER),
		 * nothing more: it lists, maps and drives no device */
		return hw_root_grant(g->name, RIGHT_MANAGE, cg, how, cap);
	} else {
		h = ch_handle(g->name);
		if (h == HANDLE_INVALID && strncmp(g->name, "ns.", 3) == 0)
			h = ch_ns_root(g->name + 3); /* a scheme's root, opened below "ns" */
		if (strncmp(g->name, "self.", 5) == 0 || h == HANDLE_INVALID) {
			snprintf(how, cap, "not started: no capability '%s' to grant", g->name);
			return ERR_NOT_FOUND;
		}
		cg->handle = h;
	}
	if (rights_of(g->name, cg->handle, &cg->rights) < 0) {
		snprintf(how, cap, "not started: cannot tell the rights of '%s'", g->name);
		return ERR_ACCESS_DENIED;
	}
	return 0;
}

int exec_prepare(const struct manifest_entry *e, handle_t device, const char *inst,
                 struct exec_start *st, struct ch_spawn_args *a, char *how, size_t cap)
{
	memset(st, 0, sizeof(*st));
	*a = (struct ch_spawn_args){.path = e->path, .argv = st->argv, .grants = st->grants};
	for (unsigned i = 0; i < e->ngrants; i++) {
		const struct manifest_grant *g = &e->grants[i];
		if (g->pool_bytes) {
			a->child_pool = g->pool_bytes;
			continue;
		}
		int err = grant_one(g, st, &st->grants[a->ngrants], how, cap);
		if (err && strcmp(g->name, "clock") == 0) {
			/* no wall clock: the program's CLOCK_REALTIME counts from boot */
			printf("exec: %s: %s\n", e->path, how);
			continue;
		}
		if (err)
			return err;
		a->ngrants++;
	}
	if (device != HANDLE_INVALID) {
		struct ch_grant *cg = &st->grants[a->ngrants++];
		*cg = (struct ch_grant){"device", device, 0};
		if (rights_of("device", device, &cg->rights) < 0) {
			snprintf(how, cap, "not started: cannot tell the rights of its device");
			return ERR_ACCESS_DENIED;
		}
	}
	if (e->bind_class[0]) {
		handle_t h;
		long r = open_dir(st, "dev", e->bind_class,
		                  EXEC_CLASS_RIGHTS | RIGHT_TRANSFER | RIGHT_DUPLICATE, &h);
		if (r < 0)
			return refuse(how, cap, (int)r, "cannot open dev", e->bind_class);
		st->grants[a->ngrants++] = (struct ch_grant){"class", h, EXEC_CLASS_RIGHTS};
	}
	st->argv[0] = e->path;
	size_t off = 0;
	for (unsigned i = 0; i < e->nargs; i++) {
		const char *arg = e->args[i];
		if (e->ndevices || e->bind_class[0]) {
			if (manifest_expand_arg(arg, inst, st->args + off,
			                        sizeof(st->args) - off)) {
				snprintf(how, cap, "not started: arguments too long");
				return ERR_OUT_OF_RANGE;
			}
			arg = st->args + off;
			off += strlen(arg) + 1;
		}
		st->argv[i + 1] = arg;
	}
	st->argv[e->nargs + 1] = NULL;
	return 0;
}

void exec_release(struct exec_start *st)
{
	for (unsigned i = 0; i < st->nopened; i++)
		ch_cap_drop(st->opened[i]);
	st->nopened = 0;
}
