/*
 * proc.c - proc://, the live processes, served by the kernel.
 *
 * A provider like any other (struct ns_prov_ops), bound at boot as the kernel
 * tree's "proc". Its root lists one entry per process, named by its pid
 * (decimal), of type "proc". Reading an entry gives its status as text (name,
 * state - "suspended" for a live process SYS_PROC_SUSPEND stopped -, exit code
 * or fault, threads, capabilities, memory its pool has paid, the CPU time its
 * threads ran and how often they were switched off a CPU, then one line per
 * running thread, up to PROC_THREADS_SHOWN of them: its object id, CPU,
 * weight, CPU time, switches, wake-ups and their mean and longest latency);
 * unlinking it kills the process (RIGHT_REMOVE on the directory). A node id is
 * (kernel object id << 12) | pid, so a capability to a process that has gone
 * never names the one that reuses its pid (ERR_NOT_FOUND).
 *
 * Nothing is held for the kernel (processes are found again by id); every
 * step takes and drops a reference on the process it looks at. An entry's
 * text is made in a buffer of struct proc_text allocated for the call and
 * freed before it returns (about 5 KiB per calling thread at most).
 */
#include <ns/ns.h>

#include <abi/errors.h>
#include <lib/compiler.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <obj/pool.h>
#include <obj/process.h>
#include <obj/thread.h>
#include <abi/syscall.h>
#include <cap/cap.h>

#define PROC_ROOT 1
#define PROC_THREADS_SHOWN 16u /* thread lines in an entry at most (threads_listed says) */
#define PROC_THREAD_LINE_MAX 224 /* one thread's line at its longest */
/* an entry's text at its longest (every number at its widest) */
#define PROC_TEXT_MAX (352 + PROC_THREADS_SHOWN * PROC_THREAD_LINE_MAX)
#define PID_BITS 12
_Static_assert(PROCESS_MAX_PIDS <= (1u << PID_BITS), "a pid fits a node id's low bits");

static struct ns_prov proc_prov;
static struct ns_node proc_root;

static uint64_t node_of(struct process *p)
{
	return p->obj.id << PID_BITS | p->pid;
}

/* The process node names, or NULL (a reference). */
static struct process *process_of(uint64_t node)
{
	struct process *p = process_by_pid((uint32_t)(node & ((1u << PID_BITS) - 1)));
	if (p && p->obj.id != node >> PID_BITS) {
		kobject_put(&p->obj);
		p = NULL;
	}
	return p;
}

/* A pid written as proc:// names it: 1-4 digits, no leading zero. */
static struct process *process_named(const char *name, size_t len)
{
	uint32_t pid = 0;
	if (len == 0 || len > 4 || name[0] == '0')
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return NULL;
		pid = pid * 10 + (uint32_t)(name[i] - '0');
	}
	return process_by_pid(pid);
}

