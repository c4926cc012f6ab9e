#!/bin/sh
# bench.sh - run the CharlotteOS / Linux micro-benchmarks and report (docs/bench.md).
#
# usage: tools/bench.sh [--smp N] [--sched-smp N] [--mem SIZE] [--timeout SECONDS]
#                       [--icount-only]
#
# Boots, one after another (QEMU runs are never parallel): Linux and CharlotteOS
# under `-icount shift=0,sleep=off` (figures in guest instructions), then
# CharlotteOS alone on --sched-smp CPUs (default 4; 0: not at all) under icount,
# running only the scheduler metrics in their SMP form (`bin/bench smp`: rows
# named *_smp4; Linux 6.1 does not boot SMP under icount, docs/bench.md), then
# Linux and CharlotteOS in plain TCG (wall-clock ns, secondary). Every boot goes
# through tools/qemu.sh with the same machine (q35), CPUs (but the SMP boot's)
# and memory, by PVH. Serial logs land in $B/bench/{linux,charlotte}-{icount,tcg}.log
# and $B/bench/charlotte-smp-icount.log; tools/bench-report.awk reads their
# "BENCH ..." lines (anywhere in a line, so CharlotteOS's log prefix is fine) and
# prints the table and writes $B/bench.json.
#
# The SMP boot's initrd, $B/bench/initrd-smp.tar, is $B/initrd.tar with the
# bin/bench line of etc/bench.manifest given the argument "smp" (the kernel's
# command line cannot reach bin/bench); it is made afresh for every run.
#
# The fs_* metrics' disk: every boot gets a fresh copy of $B/bench/fs-bench.img
# (mk/bench.mk; $B/bench/fs-bench-run.img, deleted at the end) as the home disk,
# the third virtio-blk disk (vdc), read-write; both systems write to it.
#
# CharlotteOS boots with the command line "bench" only once its initrd has
# etc/bench.manifest; until then its column shows "-". A boot ends when the
# system powers off, or shortly after it prints "BENCH DONE", or at the timeout.
set -eu

cd "$(dirname "$0")/.."
B=${B:-build}
D=$B/bench
smp=1 sched_smp=4 mem=256M timeout_s=180 icount_only=0
boot_cpus='' # set for the SMP boot only
LINUX_CMDLINE=${LINUX_CMDLINE:-console=ttyS0 quiet nokaslr panic=-1}
CHARLOTTE_CMDLINE=${CHARLOTTE_CMDLINE:-bench}

while [ $# -gt 0 ]; do
	case "$1" in
	--smp) smp=$2; shift ;;
	--sched-smp) sched_smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--timeout) timeout_s=$2; shift ;;
	--icount-only) icount_only=1 ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
for n in "$smp" "$sched_smp"; do
	case "$n" in '' | *[!0-9]*) echo "bench.sh: --smp and --sched-smp take numbers" >&2; exit 2 ;; esac
done

for f in "$D/vmlinux" "$D/initramfs.cpio"; do
	[ -r "$f" ] || { echo "bench.sh: $f missing: make bench-linux" >&2; exit 2; }
done

# boot LOG qemu.sh-args...: one QEMU run whose serial goes to LOG.
boot() {
	log=$1
	shift
	rm -f "$log"
	if [ -r "$D/fs-bench.img" ]; then
		cp "$D/fs-bench.img" "$D/fs-bench-run.img"
		export DISK_HOME="$D/fs-bench-run.img"
	else
		echo "bench.sh: $D/fs-bench.img missing (make bench-linux): no fs_* metrics" >&2
	fi
	tools/qemu.sh --boot pvh --machine q35 --smp "${boot_cpus:-$smp}" --mem "$mem" \
		--timeout "$timeout_s" --serial-log "$log" "$@" >"$log.qemu" 2>&1 &
	pid=$!
	done_at=''
	while kill -0 "$pid" 2>/dev/null; do
		if [ -z "$done_at" ] && [ -r "$log" ] && grep -q 'BENCH DONE' "$log"; then
			done_at=$(date +%s)
		fi
		# Give a system 2 s after BENCH DONE to power off by itself.
		if [ -n "$done_at" ] && [ $(($(date +%s) - done_at)) -ge 2 ]; then
			kill "$pid" 2>/dev/null || true
		fi
		sleep 0.2
	done
	wait "$pid" || true
	grep -q 'BENCH DONE' "$log" 2>/dev/null ||
		echo "bench.sh: no 'BENCH DONE' in $log (see $log.qemu)" >&2
}

