/* test_engine.c - the server engine in-process (a thread running engine_run), over every transport and both pollers. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/io.h"
#include "tests/support/engine_harness.h"

#define MANY 100

TestSuite(engine, .timeout = 60);

ParameterizedTestParameters(engine, roundtrip)
{
	return harness_params(0);
}

/* Two clients, interleaved; one leaves, the other is there when the server stops. */
ParameterizedTest(struct param *p, engine, roundtrip)
{
	const struct transport *t = transport_registry[p->t];
	struct server srv;
	struct sock a, b;
	char buf[8];
	int fds = test_open_fds();

	harness_start(&srv, t, (struct engine_options){ .poller = p->poller }, (struct app){ 0 });
	cr_assert_eq(test_dial(&a, srv.endpoint), 0, "%s: %s", srv.endpoint, strerror(errno));
	cr_assert_eq(test_dial(&b, srv.endpoint), 0);
	cr_expect_eq(test_echo_once(&a, "hello", 5), 0, "%s: first echo", t->scheme);
	cr_expect_eq(test_echo_once(&b, "world!", 6), 0, "%s: second client", t->scheme);
	cr_expect_eq(test_echo_once(&a, "again", 5), 0, "%s: first client again", t->scheme);
	cr_expect_eq(harness_next_event(&srv), 'o');
	cr_expect_eq(harness_next_event(&srv), 'o');
	if (sock_is_connected(&a)) {
		sock_close(&a);
		cr_expect_eq(harness_next_event(&srv), '0' + SESSION_PEER_CLOSED, "%s: a closed connection's session goes on",
			     t->scheme);
	}
	struct engine_stats st = harness_stop(&srv);
	if (sock_is_connected(&b))
		cr_expect_eq(sock_recv(&b, buf, sizeof buf, NULL), 0, "%s: no end of stream after stop", t->scheme);
	cr_expect_eq(st.opened, 2);
	cr_expect_eq(st.closed, 2);
	cr_expect_eq(st.now, 0);
	cr_expect_eq(st.peak, 2);
	cr_expect_eq(st.bytes_in, 16);
	cr_expect_eq(st.bytes_out, 16);
	if (sock_keeps_boundaries(&b))
		cr_expect_eq(st.messages_in, 3, "%s: one message per datagram", t->scheme);
	cr_expect_eq(srv.app.ends[SESSION_STOPPED], sock_is_connected(&b) ? 1 : 2);
	sock_close(&a);
	sock_close(&b);
	cr_expect_eq(test_open_fds(), fds, "%s: descriptors leaked", t->scheme);
}

ParameterizedTestParameters(engine, greeting_and_close)
{
	return harness_params(0);
}

/* on_open may speak first; session_close() after a send still delivers it. */
ParameterizedTest(struct param *p, engine, greeting_and_close)
{
	const struct transport *t = transport_registry[p->t];
	struct server srv;
	struct sock c;
	char buf[8];
	size_t got;

	harness_start(&srv, t, (struct engine_options){ .poller = p->poller }, (struct app){ .greet = 1 });
	cr_assert_eq(test_dial(&c, srv.endpoint), 0);
	cr_assert_eq(sock_set_recv_timeout(&c, TEST_WAIT_S * 1000), 0);
	if (!sock_is_connected(&c))
		cr_assert_eq(sock_send(&c, "x", 1), 1, "a datagram client speaks first");
	cr_expect_eq(sock_recv_exact(&c, buf, 2, &got), 0);
	cr_expect_eq(memcmp(buf, "hi", 2), 0, "%s: no greeting", t->scheme);
	if (!sock_is_connected(&c))
		cr_expect_eq(sock_recv_reply(&c, buf, sizeof buf, NULL), 1);
	cr_expect_eq(test_echo_once(&c, "bye", 3), 0, "%s: the reply queued before session_close was lost", t->scheme);
	cr_expect_eq(harness_next_event(&srv), 'o');
	cr_expect_eq(harness_next_event(&srv), '0' + SESSION_CLOSED);
	if (sock_is_connected(&c))
		cr_expect_eq(sock_recv_reply(&c, buf, sizeof buf, NULL), 0, "%s: no end of stream", t->scheme);
	else {
		/* The next datagram opens a new session, which greets first. */
		cr_expect_eq(sock_send(&c, "more", 4), 4);
		cr_expect_eq(sock_recv_reply(&c, buf, sizeof buf, NULL), 2, "%s: no second greeting", t->scheme);
		cr_expect_eq(sock_recv_reply(&c, buf, sizeof buf, NULL), 4, "%s: no echo in the new session", t->scheme);
		cr_expect_eq(harness_next_event(&srv), 'o');
	}
	harness_stop(&srv);
	sock_close(&c);
}

