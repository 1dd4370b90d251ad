/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvtb uapi: Hyper-V (TLFS) enlightenments (HVTB_EXT_HYPERV):
 * hypercalls, message ports, events, SynIC, reference time.
 * The ioctl numbers are in the table of <linux/hvtb.h>.
 */
#ifndef _UAPI_LINUX_HVTB_HV_H
#define _UAPI_LINUX_HVTB_HV_H

#include <linux/hvtb.h>

/*
 * hvtb-private hypercalls: VMCALL with RCX holding the call code (the TLFS
 * calling convention). Handled in the kernel, never seen by user space.
 */
#define HVTB_HC_NULL		0x7f00	/* returns 0 in RAX: exit-cost research */

/*
 * hvtb-private hypercalls, in 0x7f00..0x7fff (0x8000 and up are the TLFS's
 * extended hypercalls, e.g. HvExtCallQueryCapabilities 0x8001):
 *
 * HVTB_HC_REP_FILL - a slow rep call for testing rep handling: input
 * struct hvtb_hc_rep_fill_input, output rep_count __u64 elements; element i
 * (rep start <= i < rep count) becomes seed + i. Rep count 1..512. It stops
 * early, with status 0 and reps completed < rep count, before element
 * @stop_at (when rep start < stop_at) or when the host needs the CPU; the
 * caller then calls again with rep start = reps completed.
 * Only in partitions with HVTB_HV_ENABLE.
 */
#define HVTB_HC_REP_FILL	0x7f01

struct hvtb_hc_rep_fill_input {
	__u64 seed;
	__u32 stop_at;		/* 0: never */
	__u32 pad;		/* must be 0 (HV_STATUS_INVALID_PARAMETER) */
};
hvtb_static_assert(sizeof(struct hvtb_hc_rep_fill_input) == 16, "layout");

/*
 * Hyper-V enlightenments (HVTB_EXT_HYPERV)
 *
 * HVTB_PARTITION_SET_HYPERV on a partition fd, before its first VP (-EBUSY after):
 * with HVTB_HV_ENABLE the kernel answers CPUID 0x40000000..0x4000000a from
 * this struct (and sets CPUID.1:ECX[31]), emulates the synthetic MSRs that
 * @features_eax grants and handles VMCALL as a TLFS hypercall. Without it
 * (the default) the partition has no enlightenments: those leaves come from
 * the CPUID table, the MSRs #GP and VMCALL exits as before.
 *
 * Privileges (CPUID 0x40000003) gate the guest's MSRs and hypercalls; an
 * MSR not granted #GPs, a hypercall not granted returns
 * HV_STATUS_ACCESS_DENIED. Bits hvtb implements: EAX 1 (TIME_REF_COUNT),
 * 2 (SynIC: SCONTROL, SIEFP, SIMP, EOM, SINTx with message and event flag
 * delivery, see HVTB_PARTITION_POST_HV_MESSAGE), 3 (STIMERx, firing needs bit 2),
 * 4 (VP_ASSIST_PAGE, and the APIC MSRs EOI/ICR/TPR 0x40000070..72 in
 * partitions with HVTB_PARTITION_LAPIC; user space saves that state with
 * HVTB_VP_GET_LAPIC, not with HVTB_VP_GET_MSRS), 5 (GUEST_OS_ID,
 * HYPERCALL), 6 (VP_INDEX), 9 (REFERENCE_TSC), 11 (TSC/APIC_FREQUENCY);
 * EBX 1 (HvGetPartitionId), 4 (HvPostMessage), 5 (HvSignalEvent). Other
 * bits are passed to the guest as given. Zero fields take the defaults in
 * brackets. SINT interrupts and direct-mode timers need
 * HVTB_PARTITION_LAPIC; without it messages still reach the SIMP page.
 */
#define HVTB_HV_ENABLE		_BITULL(0)
/*
 * Unknown call codes exit to user space (HVTB_EXIT_HYPERCALL) instead of
 * returning HV_STATUS_INVALID_HYPERCALL_CODE.
 */
