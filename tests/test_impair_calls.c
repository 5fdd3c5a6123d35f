/* test_impair_calls.c - the impairment layer call by call (chunk, delay, a held datagram), and against real peers. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "core/sys/sys.h"
#include "tests/support/helpers.h"

/* The server's receive: recv on a connection; recvfrom on a datagram socket, which has no peer of its own. */
static ssize_t server_recv(struct sock *s, void *buf, size_t len)
{
	struct addr from;

	return sock_is_connected(s) ? sock_recv(s, buf, len, NULL) : sock_recvfrom(s, buf, len, &from, NULL);
}

/* A plain server for t in dir and a client with ?options; on a connection, the accepted socket in *acc. */
static struct sock *pair(const struct transport *t, const char *dir, const char *srv_opt, const char *cli_opt,
			 struct sock *srv, struct sock *cli, struct sock *acc)
{
	char text[512], why[256];
	struct endpoint ep;
	struct addr a;
	int gai;

	sock_init(acc);
	test_server_endpoint(t, dir, "pair", text, sizeof text);
	if (srv_opt)
		snprintf(text + strlen(text), sizeof text - strlen(text), "?%s", srv_opt);
	cr_assert_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why), 0, "%s", why);
	cr_assert_eq(sock_listen_endpoint(srv, &ep, 4, &gai), 0, "%s: %s", text, strerror(errno));
	cr_assert_eq(sock_getname(srv, &a), 0);
	endpoint_format(t, &a, text, sizeof text);
	if (cli_opt)
		snprintf(text + strlen(text), sizeof text - strlen(text), "?%s", cli_opt);
	cr_assert_eq(test_dial(cli, text), 0, "%s: %s", text, strerror(errno));
	if (!sock_is_connected(srv))
		return srv;
	cr_assert(test_readable(srv->fd));
	cr_assert_eq(sock_accept(srv, acc), 0);
	return acc;
}

ParameterizedTestParameters(impair_calls, chunk_per_call)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* chunk=3 on both ends: on a stream no send or recv moves more than 3 bytes, and all 100 arrive; a message is never cut. */
ParameterizedTest(size_t *i, impair_calls, chunk_per_call)
{
	const struct transport *t = transport_registry[*i];
	struct sock srv, cli, acc;
	char dir[64], msg[100], got[200];
	size_t have = 0;

	for (size_t k = 0; k < sizeof msg; k++)
		msg[k] = (char)('a' + k % 26);
	test_tmpdir(dir, sizeof dir);
	struct sock *s = pair(t, dir, "chunk=3", "chunk=3", &srv, &cli, &acc);
	ssize_t n = sock_send(&cli, msg, sizeof msg);
	cr_assert_gt(n, 0, "%s: %s", t->scheme, strerror(errno));
	cr_expect_eq((size_t)n, sock_keeps_boundaries(&cli) ? sizeof msg : 3, "%s: send took %zd", t->scheme, n);
	if ((size_t)n < sizeof msg)
		cr_assert_eq(sock_send_all(&cli, msg + n, sizeof msg - (size_t)n), (ssize_t)(sizeof msg - (size_t)n));
	while (have < sizeof msg && test_readable(s->fd)) {
		ssize_t k = server_recv(s, got + have, sizeof got - have);
		cr_assert_gt(k, 0, "%s: recv: %s", t->scheme, strerror(errno));
		if (!sock_keeps_boundaries(s))
			cr_expect_leq(k, 3, "%s: recv returned %zd bytes through chunk=3", t->scheme, k);
		have += (size_t)k;
	}
	cr_expect(have == sizeof msg && memcmp(got, msg, sizeof msg) == 0, "%s: %zu bytes came back", t->scheme, have);
	sock_close(&cli), sock_close(&acc), sock_close(&srv);
	test_rmdir(dir);
}

