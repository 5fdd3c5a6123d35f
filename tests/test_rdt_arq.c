/* test_rdt_arq.c - rdt's ARQ, scripted: Go-Back-N against selective repeat, the receiver's rules, wraparound, fast retransmit. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/rdt_link.h"

#define SECOND 1000000LL
#define ISN_A 1000
#define ISN_B 2000

static struct rdt_config config(enum rdt_arq arq, unsigned window)
{
	struct rdt_config c;

	rdt_config_default(&c);
	c.arq = arq;
	c.window = arq == RDT_ARQ_SW ? 1 : window;
	c.seqbits = arq == RDT_ARQ_SW ? 1 : 32; /* the alternating bit */
	return c;
}

/* Loses the data packets of A whose numbers (from 0, first transmissions and all) are in the mask. */
static enum rdt_sim_verdict lose_a_data(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	unsigned *count = l->ctx, mask = count[1];

	(void)index;
	if (from != RDT_SIM_A || !(h->flags & RDT_DATA))
		return RDT_SIM_PASS;
	return count[0]++ < 32 && (mask >> (count[0] - 1) & 1) ? RDT_SIM_DROP : RDT_SIM_PASS;
}

/* A sends n numbered messages to B over a link that loses A's data packets in mask; B's messages are checked. */
static struct rdt_stats one_window(enum rdt_arq arq, unsigned window, unsigned n, unsigned mask, struct rdt_sim *l)
{
	struct rdt_config c = config(arq, window);
	unsigned count[2] = { 0, mask };
	char msg[16];
	unsigned char got[256];
	size_t used = 0;

	link_init(l);
	link_open(l, &c, &c, ISN_A, ISN_B);
	l->rule = lose_a_data;
	l->ctx = count;
	for (unsigned i = 0; i < n; i++)
		cr_assert_eq(rdt_send(l->end[RDT_SIM_A], msg, (size_t)snprintf(msg, sizeof msg, "m%02u", i), l->now), 3);
	cr_assert(link_run(l, l->now + 60 * SECOND, rdt_sim_idle));
	cr_assert_eq(link_drain(l, RDT_SIM_B, got, sizeof got, &used), n);
	for (unsigned i = 0; i < n; i++) {
		snprintf(msg, sizeof msg, "m%02u", i);
		cr_assert(memcmp(got + 3 * i, msg, 3) == 0, "message %u in order", i);
	}
	l->ctx = NULL;
	return rdt_sim_stats(l, RDT_SIM_A);
}

Test(rdt_arq, one_loss_in_a_window_of_8_gbn_resends_8_sr_resends_1)
{
	struct rdt_sim l;
	struct rdt_stats gbn = one_window(RDT_ARQ_GBN, 8, 8, 1u << 0, &l);
	cr_expect_eq(gbn.retransmits_fast + gbn.retransmits_timeout, 8, "Go-Back-N resends the whole window");
	cr_expect_eq(l.events[RDT_SIM_B][RDT_EV_DROPPED], 7, "its receiver dropped the 7 after the hole");
	rdt_sim_free(&l);
	struct rdt_stats sr = one_window(RDT_ARQ_SR, 8, 8, 1u << 0, &l);
	cr_expect_eq(sr.retransmits_fast + sr.retransmits_timeout, 1, "selective repeat resends the lost one");
	cr_expect_eq(l.events[RDT_SIM_B][RDT_EV_HELD], 7, "its receiver held the 7 after the hole");
	rdt_sim_free(&l);
}

