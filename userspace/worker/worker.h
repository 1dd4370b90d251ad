/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb-worker - the per-partition worker: one process per child partition
 * that loads a Linux guest, provides its virtual motherboard (ACPI tables,
 * a 16550 UART, a CMOS clock, ACPI power-off/reset) and runs its VPs.
 */
#ifndef HVTB_WORKER_H
#define HVTB_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "partition.h"
#include "../ic/ic_server.h"

/* Exit status of hvtb-worker (documented in --help and README.md). */
enum wk_exit {
	WK_EXIT_GUEST_MAX = 63,	/* 0..63: the byte the guest wrote to port 0xf4 */
	WK_EXIT_USAGE = 64,	/* bad option, config file or config value */
	WK_EXIT_IMAGE = 65,	/* kernel/initrd: wrong format, corrupt, too big */
	WK_EXIT_NOINPUT = 66,	/* a file cannot be read */
	WK_EXIT_HVTB = 69,	/* /dev/hvtb missing or an ioctl failed */
	WK_EXIT_POWEROFF = 80,	/* ACPI S5 or HLT with IF=0 on every VP */
	WK_EXIT_RESET = 81,	/* the FADT reset register (reboot) */
	WK_EXIT_TRIPLE = 82,	/* triple fault (also reboot=t) */
	WK_EXIT_PANIC = 83,	/* guest panic (Hyper-V crash MSRs) */
	WK_EXIT_STUCK = 84,	/* an exit the worker cannot handle */
	WK_EXIT_HUNG = 85,	/* a VP made no progress (--watchdog) */
	WK_EXIT_TIMEOUT = 124,	/* --timeout expired */
	/* 128 + N: stopped by signal N (SIGINT 130, SIGTERM 143) */
};

/* Guest-physical layout (see README.md "hvtb-worker"). */
#define WK_GDT_GPA		0x500ULL
#define WK_START_INFO_GPA	0x6000ULL	/* PVH hvm_start_info, modlist, memmap */
#define WK_BOOT_PARAMS_GPA	0x7000ULL	/* bzImage zero page */
#define WK_PML4_GPA		0x9000ULL	/* PML4, PDPT, 4 PDs: 0..4 GiB */
#define WK_CMDLINE_GPA		0x20000ULL
#define WK_CMDLINE_MAX		2048
#define WK_EBDA_GPA		0x9fc00ULL	/* reserved from here to 1 MiB */
#define WK_ACPI_GPA		0xe0000ULL	/* RSDP; the tables follow (acpi.c) */
#define WK_KERNEL_GPA		0x1000000ULL	/* bzImage protected-mode code */
#define WK_MIN_MEM_MIB		64
#define WK_MAX_MEM_MIB		3072		/* below the APIC page and MMIO hole */
#define WK_MAX_VPS		8

/* The integration components the worker offers with VMBus (ic.c). */
#define WK_IC_HEARTBEAT		IC_HEARTBEAT	/* ../ic/ic_server.h */
#define WK_IC_SHUTDOWN		IC_SHUTDOWN
#define WK_IC_TIMESYNC		IC_TIMESYNC
#define WK_IC_KVP		IC_KVP
#define WK_NR_ICS		IC_NR_KINDS
#define WK_KVP_MAX		8	/* --kvp KEY=VALUE pairs */
#define WK_DISK_MAX		8	/* --disk images: LUNs 0..7 of the SCSI controller */

struct wk_disk_cfg {
	const char *path;
	bool ro;
};

struct wk_config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *console;	/* "stdio", "none" or a file for the guest output */
	unsigned int mem_mib;
	unsigned int vps;
	unsigned int timeout_ms;	/* 0: none */
	unsigned int watchdog_ms;	/* guest time without progress, 0: off */
	unsigned int shutdown_grace;	/* SIGTERM: seconds for a shutdown IC power-off */
	const char *kvp[WK_KVP_MAX];	/* KEY=VALUE for the guest's EXTERNAL pool */
	bool ic_daemon[WK_NR_ICS];	/* --ic-daemon: served by an hvtb-icd process */
	unsigned int nkvp;
	struct wk_disk_cfg disks[WK_DISK_MAX];	/* --disk PATH[,ro] */
	unsigned int ndisks;
	const char *net_tap;	/* --net TAP[,mac=MAC]: the parent's TAP device */
	uint8_t net_mac[6];
	bool enlightenments;
	bool vmbus;		/* HVTB_VMBUS_ENABLE (default: enlightenments) */
	bool vmbus_set;		/* vmbus given in the config or options */
	bool stats;
	bool quiet;		/* no phase/exit summary on stderr */
	const char *control;	/* the control socket's path, "none": no socket */
	bool root_sched;	/* --sched root: HVTB_PARTITION_ROOT_SCHED */
};

