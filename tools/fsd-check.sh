#!/bin/sh
# fsd-check.sh - the host half of fstest (docs/fsd.md): after a test boot, check the
# home disk image the VM wrote with e2fsprogs and print one VMTEST line per check,
# as the VM does (tools/run-tests.sh counts them with the boot's results):
#   fs_host_e2fsck    e2fsck -fn finds nothing wrong
#   fs_host_readback  debugfs reads back exactly the bytes fstest wrote to
#                     /fstest/host-check.bin (byte i = i*131 + i/256 + 8, mod 256)
#
# usage: tools/fsd-check.sh IMAGE
set -u
img=${1:?usage: fsd-check.sh IMAGE}
PATH=$PATH:/sbin:/usr/sbin
tmp=${TMPDIR:-/tmp}/fsd-check.$$
mkdir -p "$tmp" || exit 2
trap 'rm -rf "$tmp"' EXIT

if e2fsck -fn "$img" >"$tmp/fsck" 2>&1; then
	echo "VMTEST PASS fs_host_e2fsck"
else
	echo "VMTEST FAIL fs_host_e2fsck: e2fsck -fn $img: $(grep -v '^Pass\|^e2fsck [0-9]' "$tmp/fsck" | head -n 3 | tr '\n' ' ')"
fi

perl -e 'my $n = 300000; print pack("C*", map { ($_ * 131 + ($_ >> 8) + 8) & 255 } 0 .. $n - 1)' \
	>"$tmp/want"
debugfs -R "cat /fstest/host-check.bin" "$img" >"$tmp/got" 2>"$tmp/err"
if cmp -s "$tmp/want" "$tmp/got"; then
	echo "VMTEST PASS fs_host_readback"
else
	echo "VMTEST FAIL fs_host_readback: debugfs cat /fstest/host-check.bin: $(wc -c <"$tmp/got") bytes, not the 300000 written ($(cmp "$tmp/want" "$tmp/got" 2>&1 | head -n 1))"
fi
