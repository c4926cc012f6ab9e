#!/bin/sh
# run-tests.sh - run every test and end with the line "N passed, N failed".
#
# usage: tools/run-tests.sh [--host-only | --vm-only] [--config GLOB] [--list] [-q]
#   --host-only     only the host tests: the cmocka binaries (build/host/test_*),
#                   tests/harness/selftest.sh (this script on canned logs),
#                   tests/harness/bench-report.sh (make bench's report),
#                   tools/verify.sh (the spin models, docs/verification.md) and
#                   the fuzz targets (build/fuzz/fuzz_*, FUZZ_RUNS inputs each)
#   --vm-only       only the VM configurations
#   --config GLOB   only VM configurations whose label matches GLOB (e.g. 'iso-*')
#   --list          print the VM configurations and exit
#   -q              print failing results only (plus the summary)
#   (--config also selects the host-driven checks: crash-reports, power-states,
#   fbcon-screens, devices-qmp, serial-input, shell-serial, power-cut; e.g.
#   --config devices-qmp)
# Environment:
#   VMTEST_FILTER   boot with test=<prefix> instead of test: run matching VM tests only
#   VMTEST_STALL    seconds without serial output after which a boot counts as hung
#                   (default 240): runs are judged by progress, not by host speed
#   VMTEST_TIMEOUT  a safety cap on one boot's whole run (default: the
#                   configuration's, 2400 s or more; reached only by a livelock)
#   VMTEST_BIG=0    skip the 8 GiB configuration
#   VMTEST_EXPECTED the expected-test list (default tests/expected-tests)
#   FUZZ_RUNS       inputs per fuzz target (default 20000; tools/fuzz.sh --runs)
#
# The final line counts distinct tests: a test is one name (a host test is
# host/<binary>/<test>); it passed when it passed in every configuration it ran
# in and failed in none; a test reported "not applicable" everywhere (an
# SMP-only test on one CPU, VMTEST NA) counts as neither. The table above it
# lists each host binary and each configuration: passed, failed, n/a, and how
# its boots ended.
#
# Host tests: each binary runs with CMOCKA_MESSAGE_OUTPUT=TAP; "ok"/"not ok" lines
# count. A binary that crashes, exits nonzero without a "not ok" line, or prints
# fewer results than its plan counts as one more failure; failures show its output.
# Each fuzz target of tests/fuzz/ is one test, fuzz/<target>: it fails on a crash,
# a sanitizer report or a broken invariant in FUZZ_RUNS inputs from seed 1 (the
# same inputs every run), or when it was not built (tools/fuzz.sh).
#
# VM tests: one boot of the test kernel with "test" on its command line per
# configuration; each "VMTEST PASS/FAIL/NA" line on serial counts. Nothing can
# skip silently: every test of tests/expected-tests that the configuration runs
# (and every test a suite printed in its VMTEST PLAN) must report, or it fails
# as "<name>: did not run"; a test that printed VMTEST RUN and no result fails;
# a suite none of whose tests reported fails as "<suite>: did not start"; a
# test that passes but is not in the list fails, so the list cannot silently
# shrink or drift. A boot that does not reach "VMTEST DONE" (hang, triple
# fault, panic) fails the test it was running (or the configuration), shows
# the tail of its serial log, and boots again after that test. Each boot also
# counts as the test "boot summary <label>": its "boot: ok cpus=<n>" line must
# report the configured CPU count. Serial logs are kept in build/test-logs/.
# Each boot gets a fresh copy of the home disk (build/disk-home.img, docs/fsd.md);
# when fstest wrote it, tools/fsd-check.sh checks it with e2fsprogs after the boot
# (fs_host_e2fsck, fs_host_readback).
set -u

cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
LOGS=$B/test-logs
FILTER=${VMTEST_FILTER:-}
STALL=${VMTEST_STALL:-240}
# The VM configurations and the crash reports boot the test kernel (it has the
# tests and the crash triggers); the framebuffer check boots the product ISO.
TEST_KERNEL=$B/charlotte-test.elf
TEST_ISO_IMAGE=$B/charlotte-test.iso
QEMU_SH=${QEMU_SH:-tools/qemu.sh} # a stand-in for testing this script
EXPECTED=${VMTEST_EXPECTED:-tests/expected-tests}

# label                    boot machine smp mem  uefi cap(s) qemu-extras ('+' = space, - = none) [cmdline]
# A boot fails when its serial output stops for VMTEST_STALL seconds (a hang);
# the cap only ends a run that keeps printing forever.
# "max" CPUs have SMEP, SMAP and XSAVE/AVX; the default qemu64 CPU has none of
# them (FXSAVE path, no SMAP); hpet=off makes the kernel calibrate with the PIT.
CONFIGS='
pvh-q35-smp1-128M          pvh  q35     1   128M 0    2400 -
pvh-q35-smp4-256M-cpumax   pvh  q35     4   256M 0    2400 -cpu+max
pvh-pc-smp2-64M-nohpet     pvh  pc      2   64M  0    2400 -machine+pc,hpet=off
pvh-q35-smp8-8G            pvh  q35     8   8G   0    3600 -
iso-bios-q35-smp4-512M     iso  q35     4   512M 0    2400 -
iso-uefi-q35-smp4-512M     iso  q35     4   512M 1    2400 -cpu+max
iso-uefi-q35-smp1-256M     iso  q35     1   256M 1    2400 -
pvh-q35-smp4-256M-kbus1M   pvh  q35     4   256M 0    3600 -                   test=kbus_smp_stress+kbus_stress=1000000
pvh-q35-smp1-1G-icount     pvh  q35     1   1G   0    2400 -icount+shift=0,sleep=off test=latency_+icount=1
pvh-q35-smp1-256M-nslookup1M pvh q35    1   256M 0    3600 -                   test=ns_lookup+manifest=testnslookup
'

