/*
 * fuzz_resolve.c - libFuzzer target for shared/ns_resolve.c over tmpfs trees
 * (user/tmpfs/tree.c) that the input builds.
 *
 * The input is text, one command a line (a line that does not parse is
 * skipped, so every input means something and crash files read as scripts):
 *   d PATH         make directory PATH in the current tree
 *   f PATH         make file PATH
 *   l PATH TARGET  make link PATH -> TARGET (the rest of the line, any bytes)
 *   h PATH OLD     hard link PATH to the file or link OLD
 *   b PATH N       directory PATH is a bind point: go on at tree N's root (N 0-2)
 *   p              the next tree (three, in turn) becomes the current one
 *   s PATH         resolutions start at PATH of the current tree (default: tree 0's root)
 *   r PATH         resolve PATH (a plain path) from the start, following a last link
 *   n PATH         the same, not following a last link
 * Paths of d f l h b s are plain paths from the current tree's root.
 *
 * The provider step is honest: it resolves name by name and stops at bind
 * points, or, in a tree without them, hands tfs_walk() the whole rest of the
 * path, as a provider does. So ns_resolve() must never answer ERR_INTERNAL,
 * and what it reaches must lie in the start's subtree: the nodes reachable
 * from the start through directory entries and bind points, without links
 * (a link's target is resolved from the start again, lexically, and cannot
 * climb above it). The node reached must have the type reported, and a
 * followed last link is never the answer.
 */
#include "fuzz.h"
#include "tree.h"

#include <shared/ns_resolve.h>
#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

#define TREES 3
#define BINDS 8
#define SEEN_MAX 512
#define RESOLVES_MAX 16

struct bind {
	unsigned tree;
	uint64_t node;
	unsigned to; /* continue at trees[to]'s root */
};

struct world {
	struct tfs trees[TREES];
	struct bind binds[BINDS];
	unsigned nbinds;
	struct ns_at seen[SEEN_MAX]; /* the start's subtree */
	unsigned nseen;
	bool seen_overflow;
};

static unsigned tree_index(struct world *w, const void *prov)
{
	unsigned t = (unsigned)((const struct tfs *)prov - w->trees);
	FUZZ_CHECK(t < TREES);
	return t;
}

static const struct bind *bind_at(struct world *w, unsigned tree, uint64_t node)
{
	for (unsigned i = 0; i < w->nbinds; i++)
		if (w->binds[i].tree == tree && w->binds[i].node == node)
			return &w->binds[i];
	return NULL;
}

static bool tree_has_binds(struct world *w, unsigned tree)
{
	for (unsigned i = 0; i < w->nbinds; i++)
		if (w->binds[i].tree == tree)
			return true;
	return false;
}

static int from_walk(int r, const struct tfs_walk *tw, struct ns_at at, struct ns_step *out)
{
	out->consumed = tw->consumed;
	if (r == TFS_WALK_LINK) {
		out->link = tw->link;
		out->link_len = tw->link_len;
		return NS_STEP_LINK;
	}
	out->at = (struct ns_at){at.prov, tw->node};
	out->type = tw->type;
	return NS_STEP_NODE;
}

/* An honest provider step (ns_step_fn). */
static int step(void *ctx, struct ns_at at, const char *path, size_t len, bool follow_last,
                struct ns_step *out)
{
	struct world *w = ctx;
	struct tfs *fs = at.prov;
	unsigned tree = tree_index(w, fs);
	struct tfs_walk tw;
	out->consumed = 0;
	if (!tree_has_binds(w, tree)) {
		int r = tfs_walk(fs, at.node, path, len, follow_last, &tw);
		return r < 0 ? r : from_walk(r, &tw, at, out);
	}
	int r = tfs_walk(fs, at.node, "", 0, false, &tw);
	if (r < 0)
		return r;
	for (size_t i = 0; i < len; i++) {
		size_t s = i;
		while (i < len && path[i] != '/')
			i++;
		bool last = i == len;
		unsigned before = out->consumed;
		r = tfs_walk(fs, tw.node, path + s, i - s, !last || follow_last, &tw);
		if (r < 0)
			return r;
		tw.consumed += before;
		if (r == TFS_WALK_LINK)
			return from_walk(r, &tw, at, out);
		out->consumed = tw.consumed;
		const struct bind *b = bind_at(w, tree, tw.node);
		if (b) {
			out->at = (struct ns_at){&w->trees[b->to], w->trees[b->to].root};
			return NS_STEP_CROSS;
		}
	}
	return from_walk(0, &tw, at, out);
}

/* --- the start's subtree --- */

static void see(struct world *w, struct ns_at at)
{
	for (unsigned i = 0; i < w->nseen; i++)
		if (w->seen[i].prov == at.prov && w->seen[i].node == at.node)
			return;
	if (w->nseen == SEEN_MAX) {
		w->seen_overflow = true;
		return;
	}
	w->seen[w->nseen++] = at;
}

static bool seen(struct world *w, struct ns_at at)
{
	for (unsigned i = 0; i < w->nseen; i++)
		if (w->seen[i].prov == at.prov && w->seen[i].node == at.node)
			return true;
	return false;
}

/* Every node reachable from start by entries and bind points (breadth first). */
static void subtree(struct world *w, struct ns_at start)
{
	static uint8_t buf[8192];
	w->nseen = 0;
	w->seen_overflow = false;
	see(w, start);
	for (unsigned i = 0; i < w->nseen; i++) {
		struct ns_at at = w->seen[i];
		struct tfs *fs = at.prov;
		const struct bind *b = bind_at(w, tree_index(w, fs), at.node);
		if (b)
			see(w, (struct ns_at){&w->trees[b->to], w->trees[b->to].root});
		uint64_t cookie = 0;
		long n;
		while ((n = tfs_list(fs, at.node, &cookie, buf, sizeof(buf))) > 0) {
			for (long off = 0; off < n;) {
				const struct ns_dirent *de = (const void *)(buf + off);
				see(w, (struct ns_at){fs, de->node});
				off += de->reclen;
			}
		}
	}
}

