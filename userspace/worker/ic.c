// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker's integration components. With VMBus on, the worker offers
 * one channel per IC of wk_ic_descs[] (heartbeat, shutdown, time sync) and
 * serves each in a thread of its own with libhvtbic and hvtb-icd's
 * channel-fd adapter (userspace/ic/). The guest's hv_utils binds to them.
 *
 *   heartbeat  a request every WK_IC_HEARTBEAT_PERIOD_MS, answers counted
 *   shutdown   negotiated and idle until wk_ic_request_shutdown() (the
 *              main thread, on SIGTERM): one power-off request
 *   timesync   a SYNC sample once negotiated (the guest sets its clock to
 *              the parent's), then a SAMPLE every WK_IC_TIMESYNC_PERIOD_MS;
 *              version 4.0 carries the partition's reference time
 *              (HVTB_PARTITION_GET_REFERENCE_TIME)
 *   kvp        once negotiated (the guest's hv_kvp_daemon answers for its
 *              kernel): SETs the --kvp KEY=VALUE pairs into the guest's
 *              EXTERNAL pool, then reads its AUTO pool (host name, OS,
 *              addresses) record by record; printed with --stats
 *
 * Nothing the guest does ends the worker: a channel the library finds
 * corrupt (BROKEN) is no longer served until the guest reopens it.
 *
 * Locking: each IC's lock covers its library state; its thread holds it
 * while serving, the main thread to ask for a shutdown and read its state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/hvtb.h>
#include <linux/hvtb_hv.h>

#include "../ic/ic_heartbeat.h"
#include "../ic/ic_kvp.h"
#include "../ic/ic_shutdown.h"
#include "../ic/ic_timesync.h"
#include "../ic/icd_chanfd.h"
#include "worker.h"

/* Hyper-V asks every 2 s (hv_util.c says so); the period is also a request's timeout. */
#define WK_IC_HEARTBEAT_PERIOD_MS	2000u
/* Hyper-V sends a time sample every 5 s. */
#define WK_IC_TIMESYNC_PERIOD_MS	5000u
/* How long a negotiate or a shutdown request may wait for its answer. */
#define WK_IC_ANSWER_TIMEOUT_MS		5000u
#define WK_IC_WAIT_MS			200
#define MS				1000000ull

/* IC channels are message-mode pipes (their packets carry a pipe header). */
#define WK_IC_PIPE_TYPE_MESSAGE		4u

struct wk_ic;

/* One kind of IC: its channel's identity and what serving it means. */
struct wk_ic_desc {
	const char *name;
	uint8_t type[16];		/* interface type GUID (guid_t bytes) */
	/* A channel was opened (a new ring): set the IC up over @tp. */
	int (*init)(struct wk_ic *ic, const struct hvtb_ic_transport *tp);
	/* The periodic host action (negotiate, requests, timeouts). */
	int (*tick)(struct wk_ic *ic, uint64_t now);
	void (*stats)(struct wk_ic *ic, char *buf, size_t len);
};

struct wk_ic {
	struct wk_vm *vm;
	const struct wk_ic_desc *d;
	struct icd_chan chan;
	pthread_mutex_t lock;
	union {
		struct hvtb_ic ic;	/* every IC struct starts with it */
		struct hvtb_ic_heartbeat hb;
		struct hvtb_ic_shutdown sd;
		struct hvtb_ic_timesync ts;
		struct hvtb_ic_kvp kvp;
	} u;
	pthread_t thread;
	bool running;
	bool serving;		/* open and the IC state set up */
	int last_err;		/* the last error of a step (not -EAGAIN) */
	uint64_t errors;
	uint64_t answers;	/* requests answered without error */
	uint64_t negotiated;	/* negotiations that completed */
	/* shutdown: asked by the main thread, sent, answered */
	bool sd_asked, sd_sent;
	/*
	 * kvp: the next --kvp pair to set, the next AUTO index, the records
	 * read (by index: a reopened channel reads them again over the old
	 * ones) and the SETs the guest accepted.
	 */
	unsigned int kvp_set, kvp_index, kvp_nauto, kvp_sets_ok;
	bool kvp_done;
	char kvp_auto[WK_KVP_AUTO_MAX][HVTB_IC_KVP_KEY_BUF + HVTB_IC_KVP_VALUE_BUF + 1];
};

static void ic_note(struct wk_ic *ic, int err)
{
	if (!err || err == -EAGAIN || err == -EPIPE || err == -EPROTONOSUPPORT)
		return;
	ic->last_err = err;
	ic->errors++;
}

static void ic_done(struct hvtb_ic *c, uint16_t msgtype, int err, void *arg)
{
	struct wk_ic *ic = arg;

	(void)c;
	if (err)
		return;
	if (msgtype == HVTB_ICMSG_NEGOTIATE)
		ic->negotiated++;
	else
		ic->answers++;
}

/* --- heartbeat --------------------------------------------------------- */

static int hb_init(struct wk_ic *ic, const struct hvtb_ic_transport *tp)
{
	/* A new ring starts over; the sequence numbers go on. */
	return hvtb_ic_heartbeat_init(&ic->u.hb, tp, WK_IC_HEARTBEAT_PERIOD_MS * MS,
				      ic->u.hb.seq + 1);
}

static int hb_tick(struct wk_ic *ic, uint64_t now)
{
	return hvtb_ic_heartbeat_tick(&ic->u.hb, now);
}

static void hb_stats(struct wk_ic *ic, char *buf, size_t len)
{
	snprintf(buf, len, ", last seq %llu, %llu bad answers",
		 (unsigned long long)ic->u.hb.last_seq, (unsigned long long)ic->u.hb.bad_answers);
}

/* --- shutdown ---------------------------------------------------------- */

static int sd_init(struct wk_ic *ic, const struct hvtb_ic_transport *tp)
{
	ic->sd_sent = false;	/* a request on the old ring is gone with it */
	return hvtb_ic_shutdown_init(&ic->u.sd, tp);
}

static int sd_tick(struct wk_ic *ic, uint64_t now)
{
	struct hvtb_ic_shutdown *sd = &ic->u.sd;
	int ret = hvtb_ic_shutdown_tick(sd, now, WK_IC_ANSWER_TIMEOUT_MS * MS);

	if (ret || !ic->sd_asked || ic->sd_sent || sd->ic.state != HVTB_IC_READY)
		return ret;
	ret = hvtb_ic_shutdown_request(sd, HVTB_IC_SHUTDOWN_POWEROFF, 0, 0,
				       "hvtb-worker: shutdown requested by the parent partition",
				       now);
	if (!ret)
		ic->sd_sent = true;
	return ret;
}

static void sd_stats(struct wk_ic *ic, char *buf, size_t len)
{
	const struct hvtb_ic_shutdown *sd = &ic->u.sd;

	if (!ic->sd_asked)
		snprintf(buf, len, ", no shutdown asked");
	else if (!ic->sd_sent)
		snprintf(buf, len, ", shutdown asked, not sent");
	else if (!sd->done)
		snprintf(buf, len, ", shutdown sent, no answer");
	else if (sd->result)
		snprintf(buf, len, ", shutdown refused (%s, status 0x%x)",
			 strerror(-sd->result), sd->status);
	else
		snprintf(buf, len, ", shutdown accepted");
}

/* --- time sync --------------------------------------------------------- */

static uint64_t ts_filetime(void *ctx)
{
	struct timespec t;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &t);
	return hvtb_ic_unix_to_filetime(t.tv_sec, t.tv_nsec);
}

