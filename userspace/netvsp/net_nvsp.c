// SPDX-License-Identifier: GPL-2.0
/*
 * netvsp's NVSP (net_nvsp.h).
 */
#include <string.h>

#include "net_le.h"
#include "net_nvsp.h"

/* Guest messages and the bytes each needs (type included). */
static const struct {
	uint32_t type;
	uint32_t min_len;
} nvsp_min[] = {
	{ NET_NVSP_INIT, 12 },
	{ NET_NVSP_SEND_NDIS_VER, 12 },
	{ NET_NVSP_SEND_RECV_BUF, 10 },
	{ NET_NVSP_REVOKE_RECV_BUF, 6 },
	{ NET_NVSP_SEND_SEND_BUF, 10 },
	{ NET_NVSP_REVOKE_SEND_BUF, 6 },
	{ NET_NVSP_SEND_RNDIS_PKT, 16 },
	{ NET_NVSP_SEND_RNDIS_PKT_COMPLETE, 8 },
	{ NET_NVSP_SEND_NDIS_CONFIG, 12 },
};

static const uint32_t nvsp_versions[] = {
	0x00060001, 0x00060000, 0x00050000, 0x00040000, 0x00030002, 0x00000002,
};

void net_nvsp_init(struct net_nvsp *v)
{
	memset(v, 0, sizeof(*v));
}

static void bad(struct net_nvsp *v, struct net_nvsp_action *act, const char *why)
{
	v->stats.bad++;
	act->what = NET_NVSP_BAD;
	act->why = why;
}

static void reply(struct net_nvsp_action *act, uint32_t type)
{
	act->what = NET_NVSP_REPLY;
	act->reply_len = NET_NVSP_MSG_SIZE;
	memset(act->reply, 0, sizeof(act->reply));
	net_put32(act->reply, type);
}

static void parse_init(struct net_nvsp *v, const uint8_t *m, struct net_nvsp_action *act)
{
	uint32_t lo = net_get32(m + 4), hi = net_get32(m + 8), i, ver = 0;

	for (i = 0; i < sizeof(nvsp_versions) / sizeof(nvsp_versions[0]); i++) {
		if (nvsp_versions[i] >= lo && nvsp_versions[i] <= hi) {
			ver = nvsp_versions[i];
			break;
		}
	}
	reply(act, NET_NVSP_INIT_COMPLETE);
	net_put32(act->reply + 4, ver);
	net_put32(act->reply + 8, 0);	/* max MDL chain length */
	net_put32(act->reply + 12, ver ? NET_NVSP_STAT_SUCCESS : NET_NVSP_STAT_FAIL);
	if (ver) {
		/* A new INIT starts the adapter over; the counters go on. */
		struct net_nvsp_stats st = v->stats;

		net_nvsp_init(v);
		v->stats = st;
		v->version = ver;
	}
}

void net_nvsp_parse(struct net_nvsp *v, const struct hvtb_ring_pkt *pkt,
		    struct net_nvsp_action *act)
{
	const uint8_t *m = pkt->data;
	uint32_t type, i;

	memset(act, 0, sizeof(*act));
	act->trans_id = pkt->trans_id;
	act->want_comp = pkt->flags & HVTB_PKT_FLAG_COMPLETION_REQUESTED;
	v->stats.packets++;
	if (pkt->data_len < 4)
		return bad(v, act, "shorter than an NVSP header");
	type = net_get32(m);
	for (i = 0; i < sizeof(nvsp_min) / sizeof(nvsp_min[0]); i++)
		if (nvsp_min[i].type == type)
			break;
	if (i == sizeof(nvsp_min) / sizeof(nvsp_min[0])) {
		v->stats.unsupported++;
		if (act->want_comp) {	/* never leave the guest waiting */
			act->what = NET_NVSP_REPLY;
			act->reply_len = 0;
		}
		act->why = "NVSP message not served";
		return;
	}
	if (pkt->data_len < nvsp_min[i].min_len)
		return bad(v, act, "NVSP message too short");

	if (pkt->type == HVTB_PKT_COMP) {
		if (type != NET_NVSP_SEND_RNDIS_PKT_COMPLETE)
			return bad(v, act, "unexpected completion");
		act->what = NET_NVSP_RX_DONE;
		return;
	}
	if (pkt->type != HVTB_PKT_DATA_INBAND && pkt->type != HVTB_PKT_DATA_USING_GPA_DIRECT)
		return bad(v, act, "unexpected packet type");
	if (type != NET_NVSP_INIT && !v->version)
		return bad(v, act, "NVSP message before INIT");

