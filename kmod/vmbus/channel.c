// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - VMBus channels: what a VSP daemon offers through a channel fd
 * (uapi/linux/hvtb_vmbus.h, HVTB_VMBUS_OFFER_CHANNEL).
 *
 * A channel holds its relid in vb->chans from the offer until the relid is
 * released: at once if the guest never saw the offer, else at the guest's
 * RELID_RELEASED after a RESCIND_CHANNELOFFER, at UNLOAD, or at partition
 * teardown. The channel fd is the other owner: the object is freed when
 * neither holds it (@in_table, @fd_open under vb->lock). The fd holds a
 * partition reference, so the VMBus host outlives every channel fd.
 *
 * Guest -> host signals: an in-kernel event connection per channel
 * (HvSignalEvent on HVTB_VMBUS_CHANNEL_CONNECTION_ID(relid)) signals the
 * daemon's eventfd, under RCU from the exit handler. It is registered by
 * the offer ioctl and unregistered when the daemon rescinds (ioctl or
 * close), never from a message callback (the registry forbids that).
 * Host -> guest: HVTB_VMBUS_CHANNEL_SIGNAL sets bit relid of the message
 * SINT's event flags on the open channel's target VP
 * (hvtb_synic_signal_async(): no sleeping lock on the SynIC side).
 *
 * The daemon reads fixed-size event records and mmap()s the ring (or any
 * created GPADL of the channel): the mapping holds page references (struct
 * vmbus_map), so it stays valid, and never reaches freed memory, until
 * munmap, whatever the guest tears down meanwhile.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/hyperv-tlfs.h>

#include "hvtb.h"
#include "compat.h"
#include "vmbus/internal.h"
#include "trace.h"

static_assert(HVTB_VMBUS_CHANNEL_UNOFFERED == VMBUS_CHAN_NONE);
static_assert(HVTB_VMBUS_CHANNEL_OFFERED == VMBUS_CHAN_OFFERED);
static_assert(HVTB_VMBUS_CHANNEL_OPEN == VMBUS_CHAN_OPEN);
static_assert(HVTB_VMBUS_CHANNEL_RESCINDED == VMBUS_CHAN_RESCINDED);
static_assert(HVTB_VMBUS_CHANNEL_RESCINDED_OPEN == VMBUS_CHAN_RESCINDED_OPEN);

#define VMBUS_MAX_RELID		2047

/* The channel at @relid (whatever its state), or NULL. vb->lock held. */
struct vmbus_channel *hvtb_vmbus_chan_find(struct hvtb_vmbus *vb, u32 relid)
{
	return xa_load(&vb->chans, relid);
}

/**
 * hvtb_vmbus_chan_event() - queue an event record for the daemon.
 * @ch: the channel
 * @ev: the record (copied)
 *
 * A full queue drops it and counts it. Any context that may take a
 * spinlock.
 */
void hvtb_vmbus_chan_event(struct vmbus_channel *ch,
			   const struct hvtb_vmbus_event *ev)
{
	spin_lock(&ch->lock);
	if (ch->ev_count == HVTB_VMBUS_EVENT_QUEUE) {
		ch->events_lost++;
	} else {
		ch->ev[(ch->ev_head + ch->ev_count) % HVTB_VMBUS_EVENT_QUEUE] = *ev;
		WRITE_ONCE(ch->ev_count, ch->ev_count + 1);
	}
	spin_unlock(&ch->lock);
	wake_up_interruptible(&ch->wq);
}

static void chan_simple_event(struct vmbus_channel *ch, u32 type)
{
	struct hvtb_vmbus_event ev = { .type = type, .child_relid = ch->relid };

	hvtb_vmbus_chan_event(ch, &ev);
}

/* The open channel's ring map goes (the daemon's VMAs keep their refs). */
static void chan_drop_ring(struct vmbus_channel *ch)
{
	struct vmbus_map *map;

	spin_lock(&ch->lock);
	map = ch->ring_map;
	ch->ring_map = NULL;
	spin_unlock(&ch->lock);
	hvtb_vmbus_map_put(map);
}

