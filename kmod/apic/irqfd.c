// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - irqfd: an eventfd bound to a vector of a VP's local APIC
 * (HVTB_PARTITION_SET_IRQFD). Each signal of the eventfd consumes its counter and
 * delivers the vector with hvtb_apic_deliver(), in the context of the
 * signaller (any context: it runs under the eventfd's wait-queue lock).
 *
 * The binding holds a reference on the eventfd context, so closing the
 * eventfd does not free what the binding's wait entry is queued on; the
 * binding ends at HVTB_PARTITION_SET_IRQFD with HVTB_IRQFD_DEASSIGN or when the partition
 * goes away. eventfd_ctx_remove_wait_queue() takes the wait-queue lock, so
 * no callback runs once it returned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "hvtb.h"

/* Most bindings one partition may have. */
#define IRQFD_MAX	256

/**
 * struct apic_irqfd - one eventfd -> vector binding.
 * @link: in hvtb_partition.irqfds, under hvtb_partition.irqfd_lock.
 * @part: the partition (the binding does not hold a reference: it dies
 *        with the partition).
 * @ctx: the eventfd context (referenced).
 * @wait: queued on the eventfd's wait queue.
 * @pt: the poll table that queues @wait.
 * @vp_index: the target VP, looked up at each delivery.
 * @vector: the vector delivered.
 */
struct apic_irqfd {
	struct list_head link;
	struct hvtb_partition *part;
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	poll_table pt;
	u32 vp_index;
	u32 vector;
};

static void irqfd_fire(struct apic_irqfd *f)
{
	struct hvtb_vp *vp;

	rcu_read_lock();
	vp = hvtb_vp_lookup(f->part, f->vp_index);
	if (vp)
		hvtb_apic_deliver(vp, f->vector, 0);
	rcu_read_unlock();
}

/* Called with the eventfd's wait-queue lock held, interrupts off. */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync,
			void *key)
{
	struct apic_irqfd *f = container_of(wait, struct apic_irqfd, wait);
	u64 cnt;

	if (key_to_poll(key) & EPOLLIN) {
		eventfd_ctx_do_read(f->ctx, &cnt);
		irqfd_fire(f);
	}
	return 0;
}

static void irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
			     poll_table *pt)
{
	struct apic_irqfd *f = container_of(pt, struct apic_irqfd, pt);

	add_wait_queue(wqh, &f->wait);
}

static struct apic_irqfd *irqfd_find(struct hvtb_partition *part,
				     struct eventfd_ctx *ctx)
{
	struct apic_irqfd *f;

	list_for_each_entry(f, &part->irqfds, link)
		if (f->ctx == ctx)
			return f;
	return NULL;
}

static void irqfd_free(struct apic_irqfd *f)
{
	u64 cnt;

	eventfd_ctx_remove_wait_queue(f->ctx, &f->wait, &cnt);
	eventfd_ctx_put(f->ctx);
	kfree(f);
}

static int irqfd_assign(struct hvtb_partition *part, const struct hvtb_irqfd *a)
{
	struct apic_irqfd *f;
	struct file *file;
	__poll_t events;
	int r;

	file = fget(a->fd);
	if (!file)
		return -EBADF;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f) {
		r = -ENOMEM;
		goto err_fput;
	}
	f->ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(f->ctx)) {
		r = PTR_ERR(f->ctx);
		goto err_free;
	}
	f->part = part;
	f->vp_index = a->vp_index;
	f->vector = a->vector;
	init_waitqueue_func_entry(&f->wait, irqfd_wakeup);
	init_poll_funcptr(&f->pt, irqfd_queue_proc);

	mutex_lock(&part->irqfd_lock);
	if (irqfd_find(part, f->ctx)) {
		r = -EEXIST;
		goto err_unlock;
	}
	if (part->nr_irqfds >= IRQFD_MAX) {
		r = -ENOSPC;
		goto err_unlock;
	}
	list_add_tail(&f->link, &part->irqfds);
	part->nr_irqfds++;
	events = vfs_poll(file, &f->pt);
	mutex_unlock(&part->irqfd_lock);
	fput(file);
	/* Signalled before the binding: deliver once now. */
	if (events & EPOLLIN)
		irqfd_fire(f);
	return 0;

err_unlock:
	mutex_unlock(&part->irqfd_lock);
	eventfd_ctx_put(f->ctx);
err_free:
	kfree(f);
err_fput:
	fput(file);
	return r;
}

static int irqfd_deassign(struct hvtb_partition *part, s32 fd)
{
	struct eventfd_ctx *ctx;
	struct apic_irqfd *f;

	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	mutex_lock(&part->irqfd_lock);
	f = irqfd_find(part, ctx);
	if (f) {
		list_del(&f->link);
		part->nr_irqfds--;
	}
	mutex_unlock(&part->irqfd_lock);
	eventfd_ctx_put(ctx);
	if (!f)
		return -ENOENT;
	irqfd_free(f);
	return 0;
}

/**
 * hvtb_apic_irqfd() - HVTB_PARTITION_SET_IRQFD on a partition fd.
 * @part: the partition
 * @cmd: the ioctl
 * @uarg: struct hvtb_irqfd
 * Return: 0 or -errno (see the uapi).
 */
long hvtb_apic_irqfd(struct hvtb_partition *part, unsigned int cmd,
		     void __user *uarg)
{
	struct hvtb_irqfd a;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if ((a.flags & ~HVTB_IRQFD_FLAGS) ||
	    memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;
	if (!(part->flags & HVTB_PARTITION_LAPIC))
		return -ENODEV;
	if (a.flags & HVTB_IRQFD_DEASSIGN)
		return irqfd_deassign(part, a.fd);
	if (a.vector < 16 || a.vector > 255 || a.vp_index >= part->max_vps)
		return -EINVAL;
	return irqfd_assign(part, &a);
}

/**
 * hvtb_apic_irqfd_release_all() - end every binding of a partition that
 * is going away.
 * @part: the partition
 */
void hvtb_apic_irqfd_release_all(struct hvtb_partition *part)
{
	struct apic_irqfd *f, *n;

	list_for_each_entry_safe(f, n, &part->irqfds, link) {
		list_del(&f->link);
		irqfd_free(f);
	}
	part->nr_irqfds = 0;
}
