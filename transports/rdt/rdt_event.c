/* rdt_event.c - the core's narration: events, each as one line of text; state names, stats, and its invariants. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "rdt_private.h"

static const char *const state_names[] = {
	[RDT_CLOSED] = "CLOSED",         [RDT_LISTEN] = "LISTEN",         [RDT_SYN_SENT] = "SYN_SENT",
	[RDT_SYN_RCVD] = "SYN_RCVD",     [RDT_ESTABLISHED] = "ESTABLISHED", [RDT_FIN_WAIT_1] = "FIN_WAIT_1",
	[RDT_FIN_WAIT_2] = "FIN_WAIT_2", [RDT_CLOSE_WAIT] = "CLOSE_WAIT", [RDT_CLOSING] = "CLOSING",
	[RDT_LAST_ACK] = "LAST_ACK",     [RDT_TIME_WAIT] = "TIME_WAIT",
};

const char *rdt_state_name(enum rdt_state s)
{
	return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

void rdt_emit(struct rdt *c, struct rdt_event *e)
{
	e->now = c->now;
	if (c->on_event)
		c->on_event(c->ctx, e);
}

void rdt_get_stats(const struct rdt *c, struct rdt_stats *out)
{
	*out = c->stats;
	out->srtt = c->rto.srtt;
	out->rttvar = c->rto.rttvar;
	out->rto = rdt_rto_current(&c->rto);
	out->cwnd = c->cwnd;
	out->ssthresh = c->ssthresh;
	out->window = c->N;
	out->peer_window = c->peer_wnd;
}

/* Microseconds as milliseconds: "40 ms", "0.052 ms". */
static const char *ms(long long us, char *buf, size_t len)
{
	if (us % 1000 == 0)
		snprintf(buf, len, "%lld ms", us / 1000);
	else
		snprintf(buf, len, "%.3f ms", (double)us / 1000.0);
	return buf;
}

/* One case per kind of event, each its own sentence: longer than 60 lines, and read one case at a time. */
void rdt_event_format(const struct rdt_event *e, char *buf, size_t cap)
{
	char a[32], b[32], d[32], r[32];
	unsigned long seq = e->seq, ack = e->ack;

#define SAY(...) snprintf(buf, cap, "rdt: " __VA_ARGS__)
	if (cap == 0)
		return;
	switch (e->kind) {
	case RDT_EV_STATE:
		if (e->error)
			SAY("%s -> %s: %s", rdt_state_name((enum rdt_state)e->from), rdt_state_name((enum rdt_state)e->to),
			    errno_name(e->error));
		else
			SAY("%s -> %s", rdt_state_name((enum rdt_state)e->from), rdt_state_name((enum rdt_state)e->to));
		return;
	case RDT_EV_SEND:
		if (e->why)
			SAY("send %s seq=%lu, %u in flight, window %u", e->why, seq, e->count, e->window);
		else
			SAY("send seq=%lu len=%lu, %u in flight, window %u", seq, (unsigned long)e->len, e->count, e->window);
		return;
	case RDT_EV_RETRANSMIT:
		SAY("retransmit seq=%lu (%s), transmission %u", seq, e->why, e->count);
		return;
	case RDT_EV_TIMEOUT:
		if (e->count)
			SAY("timeout seq=%lu, RTO now %s (backed off to rto_max)", seq, ms(e->rto, a, sizeof a));
		else
			SAY("timeout seq=%lu, RTO now %s (backoff x%u)", seq, ms(e->rto, a, sizeof a), 1u << (e->backoff & 31));
		return;
	case RDT_EV_ACK:
		if (e->count)
			SAY("ACK ack=%lu wnd=%u sack=%lu", ack, e->window, (unsigned long)e->sack);
		else
			SAY("ACK ack=%lu wnd=%u", ack, e->window);
		return;
	case RDT_EV_DUPACK:
		SAY("duplicate ACK ack=%lu (#%u)", ack, e->count);
		return;
	case RDT_EV_FAST:
		SAY("fast retransmit of seq=%lu (%s)", seq, e->why ? e->why : "?");
		return;
	case RDT_EV_SLIDE:
		SAY("window slides: base %llu -> %llu, %u in flight", (unsigned long long)e->from, (unsigned long long)e->to,
		    e->count);
		return;
	case RDT_EV_RTT:
		SAY("RTT sample %s: SRTT %s, RTTVAR %s, RTO %s", ms(e->rtt, a, sizeof a), ms(e->srtt, b, sizeof b),
		    ms(e->rttvar, d, sizeof d), ms(e->rto, r, sizeof r));
		return;
	case RDT_EV_DELIVER:
		if (e->why)
			SAY("deliver %s seq=%lu, in order: the end of the peer's stream", e->why, seq);
		else
			SAY("deliver seq=%lu len=%lu, in order", seq, (unsigned long)e->len);
		return;
	case RDT_EV_DUPLICATE:
		SAY("duplicate seq=%lu discarded (expecting %lu), ACK again", seq, ack);
		return;
	case RDT_EV_HELD:
		SAY("seq=%lu out of order, held (expecting %lu)", seq, ack);
		return;
	case RDT_EV_DROPPED:
		if (e->why)
			SAY("seq=%lu dropped: %s (expecting %lu)", seq, e->why, ack);
		else
			SAY("seq=%lu out of order, dropped (expecting %lu: Go-Back-N keeps no buffer)", seq, ack);
		return;
	case RDT_EV_IGNORED:
		SAY("datagram ignored: %s", e->why ? e->why : "?");
		return;
	case RDT_EV_PROBE:
		SAY("peer's window is zero: probe with seq=%lu", seq);
		return;
	case RDT_EV_CWND:
		SAY("cwnd %u, ssthresh %u (%s)", e->count, e->window, e->why ? e->why : "?");
		return;
	}
	SAY("event %d", (int)e->kind);
#undef SAY
}

