// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - partitions: an address space (EPT), VPs and partition-wide tables.
 *
 * The partition fd holds one reference and every VP one more, so the last
 * close, in any order, tears the partition down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>

#include "ept/ept.h"
#include "vmbus/vmbus.h"
#include <linux/hvtb_vmbus.h>
#include "hvtb.h"
#include "vmx/vmx.h"
#include "ioctl.h"
#include "hypercall/hv.h"

static atomic_t partition_ids = ATOMIC_INIT(0);

static void partition_release(struct kref *kref)
{
	struct hvtb_partition *part = container_of(kref, struct hvtb_partition, kref);

	hvtb_apic_irqfd_release_all(part);
	hvtb_hv_partition_destroy(part);
	hvtb_ept_destroy(part->ept);
	if (part->apic_access_page)
		__free_page(part->apic_access_page);
	kfree(rcu_dereference_protected(part->cpuid, 1));
	kfree(rcu_dereference_protected(part->msr_intercepts, 1));
	kfree(part);
}

static long partition_get_info(struct hvtb_partition *part, unsigned int cmd,
			       void __user *uarg)
{
	struct hvtb_partition_info info = { 0 };

	mutex_lock(&part->lock);
	info.id = part->id;
	info.nr_vps = part->nr_vps;
	info.max_vps = part->max_vps;
	if (part->apicv)
		info.flags |= HVTB_PARTITION_INFO_APICV;
	mutex_unlock(&part->lock);
	hvtb_ept_get_info(part->ept, &info);
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

/* HVTB_PARTITION_MAP_GPA / HVTB_PARTITION_UNMAP_GPA */
static long partition_map(struct hvtb_partition *part, unsigned int cmd,
			  void __user *uarg)
{
	bool map = cmd == HVTB_PARTITION_MAP_GPA;
	struct hvtb_memory_range m;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.pad || memchr_inv(m.reserved, 0, sizeof(m.reserved)))
		return -EINVAL;
	if (map)
		return hvtb_ept_map(part->ept, m.gpa, m.size, m.uaddr, m.flags);
	if (m.uaddr || m.flags)
		return -EINVAL;
	return hvtb_ept_unmap(part->ept, m.gpa, m.size);
}

