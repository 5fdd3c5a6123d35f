/* rdt.h - the pure core of rdt: reliable, ordered messages over datagrams, stop-and-wait, Go-Back-N or selective repeat. */
#ifndef SOCKLAB_RDT_H
#define SOCKLAB_RDT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rdt_config.h"
#include "rdt_wire.h"

/*
 * One end of one rdt connection, as a state machine that makes no system
 * call: the caller hands it datagrams that arrived (rdt_input), messages to
 * send (rdt_send) and the time; it hands back datagrams to transmit
 * (rdt_output), messages that arrived in order (rdt_recv) and when it next
 * needs the caller (rdt_next_wake). Time is any monotonic clock, in
 * microseconds (now); tests inject theirs.
 *
 * Driving it from a non-blocking UDP socket and poll(2):
 *
 *   loop:
 *     while ((n = rdt_output(c, now, buf, sizeof buf)) > 0) sendto(buf, n)
 *     wake = rdt_next_wake(c, now)          -1: no timer; else microseconds
 *     poll(fd, POLLIN, wake < 0 ? -1 : (wake + 999) / 1000)
 *     while (recvfrom(fd, buf) > 0) rdt_input(c, buf, n, now)
 *     then rdt_recv() / rdt_send() as the application wants, and again
 *
 * Call rdt_output until it returns 0 after every other call (input, send,
 * recv, close) and whenever the time rdt_next_wake gave has passed: timers
 * fire inside rdt_output, and a timeout past the retry limit is noticed there.
 * rdt_next_wake never says 0 right after rdt_output returned 0. A datagram
 * the caller fails to send (EAGAIN, ENOBUFS) may be dropped: to the protocol
 * it is a loss, and a timer repairs it. Round the wake-up up, never down: an
 * early wake-up only costs a loop, a late one is the granularity G the RTO
 * allows for (cfg.granularity, 1 ms as poll(2) counts).
 *
 * Opening: a client calls rdt_connect and waits for rdt_established (or
 * rdt_error). A server keeps one core per peer address: on a datagram from an
 * address it does not know, it decodes it (rdt_wire_decode) and, if it is a
 * bare SYN, makes a core, rdt_listen and rdt_input; otherwise it may answer
 * { .flags = RDT_RST, .conn = h.conn }, which the client sees as ECONNREFUSED
 * (in SYN_SENT) or ECONNRESET. Closing: rdt_close, then go on driving until
 * rdt_closed: the side that closes last waits in LAST_ACK for the ACK of its
 * FIN; the other lingers in TIME_WAIT for 4 RTOs (40 ms at the 10 ms floor)
 * to acknowledge that FIN again if it comes again.
 *
 * Errors: functions return -1 and set errno, as the socket calls do, so the
 * transport passes errno on unchanged. A connection that fails keeps its
 * reason (rdt_error): ETIMEDOUT when the retransmission limit is reached,
 * ECONNREFUSED for an RST answering our SYN, ECONNRESET for a later RST,
 * EPROTO when the peer's SYN+ACK broke the rules. Messages that arrived in
 * order before a failure can still be read; then rdt_recv gives the error.
 *
 * Trust: datagrams are checked (CRC-32C, flags, lengths, numbers within the
 * sequence space and the window); a datagram with another connection's id is
 * a stranger's. The 32-bit random connection id is the only secret: someone
 * who sees the traffic can forge it, as with TCP's sequence numbers.
 *
 * Memory: rdt_new allocates every buffer from the config (window, send queue,
 * receive buffer, largest payload); nothing grows with what peers send.
 */

/* The states, with TCP's names (RFC 793 figure 6) where rdt has the same state. */
enum rdt_state {
	RDT_CLOSED,      /* not opened yet, or over (rdt_error says whether it failed) */
	RDT_LISTEN,      /* passive: waiting for a SYN */
	RDT_SYN_SENT,    /* active: SYN sent, waiting for SYN+ACK */
	RDT_SYN_RCVD,    /* passive: SYN+ACK sent, waiting for the ACK that ends the handshake */
	RDT_ESTABLISHED, /* both directions open */
	RDT_FIN_WAIT_1,  /* we closed: our FIN not yet acknowledged */
	RDT_FIN_WAIT_2,  /* our FIN acknowledged; the peer may still send */
	RDT_CLOSE_WAIT,  /* the peer closed; we may still send */
	RDT_CLOSING,     /* both closed at once: our FIN not yet acknowledged */
	RDT_LAST_ACK,    /* the peer closed, then we did: our FIN not yet acknowledged */
	RDT_TIME_WAIT,   /* all done, lingering to acknowledge the peer's FIN again if it comes again */
};

