// SPDX-License-Identifier: GPL-2.0
/*
 * sched_test - hvtb's own vCPU scheduler: VPs execute on hvtb's per-CPU
 * threads by default and on the RUN caller with HVTB_PARTITION_ROOT_SCHED;
 * weights, caps, reserves and affinity (HVTB_VP_SET_SCHED) are honoured;
 * VPs survive their CPU going offline or leaving the scheduler CPU set
 * (HVTB_SET_SCHED_CPUS); a PAUSE-looping VP yields to the others of its
 * CPU; one epoll loop serves many VPs; bad values are refused.
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
#include <sys/wait.h>

#include "hvtb_harness.h"
#include "guest.h"
#include "spin.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	600

/*
 * Wall (= guest) time of the measurements: long enough for hundreds of
 * 1 ms quanta and three 100 ms periods, short enough for Bochs, where the
 * test VM's TSC runs at 3.5 GHz of its clock but one tick per emulated
 * instruction: a second of spinning is 3.5e9 instructions (minutes).
 */
#define SHARE_MS	300
#define CAP_MS		300
#define PROGRESS_MS	100

#define EXIT_REASON_PAUSE	40	/* VMX basic exit reason of PAUSE */

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

/* Run the @n spinners of @g for @ms of wall time, then stop them. */
static void run_spinners(struct __test_metadata *_metadata, struct guest *g,
			 struct spinner *s, int n, unsigned int ms)
{
	int i, r = spinners_run(g, s, n, ms);

	for (i = 0; i < n && r; i++) {
		EXPECT_EQ(0, s[i].result) {
			TH_LOG("VP %d: %s", i, s[i].msg);
		}
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
	ASSERT_EQ(0, guest_vp_enter_long(&v, spin_guest, 0, 0));
	spin_set_stop(&g, 1);
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
	ASSERT_EQ(0, guest_vp_enter_long(&v, spin_guest, 0, 0));
	spin_set_stop(&g, 1);
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

/* The partition's default policy, which new VPs start with. */
TEST(partition_default_policy)
{
	struct hvtb_vp_sched p, q;
	struct guest_vp v, w, x;
	struct guest g;
	int cpu = last_cpu();

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_GET_SCHED, (uintptr_t)&p));
	EXPECT_EQ(HVTB_SCHED_WEIGHT_DEFAULT, p.weight);
	EXPECT_EQ(0, p.cap_bp);
	EXPECT_EQ(0, p.reserve_bp);