Test(rdt_arq, three_dupacks_one_fast_retransmit_and_no_more)
{
	struct rdt_sim l;
	struct rdt_stats sr = one_window(RDT_ARQ_SR, 16, 16, 1u << 0, &l);

	cr_expect_eq(sr.dupacks, 15, "one per packet held");
	cr_expect_eq(sr.retransmits_fast, 1);
	cr_expect_eq(sr.retransmits_timeout, 0);
	cr_expect_eq(l.events[RDT_SIM_A][RDT_EV_FAST], 1);
	rdt_sim_free(&l);
	struct rdt_stats gbn = one_window(RDT_ARQ_GBN, 16, 16, 1u << 0, &l);
	cr_expect_eq(gbn.dupacks, 15);
	cr_expect_eq(l.events[RDT_SIM_A][RDT_EV_FAST], 1);
	cr_expect_eq(gbn.retransmits_fast, 16, "one go-back-N, after the third");
	cr_expect_eq(gbn.retransmits_timeout, 0);
	rdt_sim_free(&l);
	struct rdt_stats sr2 = one_window(RDT_ARQ_SR, 16, 16, 1u << 0 | 1u << 5, &l);
	cr_expect_eq(sr2.retransmits_fast + sr2.retransmits_timeout, 2, "two holes, two packets again");
	rdt_sim_free(&l);
}

/* A datagram as B's peer would send it, with A's and B's numbers from link_open. */
static size_t craft(unsigned flags, uint32_t seq, uint32_t ack, uint16_t wnd, const char *payload, void *out)
{
	struct rdt_header h = { .flags = (uint8_t)flags, .conn = 0x5eed, .seq = seq, .ack = ack, .wnd = wnd,
				.len = payload ? (uint16_t)strlen(payload) : 0,
				.payload = (const unsigned char *)payload };
	return rdt_wire_encode(&h, out, 2048);
}

/* B's next datagram: its ack and sack (or -1), which must be an ACK. */
static void next_ack(struct rdt_sim *l, long long *ack, long long *sack)
{
	unsigned char buf[2048];
	struct rdt_header h;
	const char *why;
	ssize_t n = rdt_output(l->end[RDT_SIM_B], l->now, buf, sizeof buf);

	cr_assert_gt(n, 0, "an ACK is owed");
	cr_assert_eq(rdt_wire_decode(buf, (size_t)n, &h, &why), 0);
	*ack = (h.flags & RDT_ACK) ? (long long)h.ack : -1;
	*sack = (h.flags & RDT_SACK) ? (long long)h.sack : -1;
}

/* Feeds B data packet number k (from 0) of A's stream. */
static int feed(struct rdt_sim *l, unsigned k)
{
	unsigned char buf[2048];
	char text[8];

	snprintf(text, sizeof text, "d%u", k);
	size_t n = craft(RDT_DATA | RDT_ACK, ISN_A + 1 + k, ISN_B + 1, 8, text, buf);
	return rdt_input(l->end[RDT_SIM_B], buf, n, l->now);
}

Test(rdt_arq, gbn_receiver_drops_out_of_order_and_acks_again)
{
	struct rdt_sim l;
	struct rdt_config c = config(RDT_ARQ_GBN, 8);
	long long ack, sack;
	char buf[16];
	size_t len;

	link_init(&l);
	link_open(&l, &c, &c, ISN_A, ISN_B);
	feed(&l, 1);
	feed(&l, 2);
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_B).dropped, 2);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 1, "a duplicate ACK: still waiting for packet 0");
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 1, "one per packet out of order");
	feed(&l, 0);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 2, "packet 0 fills the hole; 1 and 2 are gone");
	feed(&l, 0);
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_B).duplicates, 1);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 2, "a duplicate is ACKed again, in case our ACK was lost");
	feed(&l, 1);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 3);
	cr_expect_eq(rdt_recv(l.end[RDT_SIM_B], buf, sizeof buf, &len, NULL), 1);
	cr_expect(len == 2 && memcmp(buf, "d0", 2) == 0);
	cr_expect_eq(rdt_recv(l.end[RDT_SIM_B], buf, sizeof buf, &len, NULL), 1);
	cr_expect(len == 2 && memcmp(buf, "d1", 2) == 0);
	rdt_sim_free(&l);
}

