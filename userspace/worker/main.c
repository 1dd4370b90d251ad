// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb-worker - run one Linux guest in an hvtb child partition.
 *
 * Configuration: command-line options, optionally on top of an INI file
 * (--config, parsed by inih). Lifecycle: Starting (load, set up) ->
 * Running (one thread per VP) -> Off (a guest action, a signal, a timeout
 * or an error decides the exit status, see usage()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ini.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hyperv.h"
#include "libhvtb.h"
#include "vmbus.h"
#include "worker.h"
#include "../ic/ic_server.h"

#define DEFAULT_CMDLINE	"console=ttyS0 nokaslr pci=off panic=-1 mitigations=off quiet"

static const char *const exit_names[] = {
	"NONE", "IO", "MMIO", "HLT", "HYPERCALL", "CPUID", "MSR_READ",
	"MSR_WRITE", "SHUTDOWN", "FAIL_ENTRY", "INTR", "INTERNAL",
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: hvtb-worker [options] [--config FILE] [KERNEL]\n"
"Boots a Linux kernel in a new hvtb child partition.\n"
"  -k, --kernel FILE      bzImage (64-bit boot protocol) or vmlinux (PVH entry)\n"
"  -i, --initrd FILE      initial ramdisk\n"
"  -a, --cmdline STR      kernel command line [" DEFAULT_CMDLINE "]\n"
"  -m, --mem MIB          guest memory, %d..%d MiB [256]\n"
"  -p, --vps N            virtual processors, 1..%d [1]\n"
"  -c, --console WHERE    guest serial output: stdio, none or a file [stdio]\n"
"  -t, --timeout SEC      stop the guest after SEC seconds (up to 3 decimals)\n"
"                         [none]\n"
"  -w, --watchdog SEC     end the run (status 85) when a VP spends SEC seconds\n"
"                         (up to 3 decimals) in the guest without an exit\n"
"                         other than external interrupts and preemption\n"
"                         timers [off]\n"
"  -g, --shutdown-grace SEC  on SIGTERM, ask the guest to power off through\n"
"                         the shutdown IC (once its hv_utils negotiated it)\n"
"                         and stop it after SEC seconds; 0: SIGTERM stops\n"
"                         at once, as SIGINT and SIGHUP do [30]\n"
"  -K, --kvp KEY=VALUE    a record for the guest's KVP EXTERNAL pool (its\n"
"                         hv_kvp_daemon's /var/lib/hyperv/.kvp_pool_0), up\n"
"                         to %d; --stats prints the guest's AUTO pool\n"
"  -D, --ic-daemon NAME   serve integration component NAME (heartbeat,\n"
"                         timesync or kvp) in an hvtb-icd process of its\n"
"                         own ($HVTB_ICD, else next to this binary, else\n"
"                         PATH) instead of a worker thread; a daemon that\n"
"                         exits is restarted (its channel rescinded and\n"
"                         offered again), up to 5 times a minute\n"
"  -d, --disk PATH[,ro]   a disk image (regular file or block device, a\n"
"                         multiple of 512 bytes) as the next LUN of the\n"
"                         synthetic SCSI controller (hv_storvsc: /dev/sda,\n"
"                         /dev/sdb, ...), read-only with ,ro; up to %d\n"
"  -N, --net TAP[,mac=MAC]  a synthetic network adapter (hv_netvsc: eth0) on\n"
"                         the parent's TAP device TAP (created and set up\n"
"                         if missing), MAC address MAC [00:15:5d:68:76:01]\n"
"  -n, --no-enlightenments  no Hyper-V CPUID leaves, MSRs or hypercalls\n"
"                         (and no VMBus)\n"
"  -b, --vmbus yes|no     serve the VMBus connection in hvtb (hv_vmbus\n"
"                         connects) [yes with enlightenments, else no]\n"
"  -S, --sched threads|root  where the VPs run: hvtb's scheduler threads, or\n"
"                         the worker's VP threads under Linux's scheduler\n"
"                         (HVTB_PARTITION_ROOT_SCHED) [threads]\n"
"  -C, --control PATH|none  the control socket hvtbctl talks to (hvtbctl\n"
"                         workers, hvtbctl devices PID)\n"
"                         [$HVTB_RUN_DIR/worker-PID.sock, /run/hvtb by default]\n"
"  -s, --stats            per-VP exit counters, boot phases and the VMBus\n"
"                         state and counters at the end\n"
"  -q, --quiet            no end-of-run summary line\n"
"  -f, --config FILE      INI file, section [vm]: kernel, initrd, cmdline,\n"
"                         memory, vps, console, timeout, watchdog,\n"
"                         shutdown_grace, kvp, disk and ic_daemon\n"
"                         (repeatable), net,\n"
"                         control, sched,\n"
"                         enlightenments\n"
"                         (yes/no), vmbus (yes/no), stats (yes/no);\n"
"                         options override it\n"
"The guest's COM1 (0x3f8) is its console; the worker's stdin is its input.\n"
"Exit status:\n"
"  0..63  the guest wrote this byte to port 0xf4 (its command's status)\n"
"  64     bad option, config file or value    65  bad kernel/initrd image\n"
"  66     a file cannot be read                69  hvtb unavailable or failed\n"
"  80     guest powered off (ACPI S5, or HLT with interrupts off on all VPs)\n"
"  81     guest reset (reboot through the ACPI reset register)\n"
"  82     triple fault (also reboot=t)         83  guest panic (Hyper-V crash MSR)\n"
"  84     guest did something the worker cannot handle\n"
"  85     a VP made no progress (--watchdog)\n"
"  124    --timeout expired                    128+N  stopped by signal N\n"
"  (SIGTERM with the shutdown IC: 80 once the guest powered off, 143 if it\n"
"  did not within --shutdown-grace or refused)\n",
		WK_MIN_MEM_MIB, WK_MAX_MEM_MIB, WK_MAX_VPS, WK_KVP_MAX, WK_DISK_MAX);
}

