// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker's synthetic network adapter: with --net TAP, the worker
 * creates (or attaches to) the TAP device TAP in the parent partition,
 * brings it up and offers one netvsc channel (class
 * {f8615163-df3e-46c5-913f-f2d2f965ed0e}); the guest's hv_netvsc binds to
 * it as eth0 with the MAC address of --net TAP,mac=... (default
 * 00:15:5d:68:76:01). Frames go both ways between eth0 and TAP: give the
 * TAP an address in the parent and eth0 one in the guest, and they talk IP.
 *
 * The protocol is netvsp's pure logic (userspace/netvsp/: NVSP and RNDIS);
 * this file binds it to the channel fd (hvtb-icd's adapter), the guest's
 * buffers and the TAP. One thread serves the channel:
 *   guest -> host  SEND_RNDIS_PKT: the RNDIS message is copied out of its
 *                  send-buffer section (the GPADL, mmap()ed from the
 *                  channel fd) or its guest pages (checked against the
 *                  partition's memory); a PACKET's frame is written to the
 *                  TAP, a control message answered; every request completed.
 *   host -> guest  an RNDIS message (a frame read from the TAP, or a
 *                  control answer) is copied into a free sub-allocation of
 *                  the guest's receive buffer (also mmap()ed) and named in
 *                  an XFER_PAGES packet; the guest's completion frees it.
 *                  The TAP is read only while a sub-allocation is free and
 *                  the guest has set a packet filter.
 * Nothing the guest sends ends the worker: malformed messages are dropped
 * (completed with a failure where the guest waits for one) and counted.
 *
 * Locking: the adapter's state belongs to its thread; the main thread
 * reads the counters only after wk_net_stop().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../ic/icd_chanfd.h"
#include "../netvsp/net_nvsp.h"
#include "../netvsp/net_rndis.h"
#include "worker.h"

#define NET_WAIT_MS		200
#define NET_PAGE		4096u
/* The largest RNDIS message taken from the guest (a frame, a control message). */
#define NET_MSG_MAX		(NET_NVSP_SEND_SECTION)
/* GPA-direct ranges of one message (netvsc: the RNDIS header and the skb's pages). */
#define NET_MAX_RANGES		64u
/* Control answers waiting for a free sub-allocation. */
#define NET_CTRL_PENDING	16u
/* Frames taken from the TAP per round. */
#define NET_RX_BUDGET		64u
#define NET_RX_BUF		(64u + 8u * NET_MAX_RANGES + NET_NVSP_MSG_SIZE)
/* Completions waiting for room in the host-to-guest ring. */
#define NET_BACKLOG		256u
/* Packets taken from the guest per drain. */
#define NET_BUDGET		256u
/* Rounds a buffer message waits for its GPADL's record (one record a round). */
#define NET_DEFER_MAX		8u

struct net_ctrl {
	uint32_t len;
	uint8_t msg[NET_RNDIS_MAX_ANSWER];
};

struct net_stats {
	uint64_t tx_frames, tx_bytes, tx_errors;	/* guest -> TAP */
	uint64_t rx_frames, rx_bytes;			/* TAP -> guest */
	uint64_t rx_dropped;		/* no filter, no room in the ring */
	uint64_t bad_msgs;		/* malformed RNDIS or NVSP, pages outside memory */
	uint64_t map_failed;		/* buffer GPADLs that could not be mapped */
	uint64_t stray_completions;	/* completions of no sub-allocation in use */
	uint64_t broken_rings;
};

struct wk_net {
	struct wk_vm *vm;
	struct icd_chan chan;
	struct net_nvsp nvsp;
	struct net_rndis rndis;
	int tap;
	char ifname[IFNAMSIZ];
	uint8_t mac[6];
	bool serving, broken;
	/* the guest's buffers, mapped from the channel fd */
	uint8_t *recv, *send;
	size_t recv_len, send_len;
	uint8_t *sub_busy;		/* per receive sub-allocation */
	uint32_t nsub, sub_free, sub_next;
	uint64_t deferred_tid;		/* a buffer message waiting for its GPADL record */
	unsigned int deferred;		/* how many times it waited */
	struct net_ctrl ctrl[NET_CTRL_PENDING];
	unsigned int nctrl;
	/* completions waiting for room in the host-to-guest ring */
	struct hvtb_ring_backlog backlog;
	struct hvtb_ring_backlog_ent pending[NET_BACKLOG];
	bool again;			/* the drain's budget ran out: serve again at once */
	struct net_stats st;
	int last_err;
	struct wk_thread thread;
	uint8_t rx_buf[NET_RX_BUF];
	uint8_t msg[NET_MSG_MAX];
	uint8_t frame[NET_ETH_MAX_FRAME + 64];
};

/* {f8615163-df3e-46c5-913f-f2d2f965ed0e}, guid_t bytes. */
static const uint8_t net_class[16] = {
	0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
	0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e,
};

/* The adapter's instance: {68766274-6963-4862-8000-000000000020}. */
static const uint8_t net_instance[16] = {
	0x74, 0x62, 0x76, 0x68, 0x63, 0x69, 0x62, 0x48,
	0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20,
};

/* --- the TAP -------------------------------------------------------------- */

int wk_net_open(struct wk_vm *vm)
{
	const struct wk_config *cfg = &vm->cfg;
	struct ifreq ifr;
	struct wk_net *n;
	int sock;

	if (!cfg->net_tap)
		return 0;
	n = calloc(1, sizeof(*n));
	if (!n)
		return wk_err(WK_EXIT_HVTB, "network: %s", strerror(ENOMEM));
	n->vm = vm;
	hvtb_ring_backlog_init(&n->backlog, n->pending, NET_BACKLOG);
	n->chan.fd = n->chan.guest_evfd = n->chan.aux_fd = -1;	/* not offered yet */
	memcpy(n->mac, cfg->net_mac, 6);
	vm->net = n;	/* wk_net_free() closes what opened */
	n->tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (n->tap < 0)
		return wk_err(WK_EXIT_HVTB, "--net %s: /dev/net/tun: %s%s", cfg->net_tap,
			      strerror(errno), errno == ENOENT ? " (modprobe tun)" : "");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cfg->net_tap);
	if (ioctl(n->tap, TUNSETIFF, &ifr))
		return wk_err(WK_EXIT_HVTB, "--net %s: TUNSETIFF: %s", cfg->net_tap, strerror(errno));
	snprintf(n->ifname, sizeof(n->ifname), "%s", ifr.ifr_name);
	/* Up, so the parent can give it an address at once. */
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock >= 0 && !ioctl(sock, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(sock, SIOCSIFFLAGS, &ifr))
			fprintf(stderr, "hvtb-worker: --net %s: cannot set it up: %s (going on)\n",
				n->ifname, strerror(errno));
	}
	if (sock >= 0)
		close(sock);
	return 0;
}

