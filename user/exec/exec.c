/*
 * exec.c - Charlotte Exec, the first process.
 *
 * The kernel starts bin/exec from the initrd holding every initial capability ("log",
 * "pool", "initrd", "ns", "hw", "self.process", "self.as"; see docs/userspace.md) with
 * argv[1] = "test" when it boots in test mode. Exec reads etc/exec.manifest
 * (etc/test.manifest in test mode) from the initrd and, for each line in order,
 * starts the program with only the capabilities the line grants (grants.c), waits
 * for it to end and logs how:
 *     exec: bin/hello exited with code 0
 *     exec: bin/x killed
 *     exec: bin/y faulted: #PF page fault at 0x401234 (address 0x0)
 * In test mode every program that did not exit with code 0 (or could not be started)
 * is also reported as "VMTEST FAIL exec_<basename>: <how>"; the programs print their
 * own VMTEST PASS/FAIL lines. Malformed manifest lines are logged and skipped.
 *
 * Supervision. A line that serves a namespace node (serve:) or binds in dev://
 * (bind:) is a service, and a line naming devices (device:) a driver, started once
 * per matching device of the machine (enumerated from "hw"; a device goes to the
 * first line that matches it). Exec starts these and goes on without waiting; when
 * one ends, whatever the reason, it logs how and starts it again after a delay that
 * backs off, giving up (and logging so) after too many restarts in a window
 * (restart.h has the constants). A restarted service's serve: entry is served anew,
 * so clients that reopen reach the new process (those holding the old one's
 * capabilities see ERR_PEER_CLOSED); a driver binds its own entry again. A service
 * given up on has its served entry removed (clients then see ERR_NOT_FOUND).
 *
 * Drivers from the disk. On a normal boot, right after it has started the line that
 * serves fs:///disk (fsd), Exec reads the driver lines of
 * fs:///disk/etc/drivers.d/<x>.manifest (driversd.c; its first read waits for fsd to
 * answer): a third party's driver, installed without rebuilding the initrd, started
 * and supervised like the initrd's from an image Exec keeps in memory.
 *
 * Exec waits for everything on one waitset: the program of the current line, every
 * running service (KBUS_EV_EXITED) and a timer at the earliest pending restart. On a
 * normal boot it then supervises for as long as any service is left; with a named
 * manifest (test, bench) it ends the services once the manifest is done and exits
 * with 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <charlotte/hw.h>
#include <charlotte/initrd.h>
#include <charlotte/kbus.h>
#include <charlotte/names.h>
#include <charlotte/ns.h>
#include <charlotte/spawn.h>
#include <charlotte/start.h>
#include <charlotte/syscall.h>

#include "exec.h"
#include "restart.h"

static int test_mode;
static bool normal_boot; /* no manifest named: etc/exec.manifest, drivers from the disk */

/* Lines that are services or drivers, kept for their restarts. */
#define MAX_SUPERVISED_LINES 16u
static struct manifest_entry lines[MAX_SUPERVISED_LINES];
static unsigned nlines;
/* A disk's driver line's program (driversd.c), else NULL: the path is in the initrd. */
static struct {
	void *image;
	size_t len;
} line_images[MAX_SUPERVISED_LINES];

/* Running (or waiting to restart) services and driver instances. */
#define MAX_SERVICES 32u
struct service {
	const struct manifest_entry *line;
	handle_t device; /* a driver instance's device, else HANDLE_INVALID */
	char inst[3]; /* the instance name for '%' ("" unless device: or bind:) */
	struct ch_child child; /* .process == 0: not running */
	uint64_t restart_at; /* monotonic ns of a pending restart, 0: none */
	struct restart_log log;
};
static struct service services[MAX_SERVICES];
static unsigned nservices;

/* Devices (indexes under "hw") already given to a driver line. */
#define MAX_DEVICES 256
static bool device_taken[MAX_DEVICES];

static handle_t waitset;
#define KEY_TIMER UINT64_C(0x10000)
#define KEY_FOREGROUND UINT64_C(0x10001) /* services are keyed by index */

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

/* "bin/x" or "bin/x (vda)" for the log. */
static const char *service_name(const struct service *s, char *buf, size_t cap)
{
	if (s->inst[0])
		snprintf(buf, cap, "%s (%s)", s->line->path, s->inst);
	else
		snprintf(buf, cap, "%s", s->line->path);
	return buf;
}