#define HVTB_HV_FORWARD_UNKNOWN	_BITULL(1)
#define HVTB_HV_FLAGS_MASK	(HVTB_HV_ENABLE | HVTB_HV_FORWARD_UNKNOWN)

struct hvtb_hyperv_config {
	__u32 flags;		/* HVTB_HV_* */
	__u32 max_vps;		/* 0x40000005 EAX [partition's max_vps] */
	__u32 max_lps;		/* 0x40000005 EBX [max_vps] */
	__u32 features_eax;	/* 0x40000003 EAX: privileges, low */
	__u32 features_ebx;	/* 0x40000003 EBX: privileges, high */
	__u32 features_edx;	/* 0x40000003 EDX: features */
	__u32 hints_eax;	/* 0x40000004 EAX */
	__u32 spin_retries;	/* 0x40000004 EBX [0xffffffff: never notify] */
	__u8 vendor[12];	/* 0x40000000 EBX,ECX,EDX ["Microsoft Hv"] */
	__u32 interface;	/* 0x40000001 EAX ["Hv#1"] */
	__u64 tsc_frequency;	/* Hz, HV_X64_MSR_TSC_FREQUENCY [host TSC] */
	__u64 apic_frequency;	/* Hz, HV_X64_MSR_APIC_FREQUENCY [1 GHz] */
	__u64 reserved[6];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_hyperv_config) == 112, "layout");

#define HVTB_PARTITION_SET_HYPERV		_IOW(HVTBIO, HVTB_NR_PARTITION_SET_HYPERV, struct hvtb_hyperv_config)

/*
 * HVTB_PARTITION_CREATE_HV_PORT - a message port: HvPostMessage to @connection_id
 * (0..0xffffff, unique among ports: -EEXIST) queues a struct
 * hvtb_hv_message on the returned fd (O_CLOEXEC). read() returns whole
 * messages (a buffer smaller than one is -EINVAL; none queued: blocks, or
 * -EAGAIN with O_NONBLOCK); poll() reports EPOLLIN. With @depth messages
 * queued a post returns HV_STATUS_INSUFFICIENT_BUFFERS to the guest.
 * Closing the fd removes the port.
 */
struct hvtb_hv_port_config {
	__u32 connection_id;
	__u32 flags;		/* must be 0 */
	__u32 depth;		/* 1..4096; 0 means 64 */
	__u32 pad;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_hv_port_config) == 32, "layout");

#define HVTB_PARTITION_CREATE_HV_PORT	_IOW(HVTBIO, HVTB_NR_PARTITION_CREATE_HV_PORT, struct hvtb_hv_port_config)

#define HVTB_HV_MESSAGE_PAYLOAD	240

struct hvtb_hv_message {
	__u32 connection_id;
	__u32 message_type;
	__u32 payload_size;	/* bytes of @payload the guest sent */
	__u32 vp_index;		/* the sender */
	__u64 reserved;
	__u8 payload[HVTB_HV_MESSAGE_PAYLOAD];
};
hvtb_static_assert(sizeof(struct hvtb_hv_message) == 264, "layout");

/*
 * HVTB_PARTITION_SET_HV_EVENT - HvSignalEvent on @connection_id (0..0xffffff) with a
 * flag number below @flag_count signals eventfd @fd (adds 1): the guest ->
 * host direction. Without HVTB_HV_EVENT_DEASSIGN: -EEXIST if the id is
 * taken, -EBADF/-EINVAL for a bad fd. With it: removes the id (@fd,
 * @flag_count, @vp_index and @sint must be 0), -ENOENT if it was not there.
 * Event and message connection ids are separate.
 *
 * With HVTB_HV_EVENT_SYNIC the connection leads into this partition's own
 * SynIC instead (a guest signalling another of its VPs, as Hyper-V's
 * intra-partition events): HvSignalEvent with flag number N sets event
 * flag N of SINT @sint in VP @vp_index's SIEFP page and raises the SINT if
 * the flag was clear, as HVTB_PARTITION_SIGNAL_HV_FLAG does. @fd must be 0; the VP
 * need not exist yet. The call returns HV_STATUS_INVALID_PORT_ID when the
 * target VP is missing or has not enabled SCONTROL and its SIEFP page.
 */
