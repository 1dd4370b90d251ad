// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_ring_test - libhvtb's host side of a VMBus ring
 * (userspace/lib/vmbus_ring.c) on the build host, against a small guest
 * side written here the way Linux 6.1's drivers/hv/ring_buffer.c reads and
 * writes (hv_ringbuffer_write, hv_signal_on_write, hv_pkt_iter_first/_next/
 * _close): round trips both ways, wrap-around at the end of the data area,
 * a full ring, the pending_send_sz and interrupt_mask signalling rules,
 * batching, the drain recheck, and every corrupt index and packet with its
 * error. Each ring sits between two PROT_NONE guard pages, so an access
 * outside it kills the test; header and caller-buffer canaries catch
 * stray writes inside.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "../../userspace/lib/vmbus_ring.h"

#define PAGE		4096u
#define DESC		16u

/* One ring in its own mapping: guard page, header, data, guard page. */
struct tring {
	uint8_t *map;
	size_t maplen;
	struct hvtb_ring_header *hdr;
	uint8_t *data;
	uint32_t dsize;
	uint32_t guest_priv;	/* the guest reader's private index (priv_read_index) */
	unsigned int signals;	/* signals the guest sent the host */
};

static int tring_alloc(struct tring *t, uint32_t size)
{
	memset(t, 0, sizeof(*t));
	t->maplen = size + 2 * PAGE;
	t->map = mmap(NULL, t->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->map == MAP_FAILED)
		return -1;
	if (mprotect(t->map, PAGE, PROT_NONE) || mprotect(t->map + PAGE + size, PAGE, PROT_NONE))
		return -1;
	t->hdr = (struct hvtb_ring_header *)(t->map + PAGE);
	t->data = t->map + 2 * PAGE;
	t->dsize = size - PAGE;
	/* As hv_ringbuffer_init leaves it; the reserved bytes are canaries. */
	memset(t->hdr, 0xa5, PAGE);
	t->hdr->write_index = 0;
	t->hdr->read_index = 0;
	t->hdr->interrupt_mask = 0;
	t->hdr->pending_send_sz = 0;
	t->hdr->feature_bits = 1;
	return 0;
}

static void tring_free(struct tring *t)
{
	munmap(t->map, t->maplen);
}

/* Place both indices at @idx (an empty ring), e.g. near the end of the data area. */
static void tring_set_empty_at(struct tring *t, uint32_t idx)
{
	t->hdr->write_index = idx;
	t->hdr->read_index = idx;
	t->guest_priv = idx;
}

static bool hdr_canaries_ok(const struct tring *t)
{
	const uint8_t *h = (const uint8_t *)t->hdr;
	unsigned int i;

	for (i = 16; i < PAGE; i++)
		if (i < 64 || i >= 68)
			if (h[i] != 0xa5)
				return false;
	return true;
}

static void g_copy_to(struct tring *t, uint32_t off, const void *src, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		t->data[(off + i) % t->dsize] = ((const uint8_t *)src)[i];
}

static void g_copy_from(const struct tring *t, uint32_t off, void *dst, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		((uint8_t *)dst)[i] = t->data[(off + i) % t->dsize];
}

/* hv_get_bytes_to_write(): free space as the writer computes it. */
static uint32_t g_bytes_to_write(const struct tring *t, uint32_t w, uint32_t r)
{
	return w >= r ? t->dsize - (w - r) : r - w;
}

/*
 * hv_ringbuffer_write() + hv_signal_on_write(): @pkt is a whole packet,
 * descriptor first, a multiple of 8 bytes.
 */
static int guest_write_raw(struct tring *t, const void *pkt, uint32_t len)
{
	uint32_t old = t->hdr->write_index, total = len + 8;
	uint64_t prev = (uint64_t)old << 32;

	if (g_bytes_to_write(t, old, __atomic_load_n(&t->hdr->read_index, __ATOMIC_RELAXED)) <= total)
		return -EAGAIN;
	g_copy_to(t, old, pkt, len);
	g_copy_to(t, (old + len) % t->dsize, &prev, 8);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->hdr->write_index = (old + total) % t->dsize;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!t->hdr->interrupt_mask && old == t->hdr->read_index)
		__atomic_add_fetch(&t->signals, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/* vmbus_sendpacket(): descriptor (offset8 2), body, zero padding. */
static int guest_write(struct tring *t, uint16_t type, uint16_t flags, uint64_t id,
		       const void *body, uint32_t len)
{
	uint8_t pkt[8192] = { 0 };
	struct hvtb_ring_desc d = {
		.type = type, .offset8 = 2, .len8 = (DESC + len + 7) / 8,
		.flags = flags, .trans_id = id,
	};

	memcpy(pkt, &d, DESC);
	memcpy(pkt + DESC, body, len);
	return guest_write_raw(t, pkt, d.len8 * 8);
}

/* hv_pkt_iter_first(): the next packet into @buf (len8 * 8 bytes), or 0. */
static uint32_t guest_read(struct tring *t, void *buf, uint32_t buflen)
{
	uint32_t w = __atomic_load_n(&t->hdr->write_index, __ATOMIC_ACQUIRE);
	uint32_t avail = w >= t->guest_priv ? w - t->guest_priv : t->dsize - t->guest_priv + w;
	struct hvtb_ring_desc d;

	if (avail < DESC)
		return 0;
	g_copy_from(t, t->guest_priv, &d, DESC);
	if (d.len8 * 8u > buflen || d.len8 * 8u > avail)
		return 0;
	g_copy_from(t, t->guest_priv, buf, d.len8 * 8);
	/* __hv_pkt_iter_next() */
	t->guest_priv = (t->guest_priv + d.len8 * 8 + 8) % t->dsize;
	return d.len8 * 8;
}

/* hv_pkt_iter_close(): publish read_index; signal per pending_send_sz. */
static void guest_close(struct tring *t)
{
	uint32_t start = t->hdr->read_index, pending, cur, bytes_read;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->hdr->read_index = t->guest_priv;
	if (!(t->hdr->feature_bits & 1))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pending = t->hdr->pending_send_sz;
	if (!pending)
		return;
	cur = g_bytes_to_write(t, t->hdr->write_index, t->hdr->read_index);
	bytes_read = t->guest_priv >= start ? t->guest_priv - start : t->dsize - start + t->guest_priv;
	if (cur - bytes_read > pending)
		return;
	if (cur <= pending)
		return;
	__atomic_add_fetch(&t->signals, 1, __ATOMIC_SEQ_CST);
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

static bool check_fill(const uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed * 31 + i * 7 + 1))
			return false;
	return true;
}

