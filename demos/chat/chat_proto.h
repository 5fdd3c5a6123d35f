/* chat_proto.h - the tutorial's chat protocol as pure functions: the greeting, "stop", the letters, printable text. */
#ifndef SOCKLAB_CHAT_PROTO_H
#define SOCKLAB_CHAT_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * The protocol of the Python tutorial socklab grows from (its server.py and
 * client.py, on 127.0.0.1:5555):
 *
 *   server                          client
 *   accept()
 *   send("type the message")  --->  recv(1024), print it
 *                             <---  send(what the user typed, no line ending)
 *   recv(1024)
 *   send(one random letter)   --->  recv(1024), print it
 *   ...                             ...
 *                             <---  send("stop")
 *   close()                   --->  recv() returns b'': the end
 *
 * Nothing marks where a message ends: both sides assume that one recv()
 * returns exactly one send(). See docs/pitfalls.md for when it does not.
 * Everything here is pure (no I/O, no allocation), so it can be fuzzed.
 */

#define CHAT_GREETING "type the message"
#define CHAT_STOP "stop"
/* The tutorial's recv(1024): the most it reads as one message. */
#define CHAT_RECV_MAX 1024

/*
 * 1 if the len bytes at msg say "stop": exactly, as the tutorial compares,
 * or followed by "\n" or "\r\n", so that a client such as nc (which sends
 * the line ending) can stop too. 0 otherwise.
 */
int chat_is_stop(const void *msg, size_t len);

/* How much of the greeting the len bytes at buf hold. */
enum chat_greeting {
	CHAT_GREETING_PARTIAL, /* a beginning of it (or nothing yet): read on */
	CHAT_GREETING_WHOLE,   /* exactly the greeting */
	CHAT_GREETING_OTHER,   /* something else: not the tutorial's server */
};
enum chat_greeting chat_check_greeting(const void *buf, size_t len);

/*
 * The generator of the server's letters: a seed for session number session
 * of a server seeded with seed (the same pair, the same letters), and the
 * next letter, one of a-z and A-Z as Python's string.ascii_letters.
 */
uint64_t chat_seed(uint64_t seed, unsigned long session);
char chat_letter(uint64_t *state);

/*
 * Writes the len bytes at msg into out (outlen bytes, NUL included) as one
 * printable line: "\n", "\r", "\t", "\\" and "\xHH" for other bytes outside
 * printable ASCII; ends with "..." when out is too small. Returns out.
 */
const char *chat_printable(const void *msg, size_t len, char *out, size_t outlen);

#endif
