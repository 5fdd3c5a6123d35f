/* test_batch.c - many messages per call (sock_send_batch, sock_recv_batch) on every transport, traced, and through the impairment layer. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"
#include "transports/impair/impair.h"
#include "tests/support/helpers.h"

#define N 8      /* messages per batch */
#define SIZE 100 /* bytes per message */

TestSuite(batch, .timeout = 60);

/* A server for t, a client dialed to it, and the server's side of the conversation. */
struct pair {
	char dir[64];
	struct sock ls, cs, as, *srv; /* srv: the accepted socket, or the bound one */
	struct addr where;
};

static void pair_open(struct pair *p, const struct transport *t)
{
	char text[256], bound[ENDPOINT_FORMAT_MAX];
	struct endpoint ep;
	int gai;

	test_tmpdir(p->dir, sizeof p->dir);
	test_server_endpoint(t, p->dir, "batch", text, sizeof text);
	cr_assert_eq(endpoint_parse(text, ENDPOINT_SERVER, &ep, text, sizeof text), 0);
	cr_assert_eq(sock_listen_endpoint(&p->ls, &ep, 8, &gai), 0, "%s: %s", t->scheme, strerror(errno));
	cr_assert_eq(sock_getname(&p->ls, &p->where), 0);
	cr_assert_eq(test_dial(&p->cs, endpoint_format(t, &p->where, bound, sizeof bound)), 0, "%s: dial", t->scheme);
	sock_init(&p->as);
	p->srv = &p->ls;
	if (transport_is_connected(t)) {
		cr_assert_eq(sock_accept(&p->ls, &p->as), 0, "%s: accept: %s", t->scheme, strerror(errno));
		p->srv = &p->as;
	}
	cr_assert_eq(sock_set_recv_timeout(p->srv, TEST_WAIT_S * 1000), 0);
}

static void pair_close(struct pair *p)
{
	sock_close(&p->as);
	sock_close(&p->cs);
	sock_close(&p->ls);
	test_rmdir(p->dir);
}

/* Message i: SIZE bytes, its number first. */
static void fill(char msgs[][SIZE], struct sock_msg *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(msgs[i], 'a' + (int)(i % 26), SIZE);
		snprintf(msgs[i], SIZE, "%03zu", i);
		m[i] = (struct sock_msg){ .buf = msgs[i], .len = SIZE };
	}
}

ParameterizedTestParameters(batch, every_transport)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* A batch goes whole and in order; on a stream as bytes, on the others as the same messages, with their sender. */
ParameterizedTest(size_t *i, batch, every_transport)
{
	const struct transport *t = transport_registry[*i];
	char msgs[N][SIZE], in[N][SIZE + 1];
	struct sock_msg m[N], r[N];
	struct addr from[N];
	struct pair p;

	pair_open(&p, t);
	fill(msgs, m, N);
	cr_assert_eq(sock_send_batch(&p.cs, m, N), N, "%s: %s", t->scheme, strerror(errno));
	for (size_t k = 0; k < N; k++)
		cr_expect_eq(m[k].got, SIZE, "%s: message %zu", t->scheme, k);
	if (!transport_keeps_boundaries(t)) {
		size_t total = 0;
		char all[N * SIZE];
		while (total < sizeof all) {
			r[0] = (struct sock_msg){ .buf = all + total, .len = sizeof all - total };
			cr_assert_eq(sock_recv_batch(p.srv, r, N), 1, "%s: a stream has one recv per batch", t->scheme);
			cr_assert_gt(r[0].got, 0, "%s: end of stream", t->scheme);
			total += r[0].got;
		}
		cr_expect(memcmp(all, msgs, sizeof all) == 0, "%s: the bytes differ", t->scheme);
		pair_close(&p);
		return;
	}
	for (size_t got = 0; got < N;) {
		for (size_t k = 0; k < N; k++)
			r[k] = (struct sock_msg){ .buf = in[k], .len = sizeof in[k], .addr = &from[k] };
		ssize_t n = sock_recv_batch(p.srv, r, N - got);
		cr_assert_gt(n, 0, "%s: %s", t->scheme, strerror(errno));
		for (ssize_t k = 0; k < n; k++, got++) {
			cr_expect_eq(r[k].got, SIZE, "%s", t->scheme);
			cr_expect_eq(r[k].truncated, 0);
			cr_expect(memcmp(in[k], msgs[got], SIZE) == 0, "%s: message %zu out of order", t->scheme, got);
			if (!transport_is_connected(t))
				cr_expect(addr_equal(&from[k], &from[0]), "%s: two senders", t->scheme);
		}
	}
	if (!transport_is_connected(t)) { /* the sender given is where a reply reaches the client */
		cr_assert_eq(sock_sendto(p.srv, "ok", 2, &from[0]), 2, "%s: %s", t->scheme, strerror(errno));
		cr_assert_eq(sock_set_recv_timeout(&p.cs, TEST_WAIT_S * 1000), 0);
		cr_expect_eq(sock_recv(&p.cs, in[0], SIZE, NULL), 2, "%s: no reply: %s", t->scheme, strerror(errno));
	}
	pair_close(&p);
}

