/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzers' input reader: little-endian values taken from the front of
 * libFuzzer's data (0 once it runs out), and check(), which aborts so the
 * fuzzer reports a broken invariant.
 */
#ifndef HVTB_FUZZ_INPUT_H
#define HVTB_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct input {
	const uint8_t *p;
	size_t left;
};

static inline uint32_t take(struct input *in, unsigned int bytes)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && in->left; i++, in->left--, in->p++)
		v |= (uint32_t)*in->p << (8 * i);
	return v;
}

static inline void check(bool ok)
{
	if (!ok)
		abort();
}

#endif /* HVTB_FUZZ_INPUT_H */
