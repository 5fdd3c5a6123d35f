/* test_load.c - socklab load over every transport: against socklab and Python echo servers, its seeds, limits and usage. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transports/endpoint.h"
#include "core/transport.h"
#include "tests/support/helpers.h"

/* A number from the one JSON object socklab load --json prints; -1 when the key is missing. */
static double json_num(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof pat, "\"%s\":", key);
	p = strstr(json, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

/* Lines in s: a failure must be said in exactly one. */
static int lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Runs socklab load ENDPOINT ARGS... --json and keeps the result. */
static void run_load(struct run_result *r, const char *ep, const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "exec \"$0\" load '%s' %s --json", ep, args);
	const char *argv[] = { "sh", "-c", cmd, test_socklab(), NULL };
	cr_assert(test_run(argv, NULL, 0, r) == 0);
}

ParameterizedTestParameters(load, echo_server)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* 20 clients, 50 messages each of 1 to 3000 bytes, 4 in flight: all back, byte for byte. */
ParameterizedTest(size_t *i, load, echo_server)
{
	const struct transport *t = transport_registry[*i];
	char dir[64];
	struct test_server srv;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	cr_assert(test_echo_server(&srv, t, dir) == 0, "%s: echo-server did not start", t->scheme);
	run_load(&r, srv.endpoint, "--clients 20 --messages 50 --window 4 --size 1-3000 --seed 7");
	cr_expect_eq(r.status, 0, "%s: exit %d, stderr: %s", t->scheme, r.status, r.err);
	cr_expect_eq(json_num(r.out, "connected"), 20, "%s: %s", t->scheme, r.out);
	cr_expect_eq(json_num(r.out, "sent"), 1000, "%s: %s", t->scheme, r.out);
	cr_expect_eq(json_num(r.out, "echoed") + json_num(r.out, "lost"), 1000, "%s: %s", t->scheme, r.out);
	cr_expect_eq(json_num(r.out, "corrupted"), 0, "%s: %s", t->scheme, r.out);
	cr_expect_eq(json_num(r.out, "bytes_echoed") > 0, 1, "%s: %s", t->scheme, r.out);
	if (transport_is_reliable(t))
		cr_expect_eq(json_num(r.out, "lost"), 0, "%s: %s", t->scheme, r.out);
	cr_expect(strstr(r.out, "\"ok\":true") != NULL, "%s: %s", t->scheme, r.out);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

/*
 * An echo server written with Python's socket module, for every transport:
 * socklab load needs nothing of socklab's on the other side.
 */
static const char python_echo[] =
	"import socket, sys, threading\n"
	"scheme, path = sys.argv[1], sys.argv[2]\n"
	"unix = scheme.startswith('unix')\n"
	"kind = {'tcp': socket.SOCK_STREAM, 'udp': socket.SOCK_DGRAM, 'unix': socket.SOCK_STREAM,\n"
	"        'unixgram': socket.SOCK_DGRAM, 'unixpacket': socket.SOCK_SEQPACKET}[scheme]\n"
	"s = socket.socket(socket.AF_UNIX if unix else socket.AF_INET, kind)\n"
	"s.bind(path if unix else ('127.0.0.1', 0))\n"
	"where = scheme + ':' + path if unix else '%s://127.0.0.1:%d' % (scheme, s.getsockname()[1])\n"
	"if kind == socket.SOCK_DGRAM:\n"
	"    print('listening on ' + where, flush=True)\n"
	"    while True:\n"
	"        data, peer = s.recvfrom(1 << 17)\n"
	"        s.sendto(data, peer)\n"
	"def serve(c):\n"
	"    while True:\n"
	"        data = c.recv(1 << 17)\n"
	"        if not data:\n"
	"            break\n"
	"        c.sendall(data)\n"
	"    c.close()\n"
	"s.listen(128)\n"
	"print('listening on ' + where, flush=True)\n"
	"while True:\n"
	"    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()\n";

ParameterizedTestParameters(load, python_peer)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

ParameterizedTest(size_t *i, load, python_peer)
{
	const struct transport *t = transport_registry[*i];
	if (transport_in_user_space(t))
		cr_skip_test("%s is socklab's own protocol: Python's socket module has no peer for it", t->scheme);
	char dir[64], path[128];
	struct test_server srv;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/py.sock", dir);
	const char *argv[] = { "python3", "-c", python_echo, t->scheme, path, NULL };
	cr_assert(test_server_start(&srv, argv) == 0, "%s: the Python echo server did not start", t->scheme);
	run_load(&r, srv.endpoint, "--clients 10 --messages 20 --window 2 --size 1-2000");
	cr_expect_eq(r.status, 0, "%s: exit %d, stderr: %s", t->scheme, r.status, r.err);
	cr_expect_eq(json_num(r.out, "echoed") + json_num(r.out, "lost"), 200, "%s: %s", t->scheme, r.out);
	cr_expect_eq(json_num(r.out, "corrupted"), 0, "%s: %s", t->scheme, r.out);
	test_run_free(&r);
	test_server_stop(&srv, SIGKILL);
	test_rmdir(dir);
}

/*
 * 800 unixgram clients, three messages in flight each: the echo server's one
 * send buffer fills, and replies wait for room. None may wait long: an echo
 * later than 1 s counts as lost, and unixgram never loses. (The engine used to
 * answer new requests before the waiting replies: a thousand came back late.)
 */
Test(load, waiting_datagram_replies_go_first)
{
	char dir[64];
	struct test_server srv;
	struct run_result r;
	const struct transport *t = transport_find("unixgram", 8);

	test_tmpdir(dir, sizeof dir);
	cr_assert(test_echo_server(&srv, t, dir) == 0);
	run_load(&r, srv.endpoint, "--clients 800 --messages 10 --window 3 --size 1-3000 --timeout 1");
	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect_eq(json_num(r.out, "lost"), 0, "%s", r.out);
	cr_expect_eq(json_num(r.out, "duplicates"), 0, "%s", r.out);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

/* The same seed gives the same sizes; another seed, others. */
Test(load, seed_decides_sizes)
{
	char dir[64];
	struct test_server srv;
	struct run_result a, b, c;

	test_tmpdir(dir, sizeof dir);
	cr_assert(test_echo_server(&srv, transport_registry[0], dir) == 0);
	run_load(&a, srv.endpoint, "--clients 3 --messages 40 --seed 11");
	run_load(&b, srv.endpoint, "--clients 3 --messages 40 --seed 11");
	run_load(&c, srv.endpoint, "--clients 3 --messages 40 --seed 12");
	cr_expect_eq(a.status, 0, "%s", a.err);
	cr_expect_eq(json_num(a.out, "bytes_sent"), json_num(b.out, "bytes_sent"));
	cr_expect_neq(json_num(a.out, "bytes_sent"), json_num(c.out, "bytes_sent"));
	test_run_free(&a), test_run_free(&b), test_run_free(&c);
	test_server_stop(&srv, SIGTERM);
	test_rmdir(dir);
}

/* Each client holds a descriptor: a hard limit too low is one clear line, exit 2. */
Test(load, too_many_clients_for_the_fd_limit)
{
	struct run_result r;
	const char *argv[] = { "sh", "-c", "ulimit -n 64 && exec \"$0\" load tcp://127.0.0.1:9 --clients 100",
			       test_socklab(), NULL };

	cr_assert(test_run(argv, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 2, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.err, "file descriptors") != NULL, "%s", r.err);
	cr_expect_eq(lines(r.err), 1, "%s", r.err);
	test_run_free(&r);
}

/* A soft limit below the hard one is raised: 100 clients under a soft limit of 64. */
Test(load, raises_the_soft_fd_limit)
{
	char dir[64], cmd[256];
	struct test_server srv;
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	cr_assert(test_echo_server(&srv, transport_registry[0], dir) == 0);
	snprintf(cmd, sizeof cmd, "ulimit -S -n 64 && exec \"$0\" load %s --clients 100 --messages 2", srv.endpoint);
	const char *argv[] = { "sh", "-c", cmd, test_socklab(), NULL };
	cr_assert(test_run(argv, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "100 of 100 connected") != NULL, "%s", r.out);
	test_run_free(&r);
	test_server_stop(&srv, SIGTERM);
	test_rmdir(dir);
}

/* Usage errors: exit 2, one line naming the problem. */
Test(load, usage_errors)
{
	static const char *const bad[][4] = {
		{ "load", NULL },
		{ "load", "tcp://127.0.0.1:9", "--size", "9-3" },
		{ "load", "tcp://127.0.0.1:9", "--window", "0" },
		{ "load", "tcp://127.0.0.1:9", "--clients", "many" },
		{ "load", "tcp://127.0.0.1:9", "--timeout", "-1" },
		{ "load", "tcp://127.0.0.1:0", NULL },
		{ "load", "tcp://127.0.0.1:9", "--bogus", NULL },
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		const char *argv[6] = { "socklab", bad[k][0], bad[k][1], bad[k][2], bad[k][3], NULL };
		struct run_result r;
		cr_assert(test_run(argv, NULL, 0, &r) == 0);
		cr_expect_eq(r.status, 2, "case %zu: exit %d: %s", k, r.status, r.err);
		cr_expect_eq(lines(r.err), 1, "case %zu: %s", k, r.err);
		cr_expect_eq(r.outlen, 0, "case %zu: %s", k, r.out);
		test_run_free(&r);
	}
}

/* Nobody listening: one line, exit 1. */
Test(load, refused)
{
	struct run_result r;
	const char *argv[] = { "socklab", "load", "tcp://127.0.0.1:9", "--clients", "3", NULL };

	cr_assert(test_run(argv, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 1, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.err, "connection refused") != NULL, "%s", r.err);
	cr_expect_eq(lines(r.err), 1, "%s", r.err);
	test_run_free(&r);
}
