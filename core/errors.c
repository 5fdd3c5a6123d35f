/* errors.c - the errno names and the hints socklab prints, kept as data. */
#include "errors.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct errno_entry {
	int err;
	const char *name;
};

#define E(x) { x, #x }
static const struct errno_entry errno_table[] = {
	E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(EBADF), E(EAGAIN), E(ENOMEM),
	E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(ENOTDIR), E(EISDIR),
	E(EINVAL), E(ENFILE), E(EMFILE), E(ENOSPC), E(EPIPE), E(ENAMETOOLONG),
	E(ENOSYS), E(ELOOP), E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE),
	E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT), E(EOPNOTSUPP),
	E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN),
	E(ENETUNREACH), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
	E(ENOTCONN), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTUNREACH),
	E(EALREADY), E(EINPROGRESS), E(EROFS),
#if EWOULDBLOCK != EAGAIN
	E(EWOULDBLOCK),
#endif
};
#undef E

/* socklab's own codes read like errno values in messages. */
static const struct {
	int err;
	const char *name, *text;
} own_table[] = {
	{ SL_ENOTSOCK_FILE, "ENOTSOCK_FILE", "a file that is not a socket is in the way" },
	{ SL_ETIMEDOUT_REPLY, "ETIMEDOUT_REPLY", "no reply within the timeout" },
	{ SL_ESHORT, "ESHORT", "the peer closed the connection before the whole reply came back" },
	{ SL_EMISMATCH, "EMISMATCH", "the reply differs from the message sent" },
	{ SL_ESOCKET_DENIED, "ESOCKET_DENIED", "a socket file this user may not connect to is in the way" },
	{ SL_EBADLOCK, "EBADLOCK", "the lock file beside the socket file is not a regular file" },
};

/*
 * Hints: what a learner can do about err during op. op NULL matches every
 * step. The first row that matches wins, so specific rows come first.
 */
static const struct {
	int err;
	const char *op, *hint;
} hint_table[] = {
	{ ECONNREFUSED, "connect", "is a server listening?" },
	{ ECONNREFUSED, NULL, "nobody is listening at that address; a UDP peer learns this from an ICMP error" },
	{ ENOENT, "connect", "no socket file at that path: is the server running?" },
	{ ENOENT, "bind", "the directory does not exist" },
	{ ENOENT, "sendto", "no socket file at that path: is the server running?" },
	{ EADDRINUSE, "bind", "another server is using that address: stop it, or choose another" },
	{ EADDRNOTAVAIL, "bind", "that address does not belong to this machine" },
	{ EACCES, "bind", "ports below 1024 need root, and socket paths need a writable directory" },
	{ EACCES, NULL, "permission denied by the file system or the system's policy" },
	{ SL_ENOTSOCK_FILE, NULL, "socklab never deletes it: remove it yourself or pick another path" },
	{ EAFNOSUPPORT, NULL, "is IPv6 turned off on this machine? try 127.0.0.1" },
	{ ENETUNREACH, NULL, "no route to that network: check the address" },
	{ EHOSTUNREACH, NULL, "no route to that host: check the address" },
	{ ETIMEDOUT, NULL, "the peer did not answer: is the address right, or a firewall in the way?" },
	{ ECONNRESET, NULL, "the peer reset the connection (it crashed, or closed with unread data)" },
	{ EPIPE, NULL, "the peer closed the connection" },
	{ EMSGSIZE, NULL, "the message is larger than one datagram can carry" },
	{ EMFILE, NULL, "too many open files: raise the limit with 'ulimit -n'" },
	{ SL_ETIMEDOUT_REPLY, NULL, "a datagram can be lost, and nobody says so: is a server running there? try a longer --timeout" },
	{ SL_ESHORT, NULL, "the server stopped, or is not an echo server" },
	{ SL_EMISMATCH, NULL, "is that an echo server?" },
	{ ENAMETOOLONG, NULL, "unix socket paths must fit in sun_path: use a shorter path" },
	{ EPROTOTYPE, NULL, "the socket at that path is of another type (stream, datagram or seqpacket)" },
	{ SL_ESOCKET_DENIED, NULL, "another user's? socklab cannot tell whether its server is alive: see 'ls -l', remove it "
				   "as its owner, or pick another path" },
	{ SL_EBADLOCK, NULL, "socklab never deletes it: remove PATH.lock yourself, or pick another path" },
};

const char *errno_name(int err)
{
	static _Thread_local char unknown[24];

	for (size_t i = 0; i < sizeof errno_table / sizeof errno_table[0]; i++)
		if (errno_table[i].err == err)
			return errno_table[i].name;
	for (size_t i = 0; i < sizeof own_table / sizeof own_table[0]; i++)
		if (own_table[i].err == err)
			return own_table[i].name;
	snprintf(unknown, sizeof unknown, "E?%d", err);
	return unknown;
}

const char *errno_text(int err)
{
	static _Thread_local char text[128];

	for (size_t i = 0; i < sizeof own_table / sizeof own_table[0]; i++)
		if (own_table[i].err == err)
			return own_table[i].text;
	snprintf(text, sizeof text, "%s", strerror(err));
	/* "Connection refused" -> "connection refused", but keep "IPv6..." as it is. */
	if (isupper((unsigned char)text[0]) && !isupper((unsigned char)text[1]))
		text[0] = (char)tolower((unsigned char)text[0]);
	return text;
}

const char *errno_hint(int err, const char *op)
{
	for (size_t i = 0; i < sizeof hint_table / sizeof hint_table[0]; i++)
		if (hint_table[i].err == err && (!hint_table[i].op || (op && strcmp(hint_table[i].op, op) == 0)))
			return hint_table[i].hint;
	return NULL;
}

int fail_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}
