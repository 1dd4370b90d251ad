// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb IC framework - parsing and building the pipe and icmsg headers
 * (ic_msg.h). The bytes parsed come from the guest: each header is copied
 * out once, then only the copy is looked at.
 */
#include <errno.h>
#include <string.h>

#include "ic_msg.h"

int hvtb_ic_msg_parse(const void *data, uint32_t len, struct hvtb_ic_msg *m)
{
	const uint8_t *p = data;

	if (!data || !m)
		return -EINVAL;
	if (len < HVTB_IC_BODY_OFFSET)
		return -EBADMSG;
	memcpy(&m->pipe, p, sizeof(m->pipe));
	memcpy(&m->hdr, p + HVTB_IC_PIPE_HDR_SIZE, sizeof(m->hdr));
	if (m->pipe.type != HVTB_IC_PIPE_DATA ||
	    m->pipe.size > len - HVTB_IC_PIPE_HDR_SIZE)
		return -EBADMSG;
	m->room = len - HVTB_IC_BODY_OFFSET;
	if (m->hdr.msgsize > m->room)
		return -EBADMSG;
	m->body = p + HVTB_IC_BODY_OFFSET;
	m->body_len = m->hdr.msgsize;
	return 0;
}

int hvtb_ic_msg_init(void *buf, uint32_t buflen, uint16_t msgtype,
		     struct hvtb_ic_version framever, struct hvtb_ic_version msgver,
		     uint8_t trans_id, uint32_t body_len)
{
	struct hvtb_ic_pipe_hdr pipe;
	struct hvtb_ic_hdr hdr;
	uint8_t *p = buf;

	if (!buf || body_len > UINT16_MAX)
		return -EINVAL;
	if (buflen < HVTB_IC_BODY_OFFSET || body_len > buflen - HVTB_IC_BODY_OFFSET)
		return -EMSGSIZE;
	pipe.type = HVTB_IC_PIPE_DATA;
	pipe.size = HVTB_IC_HDR_SIZE + body_len;
	memset(&hdr, 0, sizeof(hdr));
	hdr.framever = framever;
	hdr.msgtype = msgtype;
	hdr.msgver = msgver;
	hdr.msgsize = (uint16_t)body_len;
	hdr.status = HVTB_IC_S_OK;
	hdr.trans_id = trans_id;
	hdr.flags = HVTB_ICFLAG_TRANSACTION | HVTB_ICFLAG_REQUEST;
	memcpy(p, &pipe, sizeof(pipe));
	memcpy(p + HVTB_IC_PIPE_HDR_SIZE, &hdr, sizeof(hdr));
	memset(p + HVTB_IC_BODY_OFFSET, 0, body_len);
	return (int)(HVTB_IC_BODY_OFFSET + body_len);
}
