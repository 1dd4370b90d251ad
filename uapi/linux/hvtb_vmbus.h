/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvtb - the VMBus host of a partition (kmod/vmbus/): partition-fd ioctls.
 *
 * The module serves the VMBus channel-management connection of a Linux
 * guest: INITIATE_CONTACT -> VERSION_RESPONSE for versions 2.4 (0x20004),
 * 3.0, 4.0, 4.1, 5.0, 5.1, 5.2 and 5.3 (0x50003), up to max_version;
 * REQUESTOFFERS -> ALLOFFERS_DELIVERED; UNLOAD -> UNLOAD_RESPONSE.
 * Guest messages arrive by HvPostMessage on connection id 4 (INITIATE_CONTACT
 * of versions >= 5.0) and 1 (everything else; VERSION_RESPONSE.msg_conn_id
 * is 1), owned by the kernel once VMBus is enabled. Replies go to the SIMP
 * slot of the message SINT (2 below 5.0, INITIATE_CONTACT.msg_sint from 5.0)
 * of VP INITIATE_CONTACT.target_vcpu. A malformed or out-of-state guest
 * message is dropped and counted (struct hvtb_vmbus_stats).
 *
 * Ioctl numbers 0x60..0x6f of HVTBIO are VMBus's.
 */
#ifndef _UAPI_LINUX_HVTB_VMBUS_H
#define _UAPI_LINUX_HVTB_VMBUS_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/hvtb.h>

/* VMBus protocol versions (major << 16 | minor). */
#define HVTB_VMBUS_VERSION_2_4	0x00020004
#define HVTB_VMBUS_VERSION_3_0	0x00030000
#define HVTB_VMBUS_VERSION_4_0	0x00040000
#define HVTB_VMBUS_VERSION_4_1	0x00040001
#define HVTB_VMBUS_VERSION_5_0	0x00050000
#define HVTB_VMBUS_VERSION_5_1	0x00050001
#define HVTB_VMBUS_VERSION_5_2	0x00050002
#define HVTB_VMBUS_VERSION_5_3	0x00050003

/* The message connection ids the host owns, and the message type it posts. */
#define HVTB_VMBUS_MESSAGE_CONNECTION_ID	1
#define HVTB_VMBUS_MESSAGE_CONNECTION_ID_4	4
#define HVTB_VMBUS_MESSAGE_TYPE			1

/*
 * HVTB_VMBUS_ENABLE - serve VMBus in this partition (partition fd).
 * @flags: 0.
 * @max_version: the newest version served, one of HVTB_VMBUS_VERSION_*;
 *	0 for 5.3. Newer proposals are refused (version_supported = 0).
 * Errors: -EINVAL (flags, pad, reserved, max_version), -EBUSY (already
 * enabled), -EEXIST (a port fd owns connection id 1 or 4), -ENOMEM.
 * Lasts until the partition is destroyed.
 */
struct hvtb_vmbus_config {
	__u32 flags;
	__u32 max_version;
	__u64 reserved[3];
};

#define HVTB_VMBUS_ENABLE	_IOW(HVTBIO, HVTB_NR_VMBUS_ENABLE, struct hvtb_vmbus_config)

/* struct hvtb_vmbus_stats.state */
#define HVTB_VMBUS_STATE_DISCONNECTED	0	/* before INITIATE_CONTACT, after UNLOAD */
#define HVTB_VMBUS_STATE_CONNECTED	1	/* a version was accepted */

/*
 * HVTB_VMBUS_GET_STATS - the VMBus host's state and counters (partition
 * fd); -ENODEV before HVTB_VMBUS_ENABLE.
 * @state: HVTB_VMBUS_STATE_*.
 * @version: the negotiated version, 0 while disconnected.
 * @target_vp: the VP replies go to; @message_sint: its SINT.
 * @messages: guest messages handled (accepted and answered or acted on).
 * @initiate_contact, @version_refused: INITIATE_CONTACTs, of which
 *	answered with version_supported = 0 (version not served, bad target
 *	VP or SINT, monitor/interrupt pages not mapped writable).
 * @request_offers, @unload: REQUESTOFFERS and UNLOAD handled.
 * @dropped_short: shorter than the message type's minimum size.
 * @dropped_unknown: a message type a guest never sends (host-to-guest or
 *	unknown types, message types other than 1).
 * @dropped_state: not valid in the connection's state (REQUESTOFFERS
 *	before INITIATE_CONTACT, INITIATE_CONTACT while connected, channel
 *	messages: no channel exists yet).
 * @dropped_connection: on connection id 4 but not an INITIATE_CONTACT of
 *	a version >= 5.0.
 * @post_failed: replies the SynIC did not take (queue full, no such VP).
 * @view_pages: guest pages the host keeps mapped (the monitor pages and,
 *	below 5.0, the interrupt page): their EPT range cannot be unmapped
 *	(HVTB_PARTITION_UNMAP_GPA fails with -EBUSY) until UNLOAD.
 */
struct hvtb_vmbus_stats {
	__u32 state;
	__u32 version;
	__u32 target_vp;
	__u32 message_sint;
	__u64 messages;
	__u64 initiate_contact;
	__u64 version_refused;
	__u64 request_offers;
	__u64 unload;
	__u64 dropped_short;
	__u64 dropped_unknown;
	__u64 dropped_state;
	__u64 dropped_connection;
	__u64 post_failed;
	__u64 view_pages;
	__u64 reserved[8];
};

#define HVTB_VMBUS_GET_STATS	_IOR(HVTBIO, HVTB_NR_VMBUS_GET_STATS, struct hvtb_vmbus_stats)

#ifdef __KERNEL__
#define hvtb_vmbus_static_assert static_assert
#else
#define hvtb_vmbus_static_assert _Static_assert
#endif
hvtb_vmbus_static_assert(sizeof(struct hvtb_vmbus_config) == 32, "layout");
hvtb_vmbus_static_assert(sizeof(struct hvtb_vmbus_stats) == 168, "layout");

#endif /* _UAPI_LINUX_HVTB_VMBUS_H */