/* The first reason to end wins. vm->lock held. */
void wk_vm_end(struct wk_vm *vm, int code, const char *why)
{
	if (vm->exit_code >= 0)
		return;
	vm->exit_code = code;
	vm->exit_why = why;
	vm->t_end = wk_now_ns();
}

static void vm_end_locked(struct wk_vm *vm, int code, const char *why)
{
	pthread_mutex_lock(&vm->lock);
	wk_vm_end(vm, code, why);
	pthread_mutex_unlock(&vm->lock);
}

/* --- configuration ------------------------------------------------------ */

static int parse_uint(const char *what, const char *s, unsigned int min,
		      unsigned int max, unsigned int *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || !*s || *end || n < min || n > max)
		return wk_err(WK_EXIT_USAGE, "%s: '%s' is not a number in %u..%u", what, s, min, max);
	*v = n;
	return 0;
}

/* Seconds with up to three decimals ("2", "0.25") into milliseconds, 0..max_s s. */
static int parse_ms(const char *what, const char *s, unsigned int max_s, unsigned int *ms)
{
	unsigned long n, frac = 0;
	unsigned int digits = 0;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (*end == '.' && end > s) {
		for (end++; *end >= '0' && *end <= '9' && digits < 3; end++, digits++)
			frac = frac * 10 + (*end - '0');
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (errno || !*s || *s == '-' || *end || n > max_s || (n == max_s && frac))
		return wk_err(WK_EXIT_USAGE, "%s: '%s' is not a number of seconds in 0..%u (up to 3 decimals)",
			      what, s, max_s);
	*ms = n * 1000 + frac;
	return 0;
}

/* KEY=VALUE for the guest's KVP EXTERNAL pool (ic.c sends it as UTF-16). */
static int parse_kvp(const char *what, const char *s, struct wk_config *cfg)
{
	const char *eq = strchr(s, '=');

	if (!eq || eq == s)
		return wk_err(WK_EXIT_USAGE, "%s: '%s' is not KEY=VALUE", what, s);
	if (eq - s > HVTB_IC_KVP_KEY_UTF8_MAX || strlen(eq + 1) > HVTB_IC_KVP_VALUE_UTF8_MAX)
		return wk_err(WK_EXIT_USAGE, "%s: key or value too long (%u and %u bytes at most)",
			      what, HVTB_IC_KVP_KEY_UTF8_MAX, HVTB_IC_KVP_VALUE_UTF8_MAX);
	if (cfg->nkvp >= WK_KVP_MAX)
		return wk_err(WK_EXIT_USAGE, "%s: more than %d KVP pairs", what, WK_KVP_MAX);
	cfg->kvp[cfg->nkvp++] = s;
	return 0;
}

/* NAME: an IC served by an hvtb-icd process (ic.c). */
static int parse_ic_daemon(const char *what, const char *s, struct wk_config *cfg)
{
	int k = ic_kind_parse(s);

	if (k < 0 || k == IC_SHUTDOWN)
		return wk_err(WK_EXIT_USAGE, "%s: '%s': heartbeat, timesync or kvp (the shutdown IC stays in the worker: SIGTERM uses it)",
			      what, s);
	cfg->ic_daemon[k] = true;
	return 0;
}

/* PATH[,ro]: the next LUN of the SCSI controller (storage.c). */
static int parse_disk(const char *what, const char *s, struct wk_config *cfg)
{
	size_t n = strlen(s);
	char *path;

	if (cfg->ndisks >= WK_DISK_MAX)
		return wk_err(WK_EXIT_USAGE, "%s: more than %d disks", what, WK_DISK_MAX);
	path = strdup(s);
	if (!path)
		return wk_err(WK_EXIT_USAGE, "%s: %s", what, strerror(ENOMEM));
	cfg->disks[cfg->ndisks].ro = n > 3 && !strcmp(s + n - 3, ",ro");
	if (cfg->disks[cfg->ndisks].ro)
		path[n - 3] = 0;
	if (!*path || strchr(path, ',')) {
		free(path);
		return wk_err(WK_EXIT_USAGE, "%s: '%s' is not PATH or PATH,ro", what, s);
	}
	cfg->disks[cfg->ndisks++].path = path;
	return 0;
}

/* TAP[,mac=XX:XX:XX:XX:XX:XX]: the network adapter (network.c). */
static int parse_net(const char *what, const char *s, struct wk_config *cfg)
{
	static const uint8_t def_mac[6] = { 0x00, 0x15, 0x5d, 0x68, 0x76, 0x01 };
	const char *comma = strchr(s, ',');
	size_t n = comma ? (size_t)(comma - s) : strlen(s), i;
	unsigned int m[6];
	char *tap, tail;

	if (cfg->net_tap)
		return wk_err(WK_EXIT_USAGE, "%s: one network adapter only", what);
	if (!n || n >= 16)
		return wk_err(WK_EXIT_USAGE, "%s: '%s': the TAP name must have 1 to 15 characters",
			      what, s);
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ' ' || s[i] == ':')
			return wk_err(WK_EXIT_USAGE, "%s: '%.*s' is not an interface name", what,
				      (int)n, s);
	memcpy(cfg->net_mac, def_mac, 6);
	if (comma) {
		if (strncmp(comma, ",mac=", 5) ||
		    sscanf(comma + 5, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4],
			   &m[5], &tail) != 6 || strlen(comma + 5) != 17)
			return wk_err(WK_EXIT_USAGE, "%s: '%s' is not TAP or TAP,mac=XX:XX:XX:XX:XX:XX",
				      what, s);
		if (m[0] & 1)
			return wk_err(WK_EXIT_USAGE, "%s: %s is a multicast address", what, comma + 5);
		for (i = 0; i < 6; i++)
			cfg->net_mac[i] = m[i];
	}
	tap = strndup(s, n);
	if (!tap)
		return wk_err(WK_EXIT_USAGE, "%s: %s", what, strerror(ENOMEM));
	cfg->net_tap = tap;
	return 0;
}

