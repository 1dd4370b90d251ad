/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU-bound guest VPs for the scheduler suite and benchmark: each spinner
 * VP counts in its own slot of a guest array until the host tells them all
 * to stop, then ends with UCALL_DONE. The RUN caller of each VP is a
 * thread of its own, which can be pinned to a CPU and given a nice value
 * (the knobs of the host scheduler for HVTB_PARTITION_ROOT_SCHED VPs).
 */
#ifndef HVTB_SPIN_H
#define HVTB_SPIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

#define SPIN_MAX_VPS	4

struct spinner {
	struct guest_vp v;
	int cpu;		/* pin the RUN thread here; -1: anywhere */
	int nice;		/* the RUN thread's nice value */
	int result;		/* 0: the VP ended with UCALL_DONE */
	char msg[160];		/* what went wrong otherwise */
	pthread_t thread;	/* the RUN thread, while @started */
	bool started;
};

/*
 * spinners_create() - @n spinner VPs of @g (indexes 0..n-1), entered in
 * long mode and ready to run; cpu -1, nice 0. Return: 0 or -errno.
 */
int spinners_create(struct guest *g, struct spinner *s, int n);

/* spinners_start() - start the RUN threads of the @n spinners. */
void spinners_start(struct guest *g, struct spinner *s, int n);

/*
 * spinners_stop() - stop the spinners and wait for their RUN threads.
 * Return: 0 when every VP ended with UCALL_DONE, else -1 (see s[i].msg).
 */
int spinners_stop(struct guest *g, struct spinner *s, int n);

/*
 * spinners_run() - start the @n spinners, let them run for @ms
 * milliseconds of wall time (the caller sleeps meanwhile), stop them.
 * Return: as spinners_stop().
 */
int spinners_run(struct guest *g, struct spinner *s, int n, unsigned int ms);

/* spin_guest() - the guest code of a spinner (for guest_vp_enter_long()). */
void spin_guest(uint64_t index);

/* spin_set_stop() - tell every spinner of @g to stop (1) or to spin (0). */
void spin_set_stop(struct guest *g, uint32_t stop);

/* spin_counts() - the guest's counters, one per spinner (host view). */
volatile uint64_t *spin_counts(struct guest *g);

/* spin_time_ns() - the VP's time in VMX non-root operation (guest_ns). */
uint64_t spin_time_ns(struct spinner *s);

/* spinners_destroy() - destroy the @n VPs. */
void spinners_destroy(struct spinner *s, int n);

#endif /* HVTB_SPIN_H */
