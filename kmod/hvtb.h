/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - internal interfaces between the module's rooms.
 */
#ifndef HVTB_H
#define HVTB_H

#include <linux/types.h>
#include <linux/cpumask.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/wait.h>
#include <asm/fpu/types.h>

#include <linux/hvtb.h>
#include <linux/hvtb_apic.h>
#include <linux/hvtb_hv.h>
#include <linux/hvtb_sched.h>

#include "sched/policy.h"

struct task_struct;

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

/**
 * struct hvtb_gprs - a guest's general registers, by x86 register number.
 * RSP lives in the VMCS; regs[4] is unused. kmod/vmx/vmenter.S knows the
 * layout.
 */
struct hvtb_gprs {
	unsigned long regs[16];
};

enum { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI,
	GPR_RDI, GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14,
	GPR_R15 };

/* Partition-wide tables the VPs read at exits, replaced whole under RCU. */
struct hvtb_cpuid_rcu {
	struct rcu_head rcu;
	u32 nent;
	struct hvtb_cpuid_entry entries[];
};

struct hvtb_msr_list_rcu {
	struct rcu_head rcu;
	u32 nmsrs;
	u32 msrs[];
};

struct hvtb_ept;
struct hvtb_apic;
struct hvtb_vp;
struct hvtb_hv;
struct hvtb_hv_vp;

/**
 * struct hvtb_partition - a child partition: address space, VPs, tables.
 * @kref: one reference from the partition fd, one from each VP.
 * @lock: serializes VP creation and table replacement.
 * @vps: published under @lock; readers that cannot sleep (IPIs, the APIC
 *       timer) use READ_ONCE() under rcu_read_lock(): a VP is freed only an
 *       RCU grace period after it was unpublished.
 */
struct hvtb_partition {
	struct kref kref;
	u32 id;
	u32 max_vps;
	u32 flags;		/* HVTB_PARTITION_* */
	struct mutex lock;
	struct hvtb_ept *ept;
	u32 nr_vps;
	struct hvtb_vp *vps[HVTB_MAX_VPS];
	struct hvtb_cpuid_rcu __rcu *cpuid;
	struct hvtb_msr_list_rcu __rcu *msr_intercepts;
	bool root_sched;	/* HVTB_PARTITION_ROOT_SCHED */
	struct hvtb_vp_sched sched_default;	/* new VPs' policy (@lock) */
	struct mutex irqfd_lock;	/* guards @irqfds, @nr_irqfds */
	struct list_head irqfds;	/* eventfd -> APIC vector (apic/irqfd.c) */
	u32 nr_irqfds;
	struct hvtb_hv *hv;	/* kmod/hypercall/: enlightenments */
	/* APIC virtualization (HVTB_PARTITION_INFO_APICV) and its page */
	bool apicv;
	struct page *apic_access_page;
};

/* What the next HVTB_VP_RUN must finish before entering the guest. */
enum hvtb_pending {
	HVTB_PENDING_NONE,
	HVTB_PENDING_IO_IN,		/* write run->io.value to RAX */
	HVTB_PENDING_IO_INS,		/* copy run->data into guest memory */
	HVTB_PENDING_CPUID,		/* write run->cpuid to RAX..RDX */
	HVTB_PENDING_MSR_READ,		/* run->msr.data to EDX:EAX, or #GP */
	HVTB_PENDING_MSR_WRITE,		/* #GP if run->msr.error */
	HVTB_PENDING_HYPERCALL,		/* run->hypercall.result to RAX */
	HVTB_PENDING_APIC_MMIO,		/* step RIP past an emulated xAPIC access */
};

/* Guest MSRs that hvtb swaps with the host's around VM entry. */
enum hvtb_swapped_msr {
	HVTB_MSR_STAR, HVTB_MSR_LSTAR, HVTB_MSR_CSTAR, HVTB_MSR_SFMASK,
	HVTB_MSR_KERNEL_GS_BASE, HVTB_MSR_TSC_AUX, HVTB_NR_SWAPPED_MSRS
};

