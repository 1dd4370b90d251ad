// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker's integration components. With VMBus on, the worker offers
 * one channel per IC (heartbeat, shutdown, time sync, KVP; the IC server
 * of userspace/ic/ic_server.h serves each) and the guest's hv_utils binds
 * to them. An IC is served either
 *   - by a thread of the worker (the default), or
 *   - with --ic-daemon NAME, by an hvtb-icd process: the worker offers the
 *     channel, starts the daemon with the channel fd as its fd 3 and keeps
 *     a second reference to the fd, for the channel's counters and to
 *     rescind it. When the daemon ends (killed, crashed), the worker
 *     rescinds the channel (the guest's driver unbinds), waits for the
 *     guest's RELID_RELEASED (the fd hangs up: Linux ignores an offer of
 *     the same GUIDs while the old channel is still on its list), offers it
 *     again and starts a new daemon: the guest binds the hot-added channel.
 *     At most
 *     WK_ICD_RESTARTS restarts within WK_ICD_WINDOW_S; then it stays off.
 *     The shutdown IC always runs in the worker (SIGTERM drives it).
 *
 * Locking: each IC server has its own lock (ic_server.h); the daemon
 * fields belong to the main thread (wk_ic_start/_supervise/_stop) and the
 * control thread reads them for `hvtbctl devices` (a snapshot).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/hvtb.h>
#include <linux/hvtb_hv.h>

#include "../ic/ic_server.h"
#include "vmbus.h"
#include "worker.h"

#define MS			1000000ull
#define WK_IC_WAIT_MS		200
/* Daemon restarts allowed within a window; more: the IC stays off. */
#define WK_ICD_RESTARTS		5
#define WK_ICD_WINDOW_S		60
/* How long a daemon has to end after SIGTERM before SIGKILL. */
#define WK_ICD_STOP_MS		2000

extern char **environ;

enum icd_state {
	ICD_NONE,	/* the IC is a thread of the worker */
	ICD_RUNNING,	/* a daemon serves the channel */
	ICD_RELEASING,	/* the daemon ended, its channel rescinded: the guest releases it */
	ICD_REOFFER,	/* released: offer again, start a daemon */
	ICD_GAVE_UP,	/* too many restarts */
};

struct wk_ic {
	struct wk_vm *vm;
	struct ic_server srv;
	pthread_t thread;
	bool running;
	/* --ic-daemon */
	enum icd_state state;
	pid_t pid;
	int fd;			/* the worker's reference to the daemon's channel fd */
	uint32_t relid;
	unsigned int starts, restarts, window_restarts;
	uint64_t window_start_ns;
	int last_status;	/* the last daemon's wait status, -1 none */
	pthread_mutex_t dlock;	/* the daemon fields: the main thread changes, control reads */
};

static struct ic_server_cfg wk_ic_cfg;

/* The partition reference counter now (100 ns), what the guest's TSC page counts. */
static uint64_t ic_reftime(void *ctx)
{
	struct wk_vm *vm = ctx;
	struct hvtb_hv_reference_time rt = { 0 };

	if (ioctl(vm->part, HVTB_PARTITION_GET_REFERENCE_TIME, &rt))
		return 0;
	return rt.time;
}

static void *ic_thread(void *arg)
{
	struct wk_ic *ic = arg;
	int what;

	while (!wk_vm_ended(ic->vm)) {
		what = ic_server_step(&ic->srv, WK_IC_WAIT_MS);
		if (what < 0 || what == ICD_CHAN_RELEASED)
			break;
	}
	return NULL;
}

/* --- daemons ----------------------------------------------------------- */

/* hvtb-icd: $HVTB_ICD, else beside /proc/self/exe, else PATH. */
static void icd_path(char *path, size_t len)
{
	const char *env = getenv("HVTB_ICD");
	char self[PATH_MAX - 16];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(path, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(path, len, "%s/hvtb-icd", self);
			if (!access(path, X_OK))
				return;
		}
	}
	snprintf(path, len, "hvtb-icd");
}

