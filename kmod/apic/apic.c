// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - the in-kernel virtual local APIC of a VP (HVTB_PARTITION_LAPIC).
 *
 * Registers live in a page laid out as the xAPIC MMIO page (register at
 * byte offset N in regs[N / 4]); the xAPIC MMIO page and the x2APIC MSRs
 * 0x800-0x8ff are two views of it. Two ways to run it:
 *
 * - Exiting (every VMX CPU): every access exits. The xAPIC page is not in
 *   the EPT, so accesses trap as EPT violations (or as APIC-access exits
 *   when the partition has an APIC-access page), and vmx.c injects
 *   interrupts as events, with interrupt-window exits.
 * - APIC virtualization (HVTB_PARTITION_INFO_APICV): the register page is
 *   the VMCS's virtual-APIC page. The CPU serves register reads, TPR, EOI
 *   and x2APIC self-IPIs itself and delivers the vector vmx.c names in RVI
 *   (hvtb_apic_vid_prepare() before each entry); other writes land in the
 *   page and exit afterwards (APIC-write exits: hvtb_apic_write_trap()).
 *   A VP falls back to exiting while it has auto-EOI vectors.
 *
 * With APIC virtualization other contexts never write the register page:
 * they post vectors into @pir (atomic bit operations), which only the VP's
 * own run path (or an ioctl while it does not run) merges into IRR. So the
 * CPU, which updates IRR/ISR/PPR in the page during virtual-interrupt
 * delivery, never races a host read-modify-write of the page. Without it
 * they set IRR under the lock.
 *
 * Concurrency: one spinlock per APIC (taken with interrupts saved) guards
 * the registers and the timer state. Other VPs (IPIs), user space
 * (HVTB_PARTITION_ASSERT_INTERRUPT), the LAPIC hrtimer (hardirq) and the SynIC
 * (hvtb_apic_deliver()) set IRR bits under it from any context, then kick
 * the VP: wake it from a blocking HLT, and send a reschedule IPI to the CPU
 * of the task executing it (hvtb_vp_kick()), whose external-interrupt VM exit
 * brings the VP back to the run loop, where vmx.c injects the interrupt
 * before the next entry. VPs are found through part->vps[] under RCU: a VP
 * is unpublished and an RCU grace period passes before its APIC is freed.
 *
 * Choices (documented in the uapi): the APIC timer counts at 1 GHz (1 ns
 * per bus clock before the divider); a periodic timer fires at most every
 * 100 us; lowest-priority IPIs go to the first matching VP; SMI and
 * ExtINT IPIs are ignored; TMR stays 0 (all interrupts are edge); EOI
 * broadcast suppression and CMCI are not offered.
 *
 * INIT and SIPI: an INIT IPI (assert; the level de-assert is ignored)
 * resets the target's APIC registers at once (keeping its ID and
 * IA32_APIC_BASE) and puts it into wait-for-SIPI; the target's run path
 * resets its architectural state before it would enter the guest
 * (hvtb_apic_mp_take()). In wait-for-SIPI the VP blocks as in HLT, but only
 * an INIT or a SIPI wakes it (interrupts stay pending, the APIC is software-
 * disabled anyway); a SIPI starts it in real mode at vector:0000. A SIPI to
 * a VP not in wait-for-SIPI is ignored, as the CPU does.
 *
 * TODO: an LVT error interrupt when ESR gains a bit; LINT0/LINT1 inputs (no virtual
 * PIC/IOAPIC yet); posted interrupts where the CPU has them (a kick now
 * always forces an exit); per-VP counters of injections.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/apicdef.h>
#include <asm/io.h>
#include <asm/hyperv-tlfs.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "ept/ept.h"
#include "hvtb.h"
#include "hypercall/hv.h"
#include "vmx/vmx.h"

#define APIC_REGS_BYTES		0x400	/* the registers' part of the page */

/* Register offsets (asm/apicdef.h names where it has them). */
#define REG(a, off)		((a)->regs[(off) >> 2])
#define APIC_REG_SELF_IPI	0x3f0

#define APIC_VERSION_VALUE	(0x14 | (5 << 16))	/* 6 LVT entries */
#define APIC_LVT_MASK_BIT	BIT(16)
#define APIC_TIMER_MODE(l)	(((l) >> 17) & 3)
#define TIMER_ONESHOT		0
#define TIMER_PERIODIC		1
#define TIMER_TSC_DEADLINE	2
#define APIC_ESR_SEND_ILL	BIT(5)
#define APIC_ESR_RECV_ILL	BIT(6)
#define APIC_ESR_ILL_REG	BIT(7)

#define APIC_BUS_NS		1		/* one timer tick before the divider */
#define APIC_MIN_PERIOD_NS	100000ULL	/* periodic timer floor */

/* Writable bits of each register (x2APIC: anything else is a #GP). */
#define TPR_BITS		0xffU
#define SVR_BITS		0x1ffU
#define LVTT_BITS		0x700ffU
#define LVT_BITS		0x107ffU	/* thermal, perf: vector, mode, mask */
#define LINT_BITS		0x1a7ffU
#define LVTE_BITS		0x100ffU
#define DIV_BITS		0xbU
#define ICR_BITS		0xccfffU

/* ICR fields */
#define ICR_DM(l)		(((l) >> 8) & 7)
#define ICR_LOGICAL		BIT(11)
#define ICR_SHORTHAND(l)	(((l) >> 18) & 3)
enum { DM_FIXED = 0, DM_LOWEST = 1, DM_NMI = 4, DM_INIT = 5, DM_STARTUP = 6 };
#define ICR_LEVEL_ASSERT	BIT(14)
#define ICR_TRIGGER_LEVEL	BIT(15)
enum { SH_NONE, SH_SELF, SH_ALL, SH_OTHERS };

/**
 * struct hvtb_apic - one VP's local APIC.
 * @vp: the VP it belongs to.
 * @lock: guards @regs, @nmi_pending, @esr_pending and the timer fields.
 * @regs: the register page, register at xAPIC offset N in regs[N / 4]; with
 *	APIC virtualization also the virtual-APIC page (@regs_page).
 * @regs_page: the page of @regs.
 * @pir: with APIC virtualization, fixed vectors posted from any context,
 *	not yet in IRR.
 * @apicv: the partition uses APIC virtualization.
 * @timer_mode: the timer mode of the last LVTT write hvtb saw (the CPU
 *	writes LVTT into the page before an APIC-write exit).
 * @esr_pending: errors since the last ESR write (latched into ESR by it).
 * @nmi_pending: an NMI waits for injection.
 * @timer: the hrtimer behind the LAPIC timer (CLOCK_MONOTONIC, absolute).
 * @timer_armed: the hrtimer stands for the current timer programming.
 * @period_ns: the period of a periodic timer (0 otherwise).
 * @count_ns: ns per count of the current programming (for CCR).
 * @tsc_deadline: IA32_TSC_DEADLINE, 0 when disarmed.
 * @eoi_notify: called after an EOI with the vector that ended.
 * @auto_eoi: vectors the guest never EOIs (SynIC SINTs with auto-EOI):
 *	taking one does not set its ISR bit.
 * @mp_state: HVTB_MP_STATE_RUNNABLE or _WAIT_SIPI (after an INIT).
 * @init_pending: an INIT whose architectural reset the VP's run path has
 *	not done yet (hvtb_apic_mp_take()).
 * @sipi_vector: the vector of a SIPI received in wait-for-SIPI, or -1.
 */