TEST(init_refusals)
{
	struct hvtb_ring r;
	struct tring t;
	bool sig;

	ASSERT_EQ(tring_alloc(&t, 4 * PAGE), 0);
	EXPECT_EQ(hvtb_ring_init(NULL, t.hdr, 4 * PAGE, HVTB_RING_HOST_READS), -EINVAL);
	EXPECT_EQ(hvtb_ring_init(&r, NULL, 4 * PAGE, HVTB_RING_HOST_READS), -EINVAL);
	EXPECT_EQ(hvtb_ring_init(&r, (uint8_t *)t.hdr + 4, 3 * PAGE, HVTB_RING_HOST_READS), -EINVAL);
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, PAGE, HVTB_RING_HOST_READS), -EINVAL);
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, 0, HVTB_RING_HOST_READS), -EINVAL);
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, 3 * PAGE + 8, HVTB_RING_HOST_READS), -EINVAL);
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, (size_t)HVTB_RING_MAX_SIZE + PAGE,
				 HVTB_RING_HOST_READS), -EINVAL);
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, (enum hvtb_ring_role)7), -EINVAL);
	/* A failed init leaves an inert view. */
	EXPECT_EQ(hvtb_ring_read_commit(&r, &sig), -EINVAL);

	/* Corrupt indices in the header: -EPROTO, and the view stays inert. */
	t.hdr->write_index = 4;
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, HVTB_RING_HOST_READS), -EPROTO);
	EXPECT_EQ(hvtb_ring_pending(&r), -EINVAL);
	t.hdr->write_index = 3 * PAGE;	/* == data size */
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, HVTB_RING_HOST_WRITES), -EPROTO);
	t.hdr->write_index = 0;
	t.hdr->read_index = 0xfffffff8;
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, HVTB_RING_HOST_WRITES), -EPROTO);
	t.hdr->read_index = 3 * PAGE - 8;
	EXPECT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, HVTB_RING_HOST_WRITES), 0);

	/* The wrong role: -EINVAL. */
	ASSERT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, HVTB_RING_HOST_READS), 0);
	EXPECT_EQ(hvtb_ring_put_comp(&r, 1, "x", 1), -EINVAL);
	EXPECT_EQ(hvtb_ring_write_commit(&r, &sig), -EINVAL);
	EXPECT_EQ(hvtb_ring_want_space(&r, 64), -EINVAL);
	ASSERT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, HVTB_RING_HOST_WRITES), 0);
	EXPECT_EQ(hvtb_ring_skip(&r), -EINVAL);
	EXPECT_EQ(hvtb_ring_end_drain(&r), -EINVAL);
	EXPECT_TRUE(hdr_canaries_ok(&t));
	tring_free(&t);
}

TEST(guest_to_host_round_trip)
{
	struct hvtb_ring_pkt p;
	struct hvtb_ring r;
	uint8_t body[300], buf[512];
	struct tring t;
	bool sig = true;
	int i;

	ASSERT_EQ(tring_alloc(&t, 4 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, HVTB_RING_HOST_READS), 0);
	EXPECT_EQ(hvtb_ring_peek(&r, buf, sizeof(buf), &p), -EAGAIN);
	EXPECT_EQ(hvtb_ring_pending(&r), 0);

	for (i = 0; i < 3; i++) {
		fill(body, 100 + i * 77, i);
		ASSERT_EQ(guest_write(&t, HVTB_PKT_DATA_INBAND, i == 1 ? 1 : 0, 0x1000 + i,
				      body, 100 + i * 77), 0);
	}
	EXPECT_EQ(t.signals, 1u);	/* empty -> non-empty once, mask 0 */
	EXPECT_EQ(hvtb_ring_pending(&r), 1);

	/* Peek does not consume: twice the same packet. */
	ASSERT_EQ(hvtb_ring_peek(&r, buf, sizeof(buf), &p), 0);
	ASSERT_EQ(hvtb_ring_peek(&r, buf, sizeof(buf), &p), 0);
	EXPECT_EQ(p.trans_id, 0x1000u);
	for (i = 0; i < 3; i++) {
		uint32_t len = 100 + i * 77;

		ASSERT_EQ(hvtb_ring_read(&r, buf, sizeof(buf), &p), 0);
		EXPECT_EQ(p.type, HVTB_PKT_DATA_INBAND);
		EXPECT_EQ(p.flags, i == 1 ? 1 : 0);
		EXPECT_EQ(p.trans_id, 0x1000u + i);
		EXPECT_EQ(p.offset, 16u);
		EXPECT_EQ(p.len, (DESC + len + 7) & ~7u);
		EXPECT_TRUE(p.raw == buf);
		EXPECT_TRUE(p.data == buf + 16);
		EXPECT_EQ(p.data_len, p.len - 16);
		EXPECT_TRUE(check_fill(p.data, len, i));
	}
	EXPECT_EQ(hvtb_ring_read(&r, buf, sizeof(buf), &p), -EAGAIN);
	/* Nothing is published before the commit. */
	EXPECT_EQ(t.hdr->read_index, 0u);
	ASSERT_EQ(hvtb_ring_read_commit(&r, &sig), 0);
	EXPECT_FALSE(sig);
	EXPECT_EQ(t.hdr->read_index, t.hdr->write_index);
	/* A second commit with nothing read changes nothing. */
	ASSERT_EQ(hvtb_ring_read_commit(&r, &sig), 0);
	EXPECT_FALSE(sig);
	EXPECT_TRUE(hdr_canaries_ok(&t));
	tring_free(&t);
}

TEST(host_to_guest_round_trip)
{
	struct hvtb_ring_desc d;
	struct hvtb_ring r;
	uint8_t body[200], buf[512];
	struct hvtb_ring_iov iov[3];
	struct tring t;
	uint64_t trailer, xfer[2] = { 0x11, 0x22 };
	uint32_t len, start;
	bool sig;

	ASSERT_EQ(tring_alloc(&t, 4 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&r, t.hdr, 4 * PAGE, HVTB_RING_HOST_WRITES), 0);
	fill(body, sizeof(body), 9);

	/* An inband packet of 61 bytes: len8 10, padded with zeros. */
	ASSERT_EQ(hvtb_ring_put_inband(&r, 1, 0xabcdef, body, 61), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&r, &sig), 0);
	EXPECT_TRUE(sig);
	EXPECT_EQ(t.hdr->write_index, 80u + 8);
	memset(buf, 0xee, sizeof(buf));
	len = guest_read(&t, buf, sizeof(buf));
	ASSERT_EQ(len, 80u);
	memcpy(&d, buf, DESC);
	EXPECT_EQ(d.type, HVTB_PKT_DATA_INBAND);
	EXPECT_EQ(d.offset8, 2);
	EXPECT_EQ(d.len8, 10);
	EXPECT_EQ(d.flags, 1);
	EXPECT_EQ(d.trans_id, 0xabcdefu);
	EXPECT_TRUE(check_fill(buf + 16, 61, 9));
	EXPECT_EQ(buf[77] | buf[78] | buf[79], 0);
	g_copy_from(&t, 80, &trailer, 8);
	EXPECT_EQ(trailer, 0u);		/* this packet's start (0) << 32 */
	guest_close(&t);

	/* A completion echoing the request's trans_id, trailer = start << 32. */
	start = t.hdr->write_index;
	ASSERT_EQ(hvtb_ring_put_comp(&r, 0xfffffffffffffffdull, body, 64), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&r, &sig), 0);
	EXPECT_TRUE(sig);
	ASSERT_EQ(guest_read(&t, buf, sizeof(buf)), 80u);
	memcpy(&d, buf, DESC);
	EXPECT_EQ(d.type, HVTB_PKT_COMP);
	EXPECT_EQ(d.flags, 0);
	EXPECT_EQ(d.len8, 10);		/* storvsc wants exactly 16 + 64 */
	EXPECT_EQ(d.trans_id, 0xfffffffffffffffdull);
	g_copy_from(&t, start + 80, &trailer, 8);
	EXPECT_EQ(trailer, (uint64_t)start << 32);
	guest_close(&t);

	/* Gathered, with a type header: data at 16 + 16. */
	iov[0] = (struct hvtb_ring_iov){ body, 10 };
	iov[1] = (struct hvtb_ring_iov){ NULL, 0 };
	iov[2] = (struct hvtb_ring_iov){ body + 10, 20 };
	ASSERT_EQ(hvtb_ring_putv(&r, HVTB_PKT_DATA_USING_XFER_PAGES, 1, 7, xfer, 16, iov, 3), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&r, &sig), 0);
	ASSERT_EQ(guest_read(&t, buf, sizeof(buf)), 64u);
	memcpy(&d, buf, DESC);
	EXPECT_EQ(d.offset8, 4);
	EXPECT_EQ(d.len8, 8);
	EXPECT_EQ(memcmp(buf + 16, xfer, 16), 0);
	EXPECT_TRUE(check_fill(buf + 32, 30, 9));
	EXPECT_EQ(buf[62] | buf[63], 0);
	EXPECT_EQ(hvtb_ring_put_size(16, 30), 72u);
	EXPECT_TRUE(hdr_canaries_ok(&t));
	tring_free(&t);
}