/* What happened, for narration (--trace). */
enum rdt_event_kind {
	RDT_EV_STATE,       /* state change: from, to (and error, when it failed) */
	RDT_EV_SEND,        /* a new packet sent: seq, len; in flight with it (why: "FIN" for a FIN) */
	RDT_EV_RETRANSMIT,  /* a packet sent again: seq; count: its transmission; why ("timeout", "fast retransmit"...) */
	RDT_EV_TIMEOUT,     /* a timer expired for seq: rto is the new RTO, backoff its doublings (count: at rto_max) */
	RDT_EV_ACK,         /* an ACK arrived: ack, window (its wnd), and sack when count is 1 */
	RDT_EV_DUPACK,      /* a duplicate ACK: ack, count so far */
	RDT_EV_FAST,        /* fast retransmit of seq: why (three duplicate ACKs; SR: three later packets ACKed) */
	RDT_EV_SLIDE,       /* the send window slid: from -> to (base) */
	RDT_EV_RTT,         /* an RTT sample: rtt, and srtt, rttvar, rto after it */
	RDT_EV_DELIVER,     /* a packet arrived in order: seq, len (why: "FIN" for the peer's FIN) */
	RDT_EV_DUPLICATE,   /* a packet already received arrived again: seq, discarded */
	RDT_EV_HELD,        /* a packet arrived out of order and is held (SR): seq, expected */
	RDT_EV_DROPPED,     /* a packet dropped: out of order (GBN), or why "no room": seq, expected (ack) */
	RDT_EV_IGNORED,     /* a datagram ignored: why (malformed, stranger, out of window) */
	RDT_EV_PROBE,       /* the peer's window is zero: probing with seq */
	RDT_EV_CWND,        /* cc=aimd: the congestion window changed: cwnd, ssthresh; why */
};

struct rdt_event {
	enum rdt_event_kind kind;
	long long now;                 /* when, in the caller's microseconds */
	uint32_t seq, ack, sack;       /* as on the wire */
	uint32_t len;                  /* payload bytes */
	uint64_t from, to;             /* SLIDE: base before and after (as on the wire); STATE: enum rdt_state */
	unsigned count;                /* DUPACK: how many so far; SEND, SLIDE: packets in flight; CWND: cwnd */
	unsigned window;               /* SEND: the window in force; ACK: the peer's wnd; CWND: ssthresh */
	long long rtt, srtt, rttvar, rto; /* microseconds */
	unsigned backoff;              /* TIMEOUT: the RTO's doublings since the last sample */
	int error;                     /* STATE: the errno of a failure, or 0 */
	const char *why;               /* a short reason or name, or NULL (see each kind) */
};

/* What the core counted: every figure here is something that happened. */
struct rdt_stats {
	uint64_t datagrams_sent, datagrams_received;
	uint64_t data_sent;                        /* first transmissions of DATA and FIN packets */
	uint64_t retransmits_timeout, retransmits_fast, probes;
	uint64_t timeouts;                         /* timer expiries (SYN, data) */
	uint64_t acks_received, dupacks;
	uint64_t duplicates;                       /* packets received again, discarded */
	uint64_t held, dropped;                    /* arrived out of order: held (SR), dropped (GBN) */
	uint64_t no_room;                          /* dropped: the receive buffer was full (zero-window probes) */
	uint64_t messages_sent, bytes_sent;        /* accepted by rdt_send */
	uint64_t messages_delivered, bytes_delivered; /* handed out by rdt_recv */
	uint64_t malformed, strangers, out_of_window; /* ignored datagrams */
	long long srtt, rttvar, rto;               /* microseconds; srtt 0 before any sample */
	unsigned cwnd, ssthresh;                   /* packets; cc=none: cwnd is the window */
	unsigned window, peer_window;              /* the window agreed, and the peer's last advertised room */
};

typedef void rdt_event_fn(void *ctx, const struct rdt_event *e);

struct rdt;

/*
 * A new connection end, closed, with the buffers cfg asks for. cfg must pass
 * rdt_config_check. Returns NULL with errno EINVAL (a bad config) or ENOMEM.
 * on_event (may be NULL) is called with ctx for every event, synchronously.
 */
struct rdt *rdt_new(const struct rdt_config *cfg, rdt_event_fn *on_event, void *ctx);

/* Frees c and everything it holds (NULL is fine). Sends nothing: close first. */
void rdt_free(struct rdt *c);

/*
 * Active open: the next rdt_output is a SYN. random supplies the initial
 * sequence number (low 32 bits, masked to seqbits) and the connection id
 * (high 32 bits): pass real randomness, or a chosen value in tests. Returns 0,
 * or -1 EISCONN when c was opened before.
 */
int rdt_connect(struct rdt *c, uint64_t random, long long now);

