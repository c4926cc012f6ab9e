/*
 * ns.h - the namespace in the kernel: node capabilities, providers, resolution.
 *
 * docs/namespace.md is the design. In short: an OBJ_NS_NODE object names one
 * entry as (provider, the provider's node id, type). A provider is kernel
 * code behind struct ns_prov_ops: the kernel tree (kdir.c: the scheme
 * directories, bind points and services) or a process serving a subtree over
 * kbus (remote.c). Every operation checks the caller's rights here, then asks
 * the node's provider; resolution (ns_resolve) is the kernel's, so a
 * directory capability is a sandbox whatever its provider does.
 *
 * Memory: a node object is charged to the pool of the process that opened it
 * (NS_NODE_COST); kernel tree entries to the pool of whoever made them; a
 * request's buffers (at most NS_MSG_MAX + 2 paths, about 45 KiB) live only
 * during the call, one per thread in a namespace call.
 *
 * Locking: providers lock their own state; nothing here holds a lock across
 * a provider call (which may block on a kbus call to a process).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <abi/errors.h>
#include <abi/ns.h>
#include <lib/spinlock.h>
#include <obj/object.h>
#include <shared/ns_resolve.h>

struct mem_pool;
struct endpoint;
struct cspace;
struct kbus_kcap;
struct memory;
struct ns_prov;

/* What one resolution step is asked for, and where it puts what it finds. */
struct ns_walk {
	uint32_t flags; /* NS_WALK_FOLLOW (this step), NS_WALK_STAT (the resolution) */
	uint64_t timeout;
	char *linkbuf; /* NS_PATH_MAX + 1 bytes: a link's target */
	struct ns_stat *st; /* NS_WALK_STAT: the attributes of the node a NODE step reaches */
	bool stat_done; /* the NODE step filled *st and holds nothing */
	uint64_t mask; /* rights the binds crossed allow (each bind: its binder's rights) */
};

/* A provider: its ops and a reference count (ns_prov_get / ns_prov_put). */
struct ns_prov_ops {
	/*
	 * One resolution step from node (ns_resolve's step): NS_STEP_* or an
	 * error. A link's target is copied into w->linkbuf. A NODE result holds
	 * the node for the kernel until release(), unless it answered
	 * NS_WALK_STAT (w->stat_done); a CROSS result holds a reference on
	 * out->at.prov for the caller to put.
	 */
	int (*step)(struct ns_prov *p, uint64_t node, const char *path, size_t len,
	            struct ns_walk *w, struct ns_step *out);
	/*
	 * Every other operation: the request q (its strings follow it in memory,
	 * q->len1 + q->len2 bytes); the reply (a struct ns_rep, then its bytes)
	 * into reply, at most cap bytes. Returns the reply's length, or an error
	 * of the transport (ERR_PEER_CLOSED, ERR_TIMED_OUT, ERR_INTERRUPTED...).
	 * The reply is checked by the caller (ns.c), never trusted.
	 */
	long (*call)(struct ns_prov *p, const struct ns_req *q, void *reply, size_t cap,
	             uint64_t timeout);
	/* Send dir's events (mask) to the endpoint handle h of cs (a copy of it goes to
	 * the provider). NULL: the provider has no events (ERR_NOT_SUPPORTED). */
	int (*watch)(struct ns_prov *p, uint64_t dir, uint32_t mask, struct cspace *cs, handle_t h,
	             uint64_t timeout);
	/*
	 * NS_OP_MAP of file node with the caller's capability rights (q->rights)
	 * and the rights wanted (q->arg): the memory capability the provider
	 * answers, derived into cs with its rights cut to mask (kbus_kernel_call_cap,
	 * kc). Returns the reply's length or a transport error, as call(). NULL:
	 * the provider maps nothing (ERR_NOT_SUPPORTED).
	 */
	long (*map)(struct ns_prov *p, const struct ns_req *q, void *reply, size_t cap,
	            uint64_t timeout, struct kbus_kcap *kc);
	/* The kernel dropped what a NODE step or a create held. */
	void (*release)(struct ns_prov *p, uint64_t node);
	/* The last reference went: free the provider. */
	void (*destroy)(struct ns_prov *p);
};

