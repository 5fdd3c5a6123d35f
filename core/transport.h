/* transport.h - the one interface every transport implements, and the wrappers callers use. */
#ifndef SOCKLAB_TRANSPORT_H
#define SOCKLAB_TRANSPORT_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#include "addr.h"
#include "batch.h"

/*
 * A transport is a constant table: a few facts, as data, and one function per
 * socket operation, as in the Linux kernel's struct proto_ops. Every slot is
 * filled; an operation a transport does not have points to a named stub
 * (transport_no_accept...) that fails with EOPNOTSUPP, so callers never test
 * for NULL and never ask which transport they hold. They ask about facts.
 *
 * Errors: every operation returns -1 and leaves errno set by the system call
 * that failed (see errors.h). Operations block unless the socket was made
 * non-blocking (sock_set_nonblocking), in which case they fail with EAGAIN.
 */

/* Facts about a transport, kept in transport.flags. */
enum transport_flag {
	/* connect/listen/accept: a socket per peer, a handshake, an end of stream the peer sees. */
	TRANSPORT_CONNECTED = 1u << 0,
	/* Each send is one message; each recv returns exactly one whole message. */
	TRANSPORT_BOUNDARIES = 1u << 1,
	/*
	 * Data is never dropped silently: a full receiver makes the sender wait.
	 * The kernel's promise, or, with TRANSPORT_USER_SPACE, socklab's protocol's.
	 */
	TRANSPORT_RELIABLE = 1u << 2,
	/* Addresses are paths: bind(2) makes a socket file (Linux's abstract names excepted). */
	TRANSPORT_SOCKET_FILE = 1u << 3,
	/*
	 * Built in user space, by socklab, over another transport (rdt: a protocol
	 * thread over a UDP socket): no kernel socket of its kind exists, and no
	 * program outside socklab speaks it. The endpoint's options are the
	 * transport's own (its options slot) and the impairment layer's, which
	 * act on the transport it is made of, beneath it.
	 */
	TRANSPORT_USER_SPACE = 1u << 4,
};

/* A user-space transport's own state for one socket (rdt: transports/rdt/rdt_sock.h). */
struct transport_state;

/*
 * A socket file that a socket created with bind(2), to remove when the socket
 * closes, and the lock beside it (transports/af_unix.c). Zero everywhere is
 * "none", so a zeroed struct sock is safe to close.
 */
struct sock_file {
	char path[108]; /* "" when there is none; the size of sun_path on Linux */
	dev_t dev;      /* identity of the file bind() made, so that close removes */
	ino_t ino;      /* that file and never a newer one another server made */
	int lock_fd;    /* PATH.lock, held with flock(2) while the socket lives; 0: none (never 0 to 2) */
	int has_mode;   /* set before bind: the server will chmod the file to mode before anyone may */
	mode_t mode;    /* connect, so bind creates it with no permission at all (endpoint_open.c) */
};

/*
 * One socket and what socklab remembers about it. Callers allocate it (on the
 * stack, or inside their own structures); sock_init() makes it empty and the
 * transport's operations fill it.
 */
struct sock {
	const struct transport *t; /* the table every operation goes through */
	int fd;                    /* -1 when closed */
	unsigned flags;            /* the transport's facts (enum transport_flag) */
	struct addr peer;          /* connected: the peer. Datagram client: where sock_send() goes */
	struct sock_file file;     /* unix sockets: the file to remove on close */
	struct impair *impair;     /* the impairment layer's state, or NULL (see impair.h) */
	int connect_ms;            /* dial: the most connect(2) may wait, in ms; 0: as long as the kernel tries */
	struct transport_state *state; /* a user-space transport's own state (rdt), or NULL */
	const char *options;       /* bind, dial: the endpoint's options for a user-space transport, or NULL */
};

struct transport {
	const char *scheme;  /* in endpoints: "tcp" */
	const char *summary; /* for --help: "TCP: a reliable byte stream over IPv4/IPv6" */
	int domain;          /* AF_UNIX, or AF_UNSPEC when addresses decide (IPv4 or IPv6) */
	int type;            /* SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET */
	unsigned flags;      /* enum transport_flag */