TEST(wrap_around)
{
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd, wr;
	struct tring in, out;
	uint8_t body[700], buf[1024];
	uint32_t i, len, wraps_r = 0, wraps_w = 0, last_r = 0, last_w = 0;
	bool sig;

	/* Two pages: 4 KiB of data, so packets wrap every few iterations. */
	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	ASSERT_EQ(tring_alloc(&in, 2 * PAGE), 0);
	/* Start 8 bytes before the end: the first descriptor is split. */
	tring_set_empty_at(&out, PAGE - 8);
	tring_set_empty_at(&in, PAGE - 8);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 2 * PAGE, HVTB_RING_HOST_WRITES), 0);

	for (i = 0; i < 2000; i++) {
		len = 1 + (i * 97) % 600;
		fill(body, len, i);
		/* Guest -> host. */
		ASSERT_EQ(guest_write(&out, 6, 0, i, body, len), 0);
		ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
		ASSERT_EQ(p.trans_id, i);
		ASSERT_TRUE(check_fill(p.data, len, i));
		ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
		if (out.hdr->read_index < last_r)
			wraps_r++;
		last_r = out.hdr->read_index;
		/* Host -> guest. */
		ASSERT_EQ(hvtb_ring_put_inband(&wr, 0, i, body, len), 0);
		ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
		ASSERT_TRUE(sig);
		ASSERT_EQ(guest_read(&in, buf, sizeof(buf)), (DESC + len + 7) & ~7u);
		ASSERT_TRUE(check_fill(buf + 16, len, i));
		ASSERT_EQ(((struct hvtb_ring_desc *)buf)->trans_id, i);
		guest_close(&in);
		if (in.hdr->write_index < last_w)
			wraps_w++;
		last_w = in.hdr->write_index;
	}
	EXPECT_GT(wraps_r, 100u);
	EXPECT_GT(wraps_w, 100u);
	EXPECT_TRUE(hdr_canaries_ok(&out));
	EXPECT_TRUE(hdr_canaries_ok(&in));
	tring_free(&out);
	tring_free(&in);
}

TEST(full_ring)
{
	struct hvtb_ring_pkt p;
	struct hvtb_ring wr, rd;
	struct tring in, out;
	uint8_t body[64] = { 0 }, buf[128];
	unsigned int n = 0, m = 0;
	bool sig;

	/* 4096 bytes of data, 88-byte packets (80 + trailer): 46 fit (46 * 88 = 4048). */
	ASSERT_EQ(tring_alloc(&in, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 2 * PAGE, HVTB_RING_HOST_WRITES), 0);
	while (hvtb_ring_put_comp(&wr, n, body, 64) == 0 && n < 1000)
		n++;
	EXPECT_EQ(n, 46u);
	EXPECT_EQ(hvtb_ring_put_comp(&wr, n, body, 64), -EAGAIN);
	/* Exactly filling is refused too: 48 bytes left, a 40-byte packet + trailer is 48. */
	EXPECT_EQ(hvtb_ring_put_comp(&wr, n, body, 24), -EAGAIN);
	EXPECT_EQ(hvtb_ring_put_comp(&wr, n, body, 16), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_TRUE(sig);
	/* The guest reads one: room for one more. */
	ASSERT_EQ(guest_read(&in, buf, sizeof(buf)), 80u);
	guest_close(&in);
	EXPECT_EQ(hvtb_ring_put_comp(&wr, 99, body, 64), 0);
	EXPECT_EQ(hvtb_ring_put_comp(&wr, 100, body, 64), -EAGAIN);
	/* A packet the ring can never hold is no -EAGAIN. */
	EXPECT_EQ(hvtb_ring_put_inband(&wr, 0, 0, body, 5000), -EINVAL);

	/* The guest fills its ring the same way; the host reads all it wrote. */
	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
	n = 0;
	while (guest_write(&out, 6, 0, n, body, 64) == 0 && n < 1000)
		n++;
	EXPECT_EQ(n, 46u);
	while (hvtb_ring_read(&rd, buf, sizeof(buf), &p) == 0) {
		EXPECT_EQ(p.trans_id, m);
		m++;
	}
	EXPECT_EQ(m, n);
	EXPECT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), -EAGAIN);
	EXPECT_TRUE(hdr_canaries_ok(&in));
	EXPECT_TRUE(hdr_canaries_ok(&out));
	tring_free(&in);
	tring_free(&out);
}

TEST(want_space_pending_send_sz)
{
	struct hvtb_ring wr;
	struct tring in;
	uint8_t body[64] = { 0 }, buf[128];
	uint32_t need = hvtb_ring_put_size(0, 64);
	unsigned int n = 0;
	bool sig;

	ASSERT_EQ(tring_alloc(&in, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 2 * PAGE, HVTB_RING_HOST_WRITES), 0);
	EXPECT_EQ(need, 88u);
	EXPECT_EQ(hvtb_ring_want_space(&wr, 2 * PAGE), -EINVAL);
	/* Room now: want_space says retry at once. */
	EXPECT_EQ(hvtb_ring_want_space(&wr, need), 1);
	EXPECT_EQ(in.hdr->pending_send_sz, need);
	EXPECT_EQ(hvtb_ring_want_space(&wr, 0), 0);
	EXPECT_EQ(in.hdr->pending_send_sz, 0u);

	while (hvtb_ring_put_comp(&wr, n, body, 64) == 0)
		n++;
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	/* Full (48 bytes left): ask for a signal at 88 bytes of room. */
	EXPECT_EQ(hvtb_ring_want_space(&wr, need), 0);
	EXPECT_EQ(in.hdr->pending_send_sz, need);
	/* The guest reads one packet: 136 > 88 free, crossing: it signals. */
	in.signals = 0;
	ASSERT_EQ(guest_read(&in, buf, sizeof(buf)), 80u);
	guest_close(&in);
	EXPECT_EQ(in.signals, 1u);
	/* Another read: already enough room before, no second signal. */
	ASSERT_EQ(guest_read(&in, buf, sizeof(buf)), 80u);
	guest_close(&in);
	EXPECT_EQ(in.signals, 1u);
	EXPECT_EQ(hvtb_ring_want_space(&wr, need), 1);
	EXPECT_EQ(hvtb_ring_put_comp(&wr, 1, body, 64), 0);
	EXPECT_TRUE(hdr_canaries_ok(&in));
	tring_free(&in);
}

