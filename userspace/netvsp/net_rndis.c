// SPDX-License-Identifier: GPL-2.0
/*
 * netvsp's RNDIS device (net_rndis.h).
 */
#include <errno.h>
#include <string.h>

#include "net_le.h"
#include "net_rndis.h"

/* NDIS_OFFLOAD of NDIS 6.0 with no capability: header {0xa7, rev 1, 112 bytes}. */
#define NDIS_OBJECT_TYPE_OFFLOAD	0xa7
#define NDIS_OFFLOAD_SIZE_6_0		112u

void net_rndis_init(struct net_rndis *d, const uint8_t mac[6])
{
	memset(d, 0, sizeof(*d));
	memcpy(d->mac, mac, 6);
	d->link_speed = 10000000;	/* 1 Gbit/s */
}

static uint32_t answer_hdr(uint8_t *out, uint32_t type, uint32_t len)
{
	net_put32(out, type | NET_RNDIS_COMPLETION);
	net_put32(out + 4, len);
	return len;
}

/* QUERY_C: req_id, status, info_buflen, info_buf_offset (16: right after), data. */
static int query(struct net_rndis *d, uint32_t req_id, uint32_t oid, uint8_t *out)
{
	uint8_t *info = out + NET_RNDIS_HDR + 16;
	uint32_t n = 0, status = NET_RNDIS_STATUS_SUCCESS;

	memset(out, 0, NET_RNDIS_MAX_ANSWER);
	switch (oid) {
	case NET_OID_GEN_MAXIMUM_FRAME_SIZE:
		net_put32(info, NET_ETH_MTU);
		n = 4;
		break;
	case NET_OID_GEN_LINK_SPEED:
		net_put32(info, d->link_speed);
		n = 4;
		break;
	case NET_OID_GEN_MEDIA_CONNECT_STATUS:
		net_put32(info, 0);		/* connected */
		n = 4;
		break;
	case NET_OID_802_3_PERMANENT_ADDRESS:
	case NET_OID_802_3_CURRENT_ADDRESS:
		memcpy(info, d->mac, 6);
		n = 6;
		break;
	case NET_OID_TCP_OFFLOAD_HW_CAPABILITIES:
		info[0] = NDIS_OBJECT_TYPE_OFFLOAD;
		info[1] = 1;
		info[2] = NDIS_OFFLOAD_SIZE_6_0 & 0xff;
		info[3] = NDIS_OFFLOAD_SIZE_6_0 >> 8;
		n = NDIS_OFFLOAD_SIZE_6_0;
		break;
	default:		/* friendly name, RSS capabilities, ...: not served */
		d->stats.unsupported++;
		status = NET_RNDIS_STATUS_NOT_SUPPORTED;
		break;
	}
	net_put32(out + NET_RNDIS_HDR, req_id);
	net_put32(out + NET_RNDIS_HDR + 4, status);
	net_put32(out + NET_RNDIS_HDR + 8, n);
	net_put32(out + NET_RNDIS_HDR + 12, 16);
	return answer_hdr(out, NET_RNDIS_QUERY, NET_RNDIS_HDR + 16 + n);
}

static int set(struct net_rndis *d, const uint8_t *body, uint32_t blen, uint8_t *out)
{
	uint32_t req_id = net_get32(body), oid = net_get32(body + 4), ilen = net_get32(body + 8);
	uint32_t ioff = net_get32(body + 12), status = NET_RNDIS_STATUS_SUCCESS;

	if (ioff > blen || ilen > blen - ioff)
		return -EBADMSG;
	switch (oid) {
	case NET_OID_GEN_CURRENT_PACKET_FILTER:
		if (ilen < 4) {
			status = NET_RNDIS_STATUS_INVALID_DATA;
			break;
		}
		d->filter = net_get32(body + ioff);
		break;
	case NET_OID_TCP_OFFLOAD_PARAMETERS:	/* nothing offered, nothing to turn on */
	case NET_OID_802_3_MULTICAST_LIST:	/* every multicast frame is delivered */
		break;
	default:
		d->stats.unsupported++;
		status = NET_RNDIS_STATUS_NOT_SUPPORTED;
		break;
	}
	memset(out, 0, 16);
	net_put32(out + NET_RNDIS_HDR, req_id);
	net_put32(out + NET_RNDIS_HDR + 4, status);
	return answer_hdr(out, NET_RNDIS_SET, NET_RNDIS_HDR + 8);
}

