// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - virtual processors: the VP fd, its ioctls and the run ioctl.
 *
 * HVTB_VP_RUN executes the VP on hvtb's scheduler threads (kmod/sched/) or,
 * in HVTB_PARTITION_ROOT_SCHED partitions, on the calling thread. The
 * parts of an intercept that need guest memory are done here, where
 * sleeping is allowed: copying OUTS data and fetching the instruction bytes
 * of an MMIO access after the exit, copying INS data before the next entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xstate.h>
#include <asm/msr-index.h>

#include "ept/ept.h"
#include "hvtb.h"
#include "ioctl.h"
#include "hypercall/hv.h"
#include "vmx/vmx.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* Copy string I/O elements between guest memory and the run page. */
static int vp_copy_string_io(struct hvtb_vp *vp, bool to_guest)
{
	const struct hvtb_string_io *s = &vp->sio;
	u8 *data = vp->run->data;
	u32 i;
	u64 gpa;
	int r;

	for (i = 0; i < s->count; i++) {
		u64 off = (u64)i * s->size;
		u64 lin = s->seg_base + (s->down ? s->addr - off : s->addr + off);

		if (s->addr_size != 8)
			lin &= 0xffffffff;
		/* An element never crosses a page in practice; walk per byte if so. */
		r = hvtb_gva_to_gpa(vp, lin, &gpa);
		if (r)
			return r;
		if (to_guest)
			r = hvtb_ept_write(vp->part->ept, gpa, data + off, s->size);
		else
			r = hvtb_ept_read(vp->part->ept, gpa, data + off, s->size);
		if (r)
			return r;
	}
	return 0;
}

/* Fetch up to 15 instruction bytes at the faulting RIP, page by page. */
static void vp_fetch_insn(struct hvtb_vp *vp)
{
	struct hvtb_exit_mmio *m = &vp->run->mmio;
	u64 lin = vp->mmio_rip_linear, gpa;
	unsigned int n = 0, chunk;

	while (n < sizeof(m->insn)) {
		chunk = min_t(unsigned int, sizeof(m->insn) - n,
			      PAGE_SIZE - ((lin + n) & ~PAGE_MASK));
		if (hvtb_gva_to_gpa(vp, lin + n, &gpa) ||
		    hvtb_ept_read(vp->part->ept, gpa, m->insn + n, chunk))
			break;
		n += chunk;
	}
	m->insn_len = n;
}

/*
 * HVTB_MMIO_DECODED: a MOV to a GPA in no range (not a permission fault,
 * not a fetch) whose direction is the one the CPU faulted on; the next RUN
 * completes it (HVTB_PENDING_MMIO).
 */
static void vp_mmio_decode(struct hvtb_vp *vp)
{
	struct hvtb_exit_mmio *m = &vp->run->mmio;
	struct x86_mov *mov = &vp->mmio_mov;
	bool write;

	if ((m->flags & HVTB_MMIO_MAPPED) || (m->access & HVTB_ACCESS_EXEC) ||
	    x86_mov_decode(m->insn, m->insn_len, vp->mmio_mode, mov))
		return;
	write = mov->flags & X86_MOV_WRITE;
	if (write != !!(m->access & HVTB_ACCESS_WRITE))
		return;
	m->flags |= HVTB_MMIO_DECODED;
	m->len = mov->size;
	m->write = write;
	m->data = write ? x86_mov_store_value(mov, vp->gprs.regs[mov->reg]) : 0;
	vp->complete_user = hvtb_vmx_complete_mmio;
}

static void vp_internal_error(struct hvtb_vp *vp, u32 suberror)
{
	vp->run->internal = (struct hvtb_exit_internal) {
		.suberror = suberror,
		.hw_exit_reason = vp->exit_reason,
		.qualification = vp->exit_qual,
	};
	vp->run->exit_reason = HVTB_EXIT_INTERNAL;
}

