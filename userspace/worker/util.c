// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker's small shared helpers (worker.h): the clock, error
 * messages, the VM's end as the threads see it, thread start and join.
 * Also linked into vsp_test, which runs storage.c and network.c.
 */
#include <stdarg.h>
#include <time.h>

#include "worker.h"

uint64_t wk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int wk_err(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("hvtb-worker: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int wk_thread_start(struct wk_thread *th, void *(*fn)(void *), void *arg)
{
	int e = pthread_create(&th->t, NULL, fn, arg);

	if (e)
		return -e;
	th->running = true;
	return 0;
}

void wk_thread_join(struct wk_thread *th)
{
	if (th->running)
		pthread_join(th->t, NULL);
	th->running = false;
}

bool wk_vm_ended(struct wk_vm *vm)
{
	bool r;

	pthread_mutex_lock(&vm->lock);
	r = vm->exit_code >= 0;
	pthread_mutex_unlock(&vm->lock);
	return r;
}