static void chan_free(struct vmbus_channel *ch)
{
	hvtb_vmbus_map_put(ch->ring_map);
	kfree(ch);
}

/*
 * Release @ch's relid: its GPADLs go, pollers see EPOLLHUP; freed if the
 * fd is gone too (do not touch @ch afterwards). vb->lock held.
 */
static void chan_unlink(struct hvtb_vmbus *vb, struct vmbus_channel *ch)
{
	hvtb_vmbus_gpadls_destroy(vb, ch, ch->relid);
	chan_drop_ring(ch);
	xa_erase(&vb->chans, ch->relid);
	ch->in_table = false;
	vb->stats.channels--;
	spin_lock(&ch->lock);
	ch->released = true;
	spin_unlock(&ch->lock);
	wake_up_interruptible(&ch->wq);
	if (!ch->fd_open)
		chan_free(ch);
}

/*
 * Post @ch's offer; mark it offered when the SynIC took it, else owe it.
 * vb->lock held. Return: 0 or -errno.
 */
static int chan_send_offer(struct hvtb_vmbus *vb, struct vmbus_channel *ch)
{
	if (hvtb_vmbus_post(vb, &ch->offer, sizeof(ch->offer))) {
		vb->offers_owed = true;
		return -EAGAIN;
	}
	ch->state = VMBUS_CHAN_OFFERED;
	vb->stats.offers++;
	return 0;
}

/**
 * hvtb_vmbus_offers_flush() - send what REQUESTOFFERS still owes the
 * guest, in order: the offers the SynIC's full queue refused, then
 * ALLOFFERS_DELIVERED. Stops at the first refusal (the next guest message
 * retries). vb->lock held.
 * @vb: the VMBus host
 */
void hvtb_vmbus_offers_flush(struct hvtb_vmbus *vb)
{
	struct vmbus_hdr h = { .msgtype = VMBUS_MSG_ALLOFFERS_DELIVERED };
	struct vmbus_channel *ch;
	unsigned long relid;

	if (vb->stats.state != HVTB_VMBUS_STATE_CONNECTED ||
	    !vb->offers_requested || !vb->offers_owed)
		return;
	vb->offers_owed = false;
	xa_for_each(&vb->chans, relid, ch)
		if (ch->state == VMBUS_CHAN_NONE && !ch->rescinding &&
		    ch->econn_registered && chan_send_offer(vb, ch))
			return;
	if (!vb->alloffers_owed)
		return;
	if (hvtb_vmbus_post(vb, &h, sizeof(h)))
		vb->offers_owed = true;
	else
		vb->alloffers_owed = false;
}

/**
 * hvtb_vmbus_offers_request() - REQUESTOFFERS: every live channel not yet
 * offered is offered, then ALLOFFERS_DELIVERED; later offers go out at
 * once. vb->lock held.
 * @vb: the VMBus host
 */
void hvtb_vmbus_offers_request(struct hvtb_vmbus *vb)
{
	vb->offers_requested = true;
	vb->offers_owed = true;
	vb->alloffers_owed = true;
	hvtb_vmbus_offers_flush(vb);
}

/*
 * The daemon rescinds @ch (its econn is gone): RESCIND_CHANNELOFFER if the
 * guest knows the channel, else the relid goes at once (@ch may be freed).
 * vb->lock held.
 */