/* Sums the flags the receiver and the sender keep, to check their counters. */
static unsigned sacks_flagged(const struct rdt *c)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->rcv_cap; i++)
		n += c->rcv[i].sack_owed;
	return n;
}

/* SR: resends counts the packets marked; no running timer expires before sr_due. */
static int sr_counters_right(const struct rdt *c)
{
	unsigned marked = 0;

	for (uint64_t q = c->base; q < c->nextseqnum; q++) {
		const struct rdt_slot *s = &c->snd[q % c->snd_cap];
		marked += s->resend && !s->acked;
		if (c->arq == RDT_ARQ_SR && !s->acked && !s->resend && (c->sr_due < 0 || s->deadline < c->sr_due))
			return 0;
	}
	return c->arq != RDT_ARQ_SR || marked == c->resends;
}

const char *rdt_check(const struct rdt *c)
{
	if (c->state < RDT_ESTABLISHED)
		return NULL; /* before the handshake nothing below holds any numbers */
	if (!(c->base <= c->resend_next && c->resend_next <= c->nextseqnum && c->nextseqnum <= c->tail))
		return "base <= resend_next <= nextseqnum <= tail";
	if (c->tail - c->base > c->snd_cap)
		return "the send ring holds [base, tail)";
	if (c->nextseqnum - c->base > c->N)
		return "at most a window in flight";
	if (!(c->rcv_read <= c->rcv_base && c->rcv_base - c->rcv_read <= c->rcv_cap))
		return "rcv_read <= rcv_base, within the receive ring";
	if (c->N > c->cfg.window || c->payload > c->cfg.payload)
		return "the window and payload agreed are at most the config's";
	if (c->sacks_owed != sacks_flagged(c))
		return "sacks_owed counts the slots that owe a SACK";
	if (!sr_counters_right(c))
		return "SR: resends counts the packets marked, and sr_due is at most every timer";
	if (c->cfg.cc == RDT_CC_AIMD && (c->cwnd < 1 || c->cwnd > c->N))
		return "1 <= cwnd <= N";
	if (c->rto.backoff > 64 || rdt_rto_current(&c->rto) < c->rto.floor || rdt_rto_current(&c->rto) > c->rto.ceiling)
		return "floor <= RTO <= ceiling";
	return NULL;
}
