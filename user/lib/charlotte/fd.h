/*
 * fd.h - the capabilities behind the libc's descriptors (implemented in the libc,
 * user/lib/libc/fd.c; docs/userspace.md "Descriptors and streams").
 *
 * To give a child a descriptor, grant it ch_fd_handle(fd) under "stdin", "stdout" or
 * "stderr" (ch_spawn copies the capability; ours stays). To use a capability we
 * received as a descriptor, ch_fd_from_handle.
 */
#pragma once

#include <abi/handle.h>

/* The capability behind fd (a stream endpoint or a namespace file), still owned by the
 * descriptor; HANDLE_INVALID with errno EBADF if fd is not open or has none (the
 * fallbacks of fds 0-2: empty input, the log). */
handle_t ch_fd_handle(int fd);
/*
 * A new descriptor (the lowest free) for h, a stream endpoint (OBJ_ENDPOINT) or a
 * namespace file (OBJ_NS_NODE), with oflags' access mode (O_RDONLY, O_WRONLY,
 * O_RDWR) and, for a file, O_APPEND (else the offset starts at 0). The descriptor owns
 * h from then on (close drops it). -1 with errno on failure (EBADF, EINVAL, EMFILE,
 * or what telling h's type failed with); h is then still the caller's.
 */
int ch_fd_from_handle(handle_t h, int oflags);