struct hvtb_apic {
	struct hvtb_vp *vp;
	spinlock_t lock;
	u32 *regs;
	struct page *regs_page;
	unsigned long pir[256 / BITS_PER_LONG];
	bool apicv;
	u8 timer_mode;
	u32 esr_pending;
	bool nmi_pending;

	struct hrtimer timer;
	bool timer_armed;
	u64 period_ns;
	u64 count_ns;
	u64 tsc_deadline;

	hvtb_apic_eoi_fn eoi_notify;
	DECLARE_BITMAP(auto_eoi, 256);

	u32 mp_state;
	bool init_pending;
	int sipi_vector;
};

static bool apic_x2(const struct hvtb_apic *a)
{
	return READ_ONCE(a->vp->apic_base) & X2APIC_ENABLE;
}

static bool apic_hw_enabled(const struct hvtb_apic *a)
{
	return READ_ONCE(a->vp->apic_base) & MSR_IA32_APICBASE_ENABLE;
}

/* Lock held. */
static bool apic_enabled(const struct hvtb_apic *a)
{
	return apic_hw_enabled(a) && (REG(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED);
}

/* Bits 32i..32i+31 of the posted vectors. */
static u32 apic_pir_word(const struct hvtb_apic *a, unsigned int i)
{
	BUILD_BUG_ON(BITS_PER_LONG != 64);
	return READ_ONCE(a->pir[i / 2]) >> ((i & 1) * 32);
}

/*
 * Highest vector set in the 256-bit register at @base, or -1; for IRR the
 * vectors posted but not yet merged count too.
 */
static int apic_highest(const struct hvtb_apic *a, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 v = REG(a, base + i * 0x10);

		if (base == APIC_IRR && a->apicv)
			v |= apic_pir_word(a, i);
		if (v)
			return i * 32 + fls(v) - 1;
	}
	return -1;
}

/* Move the posted vectors into IRR. Lock held; the VP is not in the guest. */
static void apic_merge_pir(struct hvtb_apic *a)
{
	unsigned int i;
	unsigned long w;

	if (!a->apicv)
		return;
	for (i = 0; i < ARRAY_SIZE(a->pir); i++) {
		if (!READ_ONCE(a->pir[i]))
			continue;
		w = xchg(&a->pir[i], 0);
		REG(a, APIC_IRR + 2 * i * 0x10) |= (u32)w;
		REG(a, APIC_IRR + (2 * i + 1) * 0x10) |= (u32)(w >> 32);
	}
}

static void apic_bit_set(struct hvtb_apic *a, u32 base, u8 vec)
{
	REG(a, base + (vec / 32) * 0x10) |= BIT(vec % 32);
}

static void apic_bit_clear(struct hvtb_apic *a, u32 base, u8 vec)
{
	REG(a, base + (vec / 32) * 0x10) &= ~BIT(vec % 32);
}

/* Processor priority (SDM Vol. 3 10.8.3.1). Lock held. */
static u32 apic_ppr(const struct hvtb_apic *a)
{
	u32 tpr = REG(a, APIC_TASKPRI) & 0xff;
	int isrv = apic_highest(a, APIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

/* The vector that would be delivered now, or -1. Lock held. */
static int apic_deliverable(const struct hvtb_apic *a)
{
	int irrv;

	if (!apic_enabled(a))
		return -1;
	irrv = apic_highest(a, APIC_IRR);
	if (irrv < 0 || (irrv & 0xf0) <= (apic_ppr(a) & 0xf0))
		return -1;
	return irrv;
}

/*
 * Accept a fixed interrupt into IRR; with APIC virtualization post it
 * (IRR gets it at the VP's next merge). Lock held. Return: accepted.
 */
static bool apic_accept(struct hvtb_apic *a, u32 vector)
{
	if (!apic_enabled(a))
		return false;
	if (vector < 16) {
		a->esr_pending |= APIC_ESR_RECV_ILL;
		return false;
	}
	if (a->apicv)
		set_bit(vector, a->pir);
	else
		apic_bit_set(a, APIC_IRR, vector);	/* only hvtb writes the page */
	return true;
}

/**
 * hvtb_apic_deliver() - deliver a fixed interrupt or an NMI to a VP.
 * @vp: the target VP
 * @vector: 16..255 (ignored for an NMI)
 * @flags: 0 or HVTB_APIC_DELIVER_NMI
 *
 * Sets the vector in IRR and kicks the VP. Any context (hrtimer, hardirq,
 * a spinlock held): takes only the APIC's spinlock.
 *
 * Return: 0; -ENODEV without an in-kernel APIC; -EINVAL for a bad vector
 * or flag; -ENXIO when the APIC is disabled (the interrupt is dropped).
 */
int hvtb_apic_deliver(struct hvtb_vp *vp, u32 vector, u32 flags)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;
	bool ok;

	if (!a)
		return -ENODEV;
	if (flags & ~HVTB_APIC_DELIVER_NMI)
		return -EINVAL;
	if (!(flags & HVTB_APIC_DELIVER_NMI) && (vector < 16 || vector > 255))
		return -EINVAL;
	spin_lock_irqsave(&a->lock, fl);
	if (flags & HVTB_APIC_DELIVER_NMI) {
		ok = apic_hw_enabled(a);
		if (ok)
			a->nmi_pending = true;
	} else {
		ok = apic_accept(a, vector);
	}
	spin_unlock_irqrestore(&a->lock, fl);
	if (!ok)
		return -ENXIO;
	hvtb_vp_wake(vp);
	return 0;
}

/**
 * hvtb_apic_set_eoi_notify() - call @fn(vp, vector) after each EOI.
 * @vp: the VP (with an APIC)
 * @fn: the hook, or NULL. It runs in the VP's run path, maybe with
 *      preemption disabled: it must not sleep.
 */
void hvtb_apic_set_eoi_notify(struct hvtb_vp *vp, hvtb_apic_eoi_fn fn)
{
	WRITE_ONCE(vp->apic->eoi_notify, fn);
}

/**
 * hvtb_apic_set_auto_eoi() - the vectors that end without an EOI (the
 * SynIC's auto-EOI SINTs): the guest taking one leaves ISR as it was.
 * @vp: the VP (with an APIC)
 * @vectors: a 256-bit map, copied
 */
void hvtb_apic_set_auto_eoi(struct hvtb_vp *vp, const unsigned long *vectors)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;

	spin_lock_irqsave(&a->lock, fl);
	bitmap_copy(a->auto_eoi, vectors, 256);
	spin_unlock_irqrestore(&a->lock, fl);
}

/* ---- timer ---- */

static u32 apic_divide(const struct hvtb_apic *a)
{
	u32 v = REG(a, APIC_TDCR);

	v = (v & 3) | ((v & 8) >> 1);
	return v == 7 ? 1 : 2U << v;
}

/* Lock held. The hrtimer callback may still run: it checks @timer_armed. */
static void apic_timer_stop(struct hvtb_apic *a)
{
	a->timer_armed = false;
	hrtimer_try_to_cancel(&a->timer);
}

