#!/bin/sh
# serial-input.sh - the serial console's input from outside: boot the test
# kernel once with COM1 on QEMU's stdin and stdout (stdin a FIFO this script
# writes to) and a second "edu" PCI device (tools/qemu.sh adds the first),
# which tells bin/ttytest that a host types (docs/testing.md). When ttytest says "TTYINPUT READY line" we type a
# line; at "TTYINPUT READY burst N", N bytes at once (more than the UART's
# FIFO, while ttytest does not read: the kernel's receive interrupt keeps
# them). ttytest checks what SYS_LOG_READ returns, byte for byte, and prints
# its VMTEST line for tty_input_host; the boot is stopped then.
#
# usage: tools/serial-input.sh   (B=build dir; exits 0 when the check passed)
# Prints "PASS tty_input_host" or "FAIL tty_input_host: <why>".
set -u

cd "$(dirname "$0")/.." || exit 2
B=${B:-build} QEMU_SH=${QEMU_SH:-tools/qemu.sh}
log=$B/test-logs/serial-input.log fifo=$B/test-logs/serial-input.fifo
mkdir -p "$B/test-logs" && rm -f "$log" "$fifo" && mkfifo "$fifo" || exit 2
: >"$log"

KERNEL_ELF=$B/charlotte-test.elf "$QEMU_SH" --boot pvh --smp 1 --mem 128M --accel tcg \
	--timeout 600 --cmdline test=exec --extra "-device edu" <"$fifo" >"$log" 2>&1 &
qpid=$!
exec 3>"$fifo"

# wait_for PATTERN: until the serial log shows it; 1 if QEMU ended first.
wait_for() {
	until grep -q "$1" "$log" 2>/dev/null; do
		kill -0 "$qpid" 2>/dev/null || return 1
		sleep 1
	done
}

why=
if wait_for "TTYINPUT READY line"; then
	printf 'ping 7f3a\r' >&3
	if wait_for "TTYINPUT READY burst"; then
		n=$(sed -n 's/.*TTYINPUT READY burst \([0-9]*\).*/\1/p' "$log" | head -n 1)
		awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "%c", 97 + i % 26 }' >&3
	else
		why="ttytest never said TTYINPUT READY burst"
	fi
	wait_for "VMTEST \(PASS\|FAIL\|NA\) tty_input_host" ||
		why="${why:-no VMTEST line for tty_input_host}"
else
	why="ttytest never said TTYINPUT READY line"
fi
line=$(grep -a "VMTEST \(PASS\|FAIL\|NA\) tty_input_host" "$log" | head -n 1 | tr -d '\r')
case "$line" in
*"VMTEST PASS tty_input_host"*) ;;
*) why=${why:-ttytest says \"${line#*VMTEST }\"} ;;
esac
[ -z "$why" ] && echo "PASS tty_input_host"
[ -n "$why" ] && echo "FAIL tty_input_host: $why"

exec 3>&-
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
rm -f "$fifo"
[ -z "$why" ]
