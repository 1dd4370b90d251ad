/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb IC shutdown - the host asks the guest to power off, reboot or
 * hibernate (hv_util.c:shutdown_onchannelcallback). Body: reason_code
 * u32, timeout_seconds u32, flags u32, display_message[2048] (Linux needs
 * all 2060 bytes). Linux reads flags as: 0/1 power off, 2/3 reboot, 4/5
 * hibernate (bit 0 = force, which Linux always does anyway); it answers
 * S_OK and then acts, or E_FAIL (hibernation unsupported, other flags).
 */
#ifndef HVTB_IC_SHUTDOWN_H
#define HVTB_IC_SHUTDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include "ic_chan.h"

#define HVTB_IC_SHUTDOWN_BODY		2060u
#define HVTB_IC_SHUTDOWN_MSG_SIZE	2048u

/* flags */
#define HVTB_IC_SHUTDOWN_POWEROFF	0u
#define HVTB_IC_SHUTDOWN_FORCE		1u
#define HVTB_IC_SHUTDOWN_REBOOT		2u
#define HVTB_IC_SHUTDOWN_HIBERNATE	4u

/* Linux's versions, newest first: 3.2, 3.1, 3.0, 1.0. */
extern const struct hvtb_ic_version hvtb_ic_shutdown_versions[4];
extern const struct hvtb_ic_service hvtb_ic_shutdown_service;

struct hvtb_ic_shutdown {
	struct hvtb_ic ic;
	uint32_t flags;		/* of the request outstanding or last sent */
	/* The result of the last request: 0 accepted, else its error. */
	bool done;
	int result;
	uint32_t status;	/* the guest's status */
};

/* A shutdown IC, CLOSED. Return: 0; -EINVAL. */
int hvtb_ic_shutdown_init(struct hvtb_ic_shutdown *sd, const struct hvtb_ic_transport *tp);

/**
 * hvtb_ic_shutdown_request() - ask the guest to shut down (host action).
 * @sd: a READY shutdown IC.
 * @flags: HVTB_IC_SHUTDOWN_POWEROFF, _REBOOT or _HIBERNATE, | _FORCE.
 * @reason: reason_code (Linux ignores it).
 * @timeout_s: timeout_seconds (Linux ignores it).
 * @message: display_message as UTF-8 (sent as UTF-16LE, up to 1023
 *	code units; Linux ignores it), or NULL.
 * @now_ns: the time.
 *
 * The result comes with the answer: done, result (0, -EREMOTEIO with
 * status, -EBADMSG, -ETIMEDOUT).
 *
 * Return: as hvtb_ic_request(); -EINVAL for unknown flags or a message that
 * is not UTF-8 or too long.
 */
int hvtb_ic_shutdown_request(struct hvtb_ic_shutdown *sd, uint32_t flags, uint32_t reason,
			     uint32_t timeout_s, const char *message, uint64_t now_ns);

/**
 * hvtb_ic_shutdown_tick() - the periodic host action: negotiates when
 * CLOSED and gives up on a negotiate or request unanswered for
 * @timeout_ns (the request then completes with -ETIMEDOUT). A shutdown
 * is asked for with hvtb_ic_shutdown_request() once READY.
 * @sd: the IC.
 * @now_ns: the time.
 * @timeout_ns: how long an answer may take.
 *
 * Return: 0; the negotiate's send error; -EPIPE (BROKEN), -EPROTONOSUPPORT
 * (NOVERSION).
 */
int hvtb_ic_shutdown_tick(struct hvtb_ic_shutdown *sd, uint64_t now_ns, uint64_t timeout_ns);

#endif /* HVTB_IC_SHUTDOWN_H */
