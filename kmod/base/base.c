// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - the VP and partition services every room above the backend uses:
 * who executes a VP and how to make it leave the guest (set_task, kick,
 * wake), the table of request handlers the run loop calls, a look into the
 * partition's CPUID table, the uapi's CPU-mask words.
 *
 * This room sits right above vmx/ and ept/ and calls neither the core nor
 * any room above it: the core, sched/, apic/, hypercall/ and vmbus/ call
 * down into it. What it must reach above (ending a HLT blocked on hvtb's
 * scheduler) is a hook the room above registers at load
 * (hvtb_vp_set_unblock_hook()); the last reference of a partition is
 * dropped through the release function the core stored in it
 * (hvtb_partition_put() in hvtb.h).
 */
#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include <linux/hvtb.h>
#include "hvtb.h"

static void (*base_unblock)(struct hvtb_vp *vp) __read_mostly;

/**
 * hvtb_vp_set_unblock_hook() - @fn ends a HLT blocked on hvtb's scheduler;
 * hvtb_vp_wake() calls it. At module load (sched/).
 * @fn: the hook, or NULL
 */
void hvtb_vp_set_unblock_hook(void (*fn)(struct hvtb_vp *vp))
{
	WRITE_ONCE(base_unblock, fn);
}

/**
 * hvtb_vp_set_task() - @t executes the VP from now on (NULL: nobody).
 * @vp: the VP
 * @t: current, or NULL when it stops
 *
 * Ordered before the run loop's look at pending work, so that a waker
 * that queued work either sees @t (and kicks it) or the loop sees the work.
 */
void hvtb_vp_set_task(struct hvtb_vp *vp, struct task_struct *t)
{
	rcu_assign_pointer(vp->run_task, t);
	smp_mb();	/* pairs with hvtb_vp_kick(): the task, then the work */
}

/**
 * hvtb_vp_kick() - make the task that executes @vp leave the guest soon
 * (an IPI if it runs on another CPU) so that its run loop sees new work
 * (an interrupt from the APIC, a SynIC message).
 * @vp: the VP; any context, under rcu_read_lock() or with the VP pinned.
 */
void hvtb_vp_kick(struct hvtb_vp *vp)
{
	struct task_struct *t;

	smp_mb();	/* pairs with hvtb_vp_set_task(): the work, then the task */
	rcu_read_lock();
	t = rcu_dereference(vp->run_task);
	if (t && t != current)
		kick_process(t);
	rcu_read_unlock();
}

/**
 * hvtb_vp_wake() - the VP has new work (an interrupt, a SynIC message):
 * end its HLT wherever it blocks and make it leave the guest soon.
 * @vp: the VP; any context, under rcu_read_lock() or with the VP pinned.
 */
void hvtb_vp_wake(struct hvtb_vp *vp)
{
	void (*unblock)(struct hvtb_vp *vp);

	/*
	 * The task executing the VP gives it work (a self-IPI, an IPI to
	 * itself, a SynIC message it delivers): the VP is not in a blocking
	 * HLT (only this task would wait there) and its run loop looks at
	 * the APIC before the next entry. Nothing to wake, nobody to kick.
	 */
	if (rcu_access_pointer(vp->run_task) == current)
		return;
	/*
	 * A blocking HLT waits in one place per scheduling mode, fixed for
	 * the partition's life: the RUN caller's halt_wq (root-scheduled) or
	 * hvtb's scheduler. The other one is not looked at.
	 */
	if (vp->part->root_sched) {
		wake_up_interruptible(&vp->halt_wq);	/* HLT in the RUN caller */
	} else {
		unblock = READ_ONCE(base_unblock);
		if (unblock)
			unblock(vp);		/* HLT on hvtb's scheduler */
	}
	hvtb_vp_kick(vp);			/* the guest, on another CPU */
}

/* The handlers other rooms registered for their requests. */
hvtb_request_fn hvtb_vp_request_fns[HVTB_NR_REQUESTS] __read_mostly;

/**
 * hvtb_vp_set_request_handler() - @fn does request @req in the core's run
 * loop (process context, VMCS not current). At module load.
 * @req: the request
 * @fn: its handler
 */
void hvtb_vp_set_request_handler(enum hvtb_request req, hvtb_request_fn fn)
{
	hvtb_vp_request_fns[req] = fn;
}

/**
 * hvtb_cpuid_bit() - does the partition's CPUID table set @bit of register
 * @reg (HVTB_CPUID_REG_*) in leaf @fn (sub-leaf @idx where it is indexed)?
 * @part: the partition
 * @fn: the leaf
 * @idx: the sub-leaf
 * @reg: HVTB_CPUID_REG_EAX..EDX
 * @bit: 0..31
 * Return: false where the table has no such leaf. Any context.
 */
bool hvtb_cpuid_bit(struct hvtb_partition *part, u32 fn, u32 idx,
		    unsigned int reg, unsigned int bit)
{
	const struct hvtb_cpuid_rcu *t;
	const struct hvtb_cpuid_entry *e;
	bool r = false;
	u32 i, v;

	rcu_read_lock();
	t = rcu_dereference(part->cpuid);
	for (i = 0; t && i < t->nent; i++) {
		e = &t->entries[i];
		if (e->function != fn ||
		    ((e->flags & HVTB_CPUID_INDEXED) && e->index != idx))
			continue;
		v = reg == HVTB_CPUID_REG_EAX ? e->eax : reg == HVTB_CPUID_REG_EBX ? e->ebx :
		    reg == HVTB_CPUID_REG_ECX ? e->ecx : e->edx;
		r = v & BIT(bit);
		break;
	}
	rcu_read_unlock();
	return r;
}

/**
 * hvtb_cpumask_to_words() - a CPU set as the uapi's HVTB_CPU_MASK_WORDS words.
 * @m: the set
 * @w: HVTB_CPU_MASK_WORDS words, zeroed by the caller; CPUs beyond
 *     HVTB_MAX_CPU_MASK are left out
 */
void hvtb_cpumask_to_words(const struct cpumask *m, __u64 *w)
{
	unsigned int cpu;

	for_each_cpu(cpu, m)
		if (cpu < HVTB_MAX_CPU_MASK)
			w[cpu / 64] |= BIT_ULL(cpu % 64);
}

/**
 * hvtb_cpumask_from_words() - the CPU set of a uapi mask.
 * @w: HVTB_CPU_MASK_WORDS words
 * @m: the set
 * Return: 0, or -EINVAL when @w names a CPU that cannot exist.
 */
int hvtb_cpumask_from_words(const __u64 *w, struct cpumask *m)
{
	unsigned int i;

	cpumask_clear(m);
	for (i = 0; i < HVTB_MAX_CPU_MASK; i++) {
		if (!(w[i / 64] & BIT_ULL(i % 64)))
			continue;
		if (i >= nr_cpu_ids)
			return -EINVAL;
		cpumask_set_cpu(i, m);
	}
	return 0;
}