static int parse_sched(const char *what, const char *s, bool *root)
{
	if (!strcmp(s, "threads"))
		*root = false;
	else if (!strcmp(s, "root"))
		*root = true;
	else
		return wk_err(WK_EXIT_USAGE, "%s: '%s' is not threads or root", what, s);
	return 0;
}

static int parse_bool(const char *what, const char *s, bool *v)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
		*v = true;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
		*v = false;
	else
		return wk_err(WK_EXIT_USAGE, "%s: '%s' is not yes or no", what, s);
	return 0;
}

struct ini_ctx {
	struct wk_config *cfg;
	const char *path;
	int err;
};

static int ini_line(void *user, const char *section, const char *name,
		    const char *value)
{
	struct ini_ctx *c = user;
	struct wk_config *cfg = c->cfg;
	char what[160];

	snprintf(what, sizeof(what), "config %s: %s", c->path, name);
	if (strcmp(section, "vm")) {
		c->err = wk_err(WK_EXIT_USAGE, "config %s: unknown section [%s] (only [vm])",
				c->path, section);
		return 0;
	}
	if (!strcmp(name, "kernel"))
		cfg->kernel = strdup(value);
	else if (!strcmp(name, "initrd"))
		cfg->initrd = strdup(value);
	else if (!strcmp(name, "cmdline"))
		cfg->cmdline = strdup(value);
	else if (!strcmp(name, "console"))
		cfg->console = strdup(value);
	else if (!strcmp(name, "memory"))
		c->err = parse_uint(what, value, WK_MIN_MEM_MIB, WK_MAX_MEM_MIB, &cfg->mem_mib);
	else if (!strcmp(name, "vps"))
		c->err = parse_uint(what, value, 1, WK_MAX_VPS, &cfg->vps);
	else if (!strcmp(name, "timeout"))
		c->err = parse_ms(what, value, 86400, &cfg->timeout_ms);
	else if (!strcmp(name, "watchdog"))
		c->err = parse_ms(what, value, 86400, &cfg->watchdog_ms);
	else if (!strcmp(name, "kvp"))
		c->err = parse_kvp(what, strdup(value), cfg);
	else if (!strcmp(name, "disk"))
		c->err = parse_disk(what, value, cfg);
	else if (!strcmp(name, "ic_daemon"))
		c->err = parse_ic_daemon(what, value, cfg);
	else if (!strcmp(name, "net"))
		c->err = parse_net(what, value, cfg);
	else if (!strcmp(name, "control"))
		cfg->control = strdup(value);
	else if (!strcmp(name, "sched"))
		c->err = parse_sched(what, value, &cfg->root_sched);
	else if (!strcmp(name, "shutdown_grace"))
		c->err = parse_uint(what, value, 0, 86400, &cfg->shutdown_grace);
	else if (!strcmp(name, "enlightenments"))
		c->err = parse_bool(what, value, &cfg->enlightenments);
	else if (!strcmp(name, "vmbus")) {
		c->err = parse_bool(what, value, &cfg->vmbus);
		cfg->vmbus_set = true;
	}
	else if (!strcmp(name, "stats"))
		c->err = parse_bool(what, value, &cfg->stats);
	else
		c->err = wk_err(WK_EXIT_USAGE, "config %s: unknown key '%s' in [vm]",
				c->path, name);
	return !c->err;
}

static int load_config_file(struct wk_config *cfg, const char *path)
{
	struct ini_ctx c = { .cfg = cfg, .path = path };
	FILE *f = fopen(path, "r");
	int r;

	if (!f)
		return wk_err(WK_EXIT_NOINPUT, "config %s: %s", path, strerror(errno));
	r = ini_parse_file(f, ini_line, &c);
	fclose(f);
	if (c.err)
		return c.err;
	if (r)
		return wk_err(WK_EXIT_USAGE, "config %s:%d: syntax error", path, r);
	return 0;
}

static const struct option long_opts[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "cmdline", required_argument, NULL, 'a' },
	{ "mem", required_argument, NULL, 'm' },
	{ "vps", required_argument, NULL, 'p' },
	{ "console", required_argument, NULL, 'c' },
	{ "timeout", required_argument, NULL, 't' },
	{ "watchdog", required_argument, NULL, 'w' },
	{ "shutdown-grace", required_argument, NULL, 'g' },
	{ "kvp", required_argument, NULL, 'K' },
	{ "disk", required_argument, NULL, 'd' },
	{ "ic-daemon", required_argument, NULL, 'D' },
	{ "net", required_argument, NULL, 'N' },
	{ "control", required_argument, NULL, 'C' },
	{ "sched", required_argument, NULL, 'S' },
	{ "no-enlightenments", no_argument, NULL, 'n' },
	{ "vmbus", required_argument, NULL, 'b' },
	{ "stats", no_argument, NULL, 's' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "config", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};
