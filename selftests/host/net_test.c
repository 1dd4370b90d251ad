// SPDX-License-Identifier: GPL-2.0
/*
 * net_test - netvsp's pure logic (userspace/netvsp/) on the build host:
 * NVSP as Linux 6.1's hv_netvsc runs it (version negotiation, the two
 * buffers, RNDIS packets by section and by pages, receive completions),
 * the RNDIS control messages it sends at probe and open with the exact
 * answers it checks, and hostile messages (short, out of order, sections
 * out of range, RNDIS offsets outside the message, oversize frames).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "../../userspace/netvsp/net_nvsp.h"
#include "../../userspace/netvsp/net_rndis.h"

struct pkt_buf {
	uint8_t raw[256];
	struct hvtb_ring_pkt pkt;
};

static void mk(struct pkt_buf *b, uint16_t type, uint64_t tid, const uint32_t *w, uint32_t n)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->raw + 16, w, 4 * n);
	b->pkt.type = type;
	b->pkt.flags = HVTB_PKT_FLAG_COMPLETION_REQUESTED;
	b->pkt.trans_id = tid;
	b->pkt.offset = 16;
	b->pkt.len = 16 + NET_NVSP_MSG_SIZE;
	b->pkt.raw = b->raw;
	b->pkt.data = b->raw + 16;
	b->pkt.data_len = 4 * n < NET_NVSP_MSG_SIZE ? NET_NVSP_MSG_SIZE : 4 * n;
}

static uint32_t w32(const uint8_t *p, unsigned int i)
{
	uint32_t v;

	memcpy(&v, p + 4 * i, 4);
	return v;
}

static void nvsp(struct net_nvsp *v, uint16_t type, const uint32_t *w, uint32_t n,
		 struct net_nvsp_action *a)
{
	struct pkt_buf b;

	mk(&b, type, 0x1234, w, n);
	net_nvsp_parse(v, &b.pkt, a);
}

/* netvsc_connect_vsp() up to the two buffers; the state Linux leaves. */
static void linux_connect(struct __test_metadata *_metadata, struct net_nvsp *v)
{
	struct net_nvsp_action a;

	net_nvsp_init(v);
	nvsp(v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_INIT, 0x60001, 0x60001 }, 3, &a);
	ASSERT_EQ(NET_NVSP_REPLY, a.what);
	ASSERT_EQ(NET_NVSP_MSG_SIZE, a.reply_len);
	ASSERT_EQ(NET_NVSP_INIT_COMPLETE, w32(a.reply, 0));
	ASSERT_EQ(0x60001, w32(a.reply, 1));
	ASSERT_EQ(NET_NVSP_STAT_SUCCESS, w32(a.reply, 3));
	nvsp(v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_NDIS_CONFIG, 1514, 0 }, 3, &a);
	ASSERT_EQ(NET_NVSP_NONE, a.what);
	nvsp(v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_NDIS_VER, 6, 30 }, 3, &a);
	ASSERT_EQ(NET_NVSP_NONE, a.what);
	ASSERT_EQ(6u << 16 | 30, v->ndis_version);
	nvsp(v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_RECV_BUF, 7, 0xcafe }, 3, &a);
	ASSERT_EQ(NET_NVSP_MAP_RECV, a.what);
	ASSERT_EQ(7, a.gpadl);
	net_nvsp_recv_mapped(v, 1024 * 1728, &a);
	ASSERT_EQ(NET_NVSP_SEND_RECV_BUF_COMPLETE, w32(a.reply, 0));
	ASSERT_EQ(NET_NVSP_STAT_SUCCESS, w32(a.reply, 1));
	ASSERT_EQ(1, w32(a.reply, 2));			/* one section */
	ASSERT_EQ(0, w32(a.reply, 3));			/* at offset 0 */
	ASSERT_EQ(NET_NVSP_RECV_SUBALLOC, w32(a.reply, 4));
	ASSERT_EQ(1024, w32(a.reply, 5));
	nvsp(v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_SEND_BUF, 8, 0 }, 3, &a);
	ASSERT_EQ(NET_NVSP_MAP_SEND, a.what);
	net_nvsp_send_mapped(v, 1024 * 6144, &a);
	ASSERT_EQ(NET_NVSP_SEND_SEND_BUF_COMPLETE, w32(a.reply, 0));
	ASSERT_EQ(NET_NVSP_STAT_SUCCESS, w32(a.reply, 1));
	ASSERT_EQ(NET_NVSP_SEND_SECTION, w32(a.reply, 2));
	ASSERT_EQ(1024, v->nsections);
	ASSERT_EQ(0, v->stats.bad);
}

