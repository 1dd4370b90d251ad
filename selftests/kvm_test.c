// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_test - hvtb and KVM share VMX one at a time.
 *
 * With hvtb unloaded, KVM (loaded from $HVTB_KVM_DIR) runs a tiny real-mode
 * guest: this proves hvtb's unload left VMX clean. While that VM exists,
 * hvtb refuses to load with -EBUSY and says "kvm" in its log line; once it
 * is gone, hvtb loads. And the other way round: with hvtb loaded, KVM
 * cannot create a VM. (KVM 6.1 holds VMX only while a VM exists.)
 * Leaves hvtb loaded and the KVM modules unloaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "hvtb_harness.h"

#define GUEST_BASE	0x1000
#define GUEST_SIZE	0x1000
#define GUEST_PORT	0x10
#define GUEST_VALUE	0x42

/*
 * The guest, in real mode at GUEST_BASE: write GUEST_VALUE to GUEST_PORT,
 * halt, and do it again if resumed. Copied into guest memory as bytes.
 */
extern const unsigned char guest_code[], guest_code_end[];
asm(".pushsection .rodata, \"a\"\n"
	"guest_code:\n"
	".code16\n"
	"1:	movb $0x42, %al\n"
	"	outb %al, $0x10\n"
	"	hlt\n"
	"	jmp 1b\n"
	".code64\n"
	"guest_code_end:\n"
	".popsection\n");

/* Modules in load order; unloaded in reverse. */
static const struct {
	const char *file;
	const char *name;
} kvm_modules[] = {
	{ "irqbypass.ko", "irqbypass" },
	{ "kvm.ko", "kvm" },
	{ "kvm-intel.ko", "kvm_intel" },
};

struct kvm_vm {
	int kvm, vm, vcpu;
	void *mem;
	struct kvm_run *run;
	size_t run_size;
};

FIXTURE(kvm) {
	struct kvm_vm vm;
	int kmsg;
	int was_loaded;
	int kvm_loaded;		/* how many of kvm_modules[] the test loaded */
};

static void vm_close(struct kvm_vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->mem)
		munmap(vm->mem, GUEST_SIZE);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->vm >= 0)
		close(vm->vm);
	if (vm->kvm >= 0)
		close(vm->kvm);
	memset(vm, 0, sizeof(*vm));
	vm->kvm = vm->vm = vm->vcpu = -1;
}

static FIXTURE_SETUP(kvm)
{
	memset(&self->vm, 0, sizeof(self->vm));
	self->vm.kvm = self->vm.vm = self->vm.vcpu = -1;
	self->kmsg = -1;
	self->was_loaded = mod_loaded("hvtb");
	self->kvm_loaded = 0;
}

/* Unload the first *@loaded of kvm_modules[], last first. */
static void kvm_unload(int *loaded)
{
	while (*loaded > 0) {
		(*loaded)--;
		mod_unload(kvm_modules[*loaded].name);
	}
}

static FIXTURE_TEARDOWN(kvm)
{
	vm_close(&self->vm);
	kvm_unload(&self->kvm_loaded);
	if (self->kmsg >= 0)
		close(self->kmsg);
	if (self->was_loaded)
		EXPECT_EQ(0, hvtb_ensure_loaded());
}

/*
 * Load irqbypass, kvm, kvm-intel; *@loaded counts those this call loaded.
 * Return: 0, or -errno of the module that failed (its index in *@failed).
 */
static int kvm_load(int *loaded, size_t *failed)
{
	const char *dir = env_kvm_dir();
	char path[512];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(kvm_modules); i++) {
		*failed = i;
		if (mod_loaded(kvm_modules[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, kvm_modules[i].file);
		ret = mod_load(path, "");
		if (ret)
			return ret;
		*loaded = (int)i + 1;
	}
	return 0;
}

/* SKIP unless hvtb is loaded, $HVTB_KO can reload it and KVM is there. */
#define KVM_OR_SKIP() do {						\
	int _fd;							\
									\
	HVTB_OPEN_OR_SKIP(_fd, O_RDWR);					\
	close(_fd);							\
	HVTB_KO_OR_SKIP();						\
	if (!env_kvm_dir())						\
		HVTB_SKIP("$HVTB_KVM_DIR is not set to the KVM modules"); \
} while (0)

/* Load the KVM modules, or SKIP: KVM failing to load is not hvtb's fault. */
#define KVM_LOAD_OR_SKIP(self) do {					\
	size_t _i;							\
	int _ret = kvm_load(&(self)->kvm_loaded, &_i);			\
									\
	if (_ret)							\
		HVTB_SKIP("loading %s: %s", kvm_modules[_i].file,	\
			  strerror(-_ret));				\
} while (0)