#define HVTB_HV_EVENT_DEASSIGN	_BITULL(0)
#define HVTB_HV_EVENT_SYNIC	_BITULL(1)

struct hvtb_hv_event {
	__u32 connection_id;
	__s32 fd;
	__u32 flags;		/* HVTB_HV_EVENT_* */
	__u32 flag_count;	/* 1..2048; 0 means 1 */
	__u32 vp_index;		/* HVTB_HV_EVENT_SYNIC: the target VP */
	__u32 sint;		/* HVTB_HV_EVENT_SYNIC: its SINT, 0..15 */
	__u64 reserved;		/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_hv_event) == 32, "layout");

#define HVTB_PARTITION_SET_HV_EVENT	_IOW(HVTBIO, HVTB_NR_PARTITION_SET_HV_EVENT, struct hvtb_hv_event)

/* HVTB_VP_GET_HV_STATS - a VP's hypercall counters (VP fd). */
struct hvtb_hv_vp_stats {
	__u64 hypercalls;	/* every VMCALL handled as a TLFS hypercall */
	__u64 failed;		/* of which returned a status other than 0 */
	__u64 slow;		/* of which needed guest memory */
	__u64 post_message;	/* HvPostMessage that queued a message */
	__u64 signal_event;	/* HvSignalEvent that signalled an eventfd */
	__u64 long_spin_wait;	/* HvNotifyLongSpinWait */
	__u64 forwarded;	/* unknown codes sent to user space */
	__u64 page_write_failed; /* hypercall/TSC page GPA not writable */
	__u64 synic_delivered;	/* messages written into the SIMP page */
	__u64 synic_slot_busy;	/* deliveries that found the slot busy */
	__u64 synic_page_failed; /* SIMP/SIEFP GPA not mapped (writable) */
	__u64 stimer_expired;	/* synthetic timer expirations */
	__u64 stimer_missed;	/* expirations coalesced (message still queued) */
	__u64 tsc_page_invalid;	/* TSC page writes left invalid: VPs' TSCs differ */
	__u64 reserved[10];	/* 0: room for counters to come */
};
hvtb_static_assert(sizeof(struct hvtb_hv_vp_stats) == 192, "layout");

#define HVTB_VP_GET_HV_STATS	_IOR(HVTBIO, HVTB_NR_VP_GET_HV_STATS, struct hvtb_hv_vp_stats)

/*
 * SynIC (HVTB_EXT_HYPERV, partitions granting the SynIC MSRs, EAX bit 2):
 * the host side posts messages and sets event flags for a VP's synthetic
 * interrupt source (SINT 0..15). This is what a VMBus host uses.
 *
 * HVTB_PARTITION_POST_HV_MESSAGE (partition fd) queues a message for (@vp_index,
 * @sint). The VP writes it into its SIMP page slot of @sint (struct
 * hv_message of the TLFS: type, payload size, flags, sender, payload) once
 * SCONTROL and SIMP are enabled, the SINT is unmasked and the slot is free
 * (message type 0); a busy slot gets its "message pending" flag set and the
 * message stays queued until the guest writes the EOM MSR. Each delivery
 * raises the SINT's vector in the VP's local APIC (HVTB_PARTITION_LAPIC;
 * without it the guest can only poll). At most HVTB_HV_SINT_QUEUE_DEPTH
 * messages wait per (VP, SINT): -EAGAIN when full. -EINVAL: @sint > 15,
 * @message_type 0, @payload_size > 240, non-zero @flags/@pad/@reserved;
 * -ENOENT: no such VP; -ENODEV: the partition does not grant the SynIC.
 * Types with bit 31 set are hypervisor messages (e.g. 0x80000010, timer
 * expired): user space may post them too (for save/restore).
 */
