/* test_rdt_strangers.c - what rdt does with datagrams it must not trust: each counted and ignored, the stream intact. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "tests/support/rdt_link.h"

#define SECOND 1000000LL
#define MESSAGES 200

/* A's application sends MESSAGES numbered messages; B's checks each, in order. */
struct traffic {
	uint32_t sent, got;
	unsigned char sample[64]; /* one of A's data datagrams, as it went on the wire */
	size_t sample_len;
};

static enum rdt_sim_verdict keep_one(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	struct traffic *t = l->ctx;

	(void)index;
	if (from == RDT_SIM_A && (h->flags & RDT_DATA) && t->sample_len == 0) {
		t->sample_len = rdt_wire_encode(h, t->sample, sizeof t->sample);
		cr_assert_gt(t->sample_len, 0);
	}
	return RDT_SIM_PASS;
}

static void apps(struct rdt_sim *l)
{
	struct traffic *t = l->ctx;
	uint32_t v;
	size_t len;

	while (t->sent < MESSAGES && rdt_send(l->end[RDT_SIM_A], &t->sent, sizeof t->sent, l->now) > 0)
		t->sent++;
	while (rdt_recv(l->end[RDT_SIM_B], &v, sizeof v, &len, NULL) == 1) {
		cr_assert(len == sizeof v && v == t->got, "message %u: got %u", t->got, v);
		t->got++;
	}
}

/* Feeds side the datagram h (re-encoded with a right checksum); returns rdt_input's answer. */
static int feed(struct rdt_sim *l, int side, struct rdt_header h)
{
	unsigned char buf[128];
	size_t n = rdt_wire_encode(&h, buf, sizeof buf);

	cr_assert_gt(n, 0);
	return rdt_input(l->end[side], buf, n, l->now);
}

Test(rdt_strangers, each_counted_and_ignored_and_the_stream_intact)
{
	struct rdt_sim l;
	struct rdt_config c;
	struct traffic t = { 0 };
	struct rdt_header h;
	const char *why;
	unsigned char bad[64];

	rdt_config_default(&c);
	c.window = 8;
	link_init(&l);
	link_open(&l, &c, &c, 1000, 2000);
	l.ctx = &t;
	l.rule = keep_one;
	l.app = apps;
	link_run(&l, l.now + 3000, rdt_sim_idle); /* some traffic, and a sample of it */
	cr_assert_gt(t.sample_len, 0);
	cr_assert_eq(rdt_wire_decode(t.sample, t.sample_len, &h, &why), 0);
	struct rdt_stats before = rdt_sim_stats(&l, RDT_SIM_B);
	unsigned malformed = 0;

	for (size_t len = 0; len < t.sample_len; len++, malformed++) /* every truncation */
		cr_expect_eq(rdt_input(l.end[RDT_SIM_B], t.sample, len, l.now), -1);
	for (size_t bit = 0; bit < t.sample_len * 8; bit += 7, malformed++) { /* bits flipped in transit */
		memcpy(bad, t.sample, t.sample_len);
		bad[bit / 8] ^= (unsigned char)(1u << bit % 8);
		cr_expect_eq(rdt_input(l.end[RDT_SIM_B], bad, t.sample_len, l.now), -1);
		cr_expect_eq(errno, EBADMSG);
	}
	cr_expect_eq(rdt_input(l.end[RDT_SIM_B], "GET / HTTP/1.0\r\n\r\n", 18, l.now), -1, "someone else's protocol");
	malformed++;

	struct rdt_header other = h;
	other.conn ^= 1; /* a stranger: another connection's id, well formed */
	cr_expect_eq(feed(&l, RDT_SIM_B, other), -1);
	cr_expect_eq(errno, EPROTO);
	other.flags = RDT_RST; /* nor may a stranger reset us */
	other.len = 0;
	cr_expect_eq(feed(&l, RDT_SIM_B, other), -1);

	struct rdt_header far = h;
	far.seq += 1u << 20; /* our connection, but far outside the window */
	cr_expect_eq(feed(&l, RDT_SIM_B, far), -1);
	struct rdt_header ahead = { .flags = RDT_ACK, .conn = h.conn, .seq = h.ack, .ack = h.seq + 5000, .wnd = 8 };
	cr_expect_eq(feed(&l, RDT_SIM_A, ahead), -1, "an ACK for what A never sent");

	struct rdt_stats after = rdt_sim_stats(&l, RDT_SIM_B);
	cr_expect_eq(after.malformed - before.malformed, malformed);
	cr_expect_eq(after.strangers - before.strangers, 2);
	cr_expect_eq(after.out_of_window - before.out_of_window, 1);
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_A).out_of_window, 1);
	cr_expect_eq(rdt_state(l.end[RDT_SIM_B]), RDT_ESTABLISHED);

	cr_assert(link_run(&l, l.now + 60 * SECOND, rdt_sim_idle));
	cr_expect_eq(t.got, MESSAGES, "every message, in order, none from a stranger");
	rdt_sim_free(&l);
}

Test(rdt_strangers, numbers_beyond_a_small_sequence_space)
{
	struct rdt_sim l;
	struct rdt_config c;

	rdt_config_default(&c);
	c.arq = RDT_ARQ_GBN;
	c.seqbits = 3;
	c.window = 7;
	link_init(&l);
	link_open(&l, &c, &c, 1, 2);
	cr_expect_eq(feed(&l, RDT_SIM_B, (struct rdt_header){ .flags = RDT_ACK, .conn = 0x5eed, .seq = 2, .ack = 8 }), -1);
	cr_expect_eq(errno, EBADMSG, "8 does not exist with seqbits=3");
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_B).malformed, 1);
	rdt_sim_free(&l);
}

Test(rdt_strangers, a_listener_takes_only_a_good_syn)
{
	struct rdt_config c;
	struct rdt *b;
	struct rdt_syn_options bad = { .arq = RDT_ARQ_SR, .seqbits = 3, .window = 5, .payload = 100 };
	unsigned char buf[64];

	rdt_config_default(&c);
	b = rdt_new(&c, NULL, NULL);
	rdt_listen(b, 9);
	size_t n = rdt_wire_encode(&(struct rdt_header){ .flags = RDT_ACK, .conn = 1, .ack = 5 }, buf, sizeof buf);
	cr_expect_eq(rdt_input(b, buf, n, 0), -1, "no SYN, no connection");
	n = rdt_wire_encode(&(struct rdt_header){ .flags = RDT_SYN, .conn = 1, .seq = 3, .syn = bad }, buf, sizeof buf);
	cr_expect_eq(rdt_input(b, buf, n, 0), -1, "SR with window 5 in 3 bits: refused");
	n = rdt_wire_encode(&(struct rdt_header){ .flags = RDT_SYN, .conn = 1, .seq = 9, .syn = { 3, 3, 4, 100 } }, buf,
			    sizeof buf);
	cr_expect_eq(rdt_input(b, buf, n, 0), -1, "an ISN of 9 in 3 bits");
	cr_expect_eq(rdt_state(b), RDT_LISTEN, "still listening");
	n = rdt_wire_encode(&(struct rdt_header){ .flags = RDT_SYN, .conn = 1, .seq = 3, .syn = { 3, 3, 4, 100 } }, buf,
			    sizeof buf);
	cr_expect_eq(rdt_input(b, buf, n, 0), 0);
	cr_expect_eq(rdt_state(b), RDT_SYN_RCVD);
	struct rdt_stats s;
	rdt_get_stats(b, &s);
	cr_expect(s.strangers == 1 && s.malformed == 2 && s.window == 4);
	rdt_free(b);
}
