/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvtb - the VMBus host of a partition (kmod/vmbus/): partition-fd ioctls.
 *
 * The module serves the VMBus channel-management connection of a Linux
 * guest: INITIATE_CONTACT -> VERSION_RESPONSE for versions 2.4 (0x20004),
 * 3.0, 4.0, 4.1, 5.0, 5.1, 5.2 and 5.3 (0x50003), up to max_version;
 * REQUESTOFFERS -> OFFERCHANNEL per channel + ALLOFFERS_DELIVERED;
 * GPADL_HEADER/BODY -> GPADL_CREATED, GPADL_TEARDOWN -> GPADL_TORNDOWN,
 * OPENCHANNEL -> OPENCHANNEL_RESULT, CLOSECHANNEL, RELID_RELEASED after
 * RESCIND_CHANNELOFFER, MODIFYCHANNEL -> _RESPONSE; UNLOAD ->
 * UNLOAD_RESPONSE. Channels are offered by VSP daemons, each through a
 * channel fd (HVTB_VMBUS_OFFER_CHANNEL below).
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
 *	before INITIATE_CONTACT, INITIATE_CONTACT while connected) or in the
 *	named channel's (an unknown relid, OPENCHANNEL of an open channel,
 *	CLOSECHANNEL of a closed one, RELID_RELEASED before the rescind,
 *	GPADL_BODY without a pending GPADL_HEADER, GPADL_TEARDOWN of an
 *	unknown GPADL or one of another channel).
 * @dropped_connection: on connection id 4 but not an INITIATE_CONTACT of
 *	a version >= 5.0.
 * @post_failed: replies the SynIC did not take (queue full, no such VP).
 * @view_pages: guest pages the host keeps mapped (the monitor pages and,
 *	below 5.0, the interrupt page, until UNLOAD; the pages of every
 *	created GPADL, until GPADL_TEARDOWN): their EPT range cannot be
 *	unmapped (HVTB_PARTITION_UNMAP_GPA fails with -EBUSY) meanwhile.
 * @offers, @rescinds: OFFERCHANNEL and RESCIND_CHANNELOFFER sent.
 * @gpadls_created, @gpadls_failed: GPADL_CREATED sent with status 0 and
 *	with a failure (bad geometry, duplicate handle, too many GPADLs or
 *	pages, PFNs outside the partition's writable memory).
 * @gpadls_torndown: GPADL_TORNDOWN sent.
 * @opens, @opens_failed: OPENCHANNEL_RESULT sent with status 0 and with a
 *	failure (unknown GPADL, GPADL of another channel, bad ring split).
 * @channels: channels the host holds a relid for (offered or rescinded
 *	but not yet released); @gpadls: GPADLs created or being assembled.
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
	__u64 offers;
	__u64 rescinds;
	__u64 gpadls_created;
	__u64 gpadls_failed;
	__u64 gpadls_torndown;
	__u64 opens;
	__u64 opens_failed;
	__u32 channels;
	__u32 gpadls;
};

#define HVTB_VMBUS_GET_STATS	_IOR(HVTBIO, HVTB_NR_VMBUS_GET_STATS, struct hvtb_vmbus_stats)

/*
 * ---- Channels (VSP daemons) ----
 *
 * HVTB_VMBUS_OFFER_CHANNEL - offer a channel to the guest (partition fd,
 * after HVTB_VMBUS_ENABLE); returns a channel fd (O_CLOEXEC).
 * @if_type, @if_instance: the interface type and instance GUIDs, as
 *	guid_t bytes (the first three fields little-endian). The pair must
 *	be unique among the partition's live channels (sub-channels are not
 *	offered: sub_channel_index is 0).
 * @chn_flags, @mmio_megabytes, @user_def: copied into OFFERCHANNEL
 *	(user_def holds pipe_mode as a u32 at 0 for pipe channels).
 * @flags: 0.
 * @child_relid (out): the relid the host assigned, 1..2047.
 * @connection_id (out): the guest's HvSignalEvent connection id for the
 *	channel (0x2000 | child_relid), owned by the channel fd.
 * Errors: -ENODEV (VMBus not enabled), -EINVAL (flags, pad, reserved),
 * -EEXIST (the GUID pair is live; or a port/event owns the connection
 * id), -ENOSPC (HVTB_VMBUS_MAX_CHANNELS live channels), -ENOMEM, -EMFILE.
 *
 * The offer is sent at the guest's next REQUESTOFFERS, or at once if the
 * guest is connected and has asked for offers (hot-add). Other fields of
 * OFFERCHANNEL: monitor_allocated 0, is_dedicated_interrupt 1.
 *
 * Closing the channel fd (its last mmap gone too) rescinds the channel:
 * RESCIND_CHANNELOFFER to the guest if it was offered, the relid is reused
 * only after the guest's RELID_RELEASED, UNLOAD, or partition teardown.
 * The fd holds a reference on the partition.
 */
