// SPDX-License-Identifier: GPL-2.0
/*
 * libhvtb - Hyper-V enlightenments: config, message ports, events.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hyperv.h"

static int ret_errno(long r)
{
	return r < 0 ? -errno : (int)r;
}

int hvtb_set_hyperv(int partfd, const struct hvtb_hyperv_config *cfg)
{
	return ret_errno(ioctl(partfd, HVTB_PARTITION_SET_HYPERV, cfg));
}

int hvtb_hv_create_port(int partfd, __u32 connection_id, __u32 depth)
{
	struct hvtb_hv_port_config c = {
		.connection_id = connection_id, .depth = depth,
	};

	return ret_errno(ioctl(partfd, HVTB_PARTITION_CREATE_HV_PORT, &c));
}

int hvtb_hv_read_message(int portfd, struct hvtb_hv_message *m)
{
	ssize_t n = read(portfd, m, sizeof(*m));

	if (n < 0)
		return -errno;
	return n == sizeof(*m) ? 0 : -EIO;
}

int hvtb_hv_set_event(int partfd, __u32 connection_id, int eventfd,
		      __u32 flag_count)
{
	struct hvtb_hv_event e = {
		.connection_id = connection_id, .fd = eventfd,
		.flag_count = flag_count,
	};

	return ret_errno(ioctl(partfd, HVTB_PARTITION_SET_HV_EVENT, &e));
}

int hvtb_hv_clear_event(int partfd, __u32 connection_id)
{
	struct hvtb_hv_event e = {
		.connection_id = connection_id, .flags = HVTB_HV_EVENT_DEASSIGN,
	};

	return ret_errno(ioctl(partfd, HVTB_PARTITION_SET_HV_EVENT, &e));
}

int hvtb_vp_get_hv_stats(int vpfd, struct hvtb_hv_vp_stats *s)
{
	return ret_errno(ioctl(vpfd, HVTB_VP_GET_HV_STATS, s));
}

int hvtb_hv_post_message(int partfd, __u32 vp_index, __u32 sint, __u32 type,
			 const void *payload, __u32 size)
{
	struct hvtb_hv_post p = {
		.vp_index = vp_index, .sint = sint, .message_type = type,
		.payload_size = size,
	};

	if (size > sizeof(p.payload))
		return -EINVAL;
	memcpy(p.payload, payload, size);
	return ret_errno(ioctl(partfd, HVTB_PARTITION_POST_HV_MESSAGE, &p));
}

int hvtb_hv_signal_flag(int partfd, __u32 vp_index, __u32 sint, __u32 flag)
{
	struct hvtb_hv_flag f = {
		.vp_index = vp_index, .sint = sint, .flag = flag,
	};

	return ret_errno(ioctl(partfd, HVTB_PARTITION_SIGNAL_HV_FLAG, &f));
}

int hvtb_vp_get_synic_queue(int vpfd, struct hvtb_synic_queue_entry *e,
			    __u32 capacity, __u32 *count)
{
	struct hvtb_synic_queues q = {
		.entries = (__u64)(unsigned long)e, .capacity = capacity,
	};
	int r = ret_errno(ioctl(vpfd, HVTB_VP_GET_SYNIC_QUEUE, &q));

	if (!r || r == -E2BIG)
		*count = q.count;
	return r;
}

int hvtb_vp_set_synic_queue(int vpfd, const struct hvtb_synic_queue_entry *e,
			    __u32 count)
{
	struct hvtb_synic_queues q = {
		.entries = (__u64)(unsigned long)e, .count = count,
	};

	return ret_errno(ioctl(vpfd, HVTB_VP_SET_SYNIC_QUEUE, &q));
}
