/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - EPT: a partition's guest-physical address space.
 *
 * One struct hvtb_ept per partition. Guest memory is the caller's memory,
 * pinned while mapped and accounted against RLIMIT_MEMLOCK. Tables are
 * 4-level, write-back; 2 MiB leaves are used where the backing is physically
 * contiguous and both addresses are 2 MiB aligned.
 *
 * Locking: map/unmap/lookup serialize on the EPT's own mutex; the CPU walks
 * the tables concurrently, so entries are written with WRITE_ONCE and every
 * change that removes or narrows a translation is followed by INVEPT on all
 * CPUs in VMX root before the backing pages are released.
 */
#ifndef HVTB_EPT_H
#define HVTB_EPT_H

#include <linux/types.h>

struct hvtb_vp;

struct hvtb_ept;
struct hvtb_partition_info;
struct page;

/*
 * Create: ERR_PTR(-errno) on failure; the calling mm is remembered, maps
 * must come from it and pinned pages are charged to it. Destroy: from any
 * task, once no VP can enter with the EPTP; NULL/ERR_PTR are ignored.
 */
struct hvtb_ept *hvtb_ept_create(u64 max_memory);
void hvtb_ept_destroy(struct hvtb_ept *ept);

/* The EPTP to put in the VMCS: WB, 4-level walk, root table. */
u64 hvtb_ept_eptp(const struct hvtb_ept *ept);

/* kmod/ept/walk.c: guest page-table walk (the paging mode of the last exit) */
int hvtb_gva_to_gpa(struct hvtb_vp *vp, u64 gva, u64 *gpa);

/* Map [gpa, gpa+size) onto the caller's memory at uaddr (HVTB_MAP_* flags). */
int hvtb_ept_map(struct hvtb_ept *ept, u64 gpa, u64 size, u64 uaddr, u32 flags);
/* One kernel page at @gpa for the EPT's lifetime (the APIC-access page). */
int hvtb_ept_map_kernel_page(struct hvtb_ept *ept, u64 gpa, struct page *page);
/* Unmap exactly a range that was mapped; -ENOENT otherwise. */
int hvtb_ept_unmap(struct hvtb_ept *ept, u64 gpa, u64 size);

/*
 * The HVTB_MAP_* flags of the range holding @gpa, or 0 if no range does.
 * Used to tell a permission fault from an access outside every range.
 */
u32 hvtb_ept_range_flags(struct hvtb_ept *ept, u64 gpa);

/*
 * Copy to/from guest-physical memory through the pinned backing, for the
 * kernel's own use (instruction fetch, string I/O, page-table walks).
 * -EFAULT if any byte is outside the mapped ranges; writes also need
 * HVTB_MAP_WRITE. May cross page and range boundaries. Sleeps.
 */
int hvtb_ept_read(struct hvtb_ept *ept, u64 gpa, void *buf, size_t len);
int hvtb_ept_write(struct hvtb_ept *ept, u64 gpa, const void *buf, size_t len);

/* Atomic test-and-set of a bit of guest memory: the old bit, or -errno. */
int hvtb_ept_test_and_set_bit(struct hvtb_ept *ept, u64 gpa, u32 bit);

/**
 * DOC: page views
 *
 * A page view is a list of guest pages pinned and mapped contiguously into
 * the kernel (vmap), for host-side code that reads or writes guest memory
 * often or from a context that must not sleep (VMBus ring buffers, the
 * monitor pages). Creating and destroying one sleeps; using hvtb_ept_view_addr()
 * does not. While a view exists, every EPT range holding one of its pages
 * refuses hvtb_ept_unmap() (and so HVTB_PARTITION_UNMAP_GPA) with -EBUSY: a view can
 * never outlive the guest mapping it shows. Views must be destroyed before
 * the EPT (at partition teardown their owners go first).
 */
struct hvtb_ept_view;

#define HVTB_EPT_VIEW_WRITE	(1U << 0)	/* every page mapped writable */
#define HVTB_EPT_VIEW_MAX_PAGES	16384		/* 64 MiB */

struct hvtb_ept_view *hvtb_ept_view_create(struct hvtb_ept *ept,
					   const u64 *gfns, u32 npages,
					   u32 flags);
void hvtb_ept_view_destroy(struct hvtb_ept_view *v);
void *hvtb_ept_view_addr(const struct hvtb_ept_view *v);
u32 hvtb_ept_view_pages(const struct hvtb_ept_view *v);
u32 hvtb_ept_view_count(struct hvtb_ept *ept, u64 *pages);

/* Fill nr_ranges, mapped_bytes, pinned_pages, ept_2m/4k_mappings, max_memory. */
void hvtb_ept_get_info(struct hvtb_ept *ept, struct hvtb_partition_info *info);

#endif /* HVTB_EPT_H */