static long partition_set_cpuid(struct hvtb_partition *part, unsigned int cmd,
				void __user *uarg)
{
	struct hvtb_cpuid_table t;
	struct hvtb_cpuid_rcu *n, *old;
	u32 i;

	if (copy_from_user(&t, uarg, sizeof(t)))
		return -EFAULT;
	if (t.pad || memchr_inv(t.reserved, 0, sizeof(t.reserved)) ||
	    t.nent > HVTB_MAX_CPUID_ENTRIES)
		return -EINVAL;
	n = kzalloc(struct_size(n, entries, t.nent), GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	n->nent = t.nent;
	if (copy_from_user(n->entries, u64_to_user_ptr(t.entries),
			   array_size(t.nent, sizeof(n->entries[0])))) {
		kfree(n);
		return -EFAULT;
	}
	for (i = 0; i < t.nent; i++) {
		if (n->entries[i].pad ||
		    (n->entries[i].flags & ~HVTB_CPUID_FLAGS_MASK)) {
			kfree(n);
			return -EINVAL;
		}
	}
	mutex_lock(&part->lock);
	old = rcu_replace_pointer(part->cpuid, n, lockdep_is_held(&part->lock));
	mutex_unlock(&part->lock);
	kfree_rcu(old, rcu);
	return 0;
}

static long partition_set_msr_intercepts(struct hvtb_partition *part,
					 unsigned int cmd, void __user *uarg)
{
	struct hvtb_msr_list l;
	struct hvtb_msr_list_rcu *n, *old;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;
	if (l.pad || memchr_inv(l.reserved, 0, sizeof(l.reserved)) ||
	    l.nmsrs > HVTB_MAX_MSR_INTERCEPTS)
		return -EINVAL;
	n = kzalloc(struct_size(n, msrs, l.nmsrs), GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	n->nmsrs = l.nmsrs;
	if (copy_from_user(n->msrs, u64_to_user_ptr(l.indices),
			   array_size(l.nmsrs, sizeof(u32)))) {
		kfree(n);
		return -EFAULT;
	}
	mutex_lock(&part->lock);
	old = rcu_replace_pointer(part->msr_intercepts, n,
				  lockdep_is_held(&part->lock));
	mutex_unlock(&part->lock);
	kfree_rcu(old, rcu);
	return 0;
}

static long partition_create_vp(struct hvtb_partition *part, unsigned int cmd,
				void __user *uarg)
{
	struct hvtb_vp_config cfg;

	if (copy_from_user(&cfg, uarg, sizeof(cfg)))
		return -EFAULT;
	if (cfg.flags || memchr_inv(cfg.reserved, 0, sizeof(cfg.reserved)))
		return -EINVAL;
	if (cfg.index >= part->max_vps)
		return -EINVAL;
	return hvtb_vp_create(part, &cfg);
}

/*
 * The ioctls of a partition fd. None takes a lock in the dispatcher: each
 * handler takes part->lock (or a room's own lock) where it needs one, so
 * they may all run while a VP of the partition is in an async run.
 */
#define PART_IOCTL(cmd, type, fn) \
	HVTB_IOCTL(part, cmd, type, fn, HVTB_IOCTL_UNLOCKED, HVTB_IOCTL_ASYNC_OK)
static const struct hvtb_ioctl partition_ioctls[] = {
	PART_IOCTL(HVTB_PARTITION_GET_INFO, struct hvtb_partition_info,
		   partition_get_info),
	PART_IOCTL(HVTB_PARTITION_MAP_GPA, struct hvtb_memory_range, partition_map),
	PART_IOCTL(HVTB_PARTITION_UNMAP_GPA, struct hvtb_memory_range, partition_map),
	PART_IOCTL(HVTB_PARTITION_SET_CPUID, struct hvtb_cpuid_table,
		   partition_set_cpuid),
	PART_IOCTL(HVTB_PARTITION_SET_MSR_INTERCEPTS, struct hvtb_msr_list,
		   partition_set_msr_intercepts),
	PART_IOCTL(HVTB_PARTITION_CREATE_VP, struct hvtb_vp_config,
		   partition_create_vp),
	/* kmod/hypercall */
	PART_IOCTL(HVTB_PARTITION_SET_HYPERV, struct hvtb_hyperv_config,
		   hvtb_hv_set_config),
	PART_IOCTL(HVTB_PARTITION_CREATE_HV_PORT, struct hvtb_hv_port_config,
		   hvtb_hv_create_port),
	PART_IOCTL(HVTB_PARTITION_SET_HV_EVENT, struct hvtb_hv_event,
		   hvtb_hv_set_event),
	PART_IOCTL(HVTB_PARTITION_POST_HV_MESSAGE, struct hvtb_hv_post,
		   hvtb_synic_ioctl_post),
	PART_IOCTL(HVTB_PARTITION_SIGNAL_HV_FLAG, struct hvtb_hv_flag,
		   hvtb_synic_ioctl_signal_flag),
	PART_IOCTL(HVTB_PARTITION_GET_REFERENCE_TIME, struct hvtb_hv_reference_time,
		   hvtb_hv_reference_time),
	PART_IOCTL(HVTB_PARTITION_SET_REFERENCE_TIME, struct hvtb_hv_reference_time,
		   hvtb_hv_reference_time),
	/* kmod/apic */
	PART_IOCTL(HVTB_PARTITION_ASSERT_INTERRUPT, struct hvtb_interrupt,
		   hvtb_apic_assert),
	PART_IOCTL(HVTB_PARTITION_SET_IRQFD, struct hvtb_irqfd, hvtb_apic_irqfd),
	/* kmod/sched */
	PART_IOCTL(HVTB_PARTITION_SET_SCHED, struct hvtb_vp_sched,
		   hvtb_sched_partition_ioctl),
	PART_IOCTL(HVTB_PARTITION_GET_SCHED, struct hvtb_vp_sched,
		   hvtb_sched_partition_ioctl),
	/* kmod/vmbus */
	PART_IOCTL(HVTB_VMBUS_ENABLE, struct hvtb_vmbus_config,
		   hvtb_vmbus_partition_ioctl),
	PART_IOCTL(HVTB_VMBUS_GET_STATS, struct hvtb_vmbus_stats,
		   hvtb_vmbus_partition_ioctl),
	PART_IOCTL(HVTB_VMBUS_OFFER_CHANNEL, struct hvtb_vmbus_offer,
		   hvtb_vmbus_partition_ioctl),
};

static long partition_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	const struct hvtb_ioctl *io;

	io = hvtb_ioctl_find(partition_ioctls, ARRAY_SIZE(partition_ioctls), cmd);
	if (!io)
		return -ENOTTY;
	return io->part(file->private_data, cmd, (void __user *)arg);
}

static int partition_release_fd(struct inode *inode, struct file *file)
{
	hvtb_partition_put(file->private_data);
	return 0;
}

static const struct file_operations partition_fops = {
	.owner = THIS_MODULE,
	.release = partition_release_fd,
	.unlocked_ioctl = partition_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * APIC virtualization for an HVTB_PARTITION_LAPIC partition, unless it
 * asked for the exiting APIC or the CPU lacks it: the APIC-access page at
 * the default APIC base (kmod/vmx/apicv.c).
 */
static int partition_apicv_init(struct hvtb_partition *part)
{
	int r;

	if (!(part->flags & HVTB_PARTITION_LAPIC) ||
	    (part->flags & HVTB_PARTITION_NO_APICV) || !hvtb_vmx_apicv_usable())
		return 0;
	part->apic_access_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!part->apic_access_page)
		return -ENOMEM;
	r = hvtb_ept_map_kernel_page(part->ept, APIC_DEFAULT_PHYS_BASE,
				     part->apic_access_page);
	if (r)
		return r;	/* the caller frees the page after the EPT */
	part->apicv = true;
	return 0;
}

/**
 * hvtb_partition_create() - HVTB_CREATE_PARTITION.
 * @ucfg: the caller's struct hvtb_partition_config
 * Return: a new partition fd, or -errno.
 */
int hvtb_partition_create(const struct hvtb_partition_config __user *ucfg)
{
	struct hvtb_partition_config cfg;
	struct hvtb_partition *part;
	int fd, r;

	if (copy_from_user(&cfg, ucfg, sizeof(cfg)))
		return -EFAULT;
	if ((cfg.flags & ~HVTB_PARTITION_FLAGS_MASK) ||
	    memchr_inv(cfg.reserved, 0, sizeof(cfg.reserved)) ||
	    cfg.max_vps > HVTB_MAX_VPS)
		return -EINVAL;

	part = kzalloc(sizeof(*part), GFP_KERNEL_ACCOUNT);
	if (!part)
		return -ENOMEM;
	kref_init(&part->kref);
	part->release = partition_release;
	mutex_init(&part->lock);
	mutex_init(&part->irqfd_lock);
	INIT_LIST_HEAD(&part->irqfds);
	part->id = atomic_inc_return(&partition_ids);
	part->max_vps = cfg.max_vps ?: HVTB_MAX_VPS;
	part->root_sched = cfg.flags & HVTB_PARTITION_ROOT_SCHED;
	hvtb_sched_partition_init(part);
	part->flags = cfg.flags;

	part->ept = hvtb_ept_create(cfg.max_memory);
	if (IS_ERR(part->ept)) {
		r = PTR_ERR(part->ept);
		goto err_free;
	}
	part->eptp = hvtb_ept_eptp(part->ept);
	r = partition_apicv_init(part);
	if (r)
		goto err_destroy_ept;
	r = hvtb_hv_partition_init(part);
	if (r)
		goto err_destroy_ept;

	/* The fd (and each VP fd) pins the module through fops.owner. */
	fd = anon_inode_getfd("hvtb-partition", &partition_fops, part,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_destroy_hv;
	}
	return fd;

err_destroy_hv:
	hvtb_hv_partition_destroy(part);
err_destroy_ept:
	hvtb_ept_destroy(part->ept);
	if (part->apic_access_page)
		__free_page(part->apic_access_page);
err_free:
	kfree(part);
	return r;
}