/* --- the commands --- */

/* Walk the plain path p (from the root of fs) to its parent directory; the last name in *name. */
static bool parent_of(struct tfs *fs, const char *p, size_t len, uint64_t *dir, const char **name,
                      size_t *nlen)
{
	static struct ns_path path;
	if (ns_path_parse(p, len, &path) || path.depth == 0)
		return false;
	const char *slash = strrchr(path.buf, '/');
	size_t plen = slash ? (size_t)(slash - path.buf) : 0;
	struct tfs_walk tw;
	if (tfs_walk(fs, fs->root, path.buf, plen, false, &tw) != 0)
		return false;
	*dir = tw.node;
	*name = slash ? slash + 1 : path.buf;
	*nlen = path.len - (size_t)(*name - path.buf);
	return true;
}

static bool node_of(struct tfs *fs, const char *p, size_t len, uint64_t *node)
{
	static struct ns_path path;
	struct tfs_walk tw;
	if (ns_path_parse(p, len, &path) || tfs_walk(fs, fs->root, path.buf, path.len, false, &tw))
		return false;
	*node = tw.node;
	return true;
}

static void resolve(struct world *w, struct ns_at start, const char *p, size_t len, bool follow)
{
	static struct ns_path path, scratch;
	if (ns_path_parse(p, len, &path))
		return;
	struct ns_step out;
	/* a path that names the start itself ("a/..") resolves to it, whatever its type:
	   a start that is a link (held without following, 's') stays one */
	bool itself = path.depth == 0;
	int r = ns_resolve(start, &path, &scratch, follow, step, w, &out);
	FUZZ_CHECK(r != ERR_INTERNAL);
	FUZZ_CHECK(path.len <= NS_PATH_MAX && path.buf[path.len] == '\0');
	if (r < 0) {
		FUZZ_CHECK(r == ERR_NOT_FOUND || r == ERR_WRONG_TYPE || r == ERR_OUT_OF_RANGE ||
		           r == ERR_LOOP || r == ERR_INVALID_ARGS);
		return;
	}
	FUZZ_CHECK(r == 0);
	subtree(w, start);
	FUZZ_CHECK(w->seen_overflow || seen(w, out.at));
	struct ns_stat st;
	FUZZ_CHECK(tfs_stat(out.at.prov, out.at.node, &st) == 0);
	FUZZ_CHECK(st.type == out.type);
	FUZZ_CHECK(!follow || out.type != NS_TYPE_LINK || itself);
}

/* Split "ARG1 REST" at the first space. */
static bool split(const char *s, size_t len, size_t *l1, const char **rest, size_t *l2)
{
	const char *sp = memchr(s, ' ', len);
	if (!sp)
		return false;
	*l1 = (size_t)(sp - s);
	*rest = sp + 1;
	*l2 = len - *l1 - 1;
	return *l1 > 0 && *l2 > 0;
}

static void command(struct world *w, unsigned *cur, struct ns_at *start, unsigned *resolves,
                    const char *s, size_t len)
{
	if (len == 0)
		return;
	char op = s[0];
	if (op == 'p') {
		*cur = (*cur + 1) % TREES;
		return;
	}
	if (len < 3 || s[1] != ' ')
		return;
	s += 2, len -= 2;
	struct tfs *fs = &w->trees[*cur];
	uint64_t dir, node;
	const char *name, *rest;
	size_t nlen, l1, l2;
	switch (op) {
	case 'd':
	case 'f':
		if (parent_of(fs, s, len, &dir, &name, &nlen))
			tfs_create(fs, dir, name, nlen, op == 'd' ? NS_TYPE_DIR : NS_TYPE_FILE,
			           false, &node);
		break;
	case 'l':
		if (split(s, len, &l1, &rest, &l2) && parent_of(fs, s, l1, &dir, &name, &nlen))
			tfs_symlink(fs, dir, name, nlen, rest, l2, &node);
		break;
	case 'h':
		if (split(s, len, &l1, &rest, &l2) && parent_of(fs, s, l1, &dir, &name, &nlen) &&
		    node_of(fs, rest, l2, &node))
			tfs_link(fs, dir, name, nlen, node);
		break;
	case 'b':
		if (w->nbinds < BINDS && split(s, len, &l1, &rest, &l2) && l2 == 1 &&
		    rest[0] >= '0' && rest[0] < '0' + TREES && node_of(fs, s, l1, &node))
			w->binds[w->nbinds++] =
			    (struct bind){*cur, node, (unsigned)(rest[0] - '0')};
		break;
	case 's':
		if (node_of(fs, s, len, &node))
			*start = (struct ns_at){fs, node};
		break;
	case 'r':
	case 'n':
		if ((*resolves)++ < RESOLVES_MAX)
			resolve(w, *start, s, len, op == 'r');
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	memset(&w, 0, sizeof(w));
	for (unsigned t = 0; t < TREES; t++)
		FUZZ_CHECK(tfs_init(&w.trees[t], 1 << 20, NULL) == 0);
	unsigned cur = 0, resolves = 0;
	struct ns_at start = {&w.trees[0], w.trees[0].root};
	const char *s = (const char *)data, *end = s + size;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		command(&w, &cur, &start, &resolves, s, len);
		s += len + 1;
	}
	for (unsigned t = 0; t < TREES; t++)
		tfs_destroy(&w.trees[t]);
	return 0;
}
