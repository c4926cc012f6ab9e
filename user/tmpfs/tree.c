/*
 * tree.c - the memory-backed file tree of the tmpfs provider (tree.h).
 *
 * Nodes live in an open-addressing table keyed by their never-reused id
 * (what requests name); an entry points at its node directly (a walk does
 * one hash lookup per name, in the directory). A directory keeps its entries twice: in a hash table by name (lookups) and
 * in a list ordered by a per-directory sequence number (listings: the cookie
 * is the last sequence number returned, so entries added or removed between
 * two pages neither repeat nor hide the others). A file is a table of 4 KiB
 * pages; a missing page is a hole and reads as zeros.
 *
 * Every allocation is counted against fs->limit before it is made, so a full
 * tree refuses an operation whole (ERR_NO_MEMORY) instead of failing half-way.
 */
#include "tree.h"

#include <stdlib.h>
#include <string.h>
#include <abi/errors.h>

#define TFS_PAGE 4096u
#define TFS_MAX_FILE (UINT64_C(1) << 40) /* 1 TiB: keeps page indices and sums in range */

struct tfs_entry {
	struct tfs_entry *hnext; /* hash chain */
	struct tfs_entry *prev, *next; /* listing order */
	uint64_t seq; /* listing position: cookies name the last seq returned */
	struct tfs_node *node; /* alive while the entry is: it counts in node->nlink */
	uint32_t hash;
	uint16_t len;
	char name[]; /* len bytes + NUL */
};

struct tfs_node {
	uint64_t id;
	uint32_t type;
	uint32_t nlink; /* names (a directory: its entry, itself, its subdirectories' "..") */
	uint32_t holds; /* capabilities the kernel holds (tfs_hold) */
	uint32_t mode; /* permission bits (07777), as set by tfs_setattr */
	uint32_t uid, gid;
	uint64_t parent; /* directories: the directory holding their entry */
	uint64_t ctime, mtime, atime;
	union {
		struct {
			struct tfs_entry **buckets;
			size_t nbuckets, nentries;
			struct tfs_entry *head, *tail;
			uint64_t next_seq;
		} dir;
		struct {
			uint8_t **pages;
			size_t npages; /* slots in pages[] */
			uint64_t size;
		} file;
		struct {
			char *target;
			size_t len;
		} link;
	};
};

static int charge(struct tfs *fs, uint64_t bytes)
{
	if (bytes > fs->limit - fs->used)
		return ERR_NO_MEMORY;
	fs->used += bytes;
	return 0;
}

static void uncharge(struct tfs *fs, uint64_t bytes)
{
	fs->used -= bytes;
}

static uint64_t now(struct tfs *fs)
{
	return fs->clock ? fs->clock() : 0;
}

/* --- the id table (linear probing, backward-shift deletion) --- */

