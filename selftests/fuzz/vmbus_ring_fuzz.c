// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_ring_fuzz - libFuzzer target (Debian's clang) for libhvtb's host
 * side of the VMBus rings (userspace/lib/vmbus_ring.c). The input is a
 * hostile guest: the four header fields of a ring the host reads and of a
 * ring it writes, then a stream of operations that interleave the host's
 * calls with the guest rewriting indices, header fields and ring bytes at
 * will (and, to reach deeper states, writing and reading well-formed
 * packets the way Linux does).
 *
 * Checked after every step: every call returns one of its documented
 * errors; a packet handed out lies inside the caller's buffer, with sane
 * lengths; GPA-direct ranges point inside the packet copy; the host's
 * published indices are valid; reading never writes the data area nor any
 * header byte but read_index and interrupt_mask; writing never touches
 * published, unread packets nor any header byte but write_index and
 * pending_send_sz. Rings and buffers are heap blocks of the exact size, so
 * ASan catches any access outside them.
 *
 *   make -C selftests fuzz && build/user/selftests/vmbus_ring_fuzz -max_total_time=60
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/lib/vmbus_ring.h"
#include "fuzz_input.h"

#define RING_SIZE	(2 * HVTB_RING_HEADER_SIZE)
#define DSIZE		(RING_SIZE - HVTB_RING_HEADER_SIZE)
#define MAX_OPS		256


static bool one_of(int err, int a, int b, int c, int d, int e)
{
	return err == a || err == b || err == c || err == d || err == e;
}

static uint32_t dist(uint32_t to, uint32_t from)
{
	return to >= from ? to - from : DSIZE - from + to;
}

/* Header bytes other than the two fields at @a and @b unchanged (@shadow is scratch). */
static bool header_same(const uint8_t *ring, uint8_t *shadow, unsigned int a, unsigned int b)
{
	memcpy(shadow + a, ring + a, 4);
	memcpy(shadow + b, ring + b, 4);
	return !memcmp(ring, shadow, HVTB_RING_HEADER_SIZE);
}

static void check_pkt(const struct hvtb_ring_pkt *p, const uint8_t *buf, uint32_t buflen)
{
	struct hvtb_ring_gpa_range g[8];
	uint32_t n, i;
	int err;

	check(p->raw == buf && p->len <= buflen && p->len >= 16 && !(p->len & 7));
	check(p->offset >= 16 && p->offset <= p->len && !(p->offset & 7));
	check(p->data == p->raw + p->offset && p->data_len == p->len - p->offset);
	if (p->type != HVTB_PKT_DATA_USING_GPA_DIRECT) {
		check(hvtb_ring_gpa_ranges(p, g, 8, &n) == -EINVAL);
		return;
	}
	err = hvtb_ring_gpa_ranges(p, g, 8, &n);
	check(one_of(err, 0, -EBADMSG, -EMSGSIZE, 0, 0));
	if (err == -EMSGSIZE)
		check(n > 8);
	if (err)
		return;
	check(n >= 1 && n <= 8);
	for (i = 0; i < n; i++) {
		check(g[i].byte_count && g[i].byte_offset < 4096 && g[i].pfn_count);
		check(g[i].pfns >= p->raw + 24 &&
		      g[i].pfns + (size_t)g[i].pfn_count * 8 <= p->raw + p->offset);
		(void)hvtb_ring_gpa_pfn(&g[i], g[i].pfn_count - 1);
	}
}

/* GPA-direct ranges as storvsc/netvsc lay them out, shaped by @len; returns the data offset. */
static uint32_t gpa_ranges(uint8_t *pkt, uint32_t len)
{
	uint32_t n = 1 + len % 3, pos = 24, i, j, bc, bo, npfn;
	uint64_t pfn;

	memcpy(pkt + 20, &n, 4);
	for (i = 0; i < n; i++) {
		bo = (len * 37 + i) % 4096;
		bc = 1 + (len * 53 + i) % 9000;
		npfn = (bo + bc + 4095) / 4096;
		memcpy(pkt + pos, &bc, 4);
		memcpy(pkt + pos + 4, &bo, 4);
		pos += 8;
		for (j = 0; j < npfn; j++, pos += 8) {
			pfn = 0x100 * i + j;
			memcpy(pkt + pos, &pfn, 8);
		}
	}
	return pos;
}

