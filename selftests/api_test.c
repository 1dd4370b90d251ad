// SPDX-License-Identifier: GPL-2.0
/*
 * api_test - the ioctl ABI of /dev/hvtb: versions, extensions, capability
 * contents against the MSRs, and the exact error of every bad input.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvtb_harness.h"

/* ioctl() returning -errno, so that the errno is what gets compared. */
static long raw_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

TEST(api_version)
{
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	ASSERT_EQ(HVTB_API_VERSION, hvtb_get_api_version(fd));
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_API_VERSION, 1));
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_API_VERSION, 1UL << 32));
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_API_VERSION, ~0UL));
	close(fd);
}

TEST(check_extension_known)
{
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	EXPECT_EQ(1, hvtb_check_extension(fd, HVTB_EXT_CAPABILITIES));
	EXPECT_EQ(1, hvtb_check_extension(fd, HVTB_EXT_CPU_HOTPLUG));
	EXPECT_EQ(1, hvtb_check_extension(fd, HVTB_EXT_PARTITIONS));
	close(fd);
}

TEST(check_extension_unknown)
{
	/* Numbers no HVTB_EXT_* will take: 0 and the far end of the space. */
	static const __u32 unknown[] = { 0, 0x10000, 0x7fffffff, 0xffffffff };
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	for (i = 0; i < ARRAY_SIZE(unknown); i++)
		EXPECT_EQ(0, hvtb_check_extension(fd, unknown[i]))
			TH_LOG("extension 0x%x", unknown[i]);
	close(fd);
}

TEST(check_extension_over_32_bits)
{
	/* The low 32 bits of the second one name a known extension. */
	static const unsigned long bad[] = {
		1UL << 32, (1UL << 32) | HVTB_EXT_CAPABILITIES, ~0UL,
	};
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_CHECK_EXTENSION, bad[i]))
			TH_LOG("argument 0x%lx", bad[i]);
	close(fd);
}

TEST(unknown_ioctl_number)
{
	/* Numbers the uapi leaves unused (0x10.. are the partition ioctls). */
	static const unsigned long bad[] = {
		_IO(HVTBIO, 0x0f), _IO(HVTBIO, 0x7f), _IO(HVTBIO, 0xff),
		_IOWR(HVTBIO, 0x0f, struct hvtb_capabilities),
		_IO(0xAE, 0x00),	/* KVM_GET_API_VERSION */
		_IO(0xAE, 0x03),	/* KVM_CHECK_EXTENSION */
	};
	char buf[512];
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-ENOTTY, raw_ioctl(fd, bad[i], (unsigned long)buf))
			TH_LOG("ioctl 0x%lx", bad[i]);
	close(fd);
}

/* The right numbers with another size or direction are other ioctls. */
TEST(wrong_size_or_direction)
{
	static const unsigned long bad[] = {
		_IO(HVTBIO, 0x02),
		_IOR(HVTBIO, 0x02, struct hvtb_capabilities),
		_IOW(HVTBIO, 0x02, struct hvtb_capabilities),
		_IOWR(HVTBIO, 0x02, __u8[sizeof(struct hvtb_capabilities) - 8]),
		_IOWR(HVTBIO, 0x02, __u8[sizeof(struct hvtb_capabilities) + 8]),
		_IOWR(HVTBIO, 0x02, __u8[256]),
		_IOR(HVTBIO, 0x00, __u32),
		_IOW(HVTBIO, 0x00, __u32),
		_IOWR(HVTBIO, 0x00, struct hvtb_capabilities),
		_IOW(HVTBIO, 0x01, __u64),
		_IOR(HVTBIO, 0x01, __u32),
	};
	char buf[512], zero[512];
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	memset(buf, 0, sizeof(buf));
	memset(zero, 0, sizeof(zero));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-ENOTTY, raw_ioctl(fd, bad[i], (unsigned long)buf))
			TH_LOG("ioctl 0x%lx", bad[i]);
		EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)))
			TH_LOG("ioctl 0x%lx wrote to its argument", bad[i]);
	}
	close(fd);
}