#define HVTB_HV_SINT_COUNT		16
#define HVTB_HV_SINT_QUEUE_DEPTH	16

struct hvtb_hv_post {
	__u32 vp_index;
	__u32 sint;
	__u32 message_type;	/* != 0 */
	__u32 payload_size;	/* 0..240 */
	__u32 flags;		/* must be 0 */
	__u32 pad;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
	__u8 payload[HVTB_HV_MESSAGE_PAYLOAD];
};
hvtb_static_assert(sizeof(struct hvtb_hv_post) == 280, "layout");

#define HVTB_PARTITION_POST_HV_MESSAGE	_IOW(HVTBIO, HVTB_NR_PARTITION_POST_HV_MESSAGE, struct hvtb_hv_post)

/*
 * HVTB_PARTITION_SIGNAL_HV_FLAG (partition fd) sets event flag @flag (0..2047) of
 * @sint in the VP's SIEFP page (atomically: the guest may run) and, if the
 * flag was clear, raises the SINT's vector (at once, or when the guest
 * unmasks the SINT). Return: 0 if the flag was newly set, 1 if it was set
 * already (no interrupt). -ENXIO: SCONTROL or SIEFP not enabled by the
 * guest, or the SIEFP page is not mapped writable (nothing is set);
 * -EINVAL, -ENOENT, -ENODEV as for HVTB_PARTITION_POST_HV_MESSAGE.
 *
 * This is the host -> guest direction. Guest -> host is HvSignalEvent,
 * which signals the eventfd registered with HVTB_PARTITION_SET_HV_EVENT.
 */
#define HVTB_HV_SIEF_FLAGS	2048

struct hvtb_hv_flag {
	__u32 vp_index;
	__u32 sint;
	__u32 flag;
	__u32 flags;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_hv_flag) == 32, "layout");

#define HVTB_PARTITION_SIGNAL_HV_FLAG	_IOW(HVTBIO, HVTB_NR_PARTITION_SIGNAL_HV_FLAG, struct hvtb_hv_flag)

/*
 * HVTB_VP_GET_SYNIC / HVTB_VP_SET_SYNIC (VP fd): a VP's SynIC and
 * synthetic timer state, for save and restore. @stimer_expiration is the
 * reference time of an armed timer's next expiry (0: not armed); SET
 * re-arms each enabled timer at that time (a time already past fires at
 * once) or, if 0, from its count as a guest write would. @event_pending:
 * SINTs that got an event flag while masked (raised when unmasked).
 * @queued (GET only, ignored by SET): SINTs whose kernel queue holds
 * messages; the messages themselves are saved with
 * HVTB_VP_GET_SYNIC_QUEUE. -ENODEV without
 * the SynIC privilege; -EINVAL for reserved bits of the MSR values (as a
 * guest write), non-zero @flags or @reserved.
 */
struct hvtb_synic_state {
	__u64 scontrol;
	__u64 siefp;
	__u64 simp;
	__u64 sint[HVTB_HV_SINT_COUNT];
	__u64 stimer_config[4];
	__u64 stimer_count[4];
	__u64 stimer_expiration[4];
	__u32 flags;		/* must be 0 */
	__u16 event_pending;
	__u16 queued;
	__u64 reserved[7];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_synic_state) == 312, "layout");

#define HVTB_VP_GET_SYNIC	_IOR(HVTBIO, HVTB_NR_VP_GET_SYNIC, struct hvtb_synic_state)
#define HVTB_VP_SET_SYNIC	_IOW(HVTBIO, HVTB_NR_VP_SET_SYNIC, struct hvtb_synic_state)