/* The partition reference counter now (100 ns), what the guest's TSC page counts. */
static uint64_t ts_reftime(void *ctx)
{
	struct wk_ic *ic = ctx;
	struct hvtb_hv_reference_time rt = { 0 };

	if (ioctl(ic->vm->part, HVTB_PARTITION_GET_REFERENCE_TIME, &rt))
		return 0;
	return rt.time;
}

static int ts_init(struct wk_ic *ic, const struct hvtb_ic_transport *tp)
{
	struct hvtb_ic_clock clock = { ts_filetime, ts_reftime, ic };

	return hvtb_ic_timesync_init(&ic->u.ts, tp, &clock, WK_IC_TIMESYNC_PERIOD_MS * MS);
}

static int ts_tick(struct wk_ic *ic, uint64_t now)
{
	return hvtb_ic_timesync_tick(&ic->u.ts, now);
}

static void ts_stats(struct wk_ic *ic, char *buf, size_t len)
{
	snprintf(buf, len, ", %s, %llu samples",
		 ic->u.ts.synced ? "synced" : "not synced", (unsigned long long)ic->u.ts.samples);
}

/* --- KVP ---------------------------------------------------------------- */

static int kvp_init(struct wk_ic *ic, const struct hvtb_ic_transport *tp)
{
	/* A new ring (the guest reloaded hv_utils): set and read again. */
	ic->kvp_set = ic->kvp_index = 0;
	ic->kvp_done = false;
	return hvtb_ic_kvp_init(&ic->u.kvp, tp);
}

