// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - EPT: a partition's guest-physical address space.
 *
 * Design notes
 *
 * Ranges. Each HVTB_PARTITION_MAP_GPA creates one struct ept_range: the GPA span, the
 * flags, and the array of pinned pages (FOLL_LONGTERM, FOLL_WRITE when the
 * range is writable). Ranges never overlap and sit in a list sorted by GPA;
 * partitions have few ranges, so lookups walk the list. Guest memory is pinned
 * for the range's lifetime and its pages are charged to the locked_vm of the
 * mm that created the EPT (RLIMIT_MEMLOCK, bypassed with CAP_IPC_LOCK, as
 * account_locked_vm() does). Only that mm may map (-EIO otherwise, as KVM
 * does for a VM used from another mm): the pages come from current->mm and
 * the charge goes to the remembered mm, so the two must agree. Unmap and
 * destroy may run in any task: they uncharge the remembered mm if it is still
 * alive (an exited mm has no locked_vm that anyone reads any more).
 *
 * A read-only range pins without FOLL_WRITE, i.e. it maps what the page is at
 * map time: a private anonymous page never touched is the shared zero page,
 * and user space writing it later gets a new copy the guest does not see.
 * Fill read-only memory (ROM images) before mapping it, or back it with a
 * shared memfd.
 *
 * Tables. 4-level, WB paging structures, EPTP without A/D. Non-leaf entries
 * allow RWX and leaves carry the range's permissions and memory type WB with
 * the guest PAT honored (no IPAT). A 2 MiB leaf is used where the CPU has
 * 2 MiB EPT pages, the GPA and the host address are both 2 MiB aligned, the
 * range covers the whole 2 MiB and its 512 pinned pages are physically
 * contiguous (hugetlbfs, THP); else 4 KiB leaves. So a leaf never straddles
 * two ranges, and clearing a range clears whole leaves only.
 *
 * Invariant: after every call returns, every present non-leaf entry points to
 * a table holding at least one present entry. Clearing a span frees the
 * tables that became empty, so a failed map leaves no tables behind, and a
 * 2 MiB slot inside a new (non-overlapping) range is always empty.
 *
 * Concurrency. The CPU walks the tables while VPs run. Entries are written
 * with WRITE_ONCE, a new table is zeroed before the entry that links it is
 * written, and nothing is freed or unpinned until INVEPT single-context with
 * this EPTP has run on every CPU in VMX root. Adding translations needs no
 * INVEPT: an EPT violation drops the translations of the faulting GPA, so a
 * VP that faults on a GPA just mapped simply retries.
 *
 * Locking: ept->lock (a mutex) serializes map, unmap, lookups and copies.
 * Under it hvtb takes mmap_lock (GUP, accounting) and cpus_read_lock
 * (INVEPT), so no caller may hold either. Destroy takes no lock: its caller
 * guarantees that no other call is in progress and no VP will enter the
 * guest with this EPTP again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/asm.h>
#include <asm/io.h>
#include <asm/vmx.h>

#include <linux/hvtb.h>
#include "hvtb.h"
#include "vmx/vmx.h"
#include "ept/ept.h"
#include "ept/ept_logic.h"
#include "vmx/insn.h"

/* Pages pinned per pin_user_pages_fast() call (64 MiB). */
#define EPT_PIN_CHUNK		16384

/**
 * struct ept_range - one mapped GPA range.
 * @node: in hvtb_ept.ranges, sorted by @gpa.
 * @gpa: first guest-physical address.
 * @size: bytes, a multiple of 4 KiB.
 * @uaddr: the user address it was mapped from.
 * @flags: HVTB_MAP_*.
 * @npages: @size in 4 KiB pages.
 * @pages: the pinned pages, @npages of them.
 * @views: pages of this range held by page views (hvtb_ept_view_create());
 *	while non-zero the range cannot be unmapped (-EBUSY).
 */
struct ept_range {
	struct list_head node;
	u64 gpa;
	u64 size;
	u64 uaddr;
	u32 flags;
	unsigned long npages;
	struct page **pages;
	unsigned long views;
};

/**
 * struct hvtb_ept - a partition's EPT.
 * @lock: serializes everything below but @eptp and @root.
 * @mm: charged for the pinned pages (mmgrab'ed).
 * @root: the PML4 table.
 * @eptp: the EPTP of @root.
 * @max_memory: most bytes mapped at once, 0 for no limit.
 * @has_2m: the CPU has 2 MiB EPT pages.
 * @ranges: the mapped ranges, sorted by GPA.
 * @nr_ranges: entries of @ranges.
 * @mapped_bytes: sum of their sizes.
 * @nr_2m: 2 MiB leaves present.
 * @nr_4k: 4 KiB leaves present.
 * @kpage_gpa: where hvtb_ept_map_kernel_page() mapped its page, or ~0.
 * @nr_views: page views alive (hvtb_ept_view_create()).
 * @view_pages: pages those views hold.
 */
