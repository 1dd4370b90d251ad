/* SPDX-License-Identifier: GPL-2.0 */
/*
 * storvsp's vstor protocol: the host side of a SCSI controller channel as
 * Linux 6.1's hv_storvsc speaks it (drivers/scsi/storvsc_drv.c;
 * /work/shared/VMBUS.md section 9).
 *
 * Every packet carries one 64-byte struct stor_pkt. The guest first runs
 * the initialization: BEGIN_INITIALIZATION, QUERY_PROTOCOL_VERSION (6.2,
 * 6.0 then 5.1 until one is accepted), QUERY_PROPERTIES (no sub-channels,
 * STOR_MAX_TRANSFER bytes a request), END_INITIALIZATION; then sends SCSI
 * requests as EXECUTE_SRB, inband without data, GPA-direct (one range of
 * guest pages) with data. Each request gets one completion: a 64-byte
 * COMPLETE_IO packet (len8 10) with the request's transaction id.
 *
 * Pure logic: stor_vsp_parse() turns one packet read off the ring into an
 * answer to send now, or an SRB for the caller to run (stor_scsi_exec()
 * and the I/O); stor_vsp_complete_srb() builds that SRB's completion.
 * A packet that is malformed, out of order or asks for too much gets an
 * error completion, never silence (a never-completed request hangs the
 * guest's SCSI command forever), and is counted.
 */
#ifndef HVTB_STOR_VSP_H
#define HVTB_STOR_VSP_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/vmbus_ring.h"
#include "stor_scsi.h"

/* Operations (enum vstor_packet_operation). */
#define STOR_OP_COMPLETE_IO		1
#define STOR_OP_REMOVE_DEVICE		2
#define STOR_OP_EXECUTE_SRB		3
#define STOR_OP_RESET_LUN		4
#define STOR_OP_RESET_ADAPTER		5
#define STOR_OP_RESET_BUS		6
#define STOR_OP_BEGIN_INITIALIZATION	7
#define STOR_OP_END_INITIALIZATION	8
#define STOR_OP_QUERY_PROTOCOL_VERSION	9
#define STOR_OP_QUERY_PROPERTIES	10
#define STOR_OP_ENUMERATE_BUS		11
#define STOR_OP_FCHBA_DATA		12
#define STOR_OP_CREATE_SUB_CHANNELS	13

/* Protocol versions (major << 8 | minor). */
#define STOR_VERSION_WIN8		0x0501
#define STOR_VERSION_WIN8_1		0x0600
#define STOR_VERSION_WIN10		0x0602

/* NT status of a completion. */
#define STOR_NT_SUCCESS			0x00000000u
#define STOR_NT_INVALID_PARAMETER	0xc000000du
#define STOR_NT_REVISION_MISMATCH	0xc0000059u
#define STOR_NT_INVALID_DEVICE_STATE	0xc0000184u
#define STOR_NT_NOT_SUPPORTED		0xc00000bbu
#define STOR_NT_IO_DEVICE_ERROR		0xc0000185u

/* SRB status. */
#define STOR_SRB_SUCCESS		0x01
#define STOR_SRB_ERROR			0x04
#define STOR_SRB_INVALID_REQUEST	0x06
#define STOR_SRB_INVALID_LUN		0x20
#define STOR_SRB_AUTOSENSE_VALID	0x80

#define STOR_SENSE_MAX			20u
#define STOR_CDB_MAX			16u

/* struct vmscsi_request, 52 bytes. */
struct stor_srb {
	uint16_t length;
	uint8_t srb_status;
	uint8_t scsi_status;
	uint8_t port_number;
	uint8_t path_id;
	uint8_t target_id;
	uint8_t lun;
	uint8_t cdb_length;
	uint8_t sense_info_length;
	uint8_t data_in;
	uint8_t reserved;
	uint32_t data_transfer_length;
	union {
		uint8_t cdb[STOR_CDB_MAX];
		uint8_t sense_data[STOR_SENSE_MAX];
	};
	uint16_t reserve;
	uint8_t queue_tag;
	uint8_t queue_action;
	uint32_t srb_flags;
	uint32_t time_out_value;
	uint32_t queue_sort_ey;
} __attribute__((packed));

