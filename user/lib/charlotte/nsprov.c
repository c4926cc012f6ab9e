/*
 * nsprov.c - decode a provider request, run the operation, encode the reply (nsprov.h).
 *
 * NS_OP_WALK is every lookup's and every stat's, so it goes first and does no
 * more than its checks: the reply header is written in place and a stat
 * copied there by assignment (no memset or memcpy call, nothing allocated).
 * Nothing is written past the reply a request gets (fuzz_nsprov checks).
 */
#include "nsprov.h"

#include <string.h>
#include <abi/errors.h>

/* The reply header at the start of rep with status and nothing after it. */
static size_t answer(void *rep, int status)
{
	*(struct ns_rep *)rep = (struct ns_rep){.status = status};
	return sizeof(struct ns_rep);
}

/* A reply carrying a node (create, symlink, a walk's end). */
static size_t answer_node(void *rep, int status, uint64_t node, uint32_t type)
{
	if (status < 0)
		return answer(rep, status);
	*(struct ns_rep *)rep = (struct ns_rep){.status = status, .type = type, .node = node};
	return sizeof(struct ns_rep);
}

static size_t do_walk(const struct ns_provider_ops *ops, void *ctx, const struct ns_req *q,
                      const char *s1, void *rep, size_t cap)
{
	struct ns_walk_out w = {0};
	int r = ops->walk(ctx, q->node, s1, q->len1, q->flags & NS_WALK_FOLLOW, &w);
	if (r < 0)
		return answer(rep, r);
	struct ns_rep *a = rep;
	if (r == NS_WALK_LINK) {
		if (w.link_len == 0 || w.link_len > NS_PATH_MAX || w.link_len > cap - sizeof(*a) ||
		    w.consumed == 0)
			return answer(rep, ERR_INTERNAL);
		answer(rep, NS_WALK_LINK);
		a->arg = w.consumed;
		a->len = (uint32_t)w.link_len;
		memcpy(a + 1, w.link, w.link_len);
		return sizeof(*a) + w.link_len;
	}
	if (r != NS_WALK_NODE)
		return answer(rep, ERR_INTERNAL);
	if (q->flags & NS_WALK_STAT) { /* the attributes instead of a hold, after the header */
		struct ns_stat st = {0}; /* what the provider does not fill reads 0 */
		if (!ops->stat)
			return answer(rep, ERR_NOT_SUPPORTED);
		if ((r = ops->stat(ctx, w.node, &st)) < 0)
			return answer(rep, r); /* nothing written past the reply */
		*(struct ns_stat *)(a + 1) = st;
		*a = (struct ns_rep){.status = NS_WALK_NODE,
		                     .type = w.type,
		                     .node = w.node,
		                     .arg = w.consumed,
		                     .len = sizeof(st)};
		return sizeof(*a) + sizeof(st);
	}
	/* the kernel will hold a capability to the node: keep it alive until RELEASE */
	if (ops->hold && (r = ops->hold(ctx, w.node)) < 0)
		return answer(rep, r);
	*a = (struct ns_rep){
	    .status = NS_WALK_NODE, .type = w.type, .node = w.node, .arg = w.consumed};
	return sizeof(*a);
}

/* A reply of bytes produced by fn into the space after the header (at most want bytes). */
static size_t answer_bytes(void *rep, size_t cap, long got, uint64_t arg)
{
	struct ns_rep *a = rep;
	if (got < 0)
		return answer(rep, (int)got);
	if ((size_t)got > cap - sizeof(*a))
		return answer(rep, ERR_INTERNAL);
	answer(rep, 0);
	a->len = (uint32_t)got;
	a->arg = arg;
	return sizeof(*a) + (size_t)got;
}

size_t ns_provider_handle(const struct ns_provider_ops *ops, void *ctx, const void *req,
                          size_t req_len, void *rep, size_t rep_cap)
{
	return ns_provider_handle_caps(ops, ctx, req, req_len, NULL, 0, rep, rep_cap);
}

size_t ns_provider_handle_caps(const struct ns_provider_ops *ops, void *ctx, const void *req,
                               size_t req_len, handle_t *handles, unsigned nhandles, void *rep,
                               size_t rep_cap)
{
	return ns_provider_handle_reply(ops, ctx, req, req_len, handles, nhandles, rep, rep_cap,
	                                NULL);
}