static size_t id_slot(const struct tfs *fs, uint64_t id)
{
	return (size_t)((id * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (fs->ids_cap - 1);
}

static struct tfs_node *node_get(struct tfs *fs, uint64_t id)
{
	if (id == 0)
		return NULL;
	for (size_t i = id_slot(fs, id);; i = (i + 1) & (fs->ids_cap - 1)) {
		struct tfs_node *n = fs->ids[i];
		if (!n || n->id == id)
			return n;
	}
}

static void ids_put(struct tfs *fs, struct tfs_node *n)
{
	size_t i = id_slot(fs, n->id);
	while (fs->ids[i])
		i = (i + 1) & (fs->ids_cap - 1);
	fs->ids[i] = n;
}

/* Room for one more node in the id table (kept at most half full). */
static int ids_reserve(struct tfs *fs)
{
	if ((fs->nnodes + 1) * 2 <= fs->ids_cap)
		return 0;
	size_t cap = fs->ids_cap ? fs->ids_cap * 2 : 64;
	if (charge(fs, cap * sizeof(void *)))
		return ERR_NO_MEMORY;
	struct tfs_node **old = fs->ids, **ids = calloc(cap, sizeof(void *));
	if (!ids) {
		uncharge(fs, cap * sizeof(void *));
		return ERR_NO_MEMORY;
	}
	size_t old_cap = fs->ids_cap;
	fs->ids = ids;
	fs->ids_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			ids_put(fs, old[i]);
	free(old);
	uncharge(fs, old_cap * sizeof(void *));
	return 0;
}

static void ids_remove(struct tfs *fs, uint64_t id)
{
	size_t mask = fs->ids_cap - 1, i = id_slot(fs, id);
	while (fs->ids[i]->id != id)
		i = (i + 1) & mask;
	fs->ids[i] = NULL;
	/* shift back the run after the hole so every probe still finds its node */
	for (size_t j = (i + 1) & mask; fs->ids[j]; j = (j + 1) & mask) {
		size_t home = id_slot(fs, fs->ids[j]->id);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			fs->ids[i] = fs->ids[j];
			fs->ids[j] = NULL;
			i = j;
		}
	}
	fs->nnodes--;
}

/* --- nodes --- */

static int node_new(struct tfs *fs, uint32_t type, struct tfs_node **out)
{
	if (ids_reserve(fs) || charge(fs, sizeof(struct tfs_node)))
		return ERR_NO_MEMORY;
	struct tfs_node *n = calloc(1, sizeof(*n));
	if (!n) {
		uncharge(fs, sizeof(struct tfs_node));
		return ERR_NO_MEMORY;
	}
	n->id = fs->next_id++;
	n->type = type;
	n->mode = type == NS_TYPE_DIR ? 0755u : type == NS_TYPE_LINK ? 0777u : 0644u;
	n->ctime = n->mtime = n->atime = now(fs);
	ids_put(fs, n);
	fs->nnodes++;
	*out = n;
	return 0;
}

static size_t entry_size(size_t len)
{
	return sizeof(struct tfs_entry) + len + 1;
}

static void file_free_pages(struct tfs *fs, struct tfs_node *n, size_t from)
{
	for (size_t i = from; i < n->file.npages; i++) {
		if (n->file.pages[i]) {
			free(n->file.pages[i]);
			n->file.pages[i] = NULL;
			uncharge(fs, TFS_PAGE);
		}
	}
}

static void node_free(struct tfs *fs, struct tfs_node *n)
{
	switch (n->type) {
	case NS_TYPE_DIR:
		for (struct tfs_entry *e = n->dir.head, *next; e; e = next) {
			next = e->next;
			uncharge(fs, entry_size(e->len));
			free(e);
		}
		uncharge(fs, n->dir.nbuckets * sizeof(void *));
		free(n->dir.buckets);
		break;
	case NS_TYPE_FILE:
		file_free_pages(fs, n, 0);
		uncharge(fs, n->file.npages * sizeof(void *));
		free(n->file.pages);
		break;
	case NS_TYPE_LINK:
		uncharge(fs, n->link.len);
		free(n->link.target);
		break;
	}
	ids_remove(fs, n->id);
	uncharge(fs, sizeof(struct tfs_node));
	free(n);
}

/* Free n if nothing names or holds it any more. */
static void node_maybe_free(struct tfs *fs, struct tfs_node *n)
{
	if (n->nlink == 0 && n->holds == 0)
		node_free(fs, n);
}

/* The node id of the given type; a directory only while it has a name (a removed one
 * that a capability still holds can be listed, empty, but not filled again). */
static struct tfs_node *node_of_type(struct tfs *fs, uint64_t id, uint32_t type, int *err)
{
	struct tfs_node *n = node_get(fs, id);
	*err = !n || (type == NS_TYPE_DIR && n->type == NS_TYPE_DIR && n->nlink == 0)
	           ? ERR_NOT_FOUND
	       : n->type != type ? ERR_WRONG_TYPE
	                         : 0;
	return *err ? NULL : n;
}

/* --- directories --- */

#define NAME_HASH_SEED 2166136261u /* FNV-1a */
#define NAME_HASH_PRIME 16777619u

static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = NAME_HASH_SEED;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * NAME_HASH_PRIME;
	return h;
}

