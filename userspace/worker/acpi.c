// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker ACPI tables: compiled by iasl from the acpi/ sources at build time
 * (the build turns the .aml files into the arrays of acpi_tables.c) and
 * placed at fixed guest-physical addresses that the tables name:
 *   RSDP 0xE0000, XSDT 0xE0040, FADT 0xE0100, MADT 0xE0300, DSDT 0xE1000
 * in the e820-reserved range below 1 MiB. The MADT has the I/O APIC and
 * keeps one Local APIC entry per VP.
 */
#include <stddef.h>
#include <string.h>

#include "worker.h"

struct wk_aml {
	const unsigned char *data;
	unsigned int len;
};

/* acpi_tables.c, generated */
extern const unsigned char wk_aml_rsdp[], wk_aml_xsdt[], wk_aml_fadt[],
	wk_aml_madt[], wk_aml_dsdt[];
extern const unsigned int wk_aml_rsdp_len, wk_aml_xsdt_len, wk_aml_fadt_len,
	wk_aml_madt_len, wk_aml_dsdt_len;

#define MADT_HDR_LEN	44	/* SDT header + local APIC address + flags */
#define MADT_IOAPIC_LEN	12	/* the I/O APIC entry, before the local APICs */
#define MADT_LAPIC_LEN	8

static void checksum(uint8_t *t, unsigned int len, unsigned int at)
{
	uint8_t sum = 0;
	unsigned int i;

	t[at] = 0;
	for (i = 0; i < len; i++)
		sum += t[i];
	t[at] = -sum;
}

static int place(struct wk_vm *vm, uint64_t gpa, uint64_t limit,
		 const unsigned char *aml, unsigned int len)
{
	if (gpa + len > limit)
		return wk_err(WK_EXIT_IMAGE, "ACPI: a table of %u bytes overlaps the next at %#llx",
			      len, (unsigned long long)limit);
	memcpy(vm->mem + gpa, aml, len);
	return 0;
}

/**
 * wk_acpi_build() - copy the ACPI tables into guest memory.
 * @vm: the VM (cfg.vps VPs).
 *
 * Return: 0 or WK_EXIT_IMAGE.
 */
int wk_acpi_build(struct wk_vm *vm)
{
	unsigned int madt_len = MADT_HDR_LEN + MADT_IOAPIC_LEN + MADT_LAPIC_LEN * vm->cfg.vps;
	uint8_t *madt = vm->mem + WK_ACPI_GPA + 0x300;

	if (madt_len > wk_aml_madt_len)
		return wk_err(WK_EXIT_USAGE, "ACPI: the MADT has room for %u VPs",
			      (wk_aml_madt_len - MADT_HDR_LEN - MADT_IOAPIC_LEN) / MADT_LAPIC_LEN);
	if (place(vm, WK_ACPI_GPA, WK_ACPI_GPA + 0x40, wk_aml_rsdp, wk_aml_rsdp_len) ||
	    place(vm, WK_ACPI_GPA + 0x40, WK_ACPI_GPA + 0x100, wk_aml_xsdt, wk_aml_xsdt_len) ||
	    place(vm, WK_ACPI_GPA + 0x100, WK_ACPI_GPA + 0x300, wk_aml_fadt, wk_aml_fadt_len) ||
	    place(vm, WK_ACPI_GPA + 0x300, WK_ACPI_GPA + 0x1000, wk_aml_madt, wk_aml_madt_len) ||
	    place(vm, WK_ACPI_GPA + 0x1000, 0x100000, wk_aml_dsdt, wk_aml_dsdt_len))
		return WK_EXIT_IMAGE;
	memcpy(madt + 4, &madt_len, 4);
	memset(madt + madt_len, 0, wk_aml_madt_len - madt_len);
	checksum(madt, madt_len, 9);
	return 0;
}

/*
 * The reset vector (0xFFFF0, in the e820-reserved range below 1 MiB). A
 * Linux guest on hardware-reduced ACPI without EFI reboots through the
 * BIOS: reboot_init() picks BOOT_EFI, efi_reboot() finds no EFI and
 * machine_real_restart() jumps to F000:FFF0 in real mode. The worker has
 * no BIOS, so the vector does what a firmware would: it writes the FADT's
 * reset value to the reset register (the VM ends with status 81) and halts.
 *   mov dx, 0x404 ; mov al, 1 ; out dx, al ; cli ; hlt ; jmp $-2
 */
void wk_reset_vector_build(struct wk_vm *vm)
{
	static const uint8_t code[] = {
		0xba, 0x04, 0x04, 0xb0, 0x01, 0xee, 0xfa, 0xf4, 0xeb, 0xfd,
	};

	memcpy(vm->mem + 0xffff0, code, sizeof(code));
}