static int icd_offer(struct wk_ic *ic)
{
	struct hvtb_vmbus_channel_info info;
	uint8_t inst[16];
	int fd;

	ic_kind_instance(ic->srv.kind, inst);
	fd = icd_chan_offer_fd(ic->vm->part, ic_kind_type(ic->srv.kind), inst,
			       IC_PIPE_TYPE_MESSAGE);
	if (fd < 0)
		return fd;
	ic->fd = fd;
	ic->relid = hvtb_vmbus_channel_get_info(fd, &info) ? 0 : info.child_relid;
	return 0;
}

/* Start hvtb-icd on ic->fd (as its fd 3), signals as a fresh process has them. */
static int icd_spawn(struct wk_ic *ic)
{
	const struct wk_config *cfg = &ic->vm->cfg;
	char path[PATH_MAX], parent[16], *argv[10 + 2 * WK_KVP_MAX];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;	/* SIG_IGN (SIGPIPE) is the one disposition exec keeps */
	unsigned int i, n = 0;
	int e;

	icd_path(path, sizeof(path));
	argv[n++] = path;
	argv[n++] = "--ic";
	argv[n++] = (char *)ic_kind_name(ic->srv.kind);
	argv[n++] = "--channel-fd";
	argv[n++] = "3";
	snprintf(parent, sizeof(parent), "%d", (int)getpid());
	argv[n++] = "--parent";
	argv[n++] = parent;
	if (ic->srv.kind == IC_KVP)
		for (i = 0; i < cfg->nkvp; i++) {
			argv[n++] = "--kvp-set";
			argv[n++] = (char *)cfg->kvp[i];
		}
	argv[n] = NULL;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ic->fd, 3);	/* dup2 clears CLOEXEC */
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = strchr(path, '/') ? posix_spawn(&ic->pid, path, &fa, &at, argv, environ) :
				posix_spawnp(&ic->pid, path, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (e) {
		ic->pid = 0;
		return -e;
	}
	ic->starts++;
	ic->state = ICD_RUNNING;
	return 0;
}

static void icd_describe_status(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "ended (wait status %#x)", st);
}

/* The rescinded channel of @ic is released: its fd hangs up (or is gone). */
static bool icd_released(struct wk_ic *ic)
{
	struct pollfd p = { .fd = ic->fd, .events = POLLIN };

	return ic->fd < 0 || (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)));
}

/* The daemon of @ic ended with @st: rescind its channel, plan the restart. */
static void icd_ended(struct wk_ic *ic, int st)
{
	uint64_t now = wk_now_ns();
	char why[64];

	ic->pid = 0;
	ic->last_status = st;
	icd_describe_status(st, why, sizeof(why));
	/* -ENXIO: rescinded already; the fd stays until the guest released it. */
	if (ic->fd >= 0)
		hvtb_vmbus_channel_rescind(ic->fd);
	if (now - ic->window_start_ns > WK_ICD_WINDOW_S * 1000000000ull) {
		ic->window_start_ns = now;
		ic->window_restarts = 0;
	}
	if (ic->window_restarts >= WK_ICD_RESTARTS) {
		ic->state = ICD_GAVE_UP;
		fprintf(stderr, "hvtb-worker: IC %s: daemon %s; restarted %d times within %d s: the IC stays off\n",
			ic_kind_name(ic->srv.kind), why, WK_ICD_RESTARTS, WK_ICD_WINDOW_S);
		return;
	}
	ic->window_restarts++;
	ic->state = ICD_RELEASING;
	fprintf(stderr, "hvtb-worker: IC %s: daemon %s; channel relid %u rescinded, restarting once the guest released it\n",
		ic_kind_name(ic->srv.kind), why, ic->relid);
}

