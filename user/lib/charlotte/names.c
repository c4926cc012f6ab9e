/*
 * names.c - error, type, rights, exception and exit-status names (see names.h).
 */
#include "names.h"

#include <stdio.h>
#include <string.h>

#include <abi/errors.h>
#include <abi/handle.h>
#include <abi/rights.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *ch_error_name(long err)
{
	static const struct {
		long code;
		const char *name;
	} names[] = {
	    {ERR_OK, "OK"},
	    {ERR_INTERNAL, "ERR_INTERNAL"},
	    {ERR_NOT_SUPPORTED, "ERR_NOT_SUPPORTED"},
	    {ERR_INVALID_ARGS, "ERR_INVALID_ARGS"},
	    {ERR_BAD_STATE, "ERR_BAD_STATE"},
	    {ERR_TIMED_OUT, "ERR_TIMED_OUT"},
	    {ERR_INTERRUPTED, "ERR_INTERRUPTED"},
	    {ERR_NO_MEMORY, "ERR_NO_MEMORY"},
	    {ERR_NO_RESOURCES, "ERR_NO_RESOURCES"},
	    {ERR_SHOULD_WAIT, "ERR_SHOULD_WAIT"},
	    {ERR_BUFFER_TOO_SMALL, "ERR_BUFFER_TOO_SMALL"},
	    {ERR_BAD_HANDLE, "ERR_BAD_HANDLE"},
	    {ERR_WRONG_TYPE, "ERR_WRONG_TYPE"},
	    {ERR_ACCESS_DENIED, "ERR_ACCESS_DENIED"},
	    {ERR_BAD_ADDRESS, "ERR_BAD_ADDRESS"},
	    {ERR_OUT_OF_RANGE, "ERR_OUT_OF_RANGE"},
	    {ERR_ALREADY_EXISTS, "ERR_ALREADY_EXISTS"},
	    {ERR_NOT_FOUND, "ERR_NOT_FOUND"},
	    {ERR_MALFORMED, "ERR_MALFORMED"},
	    {ERR_TRUNCATED, "ERR_TRUNCATED"},
	    {ERR_CHECKSUM, "ERR_CHECKSUM"},
	    {ERR_PEER_CLOSED, "ERR_PEER_CLOSED"},
	    {ERR_NO_HOST, "ERR_NO_HOST"},
	    {ERR_CROSS_PROVIDER, "ERR_CROSS_PROVIDER"},
	    {ERR_LOOP, "ERR_LOOP"},
	    {ERR_IO, "ERR_IO"},
	    {ERR_BROKEN_INVARIANT, "ERR_BROKEN_INVARIANT"},
	};
	for (size_t i = 0; i < N_ELEMS(names); i++)
		if (names[i].code == err)
			return names[i].name;
	return err > 0 ? "OK" : "ERR_?";
}

const char *ch_obj_type_name(uint32_t type)
{
	static const char *const names[] = {
	    [OBJ_NONE] = "none",
	    [OBJ_MEMORY] = "memory",
	    [OBJ_ADDRESS_SPACE] = "address-space",
	    [OBJ_THREAD] = "thread",
	    [OBJ_PROCESS] = "process",
	    [OBJ_ENDPOINT] = "endpoint",
	    [OBJ_WAITSET] = "waitset",
	    [OBJ_NS_NODE] = "ns-node",
	    [OBJ_DEVICE] = "device",
	    [OBJ_IRQ] = "irq",
	    [OBJ_IOPORT] = "ioport",
	    [OBJ_MMIO] = "mmio",
	    [OBJ_MODULE_LOADER] = "module-loader",
	    [OBJ_MEMORY_POOL] = "memory-pool",
	    [OBJ_DEBUG_LOG] = "debug-log",
	    [OBJ_GROUP] = "group",
	    [OBJ_SCHED] = "sched",
	};
	if (type < N_ELEMS(names) && names[type])
		return names[type];
	return "unknown";
}

