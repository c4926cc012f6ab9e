#!/bin/sh
# trace-path.sh - count the guest instructions of a kernel path per function.
#
# Boots the `make bench` configuration (PVH, q35, 1 CPU, icount, command line
# "bench") halted under QEMU's gdb stub, lets it run to the TRACE_SKIP-th hit of
# TRACE_BP that satisfies TRACE_COND, then single-steps TRACE_ROUNDS round trips
# and writes instructions per function (kernel symbols; user mode as USER) and
# the first round in order. Under icount one stepped instruction is one counted
# by the benchmark: the figure matches `make bench`'s to within its loop.
#
# usage: B=build tools/trace-path.sh [OUT]           (default OUT: $B/trace.txt)
# e.g.   TRACE_BP=syscall_flat TRACE_COND='$rax == 0x507' tools/trace-path.sh
#          (the default: one ipc_rtt round trip = a call and a reply-and-receive)
#        TRACE_BP=sys_self_null TRACE_COND= TRACE_SKIP=500 \
#          tools/trace-path.sh      (null_syscall: SYS_SELF_NULL's handler)
# TRACE_LINES=1 adds the first round by source line (inlined code by its own line).
# Needs the images of `make all`; installs gdb if missing (tools/deps.sh trace).
set -eu
tools/deps.sh trace
B=${B:-build}
out=${1:-$B/trace.txt}
export TRACE_BP=${TRACE_BP:-syscall_flat}
export TRACE_COND=${TRACE_COND-'$rax == 0x507'}
export TRACE_SKIP=${TRACE_SKIP:-700}
export TRACE_ROUNDS=${TRACE_ROUNDS:-2}
export TRACE_OUT=$out
B=$B tools/qemu.sh --boot pvh --machine q35 --smp 1 --mem 256M --icount --cmdline bench \
	--gdb --timeout 900 --serial-log "$B/trace-serial.log" >"$B/trace-qemu.log" 2>&1 &
qemu=$!
sleep 2
timeout 850 gdb -q -batch -ex "file $B/charlotte.elf" -x tools/trace-path.py >"$B/trace-gdb.log" 2>&1 || true
kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
cat "$out"
