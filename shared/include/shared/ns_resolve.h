/*
 * ns_resolve.h - resolving a normalized path across providers, links and binds.
 *
 * The kernel's half of every open (docs/namespace.md, "Resolution"): a
 * provider resolves as many names as it can in one step and reports a node,
 * a link it met (at name k, with its target) or a bind point (at name k,
 * continuing in another provider's node). ns_resolve() splices links
 * lexically and restarts from the start node, so nothing above the start can
 * ever be reached: ".." past it, in a path or in a link's target, is
 * ERR_NOT_FOUND; an absolute link target starts at the start node too
 * (openat2's RESOLVE_IN_ROOT). At most NS_LINKS_MAX links per resolution
 * (then ERR_LOOP), at most NS_DEPTH_MAX bind crossings.
 *
 * Pure logic: providers are reached through the step callback, so the host
 * tests run it over the tmpfs tree, and the kernel over its providers.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <shared/ns_uri.h>

/* A place in the namespace: a provider and one of its nodes. */
struct ns_at {
	void *prov;
	uint64_t node;
};

/* What one provider step reports (NS_STEP_*, or a negative ERR_*). */
#define NS_STEP_NODE 0 /* reached the end: node, type */
#define NS_STEP_LINK 1 /* a link at name `consumed` (counted): link, link_len */
#define NS_STEP_CROSS 2 /* name `consumed` is a bind point: go on from `at` */

struct ns_step {
	struct ns_at at; /* NODE: the node reached; CROSS: where to continue */
	uint32_t type; /* NODE: its entry type */
	unsigned consumed; /* names of the path this step resolved */
	const char *link; /* LINK: the target, valid until the next step */
	size_t link_len;
};

/*
 * One provider step: resolve path (len bytes, normalized, may be empty) from
 * at, not following a link that is the last name unless follow_last.
 * Returns NS_STEP_* or an error; `consumed` must not exceed the names in path.
 */
typedef int (*ns_step_fn)(void *ctx, struct ns_at at, const char *path, size_t len,
                          bool follow_last, struct ns_step *out);

/*
 * Resolve *path (normalized, from start) to out->at / out->type. Links are
 * spliced into *path with the help of *scratch (two paths are 8 KiB: kernel
 * callers allocate them, they do not fit a kernel stack). Errors: those of the steps,
 * ERR_NOT_FOUND (".." above start), ERR_LOOP (too many links), ERR_OUT_OF_RANGE
 * (too many crossings, or a spliced path over NS_PATH_MAX), ERR_INVALID_ARGS (a link
 * target that is not a valid path), ERR_INTERNAL (a step that lied about
 * what it consumed).
 */
int ns_resolve(struct ns_at start, struct ns_path *path, struct ns_path *scratch, bool follow_last,
               ns_step_fn step, void *ctx, struct ns_step *out);
