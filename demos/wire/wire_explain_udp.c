/* wire_explain_udp.c - --explain for datagrams: UDP's four header fields, what Length covers, the checksum, the ICMP error. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "wire.h"

#define DATAGRAMS_MAX 4 /* datagrams explained one by one */

/* Adds 16-bit big-endian words of b (n bytes; an odd last byte padded with zero) to sum. */
static uint32_t add_words(uint32_t sum, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n % 2)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The checksum field against the datagram's bytes (RFC 768: the one's complement sum of a
 * pseudo-header, the header and the data). Returns 1 correct, 2 the pseudo-header's sum
 * alone (the sender left the rest to a device: checksum offload), 0 neither; -1 when the
 * bytes were not all captured. *right is the value that would be correct.
 */
static int checksum(const struct wire_report *r, size_t i, uint16_t *right)
{
	const struct wire_pkt *p = &r->pkts[i];
	const uint8_t *udp = r->frames[i].bytes + p->payload_off - 8;
	size_t alen = p->ends.family == AF_INET6 ? 16 : 4, ulen = 8 + (size_t)p->payload;
	uint8_t tail[4] = { 0, 0, 0, 17 };

	if (p->payload_off + p->payload > r->frames[i].caplen)
		return -1;
	/* Pseudo-header: the addresses, the protocol (17) and the UDP length (RFC 768; RFC 8200 8.1 for IPv6). */
	uint32_t pseudo = add_words(add_words(0, p->ends.src, alen), p->ends.dst, alen) + 17 + p->udp_len;
	if (alen == 16)
		pseudo = add_words(add_words(add_words(0, p->ends.src, 16), p->ends.dst, 16), tail, 4) + p->udp_len;
	uint32_t rest = add_words(0, udp, ulen) - p->udp_sum; /* the datagram with its checksum field as zero */
	*right = (uint16_t)~fold(pseudo + rest);
	if (*right == 0)
		*right = 0xffff; /* a computed zero is sent as all ones: zero means "no checksum" (RFC 768) */
	if (p->udp_sum == *right)
		return 1;
	return p->udp_sum == fold(pseudo) ? 2 : 0;
}

static void datagram(FILE *out, const struct wire_report *r, size_t i)
{
	const struct wire_pkt *p = &r->pkts[i];
	char t[24];
	uint16_t right = 0;
	int to_server = r->notes[i].dir == WIRE_TO_SERVER;

	wire_point(out, "the datagram at %s ms, %s: source port %u, destination port %u, Length %u, checksum 0x%04x: "
			"the four fields of UDP's 8-byte header (RFC 768)", wire_ms(r->t_ns[i], t, sizeof t),
		   to_server ? "client to server" : "server to client", p->ends.sport, p->ends.dport, p->udp_len, p->udp_sum);
	wire_point(out, "Length %u = 8 (the header) + %u (the data): it counts the header and the data, so it is never "
			"less than 8", p->udp_len, p->payload);
	int ok = checksum(r, i, &right);
	if (ok == 1)
		wire_point(out, "the checksum is correct: it covers a pseudo-header (the IP addresses, the protocol, the "
				"length), the header and the data");
	else if (ok == 2)
		wire_point(out, "the checksum field holds 0x%04x, the sum of the pseudo-header alone (the IP addresses, the "
				"protocol, the length): the kernel leaves the rest to the device (checksum offload), and lo, "
				"with no wire to damage bytes, never finishes it; the full checksum would be 0x%04x",
			   p->udp_sum, right);
	else if (ok == 0)
		wire_point(out, "the checksum 0x%04x does not match the bytes (0x%04x would)", p->udp_sum, right);
}

static void icmp_error(FILE *out, const struct wire_report *r, size_t i)
{
	const struct wire_pkt *p = &r->pkts[i];
	char t[24];
	int v6 = p->ends.family == AF_INET6;

	wire_point(out, "the %s %s at %s ms (type %u code %u, %s) comes back from the server's host: no socket was bound "
			"to port %u. It quotes the start of the datagram that found nobody: UDP %u > %u, Length %u",
		   v6 ? "ICMPv6" : "ICMP", wire_icmp_text(p->ends.family, p->icmp_type, p->icmp_code),
		   wire_ms(r->t_ns[i], t, sizeof t), p->icmp_type, p->icmp_code, v6 ? "RFC 4443 3.1" : "RFC 792",
		   p->quote.dport, p->quote.sport, p->quote.dport, p->quote_udp_len);
	wire_point(out, "Linux reports an ICMP error to a UDP socket only when it is connect()ed (or has IP_RECVERR): "
			"socklab's UDP client is not, so its recv() was told nothing (see 'what the programs saw')");
}

void wire_explain_udp(FILE *out, const struct wire_report *r)
{
	size_t shown = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (r->notes[i].dir == WIRE_ASIDE)
			continue;
		if (r->pkts[i].proto == WIRE_UDP && shown++ < DATAGRAMS_MAX && r->frames)
			datagram(out, r, i);
		else if (r->pkts[i].proto == WIRE_ICMP && r->pkts[i].quoted)
			icmp_error(out, r, i);
	}
	if (shown > DATAGRAMS_MAX)
		wire_point(out, "(and %zu more datagrams, alike)", shown - DATAGRAMS_MAX);
	wire_point(out, "no handshake: the first packet already carries data; no acknowledgement: nothing but an answer "
			"tells a UDP sender that its datagram arrived, and nothing is sent again");
}
