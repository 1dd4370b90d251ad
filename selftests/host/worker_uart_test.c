// SPDX-License-Identifier: GPL-2.0
/*
 * worker_uart_test - hvtb-worker's 16550 interrupt and I/O APIC
 * (userspace/worker/devices.c and ioapic.c, compiled in) on the build host:
 * the register sequences Linux 6.1's 8250 driver and I/O APIC code write,
 * through wk_handle_io()/wk_handle_mmio() as a VP's exits reach them, with
 * HVTB_PARTITION_ASSERT_INTERRUPT replaced by a recorder.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../userspace/worker/worker.h"

/* The partition-side calls devices.c and ioapic.c make, recorded. */
static unsigned int asserts, last_vp, last_vector;

int hvtb_assert_interrupt(int partfd, __u32 vp_index, __u32 vector, __u32 flags)
{
	(void)partfd;
	(void)flags;
	asserts++;
	last_vp = vp_index;
	last_vector = vector;
	return 0;
}

void wk_vm_end(struct wk_vm *vm, int code, const char *why)
{
	(void)why;
	if (vm->exit_code < 0)
		vm->exit_code = code;
}

uint64_t wk_now_ns(void)
{
	return 1;
}

static struct wk_vm vm;
static struct wk_vp vp;
static struct hvtb_run *run;
static int mmio_errors;

static void setup_vm(unsigned int vps)
{
	memset(&vm, 0, sizeof(vm));
	pthread_mutex_init(&vm.lock, NULL);
	vm.cfg.vps = vps;
	vm.exit_code = -1;
	vm.console = NULL;
	wk_devices_init(&vm);
	if (!run)
		run = calloc(1, 4096);
	memset(run, 0, 4096);
	vp.vm = &vm;
	vp.h.run = run;
	asserts = 0;
	mmio_errors = 0;
}

static void outb(uint16_t port, uint8_t v)
{
	run->exit_reason = HVTB_EXIT_IO;
	run->io = (struct hvtb_exit_io){ .port = port, .size = 1, .direction = HVTB_IO_OUT,
					 .count = 1, .value = v };
	wk_handle_io(&vp);
}

static uint8_t inb(uint16_t port)
{
	run->exit_reason = HVTB_EXIT_IO;
	run->io = (struct hvtb_exit_io){ .port = port, .size = 1, .direction = HVTB_IO_IN,
					 .count = 1 };
	wk_handle_io(&vp);
	return (uint8_t)run->io.value;
}

static uint32_t mmio(uint64_t off, bool write, uint32_t v)
{
	run->exit_reason = HVTB_EXIT_MMIO;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.gpa = WK_IOAPIC_GPA + off;
	run->mmio.flags = HVTB_MMIO_DECODED;
	run->mmio.len = 4;
	run->mmio.write = write;
	run->mmio.data = write ? v : 0xdeadbeefdeadbeefULL;
	if (wk_handle_mmio(&vp))
		mmio_errors++;
	return (uint32_t)run->mmio.data;
}

static void ioapic_write(unsigned int reg, uint32_t v)
{
	mmio(0x00, true, reg);
	mmio(0x10, true, v);
}

static uint32_t ioapic_read(unsigned int reg)
{
	mmio(0x00, true, reg);
	return mmio(0x10, false, 0);
}

#define COM1 0x3f8
#define IER (COM1 + 1)
#define IIR (COM1 + 2)
#define MCR (COM1 + 4)

/* What Linux does: pin 4 edge, active high, fixed, physical APIC 0, vector 0x24. */
static void route_pin4(uint32_t low, uint32_t dest)
{
	ioapic_write(0x10 + 2 * 4 + 1, dest << 24);
	ioapic_write(0x10 + 2 * 4, low);
}