/* --- the guest's buffers -------------------------------------------------- */

static void net_unmap(struct wk_net *n)
{
	if (n->recv)
		munmap(n->recv, n->recv_len);
	if (n->send)
		munmap(n->send, n->send_len);
	n->recv = n->send = NULL;
	n->recv_len = n->send_len = 0;
	free(n->sub_busy);
	n->sub_busy = NULL;
	n->nsub = n->sub_free = n->sub_next = 0;
	n->nctrl = 0;
}

/* mmap() GPADL @gpadl of the channel; its size, 0 on failure (-EAGAIN: no record yet). */
static int net_map_gpadl(struct wk_net *n, uint32_t gpadl, uint8_t **map, size_t *len)
{
	int pages = icd_chan_gpadl_pages(&n->chan, gpadl);
	void *p;

	if (pages == -ENOENT)
		return -EAGAIN;
	if (pages <= 0)
		return -EINVAL;
	p = mmap(NULL, (size_t)pages * NET_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, n->chan.fd,
		 (off_t)gpadl * NET_PAGE);
	if (p == MAP_FAILED)
		return -errno;
	*map = p;
	*len = (size_t)pages * NET_PAGE;
	return 0;
}

/* --- host -> guest -------------------------------------------------------- */

static void net_broken(struct wk_net *n, int err)
{
	n->broken = true;
	n->st.broken_rings++;
	n->last_err = err;
}

static void net_signal(struct wk_net *n)
{
	int e = icd_chan_signal(&n->chan);

	if (e)
		n->last_err = e;
}

/* A COMP packet answering @tid with @len bytes of @msg; it waits if the ring is full. */
static void net_comp(struct wk_net *n, uint64_t tid, const void *msg, uint32_t len)
{
	/* -ENOBUFS cannot happen: a packet is taken only while its answer has room. */
	int ret = hvtb_ring_comp(&n->chan.tx, &n->backlog, tid, msg, len);

	if (ret)
		net_broken(n, ret);
}

