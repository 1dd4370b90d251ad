/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - Hyper-V (TLFS) enlightenments: the interface between
 * kmod/hypercall/ and the rest of the module.
 *
 * A partition's enlightenment config is fixed before its first VP, so the
 * exit handlers read it without locks. Work that needs guest memory (the
 * ept accessors sleep) is noted in the VP by the exit handler as the
 * request HVTB_REQ_HV_WORK; vp.c runs its handler (registered by
 * hvtb_hv_init()) after the VMCS is put and enters the guest again without
 * going to user space.
 */
#ifndef HVTB_HYPERCALL_HV_H
#define HVTB_HYPERCALL_HV_H

#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <linux/hvtb_hv.h>

struct hvtb_partition;
struct hvtb_vp;

/* The MSR range handled here (one call from kmod/vmx/msr.c). */
#define HVTB_HV_MSR_FIRST	0x40000000U
#define HVTB_HV_MSR_LAST	0x400000ffU

static inline bool hvtb_hv_msr_range(u32 index)
{
	return index >= HVTB_HV_MSR_FIRST && index <= HVTB_HV_MSR_LAST;
}

/**
 * struct hvtb_hv - a partition's enlightenment state.
 * @cfg: the config of HVTB_PARTITION_SET_HYPERV (fixed once a VP exists).
 * @enabled: HVTB_HV_ENABLE was set.
 * @lock: guards the partition-wide MSRs below.
 * @ports_lock: guards @ports and message queueing.
 * @ports: connection id -> struct hvtb_hv_port.
 * @events: connection id -> struct hvtb_hv_evt (RCU readers, writers
 *	under @ports_lock).
 */
struct hvtb_hv {
	struct hvtb_hyperv_config cfg;
	bool enabled;
	u64 tsc_hz;		/* host TSC, for the reference time */
	u64 tsc_scale;		/* 64.64 fixed point: 100 ns units per tick */
	u64 tsc_at_create;	/* host TSC at partition creation */
	u64 ref_base;		/* reference time at tsc_at_create (a restore) */

	spinlock_t lock;
	u64 guest_os_id;
	u64 hypercall;
	u64 reference_tsc;

	struct mutex ports_lock;
	struct xarray ports;
	struct xarray events;
	bool rcu_pending;	/* an event was freed with call_rcu() */
};

/* A hypercall whose memory part runs after the VMCS is put. */
struct hvtb_hv_call {
	u64 control;
	u64 in_gpa;
	u64 out_gpa;
};

/* Sleeping work an exit left for the HVTB_REQ_HV_WORK handler. */
#define HV_WORK_HYPERCALL	BIT(0)	/* vp->hv->call */
#define HV_WORK_HC_PAGE		BIT(1)	/* write the hypercall page */
#define HV_WORK_TSC_PAGE	BIT(2)	/* write the reference TSC page */

struct hvtb_synic_queue;

/* synic_work bit: flags_pending has bits to set in the SIEFP page. */
#define HVTB_SYNIC_WORK_FLAGS	16

/**
 * struct hvtb_stimer - a synthetic timer (kmod/hypercall/synic.c).
 * @armed: @timer stands for the current programming (synic_lock).
 * @queued: its expiry message waits in the SINT queue (synic_lock).
 * @exp: the expiration being timed, in reference time.
 */
struct hvtb_stimer {
	struct hrtimer timer;
	struct hvtb_vp *vp;
	bool armed;
	bool queued;
	u64 exp;
};

/**
 * struct hvtb_hv_vp - a VP's synthetic MSRs, SynIC and hypercall state.
 * @synic_lock: guards @queues, @queued, @event_pending, @sint writes and
 *	the timers (taken from hrtimer callbacks: irqsave).
 * @queues: a message queue per SINT; NULL if the SynIC is not granted.
 * @synic_work: SINTs whose queue the VP should try to deliver, and
 *	HVTB_SYNIC_WORK_FLAGS (atomic bitops; set by anyone, cleared by the
 *	VP's run path).
 * @flags_pending: event flags hvtb_synic_signal_async() noted, bit
 *	sint * 2048 + flag (atomic bitops), for the run path to set.
 * @queued: SINTs with messages queued.
 * @event_pending: SINTs that got an event flag while masked.
 */
