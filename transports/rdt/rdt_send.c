/* rdt_send.c - the sender: the window, taking ACKs, going back N or repeating selectively, and AIMD. */
#include <errno.h>
#include <string.h>

#include "rdt_private.h"

static struct rdt_slot *slot(const struct rdt *c, uint64_t seq) { return &c->snd[seq % c->snd_cap]; }

/* Packets allowed in flight: the window N, and with cc=aimd the congestion window (cwnd is N without it). */
static uint64_t in_force(const struct rdt *c) { return c->cwnd < c->N ? c->cwnd : c->N; }

/* New packets go below this: the window from base, and the peer's buffer (flow control). */
static uint64_t limit(const struct rdt *c)
{
	uint64_t w = c->base + in_force(c);
	return w < c->right_edge ? w : c->right_edge;
}

void rdt_snd_start(struct rdt *c, uint64_t first, unsigned peer_wnd)
{
	c->base = c->nextseqnum = c->tail = c->resend_next = c->recover = first;
	c->right_edge = first + peer_wnd;
	c->peer_wnd = peer_wnd;
	c->timer = c->persist = -1;
	c->sr_due = -1;
	c->resends = 0;
	c->dupacks = 0;
	c->fast_done = 0;
	c->cwnd = c->cfg.cc == RDT_CC_AIMD ? 1 : c->N; /* slow start from one packet, as Kurose & Ross 3.7.1 */
	c->cwnd_acc = 0;
	c->ssthresh = c->N;
}

int rdt_snd_queue(struct rdt *c, const void *msg, size_t len, int fin)
{
	if (c->tail - c->base >= (uint64_t)c->N + c->cfg.sndbuf + (fin ? 1 : 0))
		return errno = EAGAIN, -1;
	struct rdt_slot *s = slot(c, c->tail++);
	if (len > 0)
		memcpy(s->data, msg, len);
	s->len = (uint32_t)len;
	s->fin = fin != 0;
	s->acked = s->resend = s->fast = 0;
	s->tx = 0;
	return 0;
}

/* Puts packet seq into h and counts its transmission: the first, or again because of why. */
static void transmit(struct rdt *c, uint64_t seq, struct rdt_header *h, int why)
{
	struct rdt_slot *s = slot(c, seq);
	long long rto = rdt_rto_current(&c->rto);

	h->flags = s->fin ? RDT_FIN : RDT_DATA;
	h->seq = rdt_wire_seq(c, seq);
	h->len = (uint16_t)s->len;
	h->payload = s->len ? s->data : NULL;
	if (s->tx++ == 0) {
		s->first_sent = c->now;
		c->stats.data_sent++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_SEND, .seq = h->seq, .len = s->len, .why = s->fin ? "FIN" : NULL,
						 .count = (unsigned)(c->nextseqnum - c->base), .window = (unsigned)in_force(c) });
	} else {
		if (why == RESEND_FAST)
			c->stats.retransmits_fast++;
		else
			c->stats.retransmits_timeout++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_RETRANSMIT, .seq = h->seq, .len = s->len, .count = s->tx,
						 .why = why == RESEND_FAST ? "fast retransmit" : "timeout" });
	}
	if (s->resend)
		c->resends--;
	s->resend = 0;
	s->deadline = c->now + rto; /* SR: this packet's own timer */
	s->armed = rto;
	if (c->sr_due < 0 || s->deadline < c->sr_due)
		c->sr_due = s->deadline;
	if (c->arq != RDT_ARQ_SR && seq == c->base) /* GBN: the one timer runs for the oldest packet in flight */
		c->timer = c->now + rto;
}

void rdt_snd_resend(struct rdt *c, uint64_t q, int why)
{
	struct rdt_slot *s = slot(c, q);

	if (!s->resend && !s->acked)
		c->resends++;
	if (!s->acked)
		s->resend = (uint8_t)why;
}