	switch (type) {
	case NET_NVSP_INIT:
		return parse_init(v, m, act);
	case NET_NVSP_SEND_NDIS_VER:
		v->ndis_version = net_get32(m + 4) << 16 | (net_get32(m + 8) & 0xffff);
		return;
	case NET_NVSP_SEND_NDIS_CONFIG:
		return;		/* MTU and capabilities: nothing offered beyond Ethernet */
	case NET_NVSP_SEND_RECV_BUF:
		if (v->recv_gpadl)
			return bad(v, act, "a second receive buffer");
		act->what = NET_NVSP_MAP_RECV;
		act->gpadl = net_get32(m + 4);
		return;
	case NET_NVSP_SEND_SEND_BUF:
		if (v->send_gpadl)
			return bad(v, act, "a second send buffer");
		act->what = NET_NVSP_MAP_SEND;
		act->gpadl = net_get32(m + 4);
		return;
	case NET_NVSP_REVOKE_RECV_BUF:
		act->what = NET_NVSP_REVOKE_RECV;
		v->recv_gpadl = 0;
		v->recv_size = v->nsuballocs = 0;
		return;
	case NET_NVSP_REVOKE_SEND_BUF:
		act->what = NET_NVSP_REVOKE_SEND;
		v->send_gpadl = 0;
		v->send_size = v->nsections = 0;
		return;
	case NET_NVSP_SEND_RNDIS_PKT:
		act->channel_type = net_get32(m + 4);
		act->section = net_get32(m + 8);
		act->section_size = net_get32(m + 12);
		if (act->section != NET_NVSP_NO_SECTION) {
			if (act->section >= v->nsections)
				return bad(v, act, "send section out of range");
			if (!act->section_size || act->section_size > NET_NVSP_SEND_SECTION)
				return bad(v, act, "send section size out of range");
		} else if (pkt->type != HVTB_PKT_DATA_USING_GPA_DIRECT) {
			return bad(v, act, "RNDIS message in neither a section nor pages");
		}
		act->what = NET_NVSP_RNDIS;
		return;
	default:	/* SEND_RNDIS_PKT_COMPLETE not as a completion */
		return bad(v, act, "unexpected NVSP message");
	}
}

void net_nvsp_recv_mapped(struct net_nvsp *v, uint32_t bytes, struct net_nvsp_action *act)
{
	uint32_t n = bytes / NET_NVSP_RECV_SUBALLOC;

	reply(act, NET_NVSP_SEND_RECV_BUF_COMPLETE);
	if (!n) {
		net_put32(act->reply + 4, NET_NVSP_STAT_FAIL);
		return;
	}
	v->recv_gpadl = act->gpadl;
	v->recv_size = bytes;
	v->nsuballocs = n;
	net_put32(act->reply + 4, NET_NVSP_STAT_SUCCESS);
	net_put32(act->reply + 8, 1);			/* one section */
	net_put32(act->reply + 12, 0);			/* at offset 0 */
	net_put32(act->reply + 16, NET_NVSP_RECV_SUBALLOC);
	net_put32(act->reply + 20, n);
	net_put32(act->reply + 24, n * NET_NVSP_RECV_SUBALLOC);	/* end offset */
}

void net_nvsp_send_mapped(struct net_nvsp *v, uint32_t bytes, struct net_nvsp_action *act)
{
	uint32_t n = bytes / NET_NVSP_SEND_SECTION;

	reply(act, NET_NVSP_SEND_SEND_BUF_COMPLETE);
	if (!n) {
		net_put32(act->reply + 4, NET_NVSP_STAT_FAIL);
		return;
	}
	v->send_gpadl = act->gpadl;
	v->send_size = bytes;
	v->nsections = n;
	net_put32(act->reply + 4, NET_NVSP_STAT_SUCCESS);
	net_put32(act->reply + 8, NET_NVSP_SEND_SECTION);
}

void net_nvsp_rndis_complete(uint8_t *out, uint32_t status)
{
	memset(out, 0, NET_NVSP_MSG_SIZE);
	net_put32(out, NET_NVSP_SEND_RNDIS_PKT_COMPLETE);
	net_put32(out + 4, status);
}

void net_nvsp_rx_message(uint8_t *out, uint32_t channel_type)
{
	memset(out, 0, NET_NVSP_MSG_SIZE);
	net_put32(out, NET_NVSP_SEND_RNDIS_PKT);
	net_put32(out + 4, channel_type);
	net_put32(out + 8, NET_NVSP_NO_SECTION);
	net_put32(out + 12, 0);
}
