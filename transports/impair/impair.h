/* impair.h - an unreliable network on demand: the impairment layer, a transport that wraps another. */
#ifndef SOCKLAB_IMPAIR_H
#define SOCKLAB_IMPAIR_H

#include <stddef.h>

#include "core/transport.h"

struct endpoint;

/*
 * The impairment layer is a decorator: a transport table (impair_transport,
 * transports/impair/impair.c) whose operations call the wrapped transport's, after
 * doing to the data what can really happen to it. An endpoint asks for it
 * after '?', and the side that opened that endpoint gets it:
 *
 *   udp://127.0.0.1:5555?drop=0.1&seed=7      tcp://127.0.0.1:5555?chunk=1
 *
 *   drop=P     udp: each datagram is lost with probability P (0 to 1)
 *   dup=P      udp: each datagram is sent twice with probability P
 *   reorder=P  udp: each datagram is held back with probability P, and goes
 *              out after the next one (or, if none comes, when its socket is
 *              about to wait for data, or closes: late, never lost). When the
 *              socket has no room for it then, it stays held for the next
 *              chance; one that cannot go at all (its peer is gone) is counted
 *              (held_lost)
 *   delay=MS   every send waits MS milliseconds first (the sender waits: no
 *              threads); a stop signal ends the wait (impair_hurry)
 *   chunk=N    streams: each send and each recv moves at most N bytes
 *   seed=S     the seed of the random choices (default 1): the same seed and
 *              the same calls give the same losses, run after run. The n-th
 *              socket a process impairs draws from seed + n, so that two
 *              clients do not lose the same datagrams; a connection accepted
 *              by an impaired listener draws its seed from the listener.
 *
 * Only what can really happen to a transport is offered. Loss, duplication
 * and reordering happen to UDP datagrams, the one transport that is not
 * reliable (TRANSPORT_RELIABLE): on any other, drop, dup and reorder are
 * refused (impair_parse_options, exit 2 in the demos). TCP repairs loss
 * itself, with retransmissions a sender-side simulation cannot show (make
 * lab runs TCP over a kernel that drops packets), and Linux never loses a
 * unix datagram (unix(7): "always reliable and don't reorder datagrams"):
 * a full receiver makes the sender wait. delay and chunk
 * apply to every transport; chunk has no effect on a message transport: a
 * message cannot be cut.
 *
 * An impaired socket keeps the facts of the transport it wraps (s->flags);
 * its s->t points at a copy of impair_transport carrying those facts and the
 * wrapped scheme, so that everything that prints or asks about a socket sees
 * the transport it wraps. accept() on an impaired listener gives impaired
 * connections. Everything is freed by close.
 *
 * The network is simulated on the way out, so that poll(2) on the socket
 * never lies to the receiver. Two consequences: a datagram the layer drops
 * never reaches the kernel, so an error the kernel would have given it
 * (EMSGSIZE) does not show; and the delays are the sender's (its send()
 * returns late), since without threads nothing can carry data in the meantime.
 */

/* The parameters, from the endpoint's options. Zero everywhere means no impairment. */
struct impair_params {
	double drop, dup, reorder; /* probabilities, 0 to 1, drawn per datagram (udp only) */
	int delay_ms;              /* every send waits this long first */
	size_t chunk;              /* streams: at most this many bytes per send and recv; 0: no limit */
	unsigned long long seed;
};

/* A datagram held back by reorder=, waiting for the next one to overtake it. */
struct impair_held {
	char *buf; /* NULL when nothing is held */
	size_t len;
	struct addr to;   /* where sendto() was sending it */
	struct addr from; /* the local address it leaves from (sendto's from), len 0 when the kernel chooses */
	int via_sendto; /* 0: it was a send() to the dialed peer */
};

/* What the layer did to one socket's datagrams, as it happened. */
struct impair_counts {
	unsigned long long lost;      /* drop=: dropped before the kernel saw them */
	unsigned long long twice;     /* dup=: sent a second time */
	unsigned long long held;      /* reorder=: held back... */
	unsigned long long late;      /* ...and sent later, once overtaken */
	unsigned long long held_lost; /* ...and never sent: the peer had gone (or no room was left at close) */
};

