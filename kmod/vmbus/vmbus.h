/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - the VMBus host (kmod/vmbus/): its entry from the partition fd.
 * Everything else it reaches through the hypercall/ connection registry
 * (kmod/hypercall/api.h) and the EPT page views (kmod/ept/ept.h).
 */
#ifndef HVTB_VMBUS_VMBUS_H
#define HVTB_VMBUS_VMBUS_H

#include <linux/compiler_types.h>

struct hvtb_partition;


long hvtb_vmbus_partition_ioctl(struct hvtb_partition *part, unsigned int cmd,
				void __user *uarg);

#endif /* HVTB_VMBUS_VMBUS_H */
