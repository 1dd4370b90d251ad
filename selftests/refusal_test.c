// SPDX-License-Identifier: GPL-2.0
/*
 * refusal_test - on a CPU without VMX (the QEMU-TCG run, where init does
 * not load hvtb): loading fails with -ENODEV and one clear log line, no
 * /dev/hvtb appears, and hvtbctl says the module is not loaded.
 * SKIPs on a CPU that has VMX.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvtb_harness.h"

#define NO_VMX_OR_SKIP() do {						\
	if (cpu_has_vmx())						\
		HVTB_SKIP("CPU has VMX: this suite is for CPUs without it"); \
} while (0)

FIXTURE(refusal) {
	int kmsg;
};

static FIXTURE_SETUP(refusal)
{
	self->kmsg = -1;
}

static FIXTURE_TEARDOWN(refusal)
{
	if (self->kmsg >= 0)
		close(self->kmsg);
}

TEST_F_TIMEOUT(refusal, load_without_vmx, HVTB_SLOW_TIMEOUT)
{
	char line[512];
	struct stat st;
	int i;

	NO_VMX_OR_SKIP();
	HVTB_KO_OR_SKIP();
	ASSERT_FALSE(mod_loaded("hvtb"));
	/* Twice: a refused load leaves nothing behind that breaks the next. */
	for (i = 0; i < 2; i++) {
		self->kmsg = kmsg_open();
		ASSERT_LE(0, self->kmsg);
		EXPECT_EQ(-ENODEV, mod_load(env_hvtb_ko(), ""));
		EXPECT_FALSE(mod_loaded("hvtb"));
		ASSERT_EQ(1, kmsg_last(self->kmsg, "hvtb: ", line, sizeof(line)));
		EXPECT_NE(NULL, strstr(line, "no VMX")) TH_LOG("kmsg: %s", line);
		close(self->kmsg);
		self->kmsg = -1;
	}
	EXPECT_EQ(-1, stat(HVTB_DEV_PATH, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F_TIMEOUT(refusal, hvtbctl_not_loaded, HVTB_SLOW_TIMEOUT)
{
	const char *ctl, *argv[3];
	char out[4096], err[4096];

	NO_VMX_OR_SKIP();
	HVTBCTL_OR_SKIP(ctl);
	ASSERT_FALSE(mod_loaded("hvtb"));
	argv[0] = ctl;
	argv[1] = "info";
	argv[2] = NULL;
	EXPECT_EQ(3, proc_run(argv, NULL, out, sizeof(out), err, sizeof(err)));
	EXPECT_STREQ("", out);
	EXPECT_STREQ("hvtbctl: /dev/hvtb not found: the hvtb module is not loaded (insmod hvtb.ko)\n",
		     err);
}

TEST_HARNESS_MAIN