struct hvtb_ept {
	struct mutex lock;
	struct mm_struct *mm;
	u64 *root;
	u64 eptp;
	u64 max_memory;
	bool has_2m;
	struct list_head ranges;
	u32 nr_ranges;
	u64 mapped_bytes;
	u64 nr_2m;
	u64 nr_4k;
	u64 kpage_gpa;
	u32 nr_views;
	u64 view_pages;
};

struct ept_flush {
	u64 eptp;
	atomic_t failed;
};

static void ept_invept_ipi(void *data)
{
	struct ept_flush *flush = data;

	if (vmx_invept(VMX_EPT_EXTENT_CONTEXT, flush->eptp) != -EINVAL)
		return;
	/* Single-context is required at load; never expected to fail. */
	if (!(hvtb_caps.ept_vpid & VMX_EPT_EXTENT_GLOBAL_BIT) ||
	    vmx_invept(VMX_EPT_EXTENT_GLOBAL, flush->eptp))
		atomic_inc(&flush->failed);
}

/*
 * Drop every translation cached for this EPTP, on every CPU in VMX root
 * (other CPUs cannot be running a guest). A CPU that is out of VMX root now
 * may still hold translations from before its VMXOFF (the SDM does not
 * promise VMXOFF drops them): VMX root entry must do an all-context INVEPT
 * after VMXON, as KVM does, before any guest runs there.
 */
static void ept_flush(struct hvtb_ept *ept)
{
	struct ept_flush flush = {
		.eptp = ept->eptp,
		.failed = ATOMIC_INIT(0),
	};

	cpus_read_lock();
	on_each_cpu_mask(hvtb_vmx_root_cpus(), ept_invept_ipi, &flush, true);
	cpus_read_unlock();
	WARN_ONCE(atomic_read(&flush.failed),
		  "INVEPT of EPTP 0x%llx failed on %d CPUs: stale translations possible\n",
		  ept->eptp, atomic_read(&flush.failed));
}

static u64 *ept_alloc_table(void)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	return page ? page_address(page) : NULL;
}

static u64 *ept_table_va(u64 entry)
{
	return phys_to_virt(ept_entry_addr(entry));
}

static bool ept_table_empty(const u64 *table)
{
	unsigned int i;

	for (i = 0; i < HVTB_EPT_ENTRIES; i++)
		if (ept_entry_present(table[i]))
			return false;
	return true;
}

static void ept_free_tables(struct list_head *freed)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, freed, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

/*
 * Clear every leaf in [start, end) below @table (a table of @level) and
 * unlink the tables that became empty, queueing them on @freed; they may be
 * freed only after ept_flush(). @start and @end never cut a leaf in two.
 */
static void ept_clear(struct hvtb_ept *ept, u64 *table, int level, u64 start,
		      u64 end, struct list_head *freed)
{
	u64 addr, next;

	for (addr = start; addr < end; addr = next) {
		unsigned int i = ept_index(addr, level);
		u64 e = table[i];
		u64 *child;

		next = min(ept_span_end(addr, level), end);
		if (!ept_entry_present(e))
			continue;
		if (ept_entry_is_leaf(e, level)) {
			WARN_ON_ONCE(next - addr != ept_level_size(level));
			WRITE_ONCE(table[i], 0);
			if (level == 1)
				ept->nr_4k--;
			else
				ept->nr_2m--;
			continue;
		}
		child = ept_table_va(e);
		ept_clear(ept, child, level - 1, addr, next, freed);
		if (ept_table_empty(child)) {
			WRITE_ONCE(table[i], 0);
			list_add(&virt_to_page(child)->lru, freed);
		}
		if (level == 2)
			cond_resched();
	}
}

/* Clear [gpa, gpa+size), INVEPT everywhere, free the emptied tables. */
static void ept_clear_and_flush(struct hvtb_ept *ept, u64 gpa, u64 size)
{
	LIST_HEAD(freed);

	ept_clear(ept, ept->root, HVTB_EPT_LEVELS, gpa, gpa + size, &freed);
	ept_flush(ept);
	ept_free_tables(&freed);
}

/*
 * The slot for @gpa in its table of @level, allocating the tables above it.
 * Return: the slot, ERR_PTR(-ENOMEM), or ERR_PTR(-EEXIST) when a larger
 * leaf already maps @gpa (impossible while ranges do not overlap).
 */
