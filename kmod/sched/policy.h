/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - scheduler: the pure policy arithmetic of hvtb's vCPU scheduler.
 *
 * Hyper-V's "classic" scheduler gives each VP a relative weight, a cap (the
 * most of one CPU it may use) and a reserve (the share of one CPU it is
 * guaranteed when it wants it). This header decides, for one run queue,
 * which VP runs next and for how long; the threads, run queues, locking
 * and the VMX preemption timer live in the kernel code around it. It is
 * free of kernel-only calls so that selftests/host/sched_policy_test.c
 * compiles it on the build host: a host includer defines u32, u64 and bool
 * first; the kernel gets them from <linux/types.h>.
 *
 * Time is in nanoseconds of CPU time. Caps and reserves are in basis points
 * of one CPU (1..10000; 0 means none) and are enforced per accounting
 * period: in each period a VP runs at most cap * period and, while it is
 * runnable, at least reserve * period (as far as the reserves admitted on
 * the CPU allow). Beyond its reserve and below its cap, a VP competes with
 * the others by weight: each VP's virtual runtime advances by its runtime
 * scaled by HVTB_SCHED_WEIGHT_DEFAULT / weight, and the runnable VP with
 * the smallest virtual runtime runs next.
 */
#ifndef HVTB_SCHED_POLICY_H
#define HVTB_SCHED_POLICY_H

#include <linux/types.h>
#include <linux/hvtb_sched.h>	/* HVTB_SCHED_WEIGHT_*, HVTB_SCHED_BP_ONE_CPU */

/* One schedulable VP as the policy sees it. */
struct sched_ent {
	u64 vruntime;		/* weighted runtime, ns at the default weight */
	u64 used;		/* runtime in the current period */
	u32 weight;		/* HVTB_SCHED_WEIGHT_MIN..MAX */
	u32 cap_bp;		/* 0: no cap */
	u32 reserve_bp;		/* 0: no reserve */
	bool runnable;
};

/* The per-CPU part the policy keeps. */
struct sched_policy_rq {
	u64 period_ns;		/* accounting period of caps and reserves */
	u64 period_start;	/* start of the current period */
	u64 lead_vruntime;	/* the largest virtual runtime charged */
	u32 reserved_bp;	/* sum of the reserves admitted on this CPU */
};

/**
 * sched_policy_valid() - are these policy values acceptable?
 * @weight: relative weight
 * @cap_bp: cap in basis points, 0 for none
 * @reserve_bp: reserve in basis points, 0 for none
 *
 * Return: true when the weight is in range, cap and reserve are at most one
 * CPU, and a reserve does not exceed a cap.
 */
static inline bool sched_policy_valid(u32 weight, u32 cap_bp, u32 reserve_bp)
{
	if (weight < HVTB_SCHED_WEIGHT_MIN || weight > HVTB_SCHED_WEIGHT_MAX)
		return false;
	if (cap_bp > HVTB_SCHED_BP_ONE_CPU || reserve_bp > HVTB_SCHED_BP_ONE_CPU)
		return false;
	return !cap_bp || reserve_bp <= cap_bp;
}

/* Can @reserve_bp more be promised on this CPU? Reserves never overbook it. */
static inline bool sched_reserve_admit(const struct sched_policy_rq *rq,
				       u32 reserve_bp)
{
	return (u64)rq->reserved_bp + reserve_bp <= HVTB_SCHED_BP_ONE_CPU;
}

/* @bp of one period, in ns. */
static inline u64 sched_bp_of_period(const struct sched_policy_rq *rq, u32 bp)
{
	return rq->period_ns / HVTB_SCHED_BP_ONE_CPU * bp +
	       rq->period_ns % HVTB_SCHED_BP_ONE_CPU * bp / HVTB_SCHED_BP_ONE_CPU;
}

/* Runtime left under the cap in this period (U64_MAX-like when uncapped). */
static inline u64 sched_cap_left(const struct sched_policy_rq *rq,
				 const struct sched_ent *e)
{
	u64 budget;

	if (!e->cap_bp)
		return ~0ULL;
	budget = sched_bp_of_period(rq, e->cap_bp);
	return e->used < budget ? budget - e->used : 0;
}