/* The length rules of a name a directory may hold (its bytes checked apart): 1..NS_NAME_MAX,
 * not "." or "..". */
static bool name_len_ok(const char *s, size_t len)
{
	return len != 0 && len <= NS_NAME_MAX &&
	       !(s[0] == '.' && (len == 1 || (len == 2 && s[1] == '.')));
}

/* A name a directory may hold: those lengths, no '/' or NUL. */
static bool name_ok(const char *s, size_t len)
{
	return name_len_ok(s, len) && !memchr(s, '/', len) && !memchr(s, '\0', len);
}

/*
 * The name of path that starts at i (len: the path's length): the index of its
 * end (len or a '/') in *end and its hash, in one pass over its bytes. False
 * when it is not a name a directory may hold (empty, ".", "..", too long, a NUL).
 */
static bool path_name(const char *path, size_t i, size_t len, size_t *end, uint32_t *hash)
{
	uint32_t h = NAME_HASH_SEED;
	size_t s = i;
	for (; i < len; i++) {
		uint8_t c = (uint8_t)path[i];
		if (c == '/')
			break;
		if (c == '\0')
			return false;
		h = (h ^ c) * NAME_HASH_PRIME;
	}
	*end = i;
	*hash = h;
	return name_len_ok(path + s, i - s);
}

/* The entry of name (len bytes, hash h: name_hash's) in directory d, or NULL. */
static struct tfs_entry *dir_find_hashed(const struct tfs_node *d, const char *name, size_t len,
                                         uint32_t h)
{
	if (!d->dir.nbuckets)
		return NULL;
	for (struct tfs_entry *e = d->dir.buckets[h & (d->dir.nbuckets - 1)]; e; e = e->hnext) {
		if (e->hash != h || e->len != len)
			continue;
		size_t i = 0;
		while (i < len && e->name[i] == name[i])
			i++;
		if (i == len)
			return e;
	}
	return NULL;
}

static struct tfs_entry *dir_find(struct tfs_node *d, const char *name, size_t len)
{
	return dir_find_hashed(d, name, len, name_hash(name, len));
}

/* Make the bucket array fit one more entry. */
static int dir_reserve(struct tfs *fs, struct tfs_node *d)
{
	if (d->dir.nentries < d->dir.nbuckets)
		return 0;
	size_t cap = d->dir.nbuckets ? d->dir.nbuckets * 2 : 8;
	if (charge(fs, cap * sizeof(void *)))
		return ERR_NO_MEMORY;
	struct tfs_entry **b = calloc(cap, sizeof(void *));
	if (!b) {
		uncharge(fs, cap * sizeof(void *));
		return ERR_NO_MEMORY;
	}
	for (struct tfs_entry *e = d->dir.head; e; e = e->next) {
		e->hnext = b[e->hash & (cap - 1)];
		b[e->hash & (cap - 1)] = e;
	}
	uncharge(fs, d->dir.nbuckets * sizeof(void *));
	free(d->dir.buckets);
	d->dir.buckets = b;
	d->dir.nbuckets = cap;
	return 0;
}

static int dir_add(struct tfs *fs, struct tfs_node *d, const char *name, size_t len,
                   struct tfs_node *node)
{
	if (dir_reserve(fs, d) || charge(fs, entry_size(len)))
		return ERR_NO_MEMORY;
	struct tfs_entry *e = malloc(entry_size(len));
	if (!e) {
		uncharge(fs, entry_size(len));
		return ERR_NO_MEMORY;
	}
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = (uint16_t)len;
	e->hash = name_hash(name, len);
	e->node = node;
	e->seq = ++d->dir.next_seq;
	size_t b = e->hash & (d->dir.nbuckets - 1);
	e->hnext = d->dir.buckets[b];
	d->dir.buckets[b] = e;
	e->next = NULL;
	e->prev = d->dir.tail;
	if (d->dir.tail)
		d->dir.tail->next = e;
	else
		d->dir.head = e;
	d->dir.tail = e;
	d->dir.nentries++;
	d->mtime = d->ctime = now(fs);
	return 0;
}

