#!/bin/sh
# power-cut.sh - the power-cut test (issue 17, docs/testing.md "Power cuts"): QEMU is
# killed in the middle of fsd's writes, `e2fsck -fy` repairs the image, and every file
# synced before the cut is intact, read back on the host and through fsd.
#
# Two chains, one per block size (1 KiB: three cuts; 4 KiB: two; the calls of chain
# at the end). A chain is one scratch image (mke2fs -t ext2, 64 MiB) booted once per
# cut and once more, with the test kernel's "powercut" (etc/powercut.manifest runs
# `bin/fstest powercut`, the writer of user/fstest/powercut.c, on it: its header has
# the lines it prints). Boot k of the cuts:
#  - waits until the writer has printed its Nth complete SYNCED block and M WRITING
#    lines after it (N, M: the chain's table), then kills QEMU with SIGKILL: the
#    writer never stops writing, so the cut lands in the middle of its writes;
#  - e2fsck -fy must repair the image (exit status below 4), then e2fsck -fn must find
#    nothing wrong;
#  - debugfs reads back every file of the last complete SYNCED block (less those named
#    by a WRITING line after it: ext2 has no journal, a file being written may hold
#    anything) and every such file of the earlier cuts: each cksum must be exact;
#  - that list goes into the image as /powercut.expect; the next boot's writer reads
#    every listed file through fsd (and every file of the tree) before it writes
#    again: "VERIFIED", and no "VERIFY FAIL".
# The last boot verifies with "# then stop" in the list: fsd stops cleanly and QEMU
# ends; the image must then be marked clean and pass e2fsck -fn.
#
# usage: tools/power-cut.sh   (B=build dir; exits 0 when every check passed)
# Prints "PASS <test>" or "FAIL <test>: <why>": fs_power_cut_1k_1 .. _1k_3 and
# fs_power_cut_4k_1, _4k_2 (cut k: repaired, every synced file exact on the host and
# through fsd in the next boot), fs_power_cut_1k_clean and _4k_clean (the last boot's
# clean stop). Serial logs are $B/test-logs/power-cut/power_cut_<chain>_<k>.log; the
# rest of a chain is in power-cut/<chain>/ (the image, and a copy as each cut left it,
# cut<k>.img, are kept when a check failed).
# Waits are for lines on serial, never for a time: a boot fails when its serial log
# stops growing for POWERCUT_STALL seconds (default 240), and QEMU's --timeout caps it.
set -u

cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
QEMU_SH=${QEMU_SH:-tools/qemu.sh}
STALL=${POWERCUT_STALL:-240}
PATH=$PATH:/sbin:/usr/sbin
top=$B/test-logs/power-cut # serial logs; a directory per chain for the rest
rm -rf "$top"
mkdir -p "$top" || exit 2
# Per chain (chain, below): dir, its directory; img, its image; expect, every file
# that must be intact, "<crc> <size> <path>".

