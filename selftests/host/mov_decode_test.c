// SPDX-License-Identifier: GPL-2.0
/*
 * mov_decode_test - the MMIO MOV decoder of kmod/x86/mov_decode.h, on the
 * build host: one row per encoding (opcode, prefixes, ModRM/SIB/disp
 * forms, code sizes), what it decodes to, the values stores write and the
 * registers loads leave (zero/sign extension, partial registers), and the
 * encodings it must refuse.
 */
#include <stdbool.h>
#include <stdint.h>

#include "kselftest_harness.h"

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;

#include "../../kmod/x86/mov_decode.h"

/* Rows leave the fields they do not need out (zero). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct row {
	const char *what;
	u8 mode;
	u8 n;
	u8 bytes[15];
	/* expected */
	u8 len, size, op_size, reg, write, high;
	u64 imm;
};

#define M64 X86_MODE_64
#define M32 X86_MODE_32
#define M16 X86_MODE_16

static const struct row rows[] = {
	/* 8b: load, operand size 2/4/8 */
	{ "mov (%rbx),%eax", M64, 2, { 0x8b, 0x03 }, 2, 4, 4, 0, 0, 0 },
	{ "mov (%rbx),%rax", M64, 3, { 0x48, 0x8b, 0x03 }, 3, 8, 8, 0, 0, 0 },
	{ "mov (%rbx),%ax", M64, 3, { 0x66, 0x8b, 0x03 }, 3, 2, 2, 0, 0, 0 },
	{ "mov (%rbx),%r9d", M64, 3, { 0x44, 0x8b, 0x0b }, 3, 4, 4, 9, 0, 0 },
	{ "mov 0x10(%rdi),%edx", M64, 3, { 0x8b, 0x57, 0x10 }, 3, 4, 4, 2, 0, 0 },
	{ "mov 0x1000(%rdi),%edx", M64, 6, { 0x8b, 0x97, 0x00, 0x10, 0, 0 }, 6, 4, 4, 2, 0, 0 },
	{ "mov 0x0(%rip),%eax", M64, 6, { 0x8b, 0x05, 1, 2, 3, 4 }, 6, 4, 4, 0, 0, 0 },
	{ "mov (%rax,%rcx,4),%esi", M64, 3, { 0x8b, 0x34, 0x88 }, 3, 4, 4, 6, 0, 0 },
	{ "mov 0x8(%rsp),%esi", M64, 4, { 0x8b, 0x74, 0x24, 0x08 }, 4, 4, 4, 6, 0, 0 },
	{ "mov 0x12345678(,%rax,1),%ecx", M64, 7,
	  { 0x8b, 0x0c, 0x05, 0x78, 0x56, 0x34, 0x12 }, 7, 4, 4, 1, 0, 0 },
	{ "mov 0x80(%rax,%rbx,2),%r15", M64, 8,
	  { 0x4c, 0x8b, 0xbc, 0x58, 0x80, 0, 0, 0 }, 8, 8, 8, 15, 0, 0 },
	{ "mov %fs:(%rbx),%eax", M64, 3, { 0x64, 0x8b, 0x03 }, 3, 4, 4, 0, 0, 0 },
	{ "mov (%ebx),%eax (67)", M64, 3, { 0x67, 0x8b, 0x03 }, 3, 4, 4, 0, 0, 0 },
	/* 89: store */
	{ "mov %eax,(%rbx)", M64, 2, { 0x89, 0x03 }, 2, 4, 4, 0, 1, 0 },
	{ "mov %r12,0x8(%rbx)", M64, 4, { 0x4c, 0x89, 0x63, 0x08 }, 4, 8, 8, 12, 1, 0 },
	{ "mov %dx,(%rbx)", M64, 3, { 0x66, 0x89, 0x13 }, 3, 2, 2, 2, 1, 0 },
	{ "mov %eax,%gs:0x10(%rbx)", M64, 4, { 0x65, 0x89, 0x43, 0x10 }, 4, 4, 4, 0, 1, 0 },
	/* 88/8a: bytes, with and without REX */
	{ "mov %al,(%rbx)", M64, 2, { 0x88, 0x03 }, 2, 1, 1, 0, 1, 0 },
	{ "mov %ah,(%rbx)", M64, 2, { 0x88, 0x23 }, 2, 1, 1, 0, 1, 1 },
	{ "mov %bh,(%rsi)", M64, 2, { 0x88, 0x3e }, 2, 1, 1, 3, 1, 1 },
	{ "mov %sil,(%rbx)", M64, 3, { 0x40, 0x88, 0x33 }, 3, 1, 1, 6, 1, 0 },
	{ "mov %r8b,(%rbx)", M64, 3, { 0x44, 0x88, 0x03 }, 3, 1, 1, 8, 1, 0 },
	{ "mov (%rbx),%cl", M64, 2, { 0x8a, 0x0b }, 2, 1, 1, 1, 0, 0 },
	{ "mov (%rbx),%ch", M64, 2, { 0x8a, 0x2b }, 2, 1, 1, 1, 0, 1 },
	{ "mov (%rbx),%dil", M64, 3, { 0x40, 0x8a, 0x3b }, 3, 1, 1, 7, 0, 0 },
	/* c6/c7: immediates */
	{ "movb $0x5a,(%rbx)", M64, 3, { 0xc6, 0x03, 0x5a }, 3, 1, 1, 0, 1, 0, 0x5a },
	{ "movw $0x1234,(%rbx)", M64, 5, { 0x66, 0xc7, 0x03, 0x34, 0x12 }, 5, 2, 2, 0, 1, 0, 0x1234 },
	{ "movl $0x89abcdef,(%rbx)", M64, 6, { 0xc7, 0x03, 0xef, 0xcd, 0xab, 0x89 },
	  6, 4, 4, 0, 1, 0, 0x89abcdef },
	{ "movq $-2,(%rbx)", M64, 7, { 0x48, 0xc7, 0x03, 0xfe, 0xff, 0xff, 0xff },
	  7, 8, 8, 0, 1, 0, 0xfffffffffffffffeULL },
	{ "movl $1,0x300(%rax)", M64, 10, { 0xc7, 0x80, 0x00, 0x03, 0, 0, 1, 0, 0, 0 },
	  10, 4, 4, 0, 1, 0, 1 },
	/* moffs: the address has the address size */
	{ "movabs 0xfee00030,%eax", M64, 9, { 0xa1, 0x30, 0, 0xe0, 0xfe, 0, 0, 0, 0 },
	  9, 4, 4, 0, 0, 0 },
	{ "movabs %eax,0xfee000b0", M64, 9, { 0xa3, 0xb0, 0, 0xe0, 0xfe, 0, 0, 0, 0 },
	  9, 4, 4, 0, 1, 0 },
	{ "movabs 0x..,%al", M64, 9, { 0xa0, 1, 2, 3, 4, 5, 6, 7, 8 }, 9, 1, 1, 0, 0, 0 },
	{ "movabs %al,0x..", M64, 9, { 0xa2, 1, 2, 3, 4, 5, 6, 7, 8 }, 9, 1, 1, 0, 1, 0 },
	{ "movabs 0x..,%rax", M64, 10, { 0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, 8, 8, 0, 0, 0 },
	{ "mov 0xfee00030,%eax (67 a1)", M64, 6, { 0x67, 0xa1, 0x30, 0, 0xe0, 0xfe },
	  6, 4, 4, 0, 0, 0 },
	{ "mov 0xfee00030,%eax (32-bit)", M32, 5, { 0xa1, 0x30, 0, 0xe0, 0xfe }, 5, 4, 4, 0, 0, 0 },
	{ "mov %eax,0xfee000b0 (32-bit)", M32, 5, { 0xa3, 0xb0, 0, 0xe0, 0xfe }, 5, 4, 4, 0, 1, 0 },
	{ "mov 0x1234,%ax (16-bit)", M16, 3, { 0xa1, 0x34, 0x12 }, 3, 2, 2, 0, 0, 0 },
	/* MOVZX/MOVSX */
	{ "movzbl (%rbx),%eax", M64, 3, { 0x0f, 0xb6, 0x03 }, 3, 1, 4, 0, 0, 0 },
	{ "movzwl (%rbx),%edx", M64, 3, { 0x0f, 0xb7, 0x13 }, 3, 2, 4, 2, 0, 0 },
	{ "movsbl (%rbx),%ecx", M64, 3, { 0x0f, 0xbe, 0x0b }, 3, 1, 4, 1, 0, 0 },
	{ "movswq (%rbx),%r10", M64, 4, { 0x4c, 0x0f, 0xbf, 0x13 }, 4, 2, 8, 10, 0, 0 },
	{ "movzbw (%rbx),%si", M64, 4, { 0x66, 0x0f, 0xb6, 0x33 }, 4, 1, 2, 6, 0, 0 },
	{ "movzbl (%rbx),%edi", M64, 3, { 0x0f, 0xb6, 0x3b }, 3, 1, 4, 7, 0, 0 },
	/* 32-bit and 16-bit code */
	{ "mov (%ebx),%eax (32-bit)", M32, 2, { 0x8b, 0x03 }, 2, 4, 4, 0, 0, 0 },
	{ "mov (%ebx),%ax (32-bit, 66)", M32, 3, { 0x66, 0x8b, 0x03 }, 3, 2, 2, 0, 0, 0 },
	{ "mov (%bx,%si),%ax (16-bit)", M16, 2, { 0x8b, 0x00 }, 2, 2, 2, 0, 0, 0 },
	{ "mov 0x1234,%ax (16-bit modrm)", M16, 4, { 0x8b, 0x06, 0x34, 0x12 }, 4, 2, 2, 0, 0, 0 },
	{ "mov 0x10(%bp),%cx (16-bit)", M16, 3, { 0x8b, 0x4e, 0x10 }, 3, 2, 2, 1, 0, 0 },
	{ "mov %eax,0x100(%bx) (16-bit, 66)", M16, 5, { 0x66, 0x89, 0x87, 0, 1 }, 5, 4, 4, 0, 1, 0 },
	{ "mov (%ebx),%eax (16-bit, 66 67)", M16, 4, { 0x66, 0x67, 0x8b, 0x03 }, 4, 4, 4, 0, 0, 0 },
	{ "0x40 is inc %eax in 32-bit code", M32, 3, { 0x40, 0x8b, 0x03 }, 0 },
};

/* Encodings that are not decodable MOVs to memory: -EINVAL. */
static const struct row bad[] = {
	{ "mov %ebx,%eax (register operand)", M64, 2, { 0x89, 0xd8 } },
	{ "add %eax,(%rbx)", M64, 2, { 0x01, 0x03 } },
	{ "xchg %eax,(%rbx)", M64, 2, { 0x87, 0x03 } },
	{ "lock mov", M64, 3, { 0xf0, 0x89, 0x03 } },
	{ "rep movsb", M64, 2, { 0xf3, 0xa4 } },
	{ "c7 /1", M64, 6, { 0xc7, 0x0b, 1, 2, 3, 4 } },
	{ "truncated disp32", M64, 4, { 0x8b, 0x83, 0, 0 } },
	{ "truncated imm32", M64, 4, { 0xc7, 0x03, 1, 2 } },
	{ "truncated moffs64", M64, 5, { 0xa1, 1, 2, 3, 4 } },
	{ "no ModRM", M64, 1, { 0x8b } },
	{ "nothing fetched", M64, 0, { 0 } },
	{ "only prefixes", M64, 3, { 0x66, 0x67, 0x2e } },
	{ "mov %esp,(%rbx)", M64, 2, { 0x89, 0x23 } },
	{ "mov (%rbx),%esp", M64, 2, { 0x8b, 0x23 } },
	{ "mov %spl,(%rbx)", M64, 3, { 0x40, 0x88, 0x23 } },
	{ "0f 0b (ud2)", M64, 2, { 0x0f, 0x0b } },
	{ "15 prefixes", M64, 15, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66 } },
};

