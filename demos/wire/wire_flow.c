/* wire_flow.c - read a capture as one exchange: directions, sequence numbers relative to each ISN, windows, RFC 9293 states, RTTs. */
#include "wire_flow.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

const char *wire_state_name(enum wire_state s)
{
	static const char *const names[] = { "", "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
					     "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT" };
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* Is end which (0 src, 1 dst) of e the address and port at (in src, sport)? */
static int same_end(const struct wire_ends *e, int which, const struct wire_ends *at)
{
	size_t alen = e->family == AF_INET6 ? 16 : 4;
	return e->family == at->family && memcmp(which ? e->dst : e->src, at->src, alen) == 0 &&
	       (which ? e->dport : e->sport) == at->sport;
}

/* An end of e, as a one-address wire_ends (address in src, port in sport). */
static struct wire_ends end_of(const struct wire_ends *e, int which)
{
	struct wire_ends x = { .family = e->family, .proto = e->proto, .sport = which ? e->dport : e->sport };
	memcpy(x.src, which ? e->dst : e->src, sizeof x.src);
	return x;
}

/* Which way p goes in the exchange; learns the server from the first packet and the client from the first to it. */
static enum wire_dir direction(struct wire_flow *f, const struct wire_pkt *p)
{
	const struct wire_ends *e = p->proto == WIRE_ICMP && p->quoted ? &p->quote : &p->ends;

	if (p->proto == WIRE_OTHER || (p->proto == WIRE_ICMP && !p->quoted))
		return WIRE_ASIDE;
	if (!f->have_server) { /* the first sender is the client: a SYN, or the first datagram */
		if (p->proto == WIRE_ICMP)
			return WIRE_ASIDE;
		f->server = end_of(e, 1);
		f->have_server = 1;
	}
	if (e->proto != f->server.proto)
		return WIRE_ASIDE;
	/* An ICMP error quotes what the client sent to the server: it travels back to the client. */
	int to_server = same_end(e, 1, &f->server), from_server = !to_server && same_end(e, 0, &f->server);
	if (!to_server && !from_server)
		return WIRE_ASIDE;
	struct wire_ends other = end_of(e, to_server ? 0 : 1);
	if (!f->have_client) {
		f->client = other;
		f->have_client = 1;
	} else if (!same_end(&other, 0, &f->client)) {
		return WIRE_ASIDE; /* another client: another conversation */
	}
	if (p->proto == WIRE_ICMP)
		return to_server ? WIRE_TO_CLIENT : WIRE_TO_SERVER;
	return to_server ? WIRE_TO_SERVER : WIRE_TO_CLIENT;
}

/* The sender's side of a TCP segment: relative numbers, window, retransmission, and what it has sent. */
static void tcp_sent(struct wire_flow *f, const struct wire_pkt *p, struct wire_side *me, struct wire_side *peer,
		     struct wire_note *nt)
{
	nt->seglen = p->payload + !!(p->flags & TCP_SYN) + !!(p->flags & TCP_FIN);
	if (p->flags & TCP_SYN && !me->syn) {
		me->syn = me->based = 1;
		me->isn = p->seq;
		me->wscale = p->opt.wscale;
	} else if (!me->based) { /* no SYN seen: count from the first segment, as Wireshark does */
		me->based = 1;
		me->isn = p->seq - 1;
	}
	if (p->flags & TCP_ACK && !peer->based) {
		peer->based = 1;
		peer->isn = p->ack - 1;
	}
	nt->rseq = p->seq - me->isn;
	nt->rack = p->flags & TCP_ACK ? p->ack - peer->isn : 0;
	if (p->flags & TCP_SYN && p->flags & TCP_ACK)
		f->scaling = me->wscale >= 0 && peer->syn && peer->wscale >= 0;
	/* A SYN's window is never scaled (RFC 7323 2.2); the kernel caps the shift at 14 (2.3). */
	nt->scaled = f->scaling && !(p->flags & TCP_SYN) && me->wscale > 0;
	nt->window = (uint64_t)p->window << (nt->scaled ? (me->wscale > 14 ? 14 : me->wscale) : 0);
	nt->retrans = nt->seglen > 0 && me->seen && wire_seq_before(p->seq, me->next);
	if (!me->seen || wire_seq_before(me->next, p->seq + nt->seglen))
		me->next = p->seq + nt->seglen;
	me->seen = 1;
	if (p->flags & TCP_FIN && !me->fin)
		me->fin = 1, me->fin_seq = p->seq + p->payload;
	me->segments += p->payload > 0;
	me->retrans += nt->retrans;
	me->bytes += p->payload;
}

/* Does p acknowledge side s's FIN? */
static int acks_fin(const struct wire_pkt *p, const struct wire_side *s)
{
	return p->flags & TCP_ACK && s->fin && !wire_seq_before(p->ack, s->fin_seq + 1);
}

/* RFC 9293 3.3.2, the sender's arrows: what sending p does to its state. */
static enum wire_state on_send(enum wire_state st, const struct wire_pkt *p)
{
	if (p->flags & TCP_RST)
		return st == ST_LISTEN ? ST_LISTEN : ST_CLOSED;
	if (p->flags & TCP_SYN)
		return p->flags & TCP_ACK ? (st == ST_CLOSED ? st : ST_SYN_RECEIVED) : (st == ST_CLOSED ? ST_SYN_SENT : st);
	if (p->flags & TCP_FIN)
		return st == ST_ESTABLISHED || st == ST_SYN_RECEIVED ? ST_FIN_WAIT_1 : st == ST_CLOSE_WAIT ? ST_LAST_ACK : st;
	return st;
}

/* The receiver's arrows: what p does to the state of the side that receives it (sent is that side's own record). */
static enum wire_state on_receive(enum wire_state st, const struct wire_pkt *p, const struct wire_side *me)
{
	if (p->flags & TCP_RST)
		return st == ST_LISTEN ? ST_LISTEN : ST_CLOSED;
	if (p->flags & TCP_SYN) {
		if (!(p->flags & TCP_ACK))
			return st == ST_LISTEN || st == ST_SYN_SENT ? ST_SYN_RECEIVED : st;
		return st == ST_SYN_SENT && me->syn && p->ack == me->isn + 1 ? ST_ESTABLISHED : st;
	}
	if (st == ST_SYN_RECEIVED && p->flags & TCP_ACK && me->syn && !wire_seq_before(p->ack, me->isn + 1))
		st = ST_ESTABLISHED;
	if (acks_fin(p, me))
		st = st == ST_FIN_WAIT_1 ? ST_FIN_WAIT_2 : st == ST_CLOSING ? ST_TIME_WAIT : st == ST_LAST_ACK ? ST_CLOSED : st;
	if (p->flags & TCP_FIN)
		st = st == ST_ESTABLISHED || st == ST_SYN_RECEIVED ? ST_CLOSE_WAIT : st == ST_FIN_WAIT_1 ? ST_CLOSING :
		     st == ST_FIN_WAIT_2 ? ST_TIME_WAIT : st;
	return st;
}

/*
 * RTT samples: each data segment not sent twice (Karn's rule, RFC 6298 3),
 * to the first ACK from the other side that covers it; then each side's
 * smoothed RTT over its samples, in order (RFC 6298 2.2 and 2.3).
 */
static void rtt_samples(struct wire_flow *f, const struct wire_pkt *pkts, const long long *t_ns, size_t n,
			struct wire_note *notes)
{
	for (size_t i = 0; i < n; i++) {
		const struct wire_pkt *p = &pkts[i];
		if (notes[i].dir == WIRE_ASIDE || p->proto != WIRE_TCP || p->payload == 0 || notes[i].retrans)
			continue;
		uint32_t end = p->seq + notes[i].seglen;
		int ambiguous = 0;
		for (size_t j = i + 1; j < n && !ambiguous; j++) {
			const struct wire_pkt *q = &pkts[j];
			if (notes[j].dir == WIRE_ASIDE || q->proto != WIRE_TCP)
				continue;
			if (notes[j].dir == notes[i].dir) { /* sent again before its ACK: which copy was acked? */
				ambiguous = notes[j].retrans && wire_seq_before(q->seq, end) && wire_seq_before(p->seq, q->seq + notes[j].seglen);
				continue;
			}
			if (q->flags & TCP_ACK && !wire_seq_before(q->ack, end)) {
				notes[i].rtt_ns = t_ns[j] - t_ns[i];
				notes[i].acked_by = (int)j;
				break;
			}
		}
		if (notes[i].acked_by < 0)
			continue;
		struct wire_side *s = &f->side[notes[i].dir == WIRE_TO_SERVER ? 0 : 1];
		double r = (double)notes[i].rtt_ns;
		if (s->samples++ == 0) {
			s->srtt_ns = r;
			s->rttvar_ns = r / 2;
		} else {
			double d = s->srtt_ns > r ? s->srtt_ns - r : r - s->srtt_ns;
			s->rttvar_ns = 0.75 * s->rttvar_ns + 0.25 * d;
			s->srtt_ns = 0.875 * s->srtt_ns + 0.125 * r;
		}
	}
}

void wire_flow_analyze(struct wire_flow *f, const struct wire_pkt *pkts, const long long *t_ns, size_t n,
		       struct wire_note *notes)
{
	enum wire_state st[2] = { ST_CLOSED, f->listening ? ST_LISTEN : ST_CLOSED };

	memset(f->side, 0, sizeof f->side);
	f->side[0].wscale = f->side[1].wscale = -1;
	f->packets = f->aside = 0;
	f->icmp = f->scaling = f->have_client = 0;
	f->tcp = f->have_server ? f->server.proto == IPPROTO_TCP : 0;
	for (size_t i = 0; i < n; i++) {
		const struct wire_pkt *p = &pkts[i];
		struct wire_note *nt = &notes[i];
		memset(nt, 0, sizeof *nt);
		nt->rtt_ns = -1;
		nt->acked_by = -1;
		nt->dir = direction(f, p);
		if (nt->dir == WIRE_ASIDE) {
			f->aside++;
			nt->state[0] = st[0], nt->state[1] = st[1];
			continue;
		}
		f->packets++;
		f->tcp = f->server.proto == IPPROTO_TCP;
		int me = nt->dir == WIRE_TO_SERVER ? 0 : 1;
		f->side[me].packets++;
		if (p->proto == WIRE_ICMP)
			f->icmp++;
		if (p->proto == WIRE_TCP) {
			tcp_sent(f, p, &f->side[me], &f->side[!me], nt);
			st[me] = on_send(st[me], p);
			st[!me] = on_receive(st[!me], p, &f->side[!me]);
		} else if (p->proto == WIRE_UDP) {
			f->side[me].segments++;
			f->side[me].bytes += p->payload;
		}
		nt->state[0] = f->tcp ? st[0] : ST_NONE;
		nt->state[1] = f->tcp ? st[1] : ST_NONE;
	}
	rtt_samples(f, pkts, t_ns, n, notes);
}