charlotte_ready() {
	[ -r "$B/initrd/etc/bench.manifest" ] && [ -r "$B/charlotte.elf" ] && [ -r "$B/initrd.tar" ]
}

linux() {
	KERNEL_ELF=$D/vmlinux INITRD=$D/initramfs.cpio boot "$@" --cmdline "$LINUX_CMDLINE"
}

charlotte() {
	log=$1
	shift
	if charlotte_ready; then
		boot "$log" "$@" --cmdline "$CHARLOTTE_CMDLINE"
	else
		rm -f "$log"
		echo "bench.sh: CharlotteOS skipped: $B/initrd/etc/bench.manifest not built yet" >&2
	fi
}

# The SMP boot's initrd (see the header): 0, or 1 with a message.
smp_initrd() {
	rm -rf "$D/initrd-smp.d" "$D/initrd-smp.tar"
	mkdir -p "$D/initrd-smp.d"
	if tar -C "$D/initrd-smp.d" -xf "$B/initrd.tar" &&
		sed -i 's,^bin/bench .*,& -- smp,' "$D/initrd-smp.d/etc/bench.manifest" &&
		grep -q '^bin/bench .* -- smp$' "$D/initrd-smp.d/etc/bench.manifest" &&
		tar --format=ustar --owner=0 --group=0 --numeric-owner --sort=name \
			-C "$D/initrd-smp.d" -cf "$D/initrd-smp.tar" .; then
		rm -rf "$D/initrd-smp.d"
		return 0
	fi
	echo "bench.sh: cannot make $D/initrd-smp.tar: no SMP boot" >&2
	rm -rf "$D/initrd-smp.d" "$D/initrd-smp.tar"
	return 1
}

mkdir -p "$D"
echo "bench: $smp CPU(s), $mem, q35; -icount shift=0,sleep=off ..." >&2
linux "$D/linux-icount.log" --icount
charlotte "$D/charlotte-icount.log" --icount
rm -f "$D/charlotte-smp-icount.log"
if [ "$sched_smp" -gt 1 ] && charlotte_ready && smp_initrd; then
	echo "bench: CharlotteOS alone on $sched_smp CPUs, icount: scheduler metrics (_smp$sched_smp) ..." >&2
	boot_cpus=$sched_smp INITRD=$D/initrd-smp.tar charlotte "$D/charlotte-smp-icount.log" --icount
	rm -f "$D/initrd-smp.tar"
fi
if [ "$icount_only" = 0 ]; then
	echo "bench: plain TCG (wall clock) ..." >&2
	linux "$D/linux-tcg.log"
	charlotte "$D/charlotte-tcg.log"
else
	rm -f "$D/linux-tcg.log" "$D/charlotte-tcg.log"
fi

rm -f "$D/fs-bench-run.img"
for f in linux-icount charlotte-icount linux-tcg charlotte-tcg charlotte-smp-icount; do
	[ -e "$D/$f.log" ] || : >"$D/$f.log"
done
awk -v cpus="$smp" -v smpcpus="$sched_smp" -v mem="$mem" -v json="$B/bench.json" \
	-f tools/bench-report.awk "$D/linux-icount.log" "$D/charlotte-icount.log" \
	"$D/linux-tcg.log" "$D/charlotte-tcg.log" "$D/charlotte-smp-icount.log"
