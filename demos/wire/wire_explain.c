/* wire_explain.c - socklab wire --explain: the Wireshark labs' questions, answered from this capture's bytes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "wire.h"

#define WIDTH 79
#define LIST_MAX 12 /* lengths, samples and retransmissions listed one by one; a count beyond */

void wire_point(FILE *out, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	const char *p = text;
	for (int first = 1; *p; first = 0) {
		size_t room = WIDTH - 2, n = strlen(p);
		if (n > room) { /* break at the last space that fits */
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = room;
		}
		fprintf(out, "%s%.*s\n", first ? "- " : "  ", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

/* Appends to a growing text, printf-style. */
#define ADD(buf, ...) snprintf((buf) + strlen(buf), sizeof(buf) - strlen(buf), __VA_ARGS__)

static const char *who(int side) { return side ? "server" : "client"; }

/* The SYN (or SYN-ACK) of a side, or -1. */
static long syn_of(const struct wire_report *r, int side)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->notes[i].dir == (side ? WIRE_TO_CLIENT : WIRE_TO_SERVER) && r->pkts[i].proto == WIRE_TCP &&
		    r->pkts[i].flags & TCP_SYN)
			return (long)i;
	return -1;
}

static void handshake(FILE *out, const struct wire_report *r)
{
	long c = syn_of(r, 0), s = syn_of(r, 1);
	char t[24];

	if (c < 0) {
		wire_point(out, "no SYN from the client was captured: the initial sequence numbers are not known, and the ladder "
			   "counts from each side's first segment (minus 1), as Wireshark does");
		return;
	}
	const struct wire_pkt *cp = &r->pkts[c];
	if (s >= 0)
		wire_point(out, "initial sequence numbers (ISN): the client's SYN carries %u, the server's SYN-ACK %u; the "
				"ladder's seq and ack count from these", cp->seq, r->pkts[s].seq);
	else
		wire_point(out, "initial sequence number (ISN): the client's SYN carries %u; no SYN came back, and the "
				"ladder counts the server's numbers from its first segment minus 1, as Wireshark does", cp->seq);
	if (s >= 0)
		wire_point(out, "the SYN-ACK's ack field is %u = the client's ISN + 1: a SYN takes one sequence number, so "
			   "the server expects byte ISN + 1 next (RFC 9293 3.4)", r->pkts[s].ack);
	for (int side = 0; side < 2; side++) {
		long i = side ? s : c;
		if (i < 0)
			continue;
		const struct wire_pkt *p = &r->pkts[i];
		wire_point(out, "the %s's %s at %s ms offers: MSS %d, SACK %s, timestamps %s, window scale %s%d%s", who(side),
		      side ? "SYN-ACK" : "SYN", wire_ms(r->t_ns[i], t, sizeof t), p->opt.mss,
		      p->opt.sack_ok ? "permitted" : "not offered", p->opt.has_ts ? "on" : "off",
		      p->opt.wscale >= 0 ? "shift " : "", p->opt.wscale >= 0 ? p->opt.wscale : 0,
		      p->opt.wscale >= 0 ? "" : " (none)");
	}
	wire_point(out, "window scaling %s", r->flow->scaling ?
	      "applies: both SYNs carried the option, so every later window field is multiplied by its sender's "
	      "scale (2 to the shift); a SYN's own window never is (RFC 7323 2.2)" :
	      "does not apply: it needs the option in both SYNs (RFC 7323 2.2)");
}

/* The windows each side advertised, each value once, in the order they first appeared. */
static void windows(FILE *out, const struct wire_report *r)
{
	char text[1024] = "windows advertised (as the receiver reads them):";

	for (int side = 0; side < 2; side++) {
		unsigned long long seen[LIST_MAX];
		int n = 0;
		ADD(text, " %s", who(side));
		for (size_t i = 0; i < r->n && n < LIST_MAX; i++) {
			if (r->notes[i].dir != (side ? WIRE_TO_CLIENT : WIRE_TO_SERVER) || r->pkts[i].proto != WIRE_TCP)
				continue;
			int k = 0;
			while (k < n && seen[k] != r->notes[i].window)
				k++;
			if (k < n)
				continue;
			seen[n++] = r->notes[i].window;
			ADD(text, "%s %llu%s", n > 1 ? "," : "", seen[k],
			    !(r->pkts[i].flags & TCP_SYN) ? "" : side ? " (its SYN-ACK, unscaled)" : " (its SYN, unscaled)");
		}
		ADD(text, "%s", side ? "" : ";");
	}
	wire_point(out, "%s", text);
}

/* Segment lengths, RTT samples and the smoothed RTT, retransmissions: one side's. */
static void segments(FILE *out, const struct wire_report *r, int side)
{
	const struct wire_side *s = &r->flow->side[side];
	char lens[512] = "", rtts[1024] = "", rex[512] = "", a[24], b[24];
	int nl = 0, nr = 0, nx = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct wire_note *nt = &r->notes[i];
		if (nt->dir != (side ? WIRE_TO_CLIENT : WIRE_TO_SERVER) || r->pkts[i].proto != WIRE_TCP)
			continue;
		if (r->pkts[i].payload && nl++ < LIST_MAX)
			ADD(lens, "%s%u", nl > 1 ? ", " : "", r->pkts[i].payload);
		if (nt->acked_by >= 0 && nr++ < LIST_MAX)
			ADD(rtts, "%s seq %u-%u sent at %s ms, acked at %s: %.3f ms", nr > 1 ? ";" : "", nt->rseq,
			    nt->rseq + nt->seglen, wire_ms(r->t_ns[i], a, sizeof a), wire_ms(r->t_ns[nt->acked_by], b, sizeof b),
			    (double)nt->rtt_ns / 1e6);
		if (nt->retrans && nx++ < LIST_MAX)
			ADD(rex, "%s seq %u at %s ms", nx > 1 ? "," : "", nt->rseq, wire_ms(r->t_ns[i], a, sizeof a));
	}
	wire_point(out, "the %s sent %d data segment%s, %llu bytes in all%s%s%s", who(side), s->segments,
	      s->segments == 1 ? "" : "s", s->bytes, nl ? "; their lengths: " : "", lens, nl > LIST_MAX ? "..." : "");
	if (nr)
		wire_point(out, "RTT samples of the %s's data (a segment to the first ACK that covers it; none from a segment "
			   "sent twice, Karn's rule, RFC 6298 3):%s%s", who(side), rtts, nr > LIST_MAX ? "; ..." : "");
	if (s->samples)
		wire_point(out, "the %s's smoothed RTT: SRTT = first sample, then 7/8 SRTT + 1/8 sample for each next one "
			   "(alpha 1/8, RFC 6298 2.3): %.3f ms after %d sample%s", who(side), s->srtt_ns / 1e6, s->samples,
		      s->samples == 1 ? "" : "s");
	if (nx)
		wire_point(out, "the %s retransmitted %d segment%s:%s%s", who(side), nx, nx == 1 ? "" : "s", rex,
		      nx > LIST_MAX ? ", ..." : "");
}

