// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb IC timesync (ic_timesync.h).
 */
#include <errno.h>

#include "ic_timesync.h"

const struct hvtb_ic_version hvtb_ic_timesync_versions[3] = {
	{ .major = 4, .minor = 0 },
	{ .major = 3, .minor = 0 },
	{ .major = 1, .minor = 0 },
};

uint64_t hvtb_ic_unix_to_filetime(uint64_t sec, uint32_t nsec)
{
	return HVTB_IC_FILETIME_UNIX_EPOCH + sec * 10000000ull + nsec / 100u;
}

static struct hvtb_ic_timesync *ts_of(struct hvtb_ic *ic)
{
	return hvtb_ic_container(ic, struct hvtb_ic_timesync, ic);
}

/* Linux reads ictimesync_ref_data above 3.0 (ts_srv_version > TS_VERSION_3). */
static bool ts_uses_ref(const struct hvtb_ic *ic)
{
	return ic->msgver.major > 3 || (ic->msgver.major == 3 && ic->msgver.minor > 0);
}

static int ts_on_answer(struct hvtb_ic *ic, const struct hvtb_ic_msg *m)
{
	struct hvtb_ic_timesync *ts = ts_of(ic);

	if (m->hdr.status != HVTB_IC_S_OK)
		return -EREMOTEIO;
	if (ts->flags == HVTB_IC_TIMESYNC_FLAG_SYNC)
		ts->synced = true;
	ts->samples++;
	return 0;
}

const struct hvtb_ic_service hvtb_ic_timesync_service = {
	.name = "timesync",
	.msgtype = HVTB_ICMSG_TIMESYNC,
	.versions = hvtb_ic_timesync_versions,
	.nversions = 3,
	.on_answer = ts_on_answer,
};

int hvtb_ic_timesync_init(struct hvtb_ic_timesync *ts, const struct hvtb_ic_transport *tp,
			  const struct hvtb_ic_clock *clock, uint64_t period_ns)
{
	if (!ts || !clock || !clock->filetime || !period_ns)
		return -EINVAL;
	ts->clock = *clock;
	ts->period_ns = period_ns;
	ts->next_due_ns = 0;
	ts->synced = false;
	ts->flags = 0;
	ts->parenttime = 0;
	ts->reftime = 0;
	ts->samples = 0;
	return hvtb_ic_init(&ts->ic, &hvtb_ic_timesync_service, tp);
}

int hvtb_ic_timesync_send(struct hvtb_ic_timesync *ts, uint8_t flags, uint64_t now_ns)
{
	uint8_t body[HVTB_IC_TIMESYNC_BODY] = { 0 };
	uint64_t parent, ref = 0;
	uint32_t len;
	int ret;

	if (!ts || (flags != HVTB_IC_TIMESYNC_FLAG_SYNC && flags != HVTB_IC_TIMESYNC_FLAG_SAMPLE))
		return -EINVAL;
	ret = hvtb_ic_can_request(&ts->ic);
	if (ret)
		return ret;
	if (ts_uses_ref(&ts->ic)) {
		if (!ts->clock.reftime)
			return -EINVAL;
		/* The reference time first: the guest adds what passed since. */
		ref = ts->clock.reftime(ts->clock.ctx);
		parent = ts->clock.filetime(ts->clock.ctx);
		hvtb_ic_put64(body, parent);
		hvtb_ic_put64(body + 8, ref);
		body[16] = flags;
		len = HVTB_IC_TIMESYNC_REF_BODY;
	} else {
		parent = ts->clock.filetime(ts->clock.ctx);
		hvtb_ic_put64(body, parent);
		body[24] = flags;
		len = HVTB_IC_TIMESYNC_BODY;
	}
	/* Before sending: a request queued with a failed signal still gets its answer. */
	ts->flags = flags;
	ts->parenttime = parent;
	ts->reftime = ref;
	ts->next_due_ns = now_ns + ts->period_ns;
	return hvtb_ic_request(&ts->ic, body, len, now_ns);
}

int hvtb_ic_timesync_tick(struct hvtb_ic_timesync *ts, uint64_t now_ns)
{
	int ret = hvtb_ic_tick(&ts->ic, now_ns, ts->period_ns);

	if (ts->ic.state == HVTB_IC_NEGOTIATING)
		ts->synced = false;	/* a new negotiation syncs again */
	if (ret || ts->ic.state != HVTB_IC_READY)
		return ret;
	if (!ts->synced)
		return hvtb_ic_timesync_send(ts, HVTB_IC_TIMESYNC_FLAG_SYNC, now_ns);
	if (now_ns < ts->next_due_ns)
		return 0;
	return hvtb_ic_timesync_send(ts, HVTB_IC_TIMESYNC_FLAG_SAMPLE, now_ns);
}
