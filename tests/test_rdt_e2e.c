/* test_rdt_e2e.c - rdt end to end in memory: 10 MB through loss, duplication and reordering, and stop-and-wait's formula. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/rdt_link.h"

#define MS 1000LL
#define SECOND 1000000LL

/* The byte at offset i of message k: both sides compute it, so nothing is stored. */
static unsigned char pattern(uint32_t k, size_t i) { return (unsigned char)((k * 2654435761u + i * 40503u) >> 13); }

/* Message k's length: mostly full, never the same twice in a row, now and then empty. */
static size_t length_of(uint32_t k, size_t payload) { return k % 97 == 5 ? 0 : payload - (k * 7919u) % 64; }

struct transfer {
	size_t payload;
	uint64_t total, sent, got; /* bytes */
	uint32_t next_out, next_in; /* message numbers */
	int a_done, b_end;
	long long delivered_at[256]; /* when B read message k, for the first 256 */
};

/* A sends numbered messages until total bytes are out, then closes; B checks each as it reads, then closes. */
static void transfer_apps(struct rdt_sim *l)
{
	struct transfer *t = l->ctx;
	unsigned char buf[RDT_PAYLOAD_MAX];
	size_t len;
	int r;

	while (!t->a_done && rdt_writable(l->end[RDT_SIM_A])) {
		size_t n = length_of(t->next_out, t->payload);
		for (size_t i = 0; i < n; i++)
			buf[i] = pattern(t->next_out, i);
		cr_assert_eq(rdt_send(l->end[RDT_SIM_A], buf, n, l->now), (ssize_t)n);
		t->next_out++;
		if ((t->sent += n) >= t->total)
			t->a_done = rdt_close(l->end[RDT_SIM_A], l->now) == 0;
	}
	while ((r = rdt_recv(l->end[RDT_SIM_B], buf, sizeof buf, &len, NULL)) == 1) {
		cr_assert_eq(len, length_of(t->next_in, t->payload), "message %u whole", t->next_in);
		for (size_t i = 0; i < len; i++)
			if (buf[i] != pattern(t->next_in, i))
				cr_assert_fail("message %u byte %zu differs", t->next_in, i);
		if (t->next_in < 256)
			t->delivered_at[t->next_in] = l->now;
		t->next_in++;
		t->got += len;
	}
	if (r == 0 && !t->b_end)
		t->b_end = rdt_close(l->end[RDT_SIM_B], l->now) == 0;
}

/* total bytes from A to B over link l (set up by the caller), then both close. Returns A's stats. */
static struct rdt_stats transfer(struct rdt_sim *l, const struct rdt_config *c, uint64_t total, struct transfer *t)
{
	t->payload = c->payload;
	t->total = total;
	link_open(l, c, c, 0xfffff000u, 12345);
	l->ctx = t;
	l->app = transfer_apps;
	cr_assert(link_run(l, l->now + 3600 * SECOND, rdt_sim_both_closed), "A %s, B %s",
		  rdt_state_name(rdt_state(l->end[0])), rdt_state_name(rdt_state(l->end[1])));
	cr_assert_eq(t->got, t->sent, "every byte, in order");
	cr_assert_eq(t->next_in, t->next_out, "every message, whole");
	cr_assert(rdt_error(l->end[0]) == 0 && rdt_error(l->end[1]) == 0);
	return rdt_sim_stats(l, RDT_SIM_A);
}

/* 10 MB over a link that loses 10%, duplicates 5% and reorders 5% of the datagrams each way, seeded. */
static struct rdt_stats lossy(enum rdt_arq arq, unsigned long long seed, uint64_t total)
{
	struct rdt_sim l;
	struct rdt_config c;
	struct transfer t = { 0 };

