// SPDX-License-Identifier: GPL-2.0
/*
 * One integration component over one channel fd (ic_server.h): the
 * per-IC host actions and the loop that serves a channel's records and
 * the guest's answers. Used by hvtb-worker's IC threads and by hvtb-icd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ic_server.h"

/* One kind of IC: its channel's identity and what serving it means. */
struct ic_desc {
	const char *name;
	uint8_t type[16];		/* interface type GUID (guid_t bytes) */
	/* A channel was opened (a new ring): set the IC up over @tp. */
	int (*init)(struct ic_server *ic, const struct hvtb_ic_transport *tp);
	/* The periodic host action (negotiate, requests, timeouts). */
	int (*tick)(struct ic_server *ic, uint64_t now);
	void (*stats)(struct ic_server *ic, char *buf, size_t len);
};

static uint64_t ic_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void ic_note(struct ic_server *ic, int err)
{
	if (!err || err == -EAGAIN || err == -EPIPE || err == -EPROTONOSUPPORT)
		return;
	ic->last_err = err;
	ic->errors++;
}

static void ic_done(struct hvtb_ic *c, uint16_t msgtype, int err, void *arg)
{
	struct ic_server *ic = arg;

	(void)c;
	if (err)
		return;
	if (msgtype == HVTB_ICMSG_NEGOTIATE)
		ic->negotiated++;
	else
		ic->answers++;
}

/* --- heartbeat --------------------------------------------------------- */

static int hb_init(struct ic_server *ic, const struct hvtb_ic_transport *tp)
{
	/* A new ring starts over; the sequence numbers go on. */
	return hvtb_ic_heartbeat_init(&ic->u.hb, tp, ic->cfg->heartbeat_period_ns,
				      ic->u.hb.seq + 1);
}

static int hb_tick(struct ic_server *ic, uint64_t now)
{
	return hvtb_ic_heartbeat_tick(&ic->u.hb, now);
}

static void hb_stats(struct ic_server *ic, char *buf, size_t len)
{
	snprintf(buf, len, ", last seq %llu, %llu bad answers",
		 (unsigned long long)ic->u.hb.last_seq, (unsigned long long)ic->u.hb.bad_answers);
}

/* --- shutdown ---------------------------------------------------------- */

static int sd_init(struct ic_server *ic, const struct hvtb_ic_transport *tp)
{
	ic->sd_sent = false;	/* a request on the old ring is gone with it */
	return hvtb_ic_shutdown_init(&ic->u.sd, tp);
}

static int sd_tick(struct ic_server *ic, uint64_t now)
{
	struct hvtb_ic_shutdown *sd = &ic->u.sd;
	int ret = hvtb_ic_shutdown_tick(sd, now, ic->cfg->answer_timeout_ns);

	if (ret || !ic->sd_asked || ic->sd_sent || sd->ic.state != HVTB_IC_READY)
		return ret;
	ret = hvtb_ic_shutdown_request(sd, HVTB_IC_SHUTDOWN_POWEROFF, 0, 0,
				       ic->cfg->shutdown_reason,
				       now);
	if (!ret)
		ic->sd_sent = true;
	return ret;
}

static void sd_stats(struct ic_server *ic, char *buf, size_t len)
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

static int ts_init(struct ic_server *ic, const struct hvtb_ic_transport *tp)
{
	struct hvtb_ic_clock clock = { ts_filetime, ic->cfg->reftime, ic->cfg->reftime_ctx };
	int ret = hvtb_ic_timesync_init(&ic->u.ts, tp, &clock, ic->cfg->timesync_period_ns);

	/* Without a reference time, only the versions that do not carry it: 3.0, 1.0. */
	if (!ret && !ic->cfg->reftime)
		ret = hvtb_ic_set_versions(&ic->u.ts.ic, hvtb_ic_fw_versions, 2,
					   &hvtb_ic_timesync_versions[1], 2);
	return ret;
}

static int ts_tick(struct ic_server *ic, uint64_t now)
{
	return hvtb_ic_timesync_tick(&ic->u.ts, now);
}