/* The earliest pending restart arms the waitset's timer. */
static void arm_timer(void)
{
	uint64_t first = 0;
	for (unsigned i = 0; i < nservices; i++)
		if (services[i].restart_at && (!first || services[i].restart_at < first))
			first = services[i].restart_at;
	ch_waitset_timer(waitset, first, KEY_TIMER);
}

/* Start service s (its line's grants, its device and instance): 0 or an error, logged. */
static int service_start(struct service *s)
{
	static struct exec_start st;
	char how[160], name[MANIFEST_PATH_MAX + 8];
	struct ch_spawn_args a;
	int err = exec_prepare(s->line, s->device, s->inst, &st, &a, how, sizeof(how));
	a.image = line_images[s->line - lines].image;
	a.image_len = line_images[s->line - lines].len;
	if (!err) {
		err = ch_spawn(&a, &s->child);
		if (err)
			snprintf(how, sizeof(how), "not started: %s", ch_error_name(err));
	}
	exec_release(&st);
	service_name(s, name, sizeof(name));
	if (err) {
		report(name, 0, how);
		memset(&s->child, 0, sizeof(s->child));
		return err;
	}
	err = (int)ch_waitset_add(waitset, s->child.process, KBUS_EV_EXITED,
	                          (uint64_t)(s - services));
	if (err) { /* unsupervised is not an option: stop it */
		ch_proc_kill(s->child.process);
		ch_child_release(&s->child);
		snprintf(how, sizeof(how), "not started: cannot watch it: %s", ch_error_name(err));
		report(name, 0, how);
		return err;
	}
	printf("%s started\n", name);
	return 0;
}

/* A service that could not run: its served names go, so clients see ERR_NOT_FOUND. */
static void service_give_up(struct service *s)
{
	s->restart_at = 0;
	for (unsigned i = 0; i < s->line->ngrants; i++) {
		const struct manifest_grant *g = &s->line->grants[i];
		handle_t dir = g->serve_scheme[0] ? ch_ns_root(g->serve_scheme) : HANDLE_INVALID;
		if (dir != HANDLE_INVALID)
			ch_ns_unlink(dir, g->serve_name, strlen(g->serve_name), 0, 0);
	}
}

/* s ended (how) or could not start (how NULL; already logged): restart it later, or
 * give up on it. */
static void service_schedule(struct service *s, const char *how)
{
	char name[MANIFEST_PATH_MAX + 8];
	uint64_t now = (uint64_t)ch_clock_ns(), delay;
	service_name(s, name, sizeof(name));
	if (!restart_next(&s->log, now, &delay)) {
		printf("%s %s; given up: %u restarts within %llu s\n", name, how ? how : "failed",
		       EXEC_RESTART_MAX,
		       (unsigned long long)(EXEC_RESTART_WINDOW_NS / 1000000000u));
		service_give_up(s);
		return;
	}
	if (how)
		printf("%s %s; restarting in %llu ms\n", name, how,
		       (unsigned long long)(delay / 1000000u));
	s->restart_at = now + delay;
	arm_timer();
}

static void service_ended(struct service *s)
{
	struct proc_status st;
	char how[160];
	ch_waitset_remove(waitset, (uint64_t)(s - services));
	if (ch_proc_wait(s->child.process, 0, &st) < 0)
		snprintf(how, sizeof(how), "ended");
	else
		ch_proc_status_describe(&st, how, sizeof(how));
	ch_child_release(&s->child);
	service_schedule(s, how);
}

static void restart_due(void)
{
	uint64_t now = (uint64_t)ch_clock_ns();
	for (unsigned i = 0; i < nservices; i++) {
		struct service *s = &services[i];
		if (!s->restart_at || s->restart_at > now)
			continue;
		s->restart_at = 0;
		if (service_start(s))
			service_schedule(s, NULL);
	}
	arm_timer();
}

/* Wait for and act on events until the foreground program ends (foreground: true) or
 * until nothing is left to supervise. */
static void supervise(bool foreground)
{
	struct kbus_event ev[8];
	for (;;) {
		long n = ch_waitset_wait(waitset, ev, 8, UINT64_MAX);
		if (n < 0) {
			printf("waitset: %s\n", ch_error_name(n));
			return;
		}
		bool done = false;
		for (long i = 0; i < n; i++) {
			if (ev[i].key == KEY_TIMER)
				restart_due();
			else if (ev[i].key == KEY_FOREGROUND)
				done = true;
			else if (ev[i].key < nservices && services[ev[i].key].child.process)
				service_ended(&services[ev[i].key]);
		}
		if (done)
			return;
		if (!foreground) {
			bool left = false;
			for (unsigned i = 0; i < nservices; i++)
				left |= services[i].child.process || services[i].restart_at;
			if (!left)
				return;
		}
	}
}

