# ustar initrd reader: archives from the host's GNU tar and hand-built broken ones, fuzzing.
test_ustar_SRCS := shared/ustar.c