/* Every single non-zero input byte of the struct is -EINVAL. */
TEST(capabilities_nonzero_input)
{
	struct hvtb_capabilities caps;
	unsigned int bad = 0;
	size_t i;
	long ret;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	for (i = 0; i < sizeof(caps); i++) {
		memset(&caps, 0, sizeof(caps));
		((__u8 *)&caps)[i] = (i & 1) ? 0x80 : 0x01;
		ret = raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)&caps);
		if (ret != -EINVAL && bad++ < 8)
			TH_LOG("byte %zu non-zero: got %ld, expected -EINVAL",
			       i, ret);
	}
	EXPECT_EQ(0, bad);

	memset(&caps, 0, sizeof(caps));
	caps.flags = 1;
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)&caps));
	memset(&caps, 0, sizeof(caps));
	caps.reserved[ARRAY_SIZE(caps.reserved) - 1] = 1ULL << 63;
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)&caps));
	memset(&caps, 0, sizeof(caps));
	caps.features = HVTB_FEAT_EPT;
	EXPECT_EQ(-EINVAL, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)&caps));
	close(fd);
}

TEST(capabilities_bad_pointer)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct hvtb_capabilities *caps;
	char *map;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, 0));
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, 1));
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES,
				     0xffff888000000000UL));

	/* Two pages; the second is unmapped so the struct straddles a hole. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	caps = (void *)(map + page - sizeof(*caps) / 2);
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)caps));
	caps = (void *)(map + page);
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)caps));

	/* Readable zeroes, but the result cannot be written back. */
	ASSERT_EQ(0, mprotect(map, page, PROT_READ));
	caps = (void *)map;
	EXPECT_EQ(-EFAULT, raw_ioctl(fd, HVTB_GET_CAPABILITIES, (unsigned long)caps));
	munmap(map, page);
	close(fd);
}

TEST(capabilities_fields)
{
	struct hvtb_capabilities caps, again;
	size_t i;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));
	EXPECT_EQ(0, caps.flags);
	EXPECT_EQ(HVTB_API_VERSION, caps.api_version);
	EXPECT_EQ(HVTB_FEAT_REQUIRED, caps.features & HVTB_FEAT_REQUIRED);
	EXPECT_EQ(0, caps.features & ~HVTB_FEAT_KNOWN_MASK);
	EXPECT_EQ(caps.vmx_basic & 0x7fffffff, caps.vmcs_revision);
	EXPECT_EQ((caps.vmx_basic >> 32) & 0x1fff, caps.vmcs_size);
	EXPECT_LT(0, caps.vmcs_size);
	EXPECT_GE(4096, caps.vmcs_size);
	EXPECT_EQ(caps.vmx_misc & 0x1f, caps.preemption_timer_shift);
	EXPECT_LT(0, caps.tsc_khz);
	/* Locked, VMX outside SMX allowed: else the module would not load. */
	EXPECT_EQ(0x5, caps.feature_control & 0x5);
	if (!((caps.procbased_ctls2 >> 32) & (1ULL << 13)))
		EXPECT_EQ(0, caps.vmfunc);
	for (i = 0; i < ARRAY_SIZE(caps.reserved); i++)
		EXPECT_EQ(0, caps.reserved[i]) TH_LOG("reserved[%zu]", i);

	/* Nothing changed between two calls (no CPU was hotplugged). */
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &again));
	EXPECT_EQ(0, memcmp(&caps, &again, sizeof(caps)));
	close(fd);
}

/* The feature bits agree with an independent decoding of the MSRs. */
TEST(capabilities_features_match_msrs)
{
	struct hvtb_capabilities caps;
	__u64 expect, diff;
	unsigned int bit;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));
	expect = vmx_features_from_msrs(&caps);
	diff = expect ^ caps.features;
	for (bit = 0; bit < 64; bit++)
		if (diff >> bit & 1)
			TH_LOG("feature %s: module says %d, MSRs say %d",
			       hvtb_feature_name(bit) ?: "?",
			       (int)(caps.features >> bit & 1),
			       (int)(expect >> bit & 1));
	EXPECT_EQ(expect, caps.features);
	close(fd);
}

struct msr_check {
	const char *name;
	size_t offset;
	__u32 index;
	__u32 true_index;
};

#define MSR_CHECK(f, i, t) { #f, offsetof(struct hvtb_capabilities, f), i, t }

