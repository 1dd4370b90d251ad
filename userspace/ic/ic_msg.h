/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb IC framework - the wire format of the Hyper-V integration
 * components (heartbeat, shutdown, timesync, KVP) as Linux 6.1's hv_utils
 * speaks it (/work/shared/VMBUS.md section 8; drivers/hv/hv_util.c,
 * hv_kvp.c, channel_mgmt.c:vmbus_prep_negotiate_resp).
 *
 * Every IC message is the body of an inband VMBus packet:
 *   pipe header   {type u32 = 1 (data), size u32}            8 bytes
 *   icmsg header  (struct hvtb_ic_hdr)                        20 bytes
 *   body          hvtb_ic_hdr.msgsize bytes
 * The guest answers each request with its own copy of the packet body
 * (same length, same VMBus transaction id), flags TRANSACTION|RESPONSE and
 * a status (an HRESULT: 0 = S_OK).
 *
 * Pure logic: no system calls, no allocation. The parsers take bytes a
 * hostile guest wrote and never read past the length they are given.
 * Errors are negative errno:
 *   -EBADMSG          malformed (short, sizes that do not fit, bad counts,
 *                     a version the host never proposed);
 *   -EPROTONOSUPPORT  a well-formed negotiate answer with no common version;
 *   -EMSGSIZE         the caller's buffer is too small;
 *   -EINVAL           bad arguments.
 */
#ifndef HVTB_IC_MSG_H
#define HVTB_IC_MSG_H

#include <stddef.h>
#include <stdint.h>

/* Pipe header, icmsg header, and where the body starts. */
#define HVTB_IC_PIPE_HDR_SIZE		8u
#define HVTB_IC_HDR_SIZE		20u
#define HVTB_IC_BODY_OFFSET		(HVTB_IC_PIPE_HDR_SIZE + HVTB_IC_HDR_SIZE)
#define HVTB_IC_PIPE_DATA		1u

/* icmsgtype */
#define HVTB_ICMSG_NEGOTIATE		0
#define HVTB_ICMSG_HEARTBEAT		1
#define HVTB_ICMSG_KVP			2
#define HVTB_ICMSG_SHUTDOWN		3
#define HVTB_ICMSG_TIMESYNC		4
#define HVTB_ICMSG_VSS			5
#define HVTB_ICMSG_FCOPY		7

/* icflags */
#define HVTB_ICFLAG_TRANSACTION		1u
#define HVTB_ICFLAG_REQUEST		2u
#define HVTB_ICFLAG_RESPONSE		4u

/* Status values (HRESULTs) the Linux guest uses. */
#define HVTB_IC_S_OK			0x00000000u
#define HVTB_IC_E_FAIL			0x80004005u
#define HVTB_IC_S_CONT			0x80070103u	/* KVP: no more items / not found */

/* The guest refuses a negotiate with more versions than this per list. */
#define HVTB_IC_MAX_VERCNT		100u
/* Versions the host proposes per list (its own limit). */
#define HVTB_IC_MAX_PROPOSE		8u

/* The largest message: KVP (28 + 7432 bytes) rounded up. */
#define HVTB_IC_MAX_MSG			8192u

struct hvtb_ic_version {
	uint16_t major;
	uint16_t minor;
};

#define HVTB_IC_VER(maj, min)	((struct hvtb_ic_version){ .major = (maj), .minor = (min) })

struct hvtb_ic_pipe_hdr {
	uint32_t type;		/* HVTB_IC_PIPE_DATA */
	uint32_t size;		/* bytes after the pipe header */
};

/* struct icmsg_hdr: 20 bytes, packed on the wire; the natural layout is the same. */
struct hvtb_ic_hdr {
	struct hvtb_ic_version framever;
	uint16_t msgtype;
	struct hvtb_ic_version msgver;
	uint16_t msgsize;	/* body bytes after this header */
	uint32_t status;
	uint8_t trans_id;	/* the IC transaction id (the guest echoes it) */
	uint8_t flags;
	uint8_t reserved[2];
};

_Static_assert(sizeof(struct hvtb_ic_pipe_hdr) == HVTB_IC_PIPE_HDR_SIZE, "pipe header is 8 bytes");
_Static_assert(sizeof(struct hvtb_ic_hdr) == HVTB_IC_HDR_SIZE, "icmsg_hdr is 20 bytes");
_Static_assert(offsetof(struct hvtb_ic_hdr, msgtype) == 4, "icmsgtype @4");
_Static_assert(offsetof(struct hvtb_ic_hdr, msgver) == 6, "icvermsg @6");
_Static_assert(offsetof(struct hvtb_ic_hdr, msgsize) == 10, "icmsgsize @10");
_Static_assert(offsetof(struct hvtb_ic_hdr, status) == 12, "status @12");
_Static_assert(offsetof(struct hvtb_ic_hdr, trans_id) == 16, "ictransaction_id @16");
_Static_assert(offsetof(struct hvtb_ic_hdr, flags) == 17, "icflags @17");

