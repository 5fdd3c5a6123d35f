/* test_bounds.c - the server's memory, bounded per client and in all: clients that never read cannot grow it past its bound. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/engine/engine.h"
#include "core/sys/sys.h"
#include "transports/rdt/rdt_transport.h"
#include "tests/support/engine_harness.h"
#include "tests/support/robust.h"

#define HOGS 60             /* clients that send and never read */
#define HOG_BYTES (6 * 1024 * 1024) /* each sends this much: more than its 1 MiB of replies, and TCP's buffers */
#define PIECE (16 * 1024)
#define QUIET_MS 300        /* every hog has taken nothing for this long: the server reads no more */
#define OUT_TOTAL_KB (16 * 1024) /* the engine's default bound on every client's replies */
#define SLACK_KB (8 * 1024)      /* the receive buffer, the allocator's own, one read past the bound */

/*
 * Sends from every hog in turn, without blocking, until each sent HOG_BYTES. Connections stop earlier, when
 * none moved for QUIET_MS: the server stops reading a client whose replies reached its bound, which is the
 * point (the caller then waits for the shed itself). A datagram server never stops reading (it drops replies
 * instead), so there a quiet spell only means a busy machine, and every hog sends all of its bytes; a wide
 * deadline guards against a hang.
 */
static void flood_all(struct sock *h, int n, int connected)
{
	size_t *sent = calloc((size_t)n, sizeof *sent);
	char *junk = malloc(PIECE);
	long long end = sys_now_ms() + 6 * TEST_WAIT_S * 1000LL;

	cr_assert(sent && junk);
	test_fill_random(junk, PIECE, 5);
	for (int k = 0; k < n; k++)
		cr_assert_eq(sock_set_nonblocking(&h[k]), 0);
	for (long long quiet_since = sys_now_ms(); !connected || sys_now_ms() - quiet_since < QUIET_MS;) {
		int moved = 0, left = 0;
		for (int k = 0; k < n; k++) {
			if (sent[k] >= HOG_BYTES || h[k].fd < 0)
				continue;
			left = 1;
			ssize_t r = sock_send(&h[k], junk, PIECE);
			if (r > 0)
				sent[k] += (size_t)r, moved = 1;
			else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
				sock_close(&h[k]); /* the server closed it: shed */
		}
		if (!left)
			break;
		cr_assert(sys_now_ms() < end, "the hogs could not send their bytes in %d s", 6 * TEST_WAIT_S);
		if (moved)
			quiet_since = sys_now_ms();
		else
			sys_wait(h[0].fd >= 0 ? h[0].fd : 0, 1, 10); /* a turn for the server */
	}
	free(sent);
	free(junk);
}

/*
 * Waits until the server has closed one of the n connections: hung up on, or reset (it closes with replies
 * unread, so a reset). Events 0: a hog is always readable, and poll(2) reports POLLHUP and POLLERR regardless.
 * 1 when one was, 0 after TEST_WAIT_S.
 */
static int wait_for_a_shed(struct sock *h, int n)
{
	struct pollfd pf[HOGS];

	for (int k = 0; k < n; k++) {
		if (h[k].fd < 0)
			return 1; /* flood_all saw it already */
		pf[k] = (struct pollfd){ .fd = h[k].fd, .events = 0 };
	}
	for (long long end = sys_now_ms() + TEST_WAIT_S * 1000LL; sys_now_ms() < end;) {
		int r = poll(pf, (nfds_t)n, (int)(end - sys_now_ms()));
		if (r < 0 && errno != EINTR)
			return 0;
		for (int k = 0; r > 0 && k < n; k++)
			if (pf[k].revents & (POLLHUP | POLLERR))
				return 1;
	}
	return 0;
}

ParameterizedTestParameters(bounds, clients_that_never_read)
{
	static size_t idx[32];
	size_t n = 0;

	/* Where replies queue in the server: connections, and unix datagrams (charged to the sender until read). */
	for (size_t i = 0; transport_registry[i]; i++)
		if (transport_is_reliable(transport_registry[i]))
			idx[n++] = i;
	return cr_make_param_array(size_t, idx, n);
}

/*
 * Sixty clients send up to 6 MB each and read nothing. Each may hold 1 MiB of
 * replies in the server (reading from it then pauses, or, for a datagram,
 * replies are dropped); all of them together at most 16 MiB: past that the
 * largest one is closed (connections) or a reply dropped (datagrams). The
 * server's peak memory stays under its bound, and the good client is served.
 */
