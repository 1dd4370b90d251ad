// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - the vCPU scheduler: VPs execute on hvtb's own per-CPU threads.
 *
 * Each scheduler CPU has a thread ("hvtb/N", an smpboot per-CPU thread, so
 * CPU hotplug parks and unparks it) and a queue of the VPs assigned to it.
 * HVTB_VP_RUN queues its VP on the VP's CPU and sleeps until the thread
 * reports the run's end (an intercept for user space, or a cancel). The
 * thread asks the policy (sched/policy.h: reserves, caps, weights) which VP
 * runs next and for how long, and runs it for that slice: the VMX
 * preemption timer ends the slice inside the guest, and the thread looks
 * at need_resched() after every exit, so the host keeps its CPU whenever
 * it needs it. A VP goes back to its queue when its slice ends and leaves
 * it when the run ends. A VP in HLT with nothing pending for its in-kernel
 * APIC leaves the queue too, without ending the run: BLOCKED, it costs no
 * CPU until the APIC's kick (hvtb_sched_unblock()) queues it again. SynIC
 * work for a BLOCKED VP ends its run instead: the RUN caller writes the
 * message into guest memory (HVTB_REQ_SYNIC) and the VP blocks here again
 * unless that raised an interrupt. The HLT itself is the request
 * HVTB_REQ_HALT: noted at the exit, taken when the VP wakes.
 *
 * The guest FPU state is loaded only inside one slice, with bottom halves
 * disabled: a kernel thread's FPU registers are not saved at a context
 * switch, and softirqs would use them otherwise.
 *
 * Locking: each CPU's lock protects its queue, its policy state and the
 * scheduling fields of the VPs assigned to it; a VP changes CPU only while
 * it is not RUNNING, under both CPUs' locks. The paths that place or move
 * VPs (run start, policy change, destruction) hold sched_cpus_sem for
 * reading and then the CPU hotplug lock; a change of the scheduler CPU set
 * holds sched_cpus_sem for writing, CPU hotplug the hotplug lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smpboot.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/tsc.h>

#include "hvtb.h"
#include "trace.h"
#include "vmx/vmx.h"

#define SCHED_PERIOD_NS		(100 * NSEC_PER_MSEC)

/* The slice a VP gets before the policy is asked again. */
static unsigned int sched_quantum_us = 1000;
module_param(sched_quantum_us, uint, 0644);
MODULE_PARM_DESC(sched_quantum_us, "scheduler quantum in microseconds (100..100000, default 1000)");

/* The host CPUs that run VPs. */
static char *sched_cpus;
module_param(sched_cpus, charp, 0444);
MODULE_PARM_DESC(sched_cpus, "host CPUs of hvtb's scheduler threads, a cpulist such as 0-3,6 (default: all)");

struct sched_cpu {
	spinlock_t lock;
	struct list_head vps;		/* every VP assigned here */
	unsigned int nr_vps;
	struct sched_policy_rq prq;
	struct hrtimer period_timer;	/* wakes the thread when caps reset */
	unsigned int cpu;
	bool online;			/* the thread is unparked */
};

static DEFINE_PER_CPU(struct sched_cpu, sched_cpu);
static DEFINE_PER_CPU(struct task_struct *, sched_thread);
static struct cpumask sched_mask;	/* scheduler CPUs (sched_cpus_sem) */
static DECLARE_RWSEM(sched_cpus_sem);

static u64 sched_quantum_ns(void)
{
	return (u64)clamp_t(unsigned int, READ_ONCE(sched_quantum_us), 100, 100000) *
	       NSEC_PER_USEC;
}

static u64 sched_now(void)
{
	return ktime_get_ns();
}

/*
 * May VPs run on @sc now: a scheduler CPU, its thread unparked and the CPU
 * in VMX root?
 */
static bool sched_cpu_usable(const struct sched_cpu *sc)
{
	return READ_ONCE(sc->online) && cpumask_test_cpu(sc->cpu, &sched_mask) &&
	       cpumask_test_cpu(sc->cpu, hvtb_vmx_root_cpus());
}

/* The entities of a CPU's VPs, gathered for the policy. Lock held. */
#define SCHED_PICK_MAX	HVTB_MAX_VPS

/*
 * Pick the VP to run next on @sc. Lock held. Returns NULL when nothing may
 * run now; *@wait_until is then the end of the period when some runnable
 * VP is only capped out (0 when nothing is runnable).
 */
