// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - /dev/hvtb and its ioctls.
 *
 * The node is root-only (0600) unless the module parameter "group" names a
 * group, which then gets read/write access (0660).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>
#include <asm/tsc.h>

#include <linux/hvtb.h>
#include "compat.h"
#include "hvtb.h"
#include "vmx/vmx.h"
#include "ioctl.h"

static int group = -1;
module_param(group, int, 0444);
MODULE_PARM_DESC(group, "gid given read/write access to /dev/hvtb (default -1: root only)");

static dev_t hvtb_devt;
static struct cdev hvtb_cdev;
static struct class *hvtb_class;
static struct device *hvtb_device;

static char *hvtb_devnode(hvtb_devnode_dev_t *dev, umode_t *mode, kuid_t *uid,
			  kgid_t *gid)
{
	if (mode)
		*mode = group >= 0 ? 0660 : 0600;
	if (gid && group >= 0)
		*gid = KGIDT_INIT(group);
	return NULL;
}

static void hvtb_device_release(struct device *dev)
{
	kfree(dev);
}

static const struct device_type hvtb_device_type = {
	.name = "hvtb",
	.devnode = hvtb_devnode,
};

static long dev_check_extension(unsigned int cmd, unsigned long ext)
{
	if (ext > U32_MAX)
		return -EINVAL;
	switch (ext) {
	case HVTB_EXT_CAPABILITIES:
	case HVTB_EXT_CPU_HOTPLUG:
	case HVTB_EXT_PARTITIONS:
	case HVTB_EXT_SCHED:
	case HVTB_EXT_LAPIC:
	case HVTB_EXT_HYPERV:
		return 1;
	default:
		return 0;
	}
}

static void dev_fill_capabilities(struct hvtb_capabilities *caps)
{
	const struct hvtb_vmx_caps *c = &hvtb_caps;

	caps->api_version = HVTB_API_VERSION;
	caps->features = c->features;
	caps->vmcs_revision = c->revision;
	caps->vmcs_size = c->vmcs_size;
	caps->preemption_timer_shift = c->timer_shift;
	caps->tsc_khz = tsc_khz;

	cpus_read_lock();
	caps->online_cpus = num_online_cpus();
	caps->vmx_root_cpus = cpumask_weight(hvtb_vmx_root_cpus());
	hvtb_cpumask_to_words(hvtb_vmx_root_cpus(), caps->vmx_root_mask);
	cpus_read_unlock();

	caps->feature_control = c->feature_control;
	caps->vmx_basic = c->basic;
	caps->pinbased_ctls = c->pinbased;
	caps->procbased_ctls = c->procbased;
	caps->procbased_ctls2 = c->procbased2;
	caps->exit_ctls = c->exit;
	caps->entry_ctls = c->entry;
	caps->vmx_misc = c->misc;
	caps->ept_vpid_cap = c->ept_vpid;
	caps->cr0_fixed0 = c->cr0_fixed0;
	caps->cr0_fixed1 = c->cr0_fixed1;
	caps->cr4_fixed0 = c->cr4_fixed0;
	caps->cr4_fixed1 = c->cr4_fixed1;
	caps->vmfunc = c->vmfunc;
}

static long dev_get_capabilities(unsigned int cmd, unsigned long arg)
{
	struct hvtb_capabilities __user *ucaps = (void __user *)arg;
	struct hvtb_capabilities caps;

	if (copy_from_user(&caps, ucaps, sizeof(caps)))
		return -EFAULT;
	/* No input is defined yet: flags, and everything else, must be 0. */
	if (memchr_inv(&caps, 0, sizeof(caps)))
		return -EINVAL;
	dev_fill_capabilities(&caps);
	if (copy_to_user(ucaps, &caps, sizeof(caps)))
		return -EFAULT;
	return 0;
}

/* HVTB_SET_SCHED_CPUS / HVTB_GET_SCHED_CPUS */
static long dev_sched_cpus(void __user *uarg, bool set)
{
	struct hvtb_sched_cpus sc;
	cpumask_var_t m;
	long r = 0;

	if (set && !capable(CAP_SYS_NICE))
		return -EPERM;
	if (!zalloc_cpumask_var(&m, GFP_KERNEL))
		return -ENOMEM;
	if (set) {
		if (copy_from_user(&sc, uarg, sizeof(sc)))
			r = -EFAULT;
		else if (memchr_inv(sc.reserved, 0, sizeof(sc.reserved)) ||
			 hvtb_cpumask_from_words(sc.mask, m))
			r = -EINVAL;
		else
			r = hvtb_sched_set_cpus(m);
	} else {
		memset(&sc, 0, sizeof(sc));
		hvtb_sched_get_cpus(m);
		hvtb_cpumask_to_words(m, sc.mask);
		if (copy_to_user(uarg, &sc, sizeof(sc)))
			r = -EFAULT;
	}
	free_cpumask_var(m);
	return r;
}

