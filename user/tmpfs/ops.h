/*
 * ops.h - the tmpfs tree as a namespace provider (ns_provider_ops over tree.h).
 */
#pragma once
#include "tree.h"
#include <charlotte/nsprov.h>

/* The operations; their ctx is a struct tfs *. */
extern const struct ns_provider_ops tmpfs_ops;

/* Where watch events go: send without waiting (ERR_SHOULD_WAIT when the watcher's queue
 * is full), drop a watcher's endpoint. Without a sink, watch is ERR_NOT_SUPPORTED. */
struct tmpfs_sink {
	long (*send)(handle_t ep, const void *ev, size_t len);
	void (*drop)(handle_t ep);
};
void tmpfs_events_init(const struct tmpfs_sink *s);
