/*
 * fsd_ctl.h - fsd's control endpoint (the grant "ctl", optional): whoever
 * started fsd calls it with one uint32_t and gets one int32_t back.
 *
 *   FSD_CTL_SYNC  write everything back and flush the disk: 0 or the error
 *   FSD_CTL_STOP  sync, unmount (the file system is marked clean), answer, exit 0
 *
 * Anything else is ERR_NOT_SUPPORTED.
 */
#pragma once

#define FSD_CTL_SYNC 1u
#define FSD_CTL_STOP 2u