/*
 * The guest writes a packet as hv_ringbuffer_write does, its offset8 and
 * len8 then off by the signed nibbles of @tweak (0: well-formed).
 */
static void guest_write(uint8_t *ring, uint32_t len, uint16_t type, uint8_t tweak)
{
	struct hvtb_ring_header *h = (struct hvtb_ring_header *)ring;
	uint32_t w = h->write_index % DSIZE & ~7u, off = 16, plen, i;
	uint8_t *d = ring + HVTB_RING_HEADER_SIZE;
	uint8_t pkt[16 + 600 + 8] = { 0 };
	uint16_t v;

	if (type == HVTB_PKT_DATA_USING_GPA_DIRECT) {
		off = gpa_ranges(pkt, len);
		len = len % 64;
	}
	plen = (off + len + 7) & ~7u;
	v = type;
	memcpy(pkt, &v, 2);
	v = (uint16_t)(off / 8 + ((int8_t)(tweak << 4) >> 4));
	memcpy(pkt + 2, &v, 2);
	v = (uint16_t)(plen / 8 + ((int8_t)tweak >> 4));
	memcpy(pkt + 4, &v, 2);
	for (i = 0; i < plen + 8; i++)
		d[(w + i) % DSIZE] = pkt[i];
	h->write_index = (w + plen + 8) % DSIZE;
}

/* The guest reads everything the host published, as hv_pkt_iter_close does. */
static void guest_read_all(uint8_t *ring)
{
	struct hvtb_ring_header *h = (struct hvtb_ring_header *)ring;

	h->read_index = h->write_index;
}

/* hvtb_ring_drain()'s callback: the input says take, leave or fail. */
struct fuzz_take {
	struct input *in;
	const uint8_t *buf;
	uint32_t buflen;
};

static int fuzz_take_cb(void *ctx, const struct hvtb_ring_pkt *p, int err)
{
	struct fuzz_take *t = ctx;

	check(err == 0 || err == -EMSGSIZE);
	if (!err)
		check_pkt(p, t->buf, t->buflen);
	else
		check(p->len > t->buflen);
	switch (take(t->in, 1) % 8) {
	case 0:
		return HVTB_RING_LEAVE;
	case 1:
		return -EPIPE;
	default:
		return HVTB_RING_TAKEN;
	}
}

/* Completions waiting for room in the host-to-guest ring (one input's). */
static struct hvtb_ring_backlog fz_backlog;
static struct hvtb_ring_backlog_ent fz_backlog_ent[8];

static void host_read_op(struct hvtb_ring *r, unsigned int op, struct input *in)
{
	const struct hvtb_ring_header *h = r->hdr;
	uint32_t buflen, at = r->priv;
	struct hvtb_ring_pkt p;
	uint8_t *buf;
	bool sig;
	int err;

	switch (op) {
	case 0:
	case 1:
		buflen = take(in, 2) % 700;
		buf = malloc(buflen ? buflen : 1);
		check(buf != NULL);
		err = op ? hvtb_ring_read(r, buf, buflen, &p) : hvtb_ring_peek(r, buf, buflen, &p);
		check(one_of(err, 0, -EAGAIN, -EMSGSIZE, -EPROTO, -EBADMSG));
		if (!err) {
			check_pkt(&p, buf, buflen);
			/* Within what the guest wrote (the guest does not run meanwhile). */
			check(p.len + HVTB_RING_TRAILER <= dist(h->write_index, at));
		}
		if (err == -EMSGSIZE)
			check(p.len > buflen && p.raw == NULL);
		free(buf);
		break;
	case 2:
		err = hvtb_ring_skip(r);
		check(one_of(err, 0, -EAGAIN, -EPROTO, -EBADMSG, 0));
		break;
	case 3:
		err = hvtb_ring_read_commit(r, &sig);
		check(one_of(err, 0, -EPROTO, 0, 0, 0));
		check(!err || !sig);
		break;
	case 4:
		hvtb_ring_begin_drain(r);
		break;
	default:
		if (!(take(in, 1) & 1)) {
			err = hvtb_ring_end_drain(r);
			check(one_of(err, 0, 1, -EPROTO, 0, 0));
			break;
		}
		buflen = take(in, 2) % 700;
		buf = malloc(buflen ? buflen : 1);
		check(buf != NULL);
		{
			struct fuzz_take t = { in, buf, buflen };

			sig = false;
			err = hvtb_ring_drain(r, buf, buflen, take(in, 1) % 16, fuzz_take_cb, &t,
					      &sig);
		}
		check(one_of(err, HVTB_RING_EMPTY, HVTB_RING_MORE, HVTB_RING_LEFT, -EPROTO,
			     -EBADMSG) || err == -EPIPE);
		free(buf);
		break;
	}
	check(r->priv < DSIZE && !(r->priv & 7));
}

