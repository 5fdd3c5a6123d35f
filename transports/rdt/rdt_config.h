/* rdt_config.h - what an rdt connection is asked to be: ARQ mode, window, sequence space, timers; checked and parsed. */
#ifndef SOCKLAB_RDT_CONFIG_H
#define SOCKLAB_RDT_CONFIG_H

#include <stddef.h>

#include "rdt_wire.h"

/*
 * An endpoint's options set these, table-driven (rdt_config.c):
 *
 *   arq=sw|gbn|sr   stop-and-wait (the alternating bit), Go-Back-N, selective repeat (default sr)
 *   window=N        packets in flight, 1-1024 (default 32; sw: 1)
 *   seqbits=K       sequence numbers modulo 2^K, 1-32 (default 32; sw: 1, the alternating bit)
 *   sndbuf=N        messages queued beyond the window before send says EAGAIN, 1-4096 (default 64)
 *   rcvbuf=N        messages arrived in order and not read yet, kept beside the window, 0-4096
 *                   (default 64): the window advertised shrinks only once they are all used
 *   payload=B       the largest message, bytes, 1-65000 (default 1400: with 28 + 8 + 20 bytes of
 *                   rdt, UDP and IPv4 headers, one datagram fits a 1500-byte Ethernet frame)
 *   rto_init=MS     the RTO before any RTT sample (default 100; RFC 6298 2.1 says 1000)
 *   rto_min=MS      the RTO's floor (default 10; RFC 6298 2.4 says 1000: see rdt_rto.h)
 *   rto_max=MS      the RTO's ceiling, backoff included (default 1000)
 *   retries=N       retransmissions in a row, with no ACK heard, before ETIMEDOUT, 1-100 (default 8)
 *   cc=none|aimd    congestion control: none (the window only), or AIMD (slow start,
 *                   additive increase, multiplicative decrease) in packets
 *
 * The window rules (Kurose & Ross, 3.4.3 "Go-Back-N" and 3.4.4 "Selective
 * Repeat", with its problem on window size): with sequence numbers modulo 2^k,
 * Go-Back-N needs N <= 2^k - 1 and selective repeat N <= 2^(k-1); otherwise a
 * packet resent after its ACK was lost carries the number of a new packet the
 * receiver is waiting for.
 * Both rules assume, as the textbook does, that the network does not hold a
 * packet back for longer than a window's worth of others; with seqbits=32 no
 * realistic reordering reaches that far.
 */

#define RDT_WINDOW_MAX 1024
#define RDT_SNDBUF_MAX 4096 /* sndbuf and rcvbuf */
#define RDT_MEMORY_MAX (64LL << 20) /* buffers of one connection, bytes */

enum rdt_cc { RDT_CC_NONE, RDT_CC_AIMD };

struct rdt_config {
	enum rdt_arq arq;
	unsigned window;  /* N */
	unsigned seqbits; /* k */
	unsigned sndbuf;  /* messages queued beyond the window */
	unsigned rcvbuf;  /* messages arrived in order, not read yet, beyond the window */
	unsigned payload; /* the largest message, bytes */
	long long rto_init, rto_min, rto_max; /* microseconds */
	long long granularity;                /* G of RFC 6298, microseconds: 1000, poll(2) counts milliseconds */
	unsigned retries;
	unsigned ack_every; /* in-order packets per ACK: 1, or 2 (the second, or rdt_ack_flush, owes it) */
	enum rdt_cc cc;
	int unsafe; /* tests only: skip the window rules, to show what goes wrong without them */
};

/* The defaults listed above. */
void rdt_config_default(struct rdt_config *c);

/*
 * Checks c: every value in its range, the window rule for its mode and
 * sequence space, the buffers within RDT_MEMORY_MAX. Returns 0, or -1 with one
 * line in why (at most whylen bytes) naming the value, the rule and why.
 */
int rdt_config_check(const struct rdt_config *c, char *why, size_t whylen);

/*
 * Reads options ("arq=sr&window=32&seqbits=3&cc=aimd&rto_min=10") into *c,
 * starting from the defaults; "" gives the defaults. Returns 0, or -1 with
 * one line in why naming the bad option and the range it takes, as
 * rdt_config_check does for combinations.
 */
int rdt_config_parse(const char *options, struct rdt_config *c, char *why, size_t whylen);

/* Is the option named by the n bytes at name one of rdt's (arq, window...)? */
int rdt_option_known(const char *name, size_t n);

/*
 * Splits an endpoint's options in two: rdt's own into mine, the others (the
 * impairment layer's drop=, dup=...) into rest, each in its order, joined by
 * '&'. Returns 0, or -1 ENAMETOOLONG when either does not fit its cap.
 */
int rdt_options_split(const char *options, char *mine, size_t mine_cap, char *rest, size_t rest_cap);

#endif
