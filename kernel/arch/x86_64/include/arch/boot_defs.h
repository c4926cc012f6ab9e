/*
 * arch/boot_defs.h - constants shared by boot assembly and C.
 */
#pragma once

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC 0x36d76289
#define PVH_MAGIC 0x336ec578
#define BSP_STACK_SIZE 32768

#define KERNEL_VMA 0xffffffff80000000
#define DIRECT_MAP_BASE 0xffff800000000000
