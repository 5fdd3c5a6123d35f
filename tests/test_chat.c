/* test_chat.c - the tutorial's chat: its protocol, over every transport, many at once, and with the tutorial's own Python peers. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demos/chat/chat_proto.h"
#include "core/errors.h"
#include "core/io.h"
#include "tests/support/helpers.h"

#define SEED 7
#define MANY 20 /* chats open at once */

ParameterizedTestParameters(chat, conversation) { return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count()); }
ParameterizedTestParameters(chat, many_at_once) { return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count()); }

/* The n-th letter (from 1) the server seeded with SEED gives session `session`. */
static char letter(unsigned long session, int n)
{
	uint64_t st = chat_seed(SEED, session);
	char c = 0;
	while (n-- > 0)
		c = chat_letter(&st);
	return c;
}

static void start_server(struct test_server *srv, const struct transport *t, const char *dir, const char *options)
{
	char ep[256], seed[16];

	test_server_endpoint(t, dir, "chat", ep, sizeof ep);
	if (options) {
		strncat(ep, options, sizeof ep - strlen(ep) - 1);
	}
	snprintf(seed, sizeof seed, "%d", SEED);
	const char *argv[] = { "socklab", "chat-server", "--seed", seed, ep, NULL };
	cr_assert_eq(test_server_start(srv, argv), 0, "%s: chat-server did not start", t->scheme);
}

/* The whole conversation of the CLI client, exactly, on each transport: greeting, letters, the end. */
ParameterizedTest(size_t *i, chat, conversation)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], expect[1024], *log;
	struct test_server srv;
	struct run_result r;
	const char input[] = "hello\n\nworld\r\nstop\n"; /* the empty line is skipped; "\r\n" is a line end */

	test_tmpdir(dir, sizeof dir);
	start_server(&srv, t, dir, NULL);
	const char *argv[] = { "socklab", "chat-client", srv.endpoint, NULL };
	cr_assert_eq(test_run(argv, input, sizeof input - 1, &r), 0);
	int connected = transport_is_connected(t);
	if (connected)
		snprintf(expect, sizeof expect, "connected to %s\n", srv.endpoint);
	else
		snprintf(expect, sizeof expect,
			 "%s has no connections: the server cannot greet a client it has never heard from,\n"
			 "so this client speaks first, with an empty datagram, and the greeting is the answer\n",
			 t->scheme);
	snprintf(expect + strlen(expect), sizeof expect - strlen(expect), "type the message\nserver: %c\nserver: %c\n%s\n",
		 letter(1, 1), letter(1, 2),
		 connected ? "the server closed the connection"
			   : "stop sent: there is no connection to close; the server simply forgets this client");
	cr_expect_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect_str_eq(r.out, expect, "%s", t->scheme);
	cr_expect_str_eq(r.err, "", "%s", t->scheme);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	log = test_server_stderr(&srv);
	snprintf(expect, sizeof expect, "client 1: 'world' -> '%c'\nclient 1: 'stop': ", letter(1, 2));
	cr_expect(strstr(log, expect), "%s: server log:\n%s", t->scheme, log);
	cr_expect(strstr(log, connected ? "connected from" : "a new peer, "), "%s", log);
	free(log);
	test_rmdir(dir);
}

/* MANY clients in one chat each, all open at once, their messages interleaved; every letter checked. */
ParameterizedTest(size_t *i, chat, many_at_once)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], buf[CHAT_RECV_MAX];
	struct test_server srv;
	struct sock c[MANY];
	size_t got;

	test_tmpdir(dir, sizeof dir);
	start_server(&srv, t, dir, NULL);
	/* One after the other, so that client k is the server's session k + 1. */
	for (int k = 0; k < MANY; k++) {
		cr_assert_eq(test_dial(&c[k], srv.endpoint), 0, "%s: dial: %s", t->scheme, strerror(errno));
		cr_assert_eq(sock_set_recv_timeout(&c[k], TEST_WAIT_S * 1000), 0);
		if (!transport_is_connected(t))
			cr_assert_eq(sock_send(&c[k], "", 0), 0, "the opening datagram");
		cr_assert_eq(sock_recv_exact(&c[k], buf, sizeof CHAT_GREETING - 1, &got), 0, "%s: greeting %d", t->scheme, k);
		cr_assert(memcmp(buf, CHAT_GREETING, got) == 0);
	}
	for (int round = 1; round <= 3; round++) {
		for (int k = 0; k < MANY; k++) {
			snprintf(buf, sizeof buf, "client %d, round %d", k, round);
			cr_assert_eq(sock_send_all(&c[k], buf, strlen(buf)), (ssize_t)strlen(buf));
		}
		for (int k = 0; k < MANY; k++) {
			cr_assert_eq(sock_recv_exact(&c[k], buf, 1, &got), 0, "%s: client %d round %d", t->scheme, k, round);
			cr_expect_eq(buf[0], letter((unsigned long)k + 1, round), "%s: client %d round %d", t->scheme, k, round);
		}
	}
	for (int k = 0; k < MANY; k++) {
		cr_assert_eq(sock_send_all(&c[k], "stop", 4), 4);
		if (transport_is_connected(t)) /* the server closes: end of stream, or an empty message on seqpacket */
			cr_expect_eq(sock_recv_reply(&c[k], buf, sizeof buf, NULL), 0, "%s: client %d not closed", t->scheme, k);
		sock_close(&c[k]);
	}
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	char *log = test_server_stderr(&srv);
	cr_expect(strstr(log, "stopped after 20 chats"), "%s", log);
	free(log);
	test_rmdir(dir);
}