static void dir_remove(struct tfs *fs, struct tfs_node *d, struct tfs_entry *e)
{
	struct tfs_entry **p = &d->dir.buckets[e->hash & (d->dir.nbuckets - 1)];
	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	if (e->prev)
		e->prev->next = e->next;
	else
		d->dir.head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		d->dir.tail = e->prev;
	d->dir.nentries--;
	d->mtime = d->ctime = now(fs);
	uncharge(fs, entry_size(e->len));
	free(e);
	if (d->dir.nentries == 0) { /* an emptied directory costs its node only */
		uncharge(fs, d->dir.nbuckets * sizeof(void *));
		free(d->dir.buckets);
		d->dir.buckets = NULL;
		d->dir.nbuckets = 0;
	}
}

/* --- the interface --- */

int tfs_init(struct tfs *fs, uint64_t limit, uint64_t (*clock)(void))
{
	memset(fs, 0, sizeof(*fs));
	fs->limit = limit;
	fs->clock = clock;
	fs->next_id = 1;
	struct tfs_node *root;
	int err = node_new(fs, NS_TYPE_DIR, &root);
	if (err) {
		free(fs->ids);
		return err;
	}
	root->nlink = 2; /* its own name in the view above, and "." */
	root->parent = root->id;
	fs->root = root->id;
	return 0;
}

void tfs_destroy(struct tfs *fs)
{
	for (size_t i = 0; i < fs->ids_cap; i++) {
		struct tfs_node *n = fs->ids[i];
		if (!n)
			continue;
		/* node_free() shifts the table: take the node out by hand instead */
		fs->ids[i] = NULL;
		n->id = 0;
		if (n->type == NS_TYPE_DIR) {
			for (struct tfs_entry *e = n->dir.head, *next; e; e = next)
				next = e->next, free(e);
			free(n->dir.buckets);
		} else if (n->type == NS_TYPE_FILE) {
			for (size_t p = 0; p < n->file.npages; p++)
				free(n->file.pages[p]);
			free(n->file.pages);
		} else {
			free(n->link.target);
		}
		free(n);
	}
	free(fs->ids);
	memset(fs, 0, sizeof(*fs));
}

int tfs_walk(struct tfs *fs, uint64_t start, const char *path, size_t len, bool follow_last,
             struct tfs_walk *out)
{
	struct tfs_node *cur = node_get(fs, start);
	if (!cur)
		return ERR_NOT_FOUND;
	unsigned consumed = 0;
	size_t i = 0;
	while (i < len) {
		size_t s = i;
		uint32_t h;
		if (!path_name(path, s, len, &i, &h) || (i < len && i + 1 == len))
			return ERR_INVALID_ARGS; /* not normalized: "a//b", ".", "a/" */
		if (cur->type != NS_TYPE_DIR)
			return ERR_WRONG_TYPE;
		struct tfs_entry *e = dir_find_hashed(cur, path + s, i - s, h);
		if (!e)
			return ERR_NOT_FOUND;
		cur = e->node;
		consumed++;
		bool last = i == len;
		if (cur->type == NS_TYPE_LINK && (!last || follow_last)) {
			out->node = cur->id;
			out->type = cur->type;
			out->consumed = consumed;
			out->link = cur->link.target;
			out->link_len = cur->link.len;
			return TFS_WALK_LINK;
		}
		if (!last)
			i++; /* the '/' */
	}
	out->node = cur->id;
	out->type = cur->type;
	out->consumed = consumed;
	out->link = NULL;
	out->link_len = 0;
	return 0;
}

