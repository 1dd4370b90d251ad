/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - VMBus channel-management messages: the table of message types with
 * their minimum sizes and the states they are valid in, the version rules,
 * and the wire layout of the messages the host reads and writes.
 *
 * Pure logic, free of kernel-only calls: selftests/host/vmbus_msg_test.c
 * compiles it on the build host. A host includer defines u8, u16, u32, u64,
 * bool and ARRAY_SIZE() before including it; the kernel gets them
 * from <linux/types.h> and <linux/kernel.h>. Layouts are those of Linux 6.1's
 * include/linux/hyperv.h (x86-64), checked by static_assert below.
 */
#ifndef HVTB_VMBUS_MSG_H
#define HVTB_VMBUS_MSG_H

#include <linux/types.h>
#include <linux/hvtb_vmbus.h>
#ifdef __KERNEL__
#include <linux/kernel.h>	/* ARRAY_SIZE(); a host includer defines it */
#endif

/* Channel message types (the payload's first u32). */
enum {
	VMBUS_MSG_INVALID		= 0,
	VMBUS_MSG_OFFERCHANNEL		= 1,
	VMBUS_MSG_RESCIND_CHANNELOFFER	= 2,
	VMBUS_MSG_REQUESTOFFERS		= 3,
	VMBUS_MSG_ALLOFFERS_DELIVERED	= 4,
	VMBUS_MSG_OPENCHANNEL		= 5,
	VMBUS_MSG_OPENCHANNEL_RESULT	= 6,
	VMBUS_MSG_CLOSECHANNEL		= 7,
	VMBUS_MSG_GPADL_HEADER		= 8,
	VMBUS_MSG_GPADL_BODY		= 9,
	VMBUS_MSG_GPADL_CREATED		= 10,
	VMBUS_MSG_GPADL_TEARDOWN	= 11,
	VMBUS_MSG_GPADL_TORNDOWN	= 12,
	VMBUS_MSG_RELID_RELEASED	= 13,
	VMBUS_MSG_INITIATE_CONTACT	= 14,
	VMBUS_MSG_VERSION_RESPONSE	= 15,
	VMBUS_MSG_UNLOAD		= 16,
	VMBUS_MSG_UNLOAD_RESPONSE	= 17,
	VMBUS_MSG_TL_CONNECT_REQUEST	= 21,
	VMBUS_MSG_MODIFYCHANNEL		= 22,
	VMBUS_MSG_TL_CONNECT_RESULT	= 23,
	VMBUS_MSG_MODIFYCHANNEL_RESPONSE = 24,
	VMBUS_MSG_COUNT			= 25,
};

/* The SINT of host -> guest messages below version 5.0. */
#define VMBUS_MESSAGE_SINT		2
#define VMBUS_PAYLOAD_MAX		240
#define VMBUS_SINT_COUNT		16

/* Connection states (HVTB_VMBUS_STATE_*), as bits of vmbus_msg_def.states. */
#define VMBUS_IN_DISCONNECTED	(1U << HVTB_VMBUS_STATE_DISCONNECTED)
#define VMBUS_IN_CONNECTED	(1U << HVTB_VMBUS_STATE_CONNECTED)

/**
 * struct vmbus_msg_def - what the host accepts of one guest message type.
 * @min_size: fewest payload bytes (Linux 6.1 posts exactly the struct size;
 *	GPADL_HEADER with one range and no PFN yet, GPADL_BODY without PFNs).
 * @states: VMBUS_IN_* the message is valid in; 0 for a type only the host
 *	sends, or one the guest never posts.
 * @channel: it names a channel (child_relid at offset 8): without channels
 *	it is out of state.
 */
struct vmbus_msg_def {
	u16 min_size;
	u8 states;
	u8 channel;
};

