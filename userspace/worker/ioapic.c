// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker's I/O APIC: 24 pins at 0xFEC00000 (MADT: ID 8, GSI base 0),
 * version 0x11 (no EOI register), on decoded MMIO exits.
 *
 * Why in the worker and not in the kernel: its only interrupt source is the
 * worker's UART (the VMBus devices interrupt through the SynIC), and Linux
 * touches its registers at boot and when it masks or moves an IRQ, not per
 * interrupt (an edge-triggered line is acked at the local APIC only). So an
 * MMIO exit to user space per register access costs nothing that matters,
 * and the device model stays beside the device that drives it. An interrupt
 * goes to the in-kernel local APIC by HVTB_PARTITION_ASSERT_INTERRUPT.
 *
 * Delivery: fixed and lowest-priority modes (lowest priority goes to the
 * first VP of the destination). Physical destination: the VP whose APIC ID
 * (= VP index) is the destination field, 0xFF all VPs; logical: the field
 * as a bit mask of VPs (Linux's flat xAPIC IDs 1 << cpu, and cluster 0 of
 * x2APIC, as the Hyper-V IOMMU driver programs it). NMI/INIT/ExtINT
 * delivery modes are not delivered (counted in vm->ioapic.dropped).
 * Level-triggered pins deliver once per assertion and set Remote IRR; the
 * local APIC sends no EOI to the worker, so a level pin is not re-armed
 * until the guest rewrites its entry (no worker device is level-triggered).
 * All state is guarded by wk_vm.lock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "worker.h"
#include "apic.h"

#define IOREGSEL	0x00
#define IOWIN		0x10

#define REG_ID		0x00
#define REG_VER		0x01
#define REG_ARB		0x02
#define REG_RTE0	0x10

#define RTE_VECTOR	0xffULL
#define RTE_MODE(e)	(((e) >> 8) & 7)
#define RTE_LOGICAL	(1ULL << 11)
#define RTE_REMOTE_IRR	(1ULL << 14)
#define RTE_LEVEL	(1ULL << 15)
#define RTE_MASKED	(1ULL << 16)
#define RTE_DEST(e)	((unsigned int)((e) >> 56))
#define RTE_RO_BITS	((1ULL << 12) | RTE_REMOTE_IRR)	/* delivery status, Remote IRR */

#define MODE_FIXED	0
#define MODE_LOWEST	1

void wk_ioapic_init(struct wk_vm *vm)
{
	unsigned int i;

	memset(&vm->ioapic, 0, sizeof(vm->ioapic));
	for (i = 0; i < WK_IOAPIC_PINS; i++)
		vm->ioapic.rte[i] = RTE_MASKED;
}

static void deliver(struct wk_vm *vm, unsigned int pin)
{
	struct wk_ioapic *io = &vm->ioapic;
	uint64_t e = io->rte[pin];
	unsigned int dest = RTE_DEST(e), i;
	int r;

	if (RTE_MODE(e) != MODE_FIXED && RTE_MODE(e) != MODE_LOWEST) {
		io->dropped++;
		return;
	}
	if ((e & RTE_VECTOR) < 16) {
		io->dropped++;
		return;
	}
	if (e & RTE_LEVEL)
		io->rte[pin] |= RTE_REMOTE_IRR;
	for (i = 0; i < vm->cfg.vps; i++) {
		bool hit = (e & RTE_LOGICAL) ? i < 8 && (dest & (1u << i)) :
			   dest == 0xff || dest == i;

		if (!hit)
			continue;
		r = hvtb_assert_interrupt(vm->part, i, (uint32_t)(e & RTE_VECTOR), 0);
		if (r)
			io->dropped++;	/* -ENXIO: that VP's APIC is disabled */
		else
			io->delivered++;
		if (RTE_MODE(e) == MODE_LOWEST)
			return;
	}
}

/**
 * wk_ioapic_set_irq() - drive pin @pin to @level (wk_vm.lock held).
 * @vm: the VM.
 * @pin: 0..WK_IOAPIC_PINS-1.
 * @level: the line's new level (active high: no worker line is inverted).
 *
 * An edge-triggered pin delivers on a rising edge, a level-triggered one
 * while high and Remote IRR is clear, both only if unmasked.
 */
void wk_ioapic_set_irq(struct wk_vm *vm, unsigned int pin, bool level)
{
	struct wk_ioapic *io = &vm->ioapic;
	uint32_t bit = 1u << pin;
	bool was = io->lines & bit;
	uint64_t e;

	if (pin >= WK_IOAPIC_PINS)
		return;
	io->lines = level ? io->lines | bit : io->lines & ~bit;
	e = io->rte[pin];
	if (!level || (e & RTE_MASKED))
		return;
	if (e & RTE_LEVEL) {
		if (!(e & RTE_REMOTE_IRR))
			deliver(vm, pin);
	} else if (!was) {
		deliver(vm, pin);
	}
}

static uint32_t reg_read(struct wk_vm *vm)
{
	struct wk_ioapic *io = &vm->ioapic;
	unsigned int r = io->sel;

	if (r == REG_ID || r == REG_ARB)
		return (uint32_t)WK_IOAPIC_ID << 24;
	if (r == REG_VER)
		return ((WK_IOAPIC_PINS - 1) << 16) | 0x11;
	if (r >= REG_RTE0 && r < REG_RTE0 + 2 * WK_IOAPIC_PINS) {
		uint64_t e = io->rte[(r - REG_RTE0) / 2];

		return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	return 0;
}

static void reg_write(struct wk_vm *vm, uint32_t v)
{
	struct wk_ioapic *io = &vm->ioapic;
	unsigned int r = io->sel, pin;
	uint64_t e, old;

	if (r < REG_RTE0 || r >= REG_RTE0 + 2 * WK_IOAPIC_PINS)
		return;		/* ID, VER, ARB: fixed here */
	pin = (r - REG_RTE0) / 2;
	old = io->rte[pin];
	if (r & 1)
		e = (old & 0xffffffffULL) | ((uint64_t)v << 32);
	else	/* a rewritten entry re-arms a level pin (no EOI reaches the worker) */
		e = (old & ~0xffffffffULL) | (v & ~RTE_RO_BITS);
	io->rte[pin] = e;
	/* Unmasking a level pin that is high delivers it. */
	if ((old & RTE_MASKED) && !(e & RTE_MASKED) && (e & RTE_LEVEL) &&
	    (io->lines & (1u << pin)))
		deliver(vm, pin);
}

/**
 * wk_ioapic_mmio() - a decoded access inside the I/O APIC's page.
 * @vm: the VM (wk_vm.lock held).
 * @off: the offset in the page.
 * @write: a store of @data; else the value read is returned in @data.
 * @data: the value.
 */
void wk_ioapic_mmio(struct wk_vm *vm, uint64_t off, bool write, uint64_t *data)
{
	struct wk_ioapic *io = &vm->ioapic;

	if (write) {
		if (off == IOREGSEL)
			io->sel = (uint8_t)*data;
		else if (off == IOWIN)
			reg_write(vm, (uint32_t)*data);
		return;
	}
	if (off == IOREGSEL)
		*data = io->sel;
	else if (off == IOWIN)
		*data = reg_read(vm);
	else
		*data = 0;
}
