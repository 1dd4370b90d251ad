// SPDX-License-Identifier: GPL-2.0
/*
 * ic_fuzz - libFuzzer target (Debian's clang) for libhvtbic, the host side
 * of the integration components (userspace/ic/). The input picks an IC
 * (heartbeat, shutdown, timesync, KVP) and its version proposal, then a
 * stream of steps interleaving host actions (start, requests with fuzzed
 * arguments, polls, ticks, timeouts) with a hostile guest: honest answers
 * from ic_guest.h (the Linux-shaped guest), the host's last request echoed
 * back with fuzzed bytes, lengths, transaction ids and packet types, raw
 * packets, and scribbled ring indices. The raw bytes also go straight to
 * the parsers (hvtb_ic_msg_parse, hvtb_ic_nego_parse, UTF-16 decoding).
 *
 * Checked: every call returns one of its documented values; the state is
 * a known one and a request is outstanding exactly in NEGOTIATING and
 * WAITING; decoded KVP strings are terminated inside their buffers; a
 * parsed message's body lies inside the bytes given. ASan catches any
 * access outside the rings (between PROT_NONE pages) and buffers.
 *
 * selftests/fuzz/ic_seeds/ holds one input per IC that negotiates and runs
 * its requests honestly (start, then request after request, each answered
 * and polled): copy them into the corpus directory to start from there.
 *
 *   make -C selftests fuzz && cp -r selftests/fuzz/ic_seeds corpus &&
 *   build/user/selftests/ic_fuzz -max_total_time=60 corpus
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../host/ic_guest.h"
#include "../../userspace/ic/ic_heartbeat.h"
#include "../../userspace/ic/ic_kvp.h"
#include "../../userspace/ic/ic_shutdown.h"
#include "../../userspace/ic/ic_timesync.h"
#include "../../userspace/ic/ic_utf16.h"
#include "fuzz_input.h"

#define MAX_STEPS	128


static bool one_of(int err, const int *ok, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (err == ok[i])
			return true;
	return false;
}

/* What a request or start may return. */
static const int send_errs[] = { 0, -EBUSY, -ENOTCONN, -EPIPE, -EAGAIN, -EPROTO, -EINVAL,
				 -EALREADY, -EPROTONOSUPPORT, -EIO };
static const int poll_errs[] = { 0, 1, -EPIPE, -EPROTO, -EBADMSG, -EIO };

static uint64_t fz_filetime(void *ctx)
{
	return *(uint64_t *)ctx;
}

static uint64_t fz_reftime(void *ctx)
{
	return *(uint64_t *)ctx / 3;
}

static struct g_chan chan;
static struct g_ic guest;
static union {
	struct hvtb_ic_heartbeat hb;
	struct hvtb_ic_shutdown sd;
	struct hvtb_ic_timesync ts;
	struct hvtb_ic_kvp kvp;
} u;
static uint8_t pkt[HVTB_IC_MAX_MSG + 256];

/* Fresh rings (mapped once) and views. */
static int reset_chan(void)
{
	static bool mapped;

	if (!mapped) {
		if (g_chan_init(&chan))
			return -1;
		mapped = true;
	}
	memset(chan.g2h.hdr, 0, G_PAGE);
	memset(chan.h2g.hdr, 0, G_PAGE);
	chan.g2h.hdr->feature_bits = 1;
	chan.h2g.hdr->feature_bits = 1;
	chan.g2h.priv = 0;
	chan.h2g.priv = 0;
	chan.host_signals = 0;
	chan.guest_signals = 0;
	chan.signal_err = 0;
	if (hvtb_ring_init(&chan.rx, chan.g2h.hdr, G_RING_SIZE, HVTB_RING_HOST_READS) ||
	    hvtb_ring_init(&chan.tx, chan.h2g.hdr, G_RING_SIZE, HVTB_RING_HOST_WRITES))
		return -1;
	return 0;
}

static void check_ic(const struct hvtb_ic *ic)
{
	check(ic->state <= HVTB_IC_BROKEN);
	check(hvtb_ic_busy(ic) == (ic->state == HVTB_IC_NEGOTIATING ||
				   ic->state == HVTB_IC_WAITING));
	if (ic->msgver.major == 0)
		check(ic->state != HVTB_IC_READY && ic->state != HVTB_IC_WAITING);
	check(strlen(u.kvp.key) < sizeof(u.kvp.key) || guest.msgtype != HVTB_ICMSG_KVP);
}