/* The sleeping half of an intercept, after the VMCS was put. */
static void vp_after_exit(struct hvtb_vp *vp)
{
	if (!hvtb_vp_has_requests(vp))
		return;
	if (hvtb_vp_check_request(vp, HVTB_REQ_MMIO_INSN)) {
		if (hvtb_ept_range_flags(vp->part->ept, vp->run->mmio.gpa))
			vp->run->mmio.flags |= HVTB_MMIO_MAPPED;
		vp_fetch_insn(vp);
		vp_mmio_decode(vp);
	}
	if (hvtb_vp_check_request(vp, HVTB_REQ_SIO_OUT) &&
	    vp_copy_string_io(vp, false)) {
		vp->complete_user = NULL;
		vp_internal_error(vp, HVTB_INTERNAL_EMULATION);
	}
}

/* Does the HLT end: an interrupt above PPR or an NMI? */
static bool vp_halt_over(struct hvtb_vp *vp)
{
	return hvtb_apic_has_interrupt(vp) || hvtb_apic_nmi_pending(vp);
}

/*
 * The wait of a blocking HLT ends: an interrupt or NMI (*@over, so that
 * the wait's last look at the APIC decides, one lock round) or SynIC work.
 */
static bool vp_halt_wait_done(struct hvtb_vp *vp, bool *over)
{
	*over = vp_halt_over(vp);
	return *over || hvtb_vp_test_request(vp, HVTB_REQ_SYNIC);
}

/*
 * HVTB_REQ_HALT, the one place a HLT is decided: over once an interrupt or
 * an NMI is pending (the request is taken). Otherwise a VP on hvtb's
 * scheduler blocks on its CPU's queue (hvtb_sched_start() sees the
 * request), and one of a HVTB_PARTITION_ROOT_SCHED partition waits here
 * until an interrupt, SynIC work (done by the caller, which comes back) or
 * a signal (-EINTR: the next run resumes the HLT).
 */
static int vp_halt(struct hvtb_vp *vp)
{
	bool over = vp_halt_over(vp);

	if (!over) {
		if (!vp->part->root_sched)
			return 0;
		if (wait_event_interruptible(vp->halt_wq,
					     vp_halt_wait_done(vp, &over)))
			return -EINTR;
		if (!over)
			return 0;
	}
	hvtb_vp_check_request(vp, HVTB_REQ_HALT);
	return 0;
}

/*
 * HVTB_REQ_MP: an INIT or a SIPI from the in-kernel APIC (or
 * HVTB_VP_SET_MP_STATE). An INIT resets the VP's state; a SIPI starts it;
 * in wait-for-SIPI the request stays noted, so the VP never enters the
 * guest, and it blocks as in HLT (HVTB_REQ_HALT) until the APIC has an INIT
 * or a SIPI for it (hvtb_apic_has_interrupt() says so then).
 */
static int vp_mp(struct hvtb_vp *vp)
{
	int ev, r;

	if (!hvtb_vp_check_request(vp, HVTB_REQ_MP))
		return 0;
	while ((ev = hvtb_apic_mp_take(vp)) == HVTB_APIC_MP_INIT) {
		r = hvtb_vmx_init_reset(vp);
		if (r)
			return r;
	}
	if (ev >= 0)
		return hvtb_vmx_start_sipi(vp, ev);
	if (ev == HVTB_APIC_MP_WAIT) {
		hvtb_vp_request(vp, HVTB_REQ_MP);
		hvtb_vp_request(vp, HVTB_REQ_HALT);
	}
	return 0;
}

/* A registered room's request: its handler's result. */
static int vp_do_request(struct hvtb_vp *vp, enum hvtb_request req)
{
	hvtb_request_fn fn = hvtb_vp_request_fns[req];
	int r;

	if (!hvtb_vp_check_request(vp, req) || WARN_ON_ONCE(!fn))
		return 0;
	r = fn(vp);
	if (r < 0) {
		vp_internal_error(vp, HVTB_INTERNAL_EMULATION);
		return VMX_EXIT_USER;
	}
	return r;
}

