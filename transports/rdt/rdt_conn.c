/* rdt_conn.c - the connection: opening (the three-way handshake), input and output, closing (a FIN each way, TIME_WAIT). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rdt_private.h"

/* TIME_WAIT lasts this many RTOs: if our last ACK is lost, the peer's FIN comes again within about one. */
#define LINGER_RTOS 4

struct rdt *rdt_new(const struct rdt_config *cfg, rdt_event_fn *on_event, void *ctx)
{
	char why[256];
	struct rdt *c;

	if (rdt_config_check(cfg, why, sizeof why) < 0)
		return errno = EINVAL, NULL;
	if (!(c = calloc(1, sizeof *c)))
		return errno = ENOMEM, NULL;
	c->snd_cap = cfg->window + cfg->sndbuf + 1; /* the window, the queue, and a FIN */
	c->rcv_cap = cfg->window + cfg->rcvbuf;
	size_t slots = (size_t)c->snd_cap + c->rcv_cap;
	c->snd = calloc(slots, sizeof *c->snd);
	c->bytes = malloc(slots * cfg->payload);
	if (!c->snd || !c->bytes) {
		rdt_free(c);
		return errno = ENOMEM, NULL;
	}
	for (size_t i = 0; i < slots; i++)
		c->snd[i].data = c->bytes + i * cfg->payload;
	c->rcv = c->snd + c->snd_cap;
	c->cfg = *cfg;
	c->on_event = on_event;
	c->ctx = ctx;
	c->arq = cfg->arq;
	c->N = cfg->window;
	c->payload = cfg->payload;
	c->seqbits = cfg->seqbits;
	c->mask = (1ULL << cfg->seqbits) - 1;
	c->syn_timer = c->linger = c->timer = c->persist = -1;
	c->fin_at = UINT64_MAX;
	rdt_rto_init(&c->rto, cfg->rto_init, cfg->rto_min, cfg->rto_max, cfg->granularity);
	return c;
}

void rdt_free(struct rdt *c)
{
	if (!c)
		return;
	free(c->bytes);
	free(c->snd);
	free(c);
}

void rdt_set_state(struct rdt *c, enum rdt_state s)
{
	enum rdt_state from = c->state;

	c->state = s;
	if (s == RDT_TIME_WAIT)
		c->linger = c->now + LINGER_RTOS * rdt_rto_current(&c->rto);
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_STATE, .from = from, .to = s, .error = c->error });
}

void rdt_fail(struct rdt *c, int err)
{
	c->error = err;
	rdt_set_state(c, RDT_CLOSED);
}

/* The TCP state diagram's moves on "our FIN acknowledged" and "the peer's FIN arrived in order" (RFC 793 fig. 6). */
void rdt_fin_acked(struct rdt *c)
{
	if (c->state == RDT_FIN_WAIT_1)
		rdt_set_state(c, RDT_FIN_WAIT_2);
	else if (c->state == RDT_CLOSING)
		rdt_set_state(c, RDT_TIME_WAIT);
	else if (c->state == RDT_LAST_ACK) /* our FIN carried the ACK of theirs: nobody waits for us */
		rdt_set_state(c, RDT_CLOSED);
}

void rdt_peer_fin(struct rdt *c)
{
	if (c->state == RDT_ESTABLISHED)
		rdt_set_state(c, RDT_CLOSE_WAIT);
	else if (c->state == RDT_FIN_WAIT_1)
		rdt_set_state(c, RDT_CLOSING);
	else if (c->state == RDT_FIN_WAIT_2) /* our ACK of their FIN may be lost: linger to send it again */
		rdt_set_state(c, RDT_TIME_WAIT);
}

static int open_with(struct rdt *c, uint64_t random, long long now, enum rdt_state s)
{
	if (c->opened)
		return errno = EISCONN, -1;
	c->opened = 1;
	c->now = now;
	c->random = random;
	c->conn = (uint32_t)(random >> 32);
	c->iss = (uint32_t)random & c->mask;
	c->syn_due = s == RDT_SYN_SENT;
	rdt_set_state(c, s);
	return 0;
}

int rdt_connect(struct rdt *c, uint64_t random, long long now) { return open_with(c, random, now, RDT_SYN_SENT); }

int rdt_listen(struct rdt *c, uint64_t random) { return open_with(c, random, c->now, RDT_LISTEN); }

/* Counts an ignored datagram in *counter, says why, and fails with err. */
static int ignore(struct rdt *c, uint64_t *counter, const char *why, int err)
{
	(*counter)++;
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_IGNORED, .why = why });
	return errno = err, -1;
}

/* The handshake's end, on either side: both directions start, with what the SYNs agreed. */
static void establish(struct rdt *c, unsigned peer_wnd)
{
	if (c->syn_tx == 1) /* Karn: no sample from a SYN sent twice */
		rdt_rtt_sample(c, c->now - c->syn_sent);
	rdt_snd_start(c, c->iss + 1, peer_wnd);
	c->syn_timer = -1;
	c->retries = 0;
	rdt_set_state(c, RDT_ESTABLISHED);
}

