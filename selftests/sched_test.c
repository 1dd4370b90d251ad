// SPDX-License-Identifier: GPL-2.0
/*
 * sched_test - hvtb's own vCPU scheduler: VPs execute on hvtb's per-CPU
 * threads by default and on the RUN caller with HVTB_PARTITION_ROOT_SCHED;
 * weights, caps, reserves and affinity (HVTB_VP_SET_SCHED) are honoured;
 * VPs survive their CPU going offline; bad policy values are refused.
 *
 * Shares are measured with the scheduler's own per-VP runtime counter
 * (HVTB_VP_GET_STATS.sched_runtime_ns), which the threads charge slice by
 * slice; under Bochs the guest time they measure advances per emulated
 * instruction, so the figures do not depend on the host's load.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "hvtb_harness.h"
#include "guest.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	600

#define MAX_SPIN_VPS	4

/* Guest side: each spinning VP counts in its own slot until told to stop. */
static volatile uint64_t spin_count[MAX_SPIN_VPS];
static volatile uint32_t spin_stop;

static void guest_spin_count(uint64_t index)
{
	while (!spin_stop)
		spin_count[index]++;
}

struct spinner {
	struct guest_vp v;
	int result;		/* 0: ended with UCALL_DONE */
	char msg[160];
};

static void *spinner_thread(void *arg)
{
	struct spinner *s = arg;
	struct ucall uc;

	s->result = -1;
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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int set_sched(struct guest_vp *v, uint32_t weight, uint32_t cap,
		     uint32_t reserve, int cpu)
{
	struct hvtb_vp_sched p = { .weight = weight, .cap_bp = cap,
				   .reserve_bp = reserve };

	if (cpu >= 0)
		p.affinity[cpu / 64] = 1ULL << (cpu % 64);
	return guest_ioctl(v->fd, HVTB_VP_SET_SCHED, (uintptr_t)&p);
}

static uint64_t runtime_ns(struct guest_vp *v)
{
	struct hvtb_vp_stats st;

	if (guest_ioctl(v->fd, HVTB_VP_GET_STATS, (uintptr_t)&st))
		return 0;
	return st.sched_runtime_ns;
}

static int last_cpu(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
}

/*
 * Run @n spinners of @g (already created and entered) for @ms of wall time
 * (the test thread sleeps on CPU 0 meanwhile), then stop them.
 */
static void run_spinners(struct __test_metadata *_metadata, struct guest *g,
			 struct spinner *s, int n, unsigned int ms)
{
	uint32_t one = 1;
	pthread_t t[MAX_SPIN_VPS];
	int i;

	memset(guest_gpa(g, (uintptr_t)&spin_stop), 0, sizeof(spin_stop));
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, spinner_thread, &s[i]));
	usleep(ms * 1000);
	memcpy(guest_gpa(g, (uintptr_t)&spin_stop), &one, sizeof(one));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, s[i].result) TH_LOG("VP %d: %s", i, s[i].msg);
	}
}

TEST(default_mode_runs_on_hvtb_threads)
{
	struct hvtb_vp_sched p;
	struct hvtb_vp_stats st;
	struct guest g;
	struct guest_vp v;

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SCHED, (uintptr_t)&p));
	EXPECT_EQ(HVTB_SCHED_WEIGHT_DEFAULT, p.weight);
	EXPECT_EQ(0, p.cap_bp);
	EXPECT_EQ(0, p.reserve_bp);
	EXPECT_EQ(~0U, p.cpu);		/* no CPU before the first run */
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_spin_count, 0, 0));
	memcpy(guest_gpa(&g, (uintptr_t)&spin_stop), &(uint32_t){ 1 }, 4);
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SCHED, (uintptr_t)&p));
	EXPECT_GT(sysconf(_SC_NPROCESSORS_ONLN), p.cpu);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	EXPECT_LE(1, st.sched_dispatches);
	EXPECT_LT(0, st.sched_runtime_ns);
	guest_vp_destroy(&v);
	guest_destroy(&g);
}

TEST(root_mode_runs_on_the_caller)
{
	struct hvtb_vp_sched p = { .weight = 100 };
	struct hvtb_vp_stats st;
	struct guest g;
	struct guest_vp v;

	GUEST_OR_SKIP(&g, GUEST_ROOT_SCHED);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_spin_count, 0, 0));
	memcpy(guest_gpa(&g, (uintptr_t)&spin_stop), &(uint32_t){ 1 }, 4);
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_STATS, (uintptr_t)&st));
	EXPECT_EQ(0, st.sched_dispatches);
	EXPECT_LT(0, st.exits);
	/* Its policy is the host's business. */
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SCHED, (uintptr_t)&p));
	guest_vp_destroy(&v);
	guest_destroy(&g);
}

