/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - the one place for kernel-version differences.
 */
#ifndef HVTB_COMPAT_H
#define HVTB_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>
#include <linux/mm.h>

/* 6.2 made the device argument of devnode callbacks const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define hvtb_devnode_dev_t	const struct device
#else
#define hvtb_devnode_dev_t	struct device
#endif

/* 6.4 dropped the owner argument of class_create(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define hvtb_class_create(name)	class_create(name)
#else
#define hvtb_class_create(name)	class_create(THIS_MODULE, name)
#endif

/* 6.3 made vma->vm_flags read-only: vm_flags_set() sets bits. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define hvtb_vm_flags_set(vma, flags)	vm_flags_set((vma), (flags))
#else
static inline void hvtb_vm_flags_set(struct vm_area_struct *vma,
				     unsigned long flags)
{
	vma->vm_flags |= flags;
}
#endif

#endif /* HVTB_COMPAT_H */
