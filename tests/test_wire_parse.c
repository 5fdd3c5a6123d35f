/* test_wire_parse.c - decoding frames and reading them as an exchange: options, cut frames, states, Karn, SRTT, scaling. */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "demos/wire/wire_flow.h"
#include "demos/wire/wire_packet.h"

/* Builds a frame: Ethernet, IPv4 127.0.0.1 <-> 127.0.0.1, a TCP header (with opts) and len bytes of data. */
struct seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	const uint8_t *opts;
	size_t optlen; /* a multiple of 4 */
	size_t len;
};

static size_t tcp_frame(uint8_t *f, const struct seg *s)
{
	size_t th = 20 + s->optlen, total = 20 + th + s->len;

	memset(f, 0, 14 + total);
	f[12] = 0x08; /* EtherType IPv4 */
	uint8_t *ip = f + 14, *t = ip + 20;
	ip[0] = 0x45, ip[2] = (uint8_t)(total >> 8), ip[3] = (uint8_t)total, ip[8] = 64, ip[9] = IPPROTO_TCP;
	ip[12] = ip[16] = 127, ip[15] = ip[19] = 1;
	t[0] = (uint8_t)(s->sport >> 8), t[1] = (uint8_t)s->sport, t[2] = (uint8_t)(s->dport >> 8), t[3] = (uint8_t)s->dport;
	for (int i = 0; i < 4; i++)
		t[4 + i] = (uint8_t)(s->seq >> (24 - 8 * i)), t[8 + i] = (uint8_t)(s->ack >> (24 - 8 * i));
	t[12] = (uint8_t)((th / 4) << 4), t[13] = s->flags, t[14] = (uint8_t)(s->window >> 8), t[15] = (uint8_t)s->window;
	if (s->optlen)
		memcpy(t + 20, s->opts, s->optlen);
	return 14 + total;
}

/* MSS 65495, SACK permitted, timestamps 100/0, NOP, window scale 7: what Linux puts in a SYN. */
static const uint8_t syn_opts[] = { 2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 100, 0, 0, 0, 0, 1, 3, 3, 7 };

Test(wire_parse, a_syn_and_its_options)
{
	uint8_t f[256];
	struct wire_pkt p;
	struct seg s = { 40000, 7, 1000, 0, TCP_SYN, 65495, syn_opts, sizeof syn_opts, 0 };

	size_t n = tcp_frame(f, &s);
	cr_assert_eq(wire_parse(f, n, &p), 0, "%s", p.why);
	cr_expect_eq(p.proto, WIRE_TCP);
	cr_expect_eq(p.ends.family, AF_INET);
	cr_expect(p.ends.sport == 40000 && p.ends.dport == 7 && p.seq == 1000 && p.flags == TCP_SYN);
	cr_expect(p.opt.mss == 65495 && p.opt.sack_ok && p.opt.has_ts && p.opt.ts_val == 100 && p.opt.wscale == 7);
	cr_expect(p.payload == 0 && p.tcp_hlen == 40 && !p.truncated);
}

/* Every prefix of a frame: never read past it; unreadable headers say why; a cut in the data is marked. */
Test(wire_parse, every_cut_of_a_frame)
{
	uint8_t f[256];
	struct wire_pkt p;
	struct seg s = { 40000, 7, 1, 1, TCP_PSH | TCP_ACK, 512, syn_opts, sizeof syn_opts, 6 };
	size_t n = tcp_frame(f, &s);

	for (size_t cut = 0; cut <= n; cut++) {
		int r = wire_parse(f, cut, &p);
		if (cut < 14 + 20 + 40) {
			cr_expect(r == -1 && p.proto == WIRE_OTHER && p.why, "cut at %zu: read as %d", cut, p.proto);
		} else {
			cr_expect(r == 0 && p.payload == 6, "cut at %zu", cut);
			cr_expect_eq(p.truncated, cut < n, "cut at %zu", cut);
		}
	}
}

Test(wire_parse, lengths_that_lie)
{
	uint8_t f[256];
	struct wire_pkt p;
	struct seg s = { 1, 2, 0, 0, TCP_ACK, 0, NULL, 0, 10 };
	size_t n = tcp_frame(f, &s);

	f[14 + 20 + 12] = 0x40; /* data offset 4 words: shorter than a TCP header */
	cr_expect(wire_parse(f, n, &p) == -1 && strstr(p.why, "data offset"));
	f[14 + 20 + 12] = 0xf0; /* 60 bytes: past the segment */
	cr_expect(wire_parse(f, n, &p) == -1 && strstr(p.why, "data offset"));
	f[14 + 20 + 12] = 0x50;
	f[14] = 0x44; /* IHL 4 */
	cr_expect(wire_parse(f, n, &p) == -1 && strstr(p.why, "IPv4"));
	f[14] = 0x45;
	f[14 + 6] = 0x00, f[14 + 7] = 0x10; /* a fragment, not the first: no TCP header in it */
	cr_expect(wire_parse(f, n, &p) == -1 && strstr(p.why, "fragment"));
	f[14 + 7] = 0;
	f[14 + 2] = 0, f[14 + 3] = 10; /* total length shorter than the header */
	cr_expect(wire_parse(f, n, &p) == -1);
	f[12] = 0x08, f[13] = 0x06; /* ARP */
	cr_expect(wire_parse(f, n, &p) == -1 && strstr(p.why, "not IPv4 or IPv6"));
}

