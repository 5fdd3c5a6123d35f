/* test_exhaust.c - clients until the server runs out: of descriptors (EMFILE) on connections, of sessions on datagrams. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/sys/sys.h"
#include "tests/support/robust.h"

#define NOFILE 64        /* the server's descriptor limit in these tests */
#define FLOOD 150        /* connections opened against it: more than it can hold */
#define PEERS 2000       /* datagram peers, each a session */
#define IDLE_WINDOW_MS 500 /* how long the saturated server is watched for a busy loop */

/* Is the connection ended from the server's side (closed at once when it had no descriptor for it)? */
static int was_shed(struct sock *h)
{
	char c;
	struct pollfd p = { .fd = h->fd, .events = POLLIN };
	if (poll(&p, 1, 0) != 1)
		return 0;
	ssize_t n = recv(h->fd, &c, 1, MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

static int count_shed(struct sock *h, int n)
{
	int shed = 0;
	for (int k = 0; k < n; k++)
		shed += h[k].fd >= 0 && was_shed(&h[k]);
	return shed;
}

/*
 * Connections: the server, limited to NOFILE descriptors, is flooded with
 * FLOOD connections. It must keep serving the good client, close at once the
 * connections it has no descriptor for (the client sees its connection end,
 * instead of waiting in the backlog), use no CPU while saturated (accept(2)
 * failing with EMFILE leaves the listener readable: a naive loop spins), and
 * serve new clients again once the flood has gone.
 */
static void exhaust_descriptors(struct scene *sc)
{
	struct sock *h = calloc(FLOOD, sizeof *h);
	int held = NOFILE - sc->base_fds; /* what the server can still open */
	int refused = 0;

	for (int k = 0; k < FLOOD; k++) {
		/*
		 * socklab's own protocol makes a connection's descriptors in the
		 * server's protocol thread, at the SYN: with none left it answers an
		 * RST, and the client's connect() is refused, its way of being shed.
		 */
		if (transport_in_user_space(sc->t) && test_dial(&h[k], sc->srv.endpoint) < 0) {
			cr_assert_eq(errno, ECONNREFUSED, "%s: %s", sc->t->scheme, strerror(errno));
			sock_init(&h[k]);
			refused++;
		} else if (!transport_in_user_space(sc->t)) {
			hostile_dial(sc, &h[k]);
		}
		if (k % 10 == 0)
			good_round(sc);
	}
	int shed = 0;
	for (int k = 0; k < 2000 && (shed = refused + count_shed(h, FLOOD)) < FLOOD - held; k++)
		good_round(sc); /* each round trip is a turn of the server's loop */
	cr_expect(shed >= FLOOD - held, "%s: %d of %d connections were closed by the server; it had room for %d",
		  sc->t->scheme, shed, FLOOD, held);
	cr_expect(server_fds(sc) <= NOFILE, "%s: %d descriptors open", sc->t->scheme, server_fds(sc));

	/* Saturated, with more connections arriving: it sheds them and otherwise sleeps. */
	struct sock more[20];
	for (int k = 0; k < 20; k++)
		if (!transport_in_user_space(sc->t))
			hostile_dial(sc, &more[k]);
		else if (test_dial(&more[k], sc->srv.endpoint) < 0)
			sock_init(&more[k]); /* refused: shed */
	long cpu = server_cpu_ms(sc), t0 = (long)sys_now_ms();
	poll(NULL, 0, IDLE_WINDOW_MS); /* a measuring window, not a wait for anything */
	long used = server_cpu_ms(sc) - cpu, wall = (long)sys_now_ms() - t0;
	cr_log_info("%s: saturated (%d of %d connections shed), the server used %ld ms of CPU in %ld ms", sc->t->scheme,
		    shed, FLOOD, used, wall);
	cr_expect(used * 5 < wall, "%s: the saturated server used %ld ms of CPU in %ld ms: a busy loop", sc->t->scheme,
		  used, wall);
	good_rounds(sc, 5);
	for (int k = 0; k < 20; k++)
		sock_close(&more[k]);

	/* The flood leaves: the server recovers its descriptors and takes new clients. */
	for (int k = 0; k < FLOOD; k++)
		sock_close(&h[k]);
	settle(sc, sc->base_fds);
	for (int k = 0; k < 20; k++) {
		struct sock c;
		hostile_dial(sc, &c);
		cr_expect(test_echo_once(&c, "back again", 10) == 0, "%s: new client %d not served after the flood: %s",
			  sc->t->scheme, k, strerror(errno));
		sock_close(&c);
	}
	free(h);
}

/* Datagrams: no descriptor per client, but a session per address. Thousands of peers come and go. */
static void exhaust_sessions(struct scene *sc)
{
	for (int k = 0; k < PEERS; k++) {
		struct sock h;
		hostile_dial(sc, &h);
		cr_assert(sock_send(&h, "x", 1) == 1);
		sock_close(&h); /* gone before its echo: the server's reply has nowhere to go */
		if (k % 100 == 0)
			good_round(sc);
	}
	cr_expect_eq(server_fds(sc), sc->base_fds, "%s: sessions took descriptors", sc->t->scheme);
	good_rounds(sc, 10);
}

ParameterizedTestParameters(hostile, exhaust_the_server)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

ParameterizedTest(size_t *i, hostile, exhaust_the_server)
{
	struct scene sc;
	char *err;

	scene_start(&sc, *i, NOFILE);
	if (sock_is_connected(&sc.good))
		exhaust_descriptors(&sc);
	else
		exhaust_sessions(&sc);
	scene_end(&sc, &err);
	/* socklab's own protocol refuses in its thread, which never prints (library code): no notice to expect. */
	if (sock_is_connected(&sc.good) && !transport_in_user_space(sc.t))
		cr_expect(strstr(err, "out of file descriptors"), "%s: no notice of refused clients:\n%.300s", sc.t->scheme,
			  err);
	free(err);
}
