/* wire_parse.c - decode a captured frame without trusting one of its bytes: every length is checked before it is used. */
#include "wire_packet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Protocol numbers of the IP header (IANA); spelled out so the file reads the same on every system. */
enum { P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_ICMPV6 = 58, P_HOPOPTS = 0, P_ROUTING = 43, P_FRAGMENT = 44,
       P_DSTOPTS = 60 };
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define EXT_HEADERS_MAX 8 /* IPv6 extension headers followed before giving up */

static unsigned be16(const uint8_t *b) { return (unsigned)b[0] << 8 | b[1]; }
static uint32_t be32(const uint8_t *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }

static int broken(struct wire_pkt *p, const char *why)
{
	p->why = why;
	p->proto = WIRE_OTHER;
	return -1;
}

/*
 * An IP header at b (n bytes captured) into e and *hlen, *total. IPv6
 * extension headers are walked to the transport header. Returns 0, or -1 with
 * why set. A fragment past the first has no transport header: that is -1 too.
 */
static int ip_header(const uint8_t *b, size_t n, struct wire_ends *e, unsigned *hlen, unsigned *total, unsigned *ttl,
		     const char **why)
{
	memset(e, 0, sizeof *e);
	if (n < 1)
		return *why = "IP header cut short", -1;
	if (b[0] >> 4 == 4) {
		unsigned ihl = (b[0] & 0x0f) * 4u;
		if (n < 20 || ihl < 20 || ihl > n)
			return *why = "IPv4 header cut short", -1;
		e->family = AF_INET;
		*total = be16(b + 2);
		*ttl = b[8];
		e->proto = b[9];
		memcpy(e->src, b + 12, 4);
		memcpy(e->dst, b + 16, 4);
		*hlen = ihl;
		if (*total < ihl)
			return *why = "IPv4 total length shorter than its header", -1;
		if (be16(b + 6) & 0x1fff)
			return *why = "an IPv4 fragment, not the first", -1;
		return 0;
	}
	if (b[0] >> 4 != 6)
		return *why = "IP version neither 4 nor 6", -1;
	if (n < 40)
		return *why = "IPv6 header cut short", -1;
	e->family = AF_INET6;
	*total = 40 + be16(b + 4);
	*ttl = b[7];
	memcpy(e->src, b + 8, 16);
	memcpy(e->dst, b + 24, 16);
	unsigned next = b[6], off = 40;
	for (int i = 0; i < EXT_HEADERS_MAX; i++) {
		if (next != P_HOPOPTS && next != P_ROUTING && next != P_DSTOPTS && next != P_FRAGMENT)
			break;
		if (off + 8 > n || off + 8 > *total)
			return *why = "IPv6 extension header cut short", -1;
		if (next == P_FRAGMENT && (be16(b + off + 2) & 0xfff8))
			return *why = "an IPv6 fragment, not the first", -1;
		unsigned elen = next == P_FRAGMENT ? 8 : (b[off + 1] + 1u) * 8;
		next = b[off];
		off += elen;
	}
	e->proto = (int)next;
	*hlen = off;
	if (off > n || off > *total)
		return *why = "IPv6 extension headers longer than the packet", -1;
	return 0;
}