struct wk_vp {
	struct wk_vm *vm;
	unsigned int index;
	struct hvtb_vp_handle h;
	pthread_t thread;
	bool halted;		/* in HLT with IF=0 */
	/* watchdog: progress exits and guest time when they last changed */
	uint64_t wd_progress, wd_guest_ns;
	char wd_why[160];
};

struct wk_uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t rx[256];
	unsigned int rx_head, rx_tail;	/* guarded by wk_vm.lock */
	bool rx_eof;
	bool thre;		/* THR-empty interrupt pending (IIR read clears) */
	bool irq;		/* the level of the UART's IRQ line */
	uint64_t interrupts;	/* rising edges of the line */
};

#define WK_IOAPIC_GPA		0xfec00000ULL
#define WK_IOAPIC_ID		8
#define WK_IOAPIC_PINS		24
#define WK_UART_GSI		4	/* COM1: ISA IRQ 4, edge, active high */

struct wk_ioapic {
	uint8_t sel;		/* IOREGSEL */
	uint32_t lines;		/* pin levels */
	uint64_t rte[WK_IOAPIC_PINS];
	uint64_t delivered, dropped;
};

struct wk_vm {
	struct wk_config cfg;
	uint8_t *mem;
	uint64_t mem_size;
	int dev, part;
	struct wk_vp vps[WK_MAX_VPS];
	pthread_mutex_t lock;	/* device state, exit decision */
	struct wk_uart uart;
	struct wk_ioapic ioapic;
	uint8_t cmos_index;
	FILE *console;
	int exit_code;		/* -1 while running */
	const char *exit_why;
	/* phases, CLOCK_MONOTONIC ns: start, image loaded, first entry, first
	 * console byte, guest init (its first "hvtb-guest:" line), end */
	uint64_t t_start, t_loaded, t_entry, t_console, t_init, t_end;
	char line[128];		/* current console line (to see "hvtb-guest:") */
	unsigned int line_len;
	uint64_t crash[5];	/* Hyper-V crash parameters P0..P4 */
	bool pvh;
	uint64_t entry;		/* RIP: bzImage 64-bit entry or PVH 32-bit entry */
	uint64_t initrd_gpa, initrd_size;
	struct wk_ic *ics[WK_NR_ICS];	/* the integration components (VMBus on), ic.c */
	struct wk_stor *stor;		/* the SCSI controller (--disk), storage.c */
	struct wk_net *net;		/* the network adapter (--net), network.c */
	struct wk_control *ctl;		/* the control socket, control.c */
};

/* loader.c: @path into guest memory; fills vm->entry, vm->pvh. */
int wk_load_kernel(struct wk_vm *vm);
int wk_setup_boot_vp(struct wk_vm *vm, struct wk_vp *vp);
/* acpi.c: the ACPI tables for vm->cfg.vps VPs at WK_ACPI_GPA. */
int wk_acpi_build(struct wk_vm *vm);
void wk_reset_vector_build(struct wk_vm *vm);	/* BIOS reboots reach port 0x404 */
/* cpuid.c: the guest CPUID table. */
int wk_cpuid_setup(struct wk_vm *vm);
/* devices.c */
void wk_devices_init(struct wk_vm *vm);
int wk_handle_io(struct wk_vp *vp);	/* 1: the VM is to end (vm->exit_code set) */
int wk_handle_msr(struct wk_vp *vp);	/* intercepted MSRs */
extern const uint32_t wk_msr_intercepts[];
extern const unsigned int wk_nr_msr_intercepts;
void *wk_stdin_thread(void *arg);
/* ioapic.c (wk_vm.lock held) */
void wk_ioapic_init(struct wk_vm *vm);
void wk_ioapic_set_irq(struct wk_vm *vm, unsigned int pin, bool level);
void wk_ioapic_mmio(struct wk_vm *vm, uint64_t off, bool write, uint64_t *data);
int wk_handle_mmio(struct wk_vp *vp);	/* 1: the VM is to end */
/*
 * ic.c: the integration components (heartbeat, shutdown, time sync, KVP).
 * wk_ic_offer() offers their channels (after HVTB_VMBUS_ENABLE, before the
 * guest runs); wk_ic_start() runs their threads (signals blocked), which
 * end with the VM, and starts the --ic-daemon processes;
 * wk_ic_supervise() (the main thread, every tick) restarts a daemon that
 * exited; wk_ic_stop() joins the threads and stops the daemons;
 * wk_ic_free() rescinds the channels. wk_ic_request_shutdown() asks the
 * guest to power off through the shutdown IC: 0, or -ENOTCONN when the
 * guest has not negotiated it.
 */
