/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - EPT: the pure logic of 4-level EPT tables.
 *
 * Index arithmetic, entry encodings, the 2 MiB eligibility test and the
 * argument checks of HVTB_PARTITION_MAP_GPA, free of kernel-only calls so that
 * selftests/host/ept_logic_test.c compiles this header on the build host.
 * A host includer defines u32, u64 and bool before including it; the
 * kernel gets them from <linux/types.h>.
 *
 * Levels are numbered as the SDM walks them: 4 is the PML4, 3 the PDPT,
 * 2 the PD (where a 2 MiB leaf lives), 1 the PT (4 KiB leaves).
 */
#ifndef HVTB_EPT_LOGIC_H
#define HVTB_EPT_LOGIC_H

#include <linux/types.h>
#include <linux/const.h>
#include <linux/hvtb.h>

/* Geometry of a 4-level walk. */
#define HVTB_EPT_LEVELS		4
#define HVTB_EPT_GPA_BITS	48
#define HVTB_EPT_GPA_LIMIT	_BITULL(HVTB_EPT_GPA_BITS)
#define HVTB_EPT_PAGE_SHIFT	12
#define HVTB_EPT_PAGE_SIZE	_BITULL(HVTB_EPT_PAGE_SHIFT)
#define HVTB_EPT_2M_SHIFT	21
#define HVTB_EPT_2M_SIZE	_BITULL(HVTB_EPT_2M_SHIFT)
#define HVTB_EPT_2M_PAGES	(HVTB_EPT_2M_SIZE / HVTB_EPT_PAGE_SIZE)
#define HVTB_EPT_ENTRIES	512	/* entries in one table page */

/* An EPT paging-structure entry (SDM Vol. 3, "EPT Translation Mechanism"). */
#define HVTB_EPTE_READ		_BITULL(0)
#define HVTB_EPTE_WRITE		_BITULL(1)
#define HVTB_EPTE_EXEC		_BITULL(2)	/* supervisor execute */
#define HVTB_EPTE_RWX		(HVTB_EPTE_READ | HVTB_EPTE_WRITE | HVTB_EPTE_EXEC)
#define HVTB_EPTE_MT_SHIFT	3		/* leaves: memory type, 5:3 */
#define HVTB_EPTE_MT_WB		(6ULL << HVTB_EPTE_MT_SHIFT)
#define HVTB_EPTE_IPAT		_BITULL(6)	/* leaves: ignore guest PAT */
#define HVTB_EPTE_LARGE		_BITULL(7)	/* PD/PDPT: maps 2M/1G */
#define HVTB_EPTE_ADDR_MASK	0x000ffffffffff000ULL	/* bits 51:12 */

/* EPTP: memory type of the tables, walk length - 1, root address. */
#define HVTB_EPTP_MT_WB		6ULL
#define HVTB_EPTP_PWL_4		((HVTB_EPT_LEVELS - 1ULL) << 3)

/* Shift of the GPA bits that index a table of @level (1..4). */
static inline unsigned int ept_level_shift(int level)
{
	return HVTB_EPT_PAGE_SHIFT + 9 * (level - 1);
}

/* Bytes that one entry of a table of @level maps. */
static inline u64 ept_level_size(int level)
{
	return 1ULL << ept_level_shift(level);
}

/* Index of @gpa's entry in its table of @level. */
static inline unsigned int ept_index(u64 gpa, int level)
{
	return (gpa >> ept_level_shift(level)) & (HVTB_EPT_ENTRIES - 1);
}

/* First GPA past the span of the @level entry that maps @gpa. */
static inline u64 ept_span_end(u64 gpa, int level)
{
	return (gpa & ~(ept_level_size(level) - 1)) + ept_level_size(level);
}

static inline u64 ept_eptp(u64 root_pa)
{
	return (root_pa & HVTB_EPTE_ADDR_MASK) | HVTB_EPTP_MT_WB |
	       HVTB_EPTP_PWL_4;
}

/* A non-leaf entry: all access allowed, the leaves decide. */
static inline u64 ept_table_entry(u64 table_pa)
{
	return (table_pa & HVTB_EPTE_ADDR_MASK) | HVTB_EPTE_RWX;
}

