// SPDX-License-Identifier: GPL-2.0
/*
 * vsp_test - the worker's VSPs (userspace/worker/storage.c and network.c,
 * compiled in) against a hostile guest VSC: guest code that opens the
 * SCSI controller's or the network adapter's channel like Linux and then
 * sends what Linux never would. Each malformed request gets the error
 * completion the protocol has for it (a guest waits forever for a request
 * that is never completed), each is counted, and the VSP goes on serving:
 * a well-formed request after them is answered, a corrupt ring stops only
 * that ring (until the guest opens the channel again), and nothing outside
 * the partition's memory is touched.
 *
 * storage: SRB before initialization, a short packet, an unknown
 *	operation, a page outside guest memory, a page list longer than the
 *	transfer, then INQUIRY (data into the guest's page), an LBA out of
 *	range (CHECK CONDITION, ILLEGAL REQUEST), a WRITE to a read-only LUN
 *	(DATA PROTECT), a corrupt ring, a reopen.
 * network: NVSP before INIT, the buffers, RNDIS INITIALIZE and QUERY
 *	answered through the receive buffer, a section out of range, an
 *	RNDIS message with offsets outside it, pages outside guest memory,
 *	a stray receive completion.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hvtb_harness.h"
#include "hvtb_test.h"
#include "guest.h"
#include "vsc.h"

#include "../userspace/worker/storage.c"
#include "../userspace/worker/network.c"

/* wk_err(), wk_now_ns(), wk_vm_ended(), wk_thread_*(): userspace/worker/util.c, linked in. */

#define RING_PAGES		16
#define RING_SPLIT		8
#define RING_GPADL		0x5100
#define RING2_GPADL		0x5101
#define RECV_GPADL		0x5200
#define SEND_GPADL		0x5201
#define BAD_PFN			0x100000ull	/* 4 GiB: far outside the 16 MiB */

static uint8_t ring[RING_PAGES][4096] __attribute__((aligned(4096)));
static uint8_t ring2[RING_PAGES][4096] __attribute__((aligned(4096)));
static uint8_t data[2][4096] __attribute__((aligned(4096)));
static uint8_t recvbuf[2][4096] __attribute__((aligned(4096)));
static uint8_t sendbuf[2][4096] __attribute__((aligned(4096)));

/* The channel the guest opened and its ring. */
static struct {
	uint32_t relid, conn;
	uint8_t (*r)[4096];
} gc;

/* The last packets the guest took off the host -> guest ring. */
static uint8_t got[512], got2[512];

/* ---- guest side ---- */

