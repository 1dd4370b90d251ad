// SPDX-License-Identifier: GPL-2.0
/*
 * sched_policy_test - the policy arithmetic of hvtb's vCPU scheduler
 * (kmod/sched/policy.h) on the build host: one run queue simulated quantum
 * by quantum with CPU-bound and halting VPs. Weights are honoured within
 * 1% of the ideal share, a cap is never exceeded by more than one quantum
 * per period, a reserve is met under contention, halted VPs get nothing
 * and gain no credit, bad policy values are refused.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

/* The shim: the kernel types policy.h uses. */
typedef uint32_t u32;
typedef uint64_t u64;

#include "../../kmod/sched/policy.h"

#define MS		1000000ULL
#define QUANTUM		(1 * MS)
#define PERIOD		(100 * MS)
#define MAX_ENTS	8

struct sim {
	struct sched_policy_rq rq;
	struct sched_ent e[MAX_ENTS];
	u64 total[MAX_ENTS];	/* runtime over the whole simulation */
	u64 period_max[MAX_ENTS];	/* the most used in any one period */
	u64 idle;
	unsigned int n;
	u64 now;
};

static void sim_init(struct sim *s, unsigned int n)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->rq.period_ns = PERIOD;
	for (i = 0; i < n; i++) {
		s->e[i].weight = HVTB_SCHED_WEIGHT_DEFAULT;
		s->e[i].runnable = true;
	}
}

static void sim_note_period(struct sim *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].used > s->period_max[i])
			s->period_max[i] = s->e[i].used;
}

/* Run until @until; a VP runs its whole slice (it is CPU-bound). */
static void sim_run(struct sim *s, u64 until)
{
	while (s->now < until) {
		u64 slice;
		int k;

		sim_note_period(s);
		sched_period_roll(&s->rq, s->e, s->n, s->now);
		k = sched_pick(&s->rq, s->e, s->n);
		if (k < 0) {
			/* Everybody capped out (or halted): idle to the period end. */
			slice = sched_period_end(&s->rq) - s->now;
			s->idle += slice;
			s->now += slice;
			continue;
		}
		slice = sched_slice(&s->rq, &s->e[k], s->now, QUANTUM);
		sched_charge(&s->rq, &s->e[k], slice);
		s->total[k] += slice;
		s->now += slice;
	}
	sim_note_period(s);
}

/* @part of @whole in parts per 10000. */
static long share_bp(u64 part, u64 whole)
{
	return (long)(part * 10000 / whole);
}

TEST(weights_1_1_2_within_1pct)
{
	struct sim s;

	sim_init(&s, 3);
	s.e[0].weight = 100;
	s.e[1].weight = 100;
	s.e[2].weight = 200;
	sim_run(&s, 10000 * MS);
	EXPECT_GE(100, labs(share_bp(s.total[0], s.now) - 2500));
	EXPECT_GE(100, labs(share_bp(s.total[1], s.now) - 2500));
	EXPECT_GE(100, labs(share_bp(s.total[2], s.now) - 5000));
	EXPECT_EQ(0, s.idle);
}

TEST(extreme_weights_both_progress)
{
	struct sim s;

	sim_init(&s, 2);
	s.e[0].weight = HVTB_SCHED_WEIGHT_MIN;
	s.e[1].weight = HVTB_SCHED_WEIGHT_MAX;
	sim_run(&s, 20000 * MS);
	EXPECT_LT(0, s.total[0]);	/* the light VP is not starved */
	EXPECT_GE(2, share_bp(s.total[0], s.now));	/* ~1/10001 */
}

TEST(more_vps_than_quanta_per_period_all_progress)
{
	struct sim s;
	unsigned int i;

	sim_init(&s, MAX_ENTS);
	sim_run(&s, 1000 * MS);
	for (i = 0; i < MAX_ENTS; i++)
		EXPECT_GE(20, labs(share_bp(s.total[i], s.now) - 10000 / MAX_ENTS));
}

TEST(cap_25pct_alone_never_exceeded)
{
	struct sim s;

	sim_init(&s, 1);
	s.e[0].cap_bp = 2500;
	sim_run(&s, 5000 * MS);
	EXPECT_GE(PERIOD / 4, s.period_max[0]);
	EXPECT_EQ(2500, share_bp(s.total[0], s.now));
	EXPECT_EQ(s.now - s.total[0], s.idle);	/* the rest of the CPU idles */
}

TEST(cap_with_competition)
{
	struct sim s;

	sim_init(&s, 2);
	s.e[0].cap_bp = 1000;
	s.e[0].weight = 10000;		/* would take it all without the cap */
	sim_run(&s, 5000 * MS);
	EXPECT_GE(PERIOD / 10, s.period_max[0]);
	EXPECT_EQ(9000, share_bp(s.total[1], s.now));
	EXPECT_EQ(0, s.idle);
}