/* The directory dir and a new name in it (ERR_ALREADY_EXISTS if taken; *existing set). */
static int dir_for_new(struct tfs *fs, uint64_t dir, const char *name, size_t len,
                       struct tfs_node **d, struct tfs_entry **existing)
{
	int err;
	if (!(*d = node_of_type(fs, dir, NS_TYPE_DIR, &err)))
		return err;
	if (!name_ok(name, len))
		return ERR_INVALID_ARGS;
	*existing = dir_find(*d, name, len);
	return *existing ? ERR_ALREADY_EXISTS : 0;
}

/* Give the new node n the name in d, or free it again. */
static int attach_new(struct tfs *fs, struct tfs_node *d, const char *name, size_t len,
                      struct tfs_node *n, uint64_t *out)
{
	int err = dir_add(fs, d, name, len, n);
	if (err) {
		node_free(fs, n);
		return err;
	}
	if (n->type == NS_TYPE_DIR) {
		n->nlink = 2;
		n->parent = d->id;
		d->nlink++;
	} else {
		n->nlink = 1;
	}
	if (out)
		*out = n->id;
	return 0;
}

int tfs_create(struct tfs *fs, uint64_t dir, const char *name, size_t len, uint32_t type,
               bool exclusive, uint64_t *out)
{
	if (type != NS_TYPE_DIR && type != NS_TYPE_FILE)
		return ERR_INVALID_ARGS;
	struct tfs_node *d, *n;
	struct tfs_entry *e;
	int err = dir_for_new(fs, dir, name, len, &d, &e);
	if (err == ERR_ALREADY_EXISTS && !exclusive) {
		n = e->node;
		if (n->type != type)
			return ERR_WRONG_TYPE;
		*out = n->id;
		return 0;
	}
	if (err || (err = node_new(fs, type, &n)))
		return err;
	return attach_new(fs, d, name, len, n, out);
}

int tfs_symlink(struct tfs *fs, uint64_t dir, const char *name, size_t len, const char *target,
                size_t tlen, uint64_t *out)
{
	if (tlen == 0 || tlen > NS_PATH_MAX || memchr(target, '\0', tlen))
		return ERR_INVALID_ARGS;
	struct tfs_node *d, *n;
	struct tfs_entry *e;
	int err = dir_for_new(fs, dir, name, len, &d, &e);
	if (err || (err = charge(fs, tlen)))
		return err;
	char *copy = malloc(tlen);
	if (!copy || (err = node_new(fs, NS_TYPE_LINK, &n))) {
		free(copy);
		uncharge(fs, tlen);
		return ERR_NO_MEMORY;
	}
	memcpy(copy, target, tlen);
	n->link.target = copy;
	n->link.len = tlen;
	return attach_new(fs, d, name, len, n, out);
}

int tfs_link(struct tfs *fs, uint64_t dir, const char *name, size_t len, uint64_t node)
{
	struct tfs_node *n = node_get(fs, node), *d;
	struct tfs_entry *e;
	if (!n)
		return ERR_NOT_FOUND;
	if (n->type == NS_TYPE_DIR)
		return ERR_WRONG_TYPE;
	if (n->nlink == UINT32_MAX)
		return ERR_NO_RESOURCES;
	int err = dir_for_new(fs, dir, name, len, &d, &e);
	if (err || (err = dir_add(fs, d, name, len, n)))
		return err;
	n->nlink++;
	n->ctime = now(fs);
	return 0;
}

/* Take away one name of n (whose entry has just gone from directory d). */
static void drop_name(struct tfs *fs, struct tfs_node *d, struct tfs_node *n)
{
	if (n->type == NS_TYPE_DIR) {
		n->nlink = 0;
		d->nlink--;
	} else {
		n->nlink--;
		n->ctime = now(fs);
	}
	node_maybe_free(fs, n);
}

