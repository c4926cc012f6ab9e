#!/bin/sh
# devices-qmp.sh - the device classes seen from outside: boot the test kernel
# once with a QMP monitor on QEMU's stdin and a PCI test device (1b36:0005,
# which tells bin/devtest that a host is at the other end), and:
#  - input: type keys with QMP send-key when devtest says "INPUTKEYS READY
#    <target>" (PS/2 first, then the virtio keyboard: QEMU sends keys to the
#    input device activated last) and check the keycodes devtest printed;
#  - display: when devtest says "DISPLAYSHOT READY bochs WxH", take a QMP
#    screendump (PPM) and check the pattern devtest drew through the display
#    class (quadrant colours and a gradient band, pixel-exact);
#  - console: when bin/termtest says "CONSOLESHOT READY", type a line on the
#    console's screen and check the answer in a screendump;
#  - serial: COM2 is a Unix socket this script connects to; when devtest says
#    "SERIALHOST READY com2" it writes a line there, and the line devtest reads
#    through dev:///serial/com2 must come back as "pong: <line>".
#  - keyboard layouts: type "keymap de" there (bin/keymap runs on that terminal),
#    then y, AltGr-q, z and Enter, which the German layout makes "z@y".
# The boot is stopped once everything is checked.
#
# usage: tools/devices-qmp.sh   (B=build dir; exits 0 when every check passed)
# Prints "PASS <test>" or "FAIL <test>: <why>" per check: input_keys_ps2,
# input_keys_virtio, display_shot_bochs, console_shot, console_keymap, serial_host_com2.
set -u

cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
LOGS=$B/test-logs
QEMU_SH=${QEMU_SH:-tools/qemu.sh}
mkdir -p "$LOGS"
log=$LOGS/devices-qmp.log fifo=$LOGS/devices-qmp.fifo out=$LOGS/devices-qmp.qmp.log
shot=$LOGS/devices-qmp.ppm
com2=$LOGS/devices-qmp.com2 com2out=$LOGS/devices-qmp-com2.log
rm -f "$log" "$fifo" "$out" "$shot" "$com2" "$com2out"
mkfifo "$fifo" || exit 2
: >"$log"

# What devtest must print for the keys below: HID usages, + press, - release,
# /<modifiers> after a press (1 = shift).
WANT='04+ 04- e1+/1 05+/1 05- e1- 52+ 52- 28+ 28-'
key() { # key QCODE...: one send-key (all pressed in order, released in reverse)
	k=
	for c in "$@"; do k="$k${k:+,}{\"type\":\"qcode\",\"data\":\"$c\"}"; done
	printf '{"execute":"send-key","arguments":{"keys":[%s]}}\n' "$k" >&3
}

KERNEL_ELF=$B/charlotte-test.elf "$QEMU_SH" --boot pvh --smp 1 --mem 128M --accel tcg \
	--timeout 600 --serial-log "$log" --cmdline test=exec \
	--com2 "unix:$com2,server=on,wait=off" --extra "-qmp stdio -device pci-testdev -device bochs-display,id=cons" <"$fifo" >"$out" 2>&1 &
qpid=$!
exec 3>"$fifo"
printf '{"execute":"qmp_capabilities"}\n' >&3

# COM2's other end, from the start (QEMU drops what it sends while nobody listens):
# at devtest's cue, a line to the guest, and its answer back. Prints PASS or FAIL.
python3 - "$com2" "$log" >"$com2out" 2>&1 <<'EOF' &
import socket, sys, time
path, log = sys.argv[1], sys.argv[2]
end = time.time() + 600
def fail(why):
    print("FAIL serial_host_com2: " + why)
    sys.exit(1)
s = None
while s is None and time.time() < end:
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
    except OSError:
        s = None
        time.sleep(0.5)
if s is None:
    fail("cannot connect to COM2's socket")
while b"SERIALHOST READY com2" not in open(log, "rb").read():
    if time.time() > end:
        fail("devtest never said SERIALHOST READY com2")
    time.sleep(1)
s.sendall(b"ping from the host 7f3a\r\n")
s.settimeout(120)
got = b""
try:
    while not got.endswith(b"\n"):
        b = s.recv(256)
        if not b:
            break
        got += b
except socket.timeout:
    pass
if got != b"pong: ping from the host 7f3a\r\n":
    fail("COM2 said %r" % got)
print("PASS serial_host_com2")
EOF
com2pid=$!

