/* fuzz_chat.c - fuzz target: what a chat client or server receives, as the chat protocol's pure functions read it. */
#include <string.h>

#include "demos/chat/chat_proto.h"
#include "fuzz.h"

static int is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int fuzz_chat(const uint8_t *data, size_t size)
{
	static const char greeting[] = CHAT_GREETING;
	size_t glen = sizeof greeting - 1;

	/* "stop", and only "stop" with at most a line ending after it. */
	int stop = chat_is_stop(data, size);
	FUZZ_CHECK(stop == ((size == 4 || (size == 5 && data[4] == '\n') || (size == 6 && data[4] == '\r' && data[5] == '\n')) &&
			    memcmp(data, "stop", 4) == 0));

	/* The greeting: whole, a beginning of it, or something else. */
	enum chat_greeting g = chat_check_greeting(data, size);
	int prefix = size <= glen && memcmp(data, greeting, size) == 0;
	FUZZ_CHECK(g == (prefix && size == glen ? CHAT_GREETING_WHOLE : prefix ? CHAT_GREETING_PARTIAL : CHAT_GREETING_OTHER));

	/* Printing any bytes in any room: one NUL-terminated line of printable ASCII. */
	char out[300];
	size_t room = size ? 1 + data[0] % sizeof out : sizeof out;
	memset(out, 'Z', sizeof out);
	FUZZ_CHECK(chat_printable(data, size, out, room) == out);
	size_t n = strnlen(out, room);
	FUZZ_CHECK(n < room);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(out[i] >= 0x20 && out[i] < 0x7f);
	FUZZ_CHECK(room == sizeof out || out[room] == 'Z'); /* nothing written past the room given */

	/* The letters, from any seed. */
	uint64_t seed = 0;
	memcpy(&seed, data, size < sizeof seed ? size : sizeof seed);
	uint64_t state = chat_seed(seed, (unsigned long)size);
	for (int i = 0; i < 8; i++)
		FUZZ_CHECK(is_letter(chat_letter(&state)));
	return 0;
}