TEST(read_commit_pending_send_sz)
{
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd;
	struct tring out;
	uint8_t body[64] = { 0 }, buf[128];
	unsigned int n = 0;
	bool sig;

	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
	while (guest_write(&out, 6, 0, n, body, 64) == 0)
		n++;
	/* 48 bytes free; the guest (hv_sock style) waits for 100. */
	out.hdr->pending_send_sz = 100;

	/* One packet read: 48 -> 136 free, crossing 100: signal. */
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
	EXPECT_TRUE(sig);
	/* Free was already > 100 before this read: no second signal. */
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
	EXPECT_FALSE(sig);

	/* A larger wish: 300 bytes. Two reads in one commit: 224 -> 400, crossing. */
	out.hdr->pending_send_sz = 300;
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
	EXPECT_TRUE(sig);
	/* 400 -> 488 with a 500 wish: still not enough, no signal. */
	out.hdr->pending_send_sz = 500;
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
	EXPECT_FALSE(sig);
	EXPECT_EQ(out.hdr->pending_send_sz, 500u);	/* the guest's field: not written */
	tring_free(&out);
}

TEST(write_signal_rules)
{
	struct hvtb_ring wr;
	struct tring in;
	uint8_t buf[128];
	bool sig;

	ASSERT_EQ(tring_alloc(&in, 4 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 4 * PAGE, HVTB_RING_HOST_WRITES), 0);
	/* Nothing put: no signal, write_index untouched. */
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_FALSE(sig);
	EXPECT_EQ(in.hdr->write_index, 0u);
	/* Empty -> non-empty, mask 0: signal. */
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 1, "a", 1), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_TRUE(sig);
	/* The guest has not read yet: not empty, no signal. */
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 2, "b", 1), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_FALSE(sig);
	/* The guest read one of two: still not empty. */
	ASSERT_EQ(guest_read(&in, buf, sizeof(buf)), 24u);
	guest_close(&in);
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 3, "c", 1), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_FALSE(sig);
	/* It drained all: empty again -> signal. */
	while (guest_read(&in, buf, sizeof(buf)))
		;
	guest_close(&in);
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 4, "d", 1), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_TRUE(sig);
	/* The guest is draining (interrupt_mask 1): never signal. */
	while (guest_read(&in, buf, sizeof(buf)))
		;
	guest_close(&in);
	in.hdr->interrupt_mask = 1;
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 5, "e", 1), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_FALSE(sig);
	EXPECT_EQ(in.hdr->interrupt_mask, 1u);	/* the guest's field: not written */
	tring_free(&in);
}

TEST(batching_one_signal)
{
	struct hvtb_ring wr;
	struct tring in;
	uint8_t buf[128];
	uint64_t id;
	unsigned int i, got = 0;
	bool sig;

	ASSERT_EQ(tring_alloc(&in, 4 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 4 * PAGE, HVTB_RING_HOST_WRITES), 0);
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(hvtb_ring_put_comp(&wr, 100 + i, &i, sizeof(i)), 0);
		/* Nothing visible to the guest before the commit. */
		EXPECT_EQ(in.hdr->write_index, 0u);
	}
	EXPECT_EQ(guest_read(&in, buf, sizeof(buf)), 0u);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_TRUE(sig);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_FALSE(sig);
	while (guest_read(&in, buf, sizeof(buf))) {
		memcpy(&id, buf + 8, 8);
		EXPECT_EQ(id, 100u + got);
		got++;
	}
	EXPECT_EQ(got, 5u);
	/* A batch after the guest's read of the whole ring: one signal again. */
	guest_close(&in);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(hvtb_ring_put_comp(&wr, i, &i, sizeof(i)), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_TRUE(sig);
	tring_free(&in);
}

TEST(drain_interrupt_mask)
{
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd;
	struct tring out;
	uint8_t buf[128];
	bool sig;

	ASSERT_EQ(tring_alloc(&out, 4 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 4 * PAGE, HVTB_RING_HOST_READS), 0);
	ASSERT_EQ(guest_write(&out, 6, 0, 1, "x", 1), 0);
	EXPECT_EQ(out.signals, 1u);

	hvtb_ring_begin_drain(&rd);
	EXPECT_EQ(out.hdr->interrupt_mask, 1u);
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	EXPECT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), -EAGAIN);
	ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
	/* The guest writes while the host drains: no signal (mask set)... */
	ASSERT_EQ(guest_write(&out, 6, 0, 2, "y", 1), 0);
	EXPECT_EQ(out.signals, 1u);
	/* ...so end_drain finds it: the lost wakeup is caught. */
	EXPECT_EQ(hvtb_ring_end_drain(&rd), 1);
	EXPECT_EQ(out.hdr->interrupt_mask, 0u);

	hvtb_ring_begin_drain(&rd);
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	EXPECT_EQ(p.trans_id, 2u);
	ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
	EXPECT_EQ(hvtb_ring_end_drain(&rd), 0);
	/* Idle (mask 0, ring empty): the guest's next write signals. */
	ASSERT_EQ(guest_write(&out, 6, 0, 3, "z", 1), 0);
	EXPECT_EQ(out.signals, 2u);
	EXPECT_TRUE(hdr_canaries_ok(&out));
	tring_free(&out);
}

/* hvtb_ring_drain(): a callback that takes @take_max packets, then leaves one, or fails. */
struct take_ctx {
	unsigned int seen, taken, too_big, take_max;
	int fail_at;		/* return -EPIPE on this packet (1-based), 0 never */
	uint64_t last_id;
};

static int take_cb(void *ctx, const struct hvtb_ring_pkt *pkt, int err)
{
	struct take_ctx *c = ctx;

	c->seen++;
	if (c->fail_at && c->seen == (unsigned int)c->fail_at)
		return -EPIPE;
	if (c->taken == c->take_max)
		return HVTB_RING_LEAVE;
	if (err == -EMSGSIZE)
		c->too_big++;
	c->taken++;
	c->last_id = pkt->trans_id;
	return HVTB_RING_TAKEN;
}

