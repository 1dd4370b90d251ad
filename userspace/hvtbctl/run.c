// SPDX-License-Identifier: GPL-2.0
/*
 * hvtbctl run - load a flat binary, an ELF or a multiboot kernel into a new
 * partition and run it on one VP.
 *
 * The guest gets N MiB of memory at GPA 0, a serial port at 0x3f8 (COM1)
 * whose output goes to stdout, and an exit port at 0xf4: a byte written
 * there ends the run and becomes hvtbctl's exit status. 32-bit images start
 * in flat protected mode (paging off), as multiboot asks; 64-bit ELF images
 * start in long mode with the first 4 GiB identity-mapped.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libhvtb.h"
#include "partition.h"
#include "run.h"

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THR_EMPTY	0x60
#define EXIT_PORT	0xf4

#define MB_MAGIC	0x1badb002
#define MB_BOOT_MAGIC	0x2badb002
#define MB_AOUT_KLUDGE	(1u << 16)
#define MB_SEARCH	8192
#define MB_INFO_GPA	0x9000
#define MB_CMDLINE_GPA	0x9100
#define MB_NAME_GPA	0x9200
#define GDT_GPA		0x500

#define CR0_PE		0x1ULL
#define CR0_ET		0x10ULL
#define CR0_NE		0x20ULL
#define CR0_PG		0x80000000ULL
#define CR4_PAE		0x20ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL

#define RUN_EXIT_FAIL	1
#define RUN_EXIT_USAGE	2
#define RUN_EXIT_TIMEOUT 124

struct guest {
	uint8_t *mem;
	uint64_t size;
	uint64_t entry;
	bool long_mode;
	bool multiboot;
	const char *cmdline;
};

struct image {
	const uint8_t *data;
	size_t size;
};

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "hvtbctl run: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return -1;
}

/* Copy @len bytes of the image at @off to GPA @gpa, zero to @memsz. */
static int load_segment(struct guest *g, const struct image *img, uint64_t off,
			uint64_t len, uint64_t gpa, uint64_t memsz)
{
	if (memsz < len || off > img->size || len > img->size - off)
		return fail("%s: a segment lies outside the file", "image");
	if (gpa > g->size || memsz > g->size - gpa)
		return fail("%s: a segment does not fit in guest memory (use --mem)",
			    "image");
	memcpy(g->mem + gpa, img->data + off, len);
	memset(g->mem + gpa + len, 0, memsz - len);
	return 0;
}

static int load_elf(struct guest *g, const struct image *img)
{
	const unsigned char *id = img->data;
	unsigned int i;

	if (img->size < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG))
		return fail("%s: not an ELF file", "image");
	if (id[EI_CLASS] == ELFCLASS32) {
		const Elf32_Ehdr *eh = (const void *)img->data;

		if (img->size < sizeof(*eh) || eh->e_machine != EM_386 ||
		    eh->e_phentsize != sizeof(Elf32_Phdr) ||
		    eh->e_phoff > img->size ||
		    (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > img->size - eh->e_phoff)
			return fail("%s: bad or non-i386 ELF32 header", "image");
		for (i = 0; i < eh->e_phnum; i++) {
			const Elf32_Phdr *ph = (const Elf32_Phdr *)(img->data + eh->e_phoff) + i;

			if (ph->p_type == PT_LOAD &&
			    load_segment(g, img, ph->p_offset, ph->p_filesz,
					 ph->p_paddr, ph->p_memsz))
				return -1;
		}
		g->entry = eh->e_entry;
		return 0;
	}
	if (id[EI_CLASS] == ELFCLASS64) {
		const Elf64_Ehdr *eh = (const void *)img->data;

		if (img->size < sizeof(*eh) || eh->e_machine != EM_X86_64 ||
		    eh->e_phentsize != sizeof(Elf64_Phdr) ||
		    eh->e_phoff > img->size ||
		    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > img->size - eh->e_phoff)
			return fail("%s: bad or non-x86-64 ELF64 header", "image");
		for (i = 0; i < eh->e_phnum; i++) {
			const Elf64_Phdr *ph = (const Elf64_Phdr *)(img->data + eh->e_phoff) + i;

			if (ph->p_type == PT_LOAD &&
			    load_segment(g, img, ph->p_offset, ph->p_filesz,
					 ph->p_paddr, ph->p_memsz))
				return -1;
		}
		g->entry = eh->e_entry;
		g->long_mode = true;
		return 0;
	}
	return fail("%s: unknown ELF class", "image");
}