#define SHORT_OPTS "k:i:a:m:p:c:t:w:g:K:d:D:N:C:S:nb:sqf:h"

static int parse_args(int argc, char **argv, struct wk_config *cfg)
{
	bool no_enl = false, cli_vmbus = false;
	int o, e;

	/* First pass: --help and --config (the file is the base). */
	opterr = 0;
	while ((o = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		if (o == 'h') {
			usage(stdout);
			exit(0);
		}
		if (o == 'f') {
			e = load_config_file(cfg, optarg);
			if (e)
				return e;
		}
	}
	optind = 0;
	opterr = 1;
	while ((o = getopt_long(argc, argv, SHORT_OPTS, long_opts, NULL)) != -1) {
		e = 0;
		switch (o) {
		case 'k': cfg->kernel = optarg; break;
		case 'i': cfg->initrd = optarg; break;
		case 'a': cfg->cmdline = optarg; break;
		case 'c': cfg->console = optarg; break;
		case 'm': e = parse_uint("--mem", optarg, WK_MIN_MEM_MIB, WK_MAX_MEM_MIB, &cfg->mem_mib); break;
		case 'p': e = parse_uint("--vps", optarg, 1, WK_MAX_VPS, &cfg->vps); break;
		case 't': e = parse_ms("--timeout", optarg, 86400, &cfg->timeout_ms); break;
		case 'w': e = parse_ms("--watchdog", optarg, 86400, &cfg->watchdog_ms); break;
		case 'g': e = parse_uint("--shutdown-grace", optarg, 0, 86400, &cfg->shutdown_grace); break;
		case 'K': e = parse_kvp("--kvp", optarg, cfg); break;
		case 'd': e = parse_disk("--disk", optarg, cfg); break;
		case 'D': e = parse_ic_daemon("--ic-daemon", optarg, cfg); break;
		case 'N': e = parse_net("--net", optarg, cfg); break;
		case 'C': cfg->control = optarg; break;
		case 'S': e = parse_sched("--sched", optarg, &cfg->root_sched); break;
		case 'n': cfg->enlightenments = false; no_enl = true; break;
		case 'b':
			e = parse_bool("--vmbus", optarg, &cfg->vmbus);
			cfg->vmbus_set = cli_vmbus = true;
			break;
		case 's': cfg->stats = true; break;
		case 'q': cfg->quiet = true; break;
		case 'f': break;
		default:
			usage(stderr);
			return WK_EXIT_USAGE;
		}
		if (e)
			return e;
	}
	if (optind < argc)
		cfg->kernel = argv[optind++];
	if (optind < argc)
		return wk_err(WK_EXIT_USAGE, "unexpected argument '%s' (see --help)", argv[optind]);
	if (!cfg->kernel)
		return wk_err(WK_EXIT_USAGE, "no kernel: give KERNEL, --kernel or kernel= in the config");
	/*
	 * VMBus follows the enlightenments unless set; it needs them (the
	 * guest reaches it through the SynIC and HvPostMessage).
	 * --no-enlightenments also overrides the config file's vmbus.
	 */
	if (no_enl && !cli_vmbus)
		cfg->vmbus_set = false;
	if (!cfg->vmbus_set)
		cfg->vmbus = cfg->enlightenments;
	else if (cfg->vmbus && !cfg->enlightenments)
		return wk_err(WK_EXIT_USAGE, "vmbus needs the enlightenments (drop --no-enlightenments or enlightenments=no, or say vmbus no)");
	if (cfg->ndisks && !cfg->vmbus)
		return wk_err(WK_EXIT_USAGE, "--disk needs VMBus (the disks are a synthetic SCSI controller)");
	if (cfg->net_tap && !cfg->vmbus)
		return wk_err(WK_EXIT_USAGE, "--net needs VMBus (the adapter is a synthetic one)");
	return 0;
}

/* --- partition ---------------------------------------------------------- */

static int setup_hyperv(struct wk_vm *vm)
{
	struct hvtb_hyperv_config c = {
		.flags = HVTB_HV_ENABLE,
		/* TIME_REF_COUNT, SynIC, STIMER, VP_ASSIST, HYPERCALL+GUEST_OS_ID,
		 * VP_INDEX, REFERENCE_TSC, frequency MSRs */
		.features_eax = 0x0a7e,
		.features_ebx = 0x30,		/* PostMessage, SignalEvent */
		/* frequency MSRs, crash MSRs (worker), direct-mode STIMER */
		.features_edx = (1u << 8) | (1u << 10) | (1u << 19),
		.hints_eax = 1u << 9,		/* no auto-EOI */
	};

	return hvtb_set_hyperv(vm->part, &c);
}

static int create_partition(struct wk_vm *vm)
{
	unsigned int i;
	int e;

	e = hvtb_open(O_RDWR);
	if (e < 0)
		return wk_err(WK_EXIT_HVTB, "/dev/hvtb: %s%s", strerror(-e),
			      e == -ENOENT ? " (is hvtb.ko loaded?)" : "");
	vm->dev = e;
	e = hvtb_partition_create_flags(vm->dev, HVTB_PARTITION_LAPIC |
					(vm->cfg.root_sched ? HVTB_PARTITION_ROOT_SCHED : 0),
					vm->cfg.vps, vm->mem_size);
	if (e < 0)
		return wk_err(WK_EXIT_HVTB, "create partition: %s", strerror(-e));
	vm->part = e;
	e = hvtb_map_gpa(vm->part, 0, vm->mem_size, vm->mem,
			 HVTB_MAP_READ | HVTB_MAP_WRITE | HVTB_MAP_EXEC);
	if (e)
		return wk_err(WK_EXIT_HVTB, "map %u MiB of guest memory: %s%s", vm->cfg.mem_mib,
			      strerror(-e), e == -ENOMEM ? " (RLIMIT_MEMLOCK?)" : "");
	e = wk_cpuid_setup(vm);
	if (e)
		return wk_err(WK_EXIT_HVTB, "HVTB_PARTITION_SET_CPUID: %s", strerror(-e));
	e = hvtb_set_msr_intercepts(vm->part, wk_msr_intercepts, wk_nr_msr_intercepts);
	if (e)
		return wk_err(WK_EXIT_HVTB, "HVTB_PARTITION_SET_MSR_INTERCEPTS: %s", strerror(-e));
	if (vm->cfg.enlightenments) {
		e = setup_hyperv(vm);
		if (e)
			return wk_err(WK_EXIT_HVTB, "HVTB_PARTITION_SET_HYPERV: %s", strerror(-e));
	}
	if (vm->cfg.vmbus) {
		e = hvtb_vmbus_enable(vm->part, 0);
		if (e)
			return wk_err(WK_EXIT_HVTB, "HVTB_VMBUS_ENABLE: %s%s", strerror(-e),
				      e == -ENOTTY ? " (hvtb.ko without VMBus? --vmbus no)" : "");
		e = wk_ic_offer(vm);
		if (e)
			return wk_err(WK_EXIT_HVTB, "offering the integration components' channels (HVTB_VMBUS_OFFER_CHANNEL): %s%s",
				      strerror(-e), e == -ENOTTY ? " (hvtb.ko without VMBus channels? --vmbus no)" : "");
		e = wk_stor_offer(vm);
		if (e)
			return wk_err(WK_EXIT_HVTB, "offering the SCSI controller's channel (HVTB_VMBUS_OFFER_CHANNEL): %s",
				      strerror(-e));
		e = wk_net_offer(vm);
		if (e)
			return wk_err(WK_EXIT_HVTB, "offering the network adapter's channel (HVTB_VMBUS_OFFER_CHANNEL): %s",
				      strerror(-e));
	}
	for (i = 0; i < vm->cfg.vps; i++) {
		/* Fast strings on, as firmware leaves it (else Linux drops ERMS). */
		struct hvtb_msr_entry misc = { .index = 0x1a0, .data = 1 };

		vm->vps[i].vm = vm;
		vm->vps[i].index = i;
		e = hvtb_vp_open(vm->part, i, &vm->vps[i].h);
		if (e)
			return wk_err(WK_EXIT_HVTB, "create VP %u: %s", i, strerror(-e));
		e = hvtb_vp_set_msrs(&vm->vps[i].h, &misc, 1);
		if (e != 1)
			fprintf(stderr, "hvtb-worker: VP %u: IA32_MISC_ENABLE: %s (going on)\n",
				i, e < 0 ? strerror(-e) : "refused");
		/*
		 * The APs wait for the guest's INIT/SIPI in the kernel: their
		 * threads' RUN blocks there until the BSP starts them.
		 */
		if (i > 0) {
			e = hvtb_vp_set_mp_state(&vm->vps[i].h, HVTB_MP_STATE_WAIT_SIPI);
			if (e)
				return wk_err(WK_EXIT_HVTB, "VP %u: wait-for-SIPI: %s", i,
					      strerror(-e));
		}
	}
	e = wk_setup_boot_vp(vm, &vm->vps[0]);
	if (e)
		return wk_err(WK_EXIT_HVTB, "VP 0 registers: %s", strerror(-e));
	return 0;
}

/* --- VP threads ---------------------------------------------------------- */

static void on_kick(int sig)
{
	(void)sig;
}

static bool all_halted(struct wk_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->cfg.vps; i++)
		if (!vm->vps[i].halted)
			return false;
	return true;
}