static void g_copy(void *dst, const void *src, uint32_t n)
{
	volatile uint8_t *d = dst;
	const volatile uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

/*
 * One packet into the guest -> host ring: descriptor, @hlen bytes of
 * @hdr (after the descriptor), @blen bytes of @body, padding, trailer;
 * then HvSignalEvent. @len8 0: the right length.
 */
static void g_put(uint16_t type, uint64_t tid, const void *hdr, uint32_t hlen,
		  const void *body, uint32_t blen, uint16_t len8)
{
	uint8_t *h = gc.r[0], *d = gc.r[1];
	uint32_t w = rd32(h), len = 16 + hlen + ((blen + 7) & ~7u);

	GUEST_ASSERT_EQ(w + len + 8 < (RING_SPLIT - 1) * 4096, 1);	/* no wrap here */
	guest_bzero(d + w, len + 8);
	*(volatile uint16_t *)(d + w) = type;
	*(volatile uint16_t *)(d + w + 2) = (16 + hlen) / 8;
	*(volatile uint16_t *)(d + w + 4) = len8 ? len8 : len / 8;
	*(volatile uint16_t *)(d + w + 6) = 1;		/* completion requested */
	wr64(d + w + 8, tid);
	if (hlen)
		g_copy(d + w + 16, hdr, hlen);
	g_copy(d + w + 16 + hlen, body, blen);
	wr64(d + w + len, (uint64_t)w << 32);
	__asm__ volatile("mfence" : : : "memory");
	wr32(h, w + len + 8);
	__asm__ volatile("mfence" : : : "memory");
	GUEST_ASSERT_EQ(hv_call(HC_SIGNAL_EVENT | HC_FAST, gc.conn, 0) & 0xffff, ST_SUCCESS);
}

/* A GPA-direct packet: one range of @n pages from @pfn, @bc bytes at @bo. */
static void g_put_gpa(uint64_t tid, uint64_t pfn, uint32_t n, uint32_t bc, uint32_t bo,
		      const void *body, uint32_t blen)
{
	uint32_t h[4 + 2 * 4];
	uint32_t i;

	guest_bzero(h, sizeof(h));
	h[1] = 1;		/* range count */
	h[2] = bc;
	h[3] = bo;
	for (i = 0; i < n; i++)
		wr64(&h[4 + 2 * i], pfn + i);
	g_put(9, tid, h, 16 + 8 * n, body, blen, 0);
}

/* The next packet of the host -> guest ring into @buf (512 bytes); its length, 0 if none. */
static uint32_t g_take_to(uint8_t *buf)
{
	uint8_t *h = gc.r[RING_SPLIT], *d = gc.r[RING_SPLIT + 1];
	uint32_t r = rd32(h + 4), w = rd32(h), len;

	if (r == w)
		return 0;
	len = *(volatile uint16_t *)(d + r + 4) * 8u;
	GUEST_ASSERT_EQ(len <= sizeof(got), 1);
	g_copy(buf, d + r, len);
	wr32(h + 4, r + len + 8);
	return len;
}

static uint32_t g_take(void)
{
	return g_take_to(got);
}

/* Wait for the VSP: the test resumes the guest once the ring moved (or after a while). */
static uint32_t g_answer(void)
{
	GUEST_SYNC(1);
	return g_take();
}

/* Connect, take the one offer, open it on @r with GPADL @h. */
static void g_open(uint8_t (*r)[4096], uint32_t h)
{
	gc.r = r;
	GUEST_ASSERT_EQ(vsc_gpadl(gc.relid, h, (uintptr_t)r, RING_PAGES, 1), 0);
	GUEST_ASSERT_EQ(vsc_open(gc.relid, h, RING_SPLIT), 0);
}

static void g_connect(void)
{
	vsc_connect(1);
	gc.relid = rd32(got_offer + 184);
	gc.conn = rd32(got_offer + 192);
}

/* A 64-byte vstor packet. */
static void g_vstor(uint32_t *p, uint32_t op)
{
	guest_bzero(p, 64);
	p[0] = op;
	p[1] = 1;
}

/* An SRB: @cdb (@n bytes) to LUN 0, direction @dir, @xfer bytes. */
static void g_srb(uint32_t *p, const uint8_t *cdb, uint8_t n, uint8_t dir, uint32_t xfer)
{
	uint8_t *s = (uint8_t *)(p + 3);

	g_vstor(p, STOR_OP_EXECUTE_SRB);
	*(volatile uint16_t *)s = 52;
	s[8] = n;
	s[9] = 20;
	s[10] = dir;
	wr32(s + 12, xfer);
	g_copy(s + 16, cdb, n);
}

/* Report a vstor completion: its trans_id, NT status, srb_status and transfer length. */
static void g_report_vstor(uint32_t len)
{
	GUEST_ASSERT_EQ(len, 16 + 64);
	GUEST_ASSERT_EQ(*(uint16_t *)got, 11);			/* COMP */
	GUEST_ASSERT_EQ(rd32(got + 16), STOR_OP_COMPLETE_IO);
	GUEST_SYNC4(*(uint64_t *)(got + 8), rd32(got + 24), got[16 + 14],
		    rd32(got + 16 + 24));
}

static void guest_stor(void)
{
	static const uint8_t tur[6] = { 0 };
	static const uint8_t inq[6] = { 0x12, 0, 0, 0, 36, 0 };
	static const uint8_t read10[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	static const uint8_t read10_far[10] = { 0x28, 0, 0, 0, 0x10, 0, 0, 0, 1, 0 };
	static const uint8_t write10_ro[10] = { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	uint32_t p[16];

	g_connect();
	g_open(ring, RING_GPADL);
	/* 1: an SRB before the initialization. */
	g_srb(p, tur, 6, 2, 0);
	g_put(6, 101, NULL, 0, p, 64, 0);
	g_report_vstor(g_answer());
	/* 2-5: the initialization as Linux runs it. */
	g_vstor(p, STOR_OP_BEGIN_INITIALIZATION);
	g_put(6, 102, NULL, 0, p, 64, 0);
	g_report_vstor(g_answer());
	g_vstor(p, STOR_OP_QUERY_PROTOCOL_VERSION);
	p[3] = STOR_VERSION_WIN10;
	g_put(6, 103, NULL, 0, p, 64, 0);
	g_report_vstor(g_answer());
	g_vstor(p, STOR_OP_QUERY_PROPERTIES);
	g_put(6, 104, NULL, 0, p, 64, 0);
	g_report_vstor(g_answer());
	g_vstor(p, STOR_OP_END_INITIALIZATION);
	g_put(6, 105, NULL, 0, p, 64, 0);
	g_report_vstor(g_answer());
	/* 6: a short packet; 7: an unknown operation. */
	g_put(6, 106, NULL, 0, p, 16, 0);
	g_report_vstor(g_answer());
	g_vstor(p, 99);
	g_put(6, 107, NULL, 0, p, 64, 0);
	g_report_vstor(g_answer());
	/* 8: a page outside the partition's memory; 9: a page list longer than the transfer. */
	g_srb(p, read10, 10, 1, 512);
	g_put_gpa(108, BAD_PFN, 1, 512, 0, p, 64);
	g_report_vstor(g_answer());
	g_srb(p, read10, 10, 1, 512);
	g_put_gpa(109, (uintptr_t)data >> 12, 2, 8192, 0, p, 64);
	g_report_vstor(g_answer());
	/* 10: INQUIRY into the guest's page: the VSP still serves. */
	guest_bzero(data, 64);
	g_srb(p, inq, 6, 1, 36);
	g_put_gpa(110, (uintptr_t)data >> 12, 1, 36, 0, p, 64);
	g_report_vstor(g_answer());
	GUEST_SYNC2(*(volatile uint64_t *)(data[0] + 8), data[0][0]);
	/* 11: an LBA past the end: CHECK CONDITION, sense key and ASC reported. */
	g_srb(p, read10_far, 10, 1, 512);
	g_put_gpa(111, (uintptr_t)data >> 12, 1, 512, 0, p, 64);
	g_report_vstor(g_answer());
	GUEST_SYNC2(got[16 + 12 + 16 + 2], got[16 + 12 + 16 + 12]);
	/* 11b: a WRITE to LUN 1, read-only: CHECK CONDITION, DATA PROTECT, the image untouched. */
	g_srb(p, write10_ro, 10, 0, 512);
	((uint8_t *)(p + 3))[7] = 1;		/* lun */
	g_put_gpa(114, (uintptr_t)data >> 12, 1, 512, 0, p, 64);
	g_report_vstor(g_answer());
	GUEST_SYNC2(got[16 + 12 + 16 + 2], got[16 + 12 + 16 + 12]);
	/* 12: a descriptor longer than the ring: that ring is no longer served. */
	g_vstor(p, STOR_OP_BEGIN_INITIALIZATION);
	g_put(6, 112, NULL, 0, p, 64, 0x7fff);
	GUEST_SYNC(0);
	GUEST_ASSERT_EQ(g_take(), 0);
	/* 13: closed, reopened on a new ring: served again. */
	vsc_relid_msg(CM_CLOSECHANNEL, gc.relid);
	vsc_teardown(gc.relid, RING_GPADL);
	g_open(ring2, RING2_GPADL);
	g_vstor(p, STOR_OP_BEGIN_INITIALIZATION);
	g_put(6, 113, NULL, 0, p, 64, 0);
	g_report_vstor(g_answer());
}

/* ---- test side ---- */

static struct wk_vm vm;

/* The worker around the guest's partition: its memory is the guest's. */
static void vm_setup(struct guest *g)
{
	memset(&vm, 0, sizeof(vm));
	vm.mem = g->mem;
	vm.mem_size = g->mem_size;
	vm.part = g->part;
	vm.dev = g->dev;
	vm.exit_code = -1;
	pthread_mutex_init(&vm.lock, NULL);
}

static void vm_end(void)
{
	pthread_mutex_lock(&vm.lock);
	vm.exit_code = 0;
	pthread_mutex_unlock(&vm.lock);
}

/* Run the guest to its next SYNC; for an SYNC(1), first let the VSP answer. */
static struct ucall run_answered(struct __test_metadata *_metadata, struct guest *g,
				 struct guest_vp *v, uint8_t (**r)[4096])
{
	struct ucall uc = EXPECT_UCALL(v, UCALL_SYNC);
	uint64_t t0 = wk_now_ns();

	if (uc.args[0] == 1) {
		volatile uint32_t *hdr = guest_gpa(g, (uintptr_t)(*r)[RING_SPLIT]);

		while (hdr[0] == hdr[1] && wk_now_ns() - t0 < 5000000000ull)
			usleep(1000);
	} else {
		usleep(300000);	/* nothing is expected: give it time to be wrong */
	}
	return uc;
}

#define STEP(want_tid, want_status, want_srb) do {				\
	uc = run_answered(_metadata, &g, &v, &rp);				\
	ASSERT_EQ(1, uc.args[0]);						\
	uc = EXPECT_UCALL(&v, UCALL_SYNC);					\
	EXPECT_EQ((want_tid), uc.args[0]);					\
	EXPECT_EQ((want_status), uc.args[1]);					\
	EXPECT_EQ((want_srb), uc.args[2]);					\
} while (0)

TEST(storage_hostile_guest)
{
	char img[] = "/tmp/vsp_test.XXXXXX";
	uint8_t (*rp)[4096] = ring;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	struct wk_stor *s;
	int fd;

	VSC_SETUP(g, v, 0);
	vm_setup(&g);
	fd = mkstemp(img);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 1 << 20));	/* 2048 blocks */
	close(fd);
	vm.cfg.disks[0].path = img;
	vm.cfg.disks[1].path = img;	/* the same image, read-only: LUN 1 */
	vm.cfg.disks[1].ro = true;
	vm.cfg.ndisks = 2;
	ASSERT_EQ(0, wk_stor_open(&vm));
	ASSERT_EQ(0, wk_stor_offer(&vm));
	ASSERT_EQ(0, wk_stor_start(&vm));
	s = vm.stor;

	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_stor, 0, 0));
	STEP(101, STOR_NT_INVALID_DEVICE_STATE, STOR_SRB_INVALID_REQUEST);
	STEP(102, 0, 0);
	STEP(103, 0, 0);
	STEP(104, 0, 0);
	STEP(105, 0, 0);
	STEP(106, STOR_NT_INVALID_PARAMETER, 0);
	STEP(107, STOR_NT_INVALID_PARAMETER, 0);
	STEP(108, STOR_NT_INVALID_PARAMETER, STOR_SRB_INVALID_REQUEST);
	STEP(109, STOR_NT_INVALID_PARAMETER, STOR_SRB_INVALID_REQUEST);
	STEP(110, 0, STOR_SRB_SUCCESS);
	EXPECT_EQ(36, uc.args[3]);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0, memcmp(&uc.args[0], "hvtb    ", 8));	/* the vendor, in guest memory */
	EXPECT_EQ(0, uc.args[1]);				/* a disk */
	STEP(111, 0, STOR_SRB_ERROR | STOR_SRB_AUTOSENSE_VALID);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(STOR_KEY_ILLEGAL_REQUEST, uc.args[0]);
	EXPECT_EQ(0x21, uc.args[1]);				/* LBA out of range */
	STEP(114, 0, STOR_SRB_ERROR | STOR_SRB_AUTOSENSE_VALID);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(STOR_KEY_DATA_PROTECT, uc.args[0]);
	EXPECT_EQ(0x27, uc.args[1]);				/* WRITE PROTECTED */
	uc = run_answered(_metadata, &g, &v, &rp);		/* the corrupt ring */
	EXPECT_EQ(0, uc.args[0]);
	rp = ring2;
	STEP(113, 0, 0);
	EXPECT_UCALL(&v, UCALL_DONE);

	/* The counters say what happened; the thread still runs. */
	EXPECT_EQ(1, s->bad_pages);
	EXPECT_EQ(4, s->vsp.stats.bad);	/* early SRB, short, unknown, long page list */
	EXPECT_EQ(1, s->broken_rings);
	EXPECT_EQ(2, s->checks);
	EXPECT_EQ(0, s->dstats[1].writes);
	EXPECT_EQ(2, icd_chan_stats(&s->chan)->opens);
	EXPECT_TRUE(s->thread.running);
	vm_end();
	wk_stor_free(&vm);
	unlink(img);
	TEARDOWN_VP(g, v);
}

