/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvtb uapi: the in-kernel local APIC (HVTB_EXT_LAPIC): APIC state,
 * user-space interrupts, irqfd.
 * The ioctl numbers are in the table of <linux/hvtb.h>.
 */
#ifndef _UAPI_LINUX_HVTB_APIC_H
#define _UAPI_LINUX_HVTB_APIC_H

#include <linux/hvtb.h>

/*
 * Local APIC (partitions created with HVTB_PARTITION_LAPIC; else -ENODEV)
 */

/* struct hvtb_lapic_state.flags */
#define HVTB_LAPIC_NMI_PENDING	_BITULL(0)	/* an NMI waits for injection */
#define HVTB_LAPIC_STATE_FLAGS	HVTB_LAPIC_NMI_PENDING

/*
 * The state of a VP's local APIC, for save and restore.
 * @regs: the 1 KiB xAPIC register page, register at byte offset N in
 * regs[N / 4] (ID at 0x20 holds the ID in bits 31:24 in xAPIC mode and the
 * full 32-bit ID in x2APIC mode; ICR high at 0x310). The timer current count
 * (0x390) is the count at the time of the GET; a SET restarts a one-shot or
 * periodic timer from it. PPR (0xa0) is derived and ignored by SET.
 * @apic_base: IA32_APIC_BASE (also in struct hvtb_sregs).
 * @tsc_deadline: IA32_TSC_DEADLINE in guest TSC units, 0 when disarmed.
 * SET: reserved, pad, unknown flags must be 0 and @apic_base must be a
 * valid IA32_APIC_BASE value (-EINVAL).
 */
struct hvtb_lapic_state {
	__u32 regs[256];
	__u64 apic_base;
	__u64 tsc_deadline;
	__u32 flags;		/* HVTB_LAPIC_* */
	__u32 pad;		/* must be 0 */
	__u64 reserved[4];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_lapic_state) == 1024 + 56, "layout");

#define HVTB_VP_GET_LAPIC	_IOR(HVTBIO, HVTB_NR_VP_GET_LAPIC, struct hvtb_lapic_state)
#define HVTB_VP_SET_LAPIC	_IOW(HVTBIO, HVTB_NR_VP_SET_LAPIC, struct hvtb_lapic_state)

/* struct hvtb_interrupt.flags */
#define HVTB_INTERRUPT_NMI	_BITULL(0)	/* deliver an NMI (@vector must be 0) */
#define HVTB_INTERRUPT_FLAGS	HVTB_INTERRUPT_NMI

/*
 * HVTB_PARTITION_ASSERT_INTERRUPT (partition fd) - a fixed, edge-triggered interrupt
 * (or an NMI) for VP @vp_index: sets the vector in its IRR and kicks the VP
 * out of the guest or out of a blocking HLT. -EINVAL: vector below 16 or
 * above 255, unknown flags, non-zero pad/reserved; -ENOENT: no such VP;
 * -ENODEV: partition without HVTB_PARTITION_LAPIC; -ENXIO: the VP's APIC
 * is hardware- or software-disabled (the interrupt is dropped, as the CPU
 * would).
 */
struct hvtb_interrupt {
	__u32 vp_index;
	__u32 vector;		/* 16..255; 0 with HVTB_INTERRUPT_NMI */
	__u32 flags;		/* HVTB_INTERRUPT_* */
	__u32 pad;		/* must be 0 */
	__u64 reserved[2];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_interrupt) == 32, "layout");

#define HVTB_PARTITION_ASSERT_INTERRUPT	_IOW(HVTBIO, HVTB_NR_PARTITION_ASSERT_INTERRUPT, struct hvtb_interrupt)

/* struct hvtb_irqfd.flags */
#define HVTB_IRQFD_DEASSIGN	_BITULL(0)
#define HVTB_IRQFD_FLAGS	HVTB_IRQFD_DEASSIGN

/*
 * HVTB_PARTITION_SET_IRQFD (partition fd) - bind an eventfd to vector @vector of VP
 * @vp_index (which need not exist yet): every signal of the eventfd
 * consumes its counter and delivers the vector as HVTB_PARTITION_ASSERT_INTERRUPT
 * would (dropped while the VP is missing or its APIC disabled). An eventfd
 * signalled before the binding delivers once at binding time. At most 256
 * bindings per partition (-ENOSPC); one per eventfd (-EEXIST).
 * With HVTB_IRQFD_DEASSIGN only @fd counts: the binding ends (-ENOENT if
 * there is none). -EBADF: @fd is not open; -EINVAL: not an eventfd, vector
 * outside 16..255, @vp_index >= max_vps, unknown flags, reserved not 0;
 * -ENODEV: partition without HVTB_PARTITION_LAPIC.
 */
struct hvtb_irqfd {
	__s32 fd;		/* an eventfd */
	__u32 vp_index;
	__u32 vector;
	__u32 flags;		/* HVTB_IRQFD_* */
	__u64 reserved[2];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_irqfd) == 32, "layout");

#define HVTB_PARTITION_SET_IRQFD		_IOW(HVTBIO, HVTB_NR_PARTITION_SET_IRQFD, struct hvtb_irqfd)

#endif /* _UAPI_LINUX_HVTB_APIC_H */
