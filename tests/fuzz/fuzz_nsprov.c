/*
 * fuzz_nsprov.c - libFuzzer target for the provider framework's request decoder
 * (user/lib/charlotte/nsprov.c, ns_provider_handle) serving a tmpfs tree
 * (user/tmpfs/ops.c over tree.c).
 *
 * The input is a sequence of requests, each [ctl][len lo][len hi][len bytes];
 * the bytes are the request as the kernel would send it (struct ns_req, then
 * the two strings), copied to a buffer of exactly len bytes so that ASan
 * catches any read past it. ctl helps the fuzzer go deep without narrowing
 * what it can send: bit 0 folds the node ids (node, and arg2 of link and
 * rename) onto the tree's live range, bit 1 makes len1 + len2 add up to the
 * bytes that follow, bit 2 folds op onto the known operations.
 *
 * Each reply must add up: 0 bytes only for a well-formed NS_OP_RELEASE,
 * otherwise a header and exactly rep.len bytes, within NS_MSG_MAX, no payload
 * with an error, never ERR_INTERNAL from this honest provider, a stat's size,
 * a read no longer than asked, a listing of whole well-formed entries; and not
 * one byte of the reply buffer written past that length. At the end every
 * directory still lists, and every entry's node still stats.
 *
 * FUZZ_WRITE_SEEDS=<dir> fuzz_nsprov writes the seed corpus (a session of
 * every operation, in this format) into dir and exits: mk's seed rule.
 */
#include "fuzz.h"
#include "ops.h"

#include <abi/errors.h>

#include <stdbool.h>
#include <string.h>

#define CANARY 0xa5
#define CTL_FOLD_NODES 1u
#define CTL_FIX_LENGTHS 2u
#define CTL_FOLD_OP 4u

static unsigned char *rep; /* NS_MSG_MAX bytes, exactly; CANARY but for the last reply */
static unsigned char canary[NS_MSG_MAX]; /* all CANARY */

static void check_dirents(const unsigned char *p, size_t len)
{
	for (size_t off = 0; off < len;) {
		const struct ns_dirent *de = (const void *)(p + off);
		FUZZ_CHECK(len - off >= sizeof(*de));
		FUZZ_CHECK(de->reclen % 8 == 0);
		FUZZ_CHECK(de->reclen >= sizeof(*de) + de->namelen + 1u && de->reclen <= len - off);
		FUZZ_CHECK(de->namelen >= 1 && de->namelen <= NS_NAME_MAX);
		FUZZ_CHECK(de->name[de->namelen] == '\0');
		FUZZ_CHECK(memchr(de->name, '\0', de->namelen) == NULL);
		FUZZ_CHECK(de->type > NS_TYPE_ANY && de->type < NS_TYPE_COUNT);
		off += de->reclen;
	}
}

static void check_reply(const struct ns_req *q, size_t req_len, size_t len)
{
	bool well_formed =
	    req_len >= sizeof(*q) && req_len - sizeof(*q) == (uint64_t)q->len1 + q->len2;
	if (len == 0) {
		FUZZ_CHECK(well_formed && q->op == NS_OP_RELEASE);
		FUZZ_CHECK(memcmp(rep, canary, NS_MSG_MAX) == 0); /* nothing written */
		return;
	}
	const struct ns_rep *r = (const void *)rep;
	FUZZ_CHECK(len >= sizeof(*r) && len <= NS_MSG_MAX);
	FUZZ_CHECK(len == sizeof(*r) + r->len);
	FUZZ_CHECK(r->len <= NS_IO_MAX);
	FUZZ_CHECK(r->reserved == 0);
	FUZZ_CHECK(memcmp(rep + len, canary, NS_MSG_MAX - len) == 0);
	FUZZ_CHECK(r->status != ERR_INTERNAL);
	if (r->status < 0) {
		FUZZ_CHECK(r->len == 0);
		return;
	}
	FUZZ_CHECK(well_formed);
	const unsigned char *data = rep + sizeof(*r);
	switch (q->op) {
	case NS_OP_STAT:
		FUZZ_CHECK(r->len == sizeof(struct ns_stat));
		break;
	case NS_OP_LIST:
		FUZZ_CHECK(r->len <= q->arg2);
		check_dirents(data, r->len);
		break;
	case NS_OP_READ:
		FUZZ_CHECK(r->len <= q->arg2 && r->arg == r->len);
		break;
	case NS_OP_WALK:
		if (r->status == NS_WALK_LINK)
			FUZZ_CHECK(r->len >= 1 && r->len <= NS_PATH_MAX && r->arg >= 1);
		else if (q->flags & NS_WALK_STAT) /* the node's attributes instead of a hold */
			FUZZ_CHECK(r->status == NS_WALK_NODE && r->len == sizeof(struct ns_stat));
		else
			FUZZ_CHECK(r->status == NS_WALK_NODE && r->len == 0);
		break;
	case NS_OP_READLINK:
		FUZZ_CHECK(r->len >= 1 && r->len <= NS_PATH_MAX);
		break;
	case NS_OP_STATFS: { /* tmpfs's figures, as the kernel will check them */
		FUZZ_CHECK(r->len == sizeof(struct ns_statfs));
		struct ns_statfs sf;
		memcpy(&sf, data, sizeof(sf));
		FUZZ_CHECK(sf.bfree <= sf.blocks && sf.bavail <= sf.bfree && sf.ffree <= sf.files);
		FUZZ_CHECK(memchr(sf.type, '\0', sizeof(sf.type)) != NULL && sf.type[0]);
		break;
	}
	default:
		FUZZ_CHECK(r->len == 0);
	}
}