/* EPT R/W/X bits for HVTB_MAP_* @flags (bit for bit the same). */
static inline u64 ept_prot(u32 flags)
{
	return (flags & HVTB_MAP_READ ? HVTB_EPTE_READ : 0) |
	       (flags & HVTB_MAP_WRITE ? HVTB_EPTE_WRITE : 0) |
	       (flags & HVTB_MAP_EXEC ? HVTB_EPTE_EXEC : 0);
}

/* A leaf mapping @hpa at @level (1: 4 KiB, 2: 2 MiB), WB, guest PAT honored. */
static inline u64 ept_leaf_entry(u64 hpa, u32 flags, int level)
{
	return (hpa & HVTB_EPTE_ADDR_MASK) | ept_prot(flags) | HVTB_EPTE_MT_WB |
	       (level > 1 ? HVTB_EPTE_LARGE : 0);
}

/* Present: any of R/W/X (hvtb never sets execute-only or user-execute). */
static inline bool ept_entry_present(u64 e)
{
	return (e & HVTB_EPTE_RWX) != 0;
}

/* A present entry of @level maps memory rather than pointing to a table. */
static inline bool ept_entry_is_leaf(u64 e, int level)
{
	return level == 1 || (e & HVTB_EPTE_LARGE);
}

static inline u64 ept_entry_addr(u64 e)
{
	return e & HVTB_EPTE_ADDR_MASK;
}

/* HVTB_MAP_* flags: known bits only, READ always (EPT cannot express -W-). */
static inline bool ept_map_flags_valid(u32 flags)
{
	return !(flags & ~HVTB_MAP_FLAGS_MASK) && (flags & HVTB_MAP_READ);
}

/*
 * gpa, size, uaddr 4 KiB aligned; size not 0; neither [gpa, gpa+size) nor
 * [uaddr, uaddr+size) wraps; the GPA range ends at or below 2^48.
 */
static inline bool ept_map_args_valid(u64 gpa, u64 size, u64 uaddr)
{
	const u64 mask = HVTB_EPT_PAGE_SIZE - 1;

	if ((gpa | size | uaddr) & mask)
		return false;
	if (!size || gpa + size < gpa || uaddr + size < uaddr)
		return false;
	return gpa + size <= HVTB_EPT_GPA_LIMIT;
}

/* [a, a+asize) and [b, b+bsize) share a byte; neither may wrap. */
static inline bool ept_ranges_overlap(u64 a, u64 asize, u64 b, u64 bsize)
{
	return a < b + bsize && b < a + asize;
}

/* [inner, inner+isize) lies within [outer, outer+osize); none may wrap. */
static inline bool ept_range_contains(u64 outer, u64 osize, u64 inner,
				      u64 isize)
{
	return inner >= outer && inner - outer <= osize &&
	       isize <= osize - (inner - outer);
}

/*
 * May the 2 MiB at @gpa be one 2 MiB leaf, as far as addresses go? Only if
 * the CPU has 2 MiB EPT pages, @gpa and the host address @hpa of its first
 * page are 2 MiB aligned and the range, ending at @end (> @gpa), holds all
 * of it. The caller then also needs the 512 pinned pages to be physically
 * contiguous (ept_pages_contiguous() in ept.c, which needs struct page);
 * that test is the costly one, so it comes second.
 */
static inline bool ept_2m_candidate(bool cpu_has_2m, u64 gpa, u64 end,
				    u64 hpa)
{
	const u64 mask = HVTB_EPT_2M_SIZE - 1;

	return cpu_has_2m && !(gpa & mask) && !(hpa & mask) &&
	       end - gpa >= HVTB_EPT_2M_SIZE;
}

/* Bytes of a copy of @len bytes at @gpa that stay within @gpa's 4 KiB page. */
static inline u64 ept_copy_chunk(u64 gpa, u64 len)
{
	u64 room = HVTB_EPT_PAGE_SIZE - (gpa & (HVTB_EPT_PAGE_SIZE - 1));

	return len < room ? len : room;
}

#endif /* HVTB_EPT_LOGIC_H */
