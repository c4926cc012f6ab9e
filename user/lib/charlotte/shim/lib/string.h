/*
 * lib/string.h (user-space shim) - lets kernel/lib/ustar.c, which includes the
 * kernel's <lib/string.h>, build inside libcharlotte: the libc's <string.h> has the
 * same functions with the same (standard) semantics. Only on libcharlotte's include
 * path (mk/user.mk LIBCHARLOTTE_CFLAGS).
 */
#pragma once
#include <string.h>
