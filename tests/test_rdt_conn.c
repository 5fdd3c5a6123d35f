/* test_rdt_conn.c - rdt's connection: the handshake and the close under the loss of each packet in turn, and the API's answers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "tests/support/rdt_link.h"

#define SECOND 1000000LL

static struct rdt_config config(enum rdt_arq arq, unsigned window, unsigned seqbits)
{
	struct rdt_config c;

	rdt_config_default(&c);
	c.arq = arq;
	c.window = window;
	c.seqbits = seqbits;
	return c;
}

/* The scripted scenario: the loss of the datagram number victim (counted over both directions), or none. */
struct scenario {
	int victim;          /* -1: lose nothing */
	int counted;         /* datagrams offered so far */
	int simultaneous;    /* both close at once, rather than A first */
	int a_got, b_got;    /* messages each side read */
	int a_end, b_end;    /* each side read the end of the stream */
	struct rdt_header lost;
};

static enum rdt_sim_verdict lose_one(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	struct scenario *s = l->ctx;

	(void)from;
	(void)index;
	if (s->counted++ != s->victim)
		return RDT_SIM_PASS;
	s->lost = *h;
	return RDT_SIM_DROP;
}

/* The applications: A sends "ping" and closes; B answers "pong" and closes when it reads A's end. */
static void ping_pong(struct rdt_sim *l)
{
	struct scenario *s = l->ctx;
	char buf[16];
	size_t len;
	int r;

	for (int side = 0; side < 2; side++) {
		if (!rdt_established(l->end[side]))
			continue;
		while ((r = rdt_recv(l->end[side], buf, sizeof buf, &len, NULL)) == 1)
			(side ? &s->b_got : &s->a_got)[0]++;
		if (r == 0 && !(side ? s->b_end : s->a_end)) {
			(side ? &s->b_end : &s->a_end)[0] = 1;
			if (side == RDT_SIM_B)
				cr_assert_eq(rdt_close(l->end[side], l->now), 0);
		}
	}
}

static void run_scenario(struct scenario *s)
{
	struct rdt_sim l;
	struct rdt_config c = config(RDT_ARQ_SR, 4, 32);

	link_init(&l);
	l.rule = lose_one;
	l.ctx = s;
	link_core(&l, RDT_SIM_A, &c);
	link_core(&l, RDT_SIM_B, &c);
	cr_assert_eq(rdt_listen(l.end[RDT_SIM_B], 77), 0);
	cr_assert_eq(rdt_connect(l.end[RDT_SIM_A], 0xabcdULL << 32 | 1000, 0), 0);
	cr_assert(link_run(&l, 60 * SECOND, rdt_sim_both_established), "victim %d: no connection", s->victim);
	cr_assert_eq(rdt_send(l.end[RDT_SIM_A], "ping", 4, l.now), 4);
	cr_assert_eq(rdt_send(l.end[RDT_SIM_B], "pong", 4, l.now), 4);
	cr_assert_eq(rdt_close(l.end[RDT_SIM_A], l.now), 0);
	if (s->simultaneous)
		cr_assert_eq(rdt_close(l.end[RDT_SIM_B], l.now), 0);
	l.app = ping_pong;
	int closed = link_run(&l, 60 * SECOND, rdt_sim_both_closed);
	char what[64];
	rdt_wire_describe_header(&s->lost, what, sizeof what);
	cr_assert(closed, "victim %d (%s): A %s, B %s", s->victim, s->victim >= 0 ? what : "none",
		  rdt_state_name(rdt_state(l.end[0])), rdt_state_name(rdt_state(l.end[1])));
	cr_assert(rdt_error(l.end[0]) == 0 && rdt_error(l.end[1]) == 0, "victim %d (%s): an error", s->victim, what);
	cr_assert(s->a_got == 1 && s->b_got == 1 && s->a_end && s->b_end, "victim %d (%s): %d %d %d %d", s->victim,
		  what, s->a_got, s->b_got, s->a_end, s->b_end);
	rdt_sim_free(&l);
}

