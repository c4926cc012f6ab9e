#!/bin/sh
# qemu.sh - the one QEMU launcher: `make run`, `make debug`, the VM tests and the
# benchmarks all boot CharlotteOS through here, so every boot gets the same
# devices (isa-debug-exit for the test runner, two NICs on a private hub, no reboot on
# triple fault).
#
# usage: tools/qemu.sh [options]
#   --boot iso|pvh      GRUB ISO (Multiboot2, BIOS or UEFI; default) or `-kernel` PVH
#   --smp N             CPUs (default 2)
#   --mem SIZE          RAM, QEMU syntax: 64M, 8G (default 256M)
#   --uefi 0|1          OVMF instead of SeaBIOS (ISO boots only)
#   --accel tcg|kvm     default tcg (see docs/testing.md: our /dev/kvm is emulated)
#   --machine q35|pc    default q35
#   --cpu MODEL         -cpu MODEL (default: QEMU's)
#   --cmdline STR       kernel command line (PVH: -append; ISO: see below)
#   --test-iso          boot build/charlotte-test.iso (default entry has cmdline "test")
#   --interactive       serial console (and QEMU monitor, Ctrl-A c) on this terminal;
#                       a window too when $DISPLAY is set
#   --gdb               start halted with a gdb stub on :1234 and write build/gdbinit
#   --timeout SECONDS   kill QEMU after SECONDS (non-interactive runs default to 300)
#   --serial-log FILE   serial to FILE instead of stdout
#   --serial-socket P   serial on a Unix socket P that QEMU listens on and waits for
#                       (a program types into the serial console and reads it; with
#                       --serial-log the output is also logged to FILE)
#   --stall SECONDS     with --serial-log: kill QEMU when FILE has not grown for
#                       SECONDS (a hang), however long the whole run takes; exits 125
#   --icount            deterministic guest time: 1 ns per instruction (TCG only)
#   --extra "ARGS"      extra QEMU arguments (word-split)
#   --dry-run           print the QEMU command instead of running it
#   --disk FILE         the home disk: FILE (an ext2 image) instead of DISK_HOME
#   --com2 SPEC         COM2's QEMU -serial backend (default null: a UART with nothing
#                       attached; e.g. unix:PATH,server=on,wait=off for a host program).
#                       COM1 stays the console (--serial-log / --serial-socket)
# Environment: DISK_HOME, the home disk's image (default $B/disk-home.img; attached
# when it exists).
#
# An ISO boot with a --cmdline other than "" or "test" builds a one-entry ISO,
# build/qemu-iso/cmdline.iso, from the grub.cfg and files of build/charlotte.iso
# with that command line appended (grub-mkrescue takes ~0.3 s).
#
# Exits with QEMU's status: isa-debug-exit gives (value << 1) | 1, a triple fault
# under -no-reboot gives 0, a timeout gives 124, a stall 125. Never trust the status alone:
# the test harness requires the "VMTEST DONE" line on serial.
set -eu

cd "$(dirname "$0")/.."
B=${B:-build}
KERNEL_ELF=${KERNEL_ELF:-$B/charlotte.elf}
INITRD=${INITRD:-$B/initrd.tar}
ISO=${ISO:-$B/charlotte.iso}
TEST_ISO=${TEST_ISO:-$B/charlotte-test.iso}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

boot=iso smp=2 mem=256M uefi=0 accel=tcg machine=q35 cpu=
cmdline='' have_cmdline=0 test_iso=0 interactive=0 gdb=0 timeout_s=''
serial_log='' icount=0 extra='' dry_run=0 stall_s='' disk='' serial_socket='' com2=null

die() {
	echo "qemu.sh: $*" >&2
	exit 2
}
need_arg() { [ $# -ge 2 ] || die "$1 needs an argument"; }

while [ $# -gt 0 ]; do
	case "$1" in
	--boot) need_arg "$@"; boot=$2; shift ;;
	--smp) need_arg "$@"; smp=$2; shift ;;
	--mem) need_arg "$@"; mem=$2; shift ;;
	--uefi) need_arg "$@"; uefi=$2; shift ;;
	--accel) need_arg "$@"; accel=$2; shift ;;
	--machine) need_arg "$@"; machine=$2; shift ;;
	--cpu) need_arg "$@"; cpu=$2; shift ;;
	--cmdline) need_arg "$@"; cmdline=$2; have_cmdline=1; shift ;;
	--test-iso) test_iso=1 ;;
	--interactive) interactive=1 ;;
	--gdb) gdb=1 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift ;;
	--serial-log) need_arg "$@"; serial_log=$2; shift ;;
	--serial-socket) need_arg "$@"; serial_socket=$2; shift ;;
	--stall) need_arg "$@"; stall_s=$2; shift ;;
	--icount) icount=1 ;;
	--extra) need_arg "$@"; extra=$2; shift ;;
	--dry-run) dry_run=1 ;;
	--disk) need_arg "$@"; disk=$2; shift ;;
	--com2) need_arg "$@"; com2=$2; shift ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
	shift