/* The parsers on raw guest bytes. */
static void parse_raw(const uint8_t *b, uint32_t len)
{
	static const struct hvtb_ic_version v[2] = { { 3, 0 }, { 1, 0 } };
	struct hvtb_ic_version fw, msg;
	struct hvtb_ic_msg m;
	char out[64];
	int ret;

	ret = hvtb_ic_msg_parse(b, len, &m);
	check(ret == 0 || ret == -EBADMSG);
	if (ret)
		return;
	check(m.body == b + HVTB_IC_BODY_OFFSET && m.body_len <= m.room &&
	      m.room == len - HVTB_IC_BODY_OFFSET);
	ret = hvtb_ic_nego_parse(&m, v, 2, v, 2, &fw, &msg);
	check(ret == 0 || ret == -EBADMSG || ret == -EPROTONOSUPPORT);
	if (!ret)
		check((fw.major == 3 || fw.major == 1) && fw.minor == 0);
	ret = hvtb_ic_utf16_to_utf8(m.body, m.body_len, out, sizeof(out));
	check(ret == -EILSEQ || ret == -E2BIG || (ret >= 0 && (size_t)ret == strlen(out)));
}

/* The host's last request as the guest received it, then fuzzed: a near-miss answer. */
static void echo_fuzzed(struct input *in)
{
	uint32_t len, n, i, off;
	uint64_t id = 0;
	uint16_t type = HVTB_PKT_DATA_INBAND;

	len = g_recv(&chan, pkt, sizeof(pkt), &id);
	if (!len)
		len = take(in, 2) % sizeof(pkt);
	pkt[HVTB_IC_PIPE_HDR_SIZE + 17] = HVTB_ICFLAG_TRANSACTION | HVTB_ICFLAG_RESPONSE;
	n = take(in, 1) % 8;
	for (i = 0; i < n; i++) {
		off = take(in, 2) % sizeof(pkt);
		pkt[off] = (uint8_t)take(in, 1);
	}
	switch (take(in, 1) % 6) {
	case 0:
		len = take(in, 2) % sizeof(pkt);
		break;
	case 1:
		id += take(in, 1);
		break;
	case 2:
		type = (uint16_t)take(in, 1);
		break;
	default:
		break;
	}
	parse_raw(pkt, len);
	g_send_raw(&chan, type, id, pkt, len > G_BUF ? G_BUF : len);
}

