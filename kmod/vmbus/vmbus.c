// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - the host side of a partition's VMBus channel-management
 * connection, and the dispatch of every guest channel message (issue 13;
 * channels are in channel.c, GPADLs in gpadl.c).
 *
 * HVTB_VMBUS_ENABLE registers this file as the in-kernel owner of message
 * connection ids 1 and 4 (hvtb_hv_conn_register()). A guest's
 * HvPostMessage to either reaches vmbus_conn_message() in the sender's run
 * path (process context); every message is checked against the table of
 * kmod/vmbus/vmbus_msg.h (type, minimum size, connection id, state) and
 * either handled or dropped and counted. The guest always gets
 * HV_STATUS_SUCCESS for a message that reached the host: Linux retries
 * only on errors, and a dropped message must not be retried forever.
 *
 *  - INITIATE_CONTACT (disconnected): a version of vmbus_versions[] up to
 *    max_version, a msg_sint below 16 (>= 5.0) and mapped, writable
 *    interrupt/monitor pages are accepted: VERSION_RESPONSE
 *    {version_supported 1, msg_conn_id 1}, the pages are kept as an EPT
 *    page view (their range cannot be unmapped until UNLOAD), the state
 *    becomes connected. Anything else is refused with version_supported 0
 *    and the state stays disconnected: the guest tries its next version.
 *  - REQUESTOFFERS (connected): one OFFERCHANNEL per live channel not yet
 *    offered, then ALLOFFERS_DELIVERED; later offers go out at once. What
 *    the SynIC's full queue refused is sent after the guest's next
 *    message (hvtb_vmbus_offers_flush()).
 *  - Channel messages (OPENCHANNEL, CLOSECHANNEL, GPADL_HEADER,
 *    GPADL_TEARDOWN, RELID_RELEASED, MODIFYCHANNEL) name a relid at offset
 *    8 and are checked against that channel's state too
 *    (vmbus_msg_chan_check()); GPADL_BODY must match a pending header.
 *  - UNLOAD (connected): every GPADL goes, open channels close, rescinded
 *    ones are released, the view is dropped, UNLOAD_RESPONSE, the state
 *    is disconnected again (a kexec'ed guest sends INITIATE_CONTACT anew).
 * Replies go through hvtb_synic_post() to the SINT the INITIATE_CONTACT
 * named on VP target_vcpu; a reply the SynIC refuses is counted in
 * post_failed.
 *
 * Locking: vb->lock serializes the connection state and the counters; it
 * nests inside the connection registry's mutex (the callback runs under
 * it) and outside the EPT lock and the VPs' synic_lock. part->lock is
 * taken only by the ioctls, outside the registry's mutex.
 *
 * Lifetime: the state lives until the partition is destroyed; both
 * connections' release callbacks run then (no VP left, no channel fd: each
 * holds a partition reference), the last one frees the channels and
 * GPADLs and drops the page views (before the EPT goes) and the state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/hyperv-tlfs.h>

#include <linux/hvtb_vmbus.h>
#include "hvtb.h"
#include "ept/ept.h"
#include "hypercall/api.h"
#include "vmbus/vmbus.h"
#include "vmbus/internal.h"
#include "trace.h"

static struct hvtb_vmbus *vmbus_of(struct hvtb_hv_conn *c)
{
	if (c->id == HVTB_VMBUS_MESSAGE_CONNECTION_ID_4)
		return container_of(c, struct hvtb_vmbus, conn4);
	return container_of(c, struct hvtb_vmbus, conn1);
}

/* Post a reply to the connection's target VP and SINT. vb->lock held. */
static int vmbus_reply(struct hvtb_vmbus *vb, u32 vp, u32 sint,
		       const void *msg, u32 size)
{
	int r = hvtb_synic_post(vb->part, vp, sint, HVTB_VMBUS_MESSAGE_TYPE,
				msg, size);

	if (r)
		vb->stats.post_failed++;
	trace_hvtb_vmbus_message(vb->part->id, true, size >= 4 ? vmbus_msg_u32(msg, 0) : 0,
				 vmbus_msg_relid(msg, size), size, r);
	return r;
}

/* Map the pages INITIATE_CONTACT @m names. Return: 0 or -errno. */
static int vmbus_map_pages(struct hvtb_vmbus *vb,
			   const struct vmbus_initiate *m,
			   struct hvtb_ept_view **view)
{
	u64 gpas[3], gfns[3];
	int n, i;

