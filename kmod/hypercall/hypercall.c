// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - TLFS hypercalls: VMCALL in a partition with enlightenments.
 *
 * x64 calling convention: RCX the control (call code 15:0, fast 16,
 * variable header size 26:17, rep count 43:32, rep start 59:48, the rest
 * reserved), RDX and R8 the input and output GPAs (slow call) or the input
 * values (fast call); the result goes to RAX (status 15:0, reps completed
 * 43:32).
 *
 * Documented behaviour chosen here (TLFS "Hypercall Interface", as KVM does):
 * a VMCALL at CPL > 0, outside 64-bit mode (real mode, 32-bit protected
 * mode: the 32-bit convention is not implemented) or before the guest
 * enabled the hypercall page raises #UD and returns nothing. Otherwise the
 * checks run in this order: reserved control bits set -> INVALID_HYPERCALL_
 * INPUT; unknown call code -> INVALID_HYPERCALL_CODE (or an exit to user
 * space with HVTB_HV_FORWARD_UNKNOWN); rep count/start on a simple call, a
 * rep call without reps or with rep start >= rep count, a variable header,
 * or the fast/slow form the call does not have -> INVALID_HYPERCALL_INPUT;
 * the privilege not granted -> ACCESS_DENIED; a slow call's GPA not 8-byte
 * aligned or its list crossing a page -> INVALID_ALIGNMENT; input or
 * output GPA not mapped (writable) -> INVALID_HYPERCALL_INPUT.
 *
 * Fast calls that need no guest memory finish in the exit handler. A slow
 * call notes itself in the VP with the request HVTB_REQ_HV_WORK: guest memory is
 * read and written by its handler in process context after the VMCS is
 * put (the ept accessors sleep), then the guest is entered again without a
 * trip to user space. RIP is already past the VMCALL then; only RAX is left
 * to write, and RAX lives in vp->gprs, not in the VMCS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/hyperv-tlfs.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "ept/ept.h"
#include "trace.h"
#include "hvtb.h"
#include "hypercall/hv.h"
#include "vmx/vmx.h"

#define HC_REP_MAX		512	/* 8-byte elements in one output page */
#define HC_MSG_TYPE_RSVD	0x80000000U	/* hypervisor message types */

struct hv_post_message_input {
	u32 connection_id;
	u32 reserved;
	u32 message_type;
	u32 payload_size;
	u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
};

/* What the dispatcher checks before a call runs. */
struct hc_def {
	u16 code;
	bool rep;
	bool fast;		/* has a fast form */
	bool slow;		/* has a slow form */
	u32 priv_ebx;		/* CPUID 0x40000003 EBX bit needed, or 0 */
	u16 in_size;		/* slow form: input bytes (0: no input) */
	u16 out_size;		/* slow form: output bytes (per rep) */
};

static const struct hc_def hc_defs[] = {
	{ HVCALL_NOTIFY_LONG_SPIN_WAIT, false, true, true, 0, 0, 0 },
	{ HVCALL_GET_PARTITION_ID, false, false, true, HV_ACCESS_PARTITION_ID,
	  0, sizeof(u64) },
	{ HVCALL_POST_MESSAGE, false, false, true, HV_POST_MESSAGES,
	  sizeof(struct hv_post_message_input), 0 },
	{ HVCALL_SIGNAL_EVENT, false, true, true, HV_SIGNAL_EVENTS,
	  sizeof(u64), 0 },
	{ HVTB_HC_NULL, false, true, true, 0, 0, 0 },
	{ HVTB_HC_REP_FILL, true, false, true, 0,
	  sizeof(struct hvtb_hc_rep_fill_input), sizeof(u64) },
};

static const struct hc_def *hc_find(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hc_defs); i++)
		if (hc_defs[i].code == code)
			return &hc_defs[i];
	return NULL;
}

static u64 hc_result(u16 status, u32 reps_done)
{
	return status | ((u64)reps_done << HV_HYPERCALL_REP_COMP_OFFSET);
}

/* #UD cases: CPL > 0, not in 64-bit mode, hypercall page not enabled. */
static bool hc_may_call(struct hvtb_vp *vp)
{
	if (!hvtb_vmx_guest_64bit(vp) || hvtb_vmx_guest_cpl(vp) != 0)
		return false;
	return READ_ONCE(vp->part->hv->hypercall) & HV_X64_MSR_HYPERCALL_ENABLE;
}

