// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - translate a guest-linear address through the guest's own page
 * tables, for the kernel's slow paths (instruction bytes of an MMIO access,
 * string I/O, the xAPIC MOV). Reads the tables through the EPT's pinned
 * backing; sleeps. The paging mode is the one the VMX backend captured at
 * the exit (vp->paging).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>

#include "ept/ept.h"
#include "hvtb.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR_MASK	GENMASK_ULL(51, 12)

/* Read one table entry of @size bytes at @gpa. */
static int walk_read(struct hvtb_vp *vp, u64 gpa, unsigned int size, u64 *pte)
{
	u32 v32;
	int r;

	if (size == 4) {
		r = hvtb_ept_read(vp->part->ept, gpa, &v32, 4);
		*pte = v32;
		return r;
	}
	return hvtb_ept_read(vp->part->ept, gpa, pte, 8);
}

static int walk_32(struct hvtb_vp *vp, u64 gva, u64 *gpa)
{
	u64 pde, pte;
	int r;

	r = walk_read(vp, (vp->paging.cr3 & 0xfffff000) + ((gva >> 22) & 0x3ff) * 4,
		      4, &pde);
	if (r || !(pde & PTE_P))
		return r ?: -EFAULT;
	if ((pde & PTE_PS) && vp->paging.pse) {
		*gpa = (pde & 0xffc00000) | ((pde & 0x1fe000) << 19) |
		       (gva & 0x3fffff);
		return 0;
	}
	r = walk_read(vp, (pde & 0xfffff000) + ((gva >> 12) & 0x3ff) * 4, 4, &pte);
	if (r || !(pte & PTE_P))
		return r ?: -EFAULT;
	*gpa = (pte & 0xfffff000) | (gva & 0xfff);
	return 0;
}

/* PAE (levels 3, from the PDPT) and 4-level paging (levels 4). */
static int walk_64(struct hvtb_vp *vp, u64 gva, u64 *gpa, int levels)
{
	u64 table, e;
	int level, shift, r;

	if (levels == 3) {
		r = walk_read(vp, (vp->paging.cr3 & 0xffffffe0) +
			      ((gva >> 30) & 3) * 8, 8, &e);
		if (r || !(e & PTE_P))
			return r ?: -EFAULT;
		table = e & PTE_ADDR_MASK;
		level = 2;
	} else {
		table = vp->paging.cr3 & PTE_ADDR_MASK;
		level = 4;
	}
	for (; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		r = walk_read(vp, table + ((gva >> shift) & 511) * 8, 8, &e);
		if (r || !(e & PTE_P))
			return r ?: -EFAULT;
		if (level > 1 && level < 4 && (e & PTE_PS)) {
			*gpa = (e & PTE_ADDR_MASK & ~((1ULL << shift) - 1)) |
			       (gva & ((1ULL << shift) - 1));
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

/**
 * hvtb_gva_to_gpa() - translate @gva with the paging mode captured at the
 * last exit. Permissions are not checked: the kernel only uses this to read
 * what the guest itself just accessed.
 * @vp: the virtual processor
 * @gva: the guest-linear address
 * @gpa: where the guest-physical address is stored
 *
 * Return: 0, or -EFAULT if the walk hits a non-present entry or memory
 * outside the mapped ranges.
 */
int hvtb_gva_to_gpa(struct hvtb_vp *vp, u64 gva, u64 *gpa)
{
	switch (vp->paging.mode) {
	case HVTB_PAGING_NONE:
		*gpa = gva & 0xffffffff;
		return 0;
	case HVTB_PAGING_32:
		return walk_32(vp, gva & 0xffffffff, gpa);
	case HVTB_PAGING_PAE:
		return walk_64(vp, gva & 0xffffffff, gpa, 3);
	default:
		return walk_64(vp, gva, gpa, 4);
	}
}