	*view = NULL;
	n = vmbus_initiate_pages(m, gpas);
	if (n < 0)
		return -EINVAL;
	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		gfns[i] = gpas[i] >> PAGE_SHIFT;
	*view = hvtb_ept_view_create(vb->part->ept, gfns, n,
				     HVTB_EPT_VIEW_WRITE);
	if (IS_ERR(*view)) {
		n = PTR_ERR(*view);
		*view = NULL;
		return n;
	}
	return 0;
}

static void vmbus_initiate_contact(struct hvtb_vmbus *vb, const u8 *payload)
{
	struct vmbus_version_resp resp = {
		.hdr.msgtype = VMBUS_MSG_VERSION_RESPONSE,
	};
	struct hvtb_ept_view *view = NULL;
	struct vmbus_initiate m;
	u32 sint;
	bool ok;

	memcpy(&m, payload, sizeof(m));
	vb->stats.initiate_contact++;
	ok = vmbus_initiate_sint(&m, vb->max_version, &sint);
	if (ok && vmbus_map_pages(vb, &m, &view))
		ok = false;
	resp.version_supported = ok;
	resp.msg_conn_id = ok ? HVTB_VMBUS_MESSAGE_CONNECTION_ID : 0;
	if (vmbus_reply(vb, m.target_vcpu, sint, &resp, sizeof(resp)) && ok) {
		/* Nobody heard the answer: stay disconnected. */
		hvtb_ept_view_destroy(view);
		return;
	}
	if (!ok) {
		vb->stats.version_refused++;
		return;
	}
	vb->pages = view;
	vb->stats.view_pages = view ? hvtb_ept_view_pages(view) : 0;
	vb->stats.state = HVTB_VMBUS_STATE_CONNECTED;
	vb->stats.version = m.version;
	vb->stats.target_vp = m.target_vcpu;
	vb->stats.message_sint = sint;
}

/**
 * hvtb_vmbus_post() - a message to the connected guest (its target VP and
 * message SINT). vb->lock held.
 * @vb: the VMBus host
 * @msg: the message
 * @size: its size
 * Return: 0, or -errno when the SynIC did not take it (counted).
 */
int hvtb_vmbus_post(struct hvtb_vmbus *vb, const void *msg, u32 size)
{
	return vmbus_reply(vb, vb->stats.target_vp, vb->stats.message_sint,
			   msg, size);
}

/* A message that carries only the header. vb->lock held. */
static void vmbus_reply_empty(struct hvtb_vmbus *vb, u32 msgtype)
{
	struct vmbus_hdr h = { .msgtype = msgtype };

	vmbus_reply(vb, vb->stats.target_vp, vb->stats.message_sint, &h,
		    sizeof(h));
}

static void vmbus_unload(struct hvtb_vmbus *vb)
{
	vb->stats.unload++;
	hvtb_vmbus_chans_unload(vb);
	hvtb_ept_view_destroy(vb->pages);
	vb->pages = NULL;
	vb->stats.view_pages = 0;
	vmbus_reply_empty(vb, VMBUS_MSG_UNLOAD_RESPONSE);
	vb->stats.state = HVTB_VMBUS_STATE_DISCONNECTED;
	vb->stats.version = 0;
}

/* Count a verdict other than VMBUS_MSG_OK. vb->lock held. */
static void vmbus_count_drop(struct hvtb_vmbus *vb, enum vmbus_verdict v)
{
	switch (v) {
	case VMBUS_MSG_SHORT:
		vb->stats.dropped_short++;
		break;
	case VMBUS_MSG_UNKNOWN:
		vb->stats.dropped_unknown++;
		break;
	case VMBUS_MSG_STATE:
		vb->stats.dropped_state++;
		break;
	default:
		vb->stats.dropped_connection++;
		break;
	}
}

/* MODIFYCHANNEL of an open channel: interrupts go to the new VP. */
static void vmbus_modify(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			 const struct vmbus_modify *m)
{
	struct vmbus_modify_resp r = {
		.hdr.msgtype = VMBUS_MSG_MODIFYCHANNEL_RESPONSE,
		.child_relid = ch->relid,
	};

	if (m->target_vp < vb->part->max_vps)
		ch->target_vp = m->target_vp;
	else
		r.status = VMBUS_STATUS_FAIL;
	hvtb_vmbus_post(vb, &r, sizeof(r));
}

