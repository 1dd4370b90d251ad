/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - the VMX backend's interface: what the other rooms may call.
 *
 * Probing and VMX root (module init); a VP's VMCS life cycle and its run;
 * register access; what an intercept handler above the backend does with
 * the exit it got (skip the instruction, inject an exception, read the
 * guest's CPL and mode, hand a hypercall to user space, step past an
 * instruction emulated later); and the registration of what a higher room
 * handles: a range of CPUID leaves, an MSR range, an exit reason, a TSC
 * offset change. The backend calls those rooms only through what they
 * registered, never by name. Its own files share kmod/vmx/internal.h.
 */
#ifndef HVTB_VMX_VMX_H
#define HVTB_VMX_VMX_H

#include "hvtb.h"

/**
 * struct hvtb_vmx_caps - what one CPU's VMX capability MSRs say.
 *
 * The raw values are kept so that user space can see exactly what the probe
 * saw; @features is derived from them (HVTB_FEAT_* of the uapi).
 */
struct hvtb_vmx_caps {
	u64 feature_control;
	u64 basic;
	u64 pinbased;		/* true controls where the CPU has them */
	u64 procbased;
	u64 procbased2;
	u64 exit;
	u64 entry;
	u64 misc;
	u64 ept_vpid;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 vmfunc;
	u64 features;
	u32 revision;
	u32 vmcs_size;
	u32 timer_shift;
};

/* kmod/vmx/probe.c */
extern struct hvtb_vmx_caps hvtb_caps;
int hvtb_vmx_probe(void);
int hvtb_vmx_check_this_cpu(void);

/* kmod/vmx/root.c */
int hvtb_vmx_root_init(void);
void hvtb_vmx_root_exit(void);
void hvtb_vmx_root_stop_all(void);
void hvtb_vmx_root_stop_this_cpu(void);
const struct cpumask *hvtb_vmx_root_cpus(void);

/*
 * What an exit handler tells the run loop. Work that must sleep is not a
 * return code: the handler notes a request (hvtb_vp_request()), which
 * ends the run loop before the next entry.
 */
enum {
	VMX_EXIT_CONTINUE = 0,	/* handled in the kernel: enter again */
	VMX_EXIT_USER = 1,	/* run->exit_reason is set: back to user space */
};

/* kmod/vmx/vmx.c: controls, a VP's VMCS, the run, register access */
int hvtb_vmx_controls_init(void);
int hvtb_vmx_vp_init(struct hvtb_vp *vp);
void hvtb_vmx_vp_destroy(struct hvtb_vp *vp);
int hvtb_vmx_vp_run(struct hvtb_vp *vp, u64 deadline_tsc);
void hvtb_vmx_get_regs(struct hvtb_vp *vp, struct hvtb_regs *regs);
int hvtb_vmx_set_regs(struct hvtb_vp *vp, const struct hvtb_regs *regs);
void hvtb_vmx_get_sregs(struct hvtb_vp *vp, struct hvtb_sregs *sregs);
int hvtb_vmx_set_sregs(struct hvtb_vp *vp, const struct hvtb_sregs *sregs);
void hvtb_vmx_get_events(struct hvtb_vp *vp, struct hvtb_vp_events *ev);
int hvtb_vmx_set_events(struct hvtb_vp *vp, const struct hvtb_vp_events *ev);
int hvtb_vmx_get_msr(struct hvtb_vp *vp, u32 index, u64 *data);
int hvtb_vmx_set_msr(struct hvtb_vp *vp, u32 index, u64 data);
int hvtb_vmx_init_reset(struct hvtb_vp *vp);
int hvtb_vmx_start_sipi(struct hvtb_vp *vp, unsigned int vector);

/* kmod/vmx/apicv.c */
int hvtb_vmx_apicv_init(void);
void hvtb_vmx_apicv_exit(void);
bool hvtb_vmx_apicv_usable(void);

/*
 * kmod/vmx/exit.c: for intercept handlers of the rooms above (VMCS current,
 * preemption off: they never sleep).
 */
