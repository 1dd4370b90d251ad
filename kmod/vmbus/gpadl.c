// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - GPADLs: the guest page lists a channel's rings and buffers live in.
 *
 * GPADL_HEADER (the geometry and up to 26 PFNs) opens a pending GPADL;
 * GPADL_BODY messages, matched by the gpadl handle, bring the rest. When
 * every PFN is there the pages are taken as an EPT page view (writable
 * guest memory of the partition only: anything else, host memory
 * included, fails the view) and GPADL_CREATED answers with status 0; a bad
 * geometry, a duplicate handle, the limits (HVTB_VMBUS_MAX_GPADLS,
 * HVTB_VMBUS_MAX_GPADL_PAGES, HVTB_EPT_VIEW_MAX_PAGES each) or pages that
 * are not the guest's answer VMBUS_STATUS_FAIL. A created GPADL also gets
 * a struct vmbus_map (a page reference each) that the channel fd's mmap()
 * shows. GPADL_TEARDOWN -> GPADL_TORNDOWN; the GPADLs of a released relid
 * go with it (a rescinded guest does not tear them down).
 *
 * Everything here runs with vb->lock held; ch->lock is taken for the
 * channel's list of maps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "hvtb.h"
#include "ept/ept.h"
#include "vmbus/internal.h"

/**
 * hvtb_vmbus_map_put() - drop a reference to a map; the last one drops
 * the page references.
 * @map: the map, or NULL
 */
void hvtb_vmbus_map_put(struct vmbus_map *map)
{
	u32 i;

	if (!map || !refcount_dec_and_test(&map->refs))
		return;
	for (i = 0; i < map->npages; i++)
		put_page(map->pages[i]);
	kvfree(map);
}

/* A map of the pages of @view (referenced once, for the GPADL). */
static struct vmbus_map *gpadl_map_create(struct hvtb_ept_view *view, u32 handle)
{
	u32 i, n = hvtb_ept_view_pages(view);
	u8 *addr = hvtb_ept_view_addr(view);
	struct vmbus_map *map;

	map = kvzalloc(struct_size(map, pages, n), GFP_KERNEL_ACCOUNT);
	if (!map)
		return NULL;
	refcount_set(&map->refs, 1);
	map->handle = handle;
	map->npages = n;
	for (i = 0; i < n; i++) {
		map->pages[i] = vmalloc_to_page(addr + (size_t)i * PAGE_SIZE);
		get_page(map->pages[i]);
	}
	INIT_LIST_HEAD(&map->node);
	return map;
}

struct vmbus_gpadl *hvtb_vmbus_gpadl_find(struct hvtb_vmbus *vb, u32 handle)
{
	struct vmbus_gpadl *g;

	list_for_each_entry(g, &vb->gpadls, node)
		if (g->handle == handle)
			return g;
	return NULL;
}

/* Forget @g: its map leaves the channel @ch (may be NULL), its pages go. */
static void gpadl_free(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
		       struct vmbus_gpadl *g)
{
	list_del(&g->node);
	vb->gpadl_pages -= g->npages;
	vb->stats.gpadls--;
	if (g->map) {
		if (ch) {
			spin_lock(&ch->lock);
			list_del_init(&g->map->node);
			spin_unlock(&ch->lock);
		}
		hvtb_vmbus_map_put(g->map);
	}
	if (g->view) {
		vb->stats.view_pages -= hvtb_ept_view_pages(g->view);
		hvtb_ept_view_destroy(g->view);
	}
	kvfree(g->gfns);
	kfree(g);
}

static void gpadl_reply(struct hvtb_vmbus *vb, u32 relid, u32 handle, u32 status)
{
	struct vmbus_gpadl_created r = {
		.hdr.msgtype = VMBUS_MSG_GPADL_CREATED,
		.child_relid = relid, .gpadl = handle, .creation_status = status,
	};

	if (status)
		vb->stats.gpadls_failed++;
	else
		vb->stats.gpadls_created++;
	hvtb_vmbus_post(vb, &r, sizeof(r));
}

/* Every PFN of @g arrived: take the pages and answer. */
static void gpadl_complete(struct hvtb_vmbus *vb, struct vmbus_gpadl *g)
{
	struct vmbus_channel *ch = hvtb_vmbus_chan_find(vb, g->relid);
	struct hvtb_vmbus_event ev = {
		.type = HVTB_VMBUS_EVENT_GPADL_CREATED, .child_relid = g->relid,
		.gpadl = g->handle, .pages = g->npages,
	};
	struct hvtb_ept_view *view;
	u32 relid = g->relid, handle = g->handle;

	view = hvtb_ept_view_create(vb->part->ept, g->gfns, g->npages,
				    HVTB_EPT_VIEW_WRITE);
	if (IS_ERR(view))
		goto err_free;
	g->view = view;
	vb->stats.view_pages += g->npages;
	g->map = gpadl_map_create(view, g->handle);
	if (!g->map)
		goto err_free;
	kvfree(g->gfns);
	g->gfns = NULL;
	if (ch) {
		spin_lock(&ch->lock);
		list_add_tail(&g->map->node, &ch->maps);
		spin_unlock(&ch->lock);
		hvtb_vmbus_chan_event(ch, &ev);
	}
	gpadl_reply(vb, relid, handle, 0);
	return;

err_free:
	gpadl_free(vb, NULL, g);
	gpadl_reply(vb, relid, handle, VMBUS_STATUS_FAIL);
}

