// SPDX-License-Identifier: GPL-2.0
/*
 * memory_test - guest memory: the exact error of every bad HVTB_PARTITION_MAP_GPA /
 * HVTB_PARTITION_UNMAP_GPA, max_memory and RLIMIT_MEMLOCK accounting, isolation of
 * two partitions at the same GPAs, unmapped GPAs exiting to user space,
 * and 2 MiB EPT mappings of hugetlbfs memory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvtb_harness.h"
#include "guest.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

#define RWX	(HVTB_MAP_READ | HVTB_MAP_WRITE | HVTB_MAP_EXEC)
#define EXTRA_GPA	0x3000000ULL	/* 48 MiB: past the main range */

static long map(int part, uint64_t gpa, uint64_t size, void *uaddr, uint32_t flags)
{
	struct hvtb_memory_range m = {
		.gpa = gpa, .size = size, .uaddr = (uintptr_t)uaddr, .flags = flags,
	};

	return guest_ioctl(part, HVTB_PARTITION_MAP_GPA, (uintptr_t)&m);
}

static long unmap(int part, uint64_t gpa, uint64_t size)
{
	struct hvtb_memory_range m = { .gpa = gpa, .size = size };

	return guest_ioctl(part, HVTB_PARTITION_UNMAP_GPA, (uintptr_t)&m);
}

TEST(map_bad_input)
{
	struct hvtb_memory_range m;
	struct hvtb_partition_info info;
	struct guest g;
	uint8_t *mem, *hole;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	mem = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);

	EXPECT_EQ(-EINVAL, map(g.part, 0x100, 4096, mem, RWX));
	EXPECT_EQ(-EINVAL, map(g.part, 0, 4095, mem, RWX));
	EXPECT_EQ(-EINVAL, map(g.part, 0, 4096, mem + 8, RWX));
	EXPECT_EQ(-EINVAL, map(g.part, 0, 0, mem, RWX));
	EXPECT_EQ(-EINVAL, map(g.part, 0xfffffffffffff000ULL, 0x2000, mem, RWX));
	EXPECT_EQ(-EINVAL, map(g.part, 1ULL << 52, 4096, mem, RWX));
	EXPECT_EQ(-EINVAL, map(g.part, 0, 0x2000, (void *)0xfffffffffffff000ULL, RWX));
	EXPECT_EQ(-EINVAL, map(g.part, 0, 4096, mem, 0));
	EXPECT_EQ(-EINVAL, map(g.part, 0, 4096, mem, HVTB_MAP_WRITE));
	EXPECT_EQ(-EINVAL, map(g.part, 0, 4096, mem, RWX | 8));
	memset(&m, 0, sizeof(m));
	m.size = 4096;
	m.uaddr = (uintptr_t)mem;
	m.flags = RWX;
	m.pad = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_MAP_GPA, (uintptr_t)&m));
	m.pad = 0;
	m.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_MAP_GPA, (uintptr_t)&m));
	EXPECT_EQ(-EFAULT, guest_ioctl(g.part, HVTB_PARTITION_MAP_GPA, 8));

	/* bad uaddr: a hole in the address space */
	hole = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, 8192);
	EXPECT_EQ(-EFAULT, map(g.part, 0, 8192, hole, RWX));

	/* overlap, in every position */
	ASSERT_EQ(0, map(g.part, 0x10000, 0x4000, mem, RWX));
	EXPECT_EQ(-EEXIST, map(g.part, 0x10000, 0x4000, mem + 0x4000, RWX));
	EXPECT_EQ(-EEXIST, map(g.part, 0xf000, 0x2000, mem + 0x4000, RWX));
	EXPECT_EQ(-EEXIST, map(g.part, 0x13000, 0x2000, mem + 0x4000, RWX));
	EXPECT_EQ(-EEXIST, map(g.part, 0x11000, 0x1000, mem + 0x4000, RWX));
	EXPECT_EQ(-EEXIST, map(g.part, 0x8000, 0x10000, mem + 0x4000, RWX));
	EXPECT_EQ(0, map(g.part, 0x14000, 0x1000, mem + 0x4000, HVTB_MAP_READ));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info));
	EXPECT_EQ(2, info.nr_ranges);
	EXPECT_EQ(0x5000, info.mapped_bytes);
	EXPECT_EQ(5, info.pinned_pages);

	/* unmap takes exactly a mapped range */
	EXPECT_EQ(-ENOENT, unmap(g.part, 0x20000, 0x1000));
	EXPECT_EQ(-ENOENT, unmap(g.part, 0x10000, 0x1000));
	EXPECT_EQ(-ENOENT, unmap(g.part, 0x11000, 0x3000));
	m = (struct hvtb_memory_range){ .gpa = 0x10000, .size = 0x4000, .flags = RWX };
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_UNMAP_GPA, (uintptr_t)&m));
	m.flags = 0;
	m.uaddr = (uintptr_t)mem;
	EXPECT_EQ(-EINVAL, guest_ioctl(g.part, HVTB_PARTITION_UNMAP_GPA, (uintptr_t)&m));
	EXPECT_EQ(0, unmap(g.part, 0x10000, 0x4000));
	EXPECT_EQ(-ENOENT, unmap(g.part, 0x10000, 0x4000));
	EXPECT_EQ(0, unmap(g.part, 0x14000, 0x1000));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info));
	EXPECT_EQ(0, info.nr_ranges);
	EXPECT_EQ(0, info.mapped_bytes);
	EXPECT_EQ(0, info.pinned_pages);
	munmap(mem, 64 << 10);
	guest_destroy(&g);
}