/* ---- network ---- */

/* An NVSP message of up to 4 words. */
static void g_nvsp(uint32_t *m, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	guest_bzero(m, 40);
	m[0] = a;
	m[1] = b;
	m[2] = c;
	m[3] = d;
}

/* Report a COMP: trans_id, its NVSP type and status. */
static void g_report_comp(uint32_t len)
{
	GUEST_ASSERT_EQ(*(uint16_t *)got, 11);
	GUEST_SYNC4(*(uint64_t *)(got + 8), len > 16 ? rd32(got + 16) : 0,
		    len > 20 ? rd32(got + 20) : 0, len);
}

/*
 * An RNDIS message in send section 0, its COMP, then the answer (an
 * XFER_PAGES packet naming a sub-allocation), completed by the guest:
 * reports the answer's type, status and first data word.
 */
static void g_rndis(uint64_t tid, const uint32_t *msg, uint32_t len)
{
	uint32_t m[10], off, cnt, *a, n1, n2;
	static uint8_t t[512];

	g_copy(sendbuf, msg, len);
	g_nvsp(m, NET_NVSP_SEND_RNDIS_PKT, 1, 0, len);
	g_put(6, tid, NULL, 0, m, 40, 0);
	/* The answer's XFER_PAGES packet and the request's COMP, in one commit. */
	n1 = g_answer();
	GUEST_ASSERT_EQ(n1 > 0, 1);
	g_copy(got2, got, sizeof(got));
	n2 = g_take();
	GUEST_ASSERT_EQ(n2 > 0, 1);
	if (*(uint16_t *)got2 != 7) {	/* got2: the XFER_PAGES packet, got: the COMP */
		g_copy(t, got, sizeof(t));
		g_copy(got, got2, sizeof(t));
		g_copy(got2, t, sizeof(t));
	}
	g_report_comp(*(uint16_t *)(got + 4) * 8u);
	GUEST_ASSERT_EQ(*(uint16_t *)got2, 7);
	GUEST_ASSERT_EQ(*(uint16_t *)(got2 + 16), NET_NVSP_RECV_BUF_ID);
	cnt = rd32(got2 + 20);		/* range count, then {byte_count, byte_offset} */
	off = rd32(got2 + 28);
	a = (uint32_t *)(recvbuf[0] + off);
	GUEST_SYNC4(a[0], a[3], a[4], cnt);
	/* Done with it: the sub-allocation is free again. */
	g_nvsp(m, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, 1, 0, 0);
	g_put(11, *(uint64_t *)(got2 + 8), NULL, 0, m, 8, 0);
}