/**
 * struct hvtb_string_io - a string I/O intercept in flight.
 * Captured at the exit, so that the copy can sleep after the VMCS is put.
 */
struct hvtb_string_io {
	u64 seg_base;		/* DS (or override) for OUTS, ES for INS */
	u64 addr;		/* RSI/RDI, masked to the address size */
	u32 count;
	u8 addr_size;		/* 2, 4 or 8 */
	u8 size;
	bool in;
	bool rep;
	bool down;		/* RFLAGS.DF */
};

/* Guest paging mode, captured at an exit for the slow path's walks. */
enum hvtb_paging_mode { HVTB_PAGING_NONE, HVTB_PAGING_32, HVTB_PAGING_PAE,
	HVTB_PAGING_4LEVEL };

struct hvtb_paging {
	u64 cr3;
	u8 mode;		/* enum hvtb_paging_mode */
	bool pse;		/* CR4.PSE for 32-bit paging */
};

/* Where a VP is in hvtb's scheduler (kmod/sched). */
enum hvtb_sched_state {
	HVTB_SCHED_IDLE,	/* no HVTB_VP_RUN in flight */
	HVTB_SCHED_QUEUED,	/* runnable on its CPU's queue */
	HVTB_SCHED_RUNNING,	/* executing on its CPU's thread */
	HVTB_SCHED_BLOCKED,	/* in HLT: off the queue until an interrupt */
	HVTB_SCHED_DONE,	/* the run ended: @result is for the RUN caller */
};

/**
 * struct hvtb_sched_vp - a VP's part of hvtb's scheduler.
 * @se: what the policy sees; @node: on its CPU's list while @cpu >= 0.
 * @cpu: the host CPU the VP is assigned to, -1 before its first run.
 * @state, @result, @cancel: the hand-over between the RUN caller and the
 * scheduler thread, under the CPU's lock; @done wakes the RUN caller.
 */
struct hvtb_sched_vp {
	struct sched_ent se;
	struct list_head node;
	int cpu;
	cpumask_var_t affinity;
	enum hvtb_sched_state state;
	int result;
	bool cancel;
	bool yield;		/* PAUSE-loop exit: end the slice, others first */
	bool halted;		/* a run ended (signal) while the VP was in HLT */
	wait_queue_head_t done;
	u64 queued_at;		/* ns, for the wait-time counter */
};

/**
 * struct hvtb_vp - a virtual processor.
 * @run_lock: one ioctl at a time touches the VP's state.
 * @vmcs: the VMCS page; @vmcs_cpu the CPU it is current on, or -1.
 * @launched: VMLAUNCH done since the last VMCLEAR.
 */
struct hvtb_vp {
	struct hvtb_partition *part;
	u32 index;
	u16 vpid;
	struct mutex run_lock;
	struct hvtb_run *run;
	struct page *run_page;

	struct page *vmcs;
	int vmcs_cpu;
	bool launched;
	bool apicv_ready;	/* APIC-virtualization addresses are in the VMCS */
	s8 apicv_eoi_exits;	/* EOI-exit bitmap: 1 all, 0 none, -1 unwritten */
	bool vmcs_dirty_state;	/* guest state changed outside the VMCS */

	struct hvtb_gprs gprs;
	unsigned long cr2;
	u64 xcr0;
	u64 msrs[HVTB_NR_SWAPPED_MSRS];
	u64 host_msrs[HVTB_NR_SWAPPED_MSRS];
	u64 misc_enable;
	u64 tsc_offset;		/* the VMCS TSC offset: guest TSC - host TSC */
	u64 apic_base;
	u64 cr8;
	unsigned long dr[4];
	unsigned long dr6;

	struct fpu_guest fpu;