int rdt_snd_next(struct rdt *c, struct rdt_header *h)
{
	if (c->arq == RDT_ARQ_SR) {
		for (uint64_t q = c->base; c->resends > 0 && q < c->nextseqnum; q++)
			if (slot(c, q)->resend && !slot(c, q)->acked)
				return transmit(c, q, h, slot(c, q)->resend), 1;
	} else if (c->resend_next < c->nextseqnum && c->resend_next < c->base + in_force(c)) {
		transmit(c, c->resend_next++, h, c->resend_why); /* going back N: every packet after base again */
		return 1;
	}
	int probe = c->persist >= 0 && c->now >= c->persist && c->base == c->nextseqnum;
	if (c->nextseqnum < c->tail && (c->nextseqnum < limit(c) || probe)) {
		if (probe) { /* the peer's window is zero: one packet past it asks for its window again (RFC 1122 4.2.2.17) */
			c->persist = -1;
			c->stats.probes++;
			rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_PROBE, .seq = rdt_wire_seq(c, c->nextseqnum) });
		}
		transmit(c, c->nextseqnum++, h, 0);
		c->resend_next = c->nextseqnum;
		return 1;
	}
	return 0;
}

int rdt_snd_ready(const struct rdt *c)
{
	if (c->arq == RDT_ARQ_SR) {
		for (uint64_t q = c->base; c->resends > 0 && q < c->nextseqnum; q++)
			if (slot(c, q)->resend && !slot(c, q)->acked)
				return 1;
	} else if (c->resend_next < c->nextseqnum && c->resend_next < c->base + in_force(c)) {
		return 1;
	}
	return c->nextseqnum < c->tail && c->nextseqnum < limit(c);
}

/* cc=aimd, for each packet newly acknowledged: slow start below ssthresh, else +1/cwnd (RFC 5681 3.1). */
static void cc_acked(struct rdt *c, unsigned newly)
{
	unsigned before = c->cwnd;

	if (c->cfg.cc != RDT_CC_AIMD)
		return;
	while (newly-- > 0 && c->cwnd < c->N) {
		if (c->cwnd < c->ssthresh)
			c->cwnd++; /* doubles every round trip */
		else if (++c->cwnd_acc >= c->cwnd) {
			c->cwnd++; /* one more packet per round trip: additive increase */
			c->cwnd_acc = 0;
		}
	}
	if (c->cwnd != before)
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_CWND, .count = c->cwnd, .window = c->ssthresh,
						 .why = before < c->ssthresh ? "slow start" : "additive increase" });
}

void rdt_snd_loss(struct rdt *c, int timeout)
{
	unsigned flight = (unsigned)(c->nextseqnum - c->base);

	if (c->cfg.cc != RDT_CC_AIMD || (!timeout && c->base < c->recover))
		return; /* one decrease per window of data: these losses are the same congestion (RFC 6582's recover) */
	c->recover = c->nextseqnum;
	c->ssthresh = flight / 2 > 2 ? flight / 2 : 2; /* RFC 5681 (4): max(FlightSize / 2, 2 segments) */
	c->cwnd = timeout ? 1 : c->ssthresh;           /* a timeout: from one again; a fast retransmit: halve */
	c->cwnd_acc = 0;
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_CWND, .count = c->cwnd, .window = c->ssthresh,
					 .why = timeout ? "timeout" : "fast retransmit" });
}

/* The cumulative ACK ack (>= base) arrived: everything before it is delivered; the window slides. */
static void slide(struct rdt *c, uint64_t ack)
{
	uint64_t from = c->base;
	unsigned newly = 0;
	int fin = 0;

	if (ack > from && !slot(c, ack - 1)->acked && slot(c, ack - 1)->tx == 1)
		rdt_rtt_sample(c, c->now - slot(c, ack - 1)->first_sent); /* the packet it answers, if sent once (Karn) */
	for (uint64_t q = from; q < ack; q++) {
		newly += !slot(c, q)->acked;
		fin |= slot(c, q)->fin;
		c->resends -= slot(c, q)->resend && !slot(c, q)->acked;
		slot(c, q)->resend = 0;
	}
	c->base = ack;
	while (c->arq == RDT_ARQ_SR && c->base < c->nextseqnum && slot(c, c->base)->acked)
		fin |= slot(c, c->base++)->fin; /* packets acknowledged one by one already */
	if (c->resend_next < c->base)
		c->resend_next = c->base;
	c->dupacks = 0;
	c->fast_done = 0;
	c->timer = c->base < c->nextseqnum ? c->now + rdt_rto_current(&c->rto) : -1;
	cc_acked(c, newly);
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_SLIDE, .from = rdt_wire_seq(c, from), .to = rdt_wire_seq(c, c->base),
					 .count = (unsigned)(c->nextseqnum - c->base) });
	if (fin)
		rdt_fin_acked(c);
}