static void host_write_op(struct hvtb_ring *r, unsigned int op, struct input *in)
{
	static const uint8_t body[600];
	struct hvtb_ring_iov iov[2];
	uint64_t xhdr[2] = { 0 };
	uint32_t len = take(in, 2), hlen;
	bool sig;
	int err;

	switch (op) {
	case 0:
		err = hvtb_ring_put_inband(r, 1, len, body, len % 600);
		break;
	case 1:
		err = hvtb_ring_put_comp(r, len, body, len % 80);
		break;
	case 2:
		hlen = (len >> 12) & 8;
		iov[0] = (struct hvtb_ring_iov){ body, len % 100 };
		iov[1] = (struct hvtb_ring_iov){ body, (len >> 8) % 50 };
		err = hvtb_ring_putv(r, 7, 1, len, hlen ? xhdr : NULL, hlen, iov, 2);
		break;
	case 3:
		err = hvtb_ring_write_commit(r, &sig);
		check(one_of(err, 0, -EPROTO, 0, 0, 0));
		check(!err || !sig);
		return;
	case 4:
		err = hvtb_ring_want_space(r, len % (DSIZE + 16));
		check(one_of(err, 0, 1, -EPROTO, -EINVAL, 0));
		check(err != -EINVAL || len % (DSIZE + 16) >= DSIZE);
		return;
	default:
		if (len & 1) {
			err = hvtb_ring_backlog_flush(r, &fz_backlog);
			check(one_of(err, 0, 1, -EPROTO, 0, 0));
			check(err != 0 || fz_backlog.count == 0);
			return;
		}
		err = hvtb_ring_comp(r, &fz_backlog, len, body, (len >> 1) % 72);
		check(one_of(err, 0, -ENOBUFS, -EINVAL, -EPROTO, 0));
		check(err != -EINVAL || (len >> 1) % 72 > HVTB_RING_BACKLOG_MSG);
		check(fz_backlog.count <= fz_backlog.cap);
		return;
	}
	check(one_of(err, 0, -EAGAIN, -EPROTO, 0, 0));
}

/* Published, unread bytes [read_index, start) survive a put. */
static void check_put(const struct hvtb_ring *r, const uint8_t *ring, const uint8_t *before,
		      uint32_t rd)
{
	const uint8_t *d = ring + HVTB_RING_HEADER_SIZE;
	uint32_t n, first;

	if (rd >= DSIZE || (rd & 7) ||
	    dist(rd, r->guest_read) > dist(r->start, r->guest_read))
		return;		/* a corrupt read_index: the put refused */
	n = dist(r->start, rd);
	first = n < DSIZE - rd ? n : DSIZE - rd;
	check(!memcmp(d + rd, before + rd, first));
	check(!memcmp(d, before, n - first));
}

static void fuzz_ops(struct hvtb_ring *rd, uint8_t *rring, struct hvtb_ring *wr, uint8_t *wring,
		     struct input *in)
{
	uint8_t *shadow = malloc(RING_SIZE), *before = malloc(DSIZE);
	struct hvtb_ring_header *rh = (struct hvtb_ring_header *)rring;
	struct hvtb_ring_header *wh = (struct hvtb_ring_header *)wring;
	unsigned int ops, op, i, n;
	uint32_t off, read_idx, old;

