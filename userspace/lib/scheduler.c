// SPDX-License-Identifier: GPL-2.0
/*
 * libhvtb - hvtb's vCPU scheduler (<linux/hvtb_sched.h>).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "scheduler.h"

int hvtb_sched_cpus(int fd, __u64 *mask, int set)
{
	struct hvtb_sched_cpus c;

	memset(&c, 0, sizeof(c));
	if (set)
		memcpy(c.mask, mask, sizeof(c.mask));
	if (ioctl(fd, set ? HVTB_SET_SCHED_CPUS : HVTB_GET_SCHED_CPUS, &c) < 0)
		return -errno;
	memcpy(mask, c.mask, sizeof(c.mask));
	return 0;
}