/* Every datagram of a whole connection, lost in turn: SYN, SYN+ACK, the handshake's ACK, data, FINs, the last ACK. */
static void every_single_loss(int simultaneous)
{
	struct scenario clean = { .victim = -1, .simultaneous = simultaneous };

	run_scenario(&clean);
	cr_assert_geq(clean.counted, 9, "a whole connection is at least 9 datagrams, not %d", clean.counted);
	for (int victim = 0; victim < clean.counted; victim++) {
		struct scenario s = { .victim = victim, .simultaneous = simultaneous };
		run_scenario(&s);
		cr_assert_geq(s.counted, clean.counted, "losing one datagram never saves one");
	}
}

Test(rdt_conn, handshake_and_close_survive_each_single_loss) { every_single_loss(0); }

Test(rdt_conn, simultaneous_close_survives_each_single_loss) { every_single_loss(1); }

/* The last ACK lost: TIME_WAIT is there to send it again when the peer's FIN comes again. */
static enum rdt_sim_verdict lose_last_ack(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	int *done = l->ctx;

	(void)index;
	if (from == RDT_SIM_A && h->flags == RDT_ACK && rdt_state(l->end[RDT_SIM_A]) == RDT_TIME_WAIT && !*done)
		return *done = 1, RDT_SIM_DROP;
	return RDT_SIM_PASS;
}

Test(rdt_conn, time_wait_repeats_the_lost_last_ack)
{
	struct rdt_sim l;
	struct rdt_config c = config(RDT_ARQ_GBN, 4, 32);
	int dropped = 0;

	link_init(&l);
	link_open(&l, &c, &c, 5, 9);
	l.rule = lose_last_ack;
	l.ctx = &dropped;
	cr_assert_eq(rdt_close(l.end[RDT_SIM_A], l.now), 0);
	cr_assert(link_run(&l, 60 * SECOND, rdt_sim_idle));
	cr_assert_eq(rdt_state(l.end[RDT_SIM_B]), RDT_CLOSE_WAIT);
	cr_assert_eq(rdt_close(l.end[RDT_SIM_B], l.now), 0); /* A, in FIN_WAIT_2, answers B's FIN from TIME_WAIT */
	cr_assert(link_run(&l, 60 * SECOND, rdt_sim_both_closed));
	cr_assert_eq(dropped, 1, "a last ACK was lost");
	struct rdt_stats a = rdt_sim_stats(&l, RDT_SIM_A), b = rdt_sim_stats(&l, RDT_SIM_B);
	cr_expect_geq(a.duplicates, 1, "A saw B's FIN again");
	cr_expect_geq(b.retransmits_timeout, 1, "B sent its FIN again");
	cr_expect(rdt_error(l.end[RDT_SIM_A]) == 0 && rdt_error(l.end[RDT_SIM_B]) == 0);
	rdt_sim_free(&l);
}

static enum rdt_sim_verdict silence_b(struct rdt_sim *l, int from, unsigned index, const struct rdt_header *h)
{
	(void)l, (void)index, (void)h;
	return from == RDT_SIM_B ? RDT_SIM_DROP : RDT_SIM_PASS;
}

static int a_closed(struct rdt_sim *l) { return rdt_closed(l->end[RDT_SIM_A]); }

Test(rdt_conn, silent_server_times_out)
{
	struct rdt_sim l;
	struct rdt_config c = config(RDT_ARQ_SR, 8, 32);

	link_init(&l);
	l.rule = silence_b;
	link_core(&l, RDT_SIM_A, &c);
	link_core(&l, RDT_SIM_B, &c);
	rdt_listen(l.end[RDT_SIM_B], 1);
	rdt_connect(l.end[RDT_SIM_A], 42, 0);
	cr_assert(link_run(&l, 600 * SECOND, a_closed));
	cr_assert_eq(rdt_error(l.end[RDT_SIM_A]), ETIMEDOUT);
	/* SYNs at 0, 100, 300, 700 ms, 1.5 s, then every second (rto_max): 1 + retries of them. */
	cr_expect_eq(l.sent[RDT_SIM_A], 1 + c.retries);
	cr_expect_eq(l.now, (100 + 200 + 400 + 800 + 1000 * 5) * 1000LL, "gave up at %lld us", l.now);
	size_t len;
	char buf[8];
	cr_expect_eq(rdt_recv(l.end[RDT_SIM_A], buf, sizeof buf, &len, NULL), -1);
	cr_expect_eq(errno, ETIMEDOUT);
	cr_expect_eq(rdt_send(l.end[RDT_SIM_A], "x", 1, l.now), -1);
	cr_expect_eq(errno, ETIMEDOUT);
	rdt_sim_free(&l);
}

