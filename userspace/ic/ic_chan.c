// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb IC channel - the state machine every IC shares (ic_chan.h): the
 * negotiate, one outstanding request, matching the guest's answers, strays,
 * timeouts. The guest's packets are copied into rx_buf by the ring library
 * and parsed from there only.
 */
#include <errno.h>
#include <string.h>

#include "ic_chan.h"

#define IC_RESPONSE_FLAGS	(HVTB_ICFLAG_TRANSACTION | HVTB_ICFLAG_RESPONSE)

static const char *const ic_state_names[] = {
	[HVTB_IC_CLOSED] = "closed",
	[HVTB_IC_NEGOTIATING] = "negotiating",
	[HVTB_IC_READY] = "ready",
	[HVTB_IC_WAITING] = "waiting",
	[HVTB_IC_NOVERSION] = "no common version",
	[HVTB_IC_BROKEN] = "broken",
};

const char *hvtb_ic_state_name(enum hvtb_ic_state state)
{
	if ((unsigned int)state > HVTB_IC_BROKEN)
		return "unknown";
	return ic_state_names[state];
}

bool hvtb_ic_busy(const struct hvtb_ic *ic)
{
	return ic->state == HVTB_IC_NEGOTIATING || ic->state == HVTB_IC_WAITING;
}

static bool ic_versions_ok(const struct hvtb_ic_version *v, uint32_t n)
{
	return v && n >= 1 && n <= HVTB_IC_MAX_PROPOSE;
}

int hvtb_ic_set_versions(struct hvtb_ic *ic, const struct hvtb_ic_version *fw, uint32_t nfw,
			 const struct hvtb_ic_version *msg, uint32_t nmsg)
{
	if (!ic || !ic_versions_ok(fw, nfw) || !ic_versions_ok(msg, nmsg))
		return -EINVAL;
	if (ic->state != HVTB_IC_CLOSED)
		return -EBUSY;
	memcpy(ic->fw_prop, fw, nfw * sizeof(*fw));
	memcpy(ic->msg_prop, msg, nmsg * sizeof(*msg));
	ic->nfw = nfw;
	ic->nmsg = nmsg;
	return 0;
}

int hvtb_ic_init(struct hvtb_ic *ic, const struct hvtb_ic_service *svc,
		 const struct hvtb_ic_transport *tp)
{
	if (!ic || !svc || !tp || !tp->rx || !tp->tx || !svc->on_answer ||
	    !ic_versions_ok(svc->versions, svc->nversions))
		return -EINVAL;
	if (tp->rx->role != HVTB_RING_HOST_READS || tp->tx->role != HVTB_RING_HOST_WRITES)
		return -EINVAL;
	memset(ic, 0, offsetof(struct hvtb_ic, rx_buf));
	ic->svc = svc;
	ic->tp = *tp;
	ic->state = HVTB_IC_CLOSED;
	ic->next_trans_id = 1;
	return hvtb_ic_set_versions(ic, hvtb_ic_fw_versions, 2, svc->versions, svc->nversions);
}

void hvtb_ic_set_done(struct hvtb_ic *ic, hvtb_ic_done_fn fn, void *arg)
{
	ic->done = fn;
	ic->done_arg = arg;
}

static int ic_signal(struct hvtb_ic *ic)
{
	return ic->tp.signal ? ic->tp.signal(ic->tp.ctx) : 0;
}

static void ic_break(struct hvtb_ic *ic, int err)
{
	bool was_busy = hvtb_ic_busy(ic);

	ic->state = HVTB_IC_BROKEN;
	ic->broken_err = err;
	if (was_busy && ic->done)
		ic->done(ic, ic->req_type, -EPIPE, ic->done_arg);
}