TEST(connect_as_linux)
{
	struct net_nvsp v;

	linux_connect(_metadata, &v);
}

TEST(nvsp_versions_and_order)
{
	struct net_nvsp v;
	struct net_nvsp_action a;

	net_nvsp_init(&v);
	/* Before INIT: dropped, counted. */
	nvsp(&v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_RECV_BUF, 7, 0xcafe }, 3, &a);
	ASSERT_EQ(NET_NVSP_BAD, a.what);
	/* A version not served: FAIL, the guest tries the next one. */
	nvsp(&v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_INIT, 0x70000, 0x70000 }, 3, &a);
	ASSERT_EQ(NET_NVSP_STAT_FAIL, w32(a.reply, 3));
	ASSERT_EQ(0, v.version);
	nvsp(&v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_INIT, 0x2, 0x2 }, 3, &a);
	ASSERT_EQ(NET_NVSP_STAT_SUCCESS, w32(a.reply, 3));
	ASSERT_EQ(2, v.version);
	/* A message type not served, completion asked: an empty COMP. */
	nvsp(&v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ 129, 1 }, 2, &a);
	ASSERT_EQ(NET_NVSP_REPLY, a.what);
	ASSERT_EQ(0, a.reply_len);
	ASSERT_EQ(1, v.stats.unsupported);
	/* A buffer that fits no sub-allocation fails. */
	nvsp(&v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_RECV_BUF, 9, 0xcafe }, 3, &a);
	net_nvsp_recv_mapped(&v, 100, &a);
	ASSERT_EQ(NET_NVSP_STAT_FAIL, w32(a.reply, 1));
	ASSERT_EQ(0, v.recv_gpadl);
}

TEST(rndis_packets_and_completions)
{
	struct net_nvsp v;
	struct net_nvsp_action a;
	struct pkt_buf b;

	linux_connect(_metadata, &v);
	nvsp(&v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_RNDIS_PKT, 0, 5, 100 }, 4, &a);
	ASSERT_EQ(NET_NVSP_RNDIS, a.what);
	ASSERT_EQ(5, a.section);
	ASSERT_EQ(100, a.section_size);
	ASSERT_TRUE(a.want_comp);
	/* Hostile: a section past the buffer, a size of 0, no section and no pages. */
	nvsp(&v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_RNDIS_PKT, 0, 1024, 100 }, 4, &a);
	ASSERT_EQ(NET_NVSP_BAD, a.what);
	nvsp(&v, HVTB_PKT_DATA_INBAND, (uint32_t[]){ NET_NVSP_SEND_RNDIS_PKT, 0, 3, 0 }, 4, &a);
	ASSERT_EQ(NET_NVSP_BAD, a.what);
	nvsp(&v, HVTB_PKT_DATA_INBAND,
	     (uint32_t[]){ NET_NVSP_SEND_RNDIS_PKT, 1, NET_NVSP_NO_SECTION, 0 }, 4, &a);
	ASSERT_EQ(NET_NVSP_BAD, a.what);
	/* GPA-direct: the message is in the packet's pages. */
	nvsp(&v, HVTB_PKT_DATA_USING_GPA_DIRECT,
	     (uint32_t[]){ NET_NVSP_SEND_RNDIS_PKT, 1, NET_NVSP_NO_SECTION, 0 }, 4, &a);
	ASSERT_EQ(NET_NVSP_RNDIS, a.what);
	/* The guest's COMP of an XFER_PAGES packet. */
	nvsp(&v, HVTB_PKT_COMP, (uint32_t[]){ NET_NVSP_SEND_RNDIS_PKT_COMPLETE, 1 }, 2, &a);
	ASSERT_EQ(NET_NVSP_RX_DONE, a.what);
	ASSERT_EQ(0x1234, a.trans_id);
	/* A short message. */
	mk(&b, HVTB_PKT_DATA_INBAND, 1, (uint32_t[]){ NET_NVSP_INIT }, 1);
	b.pkt.data_len = 8;
	net_nvsp_parse(&v, &b.pkt, &a);
	ASSERT_EQ(NET_NVSP_BAD, a.what);
	ASSERT_EQ(4, v.stats.bad);
	net_nvsp_rndis_complete(a.reply, NET_NVSP_STAT_SUCCESS);
	ASSERT_EQ(NET_NVSP_SEND_RNDIS_PKT_COMPLETE, w32(a.reply, 0));
	ASSERT_EQ(1, w32(a.reply, 1));
}

