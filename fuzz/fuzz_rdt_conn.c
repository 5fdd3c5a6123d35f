/* fuzz_rdt_conn.c - fuzz target: two rdt cores on a network the input controls, with strangers' datagrams and time steps. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "transports/rdt/rdt_private.h"

/*
 * The input is a program. Its first byte picks the configuration (arq,
 * seqbits, cc, buffers) and whether the handshake runs first; each following
 * byte is an operation on a network of two cores, A (client) and B (server):
 * deliver, drop, duplicate or reorder what is in flight, let time pass, send,
 * read, close, or inject a datagram (raw bytes, or a well-formed header with
 * the right connection id and fuzzed fields). After every step both cores'
 * invariants must hold (rdt_check), and, as long as nothing was injected, each
 * side reads exactly the messages the other sent, in order, each whole.
 */

#define QUEUE_MAX 64
#define PAYLOAD 48

struct packet {
	int to;
	size_t len;
	unsigned char bytes[RDT_HEADER_SIZE + PAYLOAD];
};

struct net {
	struct rdt *end[2];
	struct packet queue[QUEUE_MAX];
	unsigned queued;
	long long now;
	int forged; /* something injected was taken, or numbers are few enough to be confused: no stream check */
	int aborted;
	uint32_t sent[2], got[2]; /* messages each side sent, and read */
	int closed[2], ended[2];
	uint32_t sent_at_close[2];
};

/* Takes everything both cores want to send now into the queue (the excess is lost, as a full network loses). */
static void collect(struct net *n)
{
	unsigned char buf[RDT_HEADER_SIZE + PAYLOAD];
	ssize_t len;

	for (int side = 0; side < 2; side++) {
		for (int guard = 0; (len = rdt_output(n->end[side], n->now, buf, sizeof buf)) > 0; guard++) {
			FUZZ_CHECK(guard < 10000);
			if (n->queued < QUEUE_MAX) {
				struct packet *p = &n->queue[n->queued++];
				p->to = !side;
				p->len = (size_t)len;
				memcpy(p->bytes, buf, (size_t)len);
			}
		}
		FUZZ_CHECK(len == 0);
	}
}

/* Takes packet i out of the queue, delivering it or not. */
static void take(struct net *n, unsigned i, int deliver)
{
	struct packet p = n->queue[i];

	memmove(&n->queue[i], &n->queue[i + 1], (n->queued - i - 1) * sizeof p);
	n->queued--;
	if (deliver)
		rdt_input(n->end[p.to], p.bytes, p.len, n->now);
}

/* side sends its next numbered message: the number, then bytes derived from it. */
static void send_next(struct net *n, int side, unsigned len)
{
	unsigned char msg[PAYLOAD];
	uint32_t k = n->sent[side];

	len %= PAYLOAD + 1;
	len = len < 4 ? 4 : len;
	memcpy(msg, &k, 4);
	for (unsigned i = 4; i < len; i++)
		msg[i] = (unsigned char)(k * 31 + i);
	if (rdt_send(n->end[side], msg, len, n->now) == (ssize_t)len)
		n->sent[side]++;
}

/* side reads all it has; without forgery, each message is the next one the other side sent, whole. */
static void read_all(struct net *n, int side)
{
	unsigned char msg[PAYLOAD];
	size_t len;
	int r;

	while ((r = rdt_recv(n->end[side], msg, sizeof msg, &len, NULL)) == 1) {
		uint32_t k = n->got[side]++;
		if (n->forged)
			continue;
		FUZZ_CHECK(len >= 4 && memcmp(msg, &k, 4) == 0);
		for (unsigned i = 4; i < len; i++)
			FUZZ_CHECK(msg[i] == (unsigned char)(k * 31 + i));
		FUZZ_CHECK(n->got[side] <= n->sent[!side]);
	}
	if (r == 0 && !n->ended[side]) {
		n->ended[side] = 1;
		FUZZ_CHECK(n->forged || !n->closed[!side] || n->got[side] == n->sent_at_close[!side]);
	}
}

/* A well-formed datagram with the right connection id and whatever fields the input says. */
static size_t forge(struct net *n, const uint8_t *d, size_t size, unsigned char *out)
{
	static const uint8_t flag_sets[] = { RDT_ACK, RDT_ACK | RDT_SACK, RDT_DATA | RDT_ACK, RDT_FIN | RDT_ACK,
					     RDT_RST, RDT_SYN | RDT_ACK, RDT_SYN, RDT_DATA | RDT_ACK | RDT_SACK };
	struct rdt_header h = { 0 };
	uint32_t v[5] = { 0 };

	memcpy(v, d, size < sizeof v ? size : sizeof v);
	h.flags = flag_sets[v[0] % 8];
	h.conn = rdt_conn_id(n->end[0]);
	h.seq = v[1];
	h.ack = v[2];
	if (h.flags & RDT_SACK) {
		h.sack = v[3];
		h.held = v[4];
	}
	h.wnd = (uint16_t)(v[0] >> 8);
	h.len = (h.flags & RDT_DATA) ? (uint16_t)((v[0] >> 24) % (PAYLOAD + 1)) : 0;
	h.payload = d;
	h.syn = (struct rdt_syn_options){ .arq = (uint8_t)(1 + v[3] % 3), .seqbits = (uint8_t)(1 + v[4] % 32),
					  .window = (uint16_t)(1 + (v[3] >> 8) % 16), .payload = PAYLOAD };
	if (size < h.len)
		h.len = (uint16_t)size;
	return rdt_wire_encode(&h, out, RDT_HEADER_SIZE + PAYLOAD);
}