/* socklab's client against the tutorial's own server (Python), over TCP as the tutorial has it. */
Test(chat, client_with_the_tutorial_server)
{
	struct test_peer py;
	char line[256], ep[256];
	struct run_result r;

	const char *argv[] = { "python3", "tests/support/tutorial_peer.py", "server", "0", "--seed", "1", NULL };
	cr_assert_eq(test_peer_start(&py, argv), 0);
	cr_assert_eq(test_peer_wait_line(&py, 1, "listening on ", line, sizeof line), 0, "python: %s", py.errbuf);
	snprintf(ep, sizeof ep, "%s", line + strlen("listening on "));
	const char *client[] = { "socklab", "chat-client", ep, NULL };
	cr_assert_eq(test_run(client, "hello\nworld\nstop\n", 17, &r), 0);
	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	char a, b;
	cr_expect_eq(sscanf(r.out, "connected to tcp://127.0.0.1:%*u\ntype the message\nserver: %c\nserver: %c\n", &a, &b), 2,
		     "%s", r.out);
	cr_expect(strstr(r.out, "\nthe server closed the connection\n"), "%s", r.out);
	test_run_free(&r);
	cr_expect_eq(test_peer_wait_exit(&py), 0, "python: %s", py.errbuf);
	cr_expect(strstr(py.outbuf, "SERVER CONNECTED TO CLIENT\nCLIENT MESSAGE: : hello\nCLIENT MESSAGE: : world\n"), "%s",
		  py.outbuf);
	cr_expect(!strstr(py.outbuf, "stop") && !strstr(py.outbuf, "CLOSED"), "'stop' ended it: %s", py.outbuf);
	test_peer_free(&py);
}

/* The tutorial's own client (Python) against socklab's server: byte for byte what it expects. */
Test(chat, server_with_the_tutorial_client)
{
	struct test_server srv;
	struct test_peer py;
	char port[8], expect[256];

	start_server(&srv, transport_find("tcp", 3), NULL, NULL);
	snprintf(port, sizeof port, "%s", strrchr(srv.endpoint, ':') + 1);
	const char *argv[] = { "python3", "tests/support/tutorial_peer.py", "client", port, NULL };
	cr_assert_eq(test_peer_start(&py, argv), 0);
	cr_assert_eq(test_peer_write(&py, "hello\nworld\nstop\n", 17), 0);
	test_peer_close_input(&py);
	cr_expect_eq(test_peer_wait_exit(&py), 0, "python: %s", py.errbuf);
	snprintf(expect, sizeof expect, "CLIENT CONNECTED TO SERVER\ntype the message\nSERVER: %c\nSERVER: %c\n", letter(1, 1),
		 letter(1, 2));
	cr_expect_str_eq(py.outbuf, expect);
	cr_expect_str_eq(py.errbuf, "");
	test_peer_free(&py);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
}

