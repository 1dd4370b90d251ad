// SPDX-License-Identifier: GPL-2.0
/*
 * A small strict JSON (RFC 8259) checker, enough to prove that
 * `hvtbctl info --json` prints valid JSON and to pick values out of it.
 */
#include <errno.h>
#include <string.h>

#include "hvtb_test.h"

#define JSON_MAX_DEPTH	32

struct json {
	const char *s;
	size_t pos;
	int depth;
};

static int json_value(struct json *j);

static void json_ws(struct json *j)
{
	while (j->s[j->pos] && strchr(" \t\r\n", j->s[j->pos]))
		j->pos++;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int json_string(struct json *j)
{
	unsigned char c;
	int i;

	if (j->s[j->pos] != '"')
		return -EINVAL;
	j->pos++;
	for (;;) {
		c = (unsigned char)j->s[j->pos];
		if (c == '"') {
			j->pos++;
			return 0;
		}
		if (c < 0x20)		/* also the terminating NUL */
			return -EINVAL;
		j->pos++;
		if (c != '\\')
			continue;
		c = (unsigned char)j->s[j->pos++];
		if (c == 'u') {
			for (i = 0; i < 4; i++)
				if (!is_hex(j->s[j->pos++]))
					return -EINVAL;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return -EINVAL;
		}
	}
}

static int json_digits(struct json *j)
{
	if (!is_digit(j->s[j->pos]))
		return -EINVAL;
	while (is_digit(j->s[j->pos]))
		j->pos++;
	return 0;
}

static int json_number(struct json *j)
{
	if (j->s[j->pos] == '-')
		j->pos++;
	if (j->s[j->pos] == '0')
		j->pos++;
	else if (json_digits(j))
		return -EINVAL;
	if (j->s[j->pos] == '.') {
		j->pos++;
		if (json_digits(j))
			return -EINVAL;
	}
	if (j->s[j->pos] == 'e' || j->s[j->pos] == 'E') {
		j->pos++;
		if (j->s[j->pos] == '+' || j->s[j->pos] == '-')
			j->pos++;
		if (json_digits(j))
			return -EINVAL;
	}
	return 0;
}

/* Elements of an array or members of an object, up to @close. */
static int json_list(struct json *j, char close, int members)
{
	j->pos++;
	if (++j->depth > JSON_MAX_DEPTH)
		return -EINVAL;
	json_ws(j);
	if (j->s[j->pos] == close)
		goto done;
	for (;;) {
		json_ws(j);
		if (members) {
			if (json_string(j))
				return -EINVAL;
			json_ws(j);
			if (j->s[j->pos++] != ':')
				return -EINVAL;
		}
		if (json_value(j))
			return -EINVAL;
		json_ws(j);
		if (j->s[j->pos] == close)
			break;
		if (j->s[j->pos++] != ',')
			return -EINVAL;
	}
done:
	j->pos++;
	j->depth--;
	return 0;
}

static int json_literal(struct json *j, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(j->s + j->pos, lit, n))
		return -EINVAL;
	j->pos += n;
	return 0;
}

static int json_value(struct json *j)
{
	json_ws(j);
	switch (j->s[j->pos]) {
	case '{':
		return json_list(j, '}', 1);
	case '[':
		return json_list(j, ']', 0);
	case '"':
		return json_string(j);
	case 't':
		return json_literal(j, "true");
	case 'f':
		return json_literal(j, "false");
	case 'n':
		return json_literal(j, "null");
	default:
		return json_number(j);
	}
}

int json_validate(const char *text, size_t *where)
{
	struct json j = { .s = text };
	int ret;

	ret = json_value(&j);
	if (!ret) {
		json_ws(&j);
		if (j.s[j.pos])
			ret = -EINVAL;
	}
	if (where)
		*where = j.pos;
	return ret;
}

/* Copy text[from, to) into @buf. */
static int json_copy(const char *text, size_t from, size_t to,
		     char *buf, size_t len)
{
	if (to - from >= len)
		return -ENOSPC;
	memcpy(buf, text + from, to - from);
	buf[to - from] = '\0';
	return 0;
}

int json_get(const char *text, const char *key, char *buf, size_t len)
{
	struct json j = { .s = text };
	size_t kstart, kend, vstart;
	int ret;

	if (json_validate(text, NULL))
		return -EINVAL;
	json_ws(&j);
	if (text[j.pos] != '{')
		return -EINVAL;
	j.pos++;
	j.depth = 1;
	for (;;) {
		json_ws(&j);
		if (text[j.pos] != '"')
			return -ENOENT;		/* '}' of an empty object */
		kstart = j.pos + 1;
		json_string(&j);
		kend = j.pos - 1;
		json_ws(&j);
		j.pos++;			/* ':' */
		json_ws(&j);
		vstart = j.pos;
		json_value(&j);
		if (kend - kstart == strlen(key) &&
		    !strncmp(text + kstart, key, strlen(key))) {
			if (text[vstart] == '"')
				ret = json_copy(text, vstart + 1, j.pos - 1, buf, len);
			else
				ret = json_copy(text, vstart, j.pos, buf, len);
			return ret;
		}
		json_ws(&j);
		if (text[j.pos++] != ',')
			return -ENOENT;
	}
}
