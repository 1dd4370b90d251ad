// SPDX-License-Identifier: GPL-2.0
/*
 * host_test - what needs no VMX, run on the build host by `make check`:
 * the uapi layout, libhvtb's pure helpers and errors, hvtbctl's command
 * line and its "not loaded" message, and the selftests' own helpers.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvtb_harness.h"

#define OUT_MAX	8192

struct field_offset {
	const char *name;
	size_t offset, expect;
};

#define FIELD(f, off) { #f, offsetof(struct hvtb_capabilities, f), off }

/* ABI v0: these numbers may never change. */
TEST(uapi_layout)
{
	static const struct field_offset fields[] = {
		FIELD(flags, 0), FIELD(api_version, 4), FIELD(features, 8),
		FIELD(vmcs_revision, 16), FIELD(vmcs_size, 20),
		FIELD(preemption_timer_shift, 24), FIELD(tsc_khz, 28),
		FIELD(online_cpus, 32), FIELD(vmx_root_cpus, 36),
		FIELD(vmx_root_mask, 40), FIELD(feature_control, 72),
		FIELD(vmx_basic, 80), FIELD(pinbased_ctls, 88),
		FIELD(procbased_ctls, 96), FIELD(procbased_ctls2, 104),
		FIELD(exit_ctls, 112), FIELD(entry_ctls, 120),
		FIELD(vmx_misc, 128), FIELD(ept_vpid_cap, 136),
		FIELD(cr0_fixed0, 144), FIELD(cr0_fixed1, 152),
		FIELD(cr4_fixed0, 160), FIELD(cr4_fixed1, 168),
		FIELD(vmfunc, 176), FIELD(reserved, 184),
	};
	struct hvtb_capabilities caps;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		EXPECT_EQ(fields[i].expect, fields[i].offset)
			TH_LOG("offsetof field #%zu", i);
	EXPECT_EQ(248, sizeof(caps));
	EXPECT_EQ(8, _Alignof(struct hvtb_capabilities));
	EXPECT_EQ(4, ARRAY_SIZE(caps.vmx_root_mask));
	EXPECT_EQ(8, ARRAY_SIZE(caps.reserved));
	EXPECT_EQ(256, HVTB_MAX_CPU_MASK);
	EXPECT_EQ(0, HVTB_API_VERSION);
	EXPECT_EQ(0xb900, HVTB_GET_API_VERSION);
	EXPECT_EQ(0xb901, HVTB_CHECK_EXTENSION);
	EXPECT_EQ(0xc0f8b902, HVTB_GET_CAPABILITIES);
	EXPECT_EQ(1, HVTB_EXT_CAPABILITIES);
	EXPECT_EQ(2, HVTB_EXT_CPU_HOTPLUG);
	EXPECT_EQ(0, HVTB_FEAT_REQUIRED & ~HVTB_FEAT_KNOWN_MASK);
	EXPECT_EQ(0xfffffff, HVTB_FEAT_KNOWN_MASK);
}

struct feat_name {
	__u64 feat;
	const char *macro;
};

#define FEAT(f) { HVTB_FEAT_##f, #f }

static const struct feat_name feat_names[] = {
	FEAT(TRUE_CTLS), FEAT(EPT), FEAT(EPT_4LEVEL), FEAT(EPT_WB),
	FEAT(EPT_2M), FEAT(EPT_1G), FEAT(EPT_AD), FEAT(INVEPT), FEAT(VPID),
	FEAT(INVVPID), FEAT(UNRESTRICTED_GUEST), FEAT(PREEMPTION_TIMER),
	FEAT(PML), FEAT(SHADOW_VMCS), FEAT(TSC_SCALING), FEAT(VIRTUAL_NMI),
	FEAT(TPR_SHADOW), FEAT(VIRT_APIC_ACCESS), FEAT(X2APIC_MODE),
	FEAT(APIC_REG_VIRT), FEAT(VIRT_INTR_DELIVERY), FEAT(POSTED_INTR),
	FEAT(PAUSE_LOOP_EXITING), FEAT(VMFUNC), FEAT(EPT_VE), FEAT(XSAVES),
	FEAT(MSR_BITMAPS), FEAT(IO_BITMAPS),
};

/* Each feature's name is its HVTB_FEAT_ macro suffix in lower case. */
TEST(feature_names)
{
	__u64 covered = 0;
	char lower[64];
	unsigned int bit;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(feat_names); i++) {
		bit = (unsigned int)__builtin_ctzll(feat_names[i].feat);
		for (j = 0; feat_names[i].macro[j] && j < sizeof(lower) - 1; j++)
			lower[j] = (char)tolower(feat_names[i].macro[j]);
		lower[j] = '\0';
		ASSERT_NE(NULL, hvtb_feature_name(bit)) TH_LOG("bit %u", bit);
		EXPECT_STREQ(lower, hvtb_feature_name(bit));
		covered |= feat_names[i].feat;
	}
	/* This table, the header and the library agree on every bit. */
	EXPECT_EQ(HVTB_FEAT_KNOWN_MASK, covered);
	for (bit = 0; bit < 64; bit++)
		EXPECT_EQ(!!(HVTB_FEAT_KNOWN_MASK >> bit & 1),
			  hvtb_feature_name(bit) != NULL) TH_LOG("bit %u", bit);
	EXPECT_EQ(NULL, hvtb_feature_name(64));
	EXPECT_EQ(NULL, hvtb_feature_name(~0U));
}

