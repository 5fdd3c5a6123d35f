/* test_batch_gro.c - UDP's receive offload, observed: datagrams sent as one (UDP_SEGMENT) are read as one by a UDP_GRO socket, then cut again. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/io.h"
#include "core/sys/sys.h"
#include "transports/endpoint.h"
#include "transports/udp.h"
#include "tests/support/helpers.h"

TestSuite(batch_gro, .timeout = 60);

#define COUNT 5
#define SEG 100

/* A UDP server at endpoint text, and a client dialed to it. */
static void open_pair(const char *text, struct sock *srv, struct sock *cli)
{
	char why[160], bound[ENDPOINT_FORMAT_MAX];
	struct endpoint ep;
	struct addr where;
	int gai;

	cr_assert_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why), 0, "%s", why);
	cr_assert_eq(sock_listen_endpoint(srv, &ep, 1, &gai), 0, "%s", strerror(errno));
	cr_assert_eq(sock_getname(srv, &where), 0);
	cr_assert_eq(test_dial(cli, endpoint_format(srv->t, &where, bound, sizeof bound)), 0);
}

/*
 * Five datagrams of 100 bytes in one batch go out as one UDP_SEGMENT
 * message (udp_send_batch); a socket that asked for UDP_GRO reads them in
 * one call, 500 bytes with a segment size of 100, in order, and the sender's
 * address. A datagram that came alone reads alone, its size its segment.
 */
Test(batch_gro, coalesced_then_cut_again)
{
	char msgs[COUNT][SEG], buf[65536];
	struct sock_msg m[COUNT];
	struct sock srv, cli;
	struct addr from, mine;
	size_t seg = 0;

	open_pair("udp://127.0.0.1:0", &srv, &cli);
	if (udp_coalesce(&srv) < 0) {
		cr_assert_eq(errno, ENOPROTOOPT, "%s", strerror(errno));
		sock_close(&cli);
		sock_close(&srv);
		cr_skip_test("no UDP_GRO on this system");
	}
	for (int i = 0; i < COUNT; i++) {
		memset(msgs[i], 'a' + i, SEG);
		m[i] = (struct sock_msg){ .buf = msgs[i], .len = SEG };
	}
	cr_assert_eq(sock_send_batch(&cli, m, COUNT), COUNT, "%s", strerror(errno));
	cr_assert_eq(test_readable(srv.fd), 1);
	ssize_t n = udp_recv_coalesced(&srv, buf, sizeof buf, &seg, &from);
	cr_assert_eq(n, COUNT * SEG, "one read: %zd bytes (%s)", n, n < 0 ? strerror(errno) : "");
	cr_expect_eq(seg, SEG);
	for (int i = 0; i < COUNT; i++)
		cr_expect(memcmp(buf + i * SEG, msgs[i], SEG) == 0, "datagram %d out of place", i);
	char a[ADDR_TEXT_MAX], want[ADDR_TEXT_MAX];
	cr_assert_eq(sock_getname(&cli, &mine), 0); /* 0.0.0.0:port: the client's socket is not connect()ed */
	snprintf(want, sizeof want, "127.0.0.1:%u", addr_port(&mine));
	cr_expect_str_eq(addr_format(&from, a, sizeof a), want, "the sender's address");
	cr_assert_eq(sock_send(&cli, "alone", 5), 5);
	cr_assert_eq(test_readable(srv.fd), 1);
	cr_expect_eq(udp_recv_coalesced(&srv, buf, sizeof buf, &seg, &from), 5);
	cr_expect_eq(seg, 5, "a datagram alone is its own segment");
	sock_close(&cli);
	sock_close(&srv);
}

/* The impairment layer draws each datagram's fate: a socket it wraps is never coalesced. */
Test(batch_gro, never_under_the_impairment_layer)
{
	struct sock srv, cli;

	open_pair("udp://127.0.0.1:0?drop=0.5&seed=1", &srv, &cli);
	errno = 0;
	cr_expect_eq(udp_coalesce(&srv), -1);
	cr_expect_eq(errno, EINVAL, "%s", strerror(errno));
	sock_close(&cli);
	sock_close(&srv);
}
