/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - x86: decode the MOV forms guests use on MMIO.
 *
 * One table of opcodes; pure logic, free of kernel-only calls, so that
 * selftests/host/mov_decode_test.c compiles this header on the build host.
 * A host includer defines u8, u32, u64 and bool before including it.
 * Used for decoded HVTB_EXIT_MMIO exits (kmod/vp.c) and for the in-kernel
 * xAPIC emulation (kmod/apic/apic.c).
 *
 * Decoded: MOV moffs A0-A3, 88/89/8a/8b /r, c6/c7 /0 imm, MOVZX 0f b6/b7
 * and MOVSX 0f be/bf, with the 66/67 size prefixes, segment overrides and
 * REX, and every memory ModRM form (SIB, disp8/16/32, RIP-relative, 16-bit
 * addressing). Linux's readb..readq/writeb..writeq (asm/io.h) are single
 * MOVs, so the IOAPIC, 8250 and LAPIC code only ever emits these forms.
 * Refused (-EINVAL): anything else (LOCK, REP, other opcodes, register
 * operands, truncated bytes) and the stack pointer as register operand
 * (the caller keeps RSP elsewhere; no compiler emits it for MMIO).
 */
#ifndef HVTB_X86_MOV_DECODE_H
#define HVTB_X86_MOV_DECODE_H

#include <linux/errno.h>

/* The code size the instruction executes with (CS.L, CS.D). */
#define X86_MODE_16	2
#define X86_MODE_32	4
#define X86_MODE_64	8

/* struct x86_mov_op.flags */
#define X86_MOV_MODRM	0x01	/* a ModRM operand follows the opcode */
#define X86_MOV_WRITE	0x02	/* stores into memory */
#define X86_MOV_BYTE	0x04	/* 8-bit memory operand */
#define X86_MOV_WORD	0x08	/* 16-bit memory operand (MOVZX/MOVSX b7/bf) */
#define X86_MOV_IMM	0x10	/* an immediate of the operand size follows */
#define X86_MOV_MOFFS	0x20	/* an address of the address size follows */
#define X86_MOV_ZX	0x40	/* zero-extends into the register */
#define X86_MOV_SX	0x80	/* sign-extends into the register */

struct x86_mov_op {
	u8 twobyte;	/* 1: 0f-escaped */
	u8 opcode;
	u8 flags;	/* X86_MOV_* */
};

static const struct x86_mov_op x86_mov_ops[] = {
	{ 0, 0x88, X86_MOV_MODRM | X86_MOV_WRITE | X86_MOV_BYTE },
	{ 0, 0x89, X86_MOV_MODRM | X86_MOV_WRITE },
	{ 0, 0x8a, X86_MOV_MODRM | X86_MOV_BYTE },
	{ 0, 0x8b, X86_MOV_MODRM },
	{ 0, 0xa0, X86_MOV_MOFFS | X86_MOV_BYTE },
	{ 0, 0xa1, X86_MOV_MOFFS },
	{ 0, 0xa2, X86_MOV_MOFFS | X86_MOV_WRITE | X86_MOV_BYTE },
	{ 0, 0xa3, X86_MOV_MOFFS | X86_MOV_WRITE },
	{ 0, 0xc6, X86_MOV_MODRM | X86_MOV_WRITE | X86_MOV_BYTE | X86_MOV_IMM },
	{ 0, 0xc7, X86_MOV_MODRM | X86_MOV_WRITE | X86_MOV_IMM },
	{ 1, 0xb6, X86_MOV_MODRM | X86_MOV_BYTE | X86_MOV_ZX },
	{ 1, 0xb7, X86_MOV_MODRM | X86_MOV_WORD | X86_MOV_ZX },
	{ 1, 0xbe, X86_MOV_MODRM | X86_MOV_BYTE | X86_MOV_SX },
	{ 1, 0xbf, X86_MOV_MODRM | X86_MOV_WORD | X86_MOV_SX },
	{ 0, 0, 0 }	/* end */
};

/* A decoded MOV between a register (or immediate) and memory. */
struct x86_mov {
	u8 len;		/* instruction length in bytes */
	u8 size;	/* memory access size: 1, 2, 4 or 8 */
	u8 op_size;	/* register operand size (MOVZX/MOVSX: the destination) */
	u8 reg;		/* GPR number 0-15 (RAX..R15); unused with @imm */
	u8 flags;	/* X86_MOV_* of the opcode */
	bool high_byte;	/* @reg 0-3 means AH, CH, DH, BH */
	u64 imm;	/* X86_MOV_IMM: the value stored, of @size bytes */
};

static inline const struct x86_mov_op *x86_mov_lookup(u8 twobyte, u8 opcode)
{
	const struct x86_mov_op *op;

	for (op = x86_mov_ops; op->flags; op++)
		if (op->twobyte == twobyte && op->opcode == opcode)
			return op;
	return NULL;
}