static void configure(struct rdt_config *c, uint8_t b)
{
	rdt_config_default(c);
	c->arq = (b & 3) == 0 ? RDT_ARQ_SW : (b & 3) == 1 ? RDT_ARQ_GBN : RDT_ARQ_SR;
	c->seqbits = (b & 4) ? (c->arq == RDT_ARQ_SW ? 1 : 3) : 32;
	c->window = c->arq == RDT_ARQ_SW ? 1 : c->seqbits == 3 ? (c->arq == RDT_ARQ_GBN ? 7 : 4) : 8;
	c->cc = (b & 8) ? RDT_CC_AIMD : RDT_CC_NONE;
	c->rcvbuf = (b & 32) ? 0 : 4;
	c->sndbuf = 4;
	c->payload = PAYLOAD;
	c->retries = 4;
}

/* One operation of the program at d; returns how many bytes it took. */
static size_t step(struct net *n, const uint8_t *d, size_t size)
{
	uint8_t op = d[0], arg = size > 1 ? d[1] : 0;
	unsigned char raw[RDT_HEADER_SIZE + PAYLOAD];
	size_t used = 2, rest = size > 2 ? size - 2 : 0, len;

	switch (op % 12) {
	case 0: /* deliver the packet at position arg */
	case 1:
		if (n->queued)
			take(n, arg % n->queued, 1);
		return used;
	case 2: /* lose it */
		if (n->queued)
			take(n, arg % n->queued, 0);
		return used;
	case 3: /* duplicate it */
		if (n->queued && n->queued < QUEUE_MAX) {
			n->queue[n->queued] = n->queue[arg % n->queued];
			n->queued++;
		}
		return used;
	case 4: /* time passes: up to 2.5 s, in 10 ms steps */
		n->now += (long long)arg * 10000 + 1;
		return used;
	case 5:
	case 6:
		send_next(n, op % 12 == 6, arg);
		return used;
	case 7:
		read_all(n, arg & 1);
		return used;
	case 8:
		if (rdt_close(n->end[arg & 1], n->now) == 0 && !n->closed[arg & 1]) {
			n->closed[arg & 1] = 1;
			n->sent_at_close[arg & 1] = n->sent[arg & 1];
		}
		return used;
	case 9: /* a stranger's bytes, as they are */
		len = rest < arg % 80u ? rest : arg % 80u;
		n->forged |= rdt_input(n->end[arg & 1], d + 2, len, n->now) == 0;
		return used + len;
	case 10: /* a forgery that knows the connection id */
		len = forge(n, d + 2, rest < 20 + PAYLOAD ? rest : 20 + PAYLOAD, raw);
		n->forged |= rdt_input(n->end[arg & 1], raw, len, n->now) == 0;
		return used + 20;
	default:
		if (op & 0x80) {
			rdt_abort(n->end[arg & 1]);
			n->aborted = 1;
		}
		return 1;
	}
}

/*
 * After the program, a perfect network and time: whatever each side sent
 * must arrive, unless the connection failed (or was aborted, or forged into).
 * A hole that never fills or a window that never reopens shows here.
 */
static void settle(struct net *n)
{
	for (int round = 0; round < 300; round++) {
		while (n->queued > 0) {
			take(n, 0, 1);
			collect(n);
		}
		read_all(n, 0);
		read_all(n, 1);
		collect(n);
		if (n->queued == 0) {
			n->now += 50000; /* 50 ms: every timer runs out within 300 of them */
			collect(n);
		}
	}
	if (n->forged || n->aborted || rdt_error(n->end[0]) || rdt_error(n->end[1]))
		return;
	FUZZ_CHECK(rdt_established(n->end[0]) || rdt_closed(n->end[0]));
	FUZZ_CHECK(n->got[0] == n->sent[1] && n->got[1] == n->sent[0]);
}

int fuzz_rdt_conn(const uint8_t *data, size_t size)
{
	struct net *n = calloc(1, sizeof *n);
	struct rdt_config c;

	if (!n || size == 0) {
		free(n);
		return 0;
	}
	configure(&c, data[0]);
	n->forged = c.seqbits < 32; /* reordering past the window is allowed here: small spaces may confuse it */
	n->end[0] = rdt_new(&c, NULL, NULL);
	n->end[1] = rdt_new(&c, NULL, NULL);
	FUZZ_CHECK(n->end[0] && n->end[1]);
	rdt_listen(n->end[1], 0x1234);
	rdt_connect(n->end[0], 0xc0ffeeULL << 32 | (data[0] & 64 ? 0xfffffff0u : 77), 0);
	collect(n);
	for (int i = 0; (data[0] & 16) && i < 8 && n->queued; i++) { /* the handshake first, untouched */
		take(n, 0, 1);
		collect(n);
	}
	for (size_t at = 1; at < size;) {
		at += step(n, data + at, size - at);
		collect(n);
		for (int side = 0; side < 2; side++) {
			const char *broken = rdt_check(n->end[side]);
			if (broken)
				fuzz_fail(broken, __FILE__, __LINE__);
			FUZZ_CHECK(rdt_next_wake(n->end[side], n->now) != 0);
		}
	}
	settle(n);
	rdt_free(n->end[0]);
	rdt_free(n->end[1]);
	free(n);
	return 0;
}