/* A slow call's list: 8-byte aligned and inside one page. */
static bool hc_list_ok(u64 gpa, u32 size)
{
	return !(gpa & 7) && offset_in_page(gpa) + size <= PAGE_SIZE;
}

/* Checks of the control and the GPAs. Return: HV_STATUS_*. */
static u16 hc_check(struct hvtb_vp *vp, const struct hc_def *d, u64 control,
		    u64 in_gpa, u64 out_gpa)
{
	const struct hvtb_hv *hv = vp->part->hv;
	bool fast = control & HV_HYPERCALL_FAST_BIT;
	u32 rep_count = (control & HV_HYPERCALL_REP_COMP_MASK) >>
			HV_HYPERCALL_REP_COMP_OFFSET;
	u32 rep_start = (control & HV_HYPERCALL_REP_START_MASK) >>
			HV_HYPERCALL_REP_START_OFFSET;

	if (control & HV_HYPERCALL_VARHEAD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (d->rep ? !rep_count || rep_start >= rep_count ||
		     rep_count > HC_REP_MAX :
		     rep_count || rep_start)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (fast ? !d->fast : !d->slow)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (d->priv_ebx && !(hv->cfg.features_ebx & d->priv_ebx))
		return HV_STATUS_ACCESS_DENIED;
	if (fast)
		return HV_STATUS_SUCCESS;
	if (d->in_size && !hc_list_ok(in_gpa, d->in_size))
		return HV_STATUS_INVALID_ALIGNMENT;
	if (d->out_size &&
	    !hc_list_ok(out_gpa, d->out_size * (d->rep ? rep_count : 1)))
		return HV_STATUS_INVALID_ALIGNMENT;
	return HV_STATUS_SUCCESS;
}

/* HVTB_HV_FORWARD_UNKNOWN: the call goes to user space, its result to RAX. */
static int hc_forward(struct hvtb_vp *vp)
{
	vp->hv->stats.forwarded++;
	return hvtb_vmx_hypercall_to_user(vp);
}

/*
 * A TLFS hypercall in a partition with enlightenments (hv_vmcall()).
 * @vp: VMCS current, preemption off. Return: VMX_EXIT_CONTINUE (with
 * HVTB_REQ_HV_WORK noted when its handler finishes the call) or
 * VMX_EXIT_USER (a forwarded call).
 */
static noinline int hv_vmcall_tlfs(struct hvtb_vp *vp)
{
	unsigned long *g = vp->gprs.regs;
	struct hvtb_hv_vp *h = vp->hv;
	u64 control = g[GPR_RCX];
	bool fast = control & HV_HYPERCALL_FAST_BIT;
	u32 rep_start = (control & HV_HYPERCALL_REP_START_MASK) >>
			HV_HYPERCALL_REP_START_OFFSET;
	const struct hc_def *d;
	u16 status;

	if (!hc_may_call(vp)) {
		hvtb_vmx_inject_exception(vp, X86_TRAP_UD, false, 0);
		return VMX_EXIT_CONTINUE;
	}
	hvtb_vmx_skip_instruction(vp);
	h->stats.hypercalls++;

	d = hc_find(control & HV_HYPERCALL_RESULT_MASK);
	if (control & HV_HYPERCALL_RSVD_MASK) {
		status = HV_STATUS_INVALID_HYPERCALL_INPUT;
	} else if (!d) {
		if (vp->part->hv->cfg.flags & HVTB_HV_FORWARD_UNKNOWN)
			return hc_forward(vp);
		status = HV_STATUS_INVALID_HYPERCALL_CODE;
	} else {
		status = hc_check(vp, d, control, g[GPR_RDX], g[GPR_R8]);
	}
	if (status != HV_STATUS_SUCCESS)
		goto done;

	if (!fast || d->code == HVCALL_NOTIFY_LONG_SPIN_WAIT) {
		/* Guest memory, or the CPU to give up: after the VMCS is put. */
		h->call = (struct hvtb_hv_call) {
			.control = control, .in_gpa = g[GPR_RDX],
			.out_gpa = g[GPR_R8],
		};
		h->work |= HV_WORK_HYPERCALL;
		h->stats.slow++;
		hvtb_vp_request(vp, HVTB_REQ_HV_WORK);
		return VMX_EXIT_CONTINUE;
	}
	switch (d->code) {
	case HVCALL_SIGNAL_EVENT:
		status = hvtb_hv_signal_event(vp, g[GPR_RDX], false);
		if (status == HVTB_HV_STATUS_SLOW) {
			/* A SynIC connection: guest memory, after the VMCS is put. */
			h->call = (struct hvtb_hv_call) {
				.control = control, .in_gpa = g[GPR_RDX],
			};
			h->work |= HV_WORK_HYPERCALL;
			h->stats.slow++;
			hvtb_vp_request(vp, HVTB_REQ_HV_WORK);
			return VMX_EXIT_CONTINUE;
		}
		if (status == HV_STATUS_SUCCESS)
			h->stats.signal_event++;
		break;
	default:	/* HVTB_HC_NULL */
		break;
	}
done:
	if (status != HV_STATUS_SUCCESS)
		h->stats.failed++;
	g[GPR_RAX] = hc_result(status, d && d->rep ? rep_start : 0);
	trace_hvtb_hypercall(vp->part->id, vp->index, control, g[GPR_RAX]);
	return VMX_EXIT_CONTINUE;
}

/*
 * The VMCALL exit (registered with the backend). Every VMCALL of every
 * partition comes here first, so the test for enlightenments is all that
 * a partition without them pays: no frame, no saved registers; the TLFS
 * path is out of line (hv_vmcall_tlfs()).
 * Return: -ENOENT without enlightenments (the backend's own VMCALL), else
 * what hv_vmcall_tlfs() returns.
 */
static int hv_vmcall(struct hvtb_vp *vp)
{
	if (!vp->part->hv->enabled)
		return -ENOENT;		/* the backend's own VMCALL */
	return hv_vmcall_tlfs(vp);
}

static u16 hc_post_message(struct hvtb_vp *vp, u64 in_gpa)
{
	struct hv_post_message_input in;
	u16 status;

	if (hvtb_ept_read(vp->part->ept, in_gpa, &in, sizeof(in)))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (in.reserved)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!in.message_type || (in.message_type & HC_MSG_TYPE_RSVD) ||
	    in.payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	status = hvtb_hv_post_message(vp, in.connection_id, in.message_type,
				      in.payload_size, in.payload);
	if (status == HV_STATUS_SUCCESS)
		vp->hv->stats.post_message++;
	return status;
}

/*
 * HVTB_HC_REP_FILL: elements rep_start.. of the output list; stops early
 * (status 0, fewer reps) at @stop_at or when the host wants the CPU.
 */
static u64 hc_rep_fill(struct hvtb_vp *vp, u32 start, u32 count, u64 in_gpa,
		       u64 out_gpa)
{
	struct hvtb_hc_rep_fill_input in;
	u64 v;
	u32 i;

	if (hvtb_ept_read(vp->part->ept, in_gpa, &in, sizeof(in)))
		return hc_result(HV_STATUS_INVALID_HYPERCALL_INPUT, start);
	if (in.pad)
		return hc_result(HV_STATUS_INVALID_PARAMETER, start);
	for (i = start; i < count; i++) {
		if (i > start && (i == in.stop_at || need_resched() ||
				  signal_pending(current)))
			break;
		v = in.seed + i;
		if (hvtb_ept_write(vp->part->ept, out_gpa + (u64)i * sizeof(v),
				   &v, sizeof(v)))
			return hc_result(HV_STATUS_INVALID_HYPERCALL_INPUT, i);
	}
	return hc_result(HV_STATUS_SUCCESS, i);
}

static u64 hc_slow_call(struct hvtb_vp *vp)
{
	const struct hvtb_hv_call *c = &vp->hv->call;
	u32 rep_count = (c->control & HV_HYPERCALL_REP_COMP_MASK) >>
			HV_HYPERCALL_REP_COMP_OFFSET;
	u32 rep_start = (c->control & HV_HYPERCALL_REP_START_MASK) >>
			HV_HYPERCALL_REP_START_OFFSET;
	u64 in8, id;

	switch (c->control & HV_HYPERCALL_RESULT_MASK) {
	case HVCALL_NOTIFY_LONG_SPIN_WAIT:
		/*
		 * Others first: the lock holder may be a VP waiting for this
		 * CPU (HVTB_REQ_YIELD puts this one behind its CPU's VPs on
		 * hvtb's scheduler); the host's scheduler decides otherwise.
		 */
		vp->hv->stats.long_spin_wait++;
		hvtb_vp_request(vp, HVTB_REQ_YIELD);
		cond_resched();
		return HV_STATUS_SUCCESS;
	case HVCALL_GET_PARTITION_ID:
		id = vp->part->id;
		if (hvtb_ept_write(vp->part->ept, c->out_gpa, &id, sizeof(id)))
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		return HV_STATUS_SUCCESS;
	case HVCALL_POST_MESSAGE:
		return hc_post_message(vp, c->in_gpa);
	case HVCALL_SIGNAL_EVENT:
		/* A fast call comes here for a SynIC connection: RDX is the input. */
		if (c->control & HV_HYPERCALL_FAST_BIT)
			in8 = c->in_gpa;
		else if (hvtb_ept_read(vp->part->ept, c->in_gpa, &in8, sizeof(in8)))
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		in8 = hvtb_hv_signal_event(vp, in8, true);
		if (in8 == HV_STATUS_SUCCESS)
			vp->hv->stats.signal_event++;
		return in8;
	case HVTB_HC_REP_FILL:
		return hc_rep_fill(vp, rep_start, rep_count, c->in_gpa,
				   c->out_gpa);
	default:	/* HVTB_HC_NULL */
		return HV_STATUS_SUCCESS;
	}
}

/*
 * HVTB_REQ_HV_WORK: the sleeping half of an exit: page writes after an
 * MSR write, a slow hypercall. Process context, VMCS not current; the
 * guest is entered again afterwards.
 */
static int hv_work_request(struct hvtb_vp *vp)
{
	struct hvtb_hv_vp *h = vp->hv;
	u64 result;

	if (h->work & (HV_WORK_HC_PAGE | HV_WORK_TSC_PAGE))
		hvtb_hv_write_pages(vp);
	if (h->work & HV_WORK_HYPERCALL) {
		h->work &= ~HV_WORK_HYPERCALL;
		result = hc_slow_call(vp);
		if (result & HV_HYPERCALL_RESULT_MASK)
			h->stats.failed++;
		vp->gprs.regs[GPR_RAX] = result;
		trace_hvtb_hypercall(vp->part->id, vp->index, h->call.control,
				     result);
	}
	return 0;
}

/* HVTB_REQ_SYNIC: messages for the SIMP page (kmod/hypercall/synic.c). */
static int hv_synic_request(struct hvtb_vp *vp)
{
	hvtb_synic_deliver(vp);
	return 0;
}

/**
 * hvtb_hv_init() - register the requests kmod/hypercall/ handles with the
 * core's run loop. Called once at load.
 */
void hvtb_hv_init(void)
{
	static const struct hvtb_cpuid_ops cpuid = {
		.nr_ranges = 2,
		.ranges = { { 1, 1 },	/* the hypervisor-present bit */
			    /* hv.c answers up to its HV_CPUID_MAX_LEAF */
			    { HYPERV_CPUID_VENDOR_AND_MAX_FUNCTIONS,
			      0x400000ff } },
		.fill = hvtb_hv_cpuid,
	};
	static const struct hvtb_msr_ops msrs = {
		.first = HVTB_HV_MSR_FIRST,
		.last = HVTB_HV_MSR_LAST,
		.read = hvtb_hv_msr_read,
		.write = hvtb_hv_msr_write,
	};

	hvtb_vp_set_request_handler(HVTB_REQ_HV_WORK, hv_work_request);
	hvtb_vp_set_request_handler(HVTB_REQ_SYNIC, hv_synic_request);
	hvtb_vmx_register_cpuid(&cpuid);
	hvtb_vmx_register_msrs(&msrs);
	hvtb_vmx_register_exit(EXIT_REASON_VMCALL, hv_vmcall);
	hvtb_vmx_register_tsc_notify(hvtb_hv_tsc_offset_changed);
}