static const char *state_name(uint32_t state)
{
	static const char *const names[] = {"running", "exited", "killed", "faulted"};
	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

/* What an entry's text is made from and in (kmalloc'd: too big for a kernel stack). */
struct proc_text {
	char text[PROC_TEXT_MAX];
	uint64_t ids[PROC_THREADS_SHOWN];
	struct thread_info info[PROC_THREADS_SHOWN];
};

static int append(char *buf, size_t cap, size_t *off, const char *fmt, ...) PRINTF_LIKE(4, 5);
static int append(char *buf, size_t cap, size_t *off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf + *off, cap - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = MIN(*off + (size_t)n, cap - 1);
	return n;
}

/* p's status as text into pt->text; its length. */
static size_t status_text(struct process *p, struct proc_text *pt)
{
	struct proc_status st;
	struct pool_info pi;
	process_get_status(p, &st);
	pool_info(p->pool, &pi);
	uint32_t caps = process_cap_count(p);
	bool suspended = st.state == PROC_RUNNING && (st.flags & PROC_FLAG_SUSPENDED);
	char *buf = pt->text;
	size_t cap = sizeof(pt->text), off = 0;
	append(buf, cap, &off,
	       "pid %u\nname %s\nstate %s\ncode %d\nthreads %u\ncapabilities %u\n"
	       "pool_used %llu\npool_quota %llu\ncpu_ns %llu\nswitches %llu\n",
	       p->pid, p->name, suspended ? "suspended" : state_name(st.state), st.code, st.threads,
	       caps, (unsigned long long)pi.used, (unsigned long long)pi.quota,
	       (unsigned long long)st.cpu_ns, (unsigned long long)st.switches);
	unsigned n = uthread_list_info(p, pt->ids, pt->info, PROC_THREADS_SHOWN);
	append(buf, cap, &off, "threads_listed %u\n", n);
	for (unsigned i = 0; i < n; i++) {
		const struct thread_info *ti = &pt->info[i];
		uint64_t mean = ti->wakeups ? ti->wake_ns_total / ti->wakeups : 0;
		append(buf, cap, &off,
		       "thread %llu cpu %u weight %u cpu_ns %llu switches %llu wakeups %llu "
		       "wake_mean_ns %llu wake_max_ns %llu\n",
		       (unsigned long long)pt->ids[i], ti->cpu, ti->weight,
		       (unsigned long long)ti->cpu_ns, (unsigned long long)ti->switches,
		       (unsigned long long)ti->wakeups, (unsigned long long)mean,
		       (unsigned long long)ti->wake_ns_max);
	}
	return off;
}

static void stat_of(uint64_t node, struct process *p, struct ns_stat *st)
{
	*st = (struct ns_stat){.node = node, .type = p ? NS_TYPE_PROC : NS_TYPE_DIR, .nlink = 1};
	struct proc_text *pt = p ? kmalloc(sizeof(*pt)) : NULL;
	if (pt)
		st->size = status_text(p, pt);
	kfree(pt);
}

static int proc_step(struct ns_prov *prov, uint64_t node, const char *path, size_t len,
                     struct ns_walk *w, struct ns_step *out)
{
	(void)prov;
	struct process *p = node == PROC_ROOT ? NULL : process_of(node);
	if (node != PROC_ROOT && !p)
		return ERR_NOT_FOUND;
	out->consumed = 0;
	if (len > 0) {
		size_t n = 0;
		while (n < len && path[n] != '/')
			n++;
		if (p) { /* a process has no entries below it */
			kobject_put(&p->obj);
			return ERR_WRONG_TYPE;
		}
		if (n < len) { /* "42/x": below a process */
			struct process *q = process_named(path, n);
			if (q)
				kobject_put(&q->obj);
			return q ? ERR_WRONG_TYPE : ERR_NOT_FOUND;
		}
		if (!(p = process_named(path, n)))
			return ERR_NOT_FOUND;
		out->consumed = 1;
		node = node_of(p);
	}
	out->at = (struct ns_at){&proc_prov, node};
	out->type = p ? NS_TYPE_PROC : NS_TYPE_DIR;
	if (w->flags & NS_WALK_STAT) {
		stat_of(node, p, w->st);
		w->stat_done = true;
	}
	if (p)
		kobject_put(&p->obj);
	return NS_STEP_NODE;
}

static long list_root(uint64_t *cookie, void *buf, size_t cap)
{
	size_t off = 0;
	uint32_t pid = (uint32_t)MIN(*cookie, (uint64_t)PROCESS_MAX_PIDS);
	struct process *p;
	while ((p = process_next_pid(&pid))) {
		char name[8];
		int n = ksnprintf(name, sizeof(name), "%u", pid);
		size_t rec = ALIGN_UP(sizeof(struct ns_dirent) + (size_t)n + 1, 8);
		if (rec > cap - off) {
			kobject_put(&p->obj);
			if (off == 0)
				return ERR_BUFFER_TOO_SMALL;
			break;
		}
		struct ns_dirent *de = (struct ns_dirent *)((char *)buf + off);
		memset(de, 0, rec);
		de->node = node_of(p);
		de->type = NS_TYPE_PROC;
		de->reclen = (uint16_t)rec;
		de->namelen = (uint16_t)n;
		memcpy(de->name, name, (size_t)n);
		kobject_put(&p->obj);
		off += rec;
		*cookie = pid;
	}
	return (long)off;
}

static long proc_call(struct ns_prov *prov, const struct ns_req *q, void *reply, size_t cap,
                      uint64_t timeout)
{
	(void)prov, (void)timeout;
	struct ns_rep *rep = reply;
	void *data = rep + 1;
	cap -= sizeof(*rep);
	memset(rep, 0, sizeof(*rep));
	struct process *p = q->node == PROC_ROOT ? NULL : process_of(q->node);
	if (q->node != PROC_ROOT && !p) {
		rep->status = ERR_NOT_FOUND;
		return sizeof(*rep);
	}
	switch (q->op) {
	case NS_OP_STAT:
		stat_of(q->node, p, data);
		rep->len = sizeof(struct ns_stat);
		break;
	case NS_OP_LIST: {
		uint64_t cookie = q->arg;
		long n = p ? ERR_WRONG_TYPE : list_root(&cookie, data, MIN(cap, (size_t)q->arg2));
		if (n < 0)
			rep->status = (int32_t)n;
		else
			rep->len = (uint32_t)n, rep->arg = cookie;
		break;
	}
	case NS_OP_READ: {
		struct proc_text *pt = p ? kmalloc(sizeof(*pt)) : NULL;
		size_t n = pt ? status_text(p, pt) : 0, off = 0;
		if (!p)
			rep->status = ERR_WRONG_TYPE;
		else if (!pt)
			rep->status = ERR_NO_MEMORY;
		else if (q->arg < n)
			off = (size_t)q->arg,
			rep->len = (uint32_t)MIN(n - off, MIN(cap, (size_t)q->arg2));
		if (pt)
			memcpy(data, pt->text + off, rep->len);
		kfree(pt);
		break;
	}
	case NS_OP_UNLINK: { /* removing a process's entry kills it */
		struct process *victim = p ? NULL : process_named((const char *)(q + 1), q->len1);
		if (p)
			rep->status = ERR_WRONG_TYPE;
		else if (!victim)
			rep->status = ERR_NOT_FOUND;
		else if (q->flags & NS_UNLINK_DIR)
			rep->status = ERR_WRONG_TYPE;
		else
			process_kill(victim, PROC_KILLED, 0);
		if (victim)
			kobject_put(&victim->obj);
		break;
	}
	default:
		rep->status = ERR_NOT_SUPPORTED;
		break;
	}
	if (p)
		kobject_put(&p->obj);
	return (long)(sizeof(*rep) + rep->len);
}

static void proc_release(struct ns_prov *prov, uint64_t node)
{
	(void)prov, (void)node; /* nothing is held: processes are found again by id */
}

static void proc_destroy(struct ns_prov *prov)
{
	(void)prov; /* lives as long as the kernel */
}

static const struct ns_prov_ops proc_ops = {
    .step = proc_step,
    .call = proc_call,
    .release = proc_release,
    .destroy = proc_destroy,
};

struct ns_node *ns_proc_root(void)
{
	ns_prov_init(&proc_prov, &proc_ops);
	ns_node_init_static(&proc_root, &proc_prov, PROC_ROOT, NS_TYPE_DIR);
	return &proc_root;
}
