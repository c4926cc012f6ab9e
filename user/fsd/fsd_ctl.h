/*
 * fsd_ctl.h - fsd's control endpoint (the grant "ctl", optional): whoever
 * started fsd calls it with a uint32_t operation (and, for FSD_CTL_MAP, the
 * rest of a struct fsd_ctl_map) and gets an int32_t status back.
 *
 *   FSD_CTL_SYNC  write everything back and flush the disk: 0 or the error
 *   FSD_CTL_STOP  sync, unmount (the file system is marked clean), answer, exit 0
 *   FSD_CTL_MAP   a capability to a regular file's paged memory object (fsd its
 *                 pager, docs/fsd.md "Mapped files"): the answer is a struct
 *                 fsd_ctl_mapped with the capability attached
 *   FSD_CTL_OBJECTS  how many paged objects fsd keeps (>= 0)
 *
 * Anything else is ERR_NOT_SUPPORTED.
 */
#pragma once
#include <stdint.h>

#define FSD_CTL_SYNC 1u
#define FSD_CTL_STOP 2u
#define FSD_CTL_MAP 3u
#define FSD_CTL_OBJECTS 4u

struct fsd_ctl_map {
	uint32_t op; /* FSD_CTL_MAP */
	uint32_t ino; /* the file's node id (struct ns_stat.node) */
	uint64_t rights; /* RIGHT_READ | RIGHT_MAP | RIGHT_INSPECT, RIGHT_DUPLICATE as
	                  * wanted (RIGHT_TRANSFER always: the answer moves it); never
	                  * RIGHT_MANAGE or RIGHT_WRITE (pager.h) */
};

struct fsd_ctl_mapped {
	int32_t status; /* 0, or pager_map()'s ERR_* (no capability then) */
	uint32_t reserved;
	uint64_t size; /* the file's bytes (the object is larger: whole pages and room) */
};
