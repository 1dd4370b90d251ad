/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvtb - hvtb's vCPU scheduler (<linux/hvtb_sched.h>). Every function
 * returns -errno on failure.
 */
#ifndef LIBHVTB_SCHED_H
#define LIBHVTB_SCHED_H

#include <linux/hvtb_sched.h>

/**
 * hvtb_sched_cpus() - read or change the host CPUs of hvtb's scheduler.
 * @fd: an open /dev/hvtb.
 * @mask: HVTB_CPU_MASK_WORDS words: the new set (@set), or filled with
 *        the current one.
 * @set: change (1, needs CAP_SYS_NICE) or read (0).
 *
 * Return: 0, or -errno (-EINVAL no usable CPU, -EBUSY a VP with a reserve
 * on a CPU leaving the set, -EPERM).
 */
int hvtb_sched_cpus(int fd, __u64 *mask, int set);

#endif /* LIBHVTB_SCHED_H */