static void chan_rescind(struct hvtb_vmbus *vb, struct vmbus_channel *ch)
{
	struct vmbus_relid_msg m = {
		.hdr.msgtype = VMBUS_MSG_RESCIND_CHANNELOFFER,
		.child_relid = ch->relid,
	};

	if (ch->state == VMBUS_CHAN_NONE) {
		if (ch->fd_open)
			chan_simple_event(ch, HVTB_VMBUS_EVENT_RELEASED);
		chan_unlink(vb, ch);
		return;
	}
	if (ch->state == VMBUS_CHAN_RESCINDED ||
	    ch->state == VMBUS_CHAN_RESCINDED_OPEN)
		return;
	ch->state = ch->state == VMBUS_CHAN_OPEN ? VMBUS_CHAN_RESCINDED_OPEN :
						   VMBUS_CHAN_RESCINDED;
	vb->stats.rescinds++;
	hvtb_vmbus_post(vb, &m, sizeof(m));
}

/**
 * hvtb_vmbus_chan_open() - OPENCHANNEL of an offered channel.
 * @vb: the VMBus host
 * @ch: the channel
 * @m: the message
 */
void hvtb_vmbus_chan_open(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			  const struct vmbus_open *m)
{
	struct vmbus_gpadl *g = hvtb_vmbus_gpadl_find(vb, m->ring_gpadl);
	struct vmbus_open_result r = {
		.hdr.msgtype = VMBUS_MSG_OPENCHANNEL_RESULT,
		.child_relid = ch->relid, .openid = m->openid,
	};
	struct hvtb_vmbus_event ev = {
		.type = HVTB_VMBUS_EVENT_OPENED, .child_relid = ch->relid,
		.gpadl = m->ring_gpadl, .target_vp = m->target_vp,
	};

	if (!g || g->relid != ch->relid || !g->map ||
	    !vmbus_open_check(g->npages, m->downstream_page_offset) ||
	    m->target_vp >= vb->part->max_vps) {
		r.status = VMBUS_STATUS_FAIL;
		vb->stats.opens_failed++;
		hvtb_vmbus_post(vb, &r, sizeof(r));
		return;
	}
	ch->state = VMBUS_CHAN_OPEN;
	ch->ring_gpadl = g->handle;
	ch->target_vp = m->target_vp;
	ch->ring_pages = g->npages;
	ch->downstream = m->downstream_page_offset;
	refcount_inc(&g->map->refs);
	spin_lock(&ch->lock);
	ch->ring_map = g->map;
	spin_unlock(&ch->lock);
	ev.pages = g->npages;
	ev.in_ring_size = m->downstream_page_offset * PAGE_SIZE;
	ev.out_ring_offset = ev.in_ring_size;
	ev.out_ring_size = (g->npages - m->downstream_page_offset) * PAGE_SIZE;
	hvtb_vmbus_chan_event(ch, &ev);
	vb->stats.opens++;
	hvtb_vmbus_post(vb, &r, sizeof(r));
}

/**
 * hvtb_vmbus_chan_close() - CLOSECHANNEL of an open channel (no reply).
 * @vb: the VMBus host
 * @ch: the channel
 */
void hvtb_vmbus_chan_close(struct hvtb_vmbus *vb, struct vmbus_channel *ch)
{
	ch->state = ch->state == VMBUS_CHAN_OPEN ? VMBUS_CHAN_OFFERED :
						   VMBUS_CHAN_RESCINDED;
	chan_drop_ring(ch);
	if (ch->fd_open)
		chan_simple_event(ch, HVTB_VMBUS_EVENT_CLOSED);
}

/**
 * hvtb_vmbus_chan_released() - RELID_RELEASED of a rescinded channel: the
 * relid is free (@ch may be freed).
 * @vb: the VMBus host
 * @ch: the channel
 */
void hvtb_vmbus_chan_released(struct hvtb_vmbus *vb, struct vmbus_channel *ch)
{
	if (ch->fd_open)
		chan_simple_event(ch, HVTB_VMBUS_EVENT_RELEASED);
	chan_unlink(vb, ch);
}

/**
 * hvtb_vmbus_chans_unload() - UNLOAD: every GPADL goes, open channels
 * close, rescinded ones are released, live ones wait for the next
 * REQUESTOFFERS.
 * @vb: the VMBus host
 */
