/* errors.h - errno values as names and as advice a learner can act on. */
#ifndef SOCKLAB_ERRORS_H
#define SOCKLAB_ERRORS_H

#include <stddef.h>

/*
 * How errors travel in socklab, once for every header in core/ and transports/:
 * a library call returns -1 and leaves errno as the failing system call set it,
 * exactly as the man pages describe. Address lookup (endpoint_resolve) instead
 * returns getaddrinfo's EAI_* code, for gai_strerror(). Nothing below core/ or
 * transports/ prints or exits: the demos turn errors into one line on stderr.
 */

/* Codes socklab defines where errno has no word; above every errno value, so they never collide. */
enum {
	SL_ENOTSOCK_FILE = 10001, /* a unix socket path holds a file that is not a socket */
	SL_ETIMEDOUT_REPLY,       /* no reply came back within the timeout */
	SL_ESHORT,                /* the peer closed before the whole reply came back */
	SL_EMISMATCH,             /* an echoed reply differs from what was sent */
	SL_ESOCKET_DENIED,        /* a socket file this user may not connect to: alive or stale, nobody can tell */
	SL_EBADLOCK,              /* PATH.lock, beside a socket file, is not a regular file */
};

/* "ECONNREFUSED" for ECONNREFUSED, and so on; "E?" plus the number for codes not in the table. */
const char *errno_name(int err);

/* strerror(err) with a lower-case first letter, as socklab's messages print it ("connection refused"). */
const char *errno_text(int err);

struct transport;

/*
 * One short hint for err when it happens while doing op over transport t, or
 * NULL. op is the system call or step: "connect", "bind", "recv", "send",
 * "resolve"... A hint follows the transport's facts, never its neighbour's:
 * ECONNREFUSED during "connect" over tcp gives "is a server listening?", the
 * same errno from a unix socket file says its server is gone, and only UDP
 * hears of a missing peer through ICMP. t NULL (the transport is not known)
 * gives only the hints true of every transport.
 */
const char *errno_hint(int err, const char *op, const struct transport *t);

/*
 * For the parsers that explain a refusal (endpoint.c, impair.c): writes the
 * printf-style message into why (at most whylen bytes, NUL included) and
 * returns -1, so that a refusal is one line: return fail_why(why, whylen, ...).
 * Leaves errno as it was.
 */
int fail_why(char *why, size_t whylen, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

#endif
