// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - virtual processors: the VP fd, its ioctls and the run ioctl.
 *
 * HVTB_VP_RUN enters the guest on the calling thread (the scheduler issue
 * will move execution to hvtb's own threads behind the same uapi). The
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
	if (vp->mmio_fetch) {
		vp->mmio_fetch = false;
		if (hvtb_ept_range_flags(vp->part->ept, vp->run->mmio.gpa))
			vp->run->mmio.flags |= HVTB_MMIO_MAPPED;
		vp_fetch_insn(vp);
	}
	if (vp->sio_pending && !vp->sio.in && vp_copy_string_io(vp, false)) {
		vp->sio_pending = false;
		vp_internal_error(vp, HVTB_INTERNAL_EMULATION);
	}
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
		vp->sched.yield = false;	/* the host's scheduler decides */
		r = hvtb_vmx_vp_run(vp, 0);
		if (r != VMX_EXIT_CONTINUE)
			break;
	}
	fpu_swap_kvm_fpstate(&vp->fpu, false);
	hvtb_vp_set_task(vp, NULL);
	return r;
}

/* One stretch of guest execution, wherever the partition's VPs execute. */
static int vp_execute(struct hvtb_vp *vp)
{
	int r;

	if (vp->part->root_sched) {
		if (vp->sched.halted) {
			/* Back into the HLT a signal interrupted. */
			vp->sched.halted = false;
			return VMX_EXIT_HALT;
		}
		return vp_run_here(vp);
	}
	r = hvtb_sched_start(vp);
	return r ?: hvtb_sched_wait(vp);
}

/*
 * What a stretch left to the RUN caller, where sleeping is allowed: a HLT
 * to block in (in-kernel APIC), an xAPIC access to emulate, hypercall or
 * synthetic-MSR work on guest memory (kmod/hypercall). Returns
 * VMX_EXIT_CONTINUE to execute on, or the result for user space.
 */
static int vp_in_kernel_work(struct hvtb_vp *vp, int r)
{
	switch (r) {
	case VMX_EXIT_HALT:
		/*
		 * A signal ends the wait; the run then reports -EINTR, and
		 * the next run resumes the HLT. SynIC work wakes it too: a
		 * message written into the SIMP page raises its SINT's
		 * vector, else the VP halts again.
		 */
		for (;;) {
			if (hvtb_apic_halt(vp)) {
				vp->sched.halted = true;
				return -EINTR;
			}
			if (!hvtb_hv_synic_work(vp->hv))
				return VMX_EXIT_CONTINUE;
			hvtb_synic_deliver(vp);
			if (hvtb_apic_has_interrupt(vp) || hvtb_apic_nmi_pending(vp))
				return VMX_EXIT_CONTINUE;
		}
	case VMX_EXIT_APIC_MMIO:
		if (!hvtb_apic_mmio(vp))
			return VMX_EXIT_CONTINUE;
		vp_internal_error(vp, HVTB_INTERNAL_EMULATION);
		return VMX_EXIT_USER;
	case VMX_EXIT_SLOW:
		hvtb_hv_slow(vp);	/* hypercall/MSR work on guest memory */
		return VMX_EXIT_CONTINUE;
	default:
		return r;
	}
}

/* Work the next run needs before the guest is entered. 0 or an exit for user space. */
static int vp_before_run(struct hvtb_vp *vp)
{
	vp->stats.runs++;

	/* INS: user space filled run->data; put it into guest memory. */
	if (vp->sio_pending && vp->sio.in && vp->pending == HVTB_PENDING_IO_INS) {
		vp->pending = HVTB_PENDING_NONE;
		if (vp_copy_string_io(vp, true)) {
			vp->sio_pending = false;
			vp_internal_error(vp, HVTB_INTERNAL_EMULATION);
			return VMX_EXIT_USER;
		}
	}
	return 0;
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
		r = vp_before_run(vp);
		if (r)
			return 0;
		if (async) {
			r = hvtb_sched_start(vp);
			if (r)
				return r;
			WRITE_ONCE(vp->run_async, true);
			return -EINPROGRESS;
		}
		r = vp_execute(vp);
	}
	for (;;) {
		r = vp_in_kernel_work(vp, r);
		if (r != VMX_EXIT_CONTINUE)
			break;
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

/* Are the pad bytes of the exception, interrupt and NMI parts all 0? */
static bool vp_events_pads_zero(const struct hvtb_vp_events *ev)
{
	return !ev->exception.pad &&
	       !memchr_inv(ev->interrupt.pad, 0, sizeof(ev->interrupt.pad)) &&
	       !memchr_inv(ev->nmi.pad, 0, sizeof(ev->nmi.pad));
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
		if (!vp_events_pads_zero(&u.ev))
			return -EINVAL;
		r = hvtb_vmx_set_events(vp, &u.ev);
		break;
	}
	if (r)
		return r;
	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, &u, size))
		return -EFAULT;
	return 0;
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
		    (set ? hvtb_vmx_set_msr(vp, e.index, e.data) :
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
	if (io->flags & HVTB_IOCTL_ENDS_HLT)
		vp->sched.halted = false;
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
	WRITE_ONCE(part->vps[vp->index], NULL);
	part->nr_vps--;
	mutex_unlock(&part->lock);
	hvtb_sched_vp_destroy(vp);
	/* Direct-mode synthetic timers deliver to the APIC. */
	hvtb_synic_vp_stop(vp);
	/* IPIs, user-space interrupts and SynIC posts find VPs under RCU. */
	if (vp->apic || (vp->hv && vp->hv->queues))
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
		vp = part->vps[i];
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
	if (part->vps[vp->index]) {
		mutex_unlock(&part->lock);
		r = -EEXIST;
		goto err_vmx;
	}
	WRITE_ONCE(part->vps[vp->index], vp);
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