/*
 * The requests, before an entry, where sleeping is allowed: the one place
 * the run loop does deferred work (the backend looks at the mask before
 * each entry and leaves for it). Return: 0 to execute the guest,
 * VMX_EXIT_USER (run->exit_reason set) or -EINTR.
 */
static int vp_check_requests(struct hvtb_vp *vp)
{
	int r;

	if (!hvtb_vp_has_requests(vp))
		return 0;
	/* INS: user space filled run->data; put it into guest memory. */
	if (hvtb_vp_check_request(vp, HVTB_REQ_SIO_IN) &&
	    vp_copy_string_io(vp, true)) {
		vp->complete_user = NULL;
		vp_internal_error(vp, HVTB_INTERNAL_EMULATION);
		return VMX_EXIT_USER;
	}
	for (;;) {
		r = vp_mp(vp);
		if (r < 0)
			return r;
		r = vp_do_request(vp, HVTB_REQ_HV_WORK);
		r = r ?: vp_do_request(vp, HVTB_REQ_APIC_MMIO);
		r = r ?: vp_do_request(vp, HVTB_REQ_SYNIC);
		if (r || !hvtb_vp_test_request(vp, HVTB_REQ_HALT))
			return r;
		r = vp_halt(vp);
		/* SynIC work ended the wait: deliver, then halt again. */
		if (r || !hvtb_vp_test_request(vp, HVTB_REQ_SYNIC))
			return r;
	}
}

/*
 * HVTB_PARTITION_ROOT_SCHED: the VP executes on the calling thread, which
 * the host's scheduler preempts like any other (the guest FPU state stays
 * loaded across that; the FPU core saves it at a context switch).
 */
static int vp_run_here(struct hvtb_vp *vp)
{
	int r;

	hvtb_vp_set_task(vp, current);	/* kicks come to this thread */
	fpu_swap_kvm_fpstate(&vp->fpu, true);
	for (;;) {
		if (signal_pending(current)) {
			r = -EINTR;
			break;
		}
		cond_resched();
		/* The host's scheduler decides who runs: a yield is no more. */
		hvtb_vp_check_request(vp, HVTB_REQ_YIELD);
		r = hvtb_vmx_vp_run(vp, 0);
		if (r != VMX_EXIT_CONTINUE ||
		    (READ_ONCE(vp->requests) & ~BIT(HVTB_REQ_YIELD)))
			break;
	}
	fpu_swap_kvm_fpstate(&vp->fpu, false);
	hvtb_vp_set_task(vp, NULL);
	return r;
}

/*
 * One stretch of guest execution, wherever the partition's VPs execute.
 * Return: VMX_EXIT_USER, VMX_EXIT_CONTINUE with requests noted, or -errno
 * (-EINTR: a signal).
 */
static int vp_execute(struct hvtb_vp *vp)
{
	int r;

	if (vp->part->root_sched)
		return vp_run_here(vp);
	r = hvtb_sched_start(vp);
	return r ?: hvtb_sched_wait(vp);
}

static long vp_run(struct hvtb_vp *vp, unsigned long arg)
{
	bool async = arg == HVTB_RUN_ASYNC;
	int r;

	if ((arg && !async) || vp->run->flags || (async && vp->part->root_sched))
		return -EINVAL;

	if (vp->run_async) {
		/* Collect the run HVTB_RUN_ASYNC started. */
		if (async)
			return -EBUSY;
		vp->run_async = false;
		r = hvtb_sched_wait(vp);
	} else {
		vp->stats.runs++;
		r = vp_check_requests(vp);
		if (!r && async) {
			r = hvtb_sched_start(vp);
			if (r)
				return r;
			WRITE_ONCE(vp->run_async, true);
			return -EINPROGRESS;
		}
		if (!r)
			r = vp_execute(vp);
	}
	while (r == VMX_EXIT_CONTINUE) {
		r = vp_check_requests(vp);
		if (!r)
			r = vp_execute(vp);
	}
	if (r == -EINTR)
		vp->run->exit_reason = HVTB_EXIT_INTR;

	if (r > 0) {
		vp_after_exit(vp);
		trace_hvtb_intercept(vp->part->id, vp->index, vp->run->exit_reason);
		r = 0;
	}
	return r;
}

