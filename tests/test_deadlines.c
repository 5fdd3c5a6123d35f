/* test_deadlines.c - a timeout is a deadline from its start: stray datagrams and garbage never keep a command waiting longer. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "demos/transfer/transfer_proto.h"
#include "tests/support/helpers.h"

TestSuite(deadlines, .timeout = 60);

#define SPRAY_MS 50 /* a stray datagram this often */

static size_t datagram_idx[8];

ParameterizedTestParameters(deadlines, datagram)
{
	size_t n = 0;

	for (size_t i = 0; transport_registry[i] && n < 8; i++)
		if (!transport_is_connected(transport_registry[i]))
			datagram_idx[n++] = i;
	return cr_make_param_array(size_t, datagram_idx, n);
}

/* A bound datagram socket of the test for t, and its endpoint: the "server" that never answers as asked. */
static void bind_peer(const struct transport *t, const char *dir, const char *name, struct sock *s, char *ep, size_t len)
{
	char text[200], why[128];
	struct endpoint e;
	int gai;

	test_server_endpoint(t, dir, name, text, sizeof text);
	cr_assert(endpoint_parse(text, ENDPOINT_SERVER, &e, why, sizeof why) == 0 && sock_listen_endpoint(s, &e, 0, &gai) == 0);
	struct addr a;
	cr_assert(sock_getname(s, &a) == 0);
	endpoint_format(t, &a, ep, len);
}

/*
 * From the socket stray, sends junk to `to` every SPRAY_MS until the peer
 * exits; returns the milliseconds from start until it did (what it printed
 * on standard error goes to err).
 */
static long long spray_until_exit(struct test_peer *p, struct sock *stray, const struct addr *to, const void *junk,
				  size_t n, char *err, size_t errlen)
{
	long long t0 = sys_now_ms();
	size_t got = 0;

	while (sys_now_ms() - t0 < TEST_WAIT_S * 1000LL) {
		struct pollfd pf = { .fd = p->err, .events = POLLIN };
		if (poll(&pf, 1, SPRAY_MS) > 0) { /* its standard error: what it says, or its end */
			ssize_t r = read(p->err, err + got, errlen - 1 - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		sock_sendto(stray, junk, n, to);
	}
	err[got] = '\0';
	return sys_now_ms() - t0;
}

/* echo-client and chat-client, --timeout 1, a server that never answers, and strays every 50 ms: 1 s, not for ever. */
ParameterizedTest(size_t *i, deadlines, datagram)
{
	const struct transport *t = transport_registry[*i];
	static const char *const clients[] = { "echo-client", "chat-client" };
	char dir[64], ep[200], err[2048], buf[64];
	struct sock mute, stray;
	struct addr client;

	test_tmpdir(dir, sizeof dir);
	bind_peer(t, dir, "mute", &mute, ep, sizeof ep);
	bind_peer(t, dir, "stray", &stray, buf, sizeof buf);
	for (size_t k = 0; k < 2; k++) {
		struct test_peer p;
		const char *argv[] = { "socklab", clients[k], "--timeout", "1", ep, k == 0 ? "hi" : NULL, NULL };
		cr_assert_eq(test_peer_start(&p, argv), 0);
		test_peer_close_input(&p);
		/* Its first datagram says where it is: the strays go there. */
		cr_assert(test_readable(mute.fd), "%s %s: nothing came", clients[k], t->scheme);
		cr_assert(sock_recvfrom(&mute, buf, sizeof buf, &client, NULL) >= 0);
		long long took = spray_until_exit(&p, &stray, &client, "stray", 5, err, sizeof err);
		int rc = test_peer_wait_exit(&p);
		cr_expect_eq(rc, 1, "%s %s: exit %d: %s", clients[k], t->scheme, rc, err);
		cr_expect(strstr(err, "no reply within the timeout"), "%s %s: %s", clients[k], t->scheme, err);
		cr_expect_lt(took, 2000, "%s %s: --timeout 1 took %lld ms with strays arriving", clients[k], t->scheme, took);
		test_peer_free(&p);
	}
	sock_close(&mute);
	sock_close(&stray);
	test_rmdir(dir);
}

ParameterizedTestParameters(deadlines, recv_timeout)
{
	size_t n = 0;

	for (size_t i = 0; transport_registry[i] && n < 8; i++)
		if (!transport_is_connected(transport_registry[i]))
			datagram_idx[n++] = i;
	return cr_make_param_array(size_t, datagram_idx, n);
}

/*
 * recv --timeout 1: the sender sends one message and falls silent, while
 * another socket keeps sending garbage. recv gives up 1 s after the sender's
 * last message, as its help says, not after the last datagram of anyone.
 */
ParameterizedTest(size_t *i, deadlines, recv_timeout)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[200], err[4096], where[200];
	unsigned char msg[XFER_HEADER_SIZE + 4];
	struct test_peer p;
	struct sock sender, stray;
	struct addr to;
	char why[128];
	size_t n;

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "recv", ep, sizeof ep);
	const char *argv[] = { "socklab", "recv", "--timeout", "1", ep, "/dev/null", NULL };
	cr_assert_eq(test_peer_start(&p, argv), 0);
	cr_assert_eq(test_peer_wait_line(&p, 1, "listening on ", where, sizeof where), 0, "%s", p.errbuf);
	struct endpoint e;
	cr_assert(endpoint_parse(where + 13, ENDPOINT_CLIENT, &e, why, sizeof why) == 0 &&
		  endpoint_resolve(&e, ENDPOINT_CLIENT, &to, 1, &n) == 0);
	cr_assert_eq(test_dial(&sender, where + 13), 0);
	bind_peer(t, dir, "stray", &stray, why, sizeof why);
	struct xfer_header h = { .type = XFER_DATA, .count = 0, .bytes = 0, .length = 4,
				 .check = xfer_cksum(xfer_crc_update(0, "data", 4), 4) };
	xfer_encode(&h, msg);
	memcpy(msg + XFER_HEADER_SIZE, "data", 4);
	cr_assert(sock_send(&sender, msg, sizeof msg) == (ssize_t)sizeof msg);
	long long took = spray_until_exit(&p, &stray, &to, "garbage", 7, err, sizeof err);
	int rc = test_peer_wait_exit(&p);
	cr_expect_eq(rc, 1, "%s: exit %d: %s", t->scheme, rc, err);
	cr_expect(strstr(err, "without its totals"), "%s: %s", t->scheme, err);
	cr_expect_lt(took, 2000, "%s: recv --timeout 1 took %lld ms with garbage arriving", t->scheme, took);
	test_peer_free(&p);
	sock_close(&sender);
	sock_close(&stray);
	test_rmdir(dir);
}