fails=0
result() { # result TEST WHY ("" = pass)
	if [ -z "$2" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: $2"
		fails=$((fails + 1))
	fi
}

# boot NAME: QEMU on the image in the background, serial to $top/NAME.log; sets log,
# spid (qemu.sh's process) and pidf (QEMU's own pid, written by QEMU).
boot() {
	log=$top/$1.log pidf=$dir/$1.pid
	rm -f "$pidf"
	KERNEL_ELF=$B/charlotte-test.elf "$QEMU_SH" --boot pvh --smp 2 --mem 128M --accel tcg \
		--timeout 900 --serial-log "$log" --disk "$img" --cmdline powercut \
		--extra "-pidfile $pidf" </dev/null >"$dir/$1.qemu.log" 2>&1 &
	spid=$!
}

# lines: the writer's complete lines of $log (the "... fstest: " prefix taken off; a
# last line without its newline was cut short, and is left out).
lines() {
	if [ ! -f "$log" ]; then # QEMU has not made it yet
		: >"$dir/lines"
		return
	fi
	tr -d '\r' <"$log" | sed -n 's/^.*fstest: //p' >"$dir/lines"
	if [ -s "$log" ] && [ "$(tail -c 1 "$log" | od -An -tx1 | tr -d ' ')" != 0a ]; then
		sed -i '$d' "$dir/lines"
	fi
}

# wait_for AWK-CONDITION: until the writer's lines satisfy it (an awk program that
# exits 0 when they do). 1 with $why when QEMU ended, the writer failed or the serial
# log stalled first.
wait_for() {
	size=-1 since=$(date +%s)
	while :; do
		alive=1
		kill -0 "$spid" 2>/dev/null || alive=0
		lines
		awk "$1" "$dir/lines" && return 0
		why=$(grep -m1 "POWERCUT FAIL" "$dir/lines")
		[ -n "$why" ] && return 1
		[ "$alive" = 1 ] || { why="QEMU ended first"; return 1; }
		s=$({ wc -c <"$log"; } 2>/dev/null || echo 0)
		if [ "$s" != "$size" ]; then
			size=$s since=$(date +%s)
		elif [ $(($(date +%s) - since)) -ge "$STALL" ]; then
			why="no serial output for $STALL s"
			return 1
		fi
		sleep 0.05
	done
}

# stop_qemu: SIGKILL to QEMU (the power cut), then wait for qemu.sh.
stop_qemu() {
	[ -s "$pidf" ] && kill -9 "$(cat "$pidf")" 2>/dev/null
	wait "$spid" 2>/dev/null
}

# verified: the verdict of the writer's step 1 in $log ("" = every file read exactly).
verified() {
	lines
	bad=$(grep -m3 "VERIFY FAIL" "$dir/lines" | sed 's/^VERIFY FAIL //' | tr '\n' ';')
	if [ -n "$bad" ]; then
		echo "through fsd after the repair: $bad"
	elif ! grep -q "^VERIFIED $(wc -l <"$expect") listed" "$dir/lines"; then
		echo "through fsd after the repair: no 'VERIFIED $(wc -l <"$expect") listed' line"
	fi
}

# synced K: the files of the last complete SYNCED block of $dir/lines not named by a
# WRITING line after it, added to $expect; "" or why not.
synced() {
	awk -v out="$dir/synced$1" '
		$1 == "SYNCED" && $3 == "BEGIN" { g = $2; delete cur; next }
		$1 == "SYNCED" && $3 == "END" && $2 == g { delete state; delete flux
			for (p in cur) state[p] = cur[p]; last = g; next }
		$1 == "SYNCED" && $2 == g && NF == 5 { cur[$5] = $3 " " $4; next }
		$1 == "WRITING" { flux[$4] = 1; if (NF >= 5) flux[$5] = 1 }
		END { n = 0
			for (p in state) if (!(p in flux)) { print state[p], p > out; n++ }
			printf "%d %d\n", last, n }' "$dir/lines" >"$dir/synced$1.count"
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- "$1" $(cat "$dir/synced$1.count")
	[ "$2" -ge 1 ] || { echo "no complete SYNCED block before the cut"; return; }
	[ -f "$dir/synced$1" ] && cat "$dir/synced$1" >>"$expect"
	echo "cut after SYNCED $2 ($3 files to check)" >"$dir/cut$1.txt"
}

# check_image K: e2fsck -fy repairs, e2fsck -fn is clean, every file of $expect reads
# back exactly with debugfs; "" or why not.
check_image() {
	cp --sparse=always "$img" "$dir/cut$1.img" # as the cut left it
	e2fsck -fy "$img" >"$dir/e2fsck-y$1.log" 2>&1
	st=$?
	echo "e2fsck -fy: status $st, $(grep -c 'Fix? yes\|FIXED\|? yes' "$dir/e2fsck-y$1.log") repairs" >>"$dir/cut$1.txt"
	if [ "$st" -ge 4 ]; then
		echo "e2fsck -fy: status $st: $(grep -v '^Pass\|^e2fsck [0-9]' "$dir/e2fsck-y$1.log" | head -n 3 | tr '\n' ' ')"
		return
	fi
	if ! e2fsck -fn "$img" >"$dir/e2fsck-n$1.log" 2>&1; then
		echo "e2fsck -fn after the repair: $(grep -v '^Pass\|^e2fsck [0-9]' "$dir/e2fsck-n$1.log" | head -n 3 | tr '\n' ' ')"
		return
	fi
	got=$dir/got$1
	mkdir -p "$got"
	awk -v d="$got" '{ printf "dump /%s %s/%d\n", $3, d, NR }' "$expect" >"$dir/dump$1.cmds"
	debugfs -f "$dir/dump$1.cmds" "$img" >"$dir/dump$1.log" 2>&1
	i=0 bad=
	while read -r crc size path; do
		i=$((i + 1))
		if [ ! -f "$got/$i" ]; then
			bad="$bad $path: missing;"
		else
			# shellcheck disable=SC2046 # two numbers, split on purpose
			set -- $(cksum <"$got/$i")
			[ "$1 $2" = "$crc $size" ] || bad="$bad $path: cksum $1 $2, synced $crc $size;"
		fi
	done <"$expect"
	rm -rf "$got"
	[ -n "$bad" ] && echo "after e2fsck -fy ($st):$(echo "$bad" | cut -c 1-300)"
}

# put_expect THEN: $expect into the image as /powercut.expect, with "# then THEN".
put_expect() {
	{ echo "# then $1"; cat "$expect"; } >"$dir/expect.txt"
	printf 'rm /powercut.expect\nwrite %s /powercut.expect\n' "$dir/expect.txt" >"$dir/put.cmds"
	debugfs -w -f "$dir/put.cmds" "$img" >"$dir/put.log" 2>&1
}

# chain LABEL BLOCK-SIZE CUTS: a fresh image of that block size, a boot per cut (CUTS:
# lines "N M"), then the clean stop; tests fs_power_cut_LABEL_<k>, fs_power_cut_LABEL_clean.
chain() {
	label=$1 dir=$top/$1
	img=$dir/disk.img expect=$dir/expect
	mkdir -p "$dir" || exit 2
	: >"$expect"
	echo "$3" >"$dir/cuts"
	t=fs_power_cut_$label
	if ! mke2fs -q -F -t ext2 -b "$2" "$img" 64M >"$dir/mke2fs.log" 2>&1; then
		k=0
		while read -r n m; do
			k=$((k + 1))
			result "${t}_$k" "mke2fs: $(head -n 1 "$dir/mke2fs.log")"
		done <"$dir/cuts"
		result "${t}_clean" "mke2fs: $(head -n 1 "$dir/mke2fs.log")"
		return
	fi
	k=0 broken='' pending=
	while read -r n m; do
		k=$((k + 1))
		if [ -n "$broken" ]; then
			result "${t}_$k" "not run: $broken"
			continue
		fi
		boot "power_cut_${label}_$k"
		if ! wait_for "\$1 == \"SYNCED\" && \$3 == \"END\" { e++ } e >= $n && \$1 == \"WRITING\" { w++ }
			END { exit !(w >= $m) }"; then
			stop_qemu
			[ -n "$pending" ] && result "${t}_$((k - 1))" "$(verified)"
			result "${t}_$k" "before the cut: $why ($log)"
			broken="cut $k failed"
			continue
		fi
		stop_qemu
		lines
		[ -n "$pending" ] && result "${t}_$((k - 1))" "$(verified)"
		why=$(synced $k)
		[ -z "$why" ] && why=$(check_image $k)
		if [ -n "$why" ]; then
			result "${t}_$k" "$why"
			broken="cut $k failed"
			pending=
			continue
		fi
		put_expect write
		pending=1
	done <"$dir/cuts"

	# The last boot: verify, then a clean stop; QEMU ends by itself.
	if [ -n "$broken" ]; then
		result "${t}_clean" "not run: $broken"
		return
	fi
	put_expect stop
	boot "power_cut_${label}_clean"
	# shellcheck disable=SC2016 # an awk program
	if wait_for '$1 == "POWERCUT" && $2 == "STOPPED" { f = 1 } END { exit !f }'; then
		wait "$spid"
		why=
	else
		stop_qemu
		why="the writer did not stop: $why ($log)"
	fi
	result "${t}_$k" "$(verified)"
	if [ -z "$why" ]; then
		state=$(dumpe2fs -h "$img" 2>/dev/null | sed -n 's/^Filesystem state: *//p')
		if [ "$state" != clean ]; then
			why="after the stop: filesystem state '$state', not clean"
		elif ! e2fsck -fn "$img" >"$dir/e2fsck-clean.log" 2>&1; then
			why="e2fsck -fn after the stop: $(grep -v '^Pass\|^e2fsck [0-9]' "$dir/e2fsck-clean.log" | head -n 3 | tr '\n' ' ')"
		fi
	fi
	result "${t}_clean" "$why"
}

# The chains: after the Nth SYNCED block, M WRITING lines more.
chain 1k 1024 '3 1
20 2
60 4'
chain 4k 4096 '5 1
40 3'
[ "$fails" = 0 ] && rm -f "$top"/*/disk.img "$top"/*/cut*.img
[ "$fails" = 0 ]
