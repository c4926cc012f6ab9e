#!/bin/sh
# input-keys.sh - the input class seen from outside: boot the test kernel with a
# QMP monitor on QEMU's stdin and a PCI test device (1b36:0005, which tells
# bin/devtest that someone types), type keys with QMP send-key when devtest says
# "INPUTKEYS READY <target>" (PS/2 first, then the virtio keyboard: QEMU sends
# keys to the input device activated last), and check the keycodes devtest
# printed for each. One boot; it is stopped once both targets reported.
#
# usage: tools/input-keys.sh   (B=build dir; exits 0 when both keyboards passed)
# Prints "PASS input_keys_<target>" or "FAIL input_keys_<target>: <why>" per target.
set -u

cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
LOGS=$B/test-logs
QEMU_SH=${QEMU_SH:-tools/qemu.sh}
mkdir -p "$LOGS"
log=$LOGS/input-keys.log fifo=$LOGS/input-keys.fifo out=$LOGS/input-keys.qmp.log
rm -f "$log" "$fifo" "$out"
mkfifo "$fifo" || exit 2
: >"$log"

# What devtest must print for the keys below: HID usages, + press, - release,
# /<modifiers> after a press (1 = shift).
TARGETS='ps2 virtio'
WANT='04+ 04- e1+/1 05+/1 05- e1- 52+ 52- 28+ 28-'
key() { # key QCODE...: one send-key (all pressed in order, released in reverse)
	k=
	for c in "$@"; do k="$k${k:+,}{\"type\":\"qcode\",\"data\":\"$c\"}"; done
	printf '{"execute":"send-key","arguments":{"keys":[%s]}}\n' "$k" >&3
}

KERNEL_ELF=$B/charlotte-test.elf "$QEMU_SH" --boot pvh --smp 1 --mem 128M --accel tcg \
	--timeout 600 --serial-log "$log" --cmdline test=exec \
	--extra "-qmp stdio -device pci-testdev" <"$fifo" >"$out" 2>&1 &
qpid=$!
exec 3>"$fifo"
printf '{"execute":"qmp_capabilities"}\n' >&3

# wait_for PATTERN: until the serial log shows it; 1 if QEMU ended first.
wait_for() {
	until grep -q "$1" "$log" 2>/dev/null; do
		kill -0 "$qpid" 2>/dev/null || return 1
		sleep 1
	done
}

fails=0
for t in $TARGETS; do
	why=
	if wait_for "INPUTKEYS READY $t"; then
		key a
		key shift b
		key up
		key ret
		wait_for "INPUTKEYS $t:" || why="no INPUTKEYS line"
		got=$(sed -n "s/.*INPUTKEYS $t: //p" "$log" | tr -d '\r' | head -n 1)
		[ -z "$why" ] && [ "$got" != "$WANT" ] && why="keys '$got', want '$WANT'"
	else
		why="devtest never said INPUTKEYS READY $t"
		grep -a "input_${t}_keys" "$log" | tail -n 1
	fi
	if [ -z "$why" ]; then
		echo "PASS input_keys_$t"
	else
		echo "FAIL input_keys_$t: $why"
		fails=$((fails + 1))
	fi
done
printf '{"execute":"quit"}\n' >&3
exec 3>&-
wait "$qpid" 2>/dev/null
rm -f "$fifo"
[ "$fails" = 0 ]
