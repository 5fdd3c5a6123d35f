/* wire_formats.c - the capture for other programs: JSON (an object per packet, and a summary), and a mermaid sequenceDiagram. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "wire.h"

void wire_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void tcp_fields(FILE *out, const struct wire_pkt *p, const struct wire_note *nt)
{
	char flags[32];

	fprintf(out, ", \"flags\": \"%s\", \"seq\": %u, \"ack\": ", wire_flags_text(p->flags, flags, sizeof flags), nt->rseq);
	if (p->flags & TCP_ACK)
		fprintf(out, "%u", nt->rack);
	else
		fprintf(out, "null");
	fprintf(out, ", \"seq_raw\": %u, \"ack_raw\": %u, \"len\": %u, \"win\": %llu, \"win_field\": %u, \"win_scaled\": %s",
		p->seq, p->ack, p->payload, (unsigned long long)nt->window, p->window, nt->scaled ? "true" : "false");
	if (p->flags & TCP_SYN) {
		fprintf(out, ", \"options\": {\"mss\": %d, \"sack_permitted\": %s, \"wscale\": %d", p->opt.mss,
			p->opt.sack_ok ? "true" : "false", p->opt.wscale);
		if (p->opt.has_ts)
			fprintf(out, ", \"ts_val\": %u, \"ts_ecr\": %u", p->opt.ts_val, p->opt.ts_ecr);
		fprintf(out, "}");
	}
	fprintf(out, ", \"retransmission\": %s, \"client_state\": \"%s\", \"server_state\": \"%s\", \"rtt_ms\": ",
		nt->retrans ? "true" : "false", wire_state_name(nt->state[0]), wire_state_name(nt->state[1]));
	if (nt->rtt_ns >= 0)
		fprintf(out, "%.6f", (double)nt->rtt_ns / 1e6);
	else
		fprintf(out, "null");
}

static void packet(FILE *out, const struct wire_report *r, size_t i, size_t n)
{
	const struct wire_pkt *p = &r->pkts[i];
	const struct wire_note *nt = &r->notes[i];
	static const char *const protos[] = { "other", "TCP", "UDP", "ICMP" };

	fprintf(out, "    {\"n\": %zu, \"time_ms\": %.6f, \"from\": \"%s\", \"to\": \"%s\", \"proto\": \"%s\"", n,
		(double)r->t_ns[i] / 1e6, nt->dir == WIRE_TO_SERVER ? "client" : "server",
		nt->dir == WIRE_TO_SERVER ? "server" : "client",
		p->proto == WIRE_ICMP && p->ends.family == AF_INET6 ? "ICMPv6" : protos[p->proto]);
	if (p->proto == WIRE_TCP)
		tcp_fields(out, p, nt);
	else if (p->proto == WIRE_UDP)
		fprintf(out, ", \"sport\": %u, \"dport\": %u, \"length\": %u, \"checksum\": %u, \"len\": %u", p->ends.sport,
			p->ends.dport, p->udp_len, p->udp_sum, p->payload);
	else if (p->proto == WIRE_ICMP)
		fprintf(out, ", \"type\": %u, \"code\": %u, \"text\": \"%s\", \"quotes\": {\"sport\": %u, \"dport\": %u, "
			     "\"length\": %u}", p->icmp_type, p->icmp_code, wire_icmp_text(p->ends.family, p->icmp_type, p->icmp_code),
			p->quote.sport, p->quote.dport, p->quote_udp_len);
	fprintf(out, "}");
}

static void side(FILE *out, const struct wire_flow *f, int k)
{
	const struct wire_side *s = &f->side[k];

	fprintf(out, "{\"packets\": %d, \"data_segments\": %d, \"bytes\": %llu, \"retransmissions\": %d", s->packets,
		s->segments, s->bytes, s->retrans);
	if (f->tcp && s->based)
		fprintf(out, ", \"isn\": %u, \"isn_from_syn\": %s", s->isn, s->syn ? "true" : "false");
	if (s->samples)
		fprintf(out, ", \"rtt_samples\": %d, \"srtt_ms\": %.6f", s->samples, s->srtt_ns / 1e6);
	fprintf(out, "}");
}

void wire_print_json(FILE *out, const struct wire_report *r)
{
	const struct wire_flow *f = r->flow;
	char c[64] = "", s[64] = "";
	size_t n = 0;

	if (f->have_client)
		wire_end_text(&f->client, 0, c, sizeof c);
	if (f->have_server)
		wire_end_text(&f->server, 0, s, sizeof s);
	fprintf(out, "{\"transport\": \"%s\", \"scenario\": \"%s\", \"captured\": ", r->scheme, r->scenario);
	wire_json_string(out, r->where);
	fprintf(out, ", \"client\": \"%s\", \"server\": \"%s\",\n  \"packets\": [\n", c, s);
	for (size_t i = 0; i < r->n; i++)
		if (r->notes[i].dir != WIRE_ASIDE) {
			fprintf(out, "%s", n ? ",\n" : "");
			packet(out, r, i, ++n);
		}
	fprintf(out, "%s  ],\n  \"summary\": {\"packets\": %zu, \"other_packets\": %zu, \"window_scaling\": %s, \"client\": ",
		n ? "\n" : "", f->packets, f->aside, f->scaling ? "true" : "false");
	side(out, f, 0);
	fprintf(out, ", \"server\": ");
	side(out, f, 1);
	fprintf(out, ",\n    \"retransmissions\": %d, \"kernel_retrans_segs\": %lld, \"loss_percent\": %d, \"nft_dropped\": %lld, "
		     "\"capture_lost\": %lu, \"said\": [", f->side[0].retrans + f->side[1].retrans, r->kernel_retrans,
		r->loss_pct, r->nft_dropped, r->dropped + r->unkept);
	for (int i = 0; r->x && i < r->x->nsaid; i++) {
		fprintf(out, "%s", i ? ", " : "");
		wire_json_string(out, r->x->said[i]);
	}
	fprintf(out, "]}\n}\n");
}

/* Mermaid reads ';' as the end of a statement and '#' as the start of an entity: keep them out of the text. */
static void clean(char *s)
{
	for (; *s; s++)
		if (*s == ';' || *s == '#')
			*s = ',';
}