void hvtb_vmbus_chans_unload(struct hvtb_vmbus *vb)
{
	struct vmbus_channel *ch;
	unsigned long relid;

	vb->offers_requested = false;
	vb->offers_owed = false;
	vb->alloffers_owed = false;
	hvtb_vmbus_gpadls_destroy(vb, NULL, 0);
	xa_for_each(&vb->chans, relid, ch) {
		if (ch->rescinding) {
			hvtb_vmbus_chan_released(vb, ch);
			continue;
		}
		if (ch->state == VMBUS_CHAN_OPEN)
			hvtb_vmbus_chan_close(vb, ch);
		ch->state = VMBUS_CHAN_NONE;
	}
}

/**
 * hvtb_vmbus_chans_free() - partition teardown: no channel fd is left
 * (each holds a partition reference); everything goes.
 * @vb: the VMBus host
 */
void hvtb_vmbus_chans_free(struct hvtb_vmbus *vb)
{
	struct vmbus_channel *ch;
	unsigned long relid;

	hvtb_vmbus_gpadls_destroy(vb, NULL, 0);
	xa_for_each(&vb->chans, relid, ch) {
		WARN_ON_ONCE(ch->fd_open);
		ch->fd_open = false;
		chan_unlink(vb, ch);
	}
	xa_destroy(&vb->chans);
}

/* ---- guest -> host signals ---- */

/* HvSignalEvent on the channel's connection id: under RCU, any context. */
static u16 chan_econn_event(struct hvtb_hv_conn *c, struct hvtb_vp *vp,
			    u16 flag)
{
	struct vmbus_channel *ch = container_of(c, struct vmbus_channel, econn);
	struct eventfd_ctx *ctx;

	atomic64_inc(&ch->guest_signals);
	trace_hvtb_vmbus_signal(ch->vb->part->id, false, ch->relid, 0);
	ctx = rcu_dereference(ch->signal_ctx);
	if (ctx)
		eventfd_signal(ctx, 1);
	return HV_STATUS_SUCCESS;
}

static const struct hvtb_hv_conn_ops chan_econn_ops = {
	.event = chan_econn_event,
};

/*
 * The daemon rescinds: mark it (once), then give up the event connection
 * outside vb->lock. Return: false if it was rescinded already.
 */
static bool chan_rescind_begin(struct vmbus_channel *ch)
{
	struct hvtb_vmbus *vb = ch->vb;
	bool registered;

	mutex_lock(&vb->lock);
	if (ch->rescinding) {
		mutex_unlock(&vb->lock);
		return false;
	}
	ch->rescinding = true;
	registered = ch->econn_registered;
	ch->econn_registered = false;
	mutex_unlock(&vb->lock);
	if (registered)
		hvtb_hv_conn_unregister(vb->part, &ch->econn);
	return true;
}

/* ---- the channel fd ---- */

static ssize_t chan_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct vmbus_channel *ch = file->private_data;
	struct hvtb_vmbus_event evs[4];
	size_t n, i;
	int r;

	if (count < sizeof(evs[0]))
		return -EINVAL;
	for (;;) {
		spin_lock(&ch->lock);
		n = min3(count / sizeof(evs[0]), ARRAY_SIZE(evs),
			 (size_t)ch->ev_count);
		for (i = 0; i < n; i++) {
			evs[i] = ch->ev[ch->ev_head];
			ch->ev_head = (ch->ev_head + 1) % HVTB_VMBUS_EVENT_QUEUE;
		}
		WRITE_ONCE(ch->ev_count, ch->ev_count - n);
		spin_unlock(&ch->lock);
		if (n)
			break;
		if (READ_ONCE(ch->released))
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		r = wait_event_interruptible(ch->wq, READ_ONCE(ch->ev_count) ||
					     READ_ONCE(ch->released));
		if (r)
			return r;
	}
	if (copy_to_user(buf, evs, n * sizeof(evs[0])))
		return -EFAULT;
	return n * sizeof(evs[0]);
}

