/* test_rdt_flow.c - rdt's flow control (the receiver's window, zero-window probes) and cc=aimd's congestion window. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/rdt_link.h"
#include "transports/rdt/rdt_private.h"

#define MS 1000LL
#define SECOND 1000000LL

/* What A's data packets did: first transmissions per 2 ms round trip, and all transmissions. */
struct watch {
	unsigned per_round[64];
	unsigned first, all;
	unsigned lose_at; /* drop A's data packet number lose_at (from 1), 0: none */
	long long t0;
};

static enum rdt_sim_verdict count_a(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	struct watch *w = l->ctx;
	long long round = (l->now - w->t0) / (2 * MS);

	(void)index;
	if (from != RDT_SIM_A || !(h->flags & RDT_DATA))
		return RDT_SIM_PASS;
	w->all++;
	if (round < 64)
		w->per_round[round]++;
	return w->all == w->lose_at ? RDT_SIM_DROP : RDT_SIM_PASS;
}

Test(rdt_flow, a_full_receiver_stops_the_sender_which_probes)
{
	struct rdt_sim l;
	struct rdt_config a, b;
	struct watch w = { 0 };

	rdt_config_default(&a);
	a.window = 4;
	b = a;
	b.rcvbuf = 0; /* B's buffer is its window: four unread messages fill it */
	link_init(&l);
	link_open(&l, &a, &b, 10, 20);
	l.rule = count_a;
	l.ctx = &w;
	for (int i = 0; i < 10; i++)
		cr_assert_eq(rdt_send(l.end[RDT_SIM_A], &i, sizeof i, l.now), (ssize_t)sizeof i);
	link_run(&l, l.now + 2 * SECOND, rdt_sim_idle); /* B reads nothing for 2 s */
	struct rdt_stats sa = rdt_sim_stats(&l, RDT_SIM_A), sb = rdt_sim_stats(&l, RDT_SIM_B);
	cr_expect_eq(sa.peer_window, 0, "B says its buffer is full");
	cr_expect_eq(sa.data_sent, 5, "four to fill B's window, and one probe past it");
	cr_expect_eq(sa.probes, 1);
	cr_expect_geq(sa.retransmits_timeout, 5, "the probe again and again, backing off");
	cr_expect_leq(sa.retransmits_timeout, 10, "backing off: about log2(2 s / 10 ms)");
	cr_expect_eq(sb.no_room, 1 + sa.retransmits_timeout, "B had no room for any probe");
	cr_expect_eq(rdt_error(l.end[RDT_SIM_A]), 0, "B answers every probe: A never gives up");
	unsigned char got[64];
	size_t used = 0;
	cr_expect_eq(link_drain(&l, RDT_SIM_B, got, sizeof got, &used), 4);
	for (int round = 0; round < 20 && used < sizeof(int) * 10; round++) { /* B reads as it arrives */
		link_run(&l, l.now + 100 * MS, rdt_sim_idle);
		link_drain(&l, RDT_SIM_B, got, sizeof got, &used);
	}
	cr_assert_eq(used, sizeof(int) * 10);
	for (int i = 0; i < 10; i++)
		cr_expect(memcmp(got + i * sizeof i, &i, sizeof i) == 0, "message %d in order", i);
	rdt_sim_free(&l);
}

/* The applications: A sends to_send messages as fast as rdt takes them, B reads everything. */
static int to_send;

static void send_and_drain(struct rdt_sim *l)
{
	while (to_send > 0 && rdt_send(l->end[RDT_SIM_A], &to_send, sizeof to_send, l->now) > 0)
		to_send--;
	link_drain(l, RDT_SIM_B, NULL, 0, NULL);
}

static struct rdt_config aimd(void)
{
	struct rdt_config c;

	rdt_config_default(&c);
	c.window = 32;
	c.cc = RDT_CC_AIMD;
	return c;
}

/* Records cwnd as each loss changes it, and checks that additive increase adds one at a time. */
static unsigned cwnd_after[4], flight_at[4], cwnd_changes, increases, last_cwnd;
static const char *cwnd_why[4];

static void cwnd_watch(struct rdt_sim *l, int side, const struct rdt_event *e)
{
	struct rdt *a = l->end[RDT_SIM_A];

	if (side == RDT_SIM_A && (e->kind == RDT_EV_FAST || e->kind == RDT_EV_TIMEOUT) && cwnd_changes < 4)
		flight_at[cwnd_changes] = (unsigned)(a->nextseqnum - a->base); /* FlightSize, as the loss is seen */
	if (side != RDT_SIM_A || e->kind != RDT_EV_CWND)
		return;
	if (strcmp(e->why, "additive increase") == 0) {
		cr_expect_eq(e->count, last_cwnd + 1, "additive increase: one packet more");
		increases++;
	} else if (strcmp(e->why, "slow start") != 0 && cwnd_changes < 4) {
		cwnd_after[cwnd_changes] = e->count;
		cwnd_why[cwnd_changes++] = e->why;
	}
	last_cwnd = e->count;
}