TEST(drain_loop)
{
	struct take_ctx c = { .take_max = 1000 };
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd;
	struct tring out;
	uint8_t body[200] = { 0 }, buf[64];
	bool sig = false;
	unsigned int i;

	ASSERT_EQ(tring_alloc(&out, 4 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 4 * PAGE, HVTB_RING_HOST_READS), 0);
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 8, NULL, &c, &sig), -EINVAL);
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 8, take_cb, &c, &sig), HVTB_RING_EMPTY);
	EXPECT_EQ(c.seen, 0u);

	/* Ten packets, one longer than the buffer: all shown, in order, the ring empty, mask clear. */
	for (i = 1; i <= 10; i++)
		ASSERT_EQ(guest_write(&out, 6, 0, i, body, i == 5 ? 200 : 8), 0);
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 64, take_cb, &c, &sig), HVTB_RING_EMPTY);
	EXPECT_EQ(c.taken, 10u);
	EXPECT_EQ(c.too_big, 1u);
	/* The counters: 9 packets of 24 + 8 bytes, one of 216 + 8. */
	EXPECT_EQ(rd.packets, 10u);
	EXPECT_EQ(rd.bytes, 9u * 32 + 224);
	EXPECT_EQ(c.last_id, 10u);
	EXPECT_EQ(out.hdr->interrupt_mask, 0u);
	EXPECT_EQ(out.hdr->read_index, out.hdr->write_index);
	EXPECT_FALSE(sig);

	/* The budget: 4 of 6, MORE, mask clear; then the rest. */
	c = (struct take_ctx){ .take_max = 1000 };
	for (i = 1; i <= 6; i++)
		ASSERT_EQ(guest_write(&out, 6, 0, i, body, 8), 0);
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 4, take_cb, &c, &sig), HVTB_RING_MORE);
	EXPECT_EQ(c.taken, 4u);
	EXPECT_EQ(out.hdr->interrupt_mask, 0u);
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 4, take_cb, &c, &sig), HVTB_RING_EMPTY);
	EXPECT_EQ(c.taken, 6u);

	/* LEAVE: the packet stays at the read position, the mask stays set. */
	c = (struct take_ctx){ .take_max = 2 };
	for (i = 1; i <= 3; i++)
		ASSERT_EQ(guest_write(&out, 6, 0, i, body, 8), 0);
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 64, take_cb, &c, &sig), HVTB_RING_LEFT);
	EXPECT_EQ(c.taken, 2u);
	EXPECT_EQ(out.hdr->interrupt_mask, 1u);
	ASSERT_EQ(hvtb_ring_peek(&rd, buf, sizeof(buf), &p), 0);
	EXPECT_EQ(p.trans_id, 3u);
	c.take_max = 1000;
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 64, take_cb, &c, &sig), HVTB_RING_EMPTY);
	EXPECT_EQ(c.last_id, 3u);

	/* The callback's error stops the drain with it; nothing after is shown. */
	c = (struct take_ctx){ .take_max = 1000, .fail_at = 2 };
	for (i = 1; i <= 3; i++)
		ASSERT_EQ(guest_write(&out, 6, 0, i, body, 8), 0);
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 64, take_cb, &c, &sig), -EPIPE);
	EXPECT_EQ(c.seen, 2u);

	/* A corrupt index is the ring's error. */
	out.hdr->write_index += 4;
	c = (struct take_ctx){ .take_max = 1000 };
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 64, take_cb, &c, &sig), -EPROTO);
	EXPECT_TRUE(hdr_canaries_ok(&out));
	tring_free(&out);
}

TEST(drain_signals_pending_send_sz)
{
	struct take_ctx c = { .take_max = 1000 };
	struct hvtb_ring rd;
	struct tring out;
	uint8_t body[64] = { 0 }, buf[128];
	bool sig = false;
	unsigned int n = 0;

	/* The guest fills its ring and asks (pending_send_sz) for a signal at room for one. */
	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
	out.hdr->feature_bits = 1;
	while (guest_write(&out, 6, 0, n, body, 64) == 0)
		n++;
	out.hdr->pending_send_sz = hvtb_ring_put_size(0, 64);
	EXPECT_EQ(hvtb_ring_drain(&rd, buf, sizeof(buf), 64, take_cb, &c, &sig), HVTB_RING_EMPTY);
	EXPECT_EQ(c.taken, n);
	EXPECT_TRUE(sig);
	tring_free(&out);
}

TEST(backlog_keeps_order_and_loses_nothing)
{
	struct hvtb_ring_backlog_ent ent[4];
	struct hvtb_ring_backlog b;
	struct hvtb_ring wr;
	struct tring in;
	uint8_t body[64] = { 0 }, buf[128], big[HVTB_RING_BACKLOG_MSG + 1] = { 0 };
	struct hvtb_ring_desc d;
	uint64_t next = 0, got = 0;
	unsigned int i;
	bool sig;

	ASSERT_EQ(tring_alloc(&in, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 2 * PAGE, HVTB_RING_HOST_WRITES), 0);
	hvtb_ring_backlog_init(&b, ent, 4);
	EXPECT_EQ(hvtb_ring_comp(&wr, &b, 1, big, sizeof(big)), -EINVAL);
	EXPECT_TRUE(hvtb_ring_backlog_room(&b, 4));
	EXPECT_FALSE(hvtb_ring_backlog_room(&b, 5));
	/* With nothing waiting, a completion goes straight into the ring (46 of 88 bytes fit). */
	while (next < 46)
		ASSERT_EQ(hvtb_ring_comp(&wr, &b, next++, body, 64), 0);
	EXPECT_EQ(b.count, 0u);
	EXPECT_EQ(in.hdr->pending_send_sz, 0u);
	/* Full: the next four wait, in order; the guest is asked for room; the fifth is refused. */
	for (i = 0; i < 4; i++)
		ASSERT_EQ(hvtb_ring_comp(&wr, &b, next++, body, 64), 0);
	EXPECT_EQ(b.count, 4u);
	EXPECT_EQ(b.waited, 4u);
	EXPECT_EQ(wr.packets, 46u);
	EXPECT_EQ(wr.bytes, 46u * 88);
	EXPECT_EQ(wr.full, 1u);	/* the first tried the ring; the others queued behind it */
	EXPECT_EQ(in.hdr->pending_send_sz, hvtb_ring_put_size(0, 64));
	EXPECT_FALSE(hvtb_ring_backlog_room(&b, 1));
	EXPECT_EQ(hvtb_ring_comp(&wr, &b, 999, body, 64), -ENOBUFS);
	EXPECT_EQ(hvtb_ring_backlog_flush(&wr, &b), 1);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	/* The guest reads two: its close signals (pending_send_sz); a flush puts two of the four. */
	in.signals = 0;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(guest_read(&in, buf, sizeof(buf)), 80u);
		memcpy(&d, buf, sizeof(d));
		EXPECT_EQ(d.trans_id, got++);
	}
	guest_close(&in);
	EXPECT_EQ(in.signals, 1u);
	EXPECT_EQ(hvtb_ring_backlog_flush(&wr, &b), 1);
	EXPECT_EQ(b.count, 2u);
	/* A new completion waits behind them, never before. */
	ASSERT_EQ(hvtb_ring_comp(&wr, &b, next++, body, 64), 0);
	EXPECT_EQ(b.count, 3u);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	/* The guest reads everything; flushes empty the backlog and withdraw pending_send_sz. */
	while (got < next) {
		uint32_t len = guest_read(&in, buf, sizeof(buf));

		if (!len) {
			guest_close(&in);
			ASSERT_GE(hvtb_ring_backlog_flush(&wr, &b), 0);
			ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
			len = guest_read(&in, buf, sizeof(buf));
			ASSERT_NE(len, 0u);
		}
		memcpy(&d, buf, sizeof(d));
		EXPECT_EQ(d.type, HVTB_PKT_COMP);
		EXPECT_EQ(d.trans_id, got++);
	}
	guest_close(&in);
	EXPECT_EQ(hvtb_ring_backlog_flush(&wr, &b), 0);
	EXPECT_EQ(b.count, 0u);
	EXPECT_EQ(in.hdr->pending_send_sz, 0u);
	EXPECT_EQ(b.max_count, 4u);
	hvtb_ring_backlog_reset(&b);
	EXPECT_TRUE(hvtb_ring_backlog_room(&b, 4));
	EXPECT_TRUE(hdr_canaries_ok(&in));
	tring_free(&in);
}