ParameterizedTestParameters(engine, datagram_idle)
{
	return harness_params(1);
}

/* A datagram peer never says goodbye: its session ends after idle_ms, and its next datagram opens another. */
ParameterizedTest(struct param *p, engine, datagram_idle)
{
	struct server srv;
	struct sock c;

	struct engine_options opt = { .poller = p->poller, .idle_ms = 50 };
	harness_start(&srv, transport_registry[p->t], opt, (struct app){ 0 });
	cr_assert_eq(test_dial(&c, srv.endpoint), 0);
	cr_expect_eq(test_echo_once(&c, "ping", 4), 0);
	cr_expect_eq(harness_next_event(&srv), 'o');
	cr_expect_eq(harness_next_event(&srv), '0' + SESSION_IDLE);
	cr_expect_eq(test_echo_once(&c, "ping", 4), 0);
	cr_expect_eq(harness_next_event(&srv), 'o');
	struct engine_stats st = harness_stop(&srv);
	cr_expect_eq(st.opened, 2);
	cr_expect_eq(srv.app.ends[SESSION_IDLE], 1);
	sock_close(&c);
}

ParameterizedTestParameters(engine, many_at_once)
{
	return harness_params(0);
}

/* MANY clients open at the same time: each gets its own session and its own replies. */
ParameterizedTest(struct param *p, engine, many_at_once)
{
	const struct transport *t = transport_registry[p->t];
	struct server srv;
	static struct sock c[MANY];
	char msg[32];

	harness_start(&srv, t, (struct engine_options){ .poller = p->poller }, (struct app){ 0 });
	for (int i = 0; i < MANY; i++)
		cr_assert_eq(test_dial(&c[i], srv.endpoint), 0, "%s: client %d: %s", t->scheme, i, strerror(errno));
	for (int i = 0; i < MANY; i++) {
		int n = snprintf(msg, sizeof msg, "client %d", i);
		cr_expect_eq(test_echo_once(&c[i], msg, (size_t)n), 0, "%s: client %d", t->scheme, i);
	}
	for (int i = 0; i < MANY; i++)
		cr_expect_eq(harness_next_event(&srv), 'o');
	struct engine_stats st = harness_stop(&srv);
	cr_expect_eq(st.peak, MANY, "%s: %zu sessions at once", t->scheme, st.peak);
	cr_expect_eq(srv.app.ends[SESSION_STOPPED], MANY);
	for (int i = 0; i < MANY; i++)
		sock_close(&c[i]);
}

ParameterizedTestParameters(engine, end_of_stream_flushes)
{
	return harness_params(0);
}

/*
 * A client half-closes while the server still has a large reply queued: the
 * whole reply arrives before the server's end of stream (connected), or as
 * one message (datagram, where a shutdown does not exist).
 */
ParameterizedTest(struct param *p, engine, end_of_stream_flushes)
{
	const struct transport *t = transport_registry[p->t];
	size_t big = transport_keeps_boundaries(t) ? 60000 : 16u << 20, got = 0;
	struct engine_options opt = { .poller = p->poller, .out_limit = 64u << 20 }; /* never pause reading */
	unsigned char *want = malloc(big), *in = malloc(big + 1);
	struct server srv;
	struct sock c;

	cr_assert(want && in);
	test_fill_random(want, big, 5);
	harness_start(&srv, t, opt, (struct app){ .amplify = big });
	cr_assert_eq(test_dial(&c, srv.endpoint), 0);
	cr_assert_eq(sock_set_recv_timeout(&c, TEST_WAIT_S * 1000), 0);
	cr_assert_eq(sock_send(&c, "x", 1), 1);
	if (sock_is_connected(&c))
		cr_assert_eq(sock_shutdown(&c, SHUT_WR), 0, "%s: %s", t->scheme, strerror(errno));
	/* Connected: read to the end of the stream. Datagram: the one reply. */
	for (;;) {
		ssize_t n = sock_recv_reply(&c, in + got, big + 1 - got, NULL);
		cr_assert_geq(n, 0, "%s: after %zu bytes: %s", t->scheme, got, strerror(errno));
		got += (size_t)n;
		if (n == 0 || !sock_is_connected(&c) || got > big)
			break;
	}
	cr_expect(got == big && memcmp(in, want, big) == 0, "%s: %zu of %zu bytes", t->scheme, got, big);
	harness_stop(&srv);
	sock_close(&c);
	free(want);
	free(in);
}