TEST(each_encoding)
{
	unsigned int i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct x86_mov m;
		int ret = x86_mov_decode(r->bytes, r->n, r->mode, &m);

		if (!r->len) {
			EXPECT_EQ(-EINVAL, ret) TH_LOG("%s", r->what);
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("%s", r->what);
		EXPECT_EQ(r->len, m.len) TH_LOG("%s", r->what);
		EXPECT_EQ(r->size, m.size) TH_LOG("%s", r->what);
		EXPECT_EQ(r->op_size, m.op_size) TH_LOG("%s", r->what);
		EXPECT_EQ(r->write, !!(m.flags & X86_MOV_WRITE)) TH_LOG("%s", r->what);
		if (m.flags & X86_MOV_IMM) {
			EXPECT_EQ(r->imm, m.imm) TH_LOG("%s", r->what);
		} else {
			EXPECT_EQ(r->reg, m.reg) TH_LOG("%s", r->what);
			EXPECT_EQ(r->high, m.high_byte) TH_LOG("%s", r->what);
		}
	}
}

TEST(refused)
{
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct x86_mov m;

		EXPECT_EQ(-EINVAL, x86_mov_decode(bad[i].bytes, bad[i].n,
						  bad[i].mode, &m))
			TH_LOG("%s", bad[i].what);
	}
}