static struct hvtb_vp *sched_pick_vp(struct sched_cpu *sc, u64 now,
				     u64 *wait_until)
{
	struct hvtb_vp *vp, *best = NULL, *owed = NULL;
	bool rolled, any = false;

	/* Roll the period: budgets start again. */
	rolled = now - sc->prq.period_start >= sc->prq.period_ns;
	if (rolled) {
		sc->prq.period_start = now - (now - sc->prq.period_start) %
					     sc->prq.period_ns;
		list_for_each_entry(vp, &sc->vps, sched.node)
			vp->sched.se.used = 0;
	}
	/* The same choice as sched_pick(), over the list. */
	list_for_each_entry(vp, &sc->vps, sched.node) {
		struct sched_ent *e = &vp->sched.se;

		if (!e->runnable)
			continue;
		any = true;
		if (!sched_cap_left(&sc->prq, e))
			continue;
		if (e->reserve_bp && sched_reserve_left(&sc->prq, e) &&
		    (!owed || sched_reserve_before(e, &owed->sched.se)))
			owed = vp;
		if (!best || e->vruntime < best->sched.se.vruntime)
			best = vp;
	}
	*wait_until = any ? sched_period_end(&sc->prq) : 0;
	return owed ?: best;
}

/* Wake @sc's thread (created by smpboot before any VP can use it). */
static void sched_kick(struct sched_cpu *sc)
{
	struct task_struct *t = per_cpu(sched_thread, sc->cpu);

	if (t)
		wake_up_process(t);
}

/* Is there something for this CPU's thread to do? smpboot asks. */
static int sched_thread_should_run(unsigned int cpu)
{
	struct sched_cpu *sc = per_cpu_ptr(&sched_cpu, cpu);
	u64 wait_until;
	bool run;

	if (!sched_cpu_usable(sc))
		return false;	/* VMX root left: park() moves the VPs */
	spin_lock_irq(&sc->lock);
	run = sched_pick_vp(sc, sched_now(), &wait_until) != NULL;
	spin_unlock_irq(&sc->lock);
	if (!run && wait_until)
		hrtimer_start(&sc->period_timer, ns_to_ktime(wait_until),
			      HRTIMER_MODE_ABS_PINNED);
	return run;
}

static enum hrtimer_restart sched_period_timer_fn(struct hrtimer *t)
{
	struct sched_cpu *sc = container_of(t, struct sched_cpu, period_timer);

	sched_kick(sc);
	return HRTIMER_NORESTART;
}

/* Hand the run's end to the RUN caller. Lock held. */
static void sched_finish(struct hvtb_vp *vp, int result)
{
	vp->sched.se.runnable = false;
	vp->sched.state = HVTB_SCHED_DONE;
	vp->sched.result = result;
	wake_up(&vp->sched.done);
}

/*
 * Is an interrupt or NMI waiting for @vp, which is in HLT, or SynIC work
 * (a message for the SIMP page, which the RUN caller writes)?
 */
static bool sched_vp_wakeable(struct hvtb_vp *vp)
{
	return hvtb_apic_nmi_pending(vp) || hvtb_apic_has_interrupt(vp) ||
	       hvtb_vp_test_request(vp, HVTB_REQ_SYNIC);
}

/**
 * hvtb_sched_unblock() - wake a VP that blocked in HLT; nothing for a VP
 * in any other state. The APIC calls it when it has an interrupt for the
 * VP, the SynIC when it has a message for it.
 *
 * An interrupt or NMI queues the VP (HVTB_REQ_HALT taken): the guest
 * resumes after its HLT. SynIC work alone ends the run instead, its
 * requests noted: the RUN caller writes the SIMP page and blocks here again
 * unless that raised an interrupt (vp.c). Anything else leaves it blocked.
 * @vp: the VP; any context (hardirq, other locks held, but not the APIC's).
 */
void hvtb_sched_unblock(struct hvtb_vp *vp)
{
	struct sched_cpu *sc;
	unsigned long fl;
	bool woke, irq;
	int cpu;

	/* A VP of a HVTB_PARTITION_ROOT_SCHED partition: no APIC look. */
	if (READ_ONCE(vp->sched.cpu) < 0)
		return;
	/* Before the CPU's lock: the APIC's lock is never taken inside it. */
	irq = vp->apic && (hvtb_apic_nmi_pending(vp) || hvtb_apic_has_interrupt(vp));

	/* The VP may move meanwhile; its CPU's lock pins it. */
	for (;;) {
		cpu = READ_ONCE(vp->sched.cpu);
		if (cpu < 0)
			return;		/* never on hvtb's scheduler */
		sc = per_cpu_ptr(&sched_cpu, cpu);
		spin_lock_irqsave(&sc->lock, fl);
		if (vp->sched.cpu == cpu)
			break;
		spin_unlock_irqrestore(&sc->lock, fl);
	}
	woke = vp->sched.state == HVTB_SCHED_BLOCKED && irq;
	if (woke) {
		hvtb_vp_check_request(vp, HVTB_REQ_HALT);	/* the HLT is over */
		vp->sched.state = HVTB_SCHED_QUEUED;
		vp->sched.queued_at = sched_now();
		sched_wake(&sc->prq, &vp->sched.se, sched_quantum_ns());
	} else if (vp->sched.state == HVTB_SCHED_BLOCKED &&
		   hvtb_vp_test_request(vp, HVTB_REQ_SYNIC)) {
		/* The RUN caller delivers; the HLT goes on after that. */
		sched_finish(vp, VMX_EXIT_CONTINUE);
	}
	spin_unlock_irqrestore(&sc->lock, fl);
	if (woke)
		sched_kick(sc);
}

