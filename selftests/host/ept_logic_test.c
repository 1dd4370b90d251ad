// SPDX-License-Identifier: GPL-2.0
/*
 * ept_logic_test - the pure EPT logic of kmod/ept/ept_logic.h, on the build
 * host: table indices, entry and EPTP encodings, the HVTB_PARTITION_MAP_GPA argument
 * checks, range overlap and containment, the 2 MiB eligibility test.
 *
 * Build (from the top of the tree, after the harness was extracted):
 *   cc -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes -std=gnu11 \
 *      -D_GNU_SOURCE -Iuapi -isystem build/user/selftests-include \
 *      -o build/user/selftests/ept_logic_test <this file>
 */
#include <stdbool.h>
#include <stdint.h>

#include "kselftest_harness.h"

/* The shim: the kernel types ept_logic.h uses. */
typedef uint32_t u32;
typedef uint64_t u64;

#include "../../kmod/ept/ept_logic.h"

#define KiB(x)	((u64)(x) << 10)
#define MiB(x)	((u64)(x) << 20)
#define GiB(x)	((u64)(x) << 30)
#define TiB(x)	((u64)(x) << 40)

TEST(level_geometry)
{
	EXPECT_EQ(12, ept_level_shift(1));
	EXPECT_EQ(21, ept_level_shift(2));
	EXPECT_EQ(30, ept_level_shift(3));
	EXPECT_EQ(39, ept_level_shift(4));
	EXPECT_EQ(KiB(4), ept_level_size(1));
	EXPECT_EQ(MiB(2), ept_level_size(2));
	EXPECT_EQ(GiB(1), ept_level_size(3));
	EXPECT_EQ(GiB(512), ept_level_size(4));
	EXPECT_EQ(512, HVTB_EPT_2M_PAGES);
	EXPECT_EQ(TiB(256), HVTB_EPT_GPA_LIMIT);
}

TEST(index_per_level)
{
	u64 gpa = 3 * GiB(512) + 5 * GiB(1) + 7 * MiB(2) + 9 * KiB(4) + 0x123;

	EXPECT_EQ(3, ept_index(gpa, 4));
	EXPECT_EQ(5, ept_index(gpa, 3));
	EXPECT_EQ(7, ept_index(gpa, 2));
	EXPECT_EQ(9, ept_index(gpa, 1));
	EXPECT_EQ(0, ept_index(0, 4));
	EXPECT_EQ(511, ept_index(HVTB_EPT_GPA_LIMIT - 1, 4));
	EXPECT_EQ(511, ept_index(HVTB_EPT_GPA_LIMIT - 1, 3));
	EXPECT_EQ(511, ept_index(HVTB_EPT_GPA_LIMIT - 1, 2));
	EXPECT_EQ(511, ept_index(HVTB_EPT_GPA_LIMIT - 1, 1));
	/* Bits above 47 select nothing: the walk is 4 levels. */
	EXPECT_EQ(0, ept_index(HVTB_EPT_GPA_LIMIT, 4));
}

/* The four indices and the page offset put back together give the GPA. */
TEST(index_roundtrip)
{
	u64 x = 0x9e3779b97f4a7c15ULL;
	int n, level;

	for (n = 0; n < 100000; n++) {
		u64 gpa, back;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		gpa = x >> 16;		/* 48 bits */
		back = gpa & (HVTB_EPT_PAGE_SIZE - 1);
		for (level = 1; level <= HVTB_EPT_LEVELS; level++)
			back |= (u64)ept_index(gpa, level) << ept_level_shift(level);
		ASSERT_EQ(gpa, back) TH_LOG("gpa 0x%llx", (unsigned long long)gpa);
	}
}

TEST(span_end)
{
	EXPECT_EQ(0x2000, ept_span_end(0x1234, 1));
	EXPECT_EQ(0x2000, ept_span_end(0x1000, 1));
	EXPECT_EQ(MiB(4), ept_span_end(MiB(2), 2));
	EXPECT_EQ(MiB(2), ept_span_end(MiB(2) - 1, 2));
	EXPECT_EQ(GiB(1), ept_span_end(0, 3));
	EXPECT_EQ(HVTB_EPT_GPA_LIMIT, ept_span_end(HVTB_EPT_GPA_LIMIT - 1, 4));
	EXPECT_EQ(GiB(512), ept_span_end(KiB(4), 4));
}

