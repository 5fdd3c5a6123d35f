/* test_clients.c - socklab echo-server under real clients: many at once, large, binary, half-closed. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io.h"
#include "tests/support/helpers.h"

#define MANY 100
#define LARGE (8u << 20)     /* a stream message: far more than any socket buffer */
#define LARGE_MESSAGE 60000  /* one datagram: under UDP's 65507, in every buffer's default */

TestSuite(clients, .timeout = 60);

ParameterizedTestParameters(clients, many_at_once)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* MANY clients: all open before any sends, all send before any reads, each gets its own reply. */
ParameterizedTest(size_t *i, clients, many_at_once)
{
	const struct transport *t = transport_registry[*i];
	static struct sock c[MANY];
	struct test_server srv;
	char dir[64], ep[256], msg[32], reply[64];
	size_t got;

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "many", ep, sizeof ep);
	const char *argv[] = { "socklab", "echo-server", ep, NULL }; /* not --quiet: it counts its clients */
	cr_assert_eq(test_server_start(&srv, argv), 0, "%s: echo-server did not start", t->scheme);
	for (int k = 0; k < MANY; k++)
		cr_assert_eq(test_dial(&c[k], srv.endpoint), 0, "%s: client %d: %s", t->scheme, k, strerror(errno));
	for (int k = 0; k < MANY; k++) {
		int n = snprintf(msg, sizeof msg, "%s client %d", t->scheme, k);
		cr_assert_eq(sock_send_all(&c[k], msg, (size_t)n), n, "client %d: %s", k, strerror(errno));
	}
	for (int k = 0; k < MANY; k++) {
		int n = snprintf(msg, sizeof msg, "%s client %d", t->scheme, k);
		cr_assert_eq(sock_set_recv_timeout(&c[k], TEST_WAIT_S * 1000), 0);
		if (sock_keeps_boundaries(&c[k]))
			got = (size_t)sock_recv_reply(&c[k], reply, sizeof reply, NULL);
		else if (sock_recv_exact(&c[k], reply, (size_t)n, &got) < 0)
			got = 0;
		cr_expect(got == (size_t)n && memcmp(reply, msg, (size_t)n) == 0, "%s: client %d got %.*s", t->scheme, k,
			  (int)(got < sizeof reply ? got : 0), reply);
	}
	for (int k = 0; k < MANY; k++)
		sock_close(&c[k]);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	snprintf(msg, sizeof msg, "stopped after %d clients", MANY);
	cr_expect(strstr(srv.errtext, msg), "%s: the server saw other than %d clients:\n%s", t->scheme, MANY, srv.errtext);
	test_rmdir(dir);
}

ParameterizedTestParameters(clients, large)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Streams: 8 MiB of random bytes, sent while the echo is read (sock_exchange). Messages: one 60000-byte datagram. */
ParameterizedTest(size_t *i, clients, large)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct sock c;
	char dir[64];
	size_t got = 0, len = transport_keeps_boundaries(t) ? LARGE_MESSAGE : LARGE;
	unsigned char *out = malloc(len), *in = malloc(len + 1);

	cr_assert(out && in);
	test_fill_random(out, len, (unsigned)*i);
	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	cr_assert_eq(test_dial(&c, srv.endpoint), 0);
	if (sock_keeps_boundaries(&c)) {
		int truncated = 0;
		cr_assert_eq(sock_set_recv_timeout(&c, TEST_WAIT_S * 1000), 0);
		cr_assert_eq(sock_send_all(&c, out, len), (ssize_t)len, "%s: %s", t->scheme, strerror(errno));
		ssize_t n = sock_recv_reply(&c, in, len + 1, &truncated);
		cr_expect_eq(n, (ssize_t)len, "%s: %zd bytes came back as one message", t->scheme, n);
		got = n < 0 ? 0 : (size_t)n;
		cr_expect(!truncated);
	} else {
		cr_expect_eq(sock_exchange(&c, out, len, in, len, &got, TEST_WAIT_S * 1000), 0, "%s: %zu of %zu bytes: %s",
			     t->scheme, got, len, strerror(errno));
	}
	cr_expect(got == len && memcmp(in, out, len) == 0, "%s: the echo differs", t->scheme);
	sock_close(&c);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	free(out);
	free(in);
	test_rmdir(dir);
}

ParameterizedTestParameters(clients, large_line)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* The same through echo-client: one line of standard input, 8 MiB on a stream, 60000 bytes as a datagram. */
ParameterizedTest(size_t *i, clients, large_line)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	char dir[64];
	size_t len = transport_keeps_boundaries(t) ? LARGE_MESSAGE : LARGE;
	char *line = malloc(len + 1);

	cr_assert(line);
	test_fill_random(line, len, 3);
	for (size_t k = 0; k < len; k++)
		line[k] = (char)('!' + (unsigned char)line[k] % 94); /* printable: no newline inside */
	line[len] = '\n';
	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	const char *argv[] = { "socklab", "echo-client", srv.endpoint, NULL };
	cr_assert_eq(test_run(argv, line, len + 1, &r), 0);
	cr_expect_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect(r.outlen == len + 1 && memcmp(r.out, line, len + 1) == 0, "%s: %zu bytes printed for %zu", t->scheme,
		  r.outlen, len + 1);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	free(line);
	test_rmdir(dir);
}