/* Create a VM with GUEST_SIZE bytes of memory and one vCPU. */
static int vm_create(struct kvm_vm *vm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = GUEST_BASE,
		.memory_size = GUEST_SIZE,
	};
	int size;

	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return -errno;
	if (ioctl(vm->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return -EPROTO;
	vm->vm = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->vm < 0)
		return -errno;
	vm->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		return -errno;
	}
	memcpy(vm->mem, guest_code, (size_t)(guest_code_end - guest_code));
	region.userspace_addr = (unsigned long)vm->mem;
	if (ioctl(vm->vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 ||
	    ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	vm->vcpu = ioctl(vm->vm, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		return -errno;
	size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(*vm->run))
		return size < 0 ? -errno : -EPROTO;
	vm->run_size = (size_t)size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		return -errno;
	}
	return 0;
}

/* Real mode, CS = 0, IP at the guest code. */
static int vm_reset(struct kvm_vm *vm)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_BASE;
	regs.rflags = 0x2;
	if (ioctl(vm->vcpu, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

/* One pass of the guest: an OUT of GUEST_VALUE to GUEST_PORT, then HLT. */
static void vm_run_guest(struct __test_metadata *_metadata, struct kvm_vm *vm)
{
	struct kvm_run *run = vm->run;

	ASSERT_EQ(0, ioctl(vm->vcpu, KVM_RUN, 0)) TH_LOG("KVM_RUN: %s",
							  strerror(errno));
	ASSERT_EQ(KVM_EXIT_IO, run->exit_reason)
		TH_LOG("exit reason %u (hardware reason 0x%llx)",
		       run->exit_reason,
		       (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	EXPECT_EQ(KVM_EXIT_IO_OUT, run->io.direction);
	EXPECT_EQ(1, run->io.size);
	EXPECT_EQ(GUEST_PORT, run->io.port);
	EXPECT_EQ(1, run->io.count);
	EXPECT_EQ(GUEST_VALUE, *((unsigned char *)run + run->io.data_offset));

	ASSERT_EQ(0, ioctl(vm->vcpu, KVM_RUN, 0)) TH_LOG("KVM_RUN: %s",
							  strerror(errno));
	EXPECT_EQ(KVM_EXIT_HLT, run->exit_reason);
}

TEST_F_TIMEOUT(kvm, kvm_runs_and_excludes_hvtb, HVTB_SLOW_TIMEOUT)
{
	char line[512];
	int ret;

	KVM_OR_SKIP();
	ASSERT_EQ(0, mod_unload("hvtb"));
	KVM_LOAD_OR_SKIP(self);

	ret = vm_create(&self->vm);
	ASSERT_EQ(0, ret) TH_LOG("creating a KVM VM: %s", strerror(-ret));
	ASSERT_EQ(0, vm_reset(&self->vm));
	vm_run_guest(_metadata, &self->vm);

	/* KVM holds VMX now: hvtb must refuse, and say who holds it. */
	self->kmsg = kmsg_open();
	ASSERT_LE(0, self->kmsg);
	EXPECT_EQ(-EBUSY, mod_load(env_hvtb_ko(), ""));
	EXPECT_FALSE(mod_loaded("hvtb"));
	ASSERT_EQ(1, kmsg_last(self->kmsg, "hvtb: ", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "in use")) TH_LOG("kmsg: %s", line);
	EXPECT_NE(NULL, strstr(line, "kvm")) TH_LOG("kmsg: %s", line);

	/* hvtb's attempt left KVM's VMX state alone: the guest runs again. */
	vm_run_guest(_metadata, &self->vm);

	vm_close(&self->vm);
	ASSERT_EQ(0, mod_load(env_hvtb_ko(), ""));
	EXPECT_EQ(-EWOULDBLOCK, mod_unload("kvm"));	/* kvm_intel uses it */
	kvm_unload(&self->kvm_loaded);
	EXPECT_FALSE(mod_loaded("kvm_intel"));
	EXPECT_FALSE(mod_loaded("kvm"));
}

TEST_F_TIMEOUT(kvm, hvtb_excludes_kvm, HVTB_SLOW_TIMEOUT)
{
	struct hvtb_capabilities caps;
	size_t failed;
	int ret, fd;

	KVM_OR_SKIP();
	ret = kvm_load(&self->kvm_loaded, &failed);
	if (failed == ARRAY_SIZE(kvm_modules) - 1 && ret == -EBUSY) {
		/* A KVM that takes VMX at load (Linux 6.12+) is refused there. */
		EXPECT_FALSE(mod_loaded("kvm_intel"));
		return;
	}
	if (ret)
		HVTB_SKIP("loading %s: %s", kvm_modules[failed].file,
			  strerror(-ret));

	ret = vm_create(&self->vm);
	EXPECT_EQ(-EBUSY, ret) TH_LOG("KVM_CREATE_VM with hvtb loaded: %s",
				      strerror(-ret));
	vm_close(&self->vm);

	/* KVM's failed attempt left every CPU in hvtb's VMX root. */
	fd = hvtb_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hvtb_get_capabilities(fd, &caps));
	close(fd);
	EXPECT_EQ(caps.online_cpus, caps.vmx_root_cpus);
	kvm_unload(&self->kvm_loaded);
	/* And hvtb still leaves VMX cleanly: unload and load again. */
	ASSERT_EQ(0, mod_unload("hvtb"));
	ASSERT_EQ(0, mod_load(env_hvtb_ko(), ""));
}

TEST_HARNESS_MAIN