	/* socket(2) and bind(2) to a, the server's first steps. Fills s. */
	int (*bind)(struct sock *s, const struct addr *a);
	/* listen(2): start accepting connections. Datagrams: EOPNOTSUPP. */
	int (*listen)(struct sock *s, int backlog);
	/* accept(2): the next connection as a new socket in *out. Datagrams: EOPNOTSUPP. */
	int (*accept)(struct sock *s, struct sock *out);
	/*
	 * A client socket that talks to a. Connected transports: socket(2) and
	 * connect(2), the handshake, given at most s->connect_ms when that is set
	 * (then ETIMEDOUT). Datagram transports: socket(2) (and, for
	 * unix datagrams, a bind(2) so that replies have somewhere to go); a is
	 * remembered as the destination of sock_send(). Nothing is sent.
	 */
	int (*dial)(struct sock *s, const struct addr *a);
	/* One send. Streams may take fewer than len bytes; messages go whole or fail. */
	ssize_t (*send)(struct sock *s, const void *buf, size_t len);
	/*
	 * One receive. Streams: up to len bytes, 0 at end of stream. Messages: one
	 * whole message; if it was longer than len, *truncated is set to 1 (the
	 * kernel discarded the rest), or, when truncated is NULL, -1 EMSGSIZE.
	 */
	ssize_t (*recv)(struct sock *s, void *buf, size_t len, int *truncated);
	/*
	 * One datagram to a given address. from, when not NULL and not empty
	 * (len > 0), is the local address it leaves from: the one a datagram
	 * being answered was sent to, as recvfrom's local gave it (sendmsg(2)
	 * with IP_PKTINFO). NULL: the kernel chooses. Connected transports: EOPNOTSUPP.
	 */
	ssize_t (*sendto)(struct sock *s, const void *buf, size_t len, const struct addr *to, const struct addr *from);
	/*
	 * One datagram and who sent it. local, when not NULL, receives the
	 * address the datagram was sent to, when the socket learns it (a UDP
	 * socket bound to a wildcard address asks with IP_PKTINFO); otherwise
	 * local->len is 0. A server on 0.0.0.0 with two addresses must answer
	 * from the one it was asked on: the client drops a reply from another.
	 * Connected transports: EOPNOTSUPP. Truncation as recv.
	 */
	ssize_t (*recvfrom)(struct sock *s, void *buf, size_t len, struct addr *from, struct addr *local, int *truncated);
	/*
	 * shutdown(2): end one direction, as the kernel does it, on every
	 * transport. A connection tells its peer (which reads 0). A datagram
	 * socket tells nobody; on Linux an unconnected UDP socket fails with
	 * ENOTCONN, a connect()ed one and a unix datagram socket return 0, and
	 * their next send fails with EPIPE (socklab contrast, scenario 4).
	 */
	int (*shutdown)(struct sock *s, int how);
	/* getsockname(2): the address the socket is bound to. */
	int (*getname)(struct sock *s, struct addr *out);
	/* close(2), and removal of the socket file this socket created. Always leaves s closed. */
	int (*close)(struct sock *s);
	/* chmod(2) of the socket file bind(2) made (see sock_set_file_mode). No socket file: EINVAL. */
	int (*set_file_mode)(struct sock *s, mode_t mode);
	/*
	 * Many messages in one call (see sock_send_batch). Transports that keep
	 * message boundaries: sendmmsg(2), or UDP's segmentation offload. Streams
	 * have no messages: transport_stream_send_batch, a loop of send.
	 */
	ssize_t (*send_batch)(struct sock *s, struct sock_msg *m, size_t n);
	/* The messages that are waiting, in one call (see sock_recv_batch): recvmmsg(2); streams one recv. */
	ssize_t (*recv_batch)(struct sock *s, struct sock_msg *m, size_t n);
	/*
	 * The endpoint options (the text after '?') the transport takes itself:
	 * checks its own and copies the others, the impairment layer's, to rest
	 * (restlen bytes). Returns 0, or -1 with one line in why. A transport
	 * with none (transport_no_options) copies everything to rest. Its own
	 * options reach bind and dial as s->options (sock_listen_endpoint...).
	 */
	int (*options)(const char *text, char *rest, size_t restlen, char *why, size_t whylen);
};

/*
 * How many times a stub below has answered in this process. A stub's errno
 * is socklab's, not the kernel's: socklab contrast checks that no cell it
 * shows came from one, and --trace says so when one answers.
 */
extern unsigned long transport_stub_calls;

/* The stubs for operations a transport does not have. Each fails with EOPNOTSUPP. */
int transport_no_listen(struct sock *s, int backlog);
int transport_no_accept(struct sock *s, struct sock *out);
ssize_t transport_no_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to,
			    const struct addr *from);