ParameterizedTestParameters(clients, binary)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Every byte value, NUL first, through the library and through echo-client's standard input. */
ParameterizedTest(size_t *i, clients, binary)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	struct sock c;
	char dir[64], bytes[4 * 256], line[256 + 1];
	size_t n = 0;

	for (size_t k = 0; k < sizeof bytes; k++)
		bytes[k] = (char)(k % 256);
	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	cr_assert_eq(test_dial(&c, srv.endpoint), 0);
	cr_expect_eq(test_echo_once(&c, bytes, sizeof bytes), 0, "%s: %s", t->scheme, strerror(errno));
	sock_close(&c);

	/* One line is every byte but the newline that ends it. */
	for (int b = 0; b < 256; b++)
		if (b != '\n')
			line[n++] = (char)b;
	line[n++] = '\n';
	const char *argv[] = { "socklab", "echo-client", srv.endpoint, NULL };
	cr_assert_eq(test_run(argv, line, n, &r), 0);
	cr_expect_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect(r.outlen == n && memcmp(r.out, line, n) == 0, "%s: %zu bytes printed for %zu", t->scheme, r.outlen, n);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

ParameterizedTestParameters(clients, half_close)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * A connected client sends everything, then shutdown(SHUT_WR): the server
 * still sends every echo, then its own end of stream. A datagram socket has
 * no connection to end: what shutdown() does there is the kernel's answer.
 */
ParameterizedTest(size_t *i, clients, half_close)
{
	const struct transport *t = transport_registry[*i];
	enum { TOTAL = 256 * 1024, MESSAGES = 64 };
	struct test_server srv;
	struct sock c;
	char dir[64];
	unsigned char *out = malloc(TOTAL), *in = malloc(TOTAL + 1);
	size_t got = 0;

	cr_assert(out && in);
	test_fill_random(out, TOTAL, 7);
	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	cr_assert_eq(test_dial(&c, srv.endpoint), 0);
	cr_assert_eq(sock_set_recv_timeout(&c, TEST_WAIT_S * 1000), 0);
	if (!sock_is_connected(&c)) {
		/*
		 * A datagram socket has no connection to end, and the kernel answers its
		 * own way (Linux): an unconnected UDP socket says ENOTCONN, and shuts it
		 * all the same (net/ipv4/af_inet.c, inet_shutdown: the state is set
		 * before the error returns); a unix datagram socket says 0. Either way
		 * it tells nobody, and its next send fails with EPIPE.
		 */
		errno = 0;
		int r = sock_shutdown(&c, SHUT_WR), err = errno;
		if (!transport_has_socket_file(t))
			cr_expect(r == -1 && err == ENOTCONN, "%s: shutdown = %d %s", t->scheme, r, strerror(err));
		else
			cr_expect_eq(r, 0, "%s: shutdown: %s", t->scheme, strerror(err));
		cr_expect(sock_send(&c, "gone", 4) == -1 && errno == EPIPE, "%s: send after SHUT_WR: %s", t->scheme,
			  strerror(errno));
		goto done;
	}
	/* Streams: one block; seqpacket: MESSAGES messages of TOTAL/MESSAGES bytes. All fit the server's queue. */
	size_t chunk = sock_keeps_boundaries(&c) ? TOTAL / MESSAGES : TOTAL;
	for (size_t o = 0; o < TOTAL; o += chunk)
		cr_assert_eq(sock_send_all(&c, out + o, chunk), (ssize_t)chunk, "%s: %s", t->scheme, strerror(errno));
	cr_assert_eq(sock_shutdown(&c, SHUT_WR), 0, "%s: %s", t->scheme, strerror(errno));
	for (;;) {
		ssize_t n = sock_recv_reply(&c, in + got, TOTAL + 1 - got, NULL);
		cr_assert_geq(n, 0, "%s: after %zu bytes: %s", t->scheme, got, strerror(errno));
		if (n == 0)
			break;
		cr_expect(!sock_keeps_boundaries(&c) || (size_t)n == chunk, "%s: a message of %zd bytes", t->scheme, n);
		got += (size_t)n;
	}
	cr_expect(got == TOTAL && memcmp(in, out, TOTAL) == 0, "%s: %zu of %d bytes before the end", t->scheme, got,
		  TOTAL);
done:
	sock_close(&c);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	free(out);
	free(in);
	test_rmdir(dir);
}