/*
 * A message that names a channel (vmbus_msg_defs[].channel), checked
 * against that channel's state. Return: false if dropped.
 */
static bool vmbus_chan_message(struct hvtb_vmbus *vb, u32 type, const u8 *p,
			       u32 size)
{
	struct vmbus_channel *ch = hvtb_vmbus_chan_find(vb, vmbus_msg_u32(p, 8));
	u32 state = ch ? ch->state : VMBUS_CHAN_NONE;
	struct vmbus_open open;
	struct vmbus_modify mod;

	if (vmbus_msg_chan_check(type, state) != VMBUS_MSG_OK)
		return false;
	switch (type) {
	case VMBUS_MSG_OPENCHANNEL:
		memcpy(&open, p, sizeof(open));
		hvtb_vmbus_chan_open(vb, ch, &open);
		return true;
	case VMBUS_MSG_CLOSECHANNEL:
		hvtb_vmbus_chan_close(vb, ch);
		return true;
	case VMBUS_MSG_GPADL_HEADER:
		hvtb_vmbus_gpadl_header(vb, ch, p, size);
		return true;
	case VMBUS_MSG_GPADL_TEARDOWN:
		return hvtb_vmbus_gpadl_teardown(vb, ch, vmbus_msg_u32(p, 12));
	case VMBUS_MSG_RELID_RELEASED:
		hvtb_vmbus_chan_released(vb, ch);
		return true;
	case VMBUS_MSG_MODIFYCHANNEL:
		memcpy(&mod, p, sizeof(mod));
		vmbus_modify(vb, ch, &mod);
		return true;
	default:
		return false;
	}
}

/* HvPostMessage to connection 1 or 4: the sender's run path, may sleep. */
static u16 vmbus_conn_message(struct hvtb_hv_conn *c, struct hvtb_vp *vp,
			      u32 type, const void *payload, u32 size)
{
	struct hvtb_vmbus *vb = vmbus_of(c);
	enum vmbus_verdict v;
	const u8 *p = payload;
	u32 msgtype;

	mutex_lock(&vb->lock);
	v = vmbus_msg_check(c->id, type, p, size, vb->stats.state,
			    vb->stats.channels);
	trace_hvtb_vmbus_message(vb->part->id, false, size >= 4 ? vmbus_msg_u32(p, 0) : 0,
				 vmbus_msg_relid(p, size), size, v);
	if (v != VMBUS_MSG_OK) {
		vmbus_count_drop(vb, v);
		goto out;
	}
	msgtype = vmbus_msg_u32(p, 0);
	if (vmbus_msg_defs[msgtype].channel) {
		if (vmbus_chan_message(vb, msgtype, p, size))
			vb->stats.messages++;
		else
			vmbus_count_drop(vb, VMBUS_MSG_STATE);
		goto out;
	}
	switch (msgtype) {
	case VMBUS_MSG_INITIATE_CONTACT:
		vb->stats.messages++;
		vmbus_initiate_contact(vb, p);
		break;
	case VMBUS_MSG_REQUESTOFFERS:
		vb->stats.messages++;
		vb->stats.request_offers++;
		hvtb_vmbus_offers_request(vb);
		break;
	case VMBUS_MSG_GPADL_BODY:
		if (hvtb_vmbus_gpadl_body(vb, p, size))
			vb->stats.messages++;
		else
			vmbus_count_drop(vb, VMBUS_MSG_STATE);
		break;
	case VMBUS_MSG_UNLOAD:
		vb->stats.messages++;
		vmbus_unload(vb);
		break;
	default:	/* vmbus_msg_check() lets no other type through */
		break;
	}
out:
	/* The guest made progress: its SynIC queue may have room again. */
	hvtb_vmbus_offers_flush(vb);
	mutex_unlock(&vb->lock);
	return HV_STATUS_SUCCESS;
}

/* Partition teardown: the last connection frees the state. */
static void vmbus_conn_release(struct hvtb_hv_conn *c)
{
	struct hvtb_vmbus *vb = vmbus_of(c);

	if (--vb->refs)
		return;
	hvtb_vmbus_chans_free(vb);
	hvtb_ept_view_destroy(vb->pages);
	vb->part->vmbus = NULL;
	mutex_destroy(&vb->lock);
	kfree(vb);
}

