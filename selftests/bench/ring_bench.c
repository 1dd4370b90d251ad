// SPDX-License-Identifier: GPL-2.0
/*
 * ring_bench - VMBus ring throughput and latency between guest code that
 * plays a Linux VSC and a daemon thread that serves the channel the way
 * every hvtb VSP does: a channel fd offered on the partition, the ring
 * pair mmap()ed from it, libhvtb's ring library (hvtb_ring_drain(),
 * hvtb_ring_put*()), guest signals on an eventfd, host signals with
 * HVTB_VMBUS_CHANNEL_SIGNAL.
 *
 * The guest keeps the ring rules of Linux's drivers/hv/ring_buffer.c: it
 * signals after a write that found the ring empty (and the host's
 * interrupt mask clear); when its outbound ring is full it sets
 * pending_send_sz and halts until the host's read commit signals room;
 * it waits for inbound packets halted, woken by the channel's SINT
 * interrupt (vector 0xf3 on SINT 2). The daemon signals as the library
 * says (empty-to-non-empty, pending_send_sz crossings).
 *
 * Figures, per scheduling mode (hvtb's threads, root scheduling):
 *   g2h_64, g2h_1500  guest -> daemon, N inband packets of 64 / 1,500 bytes
 *   h2g_64, h2g_1500  daemon -> guest, the same
 *   ping              one 8-byte packet with a completion requested, the
 *                     daemon's completion back: the round trip (median)
 * each as guest ticks per packet, packets per second at the partition's
 * TSC frequency, guest and host signals and VM exits per 1,000 packets:
 *
 *   ring_bench: threads g2h_64 ticks_per_packet=NNN packets_per_s=NNN
 *     guest_signals_per_1000=N host_signals_per_1000=N exits_per_1000=N packets=N
 *
 * Under Bochs the TSC counts emulated instructions: the ticks are exact
 * path lengths; "per second" is at the TSC frequency the guest is told.
 *
 * usage: ring_bench [packets]   (default 2000). Exit 4 (skip) without
 * /dev/hvtb.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/hvtb_vmbus.h>

#include "guest.h"
#include "hyperv.h"
#include "libhvtb.h"
#include "partition.h"
#include "vmbus.h"
#include "vmbus_ring.h"
#include "vsc.h"

#define RB_PAGES	34		/* 17 pages each way: 64 KiB of data */
#define RB_SPLIT	17
#define RB_GPADL	0xbe1c
#define RB_VEC		0xf3
#define RB_MAX		100000
#define RB_PING_MAX	2000

enum rb_phase { RB_G2H_64, RB_G2H_1500, RB_H2G_64, RB_H2G_1500, RB_PING, RB_PHASES, RB_IDLE };

static const char *const rb_names[RB_PHASES] = {
	"g2h_64", "g2h_1500", "h2g_64", "h2g_1500", "ping",
};
static const uint32_t rb_sizes[RB_PHASES] = { 64, 1504, 64, 1504, 8 };

/* ---- the guest ---- */

static uint8_t ring[RB_PAGES][4096] __attribute__((aligned(4096)));
static uint64_t ping_ticks[RB_PING_MAX];
static uint8_t rb_payload[1504];

/* What the host tells the guest. */
static struct {
	uint32_t relid;
	uint32_t conn_id;
	uint64_t n;
} cw;

static volatile uint64_t rb_irqs;

static void rb_handler(struct guest_frame *f)
{
	(void)f;
	rb_irqs++;
	synic.siefp[2][cw.relid / 8] = 0;	/* the channel's event flag */
	guest_wrmsr(0x80b, 0);			/* x2APIC EOI */
}

struct gring {
	volatile uint32_t *hdr;		/* write, read, mask, pending_send_sz */
	uint8_t *data;
	uint32_t size;
};