/* Packet q is taken for lost without waiting for its timer: resent once, at the next output. */
static void fast_retransmit(struct rdt *c, uint64_t q, const char *why)
{
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_FAST, .seq = rdt_wire_seq(c, q), .why = why });
	if (c->arq == RDT_ARQ_SR) {
		rdt_snd_resend(c, q, RESEND_FAST);
		slot(c, q)->fast = 1;
	} else {
		c->resend_next = q; /* Go-Back-N: from it on, everything again */
		c->resend_why = RESEND_FAST;
	}
	rdt_snd_loss(c, 0);
}

/*
 * Selective repeat: packet q arrived (the SACK, or a bit of held). Returns 1
 * if that is news. Only the packet this ACK answers gives an RTT sample, and
 * only if sent once (Karn): a held bit may be old news whose ACK was lost.
 */
static int mark(struct rdt *c, uint64_t q, int answered)
{
	struct rdt_slot *s = slot(c, q);

	if (q < c->base || q >= c->nextseqnum || s->acked)
		return 0; /* old, forged, or known already */
	if (answered && s->tx == 1)
		rdt_rtt_sample(c, c->now - s->first_sent);
	c->resends -= s->resend != 0; /* no need to send it again after all */
	s->resend = 0;
	s->acked = 1;
	cc_acked(c, 1);
	return 1;
}

/*
 * A packet with three packets sent after it acknowledged is taken for lost:
 * selective repeat's own form of "three duplicate ACKs", which finds every
 * hole in the window, not only the first (RFC 6675's IsLost, with packets for
 * bytes). Each packet is resent this way once at most; then only its timer.
 */
static void find_losses(struct rdt *c)
{
	unsigned above = 0;

	for (uint64_t p = c->nextseqnum; p-- > c->base;) {
		struct rdt_slot *s = slot(c, p);
		if (s->acked)
			above++;
		else if (above >= 3 && !s->fast && !s->resend)
			fast_retransmit(c, p, "3 packets after it acknowledged");
	}
}

/* An ACK that moves nothing while packets are in flight: a sign that one was lost. */
static void dupack(struct rdt *c)
{
	c->stats.dupacks++;
	c->dupacks++;
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_DUPACK, .ack = rdt_wire_seq(c, c->base), .count = c->dupacks });
	/*
	 * Exactly one fast retransmit per base, at the third duplicate: later
	 * duplicates (and stop-and-wait's, all of them) send nothing. Answering
	 * each duplicate ACK with a packet doubles the traffic at every round,
	 * the "Sorcerer's Apprentice Syndrome" of early TFTP (RFC 1123 4.2.3.1).
	 */
	if (c->arq == RDT_ARQ_SW || c->dupacks != 3 || c->fast_done)
		return;
	c->fast_done = 1;
	if (c->arq != RDT_ARQ_SR || (!slot(c, c->base)->fast && !slot(c, c->base)->resend))
		fast_retransmit(c, c->base, "3 duplicate ACKs");
}

int rdt_snd_ack(struct rdt *c, const struct rdt_header *h)
{
	uint64_t ack = rdt_unwrap(c, c->base, h->ack);

	if (ack > c->nextseqnum) {
		c->stats.out_of_window++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_IGNORED, .ack = h->ack, .why = "ACK for a packet not sent" });
		return -1;
	}
	c->retries = 0; /* the peer is there */
	c->stats.acks_received++;
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_ACK, .ack = h->ack, .sack = h->sack, .window = h->wnd,
					 .count = (h->flags & RDT_SACK) != 0 });
	int opened = ack + h->wnd > c->right_edge; /* its right edge only moves on (rdt_recv.c) */
	if (opened)
		c->right_edge = ack + h->wnd;
	c->peer_wnd = h->wnd;
	int news = 0;
	if ((h->flags & RDT_SACK) && c->arq == RDT_ARQ_SR) { /* the packet this ACK answers, and all held */
		news = mark(c, rdt_unwrap(c, c->base, h->sack), 1);
		for (unsigned i = 0; i < 32; i++)
			if (h->held >> i & 1)
				news |= mark(c, ack + 1 + i, 0);
	}
	if (ack > c->base || (c->base < c->nextseqnum && slot(c, c->base)->acked))
		slide(c, ack);
	else if (c->base < c->nextseqnum && !opened && c->nextseqnum <= c->right_edge)
		dupack(c); /* not a window update, nor the answer to a probe past a zero window */
	if (news)
		find_losses(c);
	return 0;
}