/*
 * End the run of a VP that waits on its CPU, QUEUED or BLOCKED in HLT (the
 * next run resumes the HLT: HVTB_REQ_HALT stays noted), as cancelled. Lock
 * held. Return: whether it waited.
 */
static bool sched_end_waiting(struct hvtb_vp *vp)
{
	if (vp->sched.state != HVTB_SCHED_BLOCKED &&
	    vp->sched.state != HVTB_SCHED_QUEUED)
		return false;
	sched_finish(vp, VMX_EXIT_CONTINUE);
	return true;
}

/* Run @vp for one slice on this CPU's thread. */
static int sched_run_slice(struct hvtb_vp *vp, u64 slice_ns)
{
	int r;

	/* The guest FPU state lives in the registers only inside the slice. */
	hvtb_vp_set_task(vp, current);	/* kicks come to this thread */
	local_bh_disable();
	fpu_swap_kvm_fpstate(&vp->fpu, true);
	r = hvtb_vmx_vp_run(vp, rdtsc() + mul_u64_u32_div(slice_ns, tsc_khz,
							  USEC_PER_SEC));
	fpu_swap_kvm_fpstate(&vp->fpu, false);
	local_bh_enable();
	hvtb_vp_set_task(vp, NULL);
	return r;
}

/* One scheduling decision and one slice. smpboot calls it in a loop. */
static void sched_thread_fn(unsigned int cpu)
{
	struct sched_cpu *sc = per_cpu_ptr(&sched_cpu, cpu);
	struct hvtb_vp *vp;
	u64 now, slice, wait_until;
	bool blocked;
	int r;

	spin_lock_irq(&sc->lock);
	now = sched_now();
	/* The CPU may have left the set since smpboot asked should_run. */
	vp = sched_cpu_usable(sc) ? sched_pick_vp(sc, now, &wait_until) : NULL;
	if (!vp) {
		spin_unlock_irq(&sc->lock);
		return;
	}
	if (vp->sched.cancel) {
		sched_finish(vp, VMX_EXIT_CONTINUE);
		spin_unlock_irq(&sc->lock);
		return;
	}
	slice = sched_slice(&sc->prq, &vp->sched.se, now, sched_quantum_ns());
	vp->sched.state = HVTB_SCHED_RUNNING;
	vp->stats.sched_dispatches++;
	vp->stats.sched_wait_ns += now - vp->sched.queued_at;
	spin_unlock_irq(&sc->lock);

	trace_hvtb_sched(cpu, vp->part->id, vp->index, slice);
	r = sched_run_slice(vp, slice);

	spin_lock_irq(&sc->lock);
	now = sched_now() - now;	/* the slice's length */
	sched_charge(&sc->prq, &vp->sched.se, now);
	vp->stats.sched_runtime_ns += now;
	if (hvtb_vp_check_request(vp, HVTB_REQ_YIELD)) {
		/* Behind every VP of this CPU: they run before it again. */
		vp->sched.se.vruntime = max(vp->sched.se.vruntime,
					    sc->prq.lead_vruntime);
	}
	/*
	 * HLT alone blocks the VP here; any other request is for the RUN
	 * caller (work that sleeps), which resumes the run after it.
	 */
	blocked = r == VMX_EXIT_CONTINUE && !vp->sched.cancel &&
		  READ_ONCE(vp->requests) == BIT(HVTB_REQ_HALT);
	if (blocked) {
		vp->sched.state = HVTB_SCHED_BLOCKED;
		vp->sched.se.runnable = false;
	} else if (r != VMX_EXIT_CONTINUE || vp->sched.cancel ||
		   hvtb_vp_has_requests(vp)) {
		sched_finish(vp, r);
	} else {
		vp->sched.state = HVTB_SCHED_QUEUED;
		vp->sched.queued_at = sched_now();
		vp->stats.sched_preemptions++;
	}
	/*
	 * Once the lock is dropped a signal may end the run and the VP be
	 * destroyed; an APIC VP (the only kind that blocks) is freed only
	 * after an RCU grace period.
	 */
	rcu_read_lock();
	spin_unlock_irq(&sc->lock);
	/* An interrupt that came before BLOCKED was visible woke no one. */
	if (blocked && sched_vp_wakeable(vp))
		hvtb_sched_unblock(vp);
	rcu_read_unlock();
	/*
	 * smpboot calls schedule() only when nothing is runnable: give the
	 * CPU to whoever need_resched() ended the slice for (the RUN callers
	 * among them) on kernels without full preemption.
	 */
	cond_resched();
}