static const struct vmbus_msg_def vmbus_msg_defs[VMBUS_MSG_COUNT] = {
	[VMBUS_MSG_REQUESTOFFERS]	= { 8, VMBUS_IN_CONNECTED, 0 },
	[VMBUS_MSG_OPENCHANNEL]		= { 148, VMBUS_IN_CONNECTED, 1 },
	[VMBUS_MSG_CLOSECHANNEL]	= { 12, VMBUS_IN_CONNECTED, 1 },
	[VMBUS_MSG_GPADL_HEADER]	= { 28, VMBUS_IN_CONNECTED, 1 },
	[VMBUS_MSG_GPADL_BODY]		= { 16, VMBUS_IN_CONNECTED, 1 },
	[VMBUS_MSG_GPADL_TEARDOWN]	= { 16, VMBUS_IN_CONNECTED, 1 },
	[VMBUS_MSG_RELID_RELEASED]	= { 12, VMBUS_IN_CONNECTED, 1 },
	[VMBUS_MSG_INITIATE_CONTACT]	= { 40, VMBUS_IN_DISCONNECTED, 0 },
	[VMBUS_MSG_UNLOAD]		= { 8, VMBUS_IN_CONNECTED, 0 },
	[VMBUS_MSG_TL_CONNECT_REQUEST]	= { 40, VMBUS_IN_CONNECTED, 1 },
	[VMBUS_MSG_MODIFYCHANNEL]	= { 16, VMBUS_IN_CONNECTED, 1 },
};

/* Every message starts with this. */
struct vmbus_hdr {
	u32 msgtype;
	u32 padding;
};

/* INITIATE_CONTACT (guest -> host, 40 bytes). */
struct vmbus_initiate {
	struct vmbus_hdr hdr;
	u32 version;
	u32 target_vcpu;
	union {
		u64 interrupt_page;	/* below 5.0 */
		struct {
			u8 msg_sint;	/* 5.0 and later */
			u8 pad[7];
		};
	};
	u64 monitor_page1;
	u64 monitor_page2;
};

/* VERSION_RESPONSE (host -> guest, 16 bytes). */
struct vmbus_version_resp {
	struct vmbus_hdr hdr;
	u8 version_supported;
	u8 connection_state;
	u16 padding;
	u32 msg_conn_id;
};

#ifdef __KERNEL__
#define vmbus_static_assert static_assert
#else
#define vmbus_static_assert _Static_assert
#endif
vmbus_static_assert(sizeof(struct vmbus_hdr) == 8, "layout");
vmbus_static_assert(sizeof(struct vmbus_initiate) == 40, "layout");
vmbus_static_assert(sizeof(struct vmbus_version_resp) == 16, "layout");

/* Verdicts of vmbus_msg_check(). */
enum vmbus_verdict {
	VMBUS_MSG_OK,
	VMBUS_MSG_SHORT,	/* below the type's minimum size */
	VMBUS_MSG_UNKNOWN,	/* not a message type a guest sends */
	VMBUS_MSG_STATE,	/* not valid in this state (or no such channel) */
	VMBUS_MSG_CONNECTION,	/* on connection 4 but not a 5.x INITIATE_CONTACT */
};

/* The versions Linux 6.1 proposes, newest first: all are served. */
static const u32 vmbus_versions[] = {
	HVTB_VMBUS_VERSION_5_3, HVTB_VMBUS_VERSION_5_2, HVTB_VMBUS_VERSION_5_1,
	HVTB_VMBUS_VERSION_5_0, HVTB_VMBUS_VERSION_4_1, HVTB_VMBUS_VERSION_4_0,
	HVTB_VMBUS_VERSION_3_0, HVTB_VMBUS_VERSION_2_4,
};

#define VMBUS_NR_VERSIONS	ARRAY_SIZE(vmbus_versions)

/* Is @v one of vmbus_versions[]? */
static inline bool vmbus_version_known(u32 v)
{
	unsigned int i;

	for (i = 0; i < VMBUS_NR_VERSIONS; i++)
		if (vmbus_versions[i] == v)
			return true;
	return false;
}

