// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker loader: a bzImage through the x86 64-bit boot protocol
 * (Documentation/x86/boot.rst) or an uncompressed vmlinux ELF through its
 * PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, Xen's hvm_start_info ABI).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "worker.h"

/* boot_params / setup header offsets (zero-page.rst, boot.rst) */
#define BP_ACPI_RSDP		0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_SENTINEL		0x1ef
#define BP_SETUP_SECTS		0x1f1
#define BP_SYSSIZE		0x1f4
#define BP_BOOT_FLAG		0x1fe
#define BP_JUMP			0x200
#define BP_HEADER		0x202
#define BP_VERSION		0x206
#define BP_TYPE_OF_LOADER	0x210
#define BP_LOADFLAGS		0x211
#define BP_RAMDISK_IMAGE	0x218
#define BP_RAMDISK_SIZE		0x21c
#define BP_CMD_LINE_PTR		0x228
#define BP_INITRD_ADDR_MAX	0x22c
#define BP_KERNEL_ALIGNMENT	0x230
#define BP_XLOADFLAGS		0x236
#define BP_CMDLINE_SIZE		0x238
#define BP_INIT_SIZE		0x260
#define BP_E820_TABLE		0x2d0
#define XLF_KERNEL_64		0x1
#define LOADED_HIGH		0x1

#define E820_RAM		1
#define E820_RESERVED		2

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC		0x336ec578

struct image {
	const uint8_t *data;
	size_t size;
};