Test(wire_parse, an_option_running_past_the_header)
{
	uint8_t f[256];
	struct wire_pkt p;
	static const uint8_t bad[] = { 1, 1, 2, 40 }; /* NOP NOP, then MSS claiming 40 bytes */
	struct seg s = { 1, 2, 0, 0, TCP_SYN, 0, bad, sizeof bad, 0 };

	cr_assert_eq(wire_parse(f, tcp_frame(f, &s), &p), 0);
	cr_expect(p.opt.mss == -1 && p.opt.wscale == -1, "an option past the header was believed");
}

/* An IPv4 ICMP port unreachable quoting a UDP datagram: its ports come from the quote. */
Test(wire_parse, icmp_quotes_the_datagram)
{
	uint8_t f[128] = { 0 };
	f[12] = 0x08;
	uint8_t *ip = f + 14, *icmp = ip + 20, *q = icmp + 8, *u = q + 20;
	ip[0] = 0x45, ip[3] = 20 + 8 + 20 + 8 + 6, ip[9] = IPPROTO_ICMP;
	icmp[0] = 3, icmp[1] = 3;
	q[0] = 0x45, q[3] = 34, q[9] = IPPROTO_UDP;
	u[0] = 0x9c, u[1] = 0x40, u[3] = 7, u[5] = 14; /* 40000 > 7, Length 14 */
	struct wire_pkt p;

	cr_assert_eq(wire_parse(f, 14 + 20 + 8 + 20 + 8 + 6, &p), 0, "%s", p.why);
	cr_expect(p.proto == WIRE_ICMP && p.icmp_type == 3 && p.icmp_code == 3 && p.quoted);
	cr_expect(p.quote.proto == IPPROTO_UDP && p.quote.sport == 40000 && p.quote.dport == 7 && p.quote_udp_len == 14);
	cr_expect_str_eq(wire_icmp_text(AF_INET, 3, 3), "port unreachable");
	cr_expect_str_eq(wire_icmp_text(AF_INET6, 1, 4), "port unreachable");
}

/* A whole exchange, built by hand: times in ms, then read by the analysis. */
#define MAXP 16
struct script {
	struct wire_pkt p[MAXP];
	struct wire_note n[MAXP];
	long long t[MAXP];
	size_t count;
};

static void add(struct script *sc, int to_server, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
		const uint8_t *opts, size_t optlen, size_t len, long long ms)
{
	uint8_t f[256];
	struct seg s = { to_server ? 40000 : 7, to_server ? 7 : 40000, seq, ack, flags, win, opts, optlen, len };

	cr_assert_eq(wire_parse(f, tcp_frame(f, &s), &sc->p[sc->count]), 0);
	sc->t[sc->count++] = ms * 1000000;
}

static void analyze(struct script *sc, struct wire_flow *f)
{
	memset(f, 0, sizeof *f);
	f->listening = 1;
	wire_flow_analyze(f, sc->p, sc->t, sc->count, sc->n);
}