TEST(reader_corrupt_indices)
{
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd;
	struct tring out;
	uint8_t buf[128];
	uint32_t w;
	bool sig;

	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
	ASSERT_EQ(guest_write(&out, 6, 0, 1, "abc", 3), 0);
	ASSERT_EQ(guest_write(&out, 6, 0, 2, "abc", 3), 0);
	w = out.hdr->write_index;

	out.hdr->write_index = w + 4;		/* not a multiple of 8 */
	EXPECT_EQ(hvtb_ring_peek(&rd, buf, sizeof(buf), &p), -EPROTO);
	EXPECT_EQ(hvtb_ring_pending(&rd), -EPROTO);
	EXPECT_EQ(hvtb_ring_skip(&rd), -EPROTO);
	out.hdr->write_index = PAGE;		/* == data size */
	EXPECT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), -EPROTO);
	out.hdr->write_index = 0xfffffff8;
	EXPECT_EQ(hvtb_ring_end_drain(&rd), -EPROTO);

	/* Read one, then the guest moves write_index back into it. */
	out.hdr->write_index = w;
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	out.hdr->write_index = 8;
	EXPECT_EQ(hvtb_ring_peek(&rd, buf, sizeof(buf), &p), -EPROTO);
	out.hdr->write_index = 0;		/* == published read_index: "empty" */
	EXPECT_EQ(hvtb_ring_pending(&rd), -EPROTO);
	out.hdr->write_index = w;
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	EXPECT_EQ(p.trans_id, 2u);

	/* A corrupt write_index seen by the commit's pending_send_sz check. */
	out.hdr->pending_send_sz = 16;
	out.hdr->write_index = 12;
	EXPECT_EQ(hvtb_ring_read_commit(&rd, &sig), -EPROTO);
	EXPECT_FALSE(sig);
	EXPECT_EQ(out.hdr->read_index, w);	/* published all the same */
	/* The host's own index: whatever the guest writes there is ignored. */
	out.hdr->write_index = w;
	out.hdr->read_index = 0x1234567;
	EXPECT_EQ(hvtb_ring_pending(&rd), 0);
	EXPECT_TRUE(hdr_canaries_ok(&out));
	tring_free(&out);
}

TEST(writer_corrupt_indices)
{
	struct hvtb_ring wr;
	struct tring in;
	uint8_t buf[128];
	bool sig;

	ASSERT_EQ(tring_alloc(&in, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 2 * PAGE, HVTB_RING_HOST_WRITES), 0);
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 1, "a", 1), 0);
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 2, "a", 1), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);	/* write_index 64 */

	in.hdr->read_index = 4;
	EXPECT_EQ(hvtb_ring_put_comp(&wr, 3, "a", 1), -EPROTO);
	in.hdr->read_index = PAGE;
	EXPECT_EQ(hvtb_ring_want_space(&wr, 64), -EPROTO);
	/* Ahead of what the host published (64): corrupt. */
	in.hdr->read_index = 72;
	EXPECT_EQ(hvtb_ring_put_comp(&wr, 3, "a", 1), -EPROTO);
	in.hdr->read_index = PAGE - 8;
	EXPECT_EQ(hvtb_ring_put_comp(&wr, 3, "a", 1), -EPROTO);
	/* The guest reads one (read_index 32), then moves it back: corrupt. */
	in.hdr->read_index = 0;
	ASSERT_EQ(guest_read(&in, buf, sizeof(buf)), 24u);
	guest_close(&in);
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 3, "a", 1), 0);
	in.hdr->read_index = 0;
	EXPECT_EQ(hvtb_ring_put_comp(&wr, 4, "a", 1), -EPROTO);
	/* The commit publishes and reports the corrupt read_index. */
	in.hdr->read_index = 0xfffffff0;
	EXPECT_EQ(hvtb_ring_write_commit(&wr, &sig), -EPROTO);
	EXPECT_FALSE(sig);
	EXPECT_EQ(in.hdr->write_index, 96u);
	/* The host's own index in the header is not trusted either. */
	in.hdr->read_index = 32;
	in.hdr->write_index = 8;
	ASSERT_EQ(hvtb_ring_put_comp(&wr, 5, "a", 1), 0);
	ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
	EXPECT_EQ(in.hdr->write_index, 128u);
	EXPECT_TRUE(hdr_canaries_ok(&in));
	tring_free(&in);
}

/* Write a raw descriptor at the read position and publish @avail bytes. */
static void put_bad_desc(struct tring *t, uint16_t offset8, uint16_t len8, uint32_t avail)
{
	struct hvtb_ring_desc d = { .type = 6, .offset8 = offset8, .len8 = len8 };

	g_copy_to(t, t->hdr->read_index, &d, DESC);
	t->hdr->write_index = (t->hdr->read_index + avail) % t->dsize;
}

TEST(corrupt_packets)
{
	static const struct { uint16_t offset8, len8; uint32_t avail; } bad[] = {
		{ 2, 0, 64 },		/* len < descriptor */
		{ 2, 1, 64 },
		{ 0, 4, 64 },		/* offset < descriptor */
		{ 1, 4, 64 },
		{ 5, 4, 64 },		/* offset > len */
		{ 2, 8, 64 },		/* len + trailer > available */
		{ 2, 7, 64 },		/* 56 + 8 == 64 fits: see below */
		{ 2, 0xffff, 64 },
		{ 0xffff, 0xffff, 2048 },
		{ 2, 2, 16 },		/* fewer bytes than descriptor + trailer */
		{ 2, 2, 8 },
	};
	uint8_t buf[256 + 16];
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd;
	struct tring out;
	unsigned int i;

	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	/* Near the end: a bogus length must not run past the data area. */
	tring_set_empty_at(&out, PAGE - 16);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
		put_bad_desc(&out, bad[i].offset8, bad[i].len8, bad[i].avail);
		memset(buf, 0xcc, sizeof(buf));
		if (i == 6) {
			EXPECT_EQ(hvtb_ring_peek(&rd, buf, 256, &p), 0);
			EXPECT_EQ(p.len, 56u);
			continue;
		}
		EXPECT_EQ(hvtb_ring_peek(&rd, buf, 256, &p), -EBADMSG) TH_LOG("case %u", i);
		EXPECT_EQ(hvtb_ring_skip(&rd), -EBADMSG) TH_LOG("case %u", i);
		EXPECT_EQ(hvtb_ring_read(&rd, buf, 256, &p), -EBADMSG);
		EXPECT_TRUE(p.raw == NULL);
		EXPECT_EQ(buf[0], 0xcc);	/* nothing copied */
		EXPECT_EQ(out.hdr->read_index, PAGE - 16);
	}
	EXPECT_TRUE(hdr_canaries_ok(&out));
	tring_free(&out);
}

TEST(small_buffer_emsgsize)
{
	uint8_t body[200], buf[256 + 8];
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd;
	struct tring out;
	unsigned int i;

	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
	fill(body, sizeof(body), 3);
	ASSERT_EQ(guest_write(&out, 6, 1, 77, body, 200), 0);
	ASSERT_EQ(guest_write(&out, 6, 0, 78, body, 8), 0);

	memset(buf, 0xcc, sizeof(buf));
	EXPECT_EQ(hvtb_ring_read(&rd, buf, 215, &p), -EMSGSIZE);
	EXPECT_EQ(p.len, 216u);		/* the size needed */
	EXPECT_EQ(p.trans_id, 77u);
	EXPECT_TRUE(p.raw == NULL);
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(buf[i], 0xcc);
	EXPECT_EQ(hvtb_ring_peek(&rd, NULL, 0, &p), -EMSGSIZE);
	EXPECT_EQ(hvtb_ring_peek(&rd, NULL, 8, &p), -EINVAL);
	/* The exact size works and writes nothing past it. */
	EXPECT_EQ(hvtb_ring_peek(&rd, buf, 216, &p), 0);
	EXPECT_TRUE(check_fill(p.data, 200, 3));
	for (i = 216; i < sizeof(buf); i++)
		ASSERT_EQ(buf[i], 0xcc);
	/* Skip the big one after -EMSGSIZE; the next one reads. */
	EXPECT_EQ(hvtb_ring_peek(&rd, buf, 16, &p), -EMSGSIZE);
	EXPECT_EQ(hvtb_ring_skip(&rd), 0);
	EXPECT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	EXPECT_EQ(p.trans_id, 78u);
	/* Skip without a peek validates on its own. */
	ASSERT_EQ(guest_write(&out, 6, 0, 79, body, 8), 0);
	EXPECT_EQ(hvtb_ring_skip(&rd), 0);
	EXPECT_EQ(hvtb_ring_skip(&rd), -EAGAIN);
	tring_free(&out);
}

