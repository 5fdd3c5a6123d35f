/* congestion_rdt.c - the rdt kind of flow: socklab's own transport over UDP with cc=aimd, sampled from its own sender. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/trace.h"
#include "transports/endpoint.h"
#include "transports/rdt/rdt_transport.h"
#include "congestion.h"

/*
 * Selective repeat, the largest window rdt takes (so that cwnd, not the
 * window, is what stops the sender: rdt caps cwnd at it, and starts ssthresh
 * there), messages of PAYLOAD bytes, one to a datagram of 1456 bytes with
 * rdt's, UDP's and IPv4's headers (rdt_config.h). The timers are kernel
 * TCP's beside it: an RTO floor of 200 ms (Linux's TCP_RTO_MIN,
 * include/net/tcp.h) and 1 s before the first sample (RFC 6298 2.1). With
 * rdt's own 10 ms floor the queue's 60 ms of delay outruns the RTO: a run is
 * then mostly spurious timeouts (docs/congestion.md shows one).
 */
#define OPTIONS "arq=sr&window=1024&payload=1400&rto_min=200&rto_init=1000"
#define PAYLOAD 1400
#define BACKLOG_MIN 64 /* messages handed to rdt and not yet sent once: at least this many, and 2 x cwnd */

/* A flow's own: its rdt socket, the counts at the last sample, and whether the run should wait on it. */
struct rdt_flow {
	struct sock s;
	struct endpoint ep;      /* s->options points into it while dialing */
	unsigned long long sent; /* messages sock_send took */
	struct rdt_stats last;   /* at the last sample */
	int holding;             /* enough is queued: f->fd is -1 until the next sample finds less */
};

/*
 * The endpoint rdt://HOST:PORT?OPTIONS&cc=CC, dialed through the transport
 * table. rdt's dial is its handshake, in this thread: it blocks for one
 * round trip (more if the SYN is lost: rdt's own timer, at most retries
 * times). Then the socket is made nonblocking. errno from the dial
 * (ECONNREFUSED, ETIMEDOUT), or EINVAL for a cc rdt does not take.
 */
static int rdt_flow_open(struct congestion_flow *f, const char *cc, const char *host, int port)
{
	struct rdt_flow *r = calloc(1, sizeof *r);
	char text[ENDPOINT_TEXT_MAX], why[256];
	struct addr me;
	int gai = 0;

	if (!r)
		return -1;
	sock_init(&r->s);
	snprintf(text, sizeof text, "rdt://%s:%d?" OPTIONS "&cc=%s", host, port, cc);
	if (endpoint_parse(text, ENDPOINT_CLIENT, &r->ep, why, sizeof why) < 0) {
		free(r);
		errno = EINVAL;
		return -1;
	}
	if (sock_dial_endpoint(&r->s, &r->ep, &gai) < 0 || sock_set_nonblocking(&r->s) < 0 || sock_getname(&r->s, &me) < 0) {
		int saved = errno;
		sock_close(&r->s);
		free(r);
		errno = saved;
		return -1;
	}
	f->own = r;
	f->fd = r->s.fd;
	f->port = addr_port(&me); /* the UDP socket's: what the receiver sees as the peer */
	f->mss = PAYLOAD;
	return 0;
}

/* Messages handed over and not yet sent once: in the socketpair, or queued in rdt's sender. */
static unsigned long long backlog(const struct rdt_flow *r, const struct rdt_stats *st)
{
	return r->sent > st->data_sent ? r->sent - st->data_sent : 0;
}

static int enough(const struct rdt_flow *r, const struct rdt_stats *st)
{
	return backlog(r, st) >= (BACKLOG_MIN > 2ull * st->cwnd ? BACKLOG_MIN : 2ull * st->cwnd);
}

/*
 * Sends messages until the pair is full (EAGAIN), or until enough are
 * queued: twice cwnd, so that the window, not the application, limits the
 * sender, as with TCP's full socket buffer. rdt would take a whole window
 * (1024) and its send queue, which a close then has to deliver first; so
 * the flow holds back and, with f->fd -1, the run stops waiting on it until
 * the next sample finds less queued. Untraced: thousands of calls a second.
 */