done

case "$boot" in iso | pvh) ;; *) die "--boot must be iso or pvh" ;; esac
case "$uefi" in 0 | 1) ;; *) die "--uefi must be 0 or 1" ;; esac
case "$accel" in tcg | kvm) ;; *) die "--accel must be tcg or kvm" ;; esac
case "$machine" in q35 | pc) ;; *) die "--machine must be q35 or pc" ;; esac
case "$smp" in '' | *[!0-9]*) die "--smp must be a number" ;; esac
[ "$boot" = pvh ] && [ "$uefi" = 1 ] &&
	die "PVH boots use QEMU's loader, not firmware: use --boot iso with --uefi 1"
[ "$icount" = 1 ] && [ "$accel" != tcg ] && die "--icount needs --accel tcg"
[ "$accel" = kvm ] && [ ! -w /dev/kvm ] && die "--accel kvm: /dev/kvm is not usable"

# A one-entry ISO booting the kernel of $ISO with command line $1: the first
# menuentry of its grub.cfg, with the arguments of its multiboot2 line replaced.
make_cmdline_iso() {
	dir=$B/qemu-iso/root
	rm -rf "$dir" && mkdir -p "$dir/boot/grub"
	xorriso -osirrox on -indev "$ISO" -extract /boot/grub/grub.cfg "$dir/orig.cfg" \
		>/dev/null 2>&1 || die "cannot read grub.cfg from $ISO"
	awk -v cmdline="$1" '
		/^[ \t]*menuentry/ { if (seen) exit; seen = 1; inentry = 1
			print "set default=0"; print "set timeout=0"; print; next }
		!seen && /^[ \t]*set[ \t]+(default|timeout)=/ { next }
		inentry && /^[ \t]*multiboot2?[ \t]/ {
			n = split($0, w, /[ \t]+/); i = (w[1] == "") ? 2 : 1
			print "\t" w[i] " " w[i + 1] (cmdline == "" ? "" : " " cmdline); next }
		{ print }
		inentry && /^[ \t]*}/ { exit }
	' "$dir/orig.cfg" >"$dir/boot/grub/grub.cfg"
	# Files the entry loads: second word of its multiboot2 / module2 lines.
	for f in $(awk '/^[ \t]*(multiboot2?|module2?)[ \t]/ { print $2 }' "$dir/boot/grub/grub.cfg"); do
		case "$f" in /*) ;; *) die "grub.cfg path '$f' is not absolute" ;; esac
		mkdir -p "$dir$(dirname "$f")"
		xorriso -osirrox on -indev "$ISO" -extract "$f" "$dir$f" >/dev/null 2>&1 ||
			die "cannot extract $f from $ISO"
	done
	rm -f "$dir/orig.cfg"
	grub-mkrescue -o "$B/qemu-iso/cmdline.iso" "$dir" >"$B/qemu-iso/mkrescue.log" 2>&1 ||
		{ cat "$B/qemu-iso/mkrescue.log" >&2; die "grub-mkrescue failed"; }
	echo "$B/qemu-iso/cmdline.iso"
}

set -- -machine "$machine" -accel "$accel" -smp "$smp" -m "$mem" -no-reboot -nic none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -device edu
[ -n "$cpu" ] && set -- "$@" -cpu "$cpu"
# Disks (mk/disks.mk, docs/devices.md): two virtio-blk disks with a known pattern,
# vd0 read-write under snapshot=on (writes vanish at exit), vd1 read-only.
DISK_VD=${DISK_VD:-$B/disk-vd.img}
DISK_VD_RO=${DISK_VD_RO:-$B/disk-vd-ro.img}
if [ -r "$DISK_VD" ] && [ -r "$DISK_VD_RO" ]; then
	set -- "$@" -drive "if=none,file=$DISK_VD,format=raw,id=vd0,snapshot=on" \
		-device virtio-blk-pci,drive=vd0 \
		-drive "if=none,file=$DISK_VD_RO,format=raw,id=vd1,readonly=on" \
		-device virtio-blk-pci,drive=vd1
fi
# ... and one SATA disk on q35's AHCI controller (ICH9, 00:1f.2), port 2 (an ISO's
# CD-ROM takes port 0), under snapshot=on.
DISK_SD=${DISK_SD:-$B/disk-sd.img}
if [ "$machine" = q35 ] && [ -r "$DISK_SD" ]; then
	set -- "$@" -drive "if=none,file=$DISK_SD,format=raw,id=sata0,snapshot=on" \
		-device ide-hd,drive=sata0,bus=ide.2
fi
# Device classes (docs/devices.md): a virtio keyboard and tablet beside the PS/2
# ones, and a virtio entropy source.
set -- "$@" -device virtio-keyboard-pci -device virtio-tablet-pci -device virtio-rng-pci
# The home disk (mk/homedisk.mk, docs/fsd.md): an ext2 image, read-write, the next
# virtio-blk disk after the scratch ones (vdc when they are there); fsd serves it at
# fs:///disk. --disk (`make run DISK=...`) or DISK_HOME picks another image (the VM
# tests give each boot a fresh copy). Without either, the build's pristine image is
# attached as a snapshot: the guest writes to it, QEMU discards the writes, and the
# image every test copies stays as mke2fs made it.
home_snapshot=
if [ -z "${DISK_HOME:-}" ] && [ -z "$disk" ]; then
	home_snapshot=,snapshot=on
fi
DISK_HOME=${DISK_HOME:-$B/disk-home.img}
if [ -n "$disk" ]; then
	[ -r "$disk" ] || die "--disk $disk: no such image"
	DISK_HOME=$disk
fi
if [ -r "$DISK_HOME" ]; then
	set -- "$@" -drive "if=none,file=$DISK_HOME,format=raw,id=vdhome$home_snapshot" \
		-device virtio-blk-pci,drive=vdhome
fi
# Network (docs/devices.md, "Net"): a virtio-net and an e1000 (82540EM) on one QEMU
# hub and nothing else on it, so what one sends arrives at the other; no user
# networking, nothing reaches the host's network (-nic none stays: no default NIC).
set -- "$@" -netdev hubport,id=n0,hubid=0 \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01 \
	-netdev hubport,id=n1,hubid=0 -device e1000,netdev=n1,mac=52:54:00:00:00:02
[ "$icount" = 1 ] && set -- "$@" -icount shift=0,sleep=off

if [ "$boot" = pvh ]; then
	[ -r "$KERNEL_ELF" ] || die "$KERNEL_ELF missing: run make"
	set -- "$@" -kernel "$KERNEL_ELF"
	[ -r "$INITRD" ] && set -- "$@" -initrd "$INITRD"
	[ "$test_iso" = 1 ] && [ "$have_cmdline" = 0 ] && cmdline='test'
	[ -n "$cmdline" ] && set -- "$@" -append "$cmdline"
else
	image=$ISO
	if [ "$test_iso" = 1 ] && [ "$have_cmdline" = 0 ]; then
		image=$TEST_ISO
	elif [ "$have_cmdline" = 1 ] && [ "$cmdline" = test ] && [ -r "$TEST_ISO" ]; then
		image=$TEST_ISO
	elif [ "$have_cmdline" = 1 ] && [ -n "$cmdline" ]; then
		[ -r "$ISO" ] || die "$ISO missing: run make"
		image=$(make_cmdline_iso "$cmdline")
	fi
	[ -r "$image" ] || die "$image missing: run make"
	set -- "$@" -drive "file=$image,format=raw,media=cdrom,readonly=on" -boot d
	if [ "$uefi" = 1 ]; then
		[ -r "$OVMF_CODE" ] || die "$OVMF_CODE missing: install ovmf"
		mkdir -p "$B"
		# A fresh copy each boot: OVMF writes boot entries into it.
		cp "$OVMF_VARS" "$B/OVMF_VARS_4M.fd"
		set -- "$@" -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
			-drive "if=pflash,format=raw,unit=1,file=$B/OVMF_VARS_4M.fd"
	fi
fi

if [ "$gdb" = 1 ]; then
	mkdir -p "$B"
	cat >"$B/gdbinit" <<-EOF
		file $KERNEL_ELF
		set architecture i386:x86-64
		target remote :1234
	EOF
	set -- "$@" -s -S
	echo "qemu.sh: QEMU is halted; in another terminal: gdb -x $B/gdbinit" >&2
fi

if [ "$interactive" = 1 ]; then
	if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
		set -- "$@" -serial mon:stdio
	else
		set -- "$@" -nographic -serial mon:stdio
	fi
else
	set -- "$@" -display none
	if [ -n "$serial_log" ]; then
		# a monitor beside the log: the stall watchdog (and tools/shell-session.py on
		# a wedged session) asks it where every vCPU was before killing QEMU
		mkdir -p "$(dirname "$serial_log")"
		rm -f "$serial_log.mon"
		set -- "$@" -monitor "unix:$serial_log.mon,server=on,wait=off"
	else
		set -- "$@" -monitor none
	fi
	if [ -n "$serial_socket" ]; then
		set -- "$@" -chardev "socket,id=ser0,path=$serial_socket,server=on,wait=on${serial_log:+,logfile=$serial_log}" \
			-serial chardev:ser0
	elif [ -n "$serial_log" ]; then
		mkdir -p "$(dirname "$serial_log")"
		set -- "$@" -serial "file:$serial_log"
	else
		set -- "$@" -serial stdio
	fi
	: "${timeout_s:=300}"
fi
# COM2 (docs/devices.md, "Serial"): the second -serial, after COM1's; bin/uart16550
# serves it as dev:///serial/com2.
set -- "$@" -serial "$com2"

# shellcheck disable=SC2086 # --extra is word-split on purpose
set -- qemu-system-x86_64 "$@" $extra
# --foreground: QEMU may read the terminal; -k: QEMU paused after a KVM internal
# error ignores SIGTERM's intent (it keeps running), so follow up with SIGKILL.
# (With --stall and a serial log, the watchdog below keeps the time instead.)
if [ -n "$timeout_s" ] && { [ -z "$stall_s" ] || [ -z "$serial_log" ]; }; then
	set -- timeout --foreground -k 5 "$timeout_s" "$@"
fi

if [ "$dry_run" = 1 ]; then
	printf '%s\n' "$*"
	exit 0
fi
if [ -z "$stall_s" ] || [ -z "$serial_log" ]; then
	exec "$@"
fi

# Every vCPU's registers and local APIC from the QEMU monitor at socket $1 into
# file $2, and each CPU's RIP, halt state and LAPIC timer on stderr (so a hang's
# report says where every CPU was). Best effort.
dump_registers() {
	[ -S "$1" ] || return 0
	echo "qemu.sh: each vCPU's registers and local APIC are in $2:" >&2
	python3 "$(dirname "$0")/qemu-dump.py" "$1" "$2" >&2 || true
	rm -f "$1"
}

# The stall watchdog: a test run is judged by its progress, not by how fast the
# host is. QEMU runs in the background; every 5 s the serial log's size is
# compared with the last; no growth for $stall_s seconds kills QEMU (exit 125).
# --timeout, if given, still caps the whole run (exit 124).
mkdir -p "$(dirname "$serial_log")"
: >"$serial_log"
rm -f "$serial_log.stalled" "$serial_log.timedout"
"$@" &
qpid=$!
(
	last=-1 quiet=0 total=0
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 5
		total=$((total + 5))
		size=$(wc -c <"$serial_log" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then
			quiet=$((quiet + 5))
		else
			quiet=0 last=$size
		fi
		why=
		if [ "$quiet" -ge "$stall_s" ]; then
			why=stalled
			echo "qemu.sh: no serial output for $stall_s s: killing QEMU" >&2
		elif [ -n "$timeout_s" ] && [ "$total" -ge "$timeout_s" ]; then
			why=timedout
			echo "qemu.sh: still running after $timeout_s s: killing QEMU" >&2
		fi
		if [ -n "$why" ]; then
			: >"$serial_log.$why"
			dump_registers "$serial_log.mon" "$serial_log.regs"
			kill "$qpid" 2>/dev/null
			sleep 5
			kill -9 "$qpid" 2>/dev/null
			exit 0
		fi
	done
) &
wpid=$!
st=0
wait "$qpid" || st=$?
kill "$wpid" 2>/dev/null || true
wait "$wpid" 2>/dev/null || true
rm -f "$serial_log.mon"
if [ -e "$serial_log.stalled" ]; then
	rm -f "$serial_log.stalled"
	exit 125
fi
if [ -e "$serial_log.timedout" ]; then
	rm -f "$serial_log.timedout"
	exit 124
fi
exit "$st"