int net_rndis_control(struct net_rndis *d, const uint8_t *msg, uint32_t len, uint8_t *out)
{
	uint32_t type, mlen, blen;
	const uint8_t *body = msg + NET_RNDIS_HDR;
	int ret;

	if (len < NET_RNDIS_HDR + 4)
		goto bad;
	type = net_get32(msg);
	mlen = net_get32(msg + 4);
	if (mlen < NET_RNDIS_HDR + 4 || mlen > len)
		goto bad;
	blen = mlen - NET_RNDIS_HDR;
	switch (type) {
	case NET_RNDIS_INIT:
		memset(out, 0, 52);
		net_put32(out + 8, net_get32(body));	/* req_id */
		net_put32(out + 12, NET_RNDIS_STATUS_SUCCESS);
		net_put32(out + 16, 1);		/* major */
		net_put32(out + 20, 0);		/* minor */
		net_put32(out + 24, 1);		/* device flags: connectionless */
		net_put32(out + 28, 0);		/* medium 802.3 */
		net_put32(out + 32, 1);		/* one packet per message */
		net_put32(out + 36, 0x10000);	/* max transfer size */
		net_put32(out + 40, 0);		/* alignment 1 << 0 */
		d->initialized = true;
		ret = answer_hdr(out, type, 52);
		break;
	case NET_RNDIS_HALT:
		d->initialized = false;
		d->filter = 0;
		d->stats.control++;
		return 0;
	case NET_RNDIS_QUERY:
		if (blen < 16)
			goto bad;
		ret = query(d, net_get32(body), net_get32(body + 4), out);
		break;
	case NET_RNDIS_SET:
		if (blen < 16)
			goto bad;
		ret = set(d, body, blen, out);
		if (ret < 0)
			goto bad;
		break;
	case NET_RNDIS_RESET:
		memset(out, 0, 16);
		net_put32(out + 8, NET_RNDIS_STATUS_SUCCESS);
		net_put32(out + 12, 0);		/* addressing reset: no */
		ret = answer_hdr(out, type, 16);
		break;
	case NET_RNDIS_KEEPALIVE:
		memset(out, 0, 16);
		net_put32(out + 8, net_get32(body));
		net_put32(out + 12, NET_RNDIS_STATUS_SUCCESS);
		ret = answer_hdr(out, type, 16);
		break;
	default:
		return -EINVAL;
	}
	d->stats.control++;
	return ret;

bad:
	d->stats.bad++;
	return -EBADMSG;
}

int net_rndis_frame(const uint8_t *msg, uint32_t len, uint32_t *off, uint32_t *flen)
{
	uint32_t mlen, doff, dlen;

	if (len < NET_RNDIS_RX_HDR || net_get32(msg) != NET_RNDIS_PACKET)
		return -EBADMSG;
	mlen = net_get32(msg + 4);
	if (mlen < NET_RNDIS_RX_HDR || mlen > len)
		return -EBADMSG;
	doff = net_get32(msg + 8);
	dlen = net_get32(msg + 12);
	/* Offsets count from the body; the data lies inside the message. */
	if (doff < NET_RNDIS_PKT_BODY || doff > mlen - NET_RNDIS_HDR ||
	    dlen > mlen - NET_RNDIS_HDR - doff)
		return -EBADMSG;
	if (dlen < 14 || dlen > NET_ETH_MAX_FRAME)
		return -EBADMSG;
	*off = NET_RNDIS_HDR + doff;
	*flen = dlen;
	return 0;
}

void net_rndis_rx_header(uint8_t *hdr, uint32_t flen)
{
	memset(hdr, 0, NET_RNDIS_RX_HDR);
	net_put32(hdr, NET_RNDIS_PACKET);
	net_put32(hdr + 4, NET_RNDIS_RX_HDR + flen);
	net_put32(hdr + 8, NET_RNDIS_PKT_BODY);	/* data right after the body */
	net_put32(hdr + 12, flen);
}

uint32_t net_rndis_indicate(uint8_t *out, uint32_t status)
{
	memset(out, 0, 20);
	net_put32(out, NET_RNDIS_INDICATE);
	net_put32(out + 4, 20);
	net_put32(out + 8, status);
	net_put32(out + 12, 0);
	net_put32(out + 16, 0);
	return 20;
}