/* A Linux-shaped GPA-direct packet: @n ranges of @pfns PFNs each, 8 data bytes. */
static uint32_t gpa_packet(uint8_t *pkt, uint32_t n, uint32_t bc, uint32_t bo, uint32_t pfns)
{
	struct hvtb_ring_desc d = { .type = HVTB_PKT_DATA_USING_GPA_DIRECT, .flags = 1, .trans_id = 5 };
	uint32_t pos = 24, i, j;
	uint64_t pfn;

	memset(pkt, 0, 1024);
	memcpy(pkt + 20, &n, 4);
	for (i = 0; i < n; i++) {
		memcpy(pkt + pos, &bc, 4);
		memcpy(pkt + pos + 4, &bo, 4);
		pos += 8;
		for (j = 0; j < pfns; j++) {
			pfn = 0x1000 * (i + 1) + j;
			memcpy(pkt + pos, &pfn, 8);
			pos += 8;
		}
	}
	d.offset8 = pos / 8;
	d.len8 = pos / 8 + 1;
	memcpy(pkt, &d, DESC);
	memcpy(pkt + pos, "payload!", 8);
	return pos + 8;
}

TEST(gpa_direct)
{
	struct hvtb_ring_gpa_range g[4];
	uint8_t pkt[1024], buf[1024];
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd;
	struct tring out;
	uint32_t n, len, v;

	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	tring_set_empty_at(&out, PAGE - 24);	/* the range array wraps */
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);

	/* storvsc: one range, 0x3000 bytes at 0x234 in the first page: 4 PFNs. */
	len = gpa_packet(pkt, 1, 0x3000, 0x234, 4);
	ASSERT_EQ(guest_write_raw(&out, pkt, len), 0);
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	ASSERT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), 0);
	EXPECT_EQ(n, 1u);
	EXPECT_EQ(g[0].byte_count, 0x3000u);
	EXPECT_EQ(g[0].byte_offset, 0x234u);
	EXPECT_EQ(g[0].pfn_count, 4u);
	EXPECT_EQ(hvtb_ring_gpa_pfn(&g[0], 0), 0x1000u);
	EXPECT_EQ(hvtb_ring_gpa_pfn(&g[0], 3), 0x1003u);
	EXPECT_EQ(p.data_len, 8u);
	EXPECT_EQ(memcmp(p.data, "payload!", 8), 0);

	/* netvsc page buffers: 3 ranges of one page each. */
	len = gpa_packet(pkt, 3, 100, 4000 - 100, 1);
	ASSERT_EQ(guest_write_raw(&out, pkt, len), 0);
	ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
	ASSERT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), 0);
	EXPECT_EQ(n, 3u);
	EXPECT_EQ(hvtb_ring_gpa_pfn(&g[2], 0), 0x3000u);
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 2, &n), -EMSGSIZE);
	EXPECT_EQ(n, 3u);
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, NULL, 0, &n), -EMSGSIZE);
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, NULL), -EINVAL);

	/* Malformed ranges, each parsed from a private copy. */
	len = gpa_packet(pkt, 1, 0x3001 - 0x234, 0x234, 3);	/* needs 4 PFNs, has 3 */
	p.raw = pkt; p.len = len; p.offset = len - 8;
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	len = gpa_packet(pkt, 1, 0x3000 - 0x234, 0x234, 3);	/* exactly 3: fine */
	p.len = len; p.offset = len - 8;
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), 0);
	gpa_packet(pkt, 1, 0, 0, 1);				/* byte_count 0 */
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	gpa_packet(pkt, 1, 8, 4096, 1);				/* offset past page */
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	gpa_packet(pkt, 1, 0xffffffff, 0xfff, 1);		/* 2^20 PFNs */
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	len = gpa_packet(pkt, 1, 8, 0, 1);
	p.len = len; p.offset = len - 8;
	v = 0;
	memcpy(pkt + 20, &v, 4);				/* no ranges */
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	v = 0xffffffff;
	memcpy(pkt + 20, &v, 4);				/* absurd count */
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	v = 2;
	memcpy(pkt + 20, &v, 4);				/* one more than there is */
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	p.offset = 16;						/* no room for the count */
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	p.offset = p.len + 8;
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EBADMSG);
	p.type = HVTB_PKT_DATA_INBAND;
	EXPECT_EQ(hvtb_ring_gpa_ranges(&p, g, 4, &n), -EINVAL);
	tring_free(&out);
}

/* The reader writes only read_index and interrupt_mask; the writer only its free bytes. */
TEST(no_stray_writes)
{
	uint8_t snap[PAGE], buf[64], body[40] = { 0 };
	struct hvtb_ring_pkt p;
	struct hvtb_ring rd, wr;
	struct tring out, in;
	unsigned int i;
	bool sig;

	ASSERT_EQ(tring_alloc(&out, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
	for (i = 0; i < 30; i++)
		ASSERT_EQ(guest_write(&out, 6, 0, i, body, sizeof(body)), 0);
	memcpy(snap, out.data, PAGE);
	hvtb_ring_begin_drain(&rd);
	for (i = 0; i < 30; i++) {
		/* Every other one too big for the buffer: peek, skip. */
		if (i & 1) {
			ASSERT_EQ(hvtb_ring_read(&rd, buf, 32, &p), -EMSGSIZE);
			ASSERT_EQ(hvtb_ring_skip(&rd), 0);
		} else {
			ASSERT_EQ(hvtb_ring_read(&rd, buf, sizeof(buf), &p), 0);
		}
	}
	ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
	EXPECT_EQ(hvtb_ring_end_drain(&rd), 0);
	EXPECT_EQ(memcmp(snap, out.data, PAGE), 0);
	EXPECT_TRUE(hdr_canaries_ok(&out));

	/* Writer: bytes from the guest's read_index up to the write position stay. */
	ASSERT_EQ(tring_alloc(&in, 2 * PAGE), 0);
	tring_set_empty_at(&in, 2048);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 2 * PAGE, HVTB_RING_HOST_WRITES), 0);
	memset(in.data, 0x5a, PAGE);
	while (hvtb_ring_put_comp(&wr, 1, body, sizeof(body)) == 0)
		;
	/* 64 bytes per packet: 63 fit, the last 64 bytes before 2048 untouched. */
	for (i = 2048 - 64; i < 2048; i++)
		ASSERT_EQ(in.data[i], 0x5a);
	ASSERT_NE(in.data[2048 - 65], 0x5a);
	EXPECT_EQ(in.hdr->pending_send_sz, 0u);
	EXPECT_EQ(in.hdr->interrupt_mask, 0u);
	EXPECT_TRUE(hdr_canaries_ok(&in));
	tring_free(&out);
	tring_free(&in);
}