struct ns_prov {
	const struct ns_prov_ops *ops;
	uint32_t refs; /* atomic */
	uint32_t id; /* for rename/link: same provider or ERR_CROSS_PROVIDER */
	uint32_t nbinds; /* atomic: binds inside its subtree (overlay.c) */
};

void ns_prov_init(struct ns_prov *p, const struct ns_prov_ops *ops);

/* An error a provider answered, if it is one of abi/errors.h's; anything else is
 * ERR_MALFORMED (a provider's answers are never trusted). */
static inline int ns_provider_error(int32_t status)
{
	return status < 0 && status > -100 ? status : ERR_MALFORMED;
}
void ns_prov_get(struct ns_prov *p);
void ns_prov_put(struct ns_prov *p);

/* The object behind a namespace capability. */
struct ns_node {
	struct kobject obj;
	struct ns_prov *prov; /* reference held */
	uint64_t node; /* held from the provider until the object dies */
	uint32_t type; /* enum ns_type, fixed */
	struct mem_pool *pool; /* charged NS_NODE_COST; reference held */
	/* A file's memory object reads are served from (ns_read_user), reference held
	 * (NULL: none yet), under lock; no_content: its provider gives none. */
	struct spinlock lock;
	struct memory *content;
	bool no_content;
};

/* What a node object costs its opener's pool (the object, as kmalloc rounds it). */
#define NS_NODE_COST 128

/* The node obj is (obj must be an OBJ_NS_NODE: KOBJECT_CAST). */
struct ns_node *ns_node_from(struct kobject *obj);

/*
 * Make a node object for (prov, node, type), which the caller holds from
 * the provider: on success the object owns that hold; on failure it is
 * released. Charged to pool. Errors: ERR_NO_MEMORY.
 */
int ns_node_create(struct ns_prov *prov, uint64_t node, uint32_t type, struct mem_pool *pool,
                   struct ns_node **out);

/* --- the kernel tree (kdir.c) --- */

/* Build the tree: a root with the directories fs, dev, proc and svc, and dev's class
 * directories block, net, input, display, serial, clock and rng. */
void ns_init(void);
/* A new node object for the root of the whole tree (for the first process). */
int ns_root_node(struct mem_pool *pool, struct ns_node **out);
/* Whether prov is the kernel tree. */
bool ns_is_kdir(const struct ns_prov *prov);

/*
 * Attach at name in the kernel directory dir: a node (target, which the
 * entry references) or an endpoint (svc) as an entry of type (NS_TYPE_SVC or
 * NS_TYPE_DEV_*: what an open must expect; ignored for a node, whose entry
 * has the target's type). rights are what the binder's
 * capability to it allows: a service's lookup gets them, and nothing reached
 * through a bound node gets more (struct ns_walk.mask). Replaces an existing bind or service of
 * that name (re-binding a restarted provider); an entry that is a plain
 * directory is ERR_ALREADY_EXISTS. Charged to pool. Errors: ERR_NOT_SUPPORTED
 * (dir is not in the kernel tree), ERR_NO_MEMORY, ERR_NO_RESOURCES
 * (KDIR_MAX_ENTRIES), ERR_INVALID_ARGS (name).
 */
int ns_kdir_bind(struct ns_node *dir, const char *name, size_t len, struct ns_node *target,
                 struct endpoint *svc, uint32_t type, uint64_t rights, struct mem_pool *pool);

/* An open's result that is a service: the endpoint (reference) and the rights to give. */
struct ns_svc_result {
	struct endpoint *ep;
	uint64_t rights;
};
/* If the kernel-tree node (held) is an endpoint entry (a service or a device), fill *out
 * (taking a reference): true. */