void wk_ic_supervise(struct wk_vm *vm)
{
	unsigned int i;
	int st, e;

	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = vm->ics[i];

		if (!ic)
			continue;
		if (ic->state == ICD_NONE)
			continue;
		pthread_mutex_lock(&ic->dlock);
		if (ic->state == ICD_RUNNING && ic->pid > 0) {
			pid_t w = waitpid(ic->pid, &st, WNOHANG);

			if (w == ic->pid)
				icd_ended(ic, st);
			else if (w < 0 && errno == ECHILD)
				icd_ended(ic, 0x7f00);	/* reaped by someone else: status unknown */
		}
		if (ic->state == ICD_RELEASING && icd_released(ic)) {
			close(ic->fd);
			ic->fd = -1;
			ic->state = ICD_REOFFER;
		}
		if (ic->state != ICD_REOFFER) {
			pthread_mutex_unlock(&ic->dlock);
			continue;
		}
		e = icd_offer(ic);
		if (e == -EEXIST) {	/* another channel holds the GUIDs: next tick */
			pthread_mutex_unlock(&ic->dlock);
			continue;
		}
		if (!e)
			e = icd_spawn(ic);
		if (e) {
			fprintf(stderr, "hvtb-worker: IC %s: restarting the daemon: %s; the IC stays off\n",
				ic_kind_name(i), strerror(-e));
			if (ic->fd >= 0)
				close(ic->fd);
			ic->fd = -1;
			ic->state = ICD_GAVE_UP;
			pthread_mutex_unlock(&ic->dlock);
			continue;
		}
		ic->restarts++;
		fprintf(stderr, "hvtb-worker: IC %s: daemon restarted, pid %d, channel relid %u\n",
			ic_kind_name(i), (int)ic->pid, ic->relid);
		pthread_mutex_unlock(&ic->dlock);
	}
}

/* SIGTERM, then SIGKILL after WK_ICD_STOP_MS; reaped. */
static void icd_stop(struct wk_ic *ic)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	unsigned int waited = 0;
	int st;

	if (ic->pid <= 0)
		return;
	kill(ic->pid, SIGTERM);
	while (waitpid(ic->pid, &st, WNOHANG) == 0) {
		if (waited == WK_ICD_STOP_MS / 10)
			kill(ic->pid, SIGKILL);
		nanosleep(&tick, NULL);
		waited++;
	}
	ic->last_status = st;
	ic->pid = 0;
}

/* --- the worker's calls ------------------------------------------------- */

int wk_ic_offer(struct wk_vm *vm)
{
	unsigned int i;
	int e;

	wk_ic_cfg = (struct ic_server_cfg){
		.heartbeat_period_ns = 2000 * MS,	/* Hyper-V asks every 2 s (hv_util.c) */
		.timesync_period_ns = 5000 * MS,	/* Hyper-V samples every 5 s */
		.answer_timeout_ns = 5000 * MS,
		.kvp = vm->cfg.kvp,
		.nkvp = vm->cfg.nkvp,
		.reftime = ic_reftime,
		.reftime_ctx = vm,
		.shutdown_reason = "hvtb-worker: shutdown requested by the parent partition",
	};
	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = calloc(1, sizeof(*ic));

		if (!ic)
			return -ENOMEM;
		ic->vm = vm;
		ic->fd = -1;
		ic->last_status = -1;
		pthread_mutex_init(&ic->dlock, NULL);
		ic_server_init(&ic->srv, (enum ic_kind)i, &wk_ic_cfg);
		vm->ics[i] = ic;	/* wk_ic_free() rescinds the ones offered */
		if (vm->cfg.ic_daemon[i]) {
			ic->state = ICD_RUNNING;	/* started by wk_ic_start() */
			e = icd_offer(ic);
		} else {
			e = ic_server_offer(&ic->srv, vm->part);
		}
		if (e)
			return e;
	}
	return 0;
}

const char *wk_ic_name(unsigned int i)
{
	return ic_kind_name(i);
}

int wk_ic_start(struct wk_vm *vm)
{
	unsigned int i;
	int e;

	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = vm->ics[i];

		if (!ic)
			continue;
		if (ic->state != ICD_NONE) {
			ic->window_start_ns = wk_now_ns();
			pthread_mutex_lock(&ic->dlock);
			e = icd_spawn(ic);
			if (e) {
				/* Not served: rescinded, so the guest does not wait on it. */
				fprintf(stderr, "hvtb-worker: IC %s: starting hvtb-icd: %s; the IC stays off\n",
					ic_kind_name(i), strerror(-e));
				close(ic->fd);
				ic->fd = -1;
				ic->state = ICD_GAVE_UP;
			}
			pthread_mutex_unlock(&ic->dlock);
			continue;
		}
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

	return ic ? ic_server_request_shutdown(&ic->srv) : -ENOTCONN;
}