/* EPOLLIN once the run HVTB_RUN_ASYNC started has ended. */
static __poll_t vp_poll(struct file *file, poll_table *wait)
{
	struct hvtb_vp *vp = file->private_data;

	poll_wait(file, &vp->sched.done, wait);
	if (READ_ONCE(vp->run_async) && hvtb_sched_done(vp))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/* Are the pad fields of the segments and descriptor tables all 0? */
static bool vp_sregs_pads_zero(const struct hvtb_sregs *s)
{
	const struct hvtb_segment *seg[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seg); i++)
		if (seg[i]->pad || seg[i]->pad2)
			return false;
	return !memchr_inv(s->gdt.pad, 0, sizeof(s->gdt.pad)) &&
	       !memchr_inv(s->idt.pad, 0, sizeof(s->idt.pad)) &&
	       !memchr_inv(s->reserved, 0, sizeof(s->reserved));
}

/*
 * HVTB_VP_SET_EVENTS: pads must be 0, and an exception must be one VM
 * entry can inject: it carries an error code exactly when the CPU would
 * push one (protected mode, vectors 8, 10-14, 17, 21; SDM 26.2.1.3).
 */
static int vp_events_check(struct hvtb_vp *vp, const struct hvtb_vp_events *ev)
{
	const unsigned long with_code = BIT(8) | GENMASK(14, 10) | BIT(17) | BIT(21);
	struct hvtb_sregs *s;
	bool pe, code;

	if (ev->exception.pad ||
	    memchr_inv(ev->interrupt.pad, 0, sizeof(ev->interrupt.pad)) ||
	    memchr_inv(ev->nmi.pad, 0, sizeof(ev->nmi.pad)))
		return -EINVAL;
	if (!ev->exception.pending || ev->exception.vector > 31)
		return 0;	/* the vector is checked with the rest */
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	hvtb_vmx_get_sregs(vp, s);
	pe = s->cr0 & X86_CR0_PE;
	kfree(s);
	code = pe && (with_code & BIT(ev->exception.vector));
	return code == !!ev->exception.has_error_code ? 0 : -EINVAL;
}

static long vp_get_set(struct hvtb_vp *vp, unsigned int cmd, void __user *uarg)
{
	union {
		struct hvtb_regs regs;
		struct hvtb_sregs sregs;
		struct hvtb_vp_events ev;
	} u;
	size_t size = _IOC_SIZE(cmd);
	int r = 0;

	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		if (copy_from_user(&u, uarg, size))
			return -EFAULT;
	}
	switch (cmd) {
	case HVTB_VP_GET_REGS:
		hvtb_vmx_get_regs(vp, &u.regs);
		break;
	case HVTB_VP_SET_REGS:
		r = hvtb_vmx_set_regs(vp, &u.regs);
		break;
	case HVTB_VP_GET_SREGS:
		hvtb_vmx_get_sregs(vp, &u.sregs);
		break;
	case HVTB_VP_SET_SREGS:
		if (!vp_sregs_pads_zero(&u.sregs))
			return -EINVAL;
		r = hvtb_vmx_set_sregs(vp, &u.sregs);
		break;
	case HVTB_VP_GET_EVENTS:
		hvtb_vmx_get_events(vp, &u.ev);
		break;
	case HVTB_VP_SET_EVENTS:
		r = vp_events_check(vp, &u.ev) ?: hvtb_vmx_set_events(vp, &u.ev);
		break;
	}
	if (r)
		return r;
	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, &u, size))
		return -EFAULT;
	return 0;
}