static __poll_t chan_poll(struct file *file, poll_table *wait)
{
	struct vmbus_channel *ch = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &ch->wq, wait);
	if (READ_ONCE(ch->ev_count))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(ch->released))
		mask |= EPOLLHUP;
	return mask;
}

static void chan_vm_open(struct vm_area_struct *vma)
{
	struct vmbus_map *map = vma->vm_private_data;

	refcount_inc(&map->refs);
}

static void chan_vm_close(struct vm_area_struct *vma)
{
	hvtb_vmbus_map_put(vma->vm_private_data);
}

static vm_fault_t chan_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmbus_map *map = vma->vm_private_data;
	unsigned long i = (vmf->address - vma->vm_start) >> PAGE_SHIFT;

	if (i >= map->npages)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vma, vmf->address, page_to_pfn(map->pages[i]));
}

static int chan_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct chan_vm_ops = {
	.open = chan_vm_open,
	.close = chan_vm_close,
	.fault = chan_vm_fault,
	.may_split = chan_vm_may_split,
};

/* Runs under the caller's mmap_lock: only ch->lock is taken. */
static int chan_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vmbus_channel *ch = file->private_data;
	struct vmbus_map *map = NULL, *m;
	int r = -ENXIO;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	spin_lock(&ch->lock);
	if (!vma->vm_pgoff) {
		map = ch->ring_map;
	} else {
		list_for_each_entry(m, &ch->maps, node)
			if (m->handle == vma->vm_pgoff)
				map = m;
	}
	if (map) {
		r = -EINVAL;
		if (vma_pages(vma) <= map->npages) {
			refcount_inc(&map->refs);
			r = 0;
		}
	}
	spin_unlock(&ch->lock);
	if (r)
		return r;
	hvtb_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND |
			  VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_private_data = map;
	vma->vm_ops = &chan_vm_ops;
	return 0;
}

static long chan_set_eventfd(struct vmbus_channel *ch, void __user *uarg)
{
	struct hvtb_vmbus_channel_eventfd a;
	struct eventfd_ctx *ctx = NULL, *old;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || memchr_inv(a.reserved, 0, sizeof(a.reserved)) ||
	    a.fd < -1)
		return -EINVAL;
	if (a.fd >= 0) {
		ctx = eventfd_ctx_fdget(a.fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	spin_lock(&ch->lock);
	old = rcu_replace_pointer(ch->signal_ctx, ctx,
				  lockdep_is_held(&ch->lock));
	spin_unlock(&ch->lock);
	if (old) {
		synchronize_rcu();
		eventfd_ctx_put(old);
	}
	return 0;
}

static long chan_signal(struct vmbus_channel *ch)
{
	struct hvtb_vmbus *vb = ch->vb;
	int r = -ENOTCONN;

	mutex_lock(&vb->lock);
	if (ch->in_table && ch->state == VMBUS_CHAN_OPEN)
		r = hvtb_synic_signal_async(vb->part, ch->target_vp,
					    vb->stats.message_sint, ch->relid);
	mutex_unlock(&vb->lock);
	trace_hvtb_vmbus_signal(vb->part->id, true, ch->relid, r);
	if (!r)
		atomic64_inc(&ch->host_signals);
	return r;
}

static long chan_get_info(struct vmbus_channel *ch, void __user *uarg)
{
	struct hvtb_vmbus_channel_info info = { 0 };
	struct hvtb_vmbus *vb = ch->vb;
	struct vmbus_map *m;

	mutex_lock(&vb->lock);
	info.child_relid = ch->relid;
	info.connection_id = ch->econn.id;
	info.state = ch->in_table ? ch->state : HVTB_VMBUS_CHANNEL_RELEASED;
	if (ch->state == VMBUS_CHAN_OPEN ||
	    ch->state == VMBUS_CHAN_RESCINDED_OPEN) {
		info.target_vp = ch->target_vp;
		info.ring_gpadl = ch->ring_gpadl;
		info.ring_pages = ch->ring_pages;
		info.downstream = ch->downstream;
	}
	spin_lock(&ch->lock);
	list_for_each_entry(m, &ch->maps, node)
		info.gpadls++;
	info.events_lost = ch->events_lost;
	spin_unlock(&ch->lock);
	mutex_unlock(&vb->lock);
	info.guest_signals = atomic64_read(&ch->guest_signals);
	info.host_signals = atomic64_read(&ch->host_signals);
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long chan_rescind_ioctl(struct vmbus_channel *ch)
{
	struct hvtb_vmbus *vb = ch->vb;

	if (!chan_rescind_begin(ch))
		return -ENXIO;
	mutex_lock(&vb->lock);
	if (ch->in_table)
		chan_rescind(vb, ch);
	mutex_unlock(&vb->lock);
	return 0;
}

static long chan_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vmbus_channel *ch = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case HVTB_VMBUS_CHANNEL_SET_EVENTFD:
		return chan_set_eventfd(ch, uarg);
	case HVTB_VMBUS_CHANNEL_SIGNAL:
		return chan_signal(ch);
	case HVTB_VMBUS_CHANNEL_GET_INFO:
		return chan_get_info(ch, uarg);
	case HVTB_VMBUS_CHANNEL_RESCIND:
		return chan_rescind_ioctl(ch);
	default:
		return -ENOTTY;
	}
}