static struct gring g_out = { (volatile uint32_t *)ring[0], ring[1], (RB_SPLIT - 1) * 4096 };
static struct gring g_in = { (volatile uint32_t *)ring[RB_SPLIT], ring[RB_SPLIT + 1],
			     (RB_PAGES - RB_SPLIT - 1) * 4096 };

/*
 * Guest copies with REP MOVSB, as Linux's memcpy() on this CPU: the
 * libc's memcpy() picks AVX-512 forms for the host CPU, which the guest
 * (no XSAVE state enabled) does not have.
 */
static void g_memcpy(void *dst, const void *src, uint64_t n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void g_copy_to(struct gring *r, uint32_t off, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	uint32_t first = r->size - off < len ? r->size - off : len;

	g_memcpy(r->data + off, s, first);
	g_memcpy(r->data, s + first, len - first);
}

static uint32_t g_free(struct gring *r)
{
	uint32_t w = r->hdr[0], rd = r->hdr[1];

	return w >= rd ? r->size - (w - rd) : rd - w;
}

/* Halt until an interrupt came (interrupts on only inside the wait). */
static void g_wait(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

/* One inband packet of @len bytes (a multiple of 8); returns 1 if it signalled. */
static uint32_t g_send(uint64_t tid, uint32_t len, uint16_t flags)
{
	uint32_t need = 16 + len + 8, w, nw;
	uint64_t d[2], trailer;

	while (g_free(&g_out) <= need) {
		/* Full: ask the host to signal at room for this packet, then wait. */
		g_out.hdr[3] = need;
		__asm__ volatile("mfence" : : : "memory");
		if (g_free(&g_out) <= need)
			g_wait();
		g_out.hdr[3] = 0;
	}
	w = g_out.hdr[0];
	d[0] = 6 | (2u << 16) | ((uint64_t)((16 + len) / 8) << 32) | ((uint64_t)flags << 48);
	d[1] = tid;
	g_copy_to(&g_out, w, d, 16);
	g_copy_to(&g_out, (w + 16) % g_out.size, rb_payload, len);
	trailer = (uint64_t)w << 32;
	g_copy_to(&g_out, (w + 16 + len) % g_out.size, &trailer, 8);
	nw = (w + need) % g_out.size;
	__asm__ volatile("mfence" : : : "memory");
	g_out.hdr[0] = nw;
	__asm__ volatile("mfence" : : : "memory");
	/* hv_signal_on_write(): the host saw an empty ring and is not draining. */
	if (!g_out.hdr[2] && w == g_out.hdr[1]) {
		hv_call(HC_SIGNAL_EVENT | HC_FAST, cw.conn_id, 0);
		return 1;
	}
	return 0;
}

/* Consume every inbound packet; returns how many (and the last one's trans_id). */
static uint64_t g_recv(uint64_t *last_tid)
{
	uint32_t rd = g_in.hdr[1], w = g_in.hdr[0], len8, before, pend, freeb;
	uint64_t n = 0, d[2];

	__asm__ volatile("" : : : "memory");
	before = g_free(&g_in);
	while (rd != w) {
		/* The descriptor (16 bytes) may wrap. */
		if (g_in.size - rd >= 16) {
			g_memcpy(d, g_in.data + rd, 16);
		} else {
			g_memcpy(d, g_in.data + rd, g_in.size - rd);
			g_memcpy((uint8_t *)d + (g_in.size - rd), g_in.data, 16 - (g_in.size - rd));
		}
		len8 = (uint32_t)(d[0] >> 32) & 0xffff;
		*last_tid = d[1];
		rd = (rd + len8 * 8 + 8) % g_in.size;
		n++;
	}
	__asm__ volatile("mfence" : : : "memory");
	g_in.hdr[1] = rd;
	__asm__ volatile("mfence" : : : "memory");
	/* hv_pkt_iter_close(): signal the host if it waits for this much room. */
	pend = g_in.hdr[3];
	freeb = g_free(&g_in);
	if (n && pend && before <= pend && freeb > pend)
		hv_call(HC_SIGNAL_EVENT | HC_FAST, cw.conn_id, 0);
	return n;
}

static void guest_ring_bench(uint64_t unused)
{
	uint64_t i, n, got, t0, t1, sig, tid, best;
	unsigned int p;

	(void)unused;
	vsc_connect(1);
	GUEST_ASSERT_EQ(vsc_gpadl(cw.relid, RB_GPADL, (uintptr_t)ring, RB_PAGES, 1), 0);
	GUEST_ASSERT_EQ(vsc_open(cw.relid, RB_GPADL, RB_SPLIT), 0);
	/* The channel's SINT from polled to an interrupt. */
	guest_handlers[RB_VEC] = rb_handler;
	guest_wrmsr(0x1b, 0xfee00d00);		/* x2APIC */
	guest_wrmsr(0x80f, 0x1ff);
	guest_wrmsr(MSR_SINT0 + 2, RB_VEC);
	n = cw.n;
	for (p = 0; p < RB_PHASES; p++) {
		GUEST_SYNC(p);
		sig = 0;
		got = 0;
		t0 = guest_rdtsc();
		switch (p) {
		case RB_G2H_64:
		case RB_G2H_1500:
			for (i = 0; i < n; i++)
				sig += g_send(i, rb_sizes[p], 0);
			got = n;
			/* Done when the host consumed everything: it signals at an empty ring. */
			while (g_out.hdr[1] != g_out.hdr[0]) {
				g_out.hdr[3] = g_out.size - 8;
				__asm__ volatile("mfence" : : : "memory");
				if (g_out.hdr[1] != g_out.hdr[0])
					g_wait();
			}
			g_out.hdr[3] = 0;
			t1 = guest_rdtsc();
			break;
		case RB_H2G_64:
		case RB_H2G_1500:
			while (got < n) {
				i = g_recv(&tid);
				got += i;
				if (!i)
					g_wait();
			}
			t1 = guest_rdtsc();
			break;
		default:	/* ping */
			for (i = 0; i < n && i < RB_PING_MAX; i++) {
				uint64_t s = guest_rdtsc();

				sig += g_send(i, 8, 1);
				while (!g_recv(&tid))
					g_wait();
				GUEST_ASSERT_EQ(tid, i);
				ping_ticks[i] = guest_rdtsc() - s;
			}
			t1 = guest_rdtsc();
			got = i;
			break;
		}
		best = t1 - t0;
		GUEST_SYNC4(0x100 | p, best, sig, got);
	}
}

/* ---- the daemon ---- */

struct rb_daemon {
	int ch, efd;
	struct hvtb_ring rx, tx;
	volatile int phase;		/* enum rb_phase; RB_IDLE between */
	uint64_t n;
	uint64_t taken, put;
	uint64_t host_signals;
	volatile bool stop;
	uint8_t buf[2048];
};

static int rb_take(void *ctx, const struct hvtb_ring_pkt *pkt, int err)
{
	struct rb_daemon *d = ctx;
	static const uint8_t pong[8] = "pong5678";

	if (err)
		return -EPROTO;
	d->taken++;
	if (pkt->flags & HVTB_PKT_FLAG_COMPLETION_REQUESTED &&
	    hvtb_ring_put_comp(&d->tx, pkt->trans_id, pong, sizeof(pong)))
		return -ENOSPC;	/* one ping at a time: never full */
	return HVTB_RING_TAKEN;
}

static void rb_signal(struct rb_daemon *d)
{
	if (!hvtb_vmbus_channel_signal(d->ch))
		d->host_signals++;
}

static void rb_wait(struct rb_daemon *d)
{
	struct pollfd p = { .fd = d->efd, .events = POLLIN };
	uint64_t c;

	if (poll(&p, 1, 20) == 1 && read(d->efd, &c, sizeof(c)) < 0)
		perror("ring_bench: eventfd");
}

static void *rb_daemon_thread(void *arg)
{
	struct rb_daemon *d = arg;
	bool sig;
	int r;

	while (!d->stop) {
		int ph = d->phase;

		if (ph == RB_IDLE) {
			rb_wait(d);
			continue;
		}
		if (ph == RB_H2G_64 || ph == RB_H2G_1500) {
			/* Put while there is room, commit, signal as told; full: ask, wait. */
			while (d->put < d->n) {
				r = hvtb_ring_put_inband(&d->tx, 0, d->put, rb_payload, rb_sizes[ph]);
				if (r)
					break;
				d->put++;
			}
			if (!hvtb_ring_write_commit(&d->tx, &sig) && sig)
				rb_signal(d);
			if (d->put == d->n) {
				d->phase = RB_IDLE;
				continue;
			}
			if (hvtb_ring_want_space(&d->tx, hvtb_ring_put_size(0, rb_sizes[ph])) == 0)
				rb_wait(d);
			continue;
		}
		sig = false;
		r = hvtb_ring_drain(&d->rx, d->buf, sizeof(d->buf), 256, rb_take, d, &sig);
		if (r < 0) {
			fprintf(stderr, "ring_bench: drain: %s\n", hvtb_ring_strerror(r));
			d->phase = RB_IDLE;
			continue;
		}
		if (ph == RB_PING) {
			bool wsig;

			if (!hvtb_ring_write_commit(&d->tx, &wsig) && wsig)
				sig = true;
		}
		if (sig)
			rb_signal(d);
		if (r == HVTB_RING_EMPTY)
			rb_wait(d);
	}
	return NULL;
}

/* What the guest stopped with, where that is not the SYNC expected. */
static void rb_stopped(struct guest_vp *v, const struct ucall *uc, const char *mode,
		       const char *what)
{
	char buf[256];

	if (uc->cmd == UCALL_ASSERT) {
		/* The guest's string literals are at the same addresses here. */
		fprintf(stderr, "ring_bench: %s %s: guest assertion %s:%llu: %s (0x%llx vs 0x%llx)\n",
			mode, what, uc->file, (unsigned long long)uc->line, uc->expr,
			(unsigned long long)uc->args[0], (unsigned long long)uc->args[1]);
	} else if (uc->cmd == UCALL_UNHANDLED) {
		fprintf(stderr, "ring_bench: %s %s: guest exception vector %llu error 0x%llx rip 0x%llx\n",
			mode, what, (unsigned long long)uc->args[0],
			(unsigned long long)uc->args[1], (unsigned long long)uc->args[2]);
	} else {
		fprintf(stderr, "ring_bench: %s %s: ucall %llu (0x%llx): %s\n", mode, what,
			(unsigned long long)uc->cmd, (unsigned long long)uc->args[0],
			guest_describe_exit(v, buf, sizeof(buf)));
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The next record of the channel fd (blocking, 5 s). */
static int rb_event(int ch, struct hvtb_vmbus_event *ev)
{
	struct pollfd p = { .fd = ch, .events = POLLIN };

	if (poll(&p, 1, 5000) != 1)
		return -ETIMEDOUT;
	return read(ch, ev, sizeof(*ev)) == sizeof(*ev) ? 0 : -errno;
}

static const uint8_t rb_type[16] = { 0x52, 0x42, 0x65, 0x6e, 0x63, 0x68 };	/* "RBench" */
static const uint8_t rb_inst[16] = { 0x68, 0x76, 0x74, 0x62, 0x72, 0x62 };

static int ring_bench(uint64_t n, unsigned int flags, const char *mode)
{
	struct hvtb_vmbus_channel_info i0, i1;
	struct hvtb_vp_stats s0, s1;
	struct hvtb_vmbus_offer o;
	struct hvtb_vmbus_event ev;
	struct rb_daemon d = { .ch = -1, .efd = -1, .phase = RB_IDLE };
	uint64_t tsc_hz = 0, tid_n;
	struct guest g;
	struct guest_vp v;
	struct ucall uc;
	pthread_t th;
	uint8_t *map = MAP_FAILED;
	unsigned int p;
	int r;

	r = vsc_create(&g, &v, 0);
	if (r == -ENOENT) {
		printf("ring_bench: SKIP: /dev/hvtb missing (no VMX or hvtb not loaded)\n");
		return 4;
	}
	if (r)
		goto fail;
	if (flags & GUEST_ROOT_SCHED) {
		/* The mode is a partition flag: make the partition again with it. */
		guest_vp_destroy(&v);
		guest_destroy(&g);
		r = guest_create(&g, GUEST_LAPIC | flags);
		if (!r)
			r = hvtb_set_hyperv(g.part, &(struct hvtb_hyperv_config){
				.flags = HVTB_HV_ENABLE, .features_eax = EAX_ALL,
				.features_ebx = EBX_ALL });
		if (!r)
			r = guest_vp_create(&g, &v, 0);
		if (!r)
			r = vmbus_enable(g.part, 0);
		if (r)
			goto fail;
	}
	memset(&o, 0, sizeof(o));
	memcpy(o.if_type, rb_type, 16);
	memcpy(o.if_instance, rb_inst, 16);
	d.ch = hvtb_vmbus_offer_channel(g.part, &o);
	d.efd = eventfd(0, EFD_NONBLOCK);
	if (d.ch < 0 || d.efd < 0 || hvtb_vmbus_channel_set_eventfd(d.ch, d.efd)) {
		r = d.ch < 0 ? d.ch : -EIO;
		goto fail;
	}
	cw.relid = o.child_relid;
	cw.conn_id = o.connection_id;
	cw.n = n;
	guest_sync_to(&g, cw);
	for (p = 0; p < sizeof(rb_payload); p++)
		rb_payload[p] = (uint8_t)p;
	guest_sync_to(&g, rb_payload);
	r = guest_vp_enter_long(&v, guest_ring_bench, 0, 0);
	if (r)
		goto fail;
	/* Up to the first SYNC: connected, the ring open. */
	if (guest_run_ucall(&v, &uc) != UCALL_SYNC || uc.args[0] != 0) {
		rb_stopped(&v, &uc, mode, "setup");
		r = -EIO;
		goto fail;
	}
	do
		r = rb_event(d.ch, &ev);
	while (!r && ev.type != HVTB_VMBUS_EVENT_OPENED);
	if (r)
		goto fail;
	map = mmap(NULL, (size_t)ev.pages * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d.ch, 0);
	if (map == MAP_FAILED ||
	    hvtb_ring_init(&d.rx, map, ev.in_ring_size, HVTB_RING_HOST_READS) ||
	    hvtb_ring_init(&d.tx, map + ev.out_ring_offset, ev.out_ring_size,
			   HVTB_RING_HOST_WRITES)) {
		r = -EIO;
		goto fail;
	}
	if (pthread_create(&th, NULL, rb_daemon_thread, &d)) {
		r = -EAGAIN;
		goto fail;
	}
	{
		struct hvtb_capabilities caps = { 0 };

		if (!hvtb_get_capabilities(g.dev, &caps))
			tsc_hz = caps.tsc_khz * 1000ull;
	}
	for (p = 0; p < RB_PHASES; p++) {
		/* The guest is at SYNC(p): set the daemon up for the phase, count from here. */
		d.n = p == RB_PING ? (n < RB_PING_MAX ? n : RB_PING_MAX) : n;
		d.taken = d.put = 0;
		d.host_signals = 0;
		ioctl(v.fd, HVTB_VP_GET_STATS, &s0);
		hvtb_vmbus_channel_get_info(d.ch, &i0);
		__atomic_store_n(&d.phase, (int)p, __ATOMIC_SEQ_CST);
		/* Wake the daemon now, not at its next 20 ms poll timeout (it writes first in h2g). */
		if (eventfd_write(d.efd, 1))
			perror("ring_bench: eventfd_write");
		if (guest_run_ucall(&v, &uc) != UCALL_SYNC || uc.args[0] != (0x100u | p)) {
			rb_stopped(&v, &uc, mode, rb_names[p]);
			r = -EIO;
			break;
		}
		__atomic_store_n(&d.phase, RB_IDLE, __ATOMIC_SEQ_CST);
		ioctl(v.fd, HVTB_VP_GET_STATS, &s1);
		hvtb_vmbus_channel_get_info(d.ch, &i1);
		tid_n = uc.args[3] ? uc.args[3] : 1;
		if (p == RB_PING) {
			memcpy(ping_ticks, guest_gpa(&g, (uintptr_t)ping_ticks),
			       tid_n * sizeof(ping_ticks[0]));
			qsort(ping_ticks, tid_n, sizeof(ping_ticks[0]), cmp_u64);
			printf("ring_bench: %s ping median_ticks=%llu round_trips_per_s=%llu guest_signals_per_1000=%llu host_signals_per_1000=%llu exits_per_1000=%llu packets=%llu\n",
			       mode, (unsigned long long)ping_ticks[tid_n / 2],
			       (unsigned long long)(tsc_hz / (ping_ticks[tid_n / 2] ? ping_ticks[tid_n / 2] : 1)),
			       (unsigned long long)((i1.guest_signals - i0.guest_signals) * 1000 / tid_n),
			       (unsigned long long)((i1.host_signals - i0.host_signals) * 1000 / tid_n),
			       (unsigned long long)((s1.exits - s0.exits) * 1000 / tid_n),
			       (unsigned long long)tid_n);
		} else {
			uint64_t per = uc.args[1] / (tid_n ? tid_n : 1);

			printf("ring_bench: %s %s ticks_per_packet=%llu packets_per_s=%llu guest_signals_per_1000=%llu host_signals_per_1000=%llu exits_per_1000=%llu packets=%llu\n",
			       mode, rb_names[p], (unsigned long long)per,
			       (unsigned long long)(tsc_hz / (per ? per : 1)),
			       (unsigned long long)((i1.guest_signals - i0.guest_signals) * 1000 / tid_n),
			       (unsigned long long)((i1.host_signals - i0.host_signals) * 1000 / tid_n),
			       (unsigned long long)((s1.exits - s0.exits) * 1000 / tid_n),
			       (unsigned long long)tid_n);
			if (p < RB_H2G_64 && d.taken != n)
				fprintf(stderr, "ring_bench: %s %s: the daemon took %llu of %llu\n",
					mode, rb_names[p], (unsigned long long)d.taken,
					(unsigned long long)n);
		}
		fflush(stdout);
		if (p + 1 < RB_PHASES &&
		    (guest_run_ucall(&v, &uc) != UCALL_SYNC || uc.args[0] != p + 1)) {
			rb_stopped(&v, &uc, mode, "between phases");
			r = -EIO;
			break;
		}
	}
	d.stop = true;
	pthread_join(th, NULL);
fail:
	if (r)
		fprintf(stderr, "ring_bench: %s: %s\n", mode, strerror(-r));
	if (map != MAP_FAILED)
		munmap(map, (size_t)ev.pages * 4096);
	if (d.ch >= 0)
		close(d.ch);
	if (d.efd >= 0)
		close(d.efd);
	guest_vp_destroy(&v);
	guest_destroy(&g);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000;
	int r;

	if (n < 1 || n > RB_MAX) {
		fprintf(stderr, "ring_bench: packets must be 1..%d\n", RB_MAX);
		return 2;
	}
	r = ring_bench(n, 0, "threads");
	if (!r)
		r = ring_bench(n, GUEST_ROOT_SCHED, "root");
	return r;
}
