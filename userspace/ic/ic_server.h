/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One integration component served over one VMBus channel fd: the IC
 * state machines of libhvtbic (ic_*.h) driven by the channel's records and
 * the guest's signals (icd_chanfd.h). The same server runs in a thread of
 * hvtb-worker or alone in an hvtb-icd process (the worker hands that
 * process its channel fd).
 *
 *   heartbeat  a request every heartbeat period, answers counted
 *   shutdown   negotiated and idle until ic_server_request_shutdown():
 *              one power-off request
 *   timesync   a SYNC sample once negotiated (the guest sets its clock to
 *              the parent's), then a SAMPLE every timesync period; version
 *              4.0 only with a reference-time source (cfg->reftime)
 *   kvp        once negotiated (the guest's hv_kvp_daemon answers for its
 *              kernel): SETs cfg->kvp's KEY=VALUE pairs into the guest's
 *              EXTERNAL pool, then reads its AUTO pool record by record
 *
 * Nothing the guest does ends the server: a channel the library finds
 * corrupt (BROKEN) is no longer served until the guest reopens it.
 *
 * Locking: @lock covers the server's state; ic_server_step() holds it
 * while serving, the other calls take it, so another thread may ask for a
 * shutdown or print the state while a thread steps.
 */
#ifndef HVTB_IC_SERVER_H
#define HVTB_IC_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ic_heartbeat.h"
#include "ic_kvp.h"
#include "ic_shutdown.h"
#include "ic_timesync.h"
#include "icd_chanfd.h"

enum ic_kind { IC_HEARTBEAT, IC_SHUTDOWN, IC_TIMESYNC, IC_KVP, IC_NR_KINDS };

/* IC channels are message-mode pipes (their packets carry a pipe header). */
#define IC_PIPE_TYPE_MESSAGE	4u
/* Guest AUTO-pool records a KVP server keeps. */
#define IC_KVP_AUTO_MAX		16u
/* KEY=VALUE pairs a KVP server takes while it runs (ic_server_kvp_set()). */
#define IC_KVP_RT_MAX		16u

struct ic_server_cfg {
	uint64_t heartbeat_period_ns;	/* Hyper-V: 2 s; also a request's timeout */
	uint64_t timesync_period_ns;	/* Hyper-V: 5 s */
	uint64_t answer_timeout_ns;	/* negotiate, shutdown, KVP */
	const char *const *kvp;		/* KEY=VALUE pairs to SET, in order */
	unsigned int nkvp;
	/* The partition reference counter (100 ns), or NULL: timesync up to 3.0. */
	uint64_t (*reftime)(void *ctx);
	void *reftime_ctx;
	const char *shutdown_reason;	/* the request's message */
};

enum ic_shutdown_state { IC_SD_NONE, IC_SD_ASKED, IC_SD_ACCEPTED, IC_SD_REFUSED };

struct ic_server {
	enum ic_kind kind;
	const struct ic_server_cfg *cfg;
	struct icd_chan chan;
	pthread_mutex_t lock;
	union {
		struct hvtb_ic ic;	/* every IC struct starts with it */
		struct hvtb_ic_heartbeat hb;
		struct hvtb_ic_shutdown sd;
		struct hvtb_ic_timesync ts;
		struct hvtb_ic_kvp kvp;
	} u;
	bool serving;		/* open and the IC state set up */
	int last_err;		/* the last error of a step (not -EAGAIN) */
	uint64_t errors;
	uint64_t answers;	/* requests answered without error */
	uint64_t negotiated;	/* negotiations that completed */
	bool sd_asked, sd_sent;
	/*
	 * kvp: the next pair to set, the next AUTO index, the records read (by
	 * index: a reopened channel reads them again over the old ones) and
	 * the SETs the guest accepted.
	 */
	unsigned int kvp_set, kvp_index, kvp_nauto, kvp_sets_ok;
	bool kvp_done;
	char *kvp_rt[IC_KVP_RT_MAX];	/* asked for while running, in order */
	unsigned int kvp_rt_n, kvp_rt_sent;
	char kvp_auto[IC_KVP_AUTO_MAX][HVTB_IC_KVP_KEY_BUF + HVTB_IC_KVP_VALUE_BUF + 1];
};

/* "heartbeat", "shutdown", "timesync", "kvp"; "?" for no kind. */
const char *ic_kind_name(unsigned int kind);
/* The kind named @name; -EINVAL for none. */
int ic_kind_parse(const char *name);
/* The interface type GUID of @kind (guid_t bytes). */
const uint8_t *ic_kind_type(enum ic_kind kind);
/* hvtb's fixed instance GUID of @kind: {68766274-6963-4862-8000-0000000000NN}. */
void ic_kind_instance(enum ic_kind kind, uint8_t guid[16]);

/* Set up @s (not serving; @s->chan closed: offer or adopt it next). */
void ic_server_init(struct ic_server *s, enum ic_kind kind, const struct ic_server_cfg *cfg);

/* Offer the channel of @s on partition fd @partfd (the worker's threads). */
int ic_server_offer(struct ic_server *s, int partfd);

/**
 * ic_server_step() - wait up to @timeout_ms for the channel, then serve.
 * @s: a server with an offered or adopted channel.
 *
 * Return: an enum icd_chan_what (ICD_CHAN_RELEASED: nothing more will
 * come, stop); -errno (the channel fd failed).
 */
int ic_server_step(struct ic_server *s, int timeout_ms);

/* Ask the guest to power off: 0, or -ENOTCONN (it has not negotiated). */
int ic_server_request_shutdown(struct ic_server *s);
enum ic_shutdown_state ic_server_shutdown_state(struct ic_server *s);

/*
 * A KVP server: SET KEY=VALUE (@kv) into the guest's EXTERNAL pool, after
 * what is queued (again after each reopen). Return: 0; -EINVAL (not KVP,
 * not KEY=VALUE, too long); -ENOSPC (IC_KVP_RT_MAX taken); -ENOMEM.
 */
int ic_server_kvp_set(struct ic_server *s, const char *kv);

/* "@who: IC NAME: ..." and, for KVP, "@who: KVP guest KEY=VALUE" lines. */
void ic_server_print(struct ic_server *s, FILE *out, const char *who);

/* Close the channel (a rescind) and free what @s holds. */
void ic_server_destroy(struct ic_server *s);

#endif /* HVTB_IC_SERVER_H */
