// SPDX-License-Identifier: GPL-2.0
/*
 * hvtbctl workers / hvtbctl devices: talk to running hvtb-workers through
 * their control sockets ($HVTB_RUN_DIR/worker-<pid>.sock, HVTB_RUN_DIR
 * defaulting to /run/hvtb; userspace/worker/control.c): one command line
 * out, the worker's text back.
 */
#define _GNU_SOURCE	/* asprintf() */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "run.h"

#define CTL_TIMEOUT_MS	5000

static const char *run_dir(void)
{
	const char *d = getenv("HVTB_RUN_DIR");

	return d && *d ? d : "/run/hvtb";
}

/*
 * Send @cmd to the worker at @path, copy its answer to @out (@out NULL:
 * hang up at once, without reading). Return: 0, -errno.
 */
static int ctl_ask(const char *path, const char *cmd, FILE *out)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct pollfd p = { .events = POLLIN };
	char buf[4096];
	ssize_t n;
	int fd, e = 0;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (*cmd && write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))) {
		e = -errno;
		goto out;
	}
	if (!out)
		goto out;
	p.fd = fd;
	for (;;) {
		if (poll(&p, 1, CTL_TIMEOUT_MS) != 1) {
			e = -ETIMEDOUT;
			break;
		}
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			e = n < 0 ? -errno : 0;
			break;
		}
		fwrite(buf, 1, n, out);
	}
out:
	close(fd);
	return e;
}

int hvtbctl_cmd_workers(int argc, char **argv)
{
	const char *dir = run_dir();
	struct dirent *de;
	char path[512];
	unsigned int n = 0;
	DIR *d;
	int e;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: hvtbctl workers\n");
		return 2;
	}
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT) {
			printf("no workers (no %s)\n", dir);
			return 0;
		}
		fprintf(stderr, "hvtbctl: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "worker-", 7) || !strstr(de->d_name, ".sock"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n++;
		fflush(stdout);
		e = ctl_ask(path, "info\n", stdout);
		if (e)
			printf("%s: not answering (%s): a worker that was killed?\n", path,
			       strerror(-e));
	}
	closedir(d);
	if (!n)
		printf("no workers in %s\n", dir);
	return 0;
}

/* The control socket of @who (a pid or a path) into @path. */
static void worker_path(const char *who, char *path, size_t len)
{
	char *end;
	long pid = strtol(who, &end, 10);

	if (*who && !*end && pid > 0)
		snprintf(path, len, "%s/worker-%ld.sock", run_dir(), pid);
	else
		snprintf(path, len, "%s", who);
}

/* @cmd to the worker @who, its answer to @out (NULL: none read); the exit status. */
static int worker_ask(const char *who, const char *cmd, FILE *out)
{
	char path[512];
	int e;

	worker_path(who, path, sizeof(path));
	fflush(stdout);
	e = ctl_ask(path, cmd, out);
	if (e) {
		fprintf(stderr, "hvtbctl: worker %s: %s\n", path, strerror(-e));
		return 1;
	}
	return 0;
}

static int worker_cmd(int argc, char **argv, const char *cmd)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hvtbctl %s PID|SOCKET\n", argv[0]);
		return 2;
	}
	return worker_ask(argv[1], cmd, stdout);
}

int hvtbctl_cmd_devices(int argc, char **argv)
{
	return worker_cmd(argc, argv, "devices\n");
}

int hvtbctl_cmd_shutdown(int argc, char **argv)
{
	return worker_cmd(argc, argv, "shutdown\n");
}

/* hvtbctl kvp PID KEY=VALUE: a SET into the guest's KVP EXTERNAL pool. */
int hvtbctl_cmd_kvp(int argc, char **argv)
{
	char cmd[128];

	if (argc != 3 || !strchr(argv[2], '=')) {
		fprintf(stderr, "usage: hvtbctl kvp PID|SOCKET KEY=VALUE\n");
		return 2;
	}
	if (strlen(argv[2]) > 58) {	/* a control line is 63 bytes at most */
		fprintf(stderr, "hvtbctl: kvp: KEY=VALUE of at most 58 bytes\n");
		return 2;
	}
	snprintf(cmd, sizeof(cmd), "kvp %s\n", argv[2]);
	return worker_ask(argv[1], cmd, stdout);
}

/*
 * hvtbctl control [--raw] [--hangup] PID|SOCKET LINE: any command line, as
 * written (for scripts, and for testing the worker's refusals): LINE and a
 * newline (--raw: LINE alone; an empty LINE sends nothing), then the
 * answer (--hangup: none read, the connection closed at once).
 */
int hvtbctl_cmd_control(int argc, char **argv)
{
	bool raw = false, hangup = false;
	char *cmd;
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--raw"))
			raw = true;
		else if (!strcmp(argv[i], "--hangup"))
			hangup = true;
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: hvtbctl control [--raw] [--hangup] PID|SOCKET LINE\n");
		return 2;
	}
	if (asprintf(&cmd, "%s%s", argv[i + 1], raw ? "" : "\n") < 0) {
		fprintf(stderr, "hvtbctl: %s\n", strerror(ENOMEM));
		return 1;
	}
	rc = worker_ask(argv[i], cmd, hangup ? NULL : stdout);
	free(cmd);
	return rc;
}