/* Passive open: waits for a SYN from rdt_input. random: the ISN, as above. 0, or -1 EISCONN. */
int rdt_listen(struct rdt *c, uint64_t random);

/*
 * A datagram arrived. Returns 0 when it was used, or -1 when it was ignored:
 * errno EBADMSG (malformed, corrupted) or EPROTO (not for this connection, or
 * not acceptable now). Ignored datagrams are counted; the connection goes on.
 */
int rdt_input(struct rdt *c, const void *dgram, size_t len, long long now);

/*
 * The next datagram to transmit at now (data, a retransmission, an ACK, SYN,
 * FIN, RST), written at buf. Fires the timers that are due. Returns its
 * length, 0 when nothing is to be sent now, or -1 EINVAL when cap is less than
 * rdt_datagram_max(c).
 */
ssize_t rdt_output(struct rdt *c, long long now, void *buf, size_t cap);

/* The largest datagram rdt_output can write: the header and the largest payload. */
size_t rdt_datagram_max(const struct rdt *c);

/*
 * Microseconds from now until rdt_output must be called again for a timer
 * (0: it has something to send already), or -1 when no timer runs.
 */
long long rdt_next_wake(const struct rdt *c, long long now);

/*
 * Queues one message of len bytes (0 allowed) to be delivered whole. Returns
 * len, or -1: EAGAIN when the send buffer is full or the handshake is not over,
 * EMSGSIZE when len exceeds the largest payload, EPIPE after rdt_close,
 * ENOTCONN when never opened, or the connection's error when it failed.
 */
ssize_t rdt_send(struct rdt *c, const void *msg, size_t len, long long now);

/*
 * The next message in order. Returns 1 with its length in *len (copied into
 * buf, up to cap bytes), 0 at the end of the stream (the peer's FIN, after its
 * last message), or -1: EAGAIN when nothing has arrived yet, ENOTCONN when
 * never opened, or the connection's error. A message longer than cap: with
 * truncated, *truncated is set and the rest discarded; without, -1 EMSGSIZE
 * and the message stays for a larger buffer. buf NULL takes the message
 * without a copy (the caller read it with rdt_peek).
 */
int rdt_recv(struct rdt *c, void *buf, size_t cap, size_t *len, int *truncated);

/*
 * The k-th message waiting in order (0: the one rdt_recv gives next), left
 * where it is: 1 with *data and *len pointing into c, valid until the next
 * call that changes c; 0 when there are not k+1 messages before the end (or
 * the end itself). For a caller that hands several on at once, then takes
 * with rdt_recv(c, NULL, ...) as many as went.
 */
int rdt_peek(const struct rdt *c, unsigned k, const unsigned char **data, size_t *len);

/*
 * Ends our direction (shutdown(SHUT_WR), or close): a FIN follows the queued
 * messages. Messages may still arrive. Returns 0, or -1 ENOTCONN before the
 * handshake is over. Calling it again does nothing.
 */
int rdt_close(struct rdt *c, long long now);

/*
 * With cfg.ack_every 2, the ACK of an odd packet in order waits for the next
 * one (an ACK every other packet, RFC 1122 4.2.3.2's delayed ACK); this says
 * the caller has no more datagrams for now: the ACK held back is owed, and
 * the next rdt_output sends it. Call it before waiting. Nothing held: nothing.
 */
void rdt_ack_flush(struct rdt *c);

/* Gives up at once: the next rdt_output is an RST, and c is closed. */
void rdt_abort(struct rdt *c);

enum rdt_state rdt_state(const struct rdt *c);
const char *rdt_state_name(enum rdt_state s); /* "ESTABLISHED" */
int rdt_error(const struct rdt *c);          /* errno of a failure, or 0 */
int rdt_established(const struct rdt *c);   /* handshake over and not closed yet */
int rdt_closed(const struct rdt *c);         /* RDT_CLOSED after an open: over, failed or not */
int rdt_readable(const struct rdt *c);       /* rdt_recv would not say EAGAIN */
int rdt_writable(const struct rdt *c);       /* rdt_send would not say EAGAIN */
unsigned rdt_send_room(const struct rdt *c); /* messages of one packet rdt_send would take now */
uint32_t rdt_conn_id(const struct rdt *c);   /* the connection id, once known */
unsigned rdt_payload_max(const struct rdt *c); /* the largest message: agreed in the handshake, the config's before */
void rdt_get_stats(const struct rdt *c, struct rdt_stats *out);

/* One line for e, without a newline, cut to cap: "rdt: timeout seq=7, RTO now 40 ms (backoff x2)". */
void rdt_event_format(const struct rdt_event *e, char *buf, size_t cap);

#endif
