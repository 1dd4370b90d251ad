// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker devices, on port I/O and decoded MMIO exits (no decoder here):
 *   0x3f8-0x3ff  16550A UART (COM1) on ISA IRQ 4 (I/O APIC pin 4, edge):
 *                output to the console, input from the worker's stdin
 *   0xfec00000   the I/O APIC (ioapic.c)
 *   0x70-0x71    CMOS clock, read-only: the host's UTC time, UIP never set
 *   0x400        ACPI sleep control (FADT): SLP_EN with SLP_TYP 5 = power-off
 *   0x401        ACPI sleep status (reads 0)
 *   0x404        ACPI reset register (FADT): 1 = reset (reboot)
 *   0xf4         exit port: a byte written ends the VM with that status
 * Every other port reads as all ones and ignores writes.
 * Intercepted MSRs: the Hyper-V crash MSRs (a guest panic ends the VM) and
 * IA32_UCODE_REV, which Linux accesses unchecked on Intel CPUs.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

#define COM1		0x3f8
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define ACPI_SLP_CTL	0x400
#define ACPI_SLP_STS	0x401
#define ACPI_RESET	0x404
#define EXIT_PORT	0xf4

#define UART_LCR_DLAB	0x80
#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_DEFAULT 0xb0	/* DCD, DSR, CTS */

#define MSR_UCODE_REV	0x8b
#define HV_CRASH_P0	0x40000100
#define HV_CRASH_CTL	0x40000105
#define HV_CRASH_NOTIFY	(1ULL << 63)

const uint32_t wk_msr_intercepts[] = {
	MSR_UCODE_REV,
	HV_CRASH_P0, HV_CRASH_P0 + 1, HV_CRASH_P0 + 2, HV_CRASH_P0 + 3,
	HV_CRASH_P0 + 4, HV_CRASH_CTL,
};
const unsigned int wk_nr_msr_intercepts =
	sizeof(wk_msr_intercepts) / sizeof(wk_msr_intercepts[0]);

#define UART_MCR_OUT2	0x08	/* gates the IRQ line on a PC */
#define UART_MCR_LOOP	0x10

void wk_devices_init(struct wk_vm *vm)
{
	memset(&vm->uart, 0, sizeof(vm->uart));
	vm->uart.lcr = 0x03;
	vm->uart.dll = 12;
	vm->uart.thre = true;
	wk_ioapic_init(vm);
}

/* Guest output: to the console, and watch for the "hvtb-guest:" marker. */
static void console_out(struct wk_vm *vm, uint8_t c)
{
	if (!vm->t_console)
		vm->t_console = wk_now_ns();
	if (vm->console)
		fputc(c, vm->console);
	if (c == '\n') {
		if (vm->console)
			fflush(vm->console);
		vm->line[vm->line_len] = 0;
		if (!vm->t_init && strstr(vm->line, "hvtb-guest:"))
			vm->t_init = wk_now_ns();
		vm->line_len = 0;
	} else if (vm->line_len < sizeof(vm->line) - 1) {
		vm->line[vm->line_len++] = c;
		if (!vm->t_init && vm->line_len == 11 && !memcmp(vm->line, "hvtb-guest:", 11))
			vm->t_init = wk_now_ns();
	}
}

/*
 * IIR's interrupt identification: received data (when IER enables it),
 * else the empty transmitter, else none. The transmitter sends a byte at
 * once, so the THR-empty interrupt is pending again after every THR write
 * (as a 16550's when its FIFO has drained) and whenever IER enables it;
 * an IIR read that reports it clears it. The guest's 8250 driver moves data
 * only when IIR names a source, in its interrupt handler or its poll timer.
 */
static uint8_t uart_iir_id(const struct wk_uart *u)
{
	if ((u->ier & UART_IER_RDI) && u->rx_head != u->rx_tail)
		return 0x04;
	if ((u->ier & UART_IER_THRI) && u->thre)
		return 0x02;
	return 0x01;
}

/*
 * The IRQ line follows IIR (any source pending) gated by MCR.OUT2, and
 * drives I/O APIC pin 4 after every UART access: a rising edge is an
 * interrupt.
 */
static void uart_update_irq(struct wk_vm *vm)
{
	struct wk_uart *u = &vm->uart;
	bool level = (u->mcr & UART_MCR_OUT2) && !(u->mcr & UART_MCR_LOOP) &&
		     uart_iir_id(u) != 0x01;

	if (level && !u->irq)
		u->interrupts++;
	u->irq = level;
	wk_ioapic_set_irq(vm, WK_UART_GSI, level);
}

