/*
 * errors.h - the one list of error codes shared by kernel and user space.
 *
 * Every action returns 0 (or a non-negative value) on success and one of these
 * negative codes on failure. Codes are grouped by kind; the comment says when
 * each is used. Codes never change value once published.
 */
#pragma once

/* --- General --- */
#define ERR_OK 0 /* success */
#define ERR_INTERNAL (-1) /* broken invariant caught and contained */
#define ERR_NOT_SUPPORTED (-2) /* action does not exist for this target */
#define ERR_INVALID_ARGS (-3) /* an argument is out of range or malformed */
#define ERR_BAD_STATE (-4) /* target is not in a state that allows the action */
#define ERR_TIMED_OUT (-5) /* a wait reached its deadline */
#define ERR_INTERRUPTED (-6) /* a wait was cut short (thread killed, object closed) */

/* --- Resources --- */
#define ERR_NO_MEMORY (-10) /* physical memory, kernel heap or pool quota exhausted */
#define ERR_NO_RESOURCES (-11) /* a table (cspace, queue, ...) is full */
#define ERR_SHOULD_WAIT (-12) /* would block and the caller asked not to */
#define ERR_BUFFER_TOO_SMALL (-13) /* caller's buffer cannot hold the result */

/* --- Capabilities --- */
#define ERR_BAD_HANDLE (-20) /* handle is stale, forged, revoked or out of range */
#define ERR_WRONG_TYPE (-21) /* handle names an object of another type */
#define ERR_ACCESS_DENIED (-22) /* capability lacks a right the action needs */

/* --- Memory and addresses --- */
#define ERR_BAD_ADDRESS (-30) /* user pointer unmapped, kernel, or non-canonical */
#define ERR_OUT_OF_RANGE (-31) /* offset/length outside the object */
#define ERR_ALREADY_EXISTS (-32) /* mapping overlaps, name taken */
#define ERR_NOT_FOUND (-33) /* no such entry, mapping or table */

/* --- Data --- */
#define ERR_MALFORMED (-40) /* input data (table, archive, ELF, message) is corrupt */
#define ERR_TRUNCATED (-41) /* input data ends before its declared length */
#define ERR_CHECKSUM (-42) /* checksum does not match */

/* --- Peers --- */
#define ERR_PEER_CLOSED (-50) /* the other end of a channel is gone */

/* --- Namespace --- */
#define ERR_NO_HOST (-60) /* a URI names a host this one cannot reach (another host, today) */
#define ERR_CROSS_PROVIDER (-61) /* rename or link between two providers' subtrees */
#define ERR_LOOP (-62) /* a resolution met more than NS_LINKS_MAX links (a loop, likely) */

/* --- Devices --- */
#define ERR_IO (-70) /* the device failed the request (a media or transport error it reported) */

/* --- Self-checks --- */
#define ERR_BROKEN_INVARIANT (-80) /* SYS_LOG_CHECK found the kernel's own state inconsistent */