static u64 *ept_walk(struct hvtb_ept *ept, u64 gpa, int level)
{
	u64 *table = ept->root;
	int l;

	for (l = HVTB_EPT_LEVELS; l > level; l--) {
		u64 *slot = &table[ept_index(gpa, l)];
		u64 e = *slot;

		if (!ept_entry_present(e)) {
			u64 *child = ept_alloc_table();

			if (!child)
				return ERR_PTR(-ENOMEM);
			e = ept_table_entry(virt_to_phys(child));
			/* The zeroed table before the entry that links it. */
			smp_wmb();
			WRITE_ONCE(*slot, e);
		} else if (WARN_ON_ONCE(ept_entry_is_leaf(e, l))) {
			return ERR_PTR(-EEXIST);
		}
		table = ept_table_va(e);
	}
	return &table[ept_index(gpa, level)];
}

/* Are @pages[0..n) physically contiguous? */
static bool ept_pages_contiguous(struct page **pages, unsigned long n)
{
	unsigned long pfn = page_to_pfn(pages[0]), i;

	for (i = 1; i < n; i++)
		if (page_to_pfn(pages[i]) != pfn + i)
			return false;
	return true;
}

/* Write the leaves of @r; on failure the caller clears the whole range. */
static int ept_map_range(struct hvtb_ept *ept, struct ept_range *r)
{
	u64 end = r->gpa + r->size, gpa;

	for (gpa = r->gpa; gpa < end; gpa += ept_level_size(1)) {
		unsigned long i = (gpa - r->gpa) >> PAGE_SHIFT;
		u64 hpa = page_to_phys(r->pages[i]);
		u64 *slot = NULL;

		if (ept_2m_candidate(ept->has_2m, gpa, end, hpa) &&
		    ept_pages_contiguous(r->pages + i, HVTB_EPT_2M_PAGES)) {
			slot = ept_walk(ept, gpa, 2);
			if (IS_ERR(slot))
				return PTR_ERR(slot);
			/* A table left here would break the invariant. */
			if (!WARN_ON_ONCE(ept_entry_present(*slot))) {
				WRITE_ONCE(*slot, ept_leaf_entry(hpa, r->flags, 2));
				ept->nr_2m++;
				gpa += ept_level_size(2) - ept_level_size(1);
				cond_resched();
				continue;
			}
		}
		slot = ept_walk(ept, gpa, 1);
		if (IS_ERR(slot))
			return PTR_ERR(slot);
		if (WARN_ON_ONCE(ept_entry_present(*slot)))
			return -EEXIST;
		WRITE_ONCE(*slot, ept_leaf_entry(hpa, r->flags, 1));
		ept->nr_4k++;
		if (!(i % HVTB_EPT_2M_PAGES))
			cond_resched();
	}
	return 0;
}

/* Pin all of @r's pages, or none: a partial pin is undone. */
static int ept_pin(struct ept_range *r)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	unsigned long done = 0;

	if (r->flags & HVTB_MAP_WRITE)
		gup_flags |= FOLL_WRITE;
	while (done < r->npages) {
		int nr = min_t(unsigned long, r->npages - done, EPT_PIN_CHUNK);
		int got = pin_user_pages_fast(r->uaddr + (done << PAGE_SHIFT),
					      nr, gup_flags, r->pages + done);

		if (got <= 0) {
			unpin_user_pages(r->pages, done);
			return got ? got : -EFAULT;
		}
		done += got;
		cond_resched();
	}
	return 0;
}

/* Give back the locked_vm charge of @npages pages. */
static void ept_unaccount(struct hvtb_ept *ept, unsigned long npages)
{
	/* An mm that has exited keeps no locked_vm anyone reads. */
	if (!mmget_not_zero(ept->mm))
		return;
	mmap_write_lock(ept->mm);
	/* A decrement checks no limit: no capable() call on its behalf. */
	__account_locked_vm(ept->mm, npages, false, current, true);
	mmap_write_unlock(ept->mm);
	mmput(ept->mm);
}

/*
 * Release a range no CPU can reach any more (cleared and flushed):
 * unpin (dirtying what the guest could write), uncharge, free.
 */
static void ept_release_range(struct hvtb_ept *ept, struct ept_range *r)
{
	unpin_user_pages_dirty_lock(r->pages, r->npages,
				    r->flags & HVTB_MAP_WRITE);
	ept_unaccount(ept, r->npages);
	kvfree(r->pages);
	kfree(r);
}

/* The range holding @gpa, or NULL. Under ept->lock. */
static struct ept_range *ept_find(struct hvtb_ept *ept, u64 gpa)
{
	struct ept_range *r;