static void report_exit(struct wk_vp *vp, const char *what)
{
	struct hvtb_run *run = vp->h.run;
	struct hvtb_regs r = { 0 };

	hvtb_vp_get_regs(&vp->h, &r);
	fprintf(stderr, "hvtb-worker: VP %u: %s exit at RIP %#llx", vp->index, what,
		(unsigned long long)r.rip);
	if (run->exit_reason == HVTB_EXIT_MMIO)
		fprintf(stderr, " (GPA %#llx access %#x)", (unsigned long long)run->mmio.gpa,
			run->mmio.access);
	else if (run->exit_reason == HVTB_EXIT_INTERNAL)
		fprintf(stderr, " (suberror %u, hw reason %u, qual %#llx)", run->internal.suberror,
			run->internal.hw_exit_reason,
			(unsigned long long)run->internal.qualification);
	else if (run->exit_reason == HVTB_EXIT_FAIL_ENTRY)
		fprintf(stderr, " (hw reason %#x, error %u)", run->fail_entry.hw_exit_reason,
			run->fail_entry.vm_instruction_error);
	fputc('\n', stderr);
}

/* Return: true when the VM is to end. */
static bool vp_exit(struct wk_vp *vp)
{
	struct wk_vm *vm = vp->vm;
	struct hvtb_run *run = vp->h.run;
	bool end;

	switch (run->exit_reason) {
	case HVTB_EXIT_IO:
		return wk_handle_io(vp);
	case HVTB_EXIT_MSR_READ:
	case HVTB_EXIT_MSR_WRITE:
		return wk_handle_msr(vp);
	case HVTB_EXIT_MMIO:
		if (wk_handle_mmio(vp)) {
			report_exit(vp, "MMIO");
			return true;
		}
		return false;
	case HVTB_EXIT_CPUID:
		/* Leaf 1: this VP's initial APIC ID in EBX[31:24]. */
		run->cpuid.ebx = (run->cpuid.ebx & 0xffffff) | (vp->index << 24);
		return false;
	case HVTB_EXIT_HLT:	/* IF=0: only an NMI/INIT would wake a CPU */
		pthread_mutex_lock(&vm->lock);
		vp->halted = true;
		end = all_halted(vm);
		if (end)
			wk_vm_end(vm, WK_EXIT_POWEROFF, "guest halted with interrupts off on every VP");
		pthread_mutex_unlock(&vm->lock);
		return end;
	case HVTB_EXIT_SHUTDOWN:
		vm_end_locked(vm, WK_EXIT_TRIPLE, "guest triple fault (shutdown)");
		return true;
	case HVTB_EXIT_INTR:
	case HVTB_EXIT_NONE:
		return false;
	default:
		report_exit(vp, run->exit_reason <= HVTB_EXIT_MAX ?
			    exit_names[run->exit_reason] : "unknown");
		vm_end_locked(vm, WK_EXIT_STUCK, "an exit the worker cannot handle");
		return true;
	}
}

