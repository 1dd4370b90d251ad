// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - the synthetic interrupt controller (SynIC) and the synthetic
 * timers of a VP.
 *
 * Messages. Every (VP, SINT) has a bounded kernel queue of struct
 * hv_message. User space (HVTB_PARTITION_POST_HV_MESSAGE) and the synthetic timers
 * (hrtimer callbacks, hardirq) append under vp->hv->synic_lock, set the
 * SINT's bit in synic_work and kick the VP. Only the VP itself moves a
 * message into the guest's SIMP page, in process context while it does not
 * run the guest (the ept accessors sleep): the SINT's bit comes with the
 * request HVTB_REQ_SYNIC, which ends the run loop before the next entry;
 * vp.c calls hvtb_synic_deliver(), and a blocking HLT wakes for it too (in the RUN
 * caller, or a VP BLOCKED on hvtb's scheduler, whose run then ends with
 * the HLT still in progress: hvtb_sched_unblock()). So the slot is never
 * written while the guest reads it on this VP. In both modes a delivery
 * that raises no interrupt (busy slot, polled SINT) leaves the VP in its
 * HLT: the RUN caller halts again until an interrupt or NMI. Without an
 * in-kernel APIC the kick is an IPI to the task executing the VP
 * (hvtb_vp_kick()), which leaves the guest for the delivery. A free slot
 * (message type HVMSG_NONE) gets the head of the queue, its msg_pending
 * flag set if more wait, and the SINT's vector is raised in the local
 * APIC; a busy slot gets msg_pending set and the message waits for the
 * guest's EOM write (which re-sets synic_work for every SINT with a
 * queue). Masked SINTs, SynIC or SIMP disabled: messages wait; unmasking
 * or enabling rescans. HVTB_VP_GET/SET_SYNIC_QUEUE save and restore the
 * queues.
 *
 * Kernel code (kmod/hypercall/api.h) posts with hvtb_synic_post(), the
 * function behind HVTB_PARTITION_POST_HV_MESSAGE, and sets flags from any context with
 * hvtb_synic_signal_async(): the flag is noted in the VP's flags_pending
 * bitmap, HVTB_SYNIC_WORK_FLAGS in synic_work, the VP kicked; its run path
 * (or HVTB_VP_GET_SYNIC) sets the noted flags as below.
 *
 * Event flags. HVTB_PARTITION_SIGNAL_HV_FLAG sets a bit of the SIEFP page directly
 * from the ioctl (a locked bit operation on the pinned page, as the guest
 * may run) and raises the SINT if the bit was clear; on a masked SINT the
 * raise waits in event_pending until the guest unmasks it. Without an
 * APIC nothing is raised and the VP is not kicked: the guest polls the
 * page, whose bit is visible at once.
 *
 * Auto-EOI SINTs: their vectors are handed to the APIC
 * (hvtb_apic_set_auto_eoi()), which then does not set ISR when the guest
 * takes one. Polling SINTs (bit 18) get messages without an interrupt.
 *
 * Synthetic timers count in reference time (100 ns units, hvtb_hv_time_ref())
 * on a host hrtimer: one-shot (COUNT is the absolute expiration time) or
 * periodic (COUNT is the period, at least STIMER_MIN_PERIOD), in message
 * mode (HVMSG_TIMER_EXPIRED into the slot of SINTx; an expiry while the
 * previous message of the same timer still waits is coalesced and counted
 * in stimer_missed) or direct mode (the config's vector via the APIC).
 * Lazy mode is accepted and treated as not lazy. The guest cannot enable a
 * message-mode timer with SINTx 0 (the enable bit reads back 0); user
 * space may restore such a config, which then never fires.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/hyperv-tlfs.h>

#include "ept/ept.h"
#include "trace.h"
#include "hvtb.h"
#include "hypercall/api.h"
#include "hypercall/hv.h"

#define SINT_POLLING		BIT_ULL(18)
/* STIMERx_CONFIG fields */
#define STIMER_ENABLE		BIT_ULL(0)
#define STIMER_PERIODIC		BIT_ULL(1)
#define STIMER_AUTO_ENABLE	BIT_ULL(3)
#define STIMER_VECTOR(c)	(((c) >> 4) & 0xff)
#define STIMER_DIRECT		BIT_ULL(12)
#define STIMER_SINT(c)		(((c) >> 16) & 0xf)
#define STIMER_RSVD_MASK	(GENMASK_ULL(15, 13) | GENMASK_ULL(63, 20))
#define STIMER_MIN_PERIOD	1000ULL		/* 100 us in 100 ns units */
/* The longest period or delay, so that its nanoseconds fit a ktime. */
#define STIMER_MAX_TICKS	((u64)KTIME_MAX / 100 / 2)

struct hvtb_synic_queue {
	u32 head;
	u32 count;
	struct hv_message msgs[HVTB_HV_SINT_QUEUE_DEPTH];
};

static_assert(sizeof(struct hv_message) == HV_MESSAGE_SIZE);
static_assert(sizeof(struct hv_message_page) == PAGE_SIZE);
static_assert(HVTB_HV_SINT_COUNT == HV_SYNIC_SINT_COUNT);
static_assert(HVTB_HV_SIEF_FLAGS == HV_EVENT_FLAGS_COUNT);

static bool synic_on(const struct hvtb_hv_vp *h)
{
	return READ_ONCE(h->scontrol) & HV_SYNIC_CONTROL_ENABLE;
}

/*
 * New work for the VP: kick it (out of a blocking HLT, out of the guest).
 * Without an APIC no HLT blocks in the kernel, but a running guest must
 * still leave it for the delivery.
 */
static void synic_kick(struct hvtb_vp *vp)
{
	if (vp->apic)
		hvtb_vp_wake(vp);
	else
		hvtb_vp_kick(vp);
}

/* Note SINT @sint for the VP's run path (HVTB_REQ_SYNIC). */
static void synic_note(struct hvtb_vp *vp, u32 sint)
{
	set_bit(sint, &vp->hv->synic_work);
	hvtb_vp_request(vp, HVTB_REQ_SYNIC);
}

/* Raise the vector of SINT value @sintv (unless polled). */
static void synic_raise(struct hvtb_vp *vp, u64 sintv)
{
	if (vp->apic && !(sintv & SINT_POLLING))
		hvtb_apic_deliver(vp, sintv & HV_SYNIC_SINT_VECTOR_MASK, 0);
}

/* Append @m to the queue of @sint. synic_lock held. Return: 0 or -EAGAIN. */
static int synic_enqueue(struct hvtb_vp *vp, u32 sint,
			 const struct hv_message *m)
{
	struct hvtb_hv_vp *h = vp->hv;
	struct hvtb_synic_queue *q = &h->queues[sint];

	if (q->count == HVTB_HV_SINT_QUEUE_DEPTH)
		return -EAGAIN;
	q->msgs[(q->head + q->count) % HVTB_HV_SINT_QUEUE_DEPTH] = *m;
	q->count++;
	h->queued |= BIT(sint);
	synic_note(vp, sint);
	return 0;
}

/* Try every SINT with queued messages again (EOM, enable, unmask). */
static void synic_rescan(struct hvtb_vp *vp)
{
	struct hvtb_hv_vp *h = vp->hv;
	unsigned long fl, queued;
	unsigned int sint;

	spin_lock_irqsave(&h->synic_lock, fl);
	queued = h->queued;
	spin_unlock_irqrestore(&h->synic_lock, fl);
	for_each_set_bit(sint, &queued, HV_SYNIC_SINT_COUNT)
		synic_note(vp, sint);
}

/* The vectors of unmasked auto-EOI SINTs, for the APIC. */
static void synic_update_auto_eoi(struct hvtb_vp *vp)
{
	DECLARE_BITMAP(vectors, 256);
	struct hvtb_hv_vp *h = vp->hv;
	unsigned int i;

	if (!vp->apic)
		return;
	bitmap_zero(vectors, 256);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		u64 v = READ_ONCE(h->sint[i]);

		if ((v & HV_SYNIC_SINT_AUTO_EOI) && !(v & HV_SYNIC_SINT_MASKED))
			__set_bit(v & HV_SYNIC_SINT_VECTOR_MASK, vectors);
	}
	hvtb_apic_set_auto_eoi(vp, vectors);
}

