# fsd's pager (user/fsd/pager.c) over the ext2 engine and a fake of the kernel's paged
# memory objects: read-ahead, faults past the end, coherence on write and truncate,
# retiring and eviction, rights (e2fsprogs: tools/deps.sh test).
test_fsd_pager_SRCS := user/fsd/pager.c $(wildcard user/fsd/ext2/*.c) tests/host/ext2_fixture.c
test_fsd_pager_CFLAGS := -Iuser/fsd/ext2 -Iuser/fsd -Iuser/lib
$(B)/host/test_fsd_pager: $(wildcard user/fsd/ext2/*.h) user/fsd/pager.h
