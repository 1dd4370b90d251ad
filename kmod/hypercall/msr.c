// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - the synthetic MSRs of the TLFS (0x40000000..0x400000ff).
 *
 * A guest access needs the privilege bit of CPUID 0x40000003 EAX that the
 * partition's config grants, else it #GPs as on Hyper-V. User space
 * (HVTB_VP_GET/SET_MSRS) reads and writes the same state without that check,
 * to save and restore it. GUEST_OS_ID, HYPERCALL and REFERENCE_TSC are
 * partition-wide; the rest is per VP. Writes of the SynIC and synthetic
 * timer MSRs go to kmod/hypercall/synic.c. EOI/ICR/TPR (0x40000070..72)
 * are the in-kernel APIC's (HV_MSR_APIC_ACCESS_AVAILABLE, and only with
 * HVTB_PARTITION_LAPIC); user space saves that state with
 * HVTB_VP_GET_LAPIC, so its GET/SET_MSRS cannot reach them.
 *
 * Enabling the hypercall page or the reference TSC page writes guest memory,
 * which sleeps: the guest path notes the work (HV_WORK_*) and returns 1, so
 * that the exit handler notes HVTB_REQ_HV_WORK and vp.c calls
 * hvtb_hv_write_pages() (through its handler) after the VMCS is put.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <asm/hyperv-tlfs.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/vmx.h>

#include "ept/ept.h"
#include "hvtb.h"
#include "hypercall/hv.h"
#include "vmx/vmcs.h"

#define HV_MSR_VP_RUNTIME	0x40000010
#define HV_PAGE_RSVD_MASK	GENMASK_ULL(11, 1)	/* enable in bit 0 */
#define HV_HCPAGE_RSVD_MASK	GENMASK_ULL(11, 2)
#define HV_HYPERCALL_LOCKED	BIT_ULL(1)

/* The CPUID 0x40000003 EAX bit a guest needs for @index (0: none known). */
static u32 hv_msr_privilege(u32 index)
{
	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
	case HV_X64_MSR_HYPERCALL:
		return HV_MSR_HYPERCALL_AVAILABLE;
	case HV_X64_MSR_VP_INDEX:
		return HV_MSR_VP_INDEX_AVAILABLE;
	case HV_MSR_VP_RUNTIME:
		return HV_MSR_VP_RUNTIME_AVAILABLE;
	case HV_X64_MSR_TIME_REF_COUNT:
		return HV_MSR_TIME_REF_COUNT_AVAILABLE;
	case HV_X64_MSR_REFERENCE_TSC:
		return HV_MSR_REFERENCE_TSC_AVAILABLE;
	case HV_X64_MSR_TSC_FREQUENCY:
	case HV_X64_MSR_APIC_FREQUENCY:
		return HV_ACCESS_FREQUENCY_MSRS;
	case HV_X64_MSR_VP_ASSIST_PAGE:
	case HV_X64_MSR_EOI:
	case HV_X64_MSR_ICR:
	case HV_X64_MSR_TPR:
		return HV_MSR_APIC_ACCESS_AVAILABLE;
	case HV_X64_MSR_SCONTROL ... HV_X64_MSR_EOM:
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT0 + 15:
		return HV_MSR_SYNIC_AVAILABLE;
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER0_CONFIG + 7:
		return HV_MSR_SYNTIMER_AVAILABLE;
	default:
		return 0;
	}
}

static bool hv_msr_allowed(struct hvtb_vp *vp, u32 index, bool host)
{
	const struct hvtb_hv *hv = vp->part->hv;
	u32 priv = hv_msr_privilege(index);

	if (!priv)
		return false;
	if (index >= HV_X64_MSR_EOI && index <= HV_X64_MSR_TPR)
		return !host && vp->apic && hv->enabled &&
		       (hv->cfg.features_eax & priv);
	return host || (hv->enabled && (hv->cfg.features_eax & priv));
}

/**
 * hvtb_hv_msr_read() - read a synthetic MSR.
 * @vp: the VP
 * @index: the MSR, in 0x40000000..0x400000ff
 * @data: the value
 * @host: user space's access (no privilege check)
 * Return: 0, or -ENOENT (the guest gets #GP).
 */