/* struct vstor_packet, 64 bytes. */
struct stor_pkt {
	uint32_t operation;
	uint32_t flags;
	uint32_t status;
	union {
		struct stor_srb srb;
		struct {
			uint32_t reserved;
			uint16_t max_channel_cnt;
			uint16_t reserved1;
			uint32_t flags;
			uint32_t max_transfer_bytes;
			uint64_t reserved2;
		} __attribute__((packed)) props;
		struct {
			uint16_t major_minor;
			uint16_t revision;
		} version;
		uint8_t buffer[52];
	};
} __attribute__((packed));

_Static_assert(sizeof(struct stor_srb) == 52, "vmscsi_request is 52 bytes");
_Static_assert(sizeof(struct stor_pkt) == 64, "vstor_packet is 64 bytes");

/* Pages a request's one GPA range may name: the largest transfer, unaligned. */
#define STOR_MAX_PFNS			(STOR_MAX_TRANSFER / 4096u + 1u)

enum stor_vsp_state {
	STOR_VSP_WAIT_BEGIN,	/* nothing yet (or reopened) */
	STOR_VSP_BEGUN,		/* BEGIN_INITIALIZATION done */
	STOR_VSP_READY,		/* END_INITIALIZATION done: SRBs served */
};

struct stor_vsp_stats {
	uint64_t packets;	/* parsed */
	uint64_t srbs;		/* EXECUTE_SRBs handed to the caller */
	uint64_t bad;		/* error completions for malformed or out-of-order packets */
	uint64_t dropped;	/* not answerable (a completion, no completion wanted) */
};

struct stor_vsp {
	enum stor_vsp_state state;
	uint16_t version;	/* accepted by QUERY_PROTOCOL_VERSION, 0 none */
	struct stor_vsp_stats stats;
};

/* What to do with a packet. */
enum stor_vsp_what {
	STOR_VSP_REPLY,		/* send act->reply with act->trans_id now */
	STOR_VSP_SRB,		/* run act->srb (act->gpa for its data), then complete it */
	STOR_VSP_DROP,		/* nothing to send */
};

struct stor_vsp_action {
	enum stor_vsp_what what;
	uint64_t trans_id;
	struct stor_pkt reply;		/* REPLY */
	struct stor_pkt req;		/* SRB: the request as the guest sent it */
	bool has_data;			/* SRB: a GPA-direct buffer */
	struct hvtb_ring_gpa_range gpa;	/* its one range (pfns in the packet copy) */
	const char *why;		/* REPLY with an error, DROP: the reason */
};

void stor_vsp_init(struct stor_vsp *v);

/**
 * stor_vsp_parse() - one packet of the guest's ring.
 * @v: the channel's protocol state.
 * @pkt: the packet (hvtb_ring_peek()/_read()); its buffer must stay valid
 *	while act->gpa is used.
 * @act: what to do.
 */
void stor_vsp_parse(struct stor_vsp *v, const struct hvtb_ring_pkt *pkt,
		    struct stor_vsp_action *act);

/**
 * stor_vsp_complete_srb() - the completion of an SRB.
 * @req: the request as parsed.
 * @res: the SCSI target's answer (STOR_SCSI_DONE, _CHECK, _NO_LUN; for
 *	READ/WRITE/FLUSH the caller passes DONE with len = bytes moved, or a
 *	CHECK it built for an I/O error).
 * @out: the completion packet.
 */
void stor_vsp_complete_srb(const struct stor_pkt *req, const struct stor_scsi_res *res,
			   struct stor_pkt *out);

/* An SRB that cannot run (its pages are outside guest memory): error completion. */
void stor_vsp_fail_srb(const struct stor_pkt *req, uint8_t srb_status, uint32_t nt_status,
		       struct stor_pkt *out);

const char *stor_vsp_state_name(enum stor_vsp_state s);

#endif /* HVTB_STOR_VSP_H */