/* ---- delivery into the SIMP page (process context, guest not running) ---- */

/* The synthetic timer whose expiry message @m is, or -1. */
static int synic_msg_timer(const struct hv_message *m)
{
	const struct hv_timer_message_payload *tp = (const void *)m->u.payload;

	if (m->header.message_type != HVMSG_TIMER_EXPIRED ||
	    tp->timer_index >= HV_SYNIC_STIMER_COUNT)
		return -1;
	return tp->timer_index;
}

/* Drop the head of @sint's queue after it reached the guest. */
static void synic_dequeue(struct hvtb_hv_vp *h, u32 sint)
{
	struct hvtb_synic_queue *q = &h->queues[sint];
	unsigned long fl;
	int t;

	spin_lock_irqsave(&h->synic_lock, fl);
	t = synic_msg_timer(&q->msgs[q->head]);
	if (t >= 0)
		h->stimer[t].queued = false;
	q->head = (q->head + 1) % HVTB_HV_SINT_QUEUE_DEPTH;
	if (!--q->count)
		h->queued &= ~BIT(sint);
	spin_unlock_irqrestore(&h->synic_lock, fl);
}

static void synic_deliver_sint(struct hvtb_vp *vp, u32 sint)
{
	struct hvtb_hv_vp *h = vp->hv;
	struct hvtb_synic_queue *q = &h->queues[sint];
	struct hvtb_ept *ept = vp->part->ept;
	u64 sintv = READ_ONCE(h->sint[sint]), simp = READ_ONCE(h->simp);
	u64 gpa = (simp & PAGE_MASK) + sint * HV_MESSAGE_SIZE;
	struct hv_timer_message_payload *tp;
	struct hv_message_header slot;
	struct hv_message m;
	unsigned long fl;
	bool more;

	if (!synic_on(h) || !(simp & HV_SYNIC_SIMP_ENABLE) ||
	    (sintv & HV_SYNIC_SINT_MASKED))
		return;		/* waits for enable/unmask (synic_rescan) */
	spin_lock_irqsave(&h->synic_lock, fl);
	if (!q->count) {
		spin_unlock_irqrestore(&h->synic_lock, fl);
		return;
	}
	m = q->msgs[q->head];
	more = q->count > 1;
	spin_unlock_irqrestore(&h->synic_lock, fl);

	if (hvtb_ept_read(ept, gpa, &slot, sizeof(slot))) {
		h->stats.synic_page_failed++;
		trace_hvtb_synic_message(vp->part->id, vp->index, sint,
					 m.header.message_type, -EFAULT);
		return;
	}
	if (slot.message_type != HVMSG_NONE) {
		/* The guest writes EOM once it freed a slot marked pending. */
		h->stats.synic_slot_busy++;
		trace_hvtb_synic_message(vp->part->id, vp->index, sint,
					 m.header.message_type, 1);
		if (!slot.message_flags.msg_pending) {
			slot.message_flags.msg_pending = 1;
			if (hvtb_ept_write(ept, gpa + offsetof(struct hv_message_header,
							       message_flags),
					   &slot.message_flags, 1))
				h->stats.synic_page_failed++;
		}
		return;
	}
	m.header.message_flags.msg_pending = more;
	if (m.header.message_type == HVMSG_TIMER_EXPIRED) {
		tp = (void *)m.u.payload;
		tp->delivery_time = hvtb_hv_time_ref(vp->part->hv);
	}
	if (hvtb_ept_write(ept, gpa, &m, sizeof(m))) {
		h->stats.synic_page_failed++;
		trace_hvtb_synic_message(vp->part->id, vp->index, sint,
					 m.header.message_type, -EFAULT);
		return;
	}
	trace_hvtb_synic_message(vp->part->id, vp->index, sint,
				 m.header.message_type, 0);
	synic_dequeue(h, sint);
	h->stats.synic_delivered++;
	synic_raise(vp, sintv);
}

