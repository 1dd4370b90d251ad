/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvtb - a thin, typed wrapper of the /dev/hvtb ioctl ABI
 * (uapi/linux/hvtb.h) for hvtbctl, daemons and the selftests.
 *
 * Every call returns a non-negative value on success and -errno on failure;
 * errno itself is left as the failing system call set it.
 */
#ifndef LIBHVTB_H
#define LIBHVTB_H

#include <stddef.h>
#include <linux/hvtb.h>

/* The device node the module creates. */
#define HVTB_DEV_PATH	"/dev/hvtb"

/**
 * hvtb_open() - open /dev/hvtb.
 * @flags: open(2) flags (O_RDWR, O_RDONLY, ...); O_CLOEXEC is always added.
 *
 * Return: a file descriptor, or -errno (-ENOENT: module not loaded,
 * -EACCES: not root and not in the module's group).
 */
int hvtb_open(int flags);

/**
 * hvtb_open_path() - like hvtb_open() for another device node path.
 * @path: path of the device node.
 * @flags: open(2) flags; O_CLOEXEC is always added.
 *
 * Return: a file descriptor, or -errno.
 */
int hvtb_open_path(const char *path, int flags);

/**
 * hvtb_get_api_version() - HVTB_GET_API_VERSION.
 * @fd: an open /dev/hvtb.
 *
 * Return: the module's API version (>= 0), or -errno.
 */
int hvtb_get_api_version(int fd);

/**
 * hvtb_check_extension() - HVTB_CHECK_EXTENSION.
 * @fd: an open /dev/hvtb.
 * @ext: an extension number (HVTB_EXT_*).
 *
 * Return: 1 when the module supports @ext, 0 when not, or -errno.
 */
int hvtb_check_extension(int fd, __u32 ext);

/**
 * hvtb_get_capabilities() - HVTB_GET_CAPABILITIES.
 * @fd: an open /dev/hvtb.
 * @caps: filled on success; zeroed before the call, as the ABI requires.
 *
 * Return: 0, or -errno.
 */
int hvtb_get_capabilities(int fd, struct hvtb_capabilities *caps);

/**
 * hvtb_feature_name() - the name of a HVTB_FEAT_* bit.
 * @bit: bit number, 0..63.
 *
 * Return: a lower-case name ("ept", "unrestricted_guest", ...), or NULL
 * for a bit this library does not know.
 */
const char *hvtb_feature_name(unsigned int bit);

/**
 * hvtb_cpulist_format() - format a CPU bit mask as a list ("0-3,6").
 * @mask: bit n of mask[n / 64] stands for CPU n.
 * @words: number of words in @mask.
 * @buf: output buffer, always NUL-terminated when @len > 0.
 * @len: size of @buf.
 *
 * An empty mask formats as "".
 *
 * Return: the length of the list, or -ENOSPC when @buf is too small.
 */
int hvtb_cpulist_format(const __u64 *mask, unsigned int words,
			char *buf, size_t len);

/**
 * hvtb_cpulist_parse() - parse a CPU list ("0-3,6\n") into a bit mask.
 * @list: the list, as in /sys/devices/system/cpu/online; a trailing
 *        newline is accepted.
 * @mask: output mask, cleared first.
 * @words: number of words in @mask.
 *
 * Return: the number of CPUs in the list, -EINVAL on a malformed list,
 * -ERANGE when a CPU number does not fit in @mask.
 */
int hvtb_cpulist_parse(const char *list, __u64 *mask, unsigned int words);

/**
 * hvtb_popcount_mask() - number of bits set in a mask.
 * @mask: the mask.
 * @words: number of words in @mask.
 *
 * Return: the number of set bits.
 */
unsigned int hvtb_popcount_mask(const __u64 *mask, unsigned int words);

#endif /* LIBHVTB_H */
