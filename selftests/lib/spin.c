// SPDX-License-Identifier: GPL-2.0
/*
 * CPU-bound guest VPs for the scheduler suite and benchmark (spin.h). The
 * guest part is built like all guest code (no stack protector, no red
 * zone) and runs at its own address in the guest's identity map.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "spin.h"

static volatile uint64_t spin_count[SPIN_MAX_VPS];
static volatile uint32_t spin_stop;

/* Guest code: count until told to stop. */
void spin_guest(uint64_t index)
{
	while (!spin_stop)
		spin_count[index]++;
}

static void *spin_thread(void *arg)
{
	struct spinner *s = arg;
	struct ucall uc;
	cpu_set_t set;

	s->result = -1;
	if (s->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(s->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			snprintf(s->msg, sizeof(s->msg), "affinity: %s", strerror(errno));
			return NULL;
		}
	}
	if (s->nice &&
	    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), s->nice)) {
		snprintf(s->msg, sizeof(s->msg), "nice %d: %s", s->nice, strerror(errno));
		return NULL;
	}
	if (guest_vp_run(&s->v)) {
		snprintf(s->msg, sizeof(s->msg), "run: %s", strerror(errno));
		return NULL;
	}
	if (guest_get_ucall(&s->v, &uc) != UCALL_DONE) {
		guest_describe_exit(&s->v, s->msg, sizeof(s->msg));
		return NULL;
	}
	s->result = 0;
	return NULL;
}

int spinners_create(struct guest *g, struct spinner *s, int n)
{
	int i, r;

	if (n < 1 || n > SPIN_MAX_VPS)
		return -EINVAL;
	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n; i++) {
		s[i].cpu = -1;
		s[i].v.fd = -1;
	}
	for (i = 0; i < n; i++) {
		r = guest_vp_create(g, &s[i].v, i);
		if (!r)
			r = guest_vp_enter_long(&s[i].v, spin_guest, i, 0);
		if (r) {
			spinners_destroy(s, i + 1);
			return r;
		}
	}
	memset(guest_gpa(g, (uintptr_t)spin_count), 0, sizeof(spin_count));
	return 0;
}

void spin_set_stop(struct guest *g, uint32_t stop)
{
	memcpy(guest_gpa(g, (uintptr_t)&spin_stop), &stop, sizeof(stop));
}

void spinners_start(struct guest *g, struct spinner *s, int n)
{
	int i;

	spin_set_stop(g, 0);
	for (i = 0; i < n; i++) {
		s[i].result = -1;
		s[i].started = !pthread_create(&s[i].thread, NULL, spin_thread, &s[i]);
		if (!s[i].started)
			snprintf(s[i].msg, sizeof(s[i].msg), "pthread_create failed");
	}
}

int spinners_stop(struct guest *g, struct spinner *s, int n)
{
	int i, r = 0;

	spin_set_stop(g, 1);
	for (i = 0; i < n; i++) {
		if (s[i].started)
			pthread_join(s[i].thread, NULL);
		s[i].started = false;
		if (s[i].result)
			r = -1;
	}
	return r;
}

int spinners_run(struct guest *g, struct spinner *s, int n, unsigned int ms)
{
	spinners_start(g, s, n);
	usleep(ms * 1000);
	return spinners_stop(g, s, n);
}

volatile uint64_t *spin_counts(struct guest *g)
{
	return guest_gpa(g, (uintptr_t)spin_count);
}

uint64_t spin_time_ns(struct spinner *s)
{
	struct hvtb_vp_stats st;

	if (guest_ioctl(s->v.fd, HVTB_VP_GET_STATS, (uintptr_t)&st))
		return 0;
	return st.guest_ns;
}

void spinners_destroy(struct spinner *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		guest_vp_destroy(&s[i].v);
}
