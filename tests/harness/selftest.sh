#!/bin/sh
# selftest.sh - tests of tools/run-tests.sh itself, without QEMU: each case
# gives the harness canned serial logs through its QEMU_SH stand-in hook
# (tests/harness/fake-qemu.sh) and a small expected-test list, and checks what
# it concludes: a listed test that never reports, a suite that never starts, a
# test that started and never finished, an unlisted test, an SMP-only test on
# one CPU, a crash and the resumed boot, and distinct counting over two
# configurations. Prints TAP (run-tests.sh runs it with the host tests).
set -u
cd "$(dirname "$0")/../.." || exit 2
T=$(mktemp -d "${TMPDIR:-/tmp}/harness-selftest.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
n=0 bad=0

# run_case NAME CONFIG-GLOB: run the harness on $T/case (list, *.serial, *.status)
run_case() {
	rm -rf "$T/b"
	B=$T/b QEMU_SH=tests/harness/fake-qemu.sh FAKE_DIR=$T/case VMTEST_EXPECTED=$T/case/list \
		VMTEST_FILTER='' tools/run-tests.sh --vm-only --config "$2" >"$T/out" 2>&1
	echo $? >"$T/status"
}
# expect WHAT GREP-PATTERN: one TAP result, from whether the output has the line.
expect() {
	n=$((n + 1))
	if grep -q -- "$2" "$T/out"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		bad=1
		sed 's/^/# /' "$T/out"
	fi
}
new_case() { # new_case: an empty case whose list is the arguments, "suite name" pairs
	rm -rf "$T/case"
	mkdir -p "$T/case"
	while [ $# -ge 2 ]; do
		echo "$1 $2" >>"$T/case/list"
		shift 2
	done
}
serial() { # serial FILE: the canned serial log, from standard input
	cat >"$T/case/$1.serial"
}

BOOT='boot: ok cpus=1 memory=128 ms=5'
# a boot whose kernel plans and passes a_one
ONE_PASSES="$BOOT
VMTEST PLAN a_one
VMTEST RUN a_one
VMTEST PASS a_one (1 ms)"

echo "1..12"

# everything reports: an SMP-only test is n/a on one CPU, neither passed nor failed
new_case kernel a_one kernel a_smp usertest user_x
serial boot1 <<EOF
$BOOT
VMTEST PLAN a_one
VMTEST PLAN a_smp
VMTEST RUN a_one
VMTEST PASS a_one (1 ms)
VMTEST RUN a_smp
VMTEST NA a_smp: needs 2 CPUs
usertest: VMTEST PLAN user_x
usertest: VMTEST RUN user_x
usertest: VMTEST PASS user_x
VMTEST DONE 2 passed, 0 failed, 1 n/a
EOF
run_case all pvh-q35-smp1-128M
expect "all reported: 3 passed (with the boot summary), 0 failed" '^3 passed, 0 failed$'
expect "the table counts the n/a test" 'pvh-q35-smp1-128M  *3  *0  *1 '

# a listed test that never reports (removed, or skipped silently) fails by name
new_case kernel a_one kernel a_gone
serial boot1 <<EOF
$ONE_PASSES
VMTEST DONE 1 passed, 0 failed, 0 n/a
EOF
run_case removed pvh-q35-smp1-128M
expect "a removed test: named failure" 'VMTEST FAIL a_gone: did not run'
expect "a removed test: counted" '^2 passed, 1 failed$'

# a suite that never starts: its tests fail, and the suite is named
new_case kernel a_one holetest hole_y holetest hole_z
serial boot1 <<EOF
$ONE_PASSES
VMTEST DONE 1 passed, 0 failed, 0 n/a
EOF
run_case nosuite pvh-q35-smp1-128M
expect "a suite that never starts: named failure" 'VMTEST FAIL holetest: did not start'
expect "a suite that never starts: each test counted" '^2 passed, 2 failed$'

# a test that printed RUN and nothing more (its suite died), and a planned one after it
new_case kernel a_one usertest user_x usertest user_after
serial boot1 <<EOF
$ONE_PASSES
usertest: VMTEST PLAN user_x
usertest: VMTEST PLAN user_after
usertest: VMTEST RUN user_x
VMTEST FAIL exec_usertest: faulted
VMTEST DONE 1 passed, 1 failed, 0 n/a
EOF
run_case norun pvh-q35-smp1-128M
expect "RUN without a result: named failure" 'VMTEST FAIL user_x: started (VMTEST RUN) but reported no result'
expect "planned, never run: named failure" 'VMTEST FAIL user_after: did not run'

# a passing test missing from the list, and an n/a that is wrong on this machine
new_case kernel a_one kernel a_smp
serial boot1 <<EOF
$BOOT
VMTEST RUN a_one
VMTEST PASS a_one (1 ms)
VMTEST RUN a_smp
VMTEST NA a_smp: needs 1 CPUs
VMTEST RUN a_new
VMTEST PASS a_new (1 ms)
VMTEST DONE 2 passed, 0 failed, 1 n/a
EOF
run_case unlisted pvh-q35-smp1-128M
expect "an unlisted test fails" 'VMTEST FAIL a_new: reported PASS but is not in'
expect "n/a with enough CPUs fails" 'VMTEST FAIL a_smp: not applicable (needs 1 CPUs) with 1 CPUs'

# a panic in a test: it fails by name, a fresh boot resumes after it
new_case kernel a_one kernel a_crash kernel a_three
serial boot1 <<EOF
$BOOT
VMTEST PLAN a_one
VMTEST PLAN a_crash
VMTEST PLAN a_three
VMTEST RUN a_one
VMTEST PASS a_one (1 ms)
VMTEST RUN a_crash
*** KERNEL PANIC: on purpose
EOF
echo 3 >"$T/case/boot1.status"
serial skip2 <<EOF
$BOOT
VMTEST PLAN a_one
VMTEST PLAN a_crash
VMTEST PLAN a_three
VMTEST RUN a_three
VMTEST PASS a_three (1 ms)
VMTEST DONE 1 passed, 0 failed, 0 n/a
EOF
run_case crash pvh-q35-smp1-128M
expect "a crash resumes after the test, which fails by name" '^3 passed, 1 failed$'

# QEMU itself crashing (SIGABRT) before any test: booted again, at most twice
new_case kernel a_one
serial boot1 <<EOF
early boot only
EOF
echo 134 >"$T/case/boot1.status"
serial skip0 <<EOF
$BOOT
VMTEST PLAN a_one
VMTEST RUN a_one
VMTEST PASS a_one (1 ms)
VMTEST DONE 1 passed, 0 failed, 0 n/a
EOF
run_case qemucrash pvh-q35-smp1-128M
expect "QEMU crashing before any test boots again" '^2 passed, 0 failed$'
echo 134 >"$T/case/skip0.status"
: >"$T/case/skip0.serial"
run_case qemucrash2 pvh-q35-smp1-128M
expect "QEMU crashing at every boot fails" 'QEMU exited with status 134 before VMTEST DONE'

# distinct counting: one test passes on 1 CPU and fails on 4; another is n/a on
# 1 CPU and passes on 4: 1 passed (a_smp) + 1 failed (a_one) + 2 boot summaries
new_case kernel a_one kernel a_smp
serial smp1.boot1 <<EOF
$BOOT
VMTEST RUN a_one
VMTEST PASS a_one (1 ms)
VMTEST RUN a_smp
VMTEST NA a_smp: needs 2 CPUs
VMTEST DONE 1 passed, 0 failed, 1 n/a
EOF
serial smp4.boot1 <<EOF
boot: ok cpus=4 memory=256 ms=5
VMTEST RUN a_one
VMTEST FAIL a_one: broken on 4 CPUs
VMTEST RUN a_smp
VMTEST PASS a_smp (1 ms)
VMTEST DONE 1 passed, 1 failed, 0 n/a
EOF
run_case distinct '*-smp[14]-*[8x]*'
expect "distinct tests: counted once, failed anywhere is failed" '^3 passed, 1 failed$'

[ "$bad" = 0 ]