static void guest_net(void)
{
	uint32_t m[10], r[16];

	g_connect();
	g_open(ring, RING_GPADL);
	/* 1: a buffer before INIT: dropped, completed with a failure. */
	g_nvsp(m, NET_NVSP_SEND_RECV_BUF, RECV_GPADL, NET_NVSP_RECV_BUF_ID, 0);
	g_put(6, 201, NULL, 0, m, 40, 0);
	g_report_comp(g_answer());
	/* 2: INIT 6.1; 3: the receive buffer (two pages: four sub-allocations); 4: the send buffer. */
	g_nvsp(m, NET_NVSP_INIT, NET_NVSP_VERSION_61, NET_NVSP_VERSION_61, 0);
	g_put(6, 202, NULL, 0, m, 40, 0);
	g_report_comp(g_answer());
	GUEST_ASSERT_EQ(vsc_gpadl(gc.relid, RECV_GPADL, (uintptr_t)recvbuf, 2, 1), 0);
	g_nvsp(m, NET_NVSP_SEND_RECV_BUF, RECV_GPADL, NET_NVSP_RECV_BUF_ID, 0);
	g_put(6, 203, NULL, 0, m, 40, 0);
	g_report_comp(g_answer());
	GUEST_SYNC2(rd32(got + 16 + 20), rd32(got + 16 + 16));	/* count, size */
	GUEST_ASSERT_EQ(vsc_gpadl(gc.relid, SEND_GPADL, (uintptr_t)sendbuf, 2, 1), 0);
	g_nvsp(m, NET_NVSP_SEND_SEND_BUF, SEND_GPADL, 0, 0);
	g_put(6, 204, NULL, 0, m, 40, 0);
	g_report_comp(g_answer());
	/* 5: RNDIS INITIALIZE; 6: QUERY of the MAC address. */
	guest_bzero(r, sizeof(r));
	r[0] = NET_RNDIS_INIT; r[1] = 24; r[2] = 7; r[3] = 1; r[5] = 0x4000;
	g_rndis(205, r, 24);
	r[0] = NET_RNDIS_QUERY; r[1] = 28; r[2] = 8; r[3] = NET_OID_802_3_PERMANENT_ADDRESS;
	r[4] = 0; r[5] = 20; r[6] = 0;
	g_rndis(206, r, 28);
	/* 7: a section past the send buffer; 8: a PACKET whose data lies outside it. */
	g_nvsp(m, NET_NVSP_SEND_RNDIS_PKT, 0, 9, 64);
	g_put(6, 207, NULL, 0, m, 40, 0);
	g_report_comp(g_answer());
	guest_bzero(r, sizeof(r));
	r[0] = NET_RNDIS_PACKET; r[1] = 60; r[2] = 36; r[3] = 4000;
	g_copy(sendbuf, r, 60);
	g_nvsp(m, NET_NVSP_SEND_RNDIS_PKT, 0, 0, 60);
	g_put(6, 208, NULL, 0, m, 40, 0);
	g_report_comp(g_answer());
	/* 9: the RNDIS message in pages outside the partition's memory. */
	g_nvsp(m, NET_NVSP_SEND_RNDIS_PKT, 1, NET_NVSP_NO_SECTION, 0);
	g_put_gpa(209, BAD_PFN, 1, 64, 0, m, 40);
	g_report_comp(g_answer());
	/* 10: a receive completion of nothing the host sent. */
	g_nvsp(m, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, 1, 0, 0);
	g_put(11, 999, NULL, 0, m, 8, 0);
	GUEST_SYNC(0);
	/* 11: a KEEPALIVE is still answered. */
	guest_bzero(r, sizeof(r));
	r[0] = NET_RNDIS_KEEPALIVE; r[1] = 12; r[2] = 9;
	g_rndis(211, r, 12);
}

