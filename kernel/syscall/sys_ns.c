/*
 * sys_ns.c - the actions on namespace capabilities (abi/ns.h, kernel/ns).
 *
 * The dispatcher has decoded the target (an OBJ_NS_NODE with the row's
 * rights). These copy paths and buffers in (each at most NS_PATH_MAX or
 * NS_IO_MAX bytes, so a request's kernel memory is bounded per thread),
 * check the namespace rights an operation needs beyond the row's, call
 * kernel/ns, and write results last. Node objects an open makes are charged
 * to the caller's process pool.
 */
#include <syscall/syscall.h>

#include <abi/errors.h>
#include <abi/ns.h>
#include <abi/rights.h>
#include <cap/cap.h>
#include <kbus/kbus.h>
#include <lib/compiler.h>
#include <mm/kmalloc.h>
#include <mm/uaccess.h>
#include <ns/ns.h>
#include <obj/process.h>
#include <sched/sched.h>

/* Rights of the server end SYS_NS_SERVE hands a provider. */
#define NS_SERVER_RIGHTS \
	(RIGHT_SEND | RIGHT_RECV | RIGHT_WAIT | RIGHT_INSPECT | RIGHT_TRANSFER | RIGHT_DUPLICATE)

static uint64_t timeout_of(uint64_t t)
{
	return t ? t : NS_TIMEOUT_DEFAULT;
}

/* The pool of the calling process: what its node objects are charged to. */
static struct mem_pool *caller_pool(void)
{
	return sched_current()->uthread->proc->pool;
}

/*
 * A user path or name copied in: into the struct itself when it is short (the
 * common case: no allocation on a lookup's path), else into a kmalloc'd
 * buffer. put_path() frees what copy_path() took.
 */
#define PATH_INLINE 128
struct kpath {
	char *s;
	char small[PATH_INLINE];
};

static int copy_path(uint64_t uptr, uint64_t len, struct kpath *out)
{
	out->s = NULL;
	if (len > NS_PATH_MAX)
		return ERR_OUT_OF_RANGE;
	char *buf = len <= PATH_INLINE ? out->small : kmalloc(len ? len : 1);
	if (!buf)
		return ERR_NO_MEMORY;
	int err = copy_from_user(buf, uptr, len);
	if (err) {
		if (buf != out->small)
			kfree(buf);
		return err;
	}
	out->s = buf;
	return 0;
}

static void put_path(struct kpath *p)
{
	if (p->s != p->small)
		kfree(p->s);
}

long sys_ns_open(struct cspace *cs, struct ns_node *dir, const struct cap_ref *cap,
                 const uint64_t *a)
{
	struct ns_open_args args;
	struct kpath path;
	int err = copy_from_user(&args, a[2], sizeof(args));
	if (err || (err = copy_path(a[0], a[1], &path)))
		return err;
	uint64_t rights = args.rights == NS_RIGHTS_SAME ? cap->rights : args.rights;
	struct ns_node *node = NULL;
	struct ns_svc_result svc = {0};
	int r = ns_open(dir, cap->rights, path.s, a[1], args.type, args.flags, rights,
	                timeout_of(args.timeout), caller_pool(), &node, &svc);
	put_path(&path);
	if (r == 0)
		return syscall_publish(cs, &node->obj, rights, a[3]);
	if (r == 1) {
		err = syscall_publish(cs, endpoint_obj(svc.ep), svc.rights, a[3]);
		return err ? err : 1;
	}
	return r;
}

long sys_ns_stat(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap, const uint64_t *a)
{
	(void)cs;
	struct ns_stat st;
	int err;
	if (a[3] == 0) {
		err = ns_stat(n, timeout_of(a[1]), &st);
	} else {
		struct kpath path;
		if (!(cap->rights & RIGHT_LOOKUP))
			return ERR_ACCESS_DENIED;
		if ((err = copy_path(a[2], a[3], &path)))
			return err;
		err = ns_stat_at(n, path.s, a[3], timeout_of(a[1]), &st);
		put_path(&path);
	}
	return err ? err : copy_to_user(a[0], &st, sizeof(st));
}

long sys_ns_list(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap, const uint64_t *a)
{
	(void)cs, (void)cap;
	uint64_t cookie;
	size_t size = MIN(a[2], (uint64_t)NS_IO_MAX);
	int err = copy_from_user(&cookie, a[0], sizeof(cookie));
	if (err)
		return err;
	if (!user_range_ok(a[1], size))
		return ERR_BAD_ADDRESS;
	void *buf = kmalloc(size ? size : 1);
	if (!buf)
		return ERR_NO_MEMORY;
	long got = ns_list(n, &cookie, buf, size, timeout_of(a[3]));
	if (got >= 0 && ((err = copy_to_user(a[1], buf, (size_t)got)) ||
	                 (err = copy_to_user(a[0], &cookie, sizeof(cookie)))))
		got = err;
	kfree(buf);
	return got;
}