/* Move @vp (not RUNNING, on no CPU or @from) to @to. IRQs off. */
static void sched_move(struct hvtb_vp *vp, int to)
{
	struct sched_cpu *dst = per_cpu_ptr(&sched_cpu, to);
	struct sched_ent *e = &vp->sched.se;

	if (vp->sched.cpu >= 0) {
		struct sched_cpu *src = per_cpu_ptr(&sched_cpu, vp->sched.cpu);

		list_del(&vp->sched.node);
		src->nr_vps--;
		src->prq.reserved_bp -= e->reserve_bp;
	}
	list_add_tail(&vp->sched.node, &dst->vps);
	dst->nr_vps++;
	dst->prq.reserved_bp += e->reserve_bp;
	vp->sched.cpu = to;
	/* Virtual runtimes of two queues are not comparable: start level. */
	e->vruntime = dst->prq.lead_vruntime;
	e->used = 0;
}

/*
 * Move @vp to CPU @to under the lock(s) of its old and new CPU, taken in
 * CPU order, unless it is RUNNING (then false: try again after its slice).
 * Interrupts off.
 */
static bool sched_relocate(struct hvtb_vp *vp, int to)
{
	struct sched_cpu *dst = per_cpu_ptr(&sched_cpu, to), *src, *first, *second;
	int from = vp->sched.cpu;
	bool moved;

	if (from < 0 || from == to) {
		spin_lock(&dst->lock);
		sched_move(vp, to);
		spin_unlock(&dst->lock);
		return true;
	}
	src = per_cpu_ptr(&sched_cpu, from);
	first = from < to ? src : dst;
	second = from < to ? dst : src;
	spin_lock(&first->lock);
	spin_lock_nested(&second->lock, SINGLE_DEPTH_NESTING);
	moved = vp->sched.state != HVTB_SCHED_RUNNING;
	if (moved)
		sched_move(vp, to);
	spin_unlock(&second->lock);
	spin_unlock(&first->lock);
	return moved;
}

/*
 * The CPU for @vp: the allowed online scheduler CPU with the fewest VPs
 * that has room for its reserve; -ENOSPC if none has room, -EINVAL if no
 * allowed CPU is a scheduler CPU. Keeps the current CPU when it qualifies.
 */
static int sched_choose_cpu(struct hvtb_vp *vp, const struct cpumask *allowed,
			    u32 reserve_bp)
{
	int cpu, best = -1, cur = vp->sched.cpu;
	bool any = false;

	for_each_cpu_and(cpu, allowed, &sched_mask) {
		struct sched_cpu *sc = per_cpu_ptr(&sched_cpu, cpu);
		u32 have = sc->prq.reserved_bp - (cpu == cur ? vp->sched.se.reserve_bp : 0);

		if (!sched_cpu_usable(sc))
			continue;
		any = true;
		if ((u64)have + reserve_bp > HVTB_SCHED_BP_ONE_CPU)
			continue;
		if (cpu == cur)
			return cpu;
		if (best < 0 || sc->nr_vps < per_cpu_ptr(&sched_cpu, best)->nr_vps)
			best = cpu;
	}
	if (best >= 0)
		return best;
	return any ? -ENOSPC : -EINVAL;
}

/* Put @vp on a CPU its policy allows (run_lock and the hotplug lock held). */
static int sched_place(struct hvtb_vp *vp)
{
	int to, from = vp->sched.cpu;

	to = sched_choose_cpu(vp, vp->sched.affinity, vp->sched.se.reserve_bp);
	if (to == -EINVAL)	/* affinity only names offline CPUs: break it */
		to = sched_choose_cpu(vp, &sched_mask, vp->sched.se.reserve_bp);
	if (to >= 0 && to != from) {
		local_irq_disable();
		sched_relocate(vp, to);
		local_irq_enable();
	}
	return to < 0 ? to : 0;
}

/**
 * hvtb_sched_start() - queue the VP for a run on hvtb's scheduler.
 * @vp: the VP (its run_lock held, no run in flight)
 *
 * Return: 0, or -EINVAL/-ENOSPC when no CPU its policy allows is usable.
 */