static void ts_stats(struct ic_server *ic, char *buf, size_t len)
{
	snprintf(buf, len, ", %s, %llu samples",
		 ic->u.ts.synced ? "synced" : "not synced", (unsigned long long)ic->u.ts.samples);
}

/* --- KVP ---------------------------------------------------------------- */

static int kvp_init(struct ic_server *ic, const struct hvtb_ic_transport *tp)
{
	/* A new ring (the guest reloaded hv_utils): set and read again. */
	ic->kvp_set = ic->kvp_index = ic->kvp_rt_sent = 0;
	ic->kvp_done = false;
	return hvtb_ic_kvp_init(&ic->u.kvp, tp);
}

/* KEY=VALUE as a SET into the guest's EXTERNAL pool. */
static int kvp_set_pair(struct hvtb_ic_kvp *kvp, const char *kv, uint64_t now)
{
	const char *eq = strchr(kv, '=');
	char key[HVTB_IC_KVP_KEY_UTF8_MAX + 1];

	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	return hvtb_ic_kvp_set(kvp, HVTB_IC_KVP_POOL_EXTERNAL, key, eq + 1, now);
}

/*
 * The answer to the last request, then the next request of the sequence:
 * the configured SETs, the SETs asked for since (ic_server_kvp_set()),
 * then the AUTO pool record by record.
 */
static int kvp_tick(struct ic_server *ic, uint64_t now)
{
	struct hvtb_ic_kvp *kvp = &ic->u.kvp;
	const struct ic_server_cfg *cfg = ic->cfg;
	int ret = hvtb_ic_tick(&kvp->ic, now, ic->cfg->answer_timeout_ns);

	if (ret || kvp->ic.state != HVTB_IC_READY)
		return ret;
	if (kvp->done) {
		kvp->done = false;
		if (kvp->op == HVTB_IC_KVP_OP_ENUMERATE && kvp->result == -ENOENT) {
			ic->kvp_done = true;	/* S_CONT: the end of the pool */
		} else if (kvp->op == HVTB_IC_KVP_OP_ENUMERATE) {
			/* A record the daemon fails (say, an address it has not) is skipped. */
			snprintf(ic->kvp_auto[ic->kvp_index], sizeof(ic->kvp_auto[0]), "%s=%s",
				 kvp->result ? "?" : kvp->key,
				 kvp->result ? strerror(-kvp->result) : kvp->value);
			ic->kvp_index++;
			if (ic->kvp_nauto < ic->kvp_index)
				ic->kvp_nauto = ic->kvp_index;
		} else if (kvp->op == HVTB_IC_KVP_OP_SET && !kvp->result) {
			ic->kvp_sets_ok++;
		}
	}
	if (ic->kvp_set < cfg->nkvp)
		return kvp_set_pair(kvp, cfg->kvp[ic->kvp_set++], now);
	if (ic->kvp_rt_sent < ic->kvp_rt_n)
		return kvp_set_pair(kvp, ic->kvp_rt[ic->kvp_rt_sent++], now);
	if (ic->kvp_done)
		return 0;
	if (ic->kvp_index >= IC_KVP_AUTO_MAX) {
		ic->kvp_done = true;
		return 0;
	}
	return hvtb_ic_kvp_enumerate(kvp, HVTB_IC_KVP_POOL_AUTO, ic->kvp_index, now);
}

static void kvp_stats(struct ic_server *ic, char *buf, size_t len)
{
	snprintf(buf, len, ", %u SETs of %u keys accepted, %u guest records%s", ic->kvp_sets_ok,
		 ic->cfg->nkvp + ic->kvp_rt_n, ic->kvp_nauto, ic->kvp_done ? "" : " (reading)");
}

