/* test_interop.c - socklab against peers it did not write: socat, nc, ncat and Python's socket modules, both ways. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/helpers.h"

TestSuite(interop, .timeout = 60);

/* The Python peers, next to this file; the tests run from the top of the tree. */
#define PEERS "tests/support/interop_peers.py"

/* What socat calls each transport: its server address (PIPE echoes) and its client address. */
static const struct socat_form {
	const char *scheme;
	const char *server, *client; /* %s: "127.0.0.1:PORT" or a path */
	int datagram;                /* no connection: the server reports "receiving on", the client needs a name */
} socat_forms[] = {
	{ "tcp", "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork", "TCP:%s", 0 },
	{ "udp", "UDP-RECVFROM:0,bind=127.0.0.1,fork", "UDP:%s", 1 },
	{ "unix", "UNIX-LISTEN:%s,fork", "UNIX-CONNECT:%s", 0 },
	{ "unixgram", "UNIX-RECVFROM:%s,fork", "UNIX-SENDTO:%s,bind=%s/client.sock", 1 },
	{ "unixpacket", "UNIX-LISTEN:%s,type=5,fork", "UNIX-CONNECT:%s,type=5", 0 },
};

static const struct socat_form *socat_form(const struct transport *t)
{
	for (size_t i = 0; i < sizeof socat_forms / sizeof socat_forms[0]; i++)
		if (strcmp(socat_forms[i].scheme, t->scheme) == 0)
			return &socat_forms[i];
	cr_skip_test("socat has no form for %s", t->scheme);
	return NULL;
}

/* Runs socklab echo-client at ep with two messages and checks both echoes. */
static void expect_echo_client(const struct transport *t, const char *ep, const char *peer)
{
	struct run_result r;
	const char *argv[] = { "socklab", "echo-client", ep, "hello", "binary\x01\x7f\xff", NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s, against %s: exit %d: %s", t->scheme, peer, r.status, r.err);
	cr_expect_str_eq(r.out, "hello\nbinary\x01\x7f\xff\n", "%s, against %s", t->scheme, peer);
	test_run_free(&r);
}

ParameterizedTestParameters(interop, client_vs_socat)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* socklab echo-client against socat's PIPE: whatever socat reads, it writes back. */
ParameterizedTest(size_t *i, interop, client_vs_socat)
{
	const struct transport *t = transport_registry[*i];
	const struct socat_form *f = socat_form(t);
	char dir[64], path[128], addr[256], ep[256];
	struct test_peer peer;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/socat.sock", dir);
	snprintf(addr, sizeof addr, f->server, path);
	const char *argv[] = { "socat", "-d", "-d", addr, "PIPE", NULL };
	cr_assert_eq(test_peer_start(&peer, argv), 0);
	/* socat says when it is ready: "listening on AF=2 127.0.0.1:40211", or "receiving on" for datagrams. */
	char ready[512];
	cr_assert_eq(test_peer_wait_line(&peer, 2, f->datagram ? " receiving on " : " listening on ", ready, sizeof ready), 0,
		     "socat did not get ready:\n%s", peer.errbuf);
	if (transport_has_socket_file(t)) {
		snprintf(ep, sizeof ep, "%s:%s", t->scheme, path);
	} else {
		/* The port: from the log for TCP; UDP-RECVFROM logs port 0, so from the kernel's table. */
		unsigned port = f->datagram ? test_udp_port_of(peer.pid) : (unsigned)atoi(strrchr(ready, ':') + 1);
		cr_assert_gt(port, 0, "no port for socat: %s", ready);
		snprintf(ep, sizeof ep, "%s://127.0.0.1:%u", t->scheme, port);
	}
	expect_echo_client(t, ep, "socat");
	test_peer_stop(&peer, SIGTERM);
	test_peer_free(&peer);
	test_rmdir(dir);
}

ParameterizedTestParameters(interop, client_vs_python)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* socklab echo-client against an echo server built on Python's socketserver. */
ParameterizedTest(size_t *i, interop, client_vs_python)
{
	const struct transport *t = transport_registry[*i];
	if (transport_in_user_space(t))
		cr_skip_test("%s is socklab's own protocol: Python's socket module has no peer for it", t->scheme);
	struct test_server srv;
	char dir[64], ep[256];

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "python", ep, sizeof ep);
	const char *argv[] = { "python3", PEERS, "server", ep, NULL };
	cr_assert_eq(test_server_start(&srv, argv), 0, "%s: the Python server did not start", t->scheme);
	expect_echo_client(t, srv.endpoint, "Python socketserver");
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0, "%s: %s", t->scheme, srv.errtext);
	test_rmdir(dir);
}

