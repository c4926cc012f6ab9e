#!/bin/sh
# bench-initramfs.sh OUT LINUXBENCH INIT [KVER] - the Linux benchmark initramfs: a
# cpio "newc" archive holding INIT as /init, busybox-static as /bin/busybox (with
# /bin/sh), the static benchmark program as /bin/linuxbench, /dev/console, and
# with KVER the virtio block modules of /lib/modules/KVER in /modules (for
# blk_read_4k; Debian builds virtio as modules) and ext4 with what it needs (for the
# fs_* metrics: Debian's 6.1 has no ext2 driver, its ext4 serves ext2 through
# CONFIG_EXT4_USE_FOR_EXT2; ext4 needs crc16, mbcache and jbd2, and crc32c when a file
# system has checksums), in the order bench/linux/init loads them.
#
# The kernel opens /dev/console for init's stdin/stdout before anything can
# mount devtmpfs, and cpio can only archive a device node that exists on the
# host (mknod needs root). So the archive is two concatenated newc archives,
# which the kernel unpacks in turn: a first one written here by hand holding
# /dev and the character device /dev/console (5, 1), then `cpio -o` of the rest.
set -eu

[ $# -eq 3 ] || [ $# -eq 4 ] || { echo "usage: $0 OUT LINUXBENCH INIT [KVER]" >&2; exit 2; }
out=$1 prog=$2 init=$3 kver=${4:-}
busybox=${BUSYBOX:-/bin/busybox}
if ! [ -x "$busybox" ] || ! "$busybox" 2>&1 | head -1 | grep -q BusyBox; then
	echo "bench-initramfs: $busybox missing: install busybox-static" >&2
	exit 1
fi
readelf -l "$busybox" 2>/dev/null | grep -q 'Requesting program interpreter' &&
	{ echo "bench-initramfs: $busybox is dynamic: install busybox-static" >&2; exit 1; }

# newc_entry NAME MODE(octal) RDEVMAJOR RDEVMINOR INO: a header with no data.
newc_entry() {
	namesize=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
		"$5" "$(printf '%d' "0$2")" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0 "$1"
	# header (110 bytes) + name is padded to a multiple of 4
	pad=$(((4 - (110 + namesize) % 4) % 4))
	[ "$pad" -gt 0 ] && head -c "$pad" /dev/zero
	return 0
}

stage=$out.d
rm -rf "$stage" && mkdir -p "$stage/bin" "$stage/proc" "$stage/sys"
cp "$init" "$stage/init" && chmod 755 "$stage/init"
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$prog" "$stage/bin/linuxbench"
if [ -n "$kver" ]; then
	mkdir -p "$stage/modules"
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk \
		crc16 mbcache jbd2 crc32c_generic ext4; do
		f=$(find "/lib/modules/$kver/kernel" -name "$m.ko*" 2>/dev/null | head -n 1)
		case "$f" in
		*.ko) cp "$f" "$stage/modules/$m.ko" ;;
		*.ko.xz) xz -dc "$f" >"$stage/modules/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$stage/modules/$m.ko" ;;
		*) echo "bench-initramfs: $m.ko not in /lib/modules/$kver: no blk_read_4k or fs_*" >&2 ;;
		esac
	done
fi

{
	newc_entry dev 40755 0 0 1
	newc_entry dev/console 20600 5 1 2
	newc_entry TRAILER!!! 0 0 0 0
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet)
} >"$out.tmp"
mv "$out.tmp" "$out"
