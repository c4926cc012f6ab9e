/* Host-test stand-in for arch/boot_defs.h: where the fake architecture's kernel lives. */
#pragma once

#define KERNEL_VMA 0xffffffffc0000000ull
#define DIRECT_MAP_BASE 0xffffff8000000000ull