/* Start a one-shot or periodic count of @count ticks. Lock held. */
static void apic_timer_start_count(struct hvtb_apic *a, u32 count)
{
	u32 mode = APIC_TIMER_MODE(REG(a, APIC_LVTT));
	u64 ns;

	apic_timer_stop(a);
	if (!count || mode == TIMER_TSC_DEADLINE)
		return;
	a->count_ns = (u64)apic_divide(a) * APIC_BUS_NS;
	ns = count * a->count_ns;
	a->period_ns = 0;
	if (mode == TIMER_PERIODIC)
		a->period_ns = ns = max(ns, APIC_MIN_PERIOD_NS);
	a->timer_armed = true;
	hrtimer_start(&a->timer, ktime_add_ns(ktime_get(), ns), HRTIMER_MODE_ABS);
}

/* Arm the TSC deadline; @guest_tsc is the guest's TSC now. Lock held. */
static void apic_timer_start_deadline(struct hvtb_apic *a, u64 deadline,
				      u64 guest_tsc)
{
	u64 ns = 0;

	apic_timer_stop(a);
	a->tsc_deadline = deadline;
	if (!deadline)
		return;
	/* A deadline more than a year away: never, without overflowing. */
	if (deadline > guest_tsc)
		ns = div_u64(deadline - guest_tsc, tsc_khz) >= 365ULL * 24 * 3600 * 1000 ?
		     KTIME_MAX / 2 : mul_u64_u32_div(deadline - guest_tsc, 1000000, tsc_khz);
	a->period_ns = 0;
	a->timer_armed = true;
	hrtimer_start(&a->timer, ktime_add_ns(ktime_get(), ns), HRTIMER_MODE_ABS);
}

/* Timer current count. Lock held. */
static u32 apic_timer_ccr(struct hvtb_apic *a)
{
	s64 rem;

	if (!a->timer_armed || APIC_TIMER_MODE(REG(a, APIC_LVTT)) == TIMER_TSC_DEADLINE)
		return 0;
	rem = ktime_to_ns(hrtimer_get_remaining(&a->timer));
	if (rem <= 0)
		return 0;
	return min_t(u64, div64_u64(rem, a->count_ns), REG(a, APIC_TMICT));
}

static enum hrtimer_restart apic_timer_fn(struct hrtimer *t)
{
	struct hvtb_apic *a = container_of(t, struct hvtb_apic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long fl;
	bool fired = false;
	u32 lvt;

	spin_lock_irqsave(&a->lock, fl);
	/* Re-armed while this callback waited for the lock: not our expiry. */
	if (!a->timer_armed || ktime_after(hrtimer_get_expires(t), ktime_get()))
		goto out;
	lvt = REG(a, APIC_LVTT);
	if (!(lvt & APIC_LVT_MASK_BIT))
		fired = apic_accept(a, lvt & 0xff);
	if (a->period_ns && APIC_TIMER_MODE(lvt) == TIMER_PERIODIC) {
		hrtimer_forward_now(t, ns_to_ktime(a->period_ns));
		ret = HRTIMER_RESTART;
	} else {
		a->timer_armed = false;
		a->tsc_deadline = 0;
	}
out:
	spin_unlock_irqrestore(&a->lock, fl);
	if (fired)
		hvtb_vp_wake(a->vp);
	return ret;
}

/* ---- register file ---- */

/* The reset state (power-up, or IA32_APIC_BASE.EN cleared). Lock held. */
static void apic_reset_regs(struct hvtb_apic *a)
{
	static const u32 lvts[] = { APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC,
				    APIC_LVT0, APIC_LVT1, APIC_LVTERR };
	unsigned int i;

	apic_timer_stop(a);
	a->tsc_deadline = 0;
	a->nmi_pending = false;
	a->esr_pending = 0;
	a->timer_mode = TIMER_ONESHOT;
	bitmap_zero(a->pir, 256);
	memset(a->regs, 0, APIC_REGS_BYTES);
	REG(a, APIC_ID) = a->vp->index << 24;
	REG(a, APIC_LVR) = APIC_VERSION_VALUE;
	REG(a, APIC_DFR) = 0xffffffff;
	REG(a, APIC_SPIV) = 0xff;
	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		REG(a, lvts[i]) = APIC_LVT_MASK_BIT;
}

/* x2APIC IDs and logical IDs are derived from the VP index. Lock held. */
static void apic_enter_x2(struct hvtb_apic *a)
{
	u32 id = a->vp->index;

	REG(a, APIC_ID) = id;
	REG(a, APIC_LDR) = ((id >> 4) << 16) | BIT(id & 0xf);
}

/**
 * hvtb_apic_set_base() - write IA32_APIC_BASE.
 * @vp: the VP (with an APIC)
 * @val: the new value
 * @host: written by user space (SET_SREGS/SET_LAPIC): any valid mode
 *        change is allowed, not only those a guest may make.
 * Return: 0, or -EINVAL (a #GP for the guest): reserved bits, EXTD without
 * EN, x2APIC -> xAPIC, disabled -> x2APIC.
 */
int hvtb_apic_set_base(struct hvtb_vp *vp, u64 val, bool host)
{
	struct hvtb_apic *a = vp->apic;
	u64 valid = (GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 12)) |
		    MSR_IA32_APICBASE_BSP | X2APIC_ENABLE |
		    MSR_IA32_APICBASE_ENABLE;
	u64 en = MSR_IA32_APICBASE_ENABLE, x2 = en | X2APIC_ENABLE;
	u64 old = vp->apic_base, om = old & x2, nm = val & x2;
	unsigned long fl;

	if (val & ~valid || nm == X2APIC_ENABLE)
		return -EINVAL;
	/* x2APIC mode only where the guest's CPUID.1:ECX offers it. */
	if (!host && (val & X2APIC_ENABLE) && !(old & X2APIC_ENABLE) &&
	    !hvtb_cpuid_bit(vp->part, 1, 0, HVTB_CPUID_REG_ECX, 21))
		return -EINVAL;
	if (!host && ((om == x2 && nm == en) || (om == 0 && nm == x2)))
		return -EINVAL;
	spin_lock_irqsave(&a->lock, fl);
	if (!(val & en) || (om == x2 && nm == en))
		apic_reset_regs(a);
	WRITE_ONCE(vp->apic_base, val);
	if (nm == x2 && om != x2)
		apic_enter_x2(a);
	spin_unlock_irqrestore(&a->lock, fl);
	return 0;
}