static const struct hvtb_hv_conn_ops vmbus_conn_ops = {
	.message = vmbus_conn_message,
	.release = vmbus_conn_release,
};

static long vmbus_enable(struct hvtb_partition *part, void __user *uarg)
{
	struct hvtb_vmbus_config cfg;
	struct hvtb_vmbus *vb;
	long r;

	if (copy_from_user(&cfg, uarg, sizeof(cfg)))
		return -EFAULT;
	if (cfg.flags || memchr_inv(cfg.reserved, 0, sizeof(cfg.reserved)) ||
	    (cfg.max_version && !vmbus_version_known(cfg.max_version)))
		return -EINVAL;
	vb = kzalloc(sizeof(*vb), GFP_KERNEL_ACCOUNT);
	if (!vb)
		return -ENOMEM;
	vb->part = part;
	mutex_init(&vb->lock);
	xa_init_flags(&vb->chans, XA_FLAGS_ALLOC);
	INIT_LIST_HEAD(&vb->gpadls);
	vb->max_version = cfg.max_version ?: HVTB_VMBUS_VERSION_5_3;
	vb->conn1 = (struct hvtb_hv_conn) {
		.ops = &vmbus_conn_ops, .kind = HVTB_HV_CONN_MESSAGE,
		.id = HVTB_VMBUS_MESSAGE_CONNECTION_ID,
	};
	vb->conn4 = vb->conn1;
	vb->conn4.id = HVTB_VMBUS_MESSAGE_CONNECTION_ID_4;

	mutex_lock(&part->lock);
	r = -EBUSY;
	if (part->vmbus)
		goto err_unlock;
	r = hvtb_hv_conn_register(part, &vb->conn1);
	if (r)
		goto err_unlock;
	r = hvtb_hv_conn_register(part, &vb->conn4);
	if (r)
		goto err_unregister;
	vb->refs = 2;
	part->vmbus = vb;
	mutex_unlock(&part->lock);
	return 0;

err_unregister:
	hvtb_hv_conn_unregister(part, &vb->conn1);
err_unlock:
	mutex_unlock(&part->lock);
	mutex_destroy(&vb->lock);
	kfree(vb);
	return r;
}

/* The partition's VMBus host; it stays until teardown once enabled. */
static struct hvtb_vmbus *vmbus_get(struct hvtb_partition *part)
{
	struct hvtb_vmbus *vb;

	mutex_lock(&part->lock);
	vb = part->vmbus;
	mutex_unlock(&part->lock);
	return vb;
}

static long vmbus_get_stats(struct hvtb_partition *part, void __user *uarg)
{
	struct hvtb_vmbus_stats s;
	struct hvtb_vmbus *vb;

	mutex_lock(&part->lock);
	vb = part->vmbus;
	if (vb) {
		mutex_lock(&vb->lock);
		s = vb->stats;
		mutex_unlock(&vb->lock);
	}
	mutex_unlock(&part->lock);
	if (!vb)
		return -ENODEV;
	return copy_to_user(uarg, &s, sizeof(s)) ? -EFAULT : 0;
}

/**
 * hvtb_vmbus_partition_ioctl() - the VMBus ioctls of a partition fd.
 * @part: the partition
 * @cmd: HVTB_VMBUS_ENABLE, HVTB_VMBUS_GET_STATS, HVTB_VMBUS_OFFER_CHANNEL
 * @uarg: struct hvtb_vmbus_config, _stats or _offer
 * Return: 0 (a channel fd for an offer) or -errno; -ENOTTY for another
 * ioctl.
 */
long hvtb_vmbus_partition_ioctl(struct hvtb_partition *part, unsigned int cmd,
				void __user *uarg)
{
	struct hvtb_vmbus *vb;

	switch (cmd) {
	case HVTB_VMBUS_OFFER_CHANNEL:
		vb = vmbus_get(part);
		return vb ? hvtb_vmbus_offer(vb, uarg) : -ENODEV;
	case HVTB_VMBUS_ENABLE:
		return vmbus_enable(part, uarg);
	case HVTB_VMBUS_GET_STATS:
		return vmbus_get_stats(part, uarg);
	default:
		return -ENOTTY;
	}
}
