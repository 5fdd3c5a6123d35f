/* wire_packet.h - one captured frame, decoded: Ethernet, IPv4 or IPv6, then TCP, UDP or ICMP, each length checked. */
#ifndef SOCKLAB_WIRE_PACKET_H
#define SOCKLAB_WIRE_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* What the frame carries, as far as it could be read. */
enum wire_proto {
	WIRE_OTHER, /* not IP, an IP protocol socklab does not read, or too damaged to say */
	WIRE_TCP,
	WIRE_UDP,
	WIRE_ICMP, /* ICMP for IPv4 (RFC 792) or ICMPv6 (RFC 4443): see family */
};

/* TCP flag bits, as in the header's 13th byte (RFC 9293, 3.1). */
enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10, TCP_URG = 0x20 };

/* The options of a TCP header that matter to the lessons (RFC 9293 3.2, RFC 7323, RFC 2018). -1: absent. */
struct wire_tcp_options {
	int mss;      /* Maximum Segment Size (kind 2), in a SYN */
	int wscale;   /* window scale shift (kind 3), in a SYN; the kernel caps it at 14 */
	int sack_ok;  /* SACK permitted (kind 4): 1 or 0 */
	int sacks;    /* SACK blocks (kind 5) carried: 0..4 */
	int has_ts;   /* timestamps (kind 8): 1 or 0 */
	uint32_t ts_val, ts_ecr;
};

/* The addresses and ports of an IP packet, or of the packet an ICMP error quotes. */
struct wire_ends {
	int family;      /* AF_INET, AF_INET6, or 0 when not IP */
	uint8_t src[16]; /* IPv4 in the first 4 bytes */
	uint8_t dst[16];
	int proto;       /* IPPROTO_TCP, IPPROTO_UDP... (the IP header's protocol or next header) */
	uint16_t sport, dport; /* 0 when the protocol has no ports, or they were not there */
};

/* A decoded frame. Every field comes from the frame's bytes; lengths were checked against what was captured. */
struct wire_pkt {
	enum wire_proto proto;
	struct wire_ends ends;
	unsigned ip_len;   /* the IP header's length field: the whole datagram (IPv6: 40 + payload length) */
	unsigned ip_hlen;  /* bytes of IP header, options and extension headers included */
	unsigned ttl;      /* IPv4 TTL or IPv6 hop limit */
	/* TCP */
	uint32_t seq, ack;
	uint8_t flags;     /* TCP_SYN | TCP_ACK ... */
	uint16_t window;   /* the field as sent: scale it with the sender's window scale (RFC 7323) */
	unsigned tcp_hlen; /* data offset x 4 */
	struct wire_tcp_options opt;
	/* TCP or UDP: bytes of data after the header, as the IP (or UDP) length says */
	unsigned payload;
	unsigned payload_off; /* where that data starts in the frame (it may be cut short: see truncated) */
	/* UDP (RFC 768) */
	uint16_t udp_len, udp_sum;
	/* ICMP: its type and code, and the packet an error message quotes (RFC 792, RFC 4443 2.4) */
	uint8_t icmp_type, icmp_code;
	int quoted;            /* 1 when quote holds the quoted packet's ends */
	struct wire_ends quote;
	unsigned quote_udp_len; /* the quoted UDP header's Length, 0 if none */
	int truncated;         /* the capture holds fewer bytes than the IP header says were sent */
	const char *why;       /* NULL, or what made the frame unreadable past some point */
};

/* The Ethernet header on every frame of lo: two zero addresses and the EtherType (14 bytes). */
#define WIRE_ETH_HLEN 14

/*
 * Decodes frame (len bytes, as a packet socket or a pcap file holds it,
 * Ethernet header first) into *p. Never reads past len, whatever its bytes
 * say. Returns 0 when the frame is a TCP, UDP or ICMP packet read to its
 * transport header; -1 otherwise, with p->proto WIRE_OTHER and p->why saying
 * what it is or where it broke ("not IPv4 or IPv6", "TCP header cut short").
 * Whatever was read before that point is kept in *p. Pure: no errno.
 */
int wire_parse(const uint8_t *frame, size_t len, struct wire_pkt *p);

/* "SYN", "SYN,ACK", "FIN,PSH,ACK", "RST,ACK", "none": the flags in Wireshark's order, into out (>= 32 bytes). */
const char *wire_flags_text(uint8_t flags, char *out, size_t outlen);

/* "port unreachable": the name of an ICMP (family AF_INET) or ICMPv6 (AF_INET6) type and code. */
const char *wire_icmp_text(int family, uint8_t type, uint8_t code);

/* "127.0.0.1:5555" or "[::1]:5555" for one end of e (src when which is 0, dst otherwise), into out (>= 64 bytes). */
const char *wire_end_text(const struct wire_ends *e, int which, char *out, size_t outlen);

#endif
