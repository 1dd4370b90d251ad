// SPDX-License-Identifier: GPL-2.0
/*
 * Child processes: run a function or a program, optionally after dropping
 * to other credentials, and collect the exit status and output.
 */
#include <errno.h>
#include <stdio.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvtb_test.h"

/* Exit code of a child that could not drop its credentials. */
#define CREDS_FAILED	125

static int creds_drop(const struct proc_creds *creds)
{
	if (!creds)
		return 0;
	if (setgroups((size_t)creds->ngroups, creds->groups) ||
	    setgid(creds->gid) || setuid(creds->uid))
		return -errno;
	return 0;
}

static int child_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -ECHILD;
}

int proc_call(const struct proc_creds *creds, int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (creds_drop(creds))
			_exit(CREDS_FAILED);
		_exit(fn(arg) & 0xff);
	}
	return child_wait(pid);
}

/* Copy what the child wrote into memfd @fd into @buf. */
static void capture_copy(int fd, char *buf, size_t len)
{
	ssize_t n;

	if (!buf || !len)
		return;
	n = pread(fd, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
}

int proc_run(const char *const argv[], const struct proc_creds *creds,
	     char *out, size_t outlen, char *err, size_t errlen)
{
	int ofd, efd, ret;
	pid_t pid;

	ofd = memfd_create("stdout", MFD_CLOEXEC);
	efd = memfd_create("stderr", MFD_CLOEXEC);
	if (ofd < 0 || efd < 0) {
		ret = -errno;
		goto out_close;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out_close;
	}
	if (pid == 0) {
		if (dup2(ofd, 1) < 0 || dup2(efd, 2) < 0 || creds_drop(creds))
			_exit(CREDS_FAILED);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	ret = child_wait(pid);
	capture_copy(ofd, out, outlen);
	capture_copy(efd, err, errlen);
out_close:
	if (ofd >= 0)
		close(ofd);
	if (efd >= 0)
		close(efd);
	return ret;
}
