#!/bin/sh
# sysfuzz.sh - `make fuzz`'s kernel half: boot the coverage kernel with 4 CPUs running
# bin/sysfuzz alone (etc/testfuzz.manifest), then print its figures and PASS or FAIL.
#
# usage: KERNEL_ELF=... INITRD=... tools/sysfuzz.sh   (mk/sysfuzz.mk sets both)
# Environment: B (build dir), SYSFUZZ_SMP (4), SYSFUZZ_MEM (512M), SYSFUZZ_TIMEOUT
# (a cap on the whole boot, default 7200 s), SYSFUZZ_STALL (no serial output for that
# long is a hang: 600 s). The serial log is $B/fuzz/logs/sysfuzz.log.
# It passes when the boot ends with "VMTEST DONE ... 0 failed", sysfuzz printed
# "sysfuzz: PASS" and no VMTEST FAIL line; the figures are sysfuzz's "summary:" lines,
# and the coverage as a share of the kernel's instrumented blocks (objdump counts the
# calls to __sanitizer_cov_trace_pc in KERNEL_ELF).
set -u

cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
SMP=${SYSFUZZ_SMP:-4}
MEM=${SYSFUZZ_MEM:-512M}
TMO=${SYSFUZZ_TIMEOUT:-7200}
STALL=${SYSFUZZ_STALL:-600}
LOG=$B/fuzz/logs/sysfuzz.log
mkdir -p "$B/fuzz/logs"

case "${1:-}" in -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac

echo "sysfuzz: booting $KERNEL_ELF with $SMP CPUs (log: $LOG)"
start=$(date +%s)
tools/qemu.sh --boot pvh --smp "$SMP" --mem "$MEM" --accel tcg --timeout "$TMO" \
	--stall "$STALL" --serial-log "$LOG" --cmdline "test=sysfuzz_ manifest=testfuzz" \
	>/dev/null 2>&1
qemu=$?
end=$(date +%s)

# The figures, without the kernel log's time stamp and prefix.
grep 'sysfuzz: summary:' "$LOG" | tr -d '\r' | sed 's/.*sysfuzz: summary: /sysfuzz: /'
# Coverage as a share: every instrumented basic block is one call site in the image.
sites=$(objdump -d --no-show-raw-insn "$KERNEL_ELF" | grep -c 'call.*<__sanitizer_cov_trace_pc>')
pcs=$(tr -d '\r' <"$LOG" | sed -n 's/.*summary: kernel PCs \([0-9]*\).*/\1/p' | tail -1)
[ -n "$pcs" ] && [ "$sites" -gt 0 ] &&
	echo "sysfuzz: coverage $pcs of $sites instrumented blocks ($((pcs * 100 / sites))%)"
echo "sysfuzz: host seconds $((end - start)) (boot included)"
fails=$(tr -d '\r' <"$LOG" | grep -c 'VMTEST FAIL')
done_line=$(tr -d '\r' <"$LOG" | grep 'VMTEST DONE' | tail -1)
verdict=$(tr -d '\r' <"$LOG" | grep -o 'sysfuzz: \(PASS\|FAIL.*\)' | tail -1)
tr -d '\r' <"$LOG" | grep 'VMTEST FAIL' | head -5
if [ "$fails" = 0 ] && [ "$verdict" = "sysfuzz: PASS" ] &&
	echo "$done_line" | grep -q ' 0 failed'; then
	echo "sysfuzz: PASS"
	exit 0
fi
[ -n "$done_line" ] || echo "sysfuzz: the boot did not finish (qemu exit $qemu; see $LOG)"
echo "sysfuzz: FAIL${verdict:+ ($verdict)}"
exit 1