ParameterizedTest(size_t *i, bounds, clients_that_never_read, .timeout = 60)
{
	struct scene sc;
	struct sock h[HOGS];
	char *err = NULL;

	scene_start(&sc, *i, 0);
	long base = server_peak_rss_kb(&sc);
	for (int k = 0; k < HOGS; k++) {
		int small = 4096; /* TCP's buffers would otherwise take megabytes of replies in the kernel first */
		hostile_dial(&sc, &h[k]);
		cr_assert(setsockopt(h[k].fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
	}
	flood_all(h, HOGS, sock_is_connected(&sc.good));
	/* TCP's buffers can take every hog's bytes before the server has read much of them (a busy machine, CI's
	 * second job): the flood is over, the server's work is not. Kernel connections: wait for the shed itself.
	 * (socklab's own protocol delivers its end in order, after the replies a hog never reads: there the server's
	 * own line, read below, is the evidence.) */
	if (sock_is_connected(&sc.good) && !transport_in_user_space(sc.t))
		cr_expect(wait_for_a_shed(h, HOGS), "%s: no client was closed within %d s", sc.t->scheme, TEST_WAIT_S);
	long grew = server_peak_rss_kb(&sc) - base;
	/* Under AddressSanitizer freed memory is kept in quarantine: resident memory says nothing then (see below). */
	/*
	 * A kernel transport's buffers are the kernel's; socklab's own protocol
	 * keeps its window and queues in the process: at most rdt_sock_memory_max()
	 * a connection, which the bound adds for each hog.
	 */
	long own_kb = transport_in_user_space(sc.t) ? (long)(HOGS * rdt_sock_memory_max() / 1024) : 0;
	if (!getenv("ASAN_OPTIONS"))
		cr_expect_lt(grew, OUT_TOTAL_KB + SLACK_KB + own_kb,
			     "%s: the server grew by %ld KB for %d clients that never read (%ld KB of them its protocol's)",
			     sc.t->scheme, grew, HOGS, own_kb);
	for (int k = 0; k < HOGS; k++) /* a unix datagram hog holds the server's send buffer: it must go first */
		sock_close(&h[k]);
	good_rounds(&sc, 5);
	scene_end(&sc, &err);
	if (sock_is_connected(&sc.good))
		cr_expect(strstr(err, "a client was closed: the replies waiting for all clients passed"), "%s: %s",
			  sc.t->scheme, err);
	else
		cr_expect(strstr(err, "a reply was dropped"), "%s: %s", sc.t->scheme, err);
	cr_log_info("%s: %d clients that never read: the server grew by %ld KB at most", sc.t->scheme, HOGS, grew);
	free(err);
}

ParameterizedTestParameters(bounds, engine_counts_its_bound)
{
	return harness_params(0);
}

/*
 * The same, in this process, with bounds small enough to count: the engine's
 * own count of what it holds (out_peak) stays within out_total, plus the one
 * queue that crossed it; past the bound it sheds
 * connections and drops datagram replies, and says how many.
 */
ParameterizedTest(struct param *p, bounds, engine_counts_its_bound, .timeout = 60)
{
	enum { CLIENTS = 24, LIMIT = 64 * 1024, TOTAL = 256 * 1024 };
	const struct transport *t = transport_registry[p->t];
	struct engine_options opt = { .poller = p->poller, .out_limit = LIMIT, .out_total = TOTAL };
	struct server srv;
	struct sock h[CLIENTS];

	if (!transport_is_reliable(t))
		cr_skip_test("%s: replies never wait in the server (the receiver's kernel drops them)", t->scheme);
	harness_start(&srv, t, opt, (struct app){ 0 });
	for (int k = 0; k < CLIENTS; k++) {
		int small = 4096;
		cr_assert_eq(test_dial(&h[k], srv.endpoint), 0);
		cr_assert(setsockopt(h[k].fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
	}
	flood_all(h, CLIENTS, transport_is_connected(t));
	/* Connections: the flood is over when the server stops reading; wait for the shed it leads to. */
	while (transport_is_connected(t) && harness_next_event(&srv) != '0' + SESSION_SHED)
		; /* the opens, then the first close: a shed (harness_next_event fails the test after TEST_WAIT_S) */
	for (int k = 0; k < CLIENTS; k++)
		sock_close(&h[k]);
	struct engine_stats st = harness_stop(&srv);
	/* The bound, and the one queue that crossed it: doubled, one read past its limit (engine.h). */
	cr_expect_leq(st.out_peak, TOTAL + 2 * (LIMIT + ENGINE_MESSAGE_MAX), "%s: %zu bytes of replies held", t->scheme,
		      st.out_peak);
	cr_expect_eq(st.out_memory, 0, "%s: %zu bytes still counted after every client left", t->scheme, st.out_memory);
	if (transport_is_connected(t))
		cr_expect_gt(st.shed, 0, "%s: nobody was shed", t->scheme);
	else
		cr_expect_gt(st.dropped, 0, "%s: nothing was dropped", t->scheme);
}
