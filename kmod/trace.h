/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - tracepoints: every VM exit, every intercept handed to user
 * space, every TLFS hypercall, every VMBus message and channel signal. Use with trace-cmd or perf, e.g.
 *   trace-cmd record -e hvtb:hvtb_exit -e hvtb:hvtb_intercept
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvtb

#if !defined(HVTB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HVTB_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(hvtb_exit,
	TP_PROTO(u32 partition, u32 vp, u32 reason, u64 qualification, u64 rip),
	TP_ARGS(partition, vp, reason, qualification, rip),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(u32, vp)
		__field(u32, reason)
		__field(u64, qualification)
		__field(u64, rip)
	),

	TP_fast_assign(
		__entry->partition = partition;
		__entry->vp = vp;
		__entry->reason = reason;
		__entry->qualification = qualification;
		__entry->rip = rip;
	),

	TP_printk("partition %u vp %u reason %u qual 0x%llx rip 0x%llx",
		  __entry->partition, __entry->vp, __entry->reason,
		  __entry->qualification, __entry->rip)
);

TRACE_EVENT(hvtb_intercept,
	TP_PROTO(u32 partition, u32 vp, u32 exit_reason),
	TP_ARGS(partition, vp, exit_reason),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(u32, vp)
		__field(u32, exit_reason)
	),

	TP_fast_assign(
		__entry->partition = partition;
		__entry->vp = vp;
		__entry->exit_reason = exit_reason;
	),

	TP_printk("partition %u vp %u hvtb exit %u",
		  __entry->partition, __entry->vp, __entry->exit_reason)
);

/* A scheduling decision: @cpu's thread runs the VP for up to @slice_ns. */
TRACE_EVENT(hvtb_sched,
	TP_PROTO(u32 cpu, u32 partition, u32 vp, u64 slice_ns),
	TP_ARGS(cpu, partition, vp, slice_ns),

	TP_STRUCT__entry(
		__field(u32, cpu)
		__field(u32, partition)
		__field(u32, vp)
		__field(u64, slice_ns)
	),

	TP_fast_assign(
		__entry->cpu = cpu;
		__entry->partition = partition;
		__entry->vp = vp;
		__entry->slice_ns = slice_ns;
	),

	TP_printk("cpu %u runs partition %u vp %u for up to %llu ns",
		  __entry->cpu, __entry->partition, __entry->vp,
		  __entry->slice_ns)
);

/* A TLFS hypercall finished (kmod/hypercall/): its control and RAX. */
TRACE_EVENT(hvtb_hypercall,
	TP_PROTO(u32 partition, u32 vp, u64 control, u64 result),
	TP_ARGS(partition, vp, control, result),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(u32, vp)
		__field(u64, control)
		__field(u64, result)
	),

	TP_fast_assign(
		__entry->partition = partition;
		__entry->vp = vp;
		__entry->control = control;
		__entry->result = result;
	),

	TP_printk("partition %u vp %u code 0x%llx control 0x%llx status %llu reps %llu",
		  __entry->partition, __entry->vp, __entry->control & 0xffff,
		  __entry->control, __entry->result & 0xffff,
		  (__entry->result >> 32) & 0xfff)
);

/*
 * A SynIC message attempt (kmod/hypercall/synic.c): 0 delivered into the
 * SIMP slot, 1 slot busy (marked pending), -EFAULT page not mapped.
 */
TRACE_EVENT(hvtb_synic_message,
	TP_PROTO(u32 partition, u32 vp, u32 sint, u32 type, int result),
	TP_ARGS(partition, vp, sint, type, result),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(u32, vp)
		__field(u32, sint)
		__field(u32, type)
		__field(int, result)
	),

	TP_fast_assign(
		__entry->partition = partition;
		__entry->vp = vp;
		__entry->sint = sint;
		__entry->type = type;
		__entry->result = result;
	),

	TP_printk("partition %u vp %u sint %u type 0x%x result %d",
		  __entry->partition, __entry->vp, __entry->sint,
		  __entry->type, __entry->result)
);

/*
 * A VMBus channel-management message (kmod/vmbus): @to_guest 0 the guest's
 * HvPostMessage, @result the verdict (0 handled, > 0 enum vmbus_verdict:
 * dropped and counted); @to_guest 1 the host's post, @result 0 or the
 * SynIC's -errno. @relid 0: a message of the connection.
 */
TRACE_EVENT(hvtb_vmbus_message,
	TP_PROTO(u32 partition, bool to_guest, u32 msgtype, u32 relid, u32 size, int result),
	TP_ARGS(partition, to_guest, msgtype, relid, size, result),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(bool, to_guest)
		__field(u32, msgtype)
		__field(u32, relid)
		__field(u32, size)
		__field(int, result)
	),

	TP_fast_assign(
		__entry->partition = partition;
		__entry->to_guest = to_guest;
		__entry->msgtype = msgtype;
		__entry->relid = relid;
		__entry->size = size;
		__entry->result = result;
	),

	TP_printk("partition %u %s type %u relid %u size %u result %d",
		  __entry->partition, __entry->to_guest ? "host->guest" : "guest->host",
		  __entry->msgtype, __entry->relid, __entry->size, __entry->result)
);

/* A channel interrupt: the guest's HvSignalEvent, or the daemon's signal (@result its -errno). */
TRACE_EVENT(hvtb_vmbus_signal,
	TP_PROTO(u32 partition, bool to_guest, u32 relid, int result),
	TP_ARGS(partition, to_guest, relid, result),

	TP_STRUCT__entry(
		__field(u32, partition)
		__field(bool, to_guest)
		__field(u32, relid)
		__field(int, result)
	),

	TP_fast_assign(
		__entry->partition = partition;
		__entry->to_guest = to_guest;
		__entry->relid = relid;
		__entry->result = result;
	),

	TP_printk("partition %u %s relid %u result %d", __entry->partition,
		  __entry->to_guest ? "host->guest" : "guest->host", __entry->relid,
		  __entry->result)
);

#endif /* HVTB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
