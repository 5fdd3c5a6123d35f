/* rdt_timer.c - timeouts: RFC 6298's RTO estimator, the core's timers that fire on it, and when to wake next. */
#include <errno.h>

#include "rdt_private.h"

/* ---- The estimator (rdt_rto.h) ---- */

#define ALPHA_SHIFT 3 /* alpha = 1/8 */
#define BETA_SHIFT 2  /* beta = 1/4 */
#define K 4

static long long clamp(const struct rdt_rto *r, long long t)
{
	return t < r->floor ? r->floor : t > r->ceiling ? r->ceiling : t;
}

void rdt_rto_init(struct rdt_rto *r, long long initial, long long floor, long long ceiling, long long granularity)
{
	r->srtt = 0;
	r->rttvar = 0;
	r->backoff = 0;
	r->samples = 0;
	r->floor = floor;
	r->ceiling = ceiling;
	r->granularity = granularity;
	r->rto = clamp(r, initial);
}

void rdt_rto_sample(struct rdt_rto *r, long long rtt)
{
	if (rtt < 0)
		rtt = 0;
	if (r->samples++ == 0) { /* RFC 6298 2.2 */
		r->srtt = rtt;
		r->rttvar = rtt / 2;
	} else { /* 2.3: RTTVAR first, from the SRTT before this sample */
		long long err = r->srtt > rtt ? r->srtt - rtt : rtt - r->srtt;
		r->rttvar = r->rttvar - (r->rttvar >> BETA_SHIFT) + (err >> BETA_SHIFT);
		r->srtt = r->srtt - (r->srtt >> ALPHA_SHIFT) + (rtt >> ALPHA_SHIFT);
	}
	long long spread = K * r->rttvar;
	r->rto = clamp(r, r->srtt + (spread > r->granularity ? spread : r->granularity));
	r->backoff = 0;
}

void rdt_rto_backoff(struct rdt_rto *r)
{
	if (rdt_rto_current(r) < r->ceiling) /* at the ceiling, counting on would change nothing */
		r->backoff++;
}

long long rdt_rto_current(const struct rdt_rto *r)
{
	long long t = r->rto;

	for (unsigned i = 0; i < r->backoff && t < r->ceiling; i++)
		t *= 2;
	return t > r->ceiling ? r->ceiling : t;
}

/* ---- The core's timers ---- */

void rdt_rtt_sample(struct rdt *c, long long rtt)
{
	rdt_rto_sample(&c->rto, rtt);
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_RTT, .rtt = rtt, .srtt = c->rto.srtt, .rttvar = c->rto.rttvar,
					 .rto = rdt_rto_current(&c->rto) });
}

int rdt_timeout(struct rdt *c, uint64_t seq, int counts)
{
	c->stats.timeouts++;
	if (counts) /* RFC 6298 5.5 */
		rdt_rto_backoff(&c->rto);
	long long rto = rdt_rto_current(&c->rto);
	rdt_emit(c, &(struct rdt_event){ .kind = RDT_EV_TIMEOUT, .seq = rdt_wire_seq(c, seq), .rto = rto,
					 .backoff = c->rto.backoff, .count = rto >= c->rto.ceiling });
	if (counts && ++c->retries > c->cfg.retries) {
		rdt_fail(c, ETIMEDOUT);
		return -1;
	}
	return 0;
}

/*
 * The sender's timers. Go-Back-N (and stop-and-wait) runs one, for base: at
 * its expiry every packet in flight goes again. Selective repeat runs one per
 * packet: only that packet goes again. Several SR timers armed with the same
 * RTO expire together after one loss burst: only the first doubles the RTO,
 * the others were armed before that backoff.
 */
static void sender_timers(struct rdt *c)
{
	if (c->arq != RDT_ARQ_SR && c->timer >= 0 && c->now >= c->timer) {
		if (rdt_timeout(c, c->base, 1) < 0)
			return;
		c->resend_next = c->base;
		c->resend_why = RESEND_TIMEOUT;
		c->timer = c->now + rdt_rto_current(&c->rto);
		rdt_snd_loss(c, 1);
	}
	if (c->arq == RDT_ARQ_SR && c->sr_due >= 0 && c->now >= c->sr_due) {
		c->sr_due = -1; /* found again below: the earliest timer still running */
		for (uint64_t q = c->base; q < c->nextseqnum; q++) {
			struct rdt_slot *s = &c->snd[q % c->snd_cap];
			if (s->acked || s->resend)
				continue;
			if (s->deadline > c->now) {
				c->sr_due = c->sr_due < 0 || s->deadline < c->sr_due ? s->deadline : c->sr_due;
				continue;
			}
			int counts = s->armed >= rdt_rto_current(&c->rto);
			if (rdt_timeout(c, q, counts) < 0)
				return;
			rdt_snd_resend(c, q, RESEND_TIMEOUT);
			if (counts)
				rdt_snd_loss(c, 1);
		}
	}
	/* Nothing in flight, something to send, and the peer's window is zero: the persist timer runs. */
	int blocked = c->base == c->nextseqnum && c->nextseqnum < c->tail && c->nextseqnum >= c->right_edge;
	if (!blocked)
		c->persist = -1;
	else if (c->persist < 0)
		c->persist = c->now + rdt_rto_current(&c->rto);
}

void rdt_timers(struct rdt *c)
{
	if ((c->state == RDT_SYN_SENT || c->state == RDT_SYN_RCVD) && c->syn_timer >= 0 && c->now >= c->syn_timer) {
		if (rdt_timeout(c, c->iss, 1) < 0)
			return;
		c->syn_due = 1;
		c->syn_timer = -1;
	}
	if (c->state >= RDT_ESTABLISHED && c->state != RDT_TIME_WAIT)
		sender_timers(c);
	if (c->state == RDT_TIME_WAIT && c->now >= c->linger)
		rdt_set_state(c, RDT_CLOSED);
}

static long long earliest(long long a, long long b) { return a < 0 ? b : b < 0 ? a : a < b ? a : b; }

/* The sender's next deadline: its timer (SR: the earliest, or a little before), or the persist timer; -1: none. */
static long long sender_deadline(const struct rdt *c)
{
	return earliest(c->persist, c->arq == RDT_ARQ_SR ? (c->base < c->nextseqnum ? c->sr_due : -1) : c->timer);
}

long long rdt_next_wake(const struct rdt *c, long long now)
{
	long long t = -1;

	if (c->rst_due)
		return 0;
	if (c->state == RDT_CLOSED || c->state == RDT_LISTEN)
		return -1;
	if (c->syn_due || (c->state >= RDT_ESTABLISHED && (rdt_rcv_owes(c) || rdt_snd_ready(c))))
		return 0;
	if (c->state == RDT_SYN_SENT || c->state == RDT_SYN_RCVD)
		t = c->syn_timer;
	else if (c->state == RDT_TIME_WAIT)
		t = c->linger;
	else
		t = sender_deadline(c);
	return t < 0 ? -1 : t <= now ? 0 : t - now;
}
