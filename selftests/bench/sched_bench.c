// SPDX-License-Identifier: GPL-2.0
/*
 * sched_bench - fairness figures of the two ways VPs are scheduled, on a
 * fixed workload, printed one line per figure:
 *
 *   sched_bench: MODE weights_1_1_2 share_pct=A,B,C ideal_pct=D,E,F max_dev_pct=G ms=N
 *   sched_bench: MODE cap_25pct share_pct=A ms=N
 *
 * weights_1_1_2: three CPU-bound VPs share one host CPU. On hvtb's threads
 * (MODE "threads") they have the weights 100, 100, 200 (HVTB_VP_SET_SCHED)
 * and affinity to that CPU; in HVTB_PARTITION_ROOT_SCHED (MODE "root")
 * their RUN threads are pinned to it with nice 0, 0 and -3 (CFS weights
 * 1024, 1024, 1991, the nearest to 1:1:2). cap_25pct: one VP alone on a
 * CPU with a cap of 25%; the host scheduler has no per-thread cap, so root
 * mode prints n/a. A share is the VP's time in the guest (guest_ns) over
 * the sum of all, or over the wall time for the cap.
 *
 * The wake-up latency of a halted VP, in both modes, is exit_bench's
 * lapic_assert_to_handler. Under Bochs with one CPU, guest time is
 * instruction count, so the figures repeat.
 *
 * usage: sched_bench [milliseconds]   (default 1500). Exit 4 (skip)
 * without /dev/hvtb.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"
#include "spin.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int pin(struct spinner *s, int cpu, uint32_t weight, uint32_t cap)
{
	struct hvtb_vp_sched p = { .weight = weight, .cap_bp = cap };

	p.affinity[cpu / 64] = 1ULL << (cpu % 64);
	return guest_ioctl(s->v.fd, HVTB_VP_SET_SCHED, (uintptr_t)&p);
}

static void report(struct spinner *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i].result)
			fprintf(stderr, "sched_bench: VP %d: %s\n", i, s[i].msg);
}

/* Three spinners 1:1:2 on @cpu. Return: 0 or -errno. */
static int bench_weights(const char *mode, unsigned int flags, int cpu,
			 unsigned int ms)
{
	static const uint32_t weight[3] = { 100, 100, 200 };
	static const int nice[3] = { 0, 0, -3 };
	static const double ideal_root[3] = { 1024.0 / 4039, 1024.0 / 4039,
					      1991.0 / 4039 };
	struct spinner s[3];
	struct guest g;
	double share, ideal, dev, max_dev = 0;
	uint64_t t[3], sum = 0, t0;
	char shares[64] = "", ideals[64] = "";
	int i, r;

	r = guest_create(&g, flags);
	if (r)
		return r;
	r = spinners_create(&g, s, 3);
	if (r)
		goto out;
	for (i = 0; i < 3 && !r; i++) {
		if (flags & GUEST_ROOT_SCHED) {
			s[i].cpu = cpu;
			s[i].nice = nice[i];
		} else {
			r = pin(&s[i], cpu, weight[i], 0);
		}
	}
	t0 = now_ns();
	if (!r && spinners_run(&g, s, 3, ms)) {
		report(s, 3);
		r = -EIO;
	}
	if (r)
		goto out_vps;
	for (i = 0; i < 3; i++)
		sum += t[i] = spin_time_ns(&s[i]);
	if (!sum) {
		r = -EIO;
		goto out_vps;
	}
	for (i = 0; i < 3; i++) {
		share = (double)t[i] / sum;
		ideal = flags & GUEST_ROOT_SCHED ? ideal_root[i] : weight[i] / 400.0;
		dev = share > ideal ? share - ideal : ideal - share;
		if (dev > max_dev)
			max_dev = dev;
		snprintf(shares + strlen(shares), sizeof(shares) - strlen(shares),
			 "%s%.1f", i ? "," : "", share * 100);
		snprintf(ideals + strlen(ideals), sizeof(ideals) - strlen(ideals),
			 "%s%.1f", i ? "," : "", ideal * 100);
	}
	printf("sched_bench: %s weights_1_1_2 share_pct=%s ideal_pct=%s max_dev_pct=%.1f ms=%llu\n",
	       mode, shares, ideals, max_dev * 100,
	       (unsigned long long)((now_ns() - t0) / 1000000));
out_vps:
	spinners_destroy(s, 3);
out:
	guest_destroy(&g);
	return r;
}

/* One spinner capped at 25% alone on @cpu (hvtb's threads only). */
static int bench_cap(int cpu, unsigned int ms)
{
	struct spinner s[1];
	struct guest g;
	uint64_t t0, wall;
	int r;

	r = guest_create(&g, 0);
	if (r)
		return r;
	r = spinners_create(&g, s, 1);
	if (r)
		goto out;
	r = pin(&s[0], cpu, 100, 2500);
	t0 = now_ns();
	if (!r && spinners_run(&g, s, 1, ms)) {
		report(s, 1);
		r = -EIO;
	}
	wall = now_ns() - t0;
	if (!r)
		printf("sched_bench: threads cap_25pct share_pct=%.1f ms=%llu\n",
		       100.0 * spin_time_ns(&s[0]) / wall,
		       (unsigned long long)(wall / 1000000));
	spinners_destroy(s, 1);
out:
	guest_destroy(&g);
	return r;
}

int main(int argc, char **argv)
{
	unsigned int ms = argc > 1 ? strtoul(argv[1], NULL, 0) : 1500;
	int cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	int r;

	if (ms < 100 || ms > 60000) {
		fprintf(stderr, "sched_bench: milliseconds must be 100..60000\n");
		return 2;
	}
	if (access("/dev/hvtb", R_OK | W_OK)) {
		printf("sched_bench: SKIP: /dev/hvtb missing (no VMX or hvtb not loaded)\n");
		return 4;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	r = bench_weights("threads", 0, cpu, ms);
	if (!r)
		r = bench_weights("root", GUEST_ROOT_SCHED, cpu, ms);
	if (!r)
		r = bench_cap(cpu, ms);
	if (!r)
		printf("sched_bench: root cap_25pct n/a (the host scheduler has no per-thread cap)\n");
	if (r) {
		fprintf(stderr, "sched_bench: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
