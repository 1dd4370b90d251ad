// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker's control socket: how `hvtbctl workers` finds running
 * workers and `hvtbctl devices` asks one for its state.
 *
 * A Unix stream socket at --control PATH (default
 * $HVTB_RUN_DIR/worker-<pid>.sock, HVTB_RUN_DIR defaulting to /run/hvtb;
 * "none": no socket), mode 0600. A client sends one command line of at
 * most WK_CTL_LINE bytes within WK_CTL_TIMEOUT_MS; the worker answers with
 * text lines and closes. An unknown command, an overlong line or a silent
 * client gets "error: ..." (or nothing) and the connection closed; nothing
 * a client sends affects the guest. One client at a time.
 *
 *   devices   the VMBus host's state and every device's counters, the
 *             same lines as --stats prints at the end (a live snapshot:
 *             counters of a device thread may be a step apart)
 *   info      pid, kernel, memory, VPs, uptime
 *   shutdown  what SIGTERM does: the guest is asked to power off through
 *             the shutdown IC and given --shutdown-grace seconds
 *   kvp KEY=VALUE  a SET into the guest's KVP EXTERNAL pool (the worker's
 *             KVP IC; not with --ic-daemon kvp)
 *
 * A socket that cannot be made (no /run/hvtb, not root) is reported and
 * the worker runs without it.
 */
#define _GNU_SOURCE	/* accept4() */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "worker.h"

#define WK_CTL_LINE		64
#define WK_CTL_TIMEOUT_MS	1000
#define WK_CTL_WAIT_MS		200

struct wk_control {
	struct wk_vm *vm;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct wk_thread thread;
	uint64_t clients, errors;
};

static void ctl_devices(struct wk_vm *vm, FILE *out)
{
	wk_print_vmbus_stats(vm, out);
	wk_ic_print_stats(vm, out);
	wk_stor_print_stats(vm, out);
	wk_net_print_stats(vm, out);
}

static void ctl_info(struct wk_vm *vm, FILE *out)
{
	fprintf(out, "hvtb-worker: pid %d, kernel %s (%s), %u MiB, %u VP(s), running %.1f s, %s\n",
		(int)getpid(), vm->cfg.kernel, vm->pvh ? "PVH" : "bzImage", vm->cfg.mem_mib,
		vm->cfg.vps, (wk_now_ns() - vm->t_start) / 1e9,
		vm->cfg.vmbus ? "VMBus on" : "VMBus off");
}

/* The main thread takes SIGTERM (it is blocked in every thread): the same path as `kill -TERM`. */
static void ctl_shutdown(struct wk_vm *vm, FILE *out)
{
	fprintf(out, "hvtb-worker: pid %d: shutting the guest down (as SIGTERM: the shutdown IC, %u s of grace)\n",
		(int)getpid(), vm->cfg.shutdown_grace);
	kill(getpid(), SIGTERM);
}

static void ctl_kvp(struct wk_vm *vm, FILE *out, const char *arg)
{
	int e = wk_ic_kvp_set(vm, arg);

	if (e == -EOPNOTSUPP)
		fprintf(out, "error: kvp: the KVP IC runs in hvtb-icd (--ic-daemon kvp): give it --kvp pairs\n");
	else if (e)
		fprintf(out, "error: kvp '%s': %s\n", arg, e == -EINVAL ? "not KEY=VALUE" : strerror(-e));
	else
		fprintf(out, "hvtb-worker: kvp: %s queued for the guest's EXTERNAL pool\n", arg);
}

/* @arg: the rest of the line after "NAME " (commands with an argument), else "". */
static const struct {
	const char *name;
	bool arg;
	void (*fn)(struct wk_vm *vm, FILE *out);
	void (*fn_arg)(struct wk_vm *vm, FILE *out, const char *arg);
} ctl_commands[] = {
	{ "devices", false, ctl_devices, NULL },
	{ "info", false, ctl_info, NULL },
	{ "shutdown", false, ctl_shutdown, NULL },
	{ "kvp", true, NULL, ctl_kvp },
};

/*
 * One command line, without its newline; -1 if none came in time or it was
 * too long, -2 if it holds a NUL byte.
 */
static int ctl_read_line(int fd, char *line)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int n = 0;
	size_t len;
	char *nl;
	ssize_t r;

	while (n < WK_CTL_LINE) {
		if (poll(&p, 1, WK_CTL_TIMEOUT_MS) != 1)
			return -1;
		r = read(fd, line + n, WK_CTL_LINE - n);
		if (r <= 0)
			break;
		n += r;
		if (memchr(line, '\n', n))
			break;
	}
	nl = memchr(line, '\n', n);
	if (!nl && n == WK_CTL_LINE)
		return -1;
	len = nl ? (size_t)(nl - line) : n;
	if (len && line[len - 1] == '\r')
		len--;
	if (memchr(line, 0, len))
		return -2;
	line[len] = 0;
	return 0;
}