/* The ICs; the instance GUID's last byte is the kind + 1. */
static const struct ic_desc ic_descs[IC_NR_KINDS] = {
	[IC_HEARTBEAT] = {
		.name = "heartbeat",	/* {57164f39-9115-4e78-ab55-382f3bd5422d} */
		.type = { 0x39, 0x4f, 0x16, 0x57, 0x15, 0x91, 0x78, 0x4e,
			  0xab, 0x55, 0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d },
		.init = hb_init, .tick = hb_tick, .stats = hb_stats,
	},
	[IC_SHUTDOWN] = {
		.name = "shutdown",	/* {0e0b6031-5213-4934-818b-38d90ced39db} */
		.type = { 0x31, 0x60, 0x0b, 0x0e, 0x13, 0x52, 0x34, 0x49,
			  0x81, 0x8b, 0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb },
		.init = sd_init, .tick = sd_tick, .stats = sd_stats,
	},
	[IC_TIMESYNC] = {
		.name = "timesync",	/* {9527e630-d0ae-497b-adce-e80ab0175caf} */
		.type = { 0x30, 0xe6, 0x27, 0x95, 0xae, 0xd0, 0x7b, 0x49,
			  0xad, 0xce, 0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf },
		.init = ts_init, .tick = ts_tick, .stats = ts_stats,
	},
	[IC_KVP] = {
		.name = "kvp",		/* {a9a0f4e7-5a45-4d96-b827-8a841e8c03e6} */
		.type = { 0xe7, 0xf4, 0xa0, 0xa9, 0x45, 0x5a, 0x96, 0x4d,
			  0xb8, 0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6 },
		.init = kvp_init, .tick = kvp_tick, .stats = kvp_stats,
	},
};

/* Guest answers first (all of them), then whatever the timer says is due. */
static void ic_serve(struct ic_server *ic)
{
	struct hvtb_ic *c = &ic->u.ic;
	uint64_t timeouts;
	int ret, rounds = 0;

	do
		ret = hvtb_ic_poll(c, ic_now_ns());
	while (ret == 1 && ++rounds < 64);
	ic_note(ic, ret);
	timeouts = c->stats.timeouts;
	ic_note(ic, ic_descs[ic->kind].tick(ic, ic_now_ns()));
	/*
	 * A request went unanswered: signal again. A signal the guest missed
	 * (say, one raised before it finished opening) would otherwise stall
	 * the ring for good: a write to a non-empty ring does not signal.
	 */
	if (c->stats.timeouts != timeouts && ic->chan.open)
		ic_note(ic, icd_chan_signal(&ic->chan));
}


const char *ic_kind_name(unsigned int kind)
{
	return kind < IC_NR_KINDS ? ic_descs[kind].name : "?";
}

int ic_kind_parse(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < IC_NR_KINDS; i++)
		if (!strcmp(name, ic_descs[i].name))
			return (int)i;
	return -EINVAL;
}

const uint8_t *ic_kind_type(enum ic_kind kind)
{
	return ic_descs[kind].type;
}

