/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ic_guest.h - a test guest for the IC host side: what Linux 6.1's
 * hv_utils (drivers/hv/hv_util.c, hv_kvp.c, channel_mgmt.c's
 * vmbus_prep_negotiate_resp) and Debian's hv_kvp_daemon do at the other
 * end of an IC channel, written here from their behaviour (not their
 * code), over in-memory rings between PROT_NONE guard pages.
 *
 * The guest reads the host-to-guest ring the way ring_buffer.c does and
 * answers into the guest-to-host ring the way vmbus_sendpacket does
 * (descriptor, the body it received, padded; signal on empty-to-non-empty
 * when the host's interrupt_mask is clear). A mangle hook lets a test
 * turn any answer hostile before it is written.
 */
#ifndef HVTB_IC_GUEST_H
#define HVTB_IC_GUEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../../userspace/lib/vmbus_ring.h"
#include "../../userspace/ic/ic_chan.h"
#include "../../userspace/ic/ic_kvp.h"

#define G_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define G_PAGE		4096u
#define G_RING_SIZE	(4 * G_PAGE)	/* VMBUS_RING_SIZE(12 KiB): hv_utils' rings */
#define G_BUF		16384u		/* the KVP channel's receive buffer */

/* --- rings ----------------------------------------------------------- */

struct g_ring {
	uint8_t *map;
	size_t maplen;
	struct hvtb_ring_header *hdr;
	uint8_t *data;
	uint32_t dsize;
	uint32_t priv;		/* the guest reader's private read index */
};

static inline int g_ring_alloc(struct g_ring *r, uint32_t size)
{
	memset(r, 0, sizeof(*r));
	r->maplen = size + 2 * G_PAGE;
	r->map = mmap(NULL, r->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (r->map == MAP_FAILED)
		return -1;
	if (mprotect(r->map, G_PAGE, PROT_NONE) ||
	    mprotect(r->map + G_PAGE + size, G_PAGE, PROT_NONE))
		return -1;
	r->hdr = (struct hvtb_ring_header *)(r->map + G_PAGE);
	r->data = r->map + 2 * G_PAGE;
	r->dsize = size - G_PAGE;
	r->hdr->feature_bits = 1;
	return 0;
}

static inline void g_ring_free(struct g_ring *r)
{
	munmap(r->map, r->maplen);
}

static inline void g_copy_to(struct g_ring *r, uint32_t off, const void *src, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		r->data[(off + i) % r->dsize] = ((const uint8_t *)src)[i];
}

static inline void g_copy_from(const struct g_ring *r, uint32_t off, void *dst, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		((uint8_t *)dst)[i] = r->data[(off + i) % r->dsize];
}

/* --- a channel: the guest's two rings and the host's views of them --- */

struct g_chan {
	struct g_ring g2h, h2g;
	struct hvtb_ring rx, tx;
	struct hvtb_ic_transport tp;
	unsigned int host_signals;	/* the host signalled the guest */
	unsigned int guest_signals;	/* the guest signalled the host */
	int signal_err;			/* what tp.signal returns */
};

static inline int g_host_signal(void *ctx)
{
	struct g_chan *c = ctx;

	c->host_signals++;
	return c->signal_err;
}

static inline int g_chan_init(struct g_chan *c)
{
	memset(c, 0, sizeof(*c));
	if (g_ring_alloc(&c->g2h, G_RING_SIZE) || g_ring_alloc(&c->h2g, G_RING_SIZE))
		return -1;
	if (hvtb_ring_init(&c->rx, c->g2h.hdr, G_RING_SIZE, HVTB_RING_HOST_READS) ||
	    hvtb_ring_init(&c->tx, c->h2g.hdr, G_RING_SIZE, HVTB_RING_HOST_WRITES))
		return -1;
	c->tp.rx = &c->rx;
	c->tp.tx = &c->tx;
	c->tp.signal = g_host_signal;
	c->tp.ctx = c;
	return 0;
}

static inline void g_chan_free(struct g_chan *c)
{
	g_ring_free(&c->g2h);
	g_ring_free(&c->h2g);
}

/* vmbus_sendpacket(INBAND, flags 0): -EAGAIN when the ring is full. */
static inline int g_send_raw(struct g_chan *c, uint16_t type, uint64_t trans_id,
			     const void *body, uint32_t len)
{
	struct g_ring *r = &c->g2h;
	uint32_t w = r->hdr->write_index, rd = r->hdr->read_index;
	uint32_t pktlen = (16 + len + 7) & ~7u, total = pktlen + 8, room;
	uint8_t pkt[G_BUF + 64] = { 0 };
	struct hvtb_ring_desc d = {
		.type = type, .offset8 = 2, .len8 = (uint16_t)(pktlen / 8), .trans_id = trans_id,
	};
	uint64_t trailer = (uint64_t)w << 32;

	if (len > G_BUF)
		return -EINVAL;
	room = w >= rd ? r->dsize - (w - rd) : rd - w;
	if (room <= total)
		return -EAGAIN;
	memcpy(pkt, &d, sizeof(d));
	memcpy(pkt + 16, body, len);
	g_copy_to(r, w, pkt, pktlen);
	g_copy_to(r, (w + pktlen) % r->dsize, &trailer, 8);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->hdr->write_index = (w + total) % r->dsize;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!r->hdr->interrupt_mask && w == r->hdr->read_index)
		c->guest_signals++;
	return 0;
}

/* hv_pkt_iter_first + vmbus_recvpacket: the body into @buf; 0 when empty. */
static inline uint32_t g_recv(struct g_chan *c, uint8_t *buf, uint32_t buflen, uint64_t *trans_id)
{
	struct g_ring *r = &c->h2g;
	uint32_t w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);
	uint32_t avail = w >= r->priv ? w - r->priv : r->dsize - r->priv + w;
	struct hvtb_ring_desc d;
	uint32_t len, off;

	if (avail < 16)
		return 0;
	g_copy_from(r, r->priv, &d, sizeof(d));
	len = d.len8 * 8u;
	off = d.offset8 * 8u;
	if (len > avail || off > len || len - off > buflen)
		return 0;
	g_copy_from(r, (r->priv + off) % r->dsize, buf, len - off);
	*trans_id = d.trans_id;
	r->priv = (r->priv + len + 8) % r->dsize;
	/* hv_pkt_iter_close (the host never sets pending_send_sz here). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->hdr->read_index = r->priv;
	return len - off;
}

/* --- the guest's IC drivers ------------------------------------------ */

#define G_VER(maj, min)	((uint32_t)(maj) << 16 | (min))

struct g_kvp_record {
	char key[512];
	char value[2048];
};

#define G_KVP_POOL_MAX	8

struct g_ic;
/* Turn an answer hostile: may change the body, its length and the trans id. */
typedef void (*g_mangle_fn)(struct g_ic *g, uint8_t *buf, uint32_t *len, uint64_t *trans_id,
			    uint16_t *pkt_type);

struct g_ic {
	uint16_t msgtype;		/* which IC this guest driver is */
	uint32_t srv_version;		/* negotiated, 0 = none */
	uint32_t fw_version;
	unsigned int negotiated;	/* negotiate answers sent */
	unsigned int answers;		/* all answers sent */
	unsigned int dropped;		/* packets read and not answered */
	/* shutdown */
	bool hibernation_supported;
	unsigned int poweroffs, reboots, hibernates;
	/* timesync */
	uint64_t host_time, ref_time;
	uint8_t ts_flags;
	unsigned int syncs, samples;
	/* heartbeat */
	uint64_t last_seq_in;
	/* KVP: the daemon's registration and the pool files */
	bool daemon;
	struct g_kvp_record pools[5][G_KVP_POOL_MAX];
	unsigned int pool_len[5];
	/* hostility */
	g_mangle_fn mangle;
	void *mangle_arg;
	uint8_t buf[G_BUF];
};

static const uint32_t g_fw_versions[] = { G_VER(3, 0), G_VER(1, 0) };
static const uint32_t g_hb_versions[] = { G_VER(3, 0), G_VER(1, 0) };
static const uint32_t g_sd_versions[] = { G_VER(3, 2), G_VER(3, 1), G_VER(3, 0), G_VER(1, 0) };
static const uint32_t g_ts_versions[] = { G_VER(4, 0), G_VER(3, 0), G_VER(1, 0) };
static const uint32_t g_kvp_versions[] = { G_VER(4, 0), G_VER(3, 0), G_VER(1, 0) };

static inline uint16_t g_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t g_get32(const uint8_t *p)
{
	return (uint32_t)g_get16(p) | (uint32_t)g_get16(p + 2) << 16;
}

static inline void g_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void g_put32(uint8_t *p, uint32_t v)
{
	g_put16(p, v);
	g_put16(p + 2, v >> 16);
}

/* Header fields at their offsets in the packet body (pipe header first). */
#define G_MSGTYPE(b)	g_get16((b) + 12)
#define G_SET_MSGSIZE(b, v)	g_put16((b) + 18, (v))
#define G_SET_STATUS(b, v)	g_put32((b) + 20, (v))
#define G_SET_FLAGS(b, v)	((b)[25] = (uint8_t)(v))

/* Whether @ver is among the host's @n versions starting at @list. */
static inline bool g_offered(const uint8_t *list, uint32_t n, uint32_t ver)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (G_VER(g_get16(list + 4 * i), g_get16(list + 4 * i + 2)) == ver)
			return true;
	return false;
}