bool ns_kdir_service_at(uint64_t node, struct ns_svc_result *out);

/* --- binds inside a provider's subtree (overlay.c) --- */

/* Whether name (len bytes) may be bound in dir: ERR_WRONG_TYPE (dir is not a
 * directory), ERR_INVALID_ARGS (not one name, or "." / ".."), else 0. */
int ns_bind_check(const struct ns_node *dir, const char *name, size_t len);

/*
 * Bind node target at name in dir, a directory of a provider other than the
 * kernel tree; rights as ns_kdir_bind's. Replaces a bind of that name. Charged
 * to pool. Errors: ERR_WRONG_TYPE (dir is not a directory), ERR_INVALID_ARGS
 * (name), ERR_NO_MEMORY.
 */
int ns_overlay_bind(struct ns_node *dir, const char *name, size_t len, struct ns_node *target,
                    uint64_t rights, struct mem_pool *pool);
/* If a bind covers name in dir of prov: NS_STEP_CROSS into it (a reference on its
 * provider in out->at.prov, consumed 1, *mask narrowed to the binder's rights); else 0. */
int ns_overlay_find(struct ns_prov *prov, uint64_t dir, const char *name, size_t len,
                    uint64_t *mask, struct ns_step *out);
/* Remove the bind of name in dir of prov: 0, or ERR_NOT_FOUND when there is none. */
int ns_overlay_unbind(struct ns_prov *prov, uint64_t dir, const char *name, size_t len);
/* Drop every bind inside prov (it is going, or found dead). */
void ns_overlay_forget(struct ns_prov *prov);

/* --- proc:// (proc.c) --- */

/* The root of proc://, a kernel provider; the kernel tree binds it as "proc". */
struct ns_node *ns_proc_root(void);
/* Make obj a node object that lives as long as the kernel (charged to no pool). */
void ns_node_init_static(struct ns_node *n, struct ns_prov *prov, uint64_t node, uint32_t type);

/* --- providers served by processes (remote.c) --- */

/*
 * Serve name in the kernel directory dir by a process: make a channel paid
 * by pool, bind name to the provider behind its client end, and return the
 * server end (a reference) for the caller's capability. Errors as
 * ns_kdir_bind and kbus_channel_create.
 */
int ns_serve(struct ns_node *dir, const char *name, size_t len, struct mem_pool *pool,
             struct endpoint **server);

/* Node id of a served provider's root. */
#define NS_PROVIDER_ROOT 1

/* --- operations (ns.c) --- */

/* Default timeout of an operation that reaches a provider process. */
#define NS_TIMEOUT_DEFAULT UINT64_C(30000000000) /* 30 s */

/*
 * Open path (len bytes, kernel memory) below dir, whose capability has
 * dir_rights: rights wanted (a subset of dir_rights), expected type, flags
 * NS_OPEN_*. Returns 0 with a node object charged to pool in *out, or 1
 * for a service with its endpoint (a reference) and rights in *svc. Errors: ERR_ACCESS_DENIED, ERR_INVALID_ARGS, ERR_NOT_FOUND,
 * ERR_WRONG_TYPE, ERR_ALREADY_EXISTS, ERR_OUT_OF_RANGE, ERR_LOOP, ERR_NO_MEMORY,
 * ERR_PEER_CLOSED, ERR_TIMED_OUT, ERR_INTERRUPTED.
 */
int ns_open(struct ns_node *dir, uint64_t dir_rights, const char *path, size_t len, uint32_t type,
            uint32_t flags, uint64_t rights, uint64_t timeout, struct mem_pool *pool,
            struct ns_node **out, struct ns_svc_result *svc);

/* Attributes of n (its type is the kernel's). Errors: the provider's, ERR_MALFORMED. */
int ns_stat(struct ns_node *n, uint64_t timeout, struct ns_stat *out);
/* Attributes of what path (len bytes, kernel memory) names below dir: one provider call. */
int ns_stat_at(struct ns_node *dir, const char *path, size_t len, uint64_t timeout,
               struct ns_stat *out);