run_host=1 run_vm=1 only='*' quiet=0
while [ $# -gt 0 ]; do
	case "$1" in
	--host-only) run_vm=0 ;;
	--vm-only) run_host=0 ;;
	--config) [ $# -ge 2 ] || { echo "run-tests.sh: --config needs a label" >&2; exit 2; }
		only=$2; shift ;;
	--list) echo "$CONFIGS" | awk 'NF { print $1 }'; exit 0 ;;
	-q) quiet=1 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-tests.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done

mkdir -p "$LOGS/host"
SUMMARY=$LOGS/summary.txt
OUTCOMES=$LOGS/outcomes.txt # one "<where>\t<PASS|FAIL|NA>\t<test name>" per result
: >"$SUMMARY"
: >"$OUTCOMES"

# say LINE: a result line, hidden by -q unless it reports a failure.
say() {
	if [ "$quiet" = 0 ]; then
		printf '%s\n' "$1"
	else
		case "$1" in *FAIL* | *"not ok"*) printf '%s\n' "$1" ;; esac
	fi
}
show_tail() { # show_tail FILE LINES
	echo "---- last $2 lines of $1 ----"
	tail -n "$2" "$1" | tr -d '\r'
	echo "---- end of $1 ----"
}
outcome() { # outcome WHERE PASS|FAIL|NA NAME: one test's result in one place
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$OUTCOMES"
}
counts() { # counts WHERE: "<passed> <failed> <n/a>" of the outcomes recorded there
	awk -F '\t' -v w="$1" '$1 == w { n[$2]++ }
		END { print n["PASS"] + 0, n["FAIL"] + 0, n["NA"] + 0 }' "$OUTCOMES"
}
record() { # record ROW PASSED FAILED NA NOTE: a row of the summary table
	printf '%s %s %s %s %s\n' "$1" "$2" "$3" "$4" "$5" >>"$SUMMARY"
}