TEST(reserve_met_under_contention)
{
	struct sim s;
	unsigned int i;

	sim_init(&s, 4);
	s.e[0].weight = 1;		/* by weight alone it would get ~0.3% */
	s.e[0].reserve_bp = 4000;
	for (i = 1; i < 4; i++)
		s.e[i].weight = 1000;
	sim_run(&s, 5000 * MS);
	EXPECT_LE(3990, share_bp(s.total[0], s.now));
	/* The others split the rest by weight. */
	for (i = 1; i < 4; i++)
		EXPECT_GE(50, labs(share_bp(s.total[i], s.now) - 2000));
}

TEST(reserve_and_cap_together)
{
	struct sim s;

	sim_init(&s, 2);
	s.e[0].reserve_bp = 3000;
	s.e[0].cap_bp = 3000;
	s.e[1].weight = 1;
	sim_run(&s, 3000 * MS);
	EXPECT_EQ(3000, share_bp(s.total[0], s.now));
	EXPECT_GE(PERIOD * 3 / 10, s.period_max[0]);
}

TEST(halted_vp_uses_nothing_and_earns_no_credit)
{
	struct sim s;

	sim_init(&s, 2);
	s.e[1].runnable = false;	/* halted */
	sim_run(&s, 2000 * MS);
	EXPECT_EQ(0, s.total[1]);
	EXPECT_EQ(s.now, s.total[0]);

	/* Woken after 2 s halted: it may lead by at most one quantum. */
	sched_wake(&s.rq, &s.e[1], QUANTUM);
	s.total[0] = s.total[1] = 0;
	sim_run(&s, s.now + 100 * MS);
	EXPECT_GE(50 * MS + QUANTUM, s.total[1]);
	EXPECT_LE(50 * MS - QUANTUM, s.total[1]);
}

TEST(nothing_runnable_idles)
{
	struct sim s;

	sim_init(&s, 2);
	s.e[0].runnable = s.e[1].runnable = false;
	EXPECT_EQ(-1, sched_pick(&s.rq, s.e, s.n));
}

TEST(slice_ends_at_cap_and_period_end)
{
	struct sched_policy_rq rq = { .period_ns = PERIOD };
	struct sched_ent e = { .weight = 100, .cap_bp = 1000 };

	EXPECT_EQ(QUANTUM, sched_slice(&rq, &e, 0, QUANTUM));
	e.used = PERIOD / 10 - 300;
	EXPECT_EQ(300, sched_slice(&rq, &e, 0, QUANTUM));
	e.used = 0;
	EXPECT_EQ(500, sched_slice(&rq, &e, PERIOD - 500, QUANTUM));
}

TEST(period_roll_stays_aligned)
{
	struct sched_policy_rq rq = { .period_ns = PERIOD };
	struct sched_ent e = { .weight = 100, .used = 5 };

	EXPECT_FALSE(sched_period_roll(&rq, &e, 1, PERIOD - 1));
	EXPECT_EQ(5, e.used);
	EXPECT_TRUE(sched_period_roll(&rq, &e, 1, 3 * PERIOD + 7));
	EXPECT_EQ(3 * PERIOD, rq.period_start);
	EXPECT_EQ(0, e.used);
}

TEST(policy_values)
{
	EXPECT_TRUE(sched_policy_valid(100, 0, 0));
	EXPECT_TRUE(sched_policy_valid(1, 10000, 10000));
	EXPECT_TRUE(sched_policy_valid(10000, 2500, 1000));
	EXPECT_FALSE(sched_policy_valid(0, 0, 0));
	EXPECT_FALSE(sched_policy_valid(10001, 0, 0));
	EXPECT_FALSE(sched_policy_valid(100, 10001, 0));
	EXPECT_FALSE(sched_policy_valid(100, 0, 10001));
	EXPECT_FALSE(sched_policy_valid(100, 1000, 2000));	/* reserve > cap */
}

TEST(reserves_never_overbook_a_cpu)
{
	struct sched_policy_rq rq = { .period_ns = PERIOD, .reserved_bp = 7000 };

	EXPECT_TRUE(sched_reserve_admit(&rq, 3000));
	EXPECT_FALSE(sched_reserve_admit(&rq, 3001));
	rq.reserved_bp = 0;
	EXPECT_TRUE(sched_reserve_admit(&rq, 10000));
	EXPECT_FALSE(sched_reserve_admit(&rq, 0xffffffffU));
}

TEST_HARNESS_MAIN