static int rdt_flow_pump(struct congestion_flow *f)
{
	static const char zeros[PAYLOAD];
	struct rdt_flow *r = f->own;
	struct rdt_stats st;
	int was = trace_mute(1), rc = 0;

	if (rdt_sock_stats(&r->s, &st) < 0)
		rc = -1;
	while (rc == 0) {
		if (enough(r, &st)) {
			r->holding = 1;
			f->fd = -1;
			break;
		}
		ssize_t n = sock_send(&r->s, zeros, sizeof zeros);
		if (n >= 0)
			r->sent++;
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		else if (errno != EINTR)
			rc = -1;
	}
	trace_mute(was);
	return rc;
}

/*
 * rdt_sock_stats(): the sender's own state, under its lock. rdt has no
 * tcpi_ca_state: a timeout (or a retransmission on one) since the last sample
 * is CA_LOSS, a fast retransmit CA_RECOVERY, else open (then cwnd against
 * ssthresh tells slow start from avoidance). rdt starts ssthresh at the
 * window, where cwnd stops anyway: until it is lowered it is shown as none.
 */
static int rdt_flow_sample(struct congestion_flow *f, struct congestion_sample *s)
{
	struct rdt_flow *r = f->own;
	struct rdt_stats st;

	if (rdt_sock_stats(&r->s, &st) < 0)
		return -1;
	s->cwnd = st.cwnd;
	s->ssthresh = st.ssthresh >= st.window && st.cwnd < st.window ? CONGESTION_NO_SSTHRESH : st.ssthresh;
	s->rtt_us = (uint32_t)st.srtt;
	s->rttvar_us = (uint32_t)st.rttvar;
	s->retrans = (uint32_t)(st.retransmits_timeout + st.retransmits_fast);
	s->segs_out = (uint32_t)(st.data_sent + st.retransmits_timeout + st.retransmits_fast);
	s->delivery_bps = 0; /* rdt measures none: the dumps leave it empty */
	s->ca_state = CA_OPEN;
	if (st.timeouts > r->last.timeouts || st.retransmits_timeout > r->last.retransmits_timeout)
		s->ca_state = CA_LOSS;
	else if (st.retransmits_fast > r->last.retransmits_fast &&
		 (st.ssthresh != r->last.ssthresh || st.cwnd < r->last.cwnd))
		s->ca_state = CA_RECOVERY; /* a fast retransmit that cut the window: one a window of data at most */
	if (st.srtt > 0 && (f->min_rtt_us == 0 || (uint32_t)st.srtt < f->min_rtt_us))
		f->min_rtt_us = (uint32_t)st.srtt;
	r->last = st;
	if (r->holding && !enough(r, &st)) {
		r->holding = 0;
		f->fd = r->s.fd; /* the run waits on it again, and pumps when it is writable */
	}
	return 0;
}

/*
 * rdt has no reset for the application to ask (no SO_LINGER 0): close sends
 * a FIN after what is queued and waits for the close handshake (at most
 * RDT_LINGER_MS), which is why the pump keeps the queue short.
 */
static void rdt_flow_close(struct congestion_flow *f)
{
	struct rdt_flow *r = f->own;

	if (!r)
		return;
	int was = trace_mute(1);
	sock_close(&r->s);
	trace_mute(was);
	free(r);
	f->own = NULL;
	f->fd = -1;
}

const struct congestion_kind congestion_rdt_kind = {
	.name = "socklab's rdt over UDP",
	.source = "rdt_sock_stats",
	.label = "socklab's rdt over UDP (cc=aimd): samples from its own sender, not TCP_INFO",
	.unit = "packets",
	.receiver = "rdt://%s:0?" OPTIONS,
	.legend = "* cwnd  - ssthresh (packets, from rdt's sender)  ^ rdt retransmitted in it\n"
		  "phase (rdt's counts since the sample before, then cwnd against ssthresh): S slow\n"
		  "start, A congestion avoidance, R a fast retransmit (rdt halves at once: no\n"
		  "recovery phase), L a timeout (cwnd back to 1)\n",
	.figures = "goodput: bytes the receiver read x 8 / the flow's time; retransmitted: rdt's\n"
		   "retransmissions (timeouts + fast) of its packets sent; RTT: the smallest and\n"
		   "the mean of the sampled srtt (rdt keeps no minimum)\n",
	.has_delivery_rate = 0,
	.open = rdt_flow_open,
	.pump = rdt_flow_pump,
	.sample = rdt_flow_sample,
	.close = rdt_flow_close,
};
