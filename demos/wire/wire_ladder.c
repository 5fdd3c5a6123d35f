/* wire_ladder.c - the capture as a ladder diagram in plain text, 80 columns: client left, server right, a line per packet. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "transports/registry.h"
#include "wire.h"

/* The columns: time, the client's state, the arrow, the server's state. 8 + 2 + 12 + 1 + 43 + 1 + 12 = 79. */
#define TIME_W 8
#define STATE_W 12
#define ARROW_W 43
#define LABEL_MAX (ARROW_W - 5) /* "-- " + label + " >" at the least */
#define DETAIL_COL (TIME_W + 2 + STATE_W + 1)
#define LINE_MAX 79

/* "-- label --------->" or "<-------- label --", ARROW_W wide; label is at most LABEL_MAX long. */
static void arrow(char *out, const char *label, int to_server)
{
	size_t n = strlen(label);

	memset(out, '-', ARROW_W);
	out[ARROW_W] = '\0';
	if (to_server) {
		out[2] = ' ';
		memcpy(out + 3, label, n);
		out[3 + n] = ' ';
		out[ARROW_W - 1] = '>';
	} else {
		out[0] = '<';
		out[ARROW_W - 4 - n] = ' ';
		memcpy(out + ARROW_W - 3 - n, label, n);
		out[ARROW_W - 3] = ' ';
	}
}

/* The state of one side after packet i when it changed (else blank). */
static const char *state_at(const struct wire_report *r, size_t i, int side, enum wire_state *last)
{
	enum wire_state s = r->notes[i].state[side];
	if (s == *last)
		return "";
	*last = s;
	return wire_state_name(s);
}

/* One packet: its line, and a line of detail under the arrow when there is some. */
static void packet_lines(FILE *out, const struct wire_report *r, size_t i, enum wire_state last[2])
{
	char label[96], detail[160], line[ARROW_W + 1], t[24], win[40] = "";

	wire_label(r, i, 1, label, sizeof label);
	if (strlen(label) > LABEL_MAX) { /* the window moves under the arrow */
		wire_label(r, i, 0, label, sizeof label);
		if (r->pkts[i].proto == WIRE_TCP)
			snprintf(win, sizeof win, "win=%llu ", (unsigned long long)r->notes[i].window);
	}
	label[LABEL_MAX] = '\0';
	arrow(line, label, r->notes[i].dir == WIRE_TO_SERVER);
	const char *cs = state_at(r, i, 0, &last[0]), *ss = state_at(r, i, 1, &last[1]);
	fprintf(out, "%*s  %-*s %s%s%s\n", TIME_W, wire_ms(r->t_ns[i], t, sizeof t), STATE_W, cs, line, ss[0] ? " " : "", ss);
	wire_detail(r, i, detail, sizeof detail);
	if (win[0] || detail[0]) {
		char both[256];
		snprintf(both, sizeof both, "%s%s", win, detail);
		if (strlen(both) > LINE_MAX - DETAIL_COL - 3)
			memcpy(both + LINE_MAX - DETAIL_COL - 6, "...", 4);
		fprintf(out, "%*s   %s\n", DETAIL_COL, "", both);
	}
}

/* Is scheme a protocol socklab runs in user space, over UDP (rdt)? */
static int user_space(const char *scheme)
{
	const struct transport *t = transport_find(scheme, strlen(scheme));
	return t && transport_in_user_space(t);
}