static int net_sub_get(struct wk_net *n)
{
	uint32_t i, k;

	if (!n->sub_free)
		return -1;
	for (k = 0; k < n->nsub; k++) {
		i = (n->sub_next + k) % n->nsub;
		if (!n->sub_busy[i]) {
			n->sub_busy[i] = 1;
			n->sub_free--;
			n->sub_next = (i + 1) % n->nsub;
			return (int)i;
		}
	}
	return -1;
}

/*
 * One RNDIS message (@hdr then @data) to the guest in a sub-allocation.
 * Return: 0; -ENOBUFS no free sub-allocation; -EAGAIN no room in the ring
 * (the sub-allocation is given back).
 */
static int net_deliver(struct wk_net *n, const void *hdr, uint32_t hlen, const void *data,
		       uint32_t dlen, uint32_t channel_type)
{
	struct {
		uint16_t pageset_id;
		uint8_t sender_owns;
		uint8_t reserved;
		uint32_t range_cnt;
		uint32_t byte_count;
		uint32_t byte_offset;
	} __attribute__((packed)) xfer;
	uint8_t nvsp[NET_NVSP_MSG_SIZE];
	struct hvtb_ring_iov iov = { nvsp, sizeof(nvsp) };
	int i = net_sub_get(n), ret;
	uint8_t *p;

	if (i < 0)
		return -ENOBUFS;
	p = n->recv + (size_t)i * NET_NVSP_RECV_SUBALLOC;
	memcpy(p, hdr, hlen);
	if (dlen)
		memcpy(p + hlen, data, dlen);
	xfer = (typeof(xfer)){ NET_NVSP_RECV_BUF_ID, 0, 0, 1, hlen + dlen,
			       (uint32_t)i * NET_NVSP_RECV_SUBALLOC };
	net_nvsp_rx_message(nvsp, channel_type);
	ret = hvtb_ring_putv(&n->chan.tx, HVTB_PKT_DATA_USING_XFER_PAGES,
			     HVTB_PKT_FLAG_COMPLETION_REQUESTED, (uint64_t)i + 1, &xfer, sizeof(xfer),
			     &iov, 1);
	if (ret) {
		n->sub_busy[i] = 0;
		n->sub_free++;
		if (ret != -EAGAIN)
			net_broken(n, ret);
		return ret;
	}
	return 0;
}

/* Control answers first (the guest waits for them), in order. */
static void net_flush_ctrl(struct wk_net *n)
{
	unsigned int done = 0;

	while (done < n->nctrl &&
	       !net_deliver(n, n->ctrl[done].msg, n->ctrl[done].len, NULL, 0, 1))
		done++;
	memmove(n->ctrl, n->ctrl + done, (n->nctrl - done) * sizeof(n->ctrl[0]));
	n->nctrl -= done;
}

static void net_queue_ctrl(struct wk_net *n, const uint8_t *msg, uint32_t len)
{
	if (n->nctrl == NET_CTRL_PENDING) {	/* a guest that never completes: it loses answers */
		n->st.rx_dropped++;
		return;
	}
	memcpy(n->ctrl[n->nctrl].msg, msg, len);
	n->ctrl[n->nctrl].len = len;
	n->nctrl++;
	net_flush_ctrl(n);
}

/* Frames from the TAP while there is room for them. */
static void net_rx_tap(struct wk_net *n)
{
	uint8_t hdr[NET_RNDIS_RX_HDR];
	unsigned int budget = NET_RX_BUDGET;
	ssize_t len;

	while (budget-- && n->sub_free && !n->nctrl && !n->backlog.count && !n->broken) {
		len = read(n->tap, n->frame, sizeof(n->frame));
		if (len < 0) {
			if (errno != EAGAIN && errno != EINTR)
				n->last_err = -errno;
			return;
		}
		if (!n->rndis.filter || len < 14 || (size_t)len > NET_ETH_MAX_FRAME) {
			n->st.rx_dropped++;
			continue;
		}
		net_rndis_rx_header(hdr, len);
		if (net_deliver(n, hdr, sizeof(hdr), n->frame, len, 0)) {
			n->st.rx_dropped++;
			return;
		}
		n->st.rx_frames++;
		n->st.rx_bytes += len;
	}
}