static long dev_get_api_version(unsigned int cmd, unsigned long arg)
{
	return arg ? -EINVAL : HVTB_API_VERSION;
}

static long dev_create_partition(unsigned int cmd, unsigned long arg)
{
	return hvtb_partition_create((void __user *)arg);
}

static long dev_sched_cpus_ioctl(unsigned int cmd, unsigned long arg)
{
	return dev_sched_cpus((void __user *)arg, cmd == HVTB_SET_SCHED_CPUS);
}

/* The ioctls of /dev/hvtb; every handler takes the locks it needs itself. */
static const struct hvtb_ioctl dev_ioctls[] = {
	HVTB_IOCTL_NOARG(sys, HVTB_GET_API_VERSION, dev_get_api_version,
			 HVTB_IOCTL_UNLOCKED, 0),
	HVTB_IOCTL_NOARG(sys, HVTB_CHECK_EXTENSION, dev_check_extension,
			 HVTB_IOCTL_UNLOCKED, 0),
	HVTB_IOCTL(sys, HVTB_GET_CAPABILITIES, struct hvtb_capabilities,
		   dev_get_capabilities, HVTB_IOCTL_UNLOCKED, 0),
	HVTB_IOCTL(sys, HVTB_CREATE_PARTITION, struct hvtb_partition_config,
		   dev_create_partition, HVTB_IOCTL_UNLOCKED, 0),
	HVTB_IOCTL(sys, HVTB_SET_SCHED_CPUS, struct hvtb_sched_cpus,
		   dev_sched_cpus_ioctl, HVTB_IOCTL_UNLOCKED, 0),
	HVTB_IOCTL(sys, HVTB_GET_SCHED_CPUS, struct hvtb_sched_cpus,
		   dev_sched_cpus_ioctl, HVTB_IOCTL_UNLOCKED, 0),
};

static long hvtb_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	const struct hvtb_ioctl *io;

	io = hvtb_ioctl_find(dev_ioctls, ARRAY_SIZE(dev_ioctls), cmd);
	if (!io)
		return -ENOTTY;
	return io->sys(cmd, arg);
}

static const struct file_operations hvtb_dev_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.llseek = noop_llseek,
	.unlocked_ioctl = hvtb_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * hvtb_dev_init() - create /dev/hvtb.
 *
 * Return: 0 or -errno; nothing is left registered on failure.
 */
int hvtb_dev_init(void)
{
	int r;

	if (group < -1) {
		pr_err("group=%d is not a gid: give a gid >= 0, or -1 for root only\n",
		       group);
		return -EINVAL;
	}

	r = alloc_chrdev_region(&hvtb_devt, 0, 1, "hvtb");
	if (r)
		return r;

	cdev_init(&hvtb_cdev, &hvtb_dev_fops);
	hvtb_cdev.owner = THIS_MODULE;
	r = cdev_add(&hvtb_cdev, hvtb_devt, 1);
	if (r)
		goto err_unregister_region;

	hvtb_class = hvtb_class_create("hvtb");
	if (IS_ERR(hvtb_class)) {
		r = PTR_ERR(hvtb_class);
		goto err_del_cdev;
	}

	hvtb_device = kzalloc(sizeof(*hvtb_device), GFP_KERNEL);
	if (!hvtb_device) {
		r = -ENOMEM;
		goto err_destroy_class;
	}
	device_initialize(hvtb_device);
	hvtb_device->devt = hvtb_devt;
	hvtb_device->class = hvtb_class;
	hvtb_device->type = &hvtb_device_type;
	hvtb_device->release = hvtb_device_release;
	r = dev_set_name(hvtb_device, "hvtb");
	if (r)
		goto err_put_device;
	r = device_add(hvtb_device);
	if (r)
		goto err_put_device;
	return 0;

err_put_device:
	put_device(hvtb_device);
err_destroy_class:
	class_destroy(hvtb_class);
err_del_cdev:
	cdev_del(&hvtb_cdev);
err_unregister_region:
	unregister_chrdev_region(hvtb_devt, 1);
	return r;
}

/** hvtb_dev_exit() - remove /dev/hvtb. */
void hvtb_dev_exit(void)
{
	device_unregister(hvtb_device);
	class_destroy(hvtb_class);
	cdev_del(&hvtb_cdev);
	unregister_chrdev_region(hvtb_devt, 1);
}