int hvtb_sched_start(struct hvtb_vp *vp)
{
	struct sched_cpu *sc;
	bool halted;
	int r = 0;

	/* The VP's CPU stays ours until it is queued there (park moves it). */
	down_read(&sched_cpus_sem);
	cpus_read_lock();
	if (vp->sched.cpu < 0 ||
	    !sched_cpu_usable(per_cpu_ptr(&sched_cpu, vp->sched.cpu)) ||
	    !cpumask_test_cpu(vp->sched.cpu, vp->sched.affinity)) {
		r = sched_place(vp);
		if (r)
			goto out;
	}
	sc = per_cpu_ptr(&sched_cpu, vp->sched.cpu);

	spin_lock_irq(&sc->lock);
	vp->sched.cancel = false;
	halted = hvtb_vp_test_request(vp, HVTB_REQ_HALT);
	if (halted) {
		/* Still in the HLT a signal interrupted: block again. */
		vp->sched.state = HVTB_SCHED_BLOCKED;
	} else {
		vp->sched.state = HVTB_SCHED_QUEUED;
		vp->sched.queued_at = sched_now();
		sched_wake(&sc->prq, &vp->sched.se, sched_quantum_ns());
	}
	spin_unlock_irq(&sc->lock);
	if (!halted)
		sched_kick(sc);
	else if (sched_vp_wakeable(vp))
		hvtb_sched_unblock(vp);
out:
	cpus_read_unlock();
	up_read(&sched_cpus_sem);
	return r;
}

/* End the run in flight: off the queue, or at the end of its slice. */
static void sched_cancel(struct hvtb_vp *vp)
{
	struct sched_cpu *sc;

	/* The VP does not change CPU meanwhile. */
	down_read(&sched_cpus_sem);
	cpus_read_lock();
	sc = per_cpu_ptr(&sched_cpu, vp->sched.cpu);
	spin_lock_irq(&sc->lock);
	if (!sched_end_waiting(vp) && vp->sched.state == HVTB_SCHED_RUNNING)
		vp->sched.cancel = true;
	spin_unlock_irq(&sc->lock);
	cpus_read_unlock();
	up_read(&sched_cpus_sem);
	wait_event(vp->sched.done, READ_ONCE(vp->sched.state) == HVTB_SCHED_DONE);
}

/**
 * hvtb_sched_wait() - wait for the end of the run hvtb_sched_start() began.
 * @vp: the VP (its run_lock held)
 *
 * Return: what hvtb_vmx_vp_run() returned for the run's last slice:
 * VMX_EXIT_CONTINUE when requests wait for the RUN caller, -EINTR when a
 * signal (or nothing) cancelled the run (the VP is resumable).
 */
int hvtb_sched_wait(struct hvtb_vp *vp)
{
	bool intr = false;
	int r;

	/* A signal: the run ends within one slice. */
	if (wait_event_interruptible(vp->sched.done,
				     READ_ONCE(vp->sched.state) == HVTB_SCHED_DONE)) {
		sched_cancel(vp);
		intr = true;
	}
	vp->sched.state = HVTB_SCHED_IDLE;
	r = vp->sched.result;
	if (r == VMX_EXIT_CONTINUE && (intr || !hvtb_vp_has_requests(vp)))
		return -EINTR;
	return r;
}

/**
 * hvtb_sched_done() - has the run in flight ended? (for poll)
 * @vp: the VP
 * Return: true once the scheduler thread reported the run's end.
 */
bool hvtb_sched_done(struct hvtb_vp *vp)
{
	return READ_ONCE(vp->sched.state) == HVTB_SCHED_DONE;
}

/* The CPU set of a uapi affinity mask. */
static int sched_mask_from_user(const struct hvtb_vp_sched *p, struct cpumask *m)
{
	if (hvtb_cpumask_from_words(p->affinity, m))
		return -EINVAL;
	if (cpumask_empty(m))
		cpumask_copy(m, &sched_mask);
	return cpumask_intersects(m, &sched_mask) ? 0 : -EINVAL;
}

static void sched_set_policy(struct sched_ent *e, const struct hvtb_vp_sched *p)
{
	e->weight = p->weight;
	e->cap_bp = p->cap_bp;
	e->reserve_bp = p->reserve_bp;
}

/**
 * hvtb_sched_check() - the checks of a policy that need no VP: its values
 * and the fields that must be 0 (the affinity is checked when it is used).
 * @p: the policy
 * Return: 0 or -EINVAL.
 */
int hvtb_sched_check(const struct hvtb_vp_sched *p)
{
	if (p->flags || p->cpu || p->pad ||
	    memchr_inv(p->reserved, 0, sizeof(p->reserved)) ||
	    !sched_policy_valid(p->weight, p->cap_bp, p->reserve_bp))
		return -EINVAL;
	return 0;
}

/**
 * hvtb_sched_set() - HVTB_VP_SET_SCHED (under the VP's run_lock).
 * @vp: the VP
 * @p: the new policy
 * Return: 0, -EINVAL for bad values, -ENOSPC when no allowed CPU has room
 * for the reserve.
 */