TEST(eptp)
{
	/* WB (6) in 2:0, walk length 4 - 1 = 3 in 5:3, no A/D (bit 6). */
	EXPECT_EQ(0x1e, ept_eptp(0) & 0xfff);
	EXPECT_EQ(0x12345000ULL | 0x1e, ept_eptp(0x12345000));
	EXPECT_EQ(0, ept_eptp(0x12345000) & (1ULL << 6));
	/* Address bits only: low bits and bits above 51 are not taken. */
	EXPECT_EQ(0x12345000ULL | 0x1e, ept_eptp(0x12345fff));
	EXPECT_EQ(0x000ffffffffff000ULL | 0x1e, ept_eptp(~0ULL));
}

TEST(table_entry)
{
	EXPECT_EQ(0xabc000ULL | 7, ept_table_entry(0xabc000));
	EXPECT_EQ(0xabc000ULL | 7, ept_table_entry(0xabcfff));
	EXPECT_EQ(0, ept_table_entry(0xabc000) & (HVTB_EPTE_LARGE | 0x38));
	EXPECT_TRUE(ept_entry_present(ept_table_entry(0x1000)));
	EXPECT_FALSE(ept_entry_is_leaf(ept_table_entry(0x1000), 2));
	EXPECT_FALSE(ept_entry_is_leaf(ept_table_entry(0x1000), 3));
	EXPECT_FALSE(ept_entry_is_leaf(ept_table_entry(0x1000), 4));
}

TEST(leaf_entry)
{
	u64 r = HVTB_MAP_READ, w = HVTB_MAP_WRITE, x = HVTB_MAP_EXEC;

	/* 4 KiB: address | RWX | WB (6 << 3), no IPAT, no large bit. */
	EXPECT_EQ(0x5000ULL | 0x1 | 0x30, ept_leaf_entry(0x5000, r, 1));
	EXPECT_EQ(0x5000ULL | 0x3 | 0x30, ept_leaf_entry(0x5000, r | w, 1));
	EXPECT_EQ(0x5000ULL | 0x5 | 0x30, ept_leaf_entry(0x5000, r | x, 1));
	EXPECT_EQ(0x5000ULL | 0x7 | 0x30, ept_leaf_entry(0x5000, r | w | x, 1));
	/* 2 MiB: the same plus bit 7. */
	EXPECT_EQ(MiB(2) | 0x7 | 0x30 | 0x80,
		  ept_leaf_entry(MiB(2), r | w | x, 2));
	EXPECT_EQ(0, ept_leaf_entry(MiB(2), r, 2) & HVTB_EPTE_IPAT);
	/* Only address bits 51:12 of the host address are taken. */
	EXPECT_EQ(0x000ffffffffff000ULL | 0x31, ept_leaf_entry(~0ULL, r, 1));

	EXPECT_TRUE(ept_entry_is_leaf(ept_leaf_entry(0x5000, r, 1), 1));
	EXPECT_TRUE(ept_entry_is_leaf(ept_leaf_entry(MiB(2), r, 2), 2));
	EXPECT_EQ(MiB(2), ept_entry_addr(ept_leaf_entry(MiB(2), r, 2)));
	EXPECT_EQ(0x5000, ept_entry_addr(ept_leaf_entry(0x5000, r | w, 1)));
}

TEST(prot_matches_map_flags)
{
	u32 f;

	/* HVTB_MAP_* are defined bit for bit as EPT R/W/X. */
	for (f = 0; f <= HVTB_MAP_FLAGS_MASK; f++)
		EXPECT_EQ(f, ept_prot(f));
	EXPECT_EQ(HVTB_EPTE_RWX, ept_prot(0xffffffff));
}