size_t ns_provider_handle_reply(const struct ns_provider_ops *ops, void *ctx, const void *req,
                                size_t req_len, handle_t *handles, unsigned nhandles, void *rep,
                                size_t rep_cap, handle_t *reply_cap)
{
	if (reply_cap)
		*reply_cap = HANDLE_INVALID;
	const struct ns_req *q = req;
	if (rep_cap < NS_MSG_MAX)
		return 0; /* a provider bug, not the peer's: nothing sensible to answer */
	if (req_len < sizeof(*q) || q->len1 > NS_MSG_MAX || q->len2 > NS_MSG_MAX ||
	    req_len - sizeof(*q) != (size_t)q->len1 + q->len2)
		return answer(rep, ERR_MALFORMED);
	const char *s1 = (const char *)(q + 1), *s2 = s1 + q->len1;
	if (q->op == NS_OP_WALK) /* the common case first */
		return ops->walk ? do_walk(ops, ctx, q, s1, rep, rep_cap)
		                 : answer(rep, ERR_NOT_SUPPORTED);
	size_t room = rep_cap - sizeof(struct ns_rep);
	if (room > NS_IO_MAX)
		room = NS_IO_MAX;
	size_t want = q->arg2 < room ? (size_t)q->arg2 : room; /* list, read */
	void *data = (struct ns_rep *)rep + 1;
	uint64_t node = 0, cookie;
	long got;
	int r;
	switch (q->op) {
	case NS_OP_CREATE:
		if (!ops->create)
			break;
		if (q->arg != NS_TYPE_DIR && q->arg != NS_TYPE_FILE)
			return answer(rep, ERR_INVALID_ARGS);
		r = ops->create(ctx, q->node, s1, q->len1, (uint32_t)q->arg,
		                q->flags & NS_OPEN_EXCLUSIVE, &node);
		if (r >= 0 && ops->hold && (r = ops->hold(ctx, node)) < 0)
			return answer(rep, r);
		return answer_node(rep, r, node, (uint32_t)q->arg);
	case NS_OP_SYMLINK:
		if (!ops->symlink)
			break;
		return answer_node(rep, ops->symlink(ctx, q->node, s1, q->len1, s2, q->len2, &node),
		                   node, NS_TYPE_LINK);
	case NS_OP_LINK:
		if (!ops->link)
			break;
		return answer(rep, ops->link(ctx, q->node, s1, q->len1, q->arg2));
	case NS_OP_UNLINK:
		if (!ops->unlink)
			break;
		return answer(rep, ops->unlink(ctx, q->node, s1, q->len1, q->flags));
	case NS_OP_RENAME:
		if (!ops->rename)
			break;
		return answer(rep, ops->rename(ctx, q->node, s1, q->len1, q->arg2, s2, q->len2));
	case NS_OP_STAT: {
		if (!ops->stat)
			break;
		struct ns_stat st = {0};
		r = ops->stat(ctx, q->node, &st);
		if (r < 0)
			return answer(rep, r);
		*(struct ns_stat *)data = st;
		return answer_bytes(rep, rep_cap, sizeof(st), 0);
	}
	case NS_OP_LIST:
		if (!ops->list)
			break;
		cookie = q->arg;
		got = ops->list(ctx, q->node, &cookie, data, want);
		return answer_bytes(rep, rep_cap, got, cookie);
	case NS_OP_READ:
		if (!ops->read)
			break;
		got = ops->read(ctx, q->node, q->arg, data, want);
		return answer_bytes(rep, rep_cap, got, got > 0 ? (uint64_t)got : 0);
	case NS_OP_WRITE:
		if (!ops->write)
			break;
		if (q->len2 != 0 || q->len1 > NS_IO_MAX)
			return answer(rep, ERR_MALFORMED);
		got = ops->write(ctx, q->node, q->arg, s1, q->len1);
		return answer_bytes(rep, rep_cap, got < 0 ? got : 0, got > 0 ? (uint64_t)got : 0);
	case NS_OP_TRUNCATE:
		if (!ops->truncate)
			break;
		return answer(rep, ops->truncate(ctx, q->node, q->arg));
	case NS_OP_READLINK:
		if (!ops->readlink)
			break;
		got = ops->readlink(ctx, q->node, data, room);
		return answer_bytes(rep, rep_cap, got > (long)room ? ERR_INTERNAL : got, 0);
	case NS_OP_WATCH:
		if (!ops->watch)
			break;
		if (nhandles != 1 || handles[0] == HANDLE_INVALID || q->arg == 0 ||
		    q->arg > UINT32_MAX)
			return answer(rep, ERR_INVALID_ARGS);
		r = ops->watch(ctx, q->node, (uint32_t)q->arg, handles[0]);
		if (r >= 0)
			handles[0] = HANDLE_INVALID; /* kept */
		return answer(rep, r);
	case NS_OP_SYNC:
		if (!ops->sync)
			break;
		if (q->flags & ~NS_SYNC_FLAGS_ALL)
			return answer(rep, ERR_INVALID_ARGS);
		return answer(rep, ops->sync(ctx, q->node, q->flags));
	case NS_OP_STATFS: {
		if (!ops->statfs)
			break;
		struct ns_statfs sf;
		memset(&sf, 0, sizeof(sf));
		r = ops->statfs(ctx, q->node, &sf);
		if (r < 0)
			return answer(rep, r);
		memcpy(data, &sf, sizeof(sf));
		return answer_bytes(rep, rep_cap, sizeof(sf), 0);
	}
	case NS_OP_SETATTR: {
		if (!ops->setattr)
			break;
		struct ns_setattr sa;
		if (q->len1 != sizeof(sa) || q->len2)
			return answer(rep, ERR_MALFORMED);
		memcpy(&sa, s1, sizeof(sa));
		if (!ns_setattr_ok(&sa))
			return answer(rep, ERR_INVALID_ARGS);
		return answer(rep, ops->setattr(ctx, q->node, &sa));
	}
	case NS_OP_MAP: {
		if (!ops->map || !reply_cap)
			break;
		if (q->len1 || q->len2 || (q->arg & ~(uint64_t)NS_MAP_RIGHTS))
			return answer(rep, ERR_MALFORMED);
		handle_t mem = HANDLE_INVALID;
		r = ops->map(ctx, q->node, q->arg, &mem);
		if (r >= 0)
			*reply_cap = mem; /* the reply carries it */
		return answer(rep, r < 0 ? r : 0);
	}
	case NS_OP_RELEASE:
		if (q->len1 % 8 || q->len2)
			return 0; /* no reply to give: a malformed batch is dropped */
		if (ops->release) {
			if (q->len1 == 0)
				ops->release(ctx, q->node);
			for (uint32_t i = 0; i < q->len1; i += 8) {
				uint64_t id;
				__builtin_memcpy(&id, s1 + i,
				                 8); /* one load: s1 may be unaligned */
				ops->release(ctx, id);
			}
		}
		return 0;
	default:
		return answer(rep, ERR_NOT_SUPPORTED);
	}
	return answer(rep, ERR_NOT_SUPPORTED);
}