TEST(put_arguments)
{
	struct hvtb_ring_iov iov[2] = { { "ab", 2 }, { NULL, 4 } };
	struct hvtb_ring wr;
	struct tring in;
	uint64_t hdr = 0;

	ASSERT_EQ(tring_alloc(&in, 4 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, in.hdr, 4 * PAGE, HVTB_RING_HOST_WRITES), 0);
	EXPECT_EQ(hvtb_ring_putv(&wr, 7, 0, 0, &hdr, 4, iov, 1), -EINVAL);	/* hdr_len % 8 */
	EXPECT_EQ(hvtb_ring_putv(&wr, 7, 0, 0, NULL, 8, iov, 1), -EINVAL);
	EXPECT_EQ(hvtb_ring_putv(&wr, 7, 0, 0, NULL, 0, iov, 2), -EINVAL);	/* NULL base */
	EXPECT_EQ(hvtb_ring_putv(&wr, 7, 0, 0, NULL, 0, NULL, 1), -EINVAL);
	EXPECT_EQ(hvtb_ring_putv(&wr, 7, 0, 0, NULL, 0, NULL, 0), 0);	/* descriptor only */
	EXPECT_EQ(hvtb_ring_putv(NULL, 7, 0, 0, NULL, 0, NULL, 0), -EINVAL);
	iov[1].base = "x";
	iov[1].len = 0xffffffff;					/* len8 overflow */
	EXPECT_EQ(hvtb_ring_putv(&wr, 7, 0, 0, NULL, 0, iov, 2), -EINVAL);
	EXPECT_EQ(hvtb_ring_put_size(0, 0), 24u);
	EXPECT_EQ(hvtb_ring_put_size(0xfffffff8, 0xffffffff), UINT32_MAX);
	EXPECT_EQ(in.hdr->write_index, 0u);
	tring_free(&in);
}

/*
 * Two threads: the guest sends STRESS_N packets and reads the host's
 * completions (polling); the host wakes only on the guest's signals, so a
 * lost wakeup in the drain recheck or in want_space hangs it: the test
 * fails after 5 s without progress.
 */
#define STRESS_N	2000u

struct stress {
	struct tring out, in;
	unsigned int replies;
	bool stop;
	bool bad_order;
};

static void *stress_guest(void *arg)
{
	struct stress *st = arg;
	uint8_t body[300], buf[512];
	uint32_t sent = 0, len;
	uint64_t id;

	memset(body, 0x3c, sizeof(body));
	while (st->replies < STRESS_N && !__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
		if (sent < STRESS_N &&
		    guest_write(&st->out, 6, 1, sent, body, 1 + (sent * 13) % 280) == 0)
			sent++;
		while ((len = guest_read(&st->in, buf, sizeof(buf))) != 0) {
			memcpy(&id, buf + 8, 8);
			if (id != st->replies)
				st->bad_order = true;
			__atomic_add_fetch(&st->replies, 1, __ATOMIC_RELAXED);
		}
		guest_close(&st->in);
		sched_yield();
	}
	return NULL;
}

static unsigned int doorbell(struct stress *st)
{
	return __atomic_load_n(&st->out.signals, __ATOMIC_SEQ_CST) +
	       __atomic_load_n(&st->in.signals, __ATOMIC_SEQ_CST);
}

/* Drain the guest's ring, answering each packet; false when the answers filled the ring. */
static bool stress_drain(struct hvtb_ring *rd, struct hvtb_ring *wr, uint64_t *next, bool *held)
{
	uint8_t buf[512], reply[400] = { 0 };
	struct hvtb_ring_pkt p;
	bool sig;

	for (;;) {
		if (*held) {
			if (hvtb_ring_put_comp(wr, *next, reply, sizeof(reply)) == -EAGAIN)
				return false;
			*held = false;
			(*next)++;
		}
		if (hvtb_ring_read(rd, buf, sizeof(buf), &p) != 0)
			return true;
		if (p.trans_id != *next)
			return true;	/* caught by the caller's count */
		*held = true;
		if (hvtb_ring_write_commit(wr, &sig) != 0)
			return true;
	}
}

TEST(two_thread_stress)
{
	struct hvtb_ring rd, wr;
	struct stress st;
	pthread_t guest;
	unsigned int seen;
	uint64_t next = 0;
	time_t last = time(NULL);
	bool held = false, room, sig;

	memset(&st, 0, sizeof(st));
	ASSERT_EQ(tring_alloc(&st.out, 2 * PAGE), 0);
	ASSERT_EQ(tring_alloc(&st.in, 2 * PAGE), 0);
	ASSERT_EQ(hvtb_ring_init(&rd, st.out.hdr, 2 * PAGE, HVTB_RING_HOST_READS), 0);
	ASSERT_EQ(hvtb_ring_init(&wr, st.in.hdr, 2 * PAGE, HVTB_RING_HOST_WRITES), 0);
	ASSERT_EQ(pthread_create(&guest, NULL, stress_guest, &st), 0);
	seen = 0;
	while (next < STRESS_N || held) {
		/* Sleep until the guest signals. */
		while (doorbell(&st) == seen && time(NULL) - last < 5)
			sched_yield();
		if (doorbell(&st) == seen)
			break;
		seen = doorbell(&st);
		last = time(NULL);
again:
		hvtb_ring_begin_drain(&rd);
		room = stress_drain(&rd, &wr, &next, &held);
		ASSERT_EQ(hvtb_ring_write_commit(&wr, &sig), 0);
		ASSERT_EQ(hvtb_ring_read_commit(&rd, &sig), 0);
		EXPECT_FALSE(sig);	/* this guest never sets pending_send_sz */
		if (!room) {
			/* Wait for room: the guest signals when its reading frees it. */
			hvtb_ring_end_drain(&rd);
			if (hvtb_ring_want_space(&wr, hvtb_ring_put_size(0, 400)) == 1)
				goto again;
			continue;
		}
		ASSERT_EQ(hvtb_ring_want_space(&wr, 0), 0);
		if (hvtb_ring_end_drain(&rd) == 1)
			goto again;
	}
	/* Let the guest read the last completions. */
	while (__atomic_load_n(&st.replies, __ATOMIC_RELAXED) < STRESS_N && time(NULL) - last < 5)
		sched_yield();
	__atomic_store_n(&st.stop, true, __ATOMIC_RELAXED);
	pthread_join(guest, NULL);
	EXPECT_EQ(next, STRESS_N) TH_LOG("host stalled after %llu packets", (unsigned long long)next);
	EXPECT_EQ(st.replies, STRESS_N);
	EXPECT_FALSE(st.bad_order);
	TH_LOG("signals: %u for data, %u for room", st.out.signals, st.in.signals);
	tring_free(&st.out);
	tring_free(&st.in);
}

TEST(strerror_names)
{
	EXPECT_TRUE(strstr(hvtb_ring_strerror(-EPROTO), "index") != NULL);
	EXPECT_TRUE(strstr(hvtb_ring_strerror(-EBADMSG), "packet") != NULL);
	EXPECT_TRUE(strstr(hvtb_ring_strerror(-EAGAIN), "EAGAIN") != NULL);
	EXPECT_TRUE(strstr(hvtb_ring_strerror(-EMSGSIZE), "small") != NULL);
	EXPECT_TRUE(strstr(hvtb_ring_strerror(-EINVAL), "argument") != NULL);
	EXPECT_STREQ(hvtb_ring_strerror(0), "success");
	EXPECT_STREQ(hvtb_ring_strerror(-ENOMEM), "unknown ring error");
}

TEST_HARNESS_MAIN