/* The answer to the last request, then the next request of the sequence. */
static int kvp_tick(struct wk_ic *ic, uint64_t now)
{
	struct hvtb_ic_kvp *kvp = &ic->u.kvp;
	const struct wk_config *cfg = &ic->vm->cfg;
	int ret = hvtb_ic_tick(&kvp->ic, now, WK_IC_ANSWER_TIMEOUT_MS * MS);

	if (ret || kvp->ic.state != HVTB_IC_READY || ic->kvp_done)
		return ret;
	if (kvp->done && kvp->op == HVTB_IC_KVP_OP_ENUMERATE) {
		if (kvp->result == -ENOENT) {	/* S_CONT: the end of the pool */
			ic->kvp_done = true;
			return 0;
		}
		/* A record the daemon fails (say, an address it has not) is skipped. */
		snprintf(ic->kvp_auto[ic->kvp_index], sizeof(ic->kvp_auto[0]), "%s=%s",
			 kvp->result ? "?" : kvp->key, kvp->result ? strerror(-kvp->result) : kvp->value);
		ic->kvp_index++;
		if (ic->kvp_nauto < ic->kvp_index)
			ic->kvp_nauto = ic->kvp_index;
	} else if (kvp->done && kvp->op == HVTB_IC_KVP_OP_SET && !kvp->result) {
		ic->kvp_sets_ok++;
	}
	kvp->done = false;
	if (ic->kvp_set < cfg->nkvp) {
		const char *kv = cfg->kvp[ic->kvp_set++];
		const char *eq = strchr(kv, '=');
		char key[HVTB_IC_KVP_KEY_UTF8_MAX + 1];

		snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
		return hvtb_ic_kvp_set(kvp, HVTB_IC_KVP_POOL_EXTERNAL, key, eq + 1, now);
	}
	if (ic->kvp_index >= WK_KVP_AUTO_MAX) {
		ic->kvp_done = true;
		return 0;
	}
	return hvtb_ic_kvp_enumerate(kvp, HVTB_IC_KVP_POOL_AUTO, ic->kvp_index, now);
}

static void kvp_stats(struct wk_ic *ic, char *buf, size_t len)
{
	snprintf(buf, len, ", %u SETs of %u keys accepted, %u guest records%s", ic->kvp_sets_ok,
		 ic->vm->cfg.nkvp, ic->kvp_nauto, ic->kvp_done ? "" : " (reading)");
}