/* Read a register at xAPIC offset @off. Lock held. */
static int apic_read_locked(struct hvtb_apic *a, u32 off, u32 *val)
{
	switch (off) {
	case APIC_ID: case APIC_LVR: case APIC_TASKPRI: case APIC_LDR:
	case APIC_SPIV: case APIC_ESR: case APIC_ICR: case APIC_LVTT:
	case APIC_LVTTHMR: case APIC_LVTPC: case APIC_LVT0: case APIC_LVT1:
	case APIC_LVTERR: case APIC_TMICT: case APIC_TDCR:
		*val = REG(a, off);
		return 0;
	case APIC_PROCPRI:
		*val = apic_ppr(a);
		return 0;
	case APIC_ARBPRI:	/* none in x2APIC mode: MSR 0x809 #GPs */
		if (apic_x2(a))
			return -EINVAL;
		*val = 0;
		return 0;
	case APIC_DFR:
	case APIC_ICR2:
		if (apic_x2(a))
			return -EINVAL;
		*val = REG(a, off);
		return 0;
	case APIC_TMCCT:
		*val = apic_timer_ccr(a);
		return 0;
	}
	if (off >= APIC_ISR && off < APIC_IRR + 0x80 && !(off & 0xf)) {
		if (off >= APIC_IRR)
			apic_merge_pir(a);
		*val = REG(a, off);
		return 0;
	}
	return -EINVAL;	/* EOI, self-IPI (write-only), reserved */
}

/* Reset the APIC as an INIT does and enter wait-for-SIPI. Lock held. */
static void apic_init_locked(struct hvtb_apic *a, bool init_pending)
{
	u32 id = REG(a, APIC_ID);

	apic_reset_regs(a);
	REG(a, APIC_ID) = id;		/* INIT keeps the ID */
	if (apic_x2(a))
		apic_enter_x2(a);
	a->mp_state = HVTB_MP_STATE_WAIT_SIPI;
	a->init_pending = init_pending;
	a->sipi_vector = -1;
}

/* INIT and STARTUP IPIs to one VP. */
static void apic_init_sipi_one(struct hvtb_vp *vp, u32 icr)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;

	spin_lock_irqsave(&a->lock, fl);
	if (ICR_DM(icr) == DM_INIT)
		apic_init_locked(a, true);
	else if (a->mp_state == HVTB_MP_STATE_WAIT_SIPI && a->sipi_vector < 0)
		a->sipi_vector = icr & 0xff;
	spin_unlock_irqrestore(&a->lock, fl);
	hvtb_vp_request(vp, HVTB_REQ_MP);
	hvtb_vp_wake(vp);
}

/* Deliver an IPI to one VP: fixed, NMI, INIT or SIPI. */
static void apic_ipi_one(struct hvtb_vp *vp, u32 icr)
{
	if (ICR_DM(icr) == DM_NMI)
		hvtb_apic_deliver(vp, 0, HVTB_APIC_DELIVER_NMI);
	else if (ICR_DM(icr) == DM_INIT || ICR_DM(icr) == DM_STARTUP)
		apic_init_sipi_one(vp, icr);
	else
		hvtb_apic_deliver(vp, icr & 0xff, 0);
}

/* Does @dst's APIC match destination @dest of an IPI? */
static bool apic_match(struct hvtb_apic *dst, u32 dest, bool logical, bool x2)
{
	u32 ldr = READ_ONCE(REG(dst, APIC_LDR));

	if (!logical) {
		if (x2)
			return dest == 0xffffffff || dest == dst->vp->index;
		return dest == 0xff || dest == (READ_ONCE(REG(dst, APIC_ID)) >> 24);
	}
	if (x2)
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	if (dest == 0xff)
		return true;
	ldr >>= 24;
	if ((READ_ONCE(REG(dst, APIC_DFR)) >> 28) == 0xf)	/* flat */
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);	/* cluster */
}

/* Send the IPI of an ICR write. Lock not held. */
static void apic_send_ipi(struct hvtb_apic *a, u32 icr, u32 dest)
{
	struct hvtb_partition *part = a->vp->part;
	u32 dm = ICR_DM(icr), sh = ICR_SHORTHAND(icr), i;
	bool x2 = apic_x2(a);
	unsigned long fl;

	/* SMI, ExtINT, the INIT level de-assert: ignored (documented). */
	if (dm != DM_FIXED && dm != DM_LOWEST && dm != DM_NMI &&
	    dm != DM_INIT && dm != DM_STARTUP)
		return;
	if (dm == DM_INIT && !(icr & ICR_LEVEL_ASSERT) &&
	    (icr & ICR_TRIGGER_LEVEL))
		return;
	if ((dm == DM_FIXED || dm == DM_LOWEST) && (icr & 0xff) < 16) {
		spin_lock_irqsave(&a->lock, fl);
		a->esr_pending |= APIC_ESR_SEND_ILL;
		spin_unlock_irqrestore(&a->lock, fl);
		return;
	}
	if (sh == SH_SELF) {
		apic_ipi_one(a->vp, icr);
		return;
	}
	rcu_read_lock();
	for (i = 0; i < part->max_vps; i++) {
		struct hvtb_vp *vp = hvtb_vp_lookup(part, i);

		if (!vp || !vp->apic)
			continue;
		if (sh == SH_OTHERS && vp == a->vp)
			continue;
		if (sh == SH_NONE &&
		    !apic_match(vp->apic, dest, icr & ICR_LOGICAL, x2))
			continue;
		apic_ipi_one(vp, icr);
		if (sh == SH_NONE && dm == DM_LOWEST)
			break;	/* lowest priority: the first match */
	}
	rcu_read_unlock();
}

/* End the highest in-service interrupt; tell the SynIC. Lock not held. */
static void apic_eoi(struct hvtb_apic *a)
{
	hvtb_apic_eoi_fn fn;
	unsigned long fl;
	int v;

	spin_lock_irqsave(&a->lock, fl);
	v = apic_highest(a, APIC_ISR);
	if (v >= 0)
		apic_bit_clear(a, APIC_ISR, v);
	spin_unlock_irqrestore(&a->lock, fl);
	fn = READ_ONCE(a->eoi_notify);
	if (v >= 0 && fn)
		fn(a->vp, v);
}

/* The bits of an LVT entry that software may set. */
static u32 apic_lvt_bits(u32 off)
{
	switch (off) {
	case APIC_LVTT:
		return LVTT_BITS;
	case APIC_LVT0:
	case APIC_LVT1:
		return LINT_BITS;
	case APIC_LVTERR:
		return LVTE_BITS;
	default:
		return LVT_BITS;	/* thermal, performance counters */
	}
}

/*
 * The LVT timer changes mode. To or from TSC-deadline the timer is disarmed
 * and TMICT cleared; between one-shot and periodic the count goes on and
 * only what happens at zero changes (SDM, and what KVM does). Lock held.
 */
static void apic_timer_mode_change(struct hvtb_apic *a, u32 mode)
{
	if (mode == TIMER_TSC_DEADLINE || a->timer_mode == TIMER_TSC_DEADLINE) {
		apic_timer_stop(a);
		a->tsc_deadline = 0;
		REG(a, APIC_TMICT) = 0;
		return;
	}
	a->period_ns = mode == TIMER_PERIODIC && a->timer_armed ?
		       max(REG(a, APIC_TMICT) * a->count_ns, APIC_MIN_PERIOD_NS) : 0;
}

