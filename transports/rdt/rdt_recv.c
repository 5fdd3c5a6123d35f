/* rdt_recv.c - the receiver: in order, out of order (held or dropped), duplicates, the ACKs owed, and rdt_recv. */
#include <errno.h>
#include <string.h>

#include "rdt_private.h"

#define ACKS_OWED_MAX 64 /* enough for any fast retransmit; a burst of more is one ACK lost, which ARQ survives */

static struct rdt_slot *slot(const struct rdt *c, uint64_t seq) { return &c->rcv[seq % c->rcv_cap]; }

void rdt_rcv_start(struct rdt *c, uint64_t first)
{
	c->rcv_read = c->rcv_base = first;
	c->fin_at = UINT64_MAX;
	c->ack_owed = c->sacks_owed = c->ack_held = 0;
	for (unsigned i = 0; i < c->rcv_cap; i++)
		c->rcv[i].acked = c->rcv[i].sack_owed = 0;
	c->adv_wnd = rdt_rcv_room(c);
}

/* The window advertised: N, or less when the unread messages fill the buffer. Its right edge only moves on. */
unsigned rdt_rcv_room(const struct rdt *c)
{
	uint64_t free = c->rcv_read + c->rcv_cap - c->rcv_base;
	return free < c->N ? (unsigned)free : c->N;
}

int rdt_rcv_owes(const struct rdt *c) { return c->ack_owed > 0 || c->sacks_owed > 0; }

static void owe_ack(struct rdt *c)
{
	if (c->ack_owed < ACKS_OWED_MAX)
		c->ack_owed++;
}

static void owe_sack(struct rdt *c, struct rdt_slot *s)
{
	if (!s->sack_owed)
		c->sacks_owed++;
	s->sack_owed = 1;
}

/* rcv_base moves over every packet present from it on: they are in order now, up to the peer's FIN. */
static void deliver(struct rdt *c)
{
	struct rdt_slot *s;

	while (c->rcv_base < c->rcv_read + c->rcv_cap && (s = slot(c, c->rcv_base))->acked) {
		if (s->sack_owed) { /* the cumulative ACK says it now */
			s->sack_owed = 0;
			c->sacks_owed--;
		}
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_DELIVER, .seq = rdt_wire_seq(c, c->rcv_base), .len = s->len,
						 .why = s->fin ? "FIN" : NULL });
		c->rcv_base++;
		if (s->fin) {
			rdt_peer_fin(c);
			break;
		}
	}
}

/* Packet q, inside the window, arrived. */
static void arrive(struct rdt *c, uint64_t q, const struct rdt_header *h)
{
	struct rdt_slot *s = slot(c, q);
	uint32_t seq = rdt_wire_seq(c, q), expected = rdt_wire_seq(c, c->rcv_base);

	if (s->acked) { /* SR: held already */
		c->stats.duplicates++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_DUPLICATE, .seq = seq, .ack = expected });
		owe_sack(c, s);
		return;
	}
	if (q != c->rcv_base && c->arq != RDT_ARQ_SR) { /* Go-Back-N keeps no buffer (K&R 3.4.3): drop, ACK again */
		c->stats.dropped++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_DROPPED, .seq = seq, .ack = expected });
		owe_ack(c);
		return;
	}
	if (h->len > 0)
		memcpy(s->data, h->payload, h->len);
	s->len = h->len;
	s->fin = (h->flags & RDT_FIN) != 0;
	s->acked = 1;
	s->sack_owed = 0;
	if (s->fin)
		c->fin_at = q;
	if (q != c->rcv_base) { /* SR: hold it, and say so with its own ACK */
		c->stats.held++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_HELD, .seq = seq, .ack = expected });
		owe_sack(c, s);
		return;
	}
	uint64_t from = c->rcv_base;
	deliver(c);
	/* An ACK for every ack_every packets in order; at once for a hole filled (RFC 5681 4.2) or a FIN. */
	if (c->ack_owed == 0 && (c->rcv_base - from > 1 || s->fin || ++c->ack_held >= c->cfg.ack_every)) {
		c->ack_held = 0;
		c->ack_owed = 1;
	}
}