/*
 * The negotiate answer, in place, as vmbus_prep_negotiate_resp leaves it:
 * our lists newest first against the host's; counts 1/1 and the choices in
 * versions[0..1], or 0/0 with leftovers there.
 */
static inline bool g_negotiate(struct g_ic *g, uint8_t *b, uint32_t len, const uint32_t *srv,
			       uint32_t nsrv)
{
	uint32_t fwc, msc, i, fw = 0, sv = 0;
	bool found = false;

	if (len < 28 + 4)
		return false;
	G_SET_MSGSIZE(b, 16);
	fwc = g_get16(b + 28);
	msc = g_get16(b + 30);
	fw = fwc << 16;
	sv = msc << 16;
	if (fwc > 100 || msc > 100 || 28 + 8 + 4 * (fwc + msc) > len)
		goto out;
	for (i = 0; i < 2 && !found; i++)
		if (g_offered(b + 36, fwc, g_fw_versions[i])) {
			fw = g_fw_versions[i];
			found = true;
		}
	if (!found)
		goto out;
	found = false;
	for (i = 0; i < nsrv && !found; i++)
		if (g_offered(b + 36 + 4 * fwc, msc, srv[i])) {
			sv = srv[i];
			found = true;
		}
out:
	g_put16(b + 28, found);
	g_put16(b + 30, found);
	g_put16(b + 36, fw >> 16);
	g_put16(b + 38, fw & 0xffff);
	g_put16(b + 40, sv >> 16);
	g_put16(b + 42, sv & 0xffff);
	g->fw_version = fw;
	g->srv_version = sv;
	return found;
}