static void host_action(struct hvtb_ic *ic, struct input *in, uint64_t now)
{
	static const char *const keys[] = { "k", "FullyQualifiedDomainName", "", "k\xc3\xa4\xf0\x9f\x98\x80",
					    "\xff" };
	uint32_t a = take(in, 1), b = take(in, 4);
	int ret = 0;

	if (a % 4 == 0) {
		ret = hvtb_ic_start(ic, now);
	} else {
		switch (guest.msgtype) {
		case HVTB_ICMSG_HEARTBEAT:
			ret = hvtb_ic_heartbeat_send(&u.hb, now);
			break;
		case HVTB_ICMSG_SHUTDOWN:
			ret = hvtb_ic_shutdown_request(&u.sd, b & 7, b, b >> 8,
						       keys[(b >> 3) % 5], now);
			break;
		case HVTB_ICMSG_TIMESYNC:
			ret = hvtb_ic_timesync_send(&u.ts, (uint8_t)(b & 3), now);
			break;
		default:
			switch (a % 4) {
			case 1:
				ret = hvtb_ic_kvp_enumerate(&u.kvp, (uint8_t)(b % 6), b >> 8, now);
				break;
			case 2:
				ret = hvtb_ic_kvp_set(&u.kvp, (uint8_t)(b % 6), keys[(b >> 8) % 5],
						      keys[(b >> 16) % 5], now);
				break;
			default:
				ret = (b & 1) ? hvtb_ic_kvp_get(&u.kvp, (uint8_t)(b % 6),
								keys[(b >> 8) % 5], now) :
						hvtb_ic_kvp_delete(&u.kvp, (uint8_t)(b % 6),
								   keys[(b >> 8) % 5], now);
				break;
			}
		}
	}
	check(one_of(ret, send_errs, G_ARRAY_SIZE(send_errs)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = { HVTB_ICMSG_HEARTBEAT, HVTB_ICMSG_SHUTDOWN,
					  HVTB_ICMSG_TIMESYNC, HVTB_ICMSG_KVP };
	static uint64_t clock_value = 133000000000000000ull;
	struct hvtb_ic_clock clock = { fz_filetime, fz_reftime, &clock_value };
	struct input in = { data, size };
	uint32_t sel = take(&in, 1), steps, step, len;
	struct hvtb_ic *ic = &u.hb.ic;
	struct hvtb_ic_version v;
	uint64_t now = 0;
	int ret;

	if (reset_chan())
		abort();
	memset(&guest, 0, offsetof(struct g_ic, buf));
	guest.msgtype = types[sel % 4];
	guest.daemon = (sel >> 2) & 1;
	guest.hibernation_supported = (sel >> 3) & 1;
	switch (guest.msgtype) {
	case HVTB_ICMSG_HEARTBEAT:
		ret = hvtb_ic_heartbeat_init(&u.hb, &chan.tp, 1000, take(&in, 4));
		break;
	case HVTB_ICMSG_SHUTDOWN:
		ret = hvtb_ic_shutdown_init(&u.sd, &chan.tp);
		break;
	case HVTB_ICMSG_TIMESYNC:
		ret = hvtb_ic_timesync_init(&u.ts, &chan.tp, &clock, 1000);
		break;
	default:
		ret = hvtb_ic_kvp_init(&u.kvp, &chan.tp);
		break;
	}
	check(ret == 0);
	if ((sel >> 4) & 1) {
		v.major = (uint16_t)take(&in, 1);
		v.minor = (uint16_t)take(&in, 1);
		check(hvtb_ic_set_versions(ic, hvtb_ic_fw_versions, 2, &v, 1) == 0);
	}
	steps = take(&in, 1) % MAX_STEPS;
	for (step = 0; step < steps && in.left; step++) {
		now += take(&in, 1) * 16;
		switch (take(&in, 1) % 9) {
		case 0:
			host_action(ic, &in, now);
			break;
		case 1:
			g_run(&chan, &guest);
			break;
		case 2:
			/* An honest exchange: deep states come quicker. */
			g_run(&chan, &guest);
			ret = hvtb_ic_poll(ic, now);
			check(one_of(ret, poll_errs, G_ARRAY_SIZE(poll_errs)));
			break;
		case 3:
			echo_fuzzed(&in);
			break;
		case 4:
			len = take(&in, 2) % 512;
			if (len > in.left)
				len = (uint32_t)in.left;
			memcpy(pkt, in.p, len);
			in.p += len;
			in.left -= len;
			parse_raw(pkt, len);
			g_send_raw(&chan, (uint16_t)take(&in, 1), ic->req_trans_id + take(&in, 1) % 2,
				   pkt, len);
			break;
		case 5:
			ret = hvtb_ic_poll(ic, now);
			check(one_of(ret, poll_errs, G_ARRAY_SIZE(poll_errs)));
			break;
		case 6:
			ret = hvtb_ic_timeout(ic, now, take(&in, 1) * 16);
			check(ret == 0 || ret == 1);
			break;
		case 7:
			if (guest.msgtype == HVTB_ICMSG_HEARTBEAT)
				ret = hvtb_ic_heartbeat_tick(&u.hb, now);
			else if (guest.msgtype == HVTB_ICMSG_TIMESYNC)
				ret = hvtb_ic_timesync_tick(&u.ts, now);
			else
				ret = 0;
			check(one_of(ret, send_errs, G_ARRAY_SIZE(send_errs)));
			break;
		default:
			/* The guest scribbles an index or a mask. */
			switch (take(&in, 1) % 4) {
			case 0:
				chan.g2h.hdr->write_index = take(&in, 4);
				break;
			case 1:
				chan.h2g.hdr->read_index = take(&in, 4);
				break;
			case 2:
				chan.h2g.hdr->interrupt_mask = take(&in, 1);
				break;
			default:
				chan.signal_err = take(&in, 1) & 1 ? -EIO : 0;
				break;
			}
			break;
		}
		check_ic(ic);
	}
	return 0;
}
