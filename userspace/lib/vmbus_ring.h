/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvtb - the host side of a VMBus ring buffer, as Linux 6.1's
 * drivers/hv/ring_buffer.c speaks it (/work/shared/VMBUS.md section 7).
 *
 * Pure logic: no system calls, no allocation. A ring is shared with the
 * guest, which may change any byte of it at any time, so every guest-owned
 * value (the guest's index, a packet descriptor) is loaded once per
 * operation, validated, and parsed only from a private copy; nothing is
 * ever read or written outside [header, header + size).
 *
 * A channel has two rings. The host READS the guest-to-host ring (the guest
 * owns its write_index, the host its read_index and interrupt_mask) and
 * WRITES the host-to-guest ring (the host owns write_index and
 * pending_send_sz, the guest read_index and interrupt_mask). One struct
 * hvtb_ring is a view of one of them, in one role; it is not thread-safe.
 *
 * Reading:   hvtb_ring_begin_drain(); loop { hvtb_ring_read() / _peek() +
 *            _skip() } until -EAGAIN; hvtb_ring_read_commit() (signal the
 *            guest if told to); if hvtb_ring_end_drain() says more data
 *            arrived, drain again.
 * Writing:   hvtb_ring_put*() one or more packets, then one
 *            hvtb_ring_write_commit() (signal the guest if told to). On
 *            -EAGAIN: hvtb_ring_want_space() and wait for the guest's signal.
 *
 * Errors (negative errno, hvtb_ring_strerror() names them):
 *   -EPROTO   a guest-owned index is corrupt (out of the data area, not a
 *             multiple of 8, or behind what the host already consumed);
 *   -EBADMSG  the next packet is corrupt (descriptor lengths, does not fit
 *             in the bytes written, malformed GPA-direct ranges);
 *   -EAGAIN   nothing to read / no room to write;
 *   -EMSGSIZE the caller's buffer is too small (the size needed is given);
 *   -EINVAL   bad arguments (also a packet that could never fit the ring).
 * After -EPROTO or -EBADMSG the guest is broken: stop serving the channel.
 */
#ifndef LIBHVTB_VMBUS_RING_H
#define LIBHVTB_VMBUS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The header page; ring data starts right after it. */
#define HVTB_RING_HEADER_SIZE	4096u
/* Every packet is followed by an 8-byte trailer not counted in len8. */
#define HVTB_RING_TRAILER	8u
/* Largest ring accepted (data indices stay far from 32-bit overflow). */
#define HVTB_RING_MAX_SIZE	(1u << 30)

/* Packet types (include/linux/hyperv.h enum vmbus_packet_type). */
#define HVTB_PKT_DATA_INBAND			6
#define HVTB_PKT_DATA_USING_XFER_PAGES		7
#define HVTB_PKT_DATA_USING_GPA_DIRECT		9
#define HVTB_PKT_COMP				11
/* Descriptor flag: the sender wants a completion (same trans_id). */
#define HVTB_PKT_FLAG_COMPLETION_REQUESTED	1

/* Feature bit 0 of feature_bits: pending_send_sz is honoured. */
#define HVTB_RING_FEAT_PENDING_SEND_SZ		1u

/* The shared header page (struct hv_ring_buffer without its data). */
struct hvtb_ring_header {
	uint32_t write_index;	/* byte offset into the data area */
	uint32_t read_index;
	uint32_t interrupt_mask;	/* the reader: "draining, do not signal" */
	uint32_t pending_send_sz;	/* the writer: "signal me at this much room" */
	uint32_t reserved1[12];
	uint32_t feature_bits;
	uint8_t reserved2[HVTB_RING_HEADER_SIZE - 68];
};

_Static_assert(sizeof(struct hvtb_ring_header) == HVTB_RING_HEADER_SIZE,
	       "ring header is one 4 KiB page");
_Static_assert(offsetof(struct hvtb_ring_header, read_index) == 4, "read_index @4");
_Static_assert(offsetof(struct hvtb_ring_header, interrupt_mask) == 8, "interrupt_mask @8");
_Static_assert(offsetof(struct hvtb_ring_header, pending_send_sz) == 12,
	       "pending_send_sz @12");
_Static_assert(offsetof(struct hvtb_ring_header, feature_bits) == 64, "feature_bits @64");

/* The 16-byte packet descriptor (struct vmpacket_descriptor). */
struct hvtb_ring_desc {
	uint16_t type;
	uint16_t offset8;	/* data offset / 8, descriptor included */
	uint16_t len8;		/* packet length / 8, descriptor included */
	uint16_t flags;
	uint64_t trans_id;
};

_Static_assert(sizeof(struct hvtb_ring_desc) == 16, "vmpacket_descriptor is 16 bytes");

enum hvtb_ring_role {
	HVTB_RING_HOST_READS,	/* the guest-to-host ring */
	HVTB_RING_HOST_WRITES,	/* the host-to-guest ring */
};

/* A view of one ring; the fields are private to vmbus_ring.c. */
struct hvtb_ring {
	struct hvtb_ring_header *hdr;
	uint8_t *data;
	uint32_t size;		/* data area bytes */
	enum hvtb_ring_role role;
	/* Reader: next packet / published read_index; writer: next put / published write_index. */
	uint32_t priv;
	uint32_t start;
	/* Reader: bytes (packet + trailer) of the packet last peeked at priv, 0 = none. */
	uint32_t peeked;
	/* Writer: the guest's read_index as last seen (it only moves toward start). */
	uint32_t guest_read;
	/*
	 * Counters since hvtb_ring_init() (the caller may read them): packets
	 * and their ring bytes (trailer included) consumed (reader) or put
	 * (writer); writer: puts refused for want of room (-EAGAIN).
	 */
	uint64_t packets, bytes, full;
};

/* One packet, copied out of the ring into the caller's buffer. */
struct hvtb_ring_pkt {
	uint16_t type;
	uint16_t flags;
	uint32_t len;		/* len8 * 8: descriptor + header + data (no trailer) */
	uint32_t offset;	/* offset8 * 8: where the data starts */
	uint64_t trans_id;
	const uint8_t *raw;	/* the copy: descriptor first (the caller's buffer) */
	const uint8_t *data;	/* raw + offset */
	uint32_t data_len;	/* len - offset */
};

/* One range of a GPA-direct packet; pfns points into the packet copy. */
struct hvtb_ring_gpa_range {
	uint32_t byte_count;
	uint32_t byte_offset;	/* into the first page, < 4096 */
	uint32_t pfn_count;	/* ceil((byte_offset + byte_count) / 4096) */
	const uint8_t *pfns;	/* pfn_count little-endian u64, maybe unaligned */
};

/* One piece of a gathered packet body. */
struct hvtb_ring_iov {
	const void *base;
	uint32_t len;
};

/**
 * hvtb_ring_init() - view a ring in memory shared with the guest.
 * @r: the view to fill.
 * @ring: the ring's header page, 8-byte aligned; the data follows it.
 * @size: the whole ring in bytes, header page included: a multiple of 4 KiB,
 *	at least two pages, at most HVTB_RING_MAX_SIZE.
 * @role: which side the host plays on it.
 *
 * Loads both indices once; the host's own index is kept privately from then
 * on (the guest cannot move it).
 *
 * Return: 0; -EINVAL for a bad pointer, size or role; -EPROTO if an index
 * in the header is corrupt.
 */
int hvtb_ring_init(struct hvtb_ring *r, void *ring, size_t size, enum hvtb_ring_role role);

/**
 * hvtb_ring_peek() - copy the next packet without consuming it.
 * @r: a HVTB_RING_HOST_READS view.
 * @buf: where the packet (descriptor first) is copied.
 * @buflen: its size.
 * @pkt: the parsed packet; on -EMSGSIZE only pkt->len (the size needed) and
 *	the descriptor fields are set.
 *
 * Return: 0; -EAGAIN (ring empty), -EMSGSIZE, -EPROTO, -EBADMSG, -EINVAL.
 */
int hvtb_ring_peek(struct hvtb_ring *r, void *buf, uint32_t buflen, struct hvtb_ring_pkt *pkt);

/**
 * hvtb_ring_skip() - consume the next packet (the one peeked, else the one
 * at the read position, validated) without copying it.
 * @r: a HVTB_RING_HOST_READS view.
 *
 * Return: 0; -EAGAIN, -EPROTO, -EBADMSG, -EINVAL.
 */
int hvtb_ring_skip(struct hvtb_ring *r);

/**
 * hvtb_ring_read() - hvtb_ring_peek() then hvtb_ring_skip().
 * @r: a HVTB_RING_HOST_READS view.
 * @buf: where the packet is copied.
 * @buflen: its size.
 * @pkt: the parsed packet.
 *
 * Return: as hvtb_ring_peek(); on -EMSGSIZE the packet stays unread.
 */
int hvtb_ring_read(struct hvtb_ring *r, void *buf, uint32_t buflen, struct hvtb_ring_pkt *pkt);

/**
 * hvtb_ring_read_commit() - publish how far the host has read.
 * @r: a HVTB_RING_HOST_READS view.
 * @signal: set true when the guest must be signalled: it had set
 *	pending_send_sz and the free space went from <= it to > it.
 *
 * Packets consumed before the commit may be overwritten by the guest after
 * it: copy out (peek/read do) before committing.
 *
 * Return: 0; -EINVAL; -EPROTO if the guest's write_index turned corrupt
 * (read_index is published all the same, @signal is false).
 */
int hvtb_ring_read_commit(struct hvtb_ring *r, bool *signal);

/**
 * hvtb_ring_begin_drain() - set interrupt_mask: the guest need not signal
 * while the host drains.
 * @r: a HVTB_RING_HOST_READS view.
 */
void hvtb_ring_begin_drain(struct hvtb_ring *r);

/**
 * hvtb_ring_end_drain() - clear interrupt_mask, then look for data that
 * arrived while it was set (the guest did not signal for it).
 * @r: a HVTB_RING_HOST_READS view, after hvtb_ring_read_commit().
 *
 * Return: 1 if packets are waiting (drain again), 0 if empty, -EPROTO,
 * -EINVAL.
 */
int hvtb_ring_end_drain(struct hvtb_ring *r);

/**
 * hvtb_ring_pending() - whether packets wait past the read position.
 * @r: a HVTB_RING_HOST_READS view.
 *
 * Return: 1 yes, 0 no, -EPROTO, -EINVAL.
 */
int hvtb_ring_pending(struct hvtb_ring *r);

/**
 * hvtb_ring_put_size() - ring bytes a packet takes, trailer included.
 * @hdr_len: bytes between the descriptor and the data (a multiple of 8).
 * @data_len: bytes of data.
 *
 * Return: the size, what hvtb_ring_want_space() wants for that packet.
 */
uint32_t hvtb_ring_put_size(uint32_t hdr_len, uint32_t data_len);

/**
 * hvtb_ring_putv() - queue one packet (published by hvtb_ring_write_commit()).
 * @r: a HVTB_RING_HOST_WRITES view.
 * @type: HVTB_PKT_*.
 * @flags: descriptor flags (HVTB_PKT_FLAG_COMPLETION_REQUESTED).
 * @trans_id: the transaction id (a completion echoes the request's).
 * @hdr: type-specific header after the descriptor (XFER_PAGES ranges), or NULL.
 * @hdr_len: its length, a multiple of 8; the data starts at 16 + @hdr_len.
 * @iov: the data, gathered; padded with zeros to 8 bytes.
 * @iovcnt: pieces in @iov.
 *
 * Return: 0; -EAGAIN no room (the ring is never filled completely);
 * -EINVAL (bad arguments, or a packet too long for len8 or for the ring);
 * -EPROTO the guest's read_index is corrupt.
 */
int hvtb_ring_putv(struct hvtb_ring *r, uint16_t type, uint16_t flags, uint64_t trans_id,
		   const void *hdr, uint32_t hdr_len,
		   const struct hvtb_ring_iov *iov, unsigned int iovcnt);

/* An inband packet (type 6) carrying @len bytes of @data. */
int hvtb_ring_put_inband(struct hvtb_ring *r, uint16_t flags, uint64_t trans_id,
			 const void *data, uint32_t len);

/* A completion (type 11, flags 0) of the request @trans_id. */
int hvtb_ring_put_comp(struct hvtb_ring *r, uint64_t trans_id, const void *data, uint32_t len);

/**
 * hvtb_ring_write_commit() - publish the packets put since the last commit.
 * @r: a HVTB_RING_HOST_WRITES view.
 * @signal: set true when the guest must be signalled: the ring was empty as
 *	the guest saw it (its read_index at the old write_index) and its
 *	interrupt_mask is 0; false when nothing was put.
 *
 * Return: 0; -EINVAL; -EPROTO if the guest's read_index is corrupt
 * (write_index is published all the same, @signal is false).
 */
int hvtb_ring_write_commit(struct hvtb_ring *r, bool *signal);

/**
 * hvtb_ring_want_space() - ask the guest to signal once it freed room.
 * @r: a HVTB_RING_HOST_WRITES view.
 * @bytes: room wanted (hvtb_ring_put_size() of the packet that failed with
 *	-EAGAIN); 0 withdraws the request.
 *
 * Sets pending_send_sz of the ring the host writes (the guest reads it in
 * hv_pkt_iter_close()), then rechecks the room so a guest that read in the
 * meantime is not missed.
 *
 * Return: 1 the room is already there (retry now), 0 wait for the signal,
 * -EPROTO, -EINVAL.
 */
int hvtb_ring_want_space(struct hvtb_ring *r, uint32_t bytes);

/**
 * hvtb_ring_gpa_ranges() - parse a VM_PKT_DATA_USING_GPA_DIRECT packet.
 * @pkt: the packet as hvtb_ring_peek()/_read() returned it.
 * @ranges: filled with the ranges, in order.
 * @max_ranges: room in @ranges.
 * @nranges: set to the range count (also on -EMSGSIZE: the room needed).
 *
 * The ranges sit between byte 24 (after reserved u32 and range count u32)
 * and pkt->offset; each is {byte_count u32, byte_offset u32,
 * pfn[ceil((byte_offset + byte_count) / 4096)]}, byte_count > 0, byte_offset
 * < 4096. At least one range.
 *
 * Return: 0; -EINVAL (not a GPA-direct packet, NULL args); -EBADMSG;
 * -EMSGSIZE.
 */
int hvtb_ring_gpa_ranges(const struct hvtb_ring_pkt *pkt, struct hvtb_ring_gpa_range *ranges,
			 uint32_t max_ranges, uint32_t *nranges);

/* The @i-th page frame number of a range (i < pfn_count). */
static inline uint64_t hvtb_ring_gpa_pfn(const struct hvtb_ring_gpa_range *g, uint32_t i)
{
	uint64_t pfn;

	memcpy(&pfn, g->pfns + (size_t)i * 8, sizeof(pfn));
	return pfn;
}

/* --- serving a channel: the drain loop and answers waiting for room ------- */

/* What a hvtb_ring_drain() callback does with the packet it was shown. */
enum hvtb_ring_take {
	HVTB_RING_TAKEN = 0,	/* consumed: the drain goes on */
	HVTB_RING_LEAVE = 1,	/* not now: it stays at the read position, the drain stops */
};

/* Return values of hvtb_ring_drain() (or a negative errno). */
enum hvtb_ring_drained {
	HVTB_RING_EMPTY = 0,	/* nothing left; interrupt_mask clear: the guest signals */
	HVTB_RING_MORE = 1,	/* the budget ran out with packets waiting: drain again soon */
	HVTB_RING_LEFT = 2,	/* the callback left one; interrupt_mask stays set: come back
				 * on your own event (a completion, a timeout) */
};

/**
 * typedef hvtb_ring_take_fn - a hvtb_ring_drain() callback.
 * @ctx: the caller's.
 * @pkt: the packet; with @err -EMSGSIZE only its descriptor fields and len.
 * @err: 0, or -EMSGSIZE (the packet is longer than the drain's buffer).
 *
 * Return: enum hvtb_ring_take; a negative errno stops the drain with it.
 */
typedef int (*hvtb_ring_take_fn)(void *ctx, const struct hvtb_ring_pkt *pkt, int err);

/**
 * hvtb_ring_drain() - the reading rules of the ring in one loop: mask the
 * guest's interrupt, show each packet to @take, commit the read position,
 * unmask and look again for packets that came meanwhile.
 * @r: a HVTB_RING_HOST_READS view.
 * @buf: where each packet is copied; @buflen: its size.
 * @budget: packets shown at most (at least one round is done).
 * @take: the callback; @ctx: its argument.
 * @signal: set true when the guest must be signalled (the read commit said
 *	so); never set false here, so one flag serves several drains.
 *
 * Return: enum hvtb_ring_drained; -EPROTO, -EBADMSG, -EINVAL of the ring,
 * or @take's error (the read position is then not committed).
 */
int hvtb_ring_drain(struct hvtb_ring *r, void *buf, uint32_t buflen, uint32_t budget,
		    hvtb_ring_take_fn take, void *ctx, bool *signal);

/* The largest completion a backlog holds. */
#define HVTB_RING_BACKLOG_MSG	64u

struct hvtb_ring_backlog_ent {
	uint64_t trans_id;
	uint32_t len;
	uint8_t msg[HVTB_RING_BACKLOG_MSG];
};

/*
 * Completions that found the host-to-guest ring full, in the order they
 * were made: the caller's array of @cap entries, used as a circle. A
 * server takes a request off the guest's ring only while the backlog has
 * room for its answer (hvtb_ring_backlog_room()), so none is ever lost.
 */
struct hvtb_ring_backlog {
	struct hvtb_ring_backlog_ent *ent;
	uint32_t cap, head, count;
	uint32_t max_count;	/* the most that ever waited */
	uint64_t waited;	/* completions that had to wait */
	bool asked;		/* pending_send_sz is set for the first of them */
};

void hvtb_ring_backlog_init(struct hvtb_ring_backlog *b, struct hvtb_ring_backlog_ent *ent,
			    uint32_t cap);

/* Forget what waits (the ring it was for went away). */
static inline void hvtb_ring_backlog_reset(struct hvtb_ring_backlog *b)
{
	b->head = b->count = 0;
	b->asked = false;
}

/* Room for @n more completions. */
static inline bool hvtb_ring_backlog_room(const struct hvtb_ring_backlog *b, uint32_t n)
{
	return b->cap - b->count >= n;
}

/**
 * hvtb_ring_comp() - a completion of @trans_id with @len bytes of @msg:
 * into the ring now if nothing waits before it and it fits, else into the
 * backlog (and the guest is asked, pending_send_sz, to signal when it made
 * room).
 * @tx: a HVTB_RING_HOST_WRITES view.
 * @b: its backlog.
 *
 * Return: 0 (put or queued); -ENOBUFS the backlog is full (the caller did
 * not keep to hvtb_ring_backlog_room()); -EINVAL (@len over
 * HVTB_RING_BACKLOG_MSG); -EPROTO of the ring.
 */
int hvtb_ring_comp(struct hvtb_ring *tx, struct hvtb_ring_backlog *b, uint64_t trans_id,
		   const void *msg, uint32_t len);

/**
 * hvtb_ring_backlog_flush() - put what waits, in order, while it fits.
 * @tx: a HVTB_RING_HOST_WRITES view.
 * @b: its backlog.
 *
 * Return: 0 the backlog is empty (pending_send_sz withdrawn); 1 some still
 * wait (pending_send_sz set: the guest signals); -EPROTO, -EINVAL.
 */
int hvtb_ring_backlog_flush(struct hvtb_ring *tx, struct hvtb_ring_backlog *b);

/* A constant name for the ring errors above ("EPROTO: corrupt ring index"); others "unknown". */
const char *hvtb_ring_strerror(int err);

#endif /* LIBHVTB_VMBUS_RING_H */