int tfs_unlink(struct tfs *fs, uint64_t dir, const char *name, size_t len, unsigned flags)
{
	int err;
	struct tfs_node *d = node_of_type(fs, dir, NS_TYPE_DIR, &err);
	if (!d)
		return err;
	if (flags & ~TFS_UNLINK_DIR)
		return ERR_INVALID_ARGS;
	struct tfs_entry *e = name_ok(name, len) ? dir_find(d, name, len) : NULL;
	if (!e)
		return name_ok(name, len) ? ERR_NOT_FOUND : ERR_INVALID_ARGS;
	struct tfs_node *n = e->node;
	if ((n->type == NS_TYPE_DIR) != !!(flags & TFS_UNLINK_DIR))
		return ERR_WRONG_TYPE;
	if (n->type == NS_TYPE_DIR && n->dir.nentries)
		return ERR_BAD_STATE;
	dir_remove(fs, d, e);
	drop_name(fs, d, n);
	return 0;
}

/* Whether directory a is b or lies below it. */
static bool dir_within(struct tfs *fs, struct tfs_node *a, struct tfs_node *b)
{
	for (;;) {
		if (a == b)
			return true;
		if (a->id == fs->root || !(a = node_get(fs, a->parent)))
			return false;
	}
}

int tfs_rename(struct tfs *fs, uint64_t dir1, const char *from, size_t flen, uint64_t dir2,
               const char *to, size_t tlen)
{
	int err;
	struct tfs_node *d1 = node_of_type(fs, dir1, NS_TYPE_DIR, &err), *d2;
	if (!d1 || !(d2 = node_of_type(fs, dir2, NS_TYPE_DIR, &err)))
		return err;
	if (!name_ok(from, flen) || !name_ok(to, tlen))
		return ERR_INVALID_ARGS;
	struct tfs_entry *src = dir_find(d1, from, flen), *dst = dir_find(d2, to, tlen);
	if (!src)
		return ERR_NOT_FOUND;
	struct tfs_node *n = src->node, *old = dst ? dst->node : NULL;
	if (old == n)
		return 0; /* the same node under both names: nothing to do, as POSIX */
	bool is_dir = n->type == NS_TYPE_DIR;
	if (is_dir && dir_within(fs, d2, n))
		return ERR_INVALID_ARGS;
	if (old) {
		if ((old->type == NS_TYPE_DIR) != is_dir)
			return ERR_WRONG_TYPE;
		if (is_dir && old->dir.nentries)
			return ERR_BAD_STATE;
		dst->node = n; /* reuse the entry: nothing to allocate */
		d2->mtime = d2->ctime = now(fs);
		drop_name(fs, d2, old);
	} else if ((err = dir_add(fs, d2, to, tlen, n))) {
		return err;
	}
	/* the source entry may have moved if dir_add grew d1's buckets: find it again */
	dir_remove(fs, d1, dir_find(d1, from, flen));
	if (is_dir) {
		n->parent = d2->id;
		d1->nlink--;
		d2->nlink++;
	}
	n->ctime = now(fs);
	return 0;
}

int tfs_stat(struct tfs *fs, uint64_t node, struct ns_stat *out)
{
	struct tfs_node *n = node_get(fs, node);
	if (!n)
		return ERR_NOT_FOUND;
	out->node = n->id;
	out->type = n->type;
	out->nlink = n->nlink;
	out->size = n->type == NS_TYPE_FILE  ? n->file.size
	            : n->type == NS_TYPE_DIR ? n->dir.nentries
	                                     : n->link.len;
	out->ctime = n->ctime;
	out->mtime = n->mtime;
	out->atime = n->atime;
	out->mode = NS_MODE_KEPT | n->mode;
	out->uid = n->uid;
	out->gid = n->gid;
	out->generation = 0; /* ids are never reused */
	return 0;
}