	list_for_each_entry(r, &ept->ranges, node) {
		if (r->gpa > gpa)
			break;
		if (ept_range_contains(r->gpa, r->size, gpa, 1))
			return r;
	}
	return NULL;
}

/*
 * May @r be added? Sets *@after to the list node to insert it after.
 * Return: 0, -EEXIST (overlap) or -ENOSPC (past max_memory).
 */
static int ept_check_new(struct hvtb_ept *ept, const struct ept_range *r,
			 struct list_head **after)
{
	struct ept_range *cur;

	*after = &ept->ranges;
	list_for_each_entry(cur, &ept->ranges, node) {
		if (ept_ranges_overlap(cur->gpa, cur->size, r->gpa, r->size))
			return -EEXIST;
		if (cur->gpa < r->gpa)
			*after = &cur->node;
	}
	if (ept->kpage_gpa != ~0ULL &&
	    ept_ranges_overlap(ept->kpage_gpa, PAGE_SIZE, r->gpa, r->size))
		return -EEXIST;
	if (ept->max_memory && r->size > ept->max_memory - ept->mapped_bytes)
		return -ENOSPC;
	return 0;
}

/**
 * hvtb_ept_create() - create an empty EPT for the calling process.
 * @max_memory: most bytes that may be mapped at once; 0 for no limit
 *	beyond RLIMIT_MEMLOCK.
 *
 * The caller's mm is remembered: mappings must be made from it, and the
 * pinned pages are charged to its locked_vm.
 *
 * Context: process context with an mm; sleeps.
 * Return: the EPT, ERR_PTR(-ENOMEM), or ERR_PTR(-EINVAL) without an mm.
 */
struct hvtb_ept *hvtb_ept_create(u64 max_memory)
{
	struct hvtb_ept *ept;

	if (!current->mm)
		return ERR_PTR(-EINVAL);
	ept = kzalloc(sizeof(*ept), GFP_KERNEL_ACCOUNT);
	if (!ept)
		return ERR_PTR(-ENOMEM);
	ept->root = ept_alloc_table();
	if (!ept->root) {
		kfree(ept);
		return ERR_PTR(-ENOMEM);
	}
	mutex_init(&ept->lock);
	INIT_LIST_HEAD(&ept->ranges);
	ept->eptp = ept_eptp(virt_to_phys(ept->root));
	ept->max_memory = max_memory;
	ept->kpage_gpa = ~0ULL;
	ept->has_2m = hvtb_caps.features & HVTB_FEAT_EPT_2M;
	mmgrab(current->mm);
	ept->mm = current->mm;
	return ept;
}

/**
 * hvtb_ept_destroy() - unmap everything and free the EPT.
 * @ept: the EPT; NULL or an ERR_PTR() is ignored.
 *
 * Works from any task (the charge goes back to the creating mm). No VP may
 * be in the guest with this EPTP, or enter it again, and no other call on
 * @ept may be in progress.
 *
 * Context: process context; sleeps.
 */
void hvtb_ept_destroy(struct hvtb_ept *ept)
{
	struct ept_range *r, *tmp;

	if (IS_ERR_OR_NULL(ept))
		return;
	ept_clear_and_flush(ept, 0, HVTB_EPT_GPA_LIMIT);
	list_for_each_entry_safe(r, tmp, &ept->ranges, node) {
		list_del(&r->node);
		ept_release_range(ept, r);
		cond_resched();
	}
	WARN_ON_ONCE(ept->nr_2m || ept->nr_4k);
	/* Each view holds its pages (get_page), but its owner leaked it. */
	WARN_ONCE(ept->nr_views, "EPT destroyed with %u page views alive\n",
		  ept->nr_views);
	free_page((unsigned long)ept->root);
	mmdrop(ept->mm);
	mutex_destroy(&ept->lock);
	kfree(ept);
}

/**
 * hvtb_ept_eptp() - the EPTP to load into a VMCS that runs on @ept.
 * @ept: the EPT.
 *
 * Return: the root's address, memory type WB, 4-level walk, no A/D flags.
 * Constant for the EPT's lifetime.
 */
u64 hvtb_ept_eptp(const struct hvtb_ept *ept)
{
	return ept->eptp;
}

/**
 * hvtb_ept_map() - map [@gpa, @gpa+@size) onto the caller's memory at @uaddr.
 * @ept: the EPT.
 * @gpa: first guest-physical address, 4 KiB aligned.
 * @size: bytes, 4 KiB aligned, not 0.
 * @uaddr: user address of the backing, 4 KiB aligned.
 * @flags: HVTB_MAP_*, including HVTB_MAP_READ.
 *
 * Pins the backing, charges it to RLIMIT_MEMLOCK and writes the EPT
 * entries. All or nothing: on failure nothing stays mapped, pinned or
 * charged.
 *
 * Context: process context, the mm that created @ept; no mmap_lock held.
 * Return: 0; -EINVAL for bad flags or a misaligned, empty, wrapping or
 * beyond-2^48 range; -EIO from another mm; -EEXIST if it overlaps a mapped
 * range; -ENOSPC past max_memory; -ENOMEM past RLIMIT_MEMLOCK or out of
 * memory; -EFAULT (or GUP's error) if @uaddr is not mapped as needed.
 */
