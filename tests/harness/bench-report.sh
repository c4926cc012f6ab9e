#!/bin/sh
# bench-report.sh - tests of tools/bench-report.awk (the `make bench` table and
# build/bench.json, docs/bench.md) on canned serial logs, without QEMU: the
# one-CPU rows against Linux, the SMP boot's *_smp4 rows (CharlotteOS alone,
# Linux "n/a" in the table, null and "linux_note" in the JSON), a missing SMP
# boot, and tools/bench.sh refusing a bad --sched-smp. Prints TAP
# (tools/run-tests.sh runs it with the host tests).
set -u
cd "$(dirname "$0")/../.." || exit 2
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-report.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
n=0 bad=0

ok() { # ok WHAT STATUS: one TAP result
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		bad=1
		sed 's/^/# /' "$T/out" "$T/bench.json" 2>/dev/null
	fi
}
has() { grep -q -- "$2" "$1"; } # has FILE PATTERN

# report [SMP-LOG]: the table in $T/out, the JSON in $T/bench.json
report() {
	rm -f "$T/bench.json"
	awk -v cpus=1 -v smpcpus=4 -v mem=256M -v json="$T/bench.json" -f tools/bench-report.awk \
		"$T/linux-icount.log" "$T/charlotte-icount.log" "$T/linux-tcg.log" \
		"$T/charlotte-tcg.log" "${1:-$T/empty.log}" >"$T/out" 2>&1
}

echo "1..10"

: >"$T/empty.log"
: >"$T/linux-tcg.log"
: >"$T/charlotte-tcg.log"
cat >"$T/linux-icount.log" <<'EOF'
BENCH INFO os=linux release=6.1.0-57-amd64 cpus=1 pinned=cpu0
BENCH null_syscall median=326 min=326 max=425 n=101 iters=100 ns_median=1 ns_min=1 ns_max=2
BENCH sched_fairness_jain median=0.9991 min=0.9991 max=0.9991 n=1
BENCH wake_p99_us median=4.214 min=4.000 max=4.214 n=30
BENCH DONE
EOF
cat >"$T/charlotte-icount.log" <<'EOF'
[   0.094] I bench: BENCH INFO os=charlotteos
[   0.095] I bench: BENCH null_syscall median=139 min=139 max=140 n=101 iters=100 ns_median=1 ns_min=1 ns_max=2
[   0.096] I bench: BENCH sched_fairness_jain median=1.0000 min=1.0000 max=1.0000 n=1
[   0.097] I bench: BENCH wake_p99_us median=1.376 min=1.300 max=1.376 n=30
BENCH DONE
EOF
cat >"$T/charlotte-smp-icount.log" <<'EOF'
[   0.094] I bench: BENCH INFO os=charlotteos
[   0.094] I bench: BENCH INFO smp cpus=4
[   0.328] I bench: BENCH sched_fairness_jain_smp4 median=0.9890 min=0.9890 max=0.9890 n=1
[   0.328] I bench: BENCH INFO sched_fairness_jain_smp4 threads=12 cpu_ms=66,76
[   0.530] I bench: BENCH sched_fairness_jain_smp4_uneven median=0.9461 min=0.9461 max=0.9461 n=1
[   1.708] I bench: BENCH wake_p50_us_smp4 median=30617.026 min=1.272 max=157931.537 n=30
[   1.708] I bench: BENCH wake_p99_us_smp4 median=157931.537 min=1.272 max=157931.537 n=30
[   5.700] I bench: BENCH sched_throughput_pct_smp4 median=99.9699 min=99.9699 max=99.9699 n=1
[   5.700] I bench: BENCH wake_p50_us_fixed_smp4 median=108849.291 min=470.828 max=293626.279 n=30
[   5.700] I bench: BENCH wake_p99_us_fixed_smp4 median=293626.279 min=470.828 max=293626.279 n=30
[   5.700] I bench: BENCH DONE
EOF

report "$T/charlotte-smp-icount.log"
st=$?
awk '$1 == "null_syscall" && $2 == 139 && $3 == 326 && $4 == "0.426" { f = 1 } END { exit !f }' "$T/out"
ok "one-CPU rows keep their ratio to Linux" $((st + $?))
awk '$1 == "wake_p99_us_smp4" && $2 == 157932 && $3 == "n/a" && $4 == "-" { f = 1 }
	END { exit !f }' "$T/out"
ok "an SMP row: CharlotteOS's figure, Linux n/a, no ratio" $?
has "$T/out" '^Rows \*_smp4: CharlotteOS alone on 4 CPUs.*Linux 6.1 does not boot SMP under icount'
ok "the table says why Linux has no SMP figures" $?
# every SMP metric is a row, in bench.c's order, after the one-CPU ones
awk '/_smp4/ && !/^Rows/ { s = s " " $1 } END { print s }' "$T/out" >"$T/order"
echo " sched_fairness_jain_smp4 sched_fairness_jain_smp4_uneven wake_p50_us_smp4 wake_p99_us_smp4" \
	"wake_p50_us_fixed_smp4 wake_p99_us_fixed_smp4 sched_throughput_pct_smp4" | cmp -s - "$T/order"
ok "the SMP rows, in order" $?
python3 -m json.tool "$T/bench.json" >/dev/null 2>&1
ok "bench.json is JSON" $?
python3 - "$T/bench.json" >/dev/null 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
m = j["metrics"]
assert j["cpus"] == 1 and j["smp_cpus"] == 4
r = m["wake_p99_us_fixed_smp4"]
assert r["charlotte"]["median"] == 293626.279 and r["charlotte"]["n"] == 30
assert r["linux"] is None and r["ratio"] is None and r["unit"] == "guest us"
assert r["linux_note"] == "n/a: Linux 6.1 does not boot SMP under icount"
assert m["sched_fairness_jain_smp4"]["unit"] == "index"
assert m["sched_throughput_pct_smp4"]["unit"] == "percent"
assert "linux_note" not in m["sched_fairness_jain"]
assert m["null_syscall"]["ratio"] == 0.426
EOF
ok "bench.json: SMP rows with linux null and linux_note; one-CPU rows as before" $?

# no SMP boot (its log empty): the rows stay, CharlotteOS "-", Linux n/a
report
st=$?
awk '$1 == "sched_fairness_jain_smp4" && $2 == "-" && $3 == "n/a" { f = 1 } END { exit !f }' "$T/out"
ok "no SMP boot: its rows say -, Linux n/a" $((st + $?))
python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
assert j["metrics"]["wake_p99_us_smp4"]["charlotte"] is None' "$T/bench.json" >/dev/null 2>&1
ok "no SMP boot: charlotte null in bench.json" $?

B=$T tools/bench.sh --sched-smp four >"$T/out" 2>&1
st=$?
has "$T/out" 'take numbers'
ok "bench.sh refuses --sched-smp four" $(($? + (st != 2)))
B=$T tools/bench.sh --smp '' >"$T/out" 2>&1
st=$?
has "$T/out" 'take numbers'
ok "bench.sh refuses an empty --smp" $(($? + (st != 2)))

[ "$bad" = 0 ]