static inline void g_answer(struct g_chan *c, struct g_ic *g, uint32_t len, uint64_t trans_id)
{
	uint16_t type = HVTB_PKT_DATA_INBAND;

	G_SET_FLAGS(g->buf, HVTB_ICFLAG_TRANSACTION | HVTB_ICFLAG_RESPONSE);
	if (g->mangle)
		g->mangle(g, g->buf, &len, &trans_id, &type);
	if (g_send_raw(c, type, trans_id, g->buf, len) == 0)
		g->answers++;
}

/* hv_util.c's heartbeat callback: drain, answer seq_num + 1. */
static inline void g_heartbeat(struct g_chan *c, struct g_ic *g)
{
	uint64_t id, seq;
	uint32_t len;

	while ((len = g_recv(c, g->buf, sizeof(g->buf), &id))) {
		if (len < 28) {
			g->dropped++;
			break;
		}
		if (G_MSGTYPE(g->buf) == HVTB_ICMSG_NEGOTIATE) {
			g_negotiate(g, g->buf, len, g_hb_versions, 2);
			g->negotiated++;
		} else if (G_MSGTYPE(g->buf) == HVTB_ICMSG_HEARTBEAT) {
			if (len < 28 + 8) {
				g->dropped++;
				break;
			}
			memcpy(&seq, g->buf + 28, 8);
			g->last_seq_in = seq;
			seq++;
			memcpy(g->buf + 28, &seq, 8);
		} else {
			G_SET_STATUS(g->buf, HVTB_IC_E_FAIL);
		}
		g_answer(c, g, len, id);
	}
}