int rdt_rcv_data(struct rdt *c, const struct rdt_header *h)
{
	uint64_t q = rdt_unwrap(c, c->rcv_base, h->seq);
	uint32_t back = (uint32_t)((rdt_wire_seq(c, c->rcv_base) - h->seq) & c->mask);

	/* New: inside the window, and not past a FIN. Checked first, as a receiver must: see rdt_config.h's rules. */
	if (q < c->rcv_base + rdt_rcv_room(c) && q <= c->fin_at) {
		arrive(c, q, h);
		return 0;
	}
	owe_ack(c); /* whatever it was, the sender learns where we are */
	if (back >= 1 && back <= c->N) { /* the recent past: delivered, and its ACK lost */
		c->stats.duplicates++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_DUPLICATE, .seq = h->seq, .ack = rdt_wire_seq(c, c->rcv_base) });
		return 0;
	}
	if (q < c->rcv_base + c->N && q <= c->fin_at) { /* would fit the window, but unread messages fill the buffer */
		c->stats.no_room++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_DROPPED, .seq = h->seq, .ack = rdt_wire_seq(c, c->rcv_base),
						 .why = "no room" });
		return 0;
	}
	c->stats.out_of_window++;
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_IGNORED, .seq = h->seq, .why = "sequence number outside the window" });
	return -1;
}

void rdt_rcv_fill_ack(struct rdt *c, struct rdt_header *h)
{
	uint64_t owed = 0, first = 0;
	uint32_t held = 0;

	h->flags |= RDT_ACK;
	c->ack_held = 0; /* this ACK covers them */
	h->ack = rdt_wire_seq(c, c->rcv_base);
	h->wnd = (uint16_t)rdt_rcv_room(c);
	c->adv_wnd = h->wnd;
	if (c->ack_owed > 0)
		c->ack_owed--;
	/* Selective repeat: the packets held past the hole (32 of them), and one owed its own ACK. Held packets
	 * are all in the window, whose end never moves back; past it, a slot is one of the unread messages. */
	for (uint64_t q = c->rcv_base + 1; c->arq == RDT_ARQ_SR && q < c->rcv_base + h->wnd; q++) {
		struct rdt_slot *s = slot(c, q);
		if (q - c->rcv_base > 32 && (owed || c->sacks_owed == 0))
			break;
		if (!s->acked)
			continue;
		first = first ? first : q;
		owed = owed || !s->sack_owed ? owed : q;
		if (q - c->rcv_base <= 32)
			held |= 1u << (q - c->rcv_base - 1);
	}
	if (owed) {
		slot(c, owed)->sack_owed = 0;
		c->sacks_owed--;
	}
	if (owed || first) {
		h->flags |= RDT_SACK;
		h->sack = rdt_wire_seq(c, owed ? owed : first);
		h->held = held;
	}
}

void rdt_ack_flush(struct rdt *c)
{
	if (c->ack_held && c->ack_owed == 0)
		c->ack_owed = 1;
	c->ack_held = 0;
}

int rdt_recv(struct rdt *c, void *buf, size_t cap, size_t *len, int *truncated)
{
	if (!c->opened)
		return errno = ENOTCONN, -1;
	if (c->rcv_read == c->rcv_base) {
		if (c->error)
			return errno = c->error, -1;
		return errno = c->state == RDT_CLOSED || c->state == RDT_LISTEN ? ENOTCONN : EAGAIN, -1;
	}
	struct rdt_slot *s = slot(c, c->rcv_read);
	if (s->fin)
		return 0; /* the end, and it stays the end */
	if (s->len > cap && !truncated)
		return errno = EMSGSIZE, -1;
	size_t n = s->len < cap ? s->len : cap;
	if (n > 0 && buf)
		memcpy(buf, s->data, n);
	if (truncated)
		*truncated = s->len > cap;
	*len = n;
	c->stats.messages_delivered++;
	c->stats.bytes_delivered += n;
	s->acked = 0;
	c->rcv_read++;
	/* A window that was shut, or has grown by half since it was last said, is said again (RFC 1122 4.2.3.3). */
	unsigned room = rdt_rcv_room(c);
	if ((c->adv_wnd == 0 || room >= c->adv_wnd + (c->N + 1) / 2) && c->ack_owed == 0 && c->state >= RDT_ESTABLISHED)
		c->ack_owed = 1;
	return 1;
}

int rdt_peek(const struct rdt *c, unsigned k, const unsigned char **data, size_t *len)
{
	if (!c->opened || k >= c->rcv_base - c->rcv_read)
		return 0;
	const struct rdt_slot *s = slot(c, c->rcv_read + k);
	if (s->fin)
		return 0;
	*data = s->data;
	*len = s->len;
	return 1;
}