static uint8_t uart_in(struct wk_vm *vm, unsigned int reg)
{
	struct wk_uart *u = &vm->uart;
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab)
			return u->dll;
		if (u->rx_head != u->rx_tail) {
			uint8_t c = u->rx[u->rx_tail % sizeof(u->rx)];

			u->rx_tail++;
			return c;
		}
		return 0;
	case 1:
		return dlab ? u->dlm : u->ier;
	case 2: {	/* IIR: the highest-priority source, FIFOs as FCR says */
		uint8_t id = uart_iir_id(u);

		if (id == 0x02)
			u->thre = false;
		return (u->fcr & 1 ? 0xc0 : 0) | id;
	}
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (u->rx_head != u->rx_tail ? UART_LSR_DR : 0);
	case 6:
		if (u->mcr & UART_MCR_LOOP)	/* loopback: MCR bits 0-3 to MSR 4-7 */
			return (u->mcr & 0x0f) << 4;
		return UART_MSR_DEFAULT;
	default:
		return u->scr;
	}
}

static void uart_out(struct wk_vm *vm, unsigned int reg, uint8_t v)
{
	struct wk_uart *u = &vm->uart;
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab)
			u->dll = v;
		else if (!(u->mcr & UART_MCR_LOOP))
			console_out(vm, v);
		if (!dlab)
			u->thre = true;	/* sent: the THR is empty again */
		break;
	case 1:
		if (dlab) {
			u->dlm = v;
		} else {
			/* Enabling the THR-empty interrupt raises it at once. */
			if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
				u->thre = true;
			u->ier = v & 0x0f;
		}
		break;
	case 2:
		u->fcr = v & 0xc9;
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1f;
		break;
	case 7:
		u->scr = v;
		break;
	}
}

static uint8_t bcd(unsigned int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t cmos_in(struct wk_vm *vm)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (vm->cmos_index & 0x7f) {
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	case 0x32: return bcd(19 + tm.tm_year / 100);
	case 0x0a: return 0x26;		/* 32.768 kHz, UIP clear */
	case 0x0b: return 0x02;		/* BCD, 24 h */
	case 0x0d: return 0x80;		/* valid RAM and time */
	default:   return 0;
	}
}

static uint32_t port_in(struct wk_vm *vm, uint16_t port, unsigned int size)
{
	if (port >= COM1 && port < COM1 + 8 && size == 1) {
		uint8_t v = uart_in(vm, port - COM1);

		uart_update_irq(vm);
		return v;
	}
	if (port == CMOS_DATA && size == 1)
		return cmos_in(vm);
	if (port == ACPI_SLP_STS)
		return 0;
	return size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
}

/* Return: 1 when the write ends the VM. */
static int port_out(struct wk_vm *vm, uint16_t port, uint32_t v)
{
	if (port >= COM1 && port < COM1 + 8) {
		uart_out(vm, port - COM1, v);
		uart_update_irq(vm);
	} else if (port == CMOS_INDEX) {
		vm->cmos_index = v;
	} else if (port == ACPI_SLP_CTL) {
		/* SLP_EN (bit 5) with SLP_TYP (bits 2-4) 5, as \_S5 says */
		if ((v & 0x20) && ((v >> 2) & 7) == 5) {
			wk_vm_end(vm, WK_EXIT_POWEROFF, "guest powered off (ACPI S5)");
			return 1;
		}
	} else if (port == ACPI_RESET) {
		if ((v & 0xff) == 1) {
			wk_vm_end(vm, WK_EXIT_RESET, "guest reset (ACPI reset register)");
			return 1;
		}
	} else if (port == EXIT_PORT) {
		if ((v & 0xff) > WK_EXIT_GUEST_MAX) {
			wk_vm_end(vm, WK_EXIT_STUCK, "guest wrote a status above 63 to the exit port");
			return 1;
		}
		wk_vm_end(vm, v & 0xff, "guest wrote its status to the exit port");
		return 1;
	}
	return 0;
}

/**
 * wk_handle_io() - a port I/O exit.
 * @vp: the VP whose run page holds the exit.
 *
 * Return: 1 when the VM is to end (vm->exit_code is set), else 0.
 */
