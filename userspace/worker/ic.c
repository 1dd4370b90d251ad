// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker's integration components: with VMBus on, the worker offers
 * a heartbeat IC channel and serves it in one thread with libhvtbic and
 * hvtb-icd's channel-fd adapter (userspace/ic/). The guest's hv_utils
 * binds to it; the worker negotiates, then asks for a heartbeat every
 * WK_IC_HEARTBEAT_PERIOD_MS and counts the answers (--stats).
 *
 * Nothing the guest does ends the worker: a channel the library finds
 * corrupt (BROKEN) is no longer served until the guest reopens it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ic/ic_heartbeat.h"
#include "../ic/icd_chanfd.h"
#include "worker.h"

/* Hyper-V asks every 2 s (hv_util.c says so); the period is also a request's timeout. */
#define WK_IC_HEARTBEAT_PERIOD_MS	2000u
#define WK_IC_WAIT_MS			200

/* {57164f39-9115-4e78-ab55-382f3bd5422d}, the heartbeat IC's interface type. */
static const uint8_t wk_ic_heartbeat_type[16] = {
	0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
	0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d,
};
/* A fixed instance: {68766274-6963-4862-8000-000000000001} ("hvtbicHb"). */
static const uint8_t wk_ic_heartbeat_instance[16] = {
	0x74, 0x62, 0x76, 0x68, 0x63, 0x69, 0x62, 0x48,
	0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};
/* IC channels are message-mode pipes (their packets carry a pipe header). */
#define WK_IC_PIPE_TYPE_MESSAGE		4u

struct wk_ic {
	struct wk_vm *vm;
	struct icd_chan chan;
	struct hvtb_ic_heartbeat hb;
	pthread_t thread;
	bool running;
	bool serving;		/* open and the heartbeat state set up */
	int last_err;		/* the last error of a step (not -EAGAIN) */
	uint64_t errors;
	uint64_t beats;		/* heartbeat requests answered with seq + 1 */
	uint64_t negotiated;	/* negotiations that completed */
};

static bool ic_vm_ended(struct wk_vm *vm)
{
	bool r;

	pthread_mutex_lock(&vm->lock);
	r = vm->exit_code >= 0;
	pthread_mutex_unlock(&vm->lock);
	return r;
}

static void ic_note(struct wk_ic *ic, int err)
{
	if (!err || err == -EAGAIN)
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
	if (msgtype == HVTB_ICMSG_HEARTBEAT)
		ic->beats++;
	else if (msgtype == HVTB_ICMSG_NEGOTIATE)
		ic->negotiated++;
}

/* Guest answers first (all of them), then whatever the timer says is due. */
static void ic_serve(struct wk_ic *ic)
{
	uint64_t timeouts;
	int ret, rounds = 0;

	do
		ret = hvtb_ic_poll(&ic->hb.ic, wk_now_ns());
	while (ret == 1 && ++rounds < 64);
	if (ret < 0 && ret != -EPIPE)
		ic_note(ic, ret);
	timeouts = ic->hb.ic.stats.timeouts;
	ret = hvtb_ic_heartbeat_tick(&ic->hb, wk_now_ns());
	if (ret != -EPIPE && ret != -EPROTONOSUPPORT)
		ic_note(ic, ret);
	/*
	 * A request went unanswered: signal again. A signal the guest missed
	 * (say, one raised before it finished opening) would otherwise stall
	 * the ring for good: a write to a non-empty ring does not signal.
	 */
	if (ic->hb.ic.stats.timeouts != timeouts && ic->chan.open)
		ic_note(ic, icd_chan_signal(&ic->chan));
}

static void *ic_thread(void *arg)
{
	struct wk_ic *ic = arg;
	int what, ret;

	while (!ic_vm_ended(ic->vm)) {
		what = icd_chan_next(&ic->chan, WK_IC_WAIT_MS);
		if (what < 0) {
			ic_note(ic, what);
			break;
		}
		switch (what) {
		case ICD_CHAN_OPENED:
			/* A new ring: start over (seq numbers go on). */
			ret = hvtb_ic_heartbeat_init(&ic->hb, &ic->chan.tp,
						     WK_IC_HEARTBEAT_PERIOD_MS * 1000000ull,
						     ic->hb.seq + 1);
			ic_note(ic, ret);
			if (!ret)
				hvtb_ic_set_done(&ic->hb.ic, ic_done, ic);
			ic->serving = !ret;
			break;
		case ICD_CHAN_CLOSED:
			ic->serving = false;
			break;
		case ICD_CHAN_RELEASED:
			ic->serving = false;
			return NULL;
		default:
			break;
		}
		if (ic->serving)
			ic_serve(ic);
	}
	return NULL;
}

int wk_ic_offer(struct wk_vm *vm)
{
	struct wk_ic *ic;
	int e;

	ic = calloc(1, sizeof(*ic));
	if (!ic)
		return -ENOMEM;
	ic->vm = vm;
	e = icd_chan_offer(&ic->chan, vm->part, wk_ic_heartbeat_type, wk_ic_heartbeat_instance,
			   WK_IC_PIPE_TYPE_MESSAGE);
	if (e) {
		free(ic);
		return e;
	}
	vm->ic = ic;
	return 0;
}

int wk_ic_start(struct wk_vm *vm)
{
	struct wk_ic *ic = vm->ic;
	int e;

	if (!ic)
		return 0;
	e = pthread_create(&ic->thread, NULL, ic_thread, ic);
	if (e)
		return -e;
	ic->running = true;
	return 0;
}

void wk_ic_stop(struct wk_vm *vm)
{
	struct wk_ic *ic = vm->ic;

	if (!ic)
		return;
	/* The thread sees the VM's end within WK_IC_WAIT_MS. */
	if (ic->running)
		pthread_join(ic->thread, NULL);
	ic->running = false;
}

void wk_ic_print_stats(struct wk_vm *vm)
{
	const struct icd_chan_stats *cs;
	struct wk_ic *ic = vm->ic;
	const struct hvtb_ic *c;

	if (!ic)
		return;
	c = &ic->hb.ic;
	cs = icd_chan_stats(&ic->chan);
	fprintf(stderr, "hvtb-worker: IC heartbeat: negotiated fw %u.%u srv %u.%u, %llu answers, last seq %llu, state %s, %llu negotiations, %llu requests, %llu failed, %llu timeouts, %llu stray, %llu bad answers; channel %llu opens, %llu closes, %llu bad opens, %llu guest signals; %llu errors%s%s\n",
		c->fw.major, c->fw.minor, c->msgver.major, c->msgver.minor,
		(unsigned long long)ic->beats, (unsigned long long)ic->hb.last_seq,
		c->svc ? hvtb_ic_state_name(c->state) : "never opened",
		(unsigned long long)ic->negotiated,
		(unsigned long long)c->stats.requests, (unsigned long long)c->stats.failed,
		(unsigned long long)c->stats.timeouts, (unsigned long long)c->stats.stray,
		(unsigned long long)ic->hb.bad_answers,
		(unsigned long long)cs->opens, (unsigned long long)cs->closes,
		(unsigned long long)cs->bad_opens, (unsigned long long)cs->signals,
		(unsigned long long)ic->errors, ic->errors ? ", last: " : "",
		ic->errors ? strerror(-ic->last_err) : "");
}

void wk_ic_free(struct wk_vm *vm)
{
	if (!vm->ic)
		return;
	wk_ic_stop(vm);
	icd_chan_close(&vm->ic->chan);
	free(vm->ic);
	vm->ic = NULL;
}