TEST(bad_policy_values)
{
	struct hvtb_vp_sched p;
	struct guest g;
	struct guest_vp v, w;

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_vp_create(&g, &w, 1));
	EXPECT_EQ(-EINVAL, set_sched(&v, 0, 0, 0, -1));
	EXPECT_EQ(-EINVAL, set_sched(&v, 10001, 0, 0, -1));
	EXPECT_EQ(-EINVAL, set_sched(&v, 100, 10001, 0, -1));
	EXPECT_EQ(-EINVAL, set_sched(&v, 100, 0, 10001, -1));
	EXPECT_EQ(-EINVAL, set_sched(&v, 100, 1000, 2000, -1));	/* reserve > cap */
	EXPECT_EQ(-EINVAL, set_sched(&v, 100, 0, 0, 255));	/* no such CPU */

	memset(&p, 0, sizeof(p));
	p.weight = 100;
	p.flags = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SCHED, (uintptr_t)&p));
	p.flags = 0;
	p.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SCHED, (uintptr_t)&p));
	p.reserved[3] = 0;
	p.cpu = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(v.fd, HVTB_VP_SET_SCHED, (uintptr_t)&p));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_SET_SCHED, 8));
	EXPECT_EQ(-EFAULT, guest_ioctl(v.fd, HVTB_VP_GET_SCHED, 8));

	/* Reserves never overbook a CPU. */
	EXPECT_EQ(0, set_sched(&v, 100, 0, 6000, 0));
	EXPECT_EQ(-ENOSPC, set_sched(&w, 100, 0, 6000, 0));
	EXPECT_EQ(0, set_sched(&w, 100, 0, 4000, 0));
	EXPECT_EQ(0, set_sched(&v, 100, 0, 0, 0));	/* gives it back */
	EXPECT_EQ(0, set_sched(&w, 100, 0, 10000, 0));
	guest_vp_destroy(&w);
	guest_vp_destroy(&v);
	guest_destroy(&g);
}

TEST(affinity_obeyed)
{
	struct hvtb_vp_sched p;
	struct guest g;
	struct guest_vp v;
	int cpu = last_cpu();

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, set_sched(&v, 100, 0, 0, cpu));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SCHED, (uintptr_t)&p));
	EXPECT_EQ((uint32_t)cpu, p.cpu);
	EXPECT_EQ(1ULL << cpu, p.affinity[0]);
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_spin_count, 0, 0));
	memcpy(guest_gpa(&g, (uintptr_t)&spin_stop), &(uint32_t){ 1 }, 4);
	EXPECT_UCALL(&v, UCALL_DONE);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SCHED, (uintptr_t)&p));
	EXPECT_EQ((uint32_t)cpu, p.cpu);
	guest_vp_destroy(&v);
	guest_destroy(&g);
}

/* Three CPU-bound VPs with weights 1:1:2 on one CPU. */
TEST(weights_1_1_2)
{
	static const uint32_t weight[3] = { 100, 100, 200 };
	struct spinner s[3];
	struct guest g;
	uint64_t rt[3], sum = 0;
	int i, cpu = last_cpu();

	GUEST_OR_SKIP(&g, 0);
	memset(s, 0, sizeof(s));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, guest_vp_create(&g, &s[i].v, i));
		ASSERT_EQ(0, set_sched(&s[i].v, weight[i], 0, 0, cpu));
		ASSERT_EQ(0, guest_vp_enter_long(&s[i].v, guest_spin_count, i, 0));
	}
	run_spinners(_metadata, &g, s, 3, 1500);
	for (i = 0; i < 3; i++)
		sum += rt[i] = runtime_ns(&s[i].v);
	ASSERT_LT(0, sum);
	for (i = 0; i < 3; i++) {
		double share = (double)rt[i] / sum, ideal = weight[i] / 400.0;

		TH_LOG("VP %d weight %u: %.1f%% of the CPU (ideal %.1f%%), %lu iterations",
		       i, weight[i], share * 100, ideal * 100,
		       (unsigned long)((volatile uint64_t *)guest_gpa(&g,
				(uintptr_t)spin_count))[i]);
		EXPECT_GE(0.05 * ideal, share > ideal ? share - ideal : ideal - share);
		guest_vp_destroy(&s[i].v);
	}
	guest_destroy(&g);
}

