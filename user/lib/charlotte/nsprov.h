/*
 * nsprov.h - the provider framework: serve a namespace subtree over kbus.
 *
 * A provider implements the operations of struct ns_provider_ops on its own
 * node ids; ns_provider_handle() decodes one request of the provider
 * protocol (abi/ns.h), calls the operation and encodes the reply, and
 * ns_provider_serve() is the receive/reply loop around it. A new provider is
 * its data structure plus this table: user/tmpfs is the example.
 *
 * Requests come from the kernel, which has checked rights and normalized
 * paths, but the framework still checks every length before it reads, so a
 * malformed request gets ERR_MALFORMED, never a read out of bounds. An
 * operation left NULL answers ERR_NOT_SUPPORTED.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <abi/handle.h>
#include <abi/ns.h>

/* What a walk found (NS_WALK_NODE, or NS_WALK_LINK with the link's target). */
struct ns_walk_out {
	uint64_t node;
	uint32_t type;
	unsigned consumed; /* names resolved, a link stop's own name included */
	const char *link; /* NS_WALK_LINK: target bytes, valid until the next call */
	size_t link_len;
};

struct ns_provider_ops {
	/* Returns NS_WALK_NODE, NS_WALK_LINK or an ERR_* (follow: follow a last-name link). */
	int (*walk)(void *ctx, uint64_t node, const char *path, size_t len, bool follow,
	            struct ns_walk_out *out);
	int (*create)(void *ctx, uint64_t dir, const char *name, size_t len, uint32_t type,
	              bool exclusive, uint64_t *node);
	int (*symlink)(void *ctx, uint64_t dir, const char *name, size_t len, const char *target,
	               size_t tlen, uint64_t *node);
	int (*link)(void *ctx, uint64_t dir, const char *name, size_t len, uint64_t node);
	int (*unlink)(void *ctx, uint64_t dir, const char *name, size_t len, unsigned flags);
	int (*rename)(void *ctx, uint64_t dir1, const char *from, size_t flen, uint64_t dir2,
	              const char *to, size_t tlen);
	int (*stat)(void *ctx, uint64_t node, struct ns_stat *out);
	/* struct ns_dirent records from *cookie; bytes written (0: the end). */
	long (*list)(void *ctx, uint64_t dir, uint64_t *cookie, void *buf, size_t cap);
	long (*read)(void *ctx, uint64_t node, uint64_t off, void *buf, size_t len);
	long (*write)(void *ctx, uint64_t node, uint64_t off, const void *buf, size_t len);
	int (*truncate)(void *ctx, uint64_t node, uint64_t size);
	/* A link's target: copies at most cap bytes, returns its whole length. */
	long (*readlink)(void *ctx, uint64_t node, char *buf, size_t cap);
	/* Send dir's events (NS_EVENT_* mask) to endpoint ep; on success the provider
	 * keeps ep (it drops it when the watch ends). */
	int (*watch)(void *ctx, uint64_t dir, uint32_t mask, handle_t ep);
	/* The kernel made a capability to node (a walk's result) / dropped it. */
	int (*hold)(void *ctx, uint64_t node);
	void (*release)(void *ctx, uint64_t node);
	/* Write the whole file system back (node: any of it; flags NS_SYNC_*, checked). */
	int (*sync)(void *ctx, uint64_t node, uint32_t flags);
	/* The file system's figures (out zeroed first; the kernel checks them). */
	int (*statfs)(void *ctx, uint64_t node, struct ns_statfs *out);
	/* Change what sa->valid names (checked: known bits, mode within 07777, a time not
	 * both given and NOW) and set ctime to now; keep the entry's type. */
	int (*setattr)(void *ctx, uint64_t node, const struct ns_setattr *sa);
	/* A memory capability showing file node with rights (NS_MAP_RIGHTS, RIGHT_READ among
	 * them) and RIGHT_MAP and RIGHT_TRANSFER, in *out: the reply moves it to the kernel,
	 * which hands the caller a derived one (SYS_NS_MAP). */
	int (*map)(void *ctx, uint64_t node, uint64_t rights, handle_t *out);
};

/*
 * Handle the request of req_len bytes at req, writing the reply into rep
 * (rep_cap >= NS_MSG_MAX, 8-byte aligned: the header and a stat are written
 * there in place). Returns the reply's length, or 0 when the request takes no
 * reply (NS_OP_RELEASE). Allocates nothing.
 */
size_t ns_provider_handle(const struct ns_provider_ops *ops, void *ctx, const void *req,
                          size_t req_len, void *rep, size_t rep_cap);
/*
 * The same for a request that came with capabilities (handles[0..n), NS_OP_WATCH's
 * endpoint): an operation that keeps one sets its slot to HANDLE_INVALID; the
 * caller drops whatever is left.
 */
size_t ns_provider_handle_caps(const struct ns_provider_ops *ops, void *ctx, const void *req,
                               size_t req_len, handle_t *handles, unsigned nhandles, void *rep,
                               size_t rep_cap);

/*
 * The same, for a loop whose replies can carry a capability (NS_OP_MAP's): the one
 * the reply must carry (moved) is left in *reply_cap, else HANDLE_INVALID. Without
 * reply_cap, NS_OP_MAP answers ERR_NOT_SUPPORTED.
 */
size_t ns_provider_handle_reply(const struct ns_provider_ops *ops, void *ctx, const void *req,
                                size_t req_len, handle_t *handles, unsigned nhandles, void *rep,
                                size_t rep_cap, handle_t *reply_cap);

/*
 * Serve ops on ep (the endpoint SYS_NS_SERVE returned) until the kernel lets
 * go of the subtree (then 0) or receiving fails (the error). Allocates two
 * NS_MSG_MAX buffers.
 */
long ns_provider_serve(handle_t ep, const struct ns_provider_ops *ops, void *ctx);