ssize_t transport_no_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, struct addr *local,
			      int *truncated);
/* The one stub that fails with EINVAL, as chmod of a file that is not there would: see sock_set_file_mode. */
int transport_no_set_file_mode(struct sock *s, mode_t mode);
/* Takes no options of its own: all of text goes to rest (-1 with why when it does not fit). */
int transport_no_options(const char *text, char *rest, size_t restlen, char *why, size_t whylen);

/*
 * The batch operations of byte streams (tcp, unix). Not stubs: a batch means
 * the same on every transport, so callers never ask which they hold. But a
 * stream has no messages, and no cost per message for a batch to save: one
 * send() takes as many bytes as it is given (write bigger buffers, or use
 * writev). So: send() each buffer in turn through s's own table, stopping at
 * the first that goes in part (no byte of a later buffer may go before the
 * rest of an earlier one); and one recv() into the first buffer, since bytes
 * cannot be dealt out as messages.
 */
ssize_t transport_stream_send_batch(struct sock *s, struct sock_msg *m, size_t n);
ssize_t transport_stream_recv_batch(struct sock *s, struct sock_msg *m, size_t n);

/*
 * The facts of a transport, for code that holds a table rather than a socket
 * (the same facts a socket answers below): ask these, never a scheme's name.
 */
static inline int transport_is_connected(const struct transport *t) { return (t->flags & TRANSPORT_CONNECTED) != 0; }
static inline int transport_keeps_boundaries(const struct transport *t) { return (t->flags & TRANSPORT_BOUNDARIES) != 0; }
static inline int transport_is_reliable(const struct transport *t) { return (t->flags & TRANSPORT_RELIABLE) != 0; }
static inline int transport_has_socket_file(const struct transport *t) { return (t->flags & TRANSPORT_SOCKET_FILE) != 0; }
static inline int transport_in_user_space(const struct transport *t) { return (t->flags & TRANSPORT_USER_SPACE) != 0; }

/* Makes s empty (fd -1), ready for an operation to fill. */
void sock_init(struct sock *s);

/*
 * The wrappers. Callers use these, never the table: only they touch it.
 */

/* Is this a connection (a socket per peer, with a handshake and an end)? */
static inline int sock_is_connected(const struct sock *s) { return (s->flags & TRANSPORT_CONNECTED) != 0; }
/* Does each recv return exactly one message as it was sent? */
static inline int sock_keeps_boundaries(const struct sock *s) { return (s->flags & TRANSPORT_BOUNDARIES) != 0; }
/* Is delivery guaranteed, no silent loss (by the kernel, or by socklab's own protocol in user space)? */
static inline int sock_is_reliable(const struct sock *s) { return (s->flags & TRANSPORT_RELIABLE) != 0; }
/* Is the protocol socklab's own, run in user space (no kernel socket of its kind)? */
static inline int sock_in_user_space(const struct sock *s) { return (s->flags & TRANSPORT_USER_SPACE) != 0; }

/* Like bind(2), and creates the socket first. 0 or -1. */
static inline int sock_bind(struct sock *s, const struct transport *t, const struct addr *a)
{
	s->t = t;
	s->flags = t->flags;
	return t->bind(s, a);
}

/* Like listen(2). 0 or -1; EOPNOTSUPP on a datagram transport. */
static inline int sock_listen(struct sock *s, int backlog) { return s->t->listen(s, backlog); }

/* Like accept(2): fills *out with the new connection. Blocks unless non-blocking. */
static inline int sock_accept(struct sock *s, struct sock *out) { return s->t->accept(s, out); }

/* Makes a client socket for a (see struct transport, dial). 0 or -1. */
static inline int sock_dial(struct sock *s, const struct transport *t, const struct addr *a)
{
	s->t = t;
	s->flags = t->flags;
	return t->dial(s, a);
}

/* Like send(2): a short count is possible on a stream. Never raises SIGPIPE. */
static inline ssize_t sock_send(struct sock *s, const void *buf, size_t len) { return s->t->send(s, buf, len); }

/* Like recv(2). 0 means the peer closed (stream), or an empty message. */
static inline ssize_t sock_recv(struct sock *s, void *buf, size_t len, int *truncated)
{
	return s->t->recv(s, buf, len, truncated);
}

/* Like sendto(2): the kernel chooses the address it leaves from. */
static inline ssize_t sock_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to)
{
	return s->t->sendto(s, buf, len, to, NULL);
}