/* An MSR write of user space; work it left on guest memory is done now. */
static int vp_set_msr(struct hvtb_vp *vp, u32 index, u64 data)
{
	int r = hvtb_vmx_set_msr(vp, index, data);

	if (r > 0)
		r = vp_do_request(vp, HVTB_REQ_HV_WORK) > 0 ? -EIO : 0;
	return r;
}

/* HVTB_VP_GET_MSRS / HVTB_VP_SET_MSRS */
static long vp_msrs(struct hvtb_vp *vp, unsigned int cmd, void __user *uarg)
{
	bool set = cmd == HVTB_VP_SET_MSRS;
	struct hvtb_msr_entry __user *ue;
	struct hvtb_msr_entry e;
	struct hvtb_msrs m;
	u32 i;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.pad || !m.nmsrs || m.nmsrs > HVTB_MAX_MSR_INTERCEPTS)
		return -EINVAL;
	ue = u64_to_user_ptr(m.entries);
	for (i = 0; i < m.nmsrs; i++) {
		if (copy_from_user(&e, &ue[i], sizeof(e)))
			return -EFAULT;
		if (e.pad)
			return -EINVAL;
		if (hvtb_hv_msr_range(e.index) ?
		    (set ? hvtb_hv_msr_write(vp, e.index, e.data, true) :
			   hvtb_hv_msr_read(vp, e.index, &e.data, true)) :
		    (set ? vp_set_msr(vp, e.index, e.data) :
			   hvtb_vmx_get_msr(vp, e.index, &e.data)))
			break;
		if (!set && copy_to_user(&ue[i], &e, sizeof(e)))
			return -EFAULT;
	}
	return i;
}

/* HVTB_VP_GET_FPU / HVTB_VP_SET_FPU */
static long vp_fpu(struct hvtb_vp *vp, unsigned int cmd, void __user *uarg)
{
	bool set = cmd == HVTB_VP_SET_FPU;
	struct hvtb_xsave *x;
	long r = 0;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	if (set) {
		if (copy_from_user(x, uarg, sizeof(*x)))
			r = -EFAULT;
		else
			r = fpu_copy_uabi_to_guest_fpstate(&vp->fpu, x,
							   vp->xcr0 | XFEATURE_MASK_FPSSE,
							   NULL);
	} else {
		fpu_copy_guest_fpstate_to_uabi(&vp->fpu, x, sizeof(*x),
					       vp->xcr0 | XFEATURE_MASK_FPSSE, 0);
		if (copy_to_user(uarg, x, sizeof(*x)))
			r = -EFAULT;
	}
	kfree(x);
	return r;
}

static long vp_sched(struct hvtb_vp *vp, unsigned int cmd, void __user *uarg)
{
	struct hvtb_vp_sched p;
	int r;

	if (cmd == HVTB_VP_GET_SCHED) {
		hvtb_sched_get(vp, &p);
		return copy_to_user(uarg, &p, sizeof(p)) ? -EFAULT : 0;
	}
	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	r = hvtb_sched_set(vp, &p);
	return r;
}

/* HVTB_VP_GET_LAPIC / HVTB_VP_SET_LAPIC */
static long vp_lapic(struct hvtb_vp *vp, unsigned int cmd, void __user *uarg)
{
	bool set = cmd == HVTB_VP_SET_LAPIC;
	struct hvtb_lapic_state *s;
	u64 tsc = 0;
	long r = 0;

	if (!vp->apic)
		return -ENODEV;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	if (set) {
		if (copy_from_user(s, uarg, sizeof(*s))) {
			r = -EFAULT;
			goto out;
		}
		hvtb_vmx_get_msr(vp, MSR_IA32_TSC, &tsc);
		r = hvtb_apic_set_state(vp, s, tsc);
	} else {
		hvtb_apic_get_state(vp, s);
		if (copy_to_user(uarg, s, sizeof(*s)))
			r = -EFAULT;
	}
out:
	kfree(s);
	return r;
}

