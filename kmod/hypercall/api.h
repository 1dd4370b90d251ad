/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - the SynIC and connection-id API for the rooms above
 * kmod/hypercall/ (kmod/vmbus/): what a VMBus host needs from the
 * hypervisor side.
 *
 * Host -> guest:
 *  - hvtb_synic_post() queues a message for a VP's SINT, with the queue and
 *    EOM rules of kmod/hypercall/synic.c (HVTB_PARTITION_POST_HV_MESSAGE uses it too).
 *  - hvtb_synic_signal_async() sets an event flag and raises its SINT from
 *    any context without a sleeping lock; hvtb_synic_signal() does the same
 *    at once, in process context.
 * Guest -> host:
 *  - a connection id is owned by a port fd (HVTB_PARTITION_CREATE_HV_PORT), an
 *    eventfd (HVTB_PARTITION_SET_HV_EVENT) or an in-kernel handler registered here;
 *    HvPostMessage and HvSignalEvent dispatch through that registry.
 * Guest memory the host keeps mapped (rings) comes from the page views of
 * kmod/ept/ept.h (hvtb_ept_view_create()).
 *
 * Lock order: the registry's mutex (hv->ports_lock) is held while a message
 * callback runs; a callback may take its own locks, then the EPT lock or a
 * VP's synic_lock (through the functions here), never the registry again.
 */
#ifndef HVTB_HYPERCALL_API_H
#define HVTB_HYPERCALL_API_H

#include <linux/types.h>

struct hvtb_partition;
struct hvtb_vp;
struct hvtb_hv_conn;

/* struct hvtb_hv_conn.kind */
#define HVTB_HV_CONN_MESSAGE	1	/* HvPostMessage */
#define HVTB_HV_CONN_EVENT	2	/* HvSignalEvent */

/**
 * struct hvtb_hv_conn_ops - an in-kernel connection's callbacks.
 * @message: HvPostMessage to a message connection: @size (<= 240) bytes
 *	of @payload, message type @type (non-zero, bit 31 clear), from @vp.
 *	Process context, the sender's run path; may sleep; the registry's
 *	mutex is held. Return: the HV_STATUS_* the guest gets (0 success,
 *	HV_STATUS_INSUFFICIENT_BUFFERS 19 to make a Linux guest retry).
 * @event: HvSignalEvent to an event connection, flag number @flag
 *	(below the connection's flag_count). Any context, preemption may be
 *	off, under rcu_read_lock(): must not sleep. Return: HV_STATUS_*.
 * @release: the partition is being destroyed while the connection is
 *	still registered (no VP exists any more); the owner may free it.
 *	Process context. May be NULL.
 */
struct hvtb_hv_conn_ops {
	u16 (*message)(struct hvtb_hv_conn *c, struct hvtb_vp *vp, u32 type,
		       const void *payload, u32 size);
	u16 (*event)(struct hvtb_hv_conn *c, struct hvtb_vp *vp, u16 flag);
	void (*release)(struct hvtb_hv_conn *c);
};

/**
 * struct hvtb_hv_conn - a connection id owned by kernel code; embedded in
 * the owner's object (container_of() in the callbacks).
 * @ops: the callbacks
 * @id: the connection id, 0..0xffffff
 * @kind: HVTB_HV_CONN_MESSAGE or HVTB_HV_CONN_EVENT
 * @flag_count: an event connection's flag numbers, 0..2048 (0 means 1)
 */
struct hvtb_hv_conn {
	const struct hvtb_hv_conn_ops *ops;
	u32 id;
	u32 kind;
	u32 flag_count;
};

/* kmod/hypercall/hv.c */
int hvtb_hv_conn_register(struct hvtb_partition *part, struct hvtb_hv_conn *c);
void hvtb_hv_conn_unregister(struct hvtb_partition *part,
			     struct hvtb_hv_conn *c);

/* kmod/hypercall/synic.c */
int hvtb_synic_post(struct hvtb_partition *part, u32 vp_index, u32 sint,
		    u32 type, const void *payload, u32 size);
int hvtb_synic_signal(struct hvtb_partition *part, u32 vp_index, u32 sint,
		      u32 flag);
int hvtb_synic_signal_async(struct hvtb_partition *part, u32 vp_index,
			    u32 sint, u32 flag);

#endif /* HVTB_HYPERCALL_API_H */
