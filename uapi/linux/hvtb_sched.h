/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvtb uapi: hvtb's vCPU scheduler (HVTB_EXT_SCHED): VP and
 * partition policies, the scheduler's host CPUs.
 * The ioctl numbers are in the table of <linux/hvtb.h>.
 */
#ifndef _UAPI_LINUX_HVTB_SCHED_H
#define _UAPI_LINUX_HVTB_SCHED_H

#include <linux/hvtb.h>

/*
 * Scheduling policy of a VP on hvtb's scheduler, in the manner of Hyper-V's
 * classic scheduler. Caps and reserves are in basis points of one host CPU
 * per accounting period (100 ms; 10000 = a whole CPU); within them VPs
 * share a CPU in proportion to their weights.
 *
 * SET: @weight 1..10000 (default 100); @cap_bp 0 (none) or 1..10000;
 * @reserve_bp 0 (none) or up to @cap_bp when capped; @affinity the host
 * CPUs the VP may run on (all zero: any of hvtb's scheduler CPUs), at
 * least one of them a scheduler CPU; @flags, @cpu, @pad, @reserved 0.
 * Bad values are -EINVAL; a reserve that no allowed CPU has room for (the
 * reserves on a CPU never add up to more than the CPU) is -ENOSPC. The VP
 * moves to an allowed CPU before its next run. -EINVAL too for a VP of an
 * HVTB_PARTITION_ROOT_SCHED partition.
 * GET: the policy, and in @cpu the host CPU the VP is assigned to, or
 * 0xffffffff when it has none yet.
 */
struct hvtb_vp_sched {
	__u32 weight;
	__u32 cap_bp;
	__u32 reserve_bp;
	__u32 flags;		/* must be 0 */
	__u64 affinity[HVTB_CPU_MASK_WORDS];
	__u32 cpu;		/* GET only */
	__u32 pad;		/* must be 0 */
	__u64 reserved[4];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_vp_sched) == 88, "layout");

#define HVTB_SCHED_WEIGHT_MIN		1
#define HVTB_SCHED_WEIGHT_MAX		10000
#define HVTB_SCHED_WEIGHT_DEFAULT	100
#define HVTB_SCHED_BP_ONE_CPU		10000	/* basis points of one CPU */
#define HVTB_VP_SET_SCHED	_IOW(HVTBIO, HVTB_NR_VP_SET_SCHED, struct hvtb_vp_sched)
#define HVTB_VP_GET_SCHED	_IOR(HVTBIO, HVTB_NR_VP_GET_SCHED, struct hvtb_vp_sched)

/*
 * HVTB_PARTITION_SET_SCHED / HVTB_PARTITION_GET_SCHED (on a partition fd) -
 * the policy every VP created afterwards starts with, as if
 * HVTB_VP_SET_SCHED had given it (same values, same -EINVAL; @cpu 0 on
 * SET). A VP whose default reserve no allowed CPU has room for is not
 * created: HVTB_PARTITION_CREATE_VP fails with -ENOSPC. VPs that exist keep their
 * policy. The initial default is weight HVTB_SCHED_WEIGHT_DEFAULT, no cap,
 * no reserve, any scheduler CPU. -EINVAL for an HVTB_PARTITION_ROOT_SCHED
 * partition.
 */
#define HVTB_PARTITION_SET_SCHED	_IOW(HVTBIO, HVTB_NR_PARTITION_SET_SCHED, struct hvtb_vp_sched)
#define HVTB_PARTITION_GET_SCHED	_IOR(HVTBIO, HVTB_NR_PARTITION_GET_SCHED, struct hvtb_vp_sched)

/*
 * HVTB_SET_SCHED_CPUS / HVTB_GET_SCHED_CPUS (on /dev/hvtb) - the host CPUs
 * of hvtb's scheduler, for all partitions (the module parameter sched_cpus
 * sets the initial set; the default is every CPU).
 *
 * SET needs CAP_SYS_NICE (-EPERM). @mask names CPUs below the number of
 * possible CPUs, at least one of them online in VMX root (-EINVAL
 * otherwise); @reserved must be 0. VPs assigned to a CPU leaving the set
 * move to another scheduler CPU allowed by their affinity (or to any, when
 * their affinity names no CPU left); a VP running there moves at the end
 * of its slice. -EBUSY, and nothing changes, when a VP with a reserve is
 * assigned to a CPU leaving the set: change its policy first. CPUs joining
 * the set take new placements; VPs already placed stay where they are.
 * GET: the current set.
 */
struct hvtb_sched_cpus {
	__u64 mask[HVTB_CPU_MASK_WORDS];
	__u64 reserved[4];	/* must be 0 */
};
hvtb_static_assert(sizeof(struct hvtb_sched_cpus) == 64, "layout");
#define HVTB_SET_SCHED_CPUS	_IOW(HVTBIO, HVTB_NR_SET_SCHED_CPUS, struct hvtb_sched_cpus)
#define HVTB_GET_SCHED_CPUS	_IOR(HVTBIO, HVTB_NR_GET_SCHED_CPUS, struct hvtb_sched_cpus)

#endif /* _UAPI_LINUX_HVTB_SCHED_H */