/* The multiboot v1 header, if the image has one; NULL otherwise. */
static const uint32_t *find_multiboot(const struct image *img, size_t *off)
{
	size_t o, end = img->size < MB_SEARCH ? img->size : MB_SEARCH;

	for (o = 0; o + 12 <= end; o += 4) {
		const uint32_t *h = (const void *)(img->data + o);

		if (h[0] == MB_MAGIC && (uint32_t)(h[0] + h[1] + h[2]) == 0) {
			*off = o;
			return h;
		}
	}
	return NULL;
}

static int load_multiboot(struct guest *g, const struct image *img)
{
	const uint32_t *h;
	uint32_t *info;
	uint64_t load_len, file_off;
	size_t off;

	h = find_multiboot(img, &off);
	if (!h)
		return fail("%s: no multiboot header in the first 8 KiB", "image");
	if (h[1] & MB_AOUT_KLUDGE) {
		/* header_addr, load_addr, load_end_addr, bss_end_addr, entry */
		if (off + 32 > img->size || h[4] > h[3] ||
		    (h[5] && h[5] < h[4]) || (h[6] && h[6] < (h[5] ?: h[4])))
			return fail("%s: bad multiboot address fields", "image");
		file_off = off - (h[3] - h[4]);
		if (file_off > off)
			return fail("%s: multiboot load_addr before the file", "image");
		load_len = h[5] ? h[5] - h[4] : img->size - file_off;
		if (load_segment(g, img, file_off, load_len, h[4],
				 h[6] ? h[6] - h[4] : load_len))
			return -1;
		g->entry = h[7];
	} else if (load_elf(g, img)) {
		return -1;
	}
	if (g->long_mode)
		return fail("%s: a multiboot kernel must be 32-bit", "image");

	if (g->size < 2 << 20)
		return fail("%s: multiboot needs at least 2 MiB of memory", "--mem");
	info = (uint32_t *)(g->mem + MB_INFO_GPA);
	memset(info, 0, 0x300);
	info[0] = (1u << 0) | (1u << 9);	/* mem_*, boot_loader_name */
	info[1] = 640;				/* mem_lower, KiB */
	info[2] = (g->size >> 10) - 1024;	/* mem_upper, KiB above 1 MiB */
	strcpy((char *)g->mem + MB_NAME_GPA, "hvtbctl");
	info[16] = MB_NAME_GPA;
	if (g->cmdline) {
		if (strlen(g->cmdline) >= 0xff)
			return fail("%s: command line too long (max 254)", "--cmdline");
		strcpy((char *)g->mem + MB_CMDLINE_GPA, g->cmdline);
		info[0] |= 1u << 2;
		info[4] = MB_CMDLINE_GPA;
	}
	g->multiboot = true;
	return 0;
}

static void seg(struct hvtb_segment *s, __u16 sel, __u32 ar)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->ar = ar;
}

/* Identity-map the first 4 GiB with 2 MiB pages at the top of memory. */
static uint64_t build_page_tables(struct guest *g)
{
	uint64_t base = (g->size - 6 * 4096) & ~0xfffULL;
	uint64_t *pml4 = (uint64_t *)(g->mem + base);
	uint64_t *pdpt = pml4 + 512;
	unsigned int i;

	memset(pml4, 0, 6 * 4096);
	pml4[0] = (base + 4096) | 3;
	for (i = 0; i < 4; i++) {
		uint64_t *pd = pml4 + 512 * (2 + i);
		unsigned int j;

		pdpt[i] = (base + 4096 * (2 + i)) | 3;
		for (j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30) + ((uint64_t)j << 21) + 0x83;
	}
	return base;
}

static int setup_vp(struct guest *g, struct hvtb_vp_handle *vp)
{
	static const uint64_t gdt[] = {
		0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL,
		0x00af9b000000ffffULL,
	};
	struct hvtb_sregs s;
	struct hvtb_regs r;
	int e;

	memcpy(g->mem + GDT_GPA, gdt, sizeof(gdt));
	e = hvtb_vp_get_sregs(vp, &s);
	if (e)
		return e;
	seg(&s.cs, 0x08, 0xc09b);
	seg(&s.ds, 0x10, 0xc093);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.gdt.base = GDT_GPA;
	s.gdt.limit = sizeof(gdt) - 1;
	s.cr0 = CR0_PE | CR0_ET;
	s.cr4 = 0;
	s.efer = 0;
	if (g->long_mode) {
		seg(&s.cs, 0x18, 0xa09b);
		s.cr3 = build_page_tables(g);
		s.cr4 = CR4_PAE;
		s.cr0 |= CR0_PG | CR0_NE;
		s.efer = EFER_LME | EFER_LMA;
	}
	e = hvtb_vp_set_sregs(vp, &s);
	if (e)
		return e;
	memset(&r, 0, sizeof(r));
	r.rip = g->entry;
	r.rflags = 2;
	if (g->multiboot) {
		r.rax = MB_BOOT_MAGIC;
		r.rbx = MB_INFO_GPA;
	}
	return hvtb_vp_set_regs(vp, &r);
}

