/* cli_numbers.c - every number an option takes: decimal digits only, checked arithmetic, refused when it does not fit. */
#include "cli.h"

#include <limits.h>
#include <string.h>

#define SECONDS_MAX 86400 /* a day: the longest duration any option takes */

/*
 * The digits at text (at least one), as a number, or -1 when there are none
 * or the number passes max: x * 10 + d <= max is checked before it is
 * computed, so nothing ever overflows. *end is where the digits stop.
 */
static int digits(const char *text, unsigned long long max, unsigned long long *out, const char **end)
{
	unsigned long long x = 0;
	const char *p = text;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	*end = p;
	return p == text ? -1 : 0;
}

int cli_number(const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	const char *end;
	unsigned long long x;

	if (digits(text, hi, &x, &end) < 0 || *end != '\0' || x < lo)
		return -1;
	*out = x;
	return 0;
}

int cli_size(const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	static const char units[] = "KMG"; /* 1024, 1024^2, 1024^3 */
	const char *end, *u;
	unsigned long long x, scale = 1;

	if (digits(text, ULLONG_MAX, &x, &end) < 0)
		return -1;
	if (*end != '\0') {
		char c = (char)(*end >= 'a' && *end <= 'z' ? *end - 'a' + 'A' : *end);
		if (end[1] != '\0' || c == '\0' || !(u = strchr(units, c)))
			return -1;
		for (long k = u - units; k >= 0; k--)
			scale *= 1024;
	}
	if (x > hi / scale || x * scale < lo) /* the check before the product: it cannot overflow */
		return -1;
	*out = x * scale;
	return 0;
}

int cli_seconds(const char *text)
{
	unsigned long long whole, frac = 0;
	const char *end;
	int places = 0;

	/* "3", "0.5", ".5", "3.": digits, at most one point, nothing else (no sign, exponent, "inf" or "nan"). */
	if (text[0] == '.' && text[1] >= '0' && text[1] <= '9')
		whole = 0, end = text;
	else if (digits(text, SECONDS_MAX, &whole, &end) < 0)
		return -1;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++, places++)
			if (places < 3)
				frac = frac * 10 + (unsigned)(*end - '0');
	if (*end != '\0')
		return -1;
	for (int k = places; k < 3; k++)
		frac *= 10;
	unsigned long long ms = whole * 1000 + frac;
	if (ms > SECONDS_MAX * 1000ULL)
		return -1;
	return ms == 0 && strpbrk(text, "123456789") ? 1 : (int)ms; /* less than a millisecond, but not 0: one */
}

int cli_duration(const char *cmd, const char *option, const char *text, int *ms)
{
	int v = cli_seconds(text);

	if (v <= 0)
		return cli_usage_error(cmd, "%s takes a number of seconds, not '%.20s': more than 0 and at most %d, "
				       "such as 2 or 0.5", option, text, SECONDS_MAX);
	*ms = v;
	return 0;
}