Test(rdt_arq, sr_receiver_holds_out_of_order_and_fills_the_hole)
{
	struct rdt_sim l;
	struct rdt_config c = config(RDT_ARQ_SR, 8);
	long long ack, sack, sacks = 0;
	char buf[16];
	size_t len;

	link_init(&l);
	link_open(&l, &c, &c, ISN_A, ISN_B);
	feed(&l, 2);
	feed(&l, 1);
	feed(&l, 1);
	struct rdt_stats s = rdt_sim_stats(&l, RDT_SIM_B);
	cr_expect(s.held == 2 && s.duplicates == 1, "held %llu, duplicates %llu", (unsigned long long)s.held,
		  (unsigned long long)s.duplicates);
	for (int i = 0; i < 2; i++) { /* each packet held is ACKed on its own */
		next_ack(&l, &ack, &sack);
		cr_expect_eq(ack, ISN_A + 1);
		sacks |= 1LL << (sack - (ISN_A + 1));
	}
	cr_expect_eq(sacks, 6, "SACKs for packets 1 and 2");
	cr_expect_eq(rdt_recv(l.end[RDT_SIM_B], buf, sizeof buf, &len, NULL), -1, "nothing in order yet");
	feed(&l, 0);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 4, "the hole filled: three in order at once");
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(rdt_recv(l.end[RDT_SIM_B], buf, sizeof buf, &len, NULL), 1);
		cr_expect(len == 2 && buf[1] == '0' + i, "message %d in order", i);
	}
	feed(&l, 0);
	next_ack(&l, &ack, &sack);
	cr_expect(ack == ISN_A + 4 && sack == -1, "an old duplicate: the cumulative ACK again");
	cr_expect_eq(feed(&l, 8 + 3 + 5), -1, "far past the window");
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_B).out_of_window, 1);
	rdt_sim_free(&l);
}

/* Records whether A's sequence numbers went round 2^32. */
static enum rdt_sim_verdict watch_wrap(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	int *seen = l->ctx;

	(void)index;
	if (from == RDT_SIM_A && (h->flags & RDT_DATA)) {
		seen[0] |= h->seq >= 0xfffffff0u;
		seen[1] |= seen[0] && h->seq < 0x100;
	}
	return RDT_SIM_PASS;
}

static void wraps(enum rdt_arq arq)
{
	struct rdt_sim l;
	struct rdt_config c = config(arq, 8);
	int seen[2] = { 0, 0 };
	unsigned char got[4096];
	size_t used = 0;

	link_init(&l);
	l.loss = 0.1;
	link_open(&l, &c, &c, 0xfffffff0u, 0xfffffffau);
	l.rule = watch_wrap;
	l.ctx = seen;
	for (unsigned i = 0; i < 64; i++) {
		uint32_t v = i;
		while (rdt_send(l.end[RDT_SIM_A], &v, sizeof v, l.now) < 0) {
			cr_assert_eq(errno, EAGAIN);
			cr_assert(link_step(&l, l.now + 60 * SECOND));
		}
		rdt_send(l.end[RDT_SIM_B], &v, sizeof v, l.now);
		link_drain(&l, RDT_SIM_B, got, sizeof got, &used);
	}
	cr_assert(link_run(&l, l.now + 60 * SECOND, rdt_sim_idle));
	link_drain(&l, RDT_SIM_B, got, sizeof got, &used);
	cr_assert_eq(used, 64 * 4);
	for (uint32_t i = 0; i < 64; i++)
		cr_assert(memcmp(got + 4 * i, &i, 4) == 0, "message %u in order across the wrap", i);
	cr_expect(seen[0] && seen[1], "A's numbers went from 0xfffffff. to 0x..");
	cr_expect_eq(link_drain(&l, RDT_SIM_A, NULL, 0, NULL), 64);
	cr_expect_gt(rdt_sim_stats(&l, RDT_SIM_A).retransmits_timeout + rdt_sim_stats(&l, RDT_SIM_A).retransmits_fast, 0);
	rdt_sim_free(&l);
}

Test(rdt_arq, sequence_numbers_wrap_gbn) { wraps(RDT_ARQ_GBN); }
Test(rdt_arq, sequence_numbers_wrap_sr) { wraps(RDT_ARQ_SR); }

