// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - Hyper-V enlightenments of a partition: the config ioctl, the CPUID
 * leaves 0x40000000..0x4000000a, the partition reference time, and the
 * host side of HvPostMessage (message ports, one fd each) and HvSignalEvent
 * (eventfds).
 *
 * Ports are looked up and filled under hv->ports_lock (the post path runs
 * in process context, after the VMCS is put). Events are signalled from
 * the exit handler itself (preemption off): the connection id -> eventfd
 * table is read under RCU, and an entry is freed after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/hyperv-tlfs.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "hvtb.h"
#include "hypercall/api.h"
#include "hypercall/hv.h"

#define HV_CONN_ID_MASK		0xffffffU
#define HV_PORT_DEPTH_DEFAULT	64
#define HV_PORT_DEPTH_MAX	4096
#define HV_EVENT_FLAGS_MAX	2048
#define HV_APIC_HZ_DEFAULT	1000000000ULL
#define HV_CPUID_MAX_LEAF	0x4000000a
/* 0x40000002: a build number and version 10.0 of the interface. */
#define HV_VERSION_BUILD	0x4a61
#define HV_VERSION_MAJOR_MINOR	0x000a0000

/**
 * struct hvtb_hv_port - a message port: a queue read through its fd.
 * @conn: the port's message connection in the registry (port_conn_ops).
 * @part: holds a partition reference while the fd is open.
 * @connection_id: HvPostMessage's connection id of this port.
 * @depth: size of @msgs.
 * @lock: guards @head, @count and @msgs.
 * @head: the oldest message.
 * @count: messages queued.
 * @wq: readers and pollers waiting for a message.
 * @read_lock: one reader at a time copies out and dequeues.
 * @msgs: the ring of messages.
 */
struct hvtb_hv_port {
	struct hvtb_hv_conn conn;	/* its entry in the registry */
	struct hvtb_partition *part;
	u32 connection_id;
	u32 depth;
	struct mutex read_lock;
	spinlock_t lock;
	u32 head;
	u32 count;
	wait_queue_head_t wq;
	struct hvtb_hv_message msgs[];
};

/*
 * An event connection: HvSignalEvent -> eventfd (@ctx), -> an in-kernel
 * handler (@kconn, hvtb_hv_conn_register()), or, with both NULL
 * (HVTB_HV_EVENT_SYNIC), -> an event flag of this partition's VP
 * @vp_index, SINT @sint.
 */
struct hvtb_hv_evt {
	struct rcu_head rcu;
	struct eventfd_ctx *ctx;
	struct hvtb_hv_conn *kconn;
	u32 flag_count;
	u32 vp_index;
	u32 sint;
};

/* ---- reference time ---- */

/**
 * hvtb_hv_time_ref() - the partition reference counter (100 ns units since
 * the partition was created, plus the base a restore set), from the host
 * TSC.
 * @hv: the partition's enlightenment state
 * Return: the count.
 */
u64 hvtb_hv_time_ref(struct hvtb_hv *hv)
{
	return mul_u64_u64_shr(rdtsc() - hv->tsc_at_create, hv->tsc_scale, 64) +
	       READ_ONCE(hv->ref_base);
}

/* HVTB_PARTITION_GET/SET_REFERENCE_TIME */
long hvtb_hv_reference_time(struct hvtb_partition *part, unsigned int cmd,
			    void __user *uarg)
{
	bool set = cmd == HVTB_PARTITION_SET_REFERENCE_TIME;
	struct hvtb_hv *hv = part->hv;
	struct hvtb_hv_reference_time t;
	long r = 0;

	if (!set) {
		memset(&t, 0, sizeof(t));
		t.time = hvtb_hv_time_ref(hv);
		return copy_to_user(uarg, &t, sizeof(t)) ? -EFAULT : 0;
	}
	if (copy_from_user(&t, uarg, sizeof(t)))
		return -EFAULT;
	if (memchr_inv(t.reserved, 0, sizeof(t.reserved)))
		return -EINVAL;
	/* No VP: no TSC page, no timer and no guest reads the clock yet. */
	mutex_lock(&part->lock);
	if (part->nr_vps)
		r = -EBUSY;
	else
		WRITE_ONCE(hv->ref_base, t.time - mul_u64_u64_shr(rdtsc() - hv->tsc_at_create,
								  hv->tsc_scale, 64));
	mutex_unlock(&part->lock);
	return r;
}

/* ---- CPUID ---- */