TEST(max_memory_enospc)
{
	struct hvtb_partition_config pc = { .max_memory = 0x8000 };
	struct hvtb_partition_info info;
	struct guest g;
	uint8_t *mem;
	int part;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	part = guest_ioctl(g.dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc);
	ASSERT_LE(0, part);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	EXPECT_EQ(-ENOSPC, map(part, 0, 0x9000, mem, RWX));
	EXPECT_EQ(0, map(part, 0, 0x6000, mem, RWX));
	EXPECT_EQ(-ENOSPC, map(part, 0x10000, 0x3000, mem, RWX));
	EXPECT_EQ(0, map(part, 0x10000, 0x2000, mem, RWX));
	ASSERT_EQ(0, guest_ioctl(part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info));
	EXPECT_EQ(0x8000, info.max_memory);
	EXPECT_EQ(0x8000, info.mapped_bytes);
	EXPECT_EQ(0, unmap(part, 0, 0x6000));
	EXPECT_EQ(0, map(part, 0x20000, 0x6000, mem, RWX));
	close(part);
	munmap(mem, 0x10000);
	guest_destroy(&g);
}

/*
 * Child: without CAP_IPC_LOCK (uid nobody) and with RLIMIT_MEMLOCK 64 KiB,
 * a 1 MiB map is -ENOMEM, 48 KiB maps, and after an unmap the same 48 KiB
 * maps again (the charge was given back). Exit code: 0 or a step number.
 */
static int memlock_child(int part)
{
	struct rlimit rl = { .rlim_cur = 64 << 10, .rlim_max = 64 << 10 };
	uint8_t *mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		return 10;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 11;
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 12;
	if (map(part, 0, 1 << 20, mem, RWX) != -ENOMEM)
		return 13;
	if (map(part, 0, 48 << 10, mem, RWX) != 0)
		return 14;
	if (map(part, 0x100000, 32 << 10, mem, RWX) != -ENOMEM)
		return 15;
	if (unmap(part, 0, 48 << 10) != 0)
		return 16;
	if (map(part, 0x100000, 48 << 10, mem, RWX) != 0)
		return 17;
	return 0;
}

TEST(rlimit_memlock_enomem)
{
	struct guest g;
	int status;
	pid_t pid;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* The partition is made in the child: its mm is charged. */
		struct hvtb_partition_config pc = { 0 };
		int part = guest_ioctl(g.dev, HVTB_CREATE_PARTITION, (uintptr_t)&pc);

		_exit(part < 0 ? 9 : memlock_child(part));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("failed at step %d", WEXITSTATUS(status));
	guest_destroy(&g);
}

