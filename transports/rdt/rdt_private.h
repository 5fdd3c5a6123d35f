/* rdt_private.h - inside struct rdt: one state machine, split by concept into connection, sender, receiver and events. */
#ifndef SOCKLAB_RDT_PRIVATE_H
#define SOCKLAB_RDT_PRIVATE_H

#include "rdt.h"
#include "rdt_rto.h"

/*
 * The files of the core call each other: the sender tells the connection its
 * FIN was acknowledged, the receiver that the peer's FIN arrived, everyone
 * emits events. They are one unit, split so that each reads alone:
 *
 *   rdt_conn.c    the state machine: the handshake, the close, what arrives (rdt_input)
 *   rdt_output.c  what leaves (rdt_output), and the application's calls: send, close, state
 *   rdt_send.c    the sender: the window, ACKs, retransmission, AIMD
 *   rdt_timer.c   RFC 6298's RTO, the timers, and when the core next needs the caller
 *   rdt_recv.c    the receiver: in order, out of order, duplicates, the ACK owed, rdt_recv
 *   rdt_event.c   events, their one-line text, names, stats, the invariants (rdt_check)
 *
 * Sequence numbers: inside, every packet has a 64-bit "absolute" number that
 * never wraps (the ISN, then +1 per packet); on the wire only its low seqbits
 * bits travel. A number that arrives is placed back on the absolute line by
 * the one range it can belong to (rdt_unwrap): that is exactly where the
 * window rules come from.
 */

/* One message (or FIN) in a ring: the send ring and the receive ring use the same slots. */
struct rdt_slot {
	unsigned char *data; /* room for the largest payload */
	uint32_t len;
	uint8_t fin;       /* the end of the stream, not a message */
	uint8_t acked;     /* sender, SR: acknowledged out of order. Receiver: present (arrived) */
	uint8_t resend;    /* sender: 0, or why it is due again (RESEND_TIMEOUT, RESEND_FAST) */
	uint8_t sack_owed; /* receiver, SR: its per-packet ACK is not sent yet */
	uint8_t fast;      /* sender, SR: resent once already by fast retransmit */
	unsigned tx;       /* sender: transmissions so far (Karn: an RTT sample only when 1) */
	long long first_sent, deadline, armed; /* sender: first transmission; SR: its timer and the RTO it used */
};

enum { RESEND_TIMEOUT = 1, RESEND_FAST = 2 };

struct rdt {
	struct rdt_config cfg; /* as asked */
	rdt_event_fn *on_event;
	void *ctx;
	long long now; /* the caller's clock at the current call */
	enum rdt_state state;
	int error, opened;
	uint64_t random; /* from rdt_connect/rdt_listen: the ISN and connection id */
	uint32_t conn;
	unsigned seqbits; /* k, agreed in the handshake: the client's */
	uint64_t mask;    /* 2^k - 1 */
	enum rdt_arq arq; /* agreed: the client's */
	unsigned N;       /* the window agreed: at most both sides' */
	unsigned payload; /* the largest message agreed */
	struct rdt_rto rto;
	struct rdt_stats stats;
	unsigned retries; /* timeouts in a row with no ACK heard */

	/* The handshake and the close. */
	uint64_t iss, irs; /* our initial sequence number, the peer's */
	int syn_due;       /* the SYN (or SYN+ACK) is to be sent now */
	unsigned syn_tx;
	long long syn_sent, syn_timer; /* -1: no timer */
	int fin_queued, rst_due;
	long long linger; /* TIME_WAIT ends then; -1 otherwise */