Test(rdt_flow, aimd_slow_start_doubles_each_round_trip)
{
	struct rdt_sim l;
	struct rdt_config c = aimd();
	struct watch w = { 0 };

	link_init(&l);
	link_open(&l, &c, &c, 10, 20);
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_A).cwnd, 1, "slow start begins at one packet");
	l.rule = count_a;
	l.ctx = &w;
	l.app = send_and_drain;
	w.t0 = l.now;
	to_send = 100;
	cr_assert(link_run(&l, l.now + 10 * SECOND, rdt_sim_idle));
	unsigned want[] = { 1, 2, 4, 8, 16, 32, 32 };
	for (int r = 0; r < 6; r++)
		cr_expect_eq(w.per_round[r], want[r], "round trip %d: %u packets", r, w.per_round[r]);
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_A).cwnd, 32, "up to the window, and no further");
	rdt_sim_free(&l);
}

Test(rdt_flow, aimd_halves_on_three_dupacks_and_restarts_on_timeout)
{
	struct rdt_sim l;
	struct rdt_config c = aimd();
	struct watch w = { .lose_at = 80 };

	cwnd_changes = 0;
	link_init(&l);
	link_open(&l, &c, &c, 10, 20);
	l.rule = count_a;
	l.ctx = &w;
	l.watch = cwnd_watch;
	l.app = send_and_drain;
	to_send = 300; /* packets 64-95 go together, cwnd 32: the 80th is lost */
	cr_assert(link_run(&l, l.now + 10 * SECOND, rdt_sim_idle));
	cr_assert_geq(cwnd_changes, 1);
	cr_expect_str_eq(cwnd_why[0], "fast retransmit");
	cr_expect_geq(flight_at[0], 8);
	cr_expect_eq(cwnd_after[0], flight_at[0] / 2, "half the %u in flight: multiplicative decrease", flight_at[0]);
	struct rdt_stats s = rdt_sim_stats(&l, RDT_SIM_A);
	cr_expect_eq(s.ssthresh, flight_at[0] / 2);
	cr_expect(increases >= 3 && s.cwnd == s.ssthresh + increases, "then one more per round trip: %u", s.cwnd);

	l.rule = NULL; /* now lose everything B says until A's timer runs out */
	l.loss = 1.0;
	rdt_send(l.end[RDT_SIM_A], "x", 1, l.now);
	link_run(&l, l.now + 15 * MS, rdt_sim_idle);
	l.loss = 0;
	s = rdt_sim_stats(&l, RDT_SIM_A);
	cr_expect_eq(s.cwnd, 1, "a timeout: slow start from one packet again");
	cr_expect_eq(s.ssthresh, 2, "half of the one in flight, at least 2 (RFC 5681)");
	rdt_sim_free(&l);
}

/* With the buffer full of unread messages, B's SACK must not count them as held past the hole. */
Test(rdt_flow, unread_messages_are_not_held_packets)
{
	struct rdt_sim l;
	struct rdt_config a, b;
	unsigned char buf[RDT_HEADER_SIZE + 1400];
	struct rdt_header h;
	const char *why;

	rdt_config_default(&a);
	a.window = 4;
	b = a;
	b.rcvbuf = 0;
	link_init(&l);
	link_open(&l, &a, &b, 10, 20);
	for (int i = 0; i < 4; i++)
		rdt_send(l.end[RDT_SIM_A], &i, sizeof i, l.now);
	cr_assert(link_run(&l, l.now + SECOND, rdt_sim_idle));
	cr_assert_eq(rdt_sim_stats(&l, RDT_SIM_B).peer_window, 4);
	struct rdt_header old = { .flags = RDT_DATA | RDT_ACK, .conn = 0x5eed, .seq = 11, .ack = 21, .wnd = 4, .len = 1,
				  .payload = (const unsigned char *)"x" };
	size_t n = rdt_wire_encode(&old, buf, sizeof buf);
	cr_assert_eq(rdt_input(l.end[RDT_SIM_B], buf, n, l.now), 0, "a duplicate: B answers with an ACK");
	ssize_t got = rdt_output(l.end[RDT_SIM_B], l.now, buf, sizeof buf);
	cr_assert_gt(got, 0);
	cr_assert_eq(rdt_wire_decode(buf, (size_t)got, &h, &why), 0);
	cr_expect(h.ack == 15 && h.wnd == 0, "all four in, none read: ack=%u wnd=%u", h.ack, h.wnd);
	cr_expect_eq(h.flags & RDT_SACK, 0, "nothing is held past the hole: held=%x", h.held);
	rdt_sim_free(&l);
}