int hvtb_sched_set(struct hvtb_vp *vp, const struct hvtb_vp_sched *p)
{
	struct sched_ent *e = &vp->sched.se;
	cpumask_var_t m;
	int r, to, from;

	if (vp->part->root_sched || hvtb_sched_check(p))
		return -EINVAL;
	if (!zalloc_cpumask_var(&m, GFP_KERNEL))
		return -ENOMEM;
	down_read(&sched_cpus_sem);
	r = sched_mask_from_user(p, m);
	if (r)
		goto out;

	cpus_read_lock();
	from = vp->sched.cpu;
	to = sched_choose_cpu(vp, m, p->reserve_bp);
	if (to < 0) {
		r = to;
		goto out_unlock;
	}
	/* No run is in flight (run_lock): the VP is on no queue's mind. */
	if (from >= 0) {
		struct sched_cpu *sc = per_cpu_ptr(&sched_cpu, from);

		spin_lock_irq(&sc->lock);
		sc->prq.reserved_bp += p->reserve_bp - e->reserve_bp;
		sched_set_policy(e, p);
		spin_unlock_irq(&sc->lock);
	} else {
		sched_set_policy(e, p);
	}
	cpumask_copy(vp->sched.affinity, m);
	if (to != from) {
		local_irq_disable();
		sched_relocate(vp, to);
		local_irq_enable();
	}
out_unlock:
	cpus_read_unlock();
out:
	up_read(&sched_cpus_sem);
	free_cpumask_var(m);
	return r;
}

/**
 * hvtb_sched_get() - HVTB_VP_GET_SCHED (under the VP's run_lock).
 * @vp: the VP
 * @p: filled with its policy and CPU
 */
void hvtb_sched_get(struct hvtb_vp *vp, struct hvtb_vp_sched *p)
{
	memset(p, 0, sizeof(*p));
	p->weight = vp->sched.se.weight;
	p->cap_bp = vp->sched.se.cap_bp;
	p->reserve_bp = vp->sched.se.reserve_bp;
	hvtb_cpumask_to_words(vp->sched.affinity, p->affinity);
	p->cpu = vp->sched.cpu < 0 ? ~0U : vp->sched.cpu;
}

/**
 * hvtb_sched_vp_init() - a new VP: its partition's default policy, no CPU
 * yet unless that policy has a reserve (which is placed at once).
 * @vp: the VP (not yet published)
 * Return: 0, -ENOMEM, or HVTB_VP_SET_SCHED's errors for the default policy.
 */
int hvtb_sched_vp_init(struct hvtb_vp *vp)
{
	struct hvtb_partition *part = vp->part;
	struct hvtb_vp_sched p;
	int r;

	if (!zalloc_cpumask_var(&vp->sched.affinity, GFP_KERNEL_ACCOUNT))
		return -ENOMEM;
	down_read(&sched_cpus_sem);
	cpumask_copy(vp->sched.affinity, &sched_mask);
	up_read(&sched_cpus_sem);
	vp->sched.se.weight = HVTB_SCHED_WEIGHT_DEFAULT;
	vp->sched.cpu = -1;
	INIT_LIST_HEAD(&vp->sched.node);
	init_waitqueue_head(&vp->sched.done);
	if (part->root_sched)
		return 0;

	mutex_lock(&part->lock);
	p = part->sched_default;
	mutex_unlock(&part->lock);
	if (p.reserve_bp) {
		r = hvtb_sched_set(vp, &p);	/* admission: placed now */
	} else {
		sched_set_policy(&vp->sched.se, &p);
		down_read(&sched_cpus_sem);
		r = sched_mask_from_user(&p, vp->sched.affinity);
		up_read(&sched_cpus_sem);
	}
	if (r)
		free_cpumask_var(vp->sched.affinity);
	return r;
}

/**
 * hvtb_sched_partition_ioctl() - HVTB_PARTITION_SET/GET_SCHED.
 * @part: the partition
 * @cmd: HVTB_PARTITION_SET_SCHED or HVTB_PARTITION_GET_SCHED
 * @uarg: the struct hvtb_vp_sched
 * Return: 0, -EFAULT, or -EINVAL for bad values or a root-scheduled
 * partition.
 */
