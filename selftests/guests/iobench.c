// SPDX-License-Identifier: GPL-2.0
/*
 * iobench - run inside the worker's Linux guest by worker_bench: 4 KiB
 * random reads (O_DIRECT, queue depth 1, a fixed LCG over the whole
 * device) and prints "bench: rand4k_iops=N" from the guest's own clock.
 *   iobench DEVICE COUNT
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	uint64_t size, blocks, x = 12345;
	long n, i;
	void *buf;
	double s;
	int fd;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: iobench DEVICE COUNT\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) || size < 4096) {
		perror(argv[1]);
		return 1;
	}
	if (posix_memalign(&buf, 4096, 4096))
		return 1;
	blocks = size / 4096;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		if (pread(fd, buf, 4096, (off_t)((x >> 33) % blocks) * 4096) != 4096) {
			perror("pread");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("bench: rand4k_iops=%.0f (%ld reads in %.3f s)\n", n / s, n, s);
	return 0;
}
