/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netvsp's NVSP: the host side of a synthetic network adapter's channel as
 * Linux 6.1's hv_netvsc speaks it (drivers/net/hyperv/netvsc.c,
 * hyperv_net.h; /work/shared/VMBUS.md section 10).
 *
 * The guest sends 40-byte NVSP messages: INIT (the protocol version),
 * NDIS_CONFIG and NDIS_VER (no answer), SEND_RECV_BUF and SEND_SEND_BUF
 * (the GPADLs of its receive and send buffers), then SEND_RNDIS_PKT for
 * every RNDIS message (net_rndis.h), in a send-buffer section or in guest
 * pages (GPA-direct). The host answers each request with a COMP packet
 * carrying the matching *_COMPLETE message and the request's transaction
 * id, and sends RNDIS messages to the guest as XFER_PAGES packets naming a
 * sub-allocation of the receive buffer; the guest's COMP of one frees it.
 *
 * Pure logic: net_nvsp_parse() says what a packet asks for; the caller
 * maps buffers, moves frames and sends what it is told.
 */
#ifndef HVTB_NET_NVSP_H
#define HVTB_NET_NVSP_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/vmbus_ring.h"

#define NET_NVSP_INIT			1
#define NET_NVSP_INIT_COMPLETE		2
#define NET_NVSP_SEND_NDIS_VER		100
#define NET_NVSP_SEND_RECV_BUF		101
#define NET_NVSP_SEND_RECV_BUF_COMPLETE	102
#define NET_NVSP_REVOKE_RECV_BUF	103
#define NET_NVSP_SEND_SEND_BUF		104
#define NET_NVSP_SEND_SEND_BUF_COMPLETE	105
#define NET_NVSP_REVOKE_SEND_BUF	106
#define NET_NVSP_SEND_RNDIS_PKT		107
#define NET_NVSP_SEND_RNDIS_PKT_COMPLETE 108
#define NET_NVSP_SEND_NDIS_CONFIG	125

#define NET_NVSP_STAT_SUCCESS		1
#define NET_NVSP_STAT_FAIL		2

#define NET_NVSP_MSG_SIZE		40u
#define NET_NVSP_RECV_BUF_ID		0xcafe
#define NET_NVSP_NO_SECTION		0xffffffffu
/* What the host gives the guest's buffers. */
#define NET_NVSP_RECV_SUBALLOC		1728u	/* one frame with its RNDIS header */
#define NET_NVSP_SEND_SECTION		6144u

/* The versions hv_netvsc tries, newest first (all served). */
#define NET_NVSP_VERSION_61		0x00060001u

struct net_nvsp_stats {
	uint64_t packets;
	uint64_t bad;		/* malformed or out of order: dropped (see why) */
	uint64_t unsupported;	/* NVSP messages not served */
};

struct net_nvsp {
	uint32_t version;		/* 0 until INIT */
	uint32_t ndis_version;		/* major << 16 | minor, from NDIS_VER */
	uint32_t recv_gpadl, send_gpadl;	/* 0: none */
	uint32_t recv_size, send_size;	/* bytes mapped */
	uint32_t nsuballocs, nsections;
	struct net_nvsp_stats stats;
};

enum net_nvsp_what {
	NET_NVSP_NONE,		/* nothing to do */
	NET_NVSP_REPLY,		/* send act->reply as a COMP with act->trans_id */
	NET_NVSP_MAP_RECV,	/* map GPADL act->gpadl, then net_nvsp_recv_mapped() */
	NET_NVSP_MAP_SEND,	/* map GPADL act->gpadl, then net_nvsp_send_mapped() */
	NET_NVSP_REVOKE_RECV,	/* unmap the receive buffer (no answer) */
	NET_NVSP_REVOKE_SEND,
	NET_NVSP_RNDIS,		/* an RNDIS message: section act->section, or the packet's pages */
	NET_NVSP_RX_DONE,	/* the guest is done with the XFER_PAGES packet act->trans_id */
	NET_NVSP_BAD,		/* dropped: act->why */
};

struct net_nvsp_action {
	enum net_nvsp_what what;
	uint64_t trans_id;
	bool want_comp;			/* the guest asked for a completion */
	uint32_t reply_len;
	uint8_t reply[NET_NVSP_MSG_SIZE];
	uint32_t gpadl;
	uint32_t channel_type;		/* RNDIS: 0 data, 1 control */
	uint32_t section;		/* RNDIS: NET_NVSP_NO_SECTION: in the packet's pages */
	uint32_t section_size;		/* RNDIS: bytes used in the section */
	const char *why;
};

void net_nvsp_init(struct net_nvsp *v);

/**
 * net_nvsp_parse() - one packet of the guest's ring.
 * @v: the channel's state.
 * @pkt: the packet (hvtb_ring_peek()).
 * @act: what to do.
 */
void net_nvsp_parse(struct net_nvsp *v, const struct hvtb_ring_pkt *pkt,
		    struct net_nvsp_action *act);

/* The receive buffer is mapped (@bytes, 0 = failed): act->reply is SEND_RECV_BUF_COMPLETE. */
void net_nvsp_recv_mapped(struct net_nvsp *v, uint32_t bytes, struct net_nvsp_action *act);
/* The send buffer is mapped (@bytes, 0 = failed): act->reply is SEND_SEND_BUF_COMPLETE. */
void net_nvsp_send_mapped(struct net_nvsp *v, uint32_t bytes, struct net_nvsp_action *act);

/* SEND_RNDIS_PKT_COMPLETE with @status (NET_NVSP_STAT_*), 40 bytes in @out. */
void net_nvsp_rndis_complete(uint8_t *out, uint32_t status);
/* The SEND_RNDIS_PKT message of a host-to-guest XFER_PAGES packet, 40 bytes. */
void net_nvsp_rx_message(uint8_t *out, uint32_t channel_type);

#endif /* HVTB_NET_NVSP_H */
