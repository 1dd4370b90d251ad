// SPDX-License-Identifier: GPL-2.0
/*
 * libhvtb - the in-kernel VMBus host: enable, counters, channels.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

int hvtb_vmbus_offer_channel(int partfd, struct hvtb_vmbus_offer *o)
{
	int fd = ioctl(partfd, HVTB_VMBUS_OFFER_CHANNEL, o);

	return fd < 0 ? -errno : fd;
}

int hvtb_vmbus_channel_set_eventfd(int chfd, int efd)
{
	struct hvtb_vmbus_channel_eventfd e = { .fd = efd };

	return ioctl(chfd, HVTB_VMBUS_CHANNEL_SET_EVENTFD, &e) < 0 ? -errno : 0;
}

int hvtb_vmbus_channel_signal(int chfd)
{
	return ioctl(chfd, HVTB_VMBUS_CHANNEL_SIGNAL) < 0 ? -errno : 0;
}

int hvtb_vmbus_channel_get_info(int chfd, struct hvtb_vmbus_channel_info *i)
{
	return ioctl(chfd, HVTB_VMBUS_CHANNEL_GET_INFO, i) < 0 ? -errno : 0;
}

int hvtb_vmbus_channel_rescind(int chfd)
{
	return ioctl(chfd, HVTB_VMBUS_CHANNEL_RESCIND) < 0 ? -errno : 0;
}

int hvtb_vmbus_channel_read_event(int chfd, struct hvtb_vmbus_event *ev)
{
	ssize_t n = read(chfd, ev, sizeof(*ev));

	if (n < 0)
		return -errno;
	if (n == 0)
		return -ENODEV;
	return n == sizeof(*ev) ? 0 : -EIO;
}