static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 0x68, 0x76, 0x01 };

static int control(struct net_rndis *d, const uint32_t *w, uint32_t n, uint8_t *out)
{
	uint8_t msg[128] = { 0 };

	memcpy(msg, w, 4 * n);
	return net_rndis_control(d, msg, 4 * n, out);
}

TEST(rndis_probe_and_open_as_linux)
{
	uint8_t out[NET_RNDIS_MAX_ANSWER];
	struct net_rndis d;
	int len;

	net_rndis_init(&d, mac);
	len = control(&d, (uint32_t[]){ NET_RNDIS_INIT, 24, 1, 1, 0, 0x4000 }, 6, out);
	ASSERT_EQ(52, len);
	ASSERT_EQ(NET_RNDIS_INIT | NET_RNDIS_COMPLETION, w32(out, 0));
	ASSERT_EQ(52, w32(out, 1));
	ASSERT_EQ(1, w32(out, 2));		/* req_id echoed */
	ASSERT_EQ(0, w32(out, 3));		/* success */
	ASSERT_EQ(1, w32(out, 8));		/* one packet a message */
	ASSERT_TRUE(d.initialized);
	/* The MAC: exactly 6 bytes at info_buf_offset 16. */
	len = control(&d, (uint32_t[]){ NET_RNDIS_QUERY, 28, 2, NET_OID_802_3_PERMANENT_ADDRESS,
					0, 20, 0 }, 7, out);
	ASSERT_EQ(8 + 16 + 6, len);
	ASSERT_EQ(2, w32(out, 2));
	ASSERT_EQ(0, w32(out, 3));
	ASSERT_EQ(6, w32(out, 4));
	ASSERT_EQ(16, w32(out, 5));
	ASSERT_EQ(0, memcmp(out + 24, mac, 6));
	/* Offloads: an NDIS_OFFLOAD header, 6.0 size, no capability. */
	len = control(&d, (uint32_t[]){ NET_RNDIS_QUERY, 28, 3, NET_OID_TCP_OFFLOAD_HW_CAPABILITIES,
					0, 20, 0 }, 7, out);
	ASSERT_EQ(112, w32(out, 4));
	ASSERT_EQ(0xa7, out[24]);
	ASSERT_EQ(1, out[25]);
	ASSERT_EQ(112, out[26] | out[27] << 8);
	/* Not served: NOT_SUPPORTED, no data. */
	len = control(&d, (uint32_t[]){ NET_RNDIS_QUERY, 28, 4, NET_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
					0, 20, 0 }, 7, out);
	ASSERT_EQ(NET_RNDIS_STATUS_NOT_SUPPORTED, w32(out, 3));
	ASSERT_EQ(0, w32(out, 4));
	ASSERT_EQ(1, d.stats.unsupported);
	/* SET offload parameters, then the packet filter at `ip link set up`. */
	len = control(&d, (uint32_t[]){ NET_RNDIS_SET, 32, 5, NET_OID_TCP_OFFLOAD_PARAMETERS,
					4, 20, 0, 0 }, 8, out);
	ASSERT_EQ(16, len);
	ASSERT_EQ(NET_RNDIS_SET | NET_RNDIS_COMPLETION, w32(out, 0));
	ASSERT_EQ(5, w32(out, 2));
	ASSERT_EQ(0, w32(out, 3));
	len = control(&d, (uint32_t[]){ NET_RNDIS_SET, 32, 6, NET_OID_GEN_CURRENT_PACKET_FILTER,
					4, 20, 0, 0x0d }, 8, out);
	ASSERT_EQ(0, w32(out, 3));
	ASSERT_EQ(0x0d, d.filter);
	len = control(&d, (uint32_t[]){ NET_RNDIS_KEEPALIVE, 12, 7 }, 3, out);
	ASSERT_EQ(16, len);
	ASSERT_EQ(7, w32(out, 2));
	/* HALT: no answer, nothing received any more. */
	ASSERT_EQ(0, control(&d, (uint32_t[]){ NET_RNDIS_HALT, 12, 8 }, 3, out));
	ASSERT_EQ(0, d.filter);
}

