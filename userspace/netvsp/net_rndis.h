/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsp's RNDIS device: the control messages and data packets Linux
 * 6.1's hv_netvsc exchanges with the host inside NVSP SEND_RNDIS_PKT
 * messages (drivers/net/hyperv/rndis_filter.c; /work/shared/VMBUS.md
 * section 10).
 *
 * Pure logic: net_rndis_control() answers INITIALIZE, QUERY, SET, RESET
 * and KEEPALIVE (HALT has no answer) for a plain Ethernet adapter with no
 * offloads; net_rndis_frame() finds the Ethernet frame in a PACKET;
 * net_rndis_rx_header() and net_rndis_indicate() build what the host sends.
 * Every guest message is bounded by the length the caller read; a
 * malformed one gets no answer (counted by the caller from the return).
 */
#ifndef HVTB_NET_RNDIS_H
#define HVTB_NET_RNDIS_H

#include <stdbool.h>
#include <stdint.h>

#define NET_RNDIS_PACKET		0x00000001
#define NET_RNDIS_INIT			0x00000002
#define NET_RNDIS_HALT			0x00000003
#define NET_RNDIS_QUERY			0x00000004
#define NET_RNDIS_SET			0x00000005
#define NET_RNDIS_RESET			0x00000006
#define NET_RNDIS_INDICATE		0x00000007
#define NET_RNDIS_KEEPALIVE		0x00000008
#define NET_RNDIS_COMPLETION		0x80000000u	/* | the request's type */

#define NET_RNDIS_STATUS_SUCCESS	0x00000000u
#define NET_RNDIS_STATUS_NOT_SUPPORTED	0xc00000bbu
#define NET_RNDIS_STATUS_INVALID_DATA	0xc0010015u
#define NET_RNDIS_STATUS_MEDIA_CONNECT	0x4001000bu

#define NET_OID_GEN_MAXIMUM_FRAME_SIZE		0x00010106u
#define NET_OID_GEN_LINK_SPEED			0x00010107u
#define NET_OID_GEN_CURRENT_PACKET_FILTER	0x0001010eu
#define NET_OID_GEN_MEDIA_CONNECT_STATUS	0x00010114u
#define NET_OID_GEN_RECEIVE_SCALE_CAPABILITIES	0x00010203u
#define NET_OID_GEN_FRIENDLY_NAME		0x00020216u
#define NET_OID_802_3_PERMANENT_ADDRESS		0x01010101u
#define NET_OID_802_3_CURRENT_ADDRESS		0x01010102u
#define NET_OID_802_3_MULTICAST_LIST		0x01010103u
#define NET_OID_TCP_OFFLOAD_PARAMETERS		0xfc01020cu
#define NET_OID_TCP_OFFLOAD_HW_CAPABILITIES	0xfc01020du

#define NET_RNDIS_HDR		8u	/* msg_type, msg_len */
#define NET_RNDIS_PKT_BODY	36u	/* struct rndis_packet */
#define NET_RNDIS_RX_HDR	(NET_RNDIS_HDR + NET_RNDIS_PKT_BODY)
/* The largest answer net_rndis_control() builds. */
#define NET_RNDIS_MAX_ANSWER	256u
#define NET_ETH_MTU		1500u
#define NET_ETH_MAX_FRAME	(NET_ETH_MTU + 14u + 4u)	/* a VLAN tag included */

struct net_rndis_stats {
	uint64_t control;	/* control messages answered */
	uint64_t unsupported;	/* QUERY/SET of OIDs not served (answered NOT_SUPPORTED) */
	uint64_t bad;		/* malformed messages (no answer) */
};

struct net_rndis {
	uint8_t mac[6];
	bool initialized;
	uint32_t filter;	/* OID_GEN_CURRENT_PACKET_FILTER: 0 = receive nothing */
	uint32_t link_speed;	/* units of 100 bit/s */
	struct net_rndis_stats stats;
};

void net_rndis_init(struct net_rndis *d, const uint8_t mac[6]);

/**
 * net_rndis_control() - answer a control message.
 * @d: the device.
 * @msg: the message (RNDIS header first), @len bytes of it readable.
 * @out: the answer, up to NET_RNDIS_MAX_ANSWER bytes.
 *
 * Return: the answer's length; 0 no answer (HALT); -EBADMSG malformed
 * (counted); -EINVAL a PACKET or unknown type (not a control message).
 */
int net_rndis_control(struct net_rndis *d, const uint8_t *msg, uint32_t len, uint8_t *out);

/**
 * net_rndis_frame() - the Ethernet frame of a PACKET message.
 * @msg: the message, @len bytes.
 * @off: set to the frame's offset in @msg.
 * @flen: set to its length.
 *
 * Return: 0; -EBADMSG (not a PACKET, offsets outside the message, a
 * frame shorter than an Ethernet header or longer than NET_ETH_MAX_FRAME).
 */
int net_rndis_frame(const uint8_t *msg, uint32_t len, uint32_t *off, uint32_t *flen);

/* The NET_RNDIS_RX_HDR bytes of a PACKET carrying a @flen-byte frame. */
void net_rndis_rx_header(uint8_t *hdr, uint32_t flen);

/* An INDICATE_STATUS message of @status (no buffer); returns its length. */
uint32_t net_rndis_indicate(uint8_t *out, uint32_t status);

#endif /* HVTB_NET_RNDIS_H */