ParameterizedTestParameters(batch, truncated_and_nothing_waiting)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* A message longer than its buffer is reported cut; with nothing queued a non-blocking batch fails with EAGAIN. */
ParameterizedTest(size_t *i, batch, truncated_and_nothing_waiting)
{
	const struct transport *t = transport_registry[*i];
	char msgs[1][SIZE], small[10];
	struct sock_msg m[1], r[4] = { { 0 } }; /* all four handed to the call: none may hold garbage */
	struct pair p;

	pair_open(&p, t);
	cr_assert_eq(sock_set_nonblocking(p.srv), 0);
	errno = 0;
	r[0] = (struct sock_msg){ .buf = small, .len = sizeof small };
	cr_expect_eq(sock_recv_batch(p.srv, r, 4), -1, "%s", t->scheme);
	cr_expect(errno == EAGAIN || errno == EWOULDBLOCK, "%s: %s", t->scheme, strerror(errno));
	fill(msgs, m, 1);
	cr_assert_eq(sock_send_batch(&p.cs, m, 1), 1);
	cr_assert_eq(test_readable(p.srv->fd), 1);
	cr_assert_eq(sock_recv_batch(p.srv, r, 1), 1, "%s: %s", t->scheme, strerror(errno));
	cr_expect_eq(r[0].got, sizeof small, "%s", t->scheme);
	cr_expect_eq(r[0].truncated, transport_keeps_boundaries(t), "%s: the rest of a message is gone, of a stream not",
		     t->scheme);
	pair_close(&p);
}

/* The trace sink of this test: every line, one after another. */
static void collect(const char *line, void *ctx)
{
	char *all = ctx;
	size_t len = strlen(all);

	snprintf(all + len, 8192 - len, "%s\n", line);
}

/* --trace shows one line per batch: the kernel's call, how many messages and bytes, and where. */
Test(batch, traced)
{
	static const char *const schemes[] = { "unixgram", "udp", "unixpacket" };
	char msgs[N][SIZE], in[N][SIZE], lines[8192], want[256], addr[ADDR_TEXT_MAX];
	struct sock_msg m[N], r[N];
	struct pair p;

	for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
		const struct transport *t = transport_find(schemes[k], strlen(schemes[k]));
		pair_open(&p, t);
		fill(msgs, m, N);
		lines[0] = '\0';
		trace_set_sink(collect, lines);
		ssize_t sent = sock_send_batch(&p.cs, m, N), got = 0;
		for (ssize_t n = 0; got < sent && n >= 0; got += n) {
			for (size_t j = 0; j < N; j++)
				r[j] = (struct sock_msg){ .buf = in[j], .len = SIZE };
			n = sock_recv_batch(p.srv, r, N);
		}
		trace_set_sink(NULL, NULL);
		cr_expect_eq(sent, N, "%s", t->scheme);
		cr_expect_eq(got, N, "%s", t->scheme);
		addr_format(&p.where, addr, sizeof addr);
		if (!transport_is_connected(t) && !transport_has_socket_file(t)) /* UDP: segmentation offload */
			snprintf(want, sizeof want, "sendmsg(%d, %d datagrams of %d bytes as one, UDP_SEGMENT, to %s) = %d",
				 p.cs.fd, N, SIZE, addr, N * SIZE);
		else if (!transport_is_connected(t))
			snprintf(want, sizeof want, "sendmmsg(%d, %d messages, %d bytes, to %s) = %d", p.cs.fd, N, N * SIZE, addr, N);
		else
			snprintf(want, sizeof want, "sendmmsg(%d, %d messages, %d bytes, to the connected peer) = %d", p.cs.fd, N,
				 N * SIZE, N);
#ifdef __linux__
		cr_expect(strstr(lines, want) != NULL, "%s: no \"%s\" in:\n%s", t->scheme, want, lines);
		snprintf(want, sizeof want, "recvmmsg(%d, room for %d, MSG_WAITFORONE) = ", p.srv->fd, N);
		cr_expect(strstr(lines, want) != NULL, "%s: no \"%s\" in:\n%s", t->scheme, want, lines);
#endif
		pair_close(&p);
	}
}