TEST(present)
{
	EXPECT_FALSE(ept_entry_present(0));
	/* Memory type or address alone is not present: R/W/X all clear. */
	EXPECT_FALSE(ept_entry_present(0x5000 | HVTB_EPTE_MT_WB));
	EXPECT_TRUE(ept_entry_present(HVTB_EPTE_READ));
	EXPECT_TRUE(ept_entry_present(HVTB_EPTE_EXEC));
}

TEST(map_flags)
{
	u32 f;

	for (f = 0; f < 16; f++) {
		bool want = (f & HVTB_MAP_READ) && !(f & ~HVTB_MAP_FLAGS_MASK);

		EXPECT_EQ(want, ept_map_flags_valid(f)) TH_LOG("flags 0x%x", f);
	}
	/* Write-only and exec-only: EPT cannot express them without caps. */
	EXPECT_FALSE(ept_map_flags_valid(HVTB_MAP_WRITE));
	EXPECT_FALSE(ept_map_flags_valid(HVTB_MAP_EXEC));
	EXPECT_FALSE(ept_map_flags_valid(HVTB_MAP_WRITE | HVTB_MAP_EXEC));
	EXPECT_FALSE(ept_map_flags_valid(HVTB_MAP_READ | 0x80000000u));
	EXPECT_TRUE(ept_map_flags_valid(HVTB_MAP_READ));
}

struct args_case {
	u64 gpa, size, uaddr;
	bool valid;
};

TEST(map_args)
{
	static const struct args_case cases[] = {
		{ 0, KiB(4), 0x10000, true },
		{ 0xfee00000, MiB(1), 0x7f0000000000, true },
		{ 0x1000, 0, 0x10000, false },			/* empty */
		{ 0x1800, KiB(4), 0x10000, false },		/* gpa */
		{ 0x1000, KiB(6), 0x10000, false },		/* size */
		{ 0x1000, KiB(4), 0x10800, false },		/* uaddr */
		{ 0x1000, KiB(4), 0x10001, false },
		/* The GPA range may end at 2^48 exactly, not past it. */
		{ HVTB_EPT_GPA_LIMIT - KiB(4), KiB(4), 0x10000, true },
		{ 0, HVTB_EPT_GPA_LIMIT, 0x10000, true },
		{ HVTB_EPT_GPA_LIMIT - KiB(4), KiB(8), 0x10000, false },
		{ HVTB_EPT_GPA_LIMIT, KiB(4), 0x10000, false },
		{ 0, HVTB_EPT_GPA_LIMIT + KiB(4), 0x10000, false },
		/* Wrapping GPA and user ranges. */
		{ ~0ULL - KiB(4) + 1, KiB(8), 0x10000, false },
		{ 0x1000, ~0ULL - KiB(4) + 1, 0x10000, false },
		{ 0x1000, KiB(8), ~0ULL - KiB(4) + 1, false },
		/* Ending at 2^64: the end is not representable, a wrap. */
		{ 0x1000, KiB(4), ~0ULL - KiB(4) + 1, false },
		{ 0x1000, KiB(4), ~0ULL - KiB(8) + 1, true },
	};
	size_t i;

	/*
	 * Braces needed: EXPECT_*() TH_LOG() is two statements in the 6.1
	 * harness, and the log must run inside the loop.
	 */
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(cases[i].valid,
			  ept_map_args_valid(cases[i].gpa, cases[i].size,
					     cases[i].uaddr))
			TH_LOG("case %zu: gpa 0x%llx size 0x%llx uaddr 0x%llx", i,
			       (unsigned long long)cases[i].gpa,
			       (unsigned long long)cases[i].size,
			       (unsigned long long)cases[i].uaddr);
	}
}