TEST(ioapic_identity)
{
	setup_vm(1);
	EXPECT_EQ(0x00170011u, ioapic_read(0x01));	/* 24 pins, version 0x11 */
	EXPECT_EQ((uint32_t)WK_IOAPIC_ID << 24, ioapic_read(0x00));
	/* every entry starts masked */
	for (unsigned int pin = 0; pin < WK_IOAPIC_PINS; pin++)
		EXPECT_EQ(1u << 16, ioapic_read(0x10 + 2 * pin));
	/* a register past the entries reads 0, writes go nowhere */
	ioapic_write(0x10 + 2 * WK_IOAPIC_PINS, 0x1234);
	EXPECT_EQ(0u, ioapic_read(0x10 + 2 * WK_IOAPIC_PINS));
	EXPECT_EQ(0u, mmio(0x20, false, 0));
	/* read-only bits (delivery status, Remote IRR) stay clear */
	ioapic_write(0x10, 0x5030);
	EXPECT_EQ(0x30u, ioapic_read(0x10));
	EXPECT_EQ(0, mmio_errors);
}

TEST(mmio_outside_ioapic_ends_vm)
{
	setup_vm(1);
	run->exit_reason = HVTB_EXIT_MMIO;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.gpa = 0xfed00000;	/* an HPET the worker does not have */
	run->mmio.flags = HVTB_MMIO_DECODED;
	run->mmio.len = 4;
	EXPECT_EQ(1, wk_handle_mmio(&vp));
	EXPECT_EQ(WK_EXIT_STUCK, vm.exit_code);
	/* not decoded: the worker has no decoder */
	setup_vm(1);
	run->exit_reason = HVTB_EXIT_MMIO;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.gpa = WK_IOAPIC_GPA;
	EXPECT_EQ(1, wk_handle_mmio(&vp));
	/* straddling the page's end */
	setup_vm(1);
	run->exit_reason = HVTB_EXIT_MMIO;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.gpa = WK_IOAPIC_GPA + 0xffc;
	run->mmio.flags = HVTB_MMIO_DECODED;
	run->mmio.len = 8;
	EXPECT_EQ(1, wk_handle_mmio(&vp));
}

/* serial8250_do_startup()'s THRE test: a 16550 re-raises THRE when enabled. */
TEST(thre_reasserted_when_enabled)
{
	setup_vm(1);
	outb(IER, 0x02);
	EXPECT_EQ(0x02, inb(IIR) & 0x0f);	/* iir1: THRE */
	EXPECT_EQ(0x01, inb(IIR) & 0x0f);	/* read cleared it */
	outb(IER, 0);
	outb(IER, 0x02);
	EXPECT_EQ(0x02, inb(IIR) & 0x0f);	/* iir: THRE again */
	outb(IER, 0);
	EXPECT_EQ(0x01, inb(IIR) & 0x0f);
	EXPECT_EQ(0, mmio_errors);
}

TEST(no_interrupt_while_masked_or_out2_clear)
{
	setup_vm(1);
	outb(IER, 0x02);	/* OUT2 clear: the line is gated off */
	EXPECT_EQ(0u, asserts);
	outb(IER, 0);
	outb(MCR, 0x0b);	/* DTR, RTS, OUT2 */
	outb(IER, 0x02);	/* line high, but pin 4 still masked */
	EXPECT_EQ(0u, asserts);
	EXPECT_EQ(1u, (unsigned int)vm.uart.interrupts);
	EXPECT_EQ(0, mmio_errors);
}

TEST(tx_burst_one_interrupt_per_refill)
{
	setup_vm(1);
	route_pin4(0x24, 0);
	outb(MCR, 0x0b);
	outb(IER, 0x02);		/* start_tx: THRE at once */
	EXPECT_EQ(1u, asserts);
	EXPECT_EQ(0u, last_vp);
	EXPECT_EQ(0x24u, last_vector);
	/* the handler: IIR says THRE, 16 bytes go out, the line stays high */
	EXPECT_EQ(0x02, inb(IIR) & 0x0f);
	for (int i = 0; i < 16; i++)
		outb(COM1, 'a');
	EXPECT_EQ(2u, asserts);		/* the refill raised it once more */
	/* next pass: THRE, nothing left to send: stop_tx */
	EXPECT_EQ(0x02, inb(IIR) & 0x0f);
	outb(IER, 0x00);
	EXPECT_EQ(0x01, inb(IIR) & 0x0f);
	EXPECT_EQ(2u, asserts);
	EXPECT_EQ(0, mmio_errors);
}