/* Queue tx_buf[0..len) as the outstanding request of type @type and signal. */
static int ic_send(struct hvtb_ic *ic, uint16_t type, uint64_t trans_id, uint32_t len,
		   uint64_t now_ns)
{
	bool signal;
	int ret;

	ret = hvtb_ring_put_inband(ic->tp.tx, 0, trans_id, ic->tx_buf, len);
	if (ret == -EPROTO)
		goto broken;
	if (ret)
		return ret;
	ret = hvtb_ring_write_commit(ic->tp.tx, &signal);
	if (ret)
		goto broken;
	ic->next_trans_id++;
	ic->req_trans_id = trans_id;
	ic->req_type = type;
	ic->req_ic_tid = (uint8_t)trans_id;
	ic->req_len = len;
	ic->req_sent_ns = now_ns;
	ic->state = type == HVTB_ICMSG_NEGOTIATE ? HVTB_IC_NEGOTIATING : HVTB_IC_WAITING;
	ic->stats.requests++;
	return signal ? ic_signal(ic) : 0;

broken:
	ic_break(ic, ret);
	return ret;
}

int hvtb_ic_start(struct hvtb_ic *ic, uint64_t now_ns)
{
	uint64_t trans_id;
	int len;

	if (!ic)
		return -EINVAL;
	if (ic->state == HVTB_IC_BROKEN)
		return -EPIPE;
	if (ic->state != HVTB_IC_CLOSED)
		return -EALREADY;
	trans_id = ic->next_trans_id;
	len = hvtb_ic_nego_build(ic->tx_buf, sizeof(ic->tx_buf), ic->fw_prop, ic->nfw,
				 ic->msg_prop, ic->nmsg, (uint8_t)trans_id);
	if (len < 0)
		return len;
	return ic_send(ic, HVTB_ICMSG_NEGOTIATE, trans_id, (uint32_t)len, now_ns);
}

int hvtb_ic_can_request(const struct hvtb_ic *ic)
{
	switch (ic->state) {
	case HVTB_IC_READY:
		return 0;
	case HVTB_IC_BROKEN:
		return -EPIPE;
	case HVTB_IC_NEGOTIATING:
	case HVTB_IC_WAITING:
		return -EBUSY;
	default:
		return -ENOTCONN;
	}
}

int hvtb_ic_request(struct hvtb_ic *ic, const void *body, uint32_t body_len, uint64_t now_ns)
{
	uint64_t trans_id;
	int len;

	if (!ic || (!body && body_len))
		return -EINVAL;
	len = hvtb_ic_can_request(ic);
	if (len)
		return len;
	trans_id = ic->next_trans_id;
	len = hvtb_ic_msg_init(ic->tx_buf, sizeof(ic->tx_buf), ic->svc->msgtype, ic->fw,
			       ic->msgver, (uint8_t)trans_id, body_len);
	if (len < 0)
		return len == -EMSGSIZE ? -EINVAL : len;
	if (body_len)
		memcpy(ic->tx_buf + HVTB_IC_BODY_OFFSET, body, body_len);
	return ic_send(ic, ic->svc->msgtype, trans_id, (uint32_t)len, now_ns);
}

/* End the outstanding request with @err (0: answered S_OK). */
static void ic_complete(struct hvtb_ic *ic, int err, bool answered)
{
	uint16_t type = ic->req_type;

	ic->last_type = type;
	ic->last_err = err;
	if (answered)
		ic->stray_run = 0;
	if (err)
		ic->stats.failed++;
	else
		ic->stats.answers++;
	if (type == HVTB_ICMSG_NEGOTIATE) {
		if (!err)
			ic->state = HVTB_IC_READY;
		else if (err == -EPROTONOSUPPORT)
			ic->state = HVTB_IC_NOVERSION;
		else
			ic->state = HVTB_IC_CLOSED;
	} else {
		ic->state = HVTB_IC_READY;
		if (err && ic->svc->on_fail)
			ic->svc->on_fail(ic, err);
	}
	if (ic->done)
		ic->done(ic, type, err, ic->done_arg);
}

static int ic_nego_answer(struct hvtb_ic *ic, const struct hvtb_ic_msg *m)
{
	struct hvtb_ic_version fw, msgver;
	int ret;

	if (m->hdr.status != HVTB_IC_S_OK)
		return -EREMOTEIO;
	ret = hvtb_ic_nego_parse(m, ic->fw_prop, ic->nfw, ic->msg_prop, ic->nmsg, &fw, &msgver);
	if (ret)
		return ret;
	ic->fw = fw;
	ic->msgver = msgver;
	return 0;
}