int hvtb_hv_msr_read(struct hvtb_vp *vp, u32 index, u64 *data, bool host)
{
	struct hvtb_hv *hv = vp->part->hv;
	struct hvtb_hv_vp *h = vp->hv;

	if (!hv_msr_allowed(vp, index, host))
		return -ENOENT;
	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
		*data = READ_ONCE(hv->guest_os_id);
		break;
	case HV_X64_MSR_HYPERCALL:
		*data = READ_ONCE(hv->hypercall);
		break;
	case HV_X64_MSR_VP_INDEX:
		*data = vp->index;
		break;
	case HV_MSR_VP_RUNTIME:
		*data = div_u64(vp->stats.guest_ns, 100);
		break;
	case HV_X64_MSR_TIME_REF_COUNT:
		*data = hvtb_hv_time_ref(hv);
		break;
	case HV_X64_MSR_REFERENCE_TSC:
		*data = READ_ONCE(hv->reference_tsc);
		break;
	case HV_X64_MSR_TSC_FREQUENCY:
		*data = hv->cfg.tsc_frequency ?: hv->tsc_hz;
		break;
	case HV_X64_MSR_APIC_FREQUENCY:
		*data = hv->cfg.apic_frequency;
		break;
	case HV_X64_MSR_VP_ASSIST_PAGE:
		*data = h->vp_assist;
		break;
	case HV_X64_MSR_EOI ... HV_X64_MSR_TPR:
		return hvtb_apic_hv_msr(vp, index, data, false);
	case HV_X64_MSR_SCONTROL:
		*data = h->scontrol;
		break;
	case HV_X64_MSR_SVERSION:
		*data = HV_SYNIC_VERSION_1;
		break;
	case HV_X64_MSR_SIEFP:
		*data = h->siefp;
		break;
	case HV_X64_MSR_SIMP:
		*data = h->simp;
		break;
	case HV_X64_MSR_EOM:
		*data = 0;
		break;
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT0 + 15:
		*data = h->sint[index - HV_X64_MSR_SINT0];
		break;
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER0_CONFIG + 7:
		index -= HV_X64_MSR_STIMER0_CONFIG;
		*data = index & 1 ? h->stimer_count[index / 2] :
				    h->stimer_config[index / 2];
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

/* HYPERCALL: enable 0, locked 1, GPA 63:12. Return: 1 if the page is due. */
static int hv_write_hypercall(struct hvtb_hv *hv, u64 data)
{
	int r = 0;

	if (data & HV_HCPAGE_RSVD_MASK)
		return -EINVAL;
	spin_lock(&hv->lock);
	if (hv->hypercall & HV_HYPERCALL_LOCKED)
		goto out;		/* writes are ignored once locked */
	if (!hv->guest_os_id)
		data &= ~(u64)HV_X64_MSR_HYPERCALL_ENABLE; /* OS id first */
	WRITE_ONCE(hv->hypercall, data);
	r = data & HV_X64_MSR_HYPERCALL_ENABLE ? 1 : 0;
out:
	spin_unlock(&hv->lock);
	return r;
}

static int hv_write_partition_msr(struct hvtb_vp *vp, u32 index, u64 data)
{
	struct hvtb_hv *hv = vp->part->hv;
	int r;

	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
		spin_lock(&hv->lock);
		WRITE_ONCE(hv->guest_os_id, data);
		if (!data)	/* clearing the OS id disables hypercalls */
			WRITE_ONCE(hv->hypercall, hv->hypercall &
				   ~(u64)HV_X64_MSR_HYPERCALL_ENABLE);
		spin_unlock(&hv->lock);
		return 0;
	case HV_X64_MSR_HYPERCALL:
		r = hv_write_hypercall(hv, data);
		if (r > 0)
			vp->hv->work |= HV_WORK_HC_PAGE;
		return r;
	case HV_X64_MSR_REFERENCE_TSC:
		if (data & HV_PAGE_RSVD_MASK)
			return -EINVAL;
		WRITE_ONCE(hv->reference_tsc, data);
		if (!(data & 1))
			return 0;
		vp->hv->work |= HV_WORK_TSC_PAGE;
		return 1;
	default:
		return -ENOENT;
	}
}

/**
 * hvtb_hv_msr_write() - write a synthetic MSR.
 * @vp: the VP
 * @index: the MSR, in 0x40000000..0x400000ff
 * @data: the value
 * @host: user space's access (no privilege check; pages written at once)
 * Return: 0; 1 when guest memory must be written (HV_WORK_* noted, guest
 * path only); -ENOENT for an MSR not there or not granted, -EINVAL for a
 * refused value (the guest gets #GP for both).
 */
int hvtb_hv_msr_write(struct hvtb_vp *vp, u32 index, u64 data, bool host)
{
	struct hvtb_hv_vp *h = vp->hv;
	int r;

	if (!hv_msr_allowed(vp, index, host))
		return -ENOENT;
	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
	case HV_X64_MSR_HYPERCALL:
	case HV_X64_MSR_REFERENCE_TSC:
		r = hv_write_partition_msr(vp, index, data);
		if (r > 0 && host) {
			hvtb_hv_write_pages(vp);
			r = 0;
		}
		return r;
	case HV_X64_MSR_VP_INDEX:
		/* Read-only; user space may restore the same value. */
		return host && data == vp->index ? 0 : -EINVAL;
	case HV_X64_MSR_VP_ASSIST_PAGE:
		if (data & HV_PAGE_RSVD_MASK)
			return -EINVAL;
		h->vp_assist = data;
		return 0;
	case HV_X64_MSR_EOI ... HV_X64_MSR_TPR:
		return hvtb_apic_hv_msr(vp, index, &data, true);
	case HV_X64_MSR_SCONTROL ... HV_X64_MSR_SIMP:
	case HV_X64_MSR_EOM:
	case HV_X64_MSR_SINT0 ... HV_X64_MSR_SINT0 + 15:
	case HV_X64_MSR_STIMER0_CONFIG ... HV_X64_MSR_STIMER0_CONFIG + 7:
		if (index == HV_X64_MSR_SVERSION)
			return -EINVAL;
		return hvtb_synic_msr_write(vp, index, data, host);
	default:
		/* Read-only: SVERSION, TIME_REF_COUNT, frequencies, runtime. */
		return -EINVAL;
	}
}