struct hvtb_vmbus_offer {
	__u8 if_type[16];
	__u8 if_instance[16];
	__u16 chn_flags;
	__u16 mmio_megabytes;
	__u32 flags;
	__u8 user_def[120];
	__u32 child_relid;
	__u32 connection_id;
	__u64 reserved[4];
};

#define HVTB_VMBUS_MAX_CHANNELS		256
/* The connection id of a channel's guest -> host signals. */
#define HVTB_VMBUS_CHANNEL_CONNECTION_ID(relid)	(0x2000 | (relid))
/* The guest's limits: GPADLs (created or pending) and their pages in all. */
#define HVTB_VMBUS_MAX_GPADLS		256
#define HVTB_VMBUS_MAX_GPADL_PAGES	65536	/* 256 MiB */

#define HVTB_VMBUS_OFFER_CHANNEL	_IOWR(HVTBIO, HVTB_NR_VMBUS_OFFER_CHANNEL, struct hvtb_vmbus_offer)

/*
 * read() of a channel fd: whole struct hvtb_vmbus_event records (a buffer
 * of fewer than 64 bytes: -EINVAL), oldest first; -EAGAIN with O_NONBLOCK
 * when none is queued, else blocks. poll(): EPOLLIN while one is queued;
 * EPOLLHUP once the channel is released (HVTB_VMBUS_EVENT_RELEASED). Up to
 * HVTB_VMBUS_EVENT_QUEUE records are kept; more are dropped and counted
 * (struct hvtb_vmbus_channel_info.events_lost).
 *
 * @type: HVTB_VMBUS_EVENT_*.
 * @child_relid: the channel's.
 * @gpadl: the GPADL (GPADL_*), the ring GPADL (OPENED).
 * @target_vp: OPENED: the VP the guest wants interrupts on.
 * @pages: GPADL_CREATED, OPENED: the GPADL's pages.
 * @in_ring_size: OPENED: bytes of the guest -> host ring (header page
 *	included), at offset 0 of the ring mapping.
 * @out_ring_offset, @out_ring_size: OPENED: offset and bytes of the
 *	host -> guest ring in the ring mapping.
 */
struct hvtb_vmbus_event {
	__u32 type;
	__u32 child_relid;
	__u32 gpadl;
	__u32 target_vp;
	__u32 pages;
	__u32 in_ring_size;
	__u32 out_ring_offset;
	__u32 out_ring_size;
	__u64 reserved[4];
};

#define HVTB_VMBUS_EVENT_OPENED		1	/* OPENCHANNEL accepted: mmap the ring */
#define HVTB_VMBUS_EVENT_CLOSED		2	/* CLOSECHANNEL or UNLOAD: stop serving */
#define HVTB_VMBUS_EVENT_GPADL_CREATED	3
#define HVTB_VMBUS_EVENT_GPADL_TORNDOWN	4	/* GPADL_TEARDOWN or UNLOAD */
#define HVTB_VMBUS_EVENT_RELEASED	5	/* rescind done: RELID_RELEASED or UNLOAD */
#define HVTB_VMBUS_EVENT_QUEUE		64

/*
 * mmap() of a channel fd (MAP_SHARED, read/write): page offset 0 maps the
 * ring GPADL of the open channel, page offset G (a GPADL handle, not 0)
 * GPADL G of this channel; at most that GPADL's pages, from its first.
 * The ring mapping is [guest -> host ring | host -> guest ring], split
 * where OPENCHANNEL said (HVTB_VMBUS_EVENT_OPENED gives the offsets): point
 * libhvtb's hvtb_ring_init() at offset 0 with in_ring_size and
 * HVTB_RING_HOST_READS, and at out_ring_offset with out_ring_size and
 * HVTB_RING_HOST_WRITES. The mapping shows the guest's pages until munmap,
 * also after CLOSECHANNEL or GPADL_TEARDOWN (the pages are held, never
 * freed under it): unmap on HVTB_VMBUS_EVENT_CLOSED / _GPADL_TORNDOWN.
 * It cannot be split (partial munmap: -EINVAL) nor inherited by fork.
 * Errors: -EINVAL (not MAP_SHARED, too long), -ENXIO (channel not open /
 * no such GPADL of this channel).
 */