/*
 * The watchdog (--watchdog SEC), run by the VP's own thread whenever its
 * HVTB_VP_RUN returns (the main thread kicks every VP once a second while
 * it is on). Progress is any VM exit but an external interrupt or a
 * preemption-timer expiry (those come from the host, not the guest): a
 * live Linux guest reprograms its timer, halts or touches a device at
 * least every tick, while a VP spinning with interrupts off exits for
 * nothing else. Only time spent in the guest counts (a VP halted in the
 * kernel or waiting for a CPU is not stuck), so the window ends when the
 * VP has had SEC seconds of guest time without progress.
 */
static bool watchdog_check(struct wk_vp *vp)
{
	struct wk_vm *vm = vp->vm;
	struct hvtb_vp_stats s;
	uint64_t progress;

	if (!vm->cfg.watchdog_ms || hvtb_vp_get_stats(&vp->h, &s))
		return false;
	progress = s.exits - s.by_reason[1] - s.by_reason[52];
	if (progress != vp->wd_progress || !vp->wd_guest_ns) {
		vp->wd_progress = progress;
		vp->wd_guest_ns = s.guest_ns ? s.guest_ns : 1;
		return false;
	}
	if (s.guest_ns - vp->wd_guest_ns < vm->cfg.watchdog_ms * 1000000ULL)
		return false;
	snprintf(vp->wd_why, sizeof(vp->wd_why),
		 "VP %u made no progress: %u.%03u s in the guest without an exit but external interrupts and preemption timers",
		 vp->index, vm->cfg.watchdog_ms / 1000, vm->cfg.watchdog_ms % 1000);
	fprintf(stderr, "hvtb-worker: %s\n", vp->wd_why);
	vm_end_locked(vm, WK_EXIT_HUNG, vp->wd_why);
	return true;
}

static void *vp_thread(void *arg)
{
	struct wk_vp *vp = arg;
	struct wk_vm *vm = vp->vm;
	sigset_t set;
	int e;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	while (!wk_vm_ended(vm)) {
		if (vp->halted)
			break;
		if (!vm->t_entry)
			vm->t_entry = wk_now_ns();
		e = hvtb_vp_run(&vp->h);
		if (watchdog_check(vp))
			break;
		if (e == -EINTR || e == -EAGAIN)
			continue;
		if (e) {
			fprintf(stderr, "hvtb-worker: VP %u: HVTB_VP_RUN: %s\n", vp->index, strerror(-e));
			vm_end_locked(vm, WK_EXIT_HVTB, "HVTB_VP_RUN failed");
			break;
		}
		if (vp_exit(vp))
			break;
	}
	return NULL;
}

/* --- summary ------------------------------------------------------------- */

static const char *vmx_reason_name(unsigned int r)
{
	static const char *const n[] = {
		[0] = "EXCEPTION_NMI", [1] = "EXTERNAL_INTERRUPT", [2] = "TRIPLE_FAULT",
		[7] = "INTERRUPT_WINDOW", [8] = "NMI_WINDOW", [10] = "CPUID", [12] = "HLT",
		[13] = "INVD", [14] = "INVLPG", [15] = "RDPMC", [18] = "VMCALL",
		[28] = "CR_ACCESS", [29] = "DR_ACCESS", [30] = "IO_INSTRUCTION",
		[31] = "MSR_READ", [32] = "MSR_WRITE", [40] = "PAUSE", [44] = "APIC_ACCESS",
		[45] = "EOI_INDUCED", [48] = "EPT_VIOLATION", [49] = "EPT_MISCONFIG",
		[52] = "PREEMPTION_TIMER", [54] = "WBINVD", [55] = "XSETBV", [56] = "APIC_WRITE",
	};

	return r < sizeof(n) / sizeof(n[0]) && n[r] ? n[r] : "other";
}

static double secs(uint64_t from, uint64_t to)
{
	return from && to >= from ? (to - from) / 1e9 : -1;
}

