# SPDX-License-Identifier: GPL-2.0
#
# Partition, memory, VP and exit selftests and the benchmarks; included
# by selftests/Makefile after its variables (SRC, OUT, OBJ, CFLAGS_ALL,
# LDFLAGS_ALL, KSFT_HDRS, HELPER_LIB, LIBHVTB) are set.
#
# Guest code is C in the test binary, copied into the guest at its own
# addresses: the binaries are static and not PIE, and everything that may
# run in the guest is built without stack protector (no TLS there) and
# without the red zone (interrupts push onto the guest's stack).

PARTITION_VM_TESTS := partition_test memory_test vp_test exit_test sched_test apic_test hyperv_test \
		      vmbus_test vsp_test
BENCH_BINS := exit_bench sched_bench ring_bench

GUEST_CFLAGS := $(CFLAGS_ALL) -fno-pie -fno-stack-protector -mno-red-zone \
		-fcf-protection=none
GUEST_LDFLAGS := $(LDFLAGS_ALL) -no-pie
GUEST_LIB_OBJ := $(OBJ)/guest/lib/guest.o $(OBJ)/guest/lib/spin.o

$(OBJ)/guest/lib/%.o: $(SRC)/lib/%.c $(SRC)/include/guest.h $(SRC)/include/spin.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(OBJ)/guest/%.o: $(SRC)/%.c $(KSFT_HDRS) $(SRC)/include/guest.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(addprefix $(OUT)/,$(filter-out vsp_test,$(PARTITION_VM_TESTS))): $(OUT)/%: $(OBJ)/guest/%.o \
		$(GUEST_LIB_OBJ) $(HELPER_LIB) $(LIBHVTB)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJ) \
		$(HELPER_LIB) $(LIBHVTB) -lpthread

# vsp_test compiles the worker's storage.c and network.c in: their
# libraries (channel adapter, storvsp, netvsp) and liburing come along.
VSP_TEST_LIBS := $(BUILD)/obj/worker/util.o $(BUILD)/obj/ic/icd_chanfd.o $(BUILD)/lib/libhvtbstor.a \
		 $(BUILD)/lib/libhvtbnet.a
$(OBJ)/guest/vsp_test.o: $(TOP)/userspace/worker/storage.c $(TOP)/userspace/worker/network.c \
	$(TOP)/userspace/worker/worker.h $(SRC)/include/vsc.h
$(OBJ)/guest/vmbus_test.o: $(SRC)/include/vsc.h
$(OBJ)/guest/bench/ring_bench.o: $(SRC)/include/vsc.h
$(OUT)/vsp_test: $(OBJ)/guest/vsp_test.o $(GUEST_LIB_OBJ) $(HELPER_LIB) $(LIBHVTB) $(VSP_TEST_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJ) $(VSP_TEST_LIBS) \
		$(HELPER_LIB) $(LIBHVTB) -luring -lpthread

$(addprefix $(OUT)/,$(BENCH_BINS)): $(OUT)/%: $(OBJ)/guest/bench/%.o $(GUEST_LIB_OBJ) $(LIBHVTB)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_OBJ) $(LIBHVTB) -lpthread

all: $(addprefix $(OUT)/,$(PARTITION_VM_TESTS) $(BENCH_BINS))

-include $(wildcard $(OBJ)/guest/*.d $(OBJ)/guest/lib/*.d $(OBJ)/guest/bench/*.d)