static long synic_flag_vp(struct hvtb_vp *vp, const struct hvtb_hv_flag *f);

/*
 * Set the flags hvtb_synic_signal_async() noted, in the SIEFP page.
 * Process context, the VP's run path (or its ioctl, run_lock held).
 */
static void synic_flush_flags(struct hvtb_vp *vp)
{
	struct hvtb_hv_vp *h = vp->hv;
	struct hvtb_hv_flag f = { .vp_index = vp->index };
	unsigned long bit = 0;
	const unsigned long nbits = HV_SYNIC_SINT_COUNT * HV_EVENT_FLAGS_COUNT;

	for (;;) {
		bit = find_next_bit(h->flags_pending, nbits, bit);
		if (bit >= nbits)
			break;
		if (test_and_clear_bit(bit, h->flags_pending)) {
			/* A disabled SIEFP drops it, as HVTB_PARTITION_SIGNAL_HV_FLAG would fail. */
			f.sint = bit / HV_EVENT_FLAGS_COUNT;
			f.flag = bit % HV_EVENT_FLAGS_COUNT;
			synic_flag_vp(vp, &f);
		}
		bit++;
	}
}

/**
 * hvtb_synic_deliver() - move queued messages into the guest's SIMP page
 * for every SINT noted in synic_work.
 * @vp: the VP
 *
 * Context: process context, VMCS not current, the VP's run path.
 */
void hvtb_synic_deliver(struct hvtb_vp *vp)
{
	struct hvtb_hv_vp *h = vp->hv;
	unsigned long work = xchg(&h->synic_work, 0);
	unsigned int sint;

	if (!h->queues)
		return;
	if (work & BIT(HVTB_SYNIC_WORK_FLAGS))
		synic_flush_flags(vp);
	for_each_set_bit(sint, &work, HV_SYNIC_SINT_COUNT)
		synic_deliver_sint(vp, sint);
}

/* ---- synthetic timers ---- */

/* A periodic timer's period: the guest's COUNT, bounded both ways. */
static u64 stimer_period(u64 count)
{
	return clamp(count, STIMER_MIN_PERIOD, STIMER_MAX_TICKS);
}

/*
 * (Re)start timer @i from its config and count, at reference time @exp if
 * non-zero (a restore). synic_lock held.
 */
static void stimer_arm(struct hvtb_vp *vp, u32 i, u64 exp)
{
	struct hvtb_hv_vp *h = vp->hv;
	struct hvtb_stimer *t = &h->stimer[i];
	u64 cfg = h->stimer_config[i], count = h->stimer_count[i];
	u64 now, delta;

	t->armed = false;
	hrtimer_try_to_cancel(&t->timer);
	if (!(cfg & STIMER_ENABLE) || !count ||
	    (!(cfg & STIMER_DIRECT) && !STIMER_SINT(cfg)))
		return;
	now = hvtb_hv_time_ref(vp->part->hv);
	if (exp)
		t->exp = exp;
	else if (cfg & STIMER_PERIODIC)
		t->exp = now + stimer_period(count);
	else
		t->exp = count;
	delta = t->exp > now ? min(t->exp - now, STIMER_MAX_TICKS) : 0;
	t->armed = true;
	hrtimer_start(&t->timer, ktime_add_ns(ktime_get(), delta * 100),
		      HRTIMER_MODE_ABS);
}

/* Queue timer @i's expiry message. synic_lock held. Return: queued. */
static bool stimer_message(struct hvtb_vp *vp, u32 i, u64 cfg)
{
	struct hvtb_hv_vp *h = vp->hv;
	struct hvtb_stimer *t = &h->stimer[i];
	struct hv_timer_message_payload *tp;
	struct hv_message m = { 0 };

	if (t->queued) {
		h->stats.stimer_missed++;	/* coalesced */
		return false;
	}
	m.header.message_type = HVMSG_TIMER_EXPIRED;
	m.header.payload_size = sizeof(*tp);
	tp = (void *)m.u.payload;
	tp->timer_index = i;
	tp->expiration_time = t->exp;
	if (synic_enqueue(vp, STIMER_SINT(cfg), &m)) {
		h->stats.stimer_missed++;
		return false;
	}
	t->queued = true;
	return true;
}