/* Listing records of directory n from *cookie into buf (at most cap, NS_IO_MAX bytes). */
long ns_list(struct ns_node *n, uint64_t *cookie, void *buf, size_t cap, uint64_t timeout);
/* Read / write at most NS_IO_MAX bytes of file n at off; the bytes done. */
long ns_read(struct ns_node *n, uint64_t off, void *buf, size_t len, uint64_t timeout);
long ns_write(struct ns_node *n, uint64_t off, const void *buf, size_t len, uint64_t timeout);
int ns_truncate(struct ns_node *n, uint64_t size, uint64_t timeout);
/* A link's target (at most cap bytes copied); its whole length. */
long ns_readlink(struct ns_node *n, char *buf, size_t cap, uint64_t timeout);
/* Remove path below dir (NS_UNLINK_DIR: an empty directory). */
int ns_unlink(struct ns_node *dir, const char *path, size_t len, uint32_t flags, uint64_t timeout);
/* Move path below dir to path2 below dir2, replacing; one provider (ERR_CROSS_PROVIDER). */
int ns_rename(struct ns_node *dir, const char *path, size_t len, struct ns_node *dir2,
              const char *path2, size_t len2, uint64_t timeout);
/* Make path below dir a link to target. */
int ns_symlink(struct ns_node *dir, const char *path, size_t len, const char *target, size_t tlen,
               uint64_t timeout);
/* Watch directory n: its events go to the endpoint h of cs (ns_prov_ops.watch). */
int ns_watch(struct ns_node *n, uint32_t mask, struct cspace *cs, handle_t h, uint64_t timeout);
/* Give node another name, path below dir (a hard link; same provider). */
int ns_link(struct ns_node *dir, const char *path, size_t len, struct ns_node *node,
            uint64_t timeout);
/* Write back everything of n's file system (NS_SYNC_* flags; the caller checked the
 * rights). Errors: the provider's (ERR_NOT_SUPPORTED), ERR_INVALID_ARGS, transport. */
int ns_sync(struct ns_node *n, uint32_t flags, uint64_t timeout);
/* The figures of n's file system, checked (ERR_MALFORMED when they do not add up). */
int ns_statfs(struct ns_node *n, uint64_t timeout, struct ns_statfs *out);
/* Change what sa->valid names of n (the caller checked the rights). Errors:
 * ERR_INVALID_ARGS (unknown bits, a mode outside 07777, a time both given and
 * NOW), the provider's (ERR_NOT_SUPPORTED, ERR_ACCESS_DENIED), transport. */
int ns_setattr(struct ns_node *n, const struct ns_setattr *sa, uint64_t timeout);
/*
 * Read up to len bytes (at most NS_IO_MAX) of file n from off into user memory at
 * uptr: from the file's memory object when its provider gives one (NS_OP_MAP, kept
 * in the node; SYS_MEM_SET_CONTENT bounds it), else through the provider's
 * NS_OP_READ. Returns the bytes read (0: the end) or an error.
 */
long ns_read_user(struct ns_node *n, uint64_t off, uint64_t uptr, size_t len, uint64_t timeout);
/* The memory object showing file n, from its provider (ns_prov_ops.map), as a capability
 * in cs with the rights want (NS_MAP_RIGHTS; the caller checked them against its
 * capability's, rights) and those SYS_NS_MAP adds; its size in *size. Errors:
 * ERR_WRONG_TYPE, the provider's (ERR_NOT_SUPPORTED), ERR_MALFORMED (no memory
 * capability, or one without the rights asked), ERR_NO_RESOURCES (cs full), transport. */
int ns_map(struct ns_node *n, uint64_t rights, uint64_t want, uint64_t timeout, struct cspace *cs,
           handle_t *out, uint64_t *size);
