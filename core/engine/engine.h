/* engine.h - a single-threaded server loop that serves many clients over any transport. */
#ifndef SOCKLAB_ENGINE_H
#define SOCKLAB_ENGINE_H

#include <stddef.h>

#include "core/addr.h"
#include "poller.h"

struct sock;
struct engine;
struct session;

/*
 * A session is one client. On a connected transport (tcp, unix, unixpacket)
 * it is an accepted connection; on a datagram transport (udp, unixgram) it
 * is a peer address: the first datagram from a new address opens a session,
 * and a session that stays quiet for idle_ms ends (no close ever comes from a
 * datagram peer). The same three callbacks drive both, so an application is
 * written once.
 */

/* Why a session ended. */
enum session_end {
	SESSION_PEER_CLOSED, /* the peer closed its connection (end of stream) */
	SESSION_ERROR,       /* the connection failed (reset by the peer, ...) */
	SESSION_IDLE,        /* a datagram peer said nothing for idle_ms, or made room for a new one */
	SESSION_CLOSED,      /* the application called session_close() */
	SESSION_STOPPED,     /* the server is stopping */
	SESSION_SHED,        /* its unsent replies were the largest when all of them passed out_total */
};

/* Things a learner may want to hear about as they happen; none ends a session. */
enum engine_notice {
	NOTICE_UNADDRESSED, /* a datagram from an unbound unix socket: there is no address to reply to */
	NOTICE_TRUNCATED,   /* a message larger than the engine's buffer was dropped */
	NOTICE_DROPPED,     /* a reply to a datagram peer was given up: its queue was over the limit */
	NOTICE_REFUSED,     /* a connection was accepted and closed at once: out of file descriptors */
	NOTICE_PAUSED,      /* a client sends faster than it reads its replies: reading from it paused */
	NOTICE_SHED,        /* the replies waiting for every client passed out_total: the largest one's client was closed */
	NOTICE_TOO_BIG,     /* a reply larger than the socket can send in one message was dropped (EMSGSIZE) */
};

struct engine_callbacks {
	/* A client arrived. May session_send() a greeting (on a datagram transport, the client spoke first). */
	void (*on_open)(struct session *s, void *app);
	/*
	 * Data arrived. On a stream, whatever one recv() returned: part of what
	 * the peer sent, or several of its sends at once. On a message
	 * transport, exactly one message.
	 */
	void (*on_message)(struct session *s, const void *data, size_t len, void *app);
	/* The session ended. s is freed when this returns. */
	void (*on_close)(struct session *s, enum session_end why, void *app);
	/* Optional (may be NULL): see enum engine_notice. peer may be NULL. */
	void (*on_notice)(enum engine_notice what, const struct addr *peer, void *app);
};

/*
 * Memory. Everything the engine holds for its clients is bounded, per client
 * and in all, and what happens at each bound is one of three things, each
 * counted in engine_stats and told through on_notice:
 *
 *  - per client, out_limit of replies it has not taken yet: a connection is
 *    no longer read from until half has gone (NOTICE_PAUSED: its own sending
 *    then waits in the kernel, which is flow control); a datagram peer's
 *    reply beyond it is dropped (NOTICE_DROPPED, dropped), as a full
 *    network queue would;
 *  - in all, out_total of queued replies, counted as allocated (a queue
 *    doubles as it grows: one client's may reach 2 x (out_limit +
 *    ENGINE_MESSAGE_MAX), one read past its limit): the connection whose
 *    queue is the largest is closed (NOTICE_SHED, shed) until the total is
 *    under the bound again, so the engine holds at most out_total plus the
 *    one queue that crossed it; a datagram reply that would pass it is
 *    dropped (NOTICE_DROPPED);
 *  - datagram peers, max_sessions of them: the quietest is forgotten to make
 *    room (SESSION_IDLE). Connections are bounded by the descriptors the
 *    process may open (NOTICE_REFUSED when they run out).
 *
 * One receive buffer of ENGINE_MESSAGE_MAX bytes serves every client.
 */