long sys_ns_read(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap, const uint64_t *a)
{
	(void)cs, (void)cap;
	size_t len = MIN(a[2], (uint64_t)NS_IO_MAX);
	if (!user_range_ok(a[1], len))
		return ERR_BAD_ADDRESS;
	return ns_read_user(n, a[0], a[1], len, timeout_of(a[3]));
}

long sys_ns_write(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cs, (void)cap;
	size_t len = MIN(a[2], (uint64_t)NS_IO_MAX);
	void *buf = kmalloc(len ? len : 1);
	if (!buf)
		return ERR_NO_MEMORY;
	long got = copy_from_user(buf, a[1], len);
	if (!got)
		got = ns_write(n, a[0], buf, len, timeout_of(a[3]));
	kfree(buf);
	return got;
}

long sys_ns_truncate(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)cap;
	return ns_truncate(n, a[0], timeout_of(a[1]));
}

long sys_ns_unlink(struct cspace *cs, struct ns_node *dir, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs;
	if (!(cap->rights & RIGHT_LOOKUP))
		return ERR_ACCESS_DENIED;
	if (a[2] > UINT32_MAX)
		return ERR_INVALID_ARGS;
	struct kpath path;
	int err = copy_path(a[0], a[1], &path);
	if (err)
		return err;
	err = ns_unlink(dir, path.s, a[1], (uint32_t)a[2], timeout_of(a[3]));
	put_path(&path);
	return err;
}

long sys_ns_rename(struct cspace *cs, struct ns_node *dir, const struct cap_ref *cap,
                   const uint64_t *a)
{
	if (!(cap->rights & RIGHT_LOOKUP))
		return ERR_ACCESS_DENIED;
	struct ns_path_arg to;
	struct cap_ref ref2;
	struct kpath path = {0}, path2 = {0};
	int err = copy_from_user(&to, a[3], sizeof(to));
	if (err)
		return err;
	if ((err = cap_lookup(cs, (handle_t)a[2], OBJ_NS_NODE, RIGHT_CREATE | RIGHT_LOOKUP, &ref2)))
		return err;
	if (!(err = copy_path(a[0], a[1], &path)) && !(err = copy_path(to.path, to.len, &path2)))
		err = ns_rename(dir, path.s, a[1], ns_node_from(ref2.obj), path2.s, to.len,
		                timeout_of(a[4]));
	put_path(&path);
	put_path(&path2);
	cap_ref_put(&ref2);
	return err;
}

long sys_ns_symlink(struct cspace *cs, struct ns_node *dir, const struct cap_ref *cap,
                    const uint64_t *a)
{
	(void)cs;
	if (!(cap->rights & RIGHT_LOOKUP))
		return ERR_ACCESS_DENIED;
	struct kpath path = {0}, target = {0};
	int err;
	if (!(err = copy_path(a[0], a[1], &path)) && !(err = copy_path(a[2], a[3], &target)))
		err = ns_symlink(dir, path.s, a[1], target.s, a[3], timeout_of(a[4]));
	put_path(&path);
	put_path(&target);
	return err;
}

long sys_ns_link(struct cspace *cs, struct ns_node *dir, const struct cap_ref *cap,
                 const uint64_t *a)
{
	if (!(cap->rights & RIGHT_LOOKUP))
		return ERR_ACCESS_DENIED;
	struct cap_ref ref;
	struct kpath path;
	int err = cap_lookup(cs, (handle_t)a[2], OBJ_NS_NODE, RIGHT_WRITE, &ref);
	if (err)
		return err;
	if (!(err = copy_path(a[0], a[1], &path))) {
		err = ns_link(dir, path.s, a[1], ns_node_from(ref.obj), timeout_of(a[3]));
		put_path(&path);
	}
	cap_ref_put(&ref);
	return err;
}

long sys_ns_readlink(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap,
                     const uint64_t *a)
{
	(void)cs, (void)cap;
	char *buf = kmalloc(NS_PATH_MAX);
	if (!buf)
		return ERR_NO_MEMORY;
	long got = ns_readlink(n, buf, NS_PATH_MAX, timeout_of(a[2]));
	if (got >= 0) {
		int err = copy_to_user(a[0], buf, MIN((size_t)got, (size_t)a[1]));
		if (err)
			got = err;
	}
	kfree(buf);
	return got;
}