# host_tests: the cmocka binaries, then tests/harness/selftest.sh (this script's
# own tests, on canned serial logs), tests/harness/bench-report.sh (make bench's
# report, on canned logs) and tools/verify.sh (the spin models), which print TAP too.
host_tests() {
	found=0
	for bin in "$B"/host/test_* tests/harness/selftest.sh tests/harness/bench-report.sh tools/verify.sh; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		name=${bin##*/}
		case "$bin" in
		tests/harness/*) name=harness-${name%.sh} ;;
		tools/verify.sh) name=verify ;;
		*.*) continue ;;
		*) found=1 ;;
		esac
		log=$LOGS/host/$name.log
		B=$B CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 5 300 "$bin" >"$log" 2>&1
		st=$?
		# ok, not ok, planned: from "ok N", "not ok N", "1..N" lines.
		# shellcheck disable=SC2046 # three numbers, split on purpose
		set -- $(awk '/^ok / { ok++ } /^not ok / { nok++ }
			/^1\.\.[0-9]+/ { split($1, p, "\\.\\."); plan += p[2] }
			END { print ok + 0, nok + 0, plan + 0 }' "$log")
		ok=$1 nok=$2 plan=$3 extra=0 why=
		if [ "$st" != 0 ] && [ "$nok" = 0 ]; then
			extra=1 why="exited with status $st"
			[ "$st" = 124 ] && why="timed out after 300 s"
		elif [ $((ok + nok)) = 0 ]; then
			extra=1 why="printed no TAP results"
		elif [ $((ok + nok)) -lt "$plan" ]; then
			extra=1 why="reported $((ok + nok)) of $plan planned results"
		fi
		awk -v w="host/$name" '/^(not )?ok [0-9]+/ { st = /^ok/ ? "PASS" : "FAIL"
			t = $0; sub(/^(not )?ok [0-9]+( - )?/, "", t); sub(/[ \t]*#.*$/, "", t)
			if (t == "") t = $0
			printf "%s\t%s\t%s/%s\n", w, st, w, t }' "$log" >>"$OUTCOMES"
		[ "$extra" = 1 ] && outcome "host/$name" FAIL "host/$name"
		nok=$((nok + extra))
		if [ "$quiet" = 0 ] || [ "$nok" != 0 ]; then
			echo "[host] $name: $ok passed, $nok failed${why:+ ($why)}"
		fi
		if [ "$nok" != 0 ]; then
			sed -n 's/^not ok /[host] '"$name"': not ok /p' "$log"
			show_tail "$log" 80
		fi
		record "host/$name" "$ok" "$nok" 0 "${why:+$why}"
	done
	if [ "$found" = 0 ]; then
		echo "[host] no test binaries in $B/host/ (make host-tests-build)"
		outcome host FAIL "host: no test binaries"
		record host 0 1 0 "no-binaries"
	fi
}

# fuzz_tests: every fuzz target of tests/fuzz/ for FUZZ_RUNS inputs, through
# tools/fuzz.sh; one test each, fuzz/<target>, and a row of the table.
fuzz_tests() {
	fres=$LOGS/host/fuzz.results
	: >"$fres"
	fq=
	[ "$quiet" = 1 ] && fq=-q
	B=$B tools/fuzz.sh --runs "${FUZZ_RUNS:-20000}" --results "$fres" $fq | grep -v '^fuzz: '
	tab=$(printf '\t')
	while IFS=$tab read -r st t note; do
		outcome "fuzz/$t" "$st" "fuzz/$t"
		if [ "$st" = PASS ]; then
			record "fuzz/$t" 1 0 0 "$note"
		else
			record "fuzz/$t" 0 1 0 "${note%% (*}"
		fi
	done <"$fres"
}

enough_ram() { # enough_ram MEM: is there room for a guest of MEM plus 2 GiB?
	want=$(echo "$1" | awk '/[Gg]$/ { print int($0) * 1024 * 1024 + 2097152; next }
		/[Mm]$/ { print int($0) * 1024 + 2097152; next } { print 0 }')
	have=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null)
	[ "${have:-0}" -ge "$want" ]
}

vm_config() { # vm_config LABEL BOOT MACHINE SMP MEM UEFI TIMEOUT EXTRAS [CMDLINE]
	label=$1 boot=$2 machine=$3 smp=$4 mem=$5 uefi=$6
	tmo=${VMTEST_TIMEOUT:-$7}
	extras=
	[ "${8:--}" != - ] && extras=$(printf '%s' "$8" | tr '+' ' ')
	fw=BIOS
	[ "$uefi" = 1 ] && fw=UEFI
	echo "== $label: $boot boot, $machine, $smp CPU(s), $mem, $fw"
	if [ "$mem" = 8G ] && { [ "${VMTEST_BIG:-1}" = 0 ] || ! enough_ram "$mem"; }; then
		echo "[$label] skipped: not enough free RAM for an $mem guest (or VMTEST_BIG=0)"
		record "$label" - - - skipped
		return
	fi
	if [ -n "${9:-}" ]; then
		base_cmdline=$(printf '%s' "$9" | tr '+' ' ')
	elif [ -n "$FILTER" ]; then
		base_cmdline="test=$FILTER"
	else
		base_cmdline=test
	fi
	res=$LOGS/$label.results
	rm -f "$LOGS/$label".*log "$res" "$res.boot" "$res.seen"
	: >"$res"
	: >"$res.seen"
	t0=$(date +%s)
	skip=0 boot_no=1 note=DONE cpus=- log=$LOGS/$label.log qemu_crashes=0
	# One boot, and after a test that took the machine down (panic, triple fault,
	# hang), a fresh boot that resumes after it (vmtest_skip=<n>): that test fails
	# by name and the rest still run. At most VMTEST_RESUMES (8) fresh boots.
	while :; do
		vm_boot "$label" "$boot" "$machine" "$smp" "$mem" "$uefi" "$tmo" "$extras" \
			"$base_cmdline" "$skip" "$boot_no"
		# the first boot's CPUs (or, when QEMU crashed in it, the boot after)
		[ "$cpus" = - ] && [ "$qemu_crashes" -ge "$((boot_no - 1))" ] && cpus=$b_cpus
		[ "$b_resume" = - ] && break
		if [ "$boot_no" -gt "${VMTEST_RESUMES:-8}" ]; then
			fail_line "[$label] VMTEST FAIL $label: gave up after $boot_no boots"
			note="gave up after $boot_no boots"
			break
		fi
		skip=$b_resume boot_no=$((boot_no + 1))
		echo "[$label] booting again, resuming after the first $skip tests"
	done
	[ "$b_note" != DONE ] && note=$b_note
	[ "$boot_no" -gt 1 ] && note="$note, $boot_no boots"
	secs=$(($(date +%s) - t0))

	check_expected "$label" "$smp" "$base_cmdline"
	if [ "$cpus" = "$smp" ]; then
		say "[$label] PASS boot summary $label: $(cat "$res.boot")"
		outcome "$label" PASS "boot summary $label"
	else
		if [ "$cpus" = - ]; then
			echo "[$label] FAIL boot summary $label: no 'boot: ok cpus=<n>' line"
		else
			echo "[$label] FAIL boot summary $label: cpus=$cpus, expected $smp"
		fi
		outcome "$label" FAIL "boot summary $label"
	fi
	rm -f "$res.boot"
	# shellcheck disable=SC2046 # three numbers, split on purpose
	set -- $(counts "$label")
	echo "[$label] $1 passed, $2 failed, $3 n/a in ${secs} s (serial log: $log)"
	[ "$2" = 0 ] || keep_failed_logs "$label"
	record "$label" "$1" "$2" "$3" "$note (${secs} s)"
}

# keep_failed_logs LABEL: a configuration with failures keeps its serial logs,
# register dumps and results in $LOGS/failed/<label>-<time>/, which the next
# run of it does not overwrite (an intermittent failure is often seen once).
# The newest FAILED_LOGS_KEPT (10) such directories stay.
keep_failed_logs() {
	kept=$LOGS/failed/$1-$(date +%Y%m%d-%H%M%S)
	mkdir -p "$kept"
	for f in "$LOGS/$1".*log "$LOGS/$1".*regs "$LOGS/$1".results; do
		[ -f "$f" ] && cp "$f" "$kept/"
	done
	# shellcheck disable=SC2012 # names made here: no odd characters
	ls -1dt "$LOGS"/failed/*/ | tail -n +"$((${FAILED_LOGS_KEPT:-10} + 1))" |
		while read -r old; do rm -rf "$old"; done
	echo "[$1] this run's logs are kept in $kept"
}

# fail_line LINE: a failure the harness found itself (not a VMTEST line on
# serial): shown, and kept with the configuration's results.
fail_line() {
	echo "$1"
	echo "$1" >>"$res"
}

# check_expected LABEL SMP CMDLINE: the configuration's results against what it
# had to report. Expected: the kernel tests of $EXPECTED that the command
# line's test=<prefix> selects, the user-space suites' tests when the kernel
# starts them (tests/vm/boot.c: no prefix, or one that starts like "user" or
# "exec"), and every test some binary printed in its VMTEST PLAN. Each with no
# PASS / FAIL / NA line fails ("did not run"; "started but reported no result"
# after a VMTEST RUN line; all of a suite at once, "did not start", when none
# of its tests said anything). A test that passed or was not applicable but is
# not listed fails, and so does an NA that claims more CPUs than there are.
# Writes one outcome per test (FAIL over PASS over NA).
check_expected() {
	prefix=$(printf '%s\n' "$3" | tr ' ' '\n' | sed -n 's/^test=//p' | head -n 1)
	lst=$EXPECTED
	[ -f "$lst" ] || { fail_line "[$1] VMTEST FAIL $1: no expected-test list $lst"; lst=/dev/null; }
	awk -v label="$1" -v smp="$2" -v prefix="$prefix" -v list="$lst" \
		-v seen="$res.seen" -v outcomes="$OUTCOMES" '
		function rank(k) { return k == "FAIL" ? 3 : k == "PASS" ? 2 : 1 }
		function note(n) { if (!(n in order)) { order[n] = ++norder; byorder[norder] = n } }
		function fail(n, why) { print "[" label "] VMTEST FAIL " n ": " why; st[n] = 3; note(n) }
		BEGIN {
			# the kernel starts the user-space suites (tests/vm/boot.c wants_user_tests)
			k = length(prefix) < 4 ? length(prefix) : 4
			users = k == 0 || substr(prefix, 1, k) == substr("user", 1, k) ||
				substr(prefix, 1, k) == substr("exec", 1, k)
		}
		FILENAME == list { if ($0 ~ /^#/ || NF < 2) next
			listed[$2] = $1
			if ($1 == "kernel" ? index($2, prefix) == 1 : users) {
				want[$2] = $1; nwant[$1]++; note($2) }
			next }
		FILENAME == seen { if ($1 == "PLAN") planned[$2] = 1; else ran[$2] = 1; note($2); next }
		match($0, /VMTEST (PASS|FAIL|NA) /) {
			kind = substr($0, RSTART + 7, RLENGTH - 8); rest = substr($0, RSTART + RLENGTH)
			n = rest; sub(/[: ].*$/, "", n); why = rest; sub(/^[^:]*: */, "", why)
			if (rank(kind) > st[n]) st[n] = rank(kind)
			if (kind == "NA") nawhy[n] = why
			note(n) }
		END {
			for (n in listed) if ((n in st) || (n in planned) || (n in ran)) heard[listed[n]] = 1
			for (i = 1; i <= norder; i++) {
				n = byorder[i]
				if (n in st) {
					if (st[n] == 1 && match(nawhy[n], /needs [0-9]+ CPUs/) &&
					    substr(nawhy[n], RSTART + 6) + 0 <= smp + 0)
						fail(n, "not applicable (" nawhy[n] ") with " smp " CPUs")
					else if (st[n] < 3 && !(n in listed))
						fail(n, "reported " (st[n] == 2 ? "PASS" : "NA") \
							" but is not in " list " (add it there)")
				} else if ((n in want) && !(want[n] in heard)) {
					st[n] = 3; quiet[want[n]] = quiet[want[n]] " " n
				} else if (n in ran) {
					fail(n, "started (VMTEST RUN) but reported no result")
				} else if ((n in want) || (n in planned)) {
					fail(n, "did not run" ((n in planned) ? "" : \
						" (listed in " list ", not in any plan)"))
				}
			}
			for (s in quiet)
				print "[" label "] VMTEST FAIL " s ": did not start: none of its " \
					nwant[s] " tests reported (each fails: did not run):" quiet[s]
			for (i = 1; i <= norder; i++) {
				n = byorder[i]
				if (n in st) printf "%s\t%s\t%s\n", label,
					st[n] == 3 ? "FAIL" : st[n] == 2 ? "PASS" : "NA", n >> outcomes
			}
		}' "$lst" "$res.seen" "$res" >"$res.check"
	while IFS= read -r line; do fail_line "$line"; done <"$res.check"
	rm -f "$res.check" "$res.seen"
}

# vm_boot LABEL BOOT MACHINE SMP MEM UEFI TIMEOUT EXTRAS CMDLINE SKIP N: one boot of
# the test kernel. Appends its result lines to $res (a named failure for a test
# that took the machine down included) and its PLAN / RUN names to $res.seen;
# sets b_p, b_f (PASS / FAIL lines on serial), b_cpus, b_note, and b_resume:
# "-", or how many kernel tests a fresh boot should skip to resume after the
# one that went down.
vm_boot() {
	label=$1 cmdline=$9 skip=${10} n=${11}
	log=$LOGS/$label.log qlog=$LOGS/$label.qemu.log
	if [ "$n" != 1 ]; then
		log=$LOGS/$label.boot$n.log qlog=$LOGS/$label.boot$n.qemu.log
		cmdline="$cmdline vmtest_skip=$skip"
	fi
	if [ "$2" = iso ] && [ "$cmdline" = test ]; then
		set -- --test-iso
	else
		set -- --cmdline "$cmdline"
	fi
	# Every boot gets a fresh copy of the home disk (fsd's tests write to it).
	home=
	if [ -f "$B/disk-home.img" ]; then
		home=${log%.log}.disk-home.img
		cp --sparse=always "$B/disk-home.img" "$home" || home=
	fi
	DISK_HOME=${home:-$B/disk-home.img} KERNEL_ELF=$TEST_KERNEL ISO=$TEST_ISO_IMAGE \
		"$QEMU_SH" --boot "$boot" --machine "$machine" --smp "$smp" --mem "$mem" \
		--uefi "$uefi" --accel tcg --timeout "$tmo" --stall "$STALL" --serial-log "$log" \
		${extras:+--extra "$extras"} "$@" \
		</dev/null >"$qlog" 2>&1
	st=$?
	[ -f "$log" ] || : >"$log"
	before=$(wc -l <"$res")

	# Result lines are appended to $res, "PLAN <name>" and "RUN <name>" lines to
	# $res.seen; awk's last line is "<pass> <fail> <done?> <done-pass> <done-fail>
	# <cpus|-> <panic?> <kernel RUN lines> <last RUN open?> <last RUN was the
	# kernel's?> <last RUN name|->".
	awk -v res="$res" -v seen="$res.seen" -v label="$label" '
		{ sub(/\r$/, "") }
		(i = index($0, "VMTEST PLAN ")) { split(substr($0, i + 12), w, /[ :]/)
			print "PLAN " w[1] >> seen }
		(i = index($0, "VMTEST RUN ")) { last = substr($0, i + 11); open = 1
			kern = (i == 1); if (kern) krun++; print "RUN " last >> seen }
		(i = index($0, "VMTEST PASS ")) { s = substr($0, i); print "[" label "] " s >> res; p++
			split(substr(s, 13), w, /[ :]/); if (w[1] == last) open = 0 }
		(i = index($0, "VMTEST NA ")) { s = substr($0, i); print "[" label "] " s >> res
			split(substr(s, 11), w, /[ :]/); if (w[1] == last) open = 0 }
		(i = index($0, "VMTEST FAIL ")) { s = substr($0, i); print "[" label "] " s >> res; f++
			split(substr(s, 13), w, /[ :]/); if (w[1] == last) open = 0 }
		(i = index($0, "VMTEST DONE ")) { split(substr($0, i), w, " "); done = 1; dp = w[3]; df = w[5] }
		cpus == "" && match($0, /boot: ok cpus=[0-9]+/) { cpus = substr($0, RSTART + 14, RLENGTH - 14)
			bootline = substr($0, RSTART) }
		/\*\*\* KERNEL PANIC/ { panic = 1 }
		END { printf "%d %d %d %s %s %s %d %d %d %d %s\n", p, f, done, dp + 0, df + 0,
			cpus == "" ? "-" : cpus, panic, krun, open, kern, last == "" ? "-" : last
			if (bootline != "") print bootline > (res ".boot") }
	' "$log" >"$res.sum" 2>/dev/null
	# shellcheck disable=SC2046 # eleven fields, split on purpose
	set -- $(cat "$res.sum")
	b_p=$1 b_f=$2 done=$3 dp=$4 df=$5 b_cpus=$6 panic=$7 krun=$8 open=$9
	shift 9
	kern=$1 last=$2
	rm -f "$res.sum"
	# The host half of fstest: e2fsprogs on the image the boot wrote (its VMTEST
	# lines count with the boot's own); the copy is kept when a check fails.
	if [ -n "$home" ] && grep -q "fstest: home disk written" "$log"; then
		tools/fsd-check.sh "$home" | sed "s/^/[$label] /" >>"$res"
		grep -q "FAIL fs_host_" "$res" || rm -f "$home"
	elif [ -n "$home" ]; then
		rm -f "$home"
	fi
	sed -n "$((before + 1)),\$p" "$res" | while IFS= read -r line; do say "$line"; done
	b_note=DONE b_resume=-
	if [ "$done" = 0 ]; then
		if [ "$panic" = 1 ]; then
			why="kernel panic"
		elif [ "$st" = 125 ]; then
			why="hung: no serial output for $STALL s"
		elif [ "$st" = 124 ] || [ "$st" = 137 ]; then
			why="still running after the $tmo s cap"
		elif [ "$st" = 0 ]; then
			why="QEMU exited 0 before VMTEST DONE (triple fault or reset)"
		else
			why="QEMU exited with status $st before VMTEST DONE"
		fi
		[ -s "$qlog" ] && { echo "---- QEMU output ----"; cat "$qlog"; }
		show_tail "$log" 60
		# QEMU itself aborting or crashing (SIGABRT, SIGSEGV) before the boot's first
		# test: an emulator crash seen at boot on 4 vCPUs (docs/testing.md, "QEMU itself
		# crashing at boot"). Boot again, at most twice per configuration; a third
		# crash, or one during a test, fails as any other.
		if { [ "$st" = 134 ] || [ "$st" = 139 ]; } && [ "$b_p" = 0 ] && [ "$b_f" = 0 ] &&
			[ "$qemu_crashes" -lt 2 ]; then
			qemu_crashes=$((qemu_crashes + 1))
			say "[$label] QEMU itself crashed ($why) before any test: booting again"
			b_note="QEMU crashed at boot $qemu_crashes time(s), booted again"
			b_resume=$skip
			return 0
		fi
		if [ "$open" = 1 ]; then
			line="[$label] VMTEST FAIL $last: the machine went down in it ($why; $log)"
			[ "$kern" = 1 ] && b_resume=$((skip + krun))
		else
			line="[$label] VMTEST FAIL $label: $why"
		fi
		fail_line "$line"
		b_note="no DONE: $why"
	elif [ "$dp" != "$b_p" ] || [ "$df" != "$b_f" ]; then
		fail_line "[$label] VMTEST FAIL $label: DONE says $dp passed, $df failed; serial shows $b_p PASS and $b_f FAIL lines"
		b_note="DONE count mismatch"
	elif [ "$st" = 124 ] || [ "$st" = 137 ]; then
		fail_line "[$label] VMTEST FAIL $label: QEMU did not exit after VMTEST DONE (isa-debug-exit?)"
		b_note="hung after DONE"
	fi
}

vm_tests() {
	echo "$CONFIGS" | awk 'NF' >"$LOGS/configs"
	while read -r label boot machine smp mem uefi tmo extras cmdline; do
		# shellcheck disable=SC2254 # --config is a glob
		case "$label" in $only) ;; *) continue ;; esac
		vm_config "$label" "$boot" "$machine" "$smp" "$mem" "$uefi" "$tmo" "$extras" \
			"$cmdline" </dev/null
	done <"$LOGS/configs"
	case crash-reports in $only) crash_reports ;; esac
	case power-states in $only) power_states ;; esac
	case fbcon-screens in $only) fbcon_screens ;; esac
	case devices-qmp in $only) devices_qmp ;; esac
	case serial-input in $only) serial_input ;; esac
	case shell-serial in $only) shell_serial ;; esac
	case power-cut in $only) power_cut ;; esac
	rm -f "$LOGS/configs"
}

