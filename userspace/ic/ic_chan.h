/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb IC channel - one integration component's channel as a state
 * machine over an abstract transport, shared by every IC (heartbeat,
 * shutdown, timesync, KVP).
 *
 * The transport is the channel's two rings and a way to signal the guest.
 * In the host tests the rings are plain memory; in hvtb-icd they will be
 * the channel fd's mmap()ed ring pair and the signal its ioctl/eventfd.
 * Nothing here makes a system call: time comes in as @now_ns arguments
 * (any monotonic clock, nanoseconds).
 *
 * Events:
 *   host actions    hvtb_ic_start() (the negotiate), the per-IC requests
 *                   (ic_heartbeat.h, ic_shutdown.h, ic_timesync.h,
 *                   ic_kvp.h) and hvtb_ic_timeout();
 *   guest input     hvtb_ic_poll(), called when the guest signalled (and
 *                   may be called any time).
 *
 * States:
 *   CLOSED -start-> NEGOTIATING -answer-> READY <-request/answer-> WAITING
 *   NEGOTIATING -counts 0/0-> NOVERSION    (nothing in common; final)
 *   NEGOTIATING -bad answer or timeout-> CLOSED   (hvtb_ic_start() again)
 *   any -corrupt ring, flood-> BROKEN       (final: stop serving the channel)
 *
 * One request is outstanding at a time: Linux's shutdown and KVP callbacks
 * read one packet per signal, and a second queued request would wait for a
 * signal that never comes (VMBUS.md section 8). Every answer is checked
 * against the outstanding request: the VMBus transaction id (else the
 * packet is a stray: counted, dropped), then the packet type, length (no
 * longer than the request, at least both headers), pipe header, icmsgsize,
 * msgtype, icflags and IC transaction id (else the request completes with
 * -EBADMSG). A guest status other than S_OK completes it with -EREMOTEIO
 * (the IC may map some statuses, e.g. KVP's "no more items", to another
 * error); the status is kept in last_status.
 */
#ifndef HVTB_IC_CHAN_H
#define HVTB_IC_CHAN_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/vmbus_ring.h"
#include "ic_msg.h"

/* Packets taken off the guest's ring per hvtb_ic_poll() call. */
#define HVTB_IC_POLL_BUDGET	32u
/* Stray packets (no request of theirs outstanding) tolerated in a row. */
#define HVTB_IC_MAX_STRAY	256u
/* A receive buffer: the largest answer, its descriptor and slack. */
#define HVTB_IC_RX_BUF		(HVTB_IC_MAX_MSG + 64u)

struct hvtb_ic_transport {
	struct hvtb_ring *rx;	/* guest-to-host ring, a HVTB_RING_HOST_READS view */
	struct hvtb_ring *tx;	/* host-to-guest ring, a HVTB_RING_HOST_WRITES view */
	/* Signal the guest (its data arrived / room it waits for); 0 or -errno. */
	int (*signal)(void *ctx);
	void *ctx;
};

enum hvtb_ic_state {
	HVTB_IC_CLOSED,
	HVTB_IC_NEGOTIATING,
	HVTB_IC_READY,
	HVTB_IC_WAITING,
	HVTB_IC_NOVERSION,
	HVTB_IC_BROKEN,
};

struct hvtb_ic;

/* What one IC adds to the framework. */
struct hvtb_ic_service {
	const char *name;
	uint16_t msgtype;
	/* Service versions the host proposes by default, newest first. */
	const struct hvtb_ic_version *versions;
	uint32_t nversions;
	/*
	 * The answer to a request of this service: @m is parsed and matched;
	 * return 0, or the error the request completes with.
	 */
	int (*on_answer)(struct hvtb_ic *ic, const struct hvtb_ic_msg *m);
	/* A request ended without a usable answer (timeout, malformed). */
	void (*on_fail)(struct hvtb_ic *ic, int err);
};

struct hvtb_ic_stats {
	uint64_t requests;	/* sent, negotiate included */
	uint64_t answers;	/* completed with 0 */
	uint64_t failed;	/* completed with an error */
	uint64_t timeouts;
	uint64_t stray;		/* dropped: no request of theirs outstanding */
};

/* Completion callback: @msgtype's request ended with @err (0 = answered S_OK). */
typedef void (*hvtb_ic_done_fn)(struct hvtb_ic *ic, uint16_t msgtype, int err, void *arg);

struct hvtb_ic {
	const struct hvtb_ic_service *svc;
	struct hvtb_ic_transport tp;
	enum hvtb_ic_state state;
	int broken_err;			/* why BROKEN */
	/* The proposal (defaults: hvtb_ic_fw_versions and svc->versions). */
	struct hvtb_ic_version fw_prop[HVTB_IC_MAX_PROPOSE];
	struct hvtb_ic_version msg_prop[HVTB_IC_MAX_PROPOSE];
	uint32_t nfw, nmsg;
	/* Negotiated versions (READY and WAITING). */
	struct hvtb_ic_version fw, msgver;
	/* The outstanding request. */
	uint64_t next_trans_id;
	uint64_t req_trans_id;
	uint16_t req_type;
	uint8_t req_ic_tid;
	uint32_t req_len;		/* its packet body length, as sent */
	uint64_t req_sent_ns;
	/* The last completion. */
	uint16_t last_type;
	int last_err;
	uint32_t last_status;		/* the guest's status of the last answer */
	uint64_t last_answer_ns;		/* when the last matched answer came */
	uint32_t stray_run;		/* strays since the last answer */
	struct hvtb_ic_stats stats;
	hvtb_ic_done_fn done;
	void *done_arg;
	uint8_t rx_buf[HVTB_IC_RX_BUF];
	uint8_t tx_buf[HVTB_IC_MAX_MSG];
};