void wk_print_vmbus_stats(struct wk_vm *vm, FILE *out)
{
	struct hvtb_vmbus_stats s;
	int e;

	if (!vm->cfg.vmbus) {
		fprintf(out, "hvtb-worker: VMBus: off\n");
		return;
	}
	memset(&s, 0, sizeof(s));
	e = hvtb_vmbus_get_stats(vm->part, &s);
	if (e) {
		fprintf(out, "hvtb-worker: VMBus: HVTB_VMBUS_GET_STATS: %s\n", strerror(-e));
		return;
	}
	fprintf(out, "hvtb-worker: VMBus: state %s, version %u.%u, %llu messages (%llu initiate contact, %llu refused, %llu request offers, %llu unload), drops: %llu short, %llu unknown, %llu state, %llu connection, %llu posts failed; channels: %llu offers, %llu rescinds, %llu live\n",
		s.state == HVTB_VMBUS_STATE_CONNECTED ? "connected" :
		s.state == HVTB_VMBUS_STATE_DISCONNECTED ? "disconnected" : "unknown",
		s.version >> 16, s.version & 0xffff,
		(unsigned long long)s.messages, (unsigned long long)s.initiate_contact,
		(unsigned long long)s.version_refused, (unsigned long long)s.request_offers,
		(unsigned long long)s.unload, (unsigned long long)s.dropped_short,
		(unsigned long long)s.dropped_unknown, (unsigned long long)s.dropped_state,
		(unsigned long long)s.dropped_connection, (unsigned long long)s.post_failed,
		(unsigned long long)s.offers, (unsigned long long)s.rescinds,
		(unsigned long long)s.channels);
}

static void print_stats(struct wk_vm *vm)
{
	unsigned int i, r;

	fprintf(stderr, "hvtb-worker: phases (wall s): start->loaded %.3f, ->first entry %.3f, ->first console byte %.3f, ->guest init %.3f, ->end %.3f\n",
		secs(vm->t_start, vm->t_loaded), secs(vm->t_start, vm->t_entry),
		secs(vm->t_start, vm->t_console), secs(vm->t_start, vm->t_init),
		secs(vm->t_start, vm->t_end));
	for (i = 0; i < vm->cfg.vps; i++) {
		struct hvtb_vp_stats s;

		memset(&s, 0, sizeof(s));
		if (hvtb_vp_get_stats(&vm->vps[i].h, &s))
			continue;
		fprintf(stderr, "hvtb-worker: VP %u: %llu exits, %llu to user space, %llu runs, %.3f s in the guest\n",
			i, (unsigned long long)s.exits, (unsigned long long)s.user_exits,
			(unsigned long long)s.runs, s.guest_ns / 1e9);
		for (r = 0; r < HVTB_STAT_EXIT_REASONS; r++)
			if (s.by_reason[r])
				fprintf(stderr, "hvtb-worker: VP %u:   exit %-20s %10llu  %5.1f%%\n", i,
					vmx_reason_name(r), (unsigned long long)s.by_reason[r],
					100.0 * s.by_reason[r] / (s.exits ?: 1));
		for (r = 0; r <= HVTB_EXIT_MAX && r < 16; r++)
			if (s.by_intercept[r])
				fprintf(stderr, "hvtb-worker: VP %u:   user %-20s %10llu\n", i,
					exit_names[r], (unsigned long long)s.by_intercept[r]);
	}
	fprintf(stderr, "hvtb-worker: UART: %llu interrupts; I/O APIC: %llu delivered, %llu dropped, pin 4 %s\n",
		(unsigned long long)vm->uart.interrupts,
		(unsigned long long)vm->ioapic.delivered,
		(unsigned long long)vm->ioapic.dropped,
		vm->ioapic.rte[WK_UART_GSI] & (1ULL << 16) ? "masked" : "unmasked");
	wk_print_vmbus_stats(vm, stderr);
	wk_ic_print_stats(vm, stderr);
	wk_stor_print_stats(vm, stderr);
	wk_net_print_stats(vm, stderr);
}

/* --- main ---------------------------------------------------------------- */

static int open_console(struct wk_vm *vm)
{
	const char *c = vm->cfg.console;

	if (!c || !strcmp(c, "stdio")) {
		vm->console = stdout;
	} else if (!strcmp(c, "none")) {
		vm->console = NULL;
	} else {
		vm->console = fopen(c, "w");
		if (!vm->console)
			return wk_err(WK_EXIT_NOINPUT, "console %s: %s", c, strerror(errno));
	}
	return 0;
}

