/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - typed VMCS accessors.
 *
 * A VMCS field's encoding carries its width in bits 14:13 (0: 16-bit,
 * 1: 64-bit, 2: 32-bit, 3: natural width) and, for 64-bit fields, bit 0
 * selects the high half. Each accessor checks at build time that a constant
 * field has the width the accessor is for, so a wrong-width access fails the
 * build instead of silently truncating. A failed VMREAD/VMWRITE goes to one
 * error path that reports VM_INSTRUCTION_ERROR (once per CPU).
 */
#ifndef HVTB_VMX_VMCS_H
#define HVTB_VMX_VMCS_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/vmx.h>

#define VMCS_FIELD_WIDTH(f)	(((f) >> 13) & 3)
#define VMCS_WIDTH_16		0
#define VMCS_WIDTH_64		1
#define VMCS_WIDTH_32		2
#define VMCS_WIDTH_NATURAL	3

void hvtb_vmcs_error(unsigned long field, bool write, unsigned long value);

#define vmcs_check_width(field, width)					\
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&		\
			 (VMCS_FIELD_WIDTH(field) != (width) ||		\
			  ((width) == VMCS_WIDTH_64 && ((field) & 1))),	\
			 "VMCS field accessed with the wrong width")

static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	unsigned long value;
	bool fail;

	asm volatile("vmread %[field], %[value]"
		     : [value] "=rm" (value), "=@ccbe" (fail)
		     : [field] "r" (field)
		     : "memory");
	if (unlikely(fail))
		hvtb_vmcs_error(field, false, 0);
	return value;
}

static __always_inline void __vmcs_write(unsigned long field,
					 unsigned long value)
{
	bool fail;

	asm volatile("vmwrite %[value], %[field]"
		     : "=@ccbe" (fail)
		     : [field] "r" (field), [value] "rm" (value)
		     : "memory");
	if (unlikely(fail))
		hvtb_vmcs_error(field, true, value);
}

static __always_inline u16 vmcs_read16(unsigned long field)
{
	vmcs_check_width(field, VMCS_WIDTH_16);
	return __vmcs_read(field);
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	vmcs_check_width(field, VMCS_WIDTH_32);
	return __vmcs_read(field);
}

static __always_inline u64 vmcs_read64(unsigned long field)
{
	vmcs_check_width(field, VMCS_WIDTH_64);
	return __vmcs_read(field);
}

static __always_inline unsigned long vmcs_readl(unsigned long field)
{
	vmcs_check_width(field, VMCS_WIDTH_NATURAL);
	return __vmcs_read(field);
}

static __always_inline void vmcs_write16(unsigned long field, u16 value)
{
	vmcs_check_width(field, VMCS_WIDTH_16);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write32(unsigned long field, u32 value)
{
	vmcs_check_width(field, VMCS_WIDTH_32);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write64(unsigned long field, u64 value)
{
	vmcs_check_width(field, VMCS_WIDTH_64);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_writel(unsigned long field,
					unsigned long value)
{
	vmcs_check_width(field, VMCS_WIDTH_NATURAL);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_set_bits32(unsigned long field, u32 mask)
{
	vmcs_write32(field, vmcs_read32(field) | mask);
}

static __always_inline void vmcs_clear_bits32(unsigned long field, u32 mask)
{
	vmcs_write32(field, vmcs_read32(field) & ~mask);
}

#endif /* HVTB_VMX_VMCS_H */
