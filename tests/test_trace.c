/* test_trace.c - socklab --trace: the socket calls each transport needs, narrated in order on standard error. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <netinet/udp.h>
#endif

#include "tests/support/helpers.h"

TestSuite(trace, .timeout = 60);

/* Runs socklab with the given arguments; the test fails if it cannot be started. */
#define RUN(r, ...)                                                                \
	do {                                                                       \
		const char *argv_[] = { "socklab", __VA_ARGS__, NULL };            \
		cr_assert_eq(test_run(argv_, NULL, 0, (r)), 0, "could not run socklab"); \
	} while (0)

/* Line i of text that starts with prefix, or NULL. Sets *line to its number (from 0). */
static const char *find_line(const char *text, const char *prefix, int *line)
{
	*line = 0;
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL, (*line)++)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return p;
	return NULL;
}

/*
 * rdt's client, traced: a UDP socket, connect()ed for ICMP errors, the
 * handshake's datagrams, the messages' sends and their ACKs, one line per
 * event; with drop= beneath it, at least one retransmission, narrated.
 */
static void rdt_client_trace(const struct test_server *srv, const char *addr)
{
	char want[256], lossy[ENDPOINT_FORMAT_MAX + 64];
	struct run_result r;
	int l_socket, l_connect, l_send, l_ack, l_close;

	RUN(&r, "--trace", "echo-client", srv->endpoint, "hello");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "hello\n", "the trace went to stdout");
	cr_expect(find_line(r.err, "trace: socket(AF_INET, SOCK_DGRAM, 0) = ", &l_socket), "%s", r.err);
	snprintf(want, sizeof want, "trace: connect(3, %s) = 0", addr);
	cr_expect(find_line(r.err, want, &l_connect), "no \"%s\" in:\n%s", want, r.err);
	cr_expect(find_line(r.err, "trace:   (rdt: send seq=", &l_send), "no send event in:\n%s", r.err);
	cr_expect(find_line(r.err, "trace:   (rdt: ACK ack=", &l_ack), "no ACK event in:\n%s", r.err);
	cr_expect(find_line(r.err, "trace: close(3) = 0", &l_close), "no close in:\n%s", r.err);
	cr_expect(l_socket < l_connect && l_connect < l_send && l_send < l_close, "out of order:\n%s", r.err);
#if defined(__linux__) && defined(UDP_GRO)
	/* Nothing impaired: the socket takes datagrams that came together as one (UDP_GRO), and the reads say so. */
	cr_expect(find_line(r.err, "trace: setsockopt(3, IPPROTO_UDP, UDP_GRO, 1) = 0", &l_ack), "no UDP_GRO:\n%s", r.err);
	cr_expect(find_line(r.err, "trace: recvmsg(3, room for 65536 bytes, UDP_GRO) = ", &l_ack), "%s", r.err);
#endif
	test_run_free(&r);
	/* A third of the client's datagrams lost beneath rdt, seeded: the protocol sends them again, and says so. */
	snprintf(lossy, sizeof lossy, "%s?drop=0.34&seed=1", srv->endpoint);
	RUN(&r, "--trace", "echo-client", lossy, "one", "two", "three", "four", "five", "six");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "one\ntwo\nthree\nfour\nfive\nsix\n");
	cr_expect(find_line(r.err, "trace:   (impair: lost", &l_send), "nothing dropped:\n%s", r.err);
	cr_expect(!strstr(r.err, "UDP_GRO"), "the impairment layer must see each datagram, yet:\n%s", r.err);
	cr_expect(find_line(r.err, "trace:   (rdt: retransmit seq=", &l_send), "no retransmission narrated:\n%s", r.err);
	cr_expect(find_line(r.err, "trace:   (rdt: timeout seq=", &l_send) && strstr(r.err, "RTO now "),
		  "no timeout narrated:\n%s", r.err);
	test_run_free(&r);
}

