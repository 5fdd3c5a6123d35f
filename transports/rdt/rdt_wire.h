/* rdt_wire.h - the datagrams of rdt, socklab's own reliable protocol over UDP: one header, its codec, its checksum. */
#ifndef SOCKLAB_RDT_WIRE_H
#define SOCKLAB_RDT_WIRE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every rdt datagram is one UDP payload: this header, then the payload.
 * A protocol of socklab's own (not TCP), laid out for reading in a capture.
 *
 *   offset  size  field (big-endian, "network byte order")
 *        0     2  magic "RD"
 *        2     1  version: 1
 *        3     1  flags: SYN 0x01, ACK 0x02, FIN 0x04, RST 0x08, DATA 0x10, SACK 0x20
 *        4     4  conn   connection id: drawn at random by the client, carried by every
 *                        datagram of the connection; anything else is a stranger's
 *        8     4  seq    SYN: the sender's initial sequence number (ISN)
 *                        DATA, FIN: this packet's sequence number (a FIN takes one, as in TCP)
 *                        otherwise: the sender's next sequence number (for reading only)
 *       12     4  ack    with ACK: the next sequence number expected (cumulative: every
 *                        packet before it arrived), as in TCP; rdt3.0's "ACK 0" is ack=1
 *       16     4  sack   with SACK: one packet that arrived out of order and is held
 *                        (selective repeat's per-packet ACK, Kurose & Ross 3.4.4)
 *       20     4  held   with SACK: bit i set when packet ack+1+i is held: the receiver's
 *                        buffer past the hole, said again in every ACK, so that a lost ACK
 *                        loses nothing (what TCP's SACK blocks do, RFC 2018)
 *       24     2  wnd    with ACK: free room in the receive buffer, in messages, from ack on
 *       26     2  len    payload bytes after the header (exactly what follows)
 *       28     4  check  CRC-32C of the whole datagram, this field counted as zero
 *       32           payload: DATA: one message, whole; SYN: the 8 option bytes below
 *
 * Valid flag sets: SYN, SYN+ACK, ACK, ACK+SACK, DATA+ACK (+SACK), FIN+ACK (+SACK), RST.
 * Sequence numbers count packets, not bytes, modulo 2^seqbits (agreed in the SYN).
 *
 *   SYN options: offset 0 arq (1 sw, 2 gbn, 3 sr), 1 seqbits (1-32), 2-3 window,
 *   4-5 largest payload, 6-7 zero. The client proposes; the SYN+ACK says what holds.
 *
 * Why a checksum of our own when UDP has one: over IPv4 UDP's checksum is
 * optional (RFC 768: an all-zero field means none was computed), and a receiver
 * must also tell rdt from any other datagram a stranger sends to its port. SCTP,
 * a message transport over IP, carries CRC-32C for the same reason and dropped
 * Adler-32 as too weak for short packets (RFC 4960 appendix B, RFC 3309).
 *
 * Everything here is pure: no system call, no allocation.
 */

#define RDT_HEADER_SIZE 32
#define RDT_SYN_OPTIONS 8
#define RDT_PAYLOAD_MAX 65000 /* a UDP datagram holds 65507 bytes; keep within it */
#define RDT_VERSION 1

enum rdt_flag {
	RDT_SYN = 0x01,
	RDT_ACK = 0x02,
	RDT_FIN = 0x04,
	RDT_RST = 0x08,
	RDT_DATA = 0x10,
	RDT_SACK = 0x20,
};

/* What the three ARQ modes are called on the wire and in options. */
enum rdt_arq { RDT_ARQ_SW = 1, RDT_ARQ_GBN = 2, RDT_ARQ_SR = 3 };

/* The SYN's options: what the client proposes and the server grants. */
struct rdt_syn_options {
	uint8_t arq;      /* enum rdt_arq */
	uint8_t seqbits;  /* k: sequence numbers are counted modulo 2^k */
	uint16_t window;  /* N: packets in flight */
	uint16_t payload; /* the largest message, in bytes */
};

/* One header, decoded. payload points into the datagram it came from. */
struct rdt_header {
	uint8_t flags; /* enum rdt_flag */
	uint32_t conn, seq, ack, sack, held;
	uint16_t wnd, len;
	const unsigned char *payload; /* len bytes (NULL when len is 0) */
	struct rdt_syn_options syn;   /* with SYN: the options, decoded */
};

/*
 * Writes h (and its len payload bytes from h->payload; for a SYN, the
 * options from h->syn) as one datagram at out, checksum included. Returns
 * its length, or 0 when it does not fit in cap bytes.
 */
size_t rdt_wire_encode(const struct rdt_header *h, void *out, size_t cap);

/*
 * Reads the datagram of len bytes at buf into *h. Returns 0, or -1 with
 * the reason in *why (a constant string): too short, not rdt (magic), another
 * version, unknown or meaningless flags, a length that is not what arrived,
 * a wrong checksum, bad SYN options. Never reads outside buf[0..len).
 */
int rdt_wire_decode(const void *buf, size_t len, struct rdt_header *h, const char **why);

/*
 * One line for the datagram of len bytes at buf, for --trace and the packet
 * viewer: "DATA seq=5 ack=3 wnd=31 len=1400", "ACK ack=6 wnd=32 sack=8 held=+2..3"
 * (held: the packets ack+2 and ack+3, counted from ack whatever seqbits is),
 * "SYN seq=100 conn=1a2b3c4d arq=sr window=32 seqbits=32 payload=1400".
 * Returns 0, or -1 having written "not rdt: WHY". Always NUL-terminates
 * (cap > 0), cutting the line short if it does not fit.
 */
int rdt_wire_describe(const void *buf, size_t len, char *out, size_t cap);

/* The same line for a header already decoded. */
void rdt_wire_describe_header(const struct rdt_header *h, char *out, size_t cap);

/* "sw", "gbn", "sr", or "?" for any other value. */
const char *rdt_arq_name(unsigned arq);

/*
 * CRC-32C (Castagnoli, as in SCTP and iSCSI): crc starts at 0 and each piece
 * of data goes through in order. rdt_crc32c(0, "123456789", 9) is 0xe3069283.
 * Computed by the CPU's instruction where there is one (x86 SSE4.2), else
 * from a table.
 */
uint32_t rdt_crc32c(uint32_t crc, const void *buf, size_t len);
/* The same, always from the table (what rdt_crc32c does on CPUs without a CRC-32C instruction): for tests. */
uint32_t rdt_crc32c_table(uint32_t crc, const void *buf, size_t len);

#endif