#define NSTEP(want_tid, want_type, want_status) do {				\
	uc = run_answered(_metadata, &g, &v, &rp);				\
	ASSERT_EQ(1, uc.args[0]);						\
	uc = EXPECT_UCALL(&v, UCALL_SYNC);					\
	EXPECT_EQ((want_tid), uc.args[0]);					\
	EXPECT_EQ((want_type), uc.args[1]);					\
	EXPECT_EQ((want_status), uc.args[2]);					\
} while (0)

TEST(network_hostile_guest)
{
	static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 0x68, 0x76, 0x01 };
	uint8_t (*rp)[4096] = ring;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	struct wk_net *n;

	if (access("/dev/net/tun", R_OK | W_OK))
		SKIP(return, "no /dev/net/tun (tun.ko) for the adapter's TAP");
	VSC_SETUP(g, v, 0);
	vm_setup(&g);
	vm.cfg.net_tap = "hvtbvsp0";
	memcpy(vm.cfg.net_mac, mac, 6);
	ASSERT_EQ(0, wk_net_open(&vm));
	ASSERT_EQ(0, wk_net_offer(&vm));
	ASSERT_EQ(0, wk_net_start(&vm));
	n = vm.net;

	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_net, 0, 0));
	NSTEP(201, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, NET_NVSP_STAT_FAIL);
	NSTEP(202, NET_NVSP_INIT_COMPLETE, NET_NVSP_VERSION_61);
	NSTEP(203, NET_NVSP_SEND_RECV_BUF_COMPLETE, NET_NVSP_STAT_SUCCESS);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(8192 / NET_NVSP_RECV_SUBALLOC, uc.args[0]);
	EXPECT_EQ(NET_NVSP_RECV_SUBALLOC, uc.args[1]);
	NSTEP(204, NET_NVSP_SEND_SEND_BUF_COMPLETE, NET_NVSP_STAT_SUCCESS);
	NSTEP(205, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, NET_NVSP_STAT_SUCCESS);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);			/* INITIALIZE_CMPLT */
	EXPECT_EQ(NET_RNDIS_INIT | NET_RNDIS_COMPLETION, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(1, uc.args[3]);
	NSTEP(206, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, NET_NVSP_STAT_SUCCESS);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);			/* QUERY_CMPLT: 6 bytes */
	EXPECT_EQ(NET_RNDIS_QUERY | NET_RNDIS_COMPLETION, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]);
	EXPECT_EQ(6, uc.args[2]);
	NSTEP(207, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, NET_NVSP_STAT_FAIL);
	NSTEP(208, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, NET_NVSP_STAT_FAIL);
	NSTEP(209, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, NET_NVSP_STAT_FAIL);
	uc = run_answered(_metadata, &g, &v, &rp);		/* the stray completion */
	EXPECT_EQ(0, uc.args[0]);
	NSTEP(211, NET_NVSP_SEND_RNDIS_PKT_COMPLETE, NET_NVSP_STAT_SUCCESS);
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(NET_RNDIS_KEEPALIVE | NET_RNDIS_COMPLETION, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);

	EXPECT_EQ(2, n->nvsp.stats.bad);	/* before INIT, section out of range */
	EXPECT_EQ(2, n->st.bad_msgs);		/* the PACKET's offsets, the pages */
	EXPECT_EQ(1, n->st.stray_completions);
	EXPECT_EQ(0, n->st.broken_rings);
	EXPECT_EQ(0, n->st.tx_frames);
	EXPECT_EQ(3, n->rndis.stats.control);
	EXPECT_TRUE(n->thread.running);
	vm_end();
	wk_net_free(&vm);
	TEARDOWN_VP(g, v);
}

TEST_HARNESS_MAIN