/* Write an LVT entry, keeping it masked while the APIC is disabled. */
static void apic_write_lvt(struct hvtb_apic *a, u32 off, u32 val, u32 bits)
{
	val &= bits;
	if (!(REG(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED))
		val |= APIC_LVT_MASK_BIT;
	if (off == APIC_LVTT && APIC_TIMER_MODE(val) == 3)
		val &= ~(3U << 17);
	if (off == APIC_LVTT && APIC_TIMER_MODE(val) != a->timer_mode)
		apic_timer_mode_change(a, APIC_TIMER_MODE(val));
	if (off == APIC_LVTT)
		a->timer_mode = APIC_TIMER_MODE(val);
	REG(a, off) = val;
}

/* Software enable/disable: disabling masks every LVT. Lock held. */
static void apic_write_svr(struct hvtb_apic *a, u32 val)
{
	static const u32 lvts[] = { APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC,
				    APIC_LVT0, APIC_LVT1, APIC_LVTERR };
	unsigned int i;

	REG(a, APIC_SPIV) = val & SVR_BITS;
	if (!(val & APIC_SPIV_APIC_ENABLED))
		for (i = 0; i < ARRAY_SIZE(lvts); i++)
			REG(a, lvts[i]) |= APIC_LVT_MASK_BIT;
}

/* Does @val set bits outside @bits (a #GP in x2APIC mode)? */
static bool apic_reserved(bool x2, u64 val, u32 bits)
{
	return x2 && (val & ~(u64)bits);
}

/*
 * Write a register at xAPIC offset @off. In x2APIC mode (@x2) a reserved
 * bit or a read-only register is -EINVAL (#GP); in xAPIC mode such writes
 * are dropped. @val's high half is the destination of an x2APIC ICR write.
 */
static int apic_write(struct hvtb_apic *a, u32 off, u64 val, bool x2)
{
	unsigned long fl;
	u32 v = val, icr = 0, dest = 0;
	int r = 0;

	if (x2 && (val >> 32) && off != APIC_ICR)
		return -EINVAL;
	if (off == APIC_EOI) {
		if (x2 && val)
			return -EINVAL;
		apic_eoi(a);
		return 0;
	}
	spin_lock_irqsave(&a->lock, fl);
	switch (off) {
	case APIC_ID:
		if (x2)
			r = -EINVAL;
		else
			REG(a, off) = v & 0xff000000;
		break;
	case APIC_TASKPRI:
		if (apic_reserved(x2, val, TPR_BITS))
			r = -EINVAL;
		else
			REG(a, off) = v & TPR_BITS;
		break;
	case APIC_LDR:
		if (x2)
			r = -EINVAL;
		else
			REG(a, off) = v & 0xff000000;
		break;
	case APIC_DFR:
		if (x2)
			r = -EINVAL;
		else
			REG(a, off) = v | 0x0fffffff;
		break;
	case APIC_SPIV:
		if (apic_reserved(x2, val, SVR_BITS | BIT(9)))
			r = -EINVAL;
		else
			apic_write_svr(a, v);
		break;
	case APIC_ESR:
		if (x2 && val) {
			r = -EINVAL;
			break;
		}
		REG(a, off) = a->esr_pending;
		a->esr_pending = 0;
		break;
	case APIC_ICR:
		if (apic_reserved(x2, (u32)val, ICR_BITS)) {
			r = -EINVAL;
			break;
		}
		icr = v & ICR_BITS;
		REG(a, APIC_ICR) = icr;
		if (x2) {
			dest = val >> 32;
			REG(a, APIC_ICR2) = dest;
		} else {
			dest = REG(a, APIC_ICR2) >> 24;
		}
		break;
	case APIC_ICR2:
		if (x2)
			r = -EINVAL;
		else
			REG(a, off) = v & 0xff000000;
		break;
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		if (apic_reserved(x2, val, apic_lvt_bits(off)))
			r = -EINVAL;
		else
			apic_write_lvt(a, off, v, apic_lvt_bits(off));
		break;
	case APIC_TMICT:
		if (APIC_TIMER_MODE(REG(a, APIC_LVTT)) == TIMER_TSC_DEADLINE) {
			/* Ignored in TSC-deadline mode (an APIC-write put it in the page). */
			REG(a, off) = 0;
			break;
		}
		REG(a, off) = v;
		apic_timer_start_count(a, v);
		break;
	case APIC_TDCR:
		if (apic_reserved(x2, val, DIV_BITS))
			r = -EINVAL;
		else
			REG(a, off) = v & DIV_BITS;
		break;
	case APIC_REG_SELF_IPI:
		if (!x2 || (val & ~0xffULL)) {
			r = x2 ? -EINVAL : 0;
			break;
		}
		icr = (v & 0xff) | (SH_SELF << 18);
		break;
	default:
		/* Read-only or reserved: #GP in x2APIC mode, dropped in xAPIC. */
		r = x2 ? -EINVAL : 0;
		break;
	}
	spin_unlock_irqrestore(&a->lock, fl);
	if (!r && icr)
		apic_send_ipi(a, icr, dest);
	return r;
}

/* ---- the guest's views: x2APIC MSRs, xAPIC MMIO ---- */

/**
 * hvtb_apic_msr_read() - RDMSR of an x2APIC register or IA32_TSC_DEADLINE.
 * @vp: the VP (with an APIC)
 * @index: the MSR
 * @data: where the value goes
 * Return: 0, -ENOENT for another MSR, -EINVAL for a #GP.
 */
int hvtb_apic_msr_read(struct hvtb_vp *vp, u32 index, u64 *data)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;
	u32 v = 0;
	int r;

	if (index == MSR_IA32_TSC_DEADLINE) {
		spin_lock_irqsave(&a->lock, fl);
		*data = APIC_TIMER_MODE(REG(a, APIC_LVTT)) == TIMER_TSC_DEADLINE ?
			a->tsc_deadline : 0;
		spin_unlock_irqrestore(&a->lock, fl);
		return 0;
	}
	if (index < APIC_BASE_MSR || index > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (!apic_x2(a))
		return -EINVAL;
	spin_lock_irqsave(&a->lock, fl);
	r = apic_read_locked(a, (index - APIC_BASE_MSR) << 4, &v);
	*data = v;
	if (!r && index == APIC_BASE_MSR + (APIC_ICR >> 4))
		*data |= (u64)REG(a, APIC_ICR2) << 32;
	spin_unlock_irqrestore(&a->lock, fl);
	return r;
}

/**
 * hvtb_apic_msr_write() - WRMSR of an x2APIC register or IA32_TSC_DEADLINE.
 * @vp: the VP (with an APIC)
 * @index: the MSR
 * @data: the value
 * @guest_tsc: the guest's TSC now (for IA32_TSC_DEADLINE)
 * Return: 0, -ENOENT for another MSR, -EINVAL for a #GP.
 */
int hvtb_apic_msr_write(struct hvtb_vp *vp, u32 index, u64 data, u64 guest_tsc)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;

	if (index == MSR_IA32_TSC_DEADLINE) {
		spin_lock_irqsave(&a->lock, fl);
		if (apic_enabled(a) &&
		    APIC_TIMER_MODE(REG(a, APIC_LVTT)) == TIMER_TSC_DEADLINE)
			apic_timer_start_deadline(a, data, guest_tsc);
		spin_unlock_irqrestore(&a->lock, fl);
		return 0;
	}
	if (index < APIC_BASE_MSR || index > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (!apic_x2(a))
		return -EINVAL;
	return apic_write(a, (index - APIC_BASE_MSR) << 4, data, true);
}

/**
 * hvtb_apic_hv_msr() - the TLFS's fast APIC MSRs (HV_X64_MSR_EOI, _ICR,
 * _TPR: 0x40000070..72), in xAPIC and x2APIC mode alike. EOI is
 * write-only; ICR is the 64-bit ICR2:ICR pair (an xAPIC destination in
 * bits 63:56) and a write sends the IPI; TPR is the task priority.
 * @vp: the VP (with an APIC)
 * @index: the MSR
 * @data: the value read or to write
 * @write: a WRMSR
 * Return: 0, or -EINVAL for a #GP (EOI read, reserved bits in x2APIC
 * mode, the APIC disabled in IA32_APIC_BASE).
 */
int hvtb_apic_hv_msr(struct hvtb_vp *vp, u32 index, u64 *data, bool write)
{
	struct hvtb_apic *a = vp->apic;
	bool x2 = apic_x2(a);
	unsigned long fl;
	u32 v = 0;
	int r = 0;

	if (!apic_hw_enabled(a))
		return -EINVAL;
	switch (index) {
	case HV_X64_MSR_EOI:
		return write ? apic_write(a, APIC_EOI, 0, x2) : -EINVAL;
	case HV_X64_MSR_ICR:
		if (!write) {
			spin_lock_irqsave(&a->lock, fl);
			*data = REG(a, APIC_ICR) | (u64)REG(a, APIC_ICR2) << 32;
			spin_unlock_irqrestore(&a->lock, fl);
			return 0;
		}
		if (x2)
			return apic_write(a, APIC_ICR, *data, true);
		spin_lock_irqsave(&a->lock, fl);
		REG(a, APIC_ICR2) = (*data >> 32) & 0xff000000;
		spin_unlock_irqrestore(&a->lock, fl);
		return apic_write(a, APIC_ICR, (u32)*data, false);
	default:	/* HV_X64_MSR_TPR */
		if (write)
			return apic_write(a, APIC_TASKPRI, *data, x2);
		spin_lock_irqsave(&a->lock, fl);
		r = apic_read_locked(a, APIC_TASKPRI, &v);
		spin_unlock_irqrestore(&a->lock, fl);
		*data = v;
		return r;
	}
}

/** hvtb_apic_get_tpr() - TPR, for MOV from CR8 (CR8 = TPR[7:4]). */
u32 hvtb_apic_get_tpr(struct hvtb_vp *vp)
{
	return READ_ONCE(REG(vp->apic, APIC_TASKPRI));
}

/** hvtb_apic_set_tpr() - MOV to CR8: TPR = CR8 << 4. */
void hvtb_apic_set_tpr(struct hvtb_vp *vp, u32 tpr)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;

	spin_lock_irqsave(&a->lock, fl);
	REG(a, APIC_TASKPRI) = tpr & TPR_BITS;
	spin_unlock_irqrestore(&a->lock, fl);
}