#define ENGINE_MESSAGE_MAX (256 * 1024)
#define ENGINE_MESSAGE_MAX_TEXT "262,144 bytes" /* the same, for messages */

struct engine_options {
	int idle_ms;         /* datagram sessions end after this long without traffic (default 60000) */
	size_t max_sessions; /* datagram sessions kept at most; the quietest ends first (default 65536) */
	size_t out_limit;    /* per client: unsent replies beyond this pause it or are dropped (default 1 MiB) */
	size_t out_total;    /* every client's unsent replies, allocated, at most (default 16 MiB) */
	enum poller_kind poller;
};

struct engine_stats {
	unsigned long long opened, closed;           /* sessions */
	unsigned long long messages_in, messages_out; /* recv()s and messages handed to the socket */
	unsigned long long bytes_in, bytes_out;
	unsigned long long refused, truncated, unaddressed, dropped; /* see enum engine_notice */
	unsigned long long shed, too_big;            /* see enum engine_notice */
	size_t now, peak;                            /* sessions open now, and at most */
	size_t out_memory, out_peak;                 /* bytes allocated for unsent replies, now and at most */
};

/*
 * A new engine serving the bound (and, when connected, listening) socket
 * listener, which stays the caller's: the engine never closes it. Makes it
 * non-blocking. opt may be NULL for the defaults. NULL with errno on failure.
 */
struct engine *engine_new(struct sock *listener, const struct engine_callbacks *cb, void *app,
			  const struct engine_options *opt);

/*
 * Serves until engine_stop(), then ends every session (on_close with
 * SESSION_STOPPED). Returns 0, or -1 with errno if waiting itself failed.
 */
int engine_run(struct engine *e);

/*
 * Makes engine_run() return soon. Async-signal-safe: call it from a SIGINT
 * handler (it writes one byte to a pipe the engine watches: the self-pipe trick).
 */
void engine_stop(struct engine *e);

/* Frees e (NULL is fine). Call after engine_run() has returned; the listener stays open. */
void engine_free(struct engine *e);
/* What e has counted so far; valid until engine_free(). */
const struct engine_stats *engine_stats(const struct engine *e);
/* "epoll" or "poll". */
const char *engine_poller_name(const struct engine *e);

/*
 * Sends buf to the session's client: at once if the socket takes it, else
 * queued and sent when it has room (a short send is completed later, never
 * lost). On a message transport buf is one message. Never blocks. Returns 0,
 * or -1 with errno (EMSGSIZE: too large for one message from this socket,
 * dropped and told as NOTICE_TOO_BIG; EPIPE: the client is gone, and the
 * session will end after this callback; ENOMEM: no room to queue it, and a
 * connection then ends too; ENOBUFS: past a memory bound (see engine_options):
 * a datagram reply is dropped, or this connection was the one closed).
 */
int session_send(struct session *s, const void *buf, size_t len);

/* Ends the session once its queued output is sent (connected) or at once (datagram). */
void session_close(struct session *s);

/* The client's address. */
const struct addr *session_peer(const struct session *s);
/* A number for the session, unique in this engine, counting from 1. */
unsigned long session_id(const struct session *s);
/* A pointer the application keeps with the session (NULL at first). */
void *session_data(const struct session *s);
void session_set_data(struct session *s, void *data);

/*
 * Connected: 1 if more bytes from the client are already waiting to be read
 * (on_message will get them next), 0 if not: a recv(2) with MSG_PEEK that
 * never blocks. The client's end alone (its FIN) is not input: the session
 * ends after what came before it has been handed over and answered. A stream keeps no message boundaries; a protocol that marks
 * none either (the tutorial's chat) can take "nothing more has arrived" as
 * the end of a message. Datagram sessions: always 0 (each message is whole).
 */
int session_input_waiting(const struct session *s);

#endif
