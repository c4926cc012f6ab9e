#!/usr/bin/env python3
"""shell-session.py - a person at the serial console, scripted: boot CharlotteOS
(the normal kernel, as `make run` does), wait for the shell's prompt, type each
command of a session file as keystrokes, and check what the screen says back.

usage: tools/shell-session.py [--boot pvh|iso] [--smp N] [--mem SIZE] SESSION...
  (B= build directory, QEMU_SH= launcher; exits 0 when every session passed)
Prints "PASS shell_<session>" or "FAIL shell_<session>: <why>" per session file,
and writes the whole transcript to $B/test-logs/shell-<session>.transcript.

A session file (tests/shell/*.session):
  # a comment
  $ echo hello          a command line, typed and followed by Enter
  hello                 the output expected after it, line by line, exactly
  ~ ^hel+o$             a line matching a Python regular expression
  ...                   any number of lines (including none)
  ! wait <text>         wait until <text> (Python escapes: \\n is a newline) appears
                        after what was typed last (or after the boot: a boot message)
  ! keys <bytes>        type raw bytes (Python escapes: \\x03 is Ctrl-C), no Enter
  ! type <bytes>        type raw bytes and go on at once (a command that runs on)
  ! screen <bytes>      type on the screen's keyboard (QMP send-key, Python escapes:
                        \r is Enter, \x1a Ctrl-Z, \x03 Ctrl-C): the shell of vt1;
                        what it does is checked from the serial console (files)
  ! ends <command>      type a command after which the machine must end (shutdown):
                        passes when QEMU closes the serial line
  ! host <command>      after the machine ended: a host command ({disk} is this
                        session's copy of the home disk) that must exit 0, its
                        output checked like a command's (e2fsck, debugfs)
The output of a command is what the console printed between the echo of the
command line and the next prompt, with escape sequences and carriage returns
removed. A prompt is a line ending in "$ " after which the console stays quiet.
Every wait has a limit in guest-independent form: QEMU exiting ends it at once,
and the overall --timeout (default 600 s) bounds a wedged boot.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHMZ]")
PROMPT = re.compile(r"\$ $")
# The kernel's log shares the serial line: "[    0.782012] I prog: ..." lines, which
# can land anywhere (after a prompt, too), are not the session's output.
KLOG = re.compile(r"\[ *[0-9]+\.[0-9]{6}\] [A-Z] [^\n]*(\n|$)")


class Console:
    def __init__(self, sock, transcript):
        self.sock = sock
        self.buf = b""
        self.transcript = transcript
        self.mark = 0  # where in text() the last thing typed began to answer

    def pump(self, timeout):
        """Read what arrives within timeout seconds; False when QEMU closed."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return True
        if not data:
            return False
        self.transcript.write(data)
        self.transcript.flush()
        self.buf += data
        return True

    def text(self):
        text = ANSI.sub(b"", self.buf).replace(b"\r", b"").decode("utf-8", "replace")
        return KLOG.sub("", text)

    def wait_for(self, pred, limit):
        """Until pred(text) holds and the console has been quiet for 0.3 s."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if not self.pump(0.3):
                return pred(self.text())
            if pred(self.text()):
                # quiet for a moment: the prompt is really the last thing
                before = len(self.buf)
                if not self.pump(0.3):
                    return pred(self.text())
                if len(self.buf) == before and pred(self.text()):
                    return True
        return False

    def send(self, data):
        self.mark = len(self.text())
        self.transcript.write(b"\n[typed: " + repr(data).encode() + b"]\n")
        for b in data:  # one key at a time, as a person types
            self.sock.sendall(bytes([b]))
            time.sleep(0.005)


def parse(path):
    """[(kind, arg, expected_lines)] from a session file."""
    steps = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line == "#" or line.startswith("# "):
                continue
            if line.startswith("$ "):
                steps.append(["cmd", line[2:], []])
            elif line.startswith("! wait "):
                steps.append(["wait", line[7:].encode().decode("unicode_escape"), []])
            elif line.startswith("! ends "):
                steps.append(["ends", line[7:], []])
            elif line.startswith("! host "):
                steps.append(["host", line[7:], []])
            elif line.startswith("! type "):
                steps.append(["type", line[7:].encode().decode("unicode_escape"), []])
            elif line.startswith("! screen "):
                steps.append(["screen", line[9:].encode().decode("unicode_escape"), []])
            elif line.startswith("! keys "):
                steps.append(["keys", line[7:].encode().decode("unicode_escape"), []])
            elif steps:
                steps[-1][2].append(line)
    return steps


def match(expected, got):
    """Whether the lines got fit the pattern lines expected."""
    if not expected:
        return not got
    e = expected[0]
    if e == "...":
        return any(match(expected[1:], got[i:]) for i in range(len(got) + 1))
    if not got:
        return False
    if e.startswith("~ "):
        ok = re.search(e[2:], got[0]) is not None
    else:
        ok = e == got[0]
    return ok and match(expected[1:], got[1:])


# QEMU's key names (QMP send-key) for what a US keyboard types: [keys pressed together]
QCODES = {" ": ["spc"], "\r": ["ret"], "\n": ["ret"], "\t": ["tab"], "-": ["minus"],
          "=": ["equal"], "/": ["slash"], ".": ["dot"], ",": ["comma"], ";": ["semicolon"],
          "'": ["apostrophe"], "\\": ["backslash"], "[": ["bracket_left"],
          "]": ["bracket_right"], "`": ["grave_accent"], ":": ["shift", "semicolon"],
          ">": ["shift", "dot"], "<": ["shift", "comma"], "|": ["shift", "backslash"],
          "_": ["shift", "minus"], "+": ["shift", "equal"], '"': ["shift", "apostrophe"],
          "?": ["shift", "slash"], "{": ["shift", "bracket_left"],
          "}": ["shift", "bracket_right"], "~": ["shift", "grave_accent"]}
for _i, _c in enumerate(")!@#$%^&*("):
    QCODES[_c] = ["shift", str(_i)]


def qcodes(ch):
    if ch in QCODES:
        return QCODES[ch]
    if ch.isdigit() or ("a" <= ch <= "z"):
        return [ch]
    if "A" <= ch <= "Z":
        return ["shift", ch.lower()]
    if "\x01" <= ch <= "\x1a":
        return ["ctrl", chr(ord(ch) + 0x60)]
    raise ValueError("no key for %r" % ch)


class Qmp:
    """QEMU's QMP socket: send-key, one character at a time."""

    def __init__(self, path, transcript):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.f = self.sock.makefile("rwb")
        self.transcript = transcript
        self.f.readline()  # the greeting
        self.cmd({"execute": "qmp_capabilities"})

    def cmd(self, c):
        self.f.write(json.dumps(c).encode() + b"\n")
        self.f.flush()
        while True:  # events may come before the answer
            r = json.loads(self.f.readline())
            if "return" in r or "error" in r:
                return r

    def type(self, text):
        self.transcript.write(b"\n[screen: " + repr(text).encode() + b"]\n")
        for ch in text:
            keys = [{"type": "qcode", "data": k} for k in qcodes(ch)]
            self.cmd({"execute": "send-key", "arguments": {"keys": keys}})
            time.sleep(0.01)