/* The TCP options (kind, length, value...) between b and b + n (RFC 9293 3.2). Stops at what cannot be read. */
static void tcp_options(const uint8_t *b, size_t n, struct wire_tcp_options *o)
{
	size_t i = 0;

	while (i < n && b[i] != 0) {
		if (b[i] == 1) { /* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= n || b[i + 1] < 2 || i + b[i + 1] > n)
			return; /* a length that runs past the header, or less than its own two bytes */
		const uint8_t *v = b + i + 2;
		unsigned len = b[i + 1];
		if (b[i] == 2 && len == 4)
			o->mss = (int)be16(v);
		else if (b[i] == 3 && len == 3)
			o->wscale = v[0];
		else if (b[i] == 4 && len == 2)
			o->sack_ok = 1;
		else if (b[i] == 5 && len >= 10 && (len - 2) % 8 == 0)
			o->sacks = (int)(len - 2) / 8;
		else if (b[i] == 8 && len == 10)
			o->has_ts = 1, o->ts_val = be32(v), o->ts_ecr = be32(v + 4);
		i += len;
	}
}

/* The transport header at b (n bytes captured, l4len bytes by the IP length). */
static int transport(const uint8_t *b, size_t n, unsigned l4len, size_t off, struct wire_pkt *p)
{
	int proto = p->ends.proto;

	if (proto == P_TCP) {
		if (n < 20 || l4len < 20)
			return broken(p, "TCP header cut short");
		p->tcp_hlen = (b[12] >> 4) * 4u;
		if (p->tcp_hlen < 20 || p->tcp_hlen > n || p->tcp_hlen > l4len)
			return broken(p, "TCP data offset outside the segment");
		p->ends.sport = (uint16_t)be16(b), p->ends.dport = (uint16_t)be16(b + 2);
		p->seq = be32(b + 4), p->ack = be32(b + 8);
		p->flags = b[13] & 0x3f;
		p->window = (uint16_t)be16(b + 14);
		tcp_options(b + 20, p->tcp_hlen - 20, &p->opt);
		p->payload = l4len - p->tcp_hlen;
		p->payload_off = (unsigned)off + p->tcp_hlen;
		p->proto = WIRE_TCP;
		return 0;
	}
	if (proto == P_UDP) {
		if (n < 8 || l4len < 8)
			return broken(p, "UDP header cut short");
		p->ends.sport = (uint16_t)be16(b), p->ends.dport = (uint16_t)be16(b + 2);
		p->udp_len = (uint16_t)be16(b + 4), p->udp_sum = (uint16_t)be16(b + 6);
		/* Length covers the header and the data (RFC 768); believe it only within the IP datagram. */
		p->payload = p->udp_len >= 8 && p->udp_len <= l4len ? p->udp_len - 8u : l4len - 8;
		p->payload_off = (unsigned)off + 8;
		p->proto = WIRE_UDP;
		return 0;
	}
	if (proto != (p->ends.family == AF_INET6 ? P_ICMPV6 : P_ICMP))
		return broken(p, "an IP protocol other than TCP, UDP and ICMP");
	if (n < 8 || l4len < 8)
		return broken(p, "ICMP header cut short");
	p->icmp_type = b[0], p->icmp_code = b[1];
	p->proto = WIRE_ICMP;
	/* Errors quote the packet that caused them: its IP header and at least 8 bytes after it. */
	int error = p->ends.family == AF_INET6 ? b[0] < 128 : (b[0] == 3 || b[0] == 4 || b[0] == 5 || b[0] == 11 || b[0] == 12);
	unsigned qh, qtotal, qttl;
	const char *qwhy;
	size_t qn = (n < l4len ? n : l4len) - 8;
	if (error && ip_header(b + 8, qn, &p->quote, &qh, &qtotal, &qttl, &qwhy) == 0) {
		p->quoted = 1;
		if ((p->quote.proto == P_UDP || p->quote.proto == P_TCP) && qh + 4 <= qn)
			p->quote.sport = (uint16_t)be16(b + 8 + qh), p->quote.dport = (uint16_t)be16(b + 8 + qh + 2);
		if (p->quote.proto == P_UDP && qh + 6 <= qn)
			p->quote_udp_len = be16(b + 8 + qh + 4);
	}
	return 0;
}

int wire_parse(const uint8_t *frame, size_t len, struct wire_pkt *p)
{
	unsigned total = 0;

	memset(p, 0, sizeof *p);
	p->opt.mss = p->opt.wscale = -1;
	if (len < WIRE_ETH_HLEN)
		return broken(p, "Ethernet header cut short");
	unsigned type = be16(frame + 12);
	if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
		return broken(p, "not IPv4 or IPv6");
	const uint8_t *ip = frame + WIRE_ETH_HLEN;
	size_t n = len - WIRE_ETH_HLEN;
	if (ip_header(ip, n, &p->ends, &p->ip_hlen, &total, &p->ttl, &p->why) < 0)
		return broken(p, p->why);
	if ((type == ETHERTYPE_IPV4) != (p->ends.family == AF_INET))
		return broken(p, "EtherType and IP version disagree");
	p->ip_len = total;
	p->truncated = n < total;
	/* The transport header and data: as long as the IP header says, and no longer than what was captured. */
	size_t avail = (n < total ? n : total) - p->ip_hlen;
	return transport(ip + p->ip_hlen, avail, total - p->ip_hlen, WIRE_ETH_HLEN + p->ip_hlen, p);
}

const char *wire_flags_text(uint8_t flags, char *out, size_t outlen)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG" }; /* bit 0 first, as Wireshark */
	size_t o = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & (1u << i) && o + 5 < outlen)
			o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? "," : "", names[i]);
	if (o == 0)
		snprintf(out, outlen, "none");
	return out;
}

const char *wire_icmp_text(int family, uint8_t type, uint8_t code)
{
	static const char *const unreach4[] = { "network unreachable", "host unreachable", "protocol unreachable",
						"port unreachable", "fragmentation needed" };
	static const char *const unreach6[] = { "no route", "administratively prohibited", "beyond scope",
						"address unreachable", "port unreachable" };

	if (family == AF_INET6) { /* RFC 4443, 2.1 and 3.1 */
		if (type == 1)
			return code < 5 ? unreach6[code] : "destination unreachable";
		return type == 2 ? "packet too big" : type == 3 ? "time exceeded" : type == 128 ? "echo request" :
		       type == 129 ? "echo reply" : "ICMPv6 message";
	}
	if (type == 3) /* RFC 792, "Destination Unreachable Message" */
		return code < 5 ? unreach4[code] : code == 13 ? "administratively prohibited" : "destination unreachable";
	return type == 0 ? "echo reply" : type == 8 ? "echo request" : type == 11 ? "time exceeded" : "ICMP message";
}

const char *wire_end_text(const struct wire_ends *e, int which, char *out, size_t outlen)
{
	const uint8_t *a = which ? e->dst : e->src;
	unsigned port = which ? e->dport : e->sport;
	char host[INET6_ADDRSTRLEN] = "?";

	if (e->family == AF_INET || e->family == AF_INET6)
		inet_ntop(e->family, a, host, sizeof host);
	snprintf(out, outlen, e->family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, port);
	return out;
}
