// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-icd - the integration-component daemon: serves one IC channel
 * (heartbeat, shutdown, timesync or KVP) of a partition's guest.
 *
 *   hvtb-icd --ic heartbeat|timesync|shutdown|kvp --channel NAME
 *            [--period-ms N] [--shutdown poweroff|reboot|hibernate]
 *            [--kvp-set KEY=VALUE]
 *
 * The IC logic is libhvtbic (ic_*.h); the binding to the kernel's VMBus
 * channel fd is icd_chanfd.c. How the daemon gets its channel fd (from the
 * worker that offered it) is not defined yet: until it is, hvtb-icd says
 * so and exits 69 (EX_UNAVAILABLE) without serving anything. The worker
 * serves the heartbeat IC itself (userspace/worker/ic.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ic_heartbeat.h"
#include "ic_kvp.h"
#include "ic_shutdown.h"
#include "ic_timesync.h"
#include "icd_chanfd.h"

#define ICD_EX_UNAVAILABLE	69
#define ICD_DEFAULT_PERIOD_MS	5000u

static const char icd_no_chanfd[] =
	"hvtb-icd: no way to receive a channel fd yet: the worker cannot hand a daemon its VMBus channel (the worker serves the heartbeat IC itself); nothing to serve\n";

enum icd_kind { ICD_HEARTBEAT, ICD_TIMESYNC, ICD_SHUTDOWN, ICD_KVP };

struct icd_opts {
	enum icd_kind kind;
	const char *channel;
	uint64_t period_ns;
	int shutdown_flags;	/* -1: none */
	char *kvp_key, *kvp_value;
};

static uint64_t icd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t icd_filetime(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return hvtb_ic_unix_to_filetime((uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec);
}

static void icd_usage(FILE *f)
{
	fprintf(f, "usage: hvtb-icd --ic heartbeat|timesync|shutdown|kvp --channel NAME\n"
		   "                [--period-ms N] [--shutdown poweroff|reboot|hibernate]\n"
		   "                [--kvp-set KEY=VALUE]\n");
}

static int icd_parse(int argc, char **argv, struct icd_opts *o)
{
	static const struct option longopts[] = {
		{ "ic", required_argument, NULL, 'i' },
		{ "channel", required_argument, NULL, 'c' },
		{ "period-ms", required_argument, NULL, 'p' },
		{ "shutdown", required_argument, NULL, 's' },
		{ "kvp-set", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const kinds[] = { "heartbeat", "timesync", "shutdown", "kvp" };
	bool have_kind = false;
	unsigned long ms;
	char *end;
	int c, i;

	o->period_ns = ICD_DEFAULT_PERIOD_MS * 1000000ull;
	o->shutdown_flags = -1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			for (i = 0; i < 4; i++)
				if (!strcmp(optarg, kinds[i]))
					break;
			if (i == 4)
				goto bad;
			o->kind = (enum icd_kind)i;
			have_kind = true;
			break;
		case 'c':
			o->channel = optarg;
			break;
		case 'p':
			errno = 0;
			ms = strtoul(optarg, &end, 10);
			if (errno || *end || !ms)
				goto bad;
			o->period_ns = (uint64_t)ms * 1000000ull;
			break;
		case 's':
			if (!strcmp(optarg, "poweroff"))
				o->shutdown_flags = HVTB_IC_SHUTDOWN_POWEROFF;
			else if (!strcmp(optarg, "reboot"))
				o->shutdown_flags = HVTB_IC_SHUTDOWN_REBOOT;
			else if (!strcmp(optarg, "hibernate"))
				o->shutdown_flags = HVTB_IC_SHUTDOWN_HIBERNATE;
			else
				goto bad;
			break;
		case 'k':
			end = strchr(optarg, '=');
			if (!end || end == optarg)
				goto bad;
			*end = '\0';
			o->kvp_key = optarg;
			o->kvp_value = end + 1;
			break;
		case 'h':
			icd_usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (!have_kind || !o->channel || optind != argc)
		goto bad;
	return 0;

bad:
	icd_usage(stderr);
	return -EINVAL;
}

/* One IC per process; the state machines live here. */
union icd_ic {
	struct hvtb_ic_heartbeat hb;
	struct hvtb_ic_timesync ts;
	struct hvtb_ic_shutdown sd;
	struct hvtb_ic_kvp kvp;
};

static int icd_setup(union icd_ic *u, const struct icd_opts *o, const struct icd_chan *c)
{
	/* TODO(channel fd): the partition's reference counter for timesync 4.0. */
	static const struct hvtb_ic_clock clock = { .filetime = icd_filetime };
	int ret;

	switch (o->kind) {
	case ICD_HEARTBEAT:
		return hvtb_ic_heartbeat_init(&u->hb, &c->tp, o->period_ns, 1);
	case ICD_TIMESYNC:
		ret = hvtb_ic_timesync_init(&u->ts, &c->tp, &clock, o->period_ns);
		if (ret)
			return ret;
		/* Without a reference time, only the versions that do not carry it: 3.0, 1.0. */
		return hvtb_ic_set_versions(&u->ts.ic, hvtb_ic_fw_versions, 2,
					    &hvtb_ic_timesync_versions[1], 2);
	case ICD_SHUTDOWN:
		return hvtb_ic_shutdown_init(&u->sd, &c->tp);
	case ICD_KVP:
		return hvtb_ic_kvp_init(&u->kvp, &c->tp);
	}
	return -EINVAL;
}

/* The host actions due now. */
static int icd_tick(union icd_ic *u, const struct icd_opts *o, bool *sent, uint64_t now)
{
	struct hvtb_ic *ic = &u->hb.ic;	/* the first member of each */
	int ret;

	switch (o->kind) {
	case ICD_HEARTBEAT:
		return hvtb_ic_heartbeat_tick(&u->hb, now);
	case ICD_TIMESYNC:
		return hvtb_ic_timesync_tick(&u->ts, now);
	default:
		break;
	}
	hvtb_ic_timeout(ic, now, o->period_ns * 6);
	if (ic->state == HVTB_IC_CLOSED)
		return hvtb_ic_start(ic, now);
	if (ic->state != HVTB_IC_READY || *sent)
		return 0;
	if (o->kind == ICD_SHUTDOWN && o->shutdown_flags >= 0)
		ret = hvtb_ic_shutdown_request(&u->sd, (uint32_t)o->shutdown_flags, 0, 0,
					       NULL, now);
	else if (o->kind == ICD_KVP && o->kvp_key)
		ret = hvtb_ic_kvp_set(&u->kvp, HVTB_IC_KVP_POOL_EXTERNAL, o->kvp_key,
				      o->kvp_value, now);
	else
		return 0;
	if (!ret)
		*sent = true;
	return ret;
}

static int icd_serve(union icd_ic *u, const struct icd_opts *o, struct icd_chan *c)
{
	struct hvtb_ic *ic = &u->hb.ic;
	bool sent = false;
	int ret;

	for (;;) {
		ret = icd_tick(u, o, &sent, icd_now_ns());
		if (ret && ret != -EAGAIN)
			break;
		ret = icd_chan_wait(c, 1000);
		if (ret < 0)
			break;
		ret = hvtb_ic_poll(ic, icd_now_ns());
		if (ret < 0)
			break;
	}
	fprintf(stderr, "hvtb-icd: %s: %s (%s)\n", ic->svc->name, strerror(-ret),
		hvtb_ic_state_name(ic->state));
	return ret;
}

int main(int argc, char **argv)
{
	static union icd_ic u;
	struct icd_opts o = { 0 };
	struct icd_chan c;
	int ret;

	if (icd_parse(argc, argv, &o))
		return 2;
	ret = icd_chan_open(&c, o.channel);
	if (ret == -EOPNOTSUPP) {
		fputs(icd_no_chanfd, stderr);
		return ICD_EX_UNAVAILABLE;
	}
	if (ret) {
		fprintf(stderr, "hvtb-icd: channel %s: %s\n", o.channel, strerror(-ret));
		return 1;
	}
	ret = icd_setup(&u, &o, &c);
	if (ret) {
		fprintf(stderr, "hvtb-icd: setting up the IC: %s\n", strerror(-ret));
		goto out_close;
	}
	ret = icd_serve(&u, &o, &c);

out_close:
	icd_chan_close(&c);
	return ret ? 1 : 0;
}