Test(wire_parse, the_states_of_an_echo_and_its_close)
{
	static struct script sc;
	struct wire_flow f;
	enum { C = 1000, S = 5000 }; /* the two ISNs */

	add(&sc, 1, C, 0, TCP_SYN, 65495, syn_opts, sizeof syn_opts, 0, 0);
	add(&sc, 0, S, C + 1, TCP_SYN | TCP_ACK, 65483, syn_opts, sizeof syn_opts, 0, 1);
	add(&sc, 1, C + 1, S + 1, TCP_ACK, 512, NULL, 0, 0, 2);
	add(&sc, 1, C + 1, S + 1, TCP_PSH | TCP_ACK, 512, NULL, 0, 6, 3);
	add(&sc, 0, S + 1, C + 7, TCP_PSH | TCP_ACK, 512, NULL, 0, 6, 11);
	add(&sc, 1, C + 7, S + 7, TCP_FIN | TCP_ACK, 512, NULL, 0, 0, 12);
	add(&sc, 0, S + 7, C + 8, TCP_ACK, 512, NULL, 0, 0, 13);
	add(&sc, 0, S + 7, C + 8, TCP_FIN | TCP_ACK, 512, NULL, 0, 0, 14);
	add(&sc, 1, C + 8, S + 8, TCP_ACK, 512, NULL, 0, 0, 15);
	analyze(&sc, &f);
	static const enum wire_state want[][2] = {
		{ ST_SYN_SENT, ST_SYN_RECEIVED }, { ST_ESTABLISHED, ST_SYN_RECEIVED }, { ST_ESTABLISHED, ST_ESTABLISHED },
		{ ST_ESTABLISHED, ST_ESTABLISHED }, { ST_ESTABLISHED, ST_ESTABLISHED }, { ST_FIN_WAIT_1, ST_CLOSE_WAIT },
		{ ST_FIN_WAIT_2, ST_CLOSE_WAIT }, { ST_TIME_WAIT, ST_LAST_ACK }, { ST_TIME_WAIT, ST_CLOSED },
	};
	for (size_t i = 0; i < sc.count; i++)
		cr_expect(sc.n[i].state[0] == want[i][0] && sc.n[i].state[1] == want[i][1], "packet %zu: %s %s", i + 1,
			  wire_state_name(sc.n[i].state[0]), wire_state_name(sc.n[i].state[1]));
	cr_expect(sc.n[1].rseq == 0 && sc.n[1].rack == 1 && sc.n[4].rseq == 1 && sc.n[4].rack == 7);
	cr_expect(f.scaling && sc.n[2].window == 512u << 7 && sc.n[0].window == 65495, "scaled %d", f.scaling);
	cr_expect(sc.n[3].rtt_ns == 8000000 && sc.n[3].acked_by == 4, "rtt %lld", sc.n[3].rtt_ns);
	cr_expect(f.side[0].isn == C && f.side[1].isn == S && f.side[0].retrans == 0);
}

/* Karn: a segment sent twice gives no sample; SRTT = 7/8 SRTT + 1/8 R over the others; scaling needs both SYNs. */
Test(wire_parse, retransmission_karn_and_srtt)
{
	static struct script sc;
	struct wire_flow f;

	add(&sc, 1, 0, 0, TCP_SYN, 100, syn_opts, sizeof syn_opts, 0, 0);
	add(&sc, 0, 0, 1, TCP_SYN | TCP_ACK, 100, NULL, 0, 0, 0); /* no window scale offered back */
	add(&sc, 1, 1, 1, TCP_ACK, 100, NULL, 0, 10, 0);          /* data 1-11, acked after 8 ms */
	add(&sc, 0, 1, 11, TCP_ACK, 100, NULL, 0, 0, 8);
	add(&sc, 1, 11, 1, TCP_ACK, 100, NULL, 0, 10, 10); /* data 11-21, lost */
	add(&sc, 1, 11, 1, TCP_ACK, 100, NULL, 0, 10, 210); /* ...sent again */
	add(&sc, 0, 1, 21, TCP_ACK, 100, NULL, 0, 0, 211);
	add(&sc, 1, 21, 1, TCP_ACK, 100, NULL, 0, 10, 220); /* data 21-31, acked after 16 ms */
	add(&sc, 0, 1, 31, TCP_ACK, 100, NULL, 0, 0, 236);
	analyze(&sc, &f);
	cr_expect(!f.scaling && sc.n[2].window == 100, "scaled with one SYN's option");
	cr_expect(!sc.n[4].retrans && sc.n[5].retrans && f.side[0].retrans == 1);
	cr_expect(sc.n[4].rtt_ns < 0 && sc.n[5].rtt_ns < 0, "a sample from a segment sent twice");
	cr_expect_eq(f.side[0].samples, 2);
	cr_expect(f.side[0].srtt_ns == 9000000.0, "SRTT %.0f ns, want 7/8 x 8 + 1/8 x 16 = 9 ms", f.side[0].srtt_ns);
}

/* A refused connection: the server never sent a SYN, so its numbers count from its RST's seq minus 1. */
Test(wire_parse, a_reset_without_a_syn)
{
	static struct script sc;
	struct wire_flow f;

	add(&sc, 1, 777, 0, TCP_SYN, 100, NULL, 0, 0, 0);
	add(&sc, 0, 0, 778, TCP_RST | TCP_ACK, 0, NULL, 0, 0, 0);
	memset(&f, 0, sizeof f);
	wire_flow_analyze(&f, sc.p, sc.t, sc.count, sc.n);
	cr_expect(sc.n[1].rseq == 1 && sc.n[1].rack == 1, "seq %u ack %u", sc.n[1].rseq, sc.n[1].rack);
	cr_expect(sc.n[1].state[0] == ST_CLOSED && sc.n[1].state[1] == ST_CLOSED);
	cr_expect(sc.n[0].state[0] == ST_SYN_SENT);
}
