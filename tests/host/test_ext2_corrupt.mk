# The ext2 engine of fsd (user/fsd/ext2) on corrupted mke2fs images: clean failures.
test_ext2_corrupt_SRCS := $(wildcard user/fsd/ext2/*.c) tests/host/ext2_fixture.c
test_ext2_corrupt_CFLAGS := -Iuser/fsd/ext2
$(B)/host/test_ext2_corrupt: $(wildcard user/fsd/ext2/*.h)