	/* Refused like HVTB_VP_SET_SCHED's values. */
	p.weight = 0;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_SCHED, (uintptr_t)&p));
	p.weight = 300;
	p.cpu = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_SCHED, (uintptr_t)&p));
	p.cpu = 0;
	p.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_SCHED, (uintptr_t)&p));
	p.reserved[0] = 0;
	p.affinity[HVTB_CPU_MASK_WORDS - 1] = 1ULL << 63;	/* no such CPU */
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_SCHED, (uintptr_t)&p));
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_PARTITION_SET_SCHED, 8));

	/* New VPs take it; the VP is placed at its first run. */
	memset(&p, 0, sizeof(p));
	p.weight = 300;
	p.cap_bp = 5000;
	p.affinity[cpu / 64] = 1ULL << (cpu % 64);
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_SCHED, (uintptr_t)&p));
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_SCHED, (uintptr_t)&q));
	EXPECT_EQ(300, q.weight);
	EXPECT_EQ(5000, q.cap_bp);
	EXPECT_EQ(p.affinity[cpu / 64], q.affinity[cpu / 64]);
	EXPECT_EQ(~0U, q.cpu);

	/* A default reserve is admitted at VP creation. */
	p.cap_bp = 0;
	p.reserve_bp = 6000;
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_SET_SCHED, (uintptr_t)&p));
	ASSERT_EQ(0, guest_vp_create(&g, &w, 1));
	ASSERT_EQ(0, guest_ioctl(w.fd, HVTB_VP_GET_SCHED, (uintptr_t)&q));
	EXPECT_EQ(6000, q.reserve_bp);
	EXPECT_EQ((uint32_t)cpu, q.cpu);
	EXPECT_EQ(-ENOSPC, guest_vp_create(&g, &x, 2));	/* 2 x 60% of one CPU */
	guest_vp_destroy(&w);		/* gives its reserve back */
	ASSERT_EQ(0, guest_vp_create(&g, &x, 2));
	guest_vp_destroy(&x);
	guest_vp_destroy(&v);
	guest_destroy(&g);

	/* The host's scheduler decides in root mode. */
	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY | GUEST_ROOT_SCHED);
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_GET_SCHED, (uintptr_t)&p));
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_SET_SCHED, (uintptr_t)&p));
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
	ASSERT_EQ(0, guest_vp_enter_long(&v, spin_guest, 0, 0));
	spin_set_stop(&g, 1);
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
	uint64_t rt[3], c0[3], sum = 0;
	volatile uint64_t *count;
	int i, cpu = last_cpu();

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, spinners_create(&g, s, 3));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, set_sched(&s[i].v, weight[i], 0, 0, cpu));
	/*
	 * The shares of a window that starts once all three spin: the VPs
	 * start one after the other, and the first one's head start is a
	 * few percent of a 300 ms window (a 27.2 % share was seen). The same
	 * loop in each guest, so iterations measure CPU time.
	 */
	count = spin_counts(&g);
	spinners_start(&g, s, 3);
	for (i = 0; i < 5000 && (!count[0] || !count[1] || !count[2]); i++)
		usleep(1000);
	usleep(20000);
	for (i = 0; i < 3; i++)
		c0[i] = count[i];
	usleep(SHARE_MS * 1000);
	for (i = 0; i < 3; i++)
		sum += rt[i] = count[i] - c0[i];
	if (spinners_stop(&g, s, 3))
		for (i = 0; i < 3; i++)
			EXPECT_EQ(0, s[i].result) TH_LOG("VP %d: %s", i, s[i].msg);
	ASSERT_LT(0, sum);
	for (i = 0; i < 3; i++) {
		double share = (double)rt[i] / sum, ideal = weight[i] / 400.0;

		TH_LOG("VP %d weight %u: %.1f%% of the CPU (ideal %.1f%%), %lu iterations in the window, %lu ns in all",
		       i, weight[i], share * 100, ideal * 100, (unsigned long)rt[i],
		       (unsigned long)runtime_ns(&s[i].v));
		EXPECT_GE(0.05 * ideal, share > ideal ? share - ideal : ideal - share);
	}
	spinners_destroy(s, 3);
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
	ASSERT_EQ(0, spinners_create(&g, s, 1));
	ASSERT_EQ(0, set_sched(&s[0].v, 100, 2500, 0, cpu));
	t0 = now_ns();
	run_spinners(_metadata, &g, s, 1, CAP_MS);
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
	spinners_destroy(s, 1);
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
	ASSERT_EQ(0, spinners_create(&g, s, 3));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, set_sched(&s[i].v, i ? 1000 : 1, 0, i ? 0 : 4000, cpu));
	run_spinners(_metadata, &g, s, 3, SHARE_MS);
	for (i = 0; i < 3; i++)
		sum += rt[i] = runtime_ns(&s[i].v);
	ASSERT_LT(0, sum);
	TH_LOG("reserved VP: %.1f%% (reserve 40%%)", 100.0 * rt[0] / sum);
	EXPECT_LE(0.38, (double)rt[0] / sum);
	spinners_destroy(s, 3);
	guest_destroy(&g);
}

/* More spinning VPs than CPUs: every one progresses. */
TEST(more_vps_than_cpus)
{
	struct spinner s[SPIN_MAX_VPS];
	struct guest g;
	int i;

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, spinners_create(&g, s, SPIN_MAX_VPS));
	run_spinners(_metadata, &g, s, SPIN_MAX_VPS, PROGRESS_MS);
	for (i = 0; i < SPIN_MAX_VPS; i++) {
		EXPECT_LT(0, spin_counts(&g)[i]);
		EXPECT_LT(0, runtime_ns(&s[i].v));
	}
	spinners_destroy(s, SPIN_MAX_VPS);
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
	int cpu = last_cpu();

	if (cpu < 1)
		SKIP(return, "needs 2 CPUs (run with CPUS=2)");
	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, spinners_create(&g, s, 1));
	ASSERT_EQ(0, set_sched(&s[0].v, 100, 0, 0, cpu));
	count = spin_counts(&g);
	spinners_start(&g, s, 1);
	while (!count[0])
		usleep(10000);
	ASSERT_EQ(0, cpu_online(cpu, 0));
	before = count[0];
	while (count[0] == before)	/* it goes on, on another CPU */
		usleep(10000);
	ASSERT_EQ(0, cpu_online(cpu, 1));
	EXPECT_EQ(0, spinners_stop(&g, s, 1)) TH_LOG("%s", s[0].msg);
	ASSERT_EQ(0, guest_ioctl(s[0].v.fd, HVTB_VP_GET_SCHED, (uintptr_t)&p));
	EXPECT_NE((uint32_t)cpu, p.cpu);
	spinners_destroy(s, 1);
	guest_destroy(&g);
}