void hvtb_vmx_skip_instruction(struct hvtb_vp *vp);
void hvtb_vmx_skip_at_entry(struct hvtb_vp *vp, u8 len);
void hvtb_vmx_complete_mmio(struct hvtb_vp *vp);
void hvtb_vmx_inject_exception(struct hvtb_vp *vp, u8 vector, bool has_error,
			       u32 error_code);
int hvtb_vmx_hypercall_to_user(struct hvtb_vp *vp);
unsigned int hvtb_vmx_guest_cpl(struct hvtb_vp *vp);
bool hvtb_vmx_guest_64bit(struct hvtb_vp *vp);

/*
 * Registration, at module load, of what a room above the backend handles.
 * hvtb_cpuid_ops: for a leaf in one of its ranges, @fill edits @e (the
 * partition's table entry) and returns true when it answers the leaf in
 * the kernel for this VP. hvtb_msr_ops: 0, -errno (#GP for the guest), or 1 when the
 * write left work for the request HVTB_REQ_HV_WORK (the guest path notes
 * the request itself); @host is user space's access. hvtb_exit_fn returns
 * VMX_EXIT_CONTINUE/USER, or -ENOENT to leave the exit to the backend.
 */
struct hvtb_cpuid_ops {
	u32 nr_ranges;
	struct { u32 first, last; } ranges[2];
	bool (*fill)(struct hvtb_vp *vp, u32 fn, struct hvtb_cpuid_entry *e);
};
struct hvtb_msr_ops {
	u32 first, last;
	int (*read)(struct hvtb_vp *vp, u32 index, u64 *data, bool host);
	int (*write)(struct hvtb_vp *vp, u32 index, u64 data, bool host);
};
typedef int (*hvtb_exit_fn)(struct hvtb_vp *vp);

void hvtb_vmx_register_cpuid(const struct hvtb_cpuid_ops *ops);
void hvtb_vmx_register_msrs(const struct hvtb_msr_ops *ops);
void hvtb_vmx_register_exit(u16 reason, hvtb_exit_fn fn);
void hvtb_vmx_register_tsc_notify(hvtb_exit_fn fn);

/*
 * The in-kernel local APIC's side of the backend, registered by kmod/apic/
 * at load: injection before an entry, TPR/CR8, IA32_APIC_BASE and the
 * x2APIC MSRs, the xAPIC page's accesses, and APIC virtualization (RVI/SVI,
 * the virtual-APIC page, EOI-induced and APIC-write exits). Called only for
 * a VP with an APIC (vp->apic), but for @mmio_hit (any VP).
 */
struct hvtb_apic_ops {
	bool (*has_interrupt)(struct hvtb_vp *vp);
	int (*ack_interrupt)(struct hvtb_vp *vp);
	bool (*nmi_pending)(struct hvtb_vp *vp);
	void (*nmi_ack)(struct hvtb_vp *vp);
	u32 (*get_tpr)(struct hvtb_vp *vp);
	void (*set_tpr)(struct hvtb_vp *vp, u32 tpr);
	int (*set_base)(struct hvtb_vp *vp, u64 val, bool host);
	int (*msr_read)(struct hvtb_vp *vp, u32 index, u64 *data);
	int (*msr_write)(struct hvtb_vp *vp, u32 index, u64 data, u64 guest_tsc);
	bool (*mmio_hit)(struct hvtb_vp *vp, u64 gpa);
	void (*write_trap)(struct hvtb_vp *vp, u32 off);
	void (*eoi_induced)(struct hvtb_vp *vp, u32 vector);
	bool (*vid_allowed)(struct hvtb_vp *vp);
	u16 (*vid_prepare)(struct hvtb_vp *vp);
	phys_addr_t (*page_phys)(struct hvtb_vp *vp);
	bool (*eoi_exits)(struct hvtb_vp *vp);
};

void hvtb_vmx_register_apic(const struct hvtb_apic_ops *ops);

#endif /* HVTB_VMX_VMX_H */
