/* rdt_sock.h - rdt as a socket: a protocol thread per UDP socket drives the cores; the application holds one end of a socketpair per connection. */
#ifndef SOCKLAB_RDT_SOCK_H
#define SOCKLAB_RDT_SOCK_H

#include <poll.h>
#include <pthread.h>

#include "core/engine/peer_table.h"
#include "core/transport.h"
#include "rdt.h"

/*
 * The core (rdt.h) makes no system call and needs its caller at the times it
 * names, even when the application is busy elsewhere or blocked in a read.
 * Every socklab program waits on s->fd with poll, epoll or a blocking recv and
 * trusts what it says. So a socket of rdt is two halves:
 *
 *   application                          protocol thread (one per UDP socket)
 *   s->fd ===== SOCK_SEQPACKET pair ===== chan->fd   core   UDP socket ~~~ peer
 *
 * The thread moves a message the core delivered into the pair when the pair
 * has room (otherwise it stays in the core and the window advertised shrinks:
 * flow control from the application's reads to the peer), takes a message
 * the application wrote only when the core has room, and runs the timers on
 * the real clock. s->fd is then readable exactly when a message is there,
 * writable exactly when one may be sent, and reads 0 at the peer's end. A
 * listener's s->fd is one end of another pair, readable while a connection
 * whose handshake is over waits to be accepted. The datagrams go through the
 * udp transport's table (impaired when the endpoint asks), never raw calls.
 *
 *   rdt_transport.c  the table: what the application's calls do
 *   rdt_driver.c     the thread's loop: wait, datagrams in, timers, datagrams out
 *   rdt_chan.c       one connection: its core and the messages to and from its pair
 *   rdt_demux.c      a listener: peers by address, new connections, strangers, accept
 *   rdt_life.c       lifetimes: a driver's creation and end, its thread, the process's exit
 *
 * Locking: d->lock guards everything in a driver and its chans; the thread
 * holds it except while it waits in poll(2). The application's calls take it
 * for a moment (accept, shutdown, close, stats); send and recv never do.
 *
 * The end: closing a connection sends a FIN after the messages already sent
 * and returns; the thread finishes the close handshake. The last socket on a
 * UDP socket (a client's connection, or a listener once the application has
 * closed every connection it accepted) waits for that, at most RDT_LINGER_MS,
 * as SO_LINGER makes close(2) wait: when it returns, the peer has seen the
 * end and every descriptor rdt used is closed. A connection whose FIN was
 * acknowledged waits RDT_FIN_GRACE_MS for the peer's own end, then resets
 * (the peer's next send would meet a reset in TCP too). At exit, the
 * connections a program left open are closed the same way (rdt_life.c).
 */

#define RDT_LINGER_MS 2000    /* the most the last close (or the process's exit) waits for the close handshakes */
#define RDT_FIN_GRACE_MS 200  /* closed by the application, our FIN acknowledged: the peer's FIN may come until then */
#define RDT_BACKLOG_MAX 4096    /* connections in the handshake or waiting for accept, per listener */
#define RDT_BATCH 64            /* datagrams read per wake-up, so that every connection gets its turn */

struct rdt_driver;

/* One connection: its core, its end of the pair, and what the application's thread shares with it. */
struct rdt_chan {
	struct rdt_driver *d;
	struct rdt *core;
	struct peer_entry entry; /* the peer's address; on a listener, the key in d->peers */
	struct addr local;       /* listener: the address the peer sends to, where replies leave from */
	int fd;                  /* the thread's end of the pair */
	int app_fd;              /* the application's end until it is handed over (dial, accept), then -1 */
	unsigned payload;        /* the largest message, agreed in the handshake */
	unsigned char *staged;   /* a message the core delivered and the pair had no room for */
	size_t staged_len;
	int has_staged;
	unsigned long long taken; /* messages read from the pair into the core */
	/* Shared with the application (under d->lock, or atomic). */
	_Atomic unsigned long long sent; /* messages the application's sends put in the pair */
	unsigned long long eof_at;       /* with eof: after that many messages, the application's end */
	int eof, app_closed, handed;
	_Atomic int error;     /* the connection failed: send reports it */
	_Atomic int end_error; /* the end the application reads was that failure: recv reports it */
	/* The thread's own. */
	int closing;           /* rdt_close called */
	int end_passed;        /* the end (or failure) given to the application: its reads end */
	int hup;               /* the pair reported a hang-up: never polled again */
	int queued;            /* listener: waiting in the accept queue */
	long long grace_at;    /* closed by the application, FIN acknowledged: reset if the peer's FIN is not in by then */
	struct rdt_chan *next, *prev, *qnext;
};

/* One UDP socket, its thread and its connections: a client's one, or every peer of a listener. */
struct rdt_driver {
	pthread_mutex_t lock;
	struct sock udp;         /* what rdt is made of: the udp transport's socket, impaired on request */
	struct rdt_config cfg;
	int listener;            /* 1: peers are told apart by address (rdt_demux.c) */
	int listening, backlog;  /* taking new connections, and how many may wait */
	int wake[2];             /* the self-pipe: the application's calls wake the thread */
	int acc[2];              /* listener: acc[0] becomes its s->fd (then -1 here), readable while a connection waits */
	struct peer_table peers;
	struct rdt_chan *chans;
	unsigned nchans, pending; /* pending: not accepted yet (in the handshake, or queued) */
	struct rdt_chan *q_head, *q_tail;
	int refs;                /* the application's sockets on this driver: its listener, its connections */
	int running;             /* the thread runs */
	int stopping;            /* the process exits: close every connection, as the kernel would */
	long long linger_at;     /* the last socket closed, or the process exits: reset what is left then (0: not yet) */
	pthread_t thread;
	struct pollfd *pfd;      /* the thread's poll set, and the chan each entry is for */
	struct rdt_chan **pchan;
	unsigned pcap;
	unsigned char *in, *out; /* one datagram each way */
	size_t dgram_max;
	struct rdt_stats gone;   /* what the connections already freed counted (a listener's totals) */
	unsigned long long strangers, malformed, resets; /* listener: datagrams no connection took */
	struct rdt_driver *live_next, *live_prev; /* rdt_life.c's list of drivers with a thread */
};

/* What an application's socket points to (s->state): a listener (c NULL) or a connection. */
struct transport_state {
	struct rdt_driver *d;
	struct rdt_chan *c;
};

/* What rdt is made of (transports/udp.c). */
extern const struct transport udp_transport;

/* rdt_life.c */
long long rdt_now(void);        /* the monotonic clock, microseconds */
uint64_t rdt_random(void);      /* 64 unpredictable bits: ISN and connection id */
/* A driver for options (NULL: defaults), its UDP socket not made yet. NULL with errno (EINVAL, ENOMEM, EMFILE). */
struct rdt_driver *rdt_driver_new(const char *options, int listener);
/* Impairs d's UDP socket as options ask (drop=, dup=...: the impairment layer's, beneath rdt). 0 or -1. */
int rdt_driver_impair(struct rdt_driver *d, const char *options);
void rdt_driver_free(struct rdt_driver *d);   /* closes and frees everything, chans included; no thread */
int rdt_driver_start(struct rdt_driver *d);    /* starts the thread (signals blocked in it). 0 or -1 */
/* One socket of the application less; the last one waits for the thread to end (RDT_LINGER_MS), then frees d. */
void rdt_driver_release(struct rdt_driver *d);
void rdt_driver_wake(struct rdt_driver *d);    /* under d->lock: the thread looks again */

/* rdt_driver.c */
/* One round of the thread's loop, d->lock held (released while waiting at most until deadline, us; -1 none). */
void rdt_driver_step(struct rdt_driver *d, long long deadline);
int rdt_driver_done(const struct rdt_driver *d); /* nothing left for the thread to do */
void *rdt_driver_main(void *arg);
/* Sends one datagram to c's peer. A failure is a loss, which the protocol repairs. */
void rdt_driver_transmit(struct rdt_driver *d, struct rdt_chan *c, const void *buf, size_t len);

/* rdt_chan.c */
/* A new connection on d with peer, and its socketpair. NULL with errno. Not in any list yet. */
struct rdt_chan *rdt_chan_new(struct rdt_driver *d, const struct addr *peer);
void rdt_chan_free(struct rdt_chan *c);
/* Moves messages both ways and sends what the core has to send. Returns the core's next wake-up (rdt_next_wake). */
long long rdt_chan_pump(struct rdt_chan *c, long long now);
/* What the thread should poll c->fd for now (POLLIN, POLLOUT), or 0. */
short rdt_chan_events(const struct rdt_chan *c);
/* Nothing more will happen to c: the core is over and nobody holds it. */
int rdt_chan_finished(const struct rdt_chan *c);
/* The process exits: c ends as if the application had closed it. */
void rdt_chan_stop(struct rdt_chan *c);

/* rdt_demux.c */
/* A datagram of len bytes from from, sent to local, arrived at d: its connection's, a new one, or a stranger's. */
void rdt_demux_input(struct rdt_driver *d, const void *buf, size_t len, const struct addr *from,
		     const struct addr *local, long long now);
/* c's handshake may be over: queue it for accept (listener). */
void rdt_demux_ready(struct rdt_driver *d, struct rdt_chan *c);
/* Takes the first connection waiting for accept, or NULL; app_fd is the listener's s->fd. Under d->lock. */
struct rdt_chan *rdt_demux_pop(struct rdt_driver *d, int app_fd);
/* Adds c to d's list (and its peer table, on a listener); unlinks it. */
int rdt_demux_link(struct rdt_driver *d, struct rdt_chan *c);
void rdt_demux_unlink(struct rdt_driver *d, struct rdt_chan *c);

/* The core's events, narrated under --trace (rdt_chan.c). */
void rdt_chan_event(void *ctx, const struct rdt_event *e);

/* Plumbing between socklab's threads, not the program's calls: untraced, never blocking (rdt_chan.c). */
ssize_t rdt_plumb_send(int fd, const void *buf, size_t len);
ssize_t rdt_plumb_recv(int fd, void *buf, size_t len);

#endif