# crash_reports: an exception outside any test must be reported (name,
# registers, faulting address, symbolized backtrace) and end the run with the
# panic exit status 3, for each kind the foundation issue names.
crash_reports() {
	echo "== crash-reports: deliberate kernel exceptions (pvh, q35, 2 CPUs)"
	for kind in pf ud gp de; do
		log=$LOGS/crash-$kind.log
		KERNEL_ELF=$TEST_KERNEL "$QEMU_SH" --boot pvh --smp 2 --mem 128M --accel tcg --timeout 60 \
			--serial-log "$log" --cmdline "crashtest=$kind" </dev/null >/dev/null 2>&1
		st=$?
		want=$(case $kind in pf) echo "page fault (#PF)" ;; ud) echo "invalid opcode (#UD)" ;;
			gp) echo "general protection (#GP)" ;; de) echo "divide error (#DE)" ;; esac)
		why=
		grep -q "CPU exception [0-9]*: $want" "$log" || why="no '$want' report"
		grep -q "rip [0-9a-f]\{16\} cs" "$log" || why="${why:+$why, }no register dump"
		grep -q "crashtest_" "$log" || why="${why:+$why, }backtrace not symbolized"
		grep -q "KERNEL PANIC" "$log" || why="${why:+$why, }no panic line"
		if [ "$kind" = pf ]; then
			grep -q "faulting address (cr2) 0x00000000dead0000" "$log" ||
				why="${why:+$why, }no faulting address"
		fi
		[ "$st" = 3 ] || why="${why:+$why, }QEMU exit status $st, expected 3"
		if [ -z "$why" ]; then
			say "[crash] PASS crash report $kind"
			outcome "crash/$kind" PASS "crash report $kind"
			record "crash/$kind" 1 0 0 ""
		else
			echo "[crash] FAIL crash report $kind: $why"
			show_tail "$log" 40
			outcome "crash/$kind" FAIL "crash report $kind"
			record "crash/$kind" 0 1 0 "$why"
		fi
	done
}