/**
 * hvtb_hv_cpuid() - the enlightenment leaves and CPUID.1:ECX[31].
 * @vp: the VP executing CPUID
 * @fn: the leaf
 * @e: the result so far (from the CPUID table); replaced or amended
 * Return: true if @e is the kernel's answer (never sent to user space).
 */
bool hvtb_hv_cpuid(struct hvtb_vp *vp, u32 fn, struct hvtb_cpuid_entry *e)
{
	const struct hvtb_hv *hv = vp->part->hv;
	const struct hvtb_hyperv_config *c = &hv->cfg;
	u32 v[3];

	if (!hv->enabled)
		return false;
	if (fn == 1) {
		e->ecx |= HYPERV_HYPERVISOR_PRESENT_BIT;
		return false;	/* the rest stays user space's */
	}
	if (fn < HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS || fn > HV_CPUID_MAX_LEAF)
		return false;

	e->eax = e->ebx = e->ecx = e->edx = 0;
	switch (fn) {
	case HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS:
		memcpy(v, c->vendor, sizeof(v));
		e->eax = HV_CPUID_MAX_LEAF;
		e->ebx = v[0];
		e->ecx = v[1];
		e->edx = v[2];
		break;
	case HYPERV_CPUID_INTERFACE:
		e->eax = c->interface;
		break;
	case HYPERV_CPUID_VERSION:
		e->eax = HV_VERSION_BUILD;
		e->ebx = HV_VERSION_MAJOR_MINOR;
		break;
	case HYPERV_CPUID_FEATURES:
		e->eax = c->features_eax;
		e->ebx = c->features_ebx;
		e->edx = c->features_edx;
		break;
	case HYPERV_CPUID_ENLIGHTMENT_INFO:
		e->eax = c->hints_eax;
		e->ebx = c->spin_retries;
		break;
	case HYPERV_CPUID_IMPLEMENT_LIMITS:
		e->eax = c->max_vps;
		e->ebx = c->max_lps;
		break;
	default:	/* 0x40000006..0x4000000a: nothing offered */
		break;
	}
	return true;
}

/* ---- HVTB_PARTITION_SET_HYPERV ---- */

long hvtb_hv_set_config(struct hvtb_partition *part, unsigned int cmd,
			void __user *uarg)
{
	struct hvtb_hv *hv = part->hv;
	struct hvtb_hyperv_config c;
	long r = 0;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if ((c.flags & ~HVTB_HV_FLAGS_MASK) ||
	    memchr_inv(c.reserved, 0, sizeof(c.reserved)))
		return -EINVAL;
	if (c.max_vps > part->max_vps || c.max_lps > HVTB_MAX_VPS ||
	    (c.tsc_frequency && c.tsc_frequency < 1000000))
		return -EINVAL;
	if (!memchr_inv(c.vendor, 0, sizeof(c.vendor)))
		memcpy(c.vendor, "Microsoft Hv", sizeof(c.vendor));
	if (!c.interface)
		c.interface = 0x31237648;	/* "Hv#1" */
	if (!c.max_vps)
		c.max_vps = part->max_vps;
	if (!c.max_lps)
		c.max_lps = c.max_vps;
	if (!c.spin_retries)
		c.spin_retries = 0xffffffff;
	if (!c.tsc_frequency)
		c.tsc_frequency = hv->tsc_hz;
	if (!c.apic_frequency)
		c.apic_frequency = HV_APIC_HZ_DEFAULT;

	mutex_lock(&part->lock);
	if (part->nr_vps) {
		r = -EBUSY;
	} else {
		hv->cfg = c;
		hv->enabled = c.flags & HVTB_HV_ENABLE;
	}
	mutex_unlock(&part->lock);
	return r;
}

/* ---- message ports ---- */

/* A port's message connection: queue for the fd's reader. */
static u16 port_conn_message(struct hvtb_hv_conn *c, struct hvtb_vp *vp,
			     u32 type, const void *payload, u32 size)
{
	struct hvtb_hv_port *p = container_of(c, struct hvtb_hv_port, conn);
	struct hvtb_hv_message *m;
	u16 status = HV_STATUS_SUCCESS;

	spin_lock(&p->lock);
	if (p->count == p->depth) {
		status = HV_STATUS_INSUFFICIENT_BUFFERS;
	} else {
		m = &p->msgs[(p->head + p->count) % p->depth];
		memset(m, 0, sizeof(*m));
		m->connection_id = c->id;
		m->message_type = type;
		m->payload_size = size;
		m->vp_index = vp->index;
		memcpy(m->payload, payload, size);
		p->count++;
	}
	spin_unlock(&p->lock);
	if (status == HV_STATUS_SUCCESS)
		wake_up_interruptible_poll(&p->wq, EPOLLIN | EPOLLRDNORM);
	return status;
}