/* A stream gives no boundaries: with each server recv cut to one byte, it still answers whole messages. */
Test(chat, server_reads_a_message_in_pieces)
{
	struct test_server srv;
	struct run_result r;
	char why[256], expect[256];
	struct endpoint ep;

	if (endpoint_parse("tcp://127.0.0.1:1?chunk=1", ENDPOINT_SERVER, &ep, why, sizeof why) < 0)
		cr_skip_test("no impairment layer here (%s)", why);
	start_server(&srv, transport_find("tcp", 3), NULL, "?chunk=1");
	const char *argv[] = { "socklab", "chat-client", srv.endpoint, NULL };
	cr_assert_eq(test_run(argv, "hello there\nstop\n", 17, &r), 0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	snprintf(expect, sizeof expect, "type the message\nserver: %c\n", letter(1, 1));
	cr_expect(strstr(r.out, expect), "%s", r.out);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	char *log = test_server_stderr(&srv);
	cr_expect(strstr(log, "'hello there' -> "), "%s", log);
	free(log);
}

Test(chat, no_server)
{
	struct run_result r;
	const char *tcp[] = { "socklab", "chat-client", "tcp://127.0.0.1:1", NULL };
	const char *udp[] = { "socklab", "chat-client", "--timeout", "0.2", "udp://127.0.0.1:9", NULL };
	const char *usage[] = { "socklab", "chat-client", NULL };

	cr_assert_eq(test_run(tcp, "stop\n", 5, &r), 0);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "connection refused (is a server listening?)\n"), "%s", r.err);
	test_run_free(&r);
	cr_assert_eq(test_run(udp, "stop\n", 5, &r), 0);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "socklab: chat-client: the greeting from udp://127.0.0.1:9: no reply within the timeout"),
		  "%s", r.err);
	test_run_free(&r);
	cr_assert_eq(test_run(usage, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "socklab: chat-client: missing ENDPOINT (see 'socklab chat-client --help')\n");
	test_run_free(&r);
}

Test(chat_protocol, stop_and_greeting)
{
	cr_expect(chat_is_stop("stop", 4));
	cr_expect(chat_is_stop("stop\n", 5));
	cr_expect(chat_is_stop("stop\r\n", 6));
	cr_expect(!chat_is_stop("sto", 3));
	cr_expect(!chat_is_stop("stops", 5));
	cr_expect(!chat_is_stop("Stop", 4));
	cr_expect(!chat_is_stop("stop\n\n", 6));
	cr_expect(!chat_is_stop("stop\r", 5));
	cr_expect(!chat_is_stop("", 0));
	cr_expect_eq(chat_check_greeting("", 0), CHAT_GREETING_PARTIAL);
	cr_expect_eq(chat_check_greeting("type the", 8), CHAT_GREETING_PARTIAL);
	cr_expect_eq(chat_check_greeting("type the message", 16), CHAT_GREETING_WHOLE);
	cr_expect_eq(chat_check_greeting("type the message!", 17), CHAT_GREETING_OTHER);
	cr_expect_eq(chat_check_greeting("hello", 5), CHAT_GREETING_OTHER);
}

Test(chat_protocol, letters)
{
	uint64_t a = chat_seed(1, 1), b = chat_seed(1, 1), c = chat_seed(1, 2);
	int same = 0, seen[128] = { 0 };

	for (int i = 0; i < 10000; i++) {
		char x = chat_letter(&a), y = chat_letter(&b), z = chat_letter(&c);
		cr_assert((x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z'), "%d", x);
		cr_assert_eq(x, y, "the same seed gives the same letters");
		same += x == z;
		seen[(int)x]++;
	}
	cr_expect_lt(same, 1000, "two sessions should not share their letters");
	for (char l = 'a'; l <= 'z'; l++)
		cr_expect(seen[(int)l] > 0 && seen[l - 'a' + 'A'] > 0, "letter %c never drawn", l);
}

Test(chat_protocol, printable)
{
	char out[16];

	cr_expect_str_eq(chat_printable("hello", 5, out, sizeof out), "hello");
	cr_expect_str_eq(chat_printable("a\nb\0c\\", 6, out, sizeof out), "a\\nb\\x00c\\\\");
	cr_expect_str_eq(chat_printable("\r\t\xff", 3, out, sizeof out), "\\r\\t\\xff");
	cr_expect_str_eq(chat_printable("0123456789abcdefghij", 20, out, sizeof out), "0123456789ab...");
	cr_expect_str_eq(chat_printable("0123456789abcde", 15, out, sizeof out), "0123456789abcde");
	cr_expect_str_eq(chat_printable("\x01\x01\x01\x01", 4, out, sizeof out), "\\x01\\x01\\x01...");
	cr_expect_str_eq(chat_printable("abcdef", 6, out, 4), "...");
	cr_expect_str_eq(chat_printable("abcdef", 6, out, 1), "");
}