static enum hrtimer_restart stimer_fn(struct hrtimer *ht)
{
	struct hvtb_stimer *t = container_of(ht, struct hvtb_stimer, timer);
	struct hvtb_vp *vp = t->vp;
	struct hvtb_hv_vp *h = vp->hv;
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	u32 i = t - h->stimer, vector = 0;
	bool kick = false;
	unsigned long fl;
	u64 cfg, period, n;

	spin_lock_irqsave(&h->synic_lock, fl);
	/* Re-armed while this callback waited for the lock: not our expiry. */
	if (!t->armed || ktime_after(hrtimer_get_expires(ht), ktime_get()))
		goto out;
	cfg = h->stimer_config[i];
	h->stats.stimer_expired++;
	if (cfg & STIMER_DIRECT)
		vector = STIMER_VECTOR(cfg);
	else
		kick = stimer_message(vp, i, cfg);
	if (cfg & STIMER_PERIODIC) {
		period = stimer_period(h->stimer_count[i]);
		n = hrtimer_forward_now(ht, ns_to_ktime(period * 100));
		t->exp += n * period;
		ret = HRTIMER_RESTART;
	} else {
		t->armed = false;
		h->stimer_config[i] &= ~STIMER_ENABLE;
	}
out:
	spin_unlock_irqrestore(&h->synic_lock, fl);
	if (vector >= HV_SYNIC_FIRST_VALID_VECTOR && vp->apic)
		hvtb_apic_deliver(vp, vector, 0);
	if (kick)
		synic_kick(vp);
	return ret;
}

/* STIMERx_CONFIG (@count false) or STIMERx_COUNT. */
static int stimer_write(struct hvtb_vp *vp, u32 i, bool count, u64 data,
			bool host)
{
	struct hvtb_hv_vp *h = vp->hv;
	unsigned long fl;

	if (!count && (data & STIMER_RSVD_MASK))
		return -EINVAL;
	spin_lock_irqsave(&h->synic_lock, fl);
	if (count) {
		h->stimer_count[i] = data;
		if (!data)
			h->stimer_config[i] &= ~STIMER_ENABLE;
		else if (h->stimer_config[i] & STIMER_AUTO_ENABLE)
			h->stimer_config[i] |= STIMER_ENABLE;
	} else {
		h->stimer_config[i] = data;
	}
	/* The guest cannot enable a message-mode timer on SINT 0. */
	if (!host && !(h->stimer_config[i] & STIMER_DIRECT) &&
	    !STIMER_SINT(h->stimer_config[i]))
		h->stimer_config[i] &= ~STIMER_ENABLE;
	if (h->queues)
		stimer_arm(vp, i, 0);
	spin_unlock_irqrestore(&h->synic_lock, fl);
	return 0;
}

/* ---- MSRs ---- */

/* SINTx: vector 7:0, masked 16, auto-EOI 17, polling 18. */
#define SINT_RSVD_MASK	(GENMASK_ULL(15, 8) | GENMASK_ULL(63, 19))
#define PAGE_RSVD_MASK	GENMASK_ULL(11, 1)

static int synic_write_sint(struct hvtb_vp *vp, u32 sint, u64 data, bool host)
{
	struct hvtb_hv_vp *h = vp->hv;
	unsigned long fl;
	bool raise = false;

	if ((data & SINT_RSVD_MASK) ||
	    (!host && !(data & HV_SYNIC_SINT_MASKED) &&
	     (data & HV_SYNIC_SINT_VECTOR_MASK) < HV_SYNIC_FIRST_VALID_VECTOR))
		return -EINVAL;
	spin_lock_irqsave(&h->synic_lock, fl);
	WRITE_ONCE(h->sint[sint], data);
	if (!(data & HV_SYNIC_SINT_MASKED) && (h->event_pending & BIT(sint))) {
		h->event_pending &= ~BIT(sint);
		raise = true;
	}
	if (!(data & HV_SYNIC_SINT_MASKED) && (h->queued & BIT(sint)))
		synic_note(vp, sint);
	spin_unlock_irqrestore(&h->synic_lock, fl);
	synic_update_auto_eoi(vp);
	if (raise)
		synic_raise(vp, data);
	return 0;
}

/**
 * hvtb_synic_msr_write() - write a SynIC or synthetic timer MSR (SCONTROL,
 * SIEFP, SIMP, EOM, SINT0..15, STIMER0..3 CONFIG/COUNT). Never sleeps:
 * work on guest memory is left in synic_work for hvtb_synic_deliver().
 * @vp: the VP
 * @index: the MSR
 * @data: the value
 * @host: user space's write (SINT vectors below 16 allowed, for restore)
 * Return: 0, or -EINVAL for a refused value (#GP for the guest).
 */
int hvtb_synic_msr_write(struct hvtb_vp *vp, u32 index, u64 data, bool host)
{
	struct hvtb_hv_vp *h = vp->hv;

	switch (index) {
	case HV_X64_MSR_SCONTROL:
		if (data & ~HV_SYNIC_CONTROL_ENABLE)
			return -EINVAL;
		WRITE_ONCE(h->scontrol, data);
		break;
	case HV_X64_MSR_SIEFP:
	case HV_X64_MSR_SIMP:
		if (data & PAGE_RSVD_MASK)
			return -EINVAL;
		if (index == HV_X64_MSR_SIEFP)
			WRITE_ONCE(h->siefp, data);
		else
			WRITE_ONCE(h->simp, data);
		break;
	case HV_X64_MSR_EOM:
		break;
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT0 + 15:
		return synic_write_sint(vp, index - HV_X64_MSR_SINT0, data, host);
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER0_CONFIG + 7:
		index -= HV_X64_MSR_STIMER0_CONFIG;
		return stimer_write(vp, index / 2, index & 1, data, host);
	default:
		return -EINVAL;
	}
	if (h->queues)
		synic_rescan(vp);
	return 0;
}