/*
 * HVTB_VMBUS_CHANNEL_SET_EVENTFD - guest -> host signals (channel fd): an
 * HvSignalEvent on the channel's connection id signals eventfd @fd; -1
 * stops that. @flags, @pad, @reserved: 0. Errors: -EINVAL, -EBADF.
 */
struct hvtb_vmbus_channel_eventfd {
	__s32 fd;
	__u32 flags;
	__u64 reserved[2];
};

#define HVTB_VMBUS_CHANNEL_SET_EVENTFD	_IOW(HVTBIO, HVTB_NR_VMBUS_CHANNEL_SET_EVENTFD, struct hvtb_vmbus_channel_eventfd)

/*
 * HVTB_VMBUS_CHANNEL_SIGNAL - host -> guest signal (channel fd): set bit
 * child_relid of the message SINT's event flags (SIEFP page) of the
 * channel's target VP and raise that SINT, from any thread without
 * sleeping; the VP gets it before it runs guest code again. Errors:
 * -ENOTCONN (the channel is not open), -ENOENT/-ENXIO (no such VP, its
 * SynIC or SIEFP is off).
 */
#define HVTB_VMBUS_CHANNEL_SIGNAL	_IO(HVTBIO, HVTB_NR_VMBUS_CHANNEL_SIGNAL)

/* struct hvtb_vmbus_channel_info.state */
#define HVTB_VMBUS_CHANNEL_UNOFFERED	0	/* waiting for REQUESTOFFERS */
#define HVTB_VMBUS_CHANNEL_OFFERED	1
#define HVTB_VMBUS_CHANNEL_OPEN		2
#define HVTB_VMBUS_CHANNEL_RESCINDED	3	/* waiting for RELID_RELEASED */
#define HVTB_VMBUS_CHANNEL_RESCINDED_OPEN 4
#define HVTB_VMBUS_CHANNEL_RELEASED	5	/* the relid is gone */

/*
 * HVTB_VMBUS_CHANNEL_GET_INFO - a channel's state (channel fd).
 * @ring_gpadl, @target_vp, @ring_pages, @downstream: of the open channel.
 * @events_lost: records dropped on a full queue.
 * @guest_signals: HvSignalEvents of the guest; @host_signals: signals
 *	HVTB_VMBUS_CHANNEL_SIGNAL delivered.
 */
struct hvtb_vmbus_channel_info {
	__u32 child_relid;
	__u32 connection_id;
	__u32 state;
	__u32 target_vp;
	__u32 ring_gpadl;
	__u32 ring_pages;
	__u32 downstream;
	__u32 gpadls;
	__u64 events_lost;
	__u64 guest_signals;
	__u64 host_signals;
	__u64 reserved[3];
};

#define HVTB_VMBUS_CHANNEL_GET_INFO	_IOR(HVTBIO, HVTB_NR_VMBUS_CHANNEL_GET_INFO, struct hvtb_vmbus_channel_info)

/*
 * HVTB_VMBUS_CHANNEL_RESCIND - rescind the channel but keep the fd
 * (channel fd): RESCIND_CHANNELOFFER now if it was offered; the guest's
 * RELID_RELEASED (or UNLOAD) then queues HVTB_VMBUS_EVENT_RELEASED and the
 * relid is free. Guest signals stop at once. Closing the fd does the same
 * without the event. Errors: -ENXIO (rescinded already).
 */
#define HVTB_VMBUS_CHANNEL_RESCIND	_IO(HVTBIO, HVTB_NR_VMBUS_CHANNEL_RESCIND)

#ifdef __KERNEL__
#define hvtb_vmbus_static_assert static_assert
#else
#define hvtb_vmbus_static_assert _Static_assert
#endif
hvtb_vmbus_static_assert(sizeof(struct hvtb_vmbus_config) == 32, "layout");
hvtb_vmbus_static_assert(sizeof(struct hvtb_vmbus_stats) == 168, "layout");
hvtb_vmbus_static_assert(sizeof(struct hvtb_vmbus_offer) == 200, "layout");
hvtb_vmbus_static_assert(sizeof(struct hvtb_vmbus_event) == 64, "layout");
hvtb_vmbus_static_assert(sizeof(struct hvtb_vmbus_channel_eventfd) == 24, "layout");
hvtb_vmbus_static_assert(sizeof(struct hvtb_vmbus_channel_info) == 80, "layout");

#endif /* _UAPI_LINUX_HVTB_VMBUS_H */