/*
 * Do all VPs of the partition have the TSC offset of @vp? The TSC page is
 * one for the partition: it can only be right when they do.
 */
static bool hv_tsc_offsets_agree(struct hvtb_vp *vp)
{
	struct hvtb_partition *part = vp->part;
	struct hvtb_vp *other;
	bool agree = true;
	u32 i;

	rcu_read_lock();
	for (i = 0; i < part->max_vps && agree; i++) {
		other = hvtb_vp_lookup(part, i);
		if (other && READ_ONCE(other->tsc_offset) != vp->tsc_offset)
			agree = false;
	}
	rcu_read_unlock();
	return agree;
}

/*
 * Write the reference TSC page for the TSC offset of @vp. While the VPs'
 * TSC offsets differ (IA32_TSC written on some of them) no single page is
 * right: the sequence stays 0, which tells the guest to read
 * TIME_REF_COUNT instead, until an IA32_TSC write makes them agree again.
 */
static void hv_write_tsc_page(struct hvtb_vp *vp, u64 gpa)
{
	struct hvtb_hv *hv = vp->part->hv;
	struct ms_hyperv_tsc_page pg = { 0 };
	struct hvtb_ept *ept = vp->part->ept;
	u32 seq = 0;
	int r;

	/*
	 * The guest computes ((tsc * scale) >> 64) + offset; with tsc =
	 * host TSC + tsc_offset this is the reference counter, give or take
	 * one unit of rounding.
	 */
	pg.tsc_scale = hv->tsc_scale;
	pg.tsc_offset = hv->ref_base -
			mul_u64_u64_shr(hv->tsc_at_create + vp->tsc_offset,
					hv->tsc_scale, 64);
	/* Sequence 0 while the page changes: readers use the MSR. */
	r = hvtb_ept_write(ept, gpa, &seq, sizeof(seq));
	if (!r && !hv_tsc_offsets_agree(vp)) {
		vp->hv->stats.tsc_page_invalid++;
		return;
	}
	r = r ?: hvtb_ept_write(ept, gpa + offsetof(struct ms_hyperv_tsc_page, tsc_scale),
				(const u8 *)&pg + offsetof(struct ms_hyperv_tsc_page, tsc_scale),
				2 * sizeof(u64));
	seq = 1;
	r = r ?: hvtb_ept_write(ept, gpa, &seq, sizeof(seq));
	if (r)
		vp->hv->stats.page_write_failed++;
}

/**
 * hvtb_hv_tsc_offset_changed() - IA32_TSC was written on @vp: the reference
 * TSC page, if enabled, is to be written again (valid or not).
 * @vp: the VP (VMCS current)
 * Return: 1 when that work is noted for the HVTB_REQ_HV_WORK handler, else 0.
 */
int hvtb_hv_tsc_offset_changed(struct hvtb_vp *vp)
{
	if (!vp->hv || !(READ_ONCE(vp->part->hv->reference_tsc) & 1))
		return 0;
	vp->hv->work |= HV_WORK_TSC_PAGE;
	return 1;
}

/**
 * hvtb_hv_write_pages() - write the hypercall page and/or the reference
 * TSC page noted in vp->hv->work.
 * @vp: the VP whose MSR write enabled them
 *
 * Context: process context, VMCS not current. A GPA that is not mapped
 * writable is counted in page_write_failed (the MSR keeps its value).
 */
void hvtb_hv_write_pages(struct hvtb_vp *vp)
{
	static const u8 hypercall_page[] = {
		0x0f, 0x01, 0xc1,	/* vmcall */
		0xc3,			/* ret */
	};
	struct hvtb_hv *hv = vp->part->hv;
	struct hvtb_hv_vp *h = vp->hv;
	u64 v;

	if (h->work & HV_WORK_HC_PAGE) {
		v = READ_ONCE(hv->hypercall);
		if ((v & HV_X64_MSR_HYPERCALL_ENABLE) &&
		    hvtb_ept_write(vp->part->ept, v & PAGE_MASK, hypercall_page,
				   sizeof(hypercall_page)))
			h->stats.page_write_failed++;
	}
	if (h->work & HV_WORK_TSC_PAGE) {
		v = READ_ONCE(hv->reference_tsc);
		if (v & 1)
			hv_write_tsc_page(vp, v & PAGE_MASK);
	}
	h->work &= ~(HV_WORK_HC_PAGE | HV_WORK_TSC_PAGE);
}