long sys_ns_bind(struct cspace *cs, struct ns_node *dir, const struct cap_ref *cap,
                 const uint64_t *a)
{
	(void)cap;
	struct cap_ref what;
	struct kpath name;
	int err = cap_lookup(cs, (handle_t)a[2], OBJ_NONE, 0, &what);
	if (err)
		return err;
	enum obj_type type = what.obj->type;
	struct ns_node *target = type == OBJ_NS_NODE ? ns_node_from(what.obj) : NULL;
	struct endpoint *ep = type == OBJ_ENDPOINT ? endpoint_from(what.obj) : NULL;
	uint64_t etype = a[4] ? a[4] : NS_TYPE_SVC;
	if (!target && !ep)
		err = ERR_WRONG_TYPE;
	else if (target ? a[4] != 0 : !NS_TYPE_IS_ENDPOINT(etype))
		err =
		    ERR_INVALID_ARGS; /* a node keeps its own type; an endpoint is a svc or dev.* */
	else if (ep && (a[3] & ~what.rights))
		err = ERR_ACCESS_DENIED; /* a service gives at most what the binder holds */
	else if (!(err = copy_path(a[0], a[1], &name))) {
		/* a node: nothing reached through the bind gets more than the binder's rights */
		if (ns_is_kdir(dir->prov))
			err = ns_kdir_bind(dir, name.s, a[1], target, ep, (uint32_t)etype,
			                   target ? what.rights : a[3], caller_pool());
		else /* inside a provider's subtree: nodes only */
			err = target ? ns_overlay_bind(dir, name.s, a[1], target, what.rights,
			                               caller_pool())
			             : ERR_NOT_SUPPORTED;
		put_path(&name);
	}
	cap_ref_put(&what);
	return err;
}

long sys_ns_watch(struct cspace *cs, struct ns_node *dir, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cap;
	if (a[1] > UINT32_MAX)
		return ERR_INVALID_ARGS;
	struct cap_ref ep;
	/* the provider gets a copy: the watcher must be able to give one */
	int err = cap_lookup(cs, (handle_t)a[0], OBJ_ENDPOINT,
	                     RIGHT_SEND | RIGHT_TRANSFER | RIGHT_DUPLICATE, &ep);
	if (err)
		return err;
	cap_ref_put(&ep);
	return ns_watch(dir, (uint32_t)a[1], cs, (handle_t)a[0], timeout_of(a[2]));
}

long sys_ns_serve(struct cspace *cs, struct ns_node *dir, const struct cap_ref *cap,
                  const uint64_t *a)
{
	(void)cap;
	struct kpath name;
	struct endpoint *srv;
	int err = copy_path(a[0], a[1], &name);
	if (err)
		return err;
	err = ns_serve(dir, name.s, a[1], caller_pool(), &srv);
	put_path(&name);
	return err ? err : syscall_publish(cs, endpoint_obj(srv), NS_SERVER_RIGHTS, a[2]);
}

long sys_ns_sync(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap, const uint64_t *a)
{
	(void)cs;
	if (a[0] & ~(uint64_t)NS_SYNC_FLAGS_ALL)
		return ERR_INVALID_ARGS;
	/* keeping the file system as it is (shutdown's) is the manager's to ask */
	if ((a[0] & NS_SYNC_READ_ONLY) && !(cap->rights & RIGHT_MANAGE))
		return ERR_ACCESS_DENIED;
	return ns_sync(n, (uint32_t)a[0], timeout_of(a[1]));
}

long sys_ns_statfs(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap,
                   const uint64_t *a)
{
	(void)cs, (void)cap;
	struct ns_statfs st;
	int err = ns_statfs(n, timeout_of(a[1]), &st);
	return err ? err : copy_to_user(a[0], &st, sizeof(st));
}

long sys_ns_setattr(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap,
                    const uint64_t *a)
{
	(void)cs;
	struct ns_setattr sa;
	int err = copy_from_user(&sa, a[0], sizeof(sa));
	if (err)
		return err;
	/* giving a file away is the tree's administration, as binding is */
	if ((sa.valid & (NS_ATTR_UID | NS_ATTR_GID)) && !(cap->rights & RIGHT_MANAGE))
		return ERR_ACCESS_DENIED;
	return ns_setattr(n, &sa, timeout_of(a[1]));
}

long sys_ns_map(struct cspace *cs, struct ns_node *n, const struct cap_ref *cap, const uint64_t *a)
{
	uint64_t want = a[0] ? a[0] : RIGHT_READ;
	if (want & ~(uint64_t)NS_MAP_RIGHTS)
		return ERR_INVALID_ARGS;
	want |= RIGHT_READ; /* a mapping that cannot be read is no use */
	if (want & ~cap->rights)
		return ERR_ACCESS_DENIED; /* the file's rights bound the memory's */
	handle_t h;
	uint64_t size;
	int err = ns_map(n, cap->rights, want, timeout_of(a[3]), cs, &h, &size);
	if (err)
		return err;
	if (a[2] && copy_to_user(a[2], &size, sizeof(size))) {
		cap_drop(cs, h);
		return ERR_BAD_ADDRESS;
	}
	return syscall_put_handle(cs, h, a[1]);
}