void wire_print_mermaid(FILE *out, const struct wire_report *r)
{
	const struct wire_flow *f = r->flow;
	enum wire_state last[2] = { ST_CLOSED, f->listening ? ST_LISTEN : ST_CLOSED };
	char c[64] = "?", s[64] = "?", label[128], detail[160], t[24];

	if (f->have_client)
		wire_end_text(&f->client, 0, c, sizeof c);
	if (f->have_server)
		wire_end_text(&f->server, 0, s, sizeof s);
	fprintf(out, "sequenceDiagram\n    participant C as client %s\n    participant S as server %s\n", c, s);
	if (f->tcp)
		fprintf(out, "    Note over C: %s\n    Note over S: %s\n", wire_state_name(last[0]), wire_state_name(last[1]));
	for (size_t i = 0; i < r->n; i++) {
		const struct wire_note *nt = &r->notes[i];
		if (nt->dir == WIRE_ASIDE)
			continue;
		int to_server = nt->dir == WIRE_TO_SERVER;
		wire_label(r, i, 1, label, sizeof label);
		wire_detail(r, i, detail, sizeof detail);
		clean(label);
		clean(detail);
		/* A dotted arrow for a retransmission, an open one for an ICMP error: neither is the exchange's own step. */
		const char *arrow = nt->retrans ? "-->>" : r->pkts[i].proto == WIRE_ICMP ? "-)" : "->>";
		fprintf(out, "    %s%s%s: %s ms %s%s%s\n", to_server ? "C" : "S", arrow, to_server ? "S" : "C",
			wire_ms(r->t_ns[i], t, sizeof t), label, detail[0] ? ", " : "", detail);
		for (int side = 0; side < 2; side++)
			if (f->tcp && nt->state[side] != last[side]) {
				last[side] = nt->state[side];
				fprintf(out, "    Note over %s: %s\n", side ? "S" : "C", wire_state_name(last[side]));
			}
	}
	if (f->packets == 0)
		fprintf(out, "    Note over C,S: no packet of this exchange was captured\n");
}