# power_states: SYS_HW_POWER really ends the machine. The test kernel's
# powertest=off|reboot has Exec run etc/poweroff.manifest or etc/reboot.manifest,
# whose program logs "POWERTEST <what>: calling SYS_HW_POWER" and asks for it.
# QEMU must then end on its own with status 0 (power off; a reset under
# -no-reboot) well before the timeout, after that line and the kernel's, and with
# no "POWERTEST FAIL" (the call returned, or Exec ended with the machine on:
# isa-debug-exit status 33). On q35 (ICH9) and pc (PIIX4), a few seconds each.
power_states() {
	echo "== power-states: power off and reboot end QEMU (pvh, q35 and pc, 2 CPUs)"
	for machine in q35 pc; do
		for what in off reboot; do
			name=power/$what-$machine log=$LOGS/power-$what-$machine.log
			KERNEL_ELF=$TEST_KERNEL "$QEMU_SH" --boot pvh --smp 2 --mem 128M --machine "$machine" \
				--accel tcg --timeout 60 --serial-log "$log" --cmdline "powertest=$what" \
				</dev/null >/dev/null 2>&1
			st=$?
			kline=$([ "$what" = off ] && echo "power: off (ACPI S5" || echo "power: reboot")
			why=
			grep -q "POWERTEST $what: calling SYS_HW_POWER" "$log" || why="no POWERTEST line"
			grep -qF "$kline" "$log" || why="${why:+$why, }no '$kline' line"
			grep -q "POWERTEST FAIL" "$log" && why="${why:+$why, }$(grep -m1 "POWERTEST FAIL" "$log")"
			[ "$st" = 0 ] || why="${why:+$why, }QEMU exit status $st, expected 0"
			if [ -z "$why" ]; then
				say "[power] PASS $name"
				outcome "$name" PASS "power $what on $machine"
				record "$name" 1 0 0 ""
			else
				echo "[power] FAIL $name: $why"
				show_tail "$log" 20
				outcome "$name" FAIL "power $what on $machine"
				record "$name" 0 1 0 "$why"
			fi
		done
	done
}