/**
 * hvtb_apic_mmio_hit() - is @gpa in the xAPIC page (xAPIC mode)?
 * @vp: the VP
 * @gpa: the guest-physical address of an EPT violation
 */
bool hvtb_apic_mmio_hit(struct hvtb_vp *vp, u64 gpa)
{
	u64 base = READ_ONCE(vp->apic_base);

	return vp->apic && (base & MSR_IA32_APICBASE_ENABLE) &&
	       !(base & X2APIC_ENABLE) &&
	       (gpa & PAGE_MASK) == (base & MSR_IA32_APICBASE_BASE);
}

/* Fetch up to 15 instruction bytes at the faulting RIP. */
static unsigned int apic_fetch(struct hvtb_vp *vp, u8 *buf)
{
	u64 lin = vp->mmio_rip_linear, gpa;
	unsigned int n = 0, chunk;

	while (n < 15) {
		chunk = min_t(unsigned int, 15 - n,
			      PAGE_SIZE - ((lin + n) & ~PAGE_MASK));
		if (hvtb_gva_to_gpa(vp, lin + n, &gpa) ||
		    hvtb_ept_read(vp->part->ept, gpa, buf + n, chunk))
			break;
		n += chunk;
	}
	return n;
}

/**
 * apic_mmio_request() - emulate the xAPIC access of the last exit (may sleep;
 * the VMCS is not current). The exit captured vp->apic_mmio_gpa, the
 * paging mode and the RIP; the register result goes into vp->gprs and RIP
 * moves on at the next entry (hvtb_vmx_skip_at_entry()). The handler of
 * HVTB_REQ_APIC_MMIO.
 * @vp: the VP
 * Return: 0, or -EINVAL for an instruction hvtb does not decode (the
 * core reports HVTB_EXIT_INTERNAL / HVTB_INTERNAL_EMULATION).
 */
static int apic_mmio_request(struct hvtb_vp *vp)
{
	struct hvtb_apic *a = vp->apic;
	u32 off = vp->apic_mmio_gpa & 0xfff, v = 0;
	unsigned long *reg;
	struct x86_mov in;
	unsigned long fl;
	u8 buf[15];
	unsigned int n;

	n = apic_fetch(vp, buf);
	if (x86_mov_decode(buf, n, vp->mmio_mode, &in))
		return -EINVAL;
	reg = &vp->gprs.regs[in.reg];
	if (in.flags & X86_MOV_WRITE) {
		v = x86_mov_store_value(&in, *reg);
		/* Only aligned 32-bit stores to a register do something. */
		if (!(off & 0xf) && in.size == 4)
			apic_write(a, off, v, false);
	} else {
		/* Loads within a register's low 32 bits read those bytes. */
		if ((off & 0xf) + in.size <= 4) {
			spin_lock_irqsave(&a->lock, fl);
			if (apic_read_locked(a, off & ~0xfu, &v))
				v = 0;
			spin_unlock_irqrestore(&a->lock, fl);
			v >>= (off & 0xf) * 8;
		}
		*reg = x86_mov_load(&in, *reg, v);
	}
	hvtb_vmx_skip_at_entry(vp, in.len);
	return 0;
}

/**
 * hvtb_apic_init() - register what the APIC handles: with the core's run
 * loop the xAPIC accesses it emulates, with the VMX backend its side of
 * injection, TPR, the APIC MSRs and APIC virtualization. Once at load.
 */
void hvtb_apic_init(void)
{
	static const struct hvtb_apic_ops ops = {
		.has_interrupt = hvtb_apic_has_interrupt,
		.ack_interrupt = hvtb_apic_ack_interrupt,
		.nmi_pending = hvtb_apic_nmi_pending,
		.nmi_ack = hvtb_apic_nmi_ack,
		.get_tpr = hvtb_apic_get_tpr,
		.set_tpr = hvtb_apic_set_tpr,
		.set_base = hvtb_apic_set_base,
		.msr_read = hvtb_apic_msr_read,
		.msr_write = hvtb_apic_msr_write,
		.mmio_hit = hvtb_apic_mmio_hit,
		.write_trap = hvtb_apic_write_trap,
		.eoi_induced = hvtb_apic_eoi_induced,
		.vid_allowed = hvtb_apic_vid_allowed,
		.vid_prepare = hvtb_apic_vid_prepare,
		.page_phys = hvtb_apic_page_phys,
		.eoi_exits = hvtb_apic_eoi_exits,
	};

	hvtb_vp_set_request_handler(HVTB_REQ_APIC_MMIO, apic_mmio_request);
	hvtb_vmx_register_apic(&ops);
}

