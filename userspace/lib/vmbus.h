/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvtb - the in-kernel VMBus host of a partition (uapi/linux/hvtb_vmbus.h).
 * Every function returns -errno on failure.
 */
#ifndef LIBHVTB_VMBUS_H
#define LIBHVTB_VMBUS_H

#include <linux/hvtb_vmbus.h>

/* HVTB_VMBUS_ENABLE; @max_version 0 serves up to 5.3. */
int hvtb_vmbus_enable(int partfd, __u32 max_version);
/* HVTB_VMBUS_GET_STATS; -ENODEV before hvtb_vmbus_enable(). */
int hvtb_vmbus_get_stats(int partfd, struct hvtb_vmbus_stats *s);

#endif /* LIBHVTB_VMBUS_H */