/* LISTEN: a SYN opens the connection with the client's mode and sequence space, and the smaller window. */
static int on_listen(struct rdt *c, const struct rdt_header *h)
{
	struct rdt_config agreed = c->cfg;
	char why[256];

	if (h->flags != RDT_SYN)
		return ignore(c, &c->stats.strangers, "not a SYN, and no connection yet", EPROTO);
	agreed.arq = (enum rdt_arq)h->syn.arq;
	agreed.seqbits = h->syn.seqbits;
	agreed.window = h->syn.window < c->cfg.window ? h->syn.window : c->cfg.window;
	agreed.payload = h->syn.payload < c->cfg.payload ? h->syn.payload : c->cfg.payload;
	if (h->seq >= 1ULL << agreed.seqbits || rdt_config_check(&agreed, why, sizeof why) < 0)
		return ignore(c, &c->stats.malformed, "a SYN asking for what its sequence space cannot carry", EPROTO);
	c->mask = (1ULL << agreed.seqbits) - 1;
	c->seqbits = agreed.seqbits;
	c->arq = agreed.arq;
	c->N = agreed.window;
	c->payload = agreed.payload;
	c->conn = h->conn;
	c->irs = h->seq;
	c->iss = (uint32_t)c->random & c->mask;
	rdt_rcv_start(c, c->irs + 1);
	rdt_snd_start(c, c->iss + 1, h->wnd);
	c->syn_due = 1;
	rdt_set_state(c, RDT_SYN_RCVD);
	return 0;
}

/* A SYN in any other state: the SYN+ACK we wait for, or one sent again because our answer was lost. */
static int on_syn(struct rdt *c, const struct rdt_header *h)
{
	const struct rdt_syn_options *o = &h->syn;

	if (c->state == RDT_SYN_SENT) {
		if (!(h->flags & RDT_ACK) || h->ack != rdt_wire_seq(c, c->iss + 1))
			return ignore(c, &c->stats.out_of_window, "a SYN that answers no SYN of ours", EPROTO);
		if (o->arq != c->arq || o->seqbits != c->seqbits || o->window > c->N || o->payload > c->payload) {
			rdt_fail(c, EPROTO);
			return errno = EPROTO, -1;
		}
		c->irs = h->seq;
		c->N = o->window;
		c->payload = o->payload;
		rdt_rcv_start(c, c->irs + 1);
		establish(c, h->wnd);
		c->ack_owed = 1; /* the handshake's third packet */
		return 0;
	}
	if (h->seq != rdt_wire_seq(c, c->irs))
		return ignore(c, &c->stats.out_of_window, "a SYN of another connection", EPROTO);
	c->stats.duplicates++;
	if (c->state == RDT_SYN_RCVD && !(h->flags & RDT_ACK)) /* the client's SYN again: our SYN+ACK was lost */
		c->syn_due = 1;
	else if (c->state != RDT_SYN_RCVD && (h->flags & RDT_ACK) && c->ack_owed == 0) /* the server's, our ACK lost */
		c->ack_owed = 1;
	return 0;
}

int rdt_input(struct rdt *c, const void *dgram, size_t len, long long now)
{
	struct rdt_header h;
	const char *why;

	c->now = now;
	c->stats.datagrams_received++;
	if (rdt_wire_decode(dgram, len, &h, &why) < 0)
		return ignore(c, &c->stats.malformed, why, EBADMSG);
	if (c->state == RDT_CLOSED)
		return ignore(c, &c->stats.strangers, "the connection is closed", EPROTO);
	if (c->state == RDT_LISTEN)
		return on_listen(c, &h);
	if (h.conn != c->conn)
		return ignore(c, &c->stats.strangers, "another connection's id", EPROTO);
	if (h.seq > c->mask || h.ack > c->mask || h.sack > c->mask)
		return ignore(c, &c->stats.malformed, "a sequence number beyond 2^seqbits", EBADMSG);
	if (h.flags & RDT_RST) {
		if (c->state == RDT_TIME_WAIT) /* RFC 1337: an RST must not cut TIME_WAIT short */
			return ignore(c, &c->stats.out_of_window, "RST in TIME_WAIT", EPROTO);
		rdt_fail(c, c->state == RDT_SYN_SENT ? ECONNREFUSED : ECONNRESET);
		return 0;
	}
	if (h.flags & RDT_SYN)
		return on_syn(c, &h);
	if (c->state == RDT_SYN_SENT || (c->state == RDT_SYN_RCVD && h.ack != rdt_wire_seq(c, c->iss + 1)))
		return ignore(c, &c->stats.out_of_window, "no handshake for this yet", EPROTO);
	if (c->state == RDT_SYN_RCVD)
		establish(c, h.wnd); /* the ACK, or the first data carrying it if the ACK was lost */
	if (rdt_snd_ack(c, &h) < 0)
		return errno = EPROTO, -1;
	if (!(h.flags & (RDT_DATA | RDT_FIN)) || c->state == RDT_CLOSED)
		return 0;
	if (rdt_rcv_data(c, &h) < 0)
		return errno = EPROTO, -1;
	if (c->state == RDT_TIME_WAIT && (h.flags & RDT_FIN)) /* their FIN again: our last ACK was lost */
		c->linger = now + LINGER_RTOS * rdt_rto_current(&c->rto);
	return 0;
}
