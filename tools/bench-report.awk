# bench-report.awk - the `make bench` table and build/bench.json (docs/bench.md).
#
# usage: awk -v cpus=N -v smpcpus=M -v mem=SIZE -v json=FILE -f tools/bench-report.awk \
#            LINUX_ICOUNT_LOG CHARLOTTE_ICOUNT_LOG LINUX_TCG_LOG CHARLOTTE_TCG_LOG \
#            [CHARLOTTE_SMP_ICOUNT_LOG]
# (the files in that order; an empty file stands for a boot that did not run).
# The fifth is the SMP boot's (CharlotteOS on smpcpus CPUs, icount, `bin/bench
# smp`): its rows are named <metric>_smp<M>; Linux has none (it does not boot SMP
# under icount), and its column says so: "n/a" in the table, null and
# "linux_note" in the JSON.
#
# Reads every "BENCH <name> key=value ..." line, wherever "BENCH " starts in the
# line: median/min/max/n are per-operation rdtsc deltas (instructions under
# -icount), ns_median/ns_min/ns_max the same operations by the OS's monotonic
# clock (used from the plain TCG boots). "BENCH INFO", "BENCH DONE" and
# "BENCH ERROR" lines are not metrics. A metric that appears twice in one log
# keeps its last line.

function canon_init(   n, i, names) {
	n = split("null_syscall null_syscall_enosys ipc_rtt ipc_rtt_10w ipc_oneway cap_transfer " \
		"cap_transfer_move signal pager_fault map_unmap thread_create spawn ns_lookup ns_stat " \
		"blk_read_4k blk_read_seq fs_read_1m fs_create_small fs_stat",
		names, " ")
	for (i = 1; i <= n; i++)
		add_name(names[i])
	equiv["null_syscall"] = "getppid() by a raw syscall instruction"
	equiv["null_syscall_enosys"] = "syscall with an unknown number (-ENOSYS path only)"
	equiv["ipc_rtt"] = "pipe ping-pong, 8 bytes each way, two processes on one CPU"
	equiv["ipc_rtt_10w"] = "pipe ping-pong, 80 bytes (10 words) each way, two processes on one CPU"
	equiv["ipc_rtt_futex"] = "futex wait/wake ping-pong on a shared word, two processes"
	equiv["ipc_rtt_unix"] = "unix stream socket ping-pong, 8 bytes, two processes"
	equiv["ipc_oneway"] = "pipe write + read of 64 bytes to another process, amortised over 100"
	equiv["cap_transfer"] = "SCM_RIGHTS: sendmsg of one fd on a unix seqpacket socket, " \
		"recvmsg and close in another process, amortised over 50"
	equiv["cap_transfer_move"] = "an fd to another process and back by SCM_RIGHTS, each side " \
		"closing what it sent (2 x sendmsg + close + recvmsg), per round trip"
	equiv["signal"] = "FUTEX_WAKE of a process blocked in FUTEX_WAIT on a shared word, " \
		"from the wake to the waiter running"
	equiv["pager_fault"] = "in-kernel anonymous page fault: first write to a fresh 4 KiB page"
	equiv["map_unmap"] = "mmap(MAP_SHARED|MAP_POPULATE) of one resident memfd page + munmap"
	equiv["map_unmap_lazy"] = "mmap of one anonymous page, never touched, + munmap"
	equiv["thread_create"] = "pthread_create + pthread_join of a thread that returns"
	equiv["spawn"] = "fork + _exit + waitpid"
	equiv["spawn_exec"] = "posix_spawn of a static program that exits + waitpid"
	equiv["ns_lookup"] = "open(O_RDONLY) + close of /bench-tmp/a/b/c/d on tmpfs"
	equiv["ns_stat"] = "stat() of /bench-tmp/a/b/c/d on tmpfs"
	equiv["blk_read_4k"] = "pread() of 4 KiB with O_DIRECT from /dev/vda (virtio-blk)"
	equiv["blk_read_seq"] = "per MiB of 16 MiB read in order from /dev/vdc (virtio-blk) by " \
		"1 MiB preads with O_DIRECT, idle time subtracted"
	equiv["fs_read_1m"] = "open + read of 1 MiB + close of a file on ext2 (ext4 driver, " \
		"virtio-blk), page cache warm"
	equiv["fs_create_small"] = "per file: open(O_CREAT|O_EXCL) + write 4 KiB + close, " \
		"1,000 new files in one ext2 directory"
	equiv["fs_stat"] = "stat() of a file on ext2 (ext4 driver), 2 components"
	equiv["fs_map_read_1m"] = "(ours only) fs_read_1m through mmap() (fsd the pager): open + mmap " \
		"+ memcpy of 1 MiB + munmap + close; compare with Linux's fs_read_1m"
	# the scheduler's metrics (issue 19): not instructions; their unit leads the text
	unit_of["sched_fairness_jain"] = "index"
	unit_of["sched_weight_error_pct"] = "percent"
	unit_of["wake_p50_us"] = unit_of["wake_p99_us"] = "guest us"
	unit_of["wake_p50_us_fixed"] = unit_of["wake_p99_us_fixed"] = "guest us"
	equiv["sched_fairness_jain"] = "[index, 1 = fair] 4 spinning threads, SCHED_OTHER, 200 ms"
	equiv["sched_weight_error_pct"] = "[%] nice 0, -3, -6 (CFS weights 1024:1991:3906), 1.4 s"
	equiv["wake_p50_us"] = "[us] clock_nanosleep 1 ms past 4 spinning threads, SCHED_OTHER"
	equiv["wake_p99_us"] = "[us] the same, 99th percentile of 30 (their maximum)"
	equiv["wake_p50_us_fixed"] = "[us] CharlotteOS under SCHED_MODE_FIXED (no Linux side)"
	equiv["wake_p99_us_fixed"] = "[us] CharlotteOS under SCHED_MODE_FIXED (no Linux side)"
	unit_of["sched_throughput_pct"] = "percent"
	equiv["sched_throughput_pct"] = "[%] CharlotteOS: the spinners' work in the wake runs, DQRR / SCHED_MODE_FIXED (no Linux side)"
	n = split("sched_fairness_jain sched_weight_error_pct wake_p50_us wake_p99_us wake_p50_us_fixed " \
		"wake_p99_us_fixed sched_throughput_pct", names, " ")
	for (i = 1; i <= n; i++)
		add_name(names[i])
	equiv["yield"] = "sched_yield() round trip between two threads pinned to one CPU"
	equiv["futex_pingpong"] = "FUTEX_WAIT/FUTEX_WAKE ping-pong between two threads, one CPU"
	# the SMP boot's (CharlotteOS alone, smpcpus CPUs): sched_bench.h's SCHED_SMP_*
	if (smpcpus > 1) {
		s = "_smp" smpcpus
		smp_na = "n/a: Linux 6.1 does not boot SMP under icount"
		unit_of["sched_fairness_jain" s] = unit_of["sched_fairness_jain" s "_uneven"] = "index"
		unit_of["wake_p50_us" s] = unit_of["wake_p99_us" s] = "guest us"
		unit_of["wake_p50_us_fixed" s] = unit_of["wake_p99_us_fixed" s] = "guest us"
		unit_of["sched_throughput_pct" s] = "percent"
		equiv["sched_fairness_jain" s] = "[index] " 3 * smpcpus " spinning threads on " \
			smpcpus " CPUs, 1 s; " smp_na
		equiv["sched_fairness_jain" s "_uneven"] = "[index] " 3 * smpcpus - int(smpcpus / 2) \
			" spinning threads on " smpcpus " CPUs (queues cannot be equal), 1 s; " smp_na
		equiv["wake_p50_us" s] = "[us] sleep 1 ms past 4 spinning threads per CPU (" \
			4 * smpcpus "), DQRR; " smp_na
		equiv["wake_p99_us" s] = "[us] the same, 99th percentile of 30 (their maximum); " smp_na
		equiv["wake_p50_us_fixed" s] = "[us] the same under SCHED_MODE_FIXED; " smp_na
		equiv["wake_p99_us_fixed" s] = "[us] the same under SCHED_MODE_FIXED; " smp_na
		equiv["sched_throughput_pct" s] = "[%] the spinners' work, DQRR / SCHED_MODE_FIXED; " smp_na
		n = split("sched_fairness_jain sched_fairness_jain_uneven wake_p50_us wake_p99_us " \
			"wake_p50_us_fixed wake_p99_us_fixed sched_throughput_pct", names, " ")
		for (i = 1; i <= n; i++) {
			nm = names[i] == "sched_fairness_jain_uneven" ? "sched_fairness_jain" s "_uneven" : \
				names[i] s
			add_name(nm)
			linux_na[nm] = smp_na
		}
	}
}