struct wk_ic;
enum wk_ic_shutdown_state {
	WK_IC_SD_NONE, WK_IC_SD_ASKED, WK_IC_SD_ACCEPTED, WK_IC_SD_REFUSED,
};
int wk_ic_offer(struct wk_vm *vm);
int wk_ic_start(struct wk_vm *vm);
void wk_ic_supervise(struct wk_vm *vm);
int wk_ic_request_shutdown(struct wk_vm *vm);
/* SET KEY=VALUE into the guest's EXTERNAL pool now: 0; -ENOTCONN no VMBus; -EOPNOTSUPP a daemon's; as ic_server_kvp_set(). */
int wk_ic_kvp_set(struct wk_vm *vm, const char *kv);
enum wk_ic_shutdown_state wk_ic_shutdown_state(struct wk_vm *vm);
const char *wk_ic_name(unsigned int i);
void wk_ic_stop(struct wk_vm *vm);
void wk_ic_print_stats(struct wk_vm *vm, FILE *out);	/* also while running */
void wk_ic_free(struct wk_vm *vm);
/*
 * storage.c: the synthetic SCSI controller of the --disk images.
 * wk_stor_open() opens and sizes them (before the partition: an exit
 * status on error); wk_stor_offer() offers the controller's channel (after
 * HVTB_VMBUS_ENABLE); wk_stor_start() runs its thread (ends with the VM),
 * wk_stor_stop() joins it; wk_stor_free() rescinds and closes. Without
 * --disk they do nothing.
 */
struct wk_stor;
int wk_stor_open(struct wk_vm *vm);
int wk_stor_offer(struct wk_vm *vm);
int wk_stor_start(struct wk_vm *vm);
void wk_stor_stop(struct wk_vm *vm);
void wk_stor_print_stats(struct wk_vm *vm, FILE *out);	/* also while running: a snapshot */
void wk_stor_free(struct wk_vm *vm);
/*
 * network.c: the synthetic network adapter on a TAP device (--net).
 * wk_net_open() creates the TAP and sets it up (before the partition);
 * then as storage.c: offer, start, stop, print_stats, free.
 */
struct wk_net;
int wk_net_open(struct wk_vm *vm);
int wk_net_offer(struct wk_vm *vm);
int wk_net_start(struct wk_vm *vm);
void wk_net_stop(struct wk_vm *vm);
void wk_net_print_stats(struct wk_vm *vm, FILE *out);	/* also while running: a snapshot */
void wk_net_free(struct wk_vm *vm);
/*
 * control.c: the worker's control socket (--control), a Unix stream socket
 * where hvtbctl asks a running worker for its state: one command line in,
 * text out, then the worker closes. wk_control_start() binds it and runs
 * its thread (ends with the VM); wk_control_stop() joins it and removes
 * the socket. The commands print what --stats prints of the part named.
 */
int wk_control_start(struct wk_vm *vm);
void wk_control_stop(struct wk_vm *vm);
void wk_print_vmbus_stats(struct wk_vm *vm, FILE *out);	/* main.c */
/* main.c */
void wk_vm_end(struct wk_vm *vm, int code, const char *why);	/* lock held */
bool wk_vm_ended(struct wk_vm *vm);	/* the exit status is decided (takes the lock) */
/* A thread of the worker's (a device's), joined once: 0 or -errno; joining a never-started one is a no-op. */
struct wk_thread {
	pthread_t t;
	bool running;
};
int wk_thread_start(struct wk_thread *th, void *(*fn)(void *), void *arg);
void wk_thread_join(struct wk_thread *th);
uint64_t wk_now_ns(void);
int wk_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* HVTB_WORKER_H */