/*
 * HVTB_PARTITION_GET_REFERENCE_TIME / HVTB_PARTITION_SET_REFERENCE_TIME (partition fd,
 * HVTB_EXT_HYPERV): the partition reference counter (TIME_REF_COUNT, the
 * reference TSC page and the synthetic timers count in it), in 100 ns
 * units; it starts at 0 when the partition is created. GET reads it now.
 * SET makes it read @time now and count on from there, so a restored
 * partition continues the saved clock; only before the partition's first
 * VP exists (-EBUSY after). @reserved must be 0 (-EINVAL).
 */
struct hvtb_hv_reference_time {
	__u64 time;
	__u64 reserved[3];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_hv_reference_time) == 32, "layout");

#define HVTB_PARTITION_GET_REFERENCE_TIME	_IOR(HVTBIO, HVTB_NR_PARTITION_GET_REFERENCE_TIME, struct hvtb_hv_reference_time)
#define HVTB_PARTITION_SET_REFERENCE_TIME	_IOW(HVTBIO, HVTB_NR_PARTITION_SET_REFERENCE_TIME, struct hvtb_hv_reference_time)

/*
 * HVTB_VP_GET_SYNIC_QUEUE / HVTB_VP_SET_SYNIC_QUEUE (VP fd): the messages
 * waiting in a VP's SINT queues (posted, or timer expiries, not yet written
 * into the SIMP page), for save and restore beside HVTB_VP_GET_SYNIC.
 * @entries points to an array of struct hvtb_synic_queue_entry.
 *
 * GET writes every waiting message into @entries, SINT by SINT and each
 * SINT's oldest first, and sets @count. If @capacity is smaller than that
 * it returns -E2BIG with @count set to the number needed (nothing written
 * to @entries); at most HVTB_HV_SINT_COUNT * HVTB_HV_SINT_QUEUE_DEPTH.
 *
 * SET replaces every queue of the VP with the @count entries read from
 * @entries (@capacity is not used; a SINT not named ends up empty); each
 * SINT keeps the order of its entries. The VP then delivers them as if
 * just posted (SynIC, SIMP and the SINT enabled). Each entry must have
 * @sint 0..15, @pad 0, @message_type not 0, @payload_size 0..240,
 * @message_flags and @reserved 0: else -EINVAL. More than
 * HVTB_HV_SINT_QUEUE_DEPTH entries for one SINT: -ENOSPC. Nothing changes
 * on an error.
 *
 * Both: -EINVAL for non-zero @flags, @pad or @reserved; -EFAULT for a bad
 * @entries; -ENODEV without the SynIC privilege.
 */
struct hvtb_synic_message {	/* the TLFS struct hv_message */
	__u32 message_type;	/* != 0 */
	__u8 payload_size;	/* 0..240 */
	__u8 message_flags;	/* 0: "pending" is set by the delivery */
	__u16 reserved;		/* must be 0 */
	__u64 sender;		/* port id, passed as is */
	__u8 payload[HVTB_HV_MESSAGE_PAYLOAD];
};
hvtb_static_assert(sizeof(struct hvtb_synic_message) == 256, "layout");

struct hvtb_synic_queue_entry {
	__u32 sint;		/* 0..15 */
	__u32 pad;		/* must be 0 */
	struct hvtb_synic_message message;
};
hvtb_static_assert(sizeof(struct hvtb_synic_queue_entry) == 264, "layout");

struct hvtb_synic_queues {
	__u64 entries;		/* user pointer: struct hvtb_synic_queue_entry[] */
	__u32 count;		/* GET: out; SET: in */
	__u32 capacity;		/* GET: entries room */
	__u32 flags;		/* must be 0 */
	__u32 pad;		/* must be 0 */
	__u64 reserved[4];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_synic_queues) == 56, "layout");

#define HVTB_VP_GET_SYNIC_QUEUE	_IOWR(HVTBIO, HVTB_NR_VP_GET_SYNIC_QUEUE, struct hvtb_synic_queues)
#define HVTB_VP_SET_SYNIC_QUEUE	_IOW(HVTBIO, HVTB_NR_VP_SET_SYNIC_QUEUE, struct hvtb_synic_queues)

#endif /* _UAPI_LINUX_HVTB_HV_H */
