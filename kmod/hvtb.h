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
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/wait.h>
#include <asm/fpu/types.h>

#include <linux/hvtb.h>
#include <linux/hvtb_apic.h>
#include <linux/hvtb_hv.h>
#include <linux/hvtb_sched.h>

#include "sched/policy.h"
#include "x86/mov_decode.h"

struct task_struct;

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
struct hvtb_vmbus;

/**
 * struct hvtb_partition - a child partition: address space, VPs, tables.
 * @kref: one reference from the partition fd, one from each VP.
 * @release: frees the partition at the last hvtb_partition_put() (the
 *           core's teardown; stored here so that the rooms below the core
 *           drop references without calling up into it).
 * @lock: serializes VP creation and table replacement.
 * @vps: published under @lock (rcu_assign_pointer()); every reader goes
 *       through hvtb_vp_lookup(), under rcu_read_lock() or @lock: a VP is
 *       freed only an RCU grace period after it was unpublished.
 */
struct hvtb_partition {
	struct kref kref;
	void (*release)(struct kref *kref);
	u32 id;
	u32 max_vps;
	u32 flags;		/* HVTB_PARTITION_* */
	struct mutex lock;
	struct hvtb_ept *ept;
	u64 eptp;		/* the EPTP of @ept, for the VMCS */
	u32 nr_vps;
	struct hvtb_vp __rcu *vps[HVTB_MAX_VPS];
	struct hvtb_cpuid_rcu __rcu *cpuid;
	struct hvtb_msr_list_rcu __rcu *msr_intercepts;
	bool root_sched;	/* HVTB_PARTITION_ROOT_SCHED */
	struct hvtb_vp_sched sched_default;	/* new VPs' policy (@lock) */
	struct mutex irqfd_lock;	/* guards @irqfds, @nr_irqfds */
	struct list_head irqfds;	/* eventfd -> APIC vector (apic/irqfd.c) */
	u32 nr_irqfds;
	struct hvtb_hv *hv;	/* kmod/hypercall/: enlightenments */
	struct hvtb_vmbus *vmbus;	/* kmod/vmbus/ (@lock), or NULL */
	/* APIC virtualization (HVTB_PARTITION_INFO_APICV) and its page */
	bool apicv;
	struct page *apic_access_page;
};

/*
 * Requests: deferred work for a VP (KVM's vcpu->requests). Whoever has
 * work for the VP sets a bit with hvtb_vp_request() (any context; from
 * another context it then kicks the VP: hvtb_vp_wake()). The backend's run
 * loop looks at the mask once before each VM entry, with interrupts off,
 * and leaves for the core's run loop (vp.c) if any bit is set; vp.c does
 * the work where it may sleep, in one place (vp_check_requests()), and
 * enters again. A room that owns a request registers its handler with
 * hvtb_vp_set_request_handler() at load.
 */
enum hvtb_request {
	HVTB_REQ_HV_WORK,	/* hypercall / synthetic-MSR work on guest memory */
	HVTB_REQ_SYNIC,		/* SynIC messages to write into the SIMP page */
	HVTB_REQ_APIC_MMIO,	/* an xAPIC access to emulate (its MOV decoded) */
	HVTB_REQ_HALT,		/* in HLT (in-kernel APIC): until an interrupt */
	HVTB_REQ_YIELD,		/* PAUSE loop, long spin wait: others run first */
	HVTB_REQ_SIO_IN,	/* INS: copy run->data into guest memory */
	HVTB_REQ_SIO_OUT,	/* OUTS: copy guest memory to run->data (exit) */
	HVTB_REQ_MMIO_INSN,	/* fetch the instruction bytes of run->mmio (exit) */
	HVTB_REQ_MP,		/* INIT/SIPI from the APIC; wait-for-SIPI */
	HVTB_NR_REQUESTS
};

/*
 * A request's handler: 0 to go on (enter the guest), 1 (VMX_EXIT_USER)
 * when run->exit_reason is set for user space, or -errno. Process context,
 * the VMCS not current.
 */