int hvtb_ept_map(struct hvtb_ept *ept, u64 gpa, u64 size, u64 uaddr, u32 flags)
{
	struct list_head *after;
	struct ept_range *r;
	int ret;

	if (!ept_map_flags_valid(flags) || !ept_map_args_valid(gpa, size, uaddr))
		return -EINVAL;
	if (current->mm != ept->mm)
		return -EIO;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->gpa = gpa;
	r->size = size;
	r->uaddr = uaddr;
	r->flags = flags;
	r->npages = size >> PAGE_SHIFT;

	mutex_lock(&ept->lock);
	ret = ept_check_new(ept, r, &after);
	if (ret)
		goto out_unlock;
	ret = account_locked_vm(ept->mm, r->npages, true);
	if (ret)
		goto out_unlock;
	r->pages = kvmalloc_array(r->npages, sizeof(*r->pages),
				  GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!r->pages) {
		ret = -ENOMEM;
		goto out_unaccount;
	}
	ret = ept_pin(r);
	if (ret)
		goto out_free_pages;
	ret = ept_map_range(ept, r);
	if (ret)
		goto out_clear;

	list_add(&r->node, after);
	ept->nr_ranges++;
	ept->mapped_bytes += size;
	mutex_unlock(&ept->lock);
	return 0;

out_clear:
	ept_clear_and_flush(ept, gpa, size);
	unpin_user_pages_dirty_lock(r->pages, r->npages,
				    flags & HVTB_MAP_WRITE);
out_free_pages:
	kvfree(r->pages);
out_unaccount:
	ept_unaccount(ept, r->npages);
out_unlock:
	mutex_unlock(&ept->lock);
	kfree(r);
	return ret;
}

/**
 * hvtb_ept_map_kernel_page() - map one page of the kernel's at @gpa, read
 * and write, for the EPT's lifetime (the APIC-access page of APIC
 * virtualization). It is not a range: not charged, not counted in
 * mapped_bytes, not reachable by hvtb_ept_read/write/unmap, and a range
 * may not overlap it (-EEXIST). One such page per EPT.
 * @ept: the EPT.
 * @gpa: 4 KiB aligned.
 * @page: the page; the caller frees it after hvtb_ept_destroy().
 *
 * Context: process context; sleeps.
 * Return: 0, -EINVAL (misaligned, beyond 2^48), -EBUSY (already one),
 * -EEXIST (a range holds @gpa) or -ENOMEM.
 */
int hvtb_ept_map_kernel_page(struct hvtb_ept *ept, u64 gpa, struct page *page)
{
	struct ept_range *cur;
	u64 *slot;
	int ret = 0;

	if ((gpa & ~PAGE_MASK) || gpa >= HVTB_EPT_GPA_LIMIT)
		return -EINVAL;
	mutex_lock(&ept->lock);
	if (ept->kpage_gpa != ~0ULL) {
		ret = -EBUSY;
		goto out;
	}
	list_for_each_entry(cur, &ept->ranges, node) {
		if (ept_ranges_overlap(cur->gpa, cur->size, gpa, PAGE_SIZE)) {
			ret = -EEXIST;
			goto out;
		}
	}
	slot = ept_walk(ept, gpa, 1);
	if (IS_ERR(slot)) {
		ret = PTR_ERR(slot);
		goto out;
	}
	WRITE_ONCE(*slot, ept_leaf_entry(page_to_phys(page),
					 HVTB_MAP_READ | HVTB_MAP_WRITE, 1));
	ept->nr_4k++;
	ept->kpage_gpa = gpa;
out:
	mutex_unlock(&ept->lock);
	return ret;
}

/**
 * hvtb_ept_unmap() - unmap a range exactly as it was mapped.
 * @ept: the EPT.
 * @gpa: the range's first GPA.
 * @size: the range's size.
 *
 * Clears the entries, frees the tables that became empty, runs INVEPT on
 * every CPU in VMX root, then unpins and uncharges the backing.
 *
 * Context: process context, any task; sleeps.
 * Return: 0, -ENOENT if no range is exactly [@gpa, @gpa+@size), or -EBUSY
 * while a page view (hvtb_ept_view_create()) holds pages of the range.
 */