static const struct hvtb_hv_conn_ops port_conn_ops = {
	.message = port_conn_message,
};

/**
 * hvtb_hv_post_message() - HvPostMessage: hand a guest's message to the
 * owner of message connection @conn (a port fd or an in-kernel handler).
 * @vp: the sender
 * @conn: connection id
 * @type: message type
 * @size: payload bytes (at most HVTB_HV_MESSAGE_PAYLOAD)
 * @payload: the payload
 *
 * Context: process context.
 * Return: an HV_STATUS_* value.
 */
int hvtb_hv_post_message(struct hvtb_vp *vp, u32 conn, u32 type, u32 size,
			 const u8 *payload)
{
	struct hvtb_hv *hv = vp->part->hv;
	struct hvtb_hv_conn *c;
	int status;

	mutex_lock(&hv->ports_lock);
	c = xa_load(&hv->ports, conn);
	if (!c)
		status = HV_STATUS_INVALID_CONNECTION_ID;
	else
		status = c->ops->message(c, vp, type, payload, size);
	mutex_unlock(&hv->ports_lock);
	return status;
}

static ssize_t port_read(struct file *file, char __user *buf, size_t len,
			 loff_t *ppos)
{
	struct hvtb_hv_port *p = file->private_data;
	struct hvtb_hv_message m;
	ssize_t done = 0;
	int r;

	if (len < sizeof(m))
		return -EINVAL;
	if (mutex_lock_interruptible(&p->read_lock))
		return -EINTR;
	while (!READ_ONCE(p->count)) {
		mutex_unlock(&p->read_lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		r = wait_event_interruptible(p->wq, READ_ONCE(p->count));
		if (r)
			return r;
		if (mutex_lock_interruptible(&p->read_lock))
			return -EINTR;
	}
	/* Only holders of read_lock dequeue: the head stays ours. */
	while (len - done >= sizeof(m)) {
		spin_lock(&p->lock);
		if (!p->count) {
			spin_unlock(&p->lock);
			break;
		}
		m = p->msgs[p->head];
		spin_unlock(&p->lock);
		if (copy_to_user(buf + done, &m, sizeof(m))) {
			if (!done)
				done = -EFAULT;
			break;
		}
		spin_lock(&p->lock);
		p->head = (p->head + 1) % p->depth;
		p->count--;
		spin_unlock(&p->lock);
		done += sizeof(m);
	}
	mutex_unlock(&p->read_lock);
	return done;
}

static __poll_t port_poll(struct file *file, poll_table *wait)
{
	struct hvtb_hv_port *p = file->private_data;

	poll_wait(file, &p->wq, wait);
	return READ_ONCE(p->count) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int port_release(struct inode *inode, struct file *file)
{
	struct hvtb_hv_port *p = file->private_data;
	struct hvtb_hv *hv = p->part->hv;

	mutex_lock(&hv->ports_lock);
	xa_erase(&hv->ports, p->connection_id);
	mutex_unlock(&hv->ports_lock);
	hvtb_partition_put(p->part);
	kvfree(p);
	return 0;
}

static const struct file_operations port_fops = {
	.owner = THIS_MODULE,
	.read = port_read,
	.poll = port_poll,
	.release = port_release,
	.llseek = noop_llseek,
};

/* HVTB_PARTITION_CREATE_HV_PORT */
long hvtb_hv_create_port(struct hvtb_partition *part, unsigned int cmd,
			 void __user *uarg)
{
	struct hvtb_hv *hv = part->hv;
	struct hvtb_hv_port_config c;
	struct hvtb_hv_port *p;
	int fd, r;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (c.flags || c.pad || memchr_inv(c.reserved, 0, sizeof(c.reserved)) ||
	    c.connection_id > HV_CONN_ID_MASK || c.depth > HV_PORT_DEPTH_MAX)
		return -EINVAL;
	if (!c.depth)
		c.depth = HV_PORT_DEPTH_DEFAULT;

	p = kvzalloc(struct_size(p, msgs, c.depth), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->part = part;
	p->connection_id = c.connection_id;
	p->depth = c.depth;
	mutex_init(&p->read_lock);
	spin_lock_init(&p->lock);
	init_waitqueue_head(&p->wq);

	p->conn.ops = &port_conn_ops;
	p->conn.id = c.connection_id;
	p->conn.kind = HVTB_HV_CONN_MESSAGE;
	mutex_lock(&hv->ports_lock);
	r = xa_insert(&hv->ports, c.connection_id, &p->conn, GFP_KERNEL_ACCOUNT);
	mutex_unlock(&hv->ports_lock);
	if (r) {
		r = r == -EBUSY ? -EEXIST : r;
		goto err_free;
	}
	/* The fd holds a partition reference; port_release drops it. */
	kref_get(&part->kref);
	fd = anon_inode_getfd("hvtb-hv-port", &port_fops, p,
			      O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_erase;
	}
	return fd;

err_erase:
	mutex_lock(&hv->ports_lock);
	xa_erase(&hv->ports, c.connection_id);
	mutex_unlock(&hv->ports_lock);
	hvtb_partition_put(part);
err_free:
	kvfree(p);
	return r;
}

/* ---- events ---- */

static void hv_evt_free(struct rcu_head *rcu)
{
	struct hvtb_hv_evt *e = container_of(rcu, struct hvtb_hv_evt, rcu);

	if (e->ctx)
		eventfd_ctx_put(e->ctx);
	kfree(e);
}

/**
 * hvtb_hv_signal_event() - HvSignalEvent: signal the eventfd of a
 * connection, call its in-kernel handler, or set the event flag of a
 * SynIC connection.
 * @vp: the caller
 * @param: the input (connection id 31:0, flag number 47:32, 63:48 zero)
 * @may_sleep: process context: a SynIC connection's flag is set at once
 *	(hvtb_synic_signal()); else it is noted for the target VP's run path
 *	(hvtb_synic_signal_async())
 *
 * Context: any, preemption may be off unless @may_sleep.
 * Return: an HV_STATUS_* value.
 */
u16 hvtb_hv_signal_event(struct hvtb_vp *vp, u64 param, bool may_sleep)
{
	struct hvtb_hv *hv = vp->part->hv;
	u32 conn = (u32)param, target = 0, sint = 0;
	u16 flag = param >> 32;
	struct hvtb_hv_evt *e;
	u16 status = HV_STATUS_SUCCESS;
	bool synic = false;

	if ((param >> 48) || (conn & ~HV_CONN_ID_MASK))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	rcu_read_lock();
	e = xa_load(&hv->events, conn);
	if (!e) {
		status = HV_STATUS_INVALID_CONNECTION_ID;
	} else if (flag >= e->flag_count) {
		status = HV_STATUS_INVALID_PARAMETER;
	} else if (e->ctx) {
		eventfd_signal(e->ctx, 1);
	} else if (e->kconn) {
		status = e->kconn->ops->event(e->kconn, vp, flag);
	} else {
		synic = true;
		target = e->vp_index;
		sint = e->sint;
	}
	rcu_read_unlock();
	if (!synic)
		return status;
	if (!may_sleep)	/* the exit handler: the any-context path */
		return hvtb_synic_signal_async(vp->part, target, sint, flag) < 0 ?
		       HV_STATUS_INVALID_PORT_ID : HV_STATUS_SUCCESS;
	return hvtb_synic_signal(vp->part, target, sint, flag) < 0 ?
	       HV_STATUS_INVALID_PORT_ID : HV_STATUS_SUCCESS;
}

/* HVTB_PARTITION_SET_HV_EVENT */
long hvtb_hv_set_event(struct hvtb_partition *part, unsigned int cmd,
		       void __user *uarg)
{
	struct hvtb_hv *hv = part->hv;
	struct hvtb_hv_event c;
	struct hvtb_hv_evt *e;
	struct eventfd_ctx *ctx;
	int r;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if ((c.flags & ~(HVTB_HV_EVENT_DEASSIGN | HVTB_HV_EVENT_SYNIC)) ||
	    c.reserved || c.connection_id > HV_CONN_ID_MASK ||
	    c.flag_count > HV_EVENT_FLAGS_MAX)
		return -EINVAL;
	if (c.flags & HVTB_HV_EVENT_SYNIC ?
	    c.fd || c.sint >= HVTB_HV_SINT_COUNT || c.vp_index >= part->max_vps :
	    c.vp_index || c.sint)
		return -EINVAL;

	if (c.flags & HVTB_HV_EVENT_DEASSIGN) {
		if (c.fd || c.flag_count || (c.flags & HVTB_HV_EVENT_SYNIC))
			return -EINVAL;
		mutex_lock(&hv->ports_lock);
		e = xa_load(&hv->events, c.connection_id);
		if (e && e->kconn)
			e = ERR_PTR(-EBUSY);	/* the kernel's own connection */
		else if (e)
			xa_erase(&hv->events, c.connection_id);
		mutex_unlock(&hv->ports_lock);
		if (!e)
			return -ENOENT;
		if (IS_ERR(e))
			return PTR_ERR(e);
		call_rcu(&e->rcu, hv_evt_free);
		hv->rcu_pending = true;
		return 0;
	}

	ctx = NULL;
	if (!(c.flags & HVTB_HV_EVENT_SYNIC)) {
		ctx = eventfd_ctx_fdget(c.fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e) {
		r = -ENOMEM;
		goto err_put_ctx;
	}
	e->ctx = ctx;
	e->flag_count = c.flag_count ?: 1;
	e->vp_index = c.vp_index;
	e->sint = c.sint;
	mutex_lock(&hv->ports_lock);
	r = xa_insert(&hv->events, c.connection_id, e, GFP_KERNEL_ACCOUNT);
	mutex_unlock(&hv->ports_lock);
	if (r) {
		r = r == -EBUSY ? -EEXIST : r;
		goto err_free;
	}
	return 0;

err_free:
	kfree(e);
err_put_ctx:
	if (ctx)
		eventfd_ctx_put(ctx);
	return r;
}

/* ---- in-kernel connections ---- */

static int hv_conn_check(const struct hvtb_hv_conn *c)
{
	if (c->id > HV_CONN_ID_MASK || !c->ops)
		return -EINVAL;
	if (c->kind == HVTB_HV_CONN_MESSAGE)
		return c->ops->message ? 0 : -EINVAL;
	if (c->kind == HVTB_HV_CONN_EVENT)
		return c->ops->event && c->flag_count <= HV_EVENT_FLAGS_MAX ?
		       0 : -EINVAL;
	return -EINVAL;
}

/**
 * hvtb_hv_conn_register() - own connection id @c->id of the partition with
 * an in-kernel handler.
 * @part: the partition
 * @c: the connection, embedded in the owner's object: @c->id, @c->kind,
 *	@c->ops (and @c->flag_count for an event connection, 0 meaning 1)
 *	filled in; it must stay valid until hvtb_hv_conn_unregister()
 *	returns or @c->ops->release is called
 *
 * Message connections (HVTB_HV_CONN_MESSAGE) share the id space with the
 * port fds of HVTB_PARTITION_CREATE_HV_PORT, event connections (HVTB_HV_CONN_EVENT)
 * with HVTB_PARTITION_SET_HV_EVENT; user space cannot take over or deassign an id
 * the kernel owns. A connection still registered when the partition is
 * destroyed (no VP left) gets its @c->ops->release call then.
 *
 * Context: process context; sleeps.
 * Return: 0, -EINVAL (bad id, kind or ops), -EEXIST (the id is taken),
 * -ENOMEM.
 */
int hvtb_hv_conn_register(struct hvtb_partition *part, struct hvtb_hv_conn *c)
{
	struct hvtb_hv *hv = part->hv;
	struct hvtb_hv_evt *e = NULL;
	int r;

	r = hv_conn_check(c);
	if (r)
		return r;
	if (c->kind == HVTB_HV_CONN_EVENT) {
		e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
		if (!e)
			return -ENOMEM;
		e->kconn = c;
		e->flag_count = c->flag_count ?: 1;
	}
	mutex_lock(&hv->ports_lock);
	if (e)
		r = xa_insert(&hv->events, c->id, e, GFP_KERNEL_ACCOUNT);
	else
		r = xa_insert(&hv->ports, c->id, c, GFP_KERNEL_ACCOUNT);
	mutex_unlock(&hv->ports_lock);
	if (r) {
		kfree(e);
		return r == -EBUSY ? -EEXIST : r;
	}
	return 0;
}

/**
 * hvtb_hv_conn_unregister() - give up a connection registered with
 * hvtb_hv_conn_register(); @c->ops->release is not called.
 * @part: the partition
 * @c: the connection
 *
 * When this returns no callback of @c runs or will run: message callbacks
 * run under the registry's mutex, event callbacks under RCU (this waits
 * for a grace period). Must not be called from a callback of any
 * connection.
 *
 * Context: process context; sleeps.
 */
void hvtb_hv_conn_unregister(struct hvtb_partition *part,
			     struct hvtb_hv_conn *c)
{
	struct hvtb_hv *hv = part->hv;
	struct hvtb_hv_evt *e = NULL;

	mutex_lock(&hv->ports_lock);
	if (c->kind == HVTB_HV_CONN_EVENT) {
		e = xa_load(&hv->events, c->id);
		if (e && e->kconn == c)
			xa_erase(&hv->events, c->id);
		else
			e = NULL;
	} else if (xa_load(&hv->ports, c->id) == c) {
		xa_erase(&hv->ports, c->id);
	}
	mutex_unlock(&hv->ports_lock);
	if (e) {
		synchronize_rcu();
		kfree(e);
	}
}

/* HVTB_VP_GET_HV_STATS */
long hvtb_hv_vp_get_stats(struct hvtb_vp *vp, unsigned int cmd,
			  void __user *uarg)
{
	return copy_to_user(uarg, &vp->hv->stats, sizeof(vp->hv->stats)) ?
	       -EFAULT : 0;
}

/* ---- lifetime ---- */

/**
 * hvtb_hv_partition_init() - enlightenment state of a new partition (off).
 * @part: the partition
 * Return: 0 or -ENOMEM.
 */
int hvtb_hv_partition_init(struct hvtb_partition *part)
{
	struct hvtb_hv *hv;

	hv = kzalloc(sizeof(*hv), GFP_KERNEL_ACCOUNT);
	if (!hv)
		return -ENOMEM;
	spin_lock_init(&hv->lock);
	mutex_init(&hv->ports_lock);
	xa_init(&hv->ports);
	xa_init(&hv->events);
	hv->tsc_hz = (u64)tsc_khz * 1000;
	/* 2^64 * 10^7 / tsc_hz: the TSC needs more than 10 MHz. */
	hv->tsc_scale = mul_u64_u64_div_u64(1ULL << 63, 20000000ULL,
					    max_t(u64, hv->tsc_hz, 20000000ULL));
	hv->tsc_at_create = rdtsc();
	part->hv = hv;
	return 0;
}

/**
 * hvtb_hv_partition_destroy() - free the enlightenment state; no VP and no
 * port fd exist any more (each holds a partition reference).
 * @part: the partition
 */
void hvtb_hv_partition_destroy(struct hvtb_partition *part)
{
	struct hvtb_hv *hv = part->hv;
	struct hvtb_hv_conn *c;
	struct hvtb_hv_evt *e;
	unsigned long id;

	if (!hv)
		return;
	/* No VP is left: no HvSignalEvent or HvPostMessage runs now. */
	xa_for_each(&hv->events, id, e) {
		if (e->ctx)
			eventfd_ctx_put(e->ctx);
		if (e->kconn && e->kconn->ops->release)
			e->kconn->ops->release(e->kconn);
		kfree(e);
	}
	xa_destroy(&hv->events);
	/* hv_evt_free() is module text: let pending callbacks finish. */
	if (hv->rcu_pending)
		rcu_barrier();
	/* Port fds hold a partition reference: only kernel connections remain. */
	xa_for_each(&hv->ports, id, c) {
		xa_erase(&hv->ports, id);
		if (!WARN_ON_ONCE(c->ops == &port_conn_ops) && c->ops->release)
			c->ops->release(c);
	}
	xa_destroy(&hv->ports);
	mutex_destroy(&hv->ports_lock);
	kfree(hv);
}

/**
 * hvtb_hv_vp_init() - a new VP's synthetic MSRs (SINTs masked).
 * @vp: the VP
 * Return: 0 or -ENOMEM.
 */
int hvtb_hv_vp_init(struct hvtb_vp *vp)
{
	struct hvtb_hv_vp *h;
	int i;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(h->sint); i++)
		h->sint[i] = HV_SYNIC_SINT_MASKED;
	vp->hv = h;
	if (hvtb_synic_vp_init(vp)) {
		kfree(h);
		vp->hv = NULL;
		return -ENOMEM;
	}
	return 0;
}

/** hvtb_hv_vp_destroy() - free a VP's enlightenment state. @vp: the VP */
void hvtb_hv_vp_destroy(struct hvtb_vp *vp)
{
	if (!vp->hv)
		return;
	hvtb_synic_vp_destroy(vp);
	kfree(vp->hv);
	vp->hv = NULL;
}