/* HVTB_VP_GET_MP_STATE / HVTB_VP_SET_MP_STATE */
static long vp_mp_state(struct hvtb_vp *vp, unsigned int cmd, void __user *uarg)
{
	bool set = cmd == HVTB_VP_SET_MP_STATE;
	struct hvtb_mp_state s = { 0 };
	int r;

	if (!set) {
		if (!vp->apic)
			return -ENODEV;
		s.state = hvtb_apic_get_mp_state(vp);
		return copy_to_user(uarg, &s, sizeof(s)) ? -EFAULT : 0;
	}
	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if (s.pad || memchr_inv(s.reserved, 0, sizeof(s.reserved)) ||
	    (s.state != HVTB_MP_STATE_RUNNABLE &&
	     s.state != HVTB_MP_STATE_WAIT_SIPI))
		return -EINVAL;
	if (!vp->apic)
		return -ENODEV;
	if (s.state == HVTB_MP_STATE_WAIT_SIPI) {
		r = hvtb_vmx_init_reset(vp);
		if (r)
			return r;
	}
	hvtb_apic_set_mp_state(vp, s.state);
	hvtb_vp_check_request(vp, HVTB_REQ_HALT);
	if (s.state == HVTB_MP_STATE_WAIT_SIPI)
		hvtb_vp_request(vp, HVTB_REQ_MP);
	else
		hvtb_vp_check_request(vp, HVTB_REQ_MP);
	return 0;
}

static long vp_run_ioctl(struct hvtb_vp *vp, unsigned int cmd, void __user *uarg)
{
	return vp_run(vp, (unsigned long)uarg);
}

static long vp_get_stats(struct hvtb_vp *vp, unsigned int cmd, void __user *uarg)
{
	return copy_to_user(uarg, &vp->stats, sizeof(vp->stats)) ? -EFAULT : 0;
}

/*
 * The ioctls of a VP fd. All run under vp->run_lock; those marked
 * HVTB_IOCTL_ASYNC_OK also while an HVTB_RUN_ASYNC run is in flight (the
 * others are -EBUSY then).
 */
#define VP_IOCTL(cmd, type, fn, flags) \
	HVTB_IOCTL(vp, cmd, type, fn, HVTB_IOCTL_RUN_LOCK, flags)