/* --- guest -> host -------------------------------------------------------- */

/* The RNDIS message of a SEND_RNDIS_PKT into n->msg; its length, 0 if unusable. */
static uint32_t net_fetch(struct wk_net *n, const struct hvtb_ring_pkt *pkt,
			  const struct net_nvsp_action *act)
{
	struct hvtb_ring_gpa_range r[NET_MAX_RANGES];
	uint64_t pages = n->vm->mem_size / NET_PAGE;
	uint32_t nr, i, j, len = 0;

	if (act->section != NET_NVSP_NO_SECTION) {
		size_t off = (size_t)act->section * NET_NVSP_SEND_SECTION;

		if (!n->send || off + act->section_size > n->send_len)
			return 0;
		memcpy(n->msg, n->send + off, act->section_size);
		return act->section_size;
	}
	if (hvtb_ring_gpa_ranges(pkt, r, NET_MAX_RANGES, &nr))
		return 0;
	for (i = 0; i < nr; i++) {
		uint32_t left = r[i].byte_count, off = r[i].byte_offset;

		for (j = 0; j < r[i].pfn_count && left; j++) {
			uint64_t pfn = hvtb_ring_gpa_pfn(&r[i], j);
			uint32_t k = NET_PAGE - off < left ? NET_PAGE - off : left;

			if (pfn >= pages || k > NET_MSG_MAX - len)
				return 0;
			memcpy(n->msg + len, n->vm->mem + pfn * NET_PAGE + off, k);
			len += k;
			left -= k;
			off = 0;
		}
	}
	return len;
}

static uint32_t net_rndis_msg(struct wk_net *n, const uint8_t *msg, uint32_t len)
{
	uint8_t answer[NET_RNDIS_MAX_ANSWER];
	uint32_t off, flen, type;
	int ret;

	if (len < NET_RNDIS_HDR)
		goto bad;
	memcpy(&type, msg, 4);
	if (type == NET_RNDIS_PACKET) {
		if (net_rndis_frame(msg, len, &off, &flen))
			goto bad;
		if (write(n->tap, msg + off, flen) != (ssize_t)flen) {
			n->st.tx_errors++;	/* the TAP is down or full: the frame is lost */
			return NET_NVSP_STAT_SUCCESS;
		}
		n->st.tx_frames++;
		n->st.tx_bytes += flen;
		return NET_NVSP_STAT_SUCCESS;
	}
	ret = net_rndis_control(&n->rndis, msg, len, answer);
	if (ret < 0)
		goto bad;
	if (ret > 0)
		net_queue_ctrl(n, answer, ret);
	return NET_NVSP_STAT_SUCCESS;

bad:
	n->st.bad_msgs++;
	return NET_NVSP_STAT_FAIL;
}

static void net_rx_done(struct wk_net *n, uint64_t tid)
{
	if (tid < 1 || tid > n->nsub || !n->sub_busy[tid - 1]) {
		n->st.stray_completions++;
		return;
	}
	n->sub_busy[tid - 1] = 0;
	n->sub_free++;
}

/* A buffer GPADL named by SEND_RECV_BUF / SEND_SEND_BUF. Return: false to retry the packet later. */
static bool net_map_buffer(struct wk_net *n, const struct hvtb_ring_pkt *pkt,
			   struct net_nvsp_action *act, bool recv)
{
	uint8_t *map = NULL;
	size_t len = 0;
	int ret = net_map_gpadl(n, act->gpadl, &map, &len);

	if (n->deferred_tid != pkt->trans_id)
		n->deferred = 0;
	if (ret == -EAGAIN && n->deferred < NET_DEFER_MAX) {
		/* Its GPADL_CREATED record is queued behind the signal: read the records first. */
		n->deferred++;
		n->deferred_tid = pkt->trans_id;
		return false;
	}
	n->deferred = 0;
	if (ret || len > UINT32_MAX) {
		n->st.map_failed++;
		len = 0;
	}
	if (recv) {
		net_nvsp_recv_mapped(&n->nvsp, len, act);
		if (len && n->nvsp.nsuballocs) {
			n->recv = map;
			n->recv_len = len;
			n->nsub = n->sub_free = n->nvsp.nsuballocs;
			n->sub_busy = calloc(n->nsub, 1);
			if (!n->sub_busy) {
				n->nsub = n->sub_free = 0;
				n->last_err = -ENOMEM;
			}
		} else if (len) {
			munmap(map, len);
		}
	} else {
		net_nvsp_send_mapped(&n->nvsp, len, act);
		if (len && n->nvsp.nsections) {
			n->send = map;
			n->send_len = len;
		} else if (len) {
			munmap(map, len);
		}
	}
	net_comp(n, act->trans_id, act->reply, act->reply_len);
	return true;
}

