// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb IC framework - version negotiation (ic_msg.h).
 *
 * The host proposes framework and service versions; a Linux 6.1 guest
 * walks its own lists newest first and picks the first one the host
 * offered (channel_mgmt.c:vmbus_prep_negotiate_resp). It answers in place:
 * icmsgsize 16, counts 1/1, versions[0] the framework and versions[1] the
 * service version; counts 0/0 when nothing matched (the two version slots
 * then hold leftovers, not versions).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ic_msg.h"

const struct hvtb_ic_version hvtb_ic_fw_versions[2] = {
	{ .major = 3, .minor = 0 },
	{ .major = 1, .minor = 0 },
};

#define NEGO_VERSION_SIZE	((uint32_t)sizeof(struct hvtb_ic_version))

static bool nego_proposal_ok(const struct hvtb_ic_version *v, uint32_t n)
{
	return v && n >= 1 && n <= HVTB_IC_MAX_PROPOSE;
}

int hvtb_ic_nego_build(void *buf, uint32_t buflen,
		       const struct hvtb_ic_version *fw, uint32_t nfw,
		       const struct hvtb_ic_version *msg, uint32_t nmsg, uint8_t trans_id)
{
	struct hvtb_ic_negotiate neg = { 0 };
	uint32_t body_len;
	uint8_t *body;
	int len;

	if (!nego_proposal_ok(fw, nfw) || !nego_proposal_ok(msg, nmsg))
		return -EINVAL;
	body_len = sizeof(neg) + (nfw + nmsg) * NEGO_VERSION_SIZE;
	len = hvtb_ic_msg_init(buf, buflen, HVTB_ICMSG_NEGOTIATE, HVTB_IC_VER(0, 0),
			       HVTB_IC_VER(0, 0), trans_id, body_len);
	if (len < 0)
		return len;
	body = (uint8_t *)buf + HVTB_IC_BODY_OFFSET;
	neg.fw_count = (uint16_t)nfw;
	neg.msg_count = (uint16_t)nmsg;
	memcpy(body, &neg, sizeof(neg));
	memcpy(body + sizeof(neg), fw, nfw * NEGO_VERSION_SIZE);
	memcpy(body + sizeof(neg) + nfw * NEGO_VERSION_SIZE, msg, nmsg * NEGO_VERSION_SIZE);
	return len;
}

static bool nego_proposed(const struct hvtb_ic_version *list, uint32_t n,
			  struct hvtb_ic_version v)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (list[i].major == v.major && list[i].minor == v.minor)
			return true;
	return false;
}

int hvtb_ic_nego_parse(const struct hvtb_ic_msg *m,
		       const struct hvtb_ic_version *fw, uint32_t nfw,
		       const struct hvtb_ic_version *msg, uint32_t nmsg,
		       struct hvtb_ic_version *fw_out, struct hvtb_ic_version *msg_out)
{
	struct hvtb_ic_negotiate neg;
	struct hvtb_ic_version chosen[2];

	if (!m || !fw_out || !msg_out || !nego_proposal_ok(fw, nfw) ||
	    !nego_proposal_ok(msg, nmsg))
		return -EINVAL;
	if (m->hdr.msgtype != HVTB_ICMSG_NEGOTIATE || m->body_len < sizeof(neg))
		return -EBADMSG;
	memcpy(&neg, m->body, sizeof(neg));
	if (neg.fw_count == 0 && neg.msg_count == 0)
		return -EPROTONOSUPPORT;
	if (neg.fw_count != 1 || neg.msg_count != 1 || m->body_len < HVTB_IC_NEGO_REPLY_SIZE)
		return -EBADMSG;
	memcpy(chosen, m->body + sizeof(neg), sizeof(chosen));
	if (!nego_proposed(fw, nfw, chosen[0]) || !nego_proposed(msg, nmsg, chosen[1]))
		return -EBADMSG;
	*fw_out = chosen[0];
	*msg_out = chosen[1];
	return 0;
}