/**
 * hvtb_ic_init() - set up an IC channel, CLOSED.
 * @ic: the channel.
 * @svc: the service.
 * @tp: the transport (copied; rx and tx must stay valid).
 *
 * Return: 0; -EINVAL.
 */
int hvtb_ic_init(struct hvtb_ic *ic, const struct hvtb_ic_service *svc,
		 const struct hvtb_ic_transport *tp);

/**
 * hvtb_ic_set_versions() - replace the versions proposed (CLOSED only).
 * @ic: the channel.
 * @fw: framework versions, 1 .. HVTB_IC_MAX_PROPOSE.
 * @nfw: their count.
 * @msg: service versions, 1 .. HVTB_IC_MAX_PROPOSE.
 * @nmsg: their count.
 *
 * Return: 0; -EINVAL; -EBUSY (not CLOSED).
 */
int hvtb_ic_set_versions(struct hvtb_ic *ic, const struct hvtb_ic_version *fw, uint32_t nfw,
			 const struct hvtb_ic_version *msg, uint32_t nmsg);

/* Call @fn each time a request completes (NULL: none). */
void hvtb_ic_set_done(struct hvtb_ic *ic, hvtb_ic_done_fn fn, void *arg);

/**
 * hvtb_ic_start() - send the negotiate (the first message after the
 * channel opened).
 * @ic: a CLOSED channel.
 * @now_ns: the time it is sent.
 *
 * Return: 0; -EALREADY (not CLOSED); -EPIPE (BROKEN); -EAGAIN (no room in
 * the ring: retry); -EPROTO (the guest's ring index is corrupt: BROKEN);
 * a signal error (the request is queued all the same).
 */
int hvtb_ic_start(struct hvtb_ic *ic, uint64_t now_ns);

/**
 * hvtb_ic_request() - send a service request (for the IC files).
 * @ic: a READY channel.
 * @body: the body after the icmsg header.
 * @body_len: its length.
 * @now_ns: the time it is sent.
 *
 * Return: 0; -EBUSY (a request is outstanding, or negotiating); -ENOTCONN
 * (CLOSED or NOVERSION); -EPIPE (BROKEN); -EINVAL (too long); -EAGAIN,
 * -EPROTO, signal errors as hvtb_ic_start().
 */
int hvtb_ic_request(struct hvtb_ic *ic, const void *body, uint32_t body_len, uint64_t now_ns);

/**
 * hvtb_ic_can_request() - whether hvtb_ic_request() would accept a request
 * now (the IC files check it before they record what they send).
 * @ic: the channel.
 *
 * Return: 0; -EBUSY, -ENOTCONN, -EPIPE as hvtb_ic_request().
 */
int hvtb_ic_can_request(const struct hvtb_ic *ic);

/**
 * hvtb_ic_poll() - take the guest's answers off the ring.
 * @ic: the channel.
 * @now_ns: the time.
 *
 * Handles at most HVTB_IC_POLL_BUDGET packets, publishes the read index
 * (signalling the guest when it waits for room) and rechecks the ring.
 *
 * Return: 0 the ring is empty; 1 packets remain (the budget ran out: call
 * again); -EPIPE already BROKEN; -EPROTO/-EBADMSG the ring is corrupt or
 * the guest floods strays (now BROKEN); a signal error.
 */
int hvtb_ic_poll(struct hvtb_ic *ic, uint64_t now_ns);

/**
 * hvtb_ic_timeout() - give up on an outstanding request sent @timeout_ns
 * or more before @now_ns: it completes with -ETIMEDOUT (a negotiate goes
 * back to CLOSED). A late answer is then a stray.
 * @ic: the channel.
 * @now_ns: the time.
 * @timeout_ns: how long a request may take.
 *
 * Return: 1 a request timed out; 0 none did.
 */
int hvtb_ic_timeout(struct hvtb_ic *ic, uint64_t now_ns, uint64_t timeout_ns);

/* Whether a request is outstanding (negotiate included). */
bool hvtb_ic_busy(const struct hvtb_ic *ic);

/**
 * hvtb_ic_tick() - what every IC's periodic host action starts with: give
 * up on an outstanding request sent @timeout_ns or more ago, negotiate when
 * CLOSED. The IC's own requests follow once it is READY.
 * @ic: the channel.
 * @now_ns: the time.
 * @timeout_ns: how long an answer may take.
 *
 * Return: 0; the negotiate's send error; -EPIPE (BROKEN), -EPROTONOSUPPORT
 * (NOVERSION); -EINVAL.
 */
int hvtb_ic_tick(struct hvtb_ic *ic, uint64_t now_ns, uint64_t timeout_ns);

/* "closed", "negotiating", ... */
const char *hvtb_ic_state_name(enum hvtb_ic_state state);

/* The IC-specific struct around @ic (each IC embeds struct hvtb_ic). */
#define hvtb_ic_container(ptr, type, member) \
	((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

#endif /* HVTB_IC_CHAN_H */