static int chan_release(struct inode *inode, struct file *file)
{
	struct vmbus_channel *ch = file->private_data;
	struct hvtb_vmbus *vb = ch->vb;
	struct hvtb_partition *part = vb->part;
	bool first = chan_rescind_begin(ch);
	struct eventfd_ctx *ctx;

	/* The event connection is gone: no reader of signal_ctx is left. */
	ctx = rcu_dereference_protected(ch->signal_ctx, true);
	RCU_INIT_POINTER(ch->signal_ctx, NULL);
	if (ctx)
		eventfd_ctx_put(ctx);
	mutex_lock(&vb->lock);
	ch->fd_open = false;
	if (!ch->in_table)
		chan_free(ch);
	else if (first)
		chan_rescind(vb, ch);	/* may free it */
	mutex_unlock(&vb->lock);
	hvtb_partition_put(part);
	return 0;
}

static const struct file_operations chan_fops = {
	.owner = THIS_MODULE,
	.read = chan_read,
	.poll = chan_poll,
	.mmap = chan_mmap,
	.unlocked_ioctl = chan_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = chan_release,
	.llseek = noop_llseek,
};

/* Is the GUID pair of @o live already? vb->lock held. */
static bool chan_offer_dup(struct hvtb_vmbus *vb, const struct hvtb_vmbus_offer *o)
{
	struct vmbus_channel *ch;
	unsigned long relid;

	xa_for_each(&vb->chans, relid, ch)
		if (!ch->rescinding &&
		    !memcmp(ch->offer.if_type, o->if_type, sizeof(o->if_type)) &&
		    !memcmp(ch->offer.if_instance, o->if_instance,
			    sizeof(o->if_instance)))
			return true;
	return false;
}

static struct vmbus_channel *chan_alloc(struct hvtb_vmbus *vb,
					const struct hvtb_vmbus_offer *o)
{
	struct vmbus_channel *ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);

	if (!ch)
		return NULL;
	ch->vb = vb;
	spin_lock_init(&ch->lock);
	INIT_LIST_HEAD(&ch->maps);
	init_waitqueue_head(&ch->wq);
	atomic64_set(&ch->guest_signals, 0);
	atomic64_set(&ch->host_signals, 0);
	ch->offer.hdr.msgtype = VMBUS_MSG_OFFERCHANNEL;
	memcpy(ch->offer.if_type, o->if_type, sizeof(o->if_type));
	memcpy(ch->offer.if_instance, o->if_instance, sizeof(o->if_instance));
	ch->offer.chn_flags = o->chn_flags;
	ch->offer.mmio_megabytes = o->mmio_megabytes;
	memcpy(ch->offer.user_def, o->user_def, sizeof(o->user_def));
	ch->offer.is_dedicated_interrupt = 1;
	ch->fd_open = true;
	return ch;
}