/* hv_util.c's shutdown callback: one packet per signal. */
static inline void g_shutdown(struct g_chan *c, struct g_ic *g)
{
	uint32_t len, flags;
	uint64_t id;

	len = g_recv(c, g->buf, sizeof(g->buf), &id);
	if (!len)
		return;
	if (len < 28) {
		g->dropped++;
		return;
	}
	if (G_MSGTYPE(g->buf) == HVTB_ICMSG_NEGOTIATE) {
		g_negotiate(g, g->buf, len, g_sd_versions, 4);
		g->negotiated++;
	} else if (G_MSGTYPE(g->buf) == HVTB_ICMSG_SHUTDOWN) {
		if (len < 28 + 2060) {
			g->dropped++;
			return;
		}
		flags = g_get32(g->buf + 28 + 8);
		switch (flags) {
		case 0:
		case 1:
			G_SET_STATUS(g->buf, HVTB_IC_S_OK);
			g->poweroffs++;
			break;
		case 2:
		case 3:
			G_SET_STATUS(g->buf, HVTB_IC_S_OK);
			g->reboots++;
			break;
		case 4:
		case 5:
			G_SET_STATUS(g->buf, g->hibernation_supported ? HVTB_IC_S_OK : HVTB_IC_E_FAIL);
			g->hibernates += g->hibernation_supported;
			break;
		default:
			G_SET_STATUS(g->buf, HVTB_IC_E_FAIL);
			break;
		}
	} else {
		G_SET_STATUS(g->buf, HVTB_IC_E_FAIL);
	}
	g_answer(c, g, len, id);
}

/* hv_util.c's timesync callback: drain; the format by negotiated version. */
static inline void g_timesync(struct g_chan *c, struct g_ic *g)
{
	uint32_t len;
	uint64_t id;

	while ((len = g_recv(c, g->buf, sizeof(g->buf), &id))) {
		if (len < 28) {
			g->dropped++;
			break;
		}
		if (G_MSGTYPE(g->buf) == HVTB_ICMSG_NEGOTIATE) {
			g_negotiate(g, g->buf, len, g_ts_versions, 3);
			g->negotiated++;
		} else if (G_MSGTYPE(g->buf) == HVTB_ICMSG_TIMESYNC) {
			if (g->srv_version > G_VER(3, 0)) {
				if (len < 28 + 22) {
					g->dropped++;
					break;
				}
				memcpy(&g->host_time, g->buf + 28, 8);
				memcpy(&g->ref_time, g->buf + 36, 8);
				g->ts_flags = g->buf[44];
			} else {
				if (len < 28 + 25) {
					g->dropped++;
					break;
				}
				memcpy(&g->host_time, g->buf + 28, 8);
				g->ref_time = 0;
				g->ts_flags = g->buf[28 + 24];
			}
			if (g->ts_flags & 1)
				g->syncs++;
			else if (g->ts_flags & 2)
				g->samples++;
		} else {
			G_SET_STATUS(g->buf, HVTB_IC_E_FAIL);
		}
		g_answer(c, g, len, id);
	}
}