static void tcp_lessons(FILE *out, const struct wire_report *r)
{
	const struct wire_flow *f = r->flow;
	int rex = f->side[0].retrans + f->side[1].retrans;

	handshake(out, r);
	windows(out, r);
	for (int side = 0; side < 2; side++)
		if (f->side[side].packets)
			segments(out, r, side);
	wire_point(out, "retransmissions: %d in the capture (a segment whose sequence numbers were sent before); the "
		   "kernel's own count, Tcp RetransSegs of this namespace, went up by %lld", rex, r->kernel_retrans);
	if (f->side[0].fin || f->side[1].fin) {
		int first = 0;
		for (size_t i = 0; i < r->n; i++) /* who sent the first FIN closed first */
			if (r->notes[i].dir != WIRE_ASIDE && r->pkts[i].proto == WIRE_TCP && r->pkts[i].flags & TCP_FIN) {
				first = r->notes[i].dir == WIRE_TO_CLIENT;
				break;
			}
		wire_point(out, "the %s sent the first FIN: it closed first, so it is the one left in TIME_WAIT, for 2 MSL "
				"(RFC 9293 3.6, Figure 12; Linux holds it 60 s), so that late packets of this connection die "
				"before its addresses and ports make a new one", who(first));
	}
}

void wire_print_explain(FILE *out, const struct wire_report *r)
{
	fprintf(out, "\nwhat this capture answers (every number read from the packets above):\n");
	if (r->flow->packets == 0)
		wire_point(out, "nothing: no packet of the exchange was captured");
	else if (r->flow->tcp)
		tcp_lessons(out, r);
	else
		wire_explain_udp(out, r);
}