ParameterizedTestParameters(interop, python_client)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* A plain Python socket client against socklab echo-server; a unixgram one binds a path for replies. */
ParameterizedTest(size_t *i, interop, python_client)
{
	const struct transport *t = transport_registry[*i];
	if (transport_in_user_space(t))
		cr_skip_test("%s is socklab's own protocol: Python's socket module has no peer for it", t->scheme);
	struct test_server srv;
	struct run_result r;
	char dir[64], bind[128];

	test_tmpdir(dir, sizeof dir);
	snprintf(bind, sizeof bind, "%s/client.sock", dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	int bound = transport_has_socket_file(t) && !transport_is_connected(t);
	const char *plain[] = { "python3", PEERS, "client", srv.endpoint, "hello", "world", NULL };
	const char *with_bind[] = { "python3", PEERS, "client", "--bind", bind, srv.endpoint, "hello", "world", NULL };
	cr_assert_eq(test_run(bound ? with_bind : plain, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect_str_eq(r.out, "hello\nworld\n", "%s", t->scheme);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

ParameterizedTestParameters(interop, socat_client)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* socat's STDIO against socklab echo-server: each line typed comes back. */
ParameterizedTest(size_t *i, interop, socat_client)
{
	const struct transport *t = transport_registry[*i];
	const struct socat_form *f = socat_form(t);
	struct test_server srv;
	struct test_peer peer;
	char dir[64], addr[256];
	const char *where;

	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	where = srv.endpoint + strlen(t->scheme) + (transport_has_socket_file(t) ? 1 : 3);
	snprintf(addr, sizeof addr, f->client, where, dir);
	/* -t 10: after our end of input, wait for the server's end of stream rather than half a second. */
	const char *argv[] = { "socat", "-t", "10", "-", addr, NULL };
	cr_assert_eq(test_peer_start(&peer, argv), 0);
	cr_assert_eq(test_peer_write(&peer, "hello\n", 6), 0);
	cr_expect_not_null(test_peer_wait(&peer, 1, "hello\n"), "%s: no echo; socat said:\n%s", t->scheme, peer.errbuf);
	cr_assert_eq(test_peer_write(&peer, "world\n", 6), 0);
	cr_expect_not_null(test_peer_wait(&peer, 1, "hello\nworld\n"), "%s: no second echo:\n%s", t->scheme, peer.errbuf);
	if (f->datagram) {
		test_peer_stop(&peer, SIGTERM); /* a datagram has no end to send */
	} else {
		test_peer_close_input(&peer);
		cr_expect_eq(test_peer_wait_exit(&peer), 0, "%s: socat did not end with the server's end of stream:\n%s",
			     t->scheme, peer.errbuf);
	}
	cr_expect_str_eq(peer.outbuf, "hello\nworld\n");
	test_peer_free(&peer);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

/* nc and ncat: streams with the input then its end (-N: half-close), UDP typed in and read back. */
Test(interop, netcat)
{
	static const struct {
		const char *scheme;
		const char *argv[5]; /* the last word is replaced by the server's port or path */
	} peers[] = {
		{ "tcp", { "nc", "-N", "127.0.0.1", "PORT" } },
		{ "unix", { "nc", "-N", "-U", "PATH" } },
		{ "tcp", { "ncat", "127.0.0.1", "PORT" } },
		{ "unix", { "ncat", "-U", "PATH" } },
		{ "udp", { "nc", "-u", "127.0.0.1", "PORT" } },
		{ "udp", { "ncat", "-u", "127.0.0.1", "PORT" } },
	};
	const char input[] = "hello\nworld\n";

	for (size_t k = 0; k < sizeof peers / sizeof peers[0]; k++) {
		const struct transport *t = transport_find(peers[k].scheme, strlen(peers[k].scheme));
		struct test_server srv;
		char dir[64], last[256];
		const char *argv[6] = { 0 };
		int n = 0;

		test_tmpdir(dir, sizeof dir);
		cr_assert_eq(test_echo_server(&srv, t, dir), 0);
		const char *where = srv.endpoint + strlen(t->scheme) + (transport_has_socket_file(t) ? 1 : 3);
		while (n < 5 && peers[k].argv[n])
			argv[n] = peers[k].argv[n], n++;
		snprintf(last, sizeof last, "%s", transport_has_socket_file(t) ? where : strrchr(where, ':') + 1);
		argv[n - 1] = last;
		if (transport_is_connected(t)) {
			struct run_result r;
			cr_assert_eq(test_run(argv, input, strlen(input), &r), 0);
			cr_expect_eq(r.status, 0, "%s %s: exit %d: %s", argv[0], t->scheme, r.status, r.err);
			cr_expect_str_eq(r.out, input, "%s %s", argv[0], t->scheme);
			test_run_free(&r);
		} else {
			/* Nothing ends a datagram conversation: type a line, see it back, type the next. */
			struct test_peer peer;
			cr_assert_eq(test_peer_start(&peer, argv), 0);
			cr_assert_eq(test_peer_write(&peer, "hello\n", 6), 0);
			cr_expect_not_null(test_peer_wait(&peer, 1, "hello\n"), "%s -u: no echo: %s", argv[0], peer.errbuf);
			cr_assert_eq(test_peer_write(&peer, "world\n", 6), 0);
			cr_expect_not_null(test_peer_wait(&peer, 1, input), "%s -u: no second echo: %s", argv[0], peer.errbuf);
			test_peer_stop(&peer, SIGTERM);
			test_peer_free(&peer);
		}
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
		test_rmdir(dir);
	}
}