static void handle(struct tfs *fs, unsigned ctl, const uint8_t *bytes, size_t n)
{
	unsigned char *req = malloc(n ? n : 1);
	FUZZ_CHECK(req);
	memcpy(req, bytes, n);
	struct ns_req q = {0};
	if (n >= sizeof(q)) {
		memcpy(&q, req, sizeof(q));
		uint64_t ids = fs->next_id + 1;
		if (ctl & CTL_FOLD_NODES) {
			q.node %= ids;
			if (q.op == NS_OP_LINK || q.op == NS_OP_RENAME)
				q.arg2 %= ids;
		}
		if (ctl & CTL_FIX_LENGTHS) {
			size_t rest = n - sizeof(q);
			q.len1 = q.len1 <= rest ? q.len1 : (uint32_t)rest;
			q.len2 = (uint32_t)(rest - q.len1);
		}
		if (ctl & CTL_FOLD_OP)
			q.op %= NS_OP_COUNT + 1;
		memcpy(req, &q, sizeof(q));
	} else {
		memcpy(&q, req, n); /* the rest stays zero: check_reply knows it is short */
	}
	size_t len = ns_provider_handle(&tmpfs_ops, fs, req, n, rep, NS_MSG_MAX);
	check_reply(&q, n, len);
	memset(rep, CANARY, len); /* the rest still is */
	free(req);
}

/* Every directory reachable from dir lists, and every entry in it stats (depth-bounded). */
static void check_tree(struct tfs *fs, uint64_t dir, unsigned depth)
{
	static uint8_t buf[4096];
	uint64_t cookie = 0;
	long n;
	while ((n = tfs_list(fs, dir, &cookie, buf, sizeof(buf))) > 0) {
		check_dirents(buf, (size_t)n);
		for (long off = 0; off < n;) {
			const struct ns_dirent *de = (const void *)(buf + off);
			struct ns_stat st;
			uint64_t node = de->node;
			FUZZ_CHECK(tfs_stat(fs, node, &st) == 0);
			FUZZ_CHECK(st.type == de->type);
			off += de->reclen;
			if (st.type == NS_TYPE_DIR && depth < 64) {
				uint8_t save[sizeof(buf)];
				memcpy(save, buf, sizeof(buf));
				check_tree(fs, node, depth + 1);
				memcpy(buf, save, sizeof(buf));
			}
		}
	}
	FUZZ_CHECK(n == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!rep) {
		rep = malloc(NS_MSG_MAX);
		FUZZ_CHECK(rep);
		memset(rep, CANARY, NS_MSG_MAX);
		memset(canary, CANARY, NS_MSG_MAX);
	}
	struct tfs fs;
	FUZZ_CHECK(tfs_init(&fs, 1 << 20, NULL) == 0);
	while (size >= 3) {
		unsigned ctl = data[0];
		size_t n = (size_t)data[1] | (size_t)data[2] << 8;
		data += 3, size -= 3;
		if (n > size)
			n = size;
		handle(&fs, ctl, data, n);
		data += n, size -= n;
	}
	check_tree(&fs, fs.root, 0);
	tfs_destroy(&fs);
	return 0;
}

/* --- the seed corpus --- */

/* One request of the given strings (l1, l2 bytes) in the input format (ctl 0). */
static void put_raw(FILE *f, uint32_t op, uint32_t flags, uint64_t node, uint64_t arg,
                    uint64_t arg2, const char *s1, size_t l1, const char *s2, size_t l2)
{
	struct ns_req q = {.op = op, .flags = flags, .node = node, .arg = arg, .arg2 = arg2};
	q.len1 = (uint32_t)l1;
	q.len2 = (uint32_t)l2;
	size_t n = sizeof(q) + l1 + l2;
	unsigned char head[3] = {0, (unsigned char)n, (unsigned char)(n >> 8)};
	fwrite(head, 1, 3, f);
	fwrite(&q, 1, sizeof(q), f);
	fwrite(s1, 1, l1, f);
	fwrite(s2, 1, l2, f);
}