/* ---- injection side (vmx.c, interrupts disabled) ---- */

/** hvtb_apic_has_interrupt() - is a vector above PPR pending? */
bool hvtb_apic_has_interrupt(struct hvtb_vp *vp)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;
	bool r;

	spin_lock_irqsave(&a->lock, fl);
	/* In wait-for-SIPI only an INIT or a SIPI wakes the VP. */
	if (a->mp_state == HVTB_MP_STATE_WAIT_SIPI)
		r = a->init_pending || a->sipi_vector >= 0;
	else
		r = apic_deliverable(a) >= 0;
	spin_unlock_irqrestore(&a->lock, fl);
	return r;
}

/**
 * hvtb_apic_ack_interrupt() - the guest takes the highest pending vector:
 * move it from IRR to ISR.
 * @vp: the VP
 * Return: the vector, or -1 if none is deliverable (any more).
 */
int hvtb_apic_ack_interrupt(struct hvtb_vp *vp)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;
	int v;

	spin_lock_irqsave(&a->lock, fl);
	apic_merge_pir(a);
	v = apic_deliverable(a);
	if (v >= 0) {
		apic_bit_clear(a, APIC_IRR, v);
		if (!test_bit(v, a->auto_eoi))
			apic_bit_set(a, APIC_ISR, v);
	}
	spin_unlock_irqrestore(&a->lock, fl);
	return v;
}

/** hvtb_apic_nmi_pending() - does an NMI wait for injection (not in wait-for-SIPI)? */
bool hvtb_apic_nmi_pending(struct hvtb_vp *vp)
{
	return READ_ONCE(vp->apic->nmi_pending) &&
	       READ_ONCE(vp->apic->mp_state) == HVTB_MP_STATE_RUNNABLE;
}

/* ---- INIT, SIPI, wait-for-SIPI (run path and ioctls) ---- */

/** hvtb_apic_mp_waiting() - is the VP in wait-for-SIPI? (a hint, no lock) */
bool hvtb_apic_mp_waiting(struct hvtb_vp *vp)
{
	return READ_ONCE(vp->apic->mp_state) == HVTB_MP_STATE_WAIT_SIPI;
}

/**
 * hvtb_apic_mp_take() - the INIT/SIPI work of the VP's run path.
 * @vp: the VP (with an APIC)
 * Return: HVTB_APIC_MP_INIT: reset the architectural state as an INIT does,
 * then ask again; HVTB_APIC_MP_WAIT: in wait-for-SIPI, do not enter;
 * HVTB_APIC_MP_RUN: run; 0..255: a SIPI's vector (the VP is runnable now):
 * start at vector:0000.
 */
int hvtb_apic_mp_take(struct hvtb_vp *vp)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;
	int r;

	spin_lock_irqsave(&a->lock, fl);
	if (a->init_pending) {
		a->init_pending = false;
		r = HVTB_APIC_MP_INIT;
	} else if (a->mp_state != HVTB_MP_STATE_WAIT_SIPI) {
		r = HVTB_APIC_MP_RUN;
	} else if (a->sipi_vector >= 0) {
		r = a->sipi_vector;
		a->sipi_vector = -1;
		a->mp_state = HVTB_MP_STATE_RUNNABLE;
	} else {
		r = HVTB_APIC_MP_WAIT;
	}
	spin_unlock_irqrestore(&a->lock, fl);
	return r;
}

/** hvtb_apic_get_mp_state() - HVTB_MP_STATE_* of the VP (with an APIC). */
u32 hvtb_apic_get_mp_state(struct hvtb_vp *vp)
{
	return READ_ONCE(vp->apic->mp_state);
}

/**
 * hvtb_apic_set_mp_state() - HVTB_VP_SET_MP_STATE, APIC side: WAIT_SIPI
 * resets the registers as an INIT does (the caller resets the rest);
 * RUNNABLE ends a wait-for-SIPI (and drops an unhandled INIT or SIPI).
 * @vp: the VP (with an APIC), not running
 * @state: HVTB_MP_STATE_RUNNABLE or HVTB_MP_STATE_WAIT_SIPI
 */
void hvtb_apic_set_mp_state(struct hvtb_vp *vp, u32 state)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;

	spin_lock_irqsave(&a->lock, fl);
	if (state == HVTB_MP_STATE_WAIT_SIPI) {
		apic_init_locked(a, false);
	} else {
		a->mp_state = HVTB_MP_STATE_RUNNABLE;
		a->init_pending = false;
		a->sipi_vector = -1;
	}
	spin_unlock_irqrestore(&a->lock, fl);
}

/** hvtb_apic_nmi_ack() - the pending NMI is being injected. */
void hvtb_apic_nmi_ack(struct hvtb_vp *vp)
{
	WRITE_ONCE(vp->apic->nmi_pending, false);
}

/* ---- APIC virtualization (vmx.c, interrupts disabled) ---- */

/**
 * hvtb_apic_vid_allowed() - may the next entry use virtual-interrupt
 * delivery? Not without APIC virtualization, with the APIC disabled (in
 * IA32_APIC_BASE or SVR: the CPU would take self-IPIs a disabled APIC
 * drops), or while auto-EOI vectors exist (the CPU would set their ISR
 * bits).
 * @vp: the VP (with an APIC)
 */
bool hvtb_apic_vid_allowed(struct hvtb_vp *vp)
{
	struct hvtb_apic *a = vp->apic;

	return a->apicv && apic_enabled(a) && bitmap_empty(a->auto_eoi, 256);
}

/**
 * hvtb_apic_vid_prepare() - before an entry with virtual-interrupt
 * delivery: merge the posted vectors into IRR and write PPR into the page.
 * @vp: the VP (with an APIC); it is not in the guest.
 * Return: the guest interrupt status, SVI (highest ISR) << 8 | RVI
 * (highest IRR; 0 while the APIC is software-disabled).
 */
u16 hvtb_apic_vid_prepare(struct hvtb_vp *vp)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;
	int rvi = -1, svi;

	spin_lock_irqsave(&a->lock, fl);
	apic_merge_pir(a);
	if (apic_enabled(a))
		rvi = apic_highest(a, APIC_IRR);
	svi = apic_highest(a, APIC_ISR);
	REG(a, APIC_PROCPRI) = apic_ppr(a);
	spin_unlock_irqrestore(&a->lock, fl);
	return (svi < 0 ? 0 : svi << 8) | (rvi < 0 ? 0 : rvi);
}

/** hvtb_apic_page_phys() - the register page, as the virtual-APIC page. */
phys_addr_t hvtb_apic_page_phys(struct hvtb_vp *vp)
{
	return page_to_phys(vp->apic->regs_page);
}

/**
 * hvtb_apic_eoi_exits() - must every virtualized EOI exit (an EOI hook is
 * installed)?
 * @vp: the VP (with an APIC)
 */
bool hvtb_apic_eoi_exits(struct hvtb_vp *vp)
{
	return READ_ONCE(vp->apic->eoi_notify) != NULL;
}

