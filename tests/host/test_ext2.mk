# The ext2 engine of fsd (user/fsd/ext2) over image files made by the host's mke2fs,
# checked after every change by e2fsck -fn and debugfs (e2fsprogs: tools/deps.sh test).
test_ext2_SRCS := $(wildcard user/fsd/ext2/*.c) tests/host/ext2_fixture.c
test_ext2_CFLAGS := -Iuser/fsd/ext2
$(B)/host/test_ext2: $(wildcard user/fsd/ext2/*.h)
