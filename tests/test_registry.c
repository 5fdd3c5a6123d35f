/* test_registry.c - every transport's table: complete, consistent with its socket type, and its stubs really stubs. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/io.h"
#include "core/sys/sys.h"
#include "tests/support/helpers.h"
#include "transports/sockops.h"

TestSuite(registry, .timeout = 60);

/* The five the issue asks for, as facts: registering another must not change these. */
static const struct expected {
	const char *scheme;
	int domain, type;
	unsigned flags;
} expected[] = {
	{ "tcp", AF_UNSPEC, SOCK_STREAM, TRANSPORT_CONNECTED | TRANSPORT_RELIABLE },
	{ "udp", AF_UNSPEC, SOCK_DGRAM, TRANSPORT_BOUNDARIES },
	{ "unix", AF_UNIX, SOCK_STREAM, TRANSPORT_CONNECTED | TRANSPORT_RELIABLE | TRANSPORT_SOCKET_FILE },
	{ "unixgram", AF_UNIX, SOCK_DGRAM, TRANSPORT_BOUNDARIES | TRANSPORT_RELIABLE | TRANSPORT_SOCKET_FILE },
	{ "unixpacket", AF_UNIX, SOCK_SEQPACKET,
	  TRANSPORT_CONNECTED | TRANSPORT_BOUNDARIES | TRANSPORT_RELIABLE | TRANSPORT_SOCKET_FILE },
};

Test(registry, the_five_transports)
{
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		const struct expected *x = &expected[i];
		const struct transport *t = transport_find(x->scheme, strlen(x->scheme));
		cr_assert_not_null(t, "%s is not registered", x->scheme);
		cr_expect_eq(transport_registry[i], t, "%s is not number %zu in --help's order", x->scheme, i + 1);
		cr_expect_str_eq(t->scheme, x->scheme);
		cr_expect_eq(t->domain, x->domain, "%s: domain", x->scheme);
		cr_expect_eq(t->type, x->type, "%s: socket type", x->scheme);
		cr_expect_eq(t->flags, x->flags, "%s: facts %#x, expected %#x", x->scheme, t->flags, x->flags);
	}
	cr_expect_geq(test_transport_count(), 5);
}

Test(registry, find)
{
	cr_expect_null(transport_find("", 0));
	cr_expect_null(transport_find("nope", 4));
	cr_expect_null(transport_find("TCP", 3), "schemes are case-sensitive");
	cr_expect_null(transport_find("uni", 3), "a prefix is not a scheme");
	cr_expect_null(transport_find("unixgramx", 9));
	cr_expect_str_eq(transport_find("unixgram://x", 8)->scheme, "unixgram", "only n bytes count");
	cr_expect_str_eq(transport_find("unix:/tmp/x", 4)->scheme, "unix");
	cr_expect_str_eq(transport_find("tcp://127.0.0.1:1", 3)->scheme, "tcp");
	cr_expect_null(transport_registry[test_transport_count()], "the registry ends with NULL");
}

