/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - the ioctl tables of /dev/hvtb, the partition fd and the VP fd.
 *
 * Each fd type has one table indexed by the ioctl's number (the HVTB_NR_*
 * table of <linux/hvtb.h>). An entry says which handler serves the ioctl,
 * the size of its argument (checked against the size encoded in the ioctl
 * at build time), which lock the dispatcher takes around the handler, and
 * whether the ioctl may run while an HVTB_RUN_ASYNC run is in flight. The
 * dispatcher answers an ioctl whose number, direction or size is not in
 * the table with -ENOTTY; nothing else falls through to another room.
 */
#ifndef HVTB_IOCTL_H
#define HVTB_IOCTL_H

#include <linux/build_bug.h>
#include <linux/ioctl.h>
#include <linux/nospec.h>
#include <linux/types.h>

#include <linux/hvtb.h>

struct hvtb_partition;
struct hvtb_vp;

/* The lock the dispatcher holds while the handler runs. */
enum hvtb_ioctl_lock {
	/* none: the handler takes its own (part->lock, sched_cpus_sem, ...) */
	HVTB_IOCTL_UNLOCKED,
	/* vp->run_lock (killable: -EINTR), VP fd only */
	HVTB_IOCTL_RUN_LOCK,
};

/* struct hvtb_ioctl.flags */
/* May run while an HVTB_RUN_ASYNC run is in flight (else -EBUSY). */
#define HVTB_IOCTL_ASYNC_OK	BIT(0)
/* Sets the VP's state: a HLT that a signal interrupted is over. */
#define HVTB_IOCTL_ENDS_HLT	BIT(1)

typedef long (*hvtb_sys_ioctl_fn)(unsigned int cmd, unsigned long arg);
typedef long (*hvtb_partition_ioctl_fn)(struct hvtb_partition *part,
					unsigned int cmd, void __user *uarg);
typedef long (*hvtb_vp_ioctl_fn)(struct hvtb_vp *vp, unsigned int cmd,
				 void __user *uarg);

struct hvtb_ioctl {
	unsigned int cmd;	/* the full ioctl; 0: no ioctl with this number */
	u16 size;		/* bytes of the argument struct; 0 for _IO */
	u8 lock;		/* enum hvtb_ioctl_lock */
	u8 flags;		/* HVTB_IOCTL_* */
	union {
		hvtb_sys_ioctl_fn sys;
		hvtb_partition_ioctl_fn part;
		hvtb_vp_ioctl_fn vp;
	};
};

/* Argument size of @cmd, which must be that of @type (else the build fails). */
#define HVTB_IOCTL_SIZE(cmd, type) \
	(sizeof(type) + BUILD_BUG_ON_ZERO(_IOC_SIZE(cmd) != sizeof(type)))

/* An entry of a table: @kind is sys, part or vp. */
#define HVTB_IOCTL(kind, _cmd, type, fn, _lock, _flags)			\
	[_IOC_NR(_cmd)] = { .cmd = (_cmd), .size = HVTB_IOCTL_SIZE(_cmd, type), \
			    .lock = (_lock), .flags = (_flags), .kind = (fn) }
/* An _IO entry: the argument is a value, not a struct. */
#define HVTB_IOCTL_NOARG(kind, _cmd, fn, _lock, _flags)			\
	[_IOC_NR(_cmd)] = { .cmd = (_cmd), .size = 0 + BUILD_BUG_ON_ZERO(_IOC_SIZE(_cmd)), \
			    .lock = (_lock), .flags = (_flags), .kind = (fn) }

/**
 * hvtb_ioctl_find() - the entry of a table that serves @cmd.
 * @t: the table
 * @n: its number of entries
 * @cmd: the ioctl
 * Return: the entry, or NULL when @cmd is not in @t (-ENOTTY).
 */
static inline const struct hvtb_ioctl *
hvtb_ioctl_find(const struct hvtb_ioctl *t, size_t n, unsigned int cmd)
{
	size_t nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) != HVTBIO || nr >= n)
		return NULL;
	nr = array_index_nospec(nr, n);
	return t[nr].cmd == cmd ? &t[nr] : NULL;
}

#endif /* HVTB_IOCTL_H */