ParameterizedTestParameters(impair_calls, delay_holds_the_sender)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* delay=40: a send returns no sooner than 40 ms later (a lower bound, never an upper one). */
ParameterizedTest(size_t *i, impair_calls, delay_holds_the_sender)
{
	const struct transport *t = transport_registry[*i];
	struct sock srv, cli, acc;
	char dir[64], buf[8];

	if (transport_in_user_space(t)) { /* the sender beneath is socklab's protocol thread: refused, and why */
		char text[128], why[256];
		struct endpoint ep;
		snprintf(text, sizeof text, "%s://127.0.0.1:9?delay=40", t->scheme);
		cr_expect_eq(endpoint_parse(text, ENDPOINT_CLIENT, &ep, why, sizeof why), -1, "%s", text);
		cr_expect(strstr(why, "delay= is refused on rdt"), "%s", why);
		return;
	}
	test_tmpdir(dir, sizeof dir);
	struct sock *s = pair(t, dir, NULL, "delay=40", &srv, &cli, &acc);
	long long start = sys_now_ms();
	cr_assert_eq(sock_send(&cli, "late", 4), 4);
	cr_expect_geq(sys_now_ms() - start, 40, "%s", t->scheme);
	cr_assert(test_readable(s->fd));
	cr_expect_gt(server_recv(s, buf, sizeof buf), 0);
	sock_close(&cli), sock_close(&acc), sock_close(&srv);
	test_rmdir(dir);
}

/* reorder=1 holds every datagram: the next send lets it out behind the new one; close lets out the last. */
Test(impair_calls, held_datagram_goes_late_never_lost)
{
	const struct transport *t = transport_find("udp", 3);
	struct sock srv, cli, acc;
	char dir[64], buf[8];

	test_tmpdir(dir, sizeof dir);
	pair(t, dir, NULL, "reorder=1", &srv, &cli, &acc);
	cr_assert_eq(sock_send(&cli, "1", 1), 1);
	cr_expect_eq(sys_wait(srv.fd, 0, 0), 0, "a held datagram was sent at once");
	cr_assert_eq(sock_send(&cli, "2", 1), 1);
	cr_assert(test_readable(srv.fd));
	cr_assert_eq(server_recv(&srv, buf, sizeof buf), 1);
	cr_expect_eq(buf[0], '2', "the second datagram should overtake the first");
	cr_assert_eq(server_recv(&srv, buf, sizeof buf), 1);
	cr_expect_eq(buf[0], '1');
	cr_assert_eq(sock_send(&cli, "3", 1), 1);
	cr_expect_eq(sys_wait(srv.fd, 0, 0), 0);
	sock_close(&cli);
	cr_assert(test_readable(srv.fd), "close lost the held datagram");
	cr_assert_eq(server_recv(&srv, buf, sizeof buf), 1);
	cr_expect_eq(buf[0], '3');
	sock_close(&srv);
	test_rmdir(dir);
}

/* A Python peer (a client socklab did not write) talks to an impaired echo-server and checks what came back. */
static void python_against(const char *endpoint, const char *script, const char *expect)
{
	struct test_server srv;
	struct run_result r;
	const char *server[] = { "socklab", "echo-server", "--quiet", endpoint, NULL };

	cr_assert_eq(test_server_start(&srv, server), 0, "%s: echo-server did not start", endpoint);
	const char *port = strrchr(srv.endpoint, ':') + 1;
	const char *argv[] = { "python3", "-c", script, port, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: %s%s", endpoint, r.out, r.err);
	cr_expect_str_eq(r.out, expect, "%s: %s", endpoint, r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
}

/* dup=1 on the server: every reply a Python UDP client gets comes twice, and nothing else changes. */
Test(impair_calls, python_udp_client_sees_every_reply_twice)
{
	static const char script[] =
		"import socket, sys, collections\n"
		"s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
		"s.settimeout(10)\n"
		"for i in range(20):\n"
		"    s.sendto(b'm%d' % i, ('127.0.0.1', int(sys.argv[1])))\n"
		"got = collections.Counter(s.recv(100) for _ in range(40))\n"
		"assert got == collections.Counter({b'm%d' % i: 2 for i in range(20)}), got\n"
		"print('ok', sum(got.values()))\n";

	python_against("udp://127.0.0.1:0?dup=1", script, "ok 40\n");
}

/* chunk and delay on a TCP server: a Python client still gets every byte back, in order. */
Test(impair_calls, python_tcp_client_gets_every_byte)
{
	static const char script[] =
		"import os, socket, sys\n"
		"data = os.urandom(5000)\n"
		"s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)\n"
		"s.sendall(data)\n"
		"s.shutdown(socket.SHUT_WR)\n"
		"back = b''\n"
		"while True:\n"
		"    b = s.recv(65536)\n"
		"    if not b: break\n"
		"    back += b\n"
		"assert back == data, (len(back), len(data))\n"
		"print('ok', len(back))\n";

	python_against("tcp://127.0.0.1:0?chunk=100&delay=1", script, "ok 5000\n");
}