TEST(overlap)
{
	/* [0x1000, 0x3000) against ... */
	EXPECT_TRUE(ept_ranges_overlap(0x1000, 0x2000, 0x1000, 0x2000));
	EXPECT_TRUE(ept_ranges_overlap(0x1000, 0x2000, 0x2000, 0x1000));
	EXPECT_TRUE(ept_ranges_overlap(0x1000, 0x2000, 0x0000, 0x2000));
	EXPECT_TRUE(ept_ranges_overlap(0x1000, 0x2000, 0x2000, 0x9000));
	EXPECT_TRUE(ept_ranges_overlap(0x1000, 0x2000, 0x0000, 0x9000));
	EXPECT_TRUE(ept_ranges_overlap(0x1000, 0x2000, 0x2fff, 1));
	/* Touching is not overlapping. */
	EXPECT_FALSE(ept_ranges_overlap(0x1000, 0x2000, 0x3000, 0x1000));
	EXPECT_FALSE(ept_ranges_overlap(0x1000, 0x2000, 0x0000, 0x1000));
	EXPECT_FALSE(ept_ranges_overlap(0x3000, 0x1000, 0x1000, 0x2000));
	/* Up to the end of the GPA space. */
	EXPECT_TRUE(ept_ranges_overlap(HVTB_EPT_GPA_LIMIT - MiB(2), MiB(2),
				       HVTB_EPT_GPA_LIMIT - KiB(4), KiB(4)));
	EXPECT_FALSE(ept_ranges_overlap(0, HVTB_EPT_GPA_LIMIT - KiB(4),
					HVTB_EPT_GPA_LIMIT - KiB(4), KiB(4)));
}

TEST(contains)
{
	EXPECT_TRUE(ept_range_contains(0x1000, 0x2000, 0x1000, 1));
	EXPECT_TRUE(ept_range_contains(0x1000, 0x2000, 0x2fff, 1));
	EXPECT_TRUE(ept_range_contains(0x1000, 0x2000, 0x1000, 0x2000));
	EXPECT_FALSE(ept_range_contains(0x1000, 0x2000, 0x3000, 1));
	EXPECT_FALSE(ept_range_contains(0x1000, 0x2000, 0x0fff, 1));
	EXPECT_FALSE(ept_range_contains(0x1000, 0x2000, 0x2000, 0x1001));
	EXPECT_FALSE(ept_range_contains(0x1000, 0x2000, 0x0000, 0x4000));
	/* A huge inner size does not wrap into "contained". */
	EXPECT_FALSE(ept_range_contains(0x1000, 0x2000, 0x2000, ~0ULL));
}

TEST(candidate_2m)
{
	u64 g = GiB(1), h = GiB(4);

	EXPECT_TRUE(ept_2m_candidate(true, g, g + MiB(2), h));
	EXPECT_TRUE(ept_2m_candidate(true, g, g + GiB(1), h + MiB(6)));
	EXPECT_TRUE(ept_2m_candidate(true, 0, MiB(2), 0));
	/* No 2 MiB EPT pages on this CPU. */
	EXPECT_FALSE(ept_2m_candidate(false, g, g + MiB(2), h));
	/* GPA or host address not 2 MiB aligned. */
	EXPECT_FALSE(ept_2m_candidate(true, g + KiB(4), g + MiB(4), h));
	EXPECT_FALSE(ept_2m_candidate(true, g, g + MiB(2), h + KiB(4)));
	EXPECT_FALSE(ept_2m_candidate(true, g, g + MiB(2), h + MiB(1)));
	/* The range ends inside the 2 MiB. */
	EXPECT_FALSE(ept_2m_candidate(true, g, g + MiB(2) - KiB(4), h));
	EXPECT_FALSE(ept_2m_candidate(true, g, g + KiB(4), h));
}

TEST(copy_chunk)
{
	EXPECT_EQ(10, ept_copy_chunk(0, 10));
	EXPECT_EQ(KiB(4), ept_copy_chunk(0, KiB(4)));
	EXPECT_EQ(KiB(4), ept_copy_chunk(0, KiB(12)));
	EXPECT_EQ(16, ept_copy_chunk(0xff0, 100));
	EXPECT_EQ(1, ept_copy_chunk(0xfff, 8));
	EXPECT_EQ(8, ept_copy_chunk(0xff8, 8));
	EXPECT_EQ(0, ept_copy_chunk(0x1234, 0));
}

TEST_HARNESS_MAIN
