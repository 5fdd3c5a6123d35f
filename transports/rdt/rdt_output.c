/* rdt_output.c - what the core hands its caller: the next datagram to transmit; and send, close, abort and the state. */
#include <errno.h>
#include <string.h>

#include "rdt_private.h"

size_t rdt_datagram_max(const struct rdt *c)
{
	return RDT_HEADER_SIZE + (c->cfg.payload > RDT_SYN_OPTIONS ? c->cfg.payload : RDT_SYN_OPTIONS);
}

/* Encodes h at buf and counts it sent. */
static ssize_t put(struct rdt *c, const struct rdt_header *h, void *buf, size_t cap)
{
	c->stats.datagrams_sent++;
	return (ssize_t)rdt_wire_encode(h, buf, cap);
}

/* The SYN (client) or SYN+ACK (server): our ISN and the options, again after each timeout. */
static void fill_syn(struct rdt *c, struct rdt_header *h)
{
	long long rto = rdt_rto_current(&c->rto);

	h->flags = RDT_SYN;
	h->seq = rdt_wire_seq(c, c->iss);
	h->wnd = (uint16_t)c->N;
	h->syn = (struct rdt_syn_options){ .arq = (uint8_t)c->arq, .seqbits = (uint8_t)c->seqbits,
					   .window = (uint16_t)c->N, .payload = (uint16_t)c->payload };
	if (c->state == RDT_SYN_RCVD) {
		h->flags |= RDT_ACK;
		h->ack = rdt_wire_seq(c, c->irs + 1);
		h->wnd = (uint16_t)rdt_rcv_room(c);
	}
	c->syn_due = 0;
	if (c->syn_tx++ == 0) {
		c->syn_sent = c->now;
	} else {
		c->stats.retransmits_timeout++;
		rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_RETRANSMIT, .seq = h->seq, .count = c->syn_tx,
						 .why = h->flags & RDT_ACK ? "SYN+ACK again" : "SYN again" });
	}
	c->syn_timer = c->now + rto;
}

ssize_t rdt_output(struct rdt *c, long long now, void *buf, size_t cap)
{
	struct rdt_header h;

	if (cap < rdt_datagram_max(c))
		return errno = EINVAL, -1;
	c->now = now;
	memset(&h, 0, sizeof h);
	h.conn = c->conn;
	if (c->rst_due) {
		c->rst_due = 0;
		h.flags = RDT_RST;
		return put(c, &h, buf, cap);
	}
	if (c->state == RDT_CLOSED || c->state == RDT_LISTEN)
		return 0;
	rdt_timers(c);
	if (c->syn_due && (c->state == RDT_SYN_SENT || c->state == RDT_SYN_RCVD)) {
		fill_syn(c, &h);
		return put(c, &h, buf, cap);
	}
	if (c->state < RDT_ESTABLISHED) /* closed by a timer, or the handshake still waiting */
		return 0;
	if (rdt_snd_next(c, &h)) { /* data, a FIN, a retransmission: each carries the ACK */
		rdt_rcv_fill_ack(c, &h);
		return put(c, &h, buf, cap);
	}
	if (rdt_rcv_owes(c)) {
		h.seq = rdt_wire_seq(c, c->nextseqnum);
		rdt_rcv_fill_ack(c, &h);
		return put(c, &h, buf, cap);
	}
	return 0;
}

ssize_t rdt_send(struct rdt *c, const void *msg, size_t len, long long now)
{
	c->now = now;
	if (!c->opened || c->state == RDT_LISTEN)
		return errno = ENOTCONN, -1;
	if (c->error)
		return errno = c->error, -1;
	if (c->fin_queued || c->state == RDT_CLOSED)
		return errno = EPIPE, -1;
	if (c->state < RDT_ESTABLISHED)
		return errno = EAGAIN, -1;
	if (len > c->payload)
		return errno = EMSGSIZE, -1;
	if (rdt_snd_queue(c, msg, len, 0) < 0)
		return -1;
	c->stats.messages_sent++;
	c->stats.bytes_sent += len;
	return (ssize_t)len;
}

int rdt_close(struct rdt *c, long long now)
{
	c->now = now;
	if (c->fin_queued || (c->opened && c->state == RDT_CLOSED))
		return 0;
	if (c->state != RDT_ESTABLISHED && c->state != RDT_CLOSE_WAIT)
		return errno = ENOTCONN, -1;
	rdt_snd_queue(c, NULL, 0, 1); /* the ring keeps a slot for it */
	c->fin_queued = 1;
	rdt_set_state(c, c->state == RDT_ESTABLISHED ? RDT_FIN_WAIT_1 : RDT_LAST_ACK);
	return 0;
}

void rdt_abort(struct rdt *c)
{
	if (c->state != RDT_CLOSED && c->state != RDT_LISTEN)
		c->rst_due = 1;
	c->opened = 1;
	if (c->state != RDT_CLOSED)
		rdt_set_state(c, RDT_CLOSED);
}

enum rdt_state rdt_state(const struct rdt *c) { return c->state; }
int rdt_error(const struct rdt *c) { return c->error; }
int rdt_established(const struct rdt *c) { return c->state >= RDT_ESTABLISHED; }
int rdt_closed(const struct rdt *c) { return c->opened && c->state == RDT_CLOSED; }
uint32_t rdt_conn_id(const struct rdt *c) { return c->conn; }
unsigned rdt_payload_max(const struct rdt *c) { return c->payload; }

int rdt_readable(const struct rdt *c)
{
	return c->rcv_read < c->rcv_base || c->error || !c->opened || c->state == RDT_CLOSED ||
	       c->state == RDT_LISTEN;
}

unsigned rdt_send_room(const struct rdt *c)
{
	uint64_t cap = (uint64_t)c->N + c->cfg.sndbuf, used = c->tail - c->base;

	if (c->state < RDT_ESTABLISHED || c->error || c->fin_queued || c->state == RDT_CLOSED)
		return 0;
	return used >= cap ? 0 : (unsigned)(cap - used);
}

int rdt_writable(const struct rdt *c)
{
	if (c->state == RDT_SYN_SENT || c->state == RDT_SYN_RCVD)
		return 0;
	if (c->state < RDT_ESTABLISHED || c->error || c->fin_queued)
		return 1; /* rdt_send fails at once, with no EAGAIN */
	return c->tail - c->base < (uint64_t)c->N + c->cfg.sndbuf;
}