long hvtb_sched_partition_ioctl(struct hvtb_partition *part, unsigned int cmd,
				void __user *uarg)
{
	bool set = cmd == HVTB_PARTITION_SET_SCHED;
	struct hvtb_vp_sched p;
	cpumask_var_t m;
	int r;

	if (part->root_sched)
		return -EINVAL;
	if (!set) {
		mutex_lock(&part->lock);
		p = part->sched_default;
		mutex_unlock(&part->lock);
		return copy_to_user(uarg, &p, sizeof(p)) ? -EFAULT : 0;
	}
	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if (hvtb_sched_check(&p))
		return -EINVAL;
	if (!zalloc_cpumask_var(&m, GFP_KERNEL))
		return -ENOMEM;
	down_read(&sched_cpus_sem);
	r = sched_mask_from_user(&p, m);
	up_read(&sched_cpus_sem);
	free_cpumask_var(m);
	if (r)
		return r;
	mutex_lock(&part->lock);
	part->sched_default = p;
	mutex_unlock(&part->lock);
	return 0;
}

/**
 * hvtb_sched_partition_init() - a new partition's default VP policy.
 * @part: the partition
 */
void hvtb_sched_partition_init(struct hvtb_partition *part)
{
	memset(&part->sched_default, 0, sizeof(part->sched_default));
	part->sched_default.weight = HVTB_SCHED_WEIGHT_DEFAULT;
}

/**
 * hvtb_sched_vp_destroy() - take the VP off its CPU; a run in flight (an
 * HVTB_RUN_ASYNC whose fd is closed) ends first.
 * @vp: the VP
 */
void hvtb_sched_vp_destroy(struct hvtb_vp *vp)
{
	struct sched_cpu *sc;

	if (READ_ONCE(vp->sched.state) == HVTB_SCHED_QUEUED ||
	    READ_ONCE(vp->sched.state) == HVTB_SCHED_RUNNING ||
	    READ_ONCE(vp->sched.state) == HVTB_SCHED_BLOCKED)
		sched_cancel(vp);
	down_read(&sched_cpus_sem);
	cpus_read_lock();
	if (vp->sched.cpu >= 0) {
		sc = per_cpu_ptr(&sched_cpu, vp->sched.cpu);
		spin_lock_irq(&sc->lock);
		list_del(&vp->sched.node);
		sc->nr_vps--;
		sc->prq.reserved_bp -= vp->sched.se.reserve_bp;
		spin_unlock_irq(&sc->lock);
		vp->sched.cpu = -1;
	}
	cpus_read_unlock();
	up_read(&sched_cpus_sem);
	free_cpumask_var(vp->sched.affinity);
}

/*
 * Move every VP off @cpu, which just left the scheduler CPU set: its
 * thread no longer picks VPs, so a RUNNING one is back in the queue after
 * its slice. sched_cpus_sem held for writing, and the hotplug lock.
 */
static void sched_drain(unsigned int cpu)
{
	struct sched_cpu *sc = per_cpu_ptr(&sched_cpu, cpu);
	struct hvtb_vp *vp;
	bool moved;
	int to;

	for (;;) {
		spin_lock_irq(&sc->lock);
		vp = list_first_entry_or_null(&sc->vps, struct hvtb_vp, sched.node);
		spin_unlock_irq(&sc->lock);
		if (!vp)
			return;
		to = sched_choose_cpu(vp, vp->sched.affinity, vp->sched.se.reserve_bp);
		if (to < 0)	/* affinity only names CPUs left behind: break it */
			to = sched_choose_cpu(vp, &sched_mask, vp->sched.se.reserve_bp);
		if (WARN_ON_ONCE(to < 0))
			return;	/* checked by the caller: cannot happen */
		local_irq_disable();
		moved = sched_relocate(vp, to);
		local_irq_enable();
		if (moved)
			sched_kick(per_cpu_ptr(&sched_cpu, to));
		else
			usleep_range(100, 1000);	/* in its last slice here */
	}
}

/**
 * hvtb_sched_set_cpus() - HVTB_SET_SCHED_CPUS: a new scheduler CPU set.
 * @m: the new set
 * Return: 0; -EINVAL when no CPU of @m is online in VMX root; -EBUSY when
 * a VP with a reserve is assigned to a CPU that leaves the set.
 */
int hvtb_sched_set_cpus(const struct cpumask *m)
{
	cpumask_var_t gone;
	struct hvtb_vp *vp;
	unsigned int cpu;
	bool usable = false;
	int r = 0;

	if (!zalloc_cpumask_var(&gone, GFP_KERNEL))
		return -ENOMEM;
	down_write(&sched_cpus_sem);
	cpus_read_lock();
	for_each_cpu_and(cpu, m, hvtb_vmx_root_cpus())
		usable |= READ_ONCE(per_cpu_ptr(&sched_cpu, cpu)->online);
	if (!usable) {
		r = -EINVAL;
		goto out;
	}
	cpumask_andnot(gone, &sched_mask, m);
	for_each_cpu(cpu, gone) {
		struct sched_cpu *sc = per_cpu_ptr(&sched_cpu, cpu);

		spin_lock_irq(&sc->lock);
		list_for_each_entry(vp, &sc->vps, sched.node)
			if (vp->sched.se.reserve_bp)
				r = -EBUSY;
		spin_unlock_irq(&sc->lock);
		if (r)
			goto out;
	}
	cpumask_copy(&sched_mask, m);
	for_each_cpu(cpu, gone)
		sched_drain(cpu);
out:
	cpus_read_unlock();
	up_write(&sched_cpus_sem);
	free_cpumask_var(gone);
	return r;
}

