/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - the VMBus host's state shared by its files: vmbus.c (the
 * connection and the message dispatch), channel.c (offers and the channel
 * fds of the VSP daemons), gpadl.c (guest page lists).
 *
 * Locking (kmod/LOCKING.md): vb->lock, a mutex, guards the connection, the
 * channel table and every channel's and GPADL's guest-visible state; the
 * message callback takes it inside the connection registry's mutex, the
 * ioctls outside it (never while registering or unregistering a
 * connection). ch->lock, a spinlock, guards what a channel fd's read(),
 * poll() and mmap() look at (the event queue, the mappable GPADLs); it is
 * a leaf, taken under vb->lock or alone. mmap() runs under the caller's
 * mmap_lock and so takes only ch->lock: vb->lock nests outside the EPT
 * lock, which nests outside mmap_lock.
 */
#ifndef HVTB_VMBUS_INTERNAL_H
#define HVTB_VMBUS_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <linux/hvtb_vmbus.h>
#include "hypercall/api.h"
#include "vmbus/vmbus_msg.h"

struct hvtb_partition;
struct hvtb_ept_view;
struct eventfd_ctx;
struct page;

/**
 * struct hvtb_vmbus - a partition's VMBus host.
 * @part: the partition (not referenced: the state dies with it).
 * @conn1: message connection 1.
 * @conn4: message connection 4.
 * @refs: connections still registered (the last release frees).
 * @lock: guards everything below.
 * @max_version: the newest version served.
 * @pages: the interrupt/monitor pages of the connection, or NULL.
 * @offers_requested: REQUESTOFFERS seen since the connection was made:
 *	new offers are sent at once.
 * @offers_owed: an offer the SynIC refused (its queue was full) waits to
 *	be sent; @alloffers_owed: so does REQUESTOFFERS' ALLOFFERS_DELIVERED.
 *	Both are retried after every guest message (hvtb_vmbus_offers_flush()).
 * @chans: relid -> struct vmbus_channel, relids 1..2047, held from the
 *	offer ioctl until the relid is released.
 * @gpadls: every struct vmbus_gpadl, pending or created.
 * @gpadl_pages: pages of @gpadls (the bound of the guest's allocations).
 * @stats: state and counters (HVTB_VMBUS_GET_STATS).
 */
struct hvtb_vmbus {
	struct hvtb_partition *part;
	struct hvtb_hv_conn conn1;
	struct hvtb_hv_conn conn4;
	int refs;
	struct mutex lock;
	u32 max_version;
	struct hvtb_ept_view *pages;
	bool offers_requested;
	bool offers_owed;
	bool alloffers_owed;
	struct xarray chans;
	struct list_head gpadls;
	u32 gpadl_pages;
	struct hvtb_vmbus_stats stats;
};

/**
 * struct vmbus_map - the pages of a created GPADL as a channel fd maps
 * them: a page reference each, dropped with the last reference to the
 * map (the GPADL's, the open ring's, each VMA's), so a daemon's mapping
 * never shows freed memory.
 * @node: in the channel's @maps (ch->lock).
 * @refs: references.
 * @handle: the GPADL handle.
 * @npages: pages in @pages.
 * @pages: the guest's pages, in GPADL order.
 */
struct vmbus_map {
	struct list_head node;
	refcount_t refs;
	u32 handle;
	u32 npages;
	struct page *pages[];
};

/**
 * struct vmbus_gpadl - a guest page list (GPADL_HEADER + GPADL_BODY).
 * @node: in vb->gpadls.
 * @handle: the guest's handle; @relid: the channel it was created on.
 * @npages: its pages; @received: PFNs received so far.
 * @gfns: the PFNs while it is being assembled, else NULL.
 * @view: the EPT page view holding the pages once created, else NULL.
 * @map: the pages for the channel fd's mmap() once created, else NULL.
 */
struct vmbus_gpadl {
	struct list_head node;
	u32 handle;
	u32 relid;
	u32 npages;
	u32 received;
	u64 *gfns;
	struct hvtb_ept_view *view;
	struct vmbus_map *map;
};