/* The lines above the ladder: what ran, where, and how to read it; none longer than LINE_MAX. */
static void heading(FILE *out, const struct wire_report *r)
{
	const struct wire_flow *f = r->flow;
	char c[64] = "?", s[64] = "?", left[80], right[80];

	fprintf(out, "socklab wire: %s, scenario %s, %zu packet%s\ncaptured on lo, in a network namespace of its own, %s\n",
		r->scheme, r->scenario, f->packets, f->packets == 1 ? "" : "s", r->where);
	if (f->have_client)
		wire_end_text(&f->client, 0, c, sizeof c);
	if (f->have_server)
		wire_end_text(&f->server, 0, s, sizeof s);
	snprintf(left, sizeof left, "client %s", c);
	snprintf(right, sizeof right, "server %s", s);
	int pad = LINE_MAX - (int)strlen(left) - (int)strlen(right);
	if (pad > 0)
		fprintf(out, "%s%*s%s\n", left, pad, "", right);
	else /* two long IPv6 addresses */
		fprintf(out, "%s\n%s\n", left, right);
	if (f->tcp)
		fprintf(out, "seq, ack: counted from each side's initial sequence number, as Wireshark does\n"
			     "win: as its receiver reads it (%s)\n"
			     "state: each side's, when it changes, inferred from the packets (RFC 9293 3.3.2)\n",
			f->scaling ? "the field x the sender's WS: both SYNs had WS" : "no window scaling");
	else if (user_space(r->scheme)) /* the kernel sees UDP; the connection is in the data, socklab's own */
		fprintf(out, "UDP carrying %s, socklab's own protocol: its handshake, ACKs and states are in the\n"
			     "datagrams' data, decoded under each arrow (transports/rdt/rdt_wire.h)\n", r->scheme);
	else
		fprintf(out, "UDP: no connection, so no handshake, no states and no acknowledgements\n");
}

void wire_print_ladder(FILE *out, const struct wire_report *r)
{
	enum wire_state last[2] = { ST_CLOSED, r->flow->listening ? ST_LISTEN : ST_CLOSED };

	heading(out, r);
	fprintf(out, "\n%*s  %-*s %-*s %s\n", TIME_W, "time ms", STATE_W, "client", ARROW_W, "", "server");
	if (r->flow->tcp)
		fprintf(out, "%*s  %-*s %*s %s\n", TIME_W, "", STATE_W, wire_state_name(last[0]), ARROW_W, "",
			wire_state_name(last[1]));
	else
		last[0] = last[1] = ST_NONE;
	for (size_t i = 0; i < r->n; i++)
		if (r->notes[i].dir != WIRE_ASIDE)
			packet_lines(out, r, i, last);
	if (r->flow->packets == 0)
		fprintf(out, "%*s  (no packet of this exchange was captured)\n", TIME_W, "");
	if (r->flow->aside)
		fprintf(out, "(%zu other packet%s on lo, not of this exchange: in the pcap file only)\n", r->flow->aside,
			r->flow->aside == 1 ? "" : "s");
	if (r->x && r->x->nsaid) {
		fprintf(out, "\nwhat the programs saw:\n");
		for (int i = 0; i < r->x->nsaid; i++)
			fprintf(out, "  %s\n", r->x->said[i]);
	}
	if (r->flow->tcp)
		fprintf(out, "\nretransmissions: %d in the capture; the kernel's Tcp RetransSegs here: %s%lld\n",
			r->flow->side[0].retrans + r->flow->side[1].retrans, r->kernel_retrans >= 0 ? "+" : "",
			r->kernel_retrans);
	if (r->loss_pct >= 0 && r->nft_dropped >= 0)
		fprintf(out, "nftables dropped %lld packet%s on the way in (--loss %d%%%s)\n", r->nft_dropped,
			r->nft_dropped == 1 ? "" : "s", r->loss_pct, r->flow->tcp ? ": never a SYN, FIN or RST" : "");
	else if (r->nft_dropped >= 0) /* no-server: a rule drops everything to the port */
		fprintf(out, "nftables dropped %lld packet%s on the way in: all that went to port %u\n", r->nft_dropped,
			r->nft_dropped == 1 ? "" : "s", r->flow->server.sport);
	if (r->loss_pct > 0)
		fprintf(out, "the capture sees each packet leave, before the drop: a lost packet is shown%s\n",
			r->flow->tcp ? ",\nand the states assume it arrived" : "");
	if (r->dropped || r->unkept)
		fprintf(out, "warning: %lu frames were lost by the capture itself: the ladder misses them\n",
			r->dropped + r->unkept);
	if (!r->settled && r->x)
		fprintf(out, "warning: a connection was still at work when the capture stopped\n");
}