ParameterizedTestParameters(deadlines, send_totals)
{
	size_t n = 0;

	for (size_t i = 0; transport_registry[i] && n < 8; i++)
		if (!transport_is_connected(transport_registry[i]))
			datagram_idx[n++] = i;
	return cr_make_param_array(size_t, datagram_idx, n);
}

/* send --timeout 1 to a "receiver" that answers garbage, over and over: send gives up after 1 s of no acknowledgement. */
ParameterizedTest(size_t *i, deadlines, send_totals)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[200], err[4096], buf[2048];
	struct sock liar;
	struct addr client;
	struct test_peer p;

	test_tmpdir(dir, sizeof dir);
	bind_peer(t, dir, "liar", &liar, ep, sizeof ep);
	const char *argv[] = { "socklab", "send", "--timeout", "1", ep, "/etc/hostname", NULL };
	cr_assert_eq(test_peer_start(&p, argv), 0);
	cr_assert(test_readable(liar.fd));
	cr_assert(sock_recvfrom(&liar, buf, sizeof buf, &client, NULL) >= 0);
	long long took = spray_until_exit(&p, &liar, &client, "not an acknowledgement", 22, err, sizeof err);
	int rc = test_peer_wait_exit(&p);
	cr_expect_eq(rc, 1, "%s: exit %d: %s", t->scheme, rc, err);
	cr_expect(strstr(err, "no reply within the timeout"), "%s: %s", t->scheme, err);
	cr_expect_lt(took, 2000, "%s: send --timeout 1 took %lld ms with garbage arriving", t->scheme, took);
	test_peer_free(&p);
	sock_close(&liar);
	test_rmdir(dir);
}
