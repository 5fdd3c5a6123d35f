/* test_wire_support.c - normalising socklab wire's output for the golden tests, and reading numbers out of it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_wire.h"

void wire_unwrap(char *text)
{
	char *o = text;

	for (const char *p = text; *p;)
		if (p[0] == '\n' && p[1] == ' ' && p[2] == ' ' && p[3] != ' ') /* a point of --explain goes on */
			*o++ = ' ', p += 3;
		else
			*o++ = *p++;
	*o = '\0';
}

long long wire_number_after(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	if (!p)
		return -1;
	p += strlen(key);
	while (*p == '+' || *p == ' ')
		p++;
	return isdigit((unsigned char)*p) ? strtoll(p, NULL, 10) : -1;
}

/* Replaces every whole number equal to port in line (a copy) with CPORT. */
static void port_out(char *line, size_t len, long long port)
{
	char copy[1024], num[24];
	size_t o = 0;

	snprintf(num, sizeof num, "%lld", port);
	snprintf(copy, sizeof copy, "%s", line);
	for (const char *p = copy; *p && o + 8 < len;) {
		size_t n = strlen(num);
		int edge = p == copy || !isdigit((unsigned char)p[-1]);
		if (port > 0 && edge && strncmp(p, num, n) == 0 && !isdigit((unsigned char)p[n])) {
			o += (size_t)snprintf(line + o, len - o, "CPORT");
			p += n;
		} else {
			line[o++] = *p++;
		}
	}
	line[o] = '\0';
}

/* One line: the time, the values, the dashes and blanks. */
static void normalise_line(const char *in, char *out, size_t len, long long port)
{
	char tmp[1024];
	size_t o = 0;
	const char *p = in;

	while (*p == ' ')
		p++;
	if (isdigit((unsigned char)*p) && strchr(p, '.') && strchr(p, '.') < strchr(p, ' ')) { /* the time column */
		o += (size_t)snprintf(tmp, sizeof tmp, "T");
		p = strchr(p, ' ');
	}
	for (; *p && o + 2 < sizeof tmp; p++) {
		if ((strncmp(p, "win=", 4) == 0 || strncmp(p, "WS=", 3) == 0) && isdigit((unsigned char)p[p[0] == 'w' ? 4 : 3])) {
			o += (size_t)snprintf(tmp + o, sizeof tmp - o, "%s", p[0] == 'w' ? "win=W" : "WS=S");
			p += p[0] == 'w' ? 4 : 3;
			while (isdigit((unsigned char)p[1]))
				p++;
		} else if ((*p == '-' && p[1] == '-') || (*p == ' ' && o > 0 && tmp[o - 1] == ' ')) {
			if (*p == '-' && (o < 2 || strncmp(tmp + o - 2, "--", 2) != 0))
				tmp[o++] = '-', tmp[o++] = '-';
			while (p[1] == *p)
				p++;
		} else {
			tmp[o++] = *p;
		}
	}
	while (o > 0 && tmp[o - 1] == ' ')
		o--;
	tmp[o] = '\0';
	port_out(tmp, sizeof tmp, port);
	snprintf(out, len, "%s", tmp);
}

void wire_normalise(const char *in, char *out, size_t len)
{
	long long port = -1;
	const char *c = strstr(in, "client 127.0.0.1:") ? strstr(in, "client 127.0.0.1:") : strstr(in, "client [::1]:");
	size_t o = 0;

	if (c)
		port = strtoll(c[7] == '[' ? strstr(c, "]:") + 2 : c + strlen("client 127.0.0.1:"), NULL, 10);
	out[0] = '\0';
	for (const char *line = in; *line && o + 1 < len;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char raw[1024], norm[1024];
		snprintf(raw, sizeof raw, "%.*s", (int)n, line);
		char *who = strstr(raw, "own, as root") ? strstr(raw, "own, as root") : strstr(raw, "own, unprivileged");
		if (who)
			snprintf(who, sizeof raw - (size_t)(who - raw), "own, WHO");
		normalise_line(raw, norm, sizeof norm, port);
		o += (size_t)snprintf(out + o, len - o, "%s\n", norm);
		line += n + (end ? 1 : 0);
	}
}