/* A VP capped at 25% of a CPU, alone on it, never gets more. */
TEST(cap_25pct)
{
	struct spinner s[1];
	struct guest g;
	uint64_t t0, wall, rt;
	int cpu = last_cpu();

	GUEST_OR_SKIP(&g, 0);
	memset(s, 0, sizeof(s));
	ASSERT_EQ(0, guest_vp_create(&g, &s[0].v, 0));
	ASSERT_EQ(0, set_sched(&s[0].v, 100, 2500, 0, cpu));
	ASSERT_EQ(0, guest_vp_enter_long(&s[0].v, guest_spin_count, 0, 0));
	t0 = now_ns();
	run_spinners(_metadata, &g, s, 1, 1000);
	wall = now_ns() - t0;
	rt = runtime_ns(&s[0].v);
	TH_LOG("capped VP: %.1f%% of %lu ms", 100.0 * rt / wall,
	       (unsigned long)(wall / 1000000));
	/*
	 * At most 25% of each 100 ms period plus one 1 ms quantum, over
	 * every period the run touched (the first and last are partial).
	 */
	EXPECT_GE((wall / 100000000 + 2) * (25000000 + 1000000), rt);
	EXPECT_LE(wall / 10, rt);	/* and it did run */
	guest_vp_destroy(&s[0].v);
	guest_destroy(&g);
}

/* A reserve is met against heavier competitors. */
TEST(reserve_under_contention)
{
	struct spinner s[3];
	struct guest g;
	uint64_t rt[3], sum = 0;
	int i, cpu = last_cpu();

	GUEST_OR_SKIP(&g, 0);
	memset(s, 0, sizeof(s));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, guest_vp_create(&g, &s[i].v, i));
		ASSERT_EQ(0, set_sched(&s[i].v, i ? 1000 : 1, 0, i ? 0 : 4000, cpu));
		ASSERT_EQ(0, guest_vp_enter_long(&s[i].v, guest_spin_count, i, 0));
	}
	run_spinners(_metadata, &g, s, 3, 1500);
	for (i = 0; i < 3; i++)
		sum += rt[i] = runtime_ns(&s[i].v);
	ASSERT_LT(0, sum);
	TH_LOG("reserved VP: %.1f%% (reserve 40%%)", 100.0 * rt[0] / sum);
	EXPECT_LE(0.38, (double)rt[0] / sum);
	for (i = 0; i < 3; i++)
		guest_vp_destroy(&s[i].v);
	guest_destroy(&g);
}

/* More spinning VPs than CPUs: every one progresses. */
TEST(more_vps_than_cpus)
{
	struct spinner s[MAX_SPIN_VPS];
	struct guest g;
	volatile uint64_t *count;
	int i;

	GUEST_OR_SKIP(&g, 0);
	memset(s, 0, sizeof(s));
	for (i = 0; i < MAX_SPIN_VPS; i++) {
		ASSERT_EQ(0, guest_vp_create(&g, &s[i].v, i));
		ASSERT_EQ(0, guest_vp_enter_long(&s[i].v, guest_spin_count, i, 0));
	}
	memset(guest_gpa(&g, (uintptr_t)spin_count), 0, sizeof(spin_count));
	run_spinners(_metadata, &g, s, MAX_SPIN_VPS, 800);
	count = guest_gpa(&g, (uintptr_t)spin_count);
	for (i = 0; i < MAX_SPIN_VPS; i++) {
		EXPECT_LT(0, count[i]);
		EXPECT_LT(0, runtime_ns(&s[i].v));
		guest_vp_destroy(&s[i].v);
	}
	guest_destroy(&g);
}

static int cpu_online(int cpu, int on)
{
	char path[64];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	r = fprintf(f, "%d\n", on) < 0 ? -EIO : 0;
	if (fclose(f))
		r = -errno;
	return r;
}

/* A VP pinned to a CPU that goes offline keeps running elsewhere. */
TEST(cpu_offline_with_vp_running)
{
	struct spinner s[1];
	struct hvtb_vp_sched p;
	struct guest g;
	volatile uint64_t *count;
	uint64_t before;
	uint32_t one = 1;
	pthread_t t;
	int cpu = last_cpu();

	if (cpu < 1)
		SKIP(return, "needs 2 CPUs (run with CPUS=2)");
	GUEST_OR_SKIP(&g, 0);
	memset(s, 0, sizeof(s));
	ASSERT_EQ(0, guest_vp_create(&g, &s[0].v, 0));
	ASSERT_EQ(0, set_sched(&s[0].v, 100, 0, 0, cpu));
	ASSERT_EQ(0, guest_vp_enter_long(&s[0].v, guest_spin_count, 0, 0));
	count = guest_gpa(&g, (uintptr_t)spin_count);
	count[0] = 0;
	memset(guest_gpa(&g, (uintptr_t)&spin_stop), 0, sizeof(spin_stop));
	ASSERT_EQ(0, pthread_create(&t, NULL, spinner_thread, &s[0]));
	while (!count[0])
		usleep(10000);
	ASSERT_EQ(0, cpu_online(cpu, 0));
	before = count[0];
	while (count[0] == before)	/* it goes on, on another CPU */
		usleep(10000);
	ASSERT_EQ(0, cpu_online(cpu, 1));
	memcpy(guest_gpa(&g, (uintptr_t)&spin_stop), &one, sizeof(one));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, s[0].result) TH_LOG("%s", s[0].msg);
	ASSERT_EQ(0, guest_ioctl(s[0].v.fd, HVTB_VP_GET_SCHED, (uintptr_t)&p));
	EXPECT_NE((uint32_t)cpu, p.cpu);
	guest_vp_destroy(&s[0].v);
	guest_destroy(&g);
}