/* Keep a copy of e for restarts (its args point into its own strings). */
static const struct manifest_entry *keep_line(const struct manifest_entry *e)
{
	if (nlines == MAX_SUPERVISED_LINES)
		return NULL;
	struct manifest_entry *k = &lines[nlines++];
	*k = *e;
	for (unsigned i = 0; i < e->nargs; i++)
		k->args[i] = k->strings + (e->args[i] - e->strings);
	return k;
}

/*
 * Tell tools such as `devices` who drives device and where: the driver's file name and
 * dev:///<class>/ with the line's arguments that hold a '%' as the instance expands them,
 * comma-separated (`-- kbd% mouse%` -> dev:///input/kbd0,mouse0). A description only: a failure is logged.
 */
static void label_device(const struct manifest_entry *line, handle_t device, const char *inst)
{
	struct hw_label l = {0};
	const char *base = strrchr(line->path, '/');
	snprintf(l.driver, sizeof(l.driver), "%s", base ? base + 1 : line->path);
	if (line->bind_class[0]) {
		size_t n = (size_t)snprintf(l.uri, sizeof(l.uri), "dev:///%s/", line->bind_class);
		const char *sep = "";
		for (unsigned i = 0; i < line->nargs && n < sizeof(l.uri); i++) {
			char word[sizeof(l.uri)];
			if (!strchr(line->args[i], '%') ||
			    manifest_expand_arg(line->args[i], inst, word, sizeof(word)))
				continue; /* only the arguments that name the instance */
			n += (size_t)snprintf(l.uri + n, sizeof(l.uri) - n, "%s%s", sep, word);
			sep = ",";
		}
	}
	long r = ch_dev_label(device, &l);
	if (r < 0)
		printf("%s: cannot label its device: %s\n", line->path, ch_error_name(r));
}

static void add_service(const struct manifest_entry *line, handle_t device, unsigned instance)
{
	char how[80];
	if (nservices == MAX_SERVICES) {
		snprintf(how, sizeof(how), "not started: more than %u services", MAX_SERVICES);
		report(line->path, 0, how);
		if (device != HANDLE_INVALID)
			ch_cap_drop(device);
		return;
	}
	struct service *s = &services[nservices++];
	*s = (struct service){.line = line, .device = device};
	if (line->ndevices || line->bind_class[0])
		manifest_instance_name(line->bind_class, instance, s->inst);
	if (device != HANDLE_INVALID)
		label_device(line, device, s->inst);
	if (service_start(s))
		service_schedule(s, NULL);
}

/* A driver line: one instance per device of the machine it matches; how many. */
static unsigned run_driver(const struct manifest_entry *line)
{
	handle_t root = ch_handle("hw");
	unsigned instances = 0;
	long r = 0;
	char how[120];
	for (uint32_t i = 0; root != HANDLE_INVALID && i < MAX_DEVICES; i++) {
		struct hw_device_info info;
		if ((r = ch_dev_enum(root, i, &info, NULL)) < 0)
			break;
		if (device_taken[i] || !manifest_device_matches(line, &info))
			continue;
		if (instances == MANIFEST_MAX_INSTANCES) {
			printf("%s: more than %u devices; %s left alone\n", line->path,
			       MANIFEST_MAX_INSTANCES, info.name);
			continue;
		}
		handle_t dev;
		if ((r = ch_dev_enum(root, i, &info, &dev)) < 0)
			break;
		device_taken[i] = true;
		add_service(line, dev, instances++);
	}
	if (root == HANDLE_INVALID || (r < 0 && r != ERR_OUT_OF_RANGE)) {
		snprintf(how, sizeof(how), "not started: cannot enumerate devices: %s",
		         root == HANDLE_INVALID ? "no \"hw\"" : ch_error_name(r));
		report(line->path, 0, how);
	} else if (!instances) {
		printf("%s: no device to drive\n", line->path);
	}
	return instances;
}

