/*
 * ops.h - the tmpfs tree as a namespace provider (ns_provider_ops over tree.h).
 */
#pragma once
#include "tree.h"
#include <charlotte/nsprov.h>

/* The operations; their ctx is a struct tfs *. */
extern const struct ns_provider_ops tmpfs_ops;
