// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb - hypervisor research testbed: module init and exit.
 *
 * Load order: probe VMX on this CPU, enter VMX root on every online CPU (and
 * follow hotplug), hook reboot and panic, then create /dev/hvtb. Unload
 * undoes it in reverse. Any failure leaves nothing behind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/reboot.h>

#include <linux/hvtb.h>
#include "hvtb.h"
#include "vmx/vmx.h"
#include "hypercall/hv.h"

static int hvtb_reboot_notify(struct notifier_block *nb, unsigned long code,
			      void *unused)
{
	hvtb_vmx_root_stop_all();
	return NOTIFY_OK;
}

static struct notifier_block hvtb_reboot_nb = {
	.notifier_call = hvtb_reboot_notify,
};

static int hvtb_panic_notify(struct notifier_block *nb, unsigned long code,
			     void *unused)
{
	hvtb_vmx_root_stop_this_cpu();
	return NOTIFY_DONE;
}

static struct notifier_block hvtb_panic_nb = {
	.notifier_call = hvtb_panic_notify,
};

static int __init hvtb_init(void)
{
	int r;

	r = hvtb_vmx_probe();
	if (r)
		return r;
	r = hvtb_vmx_controls_init();
	if (r)
		return r;
	r = hvtb_vmx_apicv_init();
	if (r)
		return r;

	r = hvtb_vmx_root_init();
	if (r)
		goto err_apicv;

	r = register_reboot_notifier(&hvtb_reboot_nb);
	if (r)
		goto err_vmx_root;
	atomic_notifier_chain_register(&panic_notifier_list, &hvtb_panic_nb);

	/* The rooms above the core register what they handle. */
	hvtb_apic_init();
	hvtb_hv_init();

	r = hvtb_sched_init();
	if (r)
		goto err_notifiers;

	r = hvtb_dev_init();
	if (r)
		goto err_sched;

	pr_info("VMX root on %u of %u online CPUs (VMCS revision 0x%x, APIC virtualization %s), /dev/hvtb ready\n",
		cpumask_weight(hvtb_vmx_root_cpus()), num_online_cpus(),
		hvtb_caps.revision, hvtb_vmx_apicv_usable() ? "on" : "off");
	return 0;

err_sched:
	hvtb_sched_exit();
err_notifiers:
	atomic_notifier_chain_unregister(&panic_notifier_list, &hvtb_panic_nb);
	unregister_reboot_notifier(&hvtb_reboot_nb);
err_vmx_root:
	hvtb_vmx_root_exit();
err_apicv:
	hvtb_vmx_apicv_exit();
	return r;
}

static void __exit hvtb_exit(void)
{
	hvtb_dev_exit();
	hvtb_sched_exit();
	atomic_notifier_chain_unregister(&panic_notifier_list, &hvtb_panic_nb);
	unregister_reboot_notifier(&hvtb_reboot_nb);
	hvtb_vmx_root_exit();
	hvtb_vmx_apicv_exit();
	pr_info("unloaded: VMX root left on every CPU\n");
}

module_init(hvtb_init);
module_exit(hvtb_exit);

MODULE_DESCRIPTION("hvtb: hypervisor research testbed (VMX root, partitions, Hyper-V interfaces)");
MODULE_AUTHOR("The hvtb developers");
MODULE_LICENSE("GPL");