/* ---- save and restore: HVTB_VP_GET_SYNIC, HVTB_VP_SET_SYNIC ---- */

static void synic_get_state(struct hvtb_vp *vp, struct hvtb_synic_state *s)
{
	struct hvtb_hv_vp *h = vp->hv;
	unsigned long fl;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	spin_lock_irqsave(&h->synic_lock, fl);
	s->scontrol = h->scontrol;
	s->siefp = h->siefp;
	s->simp = h->simp;
	memcpy(s->sint, h->sint, sizeof(s->sint));
	memcpy(s->stimer_config, h->stimer_config, sizeof(s->stimer_config));
	memcpy(s->stimer_count, h->stimer_count, sizeof(s->stimer_count));
	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		s->stimer_expiration[i] = h->stimer[i].armed ? h->stimer[i].exp : 0;
	s->event_pending = h->event_pending;
	s->queued = h->queued;
	spin_unlock_irqrestore(&h->synic_lock, fl);
}

/*
 * Whether each timer's expiry message waits in a queue, from the queues
 * themselves (after a restore). synic_lock held.
 */
static void synic_sync_timer_queued(struct hvtb_hv_vp *h)
{
	const struct hvtb_synic_queue *q;
	unsigned int i, n;
	int t;

	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		h->stimer[i].queued = false;
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		q = &h->queues[i];
		for (n = 0; n < q->count; n++) {
			t = synic_msg_timer(&q->msgs[(q->head + n) %
						     HVTB_HV_SINT_QUEUE_DEPTH]);
			if (t >= 0)
				h->stimer[t].queued = true;
		}
	}
}

static int synic_set_state(struct hvtb_vp *vp, const struct hvtb_synic_state *s)
{
	struct hvtb_hv_vp *h = vp->hv;
	unsigned long fl;
	unsigned int i;

	if (s->flags || memchr_inv(s->reserved, 0, sizeof(s->reserved)) ||
	    (s->scontrol & ~HV_SYNIC_CONTROL_ENABLE) ||
	    (s->siefp & PAGE_RSVD_MASK) || (s->simp & PAGE_RSVD_MASK))
		return -EINVAL;
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		if (s->sint[i] & SINT_RSVD_MASK)
			return -EINVAL;
	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		if (s->stimer_config[i] & STIMER_RSVD_MASK)
			return -EINVAL;

	spin_lock_irqsave(&h->synic_lock, fl);
	WRITE_ONCE(h->scontrol, s->scontrol);
	WRITE_ONCE(h->siefp, s->siefp);
	WRITE_ONCE(h->simp, s->simp);
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		WRITE_ONCE(h->sint[i], s->sint[i]);
	h->event_pending = s->event_pending;
	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		h->stimer_config[i] = s->stimer_config[i];
		h->stimer_count[i] = s->stimer_count[i];
		stimer_arm(vp, i, s->stimer_expiration[i]);
	}
	synic_sync_timer_queued(h);
	spin_unlock_irqrestore(&h->synic_lock, fl);
	synic_update_auto_eoi(vp);
	/* Unmasked SINTs with a pending raise, and every queue: try again. */
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		if (!(s->sint[i] & HV_SYNIC_SINT_MASKED) &&
		    (s->event_pending & BIT(i)))
			synic_write_sint(vp, i, s->sint[i], true);
	synic_rescan(vp);
	synic_kick(vp);
	return 0;
}

/* ---- save and restore of the queues: HVTB_VP_GET/SET_SYNIC_QUEUE ---- */

#define SYNIC_QUEUE_MAX	(HV_SYNIC_SINT_COUNT * HVTB_HV_SINT_QUEUE_DEPTH)

static_assert(sizeof(struct hvtb_synic_message) == sizeof(struct hv_message));

static void synic_msg_to_user(struct hvtb_synic_message *u,
			      const struct hv_message *m)
{
	u->message_type = m->header.message_type;
	u->payload_size = m->header.payload_size;
	u->message_flags = 0;
	u->reserved = 0;
	u->sender = m->header.sender;
	memcpy(u->payload, m->u.payload, sizeof(u->payload));
}

static void synic_msg_from_user(struct hv_message *m,
				const struct hvtb_synic_message *u)
{
	memset(m, 0, sizeof(*m));
	m->header.message_type = u->message_type;
	m->header.payload_size = u->payload_size;
	m->header.sender = u->sender;
	memcpy(m->u.payload, u->payload, sizeof(u->payload));
}

/* Every waiting message into @e (room for SYNIC_QUEUE_MAX). Return: the count. */
static u32 synic_queue_snapshot(struct hvtb_hv_vp *h,
				struct hvtb_synic_queue_entry *e)
{
	const struct hvtb_synic_queue *q;
	unsigned int sint, i;
	unsigned long fl;
	u32 n = 0;

