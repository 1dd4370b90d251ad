// SPDX-License-Identifier: GPL-2.0
/*
 * libhvtb - the in-kernel VMBus host: enable, counters.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "vmbus.h"

int hvtb_vmbus_enable(int partfd, __u32 max_version)
{
	struct hvtb_vmbus_config c = { .max_version = max_version };

	return ioctl(partfd, HVTB_VMBUS_ENABLE, &c) < 0 ? -errno : 0;
}

int hvtb_vmbus_get_stats(int partfd, struct hvtb_vmbus_stats *s)
{
	return ioctl(partfd, HVTB_VMBUS_GET_STATS, s) < 0 ? -errno : 0;
}
