/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvtb - Hyper-V enlightenments (HVTB_EXT_HYPERV): the config of a
 * partition, message ports and event connections. Every function returns
 * -errno on failure.
 */
#ifndef LIBHVTB_HYPERV_H
#define LIBHVTB_HYPERV_H

#include <linux/hvtb_hv.h>

/* HVTB_PARTITION_SET_HYPERV; zero fields of @cfg take the kernel's defaults. */
int hvtb_set_hyperv(int partfd, const struct hvtb_hyperv_config *cfg);
/* HVTB_PARTITION_CREATE_HV_PORT: a new port fd for @connection_id (depth 0: 64). */
int hvtb_hv_create_port(int partfd, __u32 connection_id, __u32 depth);
/*
 * Read one message from a port fd into @m. Return: 0, -EAGAIN (O_NONBLOCK,
 * none queued) or -errno.
 */
int hvtb_hv_read_message(int portfd, struct hvtb_hv_message *m);
/* HVTB_PARTITION_SET_HV_EVENT: HvSignalEvent on @connection_id signals @eventfd. */
int hvtb_hv_set_event(int partfd, __u32 connection_id, int eventfd,
		      __u32 flag_count);
/* Remove the event connection @connection_id. */
int hvtb_hv_clear_event(int partfd, __u32 connection_id);
/*
 * HVTB_PARTITION_POST_HV_MESSAGE: queue a message for the SINT of a VP (the guest's
 * SIMP page). Return: 0, -EAGAIN (queue full) or -errno.
 */
int hvtb_hv_post_message(int partfd, __u32 vp_index, __u32 sint, __u32 type,
			 const void *payload, __u32 size);
/*
 * HVTB_PARTITION_SIGNAL_HV_FLAG: set an event flag of a VP's SINT (SIEFP page).
 * Return: 0 (newly set, SINT raised), 1 (was set) or -errno.
 */
int hvtb_hv_signal_flag(int partfd, __u32 vp_index, __u32 sint, __u32 flag);
/* HVTB_VP_GET_HV_STATS */
int hvtb_vp_get_hv_stats(int vpfd, struct hvtb_hv_vp_stats *s);
/*
 * HVTB_VP_GET_SYNIC_QUEUE: the VP's waiting SynIC messages into @e (room
 * for @capacity), their number in *@count. Return: 0, -E2BIG (*@count is
 * the room needed) or -errno.
 */
int hvtb_vp_get_synic_queue(int vpfd, struct hvtb_synic_queue_entry *e,
			    __u32 capacity, __u32 *count);
/* HVTB_VP_SET_SYNIC_QUEUE: replace the VP's SynIC queues with @count entries. */
int hvtb_vp_set_synic_queue(int vpfd, const struct hvtb_synic_queue_entry *e,
			    __u32 count);

#endif /* LIBHVTB_HYPERV_H */