TEST(map_from_other_mm_eio)
{
	struct guest g;
	int status;
	pid_t pid;

	GUEST_OR_SKIP(&g, GUEST_NO_MEMORY);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint8_t *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		_exit(map(g.part, 0, 4096, mem, RWX) == -EIO ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	guest_destroy(&g);
}

static volatile uint64_t iso_word;

static void guest_iso(void)
{
	GUEST_SYNC(iso_word);
	iso_word += 1;
	GUEST_SYNC(iso_word);
}

TEST(two_partitions_isolated)
{
	struct guest g[2];
	struct guest_vp v[2];
	struct ucall uc;
	uint64_t val;
	int i;

	GUEST_OR_SKIP(&g[0], 0);
	GUEST_OR_SKIP(&g[1], 0);
	for (i = 0; i < 2; i++) {
		val = 0x1000 * (i + 1);
		memcpy(guest_gpa(&g[i], (uintptr_t)&iso_word), &val, 8);
		ASSERT_EQ(0, guest_vp_create(&g[i], &v[i], 0));
		ASSERT_EQ(0, guest_vp_enter_long(&v[i], guest_iso, 0, 0));
	}
	for (i = 0; i < 2; i++) {
		uc = EXPECT_UCALL(&v[i], UCALL_SYNC);
		EXPECT_EQ(0x1000 * (i + 1), uc.args[0]);
	}
	for (i = 0; i < 2; i++) {
		uc = EXPECT_UCALL(&v[i], UCALL_SYNC);
		EXPECT_EQ(0x1000 * (i + 1) + 1, uc.args[0]);
		memcpy(&val, guest_gpa(&g[i], (uintptr_t)&iso_word), 8);
		EXPECT_EQ(0x1000 * (i + 1) + 1, val);	/* the guest wrote its own */
		EXPECT_UCALL(&v[i], UCALL_DONE);
		guest_vp_destroy(&v[i]);
		guest_destroy(&g[i]);
	}
}

static void guest_read_twice(uint64_t gpa)
{
	uint32_t val;

	GUEST_SYNC(*(volatile uint32_t *)gpa);
	__asm__ volatile(".byte 0x8b, 0x03" : "=a"(val) : "b"(gpa) : "memory");
	GUEST_SYNC(val);
}

TEST(unmapped_gpa_exits_to_user)
{
	struct guest g;
	struct guest_vp v;
	struct hvtb_regs r;
	struct ucall uc;
	uint32_t *page;

	GUEST_OR_SKIP(&g, 0);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	page[0] = 0x600df00d;
	ASSERT_EQ(0, map(g.part, EXTRA_GPA, 4096, page, RWX));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_read_twice, EXTRA_GPA, 0));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0x600df00d, uc.args[0]);
	ASSERT_EQ(0, unmap(g.part, EXTRA_GPA, 4096));
	RUN_EXPECT(&v, HVTB_EXIT_MMIO);
	EXPECT_EQ(EXTRA_GPA, v.run->mmio.gpa);
	EXPECT_EQ(HVTB_ACCESS_READ, v.run->mmio.access);
	EXPECT_EQ(0, v.run->mmio.flags & HVTB_MMIO_MAPPED);
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_GET_REGS, (uintptr_t)&r));
	r.rip += 2;
	r.rax = 0x77;
	ASSERT_EQ(0, guest_ioctl(v.fd, HVTB_VP_SET_REGS, (uintptr_t)&r));
	uc = EXPECT_UCALL(&v, UCALL_SYNC);
	EXPECT_EQ(0x77, uc.args[0]);
	EXPECT_UCALL(&v, UCALL_DONE);
	guest_vp_destroy(&v);
	guest_destroy(&g);
	munmap(page, 4096);
}

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int r;

	if (!f)
		return -errno;
	r = fputs(s, f) < 0 ? -EIO : 0;
	if (fclose(f))
		r = -errno;
	return r;
}

#define HUGE_GPA	0x4000000ULL	/* 64 MiB, 2 MiB aligned */

static void guest_huge(uint64_t gpa)
{
	volatile uint64_t *p = (volatile uint64_t *)gpa;

	GUEST_ASSERT_EQ(p[0], 0x1111);
	GUEST_ASSERT_EQ(p[(4 << 20) / 8 - 1], 0x2222);
	p[1] = 0x3333;
}

TEST(hugepages_2m_ept)
{
	struct hvtb_partition_info info;
	struct guest g;
	struct guest_vp v;
	uint64_t *mem;

	GUEST_OR_SKIP(&g, 0);
	if (write_file("/proc/sys/vm/nr_hugepages", "8\n"))
		SKIP(goto out, "cannot write /proc/sys/vm/nr_hugepages");
	mem = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (mem == MAP_FAILED)
		SKIP(goto out, "no 2 MiB hugepages could be reserved: %s", strerror(errno));
	mem[0] = 0x1111;
	mem[(4 << 20) / 8 - 1] = 0x2222;
	ASSERT_EQ(0, map(g.part, HUGE_GPA, 4 << 20, mem, RWX));
	ASSERT_EQ(0, guest_ioctl(g.part, HVTB_PARTITION_GET_INFO, (uintptr_t)&info));
	EXPECT_LE(2, info.ept_2m_mappings) TH_LOG("2m %llu 4k %llu",
		(unsigned long long)info.ept_2m_mappings,
		(unsigned long long)info.ept_4k_mappings);
	ASSERT_EQ(0, guest_vp_create(&g, &v, 0));
	ASSERT_EQ(0, guest_vp_enter_long(&v, guest_huge, HUGE_GPA, 0));
	EXPECT_UCALL(&v, UCALL_DONE);
	EXPECT_EQ(0x3333, mem[1]);
	guest_vp_destroy(&v);
	EXPECT_EQ(0, unmap(g.part, HUGE_GPA, 4 << 20));
	munmap(mem, 4 << 20);
out:
	guest_destroy(&g);
	write_file("/proc/sys/vm/nr_hugepages", "0\n");
}

TEST_HARNESS_MAIN