static void put_req(FILE *f, uint32_t op, uint32_t flags, uint64_t node, uint64_t arg,
                    uint64_t arg2, const char *s1, const char *s2)
{
	put_raw(f, op, flags, node, arg, arg2, s1 ? s1 : "", s1 ? strlen(s1) : 0, s2 ? s2 : "",
	        s2 ? strlen(s2) : 0);
}

static FILE *seed_file(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	FUZZ_CHECK(f);
	return f;
}

/* Node ids of a fresh tree: the root is 1, then one per node made, in order. */
static void write_seeds(const char *dir)
{
	FILE *f = seed_file(dir, "session");
	put_req(f, NS_OP_CREATE, 0, 1, NS_TYPE_DIR, 0, "home", NULL); /* 2 */
	put_req(f, NS_OP_CREATE, NS_OPEN_EXCLUSIVE, 2, NS_TYPE_FILE, 0, "f", NULL); /* 3 */
	put_req(f, NS_OP_WRITE, 0, 3, 10, 0, "hello", NULL);
	put_req(f, NS_OP_READ, 0, 3, 8, 100, NULL, NULL);
	put_req(f, NS_OP_STAT, 0, 3, 0, 0, NULL, NULL);
	put_req(f, NS_OP_SYMLINK, 0, 1, 0, 0, "l", "home/f"); /* 4 */
	put_req(f, NS_OP_WALK, 0, 1, 0, 0, "home/f", NULL);
	put_req(f, NS_OP_WALK, NS_WALK_FOLLOW, 1, 0, 0, "l", NULL);
	put_req(f, NS_OP_WALK, NS_WALK_STAT, 1, 0, 0, "home", NULL);
	put_req(f, NS_OP_READLINK, 0, 4, 0, 0, NULL, NULL);
	put_req(f, NS_OP_UNLINK, 0, 2, 0, 0, "f", NULL);
	put_req(f, NS_OP_READ, 0, 3, 10, 5, NULL, NULL);
	put_req(f, NS_OP_RELEASE, 0, 3, 0, 0, NULL, NULL);
	uint64_t batch[2] = {2, 4}; /* a batch of releases */
	put_raw(f, NS_OP_RELEASE, 0, 0, 0, 0, (const char *)batch, sizeof(batch), "", 0);
	put_req(f, NS_OP_CREATE, 0, 2, NS_TYPE_FILE, 0, "g", NULL); /* 5 */
	put_req(f, NS_OP_LINK, 0, 2, 0, 5, "g2", NULL);
	put_req(f, NS_OP_RENAME, 0, 2, 0, 1, "g2", "top");
	put_req(f, NS_OP_LIST, 0, 1, 0, 4096, NULL, NULL);
	put_req(f, NS_OP_LIST, 0, 1, 1, 40, NULL, NULL);
	put_req(f, NS_OP_TRUNCATE, 0, 5, 100, 0, NULL, NULL);
	put_req(f, NS_OP_UNLINK, NS_UNLINK_DIR, 1, 0, 0, "home", NULL);
	fclose(f);
	f = seed_file(dir, "dirs");
	put_req(f, NS_OP_CREATE, 0, 1, NS_TYPE_DIR, 0, "a", NULL); /* 2 */
	put_req(f, NS_OP_CREATE, 0, 2, NS_TYPE_DIR, 0, "b", NULL); /* 3 */
	put_req(f, NS_OP_RENAME, 0, 1, 0, 3, "a", "x"); /* a below itself */
	put_req(f, NS_OP_RENAME, 0, 2, 0, 1, "b", "c");
	put_req(f, NS_OP_UNLINK, NS_UNLINK_DIR, 1, 0, 0, "c", NULL);
	put_req(f, NS_OP_WALK, 0, 1, 0, 0, "a/b", NULL);
	fclose(f);
	f = seed_file(dir, "malformed");
	put_req(f, 999, 0, 1, 0, 0, NULL, NULL);
	struct ns_req q = {.op = NS_OP_WALK, .node = 1, .len1 = 10};
	unsigned char head[3] = {0, (unsigned char)sizeof(q), 0};
	fwrite(head, 1, 3, f);
	fwrite(&q, 1, sizeof(q), f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *dir = getenv("FUZZ_WRITE_SEEDS");
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}
