#!/bin/sh
# bench-vmlinux.sh BZIMAGE OUT - extract the uncompressed ELF vmlinux from a
# Linux bzImage, as the kernel's scripts/extract-vmlinux does, so QEMU can boot
# it by PVH (`-kernel vmlinux`: the ELF's XEN_ELFNOTE_PHYS32_ENTRY note; a
# bzImage would be booted by QEMU's Linux loader through real mode instead).
#
# The bzImage carries the kernel as one compressed stream after the setup code.
# We look for each compression format's magic (xz, gzip, zstd, lz4, bzip2, lzma),
# try to decompress from every offset where it appears, and keep the first
# result that is an ELF file. Debian 12 uses xz (CONFIG_KERNEL_XZ).
set -eu

[ $# -eq 2 ] || { echo "usage: $0 BZIMAGE OUT" >&2; exit 2; }
in=$1 out=$2
[ -r "$in" ] || { echo "bench-vmlinux: $in missing: install linux-image-amd64" >&2; exit 1; }
tmp=$out.tmp
trap 'rm -f "$tmp"' EXIT

is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' \n')" = '177ELF' ]; }

# try MAGIC-REGEX COMMAND...: decompress from each offset of the magic.
try() {
	magic=$1
	shift
	command -v "$1" >/dev/null 2>&1 || return 1
	# shellcheck disable=SC2013 # offsets are numbers, one per line
	for off in $(LC_ALL=C grep -obUaP "$magic" "$in" | cut -d: -f1); do
		tail -c +"$((off + 1))" "$in" | "$@" >"$tmp" 2>/dev/null || true
		if [ -s "$tmp" ] && is_elf "$tmp"; then
			mv "$tmp" "$out"
			echo "bench-vmlinux: $1 stream at byte $off of $in -> $out"
			return 0
		fi
	done
	return 1
}

try '\xfd7zXZ\x00' xz -dc --single-stream ||
	try '\x1f\x8b\x08' gzip -dc ||
	try '\x28\xb5\x2f\xfd' zstd -dc ||
	try '\x02\x21\x4c\x18' lz4 -dc ||
	try 'BZh' bzip2 -dc ||
	try '\x5d\x00\x00\x00' xz -dc --format=lzma ||
	{ echo "bench-vmlinux: no compressed ELF found in $in" >&2; exit 1; }