/* ---- the scheduler CPU set (HVTB_SET/GET_SCHED_CPUS) ---- */

static int sched_cpus(struct guest *g, struct hvtb_sched_cpus *c, int set)
{
	return guest_ioctl(g->dev, set ? HVTB_SET_SCHED_CPUS : HVTB_GET_SCHED_CPUS,
			   (uintptr_t)c);
}

/* Without CAP_SYS_NICE the set cannot change (a child drops root). */
static int sched_cpus_unprivileged(struct guest *g, struct hvtb_sched_cpus *c)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(setuid(65534) ? 2 : sched_cpus(g, c, 1) == -EPERM ? 0 : 1);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(sched_cpu_set_bad_input)
{
	struct hvtb_sched_cpus all, c;
	struct guest g;
	int i;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	memset(&all, 0, sizeof(all));
	ASSERT_EQ(0, sched_cpus(&g, &all, 0));
	for (i = 0; i <= last_cpu(); i++)	/* default: every CPU */
		EXPECT_TRUE(all.mask[i / 64] & 1ULL << (i % 64));
	c = all;
	c.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, sched_cpus(&g, &c, 1));
	memset(&c, 0, sizeof(c));
	EXPECT_EQ(-EINVAL, sched_cpus(&g, &c, 1));	/* no CPU */
	c.mask[HVTB_CPU_MASK_WORDS - 1] = 1ULL << 63;
	EXPECT_EQ(-EINVAL, sched_cpus(&g, &c, 1));	/* none online */
	EXPECT_EQ(-EFAULT, guest_ioctl(g.dev, HVTB_SET_SCHED_CPUS, 8));
	EXPECT_EQ(-EFAULT, guest_ioctl(g.dev, HVTB_GET_SCHED_CPUS, 8));
	EXPECT_EQ(0, sched_cpus_unprivileged(&g, &all));
	EXPECT_EQ(0, sched_cpus(&g, &all, 1));		/* the same set */
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, sched_cpus(&g, &c, 0));
	EXPECT_EQ(0, memcmp(&c, &all, sizeof(c)));
	guest_destroy(&g);
}

