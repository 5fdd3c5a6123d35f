/* engine_private.h - what engine.c, engine_conn.c and engine_dgram.c share; not for applications. */
#ifndef SOCKLAB_ENGINE_PRIVATE_H
#define SOCKLAB_ENGINE_PRIVATE_H

#include <signal.h>

#include "engine.h"
#include "outq.h"
#include "peer_table.h"
#include "core/transport.h"

#define READ_MAX ENGINE_MESSAGE_MAX /* one message: more than a unix datagram's default maximum */

/*
 * One client. The engine keeps every session in one of two places, by the
 * listener's one fact that matters here: connected sessions by descriptor
 * (e->by_fd, engine_conn.c), datagram sessions by address (e->peers,
 * engine_dgram.c).
 */
struct session {
	struct engine *e;
	struct sock sock;         /* connected: the accepted socket; datagram: unused (fd -1) */
	struct peer_entry entry;  /* datagram: the peer's address, the key in e->peers */
	struct addr local;        /* datagram: where its last datagram was sent; replies leave from there */
	struct outq out;          /* replies the socket has not taken yet */
	struct session *prev, *next; /* datagram: idle order, quietest first */
	struct session *pend_prev, *pend_next; /* datagram: in e's list of sessions with replies queued */
	int queued;               /* datagram: it is in that list */
	struct session *dying_next;
	long long last_ms;        /* datagram: the last traffic, for idle expiry */
	unsigned long id;
	void *data;
	unsigned events;          /* connected: what the poller watches for */
	unsigned dying : 1, closing : 1, paused : 1, peer_eof : 1;
	enum session_end why;
};

struct engine {
	const struct engine_mode *mode; /* connections or datagram peers, by the listener's facts */
	struct sock *ls;
	const struct engine_callbacks *cb;
	void *app;
	struct engine_options opt;
	struct poller *poller;
	int wake[2];                  /* the self-pipe: engine_stop() writes, the loop reads */
	volatile sig_atomic_t stopping;
	unsigned char *rbuf;          /* READ_MAX bytes: every receive lands here */
	struct session *dying;        /* sessions to end once the current callbacks return */
	unsigned long next_id;
	struct engine_stats st;
	/* connected transports (engine_conn.c) */
	struct session **by_fd;       /* sessions by descriptor */
	int nby_fd;
	int spare_fd;                 /* closed to make room when out of descriptors */
	long long accept_resume_ms;   /* accepting paused until then (0: not paused) */
	/* datagram transports (engine_dgram.c) */
	struct peer_table peers;      /* sessions by address */
	struct session *idle_head, *idle_tail;
	size_t pending;               /* sessions with queued replies... */
	struct session *pend_head, *pend_tail; /* ...oldest first */
	int retry_ms;
	long long retry_at;
};

/* engine.c: the life of a session, whatever the transport. */
void engine_notice(struct engine *e, enum engine_notice what, const struct addr *peer);
struct session *session_alloc(struct engine *e);
void session_opened(struct engine *e, struct session *s);
/* Marks s to end after the callback in progress returns; ending it now would free it under the caller. */
void session_end_later(struct session *s, enum session_end why);
/* Ends s now: releases what it holds, tells the application, frees it. */
void session_free(struct engine *e, struct session *s, enum session_end why);
/* Ends every session marked by session_end_later(). */
void engine_end_dying(struct engine *e);
/*
 * s's queue changed, and allocated before bytes before: counts the change in
 * e->st.out_memory. Call after every operation on s->out.
 */
void session_out_changed(struct session *s, size_t before);
/*
 * A unix socket that keeps message boundaries (unixgram, unixpacket): makes
 * its send buffer hold a message of READ_MAX bytes, so that every message the
 * engine can receive it can also send back (a unix socket sends at most its
 * SO_SNDBUF less a little, Linux's net/unix/af_unix.c). Best effort: the
 * kernel caps SO_SNDBUF (net.core.wmem_max); past it, NOTICE_TOO_BIG says so.
 */
void engine_fit_messages(struct sock *s);

/* Frees s's queue now (its replies can no longer go anywhere), and counts it. */
void session_out_drop(struct session *s);

/*
 * What the engine does differently for connections and for datagram peers,
 * chosen once in engine_new() by the listener's one fact that matters here,
 * the idiom the transports use: a table of operations, every slot filled.
 */
struct engine_mode {
	/* Set-up after the poller exists (connections: the reserve descriptor) and its undoing. */
	void (*init)(struct engine *e);
	void (*fini)(struct engine *e);
	/* The listener is readable: accept connections, or read datagrams. */
	void (*listener_ready)(struct engine *e);
	/* A session's own socket is ready (connections; datagram sessions have no socket). */
	void (*event)(struct engine *e, int fd, unsigned events);
	/* Before the ready sockets are served: work put off until now (resume accepting, retry replies). */
	void (*resume)(struct engine *e, long long now);
	/* After they are served: sessions that have been quiet too long end. */
	void (*expire)(struct engine *e, long long now);
	/* The time of the next timer (resume, retry, expiry), or -1 for none. */
	long long (*deadline)(const struct engine *e);
	/* A reply: queue it and send what the socket takes now. 0, or -1 with errno. */
	int (*send)(struct session *s, const void *buf, size_t len);
	/* The application is done with s: end it once its replies are out. */
	void (*close)(struct session *s);
	const struct addr *(*peer)(const struct session *s);
	/* Is more of the peer's input already waiting to be read? */
	int (*input_waiting)(const struct session *s);
	/* Forget s: its descriptor, or its place in the tables. */
	void (*release)(struct engine *e, struct session *s);
	/* Stopping: a last try to send every queued reply, then every session ends. */
	void (*flush_all)(struct engine *e);
	void (*free_all)(struct engine *e);
};

extern const struct engine_mode engine_conn_mode;  /* engine_conn.c: tcp, unix, unixpacket */

/* engine_accept.c: how engine_conn_mode takes connections (its init, fini, listener_ready, resume, deadline). */
void conn_init(struct engine *e);       /* takes the reserve descriptor, if it can */
void conn_fini(struct engine *e);
void conn_accept(struct engine *e);     /* the listener is readable */
void conn_resume_accepting(struct engine *e, long long now);
long long conn_deadline(const struct engine *e);
extern const struct engine_mode engine_dgram_mode; /* engine_dgram.c: udp, unixgram */

#endif