int wk_handle_io(struct wk_vp *vp)
{
	struct wk_vm *vm = vp->vm;
	struct hvtb_exit_io *io = &vp->h.run->io;
	uint8_t *data = (uint8_t *)vp->h.run + io->data_offset;
	unsigned int i, n = io->string ? io->count : 1;
	int end = 0;

	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < n && !end; i++) {
		uint32_t v = 0;

		if (io->direction == HVTB_IO_OUT) {
			if (io->string)
				memcpy(&v, data + i * io->size, io->size);
			else
				v = (uint32_t)io->value;
			end = port_out(vm, io->port, v);
		} else {
			v = port_in(vm, io->port, io->size);
			if (io->string)
				memcpy(data + i * io->size, &v, io->size);
			else
				io->value = v;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	return end;
}

/**
 * wk_handle_mmio() - an MMIO exit: the kernel decoded it as a MOV (the
 * worker has no decoder); only the I/O APIC's page has a device.
 * @vp: the VP whose run page holds the exit.
 *
 * Return: 1 when the VM is to end (an access no device takes), else 0.
 */
int wk_handle_mmio(struct wk_vp *vp)
{
	struct wk_vm *vm = vp->vm;
	struct hvtb_exit_mmio *m = &vp->h.run->mmio;
	uint64_t data;

	if (!(m->flags & HVTB_MMIO_DECODED) || m->gpa < WK_IOAPIC_GPA ||
	    m->gpa + m->len > WK_IOAPIC_GPA + 0x1000) {
		pthread_mutex_lock(&vm->lock);
		wk_vm_end(vm, WK_EXIT_STUCK, m->flags & HVTB_MMIO_DECODED ?
			  "guest access to MMIO without a device" :
			  "guest MMIO access by an instruction hvtb does not decode");
		pthread_mutex_unlock(&vm->lock);
		return 1;
	}
	data = m->data;
	pthread_mutex_lock(&vm->lock);
	wk_ioapic_mmio(vm, m->gpa - WK_IOAPIC_GPA, m->write, &data);
	pthread_mutex_unlock(&vm->lock);
	if (!m->write)
		m->data = data;
	return 0;
}

/**
 * wk_handle_msr() - an intercepted RDMSR/WRMSR (wk_msr_intercepts).
 * @vp: the VP.
 *
 * Return: 1 when the VM is to end (a guest panic), else 0.
 */
int wk_handle_msr(struct wk_vp *vp)
{
	struct wk_vm *vm = vp->vm;
	struct hvtb_exit_msr *m = &vp->h.run->msr;
	bool write = vp->h.run->exit_reason == HVTB_EXIT_MSR_WRITE;
	int end = 0;

	m->error = 0;
	pthread_mutex_lock(&vm->lock);
	if (m->index == MSR_UCODE_REV) {
		if (!write)
			m->data = 0;	/* "no microcode update loaded" */
	} else if (m->index >= HV_CRASH_P0 && m->index < HV_CRASH_CTL) {
		if (write)
			vm->crash[m->index - HV_CRASH_P0] = m->data;
		else
			m->data = vm->crash[m->index - HV_CRASH_P0];
	} else if (m->index == HV_CRASH_CTL) {
		if (!write) {
			m->data = HV_CRASH_NOTIFY;	/* supported: notify only */
		} else if (m->data & HV_CRASH_NOTIFY) {
			wk_vm_end(vm, WK_EXIT_PANIC, "guest panic (Hyper-V crash notification)");
			end = 1;
		}
	} else {
		m->error = 1;
	}
	pthread_mutex_unlock(&vm->lock);
	return end;
}

/*
 * stdin to the UART's receive FIFO (waits while it is full). Input waits
 * for the guest's init (its "hvtb-guest:" line): the 8250 driver drains
 * the receiver while it probes and opens the port.
 */
void *wk_stdin_thread(void *arg)
{
	struct wk_vm *vm = arg;
	struct wk_uart *u = &vm->uart;
	char buf[64];

	for (;;) {
		bool ready;

		pthread_mutex_lock(&vm->lock);
		ready = vm->t_init || vm->exit_code >= 0;
		pthread_mutex_unlock(&vm->lock);
		if (ready)
			break;
		usleep(50000);
	}
	for (;;) {
		ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
		ssize_t i = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		while (i < r) {
			pthread_mutex_lock(&vm->lock);
			while (i < r && u->rx_head - u->rx_tail < sizeof(u->rx))
				u->rx[u->rx_head++ % sizeof(u->rx)] = buf[i++];
			uart_update_irq(vm);
			pthread_mutex_unlock(&vm->lock);
			if (i < r)
				usleep(10000);
		}
	}
	pthread_mutex_lock(&vm->lock);
	u->rx_eof = true;
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}