/* A VP spinning on a CPU that leaves the set goes on elsewhere. */
TEST(sched_cpu_set_moves_vps)
{
	struct hvtb_sched_cpus all, c;
	struct hvtb_vp_sched p;
	struct spinner s[1];
	struct guest_vp w;
	struct guest g;
	volatile uint64_t *count;
	uint64_t before;
	int cpu = last_cpu();

	if (cpu < 1)
		SKIP(return, "needs 2 CPUs (run with CPUS=2)");
	GUEST_OR_SKIP(&g, 0);
	memset(&all, 0, sizeof(all));
	ASSERT_EQ(0, sched_cpus(&g, &all, 0));
	ASSERT_EQ(0, spinners_create(&g, s, 1));
	ASSERT_EQ(0, set_sched(&s[0].v, 100, 0, 0, cpu));
	ASSERT_EQ(0, guest_vp_create(&g, &w, 1));
	ASSERT_EQ(0, set_sched(&w, 100, 0, 1000, cpu));	/* placed, idle */
	count = spin_counts(&g);
	spinners_start(&g, s, 1);
	while (!count[0])
		usleep(10000);

	c = all;
	c.mask[cpu / 64] &= ~(1ULL << (cpu % 64));
	/* A reserve on the leaving CPU: refused, nothing changes. */
	EXPECT_EQ(-EBUSY, sched_cpus(&g, &c, 1));
	ASSERT_EQ(0, set_sched(&w, 100, 0, 0, cpu));
	EXPECT_EQ(0, sched_cpus(&g, &c, 1));
	before = count[0];
	while (count[0] == before)	/* it goes on, on another CPU */
		usleep(10000);
	EXPECT_EQ(0, sched_cpus(&g, &all, 1));
	EXPECT_EQ(0, spinners_stop(&g, s, 1)) TH_LOG("%s", s[0].msg);
	ASSERT_EQ(0, guest_ioctl(s[0].v.fd, HVTB_VP_GET_SCHED, (uintptr_t)&p));
	EXPECT_NE((uint32_t)cpu, p.cpu);
	ASSERT_EQ(0, guest_ioctl(w.fd, HVTB_VP_GET_SCHED, (uintptr_t)&p));
	EXPECT_NE((uint32_t)cpu, p.cpu);
	guest_vp_destroy(&w);
	spinners_destroy(s, 1);
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
	spin_set_stop(&g, 0);
	ASSERT_EQ(0, guest_vp_enter_long(&v, spin_guest, 0, 0));
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

/* ---- PAUSE-loop exiting: a spinning waiter yields to the lock holder ---- */

static volatile uint32_t ple_flag, ple_waiting;

static void guest_ple_waiter(void)
{
	ple_waiting = 1;
	while (!ple_flag)
		__asm__ volatile("pause" : : : "memory");
}

static void guest_ple_holder(void)
{
	uint64_t i;

	for (i = 0; i < 50000000; i++)
		__asm__ volatile("" : : : "memory");
	ple_flag = 1;
}

static uint64_t vp_stat(struct guest_vp *v, uint64_t *pause_exits)
{
	struct hvtb_vp_stats st;

	if (guest_ioctl(v->fd, HVTB_VP_GET_STATS, (uintptr_t)&st))
		return 0;
	if (pause_exits)
		*pause_exits = st.by_reason[EXIT_REASON_PAUSE];
	return st.sched_runtime_ns;
}

/*
 * A VP spinning with PAUSE on a flag that another VP of its CPU sets after
 * a long computation: each PAUSE-loop exit puts the waiter behind the
 * holder, so the holder gets nearly all of the CPU (without PAUSE-loop
 * exiting, equal weights would share it half and half).
 */
TEST(pause_loop_yields)
{
	struct hvtb_capabilities caps = { 0 };
	struct spinner s[2];
	struct guest g;
	struct ucall uc;
	uint64_t waiter_rt, holder_rt, exits0 = 0, exits = 0;
	int i, cpu = last_cpu();

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_ioctl(g.dev, HVTB_GET_CAPABILITIES, (uintptr_t)&caps));
	if (!(caps.features & HVTB_FEAT_PAUSE_LOOP_EXITING)) {
		guest_destroy(&g);
		SKIP(return, "the CPU has no PAUSE-loop exiting");
	}
	memset(s, 0, sizeof(s));
	memset(guest_gpa(&g, (uintptr_t)&ple_flag), 0, sizeof(ple_flag));
	memset(guest_gpa(&g, (uintptr_t)&ple_waiting), 0, sizeof(ple_waiting));
	for (i = 0; i < 2; i++) {
		s[i].cpu = -1;
		ASSERT_EQ(0, guest_vp_create(&g, &s[i].v, i));
		ASSERT_EQ(0, set_sched(&s[i].v, 100, 0, 0, cpu));
		ASSERT_EQ(0, guest_vp_enter_long(&s[i].v, i ? (void *)guest_ple_holder :
						 (void *)guest_ple_waiter, 0, 0));
	}
	/*
	 * The waiter spins first (an asynchronous run, so that its counters
	 * can be read meanwhile); then the holder joins it on the CPU.
	 */
	ASSERT_EQ(-EINPROGRESS, guest_ioctl(s[0].v.fd, HVTB_VP_RUN, HVTB_RUN_ASYNC));
	while (!*(volatile uint32_t *)guest_gpa(&g, (uintptr_t)&ple_waiting))
		usleep(1000);
	waiter_rt = vp_stat(&s[0].v, &exits0);
	spinners_start(&g, &s[1], 1);
	EXPECT_EQ(0, spinners_stop(&g, &s[1], 1)) {
		TH_LOG("holder: %s", s[1].msg);
	}
	ASSERT_EQ(0, guest_ioctl(s[0].v.fd, HVTB_VP_RUN, 0));	/* collect */
	EXPECT_EQ(UCALL_DONE, guest_get_ucall(&s[0].v, &uc));
	waiter_rt = vp_stat(&s[0].v, &exits) - waiter_rt;
	holder_rt = vp_stat(&s[1].v, NULL);
	TH_LOG("while the holder computed: waiter %lu PAUSE-loop exits, %lu us of CPU; holder %lu us",
	       (unsigned long)(exits - exits0), (unsigned long)(waiter_rt / 1000),
	       (unsigned long)(holder_rt / 1000));
	EXPECT_LT(0, exits - exits0);
	EXPECT_LT(waiter_rt * 4, holder_rt);
	for (i = 0; i < 2; i++)
		guest_vp_destroy(&s[i].v);
	guest_destroy(&g);
}

TEST_HARNESS_MAIN