struct e820 {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

static int map_file(const char *what, const char *path, struct image *img)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wk_err(WK_EXIT_NOINPUT, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return wk_err(WK_EXIT_NOINPUT, "%s %s: not a regular file", what, path);
	}
	if (st.st_size == 0) {
		close(fd);
		return wk_err(WK_EXIT_IMAGE, "%s %s: empty file", what, path);
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return wk_err(WK_EXIT_NOINPUT, "%s %s: mmap: %s", what, path, strerror(errno));
	img->data = p;
	img->size = st.st_size;
	return 0;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* The e820 map: RAM below the EBDA, reserved to 1 MiB, RAM above. */
static unsigned int e820_build(const struct wk_vm *vm, struct e820 *e)
{
	e[0] = (struct e820){ 0, WK_EBDA_GPA, E820_RAM };
	e[1] = (struct e820){ WK_EBDA_GPA, 0x100000 - WK_EBDA_GPA, E820_RESERVED };
	e[2] = (struct e820){ 0x100000, vm->mem_size - 0x100000, E820_RAM };
	return 3;
}

static int load_initrd(struct wk_vm *vm, uint64_t max_end, uint64_t low)
{
	struct image img;
	uint64_t top, gpa;
	int e;

	if (!vm->cfg.initrd)
		return 0;
	e = map_file("initrd", vm->cfg.initrd, &img);
	if (e)
		return e;
	top = vm->mem_size < max_end ? vm->mem_size : max_end;
	gpa = (top - img.size) & ~0xfffULL;
	if (img.size > top || gpa < low) {
		munmap((void *)img.data, img.size);
		return wk_err(WK_EXIT_IMAGE,
			      "initrd %s: %zu bytes do not fit in guest memory above the kernel (%u MiB: use --mem)",
			      vm->cfg.initrd, img.size, vm->cfg.mem_mib);
	}
	memcpy(vm->mem + gpa, img.data, img.size);
	munmap((void *)img.data, img.size);
	vm->initrd_gpa = gpa;
	vm->initrd_size = img.size;
	return 0;
}

static int put_cmdline(struct wk_vm *vm, size_t max)
{
	size_t n = strlen(vm->cfg.cmdline);

	if (n >= max || n >= WK_CMDLINE_MAX)
		return wk_err(WK_EXIT_USAGE, "cmdline: %zu bytes, the kernel takes at most %zu",
			      n, (max < WK_CMDLINE_MAX ? max : WK_CMDLINE_MAX) - 1);
	memcpy(vm->mem + WK_CMDLINE_GPA, vm->cfg.cmdline, n + 1);
	return 0;
}

static int load_bzimage(struct wk_vm *vm, const struct image *img)
{
	const char *k = vm->cfg.kernel;
	uint8_t *bp = vm->mem + WK_BOOT_PARAMS_GPA;
	unsigned int setup_sects, hdr_end, n;
	uint64_t pm_off, init_size, align, load;
	struct e820 map[4];
	int e;

	if (img->size < 0x1000 || rd32(img->data + BP_HEADER) != 0x53726448)
		return wk_err(WK_EXIT_IMAGE, "kernel %s: truncated bzImage (no setup header)", k);
	if (rd16(img->data + BP_VERSION) < 0x20c ||
	    !(img->data[BP_XLOADFLAGS] & XLF_KERNEL_64))
		return wk_err(WK_EXIT_IMAGE,
			      "kernel %s: boot protocol %#x without the 64-bit entry (need >= 2.12, XLF_KERNEL_64)",
			      k, rd16(img->data + BP_VERSION));
	setup_sects = img->data[BP_SETUP_SECTS] ?: 4;
	pm_off = (setup_sects + 1) * 512ULL;
	init_size = rd32(img->data + BP_INIT_SIZE);
	align = rd32(img->data + BP_KERNEL_ALIGNMENT);
	if (pm_off >= img->size ||
	    img->size - pm_off < rd32(img->data + BP_SYSSIZE) * 16ULL ||
	    init_size < img->size - pm_off)
		return wk_err(WK_EXIT_IMAGE, "kernel %s: truncated bzImage (%zu bytes, setup %llu, init_size %llu)",
			      k, img->size, (unsigned long long)pm_off,
			      (unsigned long long)init_size);
	load = WK_KERNEL_GPA;
	if (align > 1 && (align & (align - 1)) == 0)
		load = (load + align - 1) & ~(align - 1);
	if (load + init_size > vm->mem_size)
		return wk_err(WK_EXIT_IMAGE, "kernel %s: needs %llu MiB from 16 MiB on, guest has %u MiB (use --mem)",
			      k, (unsigned long long)((load + init_size) >> 20) + 1,
			      vm->cfg.mem_mib);
	memcpy(vm->mem + load, img->data + pm_off, img->size - pm_off);

	memset(bp, 0, 4096);
	hdr_end = 0x202 + img->data[0x201];
	memcpy(bp + BP_SETUP_SECTS, img->data + BP_SETUP_SECTS, hdr_end - BP_SETUP_SECTS);
	bp[BP_SENTINEL] = 0;
	bp[BP_TYPE_OF_LOADER] = 0xff;
	bp[BP_LOADFLAGS] |= LOADED_HIGH;
	e = put_cmdline(vm, rd32(img->data + BP_CMDLINE_SIZE) + 1);
	if (e)
		return e;
	*(uint32_t *)(bp + BP_CMD_LINE_PTR) = WK_CMDLINE_GPA;
	*(uint32_t *)(bp + BP_EXT_CMD_LINE_PTR) = 0;
	e = load_initrd(vm, (uint64_t)rd32(img->data + BP_INITRD_ADDR_MAX) + 1,
			load + init_size);
	if (e)
		return e;
	*(uint32_t *)(bp + BP_RAMDISK_IMAGE) = vm->initrd_gpa;
	*(uint32_t *)(bp + BP_RAMDISK_SIZE) = vm->initrd_size;
	*(uint64_t *)(bp + BP_ACPI_RSDP) = WK_ACPI_GPA;
	n = e820_build(vm, map);
	memcpy(bp + BP_E820_TABLE, map, n * sizeof(map[0]));
	bp[BP_E820_ENTRIES] = n;
	vm->entry = load + 0x200;
	vm->pvh = false;
	return 0;
}

/* The PVH entry point from the vmlinux's Xen notes, or 0. */
static uint64_t pvh_entry(const struct image *img, const Elf64_Ehdr *eh)
{
	unsigned int i;

	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img->data + eh->e_phoff) + i;
		uint64_t off, end;

		if (ph->p_type != PT_NOTE || ph->p_offset > img->size ||
		    ph->p_filesz > img->size - ph->p_offset)
			continue;
		off = ph->p_offset;
		end = off + ph->p_filesz;
		while (off + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *nh = (const void *)(img->data + off);
			uint64_t name = off + sizeof(*nh);
			uint64_t desc = name + ((nh->n_namesz + 3) & ~3u);

			off = desc + ((nh->n_descsz + 3) & ~3u);
			if (off > end)
				break;
			if (nh->n_namesz == 4 && !memcmp(img->data + name, "Xen", 4) &&
			    nh->n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
			    (nh->n_descsz == 4 || nh->n_descsz == 8))
				return rd32(img->data + desc);
		}
	}
	return 0;
}

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