int tfs_setattr(struct tfs *fs, uint64_t node, const struct ns_setattr *sa)
{
	struct tfs_node *n = node_get(fs, node);
	if (!n)
		return ERR_NOT_FOUND;
	if (!ns_setattr_ok(sa))
		return ERR_INVALID_ARGS;
	uint64_t t = now(fs);
	if (sa->valid & NS_ATTR_MODE)
		n->mode = sa->mode;
	if (sa->valid & NS_ATTR_UID)
		n->uid = sa->uid;
	if (sa->valid & NS_ATTR_GID)
		n->gid = sa->gid;
	if (sa->valid & (NS_ATTR_ATIME | NS_ATTR_ATIME_NOW))
		n->atime = sa->valid & NS_ATTR_ATIME ? sa->atime : t;
	if (sa->valid & (NS_ATTR_MTIME | NS_ATTR_MTIME_NOW))
		n->mtime = sa->valid & NS_ATTR_MTIME ? sa->mtime : t;
	n->ctime = t;
	return 0;
}

long tfs_list(struct tfs *fs, uint64_t dir, uint64_t *cookie, void *buf, size_t cap)
{
	int err;
	struct tfs_node *d = node_of_type(fs, dir, NS_TYPE_DIR, &err);
	if (!d)
		return err;
	struct tfs_entry *e = d->dir.head;
	while (e && e->seq <= *cookie)
		e = e->next;
	size_t off = 0;
	for (; e; e = e->next) {
		size_t rec = (sizeof(struct ns_dirent) + e->len + 1 + 7) & ~(size_t)7;
		if (rec > cap - off) {
			if (off == 0)
				return ERR_BUFFER_TOO_SMALL;
			break;
		}
		struct ns_dirent *de = (struct ns_dirent *)((char *)buf + off);
		memset(de, 0, rec);
		de->node = e->node->id;
		de->type = e->node->type;
		de->reclen = (uint16_t)rec;
		de->namelen = e->len;
		memcpy(de->name, e->name, e->len);
		off += rec;
		*cookie = e->seq;
	}
	d->atime = now(fs);
	return (long)off;
}

long tfs_read(struct tfs *fs, uint64_t node, uint64_t off, void *buf, size_t len)
{
	int err;
	struct tfs_node *n = node_of_type(fs, node, NS_TYPE_FILE, &err);
	if (!n)
		return err;
	if (off >= n->file.size)
		return 0;
	if (len > n->file.size - off)
		len = (size_t)(n->file.size - off);
	for (size_t done = 0; done < len;) {
		uint64_t pos = off + done;
		size_t page = (size_t)(pos / TFS_PAGE), in = (size_t)(pos % TFS_PAGE);
		size_t chunk = TFS_PAGE - in < len - done ? TFS_PAGE - in : len - done;
		uint8_t *p = page < n->file.npages ? n->file.pages[page] : NULL;
		if (p)
			memcpy((char *)buf + done, p + in, chunk);
		else
			memset((char *)buf + done, 0, chunk);
		done += chunk;
	}
	n->atime = now(fs);
	return (long)len;
}

/* Make n's page table hold at least npages slots. */
static int file_reserve(struct tfs *fs, struct tfs_node *n, size_t npages)
{
	if (npages <= n->file.npages)
		return 0;
	size_t cap = n->file.npages ? n->file.npages : 4;
	while (cap < npages)
		cap *= 2;
	if (charge(fs, (cap - n->file.npages) * sizeof(void *)))
		return ERR_NO_MEMORY;
	uint8_t **pages = realloc(n->file.pages, cap * sizeof(void *));
	if (!pages) {
		uncharge(fs, (cap - n->file.npages) * sizeof(void *));
		return ERR_NO_MEMORY;
	}
	memset(pages + n->file.npages, 0, (cap - n->file.npages) * sizeof(void *));
	n->file.pages = pages;
	n->file.npages = cap;
	return 0;
}