char *ch_rights_format(uint64_t rights, char *buf, size_t size)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
	    {RIGHT_READ, "read"},           {RIGHT_WRITE, "write"},
	    {RIGHT_EXEC, "exec"},           {RIGHT_MAP, "map"},
	    {RIGHT_SEND, "send"},           {RIGHT_RECV, "recv"},
	    {RIGHT_SIGNAL, "signal"},       {RIGHT_WAIT, "wait"},
	    {RIGHT_LOOKUP, "lookup"},       {RIGHT_CREATE, "create"},
	    {RIGHT_REMOVE, "remove"},       {RIGHT_MANAGE, "manage"},
	    {RIGHT_ENUMERATE, "enumerate"}, {RIGHT_DUPLICATE, "duplicate"},
	    {RIGHT_TRANSFER, "transfer"},   {RIGHT_INSPECT, "inspect"},
	    {RIGHT_REVOKE, "revoke"},
	};
	size_t used = 0;

	if (!buf || size == 0)
		return buf;
	buf[0] = '\0';
	if (rights == 0) {
		snprintf(buf, size, "none");
		return buf;
	}
	for (size_t i = 0; i < N_ELEMS(names); i++) {
		if (!(rights & names[i].bit))
			continue;
		rights &= ~names[i].bit;
		int n = snprintf(buf + used, size - used, "%s%s", used ? "|" : "", names[i].name);
		if (n < 0 || (size_t)n >= size - used)
			return buf;
		used += (size_t)n;
	}
	if (rights)
		snprintf(buf + used, size - used, "%s0x%llx", used ? "|" : "",
		         (unsigned long long)rights);
	return buf;
}

const char *ch_exception_name(uint32_t vector)
{
	static const char *const names[] = {
	    [0] = "#DE divide error",
	    [1] = "#DB debug",
	    [2] = "NMI",
	    [3] = "#BP breakpoint",
	    [4] = "#OF overflow",
	    [5] = "#BR bound range",
	    [6] = "#UD invalid opcode",
	    [7] = "#NM device not available",
	    [8] = "#DF double fault",
	    [10] = "#TS invalid TSS",
	    [11] = "#NP segment not present",
	    [12] = "#SS stack-segment fault",
	    [13] = "#GP general protection",
	    [14] = "#PF page fault",
	    [16] = "#MF x87 floating point",
	    [17] = "#AC alignment check",
	    [18] = "#MC machine check",
	    [19] = "#XM SIMD floating point",
	    [20] = "#VE virtualization",
	    [21] = "#CP control protection",
	};
	if (vector < sizeof(names) / sizeof(names[0]) && names[vector])
		return names[vector];
	return "exception";
}

char *ch_proc_status_describe(const struct proc_status *st, char *buf, size_t size)
{
	if (!buf || size == 0)
		return buf;
	switch (st->state) {
	case PROC_RUNNING:
		snprintf(buf, size, st->flags & PROC_FLAG_SUSPENDED ? "suspended" : "running");
		break;
	case PROC_EXITED:
		snprintf(buf, size, "exited with code %d", (int)st->code);
		break;
	case PROC_KILLED:
		snprintf(buf, size, "killed");
		break;
	case PROC_FAULTED:
		if (st->fault_vector == 14)
			snprintf(buf, size, "faulted: %s at 0x%llx (address 0x%llx)",
			         ch_exception_name(st->fault_vector),
			         (unsigned long long)st->fault_ip,
			         (unsigned long long)st->fault_addr);
		else
			snprintf(buf, size, "faulted: %s (vector %u) at 0x%llx",
			         ch_exception_name(st->fault_vector), (unsigned)st->fault_vector,
			         (unsigned long long)st->fault_ip);
		break;
	default:
		snprintf(buf, size, "in unknown state %u", (unsigned)st->state);
		break;
	}
	return buf;
}
