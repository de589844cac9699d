// SPDX-License-Identifier: GPL-2.0
/* json.c - see json.h. */
#include <string.h>

#include "json.h"

struct js {
	const char *p;
	size_t len, i;
	int depth;
};

static int peek(const struct js *s)
{
	return s->i < s->len ? (unsigned char)s->p[s->i] : -1;
}

static void ws(struct js *s)
{
	while (peek(s) == ' ' || peek(s) == '\t' || peek(s) == '\n' || peek(s) == '\r')
		s->i++;
}

static bool lit(struct js *s, const char *w)
{
	size_t n = strlen(w);

	if (s->len - s->i < n || memcmp(s->p + s->i, w, n))
		return false;
	s->i += n;
	return true;
}

static bool digits(struct js *s)
{
	size_t i0 = s->i;

	while (peek(s) >= '0' && peek(s) <= '9')
		s->i++;
	return s->i > i0;
}

static bool number(struct js *s)
{
	if (peek(s) == '-')
		s->i++;
	if (peek(s) == '0')
		s->i++;
	else if (!digits(s))
		return false;
	if (peek(s) == '.') {
		s->i++;
		if (!digits(s))
			return false;
	}
	if (peek(s) == 'e' || peek(s) == 'E') {
		s->i++;
		if (peek(s) == '+' || peek(s) == '-')
			s->i++;
		if (!digits(s))
			return false;
	}
	return true;
}

static bool string(struct js *s)
{
	int c, k;

	s->i++;		/* the opening quote */
	while ((c = peek(s)) != '"') {
		if (c < 0x20)	/* end of input or a raw control character */
			return false;
		s->i++;
		if (c != '\\')
			continue;
		c = peek(s);
		s->i++;
		if (c == 'u') {
			for (k = 0; k < 4; k++, s->i++)
				if (!strchr("0123456789abcdefABCDEF", peek(s)) || peek(s) <= 0)
					return false;
		} else if (c <= 0 || !strchr("\"\\/bfnrt", c)) {
			return false;
		}
	}
	s->i++;
	return true;
}

static bool value(struct js *s);

static bool members(struct js *s, int close, bool keyed)
{
	s->i++;
	ws(s);
	if (peek(s) == close) {
		s->i++;
		return true;
	}
	for (;;) {
		ws(s);
		if (keyed) {
			if (peek(s) != '"' || !string(s))
				return false;
			ws(s);
			if (peek(s) != ':')
				return false;
			s->i++;
		}
		if (!value(s))
			return false;
		ws(s);
		if (peek(s) == close) {
			s->i++;
			return true;
		}
		if (peek(s) != ',')
			return false;
		s->i++;
	}
}

static bool value(struct js *s)
{
	bool ok;

	ws(s);
	if (++s->depth > 64)
		return false;
	switch (peek(s)) {
	case '{': ok = members(s, '}', true); break;
	case '[': ok = members(s, ']', false); break;
	case '"': ok = string(s); break;
	case 't': ok = lit(s, "true"); break;
	case 'f': ok = lit(s, "false"); break;
	case 'n': ok = lit(s, "null"); break;
	default: ok = number(s); break;
	}
	s->depth--;
	return ok;
}

bool fz_json_valid(const char *p, size_t len, size_t *at)
{
	struct js s = { .p = p, .len = len };
	bool ok = value(&s);

	ws(&s);
	ok = ok && s.i == len;
	if (at)
		*at = s.i;
	return ok;
}