/* A line that runs to its end: start it and supervise until it has. */
static void run_foreground(const struct manifest_entry *e)
{
	static struct exec_start st;
	struct ch_spawn_args a;
	struct ch_child child;
	struct proc_status ps;
	char how[160];
	int err = exec_prepare(e, HANDLE_INVALID, "", &st, &a, how, sizeof(how));
	if (!err && (err = ch_spawn(&a, &child)))
		snprintf(how, sizeof(how), "not started: %s", ch_error_name(err));
	exec_release(&st);
	if (err) {
		report(e->path, 0, how);
		return;
	}
	long r = ch_waitset_add(waitset, child.process, KBUS_EV_EXITED, KEY_FOREGROUND);
	if (r == 0) {
		supervise(true);
		ch_waitset_remove(waitset, KEY_FOREGROUND);
		r = ch_proc_wait(child.process, 0, &ps);
	} else {
		r = ch_proc_wait(child.process, UINT64_MAX, &ps);
	}
	if (r < 0) {
		snprintf(how, sizeof(how), "could not be waited for: %s", ch_error_name(r));
		ch_proc_kill(child.process);
		report(e->path, 0, how);
	} else {
		ch_proc_status_describe(&ps, how, sizeof(how));
		report(e->path, ps.state == PROC_EXITED && ps.code == 0, how);
	}
	ch_child_release(&child);
}

/* A driver line of a disk's drivers.d (driversd.c) and its program's image. */
static void run_disk_driver(const struct manifest_entry *e, void *image, size_t len)
{
	const struct manifest_entry *line = keep_line(e);
	if (!line) {
		printf("%s: not started: more than %u service lines\n", e->path,
		       MAX_SUPERVISED_LINES);
		free(image);
		return;
	}
	line_images[line - lines].image = image;
	line_images[line - lines].len = len;
	if (!run_driver(line)) { /* nothing to drive: no service refers to the line */
		line_images[line - lines].image = NULL;
		free(image);
		nlines--; /* keep_line() took the last slot */
	}
}

/* Whether e serves the disk whose drivers.d Exec reads (fs:///disk). */
static bool serves_drivers_disk(const struct manifest_entry *e)
{
	for (unsigned i = 0; i < e->ngrants; i++)
		if (!strcmp(e->grants[i].serve_scheme, EXEC_DRIVERS_SCHEME) &&
		    !strcmp(e->grants[i].serve_name, EXEC_DRIVERS_DISK))
			return true;
	return false;
}

static void run(const struct manifest_entry *e)
{
	bool serves = false;
	for (unsigned i = 0; i < e->ngrants; i++)
		serves |= e->grants[i].serve_scheme[0] != '\0';
	if (!serves && !e->ndevices && !e->bind_class[0]) {
		run_foreground(e);
		return;
	}
	const struct manifest_entry *line = keep_line(e);
	if (!line) {
		char how[80];
		snprintf(how, sizeof(how), "not started: more than %u service lines",
		         MAX_SUPERVISED_LINES);
		report(e->path, 0, how);
	} else if (e->ndevices) {
		run_driver(line);
	} else {
		add_service(line, HANDLE_INVALID, 0);
		if (normal_boot && serves_drivers_disk(e))
			exec_drivers_dir(run_disk_driver);
	}
}

int main(int argc, char **argv)
{
	const char *path;
	const void *text;
	size_t len;
	struct manifest m;
	static struct manifest_entry e;
	int r;

	/* argv[1] names the manifest: "test" -> etc/test.manifest, "bench" -> ...; test
	 * mode for "test" and the test kernel's test<name> (tests/vm/boot.c manifest=) */
	static char named[64];
	test_mode = argc > 1 && strncmp(argv[1], "test", 4) == 0;
	normal_boot = argc <= 1;
	path = "etc/exec.manifest";
	if (argc > 1 && strlen(argv[1]) < 32 &&
	    strspn(argv[1], "abcdefghijklmnopqrstuvwxyz") == strlen(argv[1])) {
		snprintf(named, sizeof(named), "etc/%s.manifest", argv[1]);
		path = named;
	}
	printf("Charlotte Exec starting (%s)\n", path);

	int err = ch_initrd_find(path, &text, &len);
	if (!err)
		err = (int)ch_waitset_create(ch_handle("pool"), &waitset);
	if (err) {
		printf("cannot start %s: %s\n", path, ch_error_name(err));
		if (test_mode)
			printf("VMTEST FAIL exec_manifest: cannot start %s: %s\n", path,
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
	if (argc <= 1) /* a normal boot: services run on, restarted when they end */
		supervise(false);
	for (unsigned i = 0; i < nservices; i++) { /* test and bench end with nothing running */
		struct proc_status st;
		if (!services[i].child.process)
			continue;
		ch_proc_kill(services[i].child.process);
		ch_proc_wait(services[i].child.process, UINT64_MAX, &st);
		ch_child_release(&services[i].child);
	}
	return 0;
}