int hvtb_ept_unmap(struct hvtb_ept *ept, u64 gpa, u64 size)
{
	struct ept_range *r;

	mutex_lock(&ept->lock);
	r = ept_find(ept, gpa);
	if (!r || r->gpa != gpa || r->size != size) {
		mutex_unlock(&ept->lock);
		return -ENOENT;
	}
	if (r->views) {
		/* A page view maps some of its pages (hvtb_ept_view_create()). */
		mutex_unlock(&ept->lock);
		return -EBUSY;
	}
	list_del(&r->node);
	ept->nr_ranges--;
	ept->mapped_bytes -= size;
	ept_clear_and_flush(ept, gpa, size);
	mutex_unlock(&ept->lock);

	/* No CPU can reach the pages now: release them outside the lock. */
	ept_release_range(ept, r);
	return 0;
}

/**
 * hvtb_ept_range_flags() - the permissions of the range holding @gpa.
 * @ept: the EPT.
 * @gpa: a guest-physical address.
 *
 * Context: process context; sleeps.
 * Return: the range's HVTB_MAP_* flags, or 0 if no range holds @gpa.
 */
u32 hvtb_ept_range_flags(struct hvtb_ept *ept, u64 gpa)
{
	struct ept_range *r;
	u32 flags;

	mutex_lock(&ept->lock);
	r = ept_find(ept, gpa);
	flags = r ? r->flags : 0;
	mutex_unlock(&ept->lock);
	return flags;
}

/*
 * Is every byte of [gpa, gpa+len) mapped (and writable, for @write)?
 * Under ept->lock.
 */
static bool ept_span_ok(struct hvtb_ept *ept, u64 gpa, size_t len, bool write)
{
	u64 end;

	if (check_add_overflow(gpa, (u64)len, &end))
		return false;
	while (gpa < end) {
		struct ept_range *r = ept_find(ept, gpa);

		if (!r || (write && !(r->flags & HVTB_MAP_WRITE)))
			return false;
		gpa = r->gpa + r->size;
	}
	return true;
}

/*
 * The pinned page holding @gpa; *@r caches the range of the last call.
 * Only for GPAs ept_span_ok() accepted. Under ept->lock.
 */
static struct page *ept_gpa_page(struct hvtb_ept *ept, u64 gpa,
				 struct ept_range **r)
{
	if (!*r || !ept_range_contains((*r)->gpa, (*r)->size, gpa, 1))
		*r = ept_find(ept, gpa);
	return (*r)->pages[(gpa - (*r)->gpa) >> PAGE_SHIFT];
}

/**
 * hvtb_ept_read() - copy guest-physical memory into a kernel buffer.
 * @ept: the EPT.
 * @gpa: first guest-physical address.
 * @buf: destination.
 * @len: bytes; may cross page and range boundaries.
 *
 * Context: process context; sleeps.
 * Return: 0, or -EFAULT (nothing copied) if any byte is not mapped.
 */
int hvtb_ept_read(struct hvtb_ept *ept, u64 gpa, void *buf, size_t len)
{
	struct ept_range *r = NULL;
	u8 *dst = buf;

	mutex_lock(&ept->lock);
	if (!ept_span_ok(ept, gpa, len, false)) {
		mutex_unlock(&ept->lock);
		return -EFAULT;
	}
	while (len) {
		size_t chunk = ept_copy_chunk(gpa, len);
		void *va = kmap_local_page(ept_gpa_page(ept, gpa, &r));

		memcpy(dst, va + offset_in_page(gpa), chunk);
		kunmap_local(va);
		dst += chunk;
		gpa += chunk;
		len -= chunk;
	}
	mutex_unlock(&ept->lock);
	return 0;
}

/**
 * hvtb_ept_write() - copy a kernel buffer into guest-physical memory.
 * @ept: the EPT.
 * @gpa: first guest-physical address.
 * @buf: source.
 * @len: bytes; may cross page and range boundaries.
 *
 * Context: process context; sleeps.
 * Return: 0, or -EFAULT (nothing copied) if any byte is not mapped with
 * HVTB_MAP_WRITE.
 */
int hvtb_ept_write(struct hvtb_ept *ept, u64 gpa, const void *buf, size_t len)
{
	struct ept_range *r = NULL;
	const u8 *src = buf;

	mutex_lock(&ept->lock);
	if (!ept_span_ok(ept, gpa, len, true)) {
		mutex_unlock(&ept->lock);
		return -EFAULT;
	}
	while (len) {
		size_t chunk = ept_copy_chunk(gpa, len);
		void *va = kmap_local_page(ept_gpa_page(ept, gpa, &r));

		memcpy(va + offset_in_page(gpa), src, chunk);
		kunmap_local(va);
		src += chunk;
		gpa += chunk;
		len -= chunk;
	}
	mutex_unlock(&ept->lock);
	return 0;
}