TEST(cpulist_format)
{
	__u64 mask[HVTB_CPU_MASK_WORDS] = { 0 };
	char buf[64], tiny[4];

	EXPECT_EQ(0, hvtb_cpulist_format(mask, HVTB_CPU_MASK_WORDS, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	mask[0] = 0x1;
	EXPECT_EQ(1, hvtb_cpulist_format(mask, HVTB_CPU_MASK_WORDS, buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	mask[0] = 0x3;
	hvtb_cpulist_format(mask, HVTB_CPU_MASK_WORDS, buf, sizeof(buf));
	EXPECT_STREQ("0-1", buf);
	mask[0] = 0x8000000000000027ULL;
	mask[1] = 0x1;
	mask[3] = 1ULL << 63;
	hvtb_cpulist_format(mask, HVTB_CPU_MASK_WORDS, buf, sizeof(buf));
	EXPECT_STREQ("0-2,5,63-64,255", buf);
	EXPECT_EQ(-ENOSPC, hvtb_cpulist_format(mask, HVTB_CPU_MASK_WORDS,
					       tiny, sizeof(tiny)));
	EXPECT_EQ(7, hvtb_popcount_mask(mask, HVTB_CPU_MASK_WORDS));
}

TEST(cpulist_parse)
{
	static const char *const bad[] = {
		"a", "0,", ",0", "1-0", "0-", "-1", "0 1", "0\n\n", "0-1-2",
	};
	__u64 mask[HVTB_CPU_MASK_WORDS];
	size_t i;

	EXPECT_EQ(1, hvtb_cpulist_parse("0\n", mask, HVTB_CPU_MASK_WORDS));
	EXPECT_EQ(1, mask[0]);
	EXPECT_EQ(2, hvtb_cpulist_parse("0-1\n", mask, HVTB_CPU_MASK_WORDS));
	EXPECT_EQ(3, mask[0]);
	EXPECT_EQ(7, hvtb_cpulist_parse("0-2,5,63-64,255", mask,
					HVTB_CPU_MASK_WORDS));
	EXPECT_EQ(0x8000000000000027ULL, mask[0]);
	EXPECT_EQ(1, mask[1]);
	EXPECT_EQ(0, mask[2]);
	EXPECT_EQ(1ULL << 63, mask[3]);
	EXPECT_EQ(0, hvtb_cpulist_parse("\n", mask, HVTB_CPU_MASK_WORDS));
	EXPECT_EQ(-ERANGE, hvtb_cpulist_parse("256", mask, HVTB_CPU_MASK_WORDS));
	EXPECT_EQ(-ERANGE, hvtb_cpulist_parse("99999999999", mask,
					      HVTB_CPU_MASK_WORDS));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, hvtb_cpulist_parse(bad[i], mask,
						      HVTB_CPU_MASK_WORDS))
			TH_LOG("bad list #%zu", i);
}

/* libhvtb passes the kernel's errno through as -errno. */
TEST(libhvtb_errors)
{
	struct hvtb_capabilities caps;
	int fd;

	EXPECT_EQ(-ENOENT, hvtb_open_path("/nonexistent/hvtb", O_RDWR));
	fd = hvtb_open_path("/dev/null", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-ENOTTY, hvtb_get_api_version(fd));
	EXPECT_EQ(-ENOTTY, hvtb_check_extension(fd, HVTB_EXT_CAPABILITIES));
	memset(&caps, 0xff, sizeof(caps));
	EXPECT_EQ(-ENOTTY, hvtb_get_capabilities(fd, &caps));
	close(fd);
	EXPECT_EQ(-EBADF, hvtb_get_api_version(fd));
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Run hvtbctl with up to two arguments. */
static int ctl(const char *a1, const char *a2, char *out, char *err)
{
	const char *argv[4] = { env_hvtbctl(), a1, a2, NULL };

	if (!argv[0])
		return -ENOENT;
	return proc_run(argv, NULL, out, OUT_MAX, err, OUT_MAX);
}

TEST(hvtbctl_help)
{
	static const char *const forms[] = { "--help", "-h", "help" };
	char out[OUT_MAX], err[OUT_MAX];
	const char *path;
	size_t i;

	HVTBCTL_OR_SKIP(path);
	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		EXPECT_EQ(0, ctl(forms[i], NULL, out, err)) TH_LOG("%s", forms[i]);
		EXPECT_TRUE(starts_with(out, "Usage: hvtbctl")) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "\n  info "));
		EXPECT_STREQ("", err);
	}
}

TEST(hvtbctl_version)
{
	char out[OUT_MAX], err[OUT_MAX], api[32];
	const char *path;

	HVTBCTL_OR_SKIP(path);
	EXPECT_EQ(0, ctl("--version", NULL, out, err));
	EXPECT_TRUE(starts_with(out, "hvtbctl ")) TH_LOG("%s", out);
	snprintf(api, sizeof(api), "(hvtb API %d)\n", HVTB_API_VERSION);
	EXPECT_NE(NULL, strstr(out, api));
	EXPECT_STREQ("", err);
}

TEST(hvtbctl_usage_errors)
{
	char out[OUT_MAX], err[OUT_MAX];
	const char *path;

	HVTBCTL_OR_SKIP(path);
	EXPECT_EQ(2, ctl(NULL, NULL, out, err));
	EXPECT_STREQ("", out);
	EXPECT_TRUE(starts_with(err, "Usage: hvtbctl")) TH_LOG("%s", err);

	EXPECT_EQ(2, ctl("frobnicate", NULL, out, err));
	EXPECT_STREQ("", out);
	EXPECT_TRUE(starts_with(err, "hvtbctl: unknown command 'frobnicate'\nUsage: hvtbctl")) TH_LOG("%s", err);

	EXPECT_EQ(2, ctl("info", "--bogus", out, err));
	EXPECT_STREQ("", out);
	EXPECT_NE(NULL, strstr(err, "Usage: hvtbctl"));
}

TEST(hvtbctl_not_loaded)
{
	char out[OUT_MAX], err[OUT_MAX];
	const char *path;
	struct stat st;

	HVTBCTL_OR_SKIP(path);
	if (!stat(HVTB_DEV_PATH, &st))
		HVTB_SKIP("%s exists on this host", HVTB_DEV_PATH);
	EXPECT_EQ(3, ctl("info", NULL, out, err));
	EXPECT_STREQ("", out);
	EXPECT_STREQ("hvtbctl: /dev/hvtb not found: the hvtb module is not loaded (insmod hvtb.ko)\n",
		     err);
	EXPECT_EQ(3, ctl("info", "--json", out, err));
	EXPECT_STREQ("", out);
	EXPECT_NE(NULL, strstr(err, "not loaded"));
}

/* The selftests' JSON checker accepts JSON and nothing else. */
TEST(json_helper)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-1.5e+3", "\"a\\u00e9\\n\"", " true ",
		"{\"a\": [1, {\"b\": null}], \"c\": \"x\"}",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "01", "1.", "tru",
		"\"\\x\"", "\"a", "{} {}", "[\"\t\"]", "{a:1}",
	};
	const char *doc = "{\"n\": 42, \"s\": \"0x1f\", \"list\": [\"x\", \"y\"]}";
	char buf[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		EXPECT_EQ(0, json_validate(good[i], NULL)) TH_LOG("good #%zu", i);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, json_validate(bad[i], NULL)) TH_LOG("bad #%zu", i);
	ASSERT_EQ(0, json_get(doc, "n", buf, sizeof(buf)));
	EXPECT_STREQ("42", buf);
	ASSERT_EQ(0, json_get(doc, "s", buf, sizeof(buf)));
	EXPECT_STREQ("0x1f", buf);
	ASSERT_EQ(0, json_get(doc, "list", buf, sizeof(buf)));
	EXPECT_STREQ("[\"x\", \"y\"]", buf);
	EXPECT_EQ(-ENOENT, json_get(doc, "x", buf, sizeof(buf)));
	EXPECT_EQ(-ENOSPC, json_get(doc, "list", buf, 4));
}

/* The selftests' independent decoding of the MSRs into feature bits. */
TEST(vmx_feature_decoding)
{
	struct hvtb_capabilities caps;

	memset(&caps, 0, sizeof(caps));
	EXPECT_EQ(0, vmx_features_from_msrs(&caps));
	memset(&caps, 0xff, sizeof(caps));
	EXPECT_EQ(HVTB_FEAT_KNOWN_MASK, vmx_features_from_msrs(&caps));
	/* No "activate secondary controls": none of the ctls2 features. */
	caps.procbased_ctls &= ~(1ULL << 63);
	EXPECT_EQ(HVTB_FEAT_KNOWN_MASK & ~vmx_ctls2_features(),
		  vmx_features_from_msrs(&caps));
	EXPECT_NE(0, vmx_ctls2_features() & HVTB_FEAT_EPT);
	/* INVEPT needs the instruction and its single-context type. */
	memset(&caps, 0xff, sizeof(caps));
	caps.ept_vpid_cap &= ~(1ULL << 25);
	EXPECT_EQ(0, vmx_features_from_msrs(&caps) & HVTB_FEAT_INVEPT);
}

TEST_HARNESS_MAIN