/* The checks every answer passes before its IC looks at the body. */
static int ic_check(struct hvtb_ic *ic, const struct hvtb_ring_pkt *pkt, struct hvtb_ic_msg *m)
{
	int ret;

	if (pkt->type != HVTB_PKT_DATA_INBAND)
		return -EBADMSG;
	/* The guest echoes the request: its length rounded up to 8, no more. */
	if (pkt->data_len > ((ic->req_len + 7u) & ~7u))
		return -EBADMSG;
	ret = hvtb_ic_msg_parse(pkt->data, pkt->data_len, m);
	if (ret)
		return ret;
	ic->last_status = m->hdr.status;
	if (m->hdr.msgtype != ic->req_type || m->hdr.trans_id != ic->req_ic_tid ||
	    (m->hdr.flags & IC_RESPONSE_FLAGS) != IC_RESPONSE_FLAGS)
		return -EBADMSG;
	return 0;
}

struct ic_poll {
	struct hvtb_ic *ic;
	uint64_t now_ns;
};

/* One packet of the guest's ring (hvtb_ring_drain()). */
static int ic_take(void *ctx, const struct hvtb_ring_pkt *pkt, int ring_err)
{
	const struct ic_poll *p = ctx;
	struct hvtb_ic *ic = p->ic;
	struct hvtb_ic_msg m;
	int err;

	if (!hvtb_ic_busy(ic) || pkt->trans_id != ic->req_trans_id) {
		ic->stats.stray++;
		if (++ic->stray_run > HVTB_IC_MAX_STRAY)
			return -EPROTO;
		return HVTB_RING_TAKEN;
	}
	ic->last_status = 0;
	ic->last_answer_ns = p->now_ns;
	err = ring_err == -EMSGSIZE ? -EBADMSG : ic_check(ic, pkt, &m);
	if (!err)
		err = ic->req_type == HVTB_ICMSG_NEGOTIATE ? ic_nego_answer(ic, &m) :
							    ic->svc->on_answer(ic, &m);
	ic_complete(ic, err, true);
	return HVTB_RING_TAKEN;
}

int hvtb_ic_poll(struct hvtb_ic *ic, uint64_t now_ns)
{
	struct ic_poll p = { ic, now_ns };
	bool signal = false;
	int ret;

	if (!ic)
		return -EINVAL;
	if (ic->state == HVTB_IC_BROKEN)
		return -EPIPE;
	ret = hvtb_ring_drain(ic->tp.rx, ic->rx_buf, sizeof(ic->rx_buf), HVTB_IC_POLL_BUDGET,
			     ic_take, &p, &signal);
	if (ret < 0) {
		ic_break(ic, ret);
		return ret;
	}
	if (signal) {
		int sret = ic_signal(ic);

		if (sret)
			return sret;
	}
	return ret == HVTB_RING_MORE;
}

int hvtb_ic_timeout(struct hvtb_ic *ic, uint64_t now_ns, uint64_t timeout_ns)
{
	if (!ic || !hvtb_ic_busy(ic) || now_ns < ic->req_sent_ns ||
	    now_ns - ic->req_sent_ns < timeout_ns)
		return 0;
	ic->stats.timeouts++;
	ic_complete(ic, -ETIMEDOUT, false);
	return 1;
}

int hvtb_ic_tick(struct hvtb_ic *ic, uint64_t now_ns, uint64_t timeout_ns)
{
	if (!ic)
		return -EINVAL;
	hvtb_ic_timeout(ic, now_ns, timeout_ns);
	switch (ic->state) {
	case HVTB_IC_CLOSED:
		return hvtb_ic_start(ic, now_ns);
	case HVTB_IC_BROKEN:
		return -EPIPE;
	case HVTB_IC_NOVERSION:
		return -EPROTONOSUPPORT;
	default:
		return 0;
	}
}