struct hvtb_hv_vp {
	u64 vp_assist;
	u64 scontrol;
	u64 siefp;
	u64 simp;
	u64 sint[16];
	u64 stimer_config[4];
	u64 stimer_count[4];

	spinlock_t synic_lock;
	struct hvtb_synic_queue *queues;
	unsigned long synic_work;
	unsigned long *flags_pending;
	u16 queued;
	u16 event_pending;
	struct hvtb_stimer stimer[4];

	unsigned long work;	/* HV_WORK_* */
	struct hvtb_hv_call call;
	struct hvtb_hv_vp_stats stats;
};

/* kmod/hypercall/hv.c */
int hvtb_hv_partition_init(struct hvtb_partition *part);
void hvtb_hv_partition_destroy(struct hvtb_partition *part);
/* partition-fd ioctls (the table in kmod/partition.c) */
long hvtb_hv_set_config(struct hvtb_partition *part, unsigned int cmd,
			void __user *uarg);
long hvtb_hv_create_port(struct hvtb_partition *part, unsigned int cmd,
			 void __user *uarg);
long hvtb_hv_set_event(struct hvtb_partition *part, unsigned int cmd,
		       void __user *uarg);
long hvtb_hv_reference_time(struct hvtb_partition *part, unsigned int cmd,
			    void __user *uarg);
int hvtb_hv_vp_init(struct hvtb_vp *vp);
void hvtb_hv_vp_destroy(struct hvtb_vp *vp);
/* VP-fd ioctl (the table in kmod/vp.c) */
long hvtb_hv_vp_get_stats(struct hvtb_vp *vp, unsigned int cmd,
			  void __user *uarg);
bool hvtb_hv_cpuid(struct hvtb_vp *vp, u32 fn, struct hvtb_cpuid_entry *e);
u64 hvtb_hv_time_ref(struct hvtb_hv *hv);
int hvtb_hv_post_message(struct hvtb_vp *vp, u32 conn, u32 type, u32 size,
			 const u8 *payload);
/* Not a TLFS status: hvtb_hv_signal_event() must be called where it may sleep. */
#define HVTB_HV_STATUS_SLOW	0xffff
u16 hvtb_hv_signal_event(struct hvtb_vp *vp, u64 param, bool may_sleep);

/* kmod/hypercall/msr.c */
int hvtb_hv_msr_read(struct hvtb_vp *vp, u32 index, u64 *data, bool host);
int hvtb_hv_msr_write(struct hvtb_vp *vp, u32 index, u64 data, bool host);
void hvtb_hv_write_pages(struct hvtb_vp *vp);

/* kmod/hypercall/synic.c */
int hvtb_synic_vp_init(struct hvtb_vp *vp);
void hvtb_synic_vp_stop(struct hvtb_vp *vp);
void hvtb_synic_vp_destroy(struct hvtb_vp *vp);
int hvtb_synic_msr_write(struct hvtb_vp *vp, u32 index, u64 data, bool host);
void hvtb_synic_deliver(struct hvtb_vp *vp);
/* VP-fd ioctls (the table in kmod/vp.c) */
long hvtb_synic_ioctl_state(struct hvtb_vp *vp, unsigned int cmd,
			    void __user *uarg);
long hvtb_synic_ioctl_queue(struct hvtb_vp *vp, unsigned int cmd,
			    void __user *uarg);
int hvtb_synic_signal(struct hvtb_partition *part, u32 vp_index, u32 sint,
		      u32 flag);
/* partition-fd ioctls (the table in kmod/partition.c) */
long hvtb_synic_ioctl_post(struct hvtb_partition *part, unsigned int cmd,
			   void __user *uarg);
long hvtb_synic_ioctl_signal_flag(struct hvtb_partition *part, unsigned int cmd,
				  void __user *uarg);

int hvtb_hv_tsc_offset_changed(struct hvtb_vp *vp);

/* kmod/hypercall/hypercall.c */
void hvtb_hv_init(void);

#endif /* HVTB_HYPERCALL_HV_H */