static int load_pvh(struct wk_vm *vm, const struct image *img)
{
	const Elf64_Ehdr *eh = (const void *)img->data;
	const char *k = vm->cfg.kernel;
	struct hvm_start_info *si = (void *)(vm->mem + WK_START_INFO_GPA);
	struct hvm_modlist_entry *mod = (void *)(si + 1);
	struct hvm_memmap_entry *mm = (void *)(mod + 1);
	uint64_t top = 0, entry;
	struct e820 map[4];
	unsigned int i, n;
	int e;

	if (img->size < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > img->size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > img->size - eh->e_phoff)
		return wk_err(WK_EXIT_IMAGE, "kernel %s: not an x86-64 ELF (or truncated headers)", k);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img->data + eh->e_phoff) + i;

		if ((ph->p_type == PT_LOAD || ph->p_type == PT_NOTE) &&
		    (ph->p_offset > img->size || ph->p_filesz > img->size - ph->p_offset))
			return wk_err(WK_EXIT_IMAGE, "kernel %s: truncated ELF (segment %u past the end of the file)", k, i);
	}
	entry = pvh_entry(img, eh);
	if (!entry)
		return wk_err(WK_EXIT_IMAGE, "kernel %s: ELF without a PVH entry note (needs CONFIG_PVH)", k);
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(img->data + eh->e_phoff) + i;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_memsz < ph->p_filesz || ph->p_paddr < 0x100000 ||
		    ph->p_paddr > vm->mem_size || ph->p_memsz > vm->mem_size - ph->p_paddr)
			return wk_err(WK_EXIT_IMAGE, "kernel %s: segment %u at %#llx+%#llx does not fit in %u MiB (use --mem)",
				      k, i, (unsigned long long)ph->p_paddr,
				      (unsigned long long)ph->p_memsz, vm->cfg.mem_mib);
		memcpy(vm->mem + ph->p_paddr, img->data + ph->p_offset, ph->p_filesz);
		memset(vm->mem + ph->p_paddr + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		if (ph->p_paddr + ph->p_memsz > top)
			top = ph->p_paddr + ph->p_memsz;
	}
	e = put_cmdline(vm, WK_CMDLINE_MAX);
	if (e)
		return e;
	/* The kernel's brk and early page tables follow its image: keep 16 MiB. */
	e = load_initrd(vm, 1ULL << 32, top + (16 << 20));
	if (e)
		return e;
	memset(si, 0, 4096);
	si->magic = HVM_START_MAGIC;
	si->version = 1;
	si->cmdline_paddr = WK_CMDLINE_GPA;
	si->rsdp_paddr = WK_ACPI_GPA;
	if (vm->initrd_size) {
		si->nr_modules = 1;
		si->modlist_paddr = WK_START_INFO_GPA + sizeof(*si);
		mod->paddr = vm->initrd_gpa;
		mod->size = vm->initrd_size;
	}
	n = e820_build(vm, map);
	for (i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_entry){ map[i].addr, map[i].size, map[i].type, 0 };
	si->memmap_paddr = WK_START_INFO_GPA + sizeof(*si) + sizeof(*mod);
	si->memmap_entries = n;
	vm->entry = entry;
	vm->pvh = true;
	return 0;
}

