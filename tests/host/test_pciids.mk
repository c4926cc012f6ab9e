# pci.ids lookups and the `devices` row (shared/pciids.c): Debian's real pci.ids
# (hwdata) and hostile texts.
test_pciids_SRCS := shared/pciids.c shared/fmt.c
test_pciids_CFLAGS := -Ishared/include -DPCI_IDS_FILE='"/usr/share/misc/pci.ids"'