void ic_kind_instance(enum ic_kind kind, uint8_t g[16])
{
	/* "hvtbicHb" then 0x80, zeros and the kind + 1. */
	static const uint8_t base[16] = {
		0x74, 0x62, 0x76, 0x68, 0x63, 0x69, 0x62, 0x48,
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	memcpy(g, base, 16);
	g[15] = (uint8_t)(kind + 1);
}

void ic_server_init(struct ic_server *s, enum ic_kind kind, const struct ic_server_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->cfg = cfg;
	s->chan.fd = s->chan.guest_evfd = s->chan.aux_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
}

int ic_server_offer(struct ic_server *s, int partfd)
{
	uint8_t inst[16];

	ic_kind_instance(s->kind, inst);
	return icd_chan_offer(&s->chan, partfd, ic_descs[s->kind].type, inst,
			      IC_PIPE_TYPE_MESSAGE);
}

int ic_server_step(struct ic_server *ic, int timeout_ms)
{
	int what, ret;

	what = icd_chan_next(&ic->chan, timeout_ms);
	if (what < 0) {
		ic_note(ic, what);
		return what;
	}
	pthread_mutex_lock(&ic->lock);
	switch (what) {
	case ICD_CHAN_OPENED:
		ret = ic_descs[ic->kind].init(ic, &ic->chan.tp);
		ic_note(ic, ret);
		if (!ret)
			hvtb_ic_set_done(&ic->u.ic, ic_done, ic);
		ic->serving = !ret;
		break;
	case ICD_CHAN_CLOSED:
	case ICD_CHAN_RELEASED:
		ic->serving = false;
		break;
	default:
		break;
	}
	if (ic->serving)
		ic_serve(ic);
	pthread_mutex_unlock(&ic->lock);
	return what;
}

int ic_server_request_shutdown(struct ic_server *ic)
{
	int r = -ENOTCONN;

	if (ic->kind != IC_SHUTDOWN)
		return -EINVAL;
	pthread_mutex_lock(&ic->lock);
	/* Negotiated (READY, or WAITING for an earlier answer): the guest listens. */
	if (ic->serving && (ic->u.ic.state == HVTB_IC_READY || ic->u.ic.state == HVTB_IC_WAITING)) {
		ic->sd_asked = true;
		r = 0;
	}
	pthread_mutex_unlock(&ic->lock);
	return r;
}

enum ic_shutdown_state ic_server_shutdown_state(struct ic_server *ic)
{
	enum ic_shutdown_state st = IC_SD_NONE;

	pthread_mutex_lock(&ic->lock);
	if (ic->sd_sent && ic->u.sd.done)
		st = ic->u.sd.result ? IC_SD_REFUSED : IC_SD_ACCEPTED;
	else if (ic->sd_asked)
		st = IC_SD_ASKED;
	pthread_mutex_unlock(&ic->lock);
	return st;
}

int ic_server_kvp_set(struct ic_server *ic, const char *kv)
{
	const char *eq = kv ? strchr(kv, '=') : NULL;
	char *copy;
	int r = 0;

	if (ic->kind != IC_KVP)
		return -EINVAL;
	if (!eq || eq == kv || eq - kv > HVTB_IC_KVP_KEY_UTF8_MAX ||
	    strlen(eq + 1) > HVTB_IC_KVP_VALUE_UTF8_MAX)
		return -EINVAL;
	copy = strdup(kv);
	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&ic->lock);
	if (ic->kvp_rt_n == IC_KVP_RT_MAX)
		r = -ENOSPC;
	else
		ic->kvp_rt[ic->kvp_rt_n++] = copy;
	pthread_mutex_unlock(&ic->lock);
	if (r)
		free(copy);
	return r;
}

void ic_server_print(struct ic_server *ic, FILE *out, const char *who)
{
	const struct icd_chan_stats *cs;
	const struct hvtb_ic *c;
	char extra[160], rings[160];
	unsigned int r;

	pthread_mutex_lock(&ic->lock);
	icd_chan_ring_stats(&ic->chan, rings, sizeof(rings));
	c = &ic->u.ic;
	cs = icd_chan_stats(&ic->chan);
	extra[0] = 0;
	if (c->svc)
		ic_descs[ic->kind].stats(ic, extra, sizeof(extra));
	fprintf(out, "%s: IC %s: negotiated fw %u.%u srv %u.%u, %llu answers%s, state %s, %llu negotiations, %llu requests, %llu failed, %llu timeouts, %llu stray; channel %llu opens, %llu closes, %llu bad opens, %llu guest signals, %s; %llu errors%s%s\n",
		who, ic_descs[ic->kind].name, c->fw.major, c->fw.minor, c->msgver.major,
		c->msgver.minor, (unsigned long long)ic->answers, extra,
		c->svc ? hvtb_ic_state_name(c->state) : "never opened",
		(unsigned long long)ic->negotiated,
		(unsigned long long)c->stats.requests, (unsigned long long)c->stats.failed,
		(unsigned long long)c->stats.timeouts, (unsigned long long)c->stats.stray,
		(unsigned long long)cs->opens, (unsigned long long)cs->closes,
		(unsigned long long)cs->bad_opens, (unsigned long long)cs->signals, rings,
		(unsigned long long)ic->errors, ic->errors ? ", last: " : "",
		ic->errors ? strerror(-ic->last_err) : "");
	if (ic->kind == IC_KVP)
		for (r = 0; r < ic->kvp_nauto; r++)
			fprintf(out, "%s: KVP guest %s\n", who, ic->kvp_auto[r]);
	pthread_mutex_unlock(&ic->lock);
}

void ic_server_destroy(struct ic_server *s)
{
	unsigned int i;

	for (i = 0; i < s->kvp_rt_n; i++)
		free(s->kvp_rt[i]);
	icd_chan_close(&s->chan);
	pthread_mutex_destroy(&s->lock);
}
