// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-icd - the integration-component daemon: serves one IC channel
 * (heartbeat, shutdown, timesync or KVP) of a partition's guest, in a
 * process of its own.
 *
 *   hvtb-icd --ic heartbeat|shutdown|timesync|kvp --channel-fd N
 *            [--kvp-set KEY=VALUE]... [--period-ms N] [--parent PID]
 *
 * hvtb-worker --ic-daemon NAME offers the channel and starts hvtb-icd with
 * the channel fd as fd 3; the daemon serves it with the same IC server as
 * the worker's threads (ic_server.h). The fd is all it holds: it reaches
 * that channel's rings and nothing else of the partition. It ends when the
 * channel is released, on SIGTERM/SIGINT, or when its parent (the worker)
 * dies; closing the fd rescinds the channel. SIGUSR1 asks a shutdown IC's
 * guest to power off. Its counters go to stderr at the end, as the
 * worker's --stats lines ("hvtb-icd: IC NAME: ...").
 *
 * Timesync here offers versions 3.0 and 1.0 only: 4.0 carries the
 * partition's reference time, which needs the partition fd.
 *
 * Exit: 0 the channel was released or a signal ended it; 1 the channel fd
 * failed; 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ic_server.h"

#define ICD_KVP_MAX		16
#define MS			1000000ull

static void icd_usage(FILE *f)
{
	fprintf(f, "usage: hvtb-icd --ic heartbeat|shutdown|timesync|kvp --channel-fd N\n"
		   "                [--kvp-set KEY=VALUE]... [--period-ms N] [--parent PID]\n");
}

struct icd_opts {
	int kind;
	int fd;
	const char *kvp[ICD_KVP_MAX];
	unsigned int nkvp;
	unsigned long period_ms;
	long parent;		/* --parent: gone already at start: end at once */
};

static int icd_parse(int argc, char **argv, struct icd_opts *o)
{
	static const struct option longopts[] = {
		{ "ic", required_argument, NULL, 'i' },
		{ "channel-fd", required_argument, NULL, 'c' },
		{ "period-ms", required_argument, NULL, 'p' },
		{ "kvp-set", required_argument, NULL, 'k' },
		{ "parent", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int c;

	o->kind = -1;
	o->fd = -1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->kind = ic_kind_parse(optarg);
			if (o->kind < 0) {
				fprintf(stderr, "hvtb-icd: --ic %s: not an IC\n", optarg);
				return -EINVAL;
			}
			break;
		case 'c':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || v > 65535) {
				fprintf(stderr, "hvtb-icd: --channel-fd %s: not an fd number\n", optarg);
				return -EINVAL;
			}
			o->fd = (int)v;
			break;
		case 'p':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v || v > 3600000) {
				fprintf(stderr, "hvtb-icd: --period-ms %s: 1..3600000\n", optarg);
				return -EINVAL;
			}
			o->period_ms = v;
			break;
		case 'P':
			errno = 0;
			o->parent = strtol(optarg, &end, 10);
			if (errno || *end || o->parent < 1) {
				fprintf(stderr, "hvtb-icd: --parent %s: not a pid\n", optarg);
				return -EINVAL;
			}
			break;
		case 'k':
			end = strchr(optarg, '=');
			if (!end || end == optarg || end - optarg > HVTB_IC_KVP_KEY_UTF8_MAX ||
			    strlen(end + 1) > HVTB_IC_KVP_VALUE_UTF8_MAX) {
				fprintf(stderr, "hvtb-icd: --kvp-set %s: KEY=VALUE (key 1..%d bytes, value up to %d)\n",
					optarg, HVTB_IC_KVP_KEY_UTF8_MAX, HVTB_IC_KVP_VALUE_UTF8_MAX);
				return -EINVAL;
			}
			if (o->nkvp == ICD_KVP_MAX) {
				fprintf(stderr, "hvtb-icd: at most %d --kvp-set\n", ICD_KVP_MAX);
				return -EINVAL;
			}
			o->kvp[o->nkvp++] = optarg;
			break;
		case 'h':
			icd_usage(stdout);
			exit(0);
		default:
			icd_usage(stderr);
			return -EINVAL;
		}
	}
	if (o->kind < 0 || o->fd < 0 || optind != argc) {
		icd_usage(stderr);
		return -EINVAL;
	}
	if (o->nkvp && o->kind != IC_KVP) {
		fprintf(stderr, "hvtb-icd: --kvp-set is for --ic kvp\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct ic_server s;
	struct ic_server_cfg cfg = {
		.heartbeat_period_ns = 2000 * MS,
		.timesync_period_ns = 5000 * MS,
		.answer_timeout_ns = 5000 * MS,
		.shutdown_reason = "hvtb-icd: shutdown requested by the parent partition",
	};
	struct icd_opts o = { 0 };
	struct signalfd_siginfo si;
	bool stop = false;
	int ret, what, sfd;
	sigset_t set;

	if (icd_parse(argc, argv, &o))
		return 2;
	/* The worker's death ends the daemon: its fd must not keep the partition. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* A parent that died before the line above sends no signal: look. */
	if (o.parent && getppid() != o.parent) {
		fprintf(stderr, "hvtb-icd: the parent %ld is gone: nothing to serve\n", o.parent);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	/* SIGTERM, SIGINT, SIGUSR1 through a signalfd: the channel's wait wakes for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, "hvtb-icd: signalfd: %s\n", strerror(errno));
		return 1;
	}
	if (o.period_ms)
		cfg.heartbeat_period_ns = cfg.timesync_period_ns = o.period_ms * MS;
	cfg.kvp = o.kvp;
	cfg.nkvp = o.nkvp;

	ic_server_init(&s, (enum ic_kind)o.kind, &cfg);
	ret = icd_chan_adopt(&s.chan, o.fd);
	if (ret) {
		fprintf(stderr, "hvtb-icd: channel fd %d: %s\n", o.fd,
			ret == -ENOTTY ? "not a VMBus channel fd" : strerror(-ret));
		return 1;
	}
	fprintf(stderr, "hvtb-icd: pid %d serving IC %s on channel fd %d\n", (int)getpid(),
		ic_kind_name(o.kind), o.fd);
	icd_chan_set_aux(&s.chan, sfd);
	what = 0;
	while (!stop) {
		what = ic_server_step(&s, 200);
		if (what < 0 || what == ICD_CHAN_RELEASED)
			break;
		while (what == ICD_CHAN_AUX && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGUSR1)
				stop = true;
			else if (ic_server_request_shutdown(&s))
				fprintf(stderr, "hvtb-icd: SIGUSR1: the guest has not negotiated the shutdown IC\n");
		}
	}
	ic_server_print(&s, stderr, "hvtb-icd");
	fprintf(stderr, "hvtb-icd: IC %s: %s\n", ic_kind_name(o.kind),
		what < 0 ? strerror(-what) : what == ICD_CHAN_RELEASED ? "channel released" :
		"stopped by a signal");
	ic_server_destroy(&s);
	close(sfd);
	return what < 0 ? 1 : 0;
}