TEST(rndis_hostile_control)
{
	uint8_t out[NET_RNDIS_MAX_ANSWER];
	struct net_rndis d;

	net_rndis_init(&d, mac);
	/* msg_len beyond what was read, below a header, a SET whose data lies outside. */
	ASSERT_EQ(-EBADMSG, control(&d, (uint32_t[]){ NET_RNDIS_QUERY, 400, 2, 0, 0, 20, 0 }, 7, out));
	ASSERT_EQ(-EBADMSG, control(&d, (uint32_t[]){ NET_RNDIS_QUERY, 4, 2 }, 3, out));
	ASSERT_EQ(-EBADMSG, control(&d, (uint32_t[]){ NET_RNDIS_SET, 32, 5,
						      NET_OID_GEN_CURRENT_PACKET_FILTER,
						      4, 0x7ffffff0, 0, 0 }, 8, out));
	ASSERT_EQ(-EBADMSG, control(&d, (uint32_t[]){ NET_RNDIS_QUERY, 16, 2, 0 }, 4, out));
	ASSERT_EQ(4, d.stats.bad);
	/* A PACKET or an unknown type is not a control message. */
	ASSERT_EQ(-EINVAL, control(&d, (uint32_t[]){ NET_RNDIS_PACKET, 12, 0 }, 3, out));
	ASSERT_EQ(-EINVAL, control(&d, (uint32_t[]){ 0x99, 12, 0 }, 3, out));
}

TEST(rndis_frames)
{
	uint8_t msg[2048] = { 0 }, hdr[NET_RNDIS_RX_HDR];
	uint32_t off, flen, v;

	net_rndis_rx_header(hdr, 60);
	memcpy(msg, hdr, sizeof(hdr));
	ASSERT_EQ(0, net_rndis_frame(msg, NET_RNDIS_RX_HDR + 60, &off, &flen));
	ASSERT_EQ(44, off);
	ASSERT_EQ(60, flen);
	/* The frame ends past msg_len. */
	ASSERT_EQ(-EBADMSG, net_rndis_frame(msg, NET_RNDIS_RX_HDR + 59, &off, &flen));
	/* data_offset inside the packet header. */
	v = 8;
	memcpy(msg + 8, &v, 4);
	ASSERT_EQ(-EBADMSG, net_rndis_frame(msg, NET_RNDIS_RX_HDR + 60, &off, &flen));
	/* Oversize and undersize frames. */
	net_rndis_rx_header(msg, NET_ETH_MAX_FRAME + 1);
	ASSERT_EQ(-EBADMSG, net_rndis_frame(msg, sizeof(msg), &off, &flen));
	net_rndis_rx_header(msg, 10);
	ASSERT_EQ(-EBADMSG, net_rndis_frame(msg, sizeof(msg), &off, &flen));
	/* Not a PACKET. */
	ASSERT_EQ(20, net_rndis_indicate(msg, NET_RNDIS_STATUS_MEDIA_CONNECT));
	ASSERT_EQ(-EBADMSG, net_rndis_frame(msg, 20, &off, &flen));
}

TEST_HARNESS_MAIN
