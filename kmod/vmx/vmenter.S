/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb - VM entry and VM exit.
 *
 * The guest's general registers live in struct hvtb_gprs (kmod/hvtb.h),
 * indexed by x86 register number; RSP and RIP are in the VMCS. The VMCS's
 * HOST_RIP points at hvtb_vmx_vmexit and HOST_RSP is written here on every
 * entry, so a VM exit lands below with the stack as it was at entry.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

/* VMCS encoding of HOST_RSP (SDM Vol. 3 Appendix B.4.4). */
#define VMCS_HOST_RSP	0x6c14

/* Offsets in struct hvtb_gprs: register number times 8. */
#define G_RAX	(0 * 8)
#define G_RCX	(1 * 8)
#define G_RDX	(2 * 8)
#define G_RBX	(3 * 8)
#define G_RBP	(5 * 8)
#define G_RSI	(6 * 8)
#define G_RDI	(7 * 8)
#define G_R8	(8 * 8)
#define G_R9	(9 * 8)
#define G_R10	(10 * 8)
#define G_R11	(11 * 8)
#define G_R12	(12 * 8)
#define G_R13	(13 * 8)
#define G_R14	(14 * 8)
#define G_R15	(15 * 8)

.text

/**
 * hvtb_vmx_vmenter - run the guest of the current VMCS until its next VM exit
 * @gprs:	(%rdi) the guest's general registers: loaded before entry, saved
 *		after exit
 * @launched:	(%rsi) 0: VMLAUNCH (VMCS clear), otherwise VMRESUME
 *
 * Called with interrupts disabled and the VMCS current on this CPU.
 *
 * Return: 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed (VMfail; see
 * VM_INSTRUCTION_ERROR), 2 if it faulted (the CPU was not in VMX root).
 */
SYM_FUNC_START(hvtb_vmx_vmenter)
	/* Save the callee-saved registers: the guest overwrites them all. */
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* @gprs at the top of the stack, where the exit path finds it. */
	push	%rdi

	/* A VM exit resumes with exactly this stack pointer. */
	mov	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	jbe	.Lvmfail

	/* Set ZF for the launch/resume choice; the movs below keep flags. */
	test	%rsi, %rsi

	/* Load the guest's registers, RDI (the pointer) last. */
	mov	G_RAX(%rdi), %rax
	mov	G_RCX(%rdi), %rcx
	mov	G_RDX(%rdi), %rdx
	mov	G_RBX(%rdi), %rbx
	mov	G_RBP(%rdi), %rbp
	mov	G_RSI(%rdi), %rsi
	mov	G_R8(%rdi), %r8
	mov	G_R9(%rdi), %r9
	mov	G_R10(%rdi), %r10
	mov	G_R11(%rdi), %r11
	mov	G_R12(%rdi), %r12
	mov	G_R13(%rdi), %r13
	mov	G_R14(%rdi), %r14
	mov	G_R15(%rdi), %r15
	mov	G_RDI(%rdi), %rdi

	/*
	 * Enter the guest. On success the CPU continues at hvtb_vmx_vmexit
	 * at the next VM exit, not after the instruction; falling through
	 * means VMfail.
	 */
	UNWIND_HINT_SAVE
	jz	.Llaunch
.Lresume_insn:
	vmresume
	jmp	.Lvmfail
.Llaunch:
.Llaunch_insn:
	vmlaunch
	jmp	.Lvmfail

	_ASM_EXTABLE(.Lresume_insn, .Lfault)
	_ASM_EXTABLE(.Llaunch_insn, .Lfault)

SYM_INNER_LABEL(hvtb_vmx_vmexit, SYM_L_GLOBAL)
	/* The unwinder sees the frame as it was before the entry. */
	UNWIND_HINT_RESTORE
	ANNOTATE_NOENDBR

	/* Guest registers are live; (%rsp) is @gprs. Free RDI to use it. */
	push	%rdi
	mov	8(%rsp), %rdi

	mov	%rax, G_RAX(%rdi)
	mov	%rcx, G_RCX(%rdi)
	mov	%rdx, G_RDX(%rdi)
	mov	%rbx, G_RBX(%rdi)
	mov	%rbp, G_RBP(%rdi)
	mov	%rsi, G_RSI(%rdi)
	mov	%r8, G_R8(%rdi)
	mov	%r9, G_R9(%rdi)
	mov	%r10, G_R10(%rdi)
	mov	%r11, G_R11(%rdi)
	mov	%r12, G_R12(%rdi)
	mov	%r13, G_R13(%rdi)
	mov	%r14, G_R14(%rdi)
	mov	%r15, G_R15(%rdi)
	popq	G_RDI(%rdi)

	xor	%eax, %eax

.Lclear:
	/*
	 * Leave no guest value in a caller-saved register; the callee-saved
	 * ones get the host's values back below.
	 */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	/* Drop @gprs, restore the callee-saved registers. */
	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lvmfail:
	mov	$1, %eax
	jmp	.Lclear

.Lfault:
	mov	$2, %eax
	jmp	.Lclear

SYM_FUNC_END(hvtb_vmx_vmenter)
