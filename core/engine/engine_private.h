/* engine_private.h - what engine.c, engine_conn.c and engine_dgram.c share; not for applications. */
#ifndef SOCKLAB_ENGINE_PRIVATE_H
#define SOCKLAB_ENGINE_PRIVATE_H

#include <signal.h>

#include "engine.h"
#include "outq.h"
#include "peer_table.h"
#include "core/transport.h"

#define READ_MAX (256 * 1024) /* one message: more than a unix datagram's default maximum */

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

/* engine_conn.c: connections (tcp, unix, unixpacket). */
void conn_init(struct engine *e);                 /* takes the reserve descriptor, if it can */
void conn_accept(struct engine *e);               /* the listener is readable */
void conn_event(struct engine *e, int fd, unsigned events); /* a client's socket is ready */
int conn_send(struct session *s, const void *buf, size_t len);
void conn_close(struct session *s);
void conn_resume_accepting(struct engine *e, long long now);
void conn_release(struct engine *e, struct session *s);
void conn_flush_all(struct engine *e);            /* stopping: a last try to send what is queued */
void conn_free_all(struct engine *e);
void conn_fini(struct engine *e);

/* engine_dgram.c: datagram peers (udp, unixgram). */
void dgram_read(struct engine *e);                /* the socket is readable */
int dgram_send(struct session *s, const void *buf, size_t len);
void dgram_retry(struct engine *e, long long now); /* replies that found no room, oldest first */
void dgram_expire(struct engine *e, long long now); /* quiet peers end */
void dgram_release(struct engine *e, struct session *s);
void dgram_flush_all(struct engine *e);
void dgram_free_all(struct engine *e);

#endif
