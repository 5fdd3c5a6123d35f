/* test_impair_hold.c - what the impairment layer holds it delivers or counts, and its waits end when the process is told to stop. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "transports/impair/impair.h"
#include "tests/support/helpers.h"

TestSuite(impair_hold, .timeout = 60);

/* Reads every datagram waiting on fd now. */
static int drain(int fd)
{
	char buf[64];
	int n = 0;

	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/*
 * Dials rx and puts the impairment layer with options on the client by hand,
 * as impair_attach() would. Endpoints refuse reorder= on unix datagrams (they
 * never reorder, so a lesson would be fiction); the mechanism is tested on
 * them all the same, since only a unix receiver's full queue makes the kernel
 * say EAGAIN to a datagram sender, on demand.
 */
static void dial_impaired(struct sock *s, const char *rx, const char *options)
{
	struct impair_params p;
	char why[160];

	cr_assert_eq(test_dial(s, rx), 0, "%s", strerror(errno));
	cr_assert_eq(impair_parse(options, &p, why, sizeof why), 0, "%s", why);
	struct impair *im = impair_new(s->t, &p, p.seed);
	cr_assert_not_null(im);
	s->impair = im;
	s->t = &im->table;
}

/*
 * reorder=1 holds every other datagram back until the next one overtakes
 * it. A receiver that does not read fills up; when its queue has room for
 * the overtaking datagram and not for the held one, the held one must stay
 * held (and go once there is room), never vanish. Every send() that said
 * "sent" is a datagram that arrives, or one the layer counts as lost.
 */
Test(impair_hold, held_datagram_survives_a_full_receiver)
{
	char dir[64], rx[160];
	struct sock s, r;

	test_tmpdir(dir, sizeof dir);
	snprintf(rx, sizeof rx, "unixgram:%s/rx.sock", dir);
	struct endpoint e;
	char why[128];
	int gai;
	cr_assert(endpoint_parse(rx, ENDPOINT_SERVER, &e, why, sizeof why) == 0 && sock_listen_endpoint(&r, &e, 0, &gai) == 0);
	dial_impaired(&s, rx, "reorder=1&seed=3");
	cr_assert_eq(sock_set_nonblocking(&s), 0);
	int sent = 0;
	while (sent < 10000 && sock_send(&s, "datagram", 8) == 8)
		sent++;
	cr_assert(errno == EAGAIN || errno == EWOULDBLOCK, "%s", strerror(errno));
	const struct impair_counts *c = impair_counts_of(&s);
	cr_assert_not_null(c);
	cr_expect_gt(c->held, 0);
	int got = drain(r.fd);
	unsigned long long held_lost = c->held_lost, still_held = s.impair->held.buf != NULL;
	cr_expect_eq(c->held, c->late + held_lost + still_held, "held %llu, late %llu, lost %llu, holding %llu", c->held,
		     c->late, held_lost, still_held);
	sock_close(&s); /* the one still held goes out now: there is room again */
	got += drain(r.fd);
	cr_expect_eq((unsigned long long)got + held_lost, (unsigned long long)sent,
		     "%d sends succeeded, %d datagrams arrived, %llu counted lost", sent, got, held_lost);
	cr_expect_eq(held_lost, 0, "nothing had to be lost: the receiver only needed to read");
	sock_close(&r);
	test_rmdir(dir);
}

/* A datagram held for a peer that is gone cannot go: it is counted, not silently freed. */
Test(impair_hold, held_for_a_vanished_peer_is_counted)
{
	char dir[64], rx[160], why[128];
	struct endpoint e;
	struct sock s, r;
	int gai;

	test_tmpdir(dir, sizeof dir);
	snprintf(rx, sizeof rx, "unixgram:%s/rx.sock", dir);
	cr_assert(endpoint_parse(rx, ENDPOINT_SERVER, &e, why, sizeof why) == 0 && sock_listen_endpoint(&r, &e, 0, &gai) == 0);
	dial_impaired(&s, rx, "reorder=1&seed=3");
	cr_assert_eq(sock_send(&s, "one", 3), 3); /* held */
	cr_assert_eq(s.impair->counts.held, 1);
	sock_close(&r); /* the receiver goes, and its file */
	/* About to wait for data: the held datagram's chance to go. There is nobody: it is counted, not forgotten. */
	char b[8];
	cr_assert_eq(sock_set_nonblocking(&s), 0);
	cr_expect_eq(sock_recv(&s, b, sizeof b, NULL), -1);
	cr_expect_eq(s.impair->counts.held_lost, 1);
	cr_expect_null(s.impair->held.buf);
	sock_close(&s);
	test_rmdir(dir);
}

ParameterizedTestParameters(impair_hold, stop_signal_ends_delay)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * An echo server whose every send waits delay=1500 ms, with replies for five
 * messages to send: stopping it must not take 7.5 s. A stop signal ends the
 * wait, and what is left goes out at once.
 */
ParameterizedTest(size_t *i, impair_hold, stop_signal_ends_delay)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[200];
	struct test_server srv;
	struct sock c;

	if (transport_in_user_space(t))
		cr_skip_test("%s refuses delay= (tests/test_impair_calls.c): it would hold its protocol thread", t->scheme);
	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "slow", ep, sizeof ep);
	strcat(ep, "?delay=1500&chunk=8"); /* chunk: on a stream, each message is read, and answered, on its own */
	const char *argv[] = { "socklab", "echo-server", "--quiet", ep, NULL };
	cr_assert_eq(test_server_start(&srv, argv), 0);
	cr_assert_eq(test_dial(&c, srv.endpoint), 0);
	for (int k = 0; k < 5; k++)
		cr_assert_eq(sock_send_all(&c, "12345678", 8), 8);
	/* The first echo, 1.5 s late: the server is now waiting to send the second. */
	cr_assert(test_readable(c.fd), "%s: no echo", t->scheme);
	long long t0 = sys_now_ms();
	int rc = test_server_stop(&srv, SIGTERM);
	long long took = sys_now_ms() - t0;
	cr_expect_eq(rc, 0, "%s: exit %d", t->scheme, rc);
	cr_expect_lt(took, 1400, "%s: stopping took %lld ms: the delays held it up", t->scheme, took);
	sock_close(&c);
	test_rmdir(dir);
}
