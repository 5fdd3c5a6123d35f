/* chat_proto.c - the tutorial's chat protocol: recognising its words, choosing its letters, printing what came. */
#include "chat_proto.h"

#include <stdio.h>
#include <string.h>

static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

int chat_is_stop(const void *msg, size_t len)
{
	const size_t n = sizeof CHAT_STOP - 1;

	if (len < n || memcmp(msg, CHAT_STOP, n) != 0)
		return 0;
	const char *rest = (const char *)msg + n;
	return len == n || (len == n + 1 && rest[0] == '\n') || (len == n + 2 && rest[0] == '\r' && rest[1] == '\n');
}

enum chat_greeting chat_check_greeting(const void *buf, size_t len)
{
	const size_t n = sizeof CHAT_GREETING - 1;

	if (memcmp(buf, CHAT_GREETING, len < n ? len : n) != 0 || len > n)
		return CHAT_GREETING_OTHER;
	return len == n ? CHAT_GREETING_WHOLE : CHAT_GREETING_PARTIAL;
}

/* splitmix64: small, fast, and every seed (0 included) gives a good sequence. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t chat_seed(uint64_t seed, unsigned long session)
{
	uint64_t s = seed ^ ((uint64_t)session * 0xd1b54a32d192ed03ULL);
	return splitmix64(&s);
}

char chat_letter(uint64_t *state)
{
	return letters[splitmix64(state) % (sizeof letters - 1)];
}

const char *chat_printable(const void *msg, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = msg;
	size_t o = 0, mark = 0; /* mark: the last place where "..." still fits */

	if (outlen == 0)
		return out;
	for (size_t i = 0; i < len; i++) {
		char tmp[5];
		unsigned char c = p[i];
		if (c == '\n')
			memcpy(tmp, "\\n", 3);
		else if (c == '\r')
			memcpy(tmp, "\\r", 3);
		else if (c == '\t')
			memcpy(tmp, "\\t", 3);
		else if (c == '\\')
			memcpy(tmp, "\\\\", 3);
		else if (c < 0x20 || c > 0x7e)
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
		else
			tmp[0] = (char)c, tmp[1] = '\0';
		size_t n = strlen(tmp);
		if (o + 4 <= outlen)
			mark = o;
		if (o + n + 1 > outlen) { /* no room: cut back to the mark, and say so */
			size_t dots = outlen - 1 < 3 ? outlen - 1 : 3;
			o = dots < 3 ? 0 : mark;
			memcpy(out + o, "...", dots);
			o += dots;
			break;
		}
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = '\0';
	return out;
}
