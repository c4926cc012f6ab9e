# Hardware capabilities' pure parts: the PCI capability walk and BAR decoding
# against hostile configuration spaces, and the I/O permission bitmap's ranges.
test_hw_SRCS := kernel/hw/pci_parse.c kernel/arch/x86_64/iobitmap.c
test_hw_CFLAGS := -Ikernel/arch/x86_64/include
