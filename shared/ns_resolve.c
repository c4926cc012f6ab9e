/*
 * resolve.c - resolution across providers, links and binds (ns_resolve.h).
 *
 * The walk keeps the whole path from the start node and an offset into it.
 * A provider step resolves some names from the current place; a bind point
 * moves the current place to another provider; a link rebuilds the path as
 * (names before the link) + (its target) + (names after it), normalized
 * with ns_path_push() so ".." cannot climb above the start, and restarts
 * from the start. Every loop is bounded by NS_LINKS_MAX and NS_DEPTH_MAX.
 */
#include <shared/ns_resolve.h>

#include <abi/errors.h>

/* Byte offset of the name after `names` names of p starting at byte off. */
static size_t skip_names(const struct ns_path *p, size_t off, unsigned names)
{
	while (names-- > 0) {
		while (off < p->len && p->buf[off] != '/')
			off++;
		if (off < p->len)
			off++; /* the separator */
	}
	return off;
}

/* Push the names of p's bytes [from, to) onto np. */
static int push_names(struct ns_path *np, const struct ns_path *p, size_t from, size_t to)
{
	while (from < to) {
		size_t s = from;
		while (from < to && p->buf[from] != '/')
			from++;
		int err = ns_path_push(np, p->buf + s, from - s);
		if (err)
			return err;
		from++;
	}
	return 0;
}

/* Replace *path by its first `keep` names + target + the names after name `keep`. */
static int splice(struct ns_path *path, struct ns_path *np, unsigned keep, const char *target,
                  size_t tlen)
{
	if (tlen == 0)
		return ERR_INVALID_ARGS;
	ns_path_init(np);
	np->dir = path->dir;
	size_t link_at = skip_names(path, 0, keep), after = skip_names(path, link_at, 1);
	int err = 0;
	if (target[0] != '/') /* relative: from the link's directory */
		err = push_names(np, path, 0, link_at ? link_at - 1 : 0);
	for (size_t i = 0; !err && i < tlen;) {
		if (target[i] == '/') {
			i++;
			continue;
		}
		size_t s = i;
		while (i < tlen && target[i] != '/')
			i++;
		err = ns_path_push(np, target + s, i - s);
	}
	if (!err)
		err = push_names(np, path, after, path->len);
	if (err)
		return err;
	*path = *np;
	return 0;
}

int ns_resolve(struct ns_at start, struct ns_path *path, struct ns_path *scratch, bool follow_last,
               ns_step_fn step, void *ctx, struct ns_step *out)
{
	struct ns_at at = start;
	size_t off = 0;
	unsigned links = 0, crossings = 0;
	/* names from off on: a path is normalized (ns_path_push), so its depth
	   counts them, and each crossing consumes some */
	unsigned left = path->depth;
	for (;;) {
		int r = step(ctx, at, path->buf + off, off < path->len ? path->len - off : 0,
		             follow_last, out);
		if (r < 0)
			return r;
		if (out->consumed > left)
			return ERR_INTERNAL;
		switch (r) {
		case NS_STEP_NODE:
			if (out->consumed != left)
				return ERR_INTERNAL;
			return 0;
		case NS_STEP_CROSS:
			if (++crossings > NS_DEPTH_MAX)
				return ERR_OUT_OF_RANGE;
			off = skip_names(path, off, out->consumed);
			left -= out->consumed;
			at = out->at;
			break;
		case NS_STEP_LINK: {
			if (out->consumed == 0)
				return ERR_INTERNAL;
			if (++links > NS_LINKS_MAX)
				return ERR_LOOP;
			unsigned before = path->depth - left + out->consumed - 1;
			int err = splice(path, scratch, before, out->link, out->link_len);
			if (err)
				return err;
			at = start;
			off = 0;
			left = path->depth;
			break;
		}
		default:
			return ERR_INTERNAL;
		}
	}
}