/**
 * hvtb_ept_test_and_set_bit() - atomically set a bit in guest memory, as a
 * locked BTS of the guest would (the guest may run on another CPU).
 * @ept: the EPT.
 * @gpa: a guest-physical address, 8-byte aligned.
 * @bit: the bit number from @gpa, below 64 * (bytes to the end of its page).
 *
 * Context: process context; sleeps.
 * Return: the bit's old value (0 or 1), or -EFAULT if the word is not
 * mapped with HVTB_MAP_WRITE, -EINVAL for a misaligned @gpa or a @bit
 * past the page.
 */
int hvtb_ept_test_and_set_bit(struct hvtb_ept *ept, u64 gpa, u32 bit)
{
	struct ept_range *r = NULL;
	u64 word = gpa + (bit / 64) * sizeof(u64);
	unsigned long *va;
	int old;

	if ((gpa & 7) || (word & PAGE_MASK) != (gpa & PAGE_MASK))
		return -EINVAL;
	mutex_lock(&ept->lock);
	if (!ept_span_ok(ept, word, sizeof(u64), true)) {
		mutex_unlock(&ept->lock);
		return -EFAULT;
	}
	va = kmap_local_page(ept_gpa_page(ept, word, &r));
	old = test_and_set_bit(bit % 64,
			       (unsigned long *)((u8 *)va + offset_in_page(word)));
	kunmap_local(va);
	mutex_unlock(&ept->lock);
	return old;
}

/**
 * hvtb_ept_get_info() - fill the EPT's part of struct hvtb_partition_info.
 * @ept: the EPT.
 * @info: nr_ranges, max_memory, mapped_bytes, pinned_pages,
 *	ept_2m_mappings and ept_4k_mappings are written; nothing else.
 *
 * Context: process context; sleeps.
 */
void hvtb_ept_get_info(struct hvtb_ept *ept, struct hvtb_partition_info *info)
{
	mutex_lock(&ept->lock);
	info->nr_ranges = ept->nr_ranges;
	info->max_memory = ept->max_memory;
	info->mapped_bytes = ept->mapped_bytes;
	info->pinned_pages = ept->mapped_bytes >> PAGE_SHIFT;
	info->ept_2m_mappings = ept->nr_2m;
	info->ept_4k_mappings = ept->nr_4k;
	mutex_unlock(&ept->lock);
}

/* ---- page views: a kernel mapping of a list of guest pages ---- */

/**
 * struct hvtb_ept_view - a pinned, kernel-mapped list of guest pages.
 * @ept: the EPT the pages come from.
 * @va: the pages, contiguous in kernel virtual memory (vmap()).
 * @npages: entries of @gfns and @pages.
 * @gfns: the guest frame numbers, in view order.
 * @pages: the pages (one extra reference each).
 */
struct hvtb_ept_view {
	struct hvtb_ept *ept;
	void *va;
	u32 npages;
	u64 *gfns;
	struct page **pages;
};

/* Take or drop the views count of the range of each of @n frames. Under ept->lock. */
static void ept_view_account(struct hvtb_ept *ept, const u64 *gfns, u32 n,
			     bool take)
{
	struct ept_range *r = NULL;
	u32 i;

	for (i = 0; i < n; i++) {
		ept_gpa_page(ept, gfns[i] << PAGE_SHIFT, &r);
		if (take)
			r->views++;
		else
			r->views--;
	}
	if (take) {
		ept->nr_views++;
		ept->view_pages += n;
	} else {
		ept->nr_views--;
		ept->view_pages -= n;
	}
}

/* Check, reference and account the pages of @v. Under ept->lock. */
static int ept_view_take(struct hvtb_ept *ept, struct hvtb_ept_view *v,
			 bool write)
{
	struct ept_range *r = NULL;
	u32 i;

	for (i = 0; i < v->npages; i++) {
		u64 gpa;

		if (v->gfns[i] >= (HVTB_EPT_GPA_LIMIT >> PAGE_SHIFT))
			return -EFAULT;
		gpa = v->gfns[i] << PAGE_SHIFT;
		if (!ept_span_ok(ept, gpa, PAGE_SIZE, write))
			return -EFAULT;
		v->pages[i] = ept_gpa_page(ept, gpa, &r);
	}
	for (i = 0; i < v->npages; i++)
		get_page(v->pages[i]);
	ept_view_account(ept, v->gfns, v->npages, true);
	return 0;
}

