#!/bin/sh
# fake-qemu.sh - a stand-in for tools/qemu.sh (run-tests.sh's QEMU_SH) in the
# harness self-test: instead of booting, it writes a canned serial log and exits
# with a canned status: $FAKE_DIR/<boot>.serial and <boot>.status, where <boot>
# is "boot1", or "skip<N>" for a boot that resumes with vmtest_skip=N; a file
# named smp<cpus>.<boot>.serial (.status) is taken first for that many CPUs.
set -u
log= cmdline= smp=1
while [ $# -gt 0 ]; do
	case "$1" in
	--serial-log) log=$2; shift ;;
	--cmdline) cmdline=$2; shift ;;
	--smp) smp=$2; shift ;;
	--boot | --machine | --mem | --uefi | --accel | --timeout | --stall | --extra) shift ;;
	esac
	shift
done
case "$cmdline" in
*vmtest_skip=*) n=skip$(printf '%s\n' "$cmdline" | sed 's/.*vmtest_skip=\([0-9]*\).*/\1/') ;;
*) n=boot1 ;;
esac
[ -f "$FAKE_DIR/smp$smp.$n.serial" ] && n=smp$smp.$n
cp "$FAKE_DIR/$n.serial" "$log" 2>/dev/null || : >"$log"
exit "$(cat "$FAKE_DIR/$n.status" 2>/dev/null || echo 33)"