/* Append @n PFNs at @off of @p to the pending @g; complete it when whole. */
static void gpadl_add_pfns(struct hvtb_vmbus *vb, struct vmbus_gpadl *g,
			   const u8 *p, u32 off, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		g->gfns[g->received + i] = vmbus_msg_pfn(p, off, i);
	g->received += n;
	if (g->received == g->npages)
		gpadl_complete(vb, g);
}

/**
 * hvtb_vmbus_gpadl_header() - GPADL_HEADER for channel @ch.
 * @vb: the VMBus host
 * @ch: the channel the header names (offered or open)
 * @p: the message
 * @size: its size (at least 28)
 */
void hvtb_vmbus_gpadl_header(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			     const u8 *p, u32 size)
{
	u32 handle = vmbus_msg_u32(p, 12), max, npages, nhere;
	struct vmbus_gpadl *g;

	max = min_t(u32, HVTB_EPT_VIEW_MAX_PAGES,
		    HVTB_VMBUS_MAX_GPADL_PAGES - vb->gpadl_pages);
	if (vmbus_gpadl_header_check(p, size, max, &npages, &nhere) !=
	    VMBUS_GPADL_OK || hvtb_vmbus_gpadl_find(vb, handle) ||
	    vb->stats.gpadls >= HVTB_VMBUS_MAX_GPADLS)
		goto err_refuse;
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		goto err_refuse;
	g->gfns = kvcalloc(npages, sizeof(*g->gfns), GFP_KERNEL_ACCOUNT);
	if (!g->gfns) {
		kfree(g);
		goto err_refuse;
	}
	g->handle = handle;
	g->relid = ch->relid;
	g->npages = npages;
	list_add_tail(&g->node, &vb->gpadls);
	vb->gpadl_pages += npages;
	vb->stats.gpadls++;
	gpadl_add_pfns(vb, g, p, VMBUS_GPADL_HDR_PFN_OFF, nhere);
	return;

err_refuse:
	gpadl_reply(vb, ch->relid, handle, VMBUS_STATUS_FAIL);
}

/**
 * hvtb_vmbus_gpadl_body() - GPADL_BODY.
 * @vb: the VMBus host
 * @p: the message
 * @size: its size (at least 16)
 * Return: false if no GPADL with its handle is pending (dropped); a bad
 * body fails its GPADL.
 */
bool hvtb_vmbus_gpadl_body(struct hvtb_vmbus *vb, const u8 *p, u32 size)
{
	struct vmbus_gpadl *g = hvtb_vmbus_gpadl_find(vb, vmbus_msg_u32(p, 12));
	u32 nhere, relid;

	if (!g || !g->gfns)
		return false;
	if (vmbus_gpadl_body_check(p, size, g->npages - g->received, &nhere) !=
	    VMBUS_GPADL_OK) {
		relid = g->relid;
		gpadl_free(vb, NULL, g);
		gpadl_reply(vb, relid, vmbus_msg_u32(p, 12), VMBUS_STATUS_FAIL);
		return true;
	}
	gpadl_add_pfns(vb, g, p, VMBUS_GPADL_BODY_PFN_OFF, nhere);
	return true;
}

/**
 * hvtb_vmbus_gpadl_teardown() - GPADL_TEARDOWN of GPADL @handle of @ch.
 * @vb: the VMBus host
 * @ch: the channel the message names
 * @handle: the GPADL
 * Return: false if @ch has no such GPADL (dropped).
 */
bool hvtb_vmbus_gpadl_teardown(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			       u32 handle)
{
	struct vmbus_gpadl *g = hvtb_vmbus_gpadl_find(vb, handle);
	struct vmbus_gpadl_torndown r = {
		.hdr.msgtype = VMBUS_MSG_GPADL_TORNDOWN, .gpadl = handle,
	};
	struct hvtb_vmbus_event ev = {
		.type = HVTB_VMBUS_EVENT_GPADL_TORNDOWN, .child_relid = ch->relid,
		.gpadl = handle,
	};
	bool created;

	if (!g || g->relid != ch->relid)
		return false;
	created = g->view;
	gpadl_free(vb, ch, g);
	if (created)
		hvtb_vmbus_chan_event(ch, &ev);
	vb->stats.gpadls_torndown++;
	hvtb_vmbus_post(vb, &r, sizeof(r));
	return true;
}

/**
 * hvtb_vmbus_gpadls_destroy() - forget GPADLs without telling the guest.
 * @vb: the VMBus host
 * @ch: the channel of @relid (its daemon gets GPADL_TORNDOWN events), or
 *	NULL
 * @relid: the GPADLs of this relid; 0 for all (UNLOAD, teardown)
 */
void hvtb_vmbus_gpadls_destroy(struct hvtb_vmbus *vb, struct vmbus_channel *ch,
			       u32 relid)
{
	struct hvtb_vmbus_event ev = { .type = HVTB_VMBUS_EVENT_GPADL_TORNDOWN };
	struct vmbus_channel *c;
	struct vmbus_gpadl *g, *tmp;
	bool created;

	list_for_each_entry_safe(g, tmp, &vb->gpadls, node) {
		if (relid && g->relid != relid)
			continue;
		c = ch ? ch : hvtb_vmbus_chan_find(vb, g->relid);
		created = g->view;
		ev.child_relid = g->relid;
		ev.gpadl = g->handle;
		gpadl_free(vb, c, g);
		if (c && created && c->fd_open)
			hvtb_vmbus_chan_event(c, &ev);
	}
}