typedef int (*hvtb_request_fn)(struct hvtb_vp *vp);

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

	struct hvtb_gprs gprs;
	unsigned long cr2;
	u64 xcr0;
	u64 msrs[HVTB_NR_SWAPPED_MSRS];
	u64 host_msrs[HVTB_NR_SWAPPED_MSRS];
	u64 misc_enable;
	u64 tsc_adjust;		/* IA32_TSC_ADJUST */
	u64 mcg_status;		/* IA32_MCG_STATUS */
	u64 tsc_offset;		/* the VMCS TSC offset: guest TSC - host TSC */
	u64 apic_base;
	u64 cr8;
	unsigned long dr[4];
	unsigned long dr6;

	struct fpu_guest fpu;

	/* HVTB_REQ_* bits (atomic bitops); see enum hvtb_request. */
	unsigned long requests;
	/*
	 * Applies user space's answer to the intercept of the last run (an
	 * IN's value, a CPUID result, ...) before the next entry, VMCS
	 * current (KVM's complete_userspace_io); NULL when nothing waits.
	 */
	void (*complete_user)(struct hvtb_vp *vp);
	wait_queue_head_t halt_wq;	/* HLT in the RUN caller (vp.c) */
	struct hvtb_string_io sio;
	struct hvtb_paging paging;
	u8 exit_insn_len;
	u8 io_in_size;		/* operand size of a pending IN */
	u64 mmio_rip_linear;
	u8 mmio_mode;		/* X86_MODE_* of the code at the MMIO exit */
	struct x86_mov mmio_mov;	/* the MOV of a decoded MMIO exit */

	/* In-kernel local APIC (HVTB_PARTITION_LAPIC), else NULL. */
	struct hvtb_apic *apic;
	u64 apic_mmio_gpa;	/* the xAPIC access being emulated */

	/* Read at the exit, used by handlers and by the slow path. */
	u32 exit_reason;
	unsigned long exit_qual;

	struct hvtb_vp_stats stats;
	struct hvtb_sched_vp sched;
	bool run_async;		/* an HVTB_RUN_ASYNC run is in flight */
	struct task_struct __rcu *run_task;	/* executes the VP now, or NULL */
	struct hvtb_hv_vp *hv;	/* kmod/hypercall/: synthetic MSRs */
};

/**
 * hvtb_vp_lookup() - the VP of @part with index @index, or NULL.
 * @part: the partition
 * @index: the VP index (any value: out of range is NULL)
 *
 * Context: rcu_read_lock() (the VP stays valid until rcu_read_unlock();
 * vp_destroy() waits a grace period before it frees one) or @part->lock.
 * Return: the VP, or NULL.
 */
static inline struct hvtb_vp *hvtb_vp_lookup(struct hvtb_partition *part,
					     u32 index)
{
	if (index >= part->max_vps)
		return NULL;
	index = array_index_nospec(index, HVTB_MAX_VPS);
	return rcu_dereference_check(part->vps[index],
				     lockdep_is_held(&part->lock));
}

/* kmod/partition.c */
int hvtb_partition_create(const struct hvtb_partition_config __user *ucfg);

/** hvtb_partition_put() - drop a reference; the last one frees. */
static inline void hvtb_partition_put(struct hvtb_partition *part)
{
	kref_put(&part->kref, part->release);
}

/* kmod/vp.c */
int hvtb_vp_create(struct hvtb_partition *part, const struct hvtb_vp_config *cfg);

/* kmod/base/base.c: the services of the rooms above the backend */
enum { HVTB_CPUID_REG_EAX, HVTB_CPUID_REG_EBX, HVTB_CPUID_REG_ECX, HVTB_CPUID_REG_EDX };
bool hvtb_cpuid_bit(struct hvtb_partition *part, u32 fn, u32 idx,
		    unsigned int reg, unsigned int bit);