/* One packet of the guest's ring. Return: false to leave it there (retry later). */
static bool net_packet(struct wk_net *n, const struct hvtb_ring_pkt *pkt)
{
	struct net_nvsp_action act;
	uint8_t comp[NET_NVSP_MSG_SIZE];
	uint32_t len, status;

	net_nvsp_parse(&n->nvsp, pkt, &act);
	switch (act.what) {
	case NET_NVSP_REPLY:
		net_comp(n, act.trans_id, act.reply, act.reply_len);
		break;
	case NET_NVSP_MAP_RECV:
	case NET_NVSP_MAP_SEND:
		return net_map_buffer(n, pkt, &act, act.what == NET_NVSP_MAP_RECV);
	case NET_NVSP_REVOKE_RECV:
		if (n->recv)
			munmap(n->recv, n->recv_len);
		n->recv = NULL;
		n->recv_len = 0;
		free(n->sub_busy);
		n->sub_busy = NULL;
		n->nsub = n->sub_free = 0;
		n->nctrl = 0;
		break;
	case NET_NVSP_REVOKE_SEND:
		if (n->send)
			munmap(n->send, n->send_len);
		n->send = NULL;
		n->send_len = 0;
		break;
	case NET_NVSP_RNDIS:
		len = net_fetch(n, pkt, &act);
		if (!len) {
			n->st.bad_msgs++;
			status = NET_NVSP_STAT_FAIL;
		} else {
			status = net_rndis_msg(n, n->msg, len);
		}
		net_nvsp_rndis_complete(comp, status);
		if (act.want_comp)
			net_comp(n, act.trans_id, comp, sizeof(comp));
		break;
	case NET_NVSP_RX_DONE:
		net_rx_done(n, act.trans_id);
		break;
	case NET_NVSP_BAD:
		/* A malformed request the guest waits on still gets an answer. */
		if (act.want_comp) {
			net_nvsp_rndis_complete(comp, NET_NVSP_STAT_FAIL);
			net_comp(n, act.trans_id, comp, sizeof(comp));
		}
		break;
	case NET_NVSP_NONE:
		break;
	}
	return true;
}

/* One packet of the guest's ring (hvtb_ring_drain()). */
static int net_take(void *ctx, const struct hvtb_ring_pkt *pkt, int err)
{
	struct wk_net *n = ctx;

	if (!hvtb_ring_backlog_room(&n->backlog, 1))
		return HVTB_RING_LEAVE;	/* the guest's signal for room brings us back */
	if (err == -EMSGSIZE) {		/* longer than any NVSP packet */
		n->st.bad_msgs++;
		return HVTB_RING_TAKEN;
	}
	if (!net_packet(n, pkt))
		return HVTB_RING_LEAVE;
	return n->broken ? -EPIPE : HVTB_RING_TAKEN;
}

static void net_drain(struct wk_net *n)
{
	bool signal = false;
	int ret;

	ret = hvtb_ring_drain(&n->chan.rx, n->rx_buf, sizeof(n->rx_buf), NET_BUDGET, net_take, n,
			      &signal);
	if (signal)
		net_signal(n);
	n->again = ret == HVTB_RING_MORE;
	if (ret < 0 && !n->broken)
		net_broken(n, ret);
}

static void net_serve(struct wk_net *n, bool tap_ready)
{
	bool signal;
	int ret;

	ret = hvtb_ring_backlog_flush(&n->chan.tx, &n->backlog);
	if (ret < 0) {
		net_broken(n, ret);
		return;
	}
	net_drain(n);
	if (!n->broken && n->nctrl)
		net_flush_ctrl(n);
	if (!n->broken && tap_ready && n->recv)
		net_rx_tap(n);
	if (n->broken)
		return;
	ret = hvtb_ring_write_commit(&n->chan.tx, &signal);
	if (ret)
		net_broken(n, ret);
	else if (signal)
		net_signal(n);
}

