/* test_reply_address.c - a UDP server on a wildcard address answers from the address each datagram came to. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demos/netns.h"
#include "tests/support/helpers.h"

/*
 * Before: a server on udp://0.0.0.0:P hears "hi" sent to 127.0.0.2, replies
 * with plain sendto(), and the kernel sends it from 127.0.0.1, the address
 * its route prefers; the client, which sent to 127.0.0.2, drops an answer
 * from anyone else, and times out. A host with two addresses always has
 * this (RFC 1122, 4.1.3.5: a reply should leave from the request's specific destination).
 */
static void echo_from(const char *server_ep, const char *client_ep_fmt)
{
	struct test_server srv;
	struct run_result r;
	char ep[128];

	const char *server[] = { "socklab", "echo-server", "--quiet", server_ep, NULL };
	cr_assert_eq(test_server_start(&srv, server), 0, "%s did not start", server_ep);
	snprintf(ep, sizeof ep, client_ep_fmt, strrchr(srv.endpoint, ':') + 1);
	const char *client[] = { "socklab", "echo-client", "--timeout", "5", ep, "hi", NULL };
	cr_assert_eq(test_run(client, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "server %s, client %s: %s", srv.endpoint, ep, r.err);
	cr_expect_str_eq(r.out, "hi\n", "server %s, client %s", srv.endpoint, ep);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
}

/* IPv4: the server on 0.0.0.0, the client sending to 127.0.0.2 (every address of 127/8 is this host's). */
Test(reply_address, ipv4_wildcard)
{
	echo_from("udp://0.0.0.0:0", "udp://127.0.0.2:%s");
}

/* A dual-stack [::] server (the wildcard 'udp://:P' gives) hears IPv4 as ::ffff:127.0.0.2, and answers from it. */
Test(reply_address, dual_stack_wildcard)
{
	echo_from("udp://:0", "udp://127.0.0.2:%s");
}

/* The chat server greets from the address too: on_open's first reply goes out before any on_message. */
Test(reply_address, greeting_from_the_right_address)
{
	static const char script[] =
		"import socket, sys\n"
		"s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
		"s.bind(('127.0.0.1', 0)); s.settimeout(10)\n"
		"s.sendto(b'hello', ('127.0.0.2', int(sys.argv[1])))\n"
		"for want in (b'type the message', None):\n"
		"    data, src = s.recvfrom(100)\n"
		"    assert src[0] == '127.0.0.2', src\n"
		"    assert want is None or data == want, data\n"
		"print('ok')\n";
	struct test_server srv;
	struct run_result r;

	const char *server[] = { "socklab", "chat-server", "--quiet", "udp://0.0.0.0:0", NULL };
	cr_assert_eq(test_server_start(&srv, server), 0);
	const char *py[] = { "python3", "-c", script, strrchr(srv.endpoint, ':') + 1, NULL };
	cr_assert_eq(test_run(py, NULL, 0, &r), 0);
	cr_expect_str_eq(r.out, "ok\n", "%s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
}

/*
 * IPv6 needs a second address: in a network namespace of the test's own,
 * fd00::2 on lo beside ::1. A client bound to ::1 sends to fd00::2; the
 * kernel, left to choose, would answer from ::1 (the route to ::1 prefers
 * it). The reply must come from fd00::2.
 */
Test(reply_address, ipv6_second_address, .timeout = 30)
{
	static const char script[] =
		"import socket, sys\n"
		"s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
		"s.bind(('::1', 0)); s.settimeout(10)\n"
		"s.sendto(b'hi', ('fd00::2', int(sys.argv[1])))\n"
		"data, src = s.recvfrom(100)\n"
		"assert data == b'hi' and src[0] == 'fd00::2', (data, src)\n"
		"print('ok')\n";
	struct test_server srv;
	struct run_result r;
	char why[512];

	if (netns_enter_private(why, sizeof why) < 0)
		cr_skip_test("no private network namespace: %s", why);
	if (system("ip -6 addr add fd00::2/128 dev lo nodad 2>/dev/null") != 0)
		cr_skip_test("cannot add an IPv6 address in the namespace (ip from iproute2, IPv6 on?)");
	const char *server[] = { "socklab", "echo-server", "--quiet", "udp://[::]:0", NULL };
	cr_assert_eq(test_server_start(&srv, server), 0);
	const char *py[] = { "python3", "-c", script, strrchr(srv.endpoint, ':') + 1, NULL };
	cr_assert_eq(test_run(py, NULL, 0, &r), 0);
	cr_expect_str_eq(r.out, "ok\n", "%s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
}

/* --trace says where a reply leaves from: sendmsg(2) with the IP_PKTINFO control message. */
Test(reply_address, traced)
{
	struct test_server srv;
	struct run_result r;
	char ep[64];

	const char *server[] = { "socklab", "--trace", "echo-server", "udp://0.0.0.0:0", NULL };
	cr_assert_eq(test_server_start(&srv, server), 0);
	snprintf(ep, sizeof ep, "udp://127.0.0.2:%s", strrchr(srv.endpoint, ':') + 1);
	const char *client[] = { "socklab", "echo-client", ep, "hi", NULL };
	cr_assert_eq(test_run(client, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	char *log = test_server_stderr(&srv);
	cr_expect(strstr(log, ", IPPROTO_IP, IP_PKTINFO, 1) = 0"), "%s", log);
	cr_expect(strstr(log, ", local address 127.0.0.2 (IP_PKTINFO)"), "%s", log);
	cr_expect(strstr(log, ", from 127.0.0.2 (IP_PKTINFO)) = 2"), "%s", log);
	free(log);
}