/* UTF-16LE (@units at most, stops at NUL) to UTF-8, as utf16s_to_utf8s. */
static inline void g_u16_to_u8(const uint8_t *in, uint32_t units, char *out, uint32_t outmax)
{
	uint32_t i, u, n = 0;

	for (i = 0; i < units; i++) {
		u = g_get16(in + 2 * i);
		if (!u)
			break;
		if (u >= 0xd800 && u < 0xdc00 && i + 1 < units) {
			u = 0x10000 + ((u - 0xd800) << 10) + (g_get16(in + 2 * i + 2) - 0xdc00);
			i++;
		}
		if (u < 0x80 && n + 1 < outmax) {
			out[n++] = (char)u;
		} else if (u < 0x800 && n + 2 < outmax) {
			out[n++] = (char)(0xc0 | u >> 6);
			out[n++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000 && n + 3 < outmax) {
			out[n++] = (char)(0xe0 | u >> 12);
			out[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (u & 0x3f));
		} else if (n + 4 < outmax) {
			out[n++] = (char)(0xf0 | u >> 18);
			out[n++] = (char)(0x80 | ((u >> 12) & 0x3f));
			out[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (u & 0x3f));
		}
	}
	out[n] = '\0';
}

/* UTF-8 to UTF-16LE with NUL, at most @max units before it; the byte size written. */
static inline uint32_t g_u8_to_u16(const char *s, uint8_t *out, uint32_t max)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t n = 0, cp;

	while (*p && n < max) {
		if (*p < 0x80) {
			cp = *p++;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
			p += 2;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
			p += 3;
		} else {
			cp = (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 |
			     (p[3] & 0x3fu);
			p += 4;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			g_put16(out + 2 * n++, 0xd800 | cp >> 10);
			g_put16(out + 2 * n++, 0xdc00 | (cp & 0x3ff));
		} else {
			g_put16(out + 2 * n++, cp);
		}
	}
	g_put16(out + 2 * n, 0);
	return 2 * (n + 1);
}

/* hv_kvp_daemon's pool-2 records (values made up for the tests). */
static const char *const g_kvp_auto[][2] = {
	{ "FullyQualifiedDomainName", "guest.hvtb.test" },
	{ "IntegrationServicesVersion", "3.1" },
	{ "NetworkAddressIPv4", "10.0.2.15" },
	{ "NetworkAddressIPv6", "fe80::215:5dff:fe00:1" },
	{ "OSBuildNumber", "6.1.0-18-amd64" },
	{ "OSName", "Debian GNU/Linux" },
	{ "OSMajorVersion", "6" },
	{ "OSMinorVersion", "1" },
	{ "OSVersion", "6.1.0-18-amd64" },
	{ "ProcessorArchitecture", "x86_64" },
};

static inline int g_kvp_find(struct g_ic *g, uint32_t pool, const char *key)
{
	unsigned int i;

	for (i = 0; i < g->pool_len[pool]; i++)
		if (!strcmp(g->pools[pool][i].key, key))
			return (int)i;
	return -1;
}

/* The kernel's conversion, the daemon's operation, the kernel's answer. */
static inline uint32_t g_kvp_exchange(struct g_ic *g, uint8_t *m)
{
	uint32_t op = m[0], pool = m[1], idx, n;
	char key[512], value[2048];
	struct g_kvp_record *r;
	int i;

	if (pool >= 5)
		return HVTB_IC_E_FAIL;
	switch (op) {
	case HVTB_IC_KVP_OP_SET:
		g_u16_to_u8(m + 16, g_get32(m + 8) / 2, key, 512);
		if (g_get32(m + 4) == HVTB_IC_KVP_REG_SZ)
			g_u16_to_u8(m + 528, g_get32(m + 12) / 2, value, 2048);
		else
			snprintf(value, sizeof(value), "%u", g_get32(m + 528));
		i = g_kvp_find(g, pool, key);
		if (i < 0) {
			if (g->pool_len[pool] == G_KVP_POOL_MAX)
				return HVTB_IC_S_CONT;
			i = (int)g->pool_len[pool]++;
		}
		memcpy(g->pools[pool][i].key, key, sizeof(key));
		memcpy(g->pools[pool][i].value, value, sizeof(value));
		return 0;
	case HVTB_IC_KVP_OP_GET:
		g_u16_to_u8(m + 16, g_get32(m + 8) / 2, key, 512);
		if (g_kvp_find(g, pool, key) < 0)
			return HVTB_IC_S_CONT;
		/* value_size 0 reached the daemon: the value comes back empty. */
		g_put32(m + 4, HVTB_IC_KVP_REG_SZ);
		g_put32(m + 12, g_u8_to_u16("", m + 528, 1022));
		return 0;
	case HVTB_IC_KVP_OP_DELETE:
		g_u16_to_u8(m + 8, g_get32(m + 4) / 2, key, 512);
		i = g_kvp_find(g, pool, key);
		if (i < 0)
			return HVTB_IC_S_CONT;
		n = g->pool_len[pool]--;
		memmove(&g->pools[pool][i], &g->pools[pool][i + 1],
			(n - (uint32_t)i - 1) * sizeof(g->pools[pool][0]));
		return 0;
	case HVTB_IC_KVP_OP_ENUMERATE:
		idx = g_get32(m + 4);
		if (pool == HVTB_IC_KVP_POOL_AUTO) {
			if (idx >= G_ARRAY_SIZE(g_kvp_auto))
				return HVTB_IC_S_CONT;
			snprintf(key, sizeof(key), "%s", g_kvp_auto[idx][0]);
			snprintf(value, sizeof(value), "%s", g_kvp_auto[idx][1]);
		} else {
			if (idx >= g->pool_len[pool])
				return HVTB_IC_S_CONT;
			r = &g->pools[pool][idx];
			memcpy(key, r->key, sizeof(key));
			memcpy(value, r->value, sizeof(value));
		}
		g_put32(m + 12, g_u8_to_u16(key, m + 20, 512 / 2 - 2));
		g_put32(m + 16, g_u8_to_u16(value, m + 532, 2048 / 2 - 2));
		g_put32(m + 8, HVTB_IC_KVP_REG_SZ);
		return 0;
	default:
		return HVTB_IC_E_FAIL;
	}
}

/* hv_kvp.c's callback: nothing before the daemon registered; one packet per signal. */
static inline void g_kvp(struct g_chan *c, struct g_ic *g)
{
	uint32_t len;
	uint64_t id;

	if (!g->daemon)
		return;
	len = g_recv(c, g->buf, sizeof(g->buf), &id);
	if (!len)
		return;
	if (len < 28) {
		g->dropped++;
		return;
	}
	if (G_MSGTYPE(g->buf) == HVTB_ICMSG_NEGOTIATE) {
		g_negotiate(g, g->buf, len, g_kvp_versions, 3);
		g->negotiated++;
	} else if (G_MSGTYPE(g->buf) == HVTB_ICMSG_KVP) {
		G_SET_STATUS(g->buf, g_kvp_exchange(g, g->buf + 28));
	} else {
		g->dropped++;
		return;
	}
	g_answer(c, g, len, id);
}

/* The guest driver for @g->msgtype, one callback. */
static inline void g_run(struct g_chan *c, struct g_ic *g)
{
	switch (g->msgtype) {
	case HVTB_ICMSG_HEARTBEAT:
		g_heartbeat(c, g);
		break;
	case HVTB_ICMSG_SHUTDOWN:
		g_shutdown(c, g);
		break;
	case HVTB_ICMSG_TIMESYNC:
		g_timesync(c, g);
		break;
	case HVTB_ICMSG_KVP:
		g_kvp(c, g);
		break;
	}
}

#endif /* HVTB_IC_GUEST_H */
