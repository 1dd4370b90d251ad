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

/*
 * A channel's state as the guest sees it (the relid a message names):
 * NONE for a relid that was never offered to this connection (or whose
 * offer has not been sent), OFFERED (also after CLOSECHANNEL), OPEN (after
 * an OPENCHANNEL answered with status 0), RESCINDED / RESCINDED_OPEN
 * (RESCIND_CHANNELOFFER sent, RELID_RELEASED not yet seen).
 */
enum {
	VMBUS_CHAN_NONE,
	VMBUS_CHAN_OFFERED,
	VMBUS_CHAN_OPEN,
	VMBUS_CHAN_RESCINDED,
	VMBUS_CHAN_RESCINDED_OPEN,
	VMBUS_CHAN_NR_STATES,
};

#define VMBUS_CH(s)		(1U << VMBUS_CHAN_##s)

/**
 * struct vmbus_msg_def - what the host accepts of one guest message type.
 * @min_size: fewest payload bytes (Linux 6.1 posts exactly the struct size;
 *	GPADL_HEADER with one range and no PFN yet, GPADL_BODY without PFNs).
 * @states: VMBUS_IN_* the message is valid in; 0 for a type only the host
 *	sends, or one the guest never posts (hv_sock's TL_CONNECT_REQUEST:
 *	no hv_sock channel is ever offered).
 * @channel: it names a channel (child_relid at offset 8): without channels
 *	it is out of state.
 * @chan_states: VMBUS_CH() states of that channel it is valid in.
 */
struct vmbus_msg_def {
	u16 min_size;
	u8 states;
	u8 channel;
	u8 chan_states;
};