# fbcon_screens: boot the ISO normally under BIOS and UEFI: the kernel's
# framebuffer console must have started (serial names the framebuffer), the
# console service must take the screen over, and a screendump through the QEMU
# monitor must show its banner and prompt (at least 2,000 lit pixels; they
# light ~3,500).
fbcon_screens() {
	echo "== fbcon-screens: framebuffer console under BIOS and UEFI"
	for uefi in 0 1; do
		name=fbcon-$([ "$uefi" = 1 ] && echo uefi || echo bios)
		log=$LOGS/$name.log shot=$LOGS/$name.ppm fifo=$LOGS/$name.fifo
		rm -f "$log" "$shot" "$fifo"
		mkfifo "$fifo" || return
		# The screendump is taken when serial says the boot finished, not after a
		# fixed wait: a loaded host can take minutes to get through GRUB.
		"$QEMU_SH" --boot iso --smp 2 --mem 256M --uefi "$uefi" --accel tcg \
			--timeout 900 --serial-log "$log" --extra "-monitor stdio" \
			<"$fifo" >/dev/null 2>&1 &
		qpid=$!
		exec 4>"$fifo"
		# The kernel draws its log until the console service takes the screen
		# (docs/terminal.md); then the screen shows the console's banner and
		# prompt. Wait for the console to say it serves the screen, then take
		# screendumps until the banner is drawn (QEMU's own timeout bounds it).
		until grep -q "console: serving serial vt" "$log" 2>/dev/null; do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 1
		done
		lit=0 tries=0
		while kill -0 "$qpid" 2>/dev/null && [ "$tries" -lt 120 ]; do
			tries=$((tries + 1))
			rm -f "$shot"
			echo "screendump $shot" >&4
			n=0 s0= # until the dump is complete: its size stops changing
			while kill -0 "$qpid" 2>/dev/null && [ "$n" -lt 120 ]; do
				sleep 1
				n=$((n + 1))
				s1=$(wc -c <"$shot" 2>/dev/null || echo 0)
				[ "$s1" -gt 15 ] && [ "$s1" = "$s0" ] && break
				s0=$s1
			done
			[ -s "$shot" ] && lit=$(tail -c +16 "$shot" | od -An -v -tu1 -w3 |
				awk '$1 + $2 + $3 > 0 { n++ } END { print n + 0 }')
			[ "$lit" -ge 2000 ] && break
		done
		echo quit >&4
		exec 4>&-
		wait "$qpid"
		rm -f "$fifo"
		why=
		grep -q "fbcon: [0-9]*x[0-9]*, 32 bpp" "$log" || why="no 'fbcon:' line on serial"
		grep -q "boot: ok" "$log" || why="${why:+$why, }boot did not finish"
		grep -q "console: serving serial vt" "$log" || why="${why:+$why, }the console never took the screen"
		if [ -s "$shot" ]; then
			# the banner and the prompt in the console's font: ~3,500 lit pixels
			[ "$lit" -ge 2000 ] || why="${why:+$why, }only $lit lit pixels on screen"
		else
			why="${why:+$why, }no screendump"
		fi
		if [ -z "$why" ]; then
			say "[fbcon] PASS framebuffer console $name ($lit lit pixels)"
			outcome "$name" PASS "framebuffer console $name"
			record "$name" 1 0 0 ""
		else
			echo "[fbcon] FAIL framebuffer console $name: $why"
			show_tail "$log" 20
			outcome "$name" FAIL "framebuffer console $name"
			record "$name" 0 1 0 "$why"
		fi
	done
}