/* Length of a memory ModRM operand (ModRM, SIB, displacement), or -EINVAL. */
static inline int x86_modrm_len(const u8 *p, unsigned int n, unsigned int asize)
{
	u8 mod, rm;
	int len = 1;

	if (n < 1)
		return -EINVAL;
	mod = p[0] >> 6;
	rm = p[0] & 7;
	if (mod == 3)
		return -EINVAL;		/* a register, not memory */
	if (asize == 2) {		/* 16-bit: no SIB; disp16 */
		if (mod == 0 && rm == 6)
			return 3;
		return 1 + (mod == 1 ? 1 : mod == 2 ? 2 : 0);
	}
	if (rm == 4) {
		if (n < 2)
			return -EINVAL;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;	/* SIB without base: disp32 */
	} else if (mod == 0 && rm == 5) {
		len += 4;		/* disp32 or RIP-relative */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

static inline bool x86_is_seg_prefix(u8 b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
	       b == 0x64 || b == 0x65;
}

/* Little-endian immediate of @size bytes (sign-extended when @sext). */
static inline u64 x86_fetch_imm(const u8 *p, unsigned int size, bool sext)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (u64)p[i] << (8 * i);
	if (sext && size < 8 && (v & (1ULL << (8 * size - 1))))
		v |= ~0ULL << (8 * size);
	return v;
}

/**
 * x86_mov_decode() - decode a MOV to or from memory.
 * @b: the instruction bytes
 * @n: how many of them were fetched
 * @mode: X86_MODE_16/32/64, the code size
 * @m: the result
 * Return: 0, or -EINVAL for anything not in x86_mov_ops[].
 */
static inline int x86_mov_decode(const u8 *b, unsigned int n, unsigned int mode,
				 struct x86_mov *m)
{
	const struct x86_mov_op *op;
	unsigned int i = 0, osize, asize, isize;
	bool p66 = false, p67 = false;
	u8 rex = 0, twobyte = 0;
	int ml;

	for (; i < n && i < 14; i++) {
		if (b[i] == 0x66)
			p66 = true;
		else if (b[i] == 0x67)
			p67 = true;
		else if (!x86_is_seg_prefix(b[i]))
			break;
	}
	if (mode == X86_MODE_64 && i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];	/* REX must come last */
	if (i < n && b[i] == 0x0f) {
		twobyte = 1;
		i++;
	}
	if (i >= n)
		return -EINVAL;
	op = x86_mov_lookup(twobyte, b[i++]);
	if (!op)
		return -EINVAL;

	if (rex & 8)
		osize = 8;
	else if (mode == X86_MODE_16)
		osize = p66 ? 4 : 2;
	else
		osize = p66 ? 2 : 4;
	if (mode == X86_MODE_64)
		asize = p67 ? 4 : 8;
	else if (mode == X86_MODE_32)
		asize = p67 ? 2 : 4;
	else
		asize = p67 ? 4 : 2;

	m->flags = op->flags;
	m->op_size = (op->flags & X86_MOV_BYTE) &&
		     !(op->flags & (X86_MOV_ZX | X86_MOV_SX)) ? 1 : osize;
	m->size = op->flags & X86_MOV_BYTE ? 1 :
		  op->flags & X86_MOV_WORD ? 2 : osize;
	m->reg = 0;		/* A0-A3: AL/eAX */
	m->high_byte = false;
	m->imm = 0;

	if (op->flags & X86_MOV_MOFFS) {
		if (i + asize > n)
			return -EINVAL;
		i += asize;
	} else {
		ml = x86_modrm_len(b + i, n - i, asize);
		if (ml < 0 || i + ml > n)
			return -EINVAL;
		m->reg = ((b[i] >> 3) & 7) | ((rex & 4) ? 8 : 0);
		if ((op->flags & X86_MOV_IMM) && ((b[i] >> 3) & 7))
			return -EINVAL;	/* c6/c7 /1-/7 are not MOVs */
		i += ml;
	}
	if (op->flags & X86_MOV_IMM) {
		isize = m->size > 4 ? 4 : m->size;	/* imm32 sign-extends */
		if (i + isize > n)
			return -EINVAL;
		m->imm = x86_fetch_imm(b + i, isize, true);
		if (m->size < 8)
			m->imm &= (1ULL << (8 * m->size)) - 1;
		i += isize;
		m->reg = 0;
	} else if (m->op_size == 1 && !rex && m->reg >= 4 && m->reg < 8) {
		m->reg -= 4;		/* AH, CH, DH, BH */
		m->high_byte = true;
	}
	if (!(op->flags & X86_MOV_IMM) && m->reg == 4 && !m->high_byte)
		return -EINVAL;		/* RSP/ESP/SP/SPL */
	m->len = i;
	return 0;
}

/**
 * x86_mov_store_value() - the value a store writes to memory.
 * @m: a decoded store (X86_MOV_WRITE)
 * @regval: the full value of GPR @m->reg (ignored with an immediate)
 */
static inline u64 x86_mov_store_value(const struct x86_mov *m, u64 regval)
{
	if (m->flags & X86_MOV_IMM)
		return m->imm;
	if (m->high_byte)
		regval >>= 8;
	return m->size == 8 ? regval : regval & ((1ULL << (8 * m->size)) - 1);
}

/**
 * x86_mov_load() - the register after a load from memory completed.
 * @m: a decoded load
 * @old: the full value of GPR @m->reg before it
 * @data: the @m->size bytes read (higher bits ignored)
 * Return: the new full value of the register: 8- and 16-bit destinations
 * keep the other bits, 32-bit ones zero-extend to 64 (as the CPU does).
 */
static inline u64 x86_mov_load(const struct x86_mov *m, u64 old, u64 data)
{
	unsigned int s = m->size;

	if (s < 8)
		data &= (1ULL << (8 * s)) - 1;
	if ((m->flags & X86_MOV_SX) && (data & (1ULL << (8 * s - 1))))
		data |= ~0ULL << (8 * s);
	if (m->high_byte)
		return (old & ~0xff00ULL) | (data << 8);
	switch (m->op_size) {
	case 1:
		return (old & ~0xffULL) | (data & 0xff);
	case 2:
		return (old & ~0xffffULL) | (data & 0xffff);
	case 4:
		return data & 0xffffffffULL;
	default:
		return data;
	}
}

#endif /* HVTB_X86_MOV_DECODE_H */