long tfs_write(struct tfs *fs, uint64_t node, uint64_t off, const void *buf, size_t len)
{
	int err;
	struct tfs_node *n = node_of_type(fs, node, NS_TYPE_FILE, &err);
	if (!n)
		return err;
	if (len == 0)
		return 0;
	if (off > TFS_MAX_FILE || len > TFS_MAX_FILE - off)
		return ERR_OUT_OF_RANGE;
	size_t first = (size_t)(off / TFS_PAGE), last = (size_t)((off + len - 1) / TFS_PAGE);
	if ((err = file_reserve(fs, n, last + 1)))
		return err;
	size_t missing = 0;
	for (size_t p = first; p <= last; p++)
		missing += !n->file.pages[p];
	if (charge(fs, (uint64_t)missing * TFS_PAGE))
		return ERR_NO_MEMORY;
	/* allocate every missing page before installing any: a failure changes nothing */
	uint8_t **fresh = missing ? malloc(missing * sizeof(void *)) : NULL;
	size_t got = 0;
	if (missing && fresh)
		while (got < missing && (fresh[got] = calloc(1, TFS_PAGE)))
			got++;
	if (got < missing) {
		while (got > 0)
			free(fresh[--got]);
		free(fresh);
		uncharge(fs, (uint64_t)missing * TFS_PAGE);
		return ERR_NO_MEMORY;
	}
	for (size_t p = first; p <= last; p++)
		if (!n->file.pages[p])
			n->file.pages[p] = fresh[--got];
	free(fresh);
	for (size_t done = 0; done < len;) {
		uint64_t pos = off + done;
		size_t page = (size_t)(pos / TFS_PAGE), in = (size_t)(pos % TFS_PAGE);
		size_t chunk = TFS_PAGE - in < len - done ? TFS_PAGE - in : len - done;
		memcpy(n->file.pages[page] + in, (const char *)buf + done, chunk);
		done += chunk;
	}
	if (off + len > n->file.size)
		n->file.size = off + len;
	n->mtime = n->ctime = now(fs);
	return (long)len;
}

int tfs_truncate(struct tfs *fs, uint64_t node, uint64_t size)
{
	int err;
	struct tfs_node *n = node_of_type(fs, node, NS_TYPE_FILE, &err);
	if (!n)
		return err;
	if (size > TFS_MAX_FILE)
		return ERR_OUT_OF_RANGE;
	if (size < n->file.size) {
		size_t keep = (size_t)((size + TFS_PAGE - 1) / TFS_PAGE);
		file_free_pages(fs, n, keep);
		/* zero the tail of the last kept page: growing again must read zeros */
		if (size % TFS_PAGE && keep - 1 < n->file.npages && n->file.pages[keep - 1])
			memset(n->file.pages[keep - 1] + size % TFS_PAGE, 0,
			       TFS_PAGE - size % TFS_PAGE);
	}
	n->file.size = size;
	n->mtime = n->ctime = now(fs);
	return 0;
}

long tfs_readlink(struct tfs *fs, uint64_t node, char *buf, size_t cap)
{
	int err;
	struct tfs_node *n = node_of_type(fs, node, NS_TYPE_LINK, &err);
	if (!n)
		return err;
	memcpy(buf, n->link.target, n->link.len < cap ? n->link.len : cap);
	return (long)n->link.len;
}

long tfs_name_in(struct tfs *fs, uint64_t dir, uint64_t node, char *name)
{
	struct tfs_node *d = node_get(fs, dir);
	if (!d || d->type != NS_TYPE_DIR)
		return ERR_NOT_FOUND;
	for (struct tfs_entry *e = d->dir.head; e; e = e->next) {
		if (e->node->id == node) {
			memcpy(name, e->name, e->len + 1);
			return e->len;
		}
	}
	return ERR_NOT_FOUND;
}

int tfs_hold(struct tfs *fs, uint64_t node)
{
	struct tfs_node *n = node_get(fs, node);
	if (!n)
		return ERR_NOT_FOUND;
	if (n->holds == UINT32_MAX)
		return ERR_NO_RESOURCES;
	n->holds++;
	return 0;
}

void tfs_release(struct tfs *fs, uint64_t node)
{
	struct tfs_node *n = node_get(fs, node);
	if (n && n->holds) {
		n->holds--;
		node_maybe_free(fs, n);
	}
}
