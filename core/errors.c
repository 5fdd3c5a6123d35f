/* errors.c - the hints socklab prints beside an errno, kept as data (the words: errors_words.c). */
#include "errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "transport.h"

/*
 * Hints: what a learner can do about err during op. op NULL matches every
 * step. A row holds for the transports whose facts, masked by mask, equal
 * want (mask 0: every transport, and the only rows used when the transport is
 * not known). The first row that matches wins, so specific rows come first.
 */
#define ANY 0u, 0u
#define IF(f) (f), (f)
#define UNLESS(f) (f), 0u
#define UDP_LIKE (TRANSPORT_CONNECTED | TRANSPORT_RELIABLE), 0u /* datagrams that can be lost */
static const struct {
	int err;
	const char *op;
	unsigned mask, want;
	const char *hint;
} hint_table[] = {
	/* Refused: TCP answered a SYN with RST; a unix socket file outlived its server; ICMP told a UDP socket. */
	{ ECONNREFUSED, NULL, IF(TRANSPORT_SOCKET_FILE), "the socket file is there, but no socket has it open: its server stopped" },
	{ ECONNREFUSED, "connect", ANY, "is a server listening?" },
	{ ECONNREFUSED, NULL, UDP_LIKE, "nobody listens at that port: an ICMP 'port unreachable' came back for an earlier datagram" },
	{ ECONNREFUSED, NULL, ANY, "nobody is listening at that address" },
	{ ENOENT, "connect", ANY, "no socket file at that path: is the server running?" },
	{ ENOENT, "bind", ANY, "the directory does not exist" },
	{ ENOENT, "sendto", ANY, "no socket file at that path: is the server running?" },
	{ EADDRINUSE, "bind", ANY, "another server is using that address: stop it, or choose another" },
	{ EADDRNOTAVAIL, "bind", ANY, "that address does not belong to this machine" },
	{ EACCES, "bind", ANY, "ports below 1024 need root, and socket paths need a writable directory" },
	{ EACCES, NULL, ANY, "permission denied by the file system or the system's policy" },
	{ SL_ENOTSOCK_FILE, NULL, ANY, "socklab never deletes it: remove it yourself or pick another path" },
	{ EAFNOSUPPORT, NULL, ANY, "is IPv6 turned off on this machine? try 127.0.0.1" },
	{ ENETUNREACH, NULL, ANY, "no route to that network: check the address" },
	{ EHOSTUNREACH, NULL, ANY, "no route to that host: check the address" },
	/* connect() that --timeout cut short, or the kernel's own SYN retries ran out (tcp(7), tcp_syn_retries). */
	/* rdt (user space, over UDP): no ICMP reaches its unconnected UDP socket, so a closed port is silence too. */
	{ ETIMEDOUT, "connect", IF(TRANSPORT_USER_SPACE), "no rdt server answered the handshake (a UDP socket that does not read is silent, a closed port would refuse): is the server running, the address right?" },
	{ ETIMEDOUT, NULL, IF(TRANSPORT_USER_SPACE), "the peer stopped acknowledging: rdt gave up after its retransmissions (the peer stopped, or the path is gone)" },
	{ EPROTO, NULL, IF(TRANSPORT_USER_SPACE), "the peer broke rdt's rules: is it an rdt endpoint of this version?" },
	{ EMSGSIZE, NULL, IF(TRANSPORT_USER_SPACE), "an rdt message holds at most what one UDP datagram could (65,507 bytes over IPv4)" },
	{ ETIMEDOUT, "connect", IF(TRANSPORT_SOCKET_FILE), "the server is not accepting: its queue of connections is full" },
	{ ETIMEDOUT, "connect", ANY, "nothing answered the handshake: a firewall that drops it, or no such host; a closed port would refuse at once" },
	{ ETIMEDOUT, NULL, ANY, "the peer did not answer: is the address right, or a firewall in the way?" },
	{ ECONNRESET, NULL, ANY, "the peer reset the connection (it crashed, or closed with unread data)" },
	{ EPIPE, NULL, IF(TRANSPORT_CONNECTED), "the peer closed the connection" },
	{ EPIPE, NULL, UNLESS(TRANSPORT_CONNECTED), "this socket can send no more: it was shut down, or its peer is gone" },
	{ EPIPE, NULL, ANY, "the other end stopped reading: a closed connection or pipe" },
	{ EMSGSIZE, NULL, IF(TRANSPORT_SOCKET_FILE), "a unix message must fit in the sender's buffer (SO_SNDBUF)" },
	{ EMSGSIZE, NULL, ANY, "the message is larger than one datagram can carry" },
	{ EMFILE, NULL, ANY, "too many open files: raise the limit with 'ulimit -n'" },
	/* No reply in time: what that can mean depends on whether anything can be lost, or the receiver stopped. */
	{ SL_ETIMEDOUT_REPLY, "send", IF(TRANSPORT_CONNECTED), "the receiver stopped reading: its buffer and this sender's are full, and flow control makes the sender wait" },
	{ SL_ETIMEDOUT_REPLY, NULL, UDP_LIKE, "a datagram can be lost, and nobody says so: is a server running there? try a longer --timeout" },
	{ SL_ETIMEDOUT_REPLY, NULL, IF(TRANSPORT_CONNECTED), "the connection is up, but no answer came: is the server busy, or speaking another protocol? try a longer --timeout" },
	{ SL_ETIMEDOUT_REPLY, NULL, IF(TRANSPORT_RELIABLE), "the datagram was delivered (unix sockets lose none), but no answer came: is the server reading? try a longer --timeout" },
	{ SL_ETIMEDOUT_REPLY, NULL, ANY, "no answer came: try a longer --timeout" },
	{ SL_ESHORT, NULL, ANY, "the server stopped, or is not an echo server" },
	{ SL_EMISMATCH, NULL, ANY, "is that an echo server?" },
	{ ENAMETOOLONG, NULL, ANY, "unix socket paths must fit in sun_path: use a shorter path" },
	{ EPROTOTYPE, NULL, ANY, "the socket at that path is of another type (stream, datagram or seqpacket)" },
	{ SL_ESOCKET_DENIED, NULL, ANY, "another user's? socklab cannot tell whether its server is alive: see 'ls -l', "
					"remove it as its owner, or pick another path" },
	{ SL_EBADLOCK, NULL, ANY, "socklab never deletes it: remove PATH.lock yourself, or pick another path" },
};
#undef ANY
#undef IF
#undef UNLESS
#undef UDP_LIKE

const char *errno_hint(int err, const char *op, const struct transport *t)
{
	for (size_t i = 0; i < sizeof hint_table / sizeof hint_table[0]; i++) {
		unsigned mask = hint_table[i].mask;
		if (hint_table[i].err != err || (hint_table[i].op && (!op || strcmp(hint_table[i].op, op) != 0)))
			continue;
		if (mask == 0 || (t && (t->flags & mask) == hint_table[i].want))
			return hint_table[i].hint;
	}
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