/* The state of one impaired socket, hanging off s->impair. */
struct impair {
	const struct transport *inner; /* the wrapped transport's table */
	struct transport table;        /* what s->t points at: impair_transport with inner's facts */
	struct impair_params p;
	unsigned long long rng; /* the generator's state (xorshift64*) */
	int waited;             /* the last send waited, then failed (EAGAIN): its retry does not wait again */
	struct impair_held held;
	struct impair_counts counts;
};

/* What the layer has done to s's datagrams so far, or NULL when s is not impaired. */
static inline const struct impair_counts *impair_counts_of(const struct sock *s)
{
	return s->impair ? &s->impair->counts : NULL;
}

/*
 * A stop signal came: every wait the layer puts in from now on (delay=, a
 * retransmission), and the one in progress, ends at once, so that a process
 * that is stopping is not held up by a simulation. Async-signal-safe: the
 * handlers of demos/cli_process.c call it.
 */
void impair_hurry(void);

/* The decorator's table (transports/impair/impair.c). Its facts are copied from the wrapped transport. */
extern const struct transport impair_transport;

/*
 * Checks the options of an endpoint of transport t (the text after '?').
 * Returns 0, or -1 with a message in why naming the bad option, or, for
 * drop, dup or reorder on a reliable transport, saying why they are refused
 * (and that make lab shows real loss). t NULL checks the options alone.
 */
int impair_parse_options(const struct transport *t, const char *options, char *why, size_t whylen);

/*
 * The i-th option an endpoint may ask for after '?': its name ("drop"), the
 * name of its value in *value ("P") and what it does in *about; NULL past
 * the last (for the manual page).
 */
const char *impair_option_at(size_t i, const char **value, const char **about);

/* As impair_parse_options(), and fills *p (unnamed parameters are 0, the seed 1). */
int impair_parse(const char *options, struct impair_params *p, char *why, size_t whylen);

/*
 * When ep names impairments, wraps s (already bound or dialed) so that its
 * operations pass through the impairment layer. Returns 0, or -1 with errno
 * (ENOMEM; EINVAL for options impair_parse_options() refuses).
 */
int impair_attach(struct sock *s, const struct endpoint *ep);

/*
 * A new impairment state wrapping inner with parameters p, its generator
 * seeded from seed. NULL with errno ENOMEM. impair_free() releases it and
 * anything it still holds (without sending it).
 */
struct impair *impair_new(const struct transport *inner, const struct impair_params *p, unsigned long long seed);
void impair_free(struct impair *im);

/*
 * splitmix64: the generator state a seed gives, any seed (0 included) spread
 * into a well-mixed, non-zero state for xorshift64*. Pure; never fails.
 */
unsigned long long impair_seed_state(unsigned long long seed);

/* The generator at *rng, without a socket: its next 64 bits, and a draw of probability p (as below). */
unsigned long long impair_next_state(unsigned long long *rng);
int impair_chance_state(unsigned long long *rng, double p);

/* The next 64 random bits of im's generator. */
unsigned long long impair_next(struct impair *im);

/* Draws one number from im's generator: 1 with probability p, else 0. Always draws, so runs repeat. */
int impair_chance(struct impair *im, double p);

/*
 * One datagram through the layer, as send() (to NULL) or sendto() of an
 * impaired datagram socket: drop, dup and reorder drawn for it. As send().
 */
ssize_t impair_datagram_send(struct sock *s, const void *buf, size_t len, const struct addr *to,
			     const struct addr *from);
/* Before a receive that may wait: a datagram held back by reorder= goes out now, late rather than never. */
void impair_release_if_idle(struct sock *s);

/*
 * The batch operations (impair_batch.c). Every message of a batch meets the
 * fate one send() would have given it, drawn in the same order from the same
 * generator, so a seed loses the same datagrams either way (see the file for
 * delay= and reorder=). Returns as sock_send_batch() and sock_recv_batch().
 */
ssize_t impair_send_batch(struct sock *s, struct sock_msg *m, size_t n);
ssize_t impair_recv_batch(struct sock *s, struct sock_msg *m, size_t n);

#endif