# devices_qmp: the device classes from outside (tools/devices-qmp.sh): QMP
# send-key into the PS/2 and the virtio keyboard, a screendump of what devtest
# drew through the display class.
devices_qmp() {
	echo "== devices-qmp: keys and a screendump over QMP (pvh, q35, 1 CPU)"
	B=$B QEMU_SH=$QEMU_SH tools/devices-qmp.sh >"$LOGS/devices-qmp.results" 2>&1
	host_results devices-qmp "$LOGS/devices-qmp.log"
}

# host_results WHERE LOG: the "PASS <test>" / "FAIL <test>: <why>" lines a
# host-driven check wrote to $LOGS/WHERE.results, each recorded as a test; a
# failure shows the tail of LOG ("{suffix}" in it: the test's name after its
# first "_"); no line at all is a failure of WHERE itself.
host_results() {
	while IFS= read -r line; do
		name=${line#* }
		name=${name%%:*}
		case "$line" in
		PASS\ *) say "[$1] $line"; outcome "$1" PASS "$name"
			record "$name" 1 0 0 "" ;;
		FAIL\ *) echo "[$1] $line"; outcome "$1" FAIL "$name"
			record "$name" 0 1 0 "${line#*: }"
			suffix=${name#*_}
			show_tail "$(printf '%s' "$2" | sed "s|{suffix}|$suffix|")" 20 ;;
		esac
	done <"$LOGS/$1.results"
	grep -q "^PASS\|^FAIL" "$LOGS/$1.results" || {
		echo "[$1] FAIL $1: no result"; outcome "$1" FAIL "$1"
		record "$1" 0 1 0 "no result"; }
}