static const struct hvtb_ioctl vp_ioctls[] = {
	HVTB_IOCTL_NOARG(vp, HVTB_VP_RUN, vp_run_ioctl, HVTB_IOCTL_RUN_LOCK,
			 HVTB_IOCTL_ASYNC_OK),
	VP_IOCTL(HVTB_VP_GET_REGS, struct hvtb_regs, vp_get_set, 0),
	VP_IOCTL(HVTB_VP_SET_REGS, struct hvtb_regs, vp_get_set, HVTB_IOCTL_ENDS_HLT),
	VP_IOCTL(HVTB_VP_GET_SREGS, struct hvtb_sregs, vp_get_set, 0),
	VP_IOCTL(HVTB_VP_SET_SREGS, struct hvtb_sregs, vp_get_set, HVTB_IOCTL_ENDS_HLT),
	VP_IOCTL(HVTB_VP_GET_MSRS, struct hvtb_msrs, vp_msrs, 0),
	VP_IOCTL(HVTB_VP_SET_MSRS, struct hvtb_msrs, vp_msrs, 0),
	VP_IOCTL(HVTB_VP_GET_FPU, struct hvtb_xsave, vp_fpu, 0),
	VP_IOCTL(HVTB_VP_SET_FPU, struct hvtb_xsave, vp_fpu, 0),
	VP_IOCTL(HVTB_VP_GET_EVENTS, struct hvtb_vp_events, vp_get_set, 0),
	VP_IOCTL(HVTB_VP_SET_EVENTS, struct hvtb_vp_events, vp_get_set,
		 HVTB_IOCTL_ENDS_HLT),
	VP_IOCTL(HVTB_VP_GET_STATS, struct hvtb_vp_stats, vp_get_stats,
		 HVTB_IOCTL_ASYNC_OK),
	VP_IOCTL(HVTB_VP_GET_MP_STATE, struct hvtb_mp_state, vp_mp_state, 0),
	VP_IOCTL(HVTB_VP_SET_MP_STATE, struct hvtb_mp_state, vp_mp_state, 0),
	/* kmod/hypercall */
	VP_IOCTL(HVTB_VP_GET_HV_STATS, struct hvtb_hv_vp_stats,
		 hvtb_hv_vp_get_stats, 0),
	VP_IOCTL(HVTB_VP_GET_SYNIC, struct hvtb_synic_state,
		 hvtb_synic_ioctl_state, 0),
	VP_IOCTL(HVTB_VP_SET_SYNIC, struct hvtb_synic_state,
		 hvtb_synic_ioctl_state, 0),
	VP_IOCTL(HVTB_VP_GET_SYNIC_QUEUE, struct hvtb_synic_queues,
		 hvtb_synic_ioctl_queue, 0),
	VP_IOCTL(HVTB_VP_SET_SYNIC_QUEUE, struct hvtb_synic_queues,
		 hvtb_synic_ioctl_queue, 0),
	/* kmod/apic */
	VP_IOCTL(HVTB_VP_GET_LAPIC, struct hvtb_lapic_state, vp_lapic, 0),
	VP_IOCTL(HVTB_VP_SET_LAPIC, struct hvtb_lapic_state, vp_lapic, 0),
	/* kmod/sched */
	VP_IOCTL(HVTB_VP_SET_SCHED, struct hvtb_vp_sched, vp_sched, 0),
	VP_IOCTL(HVTB_VP_GET_SCHED, struct hvtb_vp_sched, vp_sched,
		 HVTB_IOCTL_ASYNC_OK),
};

static long vp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hvtb_vp *vp = file->private_data;
	const struct hvtb_ioctl *io;
	long r;

	io = hvtb_ioctl_find(vp_ioctls, ARRAY_SIZE(vp_ioctls), cmd);
	if (!io)
		return -ENOTTY;
	/* Every VP ioctl serializes with the run: vp_ioctls[] are all RUN_LOCK. */
	if (WARN_ON_ONCE(io->lock != HVTB_IOCTL_RUN_LOCK))
		return -ENOTTY;
	if (mutex_lock_killable(&vp->run_lock))
		return -EINTR;
	if (vp->run_async && !(io->flags & HVTB_IOCTL_ASYNC_OK)) {
		r = -EBUSY;
		goto out_unlock;
	}
	if (io->flags & HVTB_IOCTL_ENDS_HLT) {
		/*
		 * User space sets the VP's state: a HLT a signal interrupted
		 * is over, and so is the completion of a decoded MMIO exit.
		 */
		hvtb_vp_check_request(vp, HVTB_REQ_HALT);
		if (vp->complete_user == hvtb_vmx_complete_mmio)
			vp->complete_user = NULL;
	}
	r = io->vp(vp, cmd, (void __user *)arg);
out_unlock:
	mutex_unlock(&vp->run_lock);
	return r;
}

static vm_fault_t vp_fault(struct vm_fault *vmf)
{
	struct hvtb_vp *vp = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	get_page(vp->run_page);
	vmf->page = vp->run_page;
	return 0;
}

static const struct vm_operations_struct vp_vm_ops = {
	.fault = vp_fault,
};

static int vp_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma_pages(vma) != 1)
		return -EINVAL;
	vma->vm_ops = &vp_vm_ops;
	return 0;
}

