#!/bin/sh
# verify.sh - model-check the Promela models of models/ with spin (docs/verification.md).
#
# usage: tools/verify.sh [--full]
#   Each model is checked exhaustively (spin -a, pan compiled with -DSAFETY
#   -DCOLLAPSE, depth bound VERIFY_DEPTH, memory bound VERIFY_MEM MB) and must
#   report no error and no truncated search; each of its broken variants
#   (spin -DBROKEN_X: one real protection removed) must report an error, so
#   the check cannot pass vacuously. Prints TAP (one result per model and per
#   broken variant, "# " lines with states and times); tools/run-tests.sh runs
#   it as the host test host/verify (make test), make verify runs it alone.
#   --full: the larger kbus configuration (both callers make two calls: about
#   43 million states, 2.3 GB, two minutes; not run by make test).
# Environment: B (build directory, default build), VERIFY_DEPTH (10000),
#   VERIFY_MEM (MB, default 1536; 4096 with --full).
set -u
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
out=$B/models
full=0
[ "${1:-}" = --full ] && full=1
depth=${VERIFY_DEPTH:-10000}
mem=${VERIFY_MEM:-1536}
[ "$full" = 1 ] && mem=${VERIFY_MEM:-4096}

# the models; defs MODEL: its extra spin defines; broken MODEL: its broken variants
MODELS="kbus_call cap_revoke"
defs() {
	case "$1" in
	kbus_call) [ "$full" = 1 ] && echo "-DCALLS1=2" ;;
	esac
}
broken() {
	case "$1" in
	kbus_call) echo "BROKEN_ABANDON BROKEN_DROP BROKEN_CLOSE" ;;
	cap_revoke) echo "BROKEN_DETACH BROKEN_REVALIDATE" ;;
	esac
}

n=0
for m in $MODELS; do
	n=$((n + 1 + $(broken "$m" | wc -w)))
done
echo "1..$n"
if ! command -v spin >/dev/null 2>&1; then
	i=0
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		echo "not ok $i - spin is not installed (tools/deps.sh test)"
	done
	exit 1
fi

i=0 failed=0
# check MODEL VARIANT DEFS: build and run one pan in $out/MODEL-VARIANT; sets
# errors, states, secs, why (the first error line)
check() {
	dir=$out/$1-$2
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "models/$1.pml" "$dir/"
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086 # defines split on purpose
	(cd "$dir" && spin $3 -a "$1.pml" >spin.log 2>&1 &&
		gcc -w -O2 -DSAFETY -DCOLLAPSE -DMEMLIM="$mem" -o pan pan.c >>spin.log 2>&1 &&
		./pan -m"$depth" >pan.log 2>&1)
	t1=$(date +%s.%N)
	secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.log" 2>/dev/null | head -n 1)
	states=$(awk '/states, stored/ { print $1 }' "$dir/pan.log" 2>/dev/null | head -n 1)
	why=$(grep -m 1 -E '^pan:[0-9]*:|error:' "$dir/pan.log" 2>/dev/null)
	[ -n "$why" ] || why=$(tail -n 3 "$dir/spin.log" 2>/dev/null | tr '\n' ' ')
}

for m in $MODELS; do
	defs=$(defs "$m")
	check "$m" ok "$defs"
	i=$((i + 1))
	echo "# $m: ${states:-?} states, ${errors:-?} errors, $secs s (depth bound $depth, $dir/pan.log)"
	if [ "${errors:-x}" = 0 ] && ! grep -q 'max search depth too small\|out of memory' "$dir/pan.log"; then
		echo "ok $i - $m"
	else
		echo "not ok $i - $m: ${why:-no result}"
		sed 's/^/# /' "$dir/pan.log" | head -n 30
		# shellcheck disable=SC2086 # defines split on purpose
		[ -f "$dir/$m.pml.trail" ] && (cd "$dir" && spin $defs -t -p "$m.pml" 2>&1 | tail -n 40 | sed 's/^/# /')
		failed=1
	fi
	for v in $(broken "$m"); do
		check "$m" "$v" "$defs -D$v"
		i=$((i + 1))
		echo "# $m $v: ${errors:-?} errors after ${states:-?} states, $secs s: ${why:-none}"
		if [ "${errors:-0}" -gt 0 ] 2>/dev/null; then
			echo "ok $i - $m $v fails as it must"
		else
			echo "not ok $i - $m $v: spin found no error (the check is vacuous)"
			failed=1
		fi
	done
done
exit $failed