/* Through the impairment layer, each datagram of a batch is lost or doubled as send() would have decided it. */
Test(batch, impaired_datagrams_meet_their_own_fate)
{
	enum { M = 64 };
	static char msgs[M][SIZE], in[M][SIZE];
	struct impair_params prm = { .drop = 0.3, .dup = 0.2, .seed = 1 };

	for (size_t k = 0; transport_registry[k]; k++) {
		const struct transport *t = transport_registry[k];
		struct sock_msg m[M], r[M];
		int copies[M], seen[M] = { 0 }, expected = 0;
		struct pair p;
		if (transport_is_connected(t))
			continue;
		pair_open(&p, t);
		struct impair *im = impair_new(p.cs.t, &prm, 77), *twin = impair_new(p.cs.t, &prm, 77);
		cr_assert(im && twin);
		p.cs.impair = im;
		p.cs.t = &im->table;
		for (int j = 0; j < M; j++) { /* the fates send() would draw: drop, dup, reorder for each */
			int drop = impair_chance(twin, prm.drop), dup = impair_chance(twin, prm.dup);
			(void)impair_chance(twin, prm.reorder);
			copies[j] = drop ? 0 : dup ? 2 : 1;
			expected += copies[j];
		}
		fill(msgs, m, M);
		/*
		 * A unix datagram queue holds few (net.unix.max_dgram_qlen): the client does
		 * not wait for room but reads what arrived, and sends the rest again. A
		 * batch cut short gives back its draws, so the rest meets the same fate.
		 */
		cr_assert_eq(sock_set_nonblocking(&p.cs), 0);
		cr_assert_eq(sock_set_nonblocking(p.srv), 0);
		int got = 0;
		for (size_t sent = 0; sent < M || got < expected;) {
			ssize_t n = sent < M ? sock_send_batch(&p.cs, m + sent, M - sent) : -1;
			cr_assert(n > 0 || sent == M || errno == EAGAIN || errno == EWOULDBLOCK, "%s: %s", t->scheme, strerror(errno));
			sent += n > 0 ? (size_t)n : 0;
			if (sent == M)
				cr_assert_eq(test_readable(p.srv->fd), 1, "%s: %d of %d arrived", t->scheme, got, expected);
			for (int j = 0; j < M; j++)
				r[j] = (struct sock_msg){ .buf = in[j], .len = SIZE };
			while ((n = sock_recv_batch(p.srv, r, M)) > 0)
				for (ssize_t j = 0; j < n; j++, got++)
					seen[atoi(in[j]) % M]++;
		}
		for (int j = 0; j < M; j++)
			cr_expect_eq(seen[j], copies[j], "%s: datagram %d arrived %d times, not %d", t->scheme, j, seen[j], copies[j]);
		cr_expect_eq(got, expected, "%s", t->scheme);
		cr_expect_eq(sock_recv_batch(p.srv, r, M), -1, "%s: more arrived than the fates allow", t->scheme);
		impair_free(twin);
		pair_close(&p); /* frees im */
	}
}
