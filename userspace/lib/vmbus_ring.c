// SPDX-License-Identifier: GPL-2.0
/*
 * libhvtb - the host side of a VMBus ring buffer (vmbus_ring.h).
 *
 * The guest is the peer on every ring and is not trusted. Rules kept here:
 * a guest-owned index is loaded once per operation and checked (inside the
 * data area, 8-byte aligned, not behind what the host already consumed or
 * ahead of what it published); a descriptor is copied out once and only
 * the copy is parsed; packet bodies are copied once into the caller's
 * buffer; every copy goes through ring_copy_from/_to, which wrap at the end
 * of the data area and never leave it. The host's own index lives in
 * struct hvtb_ring and is only ever stored to the header.
 *
 * Barriers mirror Linux's drivers/hv/ring_buffer.c (the guest side).
 */
#include <errno.h>

#include "vmbus_ring.h"

#define RING_DESC_SIZE		((uint32_t)sizeof(struct hvtb_ring_desc))
/* GPA direct: descriptor, reserved u32, range count u32, then the ranges. */
#define RING_GPA_RANGES_START	24u
#define RING_PAGE_SIZE		4096u
#define RING_MAX_PKT_LEN	(0xffffu * 8u)

/* The guest may change shared memory at any time: no compiler re-reads past this. */
static inline void ring_compiler_barrier(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/* A full barrier: stores before it are visible before loads after it. */
static inline void ring_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* A guest-owned index: later loads of the data it covers stay after it. */
static inline uint32_t ring_load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint32_t ring_load_once(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* A host-owned index: everything before it is done before the guest sees it. */
static inline void ring_store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void ring_store_once(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Bytes from @from forward to @to in a ring of @size bytes. */
static inline uint32_t ring_dist(uint32_t to, uint32_t from, uint32_t size)
{
	return to >= from ? to - from : size - from + to;
}

static inline uint32_t ring_advance(const struct hvtb_ring *r, uint32_t idx, uint32_t n)
{
	uint64_t next = (uint64_t)idx + n;

	return (uint32_t)(next >= r->size ? next - r->size : next);
}

static inline bool ring_index_ok(const struct hvtb_ring *r, uint32_t idx)
{
	return idx < r->size && !(idx & 7);
}

/* Copy @len bytes at data offset @off (< size, len <= size), wrapping. */
static void ring_copy_from(const struct hvtb_ring *r, uint32_t off, void *dst, uint32_t len)
{
	uint32_t first = r->size - off;

	if (first > len)
		first = len;
	memcpy(dst, r->data + off, first);
	memcpy((uint8_t *)dst + first, r->data, len - first);
	ring_compiler_barrier();
}

/* Copy @len bytes to data offset @off; returns the offset after them. */
static uint32_t ring_copy_to(struct hvtb_ring *r, uint32_t off, const void *src, uint32_t len)
{
	uint32_t first = r->size - off;

	if (first > len)
		first = len;
	memcpy(r->data + off, src, first);
	memcpy(r->data, (const uint8_t *)src + first, len - first);
	return ring_advance(r, off, len);
}

int hvtb_ring_init(struct hvtb_ring *r, void *ring, size_t size, enum hvtb_ring_role role)
{
	uint32_t w, rd;

	if (!r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (!ring || ((uintptr_t)ring & 7) || size % RING_PAGE_SIZE ||
	    size < 2 * RING_PAGE_SIZE || size > HVTB_RING_MAX_SIZE ||
	    (role != HVTB_RING_HOST_READS && role != HVTB_RING_HOST_WRITES))
		return -EINVAL;
	r->hdr = ring;
	r->data = (uint8_t *)ring + HVTB_RING_HEADER_SIZE;
	r->size = (uint32_t)(size - HVTB_RING_HEADER_SIZE);
	r->role = role;

	w = ring_load_once(&r->hdr->write_index);
	rd = ring_load_once(&r->hdr->read_index);
	if (!ring_index_ok(r, w) || !ring_index_ok(r, rd)) {
		r->hdr = NULL;	/* the view stays unusable: every call says -EINVAL */
		return -EPROTO;
	}
	r->priv = role == HVTB_RING_HOST_READS ? rd : w;
	r->start = r->priv;
	r->guest_read = rd;
	return 0;
}

static inline bool ring_is(const struct hvtb_ring *r, enum hvtb_ring_role role)
{
	return r && r->hdr && r->role == role;
}

/*
 * Reader: the guest's write_index, once. It must lie in the data area and
 * not inside what the host consumed since its last commit (the guest
 * cannot have written there: it still sees those bytes as unread).
 */
static int reader_load_write(const struct hvtb_ring *r, uint32_t *w)
{
	uint32_t v = ring_load_acquire(&r->hdr->write_index);

	if (!ring_index_ok(r, v) ||
	    ring_dist(v, r->start, r->size) < ring_dist(r->priv, r->start, r->size))
		return -EPROTO;
	*w = v;
	return 0;
}

/* The descriptor at the read position, copied and checked; *len = len8 * 8. */
static int reader_next(const struct hvtb_ring *r, struct hvtb_ring_desc *d, uint32_t *len)
{
	uint32_t w, avail, plen, off;
	int err;

	err = reader_load_write(r, &w);
	if (err)
		return err;
	avail = ring_dist(w, r->priv, r->size);
	if (!avail)
		return -EAGAIN;
	if (avail < RING_DESC_SIZE + HVTB_RING_TRAILER)
		return -EBADMSG;
	ring_copy_from(r, r->priv, d, RING_DESC_SIZE);
	plen = (uint32_t)d->len8 * 8;
	off = (uint32_t)d->offset8 * 8;
	if (plen < RING_DESC_SIZE || off < RING_DESC_SIZE || off > plen ||
	    plen > avail - HVTB_RING_TRAILER)
		return -EBADMSG;
	*len = plen;
	return 0;
}

int hvtb_ring_peek(struct hvtb_ring *r, void *buf, uint32_t buflen, struct hvtb_ring_pkt *pkt)
{
	struct hvtb_ring_desc d;
	uint32_t len;
	int err;

	if (!ring_is(r, HVTB_RING_HOST_READS) || !pkt || (!buf && buflen))
		return -EINVAL;
	memset(pkt, 0, sizeof(*pkt));
	r->peeked = 0;
	err = reader_next(r, &d, &len);
	if (err)
		return err;
	pkt->type = d.type;
	pkt->flags = d.flags;
	pkt->len = len;
	pkt->offset = (uint32_t)d.offset8 * 8;
	pkt->trans_id = d.trans_id;
	r->peeked = len + HVTB_RING_TRAILER;
	if (len > buflen)
		return -EMSGSIZE;

	/* The checked descriptor, then the rest: the descriptor is not fetched twice. */
	memcpy(buf, &d, RING_DESC_SIZE);
	ring_copy_from(r, ring_advance(r, r->priv, RING_DESC_SIZE),
		       (uint8_t *)buf + RING_DESC_SIZE, len - RING_DESC_SIZE);
	pkt->raw = buf;
	pkt->data = pkt->raw + pkt->offset;
	pkt->data_len = len - pkt->offset;
	return 0;
}

int hvtb_ring_skip(struct hvtb_ring *r)
{
	struct hvtb_ring_desc d;
	uint32_t len;
	int err;

	if (!ring_is(r, HVTB_RING_HOST_READS))
		return -EINVAL;
	if (!r->peeked) {
		err = reader_next(r, &d, &len);
		if (err)
			return err;
		r->peeked = len + HVTB_RING_TRAILER;
	}
	/* Checked against the bytes available when it was peeked. */
	r->priv = ring_advance(r, r->priv, r->peeked);
	r->packets++;
	r->bytes += r->peeked;
	r->peeked = 0;
	return 0;
}

int hvtb_ring_read(struct hvtb_ring *r, void *buf, uint32_t buflen, struct hvtb_ring_pkt *pkt)
{
	int err = hvtb_ring_peek(r, buf, buflen, pkt);

	return err ? err : hvtb_ring_skip(r);
}

int hvtb_ring_read_commit(struct hvtb_ring *r, bool *signal)
{
	uint32_t bytes_read, pending, w, free_now, free_before;

	if (!ring_is(r, HVTB_RING_HOST_READS) || !signal)
		return -EINVAL;
	*signal = false;
	bytes_read = ring_dist(r->priv, r->start, r->size);
	if (!bytes_read)
		return 0;
	/* Our copies of the packets are done before the guest may reuse their bytes. */
	ring_store_release(&r->hdr->read_index, r->priv);
	r->start = r->priv;

	/*
	 * read_index is visible before pending_send_sz is loaded: a guest
	 * that sets it after this load sees the new read_index (and the room).
	 */
	ring_mb();
	pending = ring_load_once(&r->hdr->pending_send_sz);
	if (!pending)
		return 0;
	if (reader_load_write(r, &w))
		return -EPROTO;
	free_now = r->size - ring_dist(w, r->priv, r->size);
	free_before = free_now > bytes_read ? free_now - bytes_read : 0;
	/* Signal the transition "not enough room" -> "enough" only (hv_pkt_iter_close). */
	*signal = free_before <= pending && free_now > pending;
	return 0;
}

void hvtb_ring_begin_drain(struct hvtb_ring *r)
{
	if (!ring_is(r, HVTB_RING_HOST_READS))
		return;
	ring_store_once(&r->hdr->interrupt_mask, 1);
	/* The mask is visible before the packets are looked at. */
	ring_mb();
}

int hvtb_ring_pending(struct hvtb_ring *r)
{
	uint32_t w;
	int err;

	if (!ring_is(r, HVTB_RING_HOST_READS))
		return -EINVAL;
	err = reader_load_write(r, &w);
	if (err)
		return err;
	return w != r->priv;
}

int hvtb_ring_end_drain(struct hvtb_ring *r)
{
	if (!ring_is(r, HVTB_RING_HOST_READS))
		return -EINVAL;
	ring_store_once(&r->hdr->interrupt_mask, 0);
	/*
	 * The cleared mask is visible before write_index is loaded again: a
	 * guest that wrote while the mask was set did not signal, so its
	 * packets are found here.
	 */
	ring_mb();
	return hvtb_ring_pending(r);
}

/*
 * Writer: the guest's read_index, once. It must lie in the data area and
 * move only forward from where it was last seen, at most up to the
 * write_index the host published.
 */
static int writer_load_read(struct hvtb_ring *r, uint32_t *rd)
{
	uint32_t v = ring_load_acquire(&r->hdr->read_index);

	if (!ring_index_ok(r, v) ||
	    ring_dist(v, r->guest_read, r->size) > ring_dist(r->start, r->guest_read, r->size))
		return -EPROTO;
	r->guest_read = v;
	*rd = v;
	return 0;
}

uint32_t hvtb_ring_put_size(uint32_t hdr_len, uint32_t data_len)
{
	uint64_t len = (uint64_t)RING_DESC_SIZE + hdr_len + data_len;

	len = (len + 7) & ~7ull;
	len += HVTB_RING_TRAILER;
	return len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
}

/* Checks the gather list; *data_len = its total. */
static int writer_check_iov(const struct hvtb_ring_iov *iov, unsigned int iovcnt,
			    uint32_t *data_len)
{
	uint64_t total = 0;
	unsigned int i;

	if (iovcnt && !iov)
		return -EINVAL;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].len && !iov[i].base)
			return -EINVAL;
		total += iov[i].len;
		if (total > RING_MAX_PKT_LEN)
			return -EINVAL;
	}
	*data_len = (uint32_t)total;
	return 0;
}

int hvtb_ring_putv(struct hvtb_ring *r, uint16_t type, uint16_t flags, uint64_t trans_id,
		   const void *hdr, uint32_t hdr_len,
		   const struct hvtb_ring_iov *iov, unsigned int iovcnt)
{
	static const uint8_t zeros[8];
	struct hvtb_ring_desc d;
	uint32_t data_len, need, plen, unpadded, rd, pos;
	uint64_t trailer;
	unsigned int i;
	int err;

	if (!ring_is(r, HVTB_RING_HOST_WRITES) || (hdr_len & 7) ||
	    hdr_len > RING_MAX_PKT_LEN || (hdr_len && !hdr))
		return -EINVAL;
	err = writer_check_iov(iov, iovcnt, &data_len);
	if (err)
		return err;
	need = hvtb_ring_put_size(hdr_len, data_len);
	plen = need - HVTB_RING_TRAILER;
	/* len8 is 16 bits; a packet the ring can never hold is no -EAGAIN. */
	if (plen > RING_MAX_PKT_LEN || need >= r->size)
		return -EINVAL;

	err = writer_load_read(r, &rd);
	if (err)
		return err;
	/* Never fill completely: read == write means empty. */
	if (r->size - ring_dist(r->priv, rd, r->size) <= need) {
		r->full++;
		return -EAGAIN;
	}

	d.type = type;
	d.offset8 = (uint16_t)((RING_DESC_SIZE + hdr_len) / 8);
	d.len8 = (uint16_t)(plen / 8);
	d.flags = flags;
	d.trans_id = trans_id;
	pos = ring_copy_to(r, r->priv, &d, RING_DESC_SIZE);
	if (hdr_len)
		pos = ring_copy_to(r, pos, hdr, hdr_len);
	for (i = 0; i < iovcnt; i++)
		if (iov[i].len)
			pos = ring_copy_to(r, pos, iov[i].base, iov[i].len);
	unpadded = RING_DESC_SIZE + hdr_len + data_len;
	pos = ring_copy_to(r, pos, zeros, plen - unpadded);
	/* The trailer: this packet's start in the upper half, as Linux writes it. */
	trailer = (uint64_t)r->priv << 32;
	ring_copy_to(r, pos, &trailer, sizeof(trailer));
	r->priv = ring_advance(r, r->priv, need);
	r->packets++;
	r->bytes += need;
	return 0;
}

int hvtb_ring_put_inband(struct hvtb_ring *r, uint16_t flags, uint64_t trans_id,
			 const void *data, uint32_t len)
{
	struct hvtb_ring_iov iov = { .base = data, .len = len };

	return hvtb_ring_putv(r, HVTB_PKT_DATA_INBAND, flags, trans_id, NULL, 0, &iov, 1);
}

int hvtb_ring_put_comp(struct hvtb_ring *r, uint64_t trans_id, const void *data, uint32_t len)
{
	struct hvtb_ring_iov iov = { .base = data, .len = len };

	return hvtb_ring_putv(r, HVTB_PKT_COMP, 0, trans_id, NULL, 0, &iov, 1);
}

int hvtb_ring_write_commit(struct hvtb_ring *r, bool *signal)
{
	uint32_t old, rd;

	if (!ring_is(r, HVTB_RING_HOST_WRITES) || !signal)
		return -EINVAL;
	*signal = false;
	if (r->priv == r->start)
		return 0;
	old = r->start;
	/* The packets are in the ring before the guest sees write_index move. */
	ring_mb();
	ring_store_release(&r->hdr->write_index, r->priv);
	r->start = r->priv;

	/*
	 * write_index is visible before interrupt_mask and read_index are
	 * loaded (hv_signal_on_write): a guest that reads on after these
	 * loads finds the new packets itself.
	 */
	ring_mb();
	if (ring_load_acquire(&r->hdr->interrupt_mask))
		return 0;
	if (writer_load_read(r, &rd))
		return -EPROTO;
	/* Signal only on empty -> non-empty, as the guest saw the ring. */
	*signal = rd == old;
	return 0;
}

int hvtb_ring_want_space(struct hvtb_ring *r, uint32_t bytes)
{
	uint32_t rd;
	int err;

	if (!ring_is(r, HVTB_RING_HOST_WRITES) || bytes >= r->size)
		return -EINVAL;
	ring_store_once(&r->hdr->pending_send_sz, bytes);
	/* pending_send_sz is visible before read_index is loaded again. */
	ring_mb();
	if (!bytes)
		return 0;
	err = writer_load_read(r, &rd);
	if (err)
		return err;
	return r->size - ring_dist(r->priv, rd, r->size) > bytes;
}

int hvtb_ring_gpa_ranges(const struct hvtb_ring_pkt *pkt, struct hvtb_ring_gpa_range *ranges,
			 uint32_t max_ranges, uint32_t *nranges)
{
	uint32_t count, pos, end, i, bc, bo;
	uint64_t npfn;

	if (!nranges)
		return -EINVAL;
	*nranges = 0;
	if (!pkt || !pkt->raw || (max_ranges && !ranges) ||
	    pkt->type != HVTB_PKT_DATA_USING_GPA_DIRECT)
		return -EINVAL;
	end = pkt->offset;
	if (end < RING_GPA_RANGES_START || end > pkt->len)
		return -EBADMSG;
	memcpy(&count, pkt->raw + 20, sizeof(count));
	/* Each range takes at least 16 bytes: its header and one PFN. */
	if (!count || count > (end - RING_GPA_RANGES_START) / 16)
		return -EBADMSG;
	if (count > max_ranges) {
		*nranges = count;
		return -EMSGSIZE;
	}
	pos = RING_GPA_RANGES_START;
	for (i = 0; i < count; i++) {
		if (end - pos < 8)
			return -EBADMSG;
		memcpy(&bc, pkt->raw + pos, sizeof(bc));
		memcpy(&bo, pkt->raw + pos + 4, sizeof(bo));
		pos += 8;
		if (!bc || bo >= RING_PAGE_SIZE)
			return -EBADMSG;
		npfn = ((uint64_t)bo + bc + RING_PAGE_SIZE - 1) / RING_PAGE_SIZE;
		if (npfn > (end - pos) / 8)
			return -EBADMSG;
		ranges[i].byte_count = bc;
		ranges[i].byte_offset = bo;
		ranges[i].pfn_count = (uint32_t)npfn;
		ranges[i].pfns = pkt->raw + pos;
		pos += (uint32_t)npfn * 8;
	}
	*nranges = count;
	return 0;
}

/* --- the drain loop and the backlog ------------------------------------ */

int hvtb_ring_drain(struct hvtb_ring *r, void *buf, uint32_t buflen, uint32_t budget,
		    hvtb_ring_take_fn take, void *ctx, bool *signal)
{
	struct hvtb_ring_pkt pkt;
	uint32_t n = 0;
	bool sig, left;
	int ret;

	if (!ring_is(r, HVTB_RING_HOST_READS) || !take || !signal)
		return -EINVAL;
	if (!budget)
		budget = 1;
	for (;;) {
		left = false;
		hvtb_ring_begin_drain(r);
		for (; n < budget; n++) {
			ret = hvtb_ring_peek(r, buf, buflen, &pkt);
			if (ret == -EAGAIN)
				break;
			if (ret && ret != -EMSGSIZE)
				return ret;
			ret = take(ctx, &pkt, ret);
			if (ret < 0)
				return ret;
			if (ret == HVTB_RING_LEAVE) {
				left = true;
				break;
			}
			ret = hvtb_ring_skip(r);
			if (ret)
				return ret;
		}
		ret = hvtb_ring_read_commit(r, &sig);
		if (ret)
			return ret;
		if (sig)
			*signal = true;
		if (left)
			return HVTB_RING_LEFT;
		ret = hvtb_ring_end_drain(r);
		if (ret <= 0)
			return ret;	/* HVTB_RING_EMPTY or an error */
		if (n >= budget)
			return HVTB_RING_MORE;
	}
}

void hvtb_ring_backlog_init(struct hvtb_ring_backlog *b, struct hvtb_ring_backlog_ent *ent,
			    uint32_t cap)
{
	*b = (struct hvtb_ring_backlog){ .ent = ent, .cap = ent ? cap : 0 };
}

int hvtb_ring_backlog_flush(struct hvtb_ring *tx, struct hvtb_ring_backlog *b)
{
	const struct hvtb_ring_backlog_ent *e = NULL;
	int ret;

	if (!ring_is(tx, HVTB_RING_HOST_WRITES) || !b)
		return -EINVAL;
	for (;;) {
		while (b->count) {
			e = &b->ent[b->head];
			ret = hvtb_ring_put_comp(tx, e->trans_id, e->msg, e->len);
			if (ret == -EAGAIN)
				break;
			if (ret)
				return ret;
			b->head = (b->head + 1) % b->cap;
			b->count--;
		}
		if (!b->count) {
			if (!b->asked)
				return 0;
			b->asked = false;
			ret = hvtb_ring_want_space(tx, 0);
			return ret < 0 ? ret : 0;
		}
		/* Ask for the first one's room; it may have come meanwhile: put again. */
		b->asked = true;
		ret = hvtb_ring_want_space(tx, hvtb_ring_put_size(0, e->len));
		if (ret <= 0)
			return ret < 0 ? ret : 1;
	}
}

int hvtb_ring_comp(struct hvtb_ring *tx, struct hvtb_ring_backlog *b, uint64_t trans_id,
		   const void *msg, uint32_t len)
{
	struct hvtb_ring_backlog_ent *e;
	int ret;

	if (!b || len > HVTB_RING_BACKLOG_MSG || (len && !msg))
		return -EINVAL;
	if (!b->count) {
		ret = hvtb_ring_put_comp(tx, trans_id, msg, len);
		if (ret != -EAGAIN)
			return ret;
	}
	if (b->count == b->cap)
		return -ENOBUFS;
	e = &b->ent[(b->head + b->count) % b->cap];
	e->trans_id = trans_id;
	e->len = len;
	if (len)
		memcpy(e->msg, msg, len);
	b->count++;
	b->waited++;
	if (b->count > b->max_count)
		b->max_count = b->count;
	if (b->count > 1 && b->asked)
		return 0;	/* behind others: the guest signals for the first's room */
	/* The first to wait: ask for its room; it may have come meanwhile. */
	b->asked = true;
	ret = hvtb_ring_want_space(tx, hvtb_ring_put_size(0, len));
	if (ret == 1)
		ret = hvtb_ring_backlog_flush(tx, b);
	return ret < 0 ? ret : 0;
}

const char *hvtb_ring_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -EPROTO:
		return "EPROTO: corrupt ring index";
	case -EBADMSG:
		return "EBADMSG: corrupt ring packet";
	case -EAGAIN:
		return "EAGAIN: ring empty or full";
	case -EMSGSIZE:
		return "EMSGSIZE: buffer too small for the packet";
	case -EINVAL:
		return "EINVAL: bad argument";
	case -ENOBUFS:
		return "ENOBUFS: no room left to queue the completion";
	default:
		return "unknown ring error";
	}
}