/* Like recvfrom(2). */
static inline ssize_t sock_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, int *truncated)
{
	return s->t->recvfrom(s, buf, len, from, NULL, truncated);
}

/*
 * Like recvmsg(2) with IP_PKTINFO: recvfrom, and in *local the address the
 * datagram was sent to (len 0 when the socket does not learn it). A server
 * answers with sock_sendmsg(..., from = that local address).
 */
static inline ssize_t sock_recvmsg(struct sock *s, void *buf, size_t len, struct addr *from, struct addr *local,
				   int *truncated)
{
	return s->t->recvfrom(s, buf, len, from, local, truncated);
}

/* Like sendmsg(2) with IP_PKTINFO: sendto, leaving from the local address from (NULL or empty: the kernel's choice). */
static inline ssize_t sock_sendmsg(struct sock *s, const void *buf, size_t len, const struct addr *to,
				   const struct addr *from)
{
	return s->t->sendto(s, buf, len, to, from);
}

/* Like shutdown(2). */
static inline int sock_shutdown(struct sock *s, int how) { return s->t->shutdown(s, how); }

/* Like getsockname(2). */
static inline int sock_getname(struct sock *s, struct addr *out) { return s->t->getname(s, out); }

/* Like close(2), and removes the socket file s created. Safe on a closed sock. */
static inline int sock_close(struct sock *s) { return s->fd < 0 ? 0 : s->t->close(s); }

/*
 * chmod(2) of the socket file s created with bind(2), to widen or narrow who
 * may connect: connecting to a unix socket needs write permission on its
 * file. bind() creates it with no more than the umask allows and never
 * writable by others; call this after binding. Never follows a symlink, and
 * touches only the file this socket made. Returns 0, or -1 with errno:
 * EINVAL when s has no socket file (an inet socket, an abstract name, a
 * closed socket) or mode has bits beyond 0777; ENOENT when the file is gone
 * or another file has taken its place.
 */
static inline int sock_set_file_mode(struct sock *s, mode_t mode)
{
	if (s->fd < 0) {
		errno = EINVAL;
		return -1;
	}
	return s->t->set_file_mode(s, mode);
}

/*
 * Sends up to n messages (at most SOCK_BATCH_MAX) in one call where the
 * kernel can: sendmmsg(2) on the message transports, one sendmsg(2) with UDP
 * segmentation offload where UDP has it. m[i].addr is where message i goes
 * (NULL: the dialed or connected peer; only a datagram socket may name
 * another). Returns how many messages were taken, from the first
 * and in order (>= 1), with each one's m[i].got; fewer than n is not an
 * error: send the rest again. -1 with errno when not even the first went
 * (EAGAIN on a full non-blocking socket, ENOBUFS...). Blocks like send().
 * On a stream, the last message taken may have gone in part (got < len):
 * send its rest before anything else. --trace shows one line per call:
 * "sendmmsg(3, 64 messages, 89600 bytes, to 127.0.0.1:5555) = 64".
 */
static inline ssize_t sock_send_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	return s->t->send_batch(s, m, n);
}

/*
 * Receives up to n messages (at most SOCK_BATCH_MAX): waits for the first as
 * recv() would (not at all when non-blocking, at most the receive timeout),
 * then takes only what is already queued (recvmmsg(2), MSG_WAITFORONE).
 * Returns how many (>= 1), each with got, truncated (the message was longer
 * than len: the rest is gone) and, where m[i].addr is set, its sender, as
 * recvfrom() gives it: a datagram socket receives from anyone, even a dialed
 * one (compare the senders, or use sock_recv). -1 with errno. A stream has no
 * messages: one recv() into m[0], 1 returned, m[0].got 0 at end of stream.
 */
static inline ssize_t sock_recv_batch(struct sock *s, struct sock_msg *m, size_t n)
{
	return s->t->recv_batch(s, m, n);
}

/*
 * Sends all of buf: loops over short sends on streams, waiting when the
 * socket is non-blocking and full. Returns len or -1 (EPIPE, ECONNRESET...).
 */
ssize_t sock_send_all(struct sock *s, const void *buf, size_t len);

/*
 * What the kernel does to a process that dies: closes every descriptor s
 * holds (its socket, the lock beside its socket file) and removes nothing,
 * so a socket file stays behind. For lessons about crashes; leaves s closed.
 */
void sock_abandon(struct sock *s);

/* Sets O_NONBLOCK: operations then fail with EAGAIN instead of waiting. */
int sock_set_nonblocking(struct sock *s);

#endif
