// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the kernel log through /dev/kmsg: one read() returns one record,
 * "prio,seq,usec,flags;text\n" followed by " KEY=value\n" lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hvtb_test.h"

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Copy the text of record @rec (@n bytes) into @buf if it has @prefix. */
static int kmsg_match(const char *rec, size_t n, const char *prefix,
		      char *buf, size_t len)
{
	const char *text = memchr(rec, ';', n);
	const char *end;
	size_t tlen;

	if (!text)
		return 0;
	text++;
	end = memchr(text, '\n', n - (size_t)(text - rec));
	tlen = end ? (size_t)(end - text) : n - (size_t)(text - rec);
	if (tlen < strlen(prefix) || strncmp(text, prefix, strlen(prefix)))
		return 0;
	if (len) {
		if (tlen >= len)
			tlen = len - 1;
		memcpy(buf, text, tlen);
		buf[tlen] = '\0';
	}
	return 1;
}

int kmsg_last(int fd, const char *prefix, char *buf, size_t len)
{
	char rec[8192];
	int found = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: skip ahead */
			continue;
		if (n < 0 && errno == EAGAIN)
			return found;
		if (n < 0)
			return -errno;
		if (n == 0)
			return found;
		if (kmsg_match(rec, (size_t)n, prefix, buf, len))
			found = 1;
	}
}
