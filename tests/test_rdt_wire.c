/* test_rdt_wire.c - rdt's datagrams: the header byte by byte, every truncation and bit flip refused, one-line descriptions. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "transports/rdt/rdt.h"

/* CRC-32C the slow way, one bit at a time, to check the table. */
static uint32_t crc_bitwise(const unsigned char *p, size_t n)
{
	uint32_t crc = ~0u;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return ~crc;
}

Test(rdt_wire, crc32c)
{
	unsigned char all[256];

	cr_expect_eq(rdt_crc32c(0, "123456789", 9), 0xe3069283u, "the check value of CRC-32C");
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)(i * 37 + 11);
	cr_expect_eq(rdt_crc32c(0, all, sizeof all), crc_bitwise(all, sizeof all));
	cr_expect_eq(rdt_crc32c(rdt_crc32c(0, all, 100), all + 100, 156), crc_bitwise(all, sizeof all), "in pieces");
	for (size_t n = 0; n <= sizeof all; n++) /* the instruction and the table agree, at every length */
		cr_expect_eq(rdt_crc32c(0, all + 256 - n, n), rdt_crc32c_table(0, all + 256 - n, n), "%zu bytes", n);
	cr_expect_eq(rdt_crc32c_table(0, "123456789", 9), 0xe3069283u);
}

Test(rdt_wire, the_header_byte_by_byte)
{
	struct rdt_header h = { .flags = RDT_DATA | RDT_ACK | RDT_SACK, .conn = 0x01020304, .seq = 0x05060708,
				.ack = 0x090a0b0c, .sack = 0x0d0e0f10, .held = 0x11121314, .wnd = 0x1516, .len = 3,
				.payload = (const unsigned char *)"abc" };
	unsigned char buf[64];
	const unsigned char want[28] = { 'R', 'D', 1,  0x32, 1,  2,  3,  4,  5,  6,    7,    8, 9, 10,
					 11,  12,  13, 14,   15, 16, 17, 18, 19, 20, 0x15, 0x16, 0, 3 };

	cr_assert_eq(rdt_wire_encode(&h, buf, sizeof buf), 35);
	cr_expect(memcmp(buf, want, 28) == 0, "magic, version, flags, conn, seq, ack, sack, held, wnd, len: big-endian");
	uint32_t check = (uint32_t)buf[28] << 24 | (uint32_t)buf[29] << 16 | (uint32_t)buf[30] << 8 | buf[31];
	unsigned char zeroed[35];
	memcpy(zeroed, buf, 35);
	memset(zeroed + 28, 0, 4);
	cr_expect_eq(check, rdt_crc32c(0, zeroed, 35), "the checksum covers it all, itself as zero");
	cr_expect(memcmp(buf + 32, "abc", 3) == 0);
	cr_expect_eq(rdt_wire_encode(&h, buf, 34), 0, "does not fit");
}

/* Encodes h, checks it decodes to the same, and returns its description. */
static const char *round_trip(const struct rdt_header *h)
{
	static char line[200];
	unsigned char buf[128];
	struct rdt_header d;
	const char *why = NULL;
	size_t n = rdt_wire_encode(h, buf, sizeof buf);

	cr_assert_gt(n, 0);
	cr_assert_eq(rdt_wire_decode(buf, n, &d, &why), 0, "%s", why);
	cr_expect(d.flags == h->flags && d.conn == h->conn && d.seq == h->seq && d.ack == h->ack && d.wnd == h->wnd);
	cr_expect(!(h->flags & RDT_SACK) || (d.sack == h->sack && d.held == h->held));
	cr_expect(!(h->flags & RDT_DATA) || (d.len == h->len && (h->len == 0 || memcmp(d.payload, h->payload, h->len) == 0)));
	cr_expect(!(h->flags & RDT_SYN) || memcmp(&d.syn, &h->syn, sizeof d.syn) == 0);
	cr_assert_eq(rdt_wire_describe(buf, n, line, sizeof line), 0);
	return line;
}