/* COM1 and the exit port; everything else reads as all ones. */
static int handle_io(struct hvtb_run *run, int *status)
{
	struct hvtb_exit_io *io = &run->io;
	const uint8_t *data = (const uint8_t *)run + io->data_offset;

	if (io->direction == HVTB_IO_OUT) {
		if (io->port == EXIT_PORT) {
			*status = (io->string ? data[0] : io->value) & 0xff;
			return 1;
		}
		if (io->port == COM1) {
			if (io->string)
				fwrite(data, io->size, io->count, stdout);
			else
				putchar((int)(io->value & 0xff));
		}
		return 0;
	}
	if (io->string) {
		memset(run->data, io->port == COM1_LSR ? LSR_THR_EMPTY : 0xff,
		       (size_t)io->count * io->size);
		return 0;
	}
	if (io->port == COM1_LSR)
		io->value = LSR_THR_EMPTY;
	else if (io->port >= COM1 && io->port < COM1 + 8)
		io->value = 0;
	else
		io->value = ~0ULL;
	return 0;
}

static void report_mmio(const struct hvtb_vp_handle *vp)
{
	const struct hvtb_exit_mmio *m = &vp->run->mmio;
	struct hvtb_regs r = { 0 };
	struct hvtb_sregs s = { 0 };
	unsigned int i;

	hvtb_vp_get_regs(vp, &r);
	hvtb_vp_get_sregs(vp, &s);
	fprintf(stderr, "hvtbctl run: guest accessed GPA 0x%llx (access %#x) outside its memory at RIP 0x%llx (CS ar %#x, CR0 %#llx, RAX %#llx, RBX %#llx); instruction:",
		(unsigned long long)m->gpa, m->access, (unsigned long long)r.rip,
		s.cs.ar, (unsigned long long)s.cr0, (unsigned long long)r.rax,
		(unsigned long long)r.rbx);
	for (i = 0; i < m->insn_len; i++)
		fprintf(stderr, " %02x", m->insn[i]);
	fputc('\n', stderr);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int run_loop(struct hvtb_vp_handle *vp, unsigned int timeout)
{
	struct hvtb_run *run = vp->run;
	struct sigaction sa = { .sa_handler = on_alarm };
	int status = 0, e;

	sigaction(SIGALRM, &sa, NULL);
	if (timeout)
		alarm(timeout);
	for (;;) {
		e = hvtb_vp_run(vp);
		if (e == -EINTR) {
			fprintf(stderr, "hvtbctl run: guest still running after %u s: stopped\n",
				timeout);
			return RUN_EXIT_TIMEOUT;
		}
		if (e) {
			fprintf(stderr, "hvtbctl run: HVTB_VP_RUN: %s\n", strerror(-e));
			return RUN_EXIT_FAIL;
		}
		switch (run->exit_reason) {
		case HVTB_EXIT_IO:
			if (handle_io(run, &status)) {
				fflush(stdout);
				return status;
			}
			break;
		case HVTB_EXIT_HLT:
			fflush(stdout);
			fprintf(stderr, "hvtbctl run: guest halted\n");
			return 0;
		case HVTB_EXIT_MMIO:
			fflush(stdout);
			report_mmio(vp);
			return RUN_EXIT_FAIL;
		default:
			fflush(stdout);
			fprintf(stderr, "hvtbctl run: unexpected %s exit\n",
				hvtb_exit_name(run->exit_reason));
			return RUN_EXIT_FAIL;
		}
	}
}

static int read_image(const char *path, struct image *img)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || st.st_size == 0) {
		fprintf(stderr, "hvtbctl run: %s: %s\n", path,
			fd < 0 || errno ? strerror(errno) : "empty file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return fail("cannot map %s", path);
	img->data = p;
	img->size = st.st_size;
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: hvtbctl run [--mem MIB] [--format auto|flat|elf|multiboot]\n"
		"                   [--load ADDR] [--entry ADDR] [--cmdline STR]\n"
		"                   [--timeout SEC] IMAGE\n"
		"Runs IMAGE in a new partition; COM1 (0x3f8) goes to stdout, a byte\n"
		"written to port 0xf4 becomes the exit status. A flat image is loaded\n"
		"at --load (default 0x100000) and entered at --entry (default: --load)\n"
		"in 32-bit protected mode. Exit status 124: --timeout expired.\n");
}

