/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the hvtb selftests (selftests/lib/). They do not use
 * the kselftest harness (which may be included by one file per binary
 * only); every helper returns -errno on failure and lets the test assert.
 */
#ifndef HVTB_TEST_H
#define HVTB_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/hvtb.h>
#include <linux/hvtb_apic.h>
#include <linux/hvtb_hv.h>
#include <linux/hvtb_sched.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---- environment (set by the test VM's init) ---- */

/* $HVTB_KO: path of hvtb.ko, or NULL when unset or unreadable. */
const char *env_hvtb_ko(void);
/* $HVTB_KVM_DIR: folder with irqbypass.ko, kvm.ko, kvm-intel.ko, or NULL. */
const char *env_kvm_dir(void);
/*
 * Path of hvtbctl: $HVTBCTL, else ../bin/hvtbctl beside this test binary
 * (the build tree), else hvtbctl in $PATH. NULL when none is executable.
 */
const char *env_hvtbctl(void);

/* ---- modules (finit_module / delete_module) ---- */

/* Load the module file @path with parameter string @params ("" for none). */
int mod_load(const char *path, const char *params);
/* Unload module @name without waiting (O_NONBLOCK), as rmmod does. */
int mod_unload(const char *name);
/* 1 when module @name is loaded (any state), 0 when not. */
int mod_loaded(const char *name);
/* Unload hvtb if it is loaded, then load $HVTB_KO with @params. */
int hvtb_reload(const char *params);
/* Load $HVTB_KO with default parameters unless hvtb is loaded already. */
int hvtb_ensure_loaded(void);

/* ---- kernel log ---- */

/* Open /dev/kmsg positioned after the last record logged so far. */
int kmsg_open(void);
/*
 * Read every record logged since kmsg_open() (or the previous call) and
 * copy into @buf the text of the last one that starts with @prefix.
 * Return: 1 when one was found, 0 when none, -errno on error.
 */
int kmsg_last(int fd, const char *prefix, char *buf, size_t len);

/* ---- MSRs through the msr driver ---- */

/* Read MSR @index on @cpu through /dev/cpu/<cpu>/msr. */
int msr_read(int cpu, __u32 index, __u64 *val);

/* ---- CPUs ---- */

/* 1 when CPUID.1:ECX.VMX[bit 5] is set on this CPU, 0 when not. */
int cpu_has_vmx(void);
/* Mask of the online CPUs (/sys/devices/system/cpu/online); count or -errno. */
int cpus_online(__u64 mask[HVTB_CPU_MASK_WORDS]);
/* 1/0 for online/offline CPU @cpu, -ENOENT when it cannot be hotplugged. */
int cpu_get_online(int cpu);
/* Write /sys/devices/system/cpu/cpu<cpu>/online. */
int cpu_set_online(int cpu, int online);

/* ---- VMX capability MSRs ---- */

/*
 * The HVTB_FEAT_* bits that the raw MSR values in @caps (vmx_basic, the
 * control MSRs, ept_vpid_cap) allow, derived as the SDM describes them.
 */
__u64 vmx_features_from_msrs(const struct hvtb_capabilities *caps);
/* The HVTB_FEAT_* bits that are secondary processor-based controls. */
__u64 vmx_ctls2_features(void);

/* ---- processes ---- */

/* Credentials a child drops to; ngroups == 0 clears the supplementary list. */
struct proc_creds {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[4];
};

/*
 * Run @fn(@arg) in a child, after dropping to @creds when not NULL.
 * Return: the child's exit status (fn's return value & 0xff), 128 + signal
 * when it was killed, or -errno when it could not be started.
 */
int proc_call(const struct proc_creds *creds, int (*fn)(void *), void *arg);

/*
 * Run program @argv (argv[0] is a path) with @creds (NULL: unchanged),
 * capturing stdout into @out and stderr into @err (NUL-terminated,
 * truncated to the buffer sizes; either may be NULL).
 * Return: the exit status, 128 + signal, or -errno.
 */
int proc_run(const char *const argv[], const struct proc_creds *creds,
	     char *out, size_t outlen, char *err, size_t errlen);

/* ---- JSON (for hvtbctl --json) ---- */

/*
 * Check that @text is one valid JSON value (RFC 8259) and nothing else.
 * Return: 0, or -EINVAL with the byte offset of the error in *@where.
 */
int json_validate(const char *text, size_t *where);
/*
 * Find @key in the top-level object of @text and copy its value into
 * @buf: a string without its quotes (escapes kept as written), anything
 * else as written. Return: 0, -ENOENT, -EINVAL, -ENOSPC.
 */
int json_get(const char *text, const char *key, char *buf, size_t len);

#endif /* HVTB_TEST_H */