/* Only the bytes the instruction has are used: a longer fetch is fine. */
TEST(trailing_bytes_ignored)
{
	const u8 b[15] = { 0x8b, 0x03, 0xcc, 0xcc, 0xcc };
	struct x86_mov m;

	ASSERT_EQ(0, x86_mov_decode(b, 15, M64, &m));
	EXPECT_EQ(2, m.len);
}

static u64 load(const u8 *b, unsigned int n, unsigned int mode, u64 old, u64 data)
{
	struct x86_mov m;

	if (x86_mov_decode(b, n, mode, &m))
		return 0xdeadbeef;
	return x86_mov_load(&m, old, data);
}

TEST(load_extension)
{
	const u64 old = 0x1111111111111111ULL;

	/* 32-bit loads zero-extend; 8/16-bit ones keep the other bits. */
	EXPECT_EQ(0x89abcdefULL, load((u8[]){ 0x8b, 0x03 }, 2, M64, old, 0xffff89abcdefULL));
	EXPECT_EQ(0xfedcba9876543210ULL,
		  load((u8[]){ 0x48, 0x8b, 0x03 }, 3, M64, old, 0xfedcba9876543210ULL));
	EXPECT_EQ(0x111111111111beefULL, load((u8[]){ 0x66, 0x8b, 0x03 }, 3, M64, old, 0xbeef));
	EXPECT_EQ(0x11111111111111a5ULL, load((u8[]){ 0x8a, 0x0b }, 2, M64, old, 0x77a5));
	EXPECT_EQ(0x111111111111a511ULL, load((u8[]){ 0x8a, 0x2b }, 2, M64, old, 0xa5));
	EXPECT_EQ(0x11111111111111a5ULL, load((u8[]){ 0xa0, 0, 0, 0, 0, 0, 0, 0, 0 }, 9, M64, old, 0xa5));
	/* MOVZX/MOVSX */
	EXPECT_EQ(0x80ULL, load((u8[]){ 0x0f, 0xb6, 0x03 }, 3, M64, old, 0x80));
	EXPECT_EQ(0xffffff80ULL, load((u8[]){ 0x0f, 0xbe, 0x03 }, 3, M64, old, 0x80));
	EXPECT_EQ(0x7fULL, load((u8[]){ 0x0f, 0xbe, 0x03 }, 3, M64, old, 0x7f));
	EXPECT_EQ(0x8000ULL, load((u8[]){ 0x0f, 0xb7, 0x03 }, 3, M64, old, 0x8000));
	EXPECT_EQ(0xffffffffffff8000ULL,
		  load((u8[]){ 0x48, 0x0f, 0xbf, 0x03 }, 4, M64, old, 0x8000));
	EXPECT_EQ(0xffffffffffffff80ULL,
		  load((u8[]){ 0x48, 0x0f, 0xbe, 0x03 }, 4, M64, old, 0x80));
	EXPECT_EQ(0x111111111111ff80ULL,
		  load((u8[]){ 0x66, 0x0f, 0xbe, 0x03 }, 4, M64, old, 0x80));
	EXPECT_EQ(0x1111111111110080ULL,
		  load((u8[]){ 0x66, 0x0f, 0xb6, 0x03 }, 4, M64, old, 0x80));
	/* 16-bit code: a 16-bit load; 66 makes it 32-bit (zero-extends). */
	EXPECT_EQ(0x111111111111beefULL, load((u8[]){ 0x8b, 0x03 }, 2, M16, old, 0xbeef));
	EXPECT_EQ(0xcafebeefULL, load((u8[]){ 0x66, 0x8b, 0x07 }, 3, M16, old, 0xcafebeef));
}