Test(rdt_conn, the_server_agrees_to_the_smaller_window_and_the_clients_mode)
{
	struct rdt_sim l;
	struct rdt_config a = config(RDT_ARQ_GBN, 7, 3), b = config(RDT_ARQ_SR, 4, 32);
	struct rdt_stats sa, sb;

	link_init(&l);
	link_open(&l, &a, &b, 6, 3);
	sa = rdt_sim_stats(&l, RDT_SIM_A);
	sb = rdt_sim_stats(&l, RDT_SIM_B);
	cr_expect_eq(sa.window, 4);
	cr_expect_eq(sb.window, 4);
	for (int i = 0; i < 20; i++) /* seqbits=3: numbers go round more than twice */
		cr_assert_eq(rdt_send(l.end[i % 2], &i, sizeof i, l.now), (ssize_t)sizeof i);
	cr_assert(link_run(&l, 60 * SECOND, rdt_sim_idle));
	cr_expect_eq(link_drain(&l, RDT_SIM_A, NULL, 0, NULL), 10);
	cr_expect_eq(link_drain(&l, RDT_SIM_B, NULL, 0, NULL), 10);
	cr_expect_eq(l.events[RDT_SIM_B][RDT_EV_HELD], 0, "Go-Back-N, the client's choice, holds nothing");
	rdt_sim_free(&l);
}

Test(rdt_conn, rst_resets_and_refuses)
{
	struct rdt_sim l;
	struct rdt_config c = config(RDT_ARQ_SR, 4, 32);
	unsigned char buf[64];
	struct rdt_header h = { .flags = RDT_RST, .conn = 0x5eed };

	link_init(&l);
	link_open(&l, &c, &c, 1, 2);
	size_t n = rdt_wire_encode(&(struct rdt_header){ .flags = RDT_RST, .conn = 0x5eee }, buf, sizeof buf);
	cr_expect_eq(rdt_input(l.end[RDT_SIM_B], buf, n, l.now), -1, "an RST of another connection");
	cr_expect_eq(rdt_state(l.end[RDT_SIM_B]), RDT_ESTABLISHED);
	n = rdt_wire_encode(&h, buf, sizeof buf);
	cr_expect_eq(rdt_input(l.end[RDT_SIM_B], buf, n, l.now), 0);
	cr_expect_eq(rdt_error(l.end[RDT_SIM_B]), ECONNRESET);
	rdt_sim_free(&l);

	struct rdt *a = rdt_new(&c, NULL, NULL);
	cr_assert_eq(rdt_connect(a, 0x5eedULL << 32 | 7, 0), 0);
	cr_expect_eq(rdt_connect(a, 1, 0), -1);
	cr_expect_eq(errno, EISCONN);
	cr_expect_eq(rdt_input(a, buf, n, 0), 0);
	cr_expect_eq(rdt_error(a), ECONNREFUSED, "an RST answering a SYN: nobody there");
	rdt_free(a);
}

Test(rdt_conn, api_answers_before_the_handshake)
{
	struct rdt_config c = config(RDT_ARQ_SR, 2, 32);
	unsigned char buf[64];
	size_t len;
	struct rdt *fresh = rdt_new(&c, NULL, NULL);
	cr_expect_eq(rdt_send(fresh, "x", 1, 0), -1);
	cr_expect_eq(errno, ENOTCONN);
	cr_expect_eq(rdt_recv(fresh, buf, sizeof buf, &len, NULL), -1);
	cr_expect_eq(errno, ENOTCONN);
	cr_expect_eq(rdt_close(fresh, 0), -1);
	cr_expect_eq(rdt_output(fresh, 0, buf, sizeof buf), -1, "a buffer smaller than a datagram");
	cr_expect_eq(errno, EINVAL);
	rdt_connect(fresh, 1, 0);
	cr_expect_eq(rdt_send(fresh, "x", 1, 0), -1);
	cr_expect_eq(errno, EAGAIN, "the handshake is not over");
	cr_expect_not(rdt_writable(fresh));
	rdt_free(fresh);
}