/* Runtime still owed from the reserve in this period. */
static inline u64 sched_reserve_left(const struct sched_policy_rq *rq,
				     const struct sched_ent *e)
{
	u64 budget = sched_bp_of_period(rq, e->reserve_bp);

	return e->used < budget ? budget - e->used : 0;
}

/**
 * sched_period_roll() - start a new accounting period when @now is past it.
 * @rq: the run queue
 * @ents: its entities
 * @n: how many
 * @now: the current time
 *
 * Return: true when a new period started (every entity's @used is 0 again).
 */
static inline bool sched_period_roll(struct sched_policy_rq *rq,
				     struct sched_ent *ents, unsigned int n,
				     u64 now)
{
	unsigned int i;

	if (now - rq->period_start < rq->period_ns)
		return false;
	/* Periods stay aligned; idle periods in between are skipped. */
	rq->period_start = now - (now - rq->period_start) % rq->period_ns;
	for (i = 0; i < n; i++)
		ents[i].used = 0;
	return true;
}

/* The end of the current period. */
static inline u64 sched_period_end(const struct sched_policy_rq *rq)
{
	return rq->period_start + rq->period_ns;
}

/*
 * Is @a further behind its reserve than @b? Compares used/reserve as
 * fractions by cross-multiplying (reserves are at most 10000, so the
 * products stay far from overflow for any sane period).
 */
static inline bool sched_reserve_before(const struct sched_ent *a,
					const struct sched_ent *b)
{
	return a->used * b->reserve_bp < b->used * a->reserve_bp;
}

/**
 * sched_pick() - the entity to run next.
 * @rq: the run queue (its period already rolled for @now)
 * @ents: the entities on it
 * @n: how many
 *
 * First a runnable VP still owed part of its reserve (the one furthest
 * behind it), then the runnable VP with the smallest virtual runtime that
 * is not over its cap.
 *
 * Return: an index into @ents, or -1 when every runnable VP is capped out
 * (or none is runnable) until the period ends.
 */
static inline int sched_pick(const struct sched_policy_rq *rq,
			     const struct sched_ent *ents, unsigned int n)
{
	int best = -1, owed = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct sched_ent *e = &ents[i];

		if (!e->runnable || !sched_cap_left(rq, e))
			continue;
		if (e->reserve_bp && sched_reserve_left(rq, e) &&
		    (owed < 0 || sched_reserve_before(e, &ents[owed])))
			owed = i;
		if (best < 0 || e->vruntime < ents[best].vruntime)
			best = i;
	}
	return owed >= 0 ? owed : best;
}

/**
 * sched_slice() - how long the picked entity may run before the policy
 * must be asked again.
 * @rq: the run queue
 * @e: the picked entity
 * @now: the current time
 * @quantum: the scheduler's quantum
 *
 * Return: the quantum, shortened to the cap budget left and to the end of
 * the period (where budgets reset and another VP may be owed its reserve).
 */
static inline u64 sched_slice(const struct sched_policy_rq *rq,
			      const struct sched_ent *e, u64 now, u64 quantum)
{
	u64 s = quantum, left = sched_cap_left(rq, e);
	u64 end = sched_period_end(rq);

	if (left < s)
		s = left;
	if (end > now && end - now < s)
		s = end - now;
	return s ? s : 1;
}

/* Charge @ns of runtime to @e and advance the queue's lead. */
static inline void sched_charge(struct sched_policy_rq *rq,
				struct sched_ent *e, u64 ns)
{
	e->used += ns;
	e->vruntime += ns * HVTB_SCHED_WEIGHT_DEFAULT / e->weight;
	if (e->vruntime > rq->lead_vruntime)
		rq->lead_vruntime = e->vruntime;
}

/*
 * A VP becomes runnable (new, woken from HLT, migrated here): it starts at
 * most one quantum behind the queue's lead virtual runtime, so time
 * spent halted earns no credit to monopolize the CPU on wake-up, while a
 * short sleep still lets it run soon.
 */
static inline void sched_wake(const struct sched_policy_rq *rq,
			      struct sched_ent *e, u64 quantum)
{
	u64 floor = rq->lead_vruntime > quantum ? rq->lead_vruntime - quantum : 0;

	if (e->vruntime < floor)
		e->vruntime = floor;
	e->runnable = true;
}

#endif /* HVTB_SCHED_POLICY_H */