/* The ICs the worker offers; the instance GUID's last byte is the index + 1. */
static const struct wk_ic_desc wk_ic_descs[WK_NR_ICS] = {
	[WK_IC_HEARTBEAT] = {
		.name = "heartbeat",	/* {57164f39-9115-4e78-ab55-382f3bd5422d} */
		.type = { 0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
			  0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d },
		.init = hb_init, .tick = hb_tick, .stats = hb_stats,
	},
	[WK_IC_SHUTDOWN] = {
		.name = "shutdown",	/* {0e0b6031-5213-4934-818b-38d90ced39db} */
		.type = { 0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
			  0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb },
		.init = sd_init, .tick = sd_tick, .stats = sd_stats,
	},
	[WK_IC_TIMESYNC] = {
		.name = "timesync",	/* {9527e630-d0ae-497b-adce-e80ab0175caf} */
		.type = { 0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49,
			  0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf },
		.init = ts_init, .tick = ts_tick, .stats = ts_stats,
	},
	[WK_IC_KVP] = {
		.name = "kvp",		/* {a9a0f4e7-5a45-4d96-b827-8a841e8c03e6} */
		.type = { 0xe7, 0xf4, 0xa0, 0xa9, 0x45, 0x5a, 0x96, 0x4d,
			  0xb8, 0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6 },
		.init = kvp_init, .tick = kvp_tick, .stats = kvp_stats,
	},
};

/* A fixed instance per IC: {68766274-6963-4862-8000-0000000000NN} ("hvtbicHb"). */
static void ic_instance(unsigned int i, uint8_t g[16])
{
	static const uint8_t base[16] = {
		0x74, 0x62, 0x76, 0x68, 0x63, 0x69, 0x62, 0x48,
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	memcpy(g, base, 16);
	g[15] = i + 1;
}

/* Guest answers first (all of them), then whatever the timer says is due. */
static void ic_serve(struct wk_ic *ic)
{
	struct hvtb_ic *c = &ic->u.ic;
	uint64_t timeouts;
	int ret, rounds = 0;

	do
		ret = hvtb_ic_poll(c, wk_now_ns());
	while (ret == 1 && ++rounds < 64);
	ic_note(ic, ret);
	timeouts = c->stats.timeouts;
	ic_note(ic, ic->d->tick(ic, wk_now_ns()));
	/*
	 * A request went unanswered: signal again. A signal the guest missed
	 * (say, one raised before it finished opening) would otherwise stall
	 * the ring for good: a write to a non-empty ring does not signal.
	 */
	if (c->stats.timeouts != timeouts && ic->chan.open)
		ic_note(ic, icd_chan_signal(&ic->chan));
}

static void *ic_thread(void *arg)
{
	struct wk_ic *ic = arg;
	int what, ret;

	while (!wk_vm_ended(ic->vm)) {
		what = icd_chan_next(&ic->chan, WK_IC_WAIT_MS);
		if (what < 0) {
			ic_note(ic, what);
			break;
		}
		pthread_mutex_lock(&ic->lock);
		switch (what) {
		case ICD_CHAN_OPENED:
			ret = ic->d->init(ic, &ic->chan.tp);
			ic_note(ic, ret);
			if (!ret)
				hvtb_ic_set_done(&ic->u.ic, ic_done, ic);
			ic->serving = !ret;
			break;
		case ICD_CHAN_CLOSED:
			ic->serving = false;
			break;
		case ICD_CHAN_RELEASED:
			ic->serving = false;
			pthread_mutex_unlock(&ic->lock);
			return NULL;
		default:
			break;
		}
		if (ic->serving)
			ic_serve(ic);
		pthread_mutex_unlock(&ic->lock);
	}
	return NULL;
}

int wk_ic_offer(struct wk_vm *vm)
{
	uint8_t inst[16];
	unsigned int i;
	int e;

	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = calloc(1, sizeof(*ic));

		if (!ic)
			return -ENOMEM;
		ic->vm = vm;
		ic->d = &wk_ic_descs[i];
		pthread_mutex_init(&ic->lock, NULL);
		ic_instance(i, inst);
		e = icd_chan_offer(&ic->chan, vm->part, ic->d->type, inst, WK_IC_PIPE_TYPE_MESSAGE);
		if (e) {
			pthread_mutex_destroy(&ic->lock);
			free(ic);
			return e;	/* wk_ic_free() rescinds the ones offered */
		}
		vm->ics[i] = ic;
	}
	return 0;
}

const char *wk_ic_name(unsigned int i)
{
	return i < WK_NR_ICS ? wk_ic_descs[i].name : "?";
}

