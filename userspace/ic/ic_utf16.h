/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvtb IC strings - UTF-8 <-> UTF-16LE, as KVP keys and values travel
 * (Windows' wide strings, NUL-terminated, sizes in bytes).
 */
#ifndef HVTB_IC_UTF16_H
#define HVTB_IC_UTF16_H

#include <stdint.h>

/**
 * hvtb_ic_utf8_to_utf16() - encode a NUL-terminated UTF-8 string.
 * @s: the string.
 * @out: where the UTF-16LE bytes go, NUL terminator included.
 * @outlen: room in @out, in bytes.
 *
 * Return: bytes written, terminator included (2 for ""); -EILSEQ (not
 * UTF-8: overlong forms, surrogates, > U+10FFFF); -E2BIG (no room).
 */
int hvtb_ic_utf8_to_utf16(const char *s, uint8_t *out, uint32_t outlen);

/**
 * hvtb_ic_utf16_to_utf8() - decode UTF-16LE bytes, stopping at a NUL unit.
 * @in: the bytes (any alignment).
 * @inlen: their count (an odd last byte is ignored).
 * @out: where the NUL-terminated UTF-8 goes.
 * @outlen: room in @out, at least 1.
 *
 * Return: UTF-8 bytes written, terminator not counted; -EILSEQ (an
 * unpaired surrogate); -E2BIG (no room); -EINVAL.
 */
int hvtb_ic_utf16_to_utf8(const uint8_t *in, uint32_t inlen, char *out, uint32_t outlen);

#endif /* HVTB_IC_UTF16_H */