	check(shadow && before);
	for (ops = 0; ops < MAX_OPS && in->left; ops++) {
		op = take(in, 1);
		switch (op % 16) {
		case 0 ... 5:		/* the host reads */
			memcpy(shadow, rring, RING_SIZE);
			host_read_op(rd, op % 16, in);
			check(!memcmp(shadow + HVTB_RING_HEADER_SIZE,
				      rring + HVTB_RING_HEADER_SIZE, DSIZE));
			memcpy(&old, shadow + 4, 4);
			check(rh->read_index == old || rh->read_index == rd->start);
			check(rh->interrupt_mask <= 1 || !memcmp(shadow + 8, rring + 8, 4));
			check(header_same(rring, shadow, 4, 8));
			break;
		case 6 ... 10:		/* the host writes (op 10: the backlog too) */
			memcpy(shadow, wring, RING_SIZE);
			memcpy(before, wring + HVTB_RING_HEADER_SIZE, DSIZE);
			read_idx = wh->read_index;
			host_write_op(wr, op % 16 - 6 + (op & 0x80 ? 1 : 0), in);
			memcpy(&old, shadow, 4);
			check(wh->write_index == old || wh->write_index == wr->start);
			check(header_same(wring, shadow, 0, 12));
			check_put(wr, wring, before, read_idx);
			check(wr->priv < DSIZE && !(wr->priv & 7));
			break;
		case 11:		/* the guest sets a header field of either ring */
			off = take(in, 1);
			*(uint32_t *)((off & 0x80 ? wring : rring) + (off & 0xc)) = take(in, 4);
			break;
		case 12:		/* the guest scribbles over ring bytes */
			off = take(in, 2) % DSIZE;
			n = take(in, 1) % 32;
			for (i = 0; i < n; i++)
				rring[HVTB_RING_HEADER_SIZE + (off + i) % DSIZE] = (uint8_t)take(in, 1);
			break;
		case 13:		/* a well-formed guest packet */
			off = take(in, 3);
			guest_write(rring, (off & 0x7fff) % 600, off & 0x8000 ?
				    HVTB_PKT_DATA_USING_GPA_DIRECT : HVTB_PKT_DATA_INBAND,
				    (uint8_t)(off >> 16));
			break;
		case 14:		/* the guest reads all the host published */
			guest_read_all(wring);
			break;
		default:		/* a host that restarts: a new view of the same rings */
			if (hvtb_ring_init(rd, rring, RING_SIZE, HVTB_RING_HOST_READS) ||
			    hvtb_ring_init(wr, wring, RING_SIZE, HVTB_RING_HOST_WRITES))
				goto out;
			hvtb_ring_backlog_reset(&fz_backlog);
			break;
		}
	}
out:
	free(shadow);
	free(before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct hvtb_ring rd, wr;
	uint8_t *rring, *wring;
	unsigned int i;
	int err1, err2;
	uint32_t v;

	rring = calloc(1, RING_SIZE);
	wring = calloc(1, RING_SIZE);
	check(rring && wring);
	for (i = 0; i < 16; i += 4) {
		v = take(&in, 4);
		memcpy(rring + i, &v, 4);
	}
	for (i = 0; i < 16; i += 4) {
		v = take(&in, 4);
		memcpy(wring + i, &v, 4);
	}
	hvtb_ring_backlog_init(&fz_backlog, fz_backlog_ent, 8);
	err1 = hvtb_ring_init(&rd, rring, RING_SIZE, HVTB_RING_HOST_READS);
	err2 = hvtb_ring_init(&wr, wring, RING_SIZE, HVTB_RING_HOST_WRITES);
	check(one_of(err1, 0, -EPROTO, 0, 0, 0) && one_of(err2, 0, -EPROTO, 0, 0, 0));
	if (!err1 && !err2)
		fuzz_ops(&rd, rring, &wr, wring, &in);
	free(rring);
	free(wring);
	return 0;
}
