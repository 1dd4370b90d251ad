/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb IC heartbeat - the host asks, the guest answers seq_num + 1
 * (hv_util.c:heartbeat_onchannelcallback). Body: seq_num u64 and 32
 * reserved bytes; Linux needs the first 8.
 *
 * hvtb_ic_heartbeat_tick() is the timer: it negotiates first, then sends
 * a request every period and gives up on one unanswered for a period
 * (alive turns false). hvtb_ic_poll(&hb->ic, now) takes the answers.
 */
#ifndef HVTB_IC_HEARTBEAT_H
#define HVTB_IC_HEARTBEAT_H

#include <stdbool.h>
#include <stdint.h>

#include "ic_chan.h"

#define HVTB_IC_HEARTBEAT_BODY		40u
/* Linux's versions, newest first: 3.0, 1.0. */
extern const struct hvtb_ic_version hvtb_ic_heartbeat_versions[2];
extern const struct hvtb_ic_service hvtb_ic_heartbeat_service;

struct hvtb_ic_heartbeat {
	struct hvtb_ic ic;
	uint64_t period_ns;
	uint64_t next_due_ns;
	uint64_t seq;			/* of the request outstanding or last sent */
	/* What a caller watches. */
	bool alive;			/* the last request was answered with seq + 1 */
	uint64_t last_seq;		/* the guest's last correct answer */
	uint64_t last_answer_ns;	/* when it came */
	uint64_t bad_answers;		/* wrong seq, status errors, malformed */
};

/**
 * hvtb_ic_heartbeat_init() - a heartbeat IC, CLOSED, not alive.
 * @hb: the IC.
 * @tp: its transport.
 * @period_ns: between requests (Hyper-V: a few seconds); also the timeout.
 * @first_seq: the sequence number of the first request.
 *
 * Return: 0; -EINVAL.
 */
int hvtb_ic_heartbeat_init(struct hvtb_ic_heartbeat *hb, const struct hvtb_ic_transport *tp,
			   uint64_t period_ns, uint64_t first_seq);

/**
 * hvtb_ic_heartbeat_send() - send one request now (host action).
 * @hb: a READY heartbeat IC.
 * @now_ns: the time.
 *
 * Return: as hvtb_ic_request().
 */
int hvtb_ic_heartbeat_send(struct hvtb_ic_heartbeat *hb, uint64_t now_ns);

/**
 * hvtb_ic_heartbeat_tick() - the periodic host action: times out an
 * unanswered request (or negotiate), negotiates when CLOSED, sends a
 * request when one is due.
 * @hb: the IC.
 * @now_ns: the time.
 *
 * Return: 0 (nothing to do or done); the send's error; -EPIPE (BROKEN),
 * -EPROTONOSUPPORT (NOVERSION).
 */
int hvtb_ic_heartbeat_tick(struct hvtb_ic_heartbeat *hb, uint64_t now_ns);

#endif /* HVTB_IC_HEARTBEAT_H */
