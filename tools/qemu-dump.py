#!/usr/bin/env python3
"""qemu-dump.py - what every vCPU of a wedged QEMU was doing, from its monitor.

usage: tools/qemu-dump.py MONITOR_SOCKET OUT_FILE

Asks the human monitor on the Unix socket (tools/qemu.sh's <serial log>.mon)
for `info registers -a`, then each CPU's local APIC (`cpu N`, `info lapic`:
the timer's initial and current count and its LVT entry, IRR and ISR), and
writes it all to OUT_FILE. On stdout, one line per CPU: its RIP, CPL, halt
state and LAPIC timer, so a report shows at a glance whether a hang is CPUs
spinning (HLT=0), or every CPU halted with no timer counting (a lost wake-up).
Last it sends an NMI, on which the kernel prints its run queues and timer events
and each CPU's frame to the serial log (kernel/debug/nmi_dump.c), and waits 3 s.
Best effort: prints what it got and exits 0 whatever the monitor does.
"""
import re
import socket
import sys
import time


def ask(sock, cmd, settle=1.0):
    sock.sendall(cmd.encode() + b"\n")
    out, end = b"", time.time() + 5
    sock.settimeout(settle)
    while time.time() < end:
        try:
            d = sock.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        out += d
    # the monitor echoes the command with cursor movements: drop those lines
    lines = out.decode("latin-1").split("\n")
    return "\n".join(l for l in lines if "\x1b[" not in l and not l.startswith("(qemu)"))


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 0
    path, out_path = sys.argv[1], sys.argv[2]
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(path)
        ask(s, "", 0.5)  # the banner
        regs = ask(s, "info registers -a")
        ncpu = len(re.findall(r"^CPU#\d+", regs, re.M))
        lapics = []
        for n in range(ncpu):
            ask(s, "cpu %d" % n, 0.3)
            lapics.append(ask(s, "info lapic", 0.5))
        # an NMI to every CPU: Charlotte Core prints its run queues, timer events
        # and each CPU's frame on the serial log (kernel/debug/nmi_dump.c)
        ask(s, "nmi", 0.3)
        time.sleep(3)
        s.close()
    except OSError as e:
        print("qemu-dump: no monitor at %s (%s)" % (path, e))
        return 0
    with open(out_path, "w") as f:
        f.write(regs)
        for n, text in enumerate(lapics):
            f.write("\n==== CPU#%d local APIC\n%s" % (n, text))
    blocks = re.split(r"^CPU#(\d+)\s*$", regs, flags=re.M)
    for i in range(1, len(blocks) - 1, 2):
        n, body = int(blocks[i]), blocks[i + 1]
        f = dict(re.findall(r"(RIP|CPL|HLT)=([0-9a-f]+)", body))
        timer = ""
        if n < len(lapics):
            m = re.search(r"^Timer\s+(.*)$", lapics[n], re.M)
            timer = (" timer: " + " ".join(m.group(1).split())) if m else ""
        print("CPU#%d RIP=%s CPL=%s HLT=%s%s" % (n, f.get("RIP", "?"), f.get("CPL", "?"),
                                                f.get("HLT", "?"), timer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
