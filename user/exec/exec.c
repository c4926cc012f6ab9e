/*
 * exec.c - Charlotte Exec, the first process.
 *
 * The kernel starts bin/exec from the initrd holding every initial capability ("log",
 * "pool", "initrd", "self.process", "self.as"; see docs/userspace.md) with argv[1] =
 * "test" when it boots in test mode. Exec reads etc/exec.manifest (etc/test.manifest
 * in test mode) from the initrd and, for each line in order, starts the program with
 * only the capabilities the line grants, waits for it to end and logs how:
 *     exec: bin/hello exited with code 0
 *     exec: bin/x killed
 *     exec: bin/y faulted: #PF page fault at 0x401234 (address 0x0)
 * In test mode every program that did not exit with code 0 (or could not be started)
 * is also reported as "VMTEST FAIL exec_<basename>: <how>"; the programs print their
 * own VMTEST PASS/FAIL lines. Malformed manifest lines are logged and skipped. Exec
 * exits with 0 when the manifest is done.
 *
 * Grants keep Exec's own rights, so a child may pass them on; names starting with
 * "self." are refused (a child gets handles to itself from ch_spawn()).
 *
 * A line that serves a namespace node (grant serve:<scheme>/<name>, manifest.h) is a
 * service: Exec serves the node, grants the provider's endpoint as "provider", starts
 * the program and goes on without waiting for it; in test mode it ends services once
 * the manifest is done. FIXME: services are never restarted; a "restart crashed
 * services" mode (wait on all, restart with back-off) comes with the devices issue.
 */
#include <stdio.h>
#include <string.h>

#include <charlotte/initrd.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "manifest.h"

static int test_mode;

/* Services (lines that serve a namespace node) keep running; test mode ends them last. */
#define MAX_SERVICES 16
static struct ch_child services[MAX_SERVICES];
static unsigned nservices;

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Logs how path ended (or why it could not start); in test mode, anything but a clean
 * exit is a test failure. */
static void report(const char *path, int ok, const char *how)
{
	printf("%s %s\n", path, how);
	if (test_mode && !ok)
		printf("VMTEST FAIL exec_%s: %s\n", basename_of(path), how);
}

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

static void run(const struct manifest_entry *e)
{
	struct ch_grant grants[MANIFEST_MAX_GRANTS];
	const char *argv[MANIFEST_MAX_ARGS + 2];
	struct ch_spawn_args a = {.path = e->path, .argv = argv, .grants = grants};
	struct ch_child child;
	struct proc_status st;
	char how[160];
	handle_t served = HANDLE_INVALID;
	const struct manifest_grant *sg = NULL; /* the serve: grant */

	for (unsigned i = 0; i < e->ngrants; i++) {
		const struct manifest_grant *g = &e->grants[i];
		if (g->pool_bytes) {
			a.child_pool = g->pool_bytes;
			continue;
		}
		if (g->serve_scheme[0]) { /* serve:<scheme>/<name>: the provider's endpoint */
			handle_t dir = ch_ns_root(g->serve_scheme);
			long r =
			    dir == HANDLE_INVALID
			        ? ERR_NOT_FOUND
			        : ch_ns_serve(dir, g->serve_name, strlen(g->serve_name), &served);
			if (r < 0 || nservices == MAX_SERVICES) {
				snprintf(how, sizeof(how), "not started: cannot serve %s/%s: %s",
				         g->serve_scheme, g->serve_name,
				         r < 0 ? ch_error_name(r) : "too many services");
				report(e->path, 0, how);
				return;
			}
			sg = g;
			grants[a.ngrants++] = (struct ch_grant){
			    "provider", served, RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT};
			continue;
		}
		handle_t h = ch_handle(g->name);
		if (h == HANDLE_INVALID && strncmp(g->name, "ns.", 3) == 0)
			h = ch_ns_root(g->name + 3); /* a scheme's root, opened below "ns" */
		if (strncmp(g->name, "self.", 5) == 0 || h == HANDLE_INVALID) {
			snprintf(how, sizeof(how), "not started: no capability '%s' to grant",
			         g->name);
			report(e->path, 0, how);
			return;
		}
		struct ch_grant *cg = &grants[a.ngrants++];
		cg->name = g->name;
		cg->handle = h;
		if (rights_of(g->name, h, &cg->rights) < 0) {
			snprintf(how, sizeof(how), "not started: cannot tell the rights of '%s'",
			         g->name);
			report(e->path, 0, how);
			return;
		}
	}
	argv[0] = e->path;
	for (unsigned i = 0; i <= e->nargs; i++)
		argv[i + 1] = e->args[i];

	int err = ch_spawn(&a, &child);
	if (served != HANDLE_INVALID)
		ch_cap_drop(served); /* the provider holds its own now */
	if (err) {
		snprintf(how, sizeof(how), "not started: %s", ch_error_name(err));
		report(e->path, 0, how);
		return;
	}
	if (served != HANDLE_INVALID) { /* a service: it runs on */
		printf("%s serving %s:///%s\n", e->path, sg->serve_scheme, sg->serve_name);
		services[nservices++] = child;
		return;
	}
	long r = ch_proc_wait(child.process, UINT64_MAX, &st);
	if (r < 0) {
		snprintf(how, sizeof(how), "could not be waited for: %s", ch_error_name(r));
		ch_proc_kill(child.process);
		report(e->path, 0, how);
	} else {
		ch_proc_status_describe(&st, how, sizeof(how));
		report(e->path, st.state == PROC_EXITED && st.code == 0, how);
	}
	ch_child_release(&child);
}

int main(int argc, char **argv)
{
	const char *path;
	const void *text;
	size_t len;
	struct manifest m;
	static struct manifest_entry e;
	int r;

	/* argv[1] names the manifest: "test" -> etc/test.manifest, "bench" -> ... */
	static char named[64];
	test_mode = argc > 1 && strcmp(argv[1], "test") == 0;
	path = "etc/exec.manifest";
	if (argc > 1 && strlen(argv[1]) < 32 &&
	    strspn(argv[1], "abcdefghijklmnopqrstuvwxyz") == strlen(argv[1])) {
		snprintf(named, sizeof(named), "etc/%s.manifest", argv[1]);
		path = named;
	}
	printf("Charlotte Exec starting (%s)\n", path);

	int err = ch_initrd_find(path, &text, &len);
	if (err) {
		printf("cannot read %s: %s\n", path, ch_error_name(err));
		if (test_mode)
			printf("VMTEST FAIL exec_manifest: cannot read %s: %s\n", path,
			       ch_error_name(err));
		return 1;
	}
	manifest_init(&m, text, len);
	while ((r = manifest_next(&m, &e)) != 0) {
		if (r < 0) {
			printf("%s:%u: %s (line skipped)\n", path, m.line, m.error);
			if (test_mode)
				printf("VMTEST FAIL exec_manifest: %s:%u: %s\n", path, m.line,
				       m.error);
			continue;
		}
		run(&e);
	}
	printf("%s done\n", path);
	/* test mode ends with nothing left running; otherwise services outlive Exec */
	for (unsigned i = 0; test_mode && i < nservices; i++) {
		struct proc_status st;
		ch_proc_kill(services[i].process);
		ch_proc_wait(services[i].process, UINT64_MAX, &st);
		ch_child_release(&services[i]);
	}
	return 0;
}