static int run_vm(struct wk_vm *vm)
{
	struct sigaction sa = { .sa_handler = on_kick };
	pthread_t in_thread;
	sigset_t set;
	uint64_t deadline = vm->cfg.timeout_ms ? wk_now_ns() + vm->cfg.timeout_ms * 1000000ULL : 0;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	/* The watchdog's kicks: twice a window, at most 1 s apart. */
	uint64_t kick_ns = vm->cfg.watchdog_ms && vm->cfg.watchdog_ms < 2000 ?
			   vm->cfg.watchdog_ms * 500000ULL : 1000000000ULL;
	uint64_t next_kick = wk_now_ns() + kick_ns;
	uint64_t shutdown_by = 0;	/* SIGTERM: the guest's shutdown deadline */
	unsigned int i;
	int sig;

	sigaction(SIGUSR1, &sa, NULL);
	/*
	 * A control client that hangs up before its answer, a console pipe
	 * whose reader went away: EPIPE on that write, never the end of the VM.
	 */
	signal(SIGPIPE, SIG_IGN);
	/* --ic-daemon children are reaped by waitpid(): not auto-reaped even if inherited so. */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* inherited by the threads */
	sigdelset(&set, SIGUSR1);

	pthread_create(&in_thread, NULL, wk_stdin_thread, vm);
	pthread_detach(in_thread);
	for (i = 0; i < vm->cfg.vps; i++)
		pthread_create(&vm->vps[i].thread, NULL, vp_thread, &vm->vps[i]);
	if (wk_ic_start(vm))
		fprintf(stderr, "hvtb-worker: no thread for an integration component: it goes unserved\n");
	if (wk_stor_start(vm))
		fprintf(stderr, "hvtb-worker: no thread for the SCSI controller: its disks go unserved\n");
	if (wk_net_start(vm))
		fprintf(stderr, "hvtb-worker: no thread for the network adapter: it goes unserved\n");
	wk_control_start(vm);	/* says so itself when it fails */

	while (!wk_vm_ended(vm)) {
		sig = sigtimedwait(&set, NULL, &tick);
		wk_ic_supervise(vm);	/* --ic-daemon processes that ended */
		if (sig == SIGTERM && !shutdown_by && vm->cfg.shutdown_grace &&
		    !wk_ic_request_shutdown(vm)) {
			/* The guest shuts itself down; it powers off (80) or is stopped. */
			fprintf(stderr, "hvtb-worker: %s: asking the guest to shut down (shutdown IC), %u s\n",
				strsignal(sig), vm->cfg.shutdown_grace);
			shutdown_by = wk_now_ns() + vm->cfg.shutdown_grace * 1000000000ULL;
		} else if (sig > 0) {
			fprintf(stderr, "hvtb-worker: %s: stopping the guest\n", strsignal(sig));
			vm_end_locked(vm, 128 + sig, "stopped by a signal");
		} else if (shutdown_by && wk_now_ns() >= shutdown_by) {
			fprintf(stderr, "hvtb-worker: the guest did not shut down within %u s: stopped\n",
				vm->cfg.shutdown_grace);
			vm_end_locked(vm, 128 + SIGTERM, "stopped by a signal (shutdown grace expired)");
		} else if (shutdown_by && wk_ic_shutdown_state(vm) == WK_IC_SD_REFUSED) {
			fprintf(stderr, "hvtb-worker: the guest refused to shut down: stopped\n");
			vm_end_locked(vm, 128 + SIGTERM, "stopped by a signal (shutdown refused)");
		} else if (deadline && wk_now_ns() >= deadline) {
			fprintf(stderr, "hvtb-worker: guest still running after %u.%03u s: stopped\n",
				vm->cfg.timeout_ms / 1000, vm->cfg.timeout_ms % 1000);
			vm_end_locked(vm, WK_EXIT_TIMEOUT, "--timeout expired");
		} else if (vm->cfg.watchdog_ms && wk_now_ns() >= next_kick) {
			/* Out of the guest twice a window (at most 1 s apart): watchdog_check(). */
			for (i = 0; i < vm->cfg.vps; i++)
				pthread_kill(vm->vps[i].thread, SIGUSR1);
			next_kick = wk_now_ns() + kick_ns;
		}
	}
	/* Kick every VP out of HVTB_VP_RUN until its thread is gone. */
	for (i = 0; i < vm->cfg.vps; i++) {
		while (pthread_tryjoin_np(vm->vps[i].thread, NULL) == EBUSY) {
			pthread_kill(vm->vps[i].thread, SIGUSR1);
			nanosleep(&tick, NULL);
		}
	}
	wk_ic_stop(vm);
	wk_stor_stop(vm);
	wk_net_stop(vm);
	wk_control_stop(vm);
	return vm->exit_code;
}

int main(int argc, char **argv)
{
	static struct wk_vm vm;
	unsigned int i;
	int e;

	vm.t_start = wk_now_ns();
	vm.cfg = (struct wk_config){
		.cmdline = DEFAULT_CMDLINE, .mem_mib = 256, .vps = 1,
		.enlightenments = true, .shutdown_grace = 30,
	};
	vm.dev = vm.part = -1;
	vm.exit_code = -1;
	pthread_mutex_init(&vm.lock, NULL);

	e = parse_args(argc, argv, &vm.cfg);
	if (e)
		return e;
	vm.mem_size = (uint64_t)vm.cfg.mem_mib << 20;
	vm.mem = mmap(NULL, vm.mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm.mem == MAP_FAILED)
		return wk_err(WK_EXIT_USAGE, "--mem %u: %s", vm.cfg.mem_mib, strerror(errno));
	e = wk_load_kernel(&vm);
	if (!e)
		e = wk_stor_open(&vm);
	if (!e)
		e = wk_net_open(&vm);
	if (!e)
		e = wk_acpi_build(&vm);
	if (!e)
		wk_reset_vector_build(&vm);
	if (!e)
		e = open_console(&vm);
	if (e)
		return e;
	wk_devices_init(&vm);
	vm.t_loaded = wk_now_ns();
	e = create_partition(&vm);
	if (e)
		return e;	/* the kernel frees the partition with the fds */

	e = run_vm(&vm);
	if (vm.console)
		fflush(vm.console);
	if (!vm.cfg.quiet)
		fprintf(stderr, "hvtb-worker: %s: exit status %d\n", vm.exit_why, e);
	if (e == WK_EXIT_PANIC)
		fprintf(stderr, "hvtb-worker: crash P0-P4: %#llx %#llx %#llx %#llx %#llx\n",
			(unsigned long long)vm.crash[0], (unsigned long long)vm.crash[1],
			(unsigned long long)vm.crash[2], (unsigned long long)vm.crash[3],
			(unsigned long long)vm.crash[4]);
	if (vm.cfg.stats)
		print_stats(&vm);
	wk_ic_free(&vm);
	wk_stor_free(&vm);
	wk_net_free(&vm);
	for (i = 0; i < vm.cfg.vps; i++)
		hvtb_vp_close(&vm.vps[i].h);
	close(vm.part);
	close(vm.dev);
	return e;
}