static u64 store(const u8 *b, unsigned int n, u64 regval)
{
	struct x86_mov m;

	if (x86_mov_decode(b, n, M64, &m) || !(m.flags & X86_MOV_WRITE))
		return 0xdeadbeef;
	return x86_mov_store_value(&m, regval);
}

TEST(store_value)
{
	const u64 v = 0xfedcba9876543210ULL;

	EXPECT_EQ(0x76543210ULL, store((u8[]){ 0x89, 0x03 }, 2, v));
	EXPECT_EQ(v, store((u8[]){ 0x48, 0x89, 0x03 }, 3, v));
	EXPECT_EQ(0x3210ULL, store((u8[]){ 0x66, 0x89, 0x03 }, 3, v));
	EXPECT_EQ(0x10ULL, store((u8[]){ 0x88, 0x03 }, 2, v));
	EXPECT_EQ(0x32ULL, store((u8[]){ 0x88, 0x23 }, 2, v));		/* %ah */
	EXPECT_EQ(0x10ULL, store((u8[]){ 0xa2, 0, 0, 0, 0, 0, 0, 0, 0 }, 9, v));
	EXPECT_EQ(0x5aULL, store((u8[]){ 0xc6, 0x03, 0x5a }, 3, v));
	EXPECT_EQ(0xffffffffffffff80ULL,
		  store((u8[]){ 0x48, 0xc7, 0x03, 0x80, 0xff, 0xff, 0xff }, 7, v));
}

TEST_HARNESS_MAIN