	rdt_config_default(&c);
	c.arq = arq;
	c.window = arq == RDT_ARQ_SW ? 1 : 32;
	c.seqbits = arq == RDT_ARQ_SW ? 1 : 32;
	link_init(&l);
	l.rng[0] = seed;
	l.loss = 0.10;
	l.dup = 0.05;
	l.late = 0.05;
	struct rdt_stats s = transfer(&l, &c, total, &t);
	cr_expect_gt(l.dropped[RDT_SIM_A], 0);
	cr_expect_gt(l.dropped[RDT_SIM_B], 0);
	cr_log_info("%s: %u messages, %llu retransmissions (%llu fast), %llu timeouts, %u datagrams lost of %u",
		    rdt_arq_name(arq), t.next_in, (unsigned long long)(s.retransmits_timeout + s.retransmits_fast),
		    (unsigned long long)s.retransmits_fast, (unsigned long long)s.timeouts,
		    l.dropped[RDT_SIM_A] + l.dropped[RDT_SIM_B], l.sent[RDT_SIM_A] + l.sent[RDT_SIM_B]);
	rdt_sim_free(&l);
	return s;
}

static void ten_megabytes(enum rdt_arq arq)
{
	struct rdt_stats s = lossy(arq, 7, 10 << 20);

	cr_expect_gt(s.retransmits_timeout + s.retransmits_fast, 0);
	cr_expect_gt(s.duplicates + s.dupacks, 0);
	struct rdt_stats again = lossy(arq, 7, 1 << 20), twice = lossy(arq, 7, 1 << 20);
	cr_expect(memcmp(&again, &twice, sizeof again) == 0, "the same seed, the same run: every count equal");
	cr_expect_eq(again.retransmits_timeout, twice.retransmits_timeout);
}

Test(rdt_e2e, ten_megabytes_sw) { ten_megabytes(RDT_ARQ_SW); }
Test(rdt_e2e, ten_megabytes_gbn) { ten_megabytes(RDT_ARQ_GBN); }
Test(rdt_e2e, ten_megabytes_sr) { ten_megabytes(RDT_ARQ_SR); }

/*
 * Kurose & Ross 3.4.2, "Pipelined Reliable Data Transfer Protocols": a
 * stop-and-wait sender is busy L/R of every RTT + L/R, so it delivers one
 * message per RTT + L/R; a pipelined one with a window of N delivers N per
 * cycle, until the link itself is full. Here the
 * link is 8 Mbit/s (a byte per microsecond) with 5 ms each way: the clock is
 * simulated, so the figures are exact.
 */
static double messages_per_second(enum rdt_arq arq, unsigned window)
{
	struct rdt_sim l;
	struct rdt_config c;
	struct transfer t = { 0 };

	rdt_config_default(&c);
	c.arq = arq;
	c.window = window;
	c.seqbits = arq == RDT_ARQ_SW ? 1 : 32;
	c.payload = 1000 + 63; /* messages of 1000 to 1063 bytes: datagrams of 1028 to 1091 */
	link_init(&l);
	l.rate = 8000000;
	l.delay = 5 * MS;
	transfer(&l, &c, 256 * 1000, &t);
	cr_expect_eq(rdt_sim_stats(&l, RDT_SIM_A).retransmits_timeout, 0, "no timer runs out early");
	rdt_sim_free(&l);
	return 200.0 * SECOND / (double)(t.delivered_at[220] - t.delivered_at[20]);
}

Test(rdt_e2e, stop_and_wait_delivers_one_message_per_round_trip)
{
	double avg_l = 28 + 1000 + 31.5;                           /* the average datagram, bytes = microseconds */
	double cycle = avg_l + 5000 + 28 + 5000;                   /* L/R + propagation + the ACK's 28 bytes + back */
	double sw = messages_per_second(RDT_ARQ_SW, 1), formula = SECOND / cycle;

	cr_log_info("stop-and-wait: %.1f messages/s, the formula %.1f", sw, formula);
	cr_expect(sw > formula * 0.99 && sw < formula * 1.01, "%.1f messages/s, formula %.1f", sw, formula);
	double gbn4 = messages_per_second(RDT_ARQ_GBN, 4);
	cr_expect(gbn4 > 4 * formula * 0.98 && gbn4 < 4 * formula * 1.02, "window 4: %.1f, 4 x %.1f", gbn4, formula);
	double sr16 = messages_per_second(RDT_ARQ_SR, 16), full = SECOND / avg_l;
	cr_expect(sr16 > full * 0.98 && sr16 <= full * 1.02, "window 16 fills the link: %.1f of %.1f", sr16, full);
}
