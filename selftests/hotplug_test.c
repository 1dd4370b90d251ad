// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug_test - VMX root operation follows CPU hotplug: an offlined CPU
 * leaves VMX root (VMXOFF), an onlined one enters it (VMXON), also while
 * /dev/hvtb is held open and when the module loads with a CPU offline.
 * Needs 2 CPUs; CPU 1 is the one hotplugged. Leaves every CPU online.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hvtb_harness.h"

#define HOTPLUG_CPU	1
#define CYCLES		5

FIXTURE(hotplug) {
	int fd;
	int was_loaded;
	int offlined;		/* HOTPLUG_CPU was taken offline by the test */
};

static FIXTURE_SETUP(hotplug)
{
	self->fd = -1;
	self->was_loaded = mod_loaded("hvtb");
	self->offlined = 0;
}

static FIXTURE_TEARDOWN(hotplug)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->offlined)
		EXPECT_EQ(0, cpu_set_online(HOTPLUG_CPU, 1));
	if (self->was_loaded)
		EXPECT_EQ(0, hvtb_ensure_loaded());
}

/*
 * Open /dev/hvtb (SKIP without it), then SKIP unless there are 2 online
 * CPUs and HOTPLUG_CPU can be hotplugged.
 */
#define HOTPLUG_OR_SKIP(self) do {					\
	__u64 _mask[HVTB_CPU_MASK_WORDS];				\
	int _n;								\
									\
	HVTB_OPEN_OR_SKIP((self)->fd, O_RDWR);				\
	_n = cpus_online(_mask);					\
	ASSERT_LT(0, _n);						\
	if (_n < 2)							\
		HVTB_SKIP("needs 2 online CPUs, has %d", _n);		\
	_n = cpu_get_online(HOTPLUG_CPU);				\
	if (_n == -ENOENT)						\
		HVTB_SKIP("CPU %d cannot be hotplugged", HOTPLUG_CPU);	\
	ASSERT_EQ(1, _n);						\
	ASSERT_EQ(1, hvtb_check_extension((self)->fd,			\
					  HVTB_EXT_CPU_HOTPLUG));	\
} while (0)

/*
 * The module's view equals sysfs: @online CPUs, all of them in VMX root,
 * HOTPLUG_CPU's bit set iff @cpu_in.
 */
static void check_root(struct __test_metadata *_metadata, int fd,
		       unsigned int online, int cpu_in)
{
	__u64 mask[HVTB_CPU_MASK_WORDS];
	struct hvtb_capabilities caps;

	ASSERT_EQ((int)online, cpus_online(mask));
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));
	EXPECT_EQ(online, caps.online_cpus);
	EXPECT_EQ(online, caps.vmx_root_cpus);
	EXPECT_EQ(cpu_in, (int)(caps.vmx_root_mask[0] >> HOTPLUG_CPU & 1));
	EXPECT_EQ(0, memcmp(mask, caps.vmx_root_mask, sizeof(mask)))
		TH_LOG("vmx_root_mask 0x%llx, online 0x%llx",
		       (unsigned long long)caps.vmx_root_mask[0],
		       (unsigned long long)mask[0]);
}

/* Take HOTPLUG_CPU offline (@on == 0) or online; *@offlined records it. */
static void hotplug(struct __test_metadata *_metadata, int *offlined, int on)
{
	int ret = cpu_set_online(HOTPLUG_CPU, on);

	ASSERT_EQ(0, ret) TH_LOG("cpu%d online=%d: %s", HOTPLUG_CPU, on,
				 strerror(-ret));
	*offlined = !on;
	ASSERT_EQ(on, cpu_get_online(HOTPLUG_CPU));
}

TEST_F_TIMEOUT(hotplug, offline_online, HVTB_SLOW_TIMEOUT)
{
	struct hvtb_capabilities caps;
	unsigned int n;
	int fd;

	HOTPLUG_OR_SKIP(self);
	ASSERT_EQ(0, hvtb_get_capabilities(self->fd, &caps));
	n = caps.vmx_root_cpus;
	check_root(_metadata, self->fd, n, 1);
	close(self->fd);
	self->fd = -1;

	/* A fresh open for each look: nothing is held across hotplug. */
	hotplug(_metadata, &self->offlined, 0);
	fd = hvtb_open(O_RDWR);
	ASSERT_LE(0, fd);
	check_root(_metadata, fd, n - 1, 0);
	close(fd);

	hotplug(_metadata, &self->offlined, 1);
	fd = hvtb_open(O_RDWR);
	ASSERT_LE(0, fd);
	check_root(_metadata, fd, n, 1);
	close(fd);
}

TEST_F_TIMEOUT(hotplug, cycles_with_fd_open, HVTB_SLOW_TIMEOUT)
{
	struct hvtb_capabilities caps;
	unsigned int n;
	int i;

	HOTPLUG_OR_SKIP(self);
	ASSERT_EQ(0, hvtb_get_capabilities(self->fd, &caps));
	n = caps.vmx_root_cpus;
	for (i = 0; i < CYCLES; i++) {
		hotplug(_metadata, &self->offlined, 0);
		check_root(_metadata, self->fd, n - 1, 0);
		hotplug(_metadata, &self->offlined, 1);
		check_root(_metadata, self->fd, n, 1);
	}
	EXPECT_EQ(HVTB_API_VERSION, hvtb_get_api_version(self->fd));
}

/* Loaded while a CPU is offline: that CPU enters VMX root when it comes. */
TEST_F_TIMEOUT(hotplug, load_with_cpu_offline, HVTB_SLOW_TIMEOUT)
{
	struct hvtb_capabilities caps;
	unsigned int n;

	HOTPLUG_OR_SKIP(self);
	HVTB_KO_OR_SKIP();
	ASSERT_EQ(0, hvtb_get_capabilities(self->fd, &caps));
	n = caps.vmx_root_cpus;
	close(self->fd);
	self->fd = -1;

	hotplug(_metadata, &self->offlined, 0);
	ASSERT_EQ(0, hvtb_reload(""));
	self->fd = hvtb_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	check_root(_metadata, self->fd, n - 1, 0);
	hotplug(_metadata, &self->offlined, 1);
	check_root(_metadata, self->fd, n, 1);
}

TEST_HARNESS_MAIN