Test(rdt_conn, api_answers_once_connected)
{
	struct rdt_sim l;
	struct rdt_config c = config(RDT_ARQ_SR, 2, 32);
	unsigned char big[1401] = { 0 }, buf[64];
	size_t len;
	int trunc = 0;

	c.sndbuf = 1;
	link_init(&l);
	link_open(&l, &c, &c, 1, 2);
	struct rdt *a = l.end[RDT_SIM_A], *b = l.end[RDT_SIM_B];
	cr_expect_eq(rdt_send(a, big, sizeof big, l.now), -1);
	cr_expect_eq(errno, EMSGSIZE);
	for (int i = 0; i < 3; i++) /* window 2 + sndbuf 1 */
		cr_expect_eq(rdt_send(a, "hello", 5, l.now), 5);
	cr_expect_not(rdt_writable(a));
	cr_expect_eq(rdt_send(a, "hello", 5, l.now), -1);
	cr_expect_eq(errno, EAGAIN);
	cr_expect_eq(rdt_send(a, "", 0, l.now), -1, "full is full, even for an empty message");
	cr_assert(link_run(&l, 60 * SECOND, rdt_sim_idle));
	cr_expect(rdt_writable(a));
	cr_expect_eq(rdt_send(a, "", 0, l.now), 0);
	cr_assert(link_run(&l, 60 * SECOND, rdt_sim_idle));
	cr_expect(rdt_readable(b));
	cr_expect_eq(rdt_recv(b, buf, 2, &len, NULL), -1, "too long for 2 bytes, and no truncation asked");
	cr_expect_eq(errno, EMSGSIZE);
	cr_expect_eq(rdt_recv(b, buf, 2, &len, &trunc), 1);
	cr_expect(len == 2 && trunc == 1 && memcmp(buf, "he", 2) == 0);
	cr_expect_eq(rdt_recv(b, buf, sizeof buf, &len, &trunc), 1);
	cr_expect(len == 5 && trunc == 0);
	cr_expect_eq(rdt_recv(b, buf, sizeof buf, &len, &trunc), 1);
	cr_expect_eq(rdt_recv(b, buf, sizeof buf, &len, &trunc), 1, "the empty message");
	cr_expect_eq(len, 0);
	cr_expect_eq(rdt_recv(b, buf, sizeof buf, &len, NULL), -1);
	cr_expect_eq(errno, EAGAIN);
	cr_expect_not(rdt_readable(b));
	cr_expect_eq(rdt_close(a, l.now), 0);
	cr_expect_eq(rdt_close(a, l.now), 0, "twice is once");
	cr_expect_eq(rdt_send(a, "x", 1, l.now), -1);
	cr_expect_eq(errno, EPIPE);
	cr_assert(link_run(&l, 60 * SECOND, rdt_sim_idle));
	cr_expect_eq(rdt_recv(b, buf, sizeof buf, &len, NULL), 0, "the end of the stream");
	cr_expect_eq(rdt_recv(b, buf, sizeof buf, &len, NULL), 0, "and it stays the end");
	cr_expect_eq(rdt_state(b), RDT_CLOSE_WAIT);
	cr_expect_eq(rdt_send(b, "late", 4, l.now), 4, "half-closed: B may still send");
	cr_assert(link_run(&l, 60 * SECOND, rdt_sim_idle));
	cr_expect_eq(link_drain(&l, RDT_SIM_A, NULL, 0, NULL), 1);
	struct rdt_stats s = rdt_sim_stats(&l, RDT_SIM_A);
	cr_expect_eq(s.messages_sent, 4);
	cr_expect_eq(s.bytes_sent, 15);
	rdt_sim_free(&l);
}
