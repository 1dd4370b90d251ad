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

/*
 * Channels of a VSP daemon. HVTB_VMBUS_OFFER_CHANNEL: @o in (GUIDs, flags),
 * out (relid, connection id); returns the channel fd or -errno.
 */
int hvtb_vmbus_offer_channel(int partfd, struct hvtb_vmbus_offer *o);
/* HVTB_VMBUS_CHANNEL_SET_EVENTFD: guest signals to @efd (-1: none). */
int hvtb_vmbus_channel_set_eventfd(int chfd, int efd);
/* HVTB_VMBUS_CHANNEL_SIGNAL: interrupt the guest for the channel. */
int hvtb_vmbus_channel_signal(int chfd);
/* HVTB_VMBUS_CHANNEL_GET_INFO */
int hvtb_vmbus_channel_get_info(int chfd, struct hvtb_vmbus_channel_info *i);
/* HVTB_VMBUS_CHANNEL_RESCIND */
int hvtb_vmbus_channel_rescind(int chfd);
/*
 * One event record: 0, -EAGAIN (O_NONBLOCK fd, none queued), -ENODEV (end
 * of file: the channel was released and its queue is empty), -errno.
 */
int hvtb_vmbus_channel_read_event(int chfd, struct hvtb_vmbus_event *ev);

#endif /* LIBHVTB_VMBUS_H */
