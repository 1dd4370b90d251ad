/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness (extracted at build time from Debian's
 * linux-source package) plus the skip rules every hvtb selftest shares.
 * Include from exactly one file per test binary: the harness defines
 * global objects.
 *
 * The 6.1 harness defines FIXTURE_SETUP/FIXTURE_TEARDOWN functions with
 * external linkage; write them as `static FIXTURE_SETUP(name)` to keep
 * -Wmissing-prototypes quiet (later harnesses make them static).
 */
#ifndef HVTB_HARNESS_H
#define HVTB_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "kselftest_harness.h"
#include "libhvtb.h"
#include "hvtb_test.h"

/*
 * Timeout of tests that load modules or hotplug CPUs: the test VM is an
 * emulator (Bochs) that runs a module load in about a second.
 */
#define HVTB_SLOW_TIMEOUT	600

/*
 * HVTB_SKIP() - SKIP the running test; the reason starts with the test's
 * name, as the 6.1 harness prints only the reason on the "ok N # SKIP" line.
 */
#define HVTB_SKIP(fmt, ...)						\
	SKIP(return, "%s: " fmt, _metadata->name, ##__VA_ARGS__)

/*
 * HVTB_OPEN_OR_SKIP() - open /dev/hvtb into @fd, or SKIP the test when the
 * module is not there (no VMX, or not loaded); any other error fails.
 */
#define HVTB_OPEN_OR_SKIP(fd, flags) do {				\
	(fd) = hvtb_open(flags);					\
	if ((fd) == -ENOENT && !cpu_has_vmx())				\
		HVTB_SKIP("CPU has no VMX: hvtb cannot load");		\
	if ((fd) == -ENOENT)						\
		HVTB_SKIP("%s missing: hvtb.ko is not loaded",		\
			  HVTB_DEV_PATH);				\
	ASSERT_LE(0, (fd))						\
		TH_LOG("open %s: %s", HVTB_DEV_PATH, strerror(-(fd)));	\
} while (0)

/* HVTB_KO_OR_SKIP() - SKIP unless $HVTB_KO names a readable hvtb.ko. */
#define HVTB_KO_OR_SKIP() do {						\
	if (!env_hvtb_ko())						\
		HVTB_SKIP("$HVTB_KO is not set to a readable hvtb.ko");	\
} while (0)

/* HVTBCTL_OR_SKIP() - set @path to hvtbctl, or SKIP when there is none. */
#define HVTBCTL_OR_SKIP(path) do {					\
	(path) = env_hvtbctl();						\
	if (!(path))							\
		HVTB_SKIP("hvtbctl not found ($HVTBCTL, ../bin, $PATH)"); \
} while (0)

#endif /* HVTB_HARNESS_H */