TEST(rx_interrupt_on_input_edge)
{
	setup_vm(1);
	route_pin4(0x24, 0);
	outb(MCR, 0x0b);
	outb(IER, 0x01);		/* RDI only: no data, no interrupt */
	EXPECT_EQ(0u, asserts);
	pthread_mutex_lock(&vm.lock);
	vm.uart.rx[vm.uart.rx_head++] = 'x';
	vm.uart.rx[vm.uart.rx_head++] = 'y';
	pthread_mutex_unlock(&vm.lock);
	outb(COM1 + 7, 0);		/* any access updates the line */
	EXPECT_EQ(1u, asserts);
	EXPECT_EQ(0x04, inb(IIR) & 0x0f);
	EXPECT_EQ('x', inb(COM1));
	EXPECT_EQ(1u, asserts);		/* still high: no new edge */
	EXPECT_EQ('y', inb(COM1));
	EXPECT_EQ(0x01, inb(IIR) & 0x0f);
	EXPECT_EQ(0, mmio_errors);
}

TEST(destinations)
{
	setup_vm(4);
	route_pin4(0x30, 2);		/* physical APIC 2 */
	outb(MCR, 0x0b);
	outb(IER, 0x02);
	EXPECT_EQ(1u, asserts);
	EXPECT_EQ(2u, last_vp);
	outb(IER, 0);
	/* logical, flat: bit 3 = VP 3 */
	route_pin4(0x30 | (1 << 11), 0x08);
	outb(IER, 0x02);
	EXPECT_EQ(2u, asserts);
	EXPECT_EQ(3u, last_vp);
	outb(IER, 0);
	/* lowest priority to VPs 1 and 2: one interrupt, the first */
	route_pin4(0x30 | (1 << 11) | (1 << 8), 0x06);
	outb(IER, 0x02);
	EXPECT_EQ(3u, asserts);
	EXPECT_EQ(1u, last_vp);
	outb(IER, 0);
	/* broadcast 0xff: all four */
	route_pin4(0x30, 0xff);
	outb(IER, 0x02);
	EXPECT_EQ(7u, asserts);
	outb(IER, 0);
	/* a vector below 16 and NMI mode are not delivered */
	route_pin4(0x05, 0);
	outb(IER, 0x02);
	outb(IER, 0);
	route_pin4(0x30 | (4 << 8), 0);
	outb(IER, 0x02);
	EXPECT_EQ(7u, asserts);
	EXPECT_EQ(2u, (unsigned int)vm.ioapic.dropped);
	EXPECT_EQ(0, mmio_errors);
}

TEST(level_pin_once_until_rewritten)
{
	setup_vm(1);
	route_pin4(0x24 | (1 << 15) | (1 << 16), 0);	/* level, masked */
	outb(MCR, 0x0b);
	outb(IER, 0x02);		/* line high while masked: nothing */
	EXPECT_EQ(0u, asserts);
	route_pin4(0x24 | (1 << 15), 0);	/* unmask a high level pin */
	EXPECT_EQ(1u, asserts);
	EXPECT_NE(0u, ioapic_read(0x10 + 8) & (1u << 14));	/* Remote IRR */
	outb(COM1 + 7, 0);		/* still high, Remote IRR: no more */
	EXPECT_EQ(1u, asserts);
	EXPECT_EQ(0, mmio_errors);
}

TEST_HARNESS_MAIN