/**
 * hvtb_ept_view_create() - map a list of guest pages into the kernel.
 * @ept: the partition's EPT.
 * @gfns: guest frame numbers (4 KiB), in the order they are to appear;
 *	any order, duplicates allowed (a ring mapped twice in a row).
 * @npages: entries of @gfns, 1..HVTB_EPT_VIEW_MAX_PAGES.
 * @flags: HVTB_EPT_VIEW_WRITE: every page must be mapped writable.
 *
 * The view's lifetime is tied to the EPT ranges the pages come from: while
 * the view exists each such range holds a view reference, and
 * hvtb_ept_unmap() of the range fails with -EBUSY (user space must first
 * make the view's owner drop it, e.g. a VMBus UNLOAD or GPADL teardown).
 * So the view never shows memory that is no longer the guest's. The view
 * also holds a page reference of each page, and must be destroyed before
 * the EPT (partition teardown destroys its users first).
 *
 * Context: process context; sleeps.
 * Return: the view, or ERR_PTR(-EINVAL) (bad @npages or @flags),
 * ERR_PTR(-EFAULT) (a frame not mapped, or not writable with
 * HVTB_EPT_VIEW_WRITE), ERR_PTR(-ENOMEM).
 */
struct hvtb_ept_view *hvtb_ept_view_create(struct hvtb_ept *ept,
					   const u64 *gfns, u32 npages,
					   u32 flags)
{
	struct hvtb_ept_view *v;
	int r;

	if (!npages || npages > HVTB_EPT_VIEW_MAX_PAGES ||
	    (flags & ~HVTB_EPT_VIEW_WRITE))
		return ERR_PTR(-EINVAL);
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return ERR_PTR(-ENOMEM);
	v->ept = ept;
	v->npages = npages;
	v->gfns = kvmalloc_array(npages, sizeof(*v->gfns), GFP_KERNEL_ACCOUNT);
	v->pages = kvmalloc_array(npages, sizeof(*v->pages), GFP_KERNEL_ACCOUNT);
	r = -ENOMEM;
	if (!v->gfns || !v->pages)
		goto err_free;
	memcpy(v->gfns, gfns, npages * sizeof(*gfns));

	mutex_lock(&ept->lock);
	r = ept_view_take(ept, v, flags & HVTB_EPT_VIEW_WRITE);
	mutex_unlock(&ept->lock);
	if (r)
		goto err_free;
	v->va = vmap(v->pages, npages, VM_MAP, PAGE_KERNEL);
	if (!v->va) {
		r = -ENOMEM;
		goto err_release;
	}
	return v;

err_release:
	mutex_lock(&ept->lock);
	ept_view_account(ept, v->gfns, v->npages, false);
	mutex_unlock(&ept->lock);
	release_pages(v->pages, npages);
err_free:
	kvfree(v->pages);
	kvfree(v->gfns);
	kfree(v);
	return ERR_PTR(r);
}

/**
 * hvtb_ept_view_destroy() - unmap a view and drop its references; the
 * ranges it came from may be unmapped again.
 * @v: the view; NULL or an ERR_PTR() is ignored.
 *
 * Context: process context; sleeps.
 */
void hvtb_ept_view_destroy(struct hvtb_ept_view *v)
{
	if (IS_ERR_OR_NULL(v))
		return;
	vunmap(v->va);
	mutex_lock(&v->ept->lock);
	ept_view_account(v->ept, v->gfns, v->npages, false);
	mutex_unlock(&v->ept->lock);
	/* The guest may have written them (the pages stay pinned by the range). */
	release_pages(v->pages, v->npages);
	kvfree(v->pages);
	kvfree(v->gfns);
	kfree(v);
}

/**
 * hvtb_ept_view_addr() - the kernel address of a view's first page.
 * @v: the view
 * Return: hvtb_ept_view_pages(@v) pages, virtually contiguous.
 */
void *hvtb_ept_view_addr(const struct hvtb_ept_view *v)
{
	return v->va;
}

/**
 * hvtb_ept_view_pages() - how many pages a view maps.
 * @v: the view
 * Return: the count given at creation.
 */
u32 hvtb_ept_view_pages(const struct hvtb_ept_view *v)
{
	return v->npages;
}

/**
 * hvtb_ept_view_count() - views alive on an EPT and the pages they hold.
 * @ept: the EPT
 * @pages: set to the pages held (may be NULL)
 *
 * Context: process context; sleeps.
 * Return: the number of views.
 */
u32 hvtb_ept_view_count(struct hvtb_ept *ept, u64 *pages)
{
	u32 n;

	mutex_lock(&ept->lock);
	n = ept->nr_views;
	if (pages)
		*pages = ept->view_pages;
	mutex_unlock(&ept->lock);
	return n;
}