	spin_lock_irqsave(&h->synic_lock, fl);
	for (sint = 0; sint < HV_SYNIC_SINT_COUNT; sint++) {
		q = &h->queues[sint];
		for (i = 0; i < q->count; i++, n++) {
			e[n].sint = sint;
			e[n].pad = 0;
			synic_msg_to_user(&e[n].message,
					  &q->msgs[(q->head + i) % HVTB_HV_SINT_QUEUE_DEPTH]);
		}
	}
	spin_unlock_irqrestore(&h->synic_lock, fl);
	return n;
}

static long synic_get_queue(struct hvtb_vp *vp, struct hvtb_synic_queues *qs,
			    struct hvtb_synic_queue_entry *e)
{
	u32 n = synic_queue_snapshot(vp->hv, e);

	qs->count = n;
	if (n > qs->capacity)
		return -E2BIG;
	if (copy_to_user(u64_to_user_ptr(qs->entries), e, n * sizeof(*e)))
		return -EFAULT;
	return 0;
}

/* Check the entries of a SET; count each SINT's in @per_sint. */
static int synic_queue_check(const struct hvtb_synic_queue_entry *e, u32 n,
			     u32 *per_sint)
{
	const struct hvtb_synic_message *m;
	u32 i;

	for (i = 0; i < n; i++) {
		m = &e[i].message;
		if (e[i].sint >= HV_SYNIC_SINT_COUNT || e[i].pad ||
		    m->message_type == HVMSG_NONE || m->message_flags ||
		    m->reserved || m->payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
			return -EINVAL;
		per_sint[e[i].sint]++;
	}
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		if (per_sint[i] > HVTB_HV_SINT_QUEUE_DEPTH)
			return -ENOSPC;
	return 0;
}

static long synic_set_queue(struct hvtb_vp *vp,
			    const struct hvtb_synic_queues *qs,
			    struct hvtb_synic_queue_entry *e)
{
	u32 per_sint[HV_SYNIC_SINT_COUNT] = { 0 };
	struct hvtb_hv_vp *h = vp->hv;
	struct hvtb_synic_queue *q;
	unsigned long fl;
	unsigned int i;
	int r;

	if (qs->count > SYNIC_QUEUE_MAX)
		return -ENOSPC;
	if (copy_from_user(e, u64_to_user_ptr(qs->entries),
			   qs->count * sizeof(*e)))
		return -EFAULT;
	r = synic_queue_check(e, qs->count, per_sint);
	if (r)
		return r;

	spin_lock_irqsave(&h->synic_lock, fl);
	h->queued = 0;
	for (i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		h->queues[i].head = 0;
		h->queues[i].count = 0;
	}
	for (i = 0; i < qs->count; i++) {
		q = &h->queues[e[i].sint];
		synic_msg_from_user(&q->msgs[q->count++], &e[i].message);
		h->queued |= BIT(e[i].sint);
	}
	synic_sync_timer_queued(h);
	spin_unlock_irqrestore(&h->synic_lock, fl);
	synic_rescan(vp);
	synic_kick(vp);
	return 0;
}

/**
 * hvtb_synic_ioctl_queue() - HVTB_VP_GET_SYNIC_QUEUE / HVTB_VP_SET_SYNIC_QUEUE.
 * @vp: the VP (its run_lock held)
 * @cmd: the ioctl
 * @uarg: struct hvtb_synic_queues
 * Return: 0 or -errno; -ENODEV without the SynIC.
 */
long hvtb_synic_ioctl_queue(struct hvtb_vp *vp, unsigned int cmd,
			    void __user *uarg)
{
	struct hvtb_synic_queue_entry *e;
	struct hvtb_synic_queues qs;
	long r;

	if (!vp->hv->queues)
		return -ENODEV;
	if (copy_from_user(&qs, uarg, sizeof(qs)))
		return -EFAULT;
	if (qs.flags || qs.pad || memchr_inv(qs.reserved, 0, sizeof(qs.reserved)))
		return -EINVAL;
	e = kvmalloc_array(SYNIC_QUEUE_MAX, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	if (cmd == HVTB_VP_SET_SYNIC_QUEUE) {
		r = synic_set_queue(vp, &qs, e);
		goto out_free;
	}
	r = synic_get_queue(vp, &qs, e);
	if ((!r || r == -E2BIG) &&
	    copy_to_user(uarg, &qs, sizeof(qs)))
		r = -EFAULT;
out_free:
	kvfree(e);
	return r;
}

/**
 * hvtb_synic_ioctl_state() - HVTB_VP_GET_SYNIC / HVTB_VP_SET_SYNIC.
 * @vp: the VP (its run_lock held)
 * @cmd: the ioctl
 * @uarg: struct hvtb_synic_state
 * Return: 0 or -errno; -ENODEV without the SynIC.
 */
long hvtb_synic_ioctl_state(struct hvtb_vp *vp, unsigned int cmd,
			    void __user *uarg)
{
	struct hvtb_synic_state s;

	if (!vp->hv->queues)
		return -ENODEV;
	if (cmd == HVTB_VP_GET_SYNIC) {
		/* Flags hvtb_synic_signal_async() noted belong to the state. */
		if (test_and_clear_bit(HVTB_SYNIC_WORK_FLAGS, &vp->hv->synic_work))
			synic_flush_flags(vp);
		synic_get_state(vp, &s);
		return copy_to_user(uarg, &s, sizeof(s)) ? -EFAULT : 0;
	}
	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	return synic_set_state(vp, &s);
}

/* ---- the host side: HVTB_PARTITION_POST_HV_MESSAGE, HVTB_PARTITION_SIGNAL_HV_FLAG ---- */

/**
 * hvtb_synic_post() - queue a message for SINT @sint of VP @vp_index, as
 * the hypervisor would send it: the queue and EOM rules of this file apply
 * (a free slot gets it and the SINT is raised; a busy slot gets
 * msg_pending and the message waits for the guest's EOM; a masked SINT or
 * disabled SIMP keeps it queued).
 * @part: the partition
 * @vp_index: the target VP
 * @sint: 0..15
 * @type: the message type (non-zero; the hypervisor's own types, with bit
 *	31 set, are allowed: kernel code may speak for the hypervisor)
 * @payload: @size bytes
 * @size: at most HV_MESSAGE_PAYLOAD_BYTE_COUNT (240)
 *
 * HVTB_PARTITION_POST_HV_MESSAGE goes through here too.
 *
 * Context: any (takes only the VP's synic_lock, a spinlock, irqsave).
 * Return: 0, -EINVAL (bad @sint, @type or @size), -ENOENT (no such VP),
 * -ENODEV (the partition does not grant the SynIC), -EAGAIN (the SINT's
 * queue holds HVTB_HV_SINT_QUEUE_DEPTH messages already).
 */
int hvtb_synic_post(struct hvtb_partition *part, u32 vp_index, u32 sint,
		    u32 type, const void *payload, u32 size)
{
	struct hv_message m;
	struct hvtb_vp *vp;
	unsigned long fl;
	int r;

	if (sint >= HV_SYNIC_SINT_COUNT || type == HVMSG_NONE ||
	    size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EINVAL;
	if (vp_index >= part->max_vps)
		return -ENOENT;
	memset(&m, 0, sizeof(m));
	m.header.message_type = type;
	m.header.payload_size = size;
	memcpy(m.u.payload, payload, size);

	rcu_read_lock();
	vp = hvtb_vp_lookup(part, vp_index);
	if (!vp) {
		r = -ENOENT;
	} else if (!vp->hv->queues) {
		r = -ENODEV;
	} else {
		spin_lock_irqsave(&vp->hv->synic_lock, fl);
		r = synic_enqueue(vp, sint, &m);
		spin_unlock_irqrestore(&vp->hv->synic_lock, fl);
		if (!r)
			synic_kick(vp);
	}
	rcu_read_unlock();
	return r;
}

long hvtb_synic_ioctl_post(struct hvtb_partition *part, unsigned int cmd,
			   void __user *uarg)
{
	struct hvtb_hv_post p;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if (p.flags || p.pad || memchr_inv(p.reserved, 0, sizeof(p.reserved)) ||
	    p.sint >= HV_SYNIC_SINT_COUNT || !p.message_type ||
	    p.payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EINVAL;
	return hvtb_synic_post(part, p.vp_index, p.sint, p.message_type,
			       p.payload, p.payload_size);
}

/* Set the flag; raise the SINT if it was clear. part->lock held. */
static long synic_flag_vp(struct hvtb_vp *vp, const struct hvtb_hv_flag *f)
{
	struct hvtb_hv_vp *h = vp->hv;
	u64 siefp = READ_ONCE(h->siefp), sintv;
	unsigned long fl;
	bool raise;
	int r;

	if (!h->queues)
		return -ENODEV;
	if (!synic_on(h) || !(siefp & HV_SYNIC_SIEFP_ENABLE))
		return -ENXIO;
	r = hvtb_ept_test_and_set_bit(vp->part->ept, (siefp & PAGE_MASK) +
				      f->sint * HV_MESSAGE_SIZE, f->flag);
	if (r < 0) {
		h->stats.synic_page_failed++;
		return -ENXIO;
	}
	if (r)
		return 1;
	spin_lock_irqsave(&h->synic_lock, fl);
	sintv = h->sint[f->sint];
	raise = !(sintv & HV_SYNIC_SINT_MASKED);
	if (!raise)
		h->event_pending |= BIT(f->sint);
	spin_unlock_irqrestore(&h->synic_lock, fl);
	if (raise)
		synic_raise(vp, sintv);
	return 0;
}

/**
 * hvtb_synic_signal() - set event flag @flag of SINT @sint in VP
 * @vp_index's SIEFP page; raise the SINT if the flag was clear.
 * @part: the partition
 * @vp_index: the VP
 * @sint: 0..15
 * @flag: 0..2047
 *
 * Context: process context (sleeps).
 * Return: 0 (newly set), 1 (was set), -ENOENT (no such VP), -ENODEV (no
 * SynIC), -ENXIO (SynIC or SIEFP disabled, page not writable).
 */
int hvtb_synic_signal(struct hvtb_partition *part, u32 vp_index, u32 sint,
		      u32 flag)
{
	struct hvtb_hv_flag f = { .vp_index = vp_index, .sint = sint,
				  .flag = flag };
	struct hvtb_vp *vp;
	int r;

	if (vp_index >= part->max_vps)
		return -ENOENT;
	/* The VP stays while part->lock is held (vp_destroy takes it). */
	mutex_lock(&part->lock);
	vp = hvtb_vp_lookup(part, vp_index);
	r = vp ? synic_flag_vp(vp, &f) : -ENOENT;
	mutex_unlock(&part->lock);
	return r;
}

/**
 * hvtb_synic_signal_async() - set event flag @flag of SINT @sint of VP
 * @vp_index and raise the SINT if the flag was clear, from any context.
 * @part: the partition
 * @vp_index: the target VP
 * @sint: 0..15
 * @flag: 0..2047
 *
 * The flag is noted in the VP's pending-flag bitmap (an atomic bit
 * operation) and the VP is kicked; the VP's run path sets it in the SIEFP
 * page with the rules of hvtb_synic_signal() before the guest runs on
 * that VP again (a VP blocked in HLT wakes for it; a VP that is not being
 * run gets it at its next HVTB_VP_RUN, HVTB_VP_GET_SYNIC flushes it too).
 * Flags noted twice before the flush are set once. No sleeping lock is
 * taken: VMBus channel interrupts call this from eventfd wakeups and
 * exit handlers.
 *
 * Context: any; the caller keeps @part alive.
 * Return: 0 (noted), -EINVAL (bad @sint or @flag), -ENOENT (no such VP),
 * -ENODEV (no SynIC), -ENXIO (SynIC or SIEFP disabled now; a SIEFP page
 * outside writable guest memory is found only at the flush, counted in
 * synic_page_failed).
 */
int hvtb_synic_signal_async(struct hvtb_partition *part, u32 vp_index,
			    u32 sint, u32 flag)
{
	struct hvtb_vp *vp;
	int r = 0;

	if (sint >= HV_SYNIC_SINT_COUNT || flag >= HV_EVENT_FLAGS_COUNT)
		return -EINVAL;
	if (vp_index >= part->max_vps)
		return -ENOENT;
	rcu_read_lock();
	vp = hvtb_vp_lookup(part, vp_index);
	if (!vp) {
		r = -ENOENT;
	} else if (!vp->hv->queues) {
		r = -ENODEV;
	} else if (!synic_on(vp->hv) ||
		   !(READ_ONCE(vp->hv->siefp) & HV_SYNIC_SIEFP_ENABLE)) {
		r = -ENXIO;
	} else {
		set_bit(sint * HV_EVENT_FLAGS_COUNT + flag, vp->hv->flags_pending);
		/* The bit, then the work: synic_flush_flags() clears in that order. */
		smp_mb__before_atomic();
		set_bit(HVTB_SYNIC_WORK_FLAGS, &vp->hv->synic_work);
		hvtb_vp_request(vp, HVTB_REQ_SYNIC);
		synic_kick(vp);
	}
	rcu_read_unlock();
	return r;
}

long hvtb_synic_ioctl_signal_flag(struct hvtb_partition *part, unsigned int cmd,
				  void __user *uarg)
{
	struct hvtb_hv_flag f;

	if (copy_from_user(&f, uarg, sizeof(f)))
		return -EFAULT;
	if (f.flags || memchr_inv(f.reserved, 0, sizeof(f.reserved)) ||
	    f.sint >= HV_SYNIC_SINT_COUNT || f.flag >= HV_EVENT_FLAGS_COUNT)
		return -EINVAL;
	return hvtb_synic_signal(part, f.vp_index, f.sint, f.flag);
}

/* ---- lifetime ---- */

/**
 * hvtb_synic_vp_init() - the SynIC and timers of a new VP; only in
 * partitions that grant the SynIC MSRs (else h->queues stays NULL and
 * nothing is delivered).
 * @vp: the VP, not yet published (vp->hv allocated)
 * Return: 0 or -ENOMEM.
 */
int hvtb_synic_vp_init(struct hvtb_vp *vp)
{
	const struct hvtb_hv *hv = vp->part->hv;
	struct hvtb_hv_vp *h = vp->hv;
	unsigned int i;

	spin_lock_init(&h->synic_lock);
	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++) {
		hrtimer_init(&h->stimer[i].timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS);
		h->stimer[i].timer.function = stimer_fn;
		h->stimer[i].vp = vp;
	}
	if (!hv->enabled || !(hv->cfg.features_eax & HV_MSR_SYNIC_AVAILABLE))
		return 0;
	h->flags_pending = bitmap_zalloc(HV_SYNIC_SINT_COUNT * HV_EVENT_FLAGS_COUNT,
					 GFP_KERNEL_ACCOUNT);
	if (!h->flags_pending)
		return -ENOMEM;
	h->queues = kvcalloc(HV_SYNIC_SINT_COUNT, sizeof(*h->queues),
			     GFP_KERNEL_ACCOUNT);
	if (!h->queues) {
		bitmap_free(h->flags_pending);
		h->flags_pending = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * hvtb_synic_vp_stop() - stop the VP's synthetic timers; before its APIC
 * is freed (a direct-mode timer delivers to it).
 * @vp: the VP, unpublished
 */
void hvtb_synic_vp_stop(struct hvtb_vp *vp)
{
	struct hvtb_hv_vp *h = vp->hv;
	unsigned long fl;
	unsigned int i;

	if (!h)
		return;
	spin_lock_irqsave(&h->synic_lock, fl);
	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		h->stimer[i].armed = false;
	spin_unlock_irqrestore(&h->synic_lock, fl);
	for (i = 0; i < HV_SYNIC_STIMER_COUNT; i++)
		hrtimer_cancel(&h->stimer[i].timer);
}

/**
 * hvtb_synic_vp_destroy() - free the message queues.
 * @vp: the VP, timers stopped
 */
void hvtb_synic_vp_destroy(struct hvtb_vp *vp)
{
	hvtb_synic_vp_stop(vp);
	kvfree(vp->hv->queues);
	vp->hv->queues = NULL;
	bitmap_free(vp->hv->flags_pending);
	vp->hv->flags_pending = NULL;
}