static void vp_destroy(struct hvtb_vp *vp)
{
	struct hvtb_partition *part = vp->part;

	mutex_lock(&part->lock);
	RCU_INIT_POINTER(part->vps[vp->index], NULL);
	part->nr_vps--;
	mutex_unlock(&part->lock);
	hvtb_sched_vp_destroy(vp);
	/* Direct-mode synthetic timers deliver to the APIC. */
	hvtb_synic_vp_stop(vp);
	/*
	 * Every lookup (IPIs, user-space interrupts, SynIC posts, the TSC
	 * page's check, kicks) is under RCU: wait out the readers.
	 */
	synchronize_rcu();
	if (vp->apic)
		hvtb_apic_destroy(vp);
	hvtb_vmx_vp_destroy(vp);
	hvtb_hv_vp_destroy(vp);
	__free_page(vp->run_page);
	kfree(vp);
	hvtb_partition_put(part);
}

static int vp_release(struct inode *inode, struct file *file)
{
	vp_destroy(file->private_data);
	return 0;
}

static const struct file_operations vp_fops = {
	.owner = THIS_MODULE,
	.release = vp_release,
	.unlocked_ioctl = vp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vp_mmap,
	.poll = vp_poll,
	.llseek = noop_llseek,
};

/*
 * The TSC offset a new VP starts with: that of the partition's first VP,
 * so that all VPs share one TSC (as the reference TSC page assumes) until
 * IA32_TSC is written on one of them; 0 (the host's TSC) for the first.
 */
static u64 vp_partition_tsc_offset(struct hvtb_partition *part)
{
	struct hvtb_vp *vp;
	u64 offset = 0;
	u32 i;

	mutex_lock(&part->lock);
	for (i = 0; i < part->max_vps; i++) {
		vp = hvtb_vp_lookup(part, i);
		if (vp) {
			offset = READ_ONCE(vp->tsc_offset);
			break;
		}
	}
	mutex_unlock(&part->lock);
	return offset;
}

/**
 * hvtb_vp_create() - HVTB_PARTITION_CREATE_VP.
 * @part: the partition
 * @cfg: the VP configuration
 * Return: a new VP fd, or -errno (-EEXIST if the index is taken).
 */
int hvtb_vp_create(struct hvtb_partition *part, const struct hvtb_vp_config *cfg)
{
	struct hvtb_vp *vp;
	int fd, r;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	if (!vp)
		return -ENOMEM;
	vp->part = part;
	vp->index = cfg->index;
	mutex_init(&vp->run_lock);
	init_waitqueue_head(&vp->halt_wq);

	vp->run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vp->run_page) {
		r = -ENOMEM;
		goto err_free_vp;
	}
	vp->run = page_address(vp->run_page);

	r = hvtb_sched_vp_init(vp);
	if (r)
		goto err_free_run;
	r = hvtb_hv_vp_init(vp);
	if (r)
		goto err_sched;
	vp->tsc_offset = vp_partition_tsc_offset(part);
	r = hvtb_vmx_vp_init(vp);
	if (r)
		goto err_free_hv;
	if (part->flags & HVTB_PARTITION_LAPIC) {
		r = hvtb_apic_create(vp);
		if (r)
			goto err_vmx;
	}

	mutex_lock(&part->lock);
	if (rcu_access_pointer(part->vps[vp->index])) {
		mutex_unlock(&part->lock);
		r = -EEXIST;
		goto err_vmx;
	}
	rcu_assign_pointer(part->vps[vp->index], vp);
	part->nr_vps++;
	kref_get(&part->kref);
	mutex_unlock(&part->lock);

	fd = anon_inode_getfd("hvtb-vp", &vp_fops, vp, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		vp_destroy(vp);
		return fd;
	}
	return fd;

err_vmx:
	hvtb_apic_destroy(vp);
	hvtb_vmx_vp_destroy(vp);
err_free_hv:
	hvtb_hv_vp_destroy(vp);
err_sched:
	hvtb_sched_vp_destroy(vp);
err_free_run:
	__free_page(vp->run_page);
err_free_vp:
	kfree(vp);
	return r;
}