/**
 * hvtbctl_cmd_run() - the "run" command.
 * Return: the guest's exit status, or 1 (failure), 2 (usage), 124 (timeout).
 */
int hvtbctl_cmd_run(int argc, char **argv)
{
	struct guest g = { 0 };
	struct hvtb_vp_handle vp = { .fd = -1 };
	const char *format = "auto", *path = NULL;
	uint64_t mem_mib = 64, load = 0x100000, entry = UINT64_MAX, timeout = 0;
	struct image img;
	int dev, part, i, e, ret = RUN_EXIT_FAIL;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t *num = !strcmp(a, "--mem") ? &mem_mib :
				!strcmp(a, "--load") ? &load :
				!strcmp(a, "--entry") ? &entry :
				!strcmp(a, "--timeout") ? &timeout : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			run_usage(stdout);
			return 0;
		}
		if ((num || !strcmp(a, "--format") || !strcmp(a, "--cmdline")) && !v) {
			fprintf(stderr, "hvtbctl run: %s needs a value\n", a);
			return RUN_EXIT_USAGE;
		}
		if (num) {
			if (parse_u64(v, num)) {
				fprintf(stderr, "hvtbctl run: %s: '%s' is not a number\n", a, v);
				return RUN_EXIT_USAGE;
			}
			i++;
		} else if (!strcmp(a, "--format")) {
			format = argv[++i];
		} else if (!strcmp(a, "--cmdline")) {
			g.cmdline = argv[++i];
		} else if (a[0] == '-' || path) {
			run_usage(stderr);
			return RUN_EXIT_USAGE;
		} else {
			path = a;
		}
	}
	if (!path || mem_mib < 1 || mem_mib > 4096 || timeout > 86400 ||
	    (strcmp(format, "auto") && strcmp(format, "flat") &&
	     strcmp(format, "elf") && strcmp(format, "multiboot"))) {
		run_usage(stderr);
		return RUN_EXIT_USAGE;
	}
	if (read_image(path, &img))
		return RUN_EXIT_FAIL;

	g.size = mem_mib << 20;
	g.mem = mmap(NULL, g.size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.mem == MAP_FAILED) {
		perror("hvtbctl run: guest memory");
		return RUN_EXIT_FAIL;
	}

	if (!strcmp(format, "auto")) {
		size_t off;

		format = find_multiboot(&img, &off) ? "multiboot" :
			 (img.size >= SELFMAG && !memcmp(img.data, ELFMAG, SELFMAG)) ?
			 "elf" : "flat";
	}
	if (!strcmp(format, "multiboot"))
		e = load_multiboot(&g, &img);
	else if (!strcmp(format, "elf"))
		e = load_elf(&g, &img);
	else
		e = load_segment(&g, &img, 0, img.size, load, img.size);
	if (e)
		return RUN_EXIT_FAIL;
	if (!strcmp(format, "flat"))
		g.entry = entry == UINT64_MAX ? load : entry;

	e = hvtbctl_open(&dev);
	if (e)
		return e;
	part = hvtb_partition_create(dev, 1, 0);
	if (part < 0) {
		fprintf(stderr, "hvtbctl run: create partition: %s\n", strerror(-part));
		goto out_dev;
	}
	e = hvtb_map_gpa(part, 0, g.size, g.mem,
			 HVTB_MAP_READ | HVTB_MAP_WRITE | HVTB_MAP_EXEC);
	if (!e)
		e = hvtb_vp_open(part, 0, &vp);
	if (!e)
		e = setup_vp(&g, &vp);
	if (e) {
		fprintf(stderr, "hvtbctl run: set up the partition: %s\n", strerror(-e));
		goto out_part;
	}
	ret = run_loop(&vp, timeout);
	hvtb_vp_close(&vp);
out_part:
	close(part);
out_dev:
	close(dev);
	return ret;
}
