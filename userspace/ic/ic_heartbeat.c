// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb IC heartbeat (ic_heartbeat.h).
 */
#include <errno.h>

#include "ic_heartbeat.h"

const struct hvtb_ic_version hvtb_ic_heartbeat_versions[2] = {
	{ .major = 3, .minor = 0 },
	{ .major = 1, .minor = 0 },
};

static struct hvtb_ic_heartbeat *hb_of(struct hvtb_ic *ic)
{
	return hvtb_ic_container(ic, struct hvtb_ic_heartbeat, ic);
}

static int hb_on_answer(struct hvtb_ic *ic, const struct hvtb_ic_msg *m)
{
	struct hvtb_ic_heartbeat *hb = hb_of(ic);
	uint64_t seq;

	if (m->hdr.status != HVTB_IC_S_OK)
		return -EREMOTEIO;
	if (m->body_len < sizeof(seq))
		return -EBADMSG;
	seq = hvtb_ic_get64(m->body);
	if (seq != hb->seq + 1)
		return -EBADMSG;
	hb->alive = true;
	hb->last_seq = seq;
	hb->last_answer_ns = ic->last_answer_ns;
	return 0;
}

/* Any failed request: not alive; a wrong answer (not a timeout) is counted. */
static void hb_on_fail(struct hvtb_ic *ic, int err)
{
	struct hvtb_ic_heartbeat *hb = hb_of(ic);

	hb->alive = false;
	if (err != -ETIMEDOUT)
		hb->bad_answers++;
}

const struct hvtb_ic_service hvtb_ic_heartbeat_service = {
	.name = "heartbeat",
	.msgtype = HVTB_ICMSG_HEARTBEAT,
	.versions = hvtb_ic_heartbeat_versions,
	.nversions = 2,
	.on_answer = hb_on_answer,
	.on_fail = hb_on_fail,
};

int hvtb_ic_heartbeat_init(struct hvtb_ic_heartbeat *hb, const struct hvtb_ic_transport *tp,
			   uint64_t period_ns, uint64_t first_seq)
{
	if (!hb || !period_ns)
		return -EINVAL;
	hb->period_ns = period_ns;
	hb->next_due_ns = 0;
	hb->seq = first_seq - 1;
	hb->alive = false;
	hb->last_seq = 0;
	hb->last_answer_ns = 0;
	hb->bad_answers = 0;
	return hvtb_ic_init(&hb->ic, &hvtb_ic_heartbeat_service, tp);
}

int hvtb_ic_heartbeat_send(struct hvtb_ic_heartbeat *hb, uint64_t now_ns)
{
	uint8_t body[HVTB_IC_HEARTBEAT_BODY] = { 0 };
	uint64_t seq = hb->seq + 1;
	int ret;

	ret = hvtb_ic_can_request(&hb->ic);
	if (ret)
		return ret;
	hvtb_ic_put64(body, seq);
	/* Before sending: a request queued with a failed signal still gets its answer. */
	hb->seq = seq;
	hb->next_due_ns = now_ns + hb->period_ns;
	return hvtb_ic_request(&hb->ic, body, sizeof(body), now_ns);
}

int hvtb_ic_heartbeat_tick(struct hvtb_ic_heartbeat *hb, uint64_t now_ns)
{
	int ret = hvtb_ic_tick(&hb->ic, now_ns, hb->period_ns);

	if (ret || hb->ic.state != HVTB_IC_READY || now_ns < hb->next_due_ns)
		return ret;
	return hvtb_ic_heartbeat_send(hb, now_ns);
}