	/* The sender, with Kurose & Ross's names: [base, nextseqnum) in flight, [nextseqnum, tail) queued. */
	struct rdt_slot *snd;
	unsigned snd_cap;
	uint64_t base, nextseqnum, tail;
	uint64_t resend_next; /* GBN: going back N, the next packet to send again (up to nextseqnum) */
	int resend_why;       /* GBN: RESEND_TIMEOUT or RESEND_FAST */
	uint64_t right_edge;  /* the peer's ack + wnd: packets below it fit its buffer */
	unsigned peer_wnd;
	long long timer;   /* GBN and SW: the one timer, for base; -1: off */
	long long sr_due;  /* SR: no packet's timer expires before this (a lower bound, exact after each scan) */
	unsigned resends;  /* SR: packets in flight marked to be sent again (saves a scan of the window) */
	long long persist; /* the peer's window is zero: probe then; -1: off */
	unsigned dupacks;
	int fast_done; /* a fast retransmit was done for this base: never another (no storm) */
	unsigned cwnd, cwnd_acc, ssthresh;
	uint64_t recover; /* cc=aimd: losses below this are the congestion already answered */

	/* The receiver: [rcv_read, rcv_base) arrived in order, not read yet; the window runs to rcv_read + N. */
	struct rdt_slot *rcv;
	unsigned rcv_cap;
	uint64_t rcv_read, rcv_base;
	uint64_t fin_at;   /* the peer's FIN, once it arrived (in order or not); UINT64_MAX: none */
	unsigned ack_owed; /* cumulative ACKs to send (GBN's duplicate ACKs each count) */
	unsigned ack_held; /* packets delivered in order since the last ACK, not owed one yet (cfg.ack_every) */
	unsigned sacks_owed;
	unsigned adv_wnd; /* the window last advertised */

	unsigned char *bytes; /* every slot's data, in one allocation */
};

/* The wire's number for absolute a, and back: the first absolute number >= from with wire value w. */
static inline uint32_t rdt_wire_seq(const struct rdt *c, uint64_t a) { return (uint32_t)(a & c->mask); }
static inline uint64_t rdt_unwrap(const struct rdt *c, uint64_t from, uint32_t w)
{
	return from + ((w - from) & c->mask);
}

/* rdt_send.c: the sender */
void rdt_snd_start(struct rdt *c, uint64_t first, unsigned peer_wnd); /* empty window from first */
int rdt_snd_queue(struct rdt *c, const void *msg, size_t len, int fin); /* 0, or -1 EAGAIN: full */
int rdt_snd_ack(struct rdt *c, const struct rdt_header *h);            /* the ACK fields: -1 if out of window */
int rdt_snd_next(struct rdt *c, struct rdt_header *h);                 /* 1: a packet to send is in h */
int rdt_snd_ready(const struct rdt *c);                                /* rdt_snd_next would give one */
void rdt_snd_resend(struct rdt *c, uint64_t q, int why);               /* SR: packet q is to be sent again */
void rdt_snd_loss(struct rdt *c, int timeout); /* cc=aimd: a loss, by timeout or by three dupacks */

/* rdt_timer.c: timeouts */
void rdt_timers(struct rdt *c);                           /* fires whatever is due at c->now */
int rdt_timeout(struct rdt *c, uint64_t seq, int counts); /* seq's timer expired; -1: one too many */
void rdt_rtt_sample(struct rdt *c, long long rtt);        /* into the RTO, and said */

/* rdt_recv.c: the receiver */
void rdt_rcv_start(struct rdt *c, uint64_t first);                 /* expecting first */
int rdt_rcv_data(struct rdt *c, const struct rdt_header *h);       /* a DATA or FIN: -1 if out of window */
void rdt_rcv_fill_ack(struct rdt *c, struct rdt_header *h);        /* ack, wnd (and SACK) into h */
int rdt_rcv_owes(const struct rdt *c);                             /* an ACK is to be sent */
unsigned rdt_rcv_room(const struct rdt *c);                        /* the window to advertise */

/* rdt_conn.c: the state machine */
void rdt_set_state(struct rdt *c, enum rdt_state s); /* moves, and says so */
void rdt_fail(struct rdt *c, int err);               /* CLOSED with error err */
void rdt_fin_acked(struct rdt *c);                   /* our FIN was acknowledged */
void rdt_peer_fin(struct rdt *c);                    /* the peer's FIN arrived in order */

/* rdt_event.c */
void rdt_emit(struct rdt *c, struct rdt_event *e);
/* For tests and the fuzzer: NULL when every invariant of c holds, else the broken one's text. */
const char *rdt_check(const struct rdt *c);

#endif