/* The Sorcerer's Apprentice: however many duplicate ACKs come, one fast retransmit, no storm. */
static void no_storm(enum rdt_arq arq)
{
	struct rdt_sim l;
	struct rdt_config c = config(arq, 4);
	unsigned char buf[2048], out[2048];
	unsigned count[2] = { 0, ~0u };

	link_init(&l);
	link_open(&l, &c, &c, ISN_A, ISN_B);
	l.rule = lose_a_data;
	l.ctx = count;
	rdt_send(l.end[RDT_SIM_A], "lost", 4, l.now);
	link_step(&l, l.now); /* sent, and lost */
	uint64_t before = rdt_sim_stats(&l, RDT_SIM_A).datagrams_sent;
	uint32_t mask = arq == RDT_ARQ_SW ? 1 : 0xffffffffu;
	/* B's ACK as it was, with the window it advertised: a pure duplicate, not a window update. */
	size_t n = craft(RDT_ACK, (ISN_B + 1) & mask, (ISN_A + 1) & mask, (uint16_t)c.window, NULL, buf);
	for (int i = 0; i < 1000; i++) {
		cr_assert_eq(rdt_input(l.end[RDT_SIM_A], buf, n, l.now), 0);
		while (rdt_output(l.end[RDT_SIM_A], l.now, out, sizeof out) > 0)
			;
	}
	struct rdt_stats s = rdt_sim_stats(&l, RDT_SIM_A);
	cr_expect_eq(s.dupacks, 1000);
	cr_expect_eq(s.datagrams_sent - before, arq == RDT_ARQ_SW ? 0 : 1, "1000 duplicate ACKs, %llu datagrams",
		     (unsigned long long)(s.datagrams_sent - before));
	rdt_sim_free(&l);
}

Test(rdt_arq, duplicate_acks_never_cause_a_storm)
{
	no_storm(RDT_ARQ_SW);
	no_storm(RDT_ARQ_GBN);
	no_storm(RDT_ARQ_SR);
}

/* No datagram owed by B now. */
static void no_ack(struct rdt_sim *l, const char *what)
{
	unsigned char buf[2048];

	cr_expect_eq(rdt_output(l->end[RDT_SIM_B], l->now, buf, sizeof buf), 0, "%s", what);
}

/*
 * ack_every=2 (what rdt's socket layer asks, rdt_life.c): an ACK for every
 * other packet in order, the odd one's when rdt_ack_flush says the burst is
 * over; at once for a packet held, a hole filled, a duplicate. Each ACK still
 * says exactly what arrived, so selective repeat's rules hold.
 */
Test(rdt_arq, sr_receiver_acks_every_other_packet_when_asked)
{
	struct rdt_sim l;
	struct rdt_config c = config(RDT_ARQ_SR, 8);
	long long ack, sack;

	c.ack_every = 2;
	link_init(&l);
	link_open(&l, &c, &c, ISN_A, ISN_B);
	feed(&l, 0);
	no_ack(&l, "the first of two in order waits for the second");
	feed(&l, 1);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 3, "one ACK for both");
	no_ack(&l, "and only one");
	feed(&l, 2);
	no_ack(&l, "an odd one waits");
	rdt_ack_flush(l.end[RDT_SIM_B]);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 4, "the burst is over: its ACK leaves");
	rdt_ack_flush(l.end[RDT_SIM_B]);
	no_ack(&l, "nothing held, nothing owed");
	feed(&l, 4);
	next_ack(&l, &ack, &sack);
	cr_expect(ack == ISN_A + 4 && sack == ISN_A + 5, "a packet held is ACKed at once, selectively");
	feed(&l, 3);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 6, "a hole filled is ACKed at once");
	feed(&l, 3);
	next_ack(&l, &ack, &sack);
	cr_expect_eq(ack, ISN_A + 6, "a duplicate is ACKed at once");
	rdt_sim_free(&l);
}
