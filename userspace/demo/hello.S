/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb demo guest: a multiboot (v1) kernel that prints a greeting on COM1,
 * reports what the loader told it, and ends the run through the exit port.
 * Built as a 32-bit ELF linked at 1 MiB; `hvtbctl run hello.elf` runs it.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-align modules, want memory info */
#define COM1		0x3f8
#define EXIT_PORT	0xf4

	.text
	.code32
	/* The multiboot header: first in .text, so within the first 8 KiB. */
	.align	4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.globl	_start
_start:
	mov	$stack_top, %esp
	/* EAX must hold the multiboot boot magic, EBX the info struct. */
	cmp	$0x2badb002, %eax
	jne	bad_loader
	mov	$greeting, %esi
	call	puts
	/* mem_upper (KiB above 1 MiB) is info word 2: print it in hex. */
	mov	8(%ebx), %eax
	call	puthex
	mov	$kib, %esi
	call	puts
	mov	$0, %al
	out	%al, $EXIT_PORT
	hlt

bad_loader:
	mov	$no_multiboot, %esi
	call	puts
	mov	$1, %al
	out	%al, $EXIT_PORT
	hlt

/* puts: write the NUL-terminated string at ESI to COM1. */
puts:
	lodsb
	test	%al, %al
	jz	1f
	mov	$COM1, %dx
	out	%al, %dx
	jmp	puts
1:	ret

/* puthex: write EAX as 8 hex digits. */
puthex:
	mov	$8, %ecx
	mov	$COM1, %dx
1:	rol	$4, %eax
	mov	%eax, %ebx
	and	$0xf, %ebx
	mov	hexdigits(%ebx), %bl
	xchg	%al, %bl
	out	%al, %dx
	xchg	%al, %bl
	loop	1b
	ret

	.section .rodata
greeting:
	.asciz	"Hello from an hvtb child partition: multiboot OK, mem_upper = 0x"
kib:
	.asciz	" KiB\n"
no_multiboot:
	.asciz	"hello: not started by a multiboot loader\n"
hexdigits:
	.ascii	"0123456789abcdef"

	.bss
	.align	16
	.space	4096
stack_top:
