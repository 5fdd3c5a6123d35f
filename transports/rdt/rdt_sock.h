/* rdt_sock.h - rdt as a socket: a protocol thread per UDP socket drives the cores; the application holds one end of a socketpair per connection. */
#ifndef SOCKLAB_RDT_SOCK_H
#define SOCKLAB_RDT_SOCK_H


#include "core/engine/peer_table.h"
#include "core/engine/poller.h"
#include "core/transport.h"
#include "transports/udp.h"
#include "rdt.h"

/*
 * The core (rdt.h) makes no system call and needs its caller at the times it
 * names, even when the application is busy elsewhere or blocked in a read.
 * Every socklab program waits on s->fd with poll, epoll or a blocking recv and
 * trusts what it says. So a socket of rdt is two halves:
 *
 *   application                          protocol thread (one per process)
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
 * One thread serves every rdt socket of the process (a thousand clients are
 * a thousand drivers, not a thousand threads); it runs while one exists.
 *
 *   rdt_transport.c  the table: what the application's calls do
 *   rdt_hub.c        the thread: one wait for every descriptor, then the drivers concerned
 *   rdt_driver.c     one UDP socket: datagrams in, connections moved, datagrams out
 *   rdt_burst.c      datagrams, many per system call (recvmmsg, sendmmsg, UDP_SEGMENT, UDP_GRO)
 *   rdt_chan.c       one connection: its core, its pair, its end
 *   rdt_pieces.c     messages cut into pieces that fit a packet, and joined again
 *   rdt_demux.c      a listener: peers by address, new connections, strangers, accept
 *   rdt_life.c       lifetimes: a driver's creation and end, the process's exit and fork
 *
 * Locking: one lock (rdt_lock) guards every driver and chan; the thread holds
 * it except while it waits. The application's calls take it for a moment
 * (dial, accept, shutdown, close, stats); send and recv never do.
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
#define RDT_UDP_RCVBUF (16 << 20) /* the receive buffer asked for each UDP socket: bursts of many peers, and
				    * each small datagram costs the kernel 2 KiB or more of it (its skb) */
#define RDT_SOCK_RETRIES 12     /* timeouts in a row before a socket's connection fails: about 6 s of silence */
#define RDT_MESSAGE_MAX 65527   /* the largest message at all (IPv6's UDP datagram); IPv4's is 65507 */

struct rdt_driver;

/* One connection: its core, its end of the pair, and what the application's thread shares with it. */
struct rdt_chan {
	struct rdt_driver *d;
	struct rdt *core;
	struct peer_entry entry; /* the peer's address; on a listener, the key in d->peers */
	struct addr local;       /* listener: the address the peer sends to, where replies leave from */
	int fd;                  /* the thread's end of the pair */
	int app_fd;              /* the application's end until it is handed over (dial, accept), then -1 */
	size_t message_max;      /* the largest message: what a UDP datagram could hold (rdt_pieces.c) */
	unsigned char *piece_in, *piece_out; /* one piece each way: the core's payload */
	unsigned char *in_msg;   /* the message being joined again (RDT_MESSAGE_MAX), made on first use */
	size_t in_len;
	const unsigned char *staged; /* a whole message for the pair, which had no room for it yet */
	size_t staged_len;
	int has_staged;
	const unsigned char *out_src; /* the application's message being cut into pieces: in the thread's buffer, or out_msg */
	unsigned char *out_msg;  /* where it is kept when the core had no room for all its pieces, made on first use */
	size_t out_len, out_off;
	struct rdt_stash {       /* messages read from the pair after it, kept in order until the core has room */
		struct rdt_stash *next;
		size_t len;
		unsigned char data[];
	} *stash, *stash_last;
	int out_busy;            /* some of its pieces are not in the core yet */
	unsigned long long taken; /* messages read from the pair */
	/* Shared with the application (under rdt_lock, or atomic). */
	_Atomic unsigned long long sent; /* messages the application's sends put in the pair */
	unsigned long long eof_at;       /* with eof: after that many messages, the application's end */
	int eof, app_closed, handed;
	_Atomic int error;     /* the connection failed: send reports it */
	_Atomic int end_error; /* the end the application reads was that failure: recv reports it */
	/* The thread's own. */
	int closing;           /* rdt_close called */
	int end_passed;        /* the end (or failure) given to the application: its reads end */
	int hup;               /* the pair reported a hang-up: never watched again */
	int watched;           /* its pair is in the thread's poller, watched for events */
	unsigned events;
	long long due;         /* the core's next timer (us, the driver's clock), or -1 */
	int dirty;             /* in the driver's list of connections to move at the next round */
	struct rdt_chan *dnext;
	int queued;            /* listener: waiting in the accept queue */
	int in_peers;          /* listener: in d->peers, where datagrams from its peer's address find it */
	long long grace_at;    /* closed by the application, FIN acknowledged: reset if the peer's FIN is not in by then */
	struct rdt_chan *next, *prev, *qnext;
};

/* One UDP socket and its connections: a client's one, or every peer of a listener. */
struct rdt_driver {
	struct sock udp;         /* what rdt is made of: the udp transport's socket, impaired on request */
	struct rdt_config cfg;
	int listener;            /* 1: peers are told apart by address (rdt_demux.c) */
	int one_addr;            /* a listener bound to one address (not 0.0.0.0 or ::): every reply leaves from it */
	struct addr here;        /* with one_addr: that address and port, where every datagram arrives */
	int gro;                 /* UDP_GRO asked for: its socket is read only with udp_recv_coalesced (rdt_burst.c) */
	int listening, backlog;  /* taking new connections, and how many may wait */
	int acc[2];              /* listener: acc[0] becomes its s->fd (then -1 here), readable while a connection waits */
	struct peer_table peers;
	struct rdt_chan *chans;
	unsigned nchans, pending; /* pending: not accepted yet (in the handshake, or queued) */
	struct rdt_chan *q_head, *q_tail;
	struct rdt_chan *dirty;  /* chans to move at the next round (rdt_chan_touch) */
	int refs;                /* the application's sockets on this driver: its listener, its connections */
	int hubbed;              /* the thread serves it (rdt_hub.c) */
	int retired;             /* the thread is done with it: whoever holds the last reference frees it */
	int forked;              /* a copy in a child of fork(): no thread here serves it */
	int stopping;            /* the process exits: close every connection, as the kernel would */
	long long linger_at;     /* the last socket closed, or the process exits: reset what is left then (0: not yet) */
	unsigned char *in, *out; /* one datagram each way */
	size_t dgram_max;
	struct rdt_stats gone;   /* what the connections already freed counted (a listener's totals) */
	unsigned long long strangers, malformed, resets; /* listener: datagrams no connection took */
	struct rdt_driver *hub_next, *hub_prev; /* the thread's list */
};

/* What an application's socket points to (s->state): a listener (c NULL) or a connection. */
struct transport_state {
	struct rdt_driver *d;
	struct rdt_chan *c;
};


/* rdt_open.c: the table's bind, listen, accept and dial. */
int rdt_sock_bind(struct sock *s, const struct addr *a);
int rdt_sock_listen(struct sock *s, int backlog);
int rdt_sock_accept(struct sock *s, struct sock *out);
int rdt_sock_dial(struct sock *s, const struct addr *a);

/* rdt_life.c */
long long rdt_now(void);        /* the monotonic clock, microseconds */
uint64_t rdt_random(void);      /* 64 unpredictable bits: ISN and connection id */
/*
 * rdt's options (the endpoint's own, others ignored) into *cfg, the core's
 * payload one byte larger than asked for this layer's framing (rdt_pieces.c).
 * 0, or -1 with one line in why.
 */
int rdt_sock_config(const char *options, struct rdt_config *cfg, char *why, size_t whylen);
/* A driver for options (NULL: defaults), its UDP socket not made yet. NULL with errno (EINVAL, ENOMEM). */
struct rdt_driver *rdt_driver_new(const char *options, int listener);
/* Impairs d's UDP socket as options ask (drop=, dup=...: the impairment layer's, beneath rdt). 0 or -1. */
int rdt_driver_impair(struct rdt_driver *d, const char *options);
void rdt_driver_free(struct rdt_driver *d);   /* closes and frees everything, chans included; not in the hub */
/*
 * One socket of the application less (under rdt_lock, which it releases).
 * The last one waits until the thread is done with d (RDT_LINGER_MS at
 * most: the thread resets what is left then), and frees it.
 */
void rdt_driver_release(struct rdt_driver *d);

/* rdt_hub.c: the one protocol thread. */
void rdt_lock(void);
void rdt_unlock(void);
/* Hands d to the thread, starting it if it does not run. Under rdt_lock. 0, or -1 with errno. */
int rdt_hub_add(struct rdt_driver *d);
/* The thread looks again (something changed: a close, a shutdown, a new driver). Under rdt_lock. */
void rdt_hub_wake(void);
/* Waits, under rdt_lock, until the thread has made a round, or until deadline (us; -1 none). 0, or -1 ETIMEDOUT. */
int rdt_hub_wait(long long deadline);
/* Descriptors the thread waits on: a pair (c), or a driver's UDP socket (c NULL). Under rdt_lock. */
int rdt_hub_watch(int fd, unsigned events, struct rdt_driver *d, struct rdt_chan *c);
void rdt_hub_unwatch(int fd);
/* Under rdt_lock: once the last driver is gone and the thread has ended, joins it. Never waits otherwise. */
void rdt_hub_settle(void);
/* The process exits: every driver stops (RDT_LINGER_MS), then the thread ends (rdt_life.c's atexit). */
void rdt_hub_exit(void);
/* In a child of fork(): the thread is the parent's; the drivers here are copies nobody serves. */
void rdt_hub_forget(void);

/* rdt_driver.c */
/* Puts c in the list of connections to move at the next round. Under rdt_lock; wake the thread if not in it. */
void rdt_chan_touch(struct rdt_chan *c);
/* Moves the connections due (their timers, or touched). Returns the next timer, us from now, or -1. */
long long rdt_driver_run(struct rdt_driver *d, long long now);
/* What the UDP socket has: each datagram to its connection. */
void rdt_driver_input(struct rdt_driver *d, long long now);
/* A pair's event: c is to move; hup: its application's end is gone or shut (never watched again). */
void rdt_driver_event(struct rdt_driver *d, struct rdt_chan *c, int hup);
int rdt_driver_done(const struct rdt_driver *d); /* nothing left for the thread to do for d */
/* What c counted, into d's totals (a listener's stats outlive its connections). */
void rdt_driver_fold(struct rdt_driver *d, const struct rdt_chan *c);
/*
 * Sends at once what c's core has to send after a datagram it took: its ACK
 * leaves before the next datagram is read. A round that reads a burst would
 * otherwise answer it with one ACK for all (the core gives packets that
 * arrive together one ACK), and that ACK lost times out every packet of the
 * burst: with one ACK each, the next ACK covers a lost one (selective
 * repeat's per-packet ACKs).
 */
void rdt_driver_answer(struct rdt_driver *d, struct rdt_chan *c, long long now);
/* Sends one datagram to c's peer (c NULL: a client's one peer). A failure is a loss, which the protocol repairs. */
void rdt_driver_transmit(struct rdt_driver *d, struct rdt_chan *c, const void *buf, size_t len);

/* rdt_burst.c: datagrams, many per system call; the thread's buffers. Under rdt_lock. */
/* Reads what d's UDP socket holds in one call, each to its connection: 1; 0: not here (a listener); -1 errno. */
int rdt_burst_input(struct rdt_driver *d, long long now);
/* Where the next datagram for d goes: rdt_output writes there, then rdt_burst_queue takes it. */
unsigned char *rdt_burst_slot(struct rdt_driver *d);
void rdt_burst_queue(struct rdt_driver *d, struct rdt_chan *c, unsigned char *slot, size_t len);
/* Sends what d queued, in one call when the kernel takes it. Before the thread moves to another driver, or waits. */
void rdt_burst_flush(struct rdt_driver *d);
void rdt_burst_free(void); /* the thread ends: its buffers go */

/* rdt_chan.c */
/* A new connection on d with peer, and its socketpair. NULL with errno. Not in any list yet. */
struct rdt_chan *rdt_chan_new(struct rdt_driver *d, const struct addr *peer);
void rdt_chan_free(struct rdt_chan *c);
/* Moves messages both ways and sends what the core has to send. Returns the core's next wake-up (rdt_next_wake). */
long long rdt_chan_pump(struct rdt_chan *c, long long now);
/* What the thread should watch c->fd for now (POLLER_IN, POLLER_OUT), or 0. */
unsigned rdt_chan_events(const struct rdt_chan *c);
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
/* Takes the first connection waiting for accept, or NULL; app_fd is the listener's s->fd. Under rdt_lock. */
struct rdt_chan *rdt_demux_pop(struct rdt_driver *d, int app_fd);
/* Adds c to d's list (and its peer table, on a listener); unlinks it. */
int rdt_demux_link(struct rdt_driver *d, struct rdt_chan *c);
void rdt_demux_unlink(struct rdt_driver *d, struct rdt_chan *c);

/* rdt_pieces.c: the application's messages into the core, in pieces; the core's pieces, joined, into the pair. */
void rdt_pieces_take(struct rdt_chan *c, long long now);
void rdt_pieces_deliver(struct rdt_chan *c);
void rdt_pieces_free(void); /* the thread ends: its buffer for messages taken from the pairs goes */
/* The application will read no more: after the peer's end (err 0), or the connection's failure err. */
void rdt_chan_end(struct rdt_chan *c, int err);

/* The core's events, narrated under --trace (rdt_chan.c). */
void rdt_chan_event(void *ctx, const struct rdt_event *e);

/* Plumbing between socklab's threads, not the program's calls: untraced, never blocking (rdt_chan.c). */
ssize_t rdt_plumb_send(int fd, const void *buf, size_t len);
ssize_t rdt_plumb_recv(int fd, void *buf, size_t len);

#endif