int wk_ic_kvp_set(struct wk_vm *vm, const char *kv)
{
	struct wk_ic *ic = vm->ics[WK_IC_KVP];

	if (!ic)
		return -ENOTCONN;
	if (ic->state != ICD_NONE)
		return -EOPNOTSUPP;	/* the daemon has its pairs from its command line */
	return ic_server_kvp_set(&ic->srv, kv);
}

enum wk_ic_shutdown_state wk_ic_shutdown_state(struct wk_vm *vm)
{
	struct wk_ic *ic = vm->ics[WK_IC_SHUTDOWN];

	if (!ic)
		return WK_IC_SD_NONE;
	switch (ic_server_shutdown_state(&ic->srv)) {
	case IC_SD_ASKED:
		return WK_IC_SD_ASKED;
	case IC_SD_ACCEPTED:
		return WK_IC_SD_ACCEPTED;
	case IC_SD_REFUSED:
		return WK_IC_SD_REFUSED;
	default:
		return WK_IC_SD_NONE;
	}
}

void wk_ic_stop(struct wk_vm *vm)
{
	unsigned int i;

	/* Each thread sees the VM's end within WK_IC_WAIT_MS. */
	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = vm->ics[i];

		if (!ic)
			continue;
		if (ic->running)
			pthread_join(ic->thread, NULL);
		ic->running = false;
		pthread_mutex_lock(&ic->dlock);
		icd_stop(ic);
		pthread_mutex_unlock(&ic->dlock);
	}
}

static const char *const icd_state_names[] = {
	[ICD_NONE] = "thread", [ICD_RUNNING] = "running",
	[ICD_RELEASING] = "restarting (the guest releases the old channel)",
	[ICD_REOFFER] = "restarting", [ICD_GAVE_UP] = "off (too many restarts)",
};

static const char *const chan_state_names[] = {
	[HVTB_VMBUS_CHANNEL_UNOFFERED] = "unoffered", [HVTB_VMBUS_CHANNEL_OFFERED] = "offered",
	[HVTB_VMBUS_CHANNEL_OPEN] = "open", [HVTB_VMBUS_CHANNEL_RESCINDED] = "rescinded",
	[HVTB_VMBUS_CHANNEL_RESCINDED_OPEN] = "rescinded (open)",
	[HVTB_VMBUS_CHANNEL_RELEASED] = "released",
};

/* A daemon's IC: the process and what the kernel says of its channel. */
static void icd_print(struct wk_ic *ic, FILE *out)
{
	struct hvtb_vmbus_channel_info info;
	char last[64] = "none";
	int fd;

	pthread_mutex_lock(&ic->dlock);
	fd = ic->fd;
	if (ic->last_status >= 0)
		icd_describe_status(ic->last_status, last, sizeof(last));
	fprintf(out, "hvtb-worker: IC %s: daemon %s, pid %d, %u starts, %u restarts, last end: %s",
		ic_kind_name(ic->srv.kind), icd_state_names[ic->state], (int)ic->pid, ic->starts,
		ic->restarts, last);
	if (fd >= 0 && !hvtb_vmbus_channel_get_info(fd, &info))
		fprintf(out, "; channel relid %u %s, %" PRIu64 " guest signals, %" PRIu64 " host signals, %" PRIu64 " records lost\n",
			info.child_relid, info.state < sizeof(chan_state_names) / sizeof(chan_state_names[0]) ?
			chan_state_names[info.state] : "?", (uint64_t)info.guest_signals,
			(uint64_t)info.host_signals, (uint64_t)info.events_lost);
	else
		fprintf(out, "; no channel\n");
	pthread_mutex_unlock(&ic->dlock);
}

void wk_ic_print_stats(struct wk_vm *vm, FILE *out)
{
	unsigned int i;

	for (i = 0; i < WK_NR_ICS; i++) {
		struct wk_ic *ic = vm->ics[i];

		if (!ic)
			continue;
		if (ic->state != ICD_NONE)
			icd_print(ic, out);
		else
			ic_server_print(&ic->srv, out, "hvtb-worker");
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
		if (ic->fd >= 0)
			close(ic->fd);	/* rescinds the daemon's channel */
		ic_server_destroy(&ic->srv);
		pthread_mutex_destroy(&ic->dlock);
		free(ic);
		vm->ics[i] = NULL;
	}
}
