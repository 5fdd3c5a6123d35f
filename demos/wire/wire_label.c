/* wire_label.c - the words for one packet that every output shares: its arrow's label, the detail beside it, its time. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "transports/rdt/rdt_wire.h"
#include "wire.h"

const char *wire_ms(long long ns, char *out, size_t len)
{
	if (ns < 0)
		ns = 0;
	if (ns < 100000LL * 1000000) /* under 100 s: milliseconds to the microsecond */
		snprintf(out, len, "%.3f", (double)ns / 1e6);
	else
		snprintf(out, len, "%llds", ns / 1000000000LL % 10000000);
	return out;
}

const char *wire_label(const struct wire_report *r, size_t i, int with_window, char *out, size_t len)
{
	const struct wire_pkt *p = &r->pkts[i];
	const struct wire_note *nt = &r->notes[i];
	char flags[32], ack[24] = "", win[32] = "";

	switch (p->proto) {
	case WIRE_TCP:
		if (p->flags & TCP_ACK)
			snprintf(ack, sizeof ack, " ack=%u", nt->rack);
		if (with_window)
			snprintf(win, sizeof win, " win=%llu", (unsigned long long)nt->window);
		snprintf(out, len, "%s seq=%u%s len=%u%s", wire_flags_text(p->flags, flags, sizeof flags), nt->rseq, ack,
			 p->payload, win);
		break;
	case WIRE_UDP:
		snprintf(out, len, "UDP %u > %u len=%u", p->ends.sport, p->ends.dport, p->payload);
		break;
	case WIRE_ICMP:
		snprintf(out, len, "%s %s", p->ends.family == AF_INET6 ? "ICMPv6" : "ICMP",
			 wire_icmp_text(p->ends.family, p->icmp_type, p->icmp_code));
		break;
	default:
		snprintf(out, len, "(%s)", p->why ? p->why : "not IP");
	}
	return out;
}

/* A SYN's options, as Wireshark names them: "MSS=65495 SACK_PERM TS WS=128" (TS: timestamps, RFC 7323). */
static void syn_options(const struct wire_pkt *p, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	if (p->opt.mss >= 0)
		o += (size_t)snprintf(out + o, len - o, "MSS=%d ", p->opt.mss);
	if (p->opt.sack_ok && o < len)
		o += (size_t)snprintf(out + o, len - o, "SACK_PERM ");
	if (p->opt.has_ts && o < len)
		o += (size_t)snprintf(out + o, len - o, "TS ");
	if (p->opt.wscale >= 0 && o < len)
		o += (size_t)snprintf(out + o, len - o, "WS=%u ", 1u << (p->opt.wscale > 14 ? 14 : p->opt.wscale));
	if (o > 0 && o <= len)
		out[o - 1] = '\0';
	else if (o == 0)
		snprintf(out, len, "no options");
}

/*
 * A UDP payload that is one of rdt's datagrams (socklab's own protocol: its magic, version and CRC-32C all
 * check out) as rdt_wire_describe says it, without the connection id that every datagram of the exchange
 * repeats: "rdt SYN seq=7 arq=sr window=32 seqbits=32 payload=1400". 0, or -1 when the bytes are not rdt's
 * or not all captured.
 */
static int rdt_detail(const struct wire_report *r, size_t i, char *out, size_t len)
{
	const struct wire_pkt *p = &r->pkts[i];
	char line[160];

	if (!r->frames || p->truncated || p->payload_off > r->frames[i].caplen ||
	    r->frames[i].caplen - p->payload_off < p->payload)
		return -1;
	if (rdt_wire_describe(r->frames[i].bytes + p->payload_off, p->payload, line, sizeof line) < 0)
		return -1;
	char *conn = strstr(line, " conn=");
	if (conn)
		memmove(conn, conn + 6 + strcspn(conn + 6, " "), strlen(conn + 6 + strcspn(conn + 6, " ")) + 1);
	snprintf(out, len, "rdt %s", line);
	return 0;
}

const char *wire_detail(const struct wire_report *r, size_t i, char *out, size_t len)
{
	const struct wire_pkt *p = &r->pkts[i];
	const struct wire_note *nt = &r->notes[i];
	out[0] = '\0';
	if (p->proto == WIRE_TCP && p->flags & TCP_SYN)
		syn_options(p, out, len);
	else if (p->proto == WIRE_TCP && nt->retrans)
		snprintf(out, len, "RETRANSMISSION: seq %u to %u was sent before", nt->rseq, nt->rseq + nt->seglen);
	else if (p->proto == WIRE_UDP && rdt_detail(r, i, out, len) == 0)
		; /* socklab's own protocol in UDP's data: its header says more than UDP's Length */
	else if (p->proto == WIRE_UDP)
		snprintf(out, len, "Length=%u (8 header + %u data), checksum 0x%04x", p->udp_len, p->payload, p->udp_sum);
	else if (p->proto == WIRE_ICMP && p->quoted)
		snprintf(out, len, "type %u code %u, quoting %s %u > %u", p->icmp_type, p->icmp_code,
			 p->quote.proto == 17 ? "UDP" : p->quote.proto == 6 ? "TCP" : "IP", p->quote.sport, p->quote.dport);
	if (p->proto == WIRE_TCP && p->flags & TCP_SYN && nt->retrans && strlen(out) + 20 < len)
		snprintf(out + strlen(out), len - strlen(out), "; RETRANSMISSION");
	if (p->truncated && strlen(out) + 24 < len)
		snprintf(out + strlen(out), len - strlen(out), "%s(capture cut short)", out[0] ? "; " : "");
	return out;
}