/* Take a relid for @ch. vb->lock held. */
static int chan_insert(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
		       const struct hvtb_vmbus_offer *o)
{
	u32 relid;
	int r;

	if (chan_offer_dup(vb, o))
		return -EEXIST;
	if (vb->stats.channels >= HVTB_VMBUS_MAX_CHANNELS)
		return -ENOSPC;
	r = xa_alloc(&vb->chans, &relid, ch, XA_LIMIT(1, VMBUS_MAX_RELID),
		     GFP_KERNEL_ACCOUNT);
	if (r)
		return r == -EBUSY ? -ENOSPC : r;
	ch->relid = relid;
	ch->offer.child_relid = relid;
	ch->offer.connection_id = HVTB_VMBUS_CHANNEL_CONNECTION_ID(relid);
	ch->in_table = true;
	vb->stats.channels++;
	return 0;
}

/**
 * hvtb_vmbus_offer() - HVTB_VMBUS_OFFER_CHANNEL.
 * @vb: the partition's VMBus host
 * @uarg: struct hvtb_vmbus_offer
 * Return: the channel fd, or -errno.
 */
long hvtb_vmbus_offer(struct hvtb_vmbus *vb, void __user *uarg)
{
	struct hvtb_vmbus_offer o;
	struct vmbus_channel *ch;
	struct file *file;
	int fd, r;

	if (copy_from_user(&o, uarg, sizeof(o)))
		return -EFAULT;
	if (o.flags || o.child_relid || o.connection_id ||
	    memchr_inv(o.reserved, 0, sizeof(o.reserved)))
		return -EINVAL;
	ch = chan_alloc(vb, &o);
	if (!ch)
		return -ENOMEM;
	mutex_lock(&vb->lock);
	r = chan_insert(vb, ch, &o);
	mutex_unlock(&vb->lock);
	if (r)
		goto err_free;
	ch->econn = (struct hvtb_hv_conn) {
		.ops = &chan_econn_ops, .kind = HVTB_HV_CONN_EVENT,
		.id = ch->offer.connection_id, .flag_count = 1,
	};
	r = hvtb_hv_conn_register(vb->part, &ch->econn);
	if (r)
		goto err_unlink;

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_unregister;
	}
	kref_get(&vb->part->kref);
	file = anon_inode_getfile("hvtb-vmbus-channel", &chan_fops, ch,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		r = PTR_ERR(file);
		goto err_put_part;
	}
	o.child_relid = ch->relid;
	o.connection_id = ch->econn.id;
	if (copy_to_user(uarg, &o, sizeof(o))) {
		/* Not offered yet: the release gives the relid back at once. */
		mutex_lock(&vb->lock);
		ch->econn_registered = true;
		mutex_unlock(&vb->lock);
		fput(file);
		put_unused_fd(fd);
		return -EFAULT;
	}
	mutex_lock(&vb->lock);
	ch->econn_registered = true;
	if (vb->stats.state == HVTB_VMBUS_STATE_CONNECTED &&
	    vb->offers_requested && !vb->offers_owed)
		chan_send_offer(vb, ch);	/* hot-add; else in relid order */
	mutex_unlock(&vb->lock);
	fd_install(fd, file);
	return fd;

err_put_part:
	hvtb_partition_put(vb->part);
	put_unused_fd(fd);
err_unregister:
	hvtb_hv_conn_unregister(vb->part, &ch->econn);
err_unlink:
	mutex_lock(&vb->lock);
	ch->fd_open = false;
	chan_unlink(vb, ch);	/* frees it */
	mutex_unlock(&vb->lock);
	return r;
err_free:
	kfree(ch);
	return r;
}