# serial_input: typing on the serial console (tools/serial-input.sh): what the
# host types reaches bin/ttytest through SYS_LOG_READ, byte for byte.
serial_input() {
	echo "== serial-input: typing on COM1 (pvh, q35, 1 CPU)"
	B=$B QEMU_SH=$QEMU_SH tools/serial-input.sh >"$LOGS/serial-input.results" 2>&1
	if grep -q "^PASS tty_input_host" "$LOGS/serial-input.results"; then
		say "[serial-input] PASS tty_input_host"
		outcome serial-input PASS tty_input_host
		record tty_input_host 1 0 0 ""
	else
		why=$(sed -n 's/^FAIL tty_input_host: //p' "$LOGS/serial-input.results" | head -n 1)
		echo "[serial-input] FAIL tty_input_host: ${why:-no result}"
		outcome serial-input FAIL tty_input_host
		record tty_input_host 0 1 0 "${why:-no result}"
		show_tail "$LOGS/serial-input.log" 20
	fi
}

# shell_serial: a person at the serial console (tools/shell-session.py): the
# normal kernel boots as `make run` does, each tests/shell/<name>.session is
# typed at the prompt and its output checked (test shell_<name>).
shell_serial() {
	set -- tests/shell/*.session
	[ -e "$1" ] || return 0
	echo "== shell-serial: scripted sessions at the serial console (pvh, q35, 2 CPUs)"
	B=$B QEMU_SH=$QEMU_SH python3 tools/shell-session.py "$@" >"$LOGS/shell-serial.results" 2>&1
	host_results shell-serial "$LOGS/shell-{suffix}.transcript"
}

# power_cut: QEMU killed with SIGKILL in the middle of fsd's writes, e2fsck -fy
# repairs the image, and every file synced before the cut reads back exactly, with
# debugfs and through fsd on the next boot (tools/power-cut.sh; fs_power_cut_1k_<k>,
# fs_power_cut_4k_<k>, fs_power_cut_1k_clean, fs_power_cut_4k_clean).
power_cut() {
	echo "== power-cut: QEMU killed in the middle of fsd's writes (pvh, q35, 2 CPUs)"
	B=$B QEMU_SH=$QEMU_SH tools/power-cut.sh >"$LOGS/power-cut.results" 2>&1
	host_results power-cut "$LOGS/power-cut/{suffix}.log"
}

[ "$run_host" = 1 ] && { host_tests; fuzz_tests; }
[ "$run_vm" = 1 ] && vm_tests

# The summary: a row per host binary and per configuration (its runs: passed,
# failed, n/a), the failed tests with where they failed, and the closing line
# that counts distinct tests: a test passed when it passed everywhere it ran
# and failed nowhere; one that was only ever not applicable counts as neither.
echo
echo "== summary"
awk '{ note = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ ?/, "", note)
	printf "  %-28s %7s %7s %7s  %s\n", $1, $2, $3, $4, note }
	BEGIN { printf "  %-28s %7s %7s %7s  %s\n", "suite", "passed", "failed", "n/a", "note" }' \
	"$SUMMARY"
# distinct.txt: "<PASS|FAIL|NA>\t<test>\t<where it failed>" per distinct test.
awk -F '\t' '{ if (!($3 in st) || $2 == "FAIL" || ($2 == "PASS" && st[$3] == "NA")) st[$3] = $2
		if ($2 == "FAIL" && index(" " where[$3] " ", " " $1 " ") == 0)
			where[$3] = where[$3] (where[$3] == "" ? "" : " ") $1 }
	END { for (n in st) printf "%s\t%s\t%s\n", st[n], n, where[n] }' "$OUTCOMES" |
	sort -t "$(printf '\t')" -k2 >"$LOGS/distinct.txt"
awk -F '\t' '$1 == "FAIL" { print "  FAILED " $2 " (in " $3 ")" }' "$LOGS/distinct.txt"
# shellcheck disable=SC2046 # three numbers, split on purpose
set -- $(awk -F '\t' '{ c[$1]++ } END { print c["PASS"] + 0, c["FAIL"] + 0, c["NA"] + 0 }' \
	"$LOGS/distinct.txt")
echo "  distinct tests: $1 passed, $2 failed, $3 not applicable wherever they ran"
echo "$1 passed, $2 failed"
[ "$2" = 0 ]