	enum hvtb_pending pending;
	struct hvtb_string_io sio;
	bool sio_pending;	/* string I/O in flight (registers to update) */
	struct hvtb_paging paging;
	u8 exit_insn_len;
	bool mmio_fetch;	/* fetch the instruction for run->mmio */
	u64 mmio_rip_linear;

	/* In-kernel local APIC (HVTB_PARTITION_LAPIC), else NULL. */
	struct hvtb_apic *apic;
	u64 apic_mmio_gpa;	/* the xAPIC access being emulated */
	bool apic_mmio_long;	/* it came from 64-bit code */
	u8 apic_mmio_len;	/* its instruction length, once decoded */

	/* Read at the exit, used by handlers and by the slow path. */
	u32 exit_reason;
	unsigned long exit_qual;

	struct hvtb_vp_stats stats;
	struct hvtb_sched_vp sched;
	bool run_async;		/* an HVTB_RUN_ASYNC run is in flight */
	struct task_struct __rcu *run_task;	/* executes the VP now, or NULL */
	struct hvtb_hv_vp *hv;	/* kmod/hypercall/: synthetic MSRs */
};

/* kmod/partition.c */
int hvtb_partition_create(const struct hvtb_partition_config __user *ucfg);
void hvtb_partition_put(struct hvtb_partition *part);

/* kmod/vp.c */
int hvtb_vp_create(struct hvtb_partition *part, const struct hvtb_vp_config *cfg);
void hvtb_vp_set_task(struct hvtb_vp *vp, struct task_struct *t);
void hvtb_vp_kick(struct hvtb_vp *vp);

/* kmod/vmx/vmx.c */
int hvtb_vmx_vp_init(struct hvtb_vp *vp);
void hvtb_vmx_vp_destroy(struct hvtb_vp *vp);
int hvtb_vmx_vp_run(struct hvtb_vp *vp, u64 deadline_tsc);
int hvtb_gva_to_gpa(struct hvtb_vp *vp, u64 gva, u64 *gpa);
void hvtb_vmx_get_regs(struct hvtb_vp *vp, struct hvtb_regs *regs);
int hvtb_vmx_set_regs(struct hvtb_vp *vp, const struct hvtb_regs *regs);
void hvtb_vmx_get_sregs(struct hvtb_vp *vp, struct hvtb_sregs *sregs);
int hvtb_vmx_set_sregs(struct hvtb_vp *vp, const struct hvtb_sregs *sregs);
void hvtb_vmx_get_events(struct hvtb_vp *vp, struct hvtb_vp_events *ev);
int hvtb_vmx_set_events(struct hvtb_vp *vp, const struct hvtb_vp_events *ev);
int hvtb_vmx_get_msr(struct hvtb_vp *vp, u32 index, u64 *data);
int hvtb_vmx_set_msr(struct hvtb_vp *vp, u32 index, u64 data);
int hvtb_vmx_controls_init(void);
int hvtb_vmx_apicv_init(void);
void hvtb_vmx_apicv_exit(void);
bool hvtb_vmx_apicv_usable(void);

/* kmod/sched/sched.c */
int hvtb_sched_init(void);
void hvtb_sched_exit(void);
int hvtb_sched_vp_init(struct hvtb_vp *vp);
void hvtb_sched_vp_destroy(struct hvtb_vp *vp);
int hvtb_sched_start(struct hvtb_vp *vp);
int hvtb_sched_wait(struct hvtb_vp *vp);
bool hvtb_sched_done(struct hvtb_vp *vp);
void hvtb_sched_unblock(struct hvtb_vp *vp);
int hvtb_sched_set(struct hvtb_vp *vp, const struct hvtb_vp_sched *p);
int hvtb_sched_check(const struct hvtb_vp_sched *p);
long hvtb_sched_partition_ioctl(struct hvtb_partition *part, unsigned int cmd,
				void __user *uarg);