/**
 * hvtb_apic_eoi_induced() - the CPU virtualized an EOI of @vector (ISR is
 * already updated) and exited for it: call the EOI hook.
 * @vp: the VP (with an APIC)
 * @vector: the vector that ended
 */
void hvtb_apic_eoi_induced(struct hvtb_vp *vp, u32 vector)
{
	hvtb_apic_eoi_fn fn = READ_ONCE(vp->apic->eoi_notify);

	if (fn)
		fn(vp, vector & 0xff);
}

/**
 * hvtb_apic_write_trap() - an APIC-write exit: the guest's xAPIC write to
 * the register at @off is already in the page; give it its effect (masking,
 * IPIs, the timer) as an emulated write would.
 * @vp: the VP (with an APIC)
 * @off: the register's offset (the exit qualification)
 */
void hvtb_apic_write_trap(struct hvtb_vp *vp, u32 off)
{
	struct hvtb_apic *a = vp->apic;

	off &= 0xff0;
	apic_write(a, off, READ_ONCE(REG(a, off)), false);
}

/* ---- state ioctls, user-space interrupts ---- */

/**
 * hvtb_apic_get_state() - HVTB_VP_GET_LAPIC.
 * @vp: the VP (with an APIC)
 * @s: filled
 */
void hvtb_apic_get_state(struct hvtb_vp *vp, struct hvtb_lapic_state *s)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;

	BUILD_BUG_ON(sizeof(s->regs) != APIC_REGS_BYTES);
	memset(s, 0, sizeof(*s));
	spin_lock_irqsave(&a->lock, fl);
	apic_merge_pir(a);
	memcpy(s->regs, a->regs, sizeof(s->regs));
	s->regs[APIC_PROCPRI >> 2] = apic_ppr(a);
	s->regs[APIC_TMCCT >> 2] = apic_timer_ccr(a);
	s->tsc_deadline = a->tsc_deadline;
	if (a->nmi_pending)
		s->flags |= HVTB_LAPIC_NMI_PENDING;
	spin_unlock_irqrestore(&a->lock, fl);
	s->apic_base = vp->apic_base;
}

/**
 * hvtb_apic_set_state() - HVTB_VP_SET_LAPIC.
 * @vp: the VP (with an APIC)
 * @s: the state
 * @guest_tsc: the guest's TSC now (to re-arm a TSC deadline)
 * Return: 0, or -EINVAL for flags, pad, reserved or IA32_APIC_BASE.
 */
int hvtb_apic_set_state(struct hvtb_vp *vp, const struct hvtb_lapic_state *s,
			u64 guest_tsc)
{
	struct hvtb_apic *a = vp->apic;
	unsigned long fl;
	u32 ccr;
	int r;

	if ((s->flags & ~HVTB_LAPIC_STATE_FLAGS) || s->pad ||
	    memchr_inv(s->reserved, 0, sizeof(s->reserved)))
		return -EINVAL;
	r = hvtb_apic_set_base(vp, s->apic_base, true);
	if (r)
		return r;
	spin_lock_irqsave(&a->lock, fl);
	apic_timer_stop(a);
	memcpy(a->regs, s->regs, APIC_REGS_BYTES);
	bitmap_zero(a->pir, 256);
	a->timer_mode = APIC_TIMER_MODE(REG(a, APIC_LVTT));
	ccr = a->regs[APIC_TMCCT >> 2];
	REG(a, APIC_LVR) = APIC_VERSION_VALUE;
	REG(a, APIC_PROCPRI) = 0;
	REG(a, APIC_TMCCT) = 0;
	REG(a, APIC_EOI) = 0;
	REG(a, APIC_TDCR) &= DIV_BITS;
	if (apic_x2(a))
		apic_enter_x2(a);
	a->nmi_pending = s->flags & HVTB_LAPIC_NMI_PENDING;
	a->tsc_deadline = 0;
	if (APIC_TIMER_MODE(REG(a, APIC_LVTT)) == TIMER_TSC_DEADLINE)
		apic_timer_start_deadline(a, s->tsc_deadline, guest_tsc);
	else if (ccr)
		apic_timer_start_count(a, min(ccr, REG(a, APIC_TMICT)));
	/* A periodic timer resumes from CCR but keeps its full period. */
	if (a->timer_armed && a->period_ns)
		a->period_ns = max(REG(a, APIC_TMICT) * a->count_ns,
				   APIC_MIN_PERIOD_NS);
	spin_unlock_irqrestore(&a->lock, fl);
	hvtb_vp_wake(vp);
	return 0;
}

/**
 * hvtb_apic_assert() - HVTB_PARTITION_ASSERT_INTERRUPT on a partition fd.
 * @part: the partition
 * @cmd: the ioctl
 * @uarg: struct hvtb_interrupt
 * Return: 0 or -errno (see the uapi).
 */
long hvtb_apic_assert(struct hvtb_partition *part, unsigned int cmd,
		      void __user *uarg)
{
	struct hvtb_interrupt irq;
	struct hvtb_vp *vp;
	u32 flags = 0;
	int r;

	if (copy_from_user(&irq, uarg, sizeof(irq)))
		return -EFAULT;
	if ((irq.flags & ~HVTB_INTERRUPT_FLAGS) || irq.pad ||
	    memchr_inv(irq.reserved, 0, sizeof(irq.reserved)))
		return -EINVAL;
	if (irq.flags & HVTB_INTERRUPT_NMI) {
		if (irq.vector)
			return -EINVAL;
		flags = HVTB_APIC_DELIVER_NMI;
	} else if (irq.vector < 16 || irq.vector > 255) {
		return -EINVAL;
	}
	if (!(part->flags & HVTB_PARTITION_LAPIC))
		return -ENODEV;
	if (irq.vp_index >= part->max_vps)
		return -ENOENT;
	rcu_read_lock();
	vp = hvtb_vp_lookup(part, irq.vp_index);
	r = vp ? hvtb_apic_deliver(vp, irq.vector, flags) : -ENOENT;
	rcu_read_unlock();
	return r;
}

/**
 * hvtb_apic_create() - give a new VP its local APIC (reset state).
 * @vp: the VP, not yet published
 * Return: 0 or -ENOMEM.
 */
int hvtb_apic_create(struct hvtb_vp *vp)
{
	struct hvtb_apic *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	a->regs_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!a->regs_page) {
		kfree(a);
		return -ENOMEM;
	}
	a->regs = page_address(a->regs_page);
	a->apicv = vp->part->apicv;
	a->vp = vp;
	spin_lock_init(&a->lock);
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	a->timer.function = apic_timer_fn;
	apic_reset_regs(a);
	a->mp_state = HVTB_MP_STATE_RUNNABLE;
	a->sipi_vector = -1;
	vp->apic = a;
	return 0;
}

/**
 * hvtb_apic_destroy() - free a VP's APIC. The VP must be unpublished and an
 * RCU grace period past, so that nobody delivers to it any more.
 * @vp: the VP
 */
void hvtb_apic_destroy(struct hvtb_vp *vp)
{
	struct hvtb_apic *a = vp->apic;

	if (!a)
		return;
	hrtimer_cancel(&a->timer);
	__free_page(a->regs_page);
	kfree(a);
	vp->apic = NULL;
}