/**
 * vmbus_msg_check() - classify a guest's HvPostMessage to the VMBus host.
 * @conn_id: the connection id it was posted to (1 or 4)
 * @hv_type: the HvPostMessage message type
 * @payload: @size bytes
 * @size: the payload size, at most VMBUS_PAYLOAD_MAX
 * @state: HVTB_VMBUS_STATE_*
 * @nr_channels: channels offered (none yet: every channel message is out
 *	of state)
 * Return: a verdict; VMBUS_MSG_OK means the message type's handler may
 * read the type's minimum size of @payload.
 */
static inline enum vmbus_verdict vmbus_msg_check(u32 conn_id, u32 hv_type,
						 const u8 *payload, u32 size,
						 u32 state, u32 nr_channels)
{
	const struct vmbus_msg_def *d;
	u32 type, version;

	if (size < sizeof(u32))
		return VMBUS_MSG_SHORT;
	if (hv_type != HVTB_VMBUS_MESSAGE_TYPE || size > VMBUS_PAYLOAD_MAX)
		return VMBUS_MSG_UNKNOWN;
	type = (u32)payload[0] | (u32)payload[1] << 8 |
	       (u32)payload[2] << 16 | (u32)payload[3] << 24;
	if (type >= VMBUS_MSG_COUNT || !vmbus_msg_defs[type].states)
		return VMBUS_MSG_UNKNOWN;
	d = &vmbus_msg_defs[type];
	if (size < d->min_size)
		return VMBUS_MSG_SHORT;
	if (conn_id == HVTB_VMBUS_MESSAGE_CONNECTION_ID_4) {
		if (type != VMBUS_MSG_INITIATE_CONTACT)
			return VMBUS_MSG_CONNECTION;
		version = (u32)payload[8] | (u32)payload[9] << 8 |
			  (u32)payload[10] << 16 | (u32)payload[11] << 24;
		if (version < HVTB_VMBUS_VERSION_5_0)
			return VMBUS_MSG_CONNECTION;
	}
	if (state > HVTB_VMBUS_STATE_CONNECTED || !(d->states & (1U << state)))
		return VMBUS_MSG_STATE;
	if (d->channel && !nr_channels)
		return VMBUS_MSG_STATE;
	return VMBUS_MSG_OK;
}

/**
 * vmbus_initiate_sint() - may INITIATE_CONTACT @m be accepted, and on
 * which SINT do the replies go?
 * @m: the message (40 bytes)
 * @max_version: the newest version served
 * @sint: set to the SINT replies go to, also for a refusal (the guest
 *	waits for the answer on it)
 * Return: true to accept, false to refuse (version not served, or a
 * 5.x msg_sint outside 0..15).
 */
static inline bool vmbus_initiate_sint(const struct vmbus_initiate *m,
				       u32 max_version, u32 *sint)
{
	bool ok = vmbus_version_known(m->version) && m->version <= max_version;

	*sint = VMBUS_MESSAGE_SINT;
	if (m->version >= HVTB_VMBUS_VERSION_5_0) {
		if (m->msg_sint >= VMBUS_SINT_COUNT)
			return false;
		*sint = m->msg_sint;
	}
	return ok;
}

/*
 * The guest pages an accepted INITIATE_CONTACT names that the host maps:
 * the interrupt page (below 5.0) and the two monitor pages, those that are
 * not 0. Fills @gpas (room for 3). Return: how many, or -1 if one is not
 * 4 KiB aligned.
 */
static inline int vmbus_initiate_pages(const struct vmbus_initiate *m,
				       u64 *gpas)
{
	u64 p[3] = { 0, m->monitor_page1, m->monitor_page2 };
	int i, n = 0;

	if (m->version < HVTB_VMBUS_VERSION_5_0)
		p[0] = m->interrupt_page;
	for (i = 0; i < 3; i++) {
		if (!p[i])
			continue;
		if (p[i] & 0xfff)
			return -1;
		gpas[n++] = p[i];
	}
	return n;
}

#endif /* HVTB_VMBUS_MSG_H */
