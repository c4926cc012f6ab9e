/*
 * disk.h - the on-disk format of ext2 (revision 0 and 1), as e2fsprogs and Linux
 * write it: the superblock, group descriptors, inodes and directory entries.
 *
 * Everything on disk is little-endian; so is every machine CharlotteOS runs on
 * (x86-64), so the structures are read in place. The static asserts pin each
 * structure to its on-disk size and the offsets the engine relies on.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define EXT2_MAGIC 0xEF53
#define EXT2_SUPER_OFFSET 1024u /* bytes from the start of the device */
#define EXT2_SUPER_SIZE 1024u
#define EXT2_ROOT_INO 2u
#define EXT2_GOOD_OLD_REV 0u
#define EXT2_DYNAMIC_REV 1u
#define EXT2_GOOD_OLD_FIRST_INO 11u
#define EXT2_GOOD_OLD_INODE_SIZE 128u
#define EXT2_NDIR_BLOCKS 12u
#define EXT2_IND_BLOCK 12u
#define EXT2_DIND_BLOCK 13u
#define EXT2_TIND_BLOCK 14u
#define EXT2_N_BLOCKS 15u
#define EXT2_NAME_LEN 255u
#define EXT2_LINK_MAX 32000u /* Linux's EXT2_LINK_MAX */
#define EXT2_FAST_SYMLINK_MAX 59u /* targets shorter than i_block's 60 bytes live in it */

/* s_state */
#define EXT2_VALID_FS 0x0001 /* unmounted cleanly */
#define EXT2_ERROR_FS 0x0002 /* errors detected */

/* s_feature_compat: unknown ones are safe to ignore, for reading and writing. */
#define EXT2_FEATURE_COMPAT_DIR_PREALLOC 0x0001
#define EXT2_FEATURE_COMPAT_IMAGIC_INODES 0x0002
#define EXT3_FEATURE_COMPAT_HAS_JOURNAL 0x0004
#define EXT2_FEATURE_COMPAT_EXT_ATTR 0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INODE 0x0010
#define EXT2_FEATURE_COMPAT_DIR_INDEX 0x0020

/* s_feature_ro_compat: unknown ones allow a read-only mount. */
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002

/* s_feature_incompat: unknown ones refuse the mount. */
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002

/* i_mode */
#define EXT2_S_IFMT 0xF000
#define EXT2_S_IFSOCK 0xC000
#define EXT2_S_IFLNK 0xA000
#define EXT2_S_IFREG 0x8000
#define EXT2_S_IFBLK 0x6000
#define EXT2_S_IFDIR 0x4000
#define EXT2_S_IFCHR 0x2000
#define EXT2_S_IFIFO 0x1000

/* i_flags */
#define EXT2_INDEX_FL 0x00001000 /* hashed (htree) directory */

/* directory entry file_type (with the filetype feature) */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG_FILE 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHRDEV 3
#define EXT2_FT_BLKDEV 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_SYMLINK 7

/* The extended-attribute block header (i_file_acl), as far as freeing needs it. */
#define EXT2_XATTR_MAGIC 0xEA020000u

struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* revision 1 only */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_rest1[348 - 208]; /* journal, hash seed, ... (ext3/4) */
	uint16_t s_min_extra_isize;
	uint16_t s_want_extra_isize;
	uint8_t s_rest2[1024 - 352];
};
_Static_assert(sizeof(struct ext2_super) == EXT2_SUPER_SIZE, "ext2 superblock");
_Static_assert(offsetof(struct ext2_super, s_magic) == 56, "s_magic");
_Static_assert(offsetof(struct ext2_super, s_feature_ro_compat) == 100, "s_feature_ro_compat");
_Static_assert(offsetof(struct ext2_super, s_reserved_gdt_blocks) == 206, "s_reserved_gdt");
_Static_assert(offsetof(struct ext2_super, s_min_extra_isize) == 0x15C, "s_min_extra_isize");

struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint8_t bg_reserved[12];
};
_Static_assert(sizeof(struct ext2_group_desc) == 32, "ext2 group descriptor");

/* The first 128 bytes of an inode (every inode size has them). */
struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks; /* 512-byte units: data, indirect and xattr blocks */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl; /* extended-attribute block */
	uint32_t i_size_high; /* i_dir_acl in revision 0: the size's high half for files */
	uint32_t i_faddr;
	uint8_t i_frag, i_fsize;
	uint16_t i_pad1;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint32_t i_reserved2;
};
_Static_assert(sizeof(struct ext2_inode) == EXT2_GOOD_OLD_INODE_SIZE, "ext2 inode");
_Static_assert(offsetof(struct ext2_inode, i_block) == 40, "i_block");
_Static_assert(offsetof(struct ext2_inode, i_uid_high) == 120, "i_uid_high");

/* Past the first 128 bytes of a large inode: its size, then extra time fields. */
#define EXT2_INODE_EXTRA_ISIZE_OFF 128u
#define EXT2_INODE_EXTRA_ISIZE_DEFAULT 32u /* Linux's sizeof(ext4_inode) - 128 */
#define EXT2_INODE_CRTIME_OFF 144u /* i_crtime, inside the default extra space */

/* A directory entry's fixed part; name follows, padded to a multiple of 4. */
struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type; /* without the filetype feature: name_len's high byte */
};
_Static_assert(sizeof(struct ext2_dirent) == 8, "ext2 dirent");

/* The size an entry with a name of n bytes needs. */
#define EXT2_DIR_REC_LEN(n) ((8u + (uint32_t)(n) + 3u) & ~3u)
