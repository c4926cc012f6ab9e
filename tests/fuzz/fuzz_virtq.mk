# The split virtqueue (shared/virtio.c) with the input as a hostile device.
fuzz_virtq_SRCS := shared/virtio.c
