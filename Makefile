# SPDX-License-Identifier: GPL-2.0
#
# hvtb top-level Makefile.
#   make            module (against KDIR) + user space + selftests
#   make run        install what is missing, build, boot Debian's kernel under hvtb-worker in the test VM
#   make check      every test: builds, sparse/checkpatch, host tests, the VM suites
#   make vm CMD=..  boot the test VM (KERNEL=dev|debian CPUS=N EMU=bochs|qemu-kvm|qemu-tcg) and run CMD
#   make bench      benchmarks that print figures (not tests)

TOP	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD	?= $(TOP)/build

# Kernel build tree: the running kernel's if present, else Debian's headers.
DEBIAN_KDIR := $(firstword $(wildcard /usr/src/linux-headers-*-amd64))
KDIR	?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) $(DEBIAN_KDIR))
# Where the module is built: a copy of the sources per kernel, so that
# builds for the dev and Debian kernels do not trample each other.
MODDIR	?= $(BUILD)/kmod

KERNEL	?= dev
CPUS	?= 1
EMU	?= bochs
CMD	?= hvtbctl info

CC	?= cc
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes -std=gnu11 \
	       -I$(TOP)/uapi -I$(TOP)/userspace/lib

MOD_SRCS := Kbuild $(shell cd $(TOP) && find kmod uapi -name '*.[chS]')

.PHONY: all modules userspace selftests check run vm bench install clean sparse checkpatch deps

all: modules userspace selftests

modules:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "hvtb: no kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	@if [ "$(abspath $(MODDIR))" != "$(TOP)" ]; then \
		mkdir -p $(MODDIR) && cd $(TOP) && tar cf - $(MOD_SRCS) | tar xf - -C $(MODDIR); fi
	$(MAKE) -C $(KDIR) M=$(MODDIR) modules

sparse:
	rm -rf $(BUILD)/kmod-sparse
	$(MAKE) modules MODDIR=$(BUILD)/kmod-sparse C=2 W=1

checkpatch:
	$(TOP)/scripts/checkpatch.sh

userspace:
	$(MAKE) -C $(TOP)/userspace BUILD=$(BUILD)/user CC="$(CC)" USER_CFLAGS="$(USER_CFLAGS)"

selftests: userspace
	$(MAKE) -C $(TOP)/selftests BUILD=$(BUILD)/user CC="$(CC)" USER_CFLAGS="$(USER_CFLAGS)"

deps:
	$(TOP)/scripts/deps.sh

# CMD goes to the VM as written: '$$HVTB_SELFTESTS' is expanded there, not by make.
vm: userspace selftests
	KERNEL=$(KERNEL) CPUS=$(CPUS) EMU=$(EMU) $(TOP)/testvm/run.sh '$(subst ','\'',$(value CMD))'

# Debian's kernel in an hvtb child partition (hvtb-worker) inside the test VM:
# its console and phase times (testvm/worker-run.sh).
run: deps
	$(MAKE) all
	BUILD=$(BUILD) $(TOP)/testvm/worker-run.sh

check: deps
	$(TOP)/scripts/check.sh

# Exit costs and scheduler figures measured in the guest with RDTSC (exact
# path lengths under Bochs), on Debian's kernel unless KERNEL= says otherwise:
# the dev kernel's lockdep and KASAN would dominate every path that sleeps.
bench: KERNEL = debian
bench: userspace selftests
	KERNEL=$(KERNEL) CPUS=$(CPUS) EMU=$(EMU) $(TOP)/testvm/run.sh \
		'$$HVTB_SELFTESTS/exit_bench && $$HVTB_SELFTESTS/sched_bench && $$HVTB_SELFTESTS/ring_bench'
	KERNEL=$(KERNEL) CPUS=1 EMU=$(EMU) HVTB_GUEST=1 TIMEOUT=$${TIMEOUT:-2400} $(TOP)/testvm/run.sh \
		'$$HVTB_SELFTESTS/worker_bench'

install: modules
	$(MAKE) -C $(KDIR) M=$(MODDIR) modules_install

clean:
	rm -rf $(BUILD)