/**
 * wk_load_kernel() - load vm->cfg.kernel (bzImage or vmlinux) and the initrd.
 * @vm: the VM, its memory allocated.
 *
 * Return: 0, or a WK_EXIT_* code (the error is printed).
 */
int wk_load_kernel(struct wk_vm *vm)
{
	struct image img;
	int e;

	e = map_file("kernel", vm->cfg.kernel, &img);
	if (e)
		return e;
	if (img.size >= SELFMAG && !memcmp(img.data, ELFMAG, SELFMAG))
		e = load_pvh(vm, &img);
	else if (img.size > BP_HEADER + 4 && (rd16(img.data + BP_BOOT_FLAG) == 0xaa55 ||
					     rd32(img.data + BP_HEADER) == 0x53726448))
		e = load_bzimage(vm, &img);
	else
		e = wk_err(WK_EXIT_IMAGE, "kernel %s: neither a bzImage nor an ELF vmlinux", vm->cfg.kernel);
	munmap((void *)img.data, img.size);
	return e;
}

static void seg(struct hvtb_segment *s, uint16_t sel, uint32_t ar)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->ar = ar;
}

/**
 * wk_setup_boot_vp() - the boot VP's registers at the kernel's entry.
 * @vm: the loaded VM.
 * @vp: VP 0.
 *
 * bzImage: 64-bit mode, 0..4 GiB identity-mapped with 2 MiB pages, CS 0x10,
 * DS 0x18, RSI = boot_params. PVH: 32-bit protected mode, paging off,
 * CS 0x08, DS 0x18, EBX = hvm_start_info.
 *
 * Return: 0 or -errno.
 */
int wk_setup_boot_vp(struct wk_vm *vm, struct wk_vp *vp)
{
	static const uint64_t gdt[] = {
		0, 0x00cf9b000000ffffULL, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL,
	};
	uint64_t *pml4 = (uint64_t *)(vm->mem + WK_PML4_GPA);
	struct hvtb_sregs s;
	struct hvtb_regs r;
	unsigned int i, j;
	int e;

	memcpy(vm->mem + WK_GDT_GPA, gdt, sizeof(gdt));
	e = hvtb_vp_get_sregs(&vp->h, &s);
	if (e)
		return e;
	seg(&s.ds, 0x18, 0xc093);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.gdt.base = WK_GDT_GPA;
	s.gdt.limit = sizeof(gdt) - 1;
	s.cr0 = 0x11;			/* PE | ET */
	s.cr4 = 0;
	s.efer = 0;
	memset(&r, 0, sizeof(r));
	r.rip = vm->entry;
	r.rflags = 2;
	if (vm->pvh) {
		seg(&s.cs, 0x08, 0xc09b);
		r.rbx = WK_START_INFO_GPA;
	} else {
		memset(pml4, 0, 6 * 4096);
		pml4[0] = (WK_PML4_GPA + 4096) | 3;
		for (i = 0; i < 4; i++) {
			uint64_t *pd = pml4 + 512 * (2 + i);

			pml4[512 + i] = (WK_PML4_GPA + 4096 * (2 + i)) | 3;
			for (j = 0; j < 512; j++)
				pd[j] = ((uint64_t)i << 30) + ((uint64_t)j << 21) + 0x83;
		}
		seg(&s.cs, 0x10, 0xa09b);
		s.cr3 = WK_PML4_GPA;
		s.cr4 = 0x20;			/* PAE */
		s.cr0 |= 0x80000020;		/* PG | NE */
		s.efer = 0x500;			/* LME | LMA */
		r.rsi = WK_BOOT_PARAMS_GPA;
	}
	e = hvtb_vp_set_sregs(&vp->h, &s);
	return e ? e : hvtb_vp_set_regs(&vp->h, &r);
}
