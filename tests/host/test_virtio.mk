# The split virtqueue (shared/virtio.c) against an honest and a hostile device model.
test_virtio_SRCS := shared/virtio.c
