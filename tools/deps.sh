#!/bin/sh
# deps.sh <build|test|fuzz|bench|lint|trace|verify> - install the Debian packages a make target needs.
# Runs apt-get only when something is missing; uses sudo when not root.
set -e
need=""
check() { for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"; done; }
check make gcc binutils
case "$1" in
# e2fsprogs: the home disk image (mk/homedisk.mk: mke2fs -d)
build) check qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf console-setup-linux gzip hwdata e2fsprogs ;;
test) check qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools ovmf console-setup-linux gzip hwdata libcmocka-dev clang libclang-rt-dev e2fsprogs python3 spin ;;
# clang's libFuzzer and sanitizer runtimes (the host fuzz targets, mk/fuzz.mk); e2fsprogs
# makes fuzz_ext2's seed images and checks test_ext2's (mke2fs, e2fsck, debugfs)
fuzz) check clang libclang-rt-dev gzip tar e2fsprogs ;;
lint) check clang-format cppcheck ;;
# spin (6.5.2 in Debian 12) and gcc for its pan verifiers (tools/verify.sh)
verify) check spin ;;
bench) check qemu-system-x86 linux-image-amd64 busybox-static cpio xz-utils libc6-dev ;;
# tools/trace-path.sh: single-stepping the bench boot over QEMU's gdb stub
trace) check qemu-system-x86 gdb python3 ;;
esac
[ -z "$need" ] && exit 0
echo "deps: installing$need"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null