def stop(qemu):
    """End qemu.sh and the QEMU it started (its own process group)."""
    try:
        os.killpg(qemu.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    qemu.wait()


def dump_vcpus(serial_log, tr):
    """Where every vCPU of the wedged machine is (tools/qemu-dump.py), kept beside the log."""
    regs = serial_log + ".regs"
    res = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "qemu-dump.py"),
                          serial_log + ".mon", regs], capture_output=True, text=True, check=False)
    tr.write(("\n[vCPUs when the session gave up]\n%s" % res.stdout).encode())
    return "vCPUs: %s (registers and local APICs in %s)" % (
        " | ".join(res.stdout.strip().split("\n")), regs)


def run_session(args, path, logs):
    name = os.path.basename(path).rsplit(".", 1)[0]
    sock_path = os.path.join(tempfile.mkdtemp(prefix="charlotte-shell-"), "serial.sock")
    serial_log = os.path.join(logs, "shell-%s.log" % name)
    env = dict(os.environ)
    env.setdefault("KERNEL_ELF", os.path.join(args.build, "charlotte.elf"))
    home = os.path.join(logs, "shell-%s.disk-home.img" % name)
    pristine = os.path.join(args.build, "disk-home.img")
    if os.path.exists(pristine):
        subprocess.run(["cp", "--sparse=always", pristine, home], check=False)
        env["DISK_HOME"] = home
    steps = parse(path)
    qmp_path = None
    extra = []
    if any(kind == "screen" for kind, _, _ in steps):
        qmp_path = os.path.join(os.path.dirname(sock_path), "qmp.sock")
        extra = ["--extra", "-qmp unix:%s,server=on,wait=off" % qmp_path]
    qemu = subprocess.Popen(
        [args.qemu_sh, "--boot", args.boot, "--smp", str(args.smp), "--mem", args.mem,
         "--accel", "tcg", "--timeout", str(args.timeout), "--serial-socket", sock_path,
         "--serial-log", serial_log] + extra,
        env=env, stdout=open(os.path.join(logs, "shell-%s.qemu.log" % name), "wb"),
        stderr=subprocess.STDOUT, start_new_session=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(600):  # QEMU creates the socket when it starts
        try:
            sock.connect(sock_path)
            break
        except OSError:
            if qemu.poll() is not None:
                return "QEMU exited with status %d before the console" % qemu.returncode
            time.sleep(0.1)
    else:
        stop(qemu)
        return "no serial socket"
    why = ""
    with open(os.path.join(logs, "shell-%s.transcript" % name), "wb") as tr:
        con = Console(sock, tr)
        qmp = None
        try:
            if not con.wait_for(lambda t: PROMPT.search(t), args.timeout):
                why = "no prompt after boot"
            if qmp_path and not why:
                qmp = Qmp(qmp_path, tr)
            for kind, arg, expected in steps if not why else []:
                if kind == "screen":
                    qmp.type(arg)
                    continue
                if kind == "wait":
                    if not con.wait_for(lambda t, a=arg: a in t[con.mark:], args.timeout):
                        why = "never saw %r" % arg
                        break
                    continue
                if kind == "type":
                    con.send(arg.encode())
                    continue
                if kind == "ends":
                    con.send(arg.encode() + b"\r")
                    end = time.monotonic() + args.timeout
                    while time.monotonic() < end and con.pump(1.0):
                        pass
                    try:
                        st = qemu.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        st = None
                    if st is None:
                        why = "QEMU still running after %r" % arg
                    elif st == 124:
                        why = "the machine did not end after %r (timed out)" % arg
                    continue
                if kind == "host":
                    if qemu.poll() is None:
                        why = "'! host' before the machine ended"
                        break
                    cmd = arg.replace("{disk}", env.get("DISK_HOME", ""))
                    res = subprocess.run(cmd, shell=True, capture_output=True, text=True)
                    tr.write(("\n[host: %s -> %d]\n%s%s" % (cmd, res.returncode, res.stdout,
                                                            res.stderr)).encode())
                    lines = res.stdout.rstrip("\n").split("\n") if res.stdout else []
                    if res.returncode != 0:
                        why = "%r exited with %d" % (cmd, res.returncode)
                        break
                    if not match(expected, lines):
                        why = "after %r: got %r, want %r" % (cmd, lines, expected)
                        break
                    continue
                if qemu.poll() is not None:
                    why = "the machine ended before %r" % arg
                    break
                mark = len(con.text())
                con.send(arg.encode() if kind == "keys" else arg.encode() + b"\r")
                if not con.wait_for(lambda t, m=mark: PROMPT.search(t[m:]) is not None,
                                    args.timeout):
                    why = "no prompt after %r" % arg
                    break
                out = con.text()[mark:]
                lines = out.split("\n")
                if kind == "cmd":
                    # drop the echoed command line (possibly redrawn) and the prompt
                    while lines and arg not in lines[0]:
                        lines.pop(0)
                    lines = lines[1:]
                elif kind == "keys" and arg.endswith("\r"):
                    lines = lines[1:]  # the line being edited, ended by Enter
                lines = lines[:-1]  # the prompt
                if not match(expected, lines):
                    why = "after %r: got %r, want %r" % (arg, lines, expected)
                    break
        finally:
            sock.close()
            if why and qemu.poll() is None:
                why += "; " + dump_vcpus(serial_log, tr)
            stop(qemu)
    return why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boot", default="pvh")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("sessions", nargs="+")
    args = ap.parse_args()
    args.build = os.environ.get("B", "build")
    args.qemu_sh = os.environ.get("QEMU_SH", "tools/qemu.sh")
    logs = os.path.join(args.build, "test-logs")
    os.makedirs(logs, exist_ok=True)
    fails = 0
    for path in args.sessions:
        name = os.path.basename(path).rsplit(".", 1)[0]
        why = run_session(args, path, logs)
        if why:
            print("FAIL shell_%s: %s" % (name, why))
            fails += 1
        else:
            print("PASS shell_%s" % name)
        sys.stdout.flush()
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
