// SPDX-License-Identifier: GPL-2.0
/*
 * hvtbctl - command-line front end of /dev/hvtb.
 *
 *   hvtbctl info [--json]    what the module's VMX probe found
 *   hvtbctl sched-cpus [LIST] the host CPUs of hvtb's scheduler (show/set)
 *
 * Subcommands live in one table (commands[] below); each gets its own
 * argc/argv with argv[0] set to the subcommand name.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libhvtb.h"
#include "scheduler.h"
#include "run.h"

#ifndef HVTB_VERSION
#define HVTB_VERSION	"0.1.0"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit codes, documented in usage(). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* an ioctl or output failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOT_LOADED = 3,	/* /dev/hvtb missing: module not loaded */
	EXIT_PERM = 4,		/* /dev/hvtb not accessible */
	EXIT_API = 5,		/* module speaks another API version */
};

struct command {
	const char *name;
	const char *args;
	const char *summary;
	int (*fn)(int argc, char **argv);
};

static int cmd_info(int argc, char **argv);
static int cmd_sched_cpus(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "info", "[--json]", "show the VMX capabilities found by the module", cmd_info },
	{ "run", "IMAGE", "run a flat/ELF/multiboot image in a new partition",
	  hvtbctl_cmd_run },
	{ "sched-cpus", "[LIST]", "show or set the host CPUs of hvtb's scheduler (e.g. 0-3,6)",
	  cmd_sched_cpus },
	{ "workers", "", "list the running hvtb-workers (their control sockets)",
	  hvtbctl_cmd_workers },
	{ "devices", "PID", "a running worker's VMBus state and devices with their counters",
	  hvtbctl_cmd_devices },
	{ "shutdown", "PID", "shut a running worker's guest down (shutdown IC, as SIGTERM)",
	  hvtbctl_cmd_shutdown },
	{ "kvp", "PID KEY=VALUE", "SET a key in a running guest's KVP EXTERNAL pool",
	  hvtbctl_cmd_kvp },
	{ "control", "[--raw] [--hangup] PID LINE",
	  "send a running worker any control line, print its answer", hvtbctl_cmd_control },
	{ "help", "", "show this help", cmd_help },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: hvtbctl [-h|--help] [--version] <command> [args]\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %-9s %s\n", commands[i].name,
			commands[i].args, commands[i].summary);
	fprintf(out,
		"\n"
		"Exit status: 0 ok, 1 failure, 2 usage error, 3 module not loaded,\n"
		"4 permission denied on %s, 5 API version mismatch.\n",
		HVTB_DEV_PATH);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

/* Open /dev/hvtb and check its API version; prints why on failure. */
int hvtbctl_open(int *fdp)
{
	int fd, version;

	fd = hvtb_open(O_RDWR);
	if (fd == -ENOENT) {
		fprintf(stderr, "hvtbctl: %s not found: the hvtb module is not loaded (insmod hvtb.ko)\n",
			HVTB_DEV_PATH);
		return EXIT_NOT_LOADED;
	}
	if (fd == -ENXIO || fd == -ENODEV) {
		fprintf(stderr, "hvtbctl: %s: no such device: the hvtb module is not loaded (insmod hvtb.ko)\n",
			HVTB_DEV_PATH);
		return EXIT_NOT_LOADED;
	}
	if (fd == -EACCES || fd == -EPERM) {
		fprintf(stderr, "hvtbctl: %s: permission denied: run as root or as a member of the group given to hvtb's group= parameter\n",
			HVTB_DEV_PATH);
		return EXIT_PERM;
	}
	if (fd < 0) {
		fprintf(stderr, "hvtbctl: %s: %s\n", HVTB_DEV_PATH, strerror(-fd));
		return EXIT_FAIL;
	}
	version = hvtb_get_api_version(fd);
	if (version < 0) {
		fprintf(stderr, "hvtbctl: HVTB_GET_API_VERSION: %s\n",
			strerror(-version));
		close(fd);
		return EXIT_FAIL;
	}
	if (version != HVTB_API_VERSION) {
		fprintf(stderr, "hvtbctl: API version mismatch: the hvtb module has API %d, this hvtbctl was built for API %d: use the hvtbctl built with the module\n",
			version, HVTB_API_VERSION);
		close(fd);
		return EXIT_API;
	}
	*fdp = fd;
	return EXIT_OK;
}

