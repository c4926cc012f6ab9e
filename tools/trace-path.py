# trace-path.py - gdb script for tools/trace-path.sh: count the guest
# instructions of a kernel path, per function, by single-stepping it over
# QEMU's gdb stub (under -icount, so the count is what `make bench` measures).
#
# Environment: TRACE_BP (function to start at), TRACE_COND (breakpoint
# condition, gdb syntax), TRACE_SKIP (hits to ignore first), TRACE_ROUNDS (how
# many times to go around: stops at the (2 * ROUNDS + 1)th hit of TRACE_BP,
# i.e. ROUNDS round trips when each round trip enters it twice), TRACE_OUT
# (the report file).
import collections
import os

import gdb

bp_name = os.environ.get('TRACE_BP', 'syscall_flat')
skip = int(os.environ.get('TRACE_SKIP', '700'))
rounds = int(os.environ.get('TRACE_ROUNDS', '2'))
out_path = os.environ.get('TRACE_OUT', 'trace.txt')

gdb.execute('set pagination off')
gdb.execute('set confirm off')
gdb.execute('target remote :1234')
bp = gdb.Breakpoint(bp_name)
cond = os.environ.get('TRACE_COND', '')
if cond:
    bp.condition = cond
bp.ignore_count = skip
gdb.execute('continue')
start = int(gdb.parse_and_eval('(unsigned long)&' + bp_name))
bp.enabled = False

names = {}


def where(pc):
    if pc < 0xffff800000000000:
        return 'USER'
    if pc not in names:
        try:
            text = gdb.execute('info symbol %d' % pc, to_string=True)
            names[pc] = text.split(' in section')[0].split(' + ')[0].strip()
        except gdb.error:
            names[pc] = '?'
    return names[pc]


per_fn = collections.Counter()
lines_wanted = os.environ.get('TRACE_LINES', '') != ''
first_pcs = []
runs = []
hits = 0
total = 0
while True:
    pc = int(gdb.parse_and_eval('$pc'))
    if pc == start:
        hits += 1
        if hits > 2 * rounds:
            break
    fn = where(pc)
    per_fn[fn] += 1
    if not runs or runs[-1][0] != fn:
        runs.append([fn, 0])
    runs[-1][1] += 1
    total += 1
    if lines_wanted and hits <= 2:
        first_pcs.append(pc)
    gdb.execute('stepi', to_string=True)


def source_line(pc):
    """file:line of pc, the innermost inlined function's line."""
    if pc < 0xffff800000000000:
        return 'USER'
    sal = gdb.find_pc_line(pc)
    if sal.symtab is None:
        return where(pc)
    return '%s:%d' % (os.path.basename(sal.symtab.filename), sal.line)

with open(out_path, 'w') as f:
    f.write('instructions: %d in %d rounds, %.1f per round\n' % (total, rounds, total / rounds))
    for fn, n in per_fn.most_common():
        f.write('%7.1f %s\n' % (n / rounds, fn))
    f.write('--- the first round, in order ---\n')
    seen = 0
    for fn, n in runs:
        f.write('%5d %s\n' % (n, fn))
        seen += n
        if seen >= total / rounds:
            break
    if lines_wanted:
        f.write('--- the first round by source line, in order ---\n')
        line_runs = []
        for pc in first_pcs:
            where_line = source_line(pc)
            if not line_runs or line_runs[-1][0] != where_line:
                line_runs.append([where_line, 0])
            line_runs[-1][1] += 1
        for where_line, n in line_runs:
            f.write('%5d %s\n' % (n, where_line))
if lines_wanted:
    with open(out_path + '.pcs', 'w') as f:  # for objdump: one address a line
        f.write(''.join('%x\n' % pc for pc in first_pcs))
gdb.execute('kill')