static void *net_thread(void *arg)
{
	struct wk_net *n = arg;
	struct net_nvsp_stats nst;
	struct net_rndis_stats rst;
	int what;

	while (!wk_vm_ended(n->vm)) {
		/* The TAP wakes the thread only when its frames can go somewhere. */
		icd_chan_set_aux(&n->chan, n->serving && !n->broken && n->recv && n->sub_free &&
				 n->rndis.filter && !n->nctrl ? n->tap : -1);
		what = icd_chan_next(&n->chan, n->deferred || n->again ? 0 : NET_WAIT_MS);
		if (what < 0) {
			n->last_err = what;
			break;
		}
		switch (what) {
		case ICD_CHAN_OPENED:
			net_unmap(n);
			nst = n->nvsp.stats;	/* the counters go on over reopens */
			rst = n->rndis.stats;
			net_nvsp_init(&n->nvsp);
			net_rndis_init(&n->rndis, n->mac);
			n->nvsp.stats = nst;
			n->rndis.stats = rst;
			n->serving = true;
			n->broken = false;
			n->deferred = 0;
			n->again = false;
			hvtb_ring_backlog_reset(&n->backlog);
			break;
		case ICD_CHAN_CLOSED:
		case ICD_CHAN_RELEASED:
			n->serving = false;
			net_unmap(n);
			n->again = false;
			hvtb_ring_backlog_reset(&n->backlog);
			if (what == ICD_CHAN_RELEASED)
				return NULL;
			break;
		default:
			break;
		}
		if (n->serving && !n->broken)
			net_serve(n, what == ICD_CHAN_AUX);
	}
	return NULL;
}

/* --- the worker's calls --------------------------------------------------- */

int wk_net_offer(struct wk_vm *vm)
{
	struct wk_net *n = vm->net;

	if (!n)
		return 0;
	return icd_chan_offer(&n->chan, vm->part, net_class, net_instance, 0);
}

int wk_net_start(struct wk_vm *vm)
{
	struct wk_net *n = vm->net;

	if (!n || n->chan.fd < 0)
		return 0;
	return wk_thread_start(&n->thread, net_thread, n);
}

void wk_net_stop(struct wk_vm *vm)
{
	if (vm->net)
		wk_thread_join(&vm->net->thread);
}

void wk_net_print_stats(struct wk_vm *vm, FILE *out)
{
	const struct wk_net *n = vm->net;
	const struct net_stats *s;
	char rings[160];

	if (!n)
		return;
	icd_chan_ring_stats(&n->chan, rings, sizeof(rings));
	s = &n->st;
	fprintf(out, "hvtb-worker: network %s (%02x:%02x:%02x:%02x:%02x:%02x): NVSP %#x, NDIS %u.%u, RNDIS %s, filter %#x; guest->tap %" PRIu64 " frames (%" PRIu64 " bytes, %" PRIu64 " lost); tap->guest %" PRIu64 " frames (%" PRIu64 " bytes), %" PRIu64 " dropped; %" PRIu64 " completions waited for room (%u at most); %" PRIu64 " control messages, %" PRIu64 " OIDs not served; bad: %" PRIu64 " NVSP, %" PRIu64 " RNDIS/pages, %" PRIu64 " stray completions, %" PRIu64 " buffer maps failed, %" PRIu64 " corrupt rings; channel %s%s%s\n",
		n->ifname, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5],
		n->nvsp.version, n->nvsp.ndis_version >> 16, n->nvsp.ndis_version & 0xffff,
		n->rndis.initialized ? "initialized" : "not initialized", n->rndis.filter,
		s->tx_frames, s->tx_bytes, s->tx_errors, s->rx_frames, s->rx_bytes, s->rx_dropped,
		n->backlog.waited, n->backlog.max_count, n->rndis.stats.control, n->rndis.stats.unsupported, n->nvsp.stats.bad, s->bad_msgs,
		s->stray_completions, s->map_failed, s->broken_rings, rings,
		n->last_err ? ", last error: " : "", n->last_err ? strerror(-n->last_err) : "");
}

void wk_net_free(struct wk_vm *vm)
{
	struct wk_net *n = vm->net;

	if (!n)
		return;
	wk_net_stop(vm);
	net_unmap(n);
	if (n->chan.fd >= 0 || n->chan.guest_evfd >= 0)
		icd_chan_close(&n->chan);
	if (n->tap >= 0)
		close(n->tap);
	free(n);
	vm->net = NULL;
}
