/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin.elf - a guest that hangs: a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)
 * and a 32-bit entry that disables interrupts and spins. hvtb-worker's
 * --watchdog must end it (worker_test, group watchdog).
 */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4			/* name size */
	.long 4			/* descriptor size */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long spin_entry

	.text
	.code32
	.globl spin_entry
spin_entry:
	cli
1:	jmp 1b