/**
 * hvtb_sched_get_cpus() - HVTB_GET_SCHED_CPUS.
 * @m: filled with the scheduler CPU set
 */
void hvtb_sched_get_cpus(struct cpumask *m)
{
	down_read(&sched_cpus_sem);
	cpumask_copy(m, &sched_mask);
	up_read(&sched_cpus_sem);
}

/*
 * The CPU goes offline (its thread parks): move its VPs to another
 * scheduler CPU. A RUNNING VP cannot be here: the thread is the one
 * parking, between two slices.
 */
static void sched_thread_park(unsigned int cpu)
{
	struct sched_cpu *sc = per_cpu_ptr(&sched_cpu, cpu);
	struct hvtb_vp *vp;
	int to;

	WRITE_ONCE(sc->online, false);
	hrtimer_cancel(&sc->period_timer);
	for_each_cpu(to, &sched_mask)
		if (to != cpu && sched_cpu_usable(per_cpu_ptr(&sched_cpu, to)))
			break;
	if (to >= nr_cpu_ids) {
		/* No other scheduler CPU: queued runs end as cancelled. */
		spin_lock_irq(&sc->lock);
		list_for_each_entry(vp, &sc->vps, sched.node)
			sched_end_waiting(vp);
		spin_unlock_irq(&sc->lock);
		return;
	}
	/*
	 * The hotplug operation holds the CPU hotplug lock, which VP
	 * destruction and placement take for reading: the list only shrinks
	 * under us through this loop.
	 */
	for (;;) {
		spin_lock_irq(&sc->lock);
		vp = list_first_entry_or_null(&sc->vps, struct hvtb_vp, sched.node);
		spin_unlock_irq(&sc->lock);
		if (!vp)
			break;
		local_irq_disable();
		sched_relocate(vp, to);	/* never RUNNING: see above */
		local_irq_enable();
	}
	sched_kick(per_cpu_ptr(&sched_cpu, to));
}

static void sched_thread_unpark(unsigned int cpu)
{
	WRITE_ONCE(per_cpu_ptr(&sched_cpu, cpu)->online, true);
}

static struct smp_hotplug_thread sched_threads = {
	.store			= &sched_thread,
	.thread_should_run	= sched_thread_should_run,
	.thread_fn		= sched_thread_fn,
	.thread_comm		= "hvtb/%u",
	.setup			= sched_thread_unpark,	/* first start */
	.park			= sched_thread_park,
	.unpark			= sched_thread_unpark,
	.selfparking		= false,
};

/**
 * hvtb_sched_init() - the scheduler CPUs and their threads.
 * Return: 0, -EINVAL for a bad sched_cpus, or the error of smpboot.
 */
int hvtb_sched_init(void)
{
	unsigned int cpu;
	int r;

	if (sched_cpus) {
		r = cpulist_parse(sched_cpus, &sched_mask);
		if (r || cpumask_empty(&sched_mask)) {
			pr_err("sched_cpus=%s: not a CPU list with a possible CPU\n",
			       sched_cpus);
			return -EINVAL;
		}
		cpumask_and(&sched_mask, &sched_mask, cpu_possible_mask);
	} else {
		cpumask_copy(&sched_mask, cpu_possible_mask);
	}
	for_each_possible_cpu(cpu) {
		struct sched_cpu *sc = per_cpu_ptr(&sched_cpu, cpu);

		spin_lock_init(&sc->lock);
		sc->cpu = cpu;
		INIT_LIST_HEAD(&sc->vps);
		sc->prq.period_ns = SCHED_PERIOD_NS;
		hrtimer_init(&sc->period_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED);
		sc->period_timer.function = sched_period_timer_fn;
	}
	/* A thread on every CPU; those outside sched_mask never get a VP. */
	r = smpboot_register_percpu_thread(&sched_threads);
	if (!r)
		hvtb_vp_set_unblock_hook(hvtb_sched_unblock);
	return r;
}

/** hvtb_sched_exit() - stop the threads (no VP is left). */
void hvtb_sched_exit(void)
{
	unsigned int cpu;

	hvtb_vp_set_unblock_hook(NULL);
	smpboot_unregister_percpu_thread(&sched_threads);
	for_each_possible_cpu(cpu)
		hrtimer_cancel(&per_cpu_ptr(&sched_cpu, cpu)->period_timer);
}