# wait_for PATTERN: until the serial log shows it; 1 if QEMU ended first.
wait_for() {
	until grep -q "$1" "$log" 2>/dev/null; do
		kill -0 "$qpid" 2>/dev/null || return 1
		sleep 1
	done
}
fails=0
result() { # result TEST WHY ("" = pass)
	if [ -z "$2" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $2"
		fails=$((fails + 1))
	fi
}

for t in ps2 virtio; do
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
	fi
	result "input_keys_$t" "$why"
done

# screendump FILE W H ARGS: a QMP screendump (extra JSON arguments ARGS) into FILE,
# waited for; 1 unless it is a W x H P6 PPM.
screendump() {
	hdr="P6 $2 $3 255 "
	printf '{"execute":"screendump","arguments":{"filename":"%s"%s}}\n' "$PWD/$1" "$4" >&3
	n=0
	until [ -f "$1" ] && [ "$(wc -c <"$1")" -ge $((${#hdr} + $2 * $3 * 3)) ]; do
		n=$((n + 1))
		[ "$n" -gt 60 ] && break
		sleep 1
	done
	[ "$(head -c ${#hdr} "$1" 2>/dev/null | tr '\n' ' ')" = "$hdr" ]
}

# pixel X Y: "r g b" of the screendump (a P6 PPM with a 15-byte header: 640x480).
pixel() {
	od -An -v -tu1 -j $((15 + ($2 * 640 + $1) * 3)) -N 3 "$shot" | awk '{ print $1, $2, $3 }'
}
why=
if wait_for "DISPLAYSHOT READY bochs 640x480"; then
	if ! screendump "$shot" 640 480 ""; then
		why="no 640x480 screendump"
	else
		for c in "100 100 255 0 0" "500 100 0 255 0" "100 400 0 0 255" "500 400 255 255 255"; do
			set -- $c
			got=$(pixel "$1" "$2")
			[ "$got" = "$3 $4 $5" ] || why="${why:+$why, }pixel $1,$2 is $got, want $3 $4 $5"
		done
		for x in 0 1 77 128 255 256 511 639; do
			got=$(pixel "$x" 240)
			[ "$got" = "$((x & 255)) 64 128" ] || why="${why:+$why, }band pixel $x,240 is $got"
		done
	fi
else
	why="devtest never said DISPLAYSHOT READY bochs 640x480"
fi
result display_shot_bochs "$why"

# The console on the screen (bin/termtest, docs/terminal.md; on a second display,
# bochs-display "cons", so that devtest's pattern stays on the first): type "hi" and Enter on
# vt1 and look for the answer of `termtest echo`: three cells of red, green and blue
# background at the start of the screen's third text row (the 8x16 font: row 2 is
# y 32..47) and the typed "h" echoed on the second row (some pixel of its cell in
# the default grey). Each key goes through QEMU's keyboard, an input driver, the
# console's keymap and line discipline, the program and the terminal emulator.
cshot=$LOGS/devices-qmp-console.ppm
rm -f "$cshot"
cpixel() { # cpixel X Y: "r g b" of the 1024x768 screendump (16-byte header)
	od -An -v -tu1 -j $((16 + ($2 * 1024 + $1) * 3)) -N 3 "$cshot" | awk '{ print $1, $2, $3 }'
}
why=
if wait_for "CONSOLESHOT READY" && wait_for "console: keyboard"; then
	key h
	key i
	key ret
	if wait_for "CONSOLESHOT SHOWN"; then
		if ! screendump "$cshot" 1024 768 ',"device":"cons"'; then
			why="no 1024x768 screendump"
		else
			for c in "4 40 170 0 0" "12 40 0 170 0" "20 40 0 0 170"; do
				set -- $c
				got=$(cpixel "$1" "$2")
				[ "$got" = "$3 $4 $5" ] || why="${why:+$why, }pixel $1,$2 is $got, want $3 $4 $5"
			done
			grey=$(od -An -v -tu1 -j $((16 + 16 * 1024 * 3)) -N $((1024 * 3 * 16)) "$cshot" |
				tr -s ' \n' '\n\n' | awk 'NF' | paste -d' ' - - - |
				awk '(NR - 1) % 1024 < 8 && $0 == "170 170 170" { n++ } END { print n + 0 }')
			[ "$grey" -gt 0 ] || why="${why:+$why, }no echoed h on the second row"
		fi
	else
		why="termtest never said CONSOLESHOT SHOWN"
	fi
else
	why="termtest never said CONSOLESHOT READY (or the console found no keyboard)"
fi
result console_shot "$why"

# Keyboard layouts (docs/terminal.md): on the same console, "keymap de" typed with the
# US layout runs bin/keymap, which asks the console for Debian's German keymap; then the
# keys QEMU calls y, AltGr-q and z (US scancodes) are z, @ and y, and termtest's echo
# reports the line it got ("CONSOLESHOT line z@y").
why=
if grep -q "CONSOLESHOT SHOWN" "$log"; then
	for c in k e y m a p spc d e ret; do key "$c"; done
	if wait_for "CONSOLESHOT keymap"; then
		got=$(sed -n 's/.*CONSOLESHOT keymap //p' "$log" | tr -d '\r' | head -n 1)
		if [ "$got" = 0 ]; then
			key y
			key alt_r q
			key z
			key ret
			wait_for "CONSOLESHOT line" || why="no line reported"
			got=$(sed -n 's/.*CONSOLESHOT line //p' "$log" | tr -d '\r' | head -n 1)
			[ -z "$why" ] && [ "$got" != "z@y" ] && why="the line is '$got', want 'z@y'"
		else
			why="bin/keymap de exited with '$got'"
		fi
	else
		why="termtest never reported bin/keymap's end"
	fi
else
	why="no console (console_shot)"
fi
result console_keymap "$why"

wait "$com2pid"
why=$(sed -n 's/^FAIL serial_host_com2: //p' "$com2out")
grep -q "^PASS serial_host_com2" "$com2out" || why=${why:-no result from the COM2 end}
result serial_host_com2 "$why"

printf '{"execute":"quit"}\n' >&3
exec 3>&-
wait "$qpid" 2>/dev/null
rm -f "$fifo"
[ "$fails" = 0 ]
