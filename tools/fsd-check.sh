#!/bin/sh
# fsd-check.sh - the host half of fstest (docs/fsd.md): after a test boot, check the
# home disk image the VM wrote with e2fsprogs and print one VMTEST line per check,
# as the VM does (tools/run-tests.sh counts them with the boot's results):
#   fs_host_e2fsck    e2fsck -fn finds nothing wrong
#   fs_host_readback  debugfs reads back exactly the bytes fstest wrote to
#                     /fstest/host-check.bin (byte i = i*131 + i/256 + 8, mod 256)
#   fs_host_setattr   debugfs sees what fstest's fs_setattr set through fsd (mode 4751,
#                     owner 70000, group 80000, atime 1111111111, mtime 1234567890 of
#                     /fstest/attr.txt, mode 0700 of /fstest/attr-dir), and the ctime
#                     fsd stamped is the host's time (within an hour: the wall clock)
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

debugfs -R "stat /fstest/attr.txt" "$img" >"$tmp/attr" 2>/dev/null
debugfs -R "stat /fstest/attr-dir" "$img" >"$tmp/attrdir" 2>/dev/null
ctime=$(sed -n 's/^ *ctime: 0x\([0-9a-f]*\).*/\1/p' "$tmp/attr" | head -n 1)
ctime=$((0x${ctime:-0}))
now=$(date +%s)
why=
grep -q 'Type: regular *Mode: *0*4751' "$tmp/attr" || why="$why mode;"
grep -q 'User: *70000 *Group: *80000' "$tmp/attr" || why="$why owner;"
grep -q 'atime: 0x423a35c7' "$tmp/attr" || why="$why atime;"
grep -q 'mtime: 0x499602d2' "$tmp/attr" || why="$why mtime;"
grep -q 'Type: directory *Mode: *0700' "$tmp/attrdir" || why="$why directory mode;"
[ "$ctime" -gt $((now - 3600)) ] && [ "$ctime" -le $((now + 60)) ] ||
	why="$why ctime $ctime is not the host's time $now;"
if [ -z "$why" ]; then
	echo "VMTEST PASS fs_host_setattr"
else
	echo "VMTEST FAIL fs_host_setattr:$why $(grep -m1 'Mode:' "$tmp/attr")"
fi
