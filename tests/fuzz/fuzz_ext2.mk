# fsd's ext2 engine (user/fsd/ext2): mount, walk, read and write a fuzzed image.
fuzz_ext2_SRCS := $(wildcard user/fsd/ext2/*.c)
fuzz_ext2_CFLAGS := -Iuser/fsd/ext2
$(B)/fuzz/fuzz_ext2: $(wildcard user/fsd/ext2/*.h)
# Seeds: small images made by the host's mke2fs -d (e2fsprogs) from a tree of a
# directory, files (one past the direct blocks), a hard link and both kinds of link;
# 1, 2 and 4 KiB blocks, revision 0, and one without filetype or sparse_super.
FUZZ_EXT2_SEEDS := $(B)/fuzz/seeds/fuzz_ext2
# Each is name:options:KiB, the options' spaces written as '%'.
FUZZ_EXT2_IMAGES := 1k-64k:-b%1024:64 1k-128k:-b%1024:128 2k-rev0:-b%2048%-r%0:128 \
	4k:-b%4096%-I%128:256 1k-plain:-b%1024%-O%^filetype,^sparse_super,^dir_index,^resize_inode:96
fuzz_ext2_SEEDS := $(foreach i,$(FUZZ_EXT2_IMAGES),$(FUZZ_EXT2_SEEDS)/$(word 1,$(subst :, ,$(i))).img)
$(B)/fuzz/ext2-tree/.made: tests/fuzz/fuzz_ext2.mk
	@rm -rf $(@D) && mkdir -p $(@D)/d/e
	$(Q)cd $(@D) && echo hello > d/hello && seq 1 4000 > d/e/numbers && ln -s hello d/fast && \
		ln -s $$(printf 'x%.0s' $$(seq 80)) d/slow && ln d/hello hard && touch $(@F)
define fuzz_ext2_seed
$(FUZZ_EXT2_SEEDS)/$(word 1,$(subst :, ,$(1))).img: $(B)/fuzz/ext2-tree/.made
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@ && mke2fs -q -F -t ext2 $(subst %, ,$(word 2,$(subst :, ,$(1)))) -N 32 -m 0 \
		-E root_owner=0:0 -d $(B)/fuzz/ext2-tree $$@ $(word 3,$(subst :, ,$(1)))k \
		>/dev/null 2>&1
endef
$(foreach i,$(FUZZ_EXT2_IMAGES),$(eval $(call fuzz_ext2_seed,$(i))))
