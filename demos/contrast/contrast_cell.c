/* contrast_cell.c - a cell of the contrast table: measurements as JSON members, and the text said of them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "contrast.h"

/* Appends formatted text to the observations; what does not fit is cut, never overrun. */
static void put(struct cell *c, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void put(struct cell *c, const char *fmt, ...)
{
	va_list ap;

	if (c->olen >= sizeof c->obs - 1)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(c->obs + c->olen, sizeof c->obs - c->olen, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->olen += (size_t)n < sizeof c->obs - c->olen ? (size_t)n : sizeof c->obs - c->olen - 1;
}

/* Writes s as the body of a JSON string: quotes, backslashes and control bytes escaped. */
static size_t escape(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 7 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f) /* bytes beyond ASCII too: the output stays valid UTF-8 */
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return o;
}

void json_string(FILE *out, const char *s, size_t n)
{
	char buf[8];

	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		escape(buf, sizeof buf, s + i, 1);
		fputs(buf, out);
	}
	fputc('"', out);
}

/* The separator and key of the next member, or the separator of the next list item. */
static void member(struct cell *c, const char *key)
{
	if (c->items++)
		put(c, ", ");
	if (key)
		put(c, "\"%s\": ", key);
}

void obs_int(struct cell *c, const char *key, long long v)
{
	member(c, key);
	put(c, "%lld", v);
}

void obs_bool(struct cell *c, const char *key, int v)
{
	member(c, key);
	put(c, "%s", v ? "true" : "false");
}

void obs_str(struct cell *c, const char *key, const char *v)
{
	char buf[512];

	member(c, key);
	escape(buf, sizeof buf, v, strlen(v));
	put(c, "\"%s\"", buf);
}

void obs_result(struct cell *c, const char *key, long long r, int err)
{
	if (r >= 0)
		obs_int(c, key, r);
	else
		obs_str(c, key, errno_name(err));
}

void obs_list_begin(struct cell *c, const char *key)
{
	member(c, key);
	put(c, "[");
	c->outer = c->items;
	c->items = 0;
}

void obs_item_int(struct cell *c, long long v)
{
	member(c, NULL);
	put(c, "%lld", v);
}

void obs_item_str(struct cell *c, const char *v, size_t n)
{
	char buf[512];

	member(c, NULL);
	escape(buf, sizeof buf, v, n);
	put(c, "\"%s\"", buf);
}

void obs_list_end(struct cell *c)
{
	put(c, "]");
	c->items = c->outer;
}

void cell_say(struct cell *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->summary, sizeof c->summary, fmt, ap);
	va_end(ap);
}

int cell_fail(struct cell *c, const char *what, int err)
{
	c->failed = 1;
	obs_str(c, "failed", what);
	obs_str(c, "error", errno_name(err));
	cell_say(c, "could not run: %s: %s", what, errno_name(err));
	return -1;
}

/* Where the JSON value that starts at p ends: after a string, a list, or a number or word. */
static const char *value_end(const char *p)
{
	int depth = 0, quoted = 0;

	if (*p != '"' && *p != '[')
		return p + strcspn(p, ",");
	for (; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == '"') {
				quoted = 0;
				if (depth == 0)
					return p + 1;
			}
		} else if (*p == '"') {
			quoted = 1;
		} else if (*p == '[') {
			depth++;
		} else if (*p == ']' && --depth == 0) {
			return p + 1;
		}
	}
	return p;
}

const char *cell_get(const struct cell *c, const char *key, char *buf, size_t len)
{
	char pattern[64];

	snprintf(pattern, sizeof pattern, "\"%s\": ", key);
	for (const char *p = c->obs; (p = strstr(p, pattern)) != NULL; p++) {
		if (p != c->obs && p[-1] != ' ') /* a member, not text inside a string */
			continue;
		const char *v = p + strlen(pattern), *e = value_end(v);
		snprintf(buf, len, "%.*s", (int)(e - v), v);
		return buf;
	}
	return NULL;
}