Test(rdt_wire, each_kind_decodes_and_describes)
{
	struct rdt_syn_options o = { .arq = RDT_ARQ_SR, .seqbits = 32, .window = 32, .payload = 1400 };

	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_SYN, .conn = 0x1a2b3c4d, .seq = 100, .wnd = 32,
							  .syn = o }),
			 "SYN seq=100 conn=1a2b3c4d arq=sr window=32 seqbits=32 payload=1400");
	o.arq = RDT_ARQ_GBN;
	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_SYN | RDT_ACK, .conn = 7, .seq = 9, .ack = 101,
							  .wnd = 16, .syn = o }),
			 "SYN-ACK seq=9 ack=101 wnd=16 conn=00000007 arq=gbn window=32 seqbits=32 payload=1400");
	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_DATA | RDT_ACK, .seq = 5, .ack = 3, .wnd = 31,
							  .len = 4, .payload = (const unsigned char *)"ping" }),
			 "DATA seq=5 ack=3 wnd=31 len=4");
	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_DATA | RDT_ACK, .seq = 5, .ack = 3, .wnd = 31 }),
			 "DATA seq=5 ack=3 wnd=31 len=0");
	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_ACK, .seq = 4, .ack = 6, .wnd = 32 }),
			 "ACK ack=6 wnd=32");
	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_ACK | RDT_SACK, .ack = 6, .sack = 7, .wnd = 30 }),
			 "ACK ack=6 wnd=30 sack=7");
	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_ACK | RDT_SACK, .ack = 6, .sack = 9, .held = 0x8000001d,
							  .wnd = 30 }),
			 "ACK ack=6 wnd=30 sack=9 held=+1,+3..5,+32");
	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_FIN | RDT_ACK, .seq = 9, .ack = 6, .wnd = 32 }),
			 "FIN seq=9 ack=6 wnd=32");
	cr_expect_str_eq(round_trip(&(struct rdt_header){ .flags = RDT_RST, .conn = 0xdeadbeef }), "RST conn=deadbeef");
}

Test(rdt_wire, every_truncation_and_every_bit_flip_refused)
{
	struct rdt_header h = { .flags = RDT_DATA | RDT_ACK, .seq = 1, .ack = 2, .wnd = 3, .len = 40,
				.payload = (const unsigned char *)"0123456789012345678901234567890123456789" };
	unsigned char buf[128];
	struct rdt_header d;
	const char *why;
	size_t n = rdt_wire_encode(&h, buf, sizeof buf);

	for (size_t len = 0; len < n; len++) {
		why = NULL;
		cr_expect_eq(rdt_wire_decode(buf, len, &d, &why), -1, "%zu bytes of %zu", len, n);
		cr_expect(why && why[0], "a reason");
	}
	cr_expect_eq(rdt_wire_decode(buf, 0, &d, &why), -1);
	cr_expect_str_eq(why, "shorter than the 32-byte header");
	cr_expect_eq(rdt_wire_decode(buf, 33, &d, &why), -1);
	cr_expect_str_eq(why, "length field differs from the bytes that arrived");
	for (size_t bit = 0; bit < n * 8; bit++) { /* CRC-32C catches every single-bit error */
		buf[bit / 8] ^= (unsigned char)(1u << bit % 8);
		cr_expect_eq(rdt_wire_decode(buf, n, &d, &why), -1, "bit %zu flipped", bit);
		buf[bit / 8] ^= (unsigned char)(1u << bit % 8);
	}
	buf[n++] = 0;
	cr_expect_eq(rdt_wire_decode(buf, n, &d, &why), -1, "a byte too many");
}

/* A datagram with the given flags, held bits and payload and a right checksum, however meaningless. */
static int decode_forged(unsigned flags, const unsigned char *options, size_t len, const char **why)
{
	unsigned char buf[64] = { 'R', 'D', 1, (unsigned char)flags };
	struct rdt_header d;

	buf[23] = flags & 0x80 ? 1 : 0; /* 0x80: not a flag, a request for a held bit */
	buf[3] &= 0x7f;
	buf[27] = (unsigned char)len;
	memcpy(buf + 32, options, len);
	uint32_t crc = rdt_crc32c(0, buf, 32 + len);
	buf[28] = (unsigned char)(crc >> 24), buf[29] = (unsigned char)(crc >> 16);
	buf[30] = (unsigned char)(crc >> 8), buf[31] = (unsigned char)crc;
	return rdt_wire_decode(buf, 32 + len, &d, why);
}

