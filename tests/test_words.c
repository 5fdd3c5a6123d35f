/* test_words.c - what socklab says matches what happened: plurals, peers seen (not opened), no blame without evidence. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/helpers.h"

/* One byte is "1 byte": in the trace (each recv cut to one byte by chunk=1) and in the server's totals. */
Test(words, one_byte_is_singular)
{
	struct test_server srv;
	struct run_result r;
	char ep[ENDPOINT_FORMAT_MAX + 16];

	const char *server[] = { "socklab", "echo-server", "tcp://127.0.0.1:0", NULL };
	cr_assert_eq(test_server_start(&srv, server), 0);
	snprintf(ep, sizeof ep, "%s?chunk=1", srv.endpoint);
	const char *client[] = { "socklab", "--trace", "echo-client", ep, "", NULL };
	cr_assert_eq(test_run(client, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, ", 1 byte) = 1\n"), "%s", r.err); /* send(3, 1 byte) = 1: fd 3, or another under valgrind */
	cr_expect_null(strstr(r.err, "1 bytes"), "%s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	char *log = test_server_stderr(&srv);
	cr_expect(strstr(log, "stopped after 1 client, 1 byte in, 1 byte out\n"), "%s", log);
	free(log);
}

/* Over datagrams no client "connects" or "opens": a new peer is seen, and forgotten. */
Test(words, a_datagram_peer_is_seen)
{
	struct test_server srv;
	struct run_result r;

	const char *server[] = { "socklab", "echo-server", "udp://127.0.0.1:0", NULL };
	cr_assert_eq(test_server_start(&srv, server), 0);
	const char *client[] = { "socklab", "echo-client", srv.endpoint, "hi", NULL };
	cr_assert_eq(test_run(client, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	char *log = test_server_stderr(&srv);
	cr_expect(strstr(log, "client 1: a new peer, 127.0.0.1:") && strstr(log, "(its first datagram)"), "%s", log);
	cr_expect(strstr(log, "client 1: forgotten, the server is stopping"), "%s", log);
	cr_expect_null(strstr(log, "opened"), "%s", log);
	cr_expect_null(strstr(log, "connected"), "%s", log);
	free(log);
}

/* send --help: pacing is one remedy, not the only one (bench's credit window is another). */
Test(words, send_help_knows_the_credit_window)
{
	struct run_result r;
	const char *argv[] = { "socklab", "send", "--help", NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect(strstr(r.out, "Pacing is one remedy") && strstr(r.out, "credit window"), "%s", r.out);
	cr_expect_null(strstr(r.out, "only thing"), "%s", r.out);
	test_run_free(&r);
}