static const struct vmbus_msg_def vmbus_msg_defs[VMBUS_MSG_COUNT] = {
	[VMBUS_MSG_REQUESTOFFERS]	= { 8, VMBUS_IN_CONNECTED, 0, 0 },
	[VMBUS_MSG_OPENCHANNEL]		= { 148, VMBUS_IN_CONNECTED, 1,
					    VMBUS_CH(OFFERED) },
	/* 6.1 closes a rescinded channel too (vmbus_close_internal). */
	[VMBUS_MSG_CLOSECHANNEL]	= { 12, VMBUS_IN_CONNECTED, 1,
					    VMBUS_CH(OPEN) | VMBUS_CH(RESCINDED_OPEN) },
	[VMBUS_MSG_GPADL_HEADER]	= { 28, VMBUS_IN_CONNECTED, 1,
					    VMBUS_CH(OFFERED) | VMBUS_CH(OPEN) },
	/* No relid: matched to a pending header by its gpadl handle. */
	[VMBUS_MSG_GPADL_BODY]		= { 16, VMBUS_IN_CONNECTED, 0, 0 },
	/* netvsc tears its buffers down after CLOSECHANNEL, even rescinded. */
	[VMBUS_MSG_GPADL_TEARDOWN]	= { 16, VMBUS_IN_CONNECTED, 1,
					    VMBUS_CH(OFFERED) | VMBUS_CH(OPEN) |
					    VMBUS_CH(RESCINDED) |
					    VMBUS_CH(RESCINDED_OPEN) },
	[VMBUS_MSG_RELID_RELEASED]	= { 12, VMBUS_IN_CONNECTED, 1,
					    VMBUS_CH(RESCINDED) |
					    VMBUS_CH(RESCINDED_OPEN) },
	[VMBUS_MSG_INITIATE_CONTACT]	= { 40, VMBUS_IN_DISCONNECTED, 0, 0 },
	[VMBUS_MSG_UNLOAD]		= { 8, VMBUS_IN_CONNECTED, 0, 0 },
	[VMBUS_MSG_MODIFYCHANNEL]	= { 16, VMBUS_IN_CONNECTED, 1,
					    VMBUS_CH(OPEN) },
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

/* A message that names a channel: CLOSECHANNEL, RESCIND, RELID_RELEASED. */
struct vmbus_relid_msg {
	struct vmbus_hdr hdr;
	u32 child_relid;
};

/* OFFERCHANNEL (host -> guest, 196 bytes). */
struct vmbus_offer_msg {
	struct vmbus_hdr hdr;
	u8 if_type[16];
	u8 if_instance[16];
	u8 reserved1[16];
	u16 chn_flags;
	u16 mmio_megabytes;
	u8 user_def[120];	/* pipe mode: pipe_mode u32 at 0 */
	u16 sub_channel_index;
	u16 reserved2;
	u32 child_relid;
	u8 monitorid;
	u8 monitor_allocated;	/* bit 0 */
	u16 is_dedicated_interrupt;	/* bit 0 */
	u32 connection_id;
};

/* GPADL_HEADER (guest -> host, 28 + 8 per PFN); PFNs at 28, unaligned. */
struct vmbus_gpadl_header {
	struct vmbus_hdr hdr;
	u32 child_relid;
	u32 gpadl;
	u16 range_buflen;
	u16 rangecount;
	u32 byte_count;
	u32 byte_offset;
};

/* GPADL_BODY (guest -> host, 16 + 8 per PFN); PFNs at 16. */
struct vmbus_gpadl_body {
	struct vmbus_hdr hdr;
	u32 msgnumber;
	u32 gpadl;
};

/* GPADL_CREATED (host -> guest, 20 bytes). */
struct vmbus_gpadl_created {
	struct vmbus_hdr hdr;
	u32 child_relid;
	u32 gpadl;
	u32 creation_status;
};

/* GPADL_TEARDOWN (guest -> host, 16 bytes). */
struct vmbus_gpadl_teardown {
	struct vmbus_hdr hdr;
	u32 child_relid;
	u32 gpadl;
};

/* GPADL_TORNDOWN (host -> guest, 12 bytes). */
struct vmbus_gpadl_torndown {
	struct vmbus_hdr hdr;
	u32 gpadl;
};

/* OPENCHANNEL (guest -> host, 148 bytes). */
struct vmbus_open {
	struct vmbus_hdr hdr;
	u32 child_relid;
	u32 openid;
	u32 ring_gpadl;
	u32 target_vp;
	u32 downstream_page_offset;
	u8 user_data[120];
};

/* OPENCHANNEL_RESULT (host -> guest, 20 bytes). */
struct vmbus_open_result {
	struct vmbus_hdr hdr;
	u32 child_relid;
	u32 openid;
	u32 status;
};

/* MODIFYCHANNEL (guest -> host, 16 bytes) and its response (16 bytes). */
struct vmbus_modify {
	struct vmbus_hdr hdr;
	u32 child_relid;
	u32 target_vp;
};

struct vmbus_modify_resp {
	struct vmbus_hdr hdr;
	u32 child_relid;
	u32 status;
};

#ifdef __KERNEL__
#define vmbus_static_assert static_assert
#else
#define vmbus_static_assert _Static_assert
#endif
vmbus_static_assert(sizeof(struct vmbus_hdr) == 8, "layout");
vmbus_static_assert(sizeof(struct vmbus_initiate) == 40, "layout");
vmbus_static_assert(sizeof(struct vmbus_version_resp) == 16, "layout");
vmbus_static_assert(sizeof(struct vmbus_relid_msg) == 12, "layout");
vmbus_static_assert(sizeof(struct vmbus_offer_msg) == 196, "layout");
vmbus_static_assert(__builtin_offsetof(struct vmbus_offer_msg, chn_flags) == 56, "layout");
vmbus_static_assert(__builtin_offsetof(struct vmbus_offer_msg, user_def) == 60, "layout");
vmbus_static_assert(__builtin_offsetof(struct vmbus_offer_msg, sub_channel_index) == 180, "layout");
vmbus_static_assert(__builtin_offsetof(struct vmbus_offer_msg, child_relid) == 184, "layout");
vmbus_static_assert(__builtin_offsetof(struct vmbus_offer_msg, connection_id) == 192, "layout");
vmbus_static_assert(sizeof(struct vmbus_gpadl_header) == 28, "layout");
vmbus_static_assert(sizeof(struct vmbus_gpadl_body) == 16, "layout");
vmbus_static_assert(sizeof(struct vmbus_gpadl_created) == 20, "layout");
vmbus_static_assert(sizeof(struct vmbus_gpadl_teardown) == 16, "layout");
vmbus_static_assert(sizeof(struct vmbus_gpadl_torndown) == 12, "layout");
vmbus_static_assert(sizeof(struct vmbus_open) == 148, "layout");
vmbus_static_assert(sizeof(struct vmbus_open_result) == 20, "layout");
vmbus_static_assert(sizeof(struct vmbus_modify) == 16, "layout");
vmbus_static_assert(sizeof(struct vmbus_modify_resp) == 16, "layout");

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

/**
 * vmbus_msg_chan_check() - is message @type valid for a channel in state
 * @chan_state (VMBUS_CHAN_*; VMBUS_CHAN_NONE: no such relid)?
 * @type: a message type vmbus_msg_check() let through
 * @chan_state: the state of the channel the message names
 * Return: VMBUS_MSG_OK, or VMBUS_MSG_STATE (also for a type that names no
 * channel).
 */
static inline enum vmbus_verdict vmbus_msg_chan_check(u32 type, u32 chan_state)
{
	if (type >= VMBUS_MSG_COUNT || !vmbus_msg_defs[type].channel ||
	    chan_state >= VMBUS_CHAN_NR_STATES)
		return VMBUS_MSG_STATE;
	if (!(vmbus_msg_defs[type].chan_states & (1U << chan_state)))
		return VMBUS_MSG_STATE;
	return VMBUS_MSG_OK;
}

/* The u32 at @off of a message (little-endian, any alignment). */
static inline u32 vmbus_msg_u32(const u8 *p, u32 off)
{
	return (u32)p[off] | (u32)p[off + 1] << 8 | (u32)p[off + 2] << 16 |
	       (u32)p[off + 3] << 24;
}

/*
 * The channel a message of either direction names (its child_relid), 0 for
 * a message of the connection or one too short to hold it: for traces.
 */
static inline u32 vmbus_msg_relid(const u8 *p, u32 size)
{
	u32 off;

	if (size < 4)
		return 0;
	switch (vmbus_msg_u32(p, 0)) {
	case VMBUS_MSG_OFFERCHANNEL:
		off = __builtin_offsetof(struct vmbus_offer_msg, child_relid);
		break;
	case VMBUS_MSG_RESCIND_CHANNELOFFER:
	case VMBUS_MSG_OPENCHANNEL:
	case VMBUS_MSG_OPENCHANNEL_RESULT:
	case VMBUS_MSG_CLOSECHANNEL:
	case VMBUS_MSG_GPADL_HEADER:
	case VMBUS_MSG_GPADL_CREATED:
	case VMBUS_MSG_GPADL_TEARDOWN:
	case VMBUS_MSG_RELID_RELEASED:
	case VMBUS_MSG_MODIFYCHANNEL:
	case VMBUS_MSG_MODIFYCHANNEL_RESPONSE:
		off = 8;	/* after the 8-byte header */
		break;
	default:
		return 0;
	}
	return size >= off + 4 ? vmbus_msg_u32(p, off) : 0;
}

/* The @i-th 64-bit PFN at @off of a message. */
static inline u64 vmbus_msg_pfn(const u8 *p, u32 off, u32 i)
{
	return (u64)vmbus_msg_u32(p, off + 8 * i) |
	       (u64)vmbus_msg_u32(p, off + 8 * i + 4) << 32;
}

/* ---- GPADLs (pure: the limits of what a guest may describe) ---- */

#define VMBUS_PAGE_SIZE		4096u
#define VMBUS_GPADL_HDR_PFN_OFF	28	/* PFNs of GPADL_HEADER start here */
#define VMBUS_GPADL_BODY_PFN_OFF	16	/* and of GPADL_BODY */
/* The largest guest frame number accepted (a 52-bit guest-physical address). */
#define VMBUS_GPADL_MAX_GFN	((1ULL << 40) - 1)
/* creation_status / OPENCHANNEL_RESULT.status of a refusal (STATUS_UNSUCCESSFUL). */
#define VMBUS_STATUS_FAIL	0xc0000001u

/* vmbus_gpadl_header_check() results */
enum vmbus_gpadl_err {
	VMBUS_GPADL_OK,
	VMBUS_GPADL_RANGES,	/* rangecount is not 1 */
	VMBUS_GPADL_BUFLEN,	/* range_buflen is not 8 + 8 * n, n >= 1 */
	VMBUS_GPADL_RANGE,	/* byte_offset >= 4096, byte_count 0, or n PFNs do not cover them */
	VMBUS_GPADL_TOO_BIG,	/* more pages than allowed */
	VMBUS_GPADL_LENGTH,	/* the message's PFN bytes: not whole, more than n */
	VMBUS_GPADL_GFN,	/* a PFN above VMBUS_GPADL_MAX_GFN */
};

/**
 * vmbus_gpadl_header_check() - the geometry of a GPADL_HEADER.
 * @p: the message, @size bytes (at least 28)
 * @size: its payload size
 * @max_pages: the most pages this GPADL may have
 * @npages: set to the GPADL's pages (the PFNs of header and bodies)
 * @nhere: set to the PFNs this message carries
 *
 * One range (what Linux sends: byte_offset 0, byte_count = size), its PFN
 * count given by range_buflen and matching byte_offset + byte_count.
 * Return: VMBUS_GPADL_OK or the first error found.
 */
static inline enum vmbus_gpadl_err
vmbus_gpadl_header_check(const u8 *p, u32 size, u32 max_pages, u32 *npages,
			 u32 *nhere)
{
	u32 buflen = (u32)p[16] | (u32)p[17] << 8;
	u32 ranges = (u32)p[18] | (u32)p[19] << 8;
	u32 count = vmbus_msg_u32(p, 20), offset = vmbus_msg_u32(p, 24);
	u64 end;
	u32 n, i;

	*npages = 0;
	*nhere = 0;
	if (ranges != 1)
		return VMBUS_GPADL_RANGES;
	if (buflen < 16 || (buflen - 8) % 8)
		return VMBUS_GPADL_BUFLEN;
	n = (buflen - 8) / 8;
	end = (u64)offset + count;
	if (offset >= VMBUS_PAGE_SIZE || !count ||
	    (end + VMBUS_PAGE_SIZE - 1) / VMBUS_PAGE_SIZE != n)
		return VMBUS_GPADL_RANGE;
	if (n > max_pages)
		return VMBUS_GPADL_TOO_BIG;
	if (size < VMBUS_GPADL_HDR_PFN_OFF ||
	    (size - VMBUS_GPADL_HDR_PFN_OFF) % 8 ||
	    (size - VMBUS_GPADL_HDR_PFN_OFF) / 8 > n)
		return VMBUS_GPADL_LENGTH;
	*nhere = (size - VMBUS_GPADL_HDR_PFN_OFF) / 8;
	for (i = 0; i < *nhere; i++)
		if (vmbus_msg_pfn(p, VMBUS_GPADL_HDR_PFN_OFF, i) > VMBUS_GPADL_MAX_GFN)
			return VMBUS_GPADL_GFN;
	*npages = n;
	return VMBUS_GPADL_OK;
}

/**
 * vmbus_gpadl_body_check() - the PFNs of a GPADL_BODY.
 * @p: the message, @size bytes (at least 16)
 * @size: its payload size
 * @missing: PFNs the GPADL still waits for
 * @nhere: set to the PFNs this message carries
 * Return: VMBUS_GPADL_OK; VMBUS_GPADL_LENGTH for no PFN, a partial one or
 * more than @missing; VMBUS_GPADL_GFN.
 */
static inline enum vmbus_gpadl_err
vmbus_gpadl_body_check(const u8 *p, u32 size, u32 missing, u32 *nhere)
{
	u32 n, i;

	*nhere = 0;
	if (size <= VMBUS_GPADL_BODY_PFN_OFF ||
	    (size - VMBUS_GPADL_BODY_PFN_OFF) % 8)
		return VMBUS_GPADL_LENGTH;
	n = (size - VMBUS_GPADL_BODY_PFN_OFF) / 8;
	if (n > missing)
		return VMBUS_GPADL_LENGTH;
	for (i = 0; i < n; i++)
		if (vmbus_msg_pfn(p, VMBUS_GPADL_BODY_PFN_OFF, i) > VMBUS_GPADL_MAX_GFN)
			return VMBUS_GPADL_GFN;
	*nhere = n;
	return VMBUS_GPADL_OK;
}

/**
 * vmbus_open_check() - may a ring GPADL of @pages pages be split at
 * @downstream (OPENCHANNEL.downstream_ringbuffer_pageoffset)?
 * @pages: the ring GPADL's pages
 * @downstream: the first page of the host -> guest ring
 * Return: true if both rings have a header page and at least one data page.
 */
static inline bool vmbus_open_check(u32 pages, u32 downstream)
{
	return downstream >= 2 && downstream < pages && pages - downstream >= 2;
}

#endif /* HVTB_VMBUS_MSG_H */