Test(rdt_wire, meaningless_but_well_summed)
{
	const unsigned char good[8] = { 3, 32, 0, 32, 5, 120, 0, 0 }, zero[8] = { 0 };
	const char *why;

	cr_expect_eq(decode_forged(RDT_SYN, good, 8, &why), 0);
	cr_expect_eq(decode_forged(RDT_SYN | RDT_FIN, good, 8, &why), -1);
	cr_expect_str_eq(why, "meaningless flags");
	cr_expect_eq(decode_forged(0x40 | RDT_ACK, zero, 0, &why), -1, "an unknown flag");
	cr_expect_eq(decode_forged(RDT_SACK, zero, 0, &why), -1, "SACK without ACK");
	cr_expect_eq(decode_forged(RDT_DATA, zero, 0, &why), -1, "DATA without ACK");
	cr_expect_eq(decode_forged(RDT_RST | RDT_ACK, zero, 0, &why), -1);
	cr_expect_eq(decode_forged(0x80 | RDT_ACK | RDT_SACK, zero, 0, &why), 0);
	cr_expect_eq(decode_forged(0x80 | RDT_ACK, zero, 0, &why), -1);
	cr_expect_str_eq(why, "sack or held without the SACK flag");
	cr_expect_eq(decode_forged(RDT_ACK, good, 8, &why), -1);
	cr_expect_str_eq(why, "payload where none belongs");
	cr_expect_eq(decode_forged(RDT_SYN, good, 7, &why), -1);
	cr_expect_str_eq(why, "SYN without its 8 option bytes");
	cr_expect_eq(decode_forged(RDT_SYN, zero, 8, &why), -1);
	cr_expect_str_eq(why, "SYN: unknown arq mode");
	const unsigned char bits[8] = { 1, 33, 0, 1, 0, 1, 0, 0 }, window[8] = { 1, 1, 0, 0, 0, 1, 0, 0 },
			    reserved[8] = { 1, 1, 0, 1, 0, 1, 0, 1 };
	cr_expect_eq(decode_forged(RDT_SYN, bits, 8, &why), -1);
	cr_expect_str_eq(why, "SYN: seqbits not from 1 to 32");
	cr_expect_eq(decode_forged(RDT_SYN, window, 8, &why), -1);
	cr_expect_str_eq(why, "SYN: window or payload out of range");
	cr_expect_eq(decode_forged(RDT_SYN, reserved, 8, &why), -1);
	cr_expect_str_eq(why, "SYN: reserved option bytes not zero");
	unsigned char udp[] = "hello, server";
	char line[64];
	cr_expect_eq(rdt_wire_describe(udp, sizeof udp, line, sizeof line), -1);
	cr_expect_str_eq(line, "not rdt: shorter than the 32-byte header");
	cr_expect_eq(rdt_wire_describe(udp, sizeof udp, line, 8), -1);
	cr_expect_str_eq(line, "not rdt", "cut short, and terminated");
}

Test(rdt_wire, events_as_lines)
{
	char line[160];
	struct {
		struct rdt_event e;
		const char *want;
	} cases[] = {
		{ { .kind = RDT_EV_TIMEOUT, .seq = 7, .rto = 40000, .backoff = 2 },
		  "rdt: timeout seq=7, RTO now 40 ms (backoff x4)" },
		{ { .kind = RDT_EV_TIMEOUT, .seq = 7, .rto = 1000000, .backoff = 7, .count = 1 },
		  "rdt: timeout seq=7, RTO now 1000 ms (backed off to rto_max)" },
		{ { .kind = RDT_EV_SEND, .seq = 5, .len = 1400, .count = 3, .window = 8 },
		  "rdt: send seq=5 len=1400, 3 in flight, window 8" },
		{ { .kind = RDT_EV_SEND, .seq = 9, .count = 1, .window = 8, .why = "FIN" },
		  "rdt: send FIN seq=9, 1 in flight, window 8" },
		{ { .kind = RDT_EV_RETRANSMIT, .seq = 5, .count = 2, .why = "timeout" },
		  "rdt: retransmit seq=5 (timeout), transmission 2" },
		{ { .kind = RDT_EV_ACK, .ack = 6, .sack = 7, .window = 30, .count = 1 }, "rdt: ACK ack=6 wnd=30 sack=7" },
		{ { .kind = RDT_EV_DUPACK, .ack = 6, .count = 3 }, "rdt: duplicate ACK ack=6 (#3)" },
		{ { .kind = RDT_EV_FAST, .seq = 6, .why = "3 duplicate ACKs" },
		  "rdt: fast retransmit of seq=6 (3 duplicate ACKs)" },
		{ { .kind = RDT_EV_SLIDE, .from = 5, .to = 8, .count = 2 }, "rdt: window slides: base 5 -> 8, 2 in flight" },
		{ { .kind = RDT_EV_RTT, .rtt = 52, .srtt = 61, .rttvar = 20, .rto = 10000 },
		  "rdt: RTT sample 0.052 ms: SRTT 0.061 ms, RTTVAR 0.020 ms, RTO 10 ms" },
		{ { .kind = RDT_EV_HELD, .seq = 7, .ack = 5 }, "rdt: seq=7 out of order, held (expecting 5)" },
		{ { .kind = RDT_EV_DROPPED, .seq = 7, .ack = 5 },
		  "rdt: seq=7 out of order, dropped (expecting 5: Go-Back-N keeps no buffer)" },
		{ { .kind = RDT_EV_DUPLICATE, .seq = 4, .ack = 5 }, "rdt: duplicate seq=4 discarded (expecting 5), ACK again" },
		{ { .kind = RDT_EV_STATE, .from = RDT_ESTABLISHED, .to = RDT_CLOSED, .error = ETIMEDOUT },
		  "rdt: ESTABLISHED -> CLOSED: ETIMEDOUT" },
		{ { .kind = RDT_EV_CWND, .count = 8, .window = 8, .why = "fast retransmit" },
		  "rdt: cwnd 8, ssthresh 8 (fast retransmit)" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rdt_event_format(&cases[i].e, line, sizeof line);
		cr_expect_str_eq(line, cases[i].want);
	}
	rdt_event_format(&cases[0].e, line, 10);
	cr_expect_str_eq(line, "rdt: time", "cut short, and terminated");
}