ParameterizedTestParameters(registry, table)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Every slot filled, the scheme unique and findable, the facts consistent with the socket type. */
ParameterizedTest(size_t *i, registry, table)
{
	const struct transport *t = transport_registry[*i];
	const unsigned all = TRANSPORT_CONNECTED | TRANSPORT_BOUNDARIES | TRANSPORT_RELIABLE | TRANSPORT_SOCKET_FILE |
			     TRANSPORT_USER_SPACE;

	cr_assert_not_null(t->scheme);
	cr_expect(t->scheme[0] && strspn(t->scheme, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(t->scheme),
		  "scheme '%s' is not a lower-case word", t->scheme);
	cr_expect(t->summary && t->summary[0], "%s: no summary for --help", t->scheme);
	void (*const slots[])(void) = {
		(void (*)(void))t->bind, (void (*)(void))t->listen, (void (*)(void))t->accept,
		(void (*)(void))t->dial, (void (*)(void))t->send, (void (*)(void))t->recv,
		(void (*)(void))t->sendto, (void (*)(void))t->recvfrom, (void (*)(void))t->shutdown,
		(void (*)(void))t->getname, (void (*)(void))t->close, (void (*)(void))t->set_file_mode,
		(void (*)(void))t->send_batch, (void (*)(void))t->recv_batch, (void (*)(void))t->options,
	};
	const size_t nslots = sizeof slots / sizeof slots[0];
	for (size_t k = 0; k < nslots; k++)
		cr_expect_not_null(slots[k], "%s: slot %zu of %zu is NULL", t->scheme, k + 1, nslots);
	for (size_t j = 0; transport_registry[j]; j++)
		cr_expect(j == *i || strcmp(transport_registry[j]->scheme, t->scheme) != 0, "scheme %s twice", t->scheme);
	cr_expect_eq(transport_find(t->scheme, strlen(t->scheme)), t);

	cr_expect_eq(t->flags & ~all, 0, "%s: unknown facts", t->scheme);
	cr_expect(t->domain == AF_UNIX || t->domain == AF_UNSPEC, "%s: domain %d", t->scheme, t->domain);
	cr_expect_eq(transport_has_socket_file(t), t->domain == AF_UNIX, "%s: a socket file is what AF_UNIX binds", t->scheme);
	int connected = transport_is_connected(t), bounded = transport_keeps_boundaries(t);
	switch (t->type) {
	case SOCK_STREAM: cr_expect(connected && !bounded, "%s: a stream is connected, without boundaries", t->scheme); break;
	case SOCK_DGRAM: cr_expect(!connected && bounded, "%s: datagrams: boundaries, no connections", t->scheme); break;
	case SOCK_SEQPACKET: cr_expect(connected && bounded, "%s: seqpacket is both", t->scheme); break;
	default: cr_expect_fail("%s: socket type %d", t->scheme, t->type);
	}
	if (connected || transport_has_socket_file(t))
		cr_expect(transport_is_reliable(t), "%s: connections and unix sockets never drop data", t->scheme);

	/* The stubs are where, and only where, the facts say an operation does not exist. */
	cr_expect_eq(t->listen == transport_no_listen, !connected, "%s: listen", t->scheme);
	cr_expect_eq(t->accept == transport_no_accept, !connected, "%s: accept", t->scheme);
	/* A protocol socklab runs in user space ends a direction its own way (rdt: a FIN); the others, the kernel's. */
	cr_expect((t->shutdown == sockops_shutdown) != transport_in_user_space(t),
		  "%s: shutdown is the kernel's on every kernel transport", t->scheme);
	/* Only a protocol of socklab's own has options of its own; its connections are reliable (it repairs loss). */
	cr_expect_eq(t->options != transport_no_options, transport_in_user_space(t), "%s: options", t->scheme);
	if (transport_in_user_space(t))
		cr_expect(connected && transport_is_reliable(t), "%s: socklab's own protocol is a reliable connection", t->scheme);
	cr_expect_eq(t->set_file_mode == transport_no_set_file_mode, !transport_has_socket_file(t), "%s: set_file_mode", t->scheme);
	cr_expect_eq(t->sendto == transport_no_sendto, connected, "%s: sendto", t->scheme);
	cr_expect_eq(t->recvfrom == transport_no_recvfrom, connected, "%s: recvfrom", t->scheme);
	/*
	 * A stream has no messages to batch: its batch calls are the loop of sends and the one recv. socklab's own
	 * protocol uses them too: each message must pass its send (its size check), and its thread handles every
	 * message alone anyway.
	 */
	int looped = !bounded || transport_in_user_space(t);
	cr_expect_eq(t->send_batch == transport_stream_send_batch, looped, "%s: send_batch", t->scheme);
	cr_expect_eq(t->recv_batch == transport_stream_recv_batch, looped, "%s: recv_batch", t->scheme);
}

ParameterizedTestParameters(registry, stubs_fail_with_eopnotsupp)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* On real sockets: what a transport lacks fails with EOPNOTSUPP and leaves the socket working. */
ParameterizedTest(size_t *i, registry, stubs_fail_with_eopnotsupp)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], text[256], bound[ENDPOINT_FORMAT_MAX], buf[16];
	struct endpoint ep;
	struct sock ls, cs, as;
	struct addr a;
	int gai, type;

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "stubs", text, sizeof text);
	cr_assert_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, text, sizeof text), 0);
	cr_assert_eq(sock_listen_endpoint(&ls, &ep, 8, &gai), 0, "%s: %s", t->scheme, strerror(errno));
	cr_expect_eq(sock_is_connected(&ls), transport_is_connected(t));
	cr_expect_eq(sock_keeps_boundaries(&ls), transport_keeps_boundaries(t));
	cr_expect_eq(sock_is_reliable(&ls), transport_is_reliable(t));
	/* The table's socket type is the kernel's. */
	cr_expect_eq(sys_getsockopt_int(ls.fd, SOL_SOCKET, SO_TYPE, "SO_TYPE", &type), 0);
	cr_expect_eq(type, t->type, "%s: the kernel says type %d", t->scheme, type);
	cr_assert_eq(sock_getname(&ls, &a), 0);
	cr_assert_eq(test_dial(&cs, endpoint_format(t, &a, bound, sizeof bound)), 0, "%s: dial %s", t->scheme, bound);

	if (sock_is_connected(&ls)) {
		cr_assert_eq(sock_accept(&ls, &as), 0, "%s: accept: %s", t->scheme, strerror(errno));
		errno = 0;
		cr_expect_eq(sock_sendto(&cs, "x", 1, &a), -1);
		cr_expect_eq(errno, EOPNOTSUPP, "%s: sendto on a connection: %s", t->scheme, strerror(errno));
		errno = 0;
		cr_expect_eq(sock_recvfrom(&as, buf, sizeof buf, &a, NULL), -1);
		cr_expect_eq(errno, EOPNOTSUPP, "%s: recvfrom on a connection: %s", t->scheme, strerror(errno));
		cr_expect_eq(sock_send_all(&cs, "ok", 2), 2, "the connection broke");
		size_t got = 0;
		cr_expect_eq(sock_recv_exact(&as, buf, 2, &got), 0);
		sock_close(&as);
	} else {
		errno = 0;
		cr_expect_eq(sock_listen(&ls, 8), -1);
		cr_expect_eq(errno, EOPNOTSUPP, "%s: listen: %s", t->scheme, strerror(errno));
		errno = 0;
		cr_expect_eq(sock_accept(&ls, &as), -1);
		cr_expect_eq(errno, EOPNOTSUPP, "%s: accept: %s", t->scheme, strerror(errno));
		/* ...and the sockets still carry a datagram each way. */
		struct addr from;
		cr_expect_eq(sock_send(&cs, "ok", 2), 2);
		cr_expect_eq(sock_recvfrom(&ls, buf, sizeof buf, &from, NULL), 2);
		cr_expect_eq(sock_sendto(&ls, "ok", 2, &from), 2);
		cr_expect_eq(sock_recv(&cs, buf, sizeof buf, NULL), 2);
	}
	cr_expect_eq(sock_close(&cs), 0);
	cr_expect_eq(sock_close(&ls), 0);
	cr_expect_eq(ls.fd, -1);
	cr_expect_eq(sock_close(&ls), 0, "closing a closed sock is safe");
	test_rmdir(dir);
}