/**
 * struct vmbus_channel - a channel offered by a daemon through its fd.
 * @vb: the VMBus host.
 * @econn: the event connection of the guest's HvSignalEvents.
 * @econn_registered: @econn is in the registry (the fd's ioctls and
 *	release only, after @rescinding was set under vb->lock).
 * @signal_ctx: the daemon's eventfd for guest signals, or NULL (RCU).
 * @guest_signals, @host_signals: counters.
 * @relid: the child relid; @offer: the OFFERCHANNEL message.
 * @state: VMBUS_CHAN_* as the guest sees it (vb->lock).
 * @in_table: holds its relid in vb->chans (vb->lock).
 * @fd_open: the channel fd exists (vb->lock).
 * @rescinding: the daemon rescinded it (ioctl or close) (vb->lock).
 * @ring_gpadl, @target_vp, @ring_pages, @downstream: of the open channel.
 * @lock: guards the fields below.
 * @ev, @ev_head, @ev_count, @events_lost: the event queue.
 * @released: the relid is released: poll() reports EPOLLHUP.
 * @ring_map: the open channel's ring GPADL pages (referenced), or NULL.
 * @maps: the created GPADLs of the channel (their struct vmbus_map).
 * @wq: readers and pollers.
 */
struct vmbus_channel {
	struct hvtb_vmbus *vb;
	struct hvtb_hv_conn econn;
	bool econn_registered;
	struct eventfd_ctx __rcu *signal_ctx;
	atomic64_t guest_signals;
	atomic64_t host_signals;

	u32 relid;
	struct vmbus_offer_msg offer;
	u32 state;
	bool in_table;
	bool fd_open;
	bool rescinding;
	u32 ring_gpadl;
	u32 target_vp;
	u32 ring_pages;
	u32 downstream;

	spinlock_t lock;
	struct hvtb_vmbus_event ev[HVTB_VMBUS_EVENT_QUEUE];
	u32 ev_head;
	u32 ev_count;
	u64 events_lost;
	bool released;
	struct vmbus_map *ring_map;
	struct list_head maps;
	wait_queue_head_t wq;
};

/* vmbus.c */
int hvtb_vmbus_post(struct hvtb_vmbus *vb, const void *msg, u32 size);

/* channel.c: message handlers, vb->lock held */
struct vmbus_channel *hvtb_vmbus_chan_find(struct hvtb_vmbus *vb, u32 relid);
void hvtb_vmbus_chan_event(struct vmbus_channel *ch,
			   const struct hvtb_vmbus_event *ev);
void hvtb_vmbus_offers_request(struct hvtb_vmbus *vb);
void hvtb_vmbus_offers_flush(struct hvtb_vmbus *vb);
void hvtb_vmbus_chan_open(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			  const struct vmbus_open *m);
void hvtb_vmbus_chan_close(struct hvtb_vmbus *vb, struct vmbus_channel *ch);
void hvtb_vmbus_chan_released(struct hvtb_vmbus *vb, struct vmbus_channel *ch);
void hvtb_vmbus_chans_unload(struct hvtb_vmbus *vb);
void hvtb_vmbus_chans_free(struct hvtb_vmbus *vb);
long hvtb_vmbus_offer(struct hvtb_vmbus *vb, void __user *uarg);

/* gpadl.c: vb->lock held */
void hvtb_vmbus_gpadl_header(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			     const u8 *p, u32 size);
bool hvtb_vmbus_gpadl_body(struct hvtb_vmbus *vb, const u8 *p, u32 size);
bool hvtb_vmbus_gpadl_teardown(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			       u32 handle);
struct vmbus_gpadl *hvtb_vmbus_gpadl_find(struct hvtb_vmbus *vb, u32 handle);
void hvtb_vmbus_gpadls_destroy(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			       u32 relid);
void hvtb_vmbus_map_put(struct vmbus_map *map);

#endif /* HVTB_VMBUS_INTERNAL_H */
