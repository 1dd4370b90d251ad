// SPDX-License-Identifier: GPL-2.0
/*
 * libhvtb - a thin, typed wrapper of the /dev/hvtb ioctl ABI.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libhvtb.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

int hvtb_open_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int hvtb_open(int flags)
{
	return hvtb_open_path(HVTB_DEV_PATH, flags);
}

int hvtb_get_api_version(int fd)
{
	int ret = ioctl(fd, HVTB_GET_API_VERSION, 0UL);

	return ret < 0 ? -errno : ret;
}

int hvtb_check_extension(int fd, __u32 ext)
{
	int ret = ioctl(fd, HVTB_CHECK_EXTENSION, (unsigned long)ext);

	return ret < 0 ? -errno : ret;
}

int hvtb_get_capabilities(int fd, struct hvtb_capabilities *caps)
{
	memset(caps, 0, sizeof(*caps));
	if (ioctl(fd, HVTB_GET_CAPABILITIES, caps) < 0)
		return -errno;
	return 0;
}

/* Indexed by bit number; the names are the HVTB_FEAT_* suffixes. */
static const char *const feature_names[] = {
	[0] = "true_ctls",
	[1] = "ept",
	[2] = "ept_4level",
	[3] = "ept_wb",
	[4] = "ept_2m",
	[5] = "ept_1g",
	[6] = "ept_ad",
	[7] = "invept",
	[8] = "vpid",
	[9] = "invvpid",
	[10] = "unrestricted_guest",
	[11] = "preemption_timer",
	[12] = "pml",
	[13] = "shadow_vmcs",
	[14] = "tsc_scaling",
	[15] = "virtual_nmi",
	[16] = "tpr_shadow",
	[17] = "virt_apic_access",
	[18] = "x2apic_mode",
	[19] = "apic_reg_virt",
	[20] = "virt_intr_delivery",
	[21] = "posted_intr",
	[22] = "pause_loop_exiting",
	[23] = "vmfunc",
	[24] = "ept_ve",
	[25] = "xsaves",
	[26] = "msr_bitmaps",
	[27] = "io_bitmaps",
};

_Static_assert(ARRAY_SIZE(feature_names) == 64 - __builtin_clzll(HVTB_FEAT_KNOWN_MASK),
	       "every HVTB_FEAT_* bit needs a name");

const char *hvtb_feature_name(unsigned int bit)
{
	if (bit >= ARRAY_SIZE(feature_names))
		return NULL;
	return feature_names[bit];
}

static int mask_test(const __u64 *mask, unsigned int words, unsigned int n)
{
	return n / 64 < words && (mask[n / 64] >> (n % 64)) & 1;
}

/* Append with snprintf semantics; returns -ENOSPC once @buf is full. */
static int list_append(char *buf, size_t len, size_t *pos, const char *fmt,
		       unsigned int a, unsigned int b)
{
	int n = snprintf(buf + *pos, len - *pos, fmt, a, b);

	if (n < 0 || (size_t)n >= len - *pos)
		return -ENOSPC;
	*pos += n;
	return 0;
}

int hvtb_cpulist_format(const __u64 *mask, unsigned int words,
			char *buf, size_t len)
{
	unsigned int n = 0, first, last, nbits = words * 64;
	size_t pos = 0;
	int ret;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	while (n < nbits) {
		if (!mask_test(mask, words, n)) {
			n++;
			continue;
		}
		first = n;
		while (n + 1 < nbits && mask_test(mask, words, n + 1))
			n++;
		last = n++;
		if (first == last)
			ret = list_append(buf, len, &pos, pos ? ",%u" : "%u",
					  first, 0);
		else
			ret = list_append(buf, len, &pos,
					  pos ? ",%u-%u" : "%u-%u", first, last);
		if (ret)
			return ret;
	}
	return (int)pos;
}

/* Parse a decimal CPU number at *s; advances *s. */
static int list_number(const char **s, unsigned int *out)
{
	unsigned long v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p++ - '0');
		if (v > 0xffffffffUL)
			return -ERANGE;
	}
	*s = p;
	*out = (unsigned int)v;
	return 0;
}

int hvtb_cpulist_parse(const char *list, __u64 *mask, unsigned int words)
{
	const char *s = list;
	unsigned int first, last, n;
	int ret;

	memset(mask, 0, words * sizeof(*mask));
	if (*s == '\n' || *s == '\0')
		return (*s == '\0' || s[1] == '\0') ? 0 : -EINVAL;
	for (;;) {
		ret = list_number(&s, &first);
		if (ret)
			return ret;
		last = first;
		if (*s == '-') {
			s++;
			ret = list_number(&s, &last);
			if (ret)
				return ret;
			if (last < first)
				return -EINVAL;
		}
		if (last / 64 >= words)
			return -ERANGE;
		for (n = first; n <= last; n++)
			mask[n / 64] |= 1ULL << (n % 64);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\n')
			s++;
		if (*s != '\0')
			return -EINVAL;
		break;
	}
	return (int)hvtb_popcount_mask(mask, words);
}

unsigned int hvtb_popcount_mask(const __u64 *mask, unsigned int words)
{
	unsigned int i, n = 0;

	for (i = 0; i < words; i++)
		n += (unsigned int)__builtin_popcountll(mask[i]);
	return n;
}