# A figure as JSON: an integer as such, a fraction with 4 decimals.
function num(x) { return x == int(x) ? sprintf("%d", x) : sprintf("%.4f", x) }

function add_name(name) {
	if (!(name in known)) {
		known[name] = 1
		order[++nnames] = name
	}
}

BEGIN {
	canon_init()
	src[1] = "linux"; src[2] = "charlotte"; src[3] = "linux"; src[4] = "charlotte"
	mode[1] = "icount"; mode[2] = "icount"; mode[3] = "tcg"; mode[4] = "tcg"
	src[5] = "charlotte"; mode[5] = "icount" # the SMP boot: its rows have their own names
	# By name, not by counting files: awk never reads a line of an empty one.
	for (i = 1; i < ARGC; i++)
		argidx[ARGV[i]] = i
}

FNR == 1 { file = argidx[FILENAME] }

{
	start = index($0, "BENCH ")
	if (start == 0)
		next
	nf = split(substr($0, start), w, /[ \t\r]+/)
	name = w[2]
	if (name == "INFO") {
		for (i = 3; i <= nf; i++)
			if (w[i] ~ /^release=/ && src[file] == "linux")
				release = substr(w[i], 9)
		next
	}
	if (name == "DONE" || name == "ERROR" || name !~ /^[a-z0-9_]+$/)
		next
	add_name(name)
	k = src[file] SUBSEP mode[file] SUBSEP name
	have[k] = 1
	for (i = 3; i <= nf; i++) {
		eq = index(w[i], "=")
		if (eq > 1)
			val[k, substr(w[i], 1, eq - 1)] = substr(w[i], eq + 1) + 0
	}
}