ParameterizedTestParameters(trace, echo_client)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* --trace narrates the calls each transport needs, in order; without it, stderr stays quiet. */
ParameterizedTest(size_t *i, trace, echo_client)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], want[256], addr[ENDPOINT_FORMAT_MAX];
	struct test_server srv;
	struct run_result r;
	int l_socket, l_connect, l_send, l_recv, l_close;

	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	/* The address as the trace prints it: the endpoint without its scheme. */
	snprintf(addr, sizeof addr, "%s", srv.endpoint + strlen(t->scheme) + (transport_has_socket_file(t) ? 1 : 3));
	RUN(&r, "echo-client", srv.endpoint, "hello");
	cr_expect_eq(r.status, 0);
	cr_expect_str_eq(r.err, "", "%s: stderr without --trace: %s", t->scheme, r.err);
	test_run_free(&r);

	if (transport_in_user_space(t)) { /* socklab's own protocol: its thread's UDP calls, and its ARQ's events */
		rdt_client_trace(&srv, addr);
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
		test_rmdir(dir);
		return;
	}
	for (int global = 0; global <= 1; global++) {
		if (global)
			RUN(&r, "--trace", "echo-client", srv.endpoint, "hello");
		else
			RUN(&r, "echo-client", "--trace", srv.endpoint, "hello");
		cr_expect_eq(r.status, 0, "%s: %s", t->scheme, r.err);
		cr_expect_str_eq(r.out, "hello\n", "the trace went to stdout");
		snprintf(want, sizeof want, "trace: socket(%s, %s, 0) = ", transport_has_socket_file(t) ? "AF_UNIX" : "AF_INET",
			 t->type == SOCK_STREAM ? "SOCK_STREAM" : t->type == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_SEQPACKET");
		cr_expect(find_line(r.err, want, &l_socket), "%s: no \"%s\" in:\n%s", t->scheme, want, r.err);
		if (transport_is_connected(t)) {
			snprintf(want, sizeof want, "trace: connect(3, %s) = 0", addr);
			cr_expect(find_line(r.err, want, &l_connect), "%s: no \"%s\" in:\n%s", t->scheme, want, r.err);
			cr_expect(find_line(r.err, "trace: send(3, ", &l_send), "%s: no send in:\n%s", t->scheme, r.err);
			cr_expect(find_line(r.err, "trace: recv(3, ", &l_recv), "%s: no recv in:\n%s", t->scheme, r.err);
			cr_expect(l_socket < l_connect && l_connect < l_send && l_send < l_recv, "%s: out of order:\n%s",
				  t->scheme, r.err);
		} else {
			cr_expect(!find_line(r.err, "trace: connect(", &l_connect), "%s: a datagram client connected", t->scheme);
			snprintf(want, sizeof want, "trace: sendto(3, 5 bytes, %s) = 5", addr);
			cr_expect(find_line(r.err, want, &l_send), "%s: no \"%s\" in:\n%s", t->scheme, want, r.err);
			snprintf(want, sizeof want, "trace: recvfrom(3, 6 bytes) = 5, from %s", addr);
			cr_expect(find_line(r.err, want, &l_recv), "%s: no \"%s\" in:\n%s", t->scheme, want, r.err);
			cr_expect(l_socket < l_send && l_send < l_recv, "%s: out of order:\n%s", t->scheme, r.err);
			if (transport_has_socket_file(t))
				cr_expect(find_line(r.err, "trace: bind(3, (autobind", &l_connect),
					  "%s: the client did not bind a name for replies:\n%s", t->scheme, r.err);
		}
		cr_expect(find_line(r.err, "trace: close(3) = 0", &l_close) && l_close > l_recv, "%s: no close", t->scheme);
		for (const char *p = r.err; *p; p = strchr(p, '\n') + 1)
			cr_expect(strncmp(p, "trace: ", 7) == 0, "%s: a line that is not a trace:\n%s", t->scheme, r.err);
		test_run_free(&r);
	}
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

ParameterizedTestParameters(trace, echo_server)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* A server binds; only a connected one listens and accepts; a unix one removes its file at the end. */
ParameterizedTest(size_t *i, trace, echo_server)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[192];
	struct test_server srv;
	struct run_result r;
	int line;

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "echo", ep, sizeof ep);
	const char *argv[] = { "socklab", "--trace", "echo-server", "--quiet", ep, NULL };
	cr_assert_eq(test_server_start(&srv, argv), 0);
	RUN(&r, "echo-client", srv.endpoint, "hi");
	cr_expect_eq(r.status, 0);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	const char *err = srv.errtext;
	cr_expect(find_line(err, "trace: bind(", &line), "%s: no bind:\n%s", t->scheme, err);
	/* socklab's own protocol: no listen(2) nor accept(2); its thread reads datagrams and says what it made of them */
	int connected = transport_is_connected(t) && !transport_in_user_space(t);
	if (transport_in_user_space(t))
		cr_expect(find_line(err, "trace:   (rdt: connected with ", &line), "%s: no connection:\n%s", t->scheme, err);
	cr_expect_eq(!!find_line(err, "trace: listen(", &line), connected, "%s: listen:\n%s", t->scheme, err);
	cr_expect_eq(!!find_line(err, "trace: accept(", &line), connected, "%s: accept:\n%s", t->scheme, err);
	/* Datagrams are read with their sender's address: recvfrom(2); rdt's thread takes many at once (recvmmsg(2), or
	 * recvmsg(2) with UDP_GRO: several datagrams in one buffer). */
	int from = find_line(err, "trace: recvfrom(", &line) ||
		   (transport_in_user_space(t) && find_line(err, "trace: recvmmsg(", &line) && strstr(err, "the first from ")) ||
		   (transport_in_user_space(t) && find_line(err, "trace: recvmsg(", &line) && strstr(err, "UDP_GRO) = ") &&
		    strstr(err, ", from "));
	cr_expect_eq(from, !connected, "%s: recvfrom:\n%s", t->scheme, err);
	cr_expect_eq(!!find_line(err, "trace: unlink(", &line), transport_has_socket_file(t), "%s: unlink:\n%s", t->scheme, err);
	test_rmdir(dir);
}