/*
 * The answer is out: end it (EOF to the client), then read and drop what
 * the client still sends (an overlong line's rest), briefly, so that the
 * close does not reset the connection before the client read the answer.
 */
static void ctl_finish(FILE *out, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned int rounds = 0;
	char junk[256];

	fflush(out);
	shutdown(fd, SHUT_WR);
	while (rounds++ < 64 && poll(&p, 1, 100) == 1 && read(fd, junk, sizeof(junk)) > 0)
		;
	fclose(out);
}

static void ctl_client(struct wk_control *c, int fd)
{
	char line[WK_CTL_LINE + 1];
	unsigned int i;
	FILE *out;
	int ret;

	c->clients++;
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return;
	}
	ret = ctl_read_line(fd, line);
	if (ret) {
		c->errors++;
		if (ret == -2)
			fprintf(out, "error: a NUL byte in the command line\n");
		else
			fprintf(out, "error: one command line of at most %d bytes, within %d ms\n",
				WK_CTL_LINE - 1, WK_CTL_TIMEOUT_MS);
		ctl_finish(out, fd);
		return;
	}
	for (i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++) {
		size_t n = strlen(ctl_commands[i].name);

		if (!ctl_commands[i].arg && !strcmp(line, ctl_commands[i].name)) {
			ctl_commands[i].fn(c->vm, out);
			ctl_finish(out, fd);
			return;
		}
		if (ctl_commands[i].arg && !strncmp(line, ctl_commands[i].name, n) &&
		    line[n] == ' ') {
			ctl_commands[i].fn_arg(c->vm, out, line + n + 1);
			ctl_finish(out, fd);
			return;
		}
	}
	c->errors++;
	fprintf(out, "error: unknown command '%.*s' (devices, info, shutdown, kvp KEY=VALUE)\n",
		WK_CTL_LINE, line);
	ctl_finish(out, fd);
}

static void *ctl_thread(void *arg)
{
	struct wk_control *c = arg;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int fd;

	while (!wk_vm_ended(c->vm)) {
		if (poll(&p, 1, WK_CTL_WAIT_MS) != 1)
			continue;
		fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			ctl_client(c, fd);
	}
	return NULL;
}

/* @dir and its missing parents, mode 0700. */
static int mkdir_p(const char *dir)
{
	char p[256];
	size_t i;

	if (strlen(dir) >= sizeof(p))
		return -ENAMETOOLONG;
	snprintf(p, sizeof(p), "%s", dir);
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		p[i] = '/';
	}
	if (mkdir(p, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int wk_control_start(struct wk_vm *vm)
{
	const char *dir = getenv("HVTB_RUN_DIR");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct wk_control *c;
	int e;

	if (vm->cfg.control && !strcmp(vm->cfg.control, "none"))
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->vm = vm;
	if (vm->cfg.control) {
		snprintf(c->path, sizeof(c->path), "%s", vm->cfg.control);
	} else {
		dir = dir && *dir ? dir : "/run/hvtb";
		e = mkdir_p(dir);
		if (e)
			goto err_free;
		snprintf(c->path, sizeof(c->path), "%s/worker-%d.sock", dir, (int)getpid());
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		e = -errno;
		goto err_free;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", c->path);
	unlink(c->path);	/* a socket left by a worker that was killed */
	if (bind(c->fd, (struct sockaddr *)&a, sizeof(a)) || chmod(c->path, 0600) ||
	    listen(c->fd, 4)) {
		e = -errno;
		goto err_close;
	}
	e = wk_thread_start(&c->thread, ctl_thread, c);
	if (e)
		goto err_unlink;
	vm->ctl = c;
	return 0;

err_unlink:
	unlink(c->path);
err_close:
	close(c->fd);
err_free:
	fprintf(stderr, "hvtb-worker: no control socket (%s: %s): hvtbctl cannot reach this worker\n",
		c->path[0] ? c->path : dir, strerror(-e));
	free(c);
	return e;
}

void wk_control_stop(struct wk_vm *vm)
{
	struct wk_control *c = vm->ctl;

	if (!c)
		return;
	wk_thread_join(&c->thread);
	if (vm->cfg.stats)
		fprintf(stderr, "hvtb-worker: control %s: %" PRIu64 " clients, %" PRIu64 " refused\n",
			c->path, c->clients, c->errors);
	close(c->fd);
	unlink(c->path);
	free(c);
	vm->ctl = NULL;
}