/* struct icmsg_negotiate without its version array (which follows it). */
struct hvtb_ic_negotiate {
	uint16_t fw_count;	/* icframe_vercnt */
	uint16_t msg_count;	/* icmsg_vercnt */
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvtb_ic_negotiate) == 8, "icmsg_negotiate is 8 bytes + versions");

/* The guest's negotiate answer carries this icmsgsize: counts + 2 versions. */
#define HVTB_IC_NEGO_REPLY_SIZE		16u

/* A parsed IC message: a copy of the header, the body in the caller's buffer. */
struct hvtb_ic_msg {
	struct hvtb_ic_pipe_hdr pipe;
	struct hvtb_ic_hdr hdr;
	const uint8_t *body;	/* right after the icmsg header */
	uint32_t body_len;	/* hdr.msgsize, known to fit */
	uint32_t room;		/* bytes after the icmsg header in the packet (>= body_len) */
};

/**
 * hvtb_ic_msg_parse() - parse the body of an IC packet.
 * @data: the packet's data (after its VMBus descriptor).
 * @len: its length.
 * @m: the result.
 *
 * Checks: both headers fit, the pipe type is data, the pipe size and
 * icmsgsize fit in @len.
 *
 * Return: 0; -EBADMSG; -EINVAL (NULL arguments).
 */
int hvtb_ic_msg_parse(const void *data, uint32_t len, struct hvtb_ic_msg *m);

/**
 * hvtb_ic_msg_init() - write the pipe and icmsg headers of a host request
 * and zero its body.
 * @buf: where the message is built.
 * @buflen: its size.
 * @msgtype: HVTB_ICMSG_*.
 * @framever: the framework version (negotiated; 0.0 before).
 * @msgver: the service version (negotiated; 0.0 before).
 * @trans_id: the IC transaction id.
 * @body_len: body bytes (at @buf + HVTB_IC_BODY_OFFSET, filled by the caller).
 *
 * The flags are TRANSACTION|REQUEST, the status 0.
 *
 * Return: the message length (HVTB_IC_BODY_OFFSET + @body_len); -EMSGSIZE;
 * -EINVAL.
 */
int hvtb_ic_msg_init(void *buf, uint32_t buflen, uint16_t msgtype,
		     struct hvtb_ic_version framever, struct hvtb_ic_version msgver,
		     uint8_t trans_id, uint32_t body_len);

/**
 * hvtb_ic_nego_build() - build the host's negotiate request.
 * @buf: where it is built.
 * @buflen: its size.
 * @fw: framework versions proposed (1 .. HVTB_IC_MAX_PROPOSE).
 * @nfw: their count.
 * @msg: service versions proposed (1 .. HVTB_IC_MAX_PROPOSE).
 * @nmsg: their count.
 * @trans_id: the IC transaction id.
 *
 * Return: the message length; -EMSGSIZE; -EINVAL.
 */
int hvtb_ic_nego_build(void *buf, uint32_t buflen,
		       const struct hvtb_ic_version *fw, uint32_t nfw,
		       const struct hvtb_ic_version *msg, uint32_t nmsg, uint8_t trans_id);

/**
 * hvtb_ic_nego_parse() - read the guest's negotiate answer.
 * @m: the parsed answer (msgtype NEGOTIATE).
 * @fw: the framework versions the host proposed.
 * @nfw: their count.
 * @msg: the service versions the host proposed.
 * @nmsg: their count.
 * @fw_out: the framework version the guest chose.
 * @msg_out: the service version the guest chose.
 *
 * A Linux guest answers counts 1/1 and the two chosen versions in
 * versions[0] and [1] (icmsgsize 16), or counts 0/0 when no version matched.
 *
 * Return: 0; -EPROTONOSUPPORT (counts 0/0); -EBADMSG (other counts, short
 * body, a choice the host never proposed); -EINVAL.
 */
int hvtb_ic_nego_parse(const struct hvtb_ic_msg *m,
		       const struct hvtb_ic_version *fw, uint32_t nfw,
		       const struct hvtb_ic_version *msg, uint32_t nmsg,
		       struct hvtb_ic_version *fw_out, struct hvtb_ic_version *msg_out);

/* Framework versions Linux 6.1 accepts, newest first: 3.0, 1.0. */
extern const struct hvtb_ic_version hvtb_ic_fw_versions[2];

/* Little-endian loads and stores at any alignment. */
static inline uint16_t hvtb_ic_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t hvtb_ic_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t hvtb_ic_get64(const uint8_t *p)
{
	return (uint64_t)hvtb_ic_get32(p) | (uint64_t)hvtb_ic_get32(p + 4) << 32;
}

static inline void hvtb_ic_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void hvtb_ic_put32(uint8_t *p, uint32_t v)
{
	hvtb_ic_put16(p, (uint16_t)v);
	hvtb_ic_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void hvtb_ic_put64(uint8_t *p, uint64_t v)
{
	hvtb_ic_put32(p, (uint32_t)v);
	hvtb_ic_put32(p + 4, (uint32_t)(v >> 32));
}

#endif /* HVTB_IC_MSG_H */