# A figure: "median" or "ns_median" of one side, "" if absent.
function fig(side, m, name, prefix,   k) {
	k = side SUBSEP m SUBSEP name
	if (!(k in have) || !((k, prefix "median") in val))
		return ""
	return val[k, prefix "median"]
}

function ratio(c, l) {
	if (c == "" || l == "" || l == 0)
		return ""
	return sprintf("%.3f", c / l)
}

function stats_json(side, m, name, prefix,   k) {
	k = side SUBSEP m SUBSEP name
	if (fig(side, m, name, prefix) == "")
		return "null"
	return sprintf("{\"median\": %s, \"min\": %s, \"max\": %s, \"n\": %d}",
		num(val[k, prefix "median"]), num(val[k, prefix "min"]), num(val[k, prefix "max"]),
		val[k, "n"])
}

function jstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return "\"" s "\""
}

function show(x) { return x == "" ? "-" : x }

function table(m, prefix, unit,   i, name, c, l) {
	printf "%-20s %12s %12s %8s  %s\n", "metric (" unit ")", "CharlotteOS", "Linux", "ratio", \
		(m == "icount" ? "Linux equivalent" : "")
	for (i = 1; i <= nnames; i++) {
		name = order[i]
		c = fig("charlotte", m, name, prefix)
		l = fig("linux", m, name, prefix)
		if (m == "tcg" && c == "" && l == "")
			continue
		printf "%-20s %12s %12s %8s  %s\n", name, show(c), \
			(l == "" && (name in linux_na) ? "n/a" : show(l)), show(ratio(c, l)), \
			(m == "icount" && (name in equiv) ? equiv[name] : "")
	}
}

END {
	printf "\nCharlotteOS vs Linux %s: q35, %d CPU, %s, PVH boot\n", \
		(release == "" ? "(did not run)" : release), cpus, mem
	if (smpcpus > 1)
		printf "Rows *_smp%d: CharlotteOS alone on %d CPUs, same configuration (%s)\n", \
			smpcpus, smpcpus, smp_na
	printf "\nTCG -icount shift=0,sleep=off: guest instructions per operation, median of n samples\n"
	table("icount", "", "instructions")
	printf "\nPlain TCG (secondary, host-dependent): wall-clock ns per operation, median\n"
	table("tcg", "ns_", "ns")
	printf "\n"

	printf "{\n  \"mode\": \"icount\",\n  \"cpus\": %d,\n  \"mem\": %s,\n  \"machine\": \"q35\",\n", \
		cpus, jstr(mem) > json
	printf "  \"linux_release\": %s,\n", (release == "" ? "null" : jstr(release)) > json
	printf "  \"smp_cpus\": %d,\n  \"metrics\": {\n", (smpcpus > 1 ? smpcpus : 0) > json
	for (i = 1; i <= nnames; i++) {
		name = order[i]
		l = stats_json("linux", "icount", name, "")
		printf "    %s: {\"unit\": %s, \"charlotte\": %s, \"linux\": %s, " \
			"\"ratio\": %s, \"linux_equivalent\": %s%s}%s\n", jstr(name),
			jstr(name in unit_of ? unit_of[name] : "instructions"),
			stats_json("charlotte", "icount", name, ""), l,
			show_null(ratio(fig("charlotte", "icount", name, ""), fig("linux", "icount", name, ""))),
			(name in equiv ? jstr(equiv[name]) : "null"),
			(l == "null" && (name in linux_na) ? ", \"linux_note\": " jstr(linux_na[name]) : ""),
			(i < nnames ? "," : "") > json
	}
	printf "  },\n  \"wallclock\": {\n    \"mode\": \"tcg\",\n    \"unit\": \"ns\",\n" \
		"    \"metrics\": {\n" > json
	for (i = 1; i <= nnames; i++) {
		name = order[i]
		printf "      %s: {\"charlotte\": %s, \"linux\": %s, \"ratio\": %s}%s\n", jstr(name),
			stats_json("charlotte", "tcg", name, "ns_"), stats_json("linux", "tcg", name, "ns_"),
			show_null(ratio(fig("charlotte", "tcg", name, "ns_"), fig("linux", "tcg", name, "ns_"))),
			(i < nnames ? "," : "") > json
	}
	printf "    }\n  }\n}\n" > json
	close(json)
	printf "bench: wrote %s\n", json
}

function show_null(x) { return x == "" ? "null" : x }