struct msr_field {
	const char *field;	/* struct hvtb_capabilities member name */
	const char *msr;	/* architectural MSR name */
	unsigned int index;	/* MSR index */
	unsigned int true_index; /* index of the TRUE_ variant, 0 if none */
	size_t offset;
};

#define MSR_FIELD(f, name, idx, tidx) \
	{ #f, name, idx, tidx, offsetof(struct hvtb_capabilities, f) }

static const struct msr_field msr_fields[] = {
	MSR_FIELD(feature_control, "IA32_FEATURE_CONTROL", 0x3a, 0),
	MSR_FIELD(vmx_basic, "IA32_VMX_BASIC", 0x480, 0),
	MSR_FIELD(pinbased_ctls, "IA32_VMX_PINBASED_CTLS", 0x481, 0x48d),
	MSR_FIELD(procbased_ctls, "IA32_VMX_PROCBASED_CTLS", 0x482, 0x48e),
	MSR_FIELD(procbased_ctls2, "IA32_VMX_PROCBASED_CTLS2", 0x48b, 0),
	MSR_FIELD(exit_ctls, "IA32_VMX_EXIT_CTLS", 0x483, 0x48f),
	MSR_FIELD(entry_ctls, "IA32_VMX_ENTRY_CTLS", 0x484, 0x490),
	MSR_FIELD(vmx_misc, "IA32_VMX_MISC", 0x485, 0),
	MSR_FIELD(ept_vpid_cap, "IA32_VMX_EPT_VPID_CAP", 0x48c, 0),
	MSR_FIELD(cr0_fixed0, "IA32_VMX_CR0_FIXED0", 0x486, 0),
	MSR_FIELD(cr0_fixed1, "IA32_VMX_CR0_FIXED1", 0x487, 0),
	MSR_FIELD(cr4_fixed0, "IA32_VMX_CR4_FIXED0", 0x488, 0),
	MSR_FIELD(cr4_fixed1, "IA32_VMX_CR4_FIXED1", 0x489, 0),
	MSR_FIELD(vmfunc, "IA32_VMX_VMFUNC", 0x491, 0),
};

static __u64 msr_value(const struct hvtb_capabilities *caps,
		       const struct msr_field *m)
{
	__u64 v;

	memcpy(&v, (const char *)caps + m->offset, sizeof(v));
	return v;
}

/* IA32_VMX_EPT_VPID_CAP bits, SDM vol. 3 appendix A.10. */
static const struct {
	unsigned int bit;
	const char *name;
} ept_vpid_bits[] = {
	{ 0, "execute-only" }, { 6, "4-level-walk" }, { 7, "5-level-walk" },
	{ 8, "UC" }, { 14, "WB" }, { 16, "2M-pages" }, { 17, "1G-pages" },
	{ 20, "INVEPT" }, { 21, "accessed-dirty" },
	{ 22, "advanced-exit-info" }, { 25, "INVEPT-single-context" },
	{ 26, "INVEPT-all-context" }, { 32, "INVVPID" },
	{ 40, "INVVPID-individual-address" }, { 41, "INVVPID-single-context" },
	{ 42, "INVVPID-all-context" }, { 43, "INVVPID-single-context-keep-global" },
};

/* Words after a label, wrapped to stay within 80 columns. */
struct wrap {
	int col;
};

static void wrap_word(struct wrap *w, const char *word)
{
	int len = (int)strlen(word);

	if (w->col + 1 + len > 79) {
		printf("\n%25s", "");
		w->col = 25;
	}
	printf(" %s", word);
	w->col += 1 + len;
}

static void print_features(__u64 features)
{
	struct wrap w = { .col = 25 };
	char other[16];
	unsigned int bit;

	printf("%-25s", "Features:");
	for (bit = 0; bit < 64; bit++) {
		if (!(features >> bit & 1))
			continue;
		if (hvtb_feature_name(bit)) {
			wrap_word(&w, hvtb_feature_name(bit));
		} else {
			snprintf(other, sizeof(other), "bit%u", bit);
			wrap_word(&w, other);
		}
	}
	printf("\n");
}

static void print_ept_vpid(__u64 cap)
{
	struct wrap w = { .col = 25 };
	size_t i;

	printf("%-25s", "EPT/VPID capabilities:");
	for (i = 0; i < ARRAY_SIZE(ept_vpid_bits); i++)
		if (cap >> ept_vpid_bits[i].bit & 1)
			wrap_word(&w, ept_vpid_bits[i].name);
	printf("\n");
}

static void print_raw_msrs(const struct hvtb_capabilities *caps)
{
	int true_ctls = caps->vmx_basic >> 55 & 1;
	char name[48];
	size_t i;

	printf("Raw MSRs:\n");
	for (i = 0; i < ARRAY_SIZE(msr_fields); i++) {
		const struct msr_field *m = &msr_fields[i];
		unsigned int index = m->index;

		if (true_ctls && m->true_index) {
			index = m->true_index;
			snprintf(name, sizeof(name), "IA32_VMX_TRUE_%s",
				 m->msr + strlen("IA32_VMX_"));
		} else {
			snprintf(name, sizeof(name), "%s", m->msr);
		}
		printf("  %-28s 0x%03x  0x%016llx\n", name, index,
		       (unsigned long long)msr_value(caps, m));
	}
}

static void info_human(const struct hvtb_capabilities *caps, const char *cpus)
{
	unsigned long long timer_hz;

	timer_hz = ((unsigned long long)caps->tsc_khz * 1000) >>
		   caps->preemption_timer_shift;
	printf("%-25s %u\n", "API version:", caps->api_version);
	printf("%-25s 0x%08x\n", "VMCS revision:", caps->vmcs_revision);
	printf("%-25s %u bytes\n", "VMCS size:", caps->vmcs_size);
	printf("%-25s %u/%u (%s)\n", "CPUs in VMX root:",
	       caps->vmx_root_cpus, caps->online_cpus, cpus);
	printf("%-25s %u kHz\n", "TSC:", caps->tsc_khz);
	printf("%-25s 1 tick per 2^%u TSC cycles (%llu.%03llu kHz)\n",
	       "VMX preemption timer:", caps->preemption_timer_shift,
	       timer_hz / 1000, timer_hz % 1000);
	print_features(caps->features);
	print_ept_vpid(caps->ept_vpid_cap);
	print_raw_msrs(caps);
}

/* "key": ["0x..", ...] followed by @sep (",\n" or "\n") */
static void json_u64_array(const char *key, const __u64 *v, size_t n,
			   const char *sep)
{
	size_t i;

	printf("  \"%s\": [", key);
	for (i = 0; i < n; i++)
		printf("%s\"0x%llx\"", i ? ", " : "", (unsigned long long)v[i]);
	printf("]%s", sep);
}

static void json_features(__u64 features)
{
	unsigned int bit;
	int first = 1;

	printf("  \"features\": [");
	for (bit = 0; bit < 64; bit++) {
		if (!(features >> bit & 1))
			continue;
		if (hvtb_feature_name(bit))
			printf("%s\"%s\"", first ? "" : ", ",
			       hvtb_feature_name(bit));
		else
			printf("%s\"bit%u\"", first ? "" : ", ", bit);
		first = 0;
	}
	printf("],\n");
	printf("  \"features_mask\": \"0x%llx\",\n", (unsigned long long)features);
}

/*
 * u64 values are hex strings: JSON readers that use doubles would round
 * MSR values above 2^53.
 */
static void info_json(const struct hvtb_capabilities *caps, const char *cpus)
{
	size_t i;

	printf("{\n");
	printf("  \"flags\": %u,\n", caps->flags);
	printf("  \"api_version\": %u,\n", caps->api_version);
	json_features(caps->features);
	printf("  \"vmcs_revision\": %u,\n", caps->vmcs_revision);
	printf("  \"vmcs_size\": %u,\n", caps->vmcs_size);
	printf("  \"preemption_timer_shift\": %u,\n",
	       caps->preemption_timer_shift);
	printf("  \"tsc_khz\": %u,\n", caps->tsc_khz);
	printf("  \"online_cpus\": %u,\n", caps->online_cpus);
	printf("  \"vmx_root_cpus\": %u,\n", caps->vmx_root_cpus);
	json_u64_array("vmx_root_mask", caps->vmx_root_mask,
		       ARRAY_SIZE(caps->vmx_root_mask), ",\n");
	printf("  \"vmx_root_cpu_list\": \"%s\",\n", cpus);
	for (i = 0; i < ARRAY_SIZE(msr_fields); i++)
		printf("  \"%s\": \"0x%llx\",\n", msr_fields[i].field,
		       (unsigned long long)msr_value(caps, &msr_fields[i]));
	json_u64_array("reserved", caps->reserved, ARRAY_SIZE(caps->reserved),
		       "\n");
	printf("}\n");
}

static int cmd_info(int argc, char **argv)
{
	struct hvtb_capabilities caps;
	char cpus[4 * HVTB_MAX_CPU_MASK];
	int json = 0, fd, ret, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else {
			fprintf(stderr, "hvtbctl info: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	ret = hvtbctl_open(&fd);
	if (ret)
		return ret;
	ret = hvtb_get_capabilities(fd, &caps);
	close(fd);
	if (ret) {
		fprintf(stderr, "hvtbctl: HVTB_GET_CAPABILITIES: %s\n", strerror(-ret));
		return EXIT_FAIL;
	}
	if (hvtb_cpulist_format(caps.vmx_root_mask, HVTB_CPU_MASK_WORDS,
				cpus, sizeof(cpus)) < 0)
		snprintf(cpus, sizeof(cpus), "?");
	if (json)
		info_json(&caps, cpus);
	else
		info_human(&caps, cpus);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "hvtbctl: writing output: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int cmd_sched_cpus(int argc, char **argv)
{
	__u64 mask[HVTB_CPU_MASK_WORDS] = { 0 };
	char cpus[4 * HVTB_MAX_CPU_MASK];
	int fd, ret;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: hvtbctl sched-cpus [LIST]\n");
		return EXIT_USAGE;
	}
	if (argc == 2 && hvtb_cpulist_parse(argv[1], mask, HVTB_CPU_MASK_WORDS) < 0) {
		fprintf(stderr, "hvtbctl sched-cpus: '%s' is not a CPU list such as 0-3,6\n",
			argv[1]);
		return EXIT_USAGE;
	}
	ret = hvtbctl_open(&fd);
	if (ret)
		return ret;
	ret = hvtb_sched_cpus(fd, mask, argc == 2);
	close(fd);
	if (ret) {
		fprintf(stderr, "hvtbctl sched-cpus: %s%s\n", strerror(-ret),
			ret == -EINVAL ? " (no CPU of the list is online in VMX root)" :
			ret == -EBUSY ? " (a VP with a CPU reserve is on a CPU that would leave the set)" :
			ret == -EPERM ? " (changing the set needs CAP_SYS_NICE)" : "");
		return ret == -EPERM ? EXIT_PERM : EXIT_FAIL;
	}
	if (hvtb_cpulist_format(mask, HVTB_CPU_MASK_WORDS, cpus, sizeof(cpus)) < 0)
		snprintf(cpus, sizeof(cpus), "?");
	printf("%s\n", cpus);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		printf("hvtbctl %s (hvtb API %d)\n", HVTB_VERSION, HVTB_API_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hvtbctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