void hvtb_vp_set_task(struct hvtb_vp *vp, struct task_struct *t);
void hvtb_vp_kick(struct hvtb_vp *vp);
void hvtb_vp_wake(struct hvtb_vp *vp);
void hvtb_vp_set_unblock_hook(void (*fn)(struct hvtb_vp *vp));
void hvtb_vp_set_request_handler(enum hvtb_request req, hvtb_request_fn fn);
extern hvtb_request_fn hvtb_vp_request_fns[HVTB_NR_REQUESTS];

/** hvtb_vp_request() - note work for the VP's run loop (any context). */
static inline void hvtb_vp_request(struct hvtb_vp *vp, enum hvtb_request req)
{
	set_bit(req, &vp->requests);
}

/** hvtb_vp_test_request() - is @req noted (it stays noted)? */
static inline bool hvtb_vp_test_request(const struct hvtb_vp *vp,
					enum hvtb_request req)
{
	return test_bit(req, &vp->requests);
}

/** hvtb_vp_check_request() - take @req: true if it was noted. */
static inline bool hvtb_vp_check_request(struct hvtb_vp *vp,
					 enum hvtb_request req)
{
	return test_and_clear_bit(req, &vp->requests);
}

/** hvtb_vp_has_requests() - is any request noted? (once before each entry) */
static inline bool hvtb_vp_has_requests(const struct hvtb_vp *vp)
{
	return READ_ONCE(vp->requests);
}

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
void hvtb_apic_set_auto_eoi(struct hvtb_vp *vp, const unsigned long *vectors);
int hvtb_apic_hv_msr(struct hvtb_vp *vp, u32 index, u64 *data, bool write);

void hvtb_apic_init(void);
int hvtb_apic_create(struct hvtb_vp *vp);
void hvtb_apic_destroy(struct hvtb_vp *vp);
int hvtb_apic_set_base(struct hvtb_vp *vp, u64 val, bool host);
int hvtb_apic_msr_read(struct hvtb_vp *vp, u32 index, u64 *data);
int hvtb_apic_msr_write(struct hvtb_vp *vp, u32 index, u64 data, u64 guest_tsc);
u32 hvtb_apic_get_tpr(struct hvtb_vp *vp);
void hvtb_apic_set_tpr(struct hvtb_vp *vp, u32 tpr);
bool hvtb_apic_mmio_hit(struct hvtb_vp *vp, u64 gpa);
bool hvtb_apic_has_interrupt(struct hvtb_vp *vp);
bool hvtb_apic_vid_allowed(struct hvtb_vp *vp);
u16 hvtb_apic_vid_prepare(struct hvtb_vp *vp);
phys_addr_t hvtb_apic_page_phys(struct hvtb_vp *vp);
bool hvtb_apic_eoi_exits(struct hvtb_vp *vp);
void hvtb_apic_eoi_induced(struct hvtb_vp *vp, u32 vector);
void hvtb_apic_write_trap(struct hvtb_vp *vp, u32 off);
int hvtb_apic_ack_interrupt(struct hvtb_vp *vp);
bool hvtb_apic_nmi_pending(struct hvtb_vp *vp);
/* hvtb_apic_mp_take(): besides a SIPI vector 0..255 */
#define HVTB_APIC_MP_RUN	(-1)
#define HVTB_APIC_MP_WAIT	(-2)
#define HVTB_APIC_MP_INIT	(-3)
bool hvtb_apic_mp_waiting(struct hvtb_vp *vp);
int hvtb_apic_mp_take(struct hvtb_vp *vp);
u32 hvtb_apic_get_mp_state(struct hvtb_vp *vp);
void hvtb_apic_set_mp_state(struct hvtb_vp *vp, u32 state);
void hvtb_apic_nmi_ack(struct hvtb_vp *vp);
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

/* kmod/base/base.c: the uapi's CPU-mask words */
void hvtb_cpumask_to_words(const struct cpumask *m, __u64 *w);
int hvtb_cpumask_from_words(const __u64 *w, struct cpumask *m);

#endif /* HVTB_H */
