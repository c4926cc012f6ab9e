/*
 * kcheck.h - the kernel's invariant checker (SYS_LOG_CHECK; bin/sysfuzz runs it
 * between its batches).
 */
#pragma once
#include <abi/debug.h>

/*
 * Walk every process's cspace (cap/check.h: slots, derivation links, rights, badges,
 * reference counts) and every pool a capability names (used within quota; a child
 * pool's parent charged for it). Work is bounded per lock hold; a kill of the caller
 * ends the walk. Returns 0 (r has the counts), ERR_BROKEN_INVARIANT (r says which,
 * and a log line too) or ERR_INTERRUPTED. r is zeroed first.
 */
int kcheck_run(struct kcheck_report *r);

/* The same checks on one cspace the caller keeps alive (r zeroed first; no log line):
 * what kcheck_run does per process, for the VM tests' throwaway cspaces. */
struct cspace;
int kcheck_cspace(struct cspace *cs, struct kcheck_report *r);
