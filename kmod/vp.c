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
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xstate.h>

#include "ept/ept.h"
#include "hvtb.h"
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

static long vp_run(struct hvtb_vp *vp, unsigned long arg)
{
	int r;

	if (arg || vp->run->flags)
		return -EINVAL;
	vp->stats.runs++;

	/* INS: user space filled run->data; put it into guest memory. */
	if (vp->sio_pending && vp->sio.in && vp->pending == HVTB_PENDING_IO_INS) {
		if (vp_copy_string_io(vp, true)) {
			vp->sio_pending = false;
			vp->pending = HVTB_PENDING_NONE;
			vp_internal_error(vp, HVTB_INTERNAL_EMULATION);
			return 0;
		}
		vp->pending = HVTB_PENDING_NONE;
	}

	fpu_swap_kvm_fpstate(&vp->fpu, true);
	for (;;) {
		if (signal_pending(current)) {
			vp->run->exit_reason = HVTB_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();
		r = hvtb_vmx_vp_run(vp);
		if (r == VMX_EXIT_SLOW) {
			hvtb_hv_slow(vp);	/* VMCS put: may sleep */
			continue;
		}
		if (r != 0)
			break;
	}
	fpu_swap_kvm_fpstate(&vp->fpu, false);

	if (r > 0) {
		vp_after_exit(vp);
		trace_hvtb_intercept(vp->part->id, vp->index, vp->run->exit_reason);
		r = 0;
	}
	return r;
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
		if (memchr_inv(u.sregs.reserved, 0, sizeof(u.sregs.reserved)))
			return -EINVAL;
		r = hvtb_vmx_set_sregs(vp, &u.sregs);
		break;
	case HVTB_VP_GET_EVENTS:
		hvtb_vmx_get_events(vp, &u.ev);
		break;
	case HVTB_VP_SET_EVENTS:
		r = hvtb_vmx_set_events(vp, &u.ev);
		break;
	}
	if (r)
		return r;
	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, &u, size))
		return -EFAULT;
	return 0;
}

static long vp_msrs(struct hvtb_vp *vp, void __user *uarg, bool set)
{
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

static long vp_fpu(struct hvtb_vp *vp, void __user *uarg, bool set)
{
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

static long vp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hvtb_vp *vp = file->private_data;
	void __user *uarg = (void __user *)arg;
	long r;

	if (mutex_lock_killable(&vp->run_lock))
		return -EINTR;
	switch (cmd) {
	case HVTB_VP_RUN:
		r = vp_run(vp, arg);
		break;
	case HVTB_VP_GET_REGS:
	case HVTB_VP_SET_REGS:
	case HVTB_VP_GET_SREGS:
	case HVTB_VP_SET_SREGS:
	case HVTB_VP_GET_EVENTS:
	case HVTB_VP_SET_EVENTS:
		r = vp_get_set(vp, cmd, uarg);
		break;
	case HVTB_VP_GET_MSRS:
		r = vp_msrs(vp, uarg, false);
		break;
	case HVTB_VP_SET_MSRS:
		r = vp_msrs(vp, uarg, true);
		break;
	case HVTB_VP_GET_FPU:
		r = vp_fpu(vp, uarg, false);
		break;
	case HVTB_VP_SET_FPU:
		r = vp_fpu(vp, uarg, true);
		break;
	case HVTB_VP_GET_STATS:
		r = copy_to_user(uarg, &vp->stats, sizeof(vp->stats)) ? -EFAULT : 0;
		break;
	default:
		r = hvtb_hv_vp_ioctl(vp, cmd, uarg);
	}
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
	part->vps[vp->index] = NULL;
	part->nr_vps--;
	mutex_unlock(&part->lock);
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
	.llseek = noop_llseek,
};

/**
 * hvtb_vp_create() - HVTB_CREATE_VP.
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

	r = hvtb_hv_vp_init(vp);
	if (r)
		goto err_free_run;
	r = hvtb_vmx_vp_init(vp);
	if (r)
		goto err_free_hv;

	mutex_lock(&part->lock);
	if (part->vps[vp->index]) {
		mutex_unlock(&part->lock);
		r = -EEXIST;
		goto err_vmx;
	}
	part->vps[vp->index] = vp;
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
	hvtb_vmx_vp_destroy(vp);
err_free_hv:
	hvtb_hv_vp_destroy(vp);
err_free_run:
	__free_page(vp->run_page);
err_free_vp:
	kfree(vp);
	return r;
}