/* ---- one epoll loop serving many VPs (HVTB_RUN_ASYNC) ---- */

#define EPOLL_VPS	3
#define EPOLL_OUTS	20

static void guest_outs(uint64_t index, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		guest_outl(0x60, (uint32_t)(index << 16 | i));
}

TEST(epoll_serves_many_vps)
{
	struct guest_vp v[EPOLL_VPS];
	struct epoll_event ev, evs[EPOLL_VPS];
	struct hvtb_regs regs;
	struct guest g;
	struct ucall uc;
	int outs[EPOLL_VPS] = { 0 }, done = 0, ep, i, n;

	GUEST_OR_SKIP(&g, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	for (i = 0; i < EPOLL_VPS; i++) {
		ASSERT_EQ(0, guest_vp_create(&g, &v[i], i));
		ASSERT_EQ(0, guest_vp_enter_long(&v[i], guest_outs, i, EPOLL_OUTS));
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, v[i].fd, &ev));
		ASSERT_EQ(-EINPROGRESS, guest_ioctl(v[i].fd, HVTB_VP_RUN, HVTB_RUN_ASYNC));
	}
	/* In flight: the VP's state is not to be touched. */
	EXPECT_EQ(-EBUSY, guest_ioctl(v[0].fd, HVTB_VP_GET_REGS, (uintptr_t)&regs));
	EXPECT_EQ(-EBUSY, guest_ioctl(v[0].fd, HVTB_VP_RUN, HVTB_RUN_ASYNC));
	EXPECT_EQ(-EINVAL, guest_ioctl(v[0].fd, HVTB_VP_RUN, 2));

	while (done < EPOLL_VPS) {
		n = epoll_wait(ep, evs, EPOLL_VPS, 60000);
		ASSERT_LT(0, n);
		for (i = 0; i < n; i++) {
			struct guest_vp *w = &v[evs[i].data.u32];
			int k = evs[i].data.u32;

			ASSERT_EQ(0, guest_ioctl(w->fd, HVTB_VP_RUN, 0));
			if (guest_get_ucall(w, &uc) == UCALL_DONE) {
				done++;
				continue;
			}
			ASSERT_EQ(HVTB_EXIT_IO, w->run->exit_reason);
			EXPECT_EQ((uint32_t)(k << 16 | outs[k]), w->run->io.value);
			outs[k]++;
			ASSERT_EQ(-EINPROGRESS,
				  guest_ioctl(w->fd, HVTB_VP_RUN, HVTB_RUN_ASYNC));
		}
	}
	for (i = 0; i < EPOLL_VPS; i++) {
		EXPECT_EQ(EPOLL_OUTS, outs[i]);
		/* Idle again: no EPOLLIN, ioctls allowed. */
		EXPECT_EQ(0, guest_ioctl(v[i].fd, HVTB_VP_GET_REGS, (uintptr_t)&regs));
		guest_vp_destroy(&v[i]);
	}
	close(ep);
	guest_destroy(&g);
}

TEST(async_run_closed_in_flight)
{
	struct guest g;
	struct guest_vp v, r;

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	memset(guest_gpa(&g, (uintptr_t)&spin_stop), 0, sizeof(spin_stop));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_spin_count, 0, 0));
	ASSERT_EQ(-EINPROGRESS, guest_ioctl(v.fd, HVTB_VP_RUN, HVTB_RUN_ASYNC));
	usleep(20000);
	guest_vp_destroy(&v);		/* the spinning run ends with its fd */
	guest_destroy(&g);

	GUEST_OR_SKIP(&g, GUEST_ROOT_SCHED);
	ASSERT_EQ(0, guest_vp_create(&g, &r, 0));
	EXPECT_EQ(-EINVAL, guest_ioctl(r.fd, HVTB_VP_RUN, HVTB_RUN_ASYNC));
	guest_vp_destroy(&r);
	guest_destroy(&g);
}

TEST_HARNESS_MAIN