static const struct msr_check msr_checks[] = {
	MSR_CHECK(feature_control, 0x3a, 0),
	MSR_CHECK(vmx_basic, 0x480, 0),
	MSR_CHECK(pinbased_ctls, 0x481, 0x48d),
	MSR_CHECK(procbased_ctls, 0x482, 0x48e),
	MSR_CHECK(exit_ctls, 0x483, 0x48f),
	MSR_CHECK(entry_ctls, 0x484, 0x490),
	MSR_CHECK(vmx_misc, 0x485, 0),
	MSR_CHECK(cr0_fixed0, 0x486, 0),
	MSR_CHECK(cr0_fixed1, 0x487, 0),
	MSR_CHECK(cr4_fixed0, 0x488, 0),
	MSR_CHECK(cr4_fixed1, 0x489, 0),
	MSR_CHECK(procbased_ctls2, 0x48b, 0),
	MSR_CHECK(ept_vpid_cap, 0x48c, 0),
};

/* Raw values equal the MSRs read through /dev/cpu/0/msr. */
TEST(capabilities_match_msrs)
{
	struct hvtb_capabilities caps;
	__u64 seen, val = 0;
	__u32 index;
	size_t i;
	int fd, ret;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	ret = msr_read(0, 0x480, &val);
	if (ret == -ENOENT || ret == -ENXIO || ret == -ENODEV)
		HVTB_SKIP("no /dev/cpu/0/msr (msr driver, CONFIG_X86_MSR)");
	ASSERT_EQ(0, ret) TH_LOG("reading MSR 0x480: %s", strerror(-ret));
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));

	for (i = 0; i < ARRAY_SIZE(msr_checks); i++) {
		index = msr_checks[i].index;
		if (msr_checks[i].true_index && (val >> 55 & 1))
			index = msr_checks[i].true_index;
		ret = msr_read(0, index, &seen);
		EXPECT_EQ(0, ret) TH_LOG("MSR 0x%x: %s", index, strerror(-ret));
		if (ret)
			continue;
		EXPECT_EQ(seen, *(__u64 *)((char *)&caps + msr_checks[i].offset))
			TH_LOG("%s vs MSR 0x%x", msr_checks[i].name, index);
	}
	if ((caps.procbased_ctls2 >> 32) & (1ULL << 13)) {
		ASSERT_EQ(0, msr_read(0, 0x491, &seen));
		EXPECT_EQ(seen, caps.vmfunc);
	}
	EXPECT_EQ(val & 0x7fffffff, caps.vmcs_revision);
	close(fd);
}

TEST(capabilities_cpus_match_sysfs)
{
	__u64 online[HVTB_CPU_MASK_WORDS];
	struct hvtb_capabilities caps;
	int fd, n;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	n = cpus_online(online);
	ASSERT_LT(0, n) TH_LOG("reading /sys/devices/system/cpu/online: %s",
			       strerror(-n));
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));
	EXPECT_EQ((__u32)n, caps.online_cpus);
	EXPECT_EQ(caps.online_cpus, caps.vmx_root_cpus);
	EXPECT_EQ(caps.vmx_root_cpus,
		  hvtb_popcount_mask(caps.vmx_root_mask, HVTB_CPU_MASK_WORDS));
	EXPECT_EQ(0, memcmp(online, caps.vmx_root_mask, sizeof(online)))
		TH_LOG("vmx_root_mask 0x%llx, online 0x%llx",
		       (unsigned long long)caps.vmx_root_mask[0],
		       (unsigned long long)online[0]);
	close(fd);
}

/* Read-only and read-write opens both give the full ioctl API. */
TEST(open_read_only_and_read_write)
{
	static const int modes[] = { O_RDONLY, O_RDWR };
	struct hvtb_capabilities caps;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		HVTB_OPEN_OR_SKIP(fd, modes[i]);
		EXPECT_EQ(HVTB_API_VERSION, hvtb_get_api_version(fd));
		EXPECT_EQ(1, hvtb_check_extension(fd, HVTB_EXT_CAPABILITIES));
		EXPECT_EQ(0, hvtb_get_capabilities(fd, &caps));
		close(fd);
	}
}

/* No read/write/mmap: the VFS answers for the missing file operations. */
TEST(read_write_mmap_fail)
{
	char buf[16] = { 0 };
	void *map;
	int fd;

	HVTB_OPEN_OR_SKIP(fd, O_RDWR);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, map);
	EXPECT_EQ(ENODEV, errno);
	/* The fd still works afterwards. */
	EXPECT_EQ(HVTB_API_VERSION, hvtb_get_api_version(fd));
	close(fd);
}

TEST_HARNESS_MAIN
