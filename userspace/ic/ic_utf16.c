// SPDX-License-Identifier: GPL-2.0
/*
 * hvtb IC strings (ic_utf16.h). Strict both ways: what is not valid
 * UTF-8 / UTF-16 is refused, never passed through.
 */
#include <errno.h>
#include <stddef.h>

#include "ic_utf16.h"

/* One code point from @s; its byte count in *len; -EILSEQ if invalid. */
static int32_t utf8_decode(const uint8_t *s, uint32_t *len)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t cp, n, i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return -EILSEQ;
	}
	/* A NUL inside a sequence fails this test, so the scan stops there. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -EILSEQ;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -EILSEQ;
	*len = n;
	return (int32_t)cp;
}

static void put_unit(uint8_t *p, uint32_t u)
{
	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
}

int hvtb_ic_utf8_to_utf16(const char *s, uint8_t *out, uint32_t outlen)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t pos = 0, n;
	int32_t cp;

	if (!s || !out)
		return -EINVAL;
	while (*p) {
		cp = utf8_decode(p, &n);
		if (cp < 0)
			return cp;
		p += n;
		if (cp >= 0x10000) {
			if (outlen < 4 || pos > outlen - 4)
				return -E2BIG;
			cp -= 0x10000;
			put_unit(out + pos, 0xd800 | ((uint32_t)cp >> 10));
			put_unit(out + pos + 2, 0xdc00 | ((uint32_t)cp & 0x3ff));
			pos += 4;
		} else {
			if (outlen < 2 || pos > outlen - 2)
				return -E2BIG;
			put_unit(out + pos, (uint32_t)cp);
			pos += 2;
		}
	}
	if (outlen < 2 || pos > outlen - 2)
		return -E2BIG;
	put_unit(out + pos, 0);
	return (int)(pos + 2);
}

/* Append @cp to @out as UTF-8; -E2BIG if it and a terminator do not fit. */
static int utf8_put(char *out, uint32_t outlen, uint32_t *pos, uint32_t cp)
{
	uint8_t b[4];
	uint32_t n, i;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (outlen - *pos <= n)
		return -E2BIG;
	for (i = 0; i < n; i++)
		out[(*pos)++] = (char)b[i];
	return 0;
}

int hvtb_ic_utf16_to_utf8(const uint8_t *in, uint32_t inlen, char *out, uint32_t outlen)
{
	uint32_t units = inlen / 2, i, pos = 0, u, lo;
	int ret;

	if (!in || !out || !outlen)
		return -EINVAL;
	for (i = 0; i < units; i++) {
		u = in[2 * i] | (uint32_t)in[2 * i + 1] << 8;
		if (!u)
			break;
		if (u >= 0xdc00 && u <= 0xdfff)
			goto bad;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 1 >= units)
				goto bad;
			lo = in[2 * i + 2] | (uint32_t)in[2 * i + 3] << 8;
			if (lo < 0xdc00 || lo > 0xdfff)
				goto bad;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		}
		ret = utf8_put(out, outlen, &pos, u);
		if (ret) {
			out[pos] = '\0';
			return ret;
		}
	}
	out[pos] = '\0';
	return (int)pos;

bad:
	out[pos] = '\0';
	return -EILSEQ;
}