void hvtb_sched_partition_init(struct hvtb_partition *part);
void hvtb_sched_get(struct hvtb_vp *vp, struct hvtb_vp_sched *p);
int hvtb_sched_set_cpus(const struct cpumask *m);
void hvtb_sched_get_cpus(struct cpumask *m);
/*
 * kmod/apic/apic.c - the virtual local APIC.
 *
 * For other rooms (the SynIC): hvtb_apic_deliver() from any context (it
 * takes only a spinlock) sets a vector in IRR and kicks the VP;
 * hvtb_apic_set_eoi_notify() installs a hook called after each EOI with
 * the vector that ended (it may run with preemption disabled: no sleeping).
 */
#define HVTB_APIC_DELIVER_NMI	BIT(0)
typedef void (*hvtb_apic_eoi_fn)(struct hvtb_vp *vp, u32 vector);

int hvtb_apic_deliver(struct hvtb_vp *vp, u32 vector, u32 flags);
void hvtb_apic_set_eoi_notify(struct hvtb_vp *vp, hvtb_apic_eoi_fn fn);
void hvtb_apic_kick(struct hvtb_vp *vp);
void hvtb_apic_set_auto_eoi(struct hvtb_vp *vp, const unsigned long *vectors);
int hvtb_apic_hv_msr(struct hvtb_vp *vp, u32 index, u64 *data, bool write);

int hvtb_apic_create(struct hvtb_vp *vp);
void hvtb_apic_destroy(struct hvtb_vp *vp);
int hvtb_apic_set_base(struct hvtb_vp *vp, u64 val, bool host);
int hvtb_apic_msr_read(struct hvtb_vp *vp, u32 index, u64 *data);
int hvtb_apic_msr_write(struct hvtb_vp *vp, u32 index, u64 data, u64 guest_tsc);
u32 hvtb_apic_get_tpr(struct hvtb_vp *vp);
void hvtb_apic_set_tpr(struct hvtb_vp *vp, u32 tpr);
bool hvtb_apic_mmio_hit(struct hvtb_vp *vp, u64 gpa);
int hvtb_apic_mmio(struct hvtb_vp *vp);
bool hvtb_apic_has_interrupt(struct hvtb_vp *vp);
bool hvtb_apic_vid_allowed(struct hvtb_vp *vp);
u16 hvtb_apic_vid_prepare(struct hvtb_vp *vp);
phys_addr_t hvtb_apic_page_phys(struct hvtb_vp *vp);
bool hvtb_apic_eoi_exits(struct hvtb_vp *vp);
void hvtb_apic_eoi_induced(struct hvtb_vp *vp, u32 vector);
void hvtb_apic_write_trap(struct hvtb_vp *vp, u32 off);
int hvtb_apic_ack_interrupt(struct hvtb_vp *vp);
bool hvtb_apic_nmi_pending(struct hvtb_vp *vp);
void hvtb_apic_nmi_ack(struct hvtb_vp *vp);
int hvtb_apic_halt(struct hvtb_vp *vp);
void hvtb_apic_get_state(struct hvtb_vp *vp, struct hvtb_lapic_state *s);
int hvtb_apic_set_state(struct hvtb_vp *vp, const struct hvtb_lapic_state *s,
			u64 guest_tsc);
long hvtb_apic_assert(struct hvtb_partition *part, unsigned int cmd,
		      void __user *uarg);

/* kmod/apic/irqfd.c */
long hvtb_apic_irqfd(struct hvtb_partition *part, unsigned int cmd,
		     void __user *uarg);
void hvtb_apic_irqfd_release_all(struct hvtb_partition *part);

/* kmod/dev.c */
int hvtb_dev_init(void);
void hvtb_dev_exit(void);
void hvtb_cpumask_to_words(const struct cpumask *m, __u64 *w);
int hvtb_cpumask_from_words(const __u64 *w, struct cpumask *m);

#endif /* HVTB_H */