int wk_ic_start(struct wk_vm *vm)
{
	unsigned int i;
	int e;

	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = vm->ics[i];

		if (!ic)
			continue;
		e = pthread_create(&ic->thread, NULL, ic_thread, ic);
		if (e)
			return -e;
		ic->running = true;
	}
	return 0;
}

int wk_ic_request_shutdown(struct wk_vm *vm)
{
	struct wk_ic *ic = vm->ics[WK_IC_SHUTDOWN];
	int r = -ENOTCONN;

	if (!ic)
		return -ENOTCONN;
	pthread_mutex_lock(&ic->lock);
	/* Negotiated (READY, or WAITING for an earlier answer): the guest listens. */
	if (ic->serving && (ic->u.ic.state == HVTB_IC_READY || ic->u.ic.state == HVTB_IC_WAITING)) {
		ic->sd_asked = true;
		r = 0;
	}
	pthread_mutex_unlock(&ic->lock);
	return r;
}

enum wk_ic_shutdown_state wk_ic_shutdown_state(struct wk_vm *vm)
{
	struct wk_ic *ic = vm->ics[WK_IC_SHUTDOWN];
	enum wk_ic_shutdown_state s = WK_IC_SD_NONE;

	if (!ic)
		return s;
	pthread_mutex_lock(&ic->lock);
	if (ic->sd_sent && ic->u.sd.done)
		s = ic->u.sd.result ? WK_IC_SD_REFUSED : WK_IC_SD_ACCEPTED;
	else if (ic->sd_asked)
		s = WK_IC_SD_ASKED;
	pthread_mutex_unlock(&ic->lock);
	return s;
}

void wk_ic_stop(struct wk_vm *vm)
{
	unsigned int i;

	/* Each thread sees the VM's end within WK_IC_WAIT_MS. */
	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = vm->ics[i];

		if (ic && ic->running)
			pthread_join(ic->thread, NULL);
		if (ic)
			ic->running = false;
	}
}

void wk_ic_print_stats(struct wk_vm *vm, FILE *out)
{
	const struct icd_chan_stats *cs;
	const struct hvtb_ic *c;
	unsigned int i;
	char extra[160];

	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = vm->ics[i];

		if (!ic)
			continue;
		pthread_mutex_lock(&ic->lock);
		c = &ic->u.ic;
		cs = icd_chan_stats(&ic->chan);
		extra[0] = 0;
		if (c->svc)
			ic->d->stats(ic, extra, sizeof(extra));
		fprintf(out, "hvtb-worker: IC %s: negotiated fw %u.%u srv %u.%u, %llu answers%s, state %s, %llu negotiations, %llu requests, %llu failed, %llu timeouts, %llu stray; channel %llu opens, %llu closes, %llu bad opens, %llu guest signals; %llu errors%s%s\n",
			ic->d->name, c->fw.major, c->fw.minor, c->msgver.major, c->msgver.minor,
			(unsigned long long)ic->answers, extra,
			c->svc ? hvtb_ic_state_name(c->state) : "never opened",
			(unsigned long long)ic->negotiated,
			(unsigned long long)c->stats.requests, (unsigned long long)c->stats.failed,
			(unsigned long long)c->stats.timeouts, (unsigned long long)c->stats.stray,
			(unsigned long long)cs->opens, (unsigned long long)cs->closes,
			(unsigned long long)cs->bad_opens, (unsigned long long)cs->signals,
			(unsigned long long)ic->errors, ic->errors ? ", last: " : "",
			ic->errors ? strerror(-ic->last_err) : "");
		if (i == WK_IC_KVP)
			for (unsigned int r = 0; r < ic->kvp_nauto; r++)
				fprintf(out, "hvtb-worker: KVP guest %s\n", ic->kvp_auto[r]);
		pthread_mutex_unlock(&ic->lock);
	}
}

void wk_ic_free(struct wk_vm *vm)
{
	unsigned int i;

	wk_ic_stop(vm);
	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = vm->ics[i];

		if (!ic)
			continue;
		icd_chan_close(&ic->chan);
		pthread_mutex_destroy(&ic->lock);
		free(ic);
		vm->ics[i] = NULL;
	}
}
